package routing

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/labels"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/internal/wording"
	"github.com/meshlint/meshlint/internal/yamlpath"
	"github.com/meshlint/meshlint/rules"
	"k8s.io/apimachinery/pkg/api/validate/content"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// ArgoSpecInvalid reports Rollouts and Experiments whose canary steps,
// traffic routing or templates the Argo Rollouts controller refuses.
var ArgoSpecInvalid = &rules.Rule{
	ID:      "MR155",
	Name:    "argo-rollouts-spec-invalid",
	Summary: "an Argo Rollout's spec, strategy, canary steps or traffic routing, or an Experiment's templates, are refused by the Argo Rollouts controller",
	Doc: `The API server accepts a Rollout with any strategy, selector, canary steps and traffic routing,
and an Experiment with any templates: the Argo Rollouts controller checks them on each
reconciliation, and when a check fails it sets the object's ` + "`InvalidSpec`" + ` condition and does not
roll the Rollout out, or run the Experiment, until the spec is fixed. Nothing in the manifests
says so.

The rule follows Argo Rollouts v1.10.2 (ValidateRolloutSpec and the functions it calls, the
template resolver of a ` + "`workloadRef`" + `, VerifyExperimentSpec), and each finding quotes Argo's
message. For a Rollout, it reports:

- a negative ` + "`replicas`" + `, ` + "`minReadySeconds`" + `, ` + "`revisionHistoryLimit`" + ` or ` + "`progressDeadlineSeconds`" + `,
  and a ` + "`progressDeadlineSeconds`" + ` (600 by default) not above ` + "`minReadySeconds`" + `;
- without ` + "`workloadRef`" + `: no ` + "`selector`" + `, an empty one, and one that does not select the
  template's labels;
- with ` + "`workloadRef`" + `: a template with labels or annotations, and a reference to anything but a
  Deployment or ReplicaSet of ` + "`apps`" + ` or a PodTemplate of the core group;
- a strategy with neither ` + "`canary`" + ` nor ` + "`blueGreen`" + `, or both (Argo then checks neither);
- for blue-green, the same ` + "`activeService`" + ` and ` + "`previewService`" + ` (or an empty ` + "`activeService`" + `
  without ` + "`previewService`" + `), and a ` + "`scaleDownDelayRevisionLimit`" + ` above ` + "`revisionHistoryLimit`" + ` (10
  by default);
- for either strategy, an ` + "`antiAffinity`" + ` with both or neither of its two kinds, or a preferred
  weight outside 1 to 100.

For the canary strategy (paths below are under ` + "`spec.strategy.canary`" + `), it reports:

- ` + "`maxSurge`" + ` and ` + "`maxUnavailable`" + ` both 0;
- a step that sets more than one of ` + "`setWeight`" + `, ` + "`pause`" + `, ` + "`experiment`" + ` and ` + "`analysis`" + ` (often a
  ` + "`pause`" + ` indented into the ` + "`setWeight`" + ` step above it), or none of the step kinds;
- a ` + "`setWeight`" + ` outside 0 to ` + "`trafficRouting.maxTrafficWeight`" + ` (100 by default);
- steps that need traffic routing without ` + "`trafficRouting`" + `: ` + "`setCanaryScale`" + `, ` + "`setHeaderRoute`" + ` (which
  needs Istio, ALB, Apisix or a plugin), ` + "`setMirrorRoute`" + ` (Istio or a plugin), and an experiment
  template with a ` + "`weight`" + ` (Istio, SMI, ALB or a plugin); ` + "`setHeaderRoute`" + ` and ` + "`setMirrorRoute`" + `
  also need ` + "`trafficRouting.managedRoutes`" + ` to list the route they name;
- ` + "`scaleDownDelaySeconds`" + ` or ` + "`dynamicStableScale`" + ` without ` + "`trafficRouting`" + `, both together, and
  ` + "`trafficRouting.maxTrafficWeight`" + ` with a router other than Nginx or a plugin;
- the same Service as ` + "`stableService`" + ` and ` + "`canaryService`" + `, and one of them missing with a router
  that splits traffic between them (ALB without ` + "`pingPong`" + `, SMI, Nginx, Apisix, Ambassador, App
  Mesh, Traefik; Istio's is MR153's);
- ` + "`pingPong`" + ` without both Services, with the same one twice, with a router other than ALB, Istio
  or a plugin, or with ALB and no ` + "`rootService`" + `;
- two templates of one experiment step with the same name: the Experiment Argo Rollouts makes
  of the step is invalid and runs none of them, so the step does not progress;
- a ` + "`pause`" + ` duration below 0: a negative number of seconds, a negative Go duration of a second
  or more, or a string that is neither a 32-bit integer nor a Go duration (` + "`10 minutes`" + `, ` + "`1d`" + `),
  which Argo reads as -1;
- a header match of ` + "`setHeaderRoute`" + ` (once its router supports the step) or a ` + "`method`" + ` or ` + "`path`" + `
  match of ` + "`setMirrorRoute`" + ` (whatever the router) that sets none or more than one of
  ` + "`exact`" + `, ` + "`regex`" + ` and ` + "`prefix`" + ` (an empty string counts as unset), and with ALB a header match
  with anything but ` + "`exact`" + `;
- an argument of a step's ` + "`analysis`" + ` or of its experiment's ` + "`analyses`" + ` whose
  ` + "`valueFrom.fieldRef.fieldPath`" + ` starts with ` + "`metadata`" + ` but is not one the downward API reads
  (` + "`metadata.name`" + `, ` + "`namespace`" + `, ` + "`uid`" + `, ` + "`labels`" + ` and ` + "`annotations`" + `, the last two
  optionally with a ` + "`['key']`" + ` that is a valid label key).

For an Experiment, it reports a template whose ` + "`selector`" + ` is empty (` + "`{}`" + `: Argo compares it with
an empty selector, so ` + "`matchLabels: {}`" + ` passes), whose ` + "`minReadySeconds`" + ` is above
` + "`progressDeadlineSeconds`" + ` (600 by default), or whose name is empty or another template's (at the
second name, with the first as a related location): the Experiment runs none of its templates.

A ` + "`setWeight`" + ` step without ` + "`trafficRouting`" + ` is valid: Argo Rollouts then approximates the weight
by scaling the canary and stable ReplicaSets, and the rule is quiet about it.

Not reported: what the CRD schema already refuses (a missing ` + "`activeService`" + `, template name or
selector, a field of the wrong type: MR001's); the selector syntax and the pod spec checks that
Argo borrows from Kubernetes (label keys and values, ` + "`restartPolicy`" + `, the containers); the
selector and template of a Rollout with a ` + "`workloadRef`" + `, which Argo checks once it has copied the
referenced workload's template; a Go duration of more than 2^31 seconds as a pause, whose
conversion to 32 bits Go leaves to the platform; an empty or missing match list, the
` + "`headers`" + ` of a mirror match, field paths outside ` + "`metadata`" + ` and the arguments of the
background ` + "`analysis`" + `, which Argo does not check with the spec (they fail, if at all, when
the analysis runs); the Services, AnalysisTemplates and Ingresses a Rollout refers to
(ValidateRolloutReferencedResources); and an Experiment template whose selector does not select
its labels, which Argo does not check (the API server refuses its ReplicaSet). The templates of
an experiment step take their ` + "`minReadySeconds`" + ` and deadline from the Rollout, whose own check
covers them.

Fix the field Argo names, or add the ` + "`trafficRouting`" + ` a step needs; give each template its own
name.`,
	Bad: argoSpecExample(""),
	Good: argoSpecExample(`      stableService: web-stable
      canaryService: web-canary
      trafficRouting:
        istio:
          virtualService: {name: web}
`),
	Severity: rules.Error,
	Inputs:   []kinds.Kind{kinds.Rollout, kinds.Experiment},
	Local:    true,
	Run:      runArgoSpecInvalid,
}

