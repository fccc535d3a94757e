package workload

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/meshlint/meshlint/internal/host"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/kubevalid"
	"github.com/meshlint/meshlint/rules"
	"istio.io/api/annotation"

	sigsyaml "sigs.k8s.io/yaml"
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
	annotation.SidecarTrafficIncludeOutboundPorts.Name:        validateIncludeOutboundPorts,
	annotation.SidecarTrafficExcludeOutboundPorts.Name:        validatePorts,
	annotation.SidecarTrafficExcludeInterfaces.Name:           validateInterfaces,
	annotation.SidecarTrafficKubevirtInterfaces.Name:          validateInterfaces,
	annotation.IoIstioRerouteVirtualInterfaces.Name:           validateInterfaces,
	annotation.SidecarProxyCPU.Name:                           validateQuantity,
	annotation.SidecarProxyCPULimit.Name:                      validateQuantity,
	annotation.SidecarProxyMemory.Name:                        validateQuantity,
	annotation.SidecarProxyMemoryLimit.Name:                   validateQuantity,
	annotation.ProxyConfig.Name:                               validateProxyConfig,
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

// validatePort follows the injector's parsePort, which takes any 16-bit
// number, 0 included.
func validatePort(v string) error {
	if _, err := strconv.ParseUint(strings.TrimSpace(v), 10, 16); err != nil {
		return fmt.Errorf("%q is not a port number (0-65535)", strings.TrimSpace(v))
	}
	return nil
}

// validateStatusPort accepts 0 besides ports, as the injector does: the
// annotation's documentation says the sidecar then provides no status.
func validateStatusPort(v string) error { return validatePort(v) }

// validateIncludeOutboundPorts checks a list the injector passes on
// unchecked (it is not in inject.AnnotationValidation): istio-init's
// iptables rules (capture.handleOutboundPortsInclude), or istio-cni, which
// validates it (plugin/sidecar_redirect.go), then fail on it.
func validateIncludeOutboundPorts(v string) error {
	if err := validatePorts(v); err != nil {
		return fmt.Errorf("%w; the injector passes it on, but the pod's traffic capture (istio-init or istio-cni) fails on it and the pod does not start", err)
	}
	return nil
}

// interfaceName is what the injector accepts as a network interface name
// (netutil.ValidateInterfaceNames).
var interfaceName = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9_.\-]*$`)

// validateInterfaces follows netutil.ValidateInterfaceNames: a
// comma-separated list of names of at most 15 characters (Linux's limit),
// spaces around them stripped.
func validateInterfaces(v string) error {
	if v == "" {
		return nil
	}
	for _, i := range strings.Split(v, ",") {
		i = strings.TrimSpace(i)
		var why string
		switch {
		case i == "":
			why = "an interface name is empty"
		case len(i) > 15:
			why = fmt.Sprintf("%q is longer than 15 characters", i)
		case !interfaceName.MatchString(i):
			why = fmt.Sprintf("%q is not an interface name (a letter, then letters, digits, '_', '.' or '-')", i)
		default:
			continue
		}
		return listError{of: "interface names", why: why}
	}
	return nil
}

// validateProxyConfig follows the injector's validateProxyConfig, which
// applies the annotation to the default ProxyConfig (protomarshal.ApplyYAML:
// YAML to JSON, then jsonpb, fields it does not know ignored) and validates
// the result (agent.ValidateMeshConfigProxyConfig). Checked are the YAML,
// and the fields whose values are simple; a field may be written with its
// JSON name or its proto name, as jsonpb reads both.
func validateProxyConfig(v string) error {
	js, err := sigsyaml.YAMLToJSON([]byte(v))
	if err != nil {
		return fmt.Errorf("want a ProxyConfig in YAML: %w", err)
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(js, &fields); err != nil {
		return errors.New(`want a ProxyConfig, a YAML mapping such as "holdApplicationUntilProxyStarts: true"`)
	}
	for _, c := range proxyConfigChecks {
		for _, name := range [...]string{c.json, c.proto} {
			if raw, ok := fields[name]; ok && string(raw) != "null" {
				if err := c.check(raw); err != nil {
					return fmt.Errorf("%s: %w", name, err)
				}
			}
		}
	}
	return nil
}

// proxyConfigChecks are the ProxyConfig fields validateProxyConfig checks:
// those whose value jsonpb must parse as a number or a duration, and those
// agent.ValidateMeshConfigProxyConfig checks simply.
var proxyConfigChecks = []struct {
	json, proto string
	check       func(json.RawMessage) error
}{
	{"drainDuration", "drain_duration", checkDrainDuration},
	{"terminationDrainDuration", "termination_drain_duration", func(raw json.RawMessage) error { _, err := jsonDuration(raw); return err }},
	{"proxyAdminPort", "proxy_admin_port", checkProxyPort},
	{"statusPort", "status_port", checkProxyPort},
	{"concurrency", "concurrency", checkInt32},
	{"proxyMetadata", "proxy_metadata", checkStringMap},
	{"discoveryAddress", "discovery_address", checkProxyAddress(true)},
	{"statsdUdpAddress", "statsd_udp_address", checkProxyAddress(false)},
}

// jsonDuration reads a duration as jsonpb does: a string that
// time.ParseDuration takes.
func jsonDuration(raw json.RawMessage) (time.Duration, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return 0, errors.New("want a duration such as 45s")
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration such as 45s", s)
	}
	return d, nil
}

// checkDrainDuration follows agent.ValidateDrainDuration.
func checkDrainDuration(raw json.RawMessage) error {
	d, err := jsonDuration(raw)
	switch {
	case err != nil:
		return err
	case d < time.Millisecond:
		return errors.New("must be at least 1ms")
	case d%time.Second != 0:
		return fmt.Errorf("%v is not a whole number of seconds, which Istio requires", d)
	}
	return nil
}

// jsonInt32 reads an int32 as jsonpb does: a number, quoted or not.
func jsonInt32(raw json.RawMessage) (int64, error) {
	s := strings.Trim(string(raw), `"`)
	n, err := strconv.ParseInt(s, 10, 32)
	if err != nil {
		return 0, fmt.Errorf("%s is not an integer", raw)
	}
	return n, nil
}

