package netpol

import (
	"fmt"
	"maps"
	"strconv"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/config"
	"github.com/meshlint/meshlint/rules"
	"github.com/meshlint/meshlint/rules/ruletest"
	"go.yaml.in/yaml/v3"
	"k8s.io/apimachinery/pkg/api/validate/content"
)

// denyFiles runs MR401 and MR402 over files and returns, by rule ID and
// namespace, the content of the file each fix creates ("" for a finding
// without fix).
func denyFiles(t *testing.T, files map[string]string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, f := range ruletest.LintTree(t, files, "", config.DefaultMesh(), NoDefaultDenyIngress, NoDefaultDenyEgress) {
		key := f.Rule.ID + " " + f.Object.Namespace
		out[key] = ""
		if len(f.Fixes) > 0 {
			out[key] = f.Fixes[0].NewFiles[0].Content
		}
	}
	return out
}

const allowBackend = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: web:1, ports: [{containerPort: 8080}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: 8080}]
---
`

const allowGateway = `apiVersion: apps/v1
kind: Deployment
metadata: {name: ingressgateway, namespace: GWNS}
spec:
  selector: {matchLabels: {istio: ingressgateway}}
  template:
    metadata: {labels: {istio: ingressgateway}}
    spec: {containers: [{name: istio-proxy, image: proxyv2}]}
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: public, namespace: GWNS}
spec:
  selector: {istio: ingressgateway}
  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["*/shop.example.com"]}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: web, namespace: shop}
spec:
  hosts: [shop.example.com]
  gateways: [GWNS/public]
  http:
  - route: [{destination: {host: web}}]
---
`

// isolateWeb isolates shop/web for ingress.
const isolateWeb = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress: [{from: [{podSelector: {}}]}]
---
`

// TestDefaultDenyAllowGateway checks the peers between a Gateway's pods
// and a backend: both selectors in one peer for another namespace, the
// podSelector alone for the namespace itself, whose ingress deny is then
// withheld (the gateway's pods have external clients).
func TestDefaultDenyAllowGateway(t *testing.T) {
	other := denyFiles(t, map[string]string{"a.yaml": allowBackend + strings.ReplaceAll(allowGateway, "GWNS", "istio-ingress")})
	want := `  ingress:
  # VirtualService shop/web via Gateway istio-ingress/public
  - from:
    - namespaceSelector:
        matchLabels: {kubernetes.io/metadata.name: istio-ingress}
      podSelector:
        matchLabels: {istio: ingressgateway}
    ports:
    - {protocol: TCP, port: 8080}
`
	if got := other["MR401 shop"]; !strings.Contains(got, "  name: allow-web-ingress\n") || !strings.Contains(got, want) {
		t.Errorf("ingress fix of shop:\n%s\nwant a policy allow-web-ingress with\n%s", got, want)
	}
	if got, ok := other["MR401 istio-ingress"]; !ok || got != "" {
		t.Errorf("ingress fix of the gateway's namespace: %q (reported: %t), want none", got, ok)
	}
	wantEgress := `  # VirtualService shop/web via Gateway istio-ingress/public
  - to:
    - namespaceSelector:
        matchLabels: {kubernetes.io/metadata.name: shop}
      podSelector:
        matchLabels: {app: web}
    ports:
    - {protocol: TCP, port: 8080}
`
	if got := other["MR402 istio-ingress"]; !strings.Contains(got, "  name: allow-ingressgateway-egress\n") || !strings.Contains(got, wantEgress) {
		t.Errorf("egress fix of the gateway's namespace:\n%s\nwant\n%s", got, wantEgress)
	}

	// A workload that a policy isolates already keeps that policy.
	isolated := denyFiles(t, map[string]string{"a.yaml": isolateWeb + allowBackend + strings.ReplaceAll(allowGateway, "GWNS", "istio-ingress")})
	if got := isolated["MR401 shop"]; got == "" || strings.Contains(got, "allow-web") {
		t.Errorf("ingress fix of shop with web isolated:\n%s\nwant the deny alone", got)
	}

	same := denyFiles(t, map[string]string{"a.yaml": allowBackend + strings.ReplaceAll(allowGateway, "GWNS", "shop")})
	if got := same["MR401 shop"]; got != "" {
		t.Errorf("ingress fix of a namespace with gateway pods:\n%s\nwant none", got)
	}
	wantLocal := `  - to:
    - podSelector:
        matchLabels: {app: web}
`
	if got := same["MR402 shop"]; !strings.Contains(got, wantLocal) {
		t.Errorf("egress fix of shop:\n%s\nwant\n%s", got, wantLocal)
	}
}

// TestDefaultDenyWithheld checks that the ingress fix is withheld where a
// workload that the deny isolates has clients no allow can name, or
// cannot be selected, and offered once a policy isolates it already.
func TestDefaultDenyWithheld(t *testing.T) {
	cases := map[string]string{
		"LoadBalancer": strings.Replace(allowBackend, "spec:\n  selector: {app: web}", "spec:\n  type: LoadBalancer\n  selector: {app: web}", 1),
		"NodePort":     strings.Replace(allowBackend, "spec:\n  selector: {app: web}", "spec:\n  type: NodePort\n  selector: {app: web}", 1),
		"Ingress": allowBackend + `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: shop}
spec:
  defaultBackend: {service: {name: web, port: {number: 80}}}
`,
		"istiod": strings.ReplaceAll(allowBackend, "app: web", "app: istiod"),
		"admission webhook": allowBackend + `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {name: web-validator}
webhooks:
- name: validate.web.example.com
  clientConfig: {service: {namespace: shop, name: web, path: /validate}}
  admissionReviewVersions: [v1]
  sideEffects: None
  rules: [{apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [configmaps]}]
`,
		"Gateway API pods": allowBackend + `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: edge, namespace: shop}
spec:
  gatewayClassName: istio
  listeners: [{name: http, port: 80, protocol: HTTP}]
`,
		"unlabelled destination": `apiVersion: v1
kind: Pod
metadata: {name: api, namespace: shop}
spec: {containers: [{name: api, image: api:1}]}
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: web, labels: {app: client}}
spec: {containers: [{name: client, image: client:1}]}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: api, namespace: shop}
spec:
  rules: [{from: [{source: {namespaces: [web]}}]}]
`,
	}
	for name, in := range cases {
		t.Run(name, func(t *testing.T) {
			got := denyFiles(t, map[string]string{"a.yaml": in})
			if c, ok := got["MR401 shop"]; !ok || c != "" {
				t.Errorf("ingress fix: %q (reported: %t), want none:\n%s", c, ok, in)
			}
			if got["MR402 shop"] == "" {
				t.Errorf("no egress fix")
			}
			if name == "unlabelled destination" || name == "Gateway API pods" {
				return // the isolated pods are not web's
			}
			// Once a policy isolates the workload, the deny changes
			// nothing for it.
			got = denyFiles(t, map[string]string{"a.yaml": isolateWeb + strings.ReplaceAll(in, "app: istiod", "app: web")})
			if got["MR401 shop"] == "" {
				t.Errorf("no ingress fix with web isolated already")
			}
		})
	}
}

// TestDefaultDenyAllowNames checks that an allow policy takes a name no
// NetworkPolicy of the namespace has, that the file parses with its
// values quoted where YAML would read another type, and that it is the
// same from run to run.
func TestDefaultDenyAllowNames(t *testing.T) {
	in := strings.ReplaceAll(allowBackend, "{app: web}", `{app: web, version: "1.0", "on": "yes"}`) + `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-web-ingress, namespace: shop}
spec:
  podSelector: {matchLabels: {app: other}}
  policyTypes: [Egress]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: client, namespace: shop}
spec:
  selector: {matchLabels: {app: client}}
  template:
    metadata: {labels: {app: client}}
    spec: {containers: [{name: client, image: client:1}]}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  rules: [{from: [{source: {principals: [cluster.local/ns/shop/sa/default]}}]}]
`
	// The gateway gives allow-web-2-ingress a second rule, whose order
	// must not change.
	in += "---\n" + strings.ReplaceAll(allowGateway, "GWNS", "istio-ingress")
	first := denyFiles(t, map[string]string{"a.yaml": in})
	got := first["MR401 shop"]
	if !strings.Contains(got, "  name: allow-web-2-ingress\n") || strings.Contains(got, "  name: allow-web-ingress\n") {
		t.Errorf("ingress fix:\n%s\nwant allow-web-2-ingress, not allow-web-ingress", got)
	}
	if want := `matchLabels: {app: web, "on": "yes", version: "1.0"}`; !strings.Contains(got, want) {
		t.Errorf("ingress fix:\n%s\nwant %s", got, want)
	}
	// An AuthorizationPolicy source of the namespace itself: the
	// podSelector alone, on every port.
	if want := "  - from:\n    - podSelector: {}\n"; !strings.HasSuffix(got, want) {
		t.Errorf("ingress fix:\n%s\nwant\n%s", got, want)
	}
	for _, id := range []string{"MR401 shop", "MR402 shop"} {
		dec := yaml.NewDecoder(strings.NewReader(first[id]))
		for {
			var doc struct {
				Metadata struct{ Name string }
				Spec     struct {
					PodSelector struct{ MatchLabels map[string]string } `yaml:"podSelector"`
				}
			}
			if err := dec.Decode(&doc); err != nil {
				if err.Error() != "EOF" {
					t.Errorf("%s: %v\n%s", id, err, first[id])
				}
				break
			}
			if v, ok := doc.Spec.PodSelector.MatchLabels["version"]; ok && v != "1.0" {
				t.Errorf("%s: %s selects version %q", id, doc.Metadata.Name, v)
			}
		}
	}
	for range 5 {
		again := denyFiles(t, map[string]string{"a.yaml": in})
		for id, c := range first {
			if again[id] != c {
				t.Fatalf("%s differs between runs:\n%s\nthen\n%s", id, c, again[id])
			}
		}
	}
}

