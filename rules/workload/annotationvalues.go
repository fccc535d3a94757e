package workload

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/rules"
	"istio.io/api/annotation"
	"k8s.io/apimachinery/pkg/api/resource"
)

// AnnotationAlpha reports Istio annotations whose feature status is Alpha.
var AnnotationAlpha = &rules.Rule{
	ID:      "MR757",
	Name:    "annotation-alpha",
	Summary: "annotation of Istio is an alpha feature",
	Doc: `Alpha annotations may change or go away without the deprecation period of beta and stable
features, so an upgrade can silently change what they do. ` + "`istioctl x precheck`" + ` reports them
before upgrades.

As istioctl does, the annotations that the injector itself writes on pods
(` + "`sidecar.istio.io/interceptionMode`" + `, ` + "`traffic.sidecar.istio.io/includeInboundPorts`" + `,
` + "`traffic.sidecar.istio.io/excludeInboundPorts`" + `, ` + "`traffic.sidecar.istio.io/includeOutboundIPRanges`" + `) are
not reported on pods, nor is ` + "`inject.istio.io/templates`" + `, which Istio's own gateway injection
(` + "`inject.istio.io/templates: gateway`" + `) relies on. Keep the annotation if you need it, and check its documentation when
upgrading. ` + annotationDocNote,
	Bad:      webWithPodAnnotations("sidecar.istio.io/proxyCPU: 200m"),
	Good:     webWithPodAnnotations(`proxy.istio.io/config: "holdApplicationUntilProxyStarts: true"`),
	Severity: rules.Info,
	Inputs:   annotationInputs,
	Related:  []string{"IST0136"},
	Deps:     rules.DepNone,
	Run: func(p *rules.Pass) error {
		for _, u := range istioAnnotationUses(p) {
			if u.inst == nil || u.inst.FeatureStatus != annotation.Alpha {
				continue
			}
			if u.site.Kind == kinds.Pod && injectorWritten[u.key] || u.key == annotation.InjectTemplates.Name {
				continue
			}
			p.Reportf(u.site.Obj, u.loc(), "annotation %q of %s is an alpha feature: it may change without deprecation", u.key, u.where())
		}
		return nil
	},
}

// injectorWritten are the annotations istioctl's alpha check skips on pods,
// as the injector writes them.
var injectorWritten = map[string]bool{
	annotation.SidecarInterceptionMode.Name:               true,
	annotation.SidecarTrafficIncludeInboundPorts.Name:     true,
	annotation.SidecarTrafficExcludeInboundPorts.Name:     true,
	annotation.SidecarTrafficIncludeOutboundIPRanges.Name: true,
}

// annotationValidators check the values of the annotations whose format is
// simple and documented; most follow the injector's own validation.
var annotationValidators = map[string]func(string) error{
	annotation.SidecarInject.Name:                             validateInjectValue,
	annotation.SidecarInterceptionMode.Name:                   validateInterceptionMode,
	annotation.PrometheusMergeMetrics.Name:                    validateBool,
	annotation.SidecarStatusPort.Name:                         validateStatusPort,
	annotation.SidecarStatusReadinessInitialDelaySeconds.Name: validateUint32,
	annotation.SidecarStatusReadinessPeriodSeconds.Name:       validateUint32,
	annotation.SidecarStatusReadinessFailureThreshold.Name:    validateUint32,
	annotation.SidecarTrafficIncludeOutboundIPRanges.Name:     orStar(validateCIDRs),
	annotation.SidecarTrafficExcludeOutboundIPRanges.Name:     validateCIDRs,
	annotation.SidecarTrafficIncludeInboundPorts.Name:         orStar(validatePorts),
	annotation.SidecarTrafficExcludeInboundPorts.Name:         validatePorts,
	annotation.SidecarTrafficIncludeOutboundPorts.Name:        validatePorts,
	annotation.SidecarTrafficExcludeOutboundPorts.Name:        validatePorts,
	annotation.SidecarProxyCPU.Name:                           validateQuantity,
	annotation.SidecarProxyCPULimit.Name:                      validateQuantity,
	annotation.SidecarProxyMemory.Name:                        validateQuantity,
	annotation.SidecarProxyMemoryLimit.Name:                   validateQuantity,
}

// validateInjectValue follows the injector (injectRequired), which reads
// only "true" and "false", case and all: other values, y, yes and on
// included, are ignored with a warning in istiod's log, and the pod gets
// the injector's default policy (and its never/always selectors).
func validateInjectValue(v string) error {
	switch v {
	case "true", "false":
		return nil
	}
	return fmt.Errorf(`the injector reads only "true" and "false" and ignores any other value, so the pod gets its default policy`)
}

func validateInterceptionMode(v string) error {
	switch v {
	case "REDIRECT", "TPROXY", "NONE":
		return nil
	}
	return fmt.Errorf("want REDIRECT, TPROXY or NONE")
}

func validateBool(v string) error {
	if _, err := strconv.ParseBool(v); err != nil {
		return fmt.Errorf("want true or false")
	}
	return nil
}

func validateUint32(v string) error {
	if _, err := strconv.ParseUint(v, 10, 32); err != nil {
		return fmt.Errorf("want a non-negative integer")
	}
	return nil
}

