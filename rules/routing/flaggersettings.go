package routing

import (
	"fmt"
	"slices"
	"strings"

	"github.com/meshlint/meshlint/internal/config"
	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/internal/spec"
	"github.com/meshlint/meshlint/rules"
)

// FlaggerSettingsDiffer reports a Flagger controller of the input whose
// -mesh-provider or -selector-labels differ from those meshlint models its
// Canaries with.
var FlaggerSettingsDiffer = &rules.Rule{
	ID:      "MR157",
	Name:    "flagger-flags-differ",
	Summary: "the Flagger controller of the input runs with another -mesh-provider or -selector-labels than meshlint models its Canaries with",
	Doc: `A Canary without ` + "`spec.provider`" + ` is routed by the provider of Flagger's ` + "`-mesh-provider`" + ` flag
(the scheduler's ` + "`advanceCanary`" + `), which the Canary does not show. meshlint models such a Canary with
the provider that ` + "`flagger.mesh-provider`" + ` in ` + "`.meshlint.yaml`" + ` names, or with the flag's default,
` + "`istio`" + `, when it is unset: for Istio it derives the VirtualService and DestinationRules Flagger
writes at run time, and checks routes, subsets and mTLS against them (MR154, MR156 and the
routing rules read them).

When the input holds Flagger itself, a container whose image is Flagger's (` + "`ghcr.io/fluxcd/flagger`" + `,
` + "`weaveworks/flagger`" + `), the rule reads its flags as Flagger's Go ` + "`flag`" + ` package does
(` + "`command`" + ` after the program, then ` + "`args`" + `; ` + "`-flag=value`" + `, ` + "`--flag=value`" + ` or
` + "`-flag value`" + `; the last of a flag given twice wins; parsing stops at the first argument that is not
a flag; a command line that stops Flagger at start, which MR158 reports, one with a ` + "`$(VAR)`" + `
reference and a command that runs Flagger through another program are not read) and reports,
for the Canaries of the input that instance manages (those of its ` + "`-namespace`" + `, or of every
namespace without that flag):

- a ` + "`-mesh-provider`" + ` that differs from what meshlint assumes, when a Canary without
  ` + "`spec.provider`" + ` is among them. The findings about those Canaries are then about objects Flagger
  never creates, and those it creates go unchecked. Set ` + "`flagger.mesh-provider`" + ` in ` + "`.meshlint.yaml`" + `
  to the flag's value, or give the Canaries a ` + "`spec.provider`" + `;
- a ` + "`-selector-labels`" + ` list (split at its commas) that makes Flagger key a Canary's selectors on
  another label of its target's ` + "`spec.selector.matchLabels`" + ` than meshlint does with
  ` + "`flagger.selector-labels`" + ` (default ` + "`app`" + `, ` + "`name`" + `, ` + "`app.kubernetes.io/name`" + `, the flag's): the first
  label of the list that the selector has (` + "`getSelectorLabel`" + `), whose value, with ` + "`-primary`" + `, the
  primary workload's pods and Services select. Set ` + "`flagger.selector-labels`" + ` to the flag's list.`,
	Bad: flaggerSettingsExample("linkerd", ""),
	Good: flaggerSettingsExample("istio", `  provider: istio
`),
	Severity: rules.Warning,
	Inputs:   append(kinds.Workloads(), kinds.Canary),
	// The finding is about Flagger's workload and reads the Canaries of
	// every namespace it watches, naming the first in input order.
	Deps: rules.DepWIDE | rules.DepOrder,
	Run:  runFlaggerSettingsDiffer,
}

func flaggerSettingsExample(provider, canaryProvider string) string {
	return flaggerDeployment("flagger-system", "-mesh-provider="+provider) + "---\n" +
		flaggerIgnoredExample(canaryProvider+"  service: {port: 9898}\n")
}

func runFlaggerSettingsDiffer(p *rules.Pass) error {
	g := p.Graph
	if len(g.Canaries) == 0 {
		return nil
	}
	for w, c := range flaggerContainers(g) {
		flags, ok := flaggerFlags(c)
		if !ok {
			continue
		}
		managed := flaggerManaged(g, flags["namespace"].V)
		checkSelectorLabels(p, w.Obj, c, flags, managed)
		checkMeshProvider(p, w.Obj, c, flags, managed)
	}
	return nil
}

// flaggerManaged returns the Canaries of the input that a Flagger watching
// namespace ns ("" for all) manages, one per object, in input order.
func flaggerManaged(g *graph.Graph, ns string) []*graph.Canary {
	var out []*graph.Canary
	seen := map[graph.ObjectID]bool{}
	for _, c := range g.Canaries {
		if ns != "" && c.Obj.Namespace != ns {
			continue
		}
		if id := graph.IDOf(c.Obj); !seen[id] {
			seen[id] = true
			out = append(out, c)
		}
	}
	return out
}

