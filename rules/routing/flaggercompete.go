package routing

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/internal/spec"
	"github.com/meshlint/meshlint/rules"
)

// FlaggerControllersCompete reports Flagger controllers of the input that
// would each run the analysis of the same Canaries.
var FlaggerControllersCompete = &rules.Rule{
	ID:      "MR159",
	Name:    "flagger-controllers-compete",
	Summary: "several Flagger controllers of the input run the analysis of the same Canaries at once",
	Doc: `Flagger has no lock on a Canary: every running instance that watches its namespace
advances it, shifts its traffic and calls its webhooks, on its own schedule. Two of them
make the weights jump back and forth, run each step twice and can promote or roll back
against each other. Only one instance must act, which ` + "`-enable-leader-election`" + ` arranges:
instances that take part elect one leader through the lock ` + "`flagger-leader-election`" + ` in the
namespace of ` + "`-namespace`" + ` or, when that is unset, of ` + "`-leader-election-namespace`" + `
(default ` + "`kube-system`" + `).

The rule reads the Flagger containers of the input (as MR157 does) and reports:

- a Deployment, StatefulSet or ReplicaSet of Flagger with more than one replica and without
  leader election: each pod runs the controller;
- a second Flagger workload that watches a namespace another one watches (either has no
  ` + "`-namespace`" + `, or both the same), unless both elect a leader through the same lock.

A command line that stops Flagger at start (MR158) or cannot be read is not counted.`,
	Bad:      flaggerCompeteExample(""),
	Good:     flaggerCompeteExample("        - -enable-leader-election\n"),
	Severity: rules.Warning,
	Inputs:   kinds.Workloads(),
	// Flagger workloads of every namespace; the later one is reported.
	Deps: rules.DepWIDE | rules.DepOrder,
	Run:  runFlaggerControllersCompete,
}

func flaggerCompeteExample(election string) string {
	return strings.Replace(flaggerDeployment("istio-system", "-mesh-provider=istio"), "spec:\n  selector:", "spec:\n  replicas: 2\n  selector:", 1) + election
}

// flaggerInstance is a Flagger container of the input that starts, and
// what decides which Canaries it acts on.
type flaggerInstance struct {
	w *graph.Workload
	c *spec.Container
	// watches is its -namespace ("" for every namespace), lock the
	// namespace of its leader election lock ("" without election).
	watches, lock string
	flags         map[string]spec.Str
}

func runFlaggerControllersCompete(p *rules.Pass) error {
	g := p.Graph
	var seen []*flaggerInstance
	for w, c := range flaggerContainers(g) {
		flags, ok := flaggerFlags(c)
		if !ok {
			continue
		}
		if slices.ContainsFunc(seen, func(x *flaggerInstance) bool {
			return graph.IDOf(x.w.Obj) == graph.IDOf(w.Obj) && x.c.Name.V == c.Name.V
		}) {
			continue // a copy of an object (MR017's)
		}
		in := &flaggerInstance{w: w, c: c, watches: flags["namespace"].V, flags: flags}
		if on, _ := strconv.ParseBool(flags["enable-leader-election"].V); on {
			in.lock = in.watches
			if in.lock == "" {
				in.lock = "kube-system"
				if ns, ok := flags["leader-election-namespace"]; ok {
					in.lock = ns.V
				}
			}
		}
		if w.Replicas.V > 1 && in.lock == "" {
			p.Reportf(w.Obj, w.Replicas.Loc, "%d replicas of Flagger run without -enable-leader-election: each pod advances the same Canaries, shifts their traffic and calls their webhooks on its own; add -enable-leader-election, or run one replica",
				w.Replicas.V)
		}
		for _, other := range seen {
			if graph.IDOf(other.w.Obj) == graph.IDOf(w.Obj) {
				continue // two containers of one pod
			}
			if overlap, why := flaggersCompete(other, in); overlap {
				at := in.flagLoc("namespace")
				p.Reportf(w.Obj, at, "Flagger %s and Flagger %s both act on %s %s: each advances them, shifts their traffic and calls their webhooks on its own; give each its own -namespace, or -enable-leader-election to both with one lock namespace",
					ref(w.Obj, c), ref(other.w.Obj, other.c), scope(other.watches, in.watches), why).
					Relate(other.w.Obj, other.flagLoc("namespace"), "the other Flagger")
				break
			}
		}
		seen = append(seen, in)
	}
	return nil
}

// flaggersCompete reports whether a and b act on some Canary at once, and
// why no election stops it.
func flaggersCompete(a, b *flaggerInstance) (bool, string) {
	if a.watches != "" && b.watches != "" && a.watches != b.watches {
		return false, ""
	}
	switch {
	case a.lock == "" || b.lock == "":
		return true, "(leader election is off in one of them)"
	case a.lock != b.lock:
		return true, fmt.Sprintf("(their leader election locks are in namespaces %s and %s)", a.lock, b.lock)
	}
	return false, ""
}

// flagLoc is where a finding about the instance points: the flag, else the
// image.
func (in *flaggerInstance) flagLoc(name string) manifest.Loc {
	if f, ok := in.flags[name]; ok {
		return f.Loc
	}
	return in.c.Image.Loc
}

func ref(o *manifest.Object, c *spec.Container) string {
	return fmt.Sprintf("%s %s/%s (container %s)", o.Kind, o.Namespace, o.Name, c.Name.V)
}

// scope says which Canaries two watched namespaces ("" for all) share.
func scope(a, b string) string {
	switch {
	case a == "" && b == "":
		return "the Canaries of every namespace"
	case a == "":
		return "the Canaries of namespace " + b
	}
	return "the Canaries of namespace " + a
}
