package reporter

import (
	"path/filepath"
	"testing"

	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/rules"
	"github.com/meshlint/meshlint/rules/gatewayapi"
)

// TestHTMLRefusalWording runs the Gateway API rules whose findings can say
// that a route is refused whole over their fire fixtures, and checks that
// refusal reads them as their rules mean them: every MR619 finding (about a
// route, a Gateway or a ListenerSet) and every MR623 error refuses it, an MR623 warning (a filter on a
// backend of weight 0, which Istio skips) does not; for the rules whose
// findings refuse the route or Gateway in some cases only (MR602, MR603,
// MR606, MR617), some finding does. A rule that rewords its message breaks this test rather
// than the drawing.
func TestHTMLRefusalWording(t *testing.T) {
	for _, c := range []struct {
		rule    *rules.Rule
		fixture string
		want    func(f *rules.Finding) bool
	}{
		{gatewayapi.CRDValidation, "MR619/fire-*.yaml", func(*rules.Finding) bool { return true }},
		{gatewayapi.RouteFilterUnsupported, "MR623/fire-*.yaml", func(f *rules.Finding) bool { return f.Severity == rules.Error }},
		{gatewayapi.BackendRefUnresolved, "MR602/fire-*.yaml", nil},
		{gatewayapi.BackendPortUnknown, "MR603/fire-*.yaml", nil},
		{gatewayapi.BackendKindUnsupported, "MR617/fire-*.yaml", nil},
		{gatewayapi.ListenerConflict, "MR606/fire-*.yaml", nil},
	} {
		files, err := filepath.Glob(filepath.Join("..", "fixtures", "rules", c.fixture))
		if err != nil || len(files) == 0 {
			t.Fatalf("no fixtures %s: %v", c.fixture, err)
		}
		refused, kept := 0, 0
		for _, file := range files {
			res := rules.Lint(rules.LintOptions{Paths: []string{file}, Load: manifest.Options{Namespace: "default"}, Rules: []*rules.Rule{c.rule}})
			for _, f := range res.Findings {
				if f.Rule != c.rule {
					continue
				}
				got := refusal(f) != ""
				if c.want == nil {
					if got {
						refused++
					}
					continue
				}
				want := c.want(f)
				if got != want {
					t.Errorf("%s: %s finding read as a refusal of the route %v, want %v: %s", file, c.rule.ID, got, want, f.Message)
				}
				if want {
					refused++
				} else {
					kept++
				}
			}
		}
		if refused == 0 {
			t.Errorf("%s: no finding of %s refuses its object", c.fixture, c.rule.ID)
		}
		t.Logf("%s: %d findings refuse their object, %d checked that do not", c.rule.ID, refused, kept)
	}
}
