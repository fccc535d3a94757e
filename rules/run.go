package rules

import (
	"fmt"
	"runtime/debug"
	"sort"
	"sync"

	"github.com/meshlint/meshlint/internal/graph"
)

// Run runs each rule over the graph, concurrently since the graph is
// read-only, and returns the findings in a stable order. severity overrides
// a rule's default severity by rule ID. A rule that fails or panics is a
// meshlint bug: its error is returned alongside the other rules' findings.
func Run(g *graph.Graph, rs []*Rule, severity map[string]Severity) ([]*Finding, []error) {
	return run(g, rs, severity, nil)
}

// run is Run, counting the rules done in progress.
func run(g *graph.Graph, rs []*Rule, severity map[string]Severity, progress *Progress) ([]*Finding, []error) {
	var (
		mu       sync.Mutex
		findings []*Finding
		errs     []error
		wg       sync.WaitGroup
		shared   = &memo{}
	)
	for _, r := range rs {
		sev := r.Severity
		if s, ok := severity[r.ID]; ok {
			sev = s
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			local, err := runOne(r, g, sev, shared)
			progress.ruleDone()
			mu.Lock()
			defer mu.Unlock()
			findings = append(findings, local...)
			if err != nil {
				errs = append(errs, err)
			}
		}()
	}
	wg.Wait()
	Sort(findings)
	findings = Dedup(findings)
	sort.Slice(errs, func(i, j int) bool { return errs[i].Error() < errs[j].Error() })
	return findings, errs
}

// runOne runs r over g.
func runOne(r *Rule, g *graph.Graph, sev Severity, shared *memo) ([]*Finding, error) {
	var found []*Finding
	p := &Pass{Rule: r, Graph: g, Severity: sev, report: func(f *Finding) { found = append(found, f) }, memo: shared}
	err := runSafely(r, p)
	for _, f := range found {
		noteDerived(g, f)
	}
	return found, err
}

// runLocal runs the Local rules rs over g, the graph of one file, one
// after the other, with one Pass whose rule and severity change from rule
// to rule: a Pass and a report closure for each rule and file would be
// most of what running them allocates. It returns their findings and the
// errors of the rules that failed.
func runLocal(rs []*Rule, g *graph.Graph, severity map[string]Severity) ([]*Finding, []error) {
	var found []*Finding
	var errs []error
	p := &Pass{Graph: g, report: func(f *Finding) { found = append(found, f) }, memo: &memo{}}
	for _, r := range rs {
		p.Rule, p.Severity = r, r.Severity
		if s, ok := severity[r.ID]; ok {
			p.Severity = s
		}
		if err := runSafely(r, p); err != nil {
			errs = append(errs, err)
		}
	}
	for _, f := range found {
		noteDerived(g, f)
	}
	return found, errs
}

// noteDerived adds to a finding about an object that the input does not
// hold, but that a controller creates from it, a note naming the object of
// the input it comes from.
func noteDerived(g *graph.Graph, f *Finding) {
	if c := g.GeneratedBy(f.Object); c != nil {
		f.Relate(c.Obj, c.Obj.NameLoc, "%s is not in the input: Flagger creates it for Canary %s/%s", f.Object.Ref(), c.Namespace(), c.Name())
	} else if r := g.ExperimentOf(f.Object); r != nil {
		f.Relate(r.Obj, r.Obj.NameLoc, "%s is not in the input: Argo Rollouts creates it for an experiment step of Rollout %s/%s",
			f.Object.Ref(), r.Namespace(), r.Name())
	} else if e := g.StandaloneExperimentOf(f.Object); e != nil {
		f.Relate(e.Obj, e.Obj.NameLoc, "%s is not in the input: Argo Rollouts creates it for Experiment %s/%s",
			f.Object.Ref(), e.Namespace(), e.Name())
	}
}

func runSafely(r *Rule, p *Pass) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("rule %s (%s) panicked: %v\n%s", r.ID, r.Name, v, debug.Stack())
		}
	}()
	if err := r.Run(p); err != nil {
		return fmt.Errorf("rule %s (%s): %w", r.ID, r.Name, err)
	}
	return nil
}

// Sort orders findings by file, line, column, rule and message, and drops
// exact duplicates.
func Sort(fs []*Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.Pos.File != b.Pos.File {
			return a.Pos.File < b.Pos.File
		}
		if a.Pos.Line != b.Pos.Line {
			return a.Pos.Line < b.Pos.Line
		}
		if a.Pos.Col != b.Pos.Col {
			return a.Pos.Col < b.Pos.Col
		}
		if a.Rule.ID != b.Rule.ID {
			return a.Rule.ID < b.Rule.ID
		}
		return a.Message < b.Message
	})
}

// Dedup removes findings with the same rule, position and message, which
// happen when two routes of one object share a node through a YAML alias.
func Dedup(fs []*Finding) []*Finding {
	out := fs[:0]
	for i, f := range fs {
		if i > 0 {
			p := fs[i-1]
			if p.Rule == f.Rule && p.Pos == f.Pos && p.Message == f.Message {
				continue
			}
		}
		out = append(out, f)
	}
	return out
}

// memo holds the values computed through Pass.Memo during one run.
type memo struct {
	mu sync.Mutex
	// values is made on first use: most files' Local rules memoize
	// nothing.
	values map[any]*memoValue
}

type memoValue struct {
	once sync.Once
	v    any
}

func (m *memo) get(key any, fn func() any) any {
	m.mu.Lock()
	mv := m.values[key]
	if mv == nil {
		if m.values == nil {
			m.values = map[any]*memoValue{}
		}
		mv = &memoValue{}
		m.values[key] = mv
	}
	m.mu.Unlock()
	mv.once.Do(func() { mv.v = fn() })
	return mv.v
}