// argoSpecExample is Rollout shop/web with a setCanaryScale step and a
// setWeight step, and the given canary traffic routing fields: the
// examples of MR155.
func argoSpecExample(routing string) string {
	return webRollout + routing + `      steps:
      - setCanaryScale: {weight: 20}
      - setWeight: 20
      - pause: {duration: 10m}
`
}

func runArgoSpecInvalid(p *rules.Pass) error {
	for _, o := range p.Graph.Objects {
		if o.Group != kinds.GroupArgo {
			continue
		}
		s := specNode{n: deref(o.Spec())}
		switch o.Kind {
		case kinds.Rollout:
			checkRolloutSpec(p, o, s)
			if !checkStrategyKind(p, o, s) {
				continue
			}
			// Paths in messages start below the strategy.
			if c := (specNode{n: s.get("strategy").get("canary").n}); c.isMap() {
				checkCanaryStrategy(p, o, c)
				checkAntiAffinity(p, o, c)
			}
			if bg := (specNode{n: s.get("strategy").get("blueGreen").n, path: "blueGreen"}); bg.isMap() {
				checkBlueGreenStrategy(p, o, s, bg)
				checkAntiAffinity(p, o, bg)
			}
		case kinds.Experiment:
			checkExperimentTemplates(p, o, s)
			checkTemplateNames(p, o, s.get("templates"),
				fmt.Sprintf("%s (Experiment %s has repeated template name", invalidExperiment, o.Name))
		}
	}
	return nil
}

// invalidExperiment is what Argo Rollouts does with an Experiment whose
// spec VerifyExperimentSpec refuses.
const invalidExperiment = "Argo Rollouts sets the Experiment's InvalidSpec condition and runs none of its templates"

