package validation

import (
	"slices"

	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/internal/yamlpath"
	"github.com/meshlint/meshlint/rules"
)

// WebhookAnnotationRejected reports the annotations that Istio's webhook
// refuses on an object of its API groups whatever its spec says.
var WebhookAnnotationRejected = &rules.Rule{
	ID:      "MR024",
	Name:    "webhook-annotation-rejected",
	Summary: "an Istio object carries an annotation that Istio's webhook rejects on it",
	Doc: `Before it validates the spec of any kind of the ` + "`*.istio.io`" + ` API groups, Istio's webhook
(validateMetadata, which RegisterValidateFunc wraps around every kind's check) rejects the
object when it carries:

- the annotation ` + "`istio.io/dry-run`" + `, whatever its value, on any kind but AuthorizationPolicy
  (checkDryRunAnnotation): only authorization policies can be shadowed; a VirtualService,
  DestinationRule or PeerAuthentication cannot be tried out this way;
- the annotations ` + "`internal.istio.io/parents`" + ` or ` + "`internal.istio.io/parent-namespace`" + `, which
  istiod sets on the configuration it generates, and which would let an object claim the
  privileges of another; they come with a copy of generated configuration.

Remove the annotation. On an AuthorizationPolicy, ` + "`istio.io/dry-run`" + ` is MR010's to check (an
action other than ALLOW or DENY, a value that is not a boolean).`,
	Bad: `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
  namespace: shop
  annotations:
    istio.io/dry-run: "true"
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews, subset: v2}
`,
	Good: `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
  namespace: shop
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews, subset: v2}
`,
	Severity: rules.Error,
	Inputs:   istioKinds,
	Related:  []string{"IST0106"},
	Local:    true,
	Run:      runWebhookAnnotationRejected,
}

// istioKinds are the kinds of the API groups that Istio's webhook
// validates (its configuration's rules name the four *.istio.io groups).
var istioKinds = []kinds.Kind{
	kinds.Gateway, kinds.VirtualService, kinds.DestinationRule, kinds.ServiceEntry, kinds.Sidecar,
	kinds.WorkloadEntry, kinds.WorkloadGroup, kinds.EnvoyFilter, kinds.ProxyConfig,
	kinds.PeerAuthentication, kinds.AuthorizationPolicy, kinds.RequestAuthentication,
	kinds.Telemetry, kinds.WasmPlugin, kinds.TrafficExtension,
}

var istioGroups = []string{kinds.GroupIstioNetworking, kinds.GroupIstioSecurity, kinds.GroupIstioTelemetry, kinds.GroupIstioExtensions}

// internalAnnotations are constants.InternalParentNames and
// InternalParentNamespace, which validateMetadata refuses on every kind.
var internalAnnotations = []string{"internal.istio.io/parents", "internal.istio.io/parent-namespace"}

func runWebhookAnnotationRejected(p *rules.Pass) error {
	for _, o := range p.Graph.Objects {
		if !slices.Contains(istioGroups, o.Group) || len(o.Annotations) == 0 {
			continue
		}
		rejects := "Istio rejects the " + string(o.Kind)
		// validateMetadata stops at the first annotation it refuses; all
		// are reported, to be removed in one go.
		if _, ok := o.Annotations[dryRunAnnotation]; ok && o.Kind != kinds.AuthorizationPolicy {
			p.Reportf(o, annotationLoc(o, dryRunAnnotation), "annotation %s is only supported on AuthorizationPolicies, not on kind %s: remove it; %s", dryRunAnnotation, o.Kind, rejects)
		}
		for _, a := range internalAnnotations {
			if _, ok := o.Annotations[a]; ok {
				p.Reportf(o, annotationLoc(o, a), "annotation %s is istiod's own, for the configuration it generates, and may not be set by users: remove it; %s", a, rejects)
			}
		}
	}
	return nil
}

const dryRunAnnotation = "istio.io/dry-run"

// annotationLoc locates annotation key of o, or its name when the
// annotation is not written where expected (a kustomize patch).
func annotationLoc(o *manifest.Object, key string) manifest.Loc {
	md := yamlpath.Field(o.Root(), "metadata")
	loc := manifest.LocOf(yamlpath.Field(yamlpath.Field(md, "annotations"), key))
	if loc.IsZero() {
		loc = o.NameLoc
	}
	return loc
}
