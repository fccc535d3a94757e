package validation

import (
	"strconv"
	"strings"

	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/rules"
)

// AuthzPolicyInvalid reports AuthorizationPolicies that Istio's webhook
// rejects for their combination of fields.
var AuthzPolicyInvalid = &rules.Rule{
	ID:      "MR010",
	Name:    "authz-policy-invalid",
	Summary: "an AuthorizationPolicy combines fields that Istio rejects",
	Doc: `Istio's webhook rejects AuthorizationPolicies whose fields contradict each other:

- a ` + "`selector`" + ` label with an empty key or a ` + "`*`" + ` in its key or value (labels match exactly);
- more than one of ` + "`selector`" + `, ` + "`targetRef`" + ` and ` + "`targetRefs`" + `; a target reference with a namespace
  (even the policy's own: it always targets objects of the policy's namespace), or to anything
  but a Service, ServiceEntry, Gateway or GatewayClass;
- action ` + "`CUSTOM`" + ` without ` + "`provider.name`" + ` or without ` + "`rules`" + ` (write ` + "`rules: [{}]`" + ` to trigger it
  always), or using identity fields (namespaces, principals, service accounts, trust domains,
  ` + "`source.*`" + ` and ` + "`request.auth.*`" + ` conditions), which the external authorizer does not receive;
- a ` + "`provider`" + ` with another action;
- the annotation ` + "`istio.io/dry-run`" + ` on a ` + "`CUSTOM`" + ` or ` + "`AUDIT`" + ` policy, or with a value that is
  not a boolean (` + "`\"true\"`" + `, ` + "`\"false\"`" + `, or another form Go's ` + "`strconv.ParseBool`" + ` reads);
- action ` + "`DENY`" + ` without ` + "`rules`" + `: the policy would match nothing, which is never what was meant;
- an empty ` + "`from: []`" + ` or ` + "`to: []`" + `, a ` + "`from`" + ` without ` + "`source`" + ` or a ` + "`to`" + ` without ` + "`operation`" + `;
- ` + "`serviceAccounts`" + ` together with ` + "`principals`" + ` or ` + "`namespaces`" + `; empty strings in any list;
- a ` + "`when`" + ` condition without values, or with a key Istio does not support (such as
  ` + "`destination.namespace`" + ` or ` + "`destination.labels`" + `, which are not attributes of a request).

Note that ` + "`ALLOW`" + ` without ` + "`rules`" + ` is valid: it denies every request to the selected workloads.`,
	Bad: blockAdmin,
	Good: blockAdmin + `  rules:
  - to:
    - operation: {paths: [/admin/*]}
`,
	Severity: rules.Error,
	Inputs:   []kinds.Kind{kinds.AuthorizationPolicy},
	Related:  []string{"IST0106"},
	Local:    true,
	Run:      runAuthzPolicyInvalid,
}

// blockAdmin is AuthorizationPolicy shop/block-admin, a DENY policy for
// the storefront pods, up to its rules: the examples of MR010.
const blockAdmin = `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: block-admin
  namespace: shop
spec:
  selector: {matchLabels: {app: storefront}}
  action: DENY
`

// whenKeys are the condition keys Istio supports; prefixed ones end in "[" or ".".
var whenKeys = []string{
	"source.ip", "remote.ip", "source.namespace", "source.serviceAccount", "source.principal", "source.trustDomain",
	"request.auth.principal", "request.auth.audiences", "request.auth.presenter",
	"destination.ip", "destination.port", "connection.sni",
}

var whenPrefixes = []string{"request.headers[", "request.auth.claims[", "experimental.envoy.filters."}

// unsupportedWhen explains the keys people expect to work.
var unsupportedWhen = map[string]string{
	"destination.namespace": "the destination is the selected workload: use the policy's namespace and selector",
	"destination.labels":    "the destination is the selected workload: use the policy's selector",
	"destination.name":      "the destination is the selected workload: use the policy's selector",
	"destination.user":      "the destination is the selected workload: use the policy's selector",
}