func checkInt32(raw json.RawMessage) error {
	_, err := jsonInt32(raw)
	return err
}

// checkStringMap checks a map<string, string>: jsonpb takes only strings
// as values, so an unquoted true or 1 in YAML fails it.
func checkStringMap(raw json.RawMessage) error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return errors.New("want a mapping of strings")
	}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		var s *string
		if json.Unmarshal(m[k], &s) != nil {
			return fmt.Errorf("the value of %s is %s, not a string: quote it", k, m[k])
		}
	}
	return nil
}

// checkProxyPort follows agent.ValidatePort.
func checkProxyPort(raw json.RawMessage) error {
	n, err := jsonInt32(raw)
	if err != nil {
		return err
	}
	if n < 1 || n > 65535 {
		return fmt.Errorf("%d is not a port number (1-65535)", n)
	}
	return nil
}

// checkProxyAddress follows agent.ValidateProxyAddress for host:port, but
// for the host name; required says that the address may not be empty.
func checkProxyAddress(required bool) func(json.RawMessage) error {
	return func(raw json.RawMessage) error {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return errors.New("want host:port")
		}
		if s == "" {
			if required {
				return errors.New("must not be empty")
			}
			return nil
		}
		_, port, err := host.SplitHostPort(s)
		if err != nil {
			return fmt.Errorf("%q is not host:port", s)
		}
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return fmt.Errorf("%q has no port number (1-65535)", s)
		}
		return nil
	}
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
	// Bounded: resource.ParseQuantity never ends on 1e-999999999.
	if _, err := kubevalid.ParseQuantity(v); err != nil && !errors.Is(err, kubevalid.ErrQuantityTooLarge) {
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
- ` + "`traffic.sidecar.istio.io/includeInboundPorts`" + ` (or ` + "`*`" + `), ` + "`excludeInboundPorts`" + ` and
  ` + "`excludeOutboundPorts`" + `: comma-separated port numbers (0 to 65535, as the injector reads them);
- ` + "`traffic.sidecar.istio.io/includeOutboundPorts`" + `: the same, although the injector passes it on
  unchecked: the pod's traffic capture (istio-init's iptables rules, or istio-cni) fails on a
  bad value, and the pod does not start;
- ` + "`traffic.sidecar.istio.io/excludeInterfaces`" + `, ` + "`kubevirtInterfaces`" + ` and
  ` + "`istio.io/reroute-virtual-interfaces`" + `: comma-separated interface names (a letter, then
  letters, digits, ` + "`_`" + `, ` + "`.`" + ` or ` + "`-`" + `; at most 15 characters);
- ` + "`sidecar.istio.io/proxyCPU`" + `, ` + "`proxyMemory`" + ` and their ` + "`Limit`" + ` variants: Kubernetes quantities;
- ` + "`proxy.istio.io/config`" + `: a YAML mapping, whose ` + "`drainDuration`" + ` is a whole number of seconds,
  ` + "`terminationDrainDuration`" + ` a duration, ` + "`statusPort`" + ` and ` + "`proxyAdminPort`" + ` ports from 1,
  ` + "`concurrency`" + ` an integer, ` + "`proxyMetadata`" + ` a mapping of strings (quoted: ` + "`\"true\"`" + `), and ` + "`discoveryAddress`" + ` and ` + "`statsdUdpAddress`" + ` host:port. The
  injector validates the whole ProxyConfig; its other fields are not checked.

The other annotations are not checked. ` + annotationDocNote,
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