func validatePort(v string) error {
	n, err := strconv.ParseUint(strings.TrimSpace(v), 10, 16)
	if err != nil || n == 0 {
		return fmt.Errorf("%q is not a port number (1-65535)", strings.TrimSpace(v))
	}
	return nil
}

// validateStatusPort accepts 0 besides ports: the annotation's
// documentation says the sidecar then provides no status.
func validateStatusPort(v string) error {
	if n, err := strconv.ParseUint(strings.TrimSpace(v), 10, 16); err == nil && n == 0 {
		return nil
	}
	return validatePort(v)
}

// listError is the error of a comma-separated list: what it is a list of,
// and what is wrong with one of its items.
type listError struct {
	of, why string
	star    bool
}

func (e listError) Error() string {
	if e.star {
		return fmt.Sprintf("want * or a comma-separated list of %s: %s", e.of, e.why)
	}
	return fmt.Sprintf("want a comma-separated list of %s: %s", e.of, e.why)
}

func validatePorts(v string) error {
	if strings.TrimSpace(v) == "" {
		return nil
	}
	for _, p := range strings.Split(v, ",") {
		if err := validatePort(p); err != nil {
			return listError{of: "ports", why: err.Error()}
		}
	}
	return nil
}

func validateCIDRs(v string) error {
	if v == "" {
		return nil
	}
	for _, c := range strings.Split(v, ",") {
		if _, err := netip.ParsePrefix(c); err != nil {
			why := fmt.Sprintf("%q is not a CIDR", c)
			if t := strings.TrimSpace(c); t != c {
				if _, err := netip.ParsePrefix(t); err == nil {
					why = fmt.Sprintf("%q has a space, which the injector does not strip: write the list without spaces", c)
				}
			} else if a, err := netip.ParseAddr(c); err == nil {
				why = fmt.Sprintf("%q has no prefix length (add /%d for the address alone)", c, a.BitLen())
			}
			return listError{of: "CIDRs", why: why}
		}
	}
	return nil
}

// orStar accepts "*" as well as the values validate accepts.
func orStar(validate func(string) error) func(string) error {
	return func(v string) error {
		if v == "*" {
			return nil
		}
		err := validate(v)
		var le listError
		if errors.As(err, &le) {
			le.star = true
			return le
		}
		return err
	}
}

func validateQuantity(v string) error {
	if _, err := resource.ParseQuantity(v); err != nil {
		return fmt.Errorf("want a Kubernetes quantity such as 100m or 128Mi")
	}
	return nil
}

// AnnotationInvalid reports Istio annotations whose value has the wrong
// format.
var AnnotationInvalid = &rules.Rule{
	ID:      "MR758",
	Name:    "annotation-invalid",
	Summary: "annotation of Istio has a value of the wrong format",
	Doc: `The sidecar injector validates some annotations and refuses to inject a pod whose value is
malformed (or, for the inject annotation, ignores a value other than true or false and applies
its default policy). Checked are the annotations whose format is simple and documented:

- ` + "`sidecar.istio.io/inject`" + `: exactly true or false (older releases also took y, yes, on and any
  case; the current injector does not);
- ` + "`sidecar.istio.io/interceptionMode`" + `: REDIRECT, TPROXY or NONE;
- ` + "`prometheus.istio.io/merge-metrics`" + `: a boolean;
- ` + "`status.sidecar.istio.io/port`" + `: a port, or 0 for no status port; the readiness probe
  settings (` + "`readiness.status.sidecar.istio.io/...`" + `): non-negative integers, without spaces;
- ` + "`traffic.sidecar.istio.io/includeOutboundIPRanges`" + ` (or ` + "`*`" + `) and ` + "`excludeOutboundIPRanges`" + `:
  comma-separated CIDRs, without spaces (the injector does not strip them);
- ` + "`traffic.sidecar.istio.io/includeInboundPorts`" + ` (or ` + "`*`" + `), ` + "`excludeInboundPorts`" + `,
  ` + "`includeOutboundPorts`" + ` and ` + "`excludeOutboundPorts`" + `: comma-separated ports;
- ` + "`sidecar.istio.io/proxyCPU`" + `, ` + "`proxyMemory`" + ` and their ` + "`Limit`" + ` variants: Kubernetes quantities.

` + "`proxy.istio.io/config`" + ` and the other annotations are not checked. ` + annotationDocNote,
	Bad:      webWithPodAnnotations(`traffic.sidecar.istio.io/excludeOutboundPorts: "5432;6379"`),
	Good:     webWithPodAnnotations(`traffic.sidecar.istio.io/excludeOutboundPorts: "5432,6379"`),
	Severity: rules.Warning,
	Inputs:   annotationInputs,
	Related:  []string{"IST0125"},
	Deps:     rules.DepNone,
	Run: func(p *rules.Pass) error {
		for _, u := range istioAnnotationUses(p) {
			validate := annotationValidators[u.key]
			if validate == nil {
				continue
			}
			if err := validate(u.site.Annotations[u.key]); err != nil {
				p.Reportf(u.site.Obj, u.loc(), "annotation %q of %s has the invalid value %q: %v", u.key, u.where(), u.site.Annotations[u.key], err)
			}
		}
		return nil
	},
}