func runAuthzPolicyInvalid(p *rules.Pass) error {
	for o := range objectsOf(p, kinds.GroupIstioSecurity, kinds.AuthorizationPolicy) {
		s := specOf(o)
		checkOneTarget(p, o, s, "Istio rejects the AuthorizationPolicy")
		// ValidateAuthorizationPolicy calls validateWorkloadSelector.
		checkSelectorLabels(p, o, s.get("selector").get("matchLabels"), "Istio rejects the AuthorizationPolicy")
		for ref := range s.get("targetRefs").items() {
			checkTargetRef(p, o, ref, "Istio rejects the AuthorizationPolicy")
		}
		if s.has("targetRef") {
			checkTargetRef(p, o, s.get("targetRef"), "Istio rejects the AuthorizationPolicy")
		}
		action, _ := s.get("action").str()
		if action == "" {
			action = "ALLOW"
		}
		ruleList := s.get("rules")
		provider := s.get("provider")
		switch action {
		case "CUSTOM":
			if name, _ := provider.get("name").str(); name == "" {
				reportAt(p, o, provider, s.get("action"), "action CUSTOM needs provider.name, the extension provider to call: Istio rejects the AuthorizationPolicy")
			}
			if ruleList.len() == 0 {
				p.Reportf(o, s.get("action").loc(), "action CUSTOM without rules is never triggered; write rules: [{}] to trigger it for every request: Istio rejects the AuthorizationPolicy")
			}
		case "DENY":
			if ruleList.len() == 0 {
				p.Reportf(o, s.get("action").loc(), "action DENY without rules matches nothing: add the rules that say what to deny; Istio rejects the AuthorizationPolicy")
			}
		}
		checkDryRun(p, o, action)
		if action != "CUSTOM" && provider.ok() {
			p.Reportf(o, s.keyLoc("provider"), "provider is only allowed with action CUSTOM, not %s: Istio rejects the AuthorizationPolicy", action)
		}
		for r := range ruleList.items() {
			checkAuthzRule(p, o, r, action == "CUSTOM")
		}
	}
	return nil
}

// checkDryRun reports an istio.io/dry-run annotation that the webhook's
// checkDryRunAnnotation refuses: istiod can shadow only ALLOW and DENY
// rules, and a value it cannot read leaves no way to tell which was meant.
func checkDryRun(p *rules.Pass, o *manifest.Object, action string) {
	const annotation = dryRunAnnotation
	v, ok := o.Annotations[annotation]
	if !ok {
		return
	}
	loc := annotationLoc(o, annotation)
	if action != "ALLOW" && action != "DENY" {
		p.Reportf(o, loc, "annotation %s is only supported on ALLOW and DENY policies, not %s: remove it; Istio rejects the AuthorizationPolicy", annotation, action)
		return
	}
	if _, err := strconv.ParseBool(v); err != nil {
		p.Reportf(o, loc, "annotation %s %q is not a boolean (true or false): Istio rejects the AuthorizationPolicy", annotation, v)
	}
}

// checkOneTarget reports a policy with more than one of selector,
// targetRef and targetRefs, which validateOneOfSelectorType and the CRD's
// CEL rule refuse, at the second.
func checkOneTarget(p *rules.Pass, o *manifest.Object, s node, rejects string) {
	var targets []string
	for _, f := range []string{"selector", "targetRef", "targetRefs"} {
		if s.has(f) {
			targets = append(targets, f)
		}
	}
	if len(targets) > 1 {
		p.Reportf(o, s.keyLoc(targets[1]), "only one of selector, targetRef and targetRefs may be set, not %s: %s", strings.Join(targets, " and "), rejects)
	}
}

// checkTargetRef reports what validatePolicyTargetReference refuses in a
// policy's target reference, rejects naming the policy Istio rejects.
func checkTargetRef(p *rules.Pass, o *manifest.Object, ref node, rejects string) {
	// validatePolicyTargetReference and the CRD's CEL rule refuse any
	// namespace, the policy's own included.
	if ns := ref.get("namespace"); ns.ok() {
		if v, _ := ns.str(); v != "" {
			p.Reportf(o, ns.loc(), "%s.namespace %q: a target reference cannot have a namespace, even the policy's own (it targets objects of the policy's namespace); remove it; %s", ref.where(), v, rejects)
		}
	}
	checkTargetKind(p, o, ref, rejects)
}

