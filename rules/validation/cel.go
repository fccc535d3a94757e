package validation

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/rules"
)

// The CEL rules (x-kubernetes-validations) of Istio's CRDs are enforced by
// the API server itself, webhook or not. Most repeat a check of the
// webhook, and the rule that mirrors that check reports them; the ones
// here are those no such rule covers: the webhook lacks them, or no rule
// mirrors the webhook's check of that kind. Each is reported by MR001 with
// the CRD's own message. TestCELRulesMapped lists every CEL rule of the
// embedded schemas and the check that covers it.

// celReport is how MR001 words a CEL rule's rejection: msg is the CRD's,
// where the path below the spec ("" for the spec itself).
func celReport(p *rules.Pass, o *manifest.Object, loc manifest.Loc, where, msg string) {
	p.Reportf(o, loc, "%s: the API server rejects it: %s", joinPath("spec", where), msg)
}

// celPortName is the CRDs' CEL rule on the port names of a WorkloadEntry
// (and a ServiceEntry endpoint, a WorkloadGroup template): a DNS-1123
// label shorter than 63 characters, where the webhook allows 63.
func celPortName(name string) bool { return len(name) < 63 && dns1123Label.MatchString(name) }

func runCELChecks(p *rules.Pass) {
	for o := range objectsOf(p, kinds.GroupIstioSecurity, kinds.PeerAuthentication) {
		celSelectorLabels(p, o, specOf(o).get("selector").get("matchLabels"))
	}
	for o := range objectsOf(p, kinds.GroupIstioSecurity, kinds.RequestAuthentication) {
		celRequestAuthentication(p, o, specOf(o))
	}
	for o := range objectsOf(p, kinds.GroupIstioNetworking, kinds.ProxyConfig, kinds.EnvoyFilter, kinds.WorkloadGroup, kinds.ServiceEntry, kinds.WorkloadEntry) {
		s := specOf(o)
		switch o.Kind {
		case kinds.ProxyConfig:
			celSelectorLabels(p, o, s.get("selector").get("matchLabels"))
		case kinds.EnvoyFilter:
			celEnvoyFilter(p, o, s)
		case kinds.WorkloadGroup:
			celWorkloadGroup(p, o, s)
		case kinds.ServiceEntry:
			for port := range s.get("ports").items() {
				// The webhook reads a targetPort of 0 as unset (MR003
				// lets it pass), but the CEL rule sees a value, and 0
				// is out of its range.
				if t := port.get("targetPort"); isZero(t) {
					celReport(p, o, t.loc(), t.where(), "port must be between 1-65535")
				}
			}
			// An endpoint port name the entry does not declare is
			// MR013's.
			declared := map[string]bool{}
			for port := range s.get("ports").items() {
				if name, ok := port.get("name").str(); ok {
					declared[name] = true
				}
			}
			for ep := range s.get("endpoints").items() {
				celLongPortNames(p, o, ep.get("ports"), declared)
			}
		case kinds.WorkloadEntry:
			celLongPortNames(p, o, s.get("ports"), nil)
		}
	}
	for o := range objectsOf(p, kinds.GroupIstioTelemetry, kinds.Telemetry) {
		celTelemetry(p, o, specOf(o))
	}
	for o := range objectsOf(p, kinds.GroupIstioExtensions, kinds.WasmPlugin, kinds.TrafficExtension) {
		celExtension(p, o, specOf(o))
	}
	runNetpolCELChecks(p)
}

func isEmptyString(x node) bool {
	v, ok := x.str()
	return ok && v == ""
}

func isZero(x node) bool {
	n, ok := x.int()
	return ok && n == 0
}

// celSelectorLabels reports the selector labels that the CRD's CEL rules
// refuse, for kinds whose webhook check no rule mirrors.
func celSelectorLabels(p *rules.Pass, o *manifest.Object, labels node) {
	for _, lp := range selectorLabelProblems(labels) {
		celReport(p, o, lp.loc, lp.where, lp.cel)
	}
}

// celLongPortNames reports the port names of exactly 63 characters, which
// the CEL rule refuses and the webhook's check lets through: a longer or
// malformed name is MR020's and, in a ServiceEntry endpoint, a name not in
// declared MR013's (declared is nil for a WorkloadEntry).
func celLongPortNames(p *rules.Pass, o *manifest.Object, ports node, declared map[string]bool) {
	for e := range ports.entries() {
		if len(e.key) == 63 && isDNS1123Label(e.key) && (declared == nil || declared[e.key]) {
			celReport(p, o, e.keyLoc, keyPath(ports, e.key), "port name must be valid")
		}
	}
}

// keyPath names the key of mapping m in a message.
func keyPath(m node, key string) string { return m.where() + "[" + strconv.Quote(key) + "]" }