// TestDefaultDenyEgressGrouped checks that a source with more destinations
// than maxEgressPeers gets one rule per destination namespace.
func TestDefaultDenyEgressGrouped(t *testing.T) {
	var b strings.Builder
	b.WriteString("apiVersion: v1\nkind: Namespace\nmetadata: {name: shop, labels: {istio-injection: enabled}}\n---\n")
	b.WriteString("apiVersion: v1\nkind: Namespace\nmetadata: {name: back, labels: {istio-injection: enabled}}\n---\n")
	b.WriteString(strings.ReplaceAll(strings.ReplaceAll(allowBackend, "web", "client"), "8080", "7000"))
	for i := range maxEgressPeers + 1 {
		n := "svc" + string(rune('a'+i))
		b.WriteString(strings.ReplaceAll(strings.ReplaceAll(allowBackend, "web", n), "namespace: shop", "namespace: back"))
		b.WriteString("apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: " + n + ", namespace: back}\nspec:\n  hosts: [" + n + "]\n  http: [{route: [{destination: {host: " + n + "}}]}]\n---\n")
	}
	got := denyFiles(t, map[string]string{"a.yaml": b.String()})["MR402 shop"]
	want := `  egress:
  # VirtualService back/svca for the mesh clients of every namespace
  # VirtualService back/svcb for the mesh clients of every namespace
  # VirtualService back/svcc for the mesh clients of every namespace
  # and 6 more
  - to:
    - namespaceSelector:
        matchLabels: {kubernetes.io/metadata.name: back}
    ports:
    - {protocol: TCP, port: 8080}
`
	if !strings.Contains(got, want) {
		t.Errorf("egress fix:\n%s\nwant\n%s", got, want)
	}
}

// TestDefaultDenyEgressDoc keeps MR402's documentation in step with the
// bound on a source's egress rules.
func TestDefaultDenyEgressDoc(t *testing.T) {
	if want := fmt.Sprintf("more than %d destinations", maxEgressPeers); !strings.Contains(NoDefaultDenyEgress.Doc, want) {
		t.Errorf("MR402's Doc does not say %q", want)
	}
}

// TestPlainWord checks that the fast path of yamlScalar agrees with its
// regular expressions wherever it answers.
func TestPlainWord(t *testing.T) {
	for _, s := range []string{"web", "app.kubernetes.io/name", "v1", "Yes", "NULL", "on", "y", "n", "x-y_z", "a b", "1a", "", ".inf", "~", "true", "Truex", "é", "a:b"} {
		regex := plainScalar.MatchString(s) && !yamlSpecial.MatchString(s)
		if plainWord(s) && !regex {
			t.Errorf("plainWord(%q) is true, but the expressions would quote it", s)
		}
	}
	if !plainWord("web") || plainWord("yes") {
		t.Errorf("plainWord misses the common cases")
	}
}

// applyDenies returns files with the files that the fixes of MR401 and
// MR402 create added, and the rules' findings.
func applyDenies(t *testing.T, files map[string]string) (map[string]string, map[string]string) {
	t.Helper()
	out := maps.Clone(files)
	got := map[string]string{}
	for _, f := range ruletest.LintTree(t, files, "", config.DefaultMesh(), NoDefaultDenyIngress, NoDefaultDenyEgress) {
		key := f.Rule.ID + " " + f.Object.Namespace
		got[key] = ""
		if len(f.Fixes) > 0 {
			nf := f.Fixes[0].NewFiles[0]
			out[nf.Path], got[key] = nf.Content, nf.Content
		}
	}
	return out, got
}

// lintMessages returns the messages of rule r over files.
func lintMessages(t *testing.T, files map[string]string, r *rules.Rule) []string {
	t.Helper()
	var out []string
	for _, f := range ruletest.LintTree(t, files, "", config.DefaultMesh(), r) {
		out = append(out, f.Message)
	}
	return out
}

// TestDefaultDenyUndeclaredPort checks that the ingress fix is withheld
// when a route targets a port that the pods, which declare others, do not
// declare: the allow would make MR410 report it.
func TestDefaultDenyUndeclaredPort(t *testing.T) {
	in := strings.ReplaceAll(allowBackend, "{containerPort: 8080}", "{containerPort: 9090, name: metrics}") + strings.ReplaceAll(allowGateway, "GWNS", "istio-ingress")
	files, got := applyDenies(t, map[string]string{"a.yaml": in})
	if c, ok := got["MR401 shop"]; !ok || c != "" {
		t.Errorf("ingress fix of shop:\n%s\nwant none", c)
	}
	if msgs := lintMessages(t, files, PortNotExposed); len(msgs) > 0 {
		t.Errorf("MR410 after the fixes: %q", msgs)
	}
	// Declared, the port gets its allow.
	if _, got := applyDenies(t, map[string]string{"a.yaml": allowBackend + strings.ReplaceAll(allowGateway, "GWNS", "istio-ingress")}); !strings.Contains(got["MR401 shop"], "allow-web-ingress") {
		t.Errorf("ingress fix of shop:\n%s\nwant allow-web-ingress", got["MR401 shop"])
	}
}

// TestDefaultDenyDeniedSource checks that no ingress allow admits the
// source of a DENY rule that denies it every request: the fix is withheld
// rather than open the NetworkPolicies to what the AuthorizationPolicy
// refuses; a DENY rule with an operation names a client, which stays open.
func TestDefaultDenyDeniedSource(t *testing.T) {
	in := allowBackend + `apiVersion: apps/v1
kind: Deployment
metadata: {name: evil, namespace: untrusted}
spec:
  selector: {matchLabels: {app: evil}}
  template:
    metadata: {labels: {app: evil}}
    spec: {containers: [{name: e, image: e:1}]}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: deny-untrusted, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  action: DENY
  rules:
  - from: [{source: {namespaces: [untrusted]}}]
`
	_, got := applyDenies(t, map[string]string{"a.yaml": in})
	if c, ok := got["MR401 shop"]; !ok || c != "" {
		t.Errorf("ingress fix of shop:\n%s\nwant none", c)
	}
	withTo := strings.Replace(in, "[{source: {namespaces: [untrusted]}}]", "[{source: {namespaces: [untrusted]}}]\n    to: [{operation: {paths: [/admin]}}]", 1)
	_, got = applyDenies(t, map[string]string{"a.yaml": withTo})
	if want := "matchLabels: {kubernetes.io/metadata.name: untrusted}"; !strings.Contains(got["MR401 shop"], want) {
		t.Errorf("ingress fix of shop with a DENY of /admin:\n%s\nwant %s", got["MR401 shop"], want)
	}
	// A trust domain narrows the source to some of untrusted's pods, and
	// a dry-run policy denies nothing: untrusted is a client either way.
	for name, variant := range map[string]string{
		"trustDomains": strings.Replace(in, "{namespaces: [untrusted]}", "{namespaces: [untrusted], trustDomains: [other.example]}", 1),
		"dry-run":      strings.Replace(in, "metadata: {name: deny-untrusted, namespace: shop}", "metadata: {name: deny-untrusted, namespace: shop, annotations: {istio.io/dry-run: \"true\"}}", 1),
	} {
		_, got = applyDenies(t, map[string]string{"a.yaml": variant})
		if want := "matchLabels: {kubernetes.io/metadata.name: untrusted}"; !strings.Contains(got["MR401 shop"], want) {
			t.Errorf("ingress fix of shop with a DENY (%s):\n%s\nwant %s", name, got["MR401 shop"], want)
		}
	}
	// A serviceAccounts entry denies the pods of that service account.
	bySA := strings.Replace(strings.Replace(in, "{namespaces: [untrusted]}", "{serviceAccounts: [untrusted/evil]}", 1),
		"spec: {containers: [{name: e, image: e:1}]}", "spec: {serviceAccountName: evil, containers: [{name: e, image: e:1}]}", 1)
	_, got = applyDenies(t, map[string]string{"a.yaml": bySA})
	if c, ok := got["MR401 shop"]; !ok || c != "" {
		t.Errorf("ingress fix of shop with a DENY of serviceAccounts:\n%s\nwant none", c)
	}
}

