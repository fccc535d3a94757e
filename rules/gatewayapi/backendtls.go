package gatewayapi

import (
	"fmt"
	"slices"
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/spec"
	"github.com/meshlint/meshlint/rules"
)

// BackendTLSPolicyInvalid reports BackendTLSPolicies that a conforming
// implementation, and Istio, do not accept or cannot use: CA certificate
// references that do not resolve, targets that do not exist, conflicts
// between policies, and what the CRD's CEL rules reject.
var BackendTLSPolicyInvalid = &rules.Rule{
	ID:      "MR618",
	Name:    "gatewayapi-backendtls-policy-invalid",
	Summary: "caCertificateRef or targetRef of a Gateway API BackendTLSPolicy is missing or unusable, or the policy loses a conflict or breaks its CRD's CEL rules",
	Doc: `A BackendTLSPolicy makes the clients of the Services it targets originate TLS to them,
verifying the backend's certificate against ` + "`validation.caCertificateRefs`" + ` (or the system's
well-known CAs) and the name ` + "`validation.hostname`" + ` (also sent as SNI).

**Whom it governs in Istio.** Istio turns each accepted policy into a DestinationRule for the
target's host (` + "`name.namespace.svc.<domain>`" + `, or the hosts of a ServiceEntry) with
` + "`tls.mode: SIMPLE`" + ` (BackendTLSPolicyCollection and DestinationRuleCollection,
pilot/pkg/config/kube/gateway/backend_policies.go). That DestinationRule is read by every
client of the host: the Gateway API Gateways Istio deploys, and, as mesh traffic, sidecars and
waypoints too (the policy's status has an ancestor for the Service, written by
` + "`istio.io/mesh-controller`" + `, besides one per Gateway). A DestinationRule of your own for the same
host takes precedence field by field: its ` + "`trafficPolicy.tls`" + ` wins over the policy's. For a
target whose pods have sidecars, the policy replaces Istio's automatic mutual TLS to that host:
the client's proxy originates TLS itself, which a server sidecar in ` + "`STRICT`" + ` mode refuses, so
target backends that serve TLS themselves. Istio leaves out a policy annotated ` + "`istio.io/ignore-policy-attachment: \"true\"`" + `, and so does this rule.

The rule reports, as errors unless said otherwise:

- **CA certificate references** (` + "`ResolvedRefs: False`" + `). A reference of a kind other than a core
  ConfigMap (the API's core kind, and the only one Istio reads here: it does not take Secrets for
  backends) has reason ` + "`InvalidKind`" + `. A ConfigMap that does not exist (reported when the input
  holds another ConfigMap of the namespace, or with the closed-world setting), or whose data has
  no CA certificate that parses under ` + "`cacert`" + ` or ` + "`ca.crt`" + ` (Istio's order), has reason
  ` + "`InvalidCACertificateRef`" + `. When no reference is valid, the policy is not accepted
  (` + "`Accepted: False`" + `, ` + "`NoValidCACertificate`" + `) and Istio blocks the traffic to the target rather than
  send it unverified. A ` + "`ca.crt`" + ` that is there but does not parse passes Istio's status check
  (it looks for the key only), and connections fail all the same. Istio uses the first reference
  only and says so in its ` + "`Accepted`" + ` message: a second one is a warning.
- **Targets** (` + "`Accepted: False`" + `, ` + "`TargetNotFound`" + `, as Istio writes). A Service that does not exist
  (same conditions as a ConfigMap), a ` + "`sectionName`" + ` that names no port of the Service, and the same
  for Istio's ` + "`networking.istio.io`" + ` ServiceEntry, which Istio takes as a target too. Other kinds
  are a warning: the API leaves them to implementations, and Istio does not apply the policy to
  them. Targets are in the policy's namespace.
- **Conflicts** (` + "`Accepted: False`" + `, ` + "`Conflicted`" + `). When policies target the same object and
  ` + "`sectionName`" + ` (or both none), the oldest by ` + "`metadata.creationTimestamp`" + ` wins, then the first by
  namespace/name. Manifests rarely carry a creation time (the API server sets it): a policy
  without one is taken as not created yet, so newer than any that has one, and policies
  without one are ordered by namespace/name. The result does not depend on the order of files. The losing policy is
  reported, with the winner as related location. A policy without ` + "`sectionName`" + ` and one with it
  do not conflict: Istio applies the second to its port and the first to the other ports.
- **What the CRD's CEL rules reject**, which schema validation (MR001) does not evaluate: both or
  neither of ` + "`caCertificateRefs`" + ` and ` + "`wellKnownCACertificates`" + `; two ` + "`targetRefs`" + ` to the same object of
  which one only has a ` + "`sectionName`" + `, or with the same ` + "`sectionName`" + `; a ` + "`subjectAltNames`" + ` entry
  whose ` + "`hostname`" + ` or ` + "`uri`" + ` does not match its ` + "`type`" + `. The API server refuses such a policy.
- **wellKnownCACertificates** other than ` + "`System`" + `: Istio knows no other set (` + "`Accepted: False`" + `,
  ` + "`Invalid`" + `).`,
	Bad: backendTLSExample(`  ca.key: "the wrong key"
`, "tls"),
	Good: backendTLSExample(`  ca.crt: |
    -----BEGIN CERTIFICATE-----
    MIICKjCCAdCgAwIBAgIBATAKBggqhkjOPQQDAjA+MR4wHAYDVQQKExVtZXNobGlu
    dCB0ZXN0IGZpeHR1cmUxHDAaBgNVBAMTE2dhdGV3YXktY29uZm9ybWFuY2UwIBcN
    MjYwMTAxMDAwMDAwWhgPOTk5OTEyMzEwMDAwMDBaMD4xHjAcBgNVBAoTFW1lc2hs
    aW50IHRlc3QgZml4dHVyZTEcMBoGA1UEAxMTZ2F0ZXdheS1jb25mb3JtYW5jZTBZ
    MBMGByqGSM49AgEGCCqGSM49AwEHA0IABIzY0GVO7VeuQ46Pzi/VI2BP45YyQuJ6
    ElpxKn8290PYxbFL1t+kBJe4P922udLg9Y1UnDe0V1zEFer4YognDSajgbwwgbkw
    DgYDVR0PAQH/BAQDAgKEMB0GA1UdJQQWMBQGCCsGAQUFBwMBBggrBgEFBQcDAjAP
    BgNVHRMBAf8EBTADAQH/MB0GA1UdDgQWBBTMHawgy6AAkFxpTDfGCZzS/lSv/jBY
    BgNVHREEUTBPggEqggUqLm9yZ4IOKi53aWxkY2FyZC5vcmeCD2FiYy5leGFtcGxl
    LmNvbYIRb3RoZXIuZXhhbXBsZS5jb22CD3Rscy5leGFtcGxlLmNvbTAKBggqhkjO
    PQQDAgNIADBFAiEA4gcCmvefa1/cRHa1F5bYrJREEeoMYO22BV2g8yhn2zACIEM+
    ILOWzm1G6MvXwvzvKFheCEM2zRPr4DnoqnTYOo4m
    -----END CERTIFICATE-----
`, "https"),
	Severity: rules.Error,
	Inputs:   []kinds.Kind{kinds.BackendTLSPolicy, kinds.Service, kinds.ServiceEntry, kinds.ConfigMap},
	Deps:     rules.DepREF,
	Run:      runBackendTLSPolicyInvalid,
}

