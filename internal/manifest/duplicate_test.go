package manifest

import (
	"fmt"
	"strings"
	"testing"
)

// TestDuplicateKeys checks that a key written twice is reported in every
// mapping of an object, once per later copy, by the fast parser's path and
// yaml.v3's alike, and that merge keys are not taken for duplicates.
func TestDuplicateKeys(t *testing.T) {
	const svc = "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n"
	dup := func(at, key string, first int) string {
		return fmt.Sprintf("%s: duplicate key: key %q is written twice in one mapping (first at line %d); Kubernetes refuses the object", at, key, first)
	}
	var long strings.Builder
	for i := range 20 {
		fmt.Fprintf(&long, "    k%d: v\n", i)
	}
	for _, tc := range []struct {
		name, in string
		want     []string
	}{{
		name: "labels",
		in:   svc + "  labels:\n    app: web\n    app: web2\n",
		want: []string{dup(":7:5", "app", 6)},
	}, {
		name: "quoted and plain",
		in:   svc + "  labels:\n    app: web\n    \"app\": web2\n",
		want: []string{dup(":7:5", "app", 6)},
	}, {
		name: "annotations, long mapping",
		in:   svc + "  annotations:\n" + long.String() + "    k3: again\n",
		want: []string{dup(":26:5", "k3", 9)},
	}, {
		name: "three copies, each named after the first",
		in:   svc + "  labels:\n    a: 1\n    b: 2\n    a: 3\n    a: 4\n",
		want: []string{dup(":8:5", "a", 6), dup(":9:5", "a", 6)},
	}, {
		name: "metadata field",
		in:   svc + "  namespace: a\n  namespace: b\n",
		want: []string{dup(":6:3", "namespace", 5)},
	}, {
		name: "undecoded Istio field",
		in: `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: web}
spec:
  host: web
  trafficPolicy:
    connectionPool:
      tcp:
        maxConnections: 10
        maxConnections: 20
`,
		want: []string{dup(":10:9", "maxConnections", 9)},
	}, {
		name: "list item, reported once where the decoder sees it too",
		in:   svc + "spec:\n  ports:\n  - port: 80\n    name: http\n    name: http2\n",
		want: []string{dup(":9:5", "name", 8)},
	}, {
		name: "flow mapping",
		in:   svc + "spec:\n  selector: {app: web, app: web2}\n",
		want: []string{dup(":6:24", "app", 6)},
	}, {
		name: "in a List, once",
		in: `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Service
  metadata: {name: web, labels: {a: 1, a: 2}}
`,
		want: []string{dup(":6:40", "a", 6)},
	}, {
		name: "object meshlint does not model",
		in:   "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: r\n  name: r2\n",
		want: []string{dup(":5:3", "name", 4)},
	}, {
		name: "not an object",
		in:   "a: 1\na: 2\n",
	}, {
		name: "yaml.v3's path (a directive comment)",
		in:   "# meshlint:ignore-file MR001\n" + svc + "  labels:\n    app: web\n    app: web2\n",
		want: []string{dup(":8:5", "app", 7)},
	}, {
		name: "anchored mapping used twice, reported once",
		in:   svc + "  labels: &l\n    app: web\n    app: web2\n  annotations: *l\n",
		want: []string{dup(":7:5", "app", 6)},
	}, {
		name: "merge keys: repeated, and keys they bring in written again",
		in: svc + `  labels:
    <<: {a: "1", b: "2"}
    <<: {c: "3"}
    a: "4"
spec:
  selector:
    <<: [{a: "1"}, {a: "2"}]
    a: "3"
`,
	}, {
		name: "a quoted << is a plain key",
		in:   svc + "  labels:\n    '<<': a\n    \"<<\": b\n",
		want: []string{dup(":7:5", "<<", 6)},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			r, _ := loadString(t, tc.in, Options{})
			var got []string
			for _, e := range errorsOf(r) {
				if strings.Contains(e, "duplicate key") || strings.Contains(e, "written twice") {
					got = append(got, e)
				}
			}
			if len(got) != len(tc.want) {
				t.Fatalf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
			for i, w := range tc.want {
				if !strings.HasSuffix(got[i], w) {
					t.Errorf("error %d = %q, want ...%q", i, got[i], w)
				}
			}
		})
	}
}

// TestDuplicateKeysKustomize checks that a key written twice in a resource
// of a kustomization is reported in that resource's file, at the second
// copy, naming the first (kustomize_duplicate_test.go has more).
func TestDuplicateKeysKustomize(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, map[string]string{
		"base/kustomization.yaml": "resources:\n- svc.yaml\n",
		"base/svc.yaml":           "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  labels:\n    app: web\n    app: web2\n",
		"prod/kustomization.yaml": "resources:\n- ../base\nnamespace: prod\n",
	})
	r := loadTimed(t, []string{dir + "/prod"}, Options{Dir: dir})
	wantErrors(t, r, `base/svc.yaml:7:5: duplicate key: key "app" is written twice in one mapping (first at line 6); Kubernetes refuses the object`)
}
