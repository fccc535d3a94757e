package rules

import "sync/atomic"

// Progress counts what a Lint has done, for the command's progress line.
// Lint updates it from its workers while the command's ticker reads it, so
// every field is atomic.
type Progress struct {
	// Files counts the files whose objects are known, read or cached.
	Files atomic.Int64
	// Stage is what the run does now.
	Stage atomic.Int32
	// Rules is the number of graph rules to run, RulesDone those done.
	Rules, RulesDone atomic.Int64
}

// The stages of a Lint, in order.
const (
	StageLoad int32 = iota
	StageGraph
	StageRules
	StageDone
)

func (p *Progress) file() {
	if p != nil {
		p.Files.Add(1)
	}
}

func (p *Progress) stage(s int32) {
	if p != nil {
		p.Stage.Store(s)
	}
}

func (p *Progress) ruleDone() {
	if p != nil {
		p.RulesDone.Add(1)
	}
}
