package validation

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/config"
	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/rules"
)

// TestDirectResponseBodySize checks the limits of validateHTTPDirectResponse
// on a body, which fixtures cannot hold: more than 1 MB is refused (MR019),
// more than 100 kB warned about (MR016), as string or as base64 bytes,
// which count decoded.
func TestDirectResponseBodySize(t *testing.T) {
	route := func(body string) string {
		return "  - directResponse:\n      status: 200\n      body: " + body + "\n"
	}
	str := func(n int) string { return `{string: "` + strings.Repeat("a", n) + `"}` }
	bytes := func(n int) string {
		return "{bytes: " + base64.StdEncoding.EncodeToString([]byte(strings.Repeat("a", n))) + "}"
	}
	src := "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: r, namespace: shop}\nspec:\n  hosts: [r]\n  http:\n" +
		route(str(100*1024)) + // at the limit: nothing
		route(str(100*1024+1)) + // warned about
		route(bytes(100*1024+1)) + // warned about: 137 kB of base64
		route(bytes(1024*1024)) + // warned about: 1.4 MB of base64
		route(str(1024*1024+1)) + // refused
		route(bytes(2*1024*1024)) // refused
	p := filepath.Join(t.TempDir(), "vs.yaml")
	if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	res := manifest.Load([]string{p}, manifest.Options{})
	if len(res.Errors) > 0 {
		t.Fatal(res.Errors[0])
	}
	fs, errs := rules.Run(graph.Build(res.Objects, config.DefaultMesh()), []*rules.Rule{HTTPRouteInvalid, WebhookWarning}, nil)
	if len(errs) > 0 {
		t.Fatal(errs[0])
	}
	var got []string
	for _, f := range fs {
		got = append(got, f.Rule.ID+" "+f.Message)
	}
	want := []string{
		"MR016 http[1].directResponse.body.string is 102401 bytes: Istio warns",
		"MR016 http[2].directResponse.body.bytes is 102401 bytes: Istio warns",
		"MR016 http[3].directResponse.body.bytes is 1048576 bytes: Istio warns",
		"MR019 http[4].directResponse.body.string is 1048577 bytes: a direct response body must be less than 1 MB",
		"MR019 http[5].directResponse.body.bytes is 2097152 bytes: a direct response body must be less than 1 MB",
	}
	if len(got) != len(want) {
		t.Fatalf("got %d findings, want %d:\n%s", len(got), len(want), strings.Join(got, "\n"))
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("finding %d: got %q, want it to start with %q", i, got[i], want[i])
		}
	}
}