// isolatedBatch has shop/batch isolated for egress by a policy of its own,
// and an AuthorizationPolicy of namespace back that admits namespace shop.
const isolatedBatch = `apiVersion: apps/v1
kind: Deployment
metadata: {name: batch, namespace: shop}
spec:
  selector: {matchLabels: {app: batch}}
  template:
    metadata: {labels: {app: batch}}
    spec: {containers: [{name: b, image: b:1}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: batch, namespace: shop}
spec:
  podSelector: {matchLabels: {app: batch}}
  policyTypes: [Egress]
  egress: [{to: [{ipBlock: {cidr: 10.0.0.0/8}}], ports: [{port: 443}]}]
---
`

// TestDefaultDenyNamespaceSourceIsolated checks that the egress allow of
// an AuthorizationPolicy's source namespace leaves alone the pods that a
// policy isolates already: it selects the others.
func TestDefaultDenyNamespaceSourceIsolated(t *testing.T) {
	in := isolatedBatch + strings.ReplaceAll(isolatedBatch[:strings.Index(isolatedBatch, "---")+4], "batch", "frontend") +
		strings.ReplaceAll(allowBackend, "namespace: shop", "namespace: back") + `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: web, namespace: back}
spec:
  selector: {matchLabels: {app: web}}
  rules: [{from: [{source: {namespaces: [shop]}}]}]
`
	_, got := applyDenies(t, map[string]string{"a.yaml": in})
	want := `  name: allow-namespace-egress
  namespace: shop
spec:
  podSelector:
    matchExpressions:
    - {key: app, operator: NotIn, values: [batch]}
  policyTypes: [Egress]
`
	if !strings.Contains(got["MR402 shop"], want) {
		t.Errorf("egress fix of shop:\n%s\nwant\n%s", got["MR402 shop"], want)
	}
}

// TestDefaultDenyExcludesIsolated checks that an allow policy for a
// workload leaves out a workload whose labels include the first's and
// that a policy isolates already: selecting it would open it, here to
// every namespace (MR406).
func TestDefaultDenyExcludesIsolated(t *testing.T) {
	in := "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop, labels: {istio-injection: enabled}}\n---\n" +
		"apiVersion: v1\nkind: Namespace\nmetadata: {name: front, labels: {istio-injection: enabled}}\n---\n" + allowBackend + `apiVersion: apps/v1
kind: Deployment
metadata: {name: vault, namespace: shop}
spec:
  selector: {matchLabels: {app: web, role: secret}}
  template:
    metadata: {labels: {app: web, role: secret, meshlint.io/sensitive: "true"}, annotations: {sidecar.istio.io/inject: "false"}}
    spec: {containers: [{name: v, image: v:1, ports: [{containerPort: 8080}]}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: vault, namespace: shop}
spec:
  podSelector: {matchLabels: {role: secret}}
  ingress: [{from: [{podSelector: {matchLabels: {app: admin}}}]}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: client, namespace: front}
spec:
  selector: {matchLabels: {app: client}}
  template:
    metadata: {labels: {app: client}}
    spec: {containers: [{name: c, image: c:1}]}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: web, namespace: shop}
spec:
  hosts: [web]
  http: [{route: [{destination: {host: web}}]}]
`
	files, got := applyDenies(t, map[string]string{"a.yaml": in})
	if want := "    matchLabels: {app: web}\n    matchExpressions:\n    - {key: meshlint.io/sensitive, operator: DoesNotExist}\n"; !strings.Contains(got["MR401 shop"], want) {
		t.Errorf("ingress fix of shop:\n%s\nwant\n%s", got["MR401 shop"], want)
	}
	before := lintMessages(t, map[string]string{"a.yaml": in}, SensitiveExposed)
	if after := lintMessages(t, files, SensitiveExposed); len(after) > len(before) {
		t.Errorf("MR406 after the fixes: %q", after)
	}
}

// TestDefaultDenyMeshClientsIsolated checks that when a policy isolates
// some pods for egress, and the namespace sees more mesh routes than
// maxEgressPeers, the mesh routes are opened by one policy for the pods
// that no policy isolates, not by the same rules in a policy per workload.
func TestDefaultDenyMeshClientsIsolated(t *testing.T) {
	var b strings.Builder
	b.WriteString("apiVersion: v1\nkind: Namespace\nmetadata: {name: shop, labels: {istio-injection: enabled}}\n---\n")
	b.WriteString("apiVersion: v1\nkind: Namespace\nmetadata: {name: back, labels: {istio-injection: enabled}}\n---\n")
	b.WriteString(isolatedBatch)
	for i := range maxEgressPeers + 1 {
		n := "svc" + string(rune('a'+i))
		b.WriteString(strings.ReplaceAll(allowBackend, "web", "client-"+n))
		b.WriteString(strings.ReplaceAll(strings.ReplaceAll(allowBackend, "web", n), "namespace: shop", "namespace: back"))
		b.WriteString("apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: " + n + ", namespace: back}\nspec:\n  hosts: [" + n + "]\n  http: [{route: [{destination: {host: " + n + "}}]}]\n---\n")
	}
	got := denyFiles(t, map[string]string{"a.yaml": b.String()})["MR402 shop"]
	if n := strings.Count(got, "\nkind: NetworkPolicy\n"); n != 4 {
		t.Errorf("egress fix of shop has %d policies, want 4 (deny, DNS, istiod, mesh):\n%s", n, got)
	}
	want := `  name: allow-namespace-egress
  namespace: shop
spec:
  podSelector:
    matchExpressions:
    - {key: app, operator: NotIn, values: [batch]}
  policyTypes: [Egress]
`
	if !strings.Contains(got, want) {
		t.Errorf("egress fix of shop:\n%s\nwant\n%s", got, want)
	}
}

// TestYAMLScalarNumbers checks that strings YAML reads as numbers are
// quoted.
func TestYAMLScalarNumbers(t *testing.T) {
	for _, s := range []string{"0x1F", "0o17", "0b101", "-0x1", "1.0", "1e3", "012"} {
		if got := yamlScalar(s); got != strconv.Quote(s) {
			t.Errorf("yamlScalar(%q) = %s, want it quoted", s, got)
		}
	}
}

// TestDefaultDenyGatewayIstiod checks that the egress deny of a namespace
// that runs the proxies Istio deploys for a Gateway API Gateway, and no
// sidecar, allows them istiod, where they get their configuration.
func TestDefaultDenyGatewayIstiod(t *testing.T) {
	in := allowBackend + `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: edge, namespace: shop}
spec:
  gatewayClassName: istio
  listeners: [{name: http, port: 80, protocol: HTTP}]
`
	got := denyFiles(t, map[string]string{"a.yaml": in})["MR402 shop"]
	if !strings.Contains(got, "  name: allow-istiod-egress\n") {
		t.Errorf("egress fix of the gateway's namespace:\n%s\nwant allow-istiod-egress", got)
	}
	if got := denyFiles(t, map[string]string{"a.yaml": allowBackend})["MR402 shop"]; strings.Contains(got, "allow-istiod-egress") {
		t.Errorf("egress fix of a namespace without proxies:\n%s\nwant no allow-istiod-egress", got)
	}
}

// delegatedRoutes has a VirtualService of namespace edge, bound to the
// gateway of allowGateway, whose route delegates to VirtualService
// shop/web-routes: its short host names shop/web.
const delegatedRoutes = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: front, namespace: edge}
spec:
  hosts: [shop.example.com]
  gateways: [istio-ingress/public]
  http:
  - match: [{uri: {prefix: /}}]
    delegate: {name: web-routes, namespace: shop}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: web-routes, namespace: shop}
spec:
  http:
  - route: [{destination: {host: web}}]
---
`

// TestDefaultDenyDelegate checks that the routes a gateway-bound
// VirtualService delegates keep their traffic from the gateway's pods:
// the ingress fix of the delegate's backend admits them, and the egress
// fix of the gateway's namespace allows them; a delegate that is not
// exported to the root's namespace gets none of the root's traffic.
func TestDefaultDenyDelegate(t *testing.T) {
	gw, _, _ := strings.Cut(allowGateway, "apiVersion: networking.istio.io/v1\nkind: VirtualService")
	in := allowBackend + strings.ReplaceAll(gw, "GWNS", "istio-ingress") + delegatedRoutes
	got := denyFiles(t, map[string]string{"a.yaml": in})
	want := `  # VirtualService edge/front via Gateway istio-ingress/public, delegated to VirtualService shop/web-routes
  - from:
    - namespaceSelector:
        matchLabels: {kubernetes.io/metadata.name: istio-ingress}
      podSelector:
        matchLabels: {istio: ingressgateway}
    ports:
    - {protocol: TCP, port: 8080}
