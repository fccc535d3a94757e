package validation

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/config"
	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/rules"
)

// TestRetryInvalidPositions checks the columns of MR018's findings, which
// the fixtures (lines only) do not: at attempts when it is written, at the
// retries key when it is not, and at the retryOn value.
func TestRetryInvalidPositions(t *testing.T) {
	src := `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: r, namespace: shop}
spec:
  hosts: [r]
  http:
  - route:
    - destination: {host: r}
    retries: {attempts: 0, perTryTimeout: 1s}
  - route:
    - destination: {host: r}
    retries:
      retryOn: 5xx
  - route:
    - destination: {host: r}
    retries: {attempts: 2, retryOn: "5xx,bogus"}
`
	p := filepath.Join(t.TempDir(), "vs.yaml")
	if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	res := manifest.Load([]string{p}, manifest.Options{})
	if len(res.Errors) > 0 {
		t.Fatal(res.Errors[0])
	}
	fs, errs := rules.Run(graph.Build(res.Objects, config.DefaultMesh()), []*rules.Rule{RetryInvalid}, nil)
	if len(errs) > 0 {
		t.Fatal(errs[0])
	}
	var got []string
	for _, f := range fs {
		got = append(got, fmt.Sprintf("%d:%d", f.Pos.Line, f.Pos.Col))
	}
	if want := "9:25 12:5 16:37"; strings.Join(got, " ") != want {
		t.Errorf("findings at %s, want %s", strings.Join(got, " "), want)
	}
}
