package graph

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/config"
	"github.com/meshlint/meshlint/internal/manifest"
)

// TestPrepareReusing checks that the graph PrepareReusing makes of a file
// over the graph of another is the graph Prepare makes of it alone: none
// of the other file's namespaces, kinds, hosts or indexes shows through
// the reused maps. A graph of a large file is not reused.
func TestPrepareReusing(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	// a fills every map newGraph makes.
	a := write("a.yaml", `apiVersion: v1
kind: Namespace
metadata: {name: a, labels: {istio-injection: enabled}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: a}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, image: i}]}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: a}
spec:
  selector: {app: web}
  ports: [{port: 80}]
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: gw, namespace: a}
spec:
  selector: {istio: ingressgateway}
  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["*"]}]
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: web, namespace: a}
spec: {host: web}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: a}
spec: {mtls: {mode: STRICT}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: istio, namespace: a}
data: {mesh: "{}"}
---
apiVersion: v1
kind: Secret
metadata: {name: cert, namespace: a}
type: Opaque
---
apiVersion: serving.knative.dev/v1
kind: Service
metadata: {name: kn, namespace: k}
spec:
  template:
    spec: {containers: [{image: i}]}
`)
	b := write("b.yaml", `apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: b}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec: {containers: [{name: c, image: i}]}
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: b}
spec:
  selector: {app: api}
  ports: [{port: 8080}]
`)
	mesh := config.DefaultMesh()
	objects := func(p string) []*manifest.Object {
		res := manifest.Load([]string{p}, manifest.Options{})
		if len(res.Errors) > 0 {
			t.Fatal(res.Errors)
		}
		return res.Objects
	}
	want := Prepare(objects(b), mesh, nil)
	scratch := Prepare(objects(a), mesh, nil)
	if len(scratch.present) == 0 || len(scratch.configMaps) == 0 || len(scratch.secretsByName) == 0 || len(scratch.described) == 0 ||
		len(scratch.gatewaysByKey) == 0 || len(scratch.drsByNS) == 0 || len(scratch.pasByNS) == 0 || len(scratch.servicesByHost) == 0 {
		t.Fatal("the first file leaves a map of its graph empty")
	}
	got := PrepareReusing(scratch, objects(b), mesh, nil)
	if got != scratch {
		t.Error("the scratch graph was not reused")
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("the graph of b over the graph of a differs from the graph of b:\n%+v\nwant\n%+v", *got, *want)
	}
	// The reused graph serves the next file as well.
	if got := PrepareReusing(got, objects(a), mesh, nil); !reflect.DeepEqual(got, Prepare(objects(a), mesh, nil)) {
		t.Error("the graph of a over the graph of b differs from the graph of a")
	}

	var large strings.Builder
	for i := range maxScratchObjects + 1 {
		fmt.Fprintf(&large, "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c%d, namespace: n%d}\n", i, i)
	}
	big := Prepare(objects(write("large.yaml", large.String())), mesh, nil)
	if PrepareReusing(big, objects(b), mesh, nil) == big {
		t.Errorf("the graph of a file of %d objects was reused", maxScratchObjects+1)
	}
}