`
	if !strings.Contains(got["MR401 shop"], want) {
		t.Errorf("ingress fix of shop:\n%s\nwant\n%s", got["MR401 shop"], want)
	}
	wantEgress := `  - to:
    - namespaceSelector:
        matchLabels: {kubernetes.io/metadata.name: shop}
      podSelector:
        matchLabels: {app: web}
    ports:
    - {protocol: TCP, port: 8080}
`
	if !strings.Contains(got["MR402 istio-ingress"], wantEgress) {
		t.Errorf("egress fix of istio-ingress:\n%s\nwant\n%s", got["MR402 istio-ingress"], wantEgress)
	}

	hidden := strings.Replace(in, "metadata: {name: web-routes, namespace: shop}\nspec:\n", "metadata: {name: web-routes, namespace: shop}\nspec:\n  exportTo: [.]\n", 1)
	if got := denyFiles(t, map[string]string{"a.yaml": hidden}); strings.Contains(got["MR401 shop"], "VirtualService edge/front") {
		t.Errorf("ingress fix of shop with the delegate not exported to edge:\n%s\nwant no allow for edge/front", got["MR401 shop"])
	}
}

// TestDefaultDenyDelegateMesh checks that a mesh VirtualService's
// delegated routes are open to the clients that see the root, not only to
// those that see the delegate.
func TestDefaultDenyDelegateMesh(t *testing.T) {
	in := "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop, labels: {istio-injection: enabled}}\n---\n" + allowBackend + `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: web, namespace: shop}
spec:
  hosts: [web]
  http: [{delegate: {name: web-routes}}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: web-routes, namespace: shop}
spec:
  exportTo: [.]
  http: [{route: [{destination: {host: web}}]}]
`
	got := denyFiles(t, map[string]string{"a.yaml": in})["MR401 shop"]
	want := `  # VirtualService shop/web, delegated to VirtualService shop/web-routes for the mesh clients of every namespace
  - from:
    - namespaceSelector: {}
    ports:
    - {protocol: TCP, port: 8080}
`
	if !strings.Contains(got, want) {
		t.Errorf("ingress fix of shop:\n%s\nwant\n%s", got, want)
	}
}

// undeclaredBackend is allowBackend with pods that declare no port.
var undeclaredBackend = strings.Replace(allowBackend, ", ports: [{containerPort: 8080}]", "", 1)

// ambientShop enrols namespace shop in ambient mode, with the labels
// LABELS besides.
const ambientShop = "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop, labels: {istio.io/dataplane-mode: ambient LABELS}}\n---\n"

// TestDefaultDenyAmbient checks that the ingress fix of an ambient pod
// admits HBONE (TCP 15008) from its clients as well as the route's port,
// and the kubelet's probes from 169.254.7.127 when it has network probes
// (and from fd16:9254:7127:1337:ffff:ffff:ffff:ffff on a dual-stack
// cluster);
// the egress fix of the clients allows HBONE to it too, whether the pod
// declares its ports or not.
func TestDefaultDenyAmbient(t *testing.T) {
	probed := strings.Replace(undeclaredBackend, "image: web:1}", "image: web:1, readinessProbe: {httpGet: {path: /ready, port: 8080}}}", 1)
	in := strings.ReplaceAll(ambientShop, " LABELS", "") + probed + strings.ReplaceAll(allowGateway, "GWNS", "istio-ingress")
	got := denyFiles(t, map[string]string{"a.yaml": in})
	want := `  # VirtualService shop/web via Gateway istio-ingress/public
  - from:
    - namespaceSelector:
        matchLabels: {kubernetes.io/metadata.name: istio-ingress}
      podSelector:
        matchLabels: {istio: ingressgateway}
    ports:
    - {protocol: TCP, port: 8080}
    - {protocol: TCP, port: 15008}
`
	wantProbes := `  # the kubelet's probes, which ambient mode sends from 169.254.7.127
  - from:
    - ipBlock: {cidr: 169.254.7.127/32}
`
	if c := got["MR401 shop"]; !strings.Contains(c, want) || !strings.Contains(c, wantProbes) || strings.Contains(c, "fd16:") {
		t.Errorf("ingress fix of shop:\n%s\nwant\n%s\nand\n%s\nand no IPv6 probe source, as no policy names an IPv6 block", c, want, wantProbes)
	}
	if c := got["MR402 istio-ingress"]; !strings.Contains(c, "    - {protocol: TCP, port: 8080}\n    - {protocol: TCP, port: 15008}\n") {
		t.Errorf("egress fix of istio-ingress:\n%s\nwant ports 8080 and 15008", c)
	}
	// ztunnel serves HBONE in the pod's network namespace: a pod that
	// declares its ports gets the allow of 15008 too, which MR410 accepts.
	declared := strings.ReplaceAll(ambientShop, " LABELS", "") + allowBackend + strings.ReplaceAll(allowGateway, "GWNS", "istio-ingress")
	files, got := applyDenies(t, map[string]string{"a.yaml": declared})
	if c := got["MR401 shop"]; !strings.Contains(c, "    - {protocol: TCP, port: 8080}\n    - {protocol: TCP, port: 15008}\n") {
		t.Errorf("ingress fix of shop, whose pods declare their ports:\n%s\nwant ports 8080 and 15008", c)
	}
	if msgs := lintMessages(t, files, PortNotExposed); len(msgs) > 0 {
		t.Errorf("MR410 after the fixes: %q", msgs)
	}

	// An exec probe goes through no network; no probe, no ipBlock.
	execProbe := strings.Replace(probed, "httpGet: {path: /ready, port: 8080}", "exec: {command: [true]}", 1)
	in = strings.ReplaceAll(ambientShop, " LABELS", "") + execProbe + strings.ReplaceAll(allowGateway, "GWNS", "istio-ingress")
	if c := denyFiles(t, map[string]string{"a.yaml": in})["MR401 shop"]; !strings.Contains(c, want) || strings.Contains(c, "ipBlock") {
		t.Errorf("ingress fix of shop with an exec probe:\n%s\nwant\n%s\nand no ipBlock", c, want)
	}

	// Without ambient mode, neither.
	in = probed + strings.ReplaceAll(allowGateway, "GWNS", "istio-ingress")
	if c := denyFiles(t, map[string]string{"a.yaml": in})["MR401 shop"]; strings.Contains(c, "15008") || strings.Contains(c, "ipBlock") {
		t.Errorf("ingress fix of shop out of ambient mode:\n%s\nwant no HBONE, no ipBlock", c)
	}

	// On a dual-stack cluster, which a policy of shop naming an IPv6
	// block tells of, the kubelet probes the pods' IPv6 address from
	// istio-cni's IPv6 SNAT address: the fix admits both. Where no
	// policy names one, the IPv4 address alone (above).
	dualStack := strings.ReplaceAll(ambientShop, " LABELS", "") + probed + strings.ReplaceAll(allowGateway, "GWNS", "istio-ingress") + `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: mirror-egress, namespace: shop}
spec:
  podSelector: {matchLabels: {app: mirror}}
  policyTypes: [Egress]
  egress: [{to: [{ipBlock: {cidr: "2001:db8::/32"}}]}]
`
	wantProbes6 := wantProbes + `  # the kubelet's probes of the pods' IPv6 address, which ambient mode sends from fd16:9254:7127:1337:ffff:ffff:ffff:ffff
  - from:
    - ipBlock: {cidr: "fd16:9254:7127:1337:ffff:ffff:ffff:ffff/128"}
`
	if c := denyFiles(t, map[string]string{"a.yaml": dualStack})["MR401 shop"]; !strings.Contains(c, want) || !strings.Contains(c, wantProbes6) {
		t.Errorf("ingress fix of shop on a dual-stack cluster:\n%s\nwant\n%s\nand\n%s", c, want, wantProbes6)
	}
}

// waypointGateway is waypoint mesh-infra/wp.
const waypointGateway = `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: wp, namespace: mesh-infra, labels: {istio.io/waypoint-for: service}}
spec:
  gatewayClassName: istio-waypoint
  listeners: [{name: mesh, port: 15008, protocol: HBONE}]
---
`

// TestDefaultDenyWaypoint checks the flows through a waypoint that an
// ambient destination uses: its ingress fix admits the waypoint's pods on
// HBONE, the egress fix of the clients allows HBONE to them, and the
// egress fix of the waypoint's namespace allows the waypoint's pods to
// the destination, or is withheld when the input does not have the
// waypoint, whose pods it cannot select.
func TestDefaultDenyWaypoint(t *testing.T) {
	shop := strings.ReplaceAll(ambientShop, " LABELS", ", istio.io/use-waypoint: wp, istio.io/use-waypoint-namespace: mesh-infra")
	base := shop + undeclaredBackend + strings.ReplaceAll(allowGateway, "GWNS", "istio-ingress") +
		"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: tools, namespace: mesh-infra}\nspec:\n  selector: {matchLabels: {app: tools}}\n  template:\n    metadata: {labels: {app: tools}}\n    spec: {containers: [{name: t, image: t:1}]}\n---\n"
	got := denyFiles(t, map[string]string{"a.yaml": base + waypointGateway})
	want := `  # VirtualService shop/web via Gateway istio-ingress/public, through waypoint mesh-infra/wp
  - from:
    - namespaceSelector:
        matchLabels: {kubernetes.io/metadata.name: mesh-infra}
      podSelector:
        matchLabels: {gateway.networking.k8s.io/gateway-name: wp}
    ports:
    - {protocol: TCP, port: 15008}