// checkRolloutSpec mirrors the checks of ValidateRolloutSpec on the
// Rollout's spec outside its strategy, and those of the template resolver
// (informerBasedTemplateResolver.Resolve) on its workloadRef. Paths in
// messages start at the spec.
func checkRolloutSpec(p *rules.Pass, o *manifest.Object, s specNode) {
	for _, k := range []string{"replicas", "minReadySeconds", "revisionHistoryLimit", "progressDeadlineSeconds"} {
		if v, ok := s.get(k).int(); ok && v < 0 {
			p.Reportf(o, s.get(k).loc(), "%s %d is negative: %s (spec.%s: must be greater than or equal to 0)", k, v, invalidSpec, k)
		}
	}
	minReady, _ := s.get("minReadySeconds").int()
	deadline, set := s.get("progressDeadlineSeconds").int()
	if !set {
		deadline = argoDefaultProgressDeadline
	}
	// A negative deadline is reported above.
	if deadline >= 0 && deadline <= minReady {
		loc, dflt := s.get("progressDeadlineSeconds").loc(), ""
		if !set {
			loc, dflt = s.get("minReadySeconds").loc(), " (its default)"
		}
		p.Reportf(o, loc, "progressDeadlineSeconds %d%s is not greater than minReadySeconds %d: %s (spec.progressDeadlineSeconds: must be greater than minReadySeconds)", deadline, dflt, minReady, invalidSpec)
	}
	tmpl := s.get("template")
	if ref := s.get("workloadRef"); ref.ok() {
		meta := tmpl.get("metadata")
		if len(meta.get("labels").entries()) > 0 || len(meta.get("annotations").entries()) > 0 {
			p.Reportf(o, s.keyLoc("template"), "template has metadata labels or annotations, and workloadRef is set: %s (template must be empty for workload reference rollout)", invalidSpec)
		}
		apiVersion, okV := ref.get("apiVersion").str()
		kind, okK := ref.get("kind").str()
		group, _ := kinds.SplitAPIVersion(apiVersion)
		if strings.Count(apiVersion, "/") > 1 {
			group = "" // schema.ParseGroupVersion fails, and the group is empty
		}
		supported := group == kinds.GroupApps && (kinds.Kind(kind) == kinds.Deployment || kinds.Kind(kind) == kinds.ReplicaSet) ||
			group == kinds.GroupCore && kinds.Kind(kind) == kinds.PodTemplate
		if okV && okK && !supported {
			p.Reportf(o, s.keyLoc("workloadRef"), "workloadRef names a %s of %s, which Argo Rollouts cannot take a pod template from (only a Deployment or ReplicaSet of apps/v1, or a PodTemplate of v1): %s (workload of type %s/%s is not supported)",
				kind, apiVersion, invalidSpec, group, kind)
		}
		// The selector may come from the referenced workload, and the
		// template does: both are checked against the resolved spec.
		return
	}
	sel := s.get("selector")
	if !sel.ok() {
		p.Reportf(o, o.KindLoc, "the Rollout has no selector (nor a workloadRef): %s (Rollout has missing field '.spec.selector')", invalidSpec)
		return
	}
	if !sel.isMap() {
		return // MR001's
	}
	ml, me := sel.get("matchLabels"), sel.get("matchExpressions")
	if (!ml.ok() || ml.isMap()) && (!me.ok() || me.n.Kind == yaml.SequenceNode) && len(ml.entries()) == 0 && len(me.items()) == 0 {
		p.Reportf(o, sel.loc(), "selector is empty: %s (spec.selector: empty selector is invalid for deployment)", invalidSpec)
		return
	}
	ls, ok := labelSelector(sel)
	lbls, okL := stringMap(tmpl.get("metadata").get("labels"))
	if !ok || !okL || ls.Matches(lbls) {
		return
	}
	loc := tmpl.get("metadata").keyLoc("labels")
	if !tmpl.get("metadata").get("labels").ok() {
		loc = s.keyLoc("template")
	}
	have := "the template has no labels"
	if len(lbls) > 0 {
		have = labels.String(lbls)
	}
	f := p.Reportf(o, loc, "the selector does not select the template's labels (%s): %s (spec.template.metadata.labels: `selector` does not match template `labels`)", have, invalidSpec)
	f.Relate(o, sel.loc(), "the selector")
}

// argoDefaultProgressDeadline is DefaultProgressDeadlineSeconds, for a
// Rollout and an Experiment.
const argoDefaultProgressDeadline = 600

// checkStrategyKind mirrors ValidateRolloutStrategy: a Rollout sets
// exactly one of the canary and blue-green strategies. It reports whether
// Argo goes on to check the one it sets.
func checkStrategyKind(p *rules.Pass, o *manifest.Object, s specNode) bool {
	st := s.get("strategy")
	canary, blueGreen := st.get("canary").ok(), st.get("blueGreen").ok()
	switch {
	case !canary && !blueGreen:
		loc := s.keyLoc("strategy")
		if !st.ok() {
			loc = o.KindLoc
		}
		p.Reportf(o, loc, "the Rollout's strategy sets neither canary nor blueGreen: %s (Rollout has missing field '.spec.strategy.canary or .spec.strategy.blueGreen')", invalidSpec)
		return false
	case canary && blueGreen:
		// The one written second, by line and then column: a flow
		// mapping writes both on one line.
		second := "blueGreen"
		if c, b := st.keyLoc("canary"), st.keyLoc("blueGreen"); c.Line > b.Line || c.Line == b.Line && c.Col > b.Col {
			second = "canary"
		}
		p.Reportf(o, st.keyLoc(second), "the Rollout's strategy sets both canary and blueGreen: %s (Multiple Strategies can not be listed)", invalidSpec)
		return false
	}
	return true
}

// checkBlueGreenStrategy mirrors ValidateRolloutStrategyBlueGreen.
func checkBlueGreenStrategy(p *rules.Pass, o *manifest.Object, s, bg specNode) {
	// Without activeService, which the CRD requires, it is MR001's.
	if a := bg.get("activeService"); a.ok() {
		active, _ := a.str()
		preview, _ := bg.get("previewService").str()
		switch {
		case active == "" && preview == "":
			p.Reportf(o, a.loc(), "blueGreen.activeService is empty, as is previewService: %s (This rollout uses the same service for the active and preview services, but two different services are required.)", invalidSpec)
		case active == preview:
			f := p.Reportf(o, bg.get("previewService").loc(), "blueGreen.previewService %q is also the activeService: %s (This rollout uses the same service for the active and preview services, but two different services are required.)", preview, invalidSpec)
			f.Relate(o, a.loc(), "the activeService")
		}
	}
	limit, set := s.get("revisionHistoryLimit").int()
	dflt := ""
	if !set {
		limit, dflt = 10, " (its default)" // DefaultRevisionHistoryLimit
	}
	if v, ok := bg.get("scaleDownDelayRevisionLimit").int(); ok && v > limit {
		p.Reportf(o, bg.get("scaleDownDelayRevisionLimit").loc(), "blueGreen.scaleDownDelayRevisionLimit %d is above revisionHistoryLimit %d%s: %s (This rollout's revision history limit can not be smaller than the rollout's scale down limit)",
			v, limit, dflt, invalidSpec)
	}
}

