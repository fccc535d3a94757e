package routing

import (
	"fmt"
	"slices"
	"strings"

	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/rules"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// FlaggerFieldIgnored reports the fields of a Flagger Canary that the
// router of its provider does not read.
var FlaggerFieldIgnored = &rules.Rule{
	ID:      "MR156",
	Name:    "flagger-field-ignored",
	Summary: "a Flagger Canary sets a routing field, a mirror or an A/B match that the router of its provider ignores",
	Doc: `Flagger accepts every field of a Canary whatever its ` + "`spec.provider`" + `, but each provider's router
reads only some of them when it writes the routing objects, and drops the rest without an
event. The rule follows Flagger v1.36.1 (` + "`Factory.MeshRouter`" + ` picks the router, ` + "`pkg/router/*.go`" + `
read the fields) and reports, for a Canary whose ` + "`spec.provider`" + ` names a router Flagger knows:

- a field of ` + "`spec.service`" + ` that its router does not read. The Istio router reads ` + "`match`" + `,
  ` + "`headers`" + `, ` + "`corsPolicy`" + `, ` + "`retries`" + `, ` + "`timeout`" + `, ` + "`rewrite`" + `, ` + "`trafficPolicy`" + `, ` + "`gateways`" + `, ` + "`hosts`" + ` and
  ` + "`delegation`" + ` (` + "`reconcileVirtualService`" + `, ` + "`reconcileDestinationRule`" + `), but with ` + "`appProtocol: tcp`" + ` it
  writes TCP routes, which have no headers, CORS policy, retries, timeout nor rewrite. The Gateway
  API routers read ` + "`match`" + `, ` + "`headers`" + `, ` + "`rewrite`" + `, ` + "`hosts`" + `, ` + "`gatewayRefs`" + ` and ` + "`mirror`" + `
  (` + "`Reconcile`" + `, ` + "`makeFilters`" + `), and ` + "`timeout`" + ` for ` + "`gatewayapi:v1`" + ` only (the ` + "`v1beta1`" + ` router
  sets none). App Mesh reads ` + "`match`" + `, ` + "`retries`" + `, ` + "`timeout`" + `, ` + "`hosts`" + ` and ` + "`backends`" + `, and
  ` + "`meshName`" + ` before ` + "`appmesh:v1beta2`" + `; Contour ` + "`match`" + `, ` + "`retries`" + ` and ` + "`timeout`" + `; the SMI routers
  (` + "`linkerd`" + `, ` + "`osm`" + `, ` + "`smi:*`" + `) ` + "`hosts`" + `, and ` + "`gateways`" + ` for an Istio SMI mesh. The Gloo,
  NGINX, Skipper, Traefik, APISIX, Kuma and ` + "`kubernetes`" + ` routers read none of them: they take their
  routing from the referenced ingress, route or upstream, or route nothing. (The ports and
  the ` + "`apex`" + `, ` + "`primary`" + ` and ` + "`canary`" + ` metadata are read for every provider.)
- ` + "`analysis.match`" + ` (A/B testing) with a router that cannot match requests: the SMI routers,
  Kuma, Traefik, Skipper, APISIX, Istio with ` + "`appProtocol: tcp`" + ` (none of their ` + "`SetRoutes`" + ` read it),
  and ` + "`kubernetes`" + `, for which the scheduler drops it. With ` + "`iterations`" + `, Flagger's A/B test
  (` + "`runAB`" + `) then sends all the traffic, not only the matching requests, to the canary.
- ` + "`analysis.mirror`" + ` where Flagger mirrors nothing: during an A/B test (` + "`runAB`" + ` never mirrors),
  with the ` + "`kubernetes`" + ` provider, and with a router that sets no mirror (every one but Istio over
  HTTP and the Gateway API routers). In a Blue/Green analysis (` + "`iterations`" + `) the canary then
  receives no traffic at all while it is analysed. In a progressive canary (` + "`stepWeight`" + ` or
  ` + "`stepWeights`" + `) it is worse: ` + "`runCanary`" + ` takes a mirror step while the weight is 0 and moves on
  only once the router reports the mirror in place, so with a router that sets none (the Gateway
  API routers mirror only with ` + "`iterations`" + `, Istio drops the mirror from the A/B routes of
  ` + "`analysis.match`" + `, and with ` + "`sessionAffinity`" + ` its ` + "`GetRoutes`" + ` looks for the mirror on another route than
  the one ` + "`SetRoutes`" + ` puts it on) the canary weight never leaves 0 and the release never completes.
- ` + "`analysis.mirrorWeight`" + `, which only the Istio router reads, and only when it mirrors; and
  ` + "`analysis.sessionAffinity`" + `, which only Istio over HTTP and the Gateway API routers read.

An unset ` + "`spec.provider`" + ` follows Flagger's ` + "`-mesh-provider`" + ` flag (the scheduler's ` + "`advanceCanary`" + `),
which the Canary does not show: the rule checks such a Canary as the provider that
` + "`flagger.mesh-provider`" + ` in ` + "`.meshlint.yaml`" + ` names, and says nothing about it while that is unset
(the flag's default is ` + "`istio`" + `, but an installation for another mesh changes it). An unknown
` + "`spec.provider`" + ` may be a newer Flagger's: the rule says nothing about such Canaries, nor about the
analysis of one with ` + "`skipAnalysis: true`" + `, which Flagger promotes without analysing.
The rule does not look inside a field a router reads in part (of ` + "`match`" + `, App Mesh reads only
the first URI prefix, NGINX only header and cookie matches).

Remove the field, or route the Canary with a provider that reads it.`,
	Bad: flaggerIgnoredExample(`  provider: linkerd
  service:
    port: 9898
    retries: {attempts: 3, perTryTimeout: 1s}
`),
	Good: flaggerIgnoredExample(`  provider: istio
  service:
    port: 9898
    retries: {attempts: 3, perTryTimeout: 1s}
`),
	Severity: rules.Warning,
	Inputs:   []kinds.Kind{kinds.Canary},
	Local:    true,
	Run:      runFlaggerFieldIgnored,
}

func flaggerIgnoredExample(provider string) string {
	return `apiVersion: flagger.app/v1beta1
kind: Canary
metadata:
  name: podinfo
  namespace: test
spec:
  targetRef: {apiVersion: apps/v1, kind: Deployment, name: podinfo}
` + provider + `  analysis: {interval: 1m, threshold: 5, maxWeight: 50, stepWeight: 10}
`
}

// flaggerRouter is what one of Flagger's routers reads of a Canary.
type flaggerRouter struct {
	// service are the fields of spec.service (among flaggerServiceFields)
	// that it reads.
	service []string
	// match: it routes by analysis.match.
	match bool
	// mirror is why it sets no mirror when the scheduler asks for one,
	// "" when it does; mirrorBlueGreen: it sets one only in a Blue/Green
	// analysis (SetRoutes checks iterations), and mirrorWeight: it reads
	// analysis.mirrorWeight.
	mirror          string
	mirrorBlueGreen bool
	mirrorWeight    bool
	sessionAffinity bool
}

// flaggerServiceFields are the fields of spec.service that only some
// routers read, with what is lost when one does not.
var flaggerServiceFields = []struct{ key, lost string }{
	{"match", "its routes do not have these match conditions"},
	{"headers", "these header operations are not applied"},
	{"corsPolicy", "this CORS policy is not applied"},
	{"retries", "this retry policy is not applied"},
	{"timeout", "this timeout is not applied"},
	{"rewrite", "this rewrite is not applied"},
	{"trafficPolicy", "this traffic policy is not applied (only the istio router writes DestinationRules)"},
	{"gateways", "nothing binds its routes to these gateways"},
	{"hosts", "its routes do not serve these hosts"},
	{"delegation", "it writes no delegate VirtualService (only the istio router does)"},
	{"gatewayRefs", "it attaches no route to these Gateways (only the Gateway API routers do)"},
	{"mirror", "no request is mirrored to these backends (only the Gateway API routers do it)"},
	{"meshName", "it is not used (only the appmesh router reads it)"},
	{"backends", "they are not declared (only the App Mesh routers read them)"},
}

// flaggerRouterOf returns the router Flagger v1.36.1's Factory.MeshRouter
// picks for provider p, in the same order of tests; false for "" (an unset
// -mesh-provider, whose default an installation may change) or a provider
// MeshRouter does not know, which it gives the Istio router but a newer
// Flagger may not.
// tcp is spec.service.appProtocol tcp, with which the Istio router writes
// TCP routes (isTcp).
func flaggerRouterOf(p string, tcp bool) (flaggerRouter, bool) {
	const noMirror = "its SetRoutes ignores the mirror"
	switch {
	case strings.HasPrefix(p, "appmesh:v1beta2"):
		return flaggerRouter{service: []string{"match", "retries", "timeout", "hosts", "backends"}, match: true, mirror: noMirror}, true
	case p == "appmesh":
		return flaggerRouter{service: []string{"match", "retries", "timeout", "hosts", "meshName", "backends"}, match: true, mirror: noMirror}, true
	case p == "linkerd", p == "osm":
		return flaggerRouter{service: []string{"hosts"}, mirror: noMirror}, true
	case p == "istio":
		if tcp {
			return flaggerRouter{service: []string{"match", "trafficPolicy", "gateways", "hosts", "delegation"},
				mirror: "with appProtocol tcp it writes TCP routes, which have no mirror"}, true
		}
		return flaggerRouter{service: []string{"match", "headers", "corsPolicy", "retries", "timeout", "rewrite",
			"trafficPolicy", "gateways", "hosts", "delegation"}, match: true, mirrorWeight: true, sessionAffinity: true}, true
	case strings.HasPrefix(p, "smi:v1alpha1"), strings.HasPrefix(p, "smi:v1alpha2"), strings.HasPrefix(p, "smi:v1alpha3"):
		r := flaggerRouter{service: []string{"hosts"}, mirror: noMirror}
		// makeAnnotations copies the gateways for an Istio SMI mesh only.
		if p[len("smi:v1alpha1"):] == ":istio" {
			r.service = append(r.service, "gateways")
		}
		return r, true
	case p == "contour":
		return flaggerRouter{service: []string{"match", "retries", "timeout"}, match: true, mirror: noMirror}, true
	case strings.HasPrefix(p, "gloo"), p == "nginx":
		return flaggerRouter{match: true, mirror: noMirror}, true
	case p == "skipper", p == "traefik", p == "apisix", p == "kuma":
		return flaggerRouter{mirror: noMirror}, true
	case strings.HasPrefix(p, "gatewayapi:v1beta1"):
		return flaggerRouter{service: []string{"match", "headers", "rewrite", "hosts", "gatewayRefs", "mirror"},
			match: true, mirrorBlueGreen: true, sessionAffinity: true}, true
	case strings.HasPrefix(p, "gatewayapi:v1"):
		return flaggerRouter{service: []string{"match", "headers", "timeout", "rewrite", "hosts", "gatewayRefs", "mirror"},
			match: true, mirrorBlueGreen: true, sessionAffinity: true}, true
	case p == "kubernetes":
		return flaggerRouter{mirror: "the kubernetes provider routes nothing, so nothing is mirrored"}, true
	}
	return flaggerRouter{}, false
}

func runFlaggerFieldIgnored(p *rules.Pass) error {
	for _, o := range p.Graph.Objects {
		if o.Kind != kinds.Canary || o.Group != kinds.GroupFlagger {
			continue
		}
		s := specNode{n: deref(o.Spec()), path: "spec"}
		provider, _ := s.get("provider").str()
		what := fmt.Sprintf("Flagger's %s router", provider)
		if provider == "" {
			// Unset, Flagger's -mesh-provider decides; its default
			// (istio) is not assumed, as an installation may change it.
			provider = p.Graph.Mesh.FlaggerMeshProvider
			what = fmt.Sprintf("Flagger's %s router (flagger.mesh-provider, as the Canary sets no spec.provider)", provider)
		}
		appProtocol, _ := s.get("service").get("appProtocol").str()
		r, ok := flaggerRouterOf(provider, strings.EqualFold(appProtocol, "tcp"))
		if !ok {
			continue
		}
		checkFlaggerService(p, o, s.get("service"), r, what)
		if skip, _ := s.get("skipAnalysis").boolean(); skip {
			continue
		}
		// Canary.GetAnalysis falls back on the deprecated
		// spec.canaryAnalysis, but the CRD's schema has none: the API
		// server prunes it.
		if a := s.get("analysis"); a.isMap() {
			checkFlaggerAnalysis(p, o, a, provider, r, what)
		}
	}
	return nil
}

func checkFlaggerService(p *rules.Pass, o *manifest.Object, svc specNode, r flaggerRouter, what string) {
	if !svc.isMap() {
		return
	}
	for _, f := range flaggerServiceFields {
		x := svc.get(f.key)
		if !flaggerSet(x) || slices.Contains(r.service, f.key) {
			continue
		}
		p.Reportf(o, svc.keyLoc(f.key), "%s does not read %s: %s", what, x.path, f.lost)
	}
}

// flaggerSet reports whether a Canary field is set to something a router
// would use: not null, false, "", nor an empty list or mapping.
func flaggerSet(x specNode) bool {
	if !x.ok() {
		return false
	}
	if b, ok := x.boolean(); ok {
		return b
	}
	if v, ok := x.str(); ok {
		return v != ""
	}
	return x.n.Kind == yaml.ScalarNode || len(x.n.Content) > 0
}

func checkFlaggerAnalysis(p *rules.Pass, o *manifest.Object, a specNode, provider string, r flaggerRouter, what string) {
	iterations, _ := a.get("iterations").int()
	stepWeight, _ := a.get("stepWeight").int()
	progressive := stepWeight > 0 || len(a.get("stepWeights").items()) > 0
	match := len(a.get("match").items()) > 0
	mirror, _ := a.get("mirror").boolean()

	if match {
		switch {
		case provider == "kubernetes":
			p.Reportf(o, a.keyLoc("match"), "Flagger drops %s with the kubernetes provider, which cannot route requests: "+
				"it runs a Blue/Green analysis with no A/B test", a.get("match").path)
		case !r.match && iterations > 0:
			p.Reportf(o, a.keyLoc("match"), "%s does not read %s: its A/B test sends all the traffic to the canary, "+
				"not only the matching requests", what, a.get("match").path)
		case !r.match:
			p.Reportf(o, a.keyLoc("match"), "%s does not read %s: it shifts the weights of all the requests, "+
				"not only of the matching ones", what, a.get("match").path)
		}
	}

	mirrored := false
	if mirror {
		switch {
		case provider == "kubernetes":
			// The scheduler turns the analysis into a Blue/Green one.
			p.Reportf(o, a.keyLoc("mirror"), "%s: %s, and the canary receives none of the Service's traffic during the Blue/Green analysis",
				a.get("mirror").path, r.mirror)
		case match && iterations > 0:
			p.Reportf(o, a.keyLoc("mirror"), "%s: Flagger never mirrors during an A/B test (analysis.match with iterations): "+
				"only the matching requests reach the canary", a.get("mirror").path)
		case iterations > 0 && r.mirror != "":
			p.Reportf(o, a.keyLoc("mirror"), "%s: %s does not mirror (%s), and the canary receives none of the "+
				"Service's traffic during the Blue/Green analysis", a.get("mirror").path, what, r.mirror)
		case iterations > 0:
			mirrored = true
		case !progressive:
		case r.mirror != "":
			p.Reportf(o, a.keyLoc("mirror"), "%s: %s does not mirror (%s), so Flagger repeats its mirror step at every "+
				"interval and the canary weight never leaves 0", a.get("mirror").path, what, r.mirror)
		case r.mirrorBlueGreen:
			p.Reportf(o, a.keyLoc("mirror"), "%s: %s mirrors only in a Blue/Green analysis (iterations), so Flagger "+
				"repeats its mirror step at every interval and the canary weight never leaves 0", a.get("mirror").path, what)
		case match:
			p.Reportf(o, a.keyLoc("mirror"), "%s: the A/B routes that %s writes for analysis.match have no mirror, so "+
				"Flagger repeats its mirror step at every interval and the canary weight never leaves 0", a.get("mirror").path, what)
		case a.get("sessionAffinity").ok():
			// SetRoutes mirrors the first route, the sticky one, and
			// GetRoutes reads the last route to the canary, the
			// weighted one.
			p.Reportf(o, a.keyLoc("mirror"), "%s: with analysis.sessionAffinity %s sets the mirror on its session "+
				"route but reads it back from its weighted route, so Flagger repeats its mirror step at every interval and "+
				"the canary weight never leaves 0", a.get("mirror").path, what)
		default:
			mirrored = true
		}
	}

	if mw, ok := a.get("mirrorWeight").int(); ok && mw > 0 {
		switch {
		case !mirror:
			p.Reportf(o, a.keyLoc("mirrorWeight"), "%s is read only with analysis.mirror: true", a.get("mirrorWeight").path)
		case mirrored && !r.mirrorWeight:
			p.Reportf(o, a.keyLoc("mirrorWeight"), "%s does not read %s: it mirrors every request", what, a.get("mirrorWeight").path)
		}
	}

	if sa := a.get("sessionAffinity"); sa.ok() && !r.sessionAffinity {
		p.Reportf(o, a.keyLoc("sessionAffinity"), "%s does not read %s: no cookie keeps a user on the canary", what, sa.path)
	}
}