`
	if c := got["MR401 shop"]; !strings.Contains(c, want) {
		t.Errorf("ingress fix of shop:\n%s\nwant\n%s", c, want)
	}
	wantTo := `  - to:
    - namespaceSelector:
        matchLabels: {kubernetes.io/metadata.name: mesh-infra}
      podSelector:
        matchLabels: {gateway.networking.k8s.io/gateway-name: wp}
    ports:
    - {protocol: TCP, port: 15008}
`
	if c := got["MR402 istio-ingress"]; !strings.Contains(c, wantTo) {
		t.Errorf("egress fix of istio-ingress:\n%s\nwant\n%s", c, wantTo)
	}
	wantFrom := `  name: allow-wp-gateway-egress
  namespace: mesh-infra
spec:
  podSelector:
    matchLabels: {gateway.networking.k8s.io/gateway-name: wp}
  policyTypes: [Egress]
  egress:
  # Service shop/web for the calls of its own namespace, which no route or policy needs to name, through waypoint mesh-infra/wp
  # VirtualService shop/web via Gateway istio-ingress/public, through waypoint mesh-infra/wp
  - to:
    - namespaceSelector:
        matchLabels: {kubernetes.io/metadata.name: shop}
      podSelector:
        matchLabels: {app: web}
    ports:
    - {protocol: TCP, port: 15008}
`
	if c := got["MR402 mesh-infra"]; !strings.Contains(c, wantFrom) {
		t.Errorf("egress fix of mesh-infra:\n%s\nwant\n%s", c, wantFrom)
	}
	if c, ok := got["MR402 mesh-infra"]; !ok || c == "" {
		t.Fatalf("no egress fix of mesh-infra")
	}
	got = denyFiles(t, map[string]string{"a.yaml": base})
	if c, ok := got["MR402 mesh-infra"]; !ok || c != "" {
		t.Errorf("egress fix of mesh-infra without its waypoint in the input: %q (reported: %t), want none", c, ok)
	}
}

// TestDefaultDenyUngrantedBackend checks that no allow opens a Gateway
// API backend of another namespace that no ReferenceGrant permits: the
// Gateway sends it nothing (MR604). Granted, it gets its allow.
func TestDefaultDenyUngrantedBackend(t *testing.T) {
	in := allowBackend + `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: edge, namespace: infra}
spec:
  gatewayClassName: istio
  listeners: [{name: http, port: 80, protocol: HTTP}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: edge-istio, namespace: infra}
spec:
  selector: {matchLabels: {gateway.networking.k8s.io/gateway-name: edge}}
  template:
    metadata: {labels: {gateway.networking.k8s.io/gateway-name: edge}}
    spec: {containers: [{name: istio-proxy, image: proxyv2}]}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, namespace: infra}
spec:
  parentRefs: [{name: edge}]
  rules: [{backendRefs: [{name: web, namespace: shop, port: 80}]}]
---
`
	got := denyFiles(t, map[string]string{"a.yaml": in})
	if c := got["MR401 shop"]; c == "" || strings.Contains(c, "HTTPRoute") {
		t.Errorf("ingress fix of shop:\n%s\nwant the deny without allow", c)
	}
	if c := got["MR402 infra"]; c == "" || strings.Contains(c, "HTTPRoute") {
		t.Errorf("egress fix of infra:\n%s\nwant no allow to shop", c)
	}
	granted := in + `apiVersion: gateway.networking.k8s.io/v1beta1
kind: ReferenceGrant
metadata: {name: infra-routes, namespace: shop}
spec:
  from: [{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: infra}]
  to: [{group: "", kind: Service}]
`
	got = denyFiles(t, map[string]string{"a.yaml": granted})
	if c := got["MR401 shop"]; !strings.Contains(c, "  # HTTPRoute infra/web via Gateway infra/edge\n") {
		t.Errorf("ingress fix of shop with a grant:\n%s\nwant an allow for HTTPRoute infra/web", c)
	}
	if c := got["MR402 infra"]; !strings.Contains(c, "  # HTTPRoute infra/web via Gateway infra/edge\n") {
		t.Errorf("egress fix of infra with a grant:\n%s\nwant an allow for HTTPRoute infra/web", c)
	}
}

// paymentsTree is the namespace payments of examples/: a Deployment and
// a StatefulSet, each behind a Service, and no route or policy that
// names who calls them.
const paymentsTree = `apiVersion: v1
kind: Namespace
metadata: {name: payments, labels: {istio-injection: enabled}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: payments, namespace: payments}
spec:
  selector: {matchLabels: {app: payments}}
  template:
    metadata: {labels: {app: payments}}
    spec: {containers: [{name: payments, image: payments:1, ports: [{name: http, containerPort: 8080}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: payments, namespace: payments}
spec:
  selector: {app: payments}
  ports: [{name: http, port: 8080}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: postgres, namespace: payments}
spec:
  serviceName: postgres
  selector: {matchLabels: {app: postgres}}
  template:
    metadata: {labels: {app: postgres}}
    spec: {containers: [{name: postgres, image: postgres:16, ports: [{name: tcp-postgres, containerPort: 5432}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: postgres, namespace: payments}
spec:
  selector: {app: postgres}
  ports: [{name: tcp-postgres, port: 5432}]
---
`

// TestDefaultDenyServiceCalls checks the calls within a namespace, which
// have no route: a workload behind a Service of its namespace stays open
// to the namespace's pods on the ports the Service targets (ingress), and
// every pod of the namespace may reach it there (egress). The shape is
// examples/payments, where payments calls postgres.
func TestDefaultDenyServiceCalls(t *testing.T) {
	got := denyFiles(t, map[string]string{"a.yaml": paymentsTree})
	wantIngress := `  name: allow-postgres-ingress
  namespace: payments
spec:
  podSelector:
    matchLabels: {app: postgres}
  policyTypes: [Ingress]
  ingress:
  # Service payments/postgres for the calls of its own namespace, which no route or policy needs to name
  - from:
    - podSelector: {}
    ports:
    - {protocol: TCP, port: 5432}
`
	if c := got["MR401 payments"]; !strings.Contains(c, wantIngress) {
		t.Errorf("ingress fix of payments:\n%s\nwant\n%s", c, wantIngress)
	}
	wantEgress := `  name: allow-namespace-egress
  namespace: payments
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
  # Service payments/payments for the calls of its own namespace, which no route or policy needs to name
  - to:
    - podSelector:
        matchLabels: {app: payments}
    ports:
    - {protocol: TCP, port: 8080}
  # Service payments/postgres for the calls of its own namespace, which no route or policy needs to name
  - to:
    - podSelector:
        matchLabels: {app: postgres}
    ports:
    - {protocol: TCP, port: 5432}
`
	if c := got["MR402 payments"]; !strings.Contains(c, wantEgress) {
		t.Errorf("egress fix of payments:\n%s\nwant\n%s", c, wantEgress)
	}

	// A pod that a policy isolates for egress already keeps it: the
	// allow selects the others.
	isolated := paymentsTree + `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: postgres-egress, namespace: payments}
spec:
  podSelector: {matchLabels: {app: postgres}}
  policyTypes: [Egress]
`
	want := `  name: allow-namespace-egress
  namespace: payments
spec:
  podSelector:
    matchExpressions:
    - {key: app, operator: NotIn, values: [postgres]}
`
	if c := denyFiles(t, map[string]string{"a.yaml": isolated})["MR402 payments"]; !strings.Contains(c, want) {
		t.Errorf("egress fix of payments with postgres isolated:\n%s\nwant\n%s", c, want)
	}
	// When every pod is isolated for egress, the Services open none.
	all := strings.Replace(isolated, "podSelector: {matchLabels: {app: postgres}}\n  policyTypes: [Egress]", "podSelector: {matchLabels: {}}\n  policyTypes: [Egress]\n  egress: [{ports: [{port: 443}]}]", 1)
	if c := denyFiles(t, map[string]string{"a.yaml": all})["MR402 payments"]; c == "" || strings.Contains(c, "allow-namespace-egress") || strings.Contains(c, "Service payments/") {
		t.Errorf("egress fix of payments with every pod isolated:\n%s\nwant the deny without allows", c)
	}
}

// declaringPolicies has namespace db, whose postgres admits the web pods
// of namespace shop on 5432, and every pod of namespace jobs on 5433 and
// from every address on 9187 (a metrics port); and namespace shop, whose
// web may send to the pods of db, where only 5432 and 9187 are declared.
const declaringPolicies = `apiVersion: v1
kind: Namespace
metadata: {name: db, labels: {tier: data}}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: postgres, namespace: db}
spec:
  selector: {matchLabels: {app: postgres}}
  template:
    metadata: {labels: {app: postgres}}
    spec: {containers: [{name: pg, image: postgres:16, ports: [{containerPort: 5432}, {containerPort: 9187}]}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: postgres, namespace: db}
spec:
  podSelector: {matchLabels: {app: postgres}}
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: shop}}
      podSelector: {matchLabels: {app: web}}
    ports: [{port: 5432}]
  - from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: jobs}}}]
    ports: [{port: 5433}]
  - ports: [{port: 9187}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: web:1}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: cron, namespace: jobs}