// checkAntiAffinity mirrors ValidateRolloutStrategyAntiAffinity, for
// either strategy.
func checkAntiAffinity(p *rules.Pass, o *manifest.Object, strategy specNode) {
	aa := strategy.get("antiAffinity")
	if !aa.isMap() {
		return
	}
	pref := aa.get("preferredDuringSchedulingIgnoredDuringExecution")
	req := aa.get("requiredDuringSchedulingIgnoredDuringExecution")
	if pref.ok() == req.ok() {
		which := "neither"
		if pref.ok() {
			which = "both"
		}
		p.Reportf(o, strategy.keyLoc("antiAffinity"), "%s sets %s of preferredDuringSchedulingIgnoredDuringExecution and requiredDuringSchedulingIgnoredDuringExecution: %s (AntiAffinity must have exactly one strategy listed)", aa.path, which, invalidSpec)
	}
	if !pref.ok() {
		return
	}
	// A missing weight is MR001's: the CRD requires it.
	if w, ok := pref.get("weight").int(); ok && (w < 1 || w > 100) {
		p.Reportf(o, pref.get("weight").loc(), "%s %d is outside 1 to 100: %s (AntiAffinity weight must be between 1-100)", pref.get("weight").path, w, invalidSpec)
	}
}

// checkCanarySurge mirrors invalidMaxSurgeMaxUnavailable: a canary that
// may neither add nor remove a pod cannot progress. Either defaults to
// 25, so both must be set.
func checkCanarySurge(p *rules.Pass, o *manifest.Object, c specNode) {
	surge, okS := intOrPercent(c.get("maxSurge"))
	unavail, okU := intOrPercent(c.get("maxUnavailable"))
	if okS && okU && surge == 0 && unavail == 0 {
		p.Reportf(o, c.get("maxSurge").loc(), "maxSurge and maxUnavailable are both 0: %s (MaxSurge and MaxUnavailable both can not be zero)", invalidSpec)
	}
}

// intOrPercent returns the value of an int-or-string field as Argo's
// getIntOrPercentValue reads it: a percentage's number, or the string's
// integer value (0 when it is none).
func intOrPercent(x specNode) (int64, bool) {
	if v, ok := x.int(); ok {
		return v, true
	}
	v, ok := x.str()
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(strings.TrimSuffix(v, "%"))
	if err != nil {
		return 0, true
	}
	return int64(n), true
}

// checkExperimentTemplates mirrors the checks of VerifyExperimentSpec on
// each template other than the repeated name (checkTemplateNames). Argo
// reports the first it finds; the rule reports each.
func checkExperimentTemplates(p *rules.Pass, o *manifest.Object, s specNode) {
	deadline, set := s.get("progressDeadlineSeconds").int()
	if !set {
		deadline = argoDefaultProgressDeadline
	}
	for i, t := range s.get("templates").items() {
		// A missing or null selector is MR001's: the CRD requires it.
		// Argo compares the selector with an empty one, so `matchLabels:
		// {}` is not: the ReplicaSet selects its pods by their hash.
		if sel := t.get("selector"); sel.isMap() && !sel.get("matchLabels").ok() && !sel.get("matchExpressions").ok() {
			p.Reportf(o, sel.loc(), "%s selects every pod: %s (This experiment is selecting all pods at index %d. A non-empty selector is required.)", sel.path, invalidExperiment, i)
		}
		if v, ok := t.get("minReadySeconds").int(); ok && v > deadline {
			dflt := ""
			if !set {
				dflt = " (its default)"
			}
			p.Reportf(o, t.get("minReadySeconds").loc(), "%s %d is above progressDeadlineSeconds %d%s: %s (MinReadySeconds cannot be longer than ProgressDeadlineSeconds. Check template index %d)",
				t.get("minReadySeconds").path, v, deadline, dflt, invalidExperiment, i)
		}
		if n, ok := t.get("name").str(); ok && n == "" {
			p.Reportf(o, t.get("name").loc(), "%s is empty: %s (Experiment %s has empty template name at index %d)", t.get("name").path, invalidExperiment, o.Name, i)
		}
	}
}

// labelSelector returns the selector of a label selector node, and false
// when Argo could not read it (LabelSelectorAsSelector fails, or a value
// is not a string: MR001's).
func labelSelector(sel specNode) (labels.Selector, bool) {
	ml, ok := stringMap(sel.get("matchLabels"))
	if !ok {
		return labels.Selector{}, false
	}
	out := labels.Selector{MatchLabels: ml}
	for _, e := range sel.get("matchExpressions").items() {
		key, okK := e.get("key").str()
		op, okO := e.get("operator").str()
		if !okK || !okO {
			return labels.Selector{}, false
		}
		r := labels.Requirement{Key: key, Op: labels.Operator(op)}
		for _, v := range e.get("values").items() {
			s, ok := v.str()
			if !ok {
				return labels.Selector{}, false
			}
			r.Values = append(r.Values, s)
		}
		switch r.Op {
		case labels.In, labels.NotIn:
			if len(r.Values) == 0 {
				return labels.Selector{}, false
			}
		case labels.Exists, labels.DoesNotExist:
			if len(r.Values) > 0 {
				return labels.Selector{}, false
			}
		default:
			return labels.Selector{}, false
		}
		out.Exprs = append(out.Exprs, r)
	}
	return out, true
}