// backendTLSExample is a BackendTLSPolicy for port section of Service
// shop/payments, and its CA ConfigMap with data: the examples of MR618.
func backendTLSExample(data, section string) string {
	return `apiVersion: v1
kind: ConfigMap
metadata: {name: payments-ca, namespace: shop}
data:
` + data + `---
apiVersion: v1
kind: Service
metadata: {name: payments, namespace: shop}
spec:
  selector: {app: payments}
  ports:
  - {name: https, port: 443}
---
apiVersion: gateway.networking.k8s.io/v1
kind: BackendTLSPolicy
metadata: {name: payments, namespace: shop}
spec:
  targetRefs:
  - {group: "", kind: Service, name: payments, sectionName: ` + section + `}
  validation:
    caCertificateRefs:
    - {group: "", kind: ConfigMap, name: payments-ca}
    hostname: payments.example.com
`
}

func runBackendTLSPolicyInvalid(p *rules.Pass) error {
	notFound := map[*graph.PolicyTarget]bool{}
	rejected := map[*graph.BackendTLSPolicy]bool{}
	for _, pol := range p.Graph.BackendTLSPolicies {
		if pol.Ignored {
			continue
		}
		for i, t := range pol.Targets {
			if checkPolicyTarget(p, pol, i, t) {
				notFound[t] = true
			}
		}
		// Both run: each reports its own fields.
		dup := checkDuplicateTargets(p, pol)
		if checkBackendTLSValidation(p, pol) || dup {
			rejected[pol] = true
		}
	}
	checkPolicyConflicts(p, notFound, rejected)
	return nil
}