spec:
  selector: {matchLabels: {app: cron}}
  template:
    metadata: {labels: {app: cron}}
    spec: {containers: [{name: cron, image: cron:1}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-egress, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Egress]
  egress:
  - to: [{namespaceSelector: {matchLabels: {tier: data}}}]
    ports: [{port: 5432}, {port: 6000, endPort: 6100}, {port: 9187}]
  - ports: [{port: 53, protocol: UDP}]
`

// TestDefaultDenyPolicyDeclared checks the flows that other NetworkPolicies
// declare: an ingress rule that admits pods of another namespace lets
// them call in the egress fix of theirs, by workload or by namespace as
// the rule names them, on its ports; an egress rule that allows pods of
// another namespace gets them admitted in the ingress fix of theirs, on
// the ports the pods declare. What a rule allows every address (no peer)
// names no client.
func TestDefaultDenyPolicyDeclared(t *testing.T) {
	got := denyFiles(t, map[string]string{"a.yaml": declaringPolicies})
	// shop/web is isolated for egress by web-egress: the fix of shop
	// leaves it alone.
	if c := got["MR402 shop"]; c == "" || strings.Contains(c, "NetworkPolicy db/postgres") {
		t.Errorf("egress fix of shop, whose web is isolated:\n%s\nwant the deny without the allow", c)
	}
	wantJobs := `  # NetworkPolicy db/postgres admits these calls
  - to:
    - namespaceSelector:
        matchLabels: {kubernetes.io/metadata.name: db}
      podSelector:
        matchLabels: {app: postgres}
    ports:
    - {protocol: TCP, port: 5433}
`
	if c := got["MR402 jobs"]; !strings.Contains(c, "  name: allow-namespace-egress\n") || !strings.Contains(c, wantJobs) || strings.Contains(c, "9187") {
		t.Errorf("egress fix of jobs:\n%s\nwant allow-namespace-egress with\n%s\nand not 9187, which every address gets", c, wantJobs)
	}
	wantDB := `  # NetworkPolicy shop/web-egress allows these calls
  - from:
    - namespaceSelector:
        matchLabels: {kubernetes.io/metadata.name: shop}
      podSelector:
        matchLabels: {app: web}
    ports:
    - {protocol: TCP, port: 5432}
    - {protocol: TCP, port: 9187}
`
	// db/postgres is isolated: its namespace's ingress fix needs no
	// allow for it. Without its policy, the fix admits web on the
	// ports of web-egress that postgres declares.
	open := strings.Replace(declaringPolicies, "kind: NetworkPolicy\nmetadata: {name: postgres, namespace: db}", "kind: NetworkPolicy\nmetadata: {name: postgres, namespace: db}\n# not postgres", 1)
	open = strings.Replace(open, "podSelector: {matchLabels: {app: postgres}}\n  ingress:", "podSelector: {matchLabels: {app: none}}\n  ingress:", 1)
	if c := denyFiles(t, map[string]string{"a.yaml": open})["MR401 db"]; !strings.Contains(c, "  name: allow-postgres-ingress\n") || !strings.Contains(c, wantDB) {
		t.Errorf("ingress fix of db:\n%s\nwant allow-postgres-ingress with\n%s", c, wantDB)
	}
	// The jobs rule names every pod of namespace jobs: its allow is for
	// every pod, and web's egress allow, reached by a rule for its own
	// pods, the same in shop once web-egress is gone.
	unisolated := strings.Replace(declaringPolicies, "metadata: {name: web-egress, namespace: shop}\nspec:\n  podSelector: {matchLabels: {app: web}}", "metadata: {name: web-egress, namespace: shop}\nspec:\n  podSelector: {matchLabels: {app: nothing}}", 1)
	wantShop := `  name: allow-web-egress
  namespace: shop
spec:
  podSelector:
    matchLabels: {app: web}
  policyTypes: [Egress]
  egress:
  # NetworkPolicy db/postgres admits these calls
  - to:
    - namespaceSelector:
        matchLabels: {kubernetes.io/metadata.name: db}
      podSelector:
        matchLabels: {app: postgres}
    ports:
    - {protocol: TCP, port: 5432}
`
	if c := denyFiles(t, map[string]string{"a.yaml": unisolated})["MR402 shop"]; !strings.Contains(c, wantShop) {
		t.Errorf("egress fix of shop:\n%s\nwant\n%s", c, wantShop)
	}

	// A client without labels cannot be named but with its whole
	// namespace: the ingress fix is withheld.
	unlabelled := `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: postgres, namespace: db}
spec:
  selector: {matchLabels: {app: postgres}}
  template:
    metadata: {labels: {app: postgres}}
    spec: {containers: [{name: pg, image: postgres:16}]}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop}
spec: {containers: [{name: web, image: web:1}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-egress, namespace: shop}
spec:
  podSelector: {matchExpressions: [{key: app, operator: DoesNotExist}]}
  policyTypes: [Egress]
  egress: [{to: [{namespaceSelector: {}}], ports: [{port: 5432}]}]
`
	if c, ok := denyFiles(t, map[string]string{"a.yaml": unlabelled})["MR401 db"]; !ok || c != "" {
		t.Errorf("ingress fix of db with an unlabelled client: %q (reported: %t), want none", c, ok)
	}
	labelled := strings.Replace(unlabelled, "metadata: {name: web, namespace: shop}", "metadata: {name: web, namespace: shop, labels: {role: web}}", 1)
	if c := denyFiles(t, map[string]string{"a.yaml": labelled})["MR401 db"]; !strings.Contains(c, "        matchLabels: {role: web}\n    ports:\n    - {protocol: TCP, port: 5432}\n") {
		t.Errorf("ingress fix of db with a labelled client:\n%s\nwant an allow of role: web on 5432", c)
	}
}

// headlessTree has a StatefulSet behind the headless Service without
// ports that governs it, as most StatefulSets are: its members and the
// namespace's other pods call pod-0.zk-hs on the ports the pods listen
// on, which the Service does not list.
const headlessTree = `apiVersion: v1
kind: Namespace
metadata: {name: data}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: zk, namespace: data}
spec:
  serviceName: zk-hs
  selector: {matchLabels: {app: zk}}
  template:
    metadata: {labels: {app: zk}}
    spec:
      containers:
      - name: zk
        image: zk:3
        ports: [{name: client, containerPort: 2181}, {name: peer, containerPort: 2888}, {name: metrics, containerPort: 9141, protocol: UDP}]
---
apiVersion: v1
kind: Service
metadata: {name: zk-hs, namespace: data}
spec:
  clusterIP: None
  selector: {app: zk}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: cache, namespace: data}
spec:
  serviceName: cache
  selector: {matchLabels: {app: cache}}
  template:
    metadata: {labels: {app: cache}}
    spec: {containers: [{name: cache, image: cache:1}]}
---
apiVersion: v1
kind: Service
metadata: {name: cache, namespace: data}
spec:
  clusterIP: None
  selector: {app: cache}
`

func TestDefaultDenyHeadlessWithoutPorts(t *testing.T) {
	got := denyFiles(t, map[string]string{"a.yaml": headlessTree})
	// The pods that declare their ports stay open on them; the pods that
	// declare none, on every port.
	for _, want := range []string{`  # Service data/zk-hs for the calls of its own namespace, which no route or policy needs to name
  - from:
    - podSelector: {}
    ports:
    - {protocol: TCP, port: 2181}
    - {protocol: TCP, port: 2888}
    - {protocol: UDP, port: 9141}
`, `  name: allow-cache-ingress
  namespace: data
spec:
  podSelector:
    matchLabels: {app: cache}
  policyTypes: [Ingress]
  ingress:
  # Service data/cache for the calls of its own namespace, which no route or policy needs to name
  - from:
    - podSelector: {}
---
`} {
		if c := got["MR401 data"]; !strings.Contains(c, want) {
			t.Errorf("ingress fix of data:\n%s\nwant\n%s", c, want)
		}
	}
	wantEgress := `  - to:
    - podSelector:
        matchLabels: {app: zk}
    ports:
    - {protocol: TCP, port: 2181}
    - {protocol: TCP, port: 2888}
    - {protocol: UDP, port: 9141}