// stringMap returns a mapping of strings, and false when a value is not
// one. An absent node is an empty map.
func stringMap(x specNode) (map[string]string, bool) {
	out := map[string]string{}
	if !x.ok() {
		return out, true
	}
	if !x.isMap() {
		return nil, false
	}
	for k, v := range yamlpath.Entries(x.n) {
		s, ok := specNode{n: v}.str()
		if !ok {
			return nil, false
		}
		out[k.Value] = s
	}
	return out, true
}

// checkCanaryStrategy mirrors ValidateRolloutStrategyCanary where it is
// about steps and traffic routing.
func checkCanaryStrategy(p *rules.Pass, o *manifest.Object, c specNode) {
	tr := c.get("trafficRouting")
	routed := tr.isMap()
	has := func(routers ...string) bool {
		for _, r := range routers {
			if r == "plugins" {
				if len(tr.get(r).entries()) > 0 {
					return true
				}
			} else if tr.get(r).ok() {
				return true
			}
		}
		return false
	}
	checkCanarySurge(p, o, c)
	checkCanaryServices(p, o, c, tr, has)
	if !routed {
		if x := c.get("scaleDownDelaySeconds"); x.ok() {
			p.Reportf(o, c.keyLoc("scaleDownDelaySeconds"), "%s is set without trafficRouting: %s (Canary scaleDownDelaySeconds can only be used with traffic routing)", x.path, invalidSpec)
		}
		if b, _ := c.get("dynamicStableScale").boolean(); b {
			p.Reportf(o, c.keyLoc("dynamicStableScale"), "dynamicStableScale is set without trafficRouting: %s (Canary dynamicStableScale can only be used with traffic routing)", invalidSpec)
		}
	} else {
		if b, _ := c.get("dynamicStableScale").boolean(); b && c.get("scaleDownDelaySeconds").ok() {
			p.Reportf(o, c.keyLoc("dynamicStableScale"), "dynamicStableScale is set with scaleDownDelaySeconds: %s (Canary dynamicStableScale cannot be used with scaleDownDelaySeconds)", invalidSpec)
		}
		if tr.get("maxTrafficWeight").ok() && !has("nginx", "plugins") {
			p.Reportf(o, tr.keyLoc("maxTrafficWeight"), "trafficRouting.maxTrafficWeight is set for a router other than Nginx or a plugin: %s (Canary maxTrafficWeight in traffic routing only supported in Nginx and Plugins)", invalidSpec)
		}
	}
	maxWeight := int64(100)
	if w, ok := tr.get("maxTrafficWeight").int(); ok {
		maxWeight = w
	}
	var managed map[string]bool
	if mr := tr.get("managedRoutes"); mr.ok() {
		managed = map[string]bool{}
		for _, r := range mr.items() {
			if name, ok := r.get("name").str(); ok {
				managed[name] = true
			}
		}
	}
	for _, st := range c.get("steps").items() {
		if !st.isMap() {
			continue
		}
		var kindsSet []string
		for _, k := range []string{"setWeight", "pause", "experiment", "analysis"} {
			if st.get(k).ok() {
				kindsSet = append(kindsSet, k)
			}
		}
		if len(kindsSet) > 1 {
			p.Reportf(o, st.keyLoc(kindsSet[1]), "%s sets both %s: a step does one thing; %s (Step must have one of the following set: experiment, setWeight, setCanaryScale, plugin or pause)",
				st.path, strings.Join(kindsSet[:2], " and "), invalidSpec)
		}
		if len(kindsSet) == 0 && !st.get("setCanaryScale").ok() && !st.get("setHeaderRoute").ok() && !st.get("setMirrorRoute").ok() && !st.get("plugin").ok() {
			p.Reportf(o, st.loc(), "%s sets no step kind (setWeight, pause, experiment, analysis, setCanaryScale, setHeaderRoute, setMirrorRoute or plugin): %s", st.path, invalidSpec)
		}
		if w := st.get("setWeight"); w.ok() {
			if v, ok := w.int(); ok && (v < 0 || v > maxWeight) {
				p.Reportf(o, w.loc(), "%s %d is outside 0 to %d: %s (SetWeight needs to be between 0 and %d)", w.path, v, maxWeight, invalidSpec, maxWeight)
			}
		}
		if st.get("setCanaryScale").ok() && !routed {
			p.Reportf(o, st.keyLoc("setCanaryScale"), "%s.setCanaryScale needs trafficRouting, which the canary strategy does not set: %s (SetCanaryScale requires TrafficRouting to be set)", st.path, invalidSpec)
		}
		checkPauseDuration(p, o, st)
		headerRouted := routed && has("istio", "alb", "apisix", "plugins")
		checkRouteStep(p, o, st, "setHeaderRoute", headerRouted, managed,
			"Istio, ALB, Apisix or a plugin", "SetHeaderRoute requires TrafficRouting, supports Istio and ALB and Apisix")
		checkRouteMatches(p, o, st, headerRouted, has("alb"))
		checkAnalysisArgs(p, o, st)
		checkRouteStep(p, o, st, "setMirrorRoute", routed && has("istio", "plugins"), managed,
			"Istio or a plugin", "SetMirrorRoute requires TrafficRouting, supports Istio and Plugins")
		exp := st.get("experiment")
		for _, t := range exp.get("templates").items() {
			w := t.get("weight")
			if !w.ok() {
				continue
			}
			switch {
			case !routed:
				p.Reportf(o, t.keyLoc("weight"), "%s is set without trafficRouting: %s (Experiment template weight cannot be set unless TrafficRouting is enabled)", w.path, invalidSpec)
			case !has("alb", "smi", "istio", "plugins"):
				p.Reportf(o, t.keyLoc("weight"), "%s needs traffic routing by Istio, SMI, ALB or a plugin: %s (Experiment template weight is only available for TrafficRouting with SMI, ALB, Istio and Plugins at this time)", w.path, invalidSpec)
			}
		}
		checkTemplateNames(p, o, exp.get("templates"),
			"the Experiment Argo Rollouts makes of the step is invalid and runs none of its templates, so the step does not progress (repeated template name")
	}
}