// checkPolicyTarget reports a target Istio does not find, as
// BackendTLSPolicyCollection does (TargetNotFound), and returns true when
// it did.
func checkPolicyTarget(p *rules.Pass, pol *graph.BackendTLSPolicy, i int, t *graph.PolicyTarget) bool {
	g := p.Graph
	ref := t.Ref
	if ref.Name == "" {
		return false // a schema error
	}
	what := fmt.Sprintf("targetRefs[%d]", i)
	const effect = "the policy does not apply to it (Accepted: False, reason TargetNotFound)"
	var kind kinds.Kind
	switch ref.GroupKind {
	case gkTargetService:
		kind = kinds.Service
	case gkTargetServiceEntry:
		kind = kinds.ServiceEntry
	default:
		loc := wrongRefLoc(t.Spec.Group.Loc, t.Spec.Kind.Loc, ref.NameLoc, ref.Kind == kinds.Service || ref.Kind == kinds.ServiceEntry)
		p.Reportf(pol.Obj, loc, "%s names %s %s/%s, a kind Istio does not apply BackendTLSPolicies to (it takes core Services, group \"\", and networking.istio.io ServiceEntries): %s",
			what, ref.GroupKind, ref.Namespace, ref.Name, effect).AtMost(rules.Warning)
		return true
	}
	if t.Service == nil && t.ServiceEntry == nil {
		var elsewhere []*graph.Service
		if kind == kinds.Service {
			for _, s := range graph.Distinct(g.ServicesNamed(ref.Name)) { // each Service once, whatever its copies
				if s.Namespace() != ref.Namespace {
					elsewhere = append(elsewhere, s)
				}
			}
		}
		if !g.Mesh.ClosedWorld && !g.HasKind(kind, ref.Namespace) && len(elsewhere) == 0 {
			return false // the target may be managed elsewhere
		}
		msg := fmt.Sprintf("%s names no %s %s/%s: %s", what, kind, ref.Namespace, ref.Name, effect)
		if len(elsewhere) > 0 {
			msg += fmt.Sprintf("; a Service %q exists in namespace %s, but a BackendTLSPolicy targets objects of its own namespace only", ref.Name, elsewhere[0].Namespace())
		}
		f := p.Reportf(pol.Obj, ref.NameLoc, "%s", msg)
		for _, s := range elsewhere {
			f.Relate(s.Obj, s.Obj.NameLoc, "Service %s/%s", s.Namespace(), s.Name())
		}
		return true
	}
	if t.SectionName == "" {
		return false
	}
	names, found := t.PortNames(t.SectionName)
	if found {
		return false
	}
	var target graph.Meta
	if t.Service != nil {
		target = t.Service.Meta
	} else {
		target = t.ServiceEntry.Meta
	}
	p.Reportf(pol.Obj, t.Spec.SectionName.Loc, "%s sectionName %q names no port of %s %s/%s (%s): %s",
		what, t.SectionName, kind, ref.Namespace, ref.Name, portNamesText(names), effect).
		Relate(target.Obj, target.Obj.NameLoc, "the %s", kind)
	return true
}

// portNamesText lists port names for a message.
func portNamesText(names []string) string {
	var named []string
	for _, n := range names {
		if n != "" {
			named = append(named, n)
		}
	}
	switch {
	case len(named) == 0 && len(names) == 0:
		return "it has no ports"
	case len(named) == 0:
		return "its ports have no names"
	}
	return "its ports: " + strings.Join(named, ", ")
}