// celOneOf reports, at the second of keys that s sets, the CEL rule that
// allows at most one of them.
func celOneOf(p *rules.Pass, o *manifest.Object, s node, msg string, keys ...string) {
	set := 0
	for _, k := range keys {
		if s.has(k) {
			set++
			if set == 2 {
				celReport(p, o, s.keyLoc(k), joinPath(s.where(), k), msg)
				return
			}
		}
	}
}

// celTargetRefNamespace reports a target reference with a namespace: the
// CEL rule refuses any, the object's own included.
func celTargetRefNamespace(p *rules.Pass, o *manifest.Object, ref node) {
	if ns := ref.get("namespace"); ns.ok() {
		if v, _ := ns.str(); v != "" {
			celReport(p, o, ns.loc(), ns.where(), "cross namespace referencing is not currently supported")
		}
	}
}

// celRequestAuthentication applies the RequestAuthentication CRD's CEL
// rule that the webhook lacks: it accepts jwks beside jwksUri. The
// selector, the target references and the JWKS URI's scheme, which the
// webhook refuses too (ValidateRequestAuthentication), are MR021's.
func celRequestAuthentication(p *rules.Pass, o *manifest.Object, s node) {
	for r := range s.get("jwtRules").items() {
		celOneOf(p, o, r, "only one of jwks or jwksUri can be set", "jwksUri", "jwks_uri", "jwks")
	}
}