// checkPauseDuration mirrors the check of a pause step's duration, which
// RolloutPause.DurationSeconds reads: an integer of seconds, or a string
// that is one or else a time.ParseDuration duration, truncated to whole
// seconds. A string it cannot read counts as -1, so Argo refuses it as a
// negative duration.
func checkPauseDuration(p *rules.Pass, o *manifest.Object, st specNode) {
	d := st.get("pause").get("duration")
	if v, ok := d.int(); ok {
		// Below MinInt32 the Rollout does not decode: not InvalidSpec.
		if v < 0 && v >= math.MinInt32 {
			p.Reportf(o, d.loc(), "%s %d is negative: %s (%s)", d.path, v, invalidSpec, argoInvalidDuration)
		}
		return
	}
	v, ok := d.str()
	if !ok {
		return // absent (0), or of a type the CRD refuses: MR001's
	}
	if n, err := strconv.ParseInt(v, 10, 32); err == nil {
		if n < 0 {
			p.Reportf(o, d.loc(), "%s %q is negative: %s (%s)", d.path, v, invalidSpec, argoInvalidDuration)
		}
		return
	}
	dur, err := time.ParseDuration(v)
	switch {
	case err != nil:
		p.Reportf(o, d.loc(), "%s %q is neither a 32-bit number of seconds nor a duration such as 30s, 10m or 1h, so Argo Rollouts reads it as -1: %s (%s)", d.path, v, invalidSpec, argoInvalidDuration)
	case dur.Seconds() <= -1:
		// Shorter negative durations truncate to 0 seconds, which passes.
		p.Reportf(o, d.loc(), "%s %q is negative: %s (%s)", d.path, v, invalidSpec, argoInvalidDuration)
	}
}

// argoInvalidDuration is Argo's InvalidDurationMessage.
const argoInvalidDuration = "Duration needs to be greater than 0"

// checkRouteMatches mirrors the checks of ValidateRolloutStrategyCanary on
// the StringMatch values of setHeaderRoute and setMirrorRoute steps. Argo
// checks header matches only once the router supports the step, and then
// with ALB accepts an exact value only; it checks mirror matches whatever
// the router. An empty or missing match list passes, as do the headers of a
// mirror match, which Argo does not check.
func checkRouteMatches(p *rules.Pass, o *manifest.Object, st specNode, headerRouted, alb bool) {
	if headerRouted {
		for _, m := range st.get("setHeaderRoute").get("match").items() {
			// A missing or null headerValue is MR001's: the CRD requires it.
			if hv := m.get("headerValue"); hv.ok() {
				checkStringMatch(p, o, hv, alb)
			}
		}
	}
	for _, m := range st.get("setMirrorRoute").get("match").items() {
		// Argo checks method twice, reporting it twice; once is enough.
		for _, k := range []string{"method", "path"} {
			if sm := m.get(k); sm.ok() {
				checkStringMatch(p, o, sm, false)
			}
		}
	}
}

// checkStringMatch mirrors hasMultipleMatchValues, or hasALBInvalidValues
// when alb is set. An empty string counts as unset, as Argo reads it.
func checkStringMatch(p *rules.Pass, o *manifest.Object, sm specNode, alb bool) {
	if !sm.isMap() {
		return // MR001's
	}
	var set []string
	for _, k := range []string{"exact", "regex", "prefix"} {
		x := sm.get(k)
		if !x.ok() {
			continue
		}
		v, ok := x.str()
		if !ok {
			return // MR001's
		}
		if v != "" {
			set = append(set, k)
		}
	}
	switch {
	case alb && (len(set) != 1 || set[0] != "exact"):
		what := "no exact value"
		if len(set) > 0 {
			what = strings.Join(set, " and ")
		}
		p.Reportf(o, sm.loc(), "%s sets %s, and trafficRouting.alb matches a header by its exact value only: %s (SetHeaderRoute match value invalid. ALB supports 'exact' value only)", sm.path, what, invalidSpec)
	case alb: // an exact value only: ALB accepts it
	case len(set) == 0:
		p.Reportf(o, sm.loc(), "%s sets none of exact, regex and prefix: %s (StringMatch value missed, match value must have one of the following: exact, regex, prefix)", sm.path, invalidSpec)
	case len(set) > 1:
		p.Reportf(o, sm.loc(), "%s sets %s: %s (StringMatch match value must have exactly one of the following: exact, regex, prefix)", sm.path, strings.Join(set, " and "), invalidSpec)
	}
}