// checkDuplicateTargets applies the CEL rules of spec.targetRefs: two
// references to the same object need distinct sectionNames, set on both.
// A mix of references with and without sectionName is reported once per
// object, a repeated sectionName at each repetition. It returns true when
// it reported anything: the API server rejects the policy.
func checkDuplicateTargets(p *rules.Pass, pol *graph.BackendTLSPolicy) bool {
	rejected := false
	mixed := map[graph.GroupKind]map[string]bool{}
	for j, b := range pol.Targets {
		same, other := -1, -1
		for i, a := range pol.Targets[:j] {
			if a.Ref.GroupKind != b.Ref.GroupKind || a.Ref.Name != b.Ref.Name {
				continue
			}
			switch {
			case a.SectionName == b.SectionName && same < 0:
				same = i
			case (a.SectionName == "") != (b.SectionName == "") && other < 0:
				other = i
			}
		}
		switch {
		case same >= 0:
			p.Reportf(pol.Obj, b.Spec.Loc, "targetRefs[%d] and targetRefs[%d] both name %s %q, with the same sectionName: the API server rejects the policy (sectionName must be unique when targetRefs includes 2 or more references to the same target)",
				same, j, b.Ref.GroupKind, b.Ref.Name)
		case other >= 0 && !mixed[b.Ref.GroupKind][b.Ref.Name]:
			if mixed[b.Ref.GroupKind] == nil {
				mixed[b.Ref.GroupKind] = map[string]bool{}
			}
			mixed[b.Ref.GroupKind][b.Ref.Name] = true
			p.Reportf(pol.Obj, b.Spec.Loc, "targetRefs[%d] and targetRefs[%d] both name %s %q, and only one of them has a sectionName: the API server rejects the policy (sectionName must be specified when targetRefs includes 2 or more references to the same target)",
				other, j, b.Ref.GroupKind, b.Ref.Name)
		default:
			continue
		}
		rejected = true
	}
	return rejected
}

// checkBackendTLSValidation reports what spec.validation gets wrong. It
// returns true when the API server rejects the policy for it.
func checkBackendTLSValidation(p *rules.Pass, pol *graph.BackendTLSPolicy) (rejected bool) {
	v := pol.Spec.Spec.Validation
	if v == nil {
		return false // required: a schema error
	}
	for i := range v.SubjectAltNames {
		if checkSubjectAltName(p, pol, i, &v.SubjectAltNames[i]) {
			rejected = true
		}
	}
	wk := v.WellKnownCACertificates
	switch {
	case wk.V != "" && len(v.CACertificateRefs) > 0:
		p.Reportf(pol.Obj, wk.Loc, "validation sets both wellKnownCACertificates and caCertificateRefs: the API server rejects the policy (must not contain both CACertificateRefs and WellKnownCACertificates)")
		return true
	case wk.V == "" && len(v.CACertificateRefs) == 0:
		loc := v.Loc
		if wk.Set {
			loc = wk.Loc
		}
		p.Reportf(pol.Obj, loc, "validation sets neither caCertificateRefs nor wellKnownCACertificates: the API server rejects the policy (must specify either CACertificateRefs or WellKnownCACertificates)")
		return true
	case wk.V != "":
		if wk.V != "System" {
			p.Reportf(pol.Obj, wk.Loc, "wellKnownCACertificates %q is not a set of CA certificates Istio knows (it knows System only): the policy is not accepted (Accepted: False, reason Invalid)", wk.V)
		}
		return rejected
	}
	checkBackendCACertificateRefs(p, pol)
	return rejected
}

