package manifest

import (
	"strings"
	"testing"
)

// TestGenericWorkloads checks that the loader keeps the objects of kinds it
// does not model that carry a pod template (spec.template.spec.containers a
// non-empty list of mappings), in groups it does not check strictly, and
// passes over the others as before.
func TestGenericWorkloads(t *testing.T) {
	in := `apiVersion: apps.kruise.io/v1alpha1
kind: CloneSet
metadata: {name: web, namespace: shop}
spec:
  replicas: 2
  scaleStrategy: {podsToDelete: 3} # not a pod template field: never read
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx}]
---
apiVersion: apps.kruise.io/v1beta1
kind: StatefulSet
metadata: {name: db, namespace: shop}
spec:
  template:
    spec:
      containers:
      - &c {name: db, image: postgres}
      - *c
---
apiVersion: serving.knative.dev/v1
kind: Service
metadata: {name: hello}
spec:
  template:
    spec:
      containers: [{image: hello}]
---
apiVersion: v1
kind: ReplicationController
metadata: {name: legacy, namespace: shop}
spec:
  template:
    spec:
      containers: [{name: legacy, image: legacy}]
---
# No pod template: unmodelled, as before.
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata: {name: sm}
spec:
  selector: {matchLabels: {app: web}}
---
# A spec.template that is not a pod template: unmodelled.
apiVersion: example.com/v1
kind: Widget
metadata: {name: containers-map}
spec:
  template:
    spec:
      containers: {web: {image: web}}
---
apiVersion: example.com/v1
kind: Widget
metadata: {name: containers-empty}
spec:
  template:
    spec:
      containers: []
---
apiVersion: example.com/v1
kind: Widget
metadata: {name: containers-strings}
spec:
  template:
    spec:
      containers: [web]
---
apiVersion: example.com/v1
kind: Widget
metadata: {name: template-list}
spec:
  template: [{spec: {containers: [{name: web}]}}]
---
# An unmodelled kind of a strict group stays unmodelled, pod template or not.
apiVersion: networking.k8s.io/v1
kind: IPAddress
metadata: {name: 10.96.0.1}
spec:
  template:
    spec:
      containers: [{name: web}]
`
	r, _ := loadString(t, in, Options{Namespace: "default"})
	wantErrors(t, r)
	if got, want := strings.Join(objectRefs(r), ","), "CloneSet shop/web,StatefulSet shop/db,Service default/hello,ReplicationController shop/legacy"; got != want {
		t.Errorf("objects = %s, want %s", got, want)
	}
	if len(r.Objects) == 4 {
		if o := r.Objects[1]; o.Group != "apps.kruise.io" || o.APIVersion != "apps.kruise.io/v1beta1" {
			t.Errorf("the Advanced StatefulSet is of group %q (%s)", o.Group, o.APIVersion)
		}
		if o := r.Objects[2]; o.Group != "serving.knative.dev" || o.Namespace != "default" || o.NamespaceSet {
			t.Errorf("the Knative Service is of group %q in namespace %q (set %v)", o.Group, o.Namespace, o.NamespaceSet)
		}
	}
	want := map[string]int{
		"monitoring.coreos.com/v1 ServiceMonitor": 1,
		"example.com/v1 Widget":                   4,
		"networking.k8s.io/v1 IPAddress":          1,
	}
	wantUnmodelled(t, r, want)
}

// TestGenericWorkloadsDropped checks that a generic workload is found
// again when its nodes were dropped: Root reads the file again, and the
// object must be kept then too.
func TestGenericWorkloadsDropped(t *testing.T) {
	in := `apiVersion: v1
kind: LimitRange
metadata: {name: lr}
---
apiVersion: apps.kruise.io/v1alpha1
kind: CloneSet
metadata: {name: web, namespace: shop}
spec:
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx}]
`
	r, _ := loadString(t, in, Options{DropNodes: true})
	wantErrors(t, r)
	if len(r.Objects) != 1 {
		t.Fatalf("objects = %v", objectRefs(r))
	}
	o := r.Objects[0]
	if o.Node != nil {
		t.Skip("nodes not dropped")
	}
	if root := o.Root(); root == nil || root.Line != 5 {
		t.Errorf("Root() of the dropped CloneSet = %v", root)
	}
}

// TestMisspeltWorkloadKind checks that a misspelt kind of a group whose
// kinds are all known is an error, even with a pod template, rather than
// another operator's workload.
func TestMisspeltWorkloadKind(t *testing.T) {
	for _, apiVersion := range []string{"apps/v1", "batch/v1", "v1"} {
		in := "apiVersion: " + apiVersion + `
kind: Deploymnet
metadata: {name: web, namespace: shop}
spec:
  template:
    spec:
      containers: [{name: web, image: nginx}]
`
		r, _ := loadString(t, in, Options{Namespace: "default"})
		if len(r.Objects) != 0 || len(r.Errors) != 1 || !strings.Contains(r.Errors[0].Msg, `unknown kind "Deploymnet"`) {
			t.Errorf("%s Deploymnet: objects %v, errors %v; want one unknown-kind error", apiVersion, objectRefs(r), r.Errors)
		}
	}
}