// checkAnalysisArgs mirrors the check of ValidateRolloutStrategyCanary on
// the arguments of a step's analysis and of its experiment's analyses: a
// fieldRef path that starts with "metadata" must be one Kubernetes'
// fieldpath.ExtractFieldPathAsString reads from the Rollout. Other paths
// are resolved, or not, when the analysis runs; Argo does not check the
// arguments of the background analysis there.
func checkAnalysisArgs(p *rules.Pass, o *manifest.Object, st specNode) {
	lists := []specNode{st.get("analysis").get("args")}
	for _, a := range st.get("experiment").get("analyses").items() {
		lists = append(lists, a.get("args"))
	}
	for _, args := range lists {
		for _, arg := range args.items() {
			fp := arg.get("valueFrom").get("fieldRef").get("fieldPath")
			v, ok := fp.str()
			if !ok || !strings.HasPrefix(v, "metadata") {
				continue
			}
			if why := downwardMetadataPath(v); why != "" {
				p.Reportf(o, fp.loc(), "%s %q %s: %s (Analyses arguments must refer to valid object metadata supported by downwardAPI)", fp.path, v, why, invalidSpec)
			}
		}
	}
}

// downwardMetadataPath returns why fieldpath.ExtractFieldPathAsString
// (k8s.io/kubernetes v1.34) fails on a path, or "" when it reads it.
func downwardMetadataPath(path string) string {
	if base, key, ok := splitSubscriptedPath(path); ok {
		switch base {
		case "metadata.annotations":
			key = strings.ToLower(key)
		case "metadata.labels":
		default:
			return "takes a ['key'] subscript, which only metadata.labels and metadata.annotations do"
		}
		if len(content.IsLabelKey(key)) > 0 { // apimachinery's IsQualifiedName
			return fmt.Sprintf("has key %q, which is not a valid label or annotation key", key)
		}
		return ""
	}
	switch path {
	case "metadata.name", "metadata.namespace", "metadata.uid", "metadata.labels", "metadata.annotations":
		return ""
	}
	return "is not a metadata path Argo Rollouts can read (metadata.name, metadata.namespace, metadata.uid, metadata.labels or metadata.annotations, the last two optionally with a ['key'] subscript)"
}

// splitSubscriptedPath is fieldpath.SplitMaybeSubscriptedPath: a path
// ending in ['key'] is split into the path before it and the key.
func splitSubscriptedPath(path string) (string, string, bool) {
	if !strings.HasSuffix(path, "']") {
		return path, "", false
	}
	base, key, ok := strings.Cut(strings.TrimSuffix(path, "']"), "['")
	if !ok || base == "" {
		return path, "", false
	}
	return base, key, true
}

// checkRouteStep checks a setHeaderRoute or setMirrorRoute step: it needs
// one of the routers that support it, and the managed route it names.
func checkRouteStep(p *rules.Pass, o *manifest.Object, st specNode, kind string, supported bool, managed map[string]bool, routers, argoMsg string) {
	x := st.get(kind)
	if !x.ok() {
		return
	}
	switch {
	case !supported:
		p.Reportf(o, st.keyLoc(kind), "%s needs traffic routing by %s: %s (%s)", x.path, routers, invalidSpec, argoMsg)
	case managed == nil:
		p.Reportf(o, st.keyLoc(kind), "%s needs trafficRouting.managedRoutes, which is not set: %s (Rollout has missing field 'spec.strategy.canary.trafficRouting.managedRoutes')", x.path, invalidSpec)
	default:
		name := x.get("name")
		if n, _ := name.str(); !managed[n] {
			loc := name.loc()
			if loc.IsZero() {
				loc = st.keyLoc(kind)
			}
			p.Reportf(o, loc, "%s names route %q, which trafficRouting.managedRoutes does not list: %s (Steps define a route that does not exist in spec.strategy.canary.trafficRouting.managedRoutes)", x.path, n, invalidSpec)
		}
	}
}