// checkSubjectAltName applies the CEL rules of a subjectAltNames entry:
// hostname goes with type Hostname, uri with type URI. It returns true
// when it reported anything.
func checkSubjectAltName(p *rules.Pass, pol *graph.BackendTLSPolicy, i int, san *spec.SubjectAltName) (rejected bool) {
	what := fmt.Sprintf("subjectAltNames[%d]", i)
	const rejects = "the API server rejects the policy"
	for _, c := range []struct {
		typ   string
		field string
		value spec.Str
	}{{"Hostname", "hostname", san.Hostname}, {"URI", "uri", san.URI}} {
		switch {
		case san.Type.V == c.typ && c.value.V == "":
			p.Reportf(pol.Obj, san.Type.Loc, "%s has type %s but no %s: %s (SubjectAltName element must contain %s, if Type is set to %s)",
				what, c.typ, c.field, rejects, c.typ, c.typ)
			rejected = true
		case san.Type.V != c.typ && c.value.V != "":
			p.Reportf(pol.Obj, c.value.Loc, "%s has a %s but type %q: %s (SubjectAltName element must not contain %s, if Type is not set to %s)",
				what, c.field, san.Type.V, rejects, c.typ, c.typ)
			rejected = true
		}
	}
	return rejected
}

// The kinds Istio takes as the target of a BackendTLSPolicy
// (BackendTLSPolicyCollection): a core Service, and its own ServiceEntry.
var (
	gkTargetService      = graph.GroupKind{Group: kinds.GroupCore, Kind: kinds.Service}
	gkTargetServiceEntry = graph.GroupKind{Group: kinds.GroupIstioNetworking, Kind: kinds.ServiceEntry}
)

// checkBackendCACertificateRefs reports the caCertificateRefs that do not
// resolve to a usable CA certificate, as getBackendTLSCredentialName does
// for the first one and the API asks of each.
func checkBackendCACertificateRefs(p *rules.Pass, pol *graph.BackendTLSPolicy) {
	g := p.Graph
	type problem struct {
		loc     spec.Loc
		msg     string
		related *graph.ConfigMap
	}
	var problems []problem
	for i, c := range pol.CACertificateRefs {
		if c.Name == "" {
			continue // a schema error
		}
		what := fmt.Sprintf("caCertificateRefs[%d] %s", i, refText(c))
		if c.GroupKind != gkConfigMap {
			sr := &pol.Spec.Spec.Validation.CACertificateRefs[i]
			loc := wrongRefLoc(sr.Group.Loc, sr.Kind.Loc, c.NameLoc, c.Kind == kinds.ConfigMap)
			problems = append(problems, problem{loc: loc, msg: what + " is not a core ConfigMap, the kind the API requires and the only one Istio reads a backend's CA certificate from (ResolvedRefs: False, reason InvalidKind)"})
			continue
		}
		cm := g.FindConfigMap(c.Namespace, c.Name)
		if cm == nil {
			if g.Mesh.ClosedWorld || g.HasKind(kinds.ConfigMap, c.Namespace) {
				problems = append(problems, problem{loc: c.NameLoc, msg: what + " names no ConfigMap (ResolvedRefs: False, reason InvalidCACertificateRef)"})
			}
			continue
		}
		why := cm.CheckCABundle()
		if why == "" {
			continue
		}
		msg := what + " holds no usable CA certificate: " + why + " (ResolvedRefs: False, reason InvalidCACertificateRef)"
		if cm.CAKey() != "" {
			msg += "; Istio's status does not show it (it checks that " + cm.CAKey() + " is there, not that it parses), but the backend's certificate cannot be verified"
		}
		problems = append(problems, problem{loc: c.NameLoc, msg: msg, related: cm})
	}
	targets := policyTargetsText(pol)
	for _, pr := range problems {
		msg := pr.msg
		if len(problems) == len(pol.CACertificateRefs) {
			msg += "; no caCertificateRef is valid, so the policy is not accepted (Accepted: False, reason NoValidCACertificate) and Istio fails the connections to " + targets + " rather than send them unverified"
		} else {
			msg += "; connections that rely on it fail"
		}
		f := p.Reportf(pol.Obj, pr.loc, "%s", msg)
		if pr.related != nil {
			f.Relate(pr.related.Obj, pr.related.Obj.NameLoc, "the ConfigMap")
		}
	}
	if refs := pol.Spec.Spec.Validation.CACertificateRefs; len(refs) > 1 {
		p.Reportf(pol.Obj, refs[1].Loc, "validation has %d caCertificateRefs, and Istio uses the first only: it ignores the others (its Accepted condition says so)", len(refs)).AtMost(rules.Warning)
	}
}