`
	if c := got["MR402 data"]; !strings.Contains(c, wantEgress) || !strings.Contains(c, "        matchLabels: {app: cache}\n  # Service") && !strings.HasSuffix(c, "        matchLabels: {app: cache}\n") {
		t.Errorf("egress fix of data:\n%s\nwant\n%s\nand every port to the cache pods", c, wantEgress)
	}
}

// TestDefaultDenyInvalidLabels checks that a pod label that no selector
// may hold (a value with a space, a key with one) stays out of the
// allows, which select the pods by their other labels; a workload left
// with none is one without labels: its ingress fix is withheld, and the
// egress allows reach it through its namespace. Nor does an allow keep
// out an isolated workload by such a label.
func TestDefaultDenyInvalidLabels(t *testing.T) {
	bad := strings.Replace(paymentsTree, "metadata: {labels: {app: postgres}}", `metadata: {labels: {app: postgres, owner: "team payments", "team name": db}}`, 1)
	got := denyFiles(t, map[string]string{"a.yaml": bad})
	wantIngress := `  name: allow-postgres-ingress
  namespace: payments
spec:
  podSelector:
    matchLabels: {app: postgres}
`
	wantEgress := `  - to:
    - podSelector:
        matchLabels: {app: postgres}
    ports:
    - {protocol: TCP, port: 5432}
`
	if c := got["MR401 payments"]; !strings.Contains(c, wantIngress) {
		t.Errorf("ingress fix of payments:\n%s\nwant\n%s", c, wantIngress)
	}
	if c := got["MR402 payments"]; !strings.Contains(c, wantEgress) || strings.Contains(c, "team") {
		t.Errorf("egress fix of payments:\n%s\nwant\n%s", c, wantEgress)
	}

	none := strings.Replace(paymentsTree, "metadata: {labels: {app: postgres}}", `metadata: {labels: {app: "postgres primary"}}`, 1)
	none = strings.Replace(none, "selector: {app: postgres}", `selector: {app: "postgres primary"}`, 1)
	got = denyFiles(t, map[string]string{"a.yaml": none})
	if c, ok := got["MR401 payments"]; !ok || c != "" {
		t.Errorf("ingress fix of payments with no valid label on postgres:\n%s\nwant none", c)
	}
	wantEgress = `  - to:
    - podSelector: {}
    ports:
    - {protocol: TCP, port: 5432}
`
	if c := got["MR402 payments"]; !strings.Contains(c, wantEgress) || strings.Contains(c, "primary") {
		t.Errorf("egress fix of payments with no valid label on postgres:\n%s\nwant\n%s", c, wantEgress)
	}

	// A workload that a policy isolates already is kept out of the
	// allow by a label the allow's pods lack: a valid one, as the
	// selector must hold it.
	replica := paymentsTree + `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: replica, namespace: payments}
spec:
  selector: {matchLabels: {role: replica}}
  template:
    metadata: {labels: {app: postgres, "bad key": x, role: replica}}
    spec: {containers: [{name: postgres, image: postgres:16, ports: [{name: tcp-postgres, containerPort: 5432}]}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: replica, namespace: payments}
spec:
  podSelector: {matchLabels: {role: replica}}
  policyTypes: [Ingress]
`
	wantIngress = `  podSelector:
    matchLabels: {app: postgres}
    matchExpressions:
    - {key: role, operator: DoesNotExist}
`
	if c := denyFiles(t, map[string]string{"a.yaml": replica})["MR401 payments"]; !strings.Contains(c, wantIngress) || strings.Contains(c, "bad key") {
		t.Errorf("ingress fix of payments with replica isolated:\n%s\nwant\n%s", c, wantIngress)
	}
}

// TestDefaultDenyReleaseLabels checks that the allows select no pod by a
// release label (graph.ReleaseLabel): the next release of the chart
// changes it, and the policy would stop selecting the pods.
func TestDefaultDenyReleaseLabels(t *testing.T) {
	const labels = "metadata: {labels: {app: postgres}}"
	if !strings.Contains(paymentsTree, labels) {
		t.Fatalf("the tree has no %q", labels)
	}
	released := strings.Replace(paymentsTree, labels, `metadata: {labels: {app: postgres, helm.sh/chart: postgres-16.1.0, app.kubernetes.io/version: "16.1"}}`, 1)
	got := denyFiles(t, map[string]string{"a.yaml": released})
	for _, key := range []string{"MR401 payments", "MR402 payments"} {
		c := got[key]
		if !strings.Contains(c, "matchLabels: {app: postgres}") || strings.Contains(c, "16.1") {
			t.Errorf("%s: the fix selects postgres by a release label, or not by app:\n%s", key, c)
		}
	}
}

// TestValidLabel holds the label checks to apimachinery's.
func TestValidLabel(t *testing.T) {
	long := strings.Repeat("a", 63)
	for _, s := range []string{
		"", "a", "A", "1", "app", "App.Name_1-x", "-a", "a-", "_a", "a_", ".a", "a.", "a b", "a/b", "x.io/name",
		"X.io/name", "x_y.io/name", "-x.io/name", "x-.io/name", "x..io/name", "/name", "x.io/", "a/b/c",
		"app.kubernetes.io/name", long, long + "a", long + ".io/a", "x.io/" + long, "x.io/" + long + "a",
		strings.Repeat("a.", 126) + "a/b", strings.Repeat("a.", 127) + "a/b", "é", "a\x00", "true", "1.0",
	} {
		if got, want := validLabelKey(s), len(content.IsLabelKey(s)) == 0; got != want {
			t.Errorf("validLabelKey(%q) = %t, want %t", s, got, want)
		}
		if got, want := validLabelValue(s), len(content.IsLabelValue(s)) == 0; got != want {
			t.Errorf("validLabelValue(%q) = %t, want %t", s, got, want)
		}
	}
}

// TestDefaultDenyHostlessDelegate checks that a VirtualService without
// hosts declares no flow of its own: Istio applies it only merged into a
// root that names it, for the root's clients, and ignores it when none
// does.
func TestDefaultDenyHostlessDelegate(t *testing.T) {
	in := "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop, labels: {istio-injection: enabled}}\n---\n" + allowBackend + `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: web-routes, namespace: shop}
spec:
  http: [{route: [{destination: {host: web}}]}]
`
	got := denyFiles(t, map[string]string{"a.yaml": in})
	if c := got["MR401 shop"]; c == "" || strings.Contains(c, "web-routes") || strings.Contains(c, "namespaceSelector: {}") {
		t.Errorf("ingress fix of shop with a delegate that no root names:\n%s\nwant no allow for it", c)
	}
	root := in + `---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: web, namespace: shop}
spec:
  hosts: [web]
  exportTo: [.]
  http: [{delegate: {name: web-routes}}]
`
	want := `  # VirtualService shop/web, delegated to VirtualService shop/web-routes for the mesh clients of namespace shop
`
	if c := denyFiles(t, map[string]string{"a.yaml": root})["MR401 shop"]; !strings.Contains(c, want) || strings.Contains(c, "namespaceSelector: {}") {
		t.Errorf("ingress fix of shop with the delegate's root exported to shop:\n%s\nwant\n%s\nand no allow from every namespace", c, want)
	}
}

// TestDefaultDenyAllowedFromAllNames checks the comment of a flow that an
// egress policy of every pod of a namespace declares by the destination's
// labels: it names the policies whose peers may select the destination,
// as the other flows' comments do, and no other.
func TestDefaultDenyAllowedFromAllNames(t *testing.T) {
	in := paymentsTree + `apiVersion: apps/v1
kind: Deployment
metadata: {name: cron, namespace: jobs}
spec:
  selector: {matchLabels: {app: cron}}
  template:
    metadata: {labels: {app: cron}}
    spec: {containers: [{name: cron, image: cron:1}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: to-postgres, namespace: jobs}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
  - to:
    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: payments}}
      podSelector: {matchLabels: {app: postgres}}
    ports: [{port: 5432}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: to-payments, namespace: jobs}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
  - to:
    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: payments}}
      podSelector: {matchLabels: {app: payments}}
    ports: [{port: 8080}]
`
	got := denyFiles(t, map[string]string{"a.yaml": in})["MR401 payments"]
	for _, want := range []string{`  # NetworkPolicy jobs/to-postgres allows these calls
  - from:
    - namespaceSelector:
        matchLabels: {kubernetes.io/metadata.name: jobs}
    ports:
    - {protocol: TCP, port: 5432}
`, `  # NetworkPolicy jobs/to-payments allows these calls
  - from:
    - namespaceSelector:
        matchLabels: {kubernetes.io/metadata.name: jobs}
    ports:
    - {protocol: TCP, port: 8080}
`} {
		if !strings.Contains(got, want) {
			t.Errorf("ingress fix of payments:\n%s\nwant\n%s", got, want)
		}
	}
}

// besideBlock has rules that name pods on a port that a rule of ipBlock
// CIDR opens too: db/postgres admits jobs/cron on 5432, and shop/web may
// call db/cache on 6379.
const besideBlock = `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: postgres, namespace: db}
spec:
  selector: {matchLabels: {app: postgres}}
  template:
    metadata: {labels: {app: postgres}}
    spec: {containers: [{name: pg, image: postgres:16, ports: [{containerPort: 5432}]}]}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: cache, namespace: db}
