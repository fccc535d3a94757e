package netpol

import (
	"github.com/meshlint/meshlint/internal/netpol"
	"github.com/meshlint/meshlint/rules"
)

// analysisKey memoizes the run's NetworkPolicy analysis.
type analysisKey struct{}

// Analysis returns the connectivity model of the run's graph, built once
// per run and shared by every rule that asks for it (this package's and
// rules/cross).
func Analysis(p *rules.Pass) *netpol.Analysis {
	return p.Memo(analysisKey{}, func() any { return netpol.Analyze(p.Graph) }).(*netpol.Analysis)
}