// policyTargetsText names a policy's targets for a message.
func policyTargetsText(pol *graph.BackendTLSPolicy) string {
	var out []string
	for _, t := range pol.Targets {
		s := string(t.Ref.Kind) + " " + t.Ref.Namespace + "/" + t.Ref.Name
		if t.SectionName != "" {
			s += " port " + t.SectionName
		}
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		return "its targets"
	}
	return strings.Join(out, ", ")
}

// policyTargetKey identifies what a targetRefs entry selects: policies
// with equal keys conflict.
type policyTargetKey struct {
	gk                       graph.GroupKind
	namespace, name, section string
}

// checkPolicyConflicts reports the policies that lose a conflict: another
// policy targets the same object and section and takes precedence. Targets
// reported as not found are left out, as Istio decides conflicts for the
// targets it finds only, and so are the policies the API server rejects,
// which never exist to take precedence.
func checkPolicyConflicts(p *rules.Pass, notFound map[*graph.PolicyTarget]bool, rejected map[*graph.BackendTLSPolicy]bool) {
	type entry struct {
		pol *graph.BackendTLSPolicy
		t   *graph.PolicyTarget
		i   int
	}
	byKey := map[policyTargetKey][]entry{}
	var keys []policyTargetKey
	for _, pol := range p.Graph.BackendTLSPolicies {
		if pol.Ignored || rejected[pol] {
			continue
		}
		seen := map[policyTargetKey]bool{}
		for i, t := range pol.Targets {
			k := policyTargetKey{t.Ref.GroupKind, t.Ref.Namespace, t.Ref.Name, t.SectionName}
			if t.Ref.Name == "" || notFound[t] || seen[k] {
				continue // a duplicate is checkDuplicateTargets'
			}
			seen[k] = true
			if byKey[k] == nil {
				keys = append(keys, k)
			}
			byKey[k] = append(byKey[k], entry{pol, t, i})
		}
	}
	for _, k := range keys {
		es := byKey[k]
		if len(es) < 2 {
			continue
		}
		slices.SortStableFunc(es, func(a, b entry) int { return comparePolicies(a.pol, b.pol) })
		// Of the definitions of the winner, which MR017 reports, the
		// canonical one is named.
		win := es[0]
		for _, e := range es[1:] {
			if graph.SameObject(e.pol.Obj, win.pol.Obj) && graph.CompareDefinitions(e.pol.Obj, win.pol.Obj) < 0 {
				win = e
			}
		}
		section := ""
		if k.section != "" {
			section = " sectionName " + k.section
		}
		for _, e := range es[1:] {
			if graph.SameObject(e.pol.Obj, win.pol.Obj) {
				continue
			}
			p.Reportf(e.pol.Obj, e.t.Ref.NameLoc, "targetRefs[%d] targets %s %s/%s%s, as BackendTLSPolicy %s/%s does, which takes precedence (%s): this policy is not applied to it (Accepted: False, reason Conflicted)",
				e.i, k.gk, k.namespace, k.name, section, win.pol.Namespace(), win.pol.Name(), precedence(win.pol, e.pol)).
				Relate(win.pol.Obj, win.t.Ref.NameLoc, "the BackendTLSPolicy that takes precedence")
		}
	}
}

// comparePolicies orders BackendTLSPolicies by precedence, as the API
// says (graph.ComparePrecedence).
func comparePolicies(a, b *graph.BackendTLSPolicy) int {
	return graph.ComparePrecedence(a.Created, a.Namespace()+"/"+a.Name(), b.Created, b.Namespace()+"/"+b.Name())
}

// precedence says why win takes precedence over lose.
func precedence(win, lose *graph.BackendTLSPolicy) string {
	switch {
	case !win.Created.IsZero() && lose.Created.IsZero():
		return "it has a metadata.creationTimestamp and this one does not, so this one is created later"
	case !win.Created.IsZero() && win.Created.Before(lose.Created):
		return "it is older, by metadata.creationTimestamp"
	case !win.Created.IsZero():
		return "both have the same creation time, and its namespace/name sorts first"
	}
	return "neither has a metadata.creationTimestamp, and its namespace/name sorts first"
}
