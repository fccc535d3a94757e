package workload

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/internal/yamlpath"
	"github.com/meshlint/meshlint/rules"
)

// bundleVersionAnnotation is the annotation of the Gateway API's CRDs that
// names the release they come from (gateway-api's consts.BundleVersionAnnotation).
const bundleVersionAnnotation = "gateway.networking.k8s.io/bundle-version"

// gatewayAPIMinimums are the Gateway API CRDs that istiod watches only
// from some bundle version on, by CRD name, with the kind they serve:
// istio/istio's MinimumCRDVersions (pkg/config/schema/gatewayapi), at the
// commit whose analyzer tests meshlint runs (fixtures/istioctl/README.md).
// kinds names the resources for messages.
var gatewayAPIMinimums = map[string]struct {
	kinds string
	min   semver
}{
	"grpcroutes.gateway.networking.k8s.io":         {"GRPCRoutes", semver{1, 1, 0}},
	"backendtlspolicies.gateway.networking.k8s.io": {"BackendTLSPolicies", semver{1, 4, 0}},
	"tlsroutes.gateway.networking.k8s.io":          {"TLSRoutes", semver{1, 5, 0}},
	"tcproutes.gateway.networking.k8s.io":          {"TCPRoutes", semver{1, 6, 0}},
}

// GatewayAPICRDBelowMinimum reports Gateway API CRDs that istiod ignores
// because of their bundle version.
var GatewayAPICRDBelowMinimum = &rules.Rule{
	ID:      "MR723",
	Name:    "gateway-api-crd-below-minimum",
	Summary: "bundle version of a Gateway API CRD is below Istio's minimum, so istiod ignores its resources",
	Doc: `GitOps repositories often vendor the Gateway API CRDs. istiod watches some of them only from a
minimum release of the Gateway API on, read from the CRD's ` + "`" + bundleVersionAnnotation + "`" + `
annotation: GRPCRoute from v1.1.0, BackendTLSPolicy from v1.4.0, TLSRoute from v1.5.0 and
TCPRoute from v1.6.0. Below it, and when the annotation is missing or not a version, istiod
filters the CRD out (its CRD watcher only logs it) and never processes the resources of that
kind: they are accepted by the API server and do nothing. After an upgrade of Istio over stale
CRDs, TLS passthrough Gateways report ` + "`attachedRoutes: 0`" + ` and program no listener.

Upgrade the Gateway API CRDs to at least the version named (` + "`kubectl apply`" + ` the
` + "`standard-install.yaml`" + ` or ` + "`experimental-install.yaml`" + ` of that release, whichever channel you
use). A pre-release counts as its release (v1.5.0-rc.1 is v1.5.0), as istiod rounds it up.

The minimums are those of istio/istio's ` + "`pkg/config/schema/gatewayapi`" + ` at the version
meshlint follows (1.31); an older Istio may require less (TLSRoute's minimum came with Istio
1.30). istioctl analyze (IST0176) reports the versions below the minimum, and not the CRDs without
a version, which istiod ignores all the same.`,
	Bad:      tlsRouteCRD("v1.4.1", "experimental", "v1alpha2"),
	Good:     tlsRouteCRD("v1.5.0", "standard", "v1"),
	Severity: rules.Warning,
	Inputs:   []kinds.Kind{kinds.CustomResourceDefinition},
	Related:  []string{"IST0176"},
	Local:    true,
	Run:      runGatewayAPICRDBelowMinimum,
}

// tlsRouteCRD is the TLSRoute CRD of the Gateway API's release bundle and
// channel, which serves TLSRoute at the API version: the examples of
// MR723.
func tlsRouteCRD(bundle, channel, version string) string {
	return `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: tlsroutes.gateway.networking.k8s.io
  annotations:
    gateway.networking.k8s.io/bundle-version: ` + bundle + `
    gateway.networking.k8s.io/channel: ` + channel + `
spec:
  group: gateway.networking.k8s.io
  names: {kind: TLSRoute, listKind: TLSRouteList, plural: tlsroutes, singular: tlsroute}
  scope: Namespaced
  versions:
  - name: ` + version + `
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object}}
`
}

func runGatewayAPICRDBelowMinimum(p *rules.Pass) error {
	for _, o := range p.Graph.Objects {
		if o.Kind != kinds.CustomResourceDefinition || o.Group != kinds.GroupAPIExtensions {
			continue
		}
		m, ok := gatewayAPIMinimums[o.Name]
		if !ok {
			continue
		}
		bv, ok := o.Annotations[bundleVersionAnnotation]
		if !ok {
			p.Reportf(o, o.NameLoc, "Gateway API CRD %s has no %s annotation: istiod requires one of at least %s and ignores the CRD, so it never processes %s",
				o.Name, bundleVersionAnnotation, m.min, m.kinds)
			continue
		}
		loc := annotationValueLoc(o, bundleVersionAnnotation)
		v, ok := parseSemver(bv)
		if !ok {
			p.Reportf(o, loc, "Gateway API CRD %s has bundle version %q, which is not a version: istiod ignores the CRD, so it never processes %s (Istio requires at least %s)",
				o.Name, bv, m.kinds, m.min)
			continue
		}
		if v.less(m.min) {
			p.Reportf(o, loc, "Gateway API CRD %s is at bundle version %s, below the %s Istio requires: istiod ignores the CRD, so it never processes %s; upgrade the Gateway API CRDs",
				o.Name, bv, m.min, m.kinds)
		}
	}
	return nil
}

// annotationValueLoc returns the location of the value of annotation key
// of o, or o's name.
func annotationValueLoc(o *manifest.Object, key string) manifest.Loc {
	if v := yamlpath.Field(yamlpath.Field(yamlpath.Field(o.Root(), "metadata"), "annotations"), key); v != nil {
		return manifest.LocOf(v)
	}
	return o.NameLoc
}

// semver is a version's major, minor and patch numbers.
type semver [3]uint64

func (v semver) String() string { return fmt.Sprintf("v%d.%d.%d", v[0], v[1], v[2]) }

func (v semver) less(w semver) bool {
	for i := range v {
		if v[i] != w[i] {
			return v[i] < w[i]
		}
	}
	return false
}

// looseSemver is the version syntax that istiod accepts (Masterminds
// semver's NewVersion): "v" optional, minor and patch optional, leading
// zeros allowed in them.
var looseSemver = regexp.MustCompile(`^v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?` +
	`(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?` +
	`(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?$`)

// parseSemver reads a bundle version as istiod does, without its
// pre-release, which istiod drops: v1.5.0-rc.1 is v1.5.0.
func parseSemver(s string) (semver, bool) {
	var v semver
	if len(s) > 256 {
		return v, false
	}
	m := looseSemver.FindStringSubmatch(s)
	if m == nil {
		return v, false
	}
	for i, part := range m[1:4] {
		if part == "" {
			continue
		}
		n, err := strconv.ParseUint(strings.TrimPrefix(part, "."), 10, 64)
		if err != nil {
			return v, false
		}
		v[i] = n
	}
	// A numeric pre-release identifier may not have a leading zero.
	if m[5] != "" {
		for _, id := range strings.Split(m[5], ".") {
			if len(id) > 1 && id[0] == '0' && strings.Trim(id, "0123456789") == "" {
				return v, false
			}
		}
	}
	return v, true
}
