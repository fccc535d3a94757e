package baseline

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/config"
	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/rules"
	"github.com/meshlint/meshlint/rules/routing"
)

const reviews = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
  namespace: shop
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews, subset: v1}
      weight: 90
    - destination: {host: reviews, subset: v2}
      weight: 20
`

const ratings = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: ratings
  namespace: shop
spec:
  hosts: [ratings]
  tcp:
  - route:
    - destination: {host: ratings}
      weight: 30
    - destination: {host: ratings}
      weight: 30
`

// lint writes files into a fresh directory and runs MR101 over them.
func lint(t *testing.T, files map[string]string) []*rules.Finding {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	res := manifest.Load([]string{dir}, manifest.Options{})
	if len(res.Errors) > 0 {
		t.Fatal(res.Errors[0])
	}
	fs, errs := rules.Run(graph.Build(res.Objects, config.DefaultMesh()), []*rules.Rule{routing.WeightsNot100}, nil)
	if len(errs) > 0 {
		t.Fatal(errs[0])
	}
	return fs
}

// secondRoute adds http[1] to reviews.
const secondRoute = `  - route:
    - destination: {host: reviews}
      weight: 50
`

func TestFilter(t *testing.T) {
	base := New(lint(t, map[string]string{"a.yaml": reviews, "b.yaml": ratings}))
	if len(base.Findings) != 2 {
		t.Fatalf("baseline holds %d findings, want 2", len(base.Findings))
	}
	unrelated := "# A comment added above.\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n---\n"
	for _, tc := range []struct {
		name  string
		files map[string]string
		fresh []string // messages of the findings reported
		stale int
	}{
		{"unchanged", map[string]string{"a.yaml": reviews, "b.yaml": ratings}, nil, 0},
		{"lines and documents added above", map[string]string{"a.yaml": unrelated + reviews, "b.yaml": "\n\n" + ratings}, nil, 0},
		{"files renamed and reordered", map[string]string{"z.yaml": reviews, "c.yaml": ratings}, nil, 0},
		{"objects moved into one file", map[string]string{"all.yaml": ratings + "---\n" + unrelated + reviews}, nil, 0},
		{"numbers in the message changed", map[string]string{"a.yaml": strings.Replace(reviews, "weight: 20", "weight: 30", 1), "b.yaml": ratings}, nil, 0},
		{"object renamed", map[string]string{"a.yaml": strings.Replace(reviews, "name: reviews", "name: reviews-v2", 1), "b.yaml": ratings}, []string{"http[0] weights add up to 110"}, 1},
		{"namespace changed", map[string]string{"a.yaml": reviews, "b.yaml": strings.Replace(ratings, "namespace: shop", "namespace: other", 1)}, []string{"tcp[0] weights add up to 60"}, 1},
		{"fixed", map[string]string{"a.yaml": strings.Replace(reviews, "weight: 20", "weight: 10", 1), "b.yaml": ratings}, nil, 1},
		{"new finding", map[string]string{"a.yaml": reviews + secondRoute, "b.yaml": ratings}, []string{"http[1] has a single destination with weight 50"}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fresh, matched, stale := base.Filter(lint(t, tc.files))
			var got []string
			for _, f := range fresh {
				got = append(got, f.Message)
			}
			if len(got) != len(tc.fresh) {
				t.Fatalf("reported %q, want findings starting with %q", got, tc.fresh)
			}
			for i := range got {
				if !strings.HasPrefix(got[i], tc.fresh[i]) {
					t.Errorf("reported %q, want it to start with %q", got[i], tc.fresh[i])
				}
			}
			if len(stale) != tc.stale || matched != 2-tc.stale {
				t.Errorf("matched %d, stale %d; want %d and %d", matched, len(stale), 2-tc.stale, tc.stale)
			}
		})
	}
}

func TestDuplicates(t *testing.T) {
	// The same object in two files (an overlay copy): one fingerprint, told
	// apart by a counter.
	fs := lint(t, map[string]string{"a.yaml": reviews, "b.yaml": reviews})
	fps := Fingerprints(fs)
	if len(fps) != 2 || fps[1] != fps[0]+":1" {
		t.Fatalf("fingerprints %q, want x and x:1", fps)
	}
	base := New(fs[:1])
	fresh, matched, stale := base.Filter(fs)
	if len(fresh) != 1 || matched != 1 || len(stale) != 0 {
		t.Errorf("fresh %d, matched %d, stale %d; want 1, 1, 0", len(fresh), matched, len(stale))
	}
}

func TestFile(t *testing.T) {
	base := New(lint(t, map[string]string{"b.yaml": ratings, "a.yaml": reviews}))
	var buf bytes.Buffer
	if err := base.Write(&buf); err != nil {
		t.Fatal(err)
	}
	fp := Fingerprints(lint(t, map[string]string{"a.yaml": ratings}))[0]
	want := `{
  "version": 1,
  "findings": [
    {
      "fingerprint": "` + fp + `",
      "rule": "MR101",
      "object": "VirtualService.networking.istio.io shop/ratings",
      "path": ".spec.tcp[0].route[0].weight",
      "message": "tcp[0] weights add up to 60, not 100: the effective split is ratings 50%, ratings 50%"
    },
`
	if !strings.HasPrefix(buf.String(), want) {
		t.Errorf("baseline file starts:\n%s\nwant:\n%s", buf.String(), want)
	}
	back, err := Read(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if len(back.Findings) != 2 || back.Findings[1].Object != "VirtualService.networking.istio.io shop/reviews" {
		t.Errorf("read back %+v", back.Findings)
	}
	for _, bad := range []string{`{"version": 2, "findings": []}`, `{"version": 1, "entries": []}`, `[]`} {
		if _, err := Read(strings.NewReader(bad)); err == nil {
			t.Errorf("Read(%s) succeeded", bad)
		}
	}
}

func TestObjectName(t *testing.T) {
	for _, tc := range []struct {
		o    *manifest.Object
		want string
	}{
		{&manifest.Object{Group: "networking.istio.io", Kind: "VirtualService", Namespace: "shop", Name: "reviews"}, "VirtualService.networking.istio.io shop/reviews"},
		{&manifest.Object{Kind: "Service", Namespace: "shop", Name: "reviews"}, "Service shop/reviews"},
		// The loader files a Namespace under itself; it is cluster-scoped.
		{&manifest.Object{Kind: "Namespace", Namespace: "payments", Name: "payments"}, "Namespace payments"},
		{&manifest.Object{Group: "gateway.networking.k8s.io", Kind: "GatewayClass", Name: "istio"}, "GatewayClass.gateway.networking.k8s.io istio"},
	} {
		if got := ObjectName(&rules.Finding{Object: tc.o}); got != tc.want {
			t.Errorf("ObjectName = %q, want %q", got, tc.want)
		}
	}
}