spec:
  selector: {matchLabels: {app: cache}}
  template:
    metadata: {labels: {app: cache}}
    spec: {containers: [{name: redis, image: redis:7, ports: [{containerPort: 6379}]}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: postgres, namespace: db}
spec:
  podSelector: {matchLabels: {app: postgres}}
  ingress:
  - from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: jobs}}, podSelector: {matchLabels: {app: cron}}}]
    ports: [{port: 5432}]
  - from: [{ipBlock: {cidr: "CIDR"}}]
    ports: [{port: 5432}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: cron, namespace: jobs}
spec:
  selector: {matchLabels: {app: cron}}
  template:
    metadata: {labels: {app: cron}}
    spec: {containers: [{name: cron, image: cron:1}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: web:1}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-egress, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Egress]
  egress:
  - to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: db}}, podSelector: {matchLabels: {app: cache}}}]
    ports: [{port: 6379}]
  - to: [{ipBlock: {cidr: "CIDR"}}]
    ports: [{port: 6379}]
`

// TestDefaultDenyDeclaredBesideBlock checks that an ipBlock of every
// address, of either family, on the port that a rule opens to named pods
// takes nothing from their flow: the engine matches no pod with an
// ipBlock, so the pods are allowed by their own rule, which declares the
// flow. Both families get the same fixes. An admin network of 0.0.0.0/0
// holds every pod: what it allows is everyone's, and declares nothing.
func TestDefaultDenyDeclaredBesideBlock(t *testing.T) {
	wantCron := `  # NetworkPolicy db/postgres admits these calls
  - to:
    - namespaceSelector:
        matchLabels: {kubernetes.io/metadata.name: db}
      podSelector:
        matchLabels: {app: postgres}
    ports:
    - {protocol: TCP, port: 5432}
`
	wantWeb := `  # NetworkPolicy shop/web-egress allows these calls
  - from:
    - namespaceSelector:
        matchLabels: {kubernetes.io/metadata.name: shop}
      podSelector:
        matchLabels: {app: web}
    ports:
    - {protocol: TCP, port: 6379}
`
	for _, cidr := range []string{"0.0.0.0/0", "::/0"} {
		got := denyFiles(t, map[string]string{"a.yaml": strings.ReplaceAll(besideBlock, "CIDR", cidr)})
		if c := got["MR402 jobs"]; !strings.Contains(c, wantCron) {
			t.Errorf("egress fix of jobs, with %s beside cron on 5432:\n%s\nwant\n%s", cidr, c, wantCron)
		}
		if c := got["MR401 db"]; !strings.Contains(c, wantWeb) {
			t.Errorf("ingress fix of db, with %s beside cache on 6379:\n%s\nwant\n%s", cidr, c, wantWeb)
		}
	}
	anp := strings.ReplaceAll(besideBlock, "CIDR", "0.0.0.0/0") + `---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: redis-anywhere}
spec:
  priority: 5
  subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: shop}}}
  egress:
  - name: redis
    action: Allow
    to: [{networks: ["0.0.0.0/0"]}]
    ports: [{portNumber: {protocol: TCP, port: 6379}}]
`
	if c := denyFiles(t, map[string]string{"a.yaml": anp})["MR401 db"]; c == "" || strings.Contains(c, "shop/web-egress") {
		t.Errorf("ingress fix of db, whose clients an admin policy lets reach every pod on 6379:\n%s\nwant the deny without an allow for web", c)
	}
}

// hostNetworkTree has shop/api behind a Service, called by shop/agent
// and routed to by the gateway of istio-ingress, both on their node's
// network; shop/db's policy admits agent.
const hostNetworkTree = `apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec: {containers: [{name: api, image: api:1, ports: [{containerPort: 8080}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop}
spec:
  selector: {app: api}
  ports: [{name: http, port: 80, targetPort: 8080}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: db, namespace: shop}
spec:
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: db, image: db:1, ports: [{containerPort: 5432}]}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db, namespace: shop}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress: [{from: [{podSelector: {matchLabels: {app: agent}}}], ports: [{port: 5432}]}]
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: shop}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec: {hostNetwork: true, containers: [{name: agent, image: agent:1}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: ingressgateway, namespace: istio-ingress}
spec:
  selector: {matchLabels: {istio: ingressgateway}}
  template:
    metadata: {labels: {istio: ingressgateway}}
    spec: {hostNetwork: true, containers: [{name: istio-proxy, image: proxyv2}]}
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: public, namespace: istio-ingress}
spec:
  selector: {istio: ingressgateway}
  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["shop/shop.example.com"]}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: api, namespace: shop}
spec:
  hosts: [shop.example.com]
  gateways: [istio-ingress/public]
  http:
  - route: [{destination: {host: api}}]
`

// TestDefaultDenyHostNetwork checks what the fixes say of host-networked
// workloads, whose traffic most network plugins take for their node's:
// the ingress fix names the host-networked clients it cannot admit (not
// a host-networked destination's), and the egress fix gives such a
// workload no allow of its own and says so.
func TestDefaultDenyHostNetwork(t *testing.T) {
	msgs := map[string]string{}
	files := map[string]string{}
	for _, f := range ruletest.LintTree(t, map[string]string{"a.yaml": hostNetworkTree}, "", config.DefaultMesh(), NoDefaultDenyIngress, NoDefaultDenyEgress) {
		if len(f.Fixes) > 0 {
			key := f.Rule.ID + " " + f.Object.Namespace
			msgs[key], files[key] = f.Fixes[0].Message, f.Fixes[0].NewFiles[0].Content
		}
	}
	want := "; host-networked workloads agent and istio-ingress/ingressgateway, clients of api, connect from their nodes' addresses, which most network plugins match to no podSelector or namespaceSelector"
	if m := msgs["MR401 shop"]; !strings.Contains(m, want) {
		t.Errorf("MR401 fix of shop: %q\nwant it to hold %q", m, want)
	}
	if c := files["MR401 shop"]; !strings.Contains(c, "# Host-networked workloads agent and istio-ingress/ingressgateway, clients of api, connect\n") {
		t.Errorf("MR401 file of shop does not name its host-networked clients:\n%s", c)
	}
	want = "; host-networked workload agent gets no allow of its own: its egress is its node's"
	if m := msgs["MR402 shop"]; !strings.Contains(m, want) {
		t.Errorf("MR402 fix of shop: %q\nwant it to hold %q", m, want)
	}
	for key, name := range map[string]string{"MR402 shop": "allow-agent-egress", "MR402 istio-ingress": "allow-ingressgateway-egress"} {
		if c := files[key]; c == "" || strings.Contains(c, name) {
			t.Errorf("%s: want a file without %s:\n%s", key, name, c)
		}
	}

	// A host-networked destination is no client's concern: the deny does
	// not isolate it on those plugins either.
	tree := strings.ReplaceAll(hostNetworkTree, "{containers: [{name: api,", "{hostNetwork: true, containers: [{name: api,")
	fixed := false
	for _, f := range ruletest.LintTree(t, map[string]string{"a.yaml": tree}, "", config.DefaultMesh(), NoDefaultDenyIngress) {
		if f.Object.Namespace != "shop" || len(f.Fixes) == 0 {
			continue
		}
		fixed = true
		if strings.Contains(f.Fixes[0].Message, "clients of") {
			t.Errorf("MR401 fix of shop with api host-networked names clients: %q", f.Fixes[0].Message)
		}
	}
	if !fixed {
		t.Error("no MR401 fix of shop with api host-networked")
	}

	// An AuthorizationPolicy source must present a mesh identity, which
	// no host-networked pod has: ops/collector is no client of web.
	authz := `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: web:1}]}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  rules: [{from: [{source: {namespaces: [ops]}}]}]
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: collector, namespace: ops}
spec:
  selector: {matchLabels: {app: collector}}
  template:
    metadata: {labels: {app: collector}}
    spec: {hostNetwork: true, containers: [{name: collector, image: collector:1}]}
`
	fixed = false
	for _, f := range ruletest.LintTree(t, map[string]string{"a.yaml": authz}, "", config.DefaultMesh(), NoDefaultDenyIngress) {
		if f.Object.Namespace != "shop" || len(f.Fixes) == 0 {
			continue
		}
		fixed = true
		if c := f.Fixes[0].NewFiles[0].Content; !strings.Contains(c, "AuthorizationPolicy shop/web") || strings.Contains(f.Fixes[0].Message, "collector") {
			t.Errorf("MR401 fix of shop: %q\n%s\nwant the AuthorizationPolicy's allow, and no host-networked client named", f.Fixes[0].Message, c)
		}
	}
	if !fixed {
		t.Error("no MR401 fix of shop with an AuthorizationPolicy source")
	}
}
