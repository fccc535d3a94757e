package manifest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/kinds"
)

// TestYAML11Booleans checks that metadata is read as Kubernetes reads it,
// in YAML 1.1 (sigs.k8s.io/yaml): a plain y, yes, on, n, no or off, in any
// of its three cases, is a boolean, so that a label or annotation value
// or a name written so is an error at its position, and a label key
// written so is an error too (Kubernetes names the label "true" or
// "false"); quoted, each is the string written.
func TestYAML11Booleans(t *testing.T) {
	words := map[string]string{
		"y": "true", "Y": "true", "yes": "true", "Yes": "true", "YES": "true",
		"on": "true", "On": "true", "ON": "true",
		"n": "false", "N": "false", "no": "false", "No": "false", "NO": "false",
		"off": "false", "Off": "false", "OFF": "false",
	}
	// Each case is a Service whose metadata holds %s once.
	for _, tc := range []struct {
		name, metadata string
		// want is the error for the plain word W that Kubernetes reads as
		// the boolean B, col at its position; "" when none is.
		want string
	}{
		{"label value", "  name: x\n  labels: {app: %s}\n",
			":5:17: metadata.labels[app] must be a string, not a boolean (Kubernetes reads the unquoted W as the boolean B; quote it)"},
		{"annotation value", "  name: x\n  annotations: {inject: %s}\n",
			":5:25: metadata.annotations[inject] must be a string, not a boolean (Kubernetes reads the unquoted W as the boolean B; quote it)"},
		{"inject label value", "  name: x\n  labels: {sidecar.istio.io/inject: %s}\n",
			`:5:37: metadata.labels[sidecar.istio.io/inject] must be a string, not a boolean (Kubernetes reads the unquoted W as the boolean B; write "B": Istio reads only "true" and "false")`},
		{"name", "  name: %s\n",
			":4:9: metadata.name must be a string, not a boolean (Kubernetes reads the unquoted W as the boolean B; quote it)"},
		{"namespace", "  name: x\n  namespace: %s\n",
			":5:14: metadata.namespace must be a string, not a boolean (Kubernetes reads the unquoted W as the boolean B; quote it)"},
		{"label key", "  name: x\n  labels: {%s: a}\n",
			`:5:12: metadata.labels key W must be a string, not a boolean (Kubernetes reads the unquoted W as the boolean B and names the label "B"; quote it)`},
		{"annotation key", "  name: x\n  annotations: {%s: a}\n",
			`:5:17: metadata.annotations key W must be a string, not a boolean (Kubernetes reads the unquoted W as the boolean B and names the annotation "B"; quote it)`},
	} {
		for w, b := range words {
			for _, quote := range []string{"", `"`, `'`} {
				t.Run(fmt.Sprintf("%s %s%s%s", tc.name, quote, w, quote), func(t *testing.T) {
					in := "apiVersion: v1\nkind: Service\nmetadata:\n" + fmt.Sprintf(tc.metadata, quote+w+quote)
					r, _ := loadString(t, in, Options{})
					var want []string
					if quote == "" {
						want = append(want, strings.NewReplacer("W", w, "B", b).Replace(tc.want))
					}
					wantErrors(t, r, want...)
					name := "x"
					if tc.name == "name" {
						name = w
					}
					o := find(t, r, kinds.Service, name)
					switch tc.name {
					case "label value":
						// A label of the wrong type is left out.
						if got, ok := o.Labels["app"]; ok != (quote != "") || ok && got != w {
							t.Errorf("labels = %v", o.Labels)
						}
					case "annotation value":
						if got, ok := o.Annotations["inject"]; ok != (quote != "") || ok && got != w {
							t.Errorf("annotations = %v", o.Annotations)
						}
					case "namespace":
						if o.Namespace != w {
							t.Errorf("namespace = %q", o.Namespace)
						}
					case "label key":
						// Kept under the key written, as selectors
						// written alike are read.
						if o.Labels[w] != "a" {
							t.Errorf("labels = %v", o.Labels)
						}
					}
				})
			}
		}
	}
}

// TestYAML11BooleansControl: true and false are booleans to yaml.v3 too,
// and other words are strings to both.
func TestYAML11BooleansControl(t *testing.T) {
	in := `apiVersion: v1
kind: Service
metadata:
  name: yesterday
  labels: {a: true, b: "no", c: nope, d: o, true: x, True: k, "y": z, ownerish: Yes}
`
	r, _ := loadString(t, in, Options{})
	wantErrors(t, r,
		":5:15: metadata.labels[a] must be a string, not a boolean (quote it)",
		`:5:54: metadata.labels key True must be a string, not a boolean (Kubernetes reads the unquoted True as the boolean true and names the label "true"; quote it)`,
		":5:81: metadata.labels[ownerish] must be a string, not a boolean (Kubernetes reads the unquoted Yes as the boolean true; quote it)")
	o := find(t, r, kinds.Service, "yesterday")
	for k, v := range map[string]string{"b": "no", "c": "nope", "d": "o", "true": "x", "True": "k", "y": "z"} {
		if o.Labels[k] != v {
			t.Errorf("labels[%s] = %q, want %q (labels %v)", k, o.Labels[k], v, o.Labels)
		}
	}
}

// TestOwnerControllerYAML11: ownerReferences[].controller is a boolean, and
// a plain yes is true to Kubernetes.
func TestOwnerControllerYAML11(t *testing.T) {
	in := `apiVersion: v1
kind: Pod
metadata:
  name: p
  ownerReferences:
  - {kind: ReplicaSet, name: first}
  - {kind: Job, name: second, controller: yes}
`
	r, _ := loadString(t, in, Options{})
	wantErrors(t, r)
	o := find(t, r, kinds.Pod, "p")
	if o.OwnerKind != "Job" || o.OwnerName != "second" {
		t.Errorf("owner = %s %s, want the controller Job second", o.OwnerKind, o.OwnerName)
	}
}
