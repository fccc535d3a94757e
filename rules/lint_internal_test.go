package rules

import (
	"testing"
	"time"

	"github.com/meshlint/meshlint/internal/config"
	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/manifest"
)

// TestCertificateBound checks the time until which a run's findings hold
// with no change of the input: the first time, after the run began (less
// the margin), at which a certificate of the input starts or stops being
// valid. Before it no certificate changes state; at it, one does.
func TestCertificateBound(t *testing.T) {
	res := manifest.Load([]string{"../fixtures/rules/MR614", "../fixtures/rules/MR213", "../fixtures/rules/MR622"}, manifest.Options{})
	g := graph.Build(res.Objects, config.DefaultMesh())
	var times []time.Time
	for _, s := range g.Secrets {
		if c := s.ServedCertificate(); c != nil {
			times = append(times, c.NotBefore, c.NotAfter)
		}
	}
	if len(times) < 4 {
		t.Fatalf("the fixtures hold %d certificate times, want at least 4", len(times))
	}
	// Starts around every certificate time, and before and after all.
	var starts []time.Time
	for _, tm := range times {
		starts = append(starts, tm.Add(-time.Hour), tm.Add(-30*time.Second), tm, tm.Add(30*time.Second), tm.Add(time.Hour))
	}
	starts = append(starts, time.Time{}.Add(time.Hour), time.Now().AddDate(200, 0, 0))
	for _, start := range starts {
		bound := certificateBound(g, start)
		for _, tm := range times {
			if tm.After(start.Add(-time.Minute)) && (bound.IsZero() || bound.After(tm)) {
				t.Errorf("start %s: bound %s, after the certificate time %s", start, bound, tm)
			}
		}
		if bound.IsZero() {
			continue
		}
		found := false
		for _, tm := range times {
			found = found || tm.Equal(bound)
		}
		if !found || !bound.After(start.Add(-time.Minute)) {
			t.Errorf("start %s: bound %s is no certificate time after the start", start, bound)
		}
	}
}
