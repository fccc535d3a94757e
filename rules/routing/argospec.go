package routing

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/internal/wording"
	"github.com/meshlint/meshlint/internal/yamlpath"
	"github.com/meshlint/meshlint/rules"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// ArgoSpecInvalid reports Rollouts and Experiments whose canary steps,
// traffic routing or templates the Argo Rollouts controller refuses.
var ArgoSpecInvalid = &rules.Rule{
	ID:      "MR155",
	Name:    "argo-rollouts-spec-invalid",
	Summary: "an Argo Rollout's canary steps or traffic routing, or an Experiment's templates, are refused by the Argo Rollouts controller",
	Doc: `The API server accepts any combination of canary steps and traffic routing in a Rollout,
and any template names in an Experiment: the Argo Rollouts controller checks them on each
reconciliation, and when a check fails it sets the object's ` + "`InvalidSpec`" + ` condition and does not
roll the Rollout out, or run the Experiment, until the spec is fixed. Nothing in the manifests
says so.

The rule follows Argo Rollouts v1.10.2 (ValidateRolloutStrategyCanary, VerifyExperimentSpec) and
reports, for the canary strategy of a Rollout (paths below are under ` + "`spec.strategy.canary`" + `):

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
  of the step is invalid and runs none of them, so the step does not progress.

For an Experiment, it reports two templates with the same name: the Experiment runs none of
its templates. The finding is at the second name, with the first as a related location.

A ` + "`setWeight`" + ` step without ` + "`trafficRouting`" + ` is valid: Argo Rollouts then approximates the weight
by scaling the canary and stable ReplicaSets, and the rule is quiet about it.

Fix the step or add the ` + "`trafficRouting`" + ` it needs; give each template its own name.`,
	Bad: `apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: web
  namespace: shop
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: web:2
  strategy:
    canary:
      steps:
      - setCanaryScale: {weight: 20}
      - setWeight: 20
      - pause: {duration: 10m}
`,
	Good: `apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: web
  namespace: shop
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: web:2
  strategy:
    canary:
      stableService: web-stable
      canaryService: web-canary
      trafficRouting:
        istio:
          virtualService: {name: web}
      steps:
      - setCanaryScale: {weight: 20}
      - setWeight: 20
      - pause: {duration: 10m}
`,
	Severity: rules.Error,
	Inputs:   []kinds.Kind{kinds.Rollout, kinds.Experiment},
	Local:    true,
	Run:      runArgoSpecInvalid,
}

func runArgoSpecInvalid(p *rules.Pass) error {
	for _, o := range p.Graph.Objects {
		if o.Group != kinds.GroupArgo {
			continue
		}
		s := argoNode{n: deref(o.Spec())}
		switch o.Kind {
		case kinds.Rollout:
			// Paths in messages start below the strategy.
			c := argoNode{n: s.get("strategy").get("canary").n}
			if c.isMap() {
				checkCanaryStrategy(p, o, c)
			}
		case kinds.Experiment:
			checkTemplateNames(p, o, s.get("templates"),
				fmt.Sprintf("Argo Rollouts sets the Experiment's InvalidSpec condition and runs none of its templates (Experiment %s has repeated template name", o.Name))
		}
	}
	return nil
}

// checkCanaryStrategy mirrors ValidateRolloutStrategyCanary where it is
// about steps and traffic routing.
func checkCanaryStrategy(p *rules.Pass, o *manifest.Object, c argoNode) {
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
		checkRouteStep(p, o, st, "setHeaderRoute", routed && has("istio", "alb", "apisix", "plugins"), managed,
			"Istio, ALB, Apisix or a plugin", "SetHeaderRoute requires TrafficRouting, supports Istio and ALB and Apisix")
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

// checkRouteStep checks a setHeaderRoute or setMirrorRoute step: it needs
// one of the routers that support it, and the managed route it names.
func checkRouteStep(p *rules.Pass, o *manifest.Object, st argoNode, kind string, supported bool, managed map[string]bool, routers, argoMsg string) {
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
func checkCanaryServices(p *rules.Pass, o *manifest.Object, c, tr argoNode, has func(...string) bool) {
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
func checkTemplateNames(p *rules.Pass, o *manifest.Object, templates argoNode, why string) {
	first := map[string]argoNode{}
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

// argoNode is a YAML node of an Argo object's spec and its path from the
// strategy (for a Rollout) or the spec, for messages. The rule reads the
// YAML rather than the graph's typed specs, which hold none of the step
// kinds; a wrong type is MR001's, and every accessor treats it as absent.
type argoNode struct {
	n    *yaml.Node
	path string
}

func deref(n *yaml.Node) *yaml.Node {
	if n != nil && n.Kind == yaml.AliasNode && n.Alias != nil {
		return n.Alias
	}
	return n
}

func (x argoNode) get(key string) argoNode {
	p := key
	if x.path != "" {
		p = x.path + "." + key
	}
	return argoNode{n: yamlpath.Field(x.n, key), path: p}
}

// ok reports whether the node is present and not null.
func (x argoNode) ok() bool {
	return x.n != nil && (x.n.Kind != yaml.ScalarNode || x.n.ShortTag() != "!!null")
}

func (x argoNode) isMap() bool { return x.n != nil && x.n.Kind == yaml.MappingNode }

func (x argoNode) loc() manifest.Loc { return manifest.LocOf(x.n) }

// keyLoc returns the location of key in a mapping, or the mapping's own.
func (x argoNode) keyLoc(key string) manifest.Loc {
	if x.isMap() {
		for i := 0; i+1 < len(x.n.Content); i += 2 {
			if x.n.Content[i].Value == key {
				return manifest.LocOf(x.n.Content[i])
			}
		}
	}
	return x.loc()
}

func (x argoNode) items() []argoNode {
	if x.n == nil || x.n.Kind != yaml.SequenceNode {
		return nil
	}
	out := make([]argoNode, len(x.n.Content))
	for i, c := range x.n.Content {
		out[i] = argoNode{n: deref(c), path: x.path + "[" + strconv.Itoa(i) + "]"}
	}
	return out
}

// entries returns the keys of a mapping.
func (x argoNode) entries() []string {
	if !x.isMap() {
		return nil
	}
	var out []string
	for i := 0; i+1 < len(x.n.Content); i += 2 {
		out = append(out, x.n.Content[i].Value)
	}
	return out
}

func (x argoNode) str() (string, bool) {
	if x.n == nil || x.n.Kind != yaml.ScalarNode || x.n.ShortTag() != "!!str" {
		return "", false
	}
	return x.n.Value, true
}

func (x argoNode) int() (int64, bool) {
	if x.n == nil || x.n.Kind != yaml.ScalarNode || x.n.ShortTag() != "!!int" {
		return 0, false
	}
	v, err := strconv.ParseInt(x.n.Value, 0, 64)
	return v, err == nil
}

func (x argoNode) boolean() (bool, bool) {
	if x.n == nil || x.n.Kind != yaml.ScalarNode || x.n.ShortTag() != "!!bool" {
		return false, false
	}
	return x.n.Value == "true", true
}