func checkAuthzRule(p *rules.Pass, o *manifest.Object, r node, custom bool) {
	const rejects = "Istio rejects the AuthorizationPolicy"
	for _, f := range []string{"from", "to"} {
		if x := r.get(f); x.isSeq() && x.len() == 0 {
			p.Reportf(o, r.keyLoc(f), "%s is present but empty: remove it or add an entry; %s", x.where(), rejects)
		}
	}
	for f := range r.get("from").items() {
		src := f.get("source")
		if !src.isMap() || !src.hasEntries() {
			reportAt(p, o, src, f, "%s needs a non-empty source; %s", f.where(), rejects)
			continue
		}
		if src.has("serviceAccounts") || src.has("notServiceAccounts") {
			for _, k := range []string{"principals", "notPrincipals", "namespaces", "notNamespaces"} {
				if src.has(k) {
					p.Reportf(o, src.keyLoc(k), "%s: serviceAccounts cannot be combined with %s; %s", src.where(), k, rejects)
				}
			}
		}
		for e := range src.entries() {
			checkNoEmpty(p, o, e.val)
			if custom {
				switch e.key {
				case "principals", "notPrincipals", "requestPrincipals", "notRequestPrincipals", "namespaces", "notNamespaces",
					"serviceAccounts", "notServiceAccounts", "trustDomains", "notTrustDomains":
					p.Reportf(o, e.keyLoc, "%s: action CUSTOM does not support identity fields such as %s; %s", src.where(), e.key, rejects)
				}
			}
		}
	}
	for t := range r.get("to").items() {
		op := t.get("operation")
		if !op.isMap() || !op.hasEntries() {
			reportAt(p, o, op, t, "%s needs a non-empty operation; %s", t.where(), rejects)
			continue
		}
		for e := range op.entries() {
			checkNoEmpty(p, o, e.val)
		}
	}
	for w := range r.get("when").items() {
		kx := w.get("key")
		key, ok := kx.str()
		if !ok {
			continue
		}
		if w.get("values").len() == 0 && w.get("notValues").len() == 0 {
			p.Reportf(o, kx.loc(), "%s: condition %q needs values or notValues; %s", w.where(), key, rejects)
		}
		checkNoEmpty(p, o, w.get("values"))
		checkNoEmpty(p, o, w.get("notValues"))
		if why, bad := unsupportedWhen[key]; bad {
			p.Reportf(o, kx.loc(), "%s: condition key %q is not supported (%s); %s", w.where(), key, why, rejects)
			continue
		}
		if !supportedWhen(key) {
			p.Reportf(o, kx.loc(), "%s: condition key %q is not supported; %s", w.where(), key, rejects)
			continue
		}
		if custom && (strings.HasPrefix(key, "source.") && key != "source.ip" || strings.HasPrefix(key, "request.auth.")) {
			p.Reportf(o, kx.loc(), "%s: action CUSTOM does not support condition %q; %s", w.where(), key, rejects)
		}
	}
}

func supportedWhen(key string) bool {
	for _, k := range whenKeys {
		if key == k {
			return true
		}
	}
	for _, pre := range whenPrefixes {
		if strings.HasPrefix(key, pre) && (pre[len(pre)-1] != '[' || strings.HasSuffix(key, "]") && len(key) > len(pre)+1) {
			return true
		}
	}
	return false
}

// checkNoEmpty reports empty strings in a list of strings.
func checkNoEmpty(p *rules.Pass, o *manifest.Object, list node) {
	for x := range list.strs() {
		if v, _ := x.str(); v == "" {
			p.Reportf(o, x.loc(), "%s is an empty string; Istio rejects the AuthorizationPolicy", x.where())
		}
	}
}
