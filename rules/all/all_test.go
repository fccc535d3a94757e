package all

import (
	"path/filepath"
	"testing"

	"github.com/meshlint/meshlint/rules"
	"github.com/meshlint/meshlint/rules/ruletest"
)

func TestRegistry(t *testing.T) {
	if err := rules.Validate(Rules); err != nil {
		t.Fatal(err)
	}
}

// TestFixtures runs every rule over fixtures/rules/<ID> and its examples.
func TestFixtures(t *testing.T) {
	for _, r := range Rules {
		t.Run(r.ID, func(t *testing.T) {
			t.Parallel()
			ruletest.Run(t, r, filepath.Join("..", "..", "fixtures", "rules", r.ID), Rules...)
		})
	}
}