// httpURL is the CEL rule url(self).getScheme() in ["http", "https"]:
// Kubernetes' CEL url() parses with url.ParseRequestURI, and fails (so
// the rule does) on a relative URL such as "example.com/keys".
func httpURL(s string) bool {
	u, err := url.ParseRequestURI(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https")
}

// celEnvoyFilter applies the EnvoyFilter CRD's CEL rules. The webhook
// (ValidateEnvoyFilter) checks none of them but the selector's values,
// which MR022, mirroring it, reports with the keys.
func celEnvoyFilter(p *rules.Pass, o *manifest.Object, s node) {
	celOneOf(p, o, s, "only one of targetRefs or workloadSelector can be set", "workloadSelector", "targetRefs")
	for ref := range s.get("targetRefs").items() {
		celTargetRefNamespace(p, o, ref)
	}
	for cp := range s.get("configPatches").items() {
		m := cp.get("match")
		if !m.isMap() {
			continue
		}
		const msg = "only support waypointMatch when context is WAYPOINT"
		ctx, _ := m.get("context").str()
		switch {
		case ctx == "WAYPOINT" && !m.has("waypoint"):
			x := m.get("context")
			celReport(p, o, x.loc(), x.where(), msg)
		case ctx != "WAYPOINT" && m.has("waypoint"):
			celReport(p, o, m.keyLoc("waypoint"), joinPath(m.where(), "waypoint"), msg)
		}
		if x := m.get("waypoint").get("portNumber"); x.ok() {
			if n, ok := x.int(); ok && !validPort(n) {
				celReport(p, o, x.loc(), x.where(), "port must be between 1-65535")
			}
		}
	}
}

// celWorkloadGroup applies the WorkloadGroup CRD's CEL rules. The webhook
// (ValidateWorkloadGroup) does not check the template, nor the port of a
// grpc probe, and checks the httpGet and tcpSocket ports (MR003's) and
// the httpGet scheme (MR023's).
func celWorkloadGroup(p *rules.Pass, o *manifest.Object, s node) {
	if x := s.get("probe").get("grpc").get("port"); x.ok() {
		if n, ok := x.int(); ok && !validPort(n) {
			celReport(p, o, x.loc(), x.where(), "port must be between 1-65535")
		}
	}
	t := s.get("template")
	addr := t.get("address")
	if a, ok := addr.str(); ok {
		if sock, unix := strings.CutPrefix(a, "unix://"); unix {
			if !strings.HasPrefix(sock, "/") && !strings.HasPrefix(sock, "@") {
				celReport(p, o, addr.loc(), addr.where(), "UDS must be an absolute path or abstract socket")
			}
			if strings.HasSuffix(a, "/") {
				celReport(p, o, addr.loc(), addr.where(), "UDS may not be a dir")
			}
			if t.has("ports") {
				celReport(p, o, t.keyLoc("ports"), joinPath(t.where(), "ports"), "UDS may not include ports")
			}
		}
	}
	ports := t.get("ports")
	for e := range ports.entries() {
		if !celPortName(e.key) {
			celReport(p, o, e.keyLoc, keyPath(ports, e.key), "port name must be valid")
		}
		if n, ok := e.val.int(); ok && !validPort(n) {
			celReport(p, o, e.val.loc(), e.val.where(), "port must be between 1-65535")
		}
	}
}

// celPolicyTarget applies the CEL rules that the CRDs of Telemetry,
// WasmPlugin and TrafficExtension share on how a policy picks its
// workloads: a selector or target references, not both, with no "*" nor
// empty key in the labels and no namespace in a reference.
// TrafficExtension has no targetRef: the schema reports one as unknown.
func celPolicyTarget(p *rules.Pass, o *manifest.Object, s node) {
	if o.Kind == kinds.TrafficExtension {
		celOneOf(p, o, s, "only one of targetRefs or selector can be set", "selector", "targetRefs")
	} else {
		celOneOf(p, o, s, "only one of targetRefs or selector can be set", "selector", "targetRef", "targetRefs")
		if ref := s.get("targetRef"); ref.isMap() {
			celTargetRefNamespace(p, o, ref)
		}
	}
	celSelectorLabels(p, o, s.get("selector").get("matchLabels"))
	for ref := range s.get("targetRefs").items() {
		celTargetRefNamespace(p, o, ref)
	}
}

// celTelemetry applies the Telemetry CRD's CEL rules (v1 and v1alpha1
// have the same). The webhook (ValidateTelemetry) checks no duration, and
// its tag override checks differ: it reads an absent operation as UPSERT
// and an empty value as none, where the CEL rules see only what is
// written.
func celTelemetry(p *rules.Pass, o *manifest.Object, s node) {
	celPolicyTarget(p, o, s)
	for m := range s.get("metrics").items() {
		// duration() in CEL is Go's time.ParseDuration, no space allowed.
		if x := m.get("reportingInterval"); x.ok() {
			if v, ok := x.str(); ok {
				if d, err := time.ParseDuration(v); err != nil || d < time.Millisecond {
					celReport(p, o, x.loc(), x.where(), "must be a valid duration greater than 1ms")
				}
			}
		}
		for ov := range m.get("overrides").items() {
			for e := range ov.get("tagOverrides").entries() {
				op := e.val.get("operation")
				switch v, _ := op.str(); v {
				case "REMOVE":
					if e.val.has("value") {
						celReport(p, o, e.val.keyLoc("value"), joinPath(e.val.where(), "value"), "value must not be set when operation is REMOVE")
					}
				case "UPSERT":
					// An absent value fails the rule too: CEL cannot
					// read it. One of another type is the schema's.
					if x := e.val.get("value"); !x.ok() || isEmptyString(x) {
						celReport(p, o, op.loc(), op.where(), "value must be set when operation is UPSERT")
					}
				}
			}
		}
	}
}

// celExtension applies the CEL rules of the WasmPlugin and
// TrafficExtension CRDs, whose Wasm settings are the same fields, at the
// spec of a WasmPlugin and under wasm in a TrafficExtension.
func celExtension(p *rules.Pass, o *manifest.Object, s node) {
	if !s.isMap() {
		return
	}
	celPolicyTarget(p, o, s)
	w := s
	if o.Kind == kinds.TrafficExtension {
		// Both set is a oneOf of the schema, which the validator reports.
		if !s.has("wasm") && !s.has("lua") {
			celReport(p, o, node{n: o.Node}.keyLoc("spec"), "", "exactly one of wasm or lua must be set")
		}
		w = s.get("wasm")
	}
	if x := w.get("url"); x.ok() {
		if v, ok := x.str(); ok && !wasmURL(v) {
			celReport(p, o, x.loc(), x.where(), "url must have schema one of [http, https, file, oci]")
		}
	}
	for env := range w.get("vmConfig").get("env").items() {
		if from, _ := env.get("valueFrom").str(); from == "HOST" && env.has("value") {
			celReport(p, o, env.keyLoc("value"), joinPath(env.where(), "value"), "value may only be set when valueFrom is INLINE")
		}
	}
}

// wasmURL is the CEL rule on a Wasm module's URL: isURL(self) ?
// url(self).getScheme() in ["", "http", "https", "oci", "file"] :
// isURL("http://" + self) && the same. Kubernetes' isURL is
// url.ParseRequestURI, so a URL without a scheme, such as
// "ghcr.io/org/filter:1.0", is read as an HTTP one, and url() parses again
// with url.Parse, failing the rule when that fails; "localhost:5000/f"
// has the scheme "localhost", which the rule refuses.
func wasmURL(s string) bool {
	if _, err := url.ParseRequestURI(s); err != nil {
		s = "http://" + s
		if _, err := url.ParseRequestURI(s); err != nil {
			return false
		}
	}
	u, err := url.Parse(s)
	if err != nil {
		return false
	}
	switch u.Scheme {
	case "", "http", "https", "oci", "file":
		return true
	}
	return false
}