// checkMeshProvider reports the -mesh-provider of a Flagger container when
// it differs from the one meshlint routes the managed Canaries without
// spec.provider with.
func checkMeshProvider(p *rules.Pass, o *manifest.Object, c *spec.Container, flags map[string]spec.Str, managed []*graph.Canary) {
	assumed := p.Graph.Mesh.FlaggerMeshProvider
	flag, set := flags["mesh-provider"]
	provider := "istio"
	if set {
		provider = flag.V
	}
	// A provider MeshRouter does not know gets the Istio router.
	if provider == assumed || graph.FlaggerIstio(provider) && graph.FlaggerIstio(assumed) {
		return
	}
	var unset []*graph.Canary
	for _, x := range managed {
		if x.Spec.Provider.V == "" {
			unset = append(unset, x)
		}
	}
	if len(unset) == 0 {
		return
	}
	what := fmt.Sprintf("Flagger runs with -mesh-provider=%s", provider)
	loc := flag.Loc
	if !set {
		what = "Flagger runs with the default -mesh-provider (istio)"
		loc = c.Image.Loc
	}
	model := "the istio router (flagger.mesh-provider is unset in .meshlint.yaml)"
	if assumed != "" {
		model = fmt.Sprintf("the %s router (flagger.mesh-provider in .meshlint.yaml)", assumed)
	}
	first := unset[0]
	which := fmt.Sprintf("Canary %s/%s is", first.Obj.Namespace, first.Obj.Name)
	if len(unset) > 1 {
		which = fmt.Sprintf("Canaries %s/%s and %d more are", first.Obj.Namespace, first.Obj.Name, len(unset)-1)
	}
	p.Reportf(o, loc, "%s, but meshlint models the Canaries without spec.provider with %s: %s checked against the objects of a router Flagger does not use; set flagger.mesh-provider: %s in .meshlint.yaml, or spec.provider on the Canaries",
		what, model, which, provider).
		Relate(first.Obj, first.Obj.NameLoc, "Canary %s/%s sets no spec.provider", first.Obj.Namespace, first.Obj.Name)
}

// checkSelectorLabels reports the -selector-labels of a Flagger container
// when they make Flagger key a managed Canary's selectors on another label
// of its target than meshlint does.
func checkSelectorLabels(p *rules.Pass, o *manifest.Object, c *spec.Container, flags map[string]spec.Str, managed []*graph.Canary) {
	flag, set := flags["selector-labels"]
	theirs := config.DefaultFlaggerSelectorLabels
	if set {
		// main.go splits the flag at its commas, spaces and all.
		theirs = strings.Split(flag.V, ",")
	}
	ours := p.Graph.Mesh.FlaggerLabels()
	if slices.Equal(theirs, ours) {
		return
	}
	var differ []*graph.Canary
	var how string
	for _, x := range managed {
		if x.TargetSelector == nil {
			continue
		}
		ol, ov, ok1 := graph.FlaggerSelectorLabel(x.TargetSelector, ours)
		tl, tv, ok2 := graph.FlaggerSelectorLabel(x.TargetSelector, theirs)
		if ol == tl && ok1 == ok2 {
			continue
		}
		if differ == nil {
			flaggerSide := fmt.Sprintf("Flagger keys its selectors on %s=%s", tl, tv)
			if !ok2 {
				flaggerSide = "Flagger finds none of its labels in the target's selector and fails it"
			}
			ourSide := fmt.Sprintf("meshlint on %s=%s", ol, ov)
			if !ok1 {
				ourSide = "meshlint finds none of its labels there and derives nothing for it"
			}
			how = fmt.Sprintf("for Canary %s/%s %s, %s", x.Obj.Namespace, x.Obj.Name, flaggerSide, ourSide)
		}
		differ = append(differ, x)
	}
	if differ == nil {
		return
	}
	what := fmt.Sprintf("Flagger runs with -selector-labels=%s", flag.V)
	loc := flag.Loc
	if !set {
		what = fmt.Sprintf("Flagger runs with the default -selector-labels (%s)", strings.Join(theirs, ","))
		loc = c.Image.Loc
	}
	model := fmt.Sprintf("meshlint reads %s (flagger.selector-labels is unset in .meshlint.yaml)", strings.Join(ours, ", "))
	if p.Graph.Mesh.FlaggerSelectorLabels != nil {
		model = fmt.Sprintf("meshlint reads %s (flagger.selector-labels in .meshlint.yaml)", strings.Join(ours, ", "))
	}
	more := ""
	if len(differ) > 1 {
		more = fmt.Sprintf(" (and %d more)", len(differ)-1)
	}
	first := differ[0]
	p.Reportf(o, loc, "%s, but %s: %s%s; set flagger.selector-labels: [%s] in .meshlint.yaml",
		what, model, how, more, strings.Join(theirs, ", ")).
		Relate(first.Obj, first.Spec.TargetRef.Name.Loc, "the target of Canary %s/%s", first.Obj.Namespace, first.Obj.Name)
}