// checkCanaryServices mirrors the checks of ValidateRolloutStrategyCanary
// on the stable, canary and ping-pong Services.
func checkCanaryServices(p *rules.Pass, o *manifest.Object, c, tr specNode, has func(...string) bool) {
	stable, _ := c.get("stableService").str()
	canary, _ := c.get("canaryService").str()
	if stable != "" && stable == canary {
		f := p.Reportf(o, c.get("stableService").loc(), "stableService %q is also the canaryService: %s (two different services are required)", stable, invalidSpec)
		f.Relate(o, c.get("canaryService").loc(), "the canaryService")
	}
	pp := c.get("pingPong")
	routed := tr.isMap()
	if pp.ok() {
		ping, _ := pp.get("pingService").str()
		pong, _ := pp.get("pongService").str()
		if routed && !has("alb", "istio", "plugins") {
			p.Reportf(o, c.keyLoc("pingPong"), "pingPong needs traffic routing by ALB, Istio or a plugin: %s (Ping-pong feature works with the ALB, Istio, and plugin-based traffic routers only)", invalidSpec)
		}
		// A missing one is MR001's: the CRD requires both.
		switch {
		case !pp.get("pingService").ok() || !pp.get("pongService").ok():
		case ping == "" || pong == "":
			p.Reportf(o, c.keyLoc("pingPong"), "pingPong needs both pingService and pongService: %s (Ping service and Pong service must to be set to use Ping-Pong feature)", invalidSpec)
		case ping == pong:
			f := p.Reportf(o, pp.get("pongService").loc(), "pingPong.pongService %q is also the pingService: %s (two different services are required)", pong, invalidSpec)
			f.Relate(o, pp.get("pingService").loc(), "the pingService")
		}
		if alb := tr.get("alb"); alb.ok() {
			if root, _ := alb.get("rootService").str(); root == "" {
				p.Reportf(o, tr.keyLoc("alb"), "trafficRouting.alb needs rootService with pingPong: %s (Root service field is required for the configuration with ALB and ping-pong feature enabled)", invalidSpec)
			}
		}
	}
	if !routed || stable != "" && canary != "" {
		return
	}
	// requireCanaryStableServices; host-level Istio routing is MR153's.
	if tr.get("istio").ok() && !tr.get("istio").get("destinationRule").ok() && !pp.ok() {
		return
	}
	var router string
	switch {
	case tr.get("alb").ok() && !pp.ok():
		router = "ALB without pingPong"
	default:
		for _, r := range []struct{ key, name string }{{"smi", "SMI"}, {"apisix", "Apisix"}, {"ambassador", "Ambassador"}, {"nginx", "Nginx"}, {"appMesh", "App Mesh"}, {"traefik", "Traefik"}} {
			if tr.get(r.key).ok() {
				router = r.name
				break
			}
		}
	}
	if router == "" {
		return
	}
	var missing []string
	if stable == "" {
		missing = append(missing, "stableService")
	}
	if canary == "" {
		missing = append(missing, "canaryService")
	}
	p.Reportf(o, c.keyLoc("trafficRouting"), "trafficRouting by %s splits traffic between stableService and canaryService, but %s %s not set: %s (Canary service and Stable service must to be set to use Traffic Routing)",
		router, strings.Join(missing, " and "), wording.Plural(len(missing), "is", "are"), invalidSpec)
}

// checkTemplateNames reports each template of a list whose name an
// earlier one has, as VerifyExperimentSpec refuses it.
func checkTemplateNames(p *rules.Pass, o *manifest.Object, templates specNode, why string) {
	first := map[string]specNode{}
	for _, t := range templates.items() {
		name := t.get("name")
		n, ok := name.str()
		if !ok || n == "" {
			continue
		}
		if prev, dup := first[n]; dup {
			f := p.Reportf(o, name.loc(), "%s %q is also the name of %s: %s '%s')", name.path, n, strings.TrimSuffix(prev.path, ".name"), why, n)
			f.Relate(o, prev.loc(), "the first template named %q", n)
			continue
		}
		first[n] = name
	}
}

// specNode is a YAML node of an object's spec and its path, for messages:
// from the strategy (for a Rollout) or the spec (an Argo Experiment, a
// Flagger Canary). The Argo Rollouts and Flagger rules read the YAML rather
// than the graph's typed specs, which hold none of the step kinds nor the
// Canary fields a router leaves out; a wrong type is MR001's, and every
// accessor treats it as absent.
type specNode struct {
	n    *yaml.Node
	path string
}

func deref(n *yaml.Node) *yaml.Node {
	if n != nil && n.Kind == yaml.AliasNode && n.Alias != nil {
		return n.Alias
	}
	return n
}

func (x specNode) get(key string) specNode {
	p := key
	if x.path != "" {
		p = x.path + "." + key
	}
	return specNode{n: yamlpath.Field(x.n, key), path: p}
}

// ok reports whether the node is present and not null.
func (x specNode) ok() bool {
	return x.n != nil && (x.n.Kind != yaml.ScalarNode || x.n.ShortTag() != "!!null")
}

func (x specNode) isMap() bool { return x.n != nil && x.n.Kind == yaml.MappingNode }

func (x specNode) loc() manifest.Loc { return manifest.LocOf(x.n) }

// keyLoc returns the location of key in a mapping, or the mapping's own.
func (x specNode) keyLoc(key string) manifest.Loc {
	if x.isMap() {
		if k, _ := yamlpath.Lookup(x.n, key); k != nil {
			return manifest.LocOf(k)
		}
	}
	return x.loc()
}

func (x specNode) items() []specNode {
	if x.n == nil || x.n.Kind != yaml.SequenceNode {
		return nil
	}
	out := make([]specNode, len(x.n.Content))
	for i, c := range x.n.Content {
		out[i] = specNode{n: deref(c), path: x.path + "[" + strconv.Itoa(i) + "]"}
	}
	return out
}

// entries returns the keys of a mapping.
func (x specNode) entries() []string {
	if !x.isMap() {
		return nil
	}
	var out []string
	for k := range yamlpath.Entries(x.n) {
		out = append(out, k.Value)
	}
	return out
}

func (x specNode) str() (string, bool) {
	// A plain yes or off is a boolean to Kubernetes (yamlpath.Bool).
	if _, isBool := yamlpath.YAML11Bool(x.n); x.n == nil || x.n.Kind != yaml.ScalarNode || x.n.ShortTag() != "!!str" || isBool {
		return "", false
	}
	return x.n.Value, true
}

func (x specNode) int() (int64, bool) {
	if x.n == nil || x.n.Kind != yaml.ScalarNode || x.n.ShortTag() != "!!int" {
		return 0, false
	}
	v, err := strconv.ParseInt(x.n.Value, 0, 64)
	return v, err == nil
}

func (x specNode) boolean() (bool, bool) {
	return yamlpath.Bool(x.n)
}
