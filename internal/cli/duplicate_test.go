package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDuplicateKeys checks that a key written twice is an input error
// (exit 2) wherever it is in an object, reported once, and that merge
// keys are not taken for duplicates.
func TestDuplicateKeys(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"svc.yaml": `apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
  labels:
    app: web
    app: web2
spec:
  selector: {app: web, app: web}
  ports:
  - port: 80
    name: http
    name: http2
`,
		"dr.yaml": `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: web
  namespace: shop
spec:
  host: web
  trafficPolicy:
    connectionPool:
      tcp:
        maxConnections: 10
        maxConnections: 20
`,
		"merge.yaml": `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: api
  namespace: shop
  labels: &l
    <<: {app: api}
    <<: {tier: back}
    app: api2
spec:
  host: api
  trafficPolicy:
    <<: {tls: {mode: ISTIO_MUTUAL}}
    <<: {loadBalancer: {simple: ROUND_ROBIN}}
    tls: {mode: ISTIO_MUTUAL}
`,
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r := run(t, dir, "", "--format", "text", "--color", "never", ".")
	if r.code != ExitError {
		t.Errorf("exit %d, want %d", r.code, ExitError)
	}
	want := []string{
		`dr.yaml:12:9: error: duplicate key: key "maxConnections" is written twice in one mapping (first at line 11); Kubernetes refuses the object`,
		`svc.yaml:8:5: error: duplicate key: key "app" is written twice in one mapping (first at line 7); Kubernetes refuses the object`,
		`svc.yaml:10:24: error: duplicate key: key "app" is written twice in one mapping (first at line 10); Kubernetes refuses the object`,
		`svc.yaml:14:5: error: duplicate key: key "name" is written twice in one mapping (first at line 13); Kubernetes refuses the object`,
	}
	var got []string
	for _, l := range strings.Split(r.stdout+r.stderr, "\n") {
		if strings.Contains(l, "duplicate key") || strings.Contains(l, "merge.yaml") && strings.Contains(l, "error") {
			got = append(got, l)
		}
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("errors:\n%s\nwant:\n%s\nstdout:\n%s\nstderr:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"), r.stdout, r.stderr)
	}
}
