package netpol

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/config"
	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/manifest"
)

// analyze loads YAML documents and analyzes them.
func analyze(t testing.TB, docs string) (*Analysis, *graph.Graph) {
	t.Helper()
	res := manifest.Load([]string{"-"}, manifest.Options{Stdin: strings.NewReader(docs)})
	if len(res.Errors) > 0 {
		t.Fatalf("load: %v", res.Errors)
	}
	g := graph.Build(res.Objects, config.Mesh{})
	if len(g.Errors) > 0 {
		t.Fatalf("build: %v", g.Errors)
	}
	return Analyze(g), g
}

// dep writes a Deployment: labels as "k=v,k=v", ports as
// "name:number/PROTO,number".
func dep(ns, name, lbls, ports string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: %q\n  namespace: %q\nspec:\n  template:\n    metadata:\n      labels:\n", name, ns)
	for _, kv := range strings.Split(lbls, ",") {
		k, v, _ := strings.Cut(kv, "=")
		fmt.Fprintf(&b, "        %s: %q\n", k, v)
	}
	b.WriteString("    spec:\n      containers:\n      - name: main\n")
	if ports != "" {
		b.WriteString("        ports:\n")
		for _, p := range strings.Split(ports, ",") {
			name, rest, named := strings.Cut(p, ":")
			if !named {
				name, rest = "", p
			}
			num, proto, _ := strings.Cut(rest, "/")
			b.WriteString("        - containerPort: " + num + "\n")
			if name != "" {
				b.WriteString("          name: " + name + "\n")
			}
			if proto != "" {
				b.WriteString("          protocol: " + proto + "\n")
			}
		}
	}
	return b.String() + "---\n"
}

// endpoint reads a test endpoint: ns/name (a workload), ext:CIDR, ctrl
// (the ingress controller), pod:ns (any pod of namespace ns; pod:* for
// an unknown namespace) or pod:ns:k=v (a pod with those labels).
func endpoint(t *testing.T, g *graph.Graph, s string) Endpoint {
	t.Helper()
	switch {
	case s == "ctrl":
		return IngressController()
	case strings.HasPrefix(s, "ext:"):
		r, v6, err := ParseCIDR(s[4:])
		if err != nil {
			t.Fatal(err)
		}
		if v6 {
			r6, err := ParseCIDR6(s[4:])
			if err != nil {
				t.Fatal(err)
			}
			return ExternalEndpoint6(r6)
		}
		return ExternalEndpoint(r)
	case strings.HasPrefix(s, "pod:"):
		parts := strings.SplitN(s[4:], ":", 2)
		p := &Pod{Namespace: parts[0], AnyLabels: len(parts) == 1}
		if p.Namespace == "*" {
			p.Namespace = ""
		}
		if len(parts) == 2 {
			p.Labels = map[string]string{}
			for _, kv := range strings.Split(parts[1], ",") {
				k, v, _ := strings.Cut(kv, "=")
				p.Labels[k] = v
			}
		}
		return PodEndpoint(p)
	}
	ns, name, _ := strings.Cut(s, "/")
	for _, w := range g.Workloads {
		if w.Namespace() == ns && w.Name() == name {
			return WorkloadEndpoint(w)
		}
	}
	t.Fatalf("no workload %s", s)
	return Endpoint{}
}

type check struct {
	src, dst string
	want     string
	// side is "" for both sides, "in" for the destination's ingress only,
	// "out" for the source's egress only.
	side string
}

const (
	all  = "All Connections"
	none = "No Connections"
)

var semanticCases = []struct {
	name   string
	yaml   string
	checks []check
}{
	{
		// An init container with restartPolicy Always is a sidecar that
		// runs beside the containers: its named ports are the pod's. A
		// plain init container has finished before anything connects.
		name: "named ports of native sidecars resolve, of init containers not",
		yaml: `apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: s}
spec:
  template:
    metadata: {labels: {app: api}}
    spec:
      initContainers:
      - {name: setup, image: setup:1, ports: [{name: setup, containerPort: 8081}]}
      - {name: proxy, image: proxy:1, restartPolicy: Always, ports: [{name: metrics, containerPort: 9090}]}
      containers: [{name: api, image: api:1, ports: [{name: http, containerPort: 8080}]}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api, namespace: s}
spec:
  podSelector: {matchLabels: {app: api}}
  ingress: [{ports: [{port: http}, {port: metrics}, {port: setup}]}]
`,
		checks: []check{{"pod:*", "s/api", "TCP 8080,9090", "in"}},
	},
	{
		name: "no policy: everything, external included",
		yaml: dep("a", "x", "app=x", "") + dep("b", "y", "app=y", ""),
		checks: []check{
			{"a/x", "b/y", all, ""}, {"ext:0.0.0.0/0", "a/x", all, ""}, {"a/x", "ext:1.2.3.4/32", all, ""},
			{"ext:0.0.0.0/0", "ext:0.0.0.0/0", none, ""},
		},
	},
	{
		name: "policyTypes omitted with ingress rules only: ingress isolation only",
		yaml: dep("s", "web", "app=web", "") + dep("s", "db", "app=db", "") + `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db, namespace: s}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress:
  - from: [{podSelector: {matchLabels: {app: web}}}]
    ports: [{port: 5432}]
`,
		checks: []check{
			{"s/web", "s/db", "TCP 5432", ""}, {"s/db", "s/web", all, ""}, {"s/db", "ext:0.0.0.0/0", all, ""},
			{"ext:0.0.0.0/0", "s/db", none, ""},
		},
	},
	{
		name: "policyTypes omitted with egress rules: ingress and egress isolation",
		yaml: dep("s", "web", "app=web", "") + dep("s", "db", "app=db", "") + `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web, namespace: s}
spec:
  podSelector: {matchLabels: {app: web}}
  egress:
  - to: [{podSelector: {matchLabels: {app: db}}}]
`,
		checks: []check{
			{"s/web", "s/db", all, ""}, {"s/db", "s/web", none, ""}, {"s/web", "ext:0.0.0.0/0", none, ""},
			{"ext:0.0.0.0/0", "s/web", none, ""},
		},
	},
	{
		name: "explicit policyTypes ignore the other direction's rules",
		yaml: dep("s", "a", "app=a", "") + dep("s", "b", "app=b", "") + `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: a-egress, namespace: s}
spec:
  podSelector: {matchLabels: {app: a}}
  policyTypes: [Egress]
  ingress:
  - from: [{podSelector: {matchLabels: {app: nobody}}}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: b-ingress, namespace: s}
spec:
  podSelector: {matchLabels: {app: b}}
  policyTypes: [Ingress]
  ingress:
  - ports: [{port: 80}]
  egress:
  - to: [{podSelector: {matchLabels: {app: nobody}}}]
`,
		checks: []check{
			{"s/b", "s/a", all, ""}, {"s/a", "s/b", none, ""}, {"s/b", "ext:0.0.0.0/0", all, ""},
			{"ext:0.0.0.0/0", "s/b", "TCP 80", ""},
		},
	},
	{
		name: "ingress: [] denies, ingress: [{}] allows everything",
		yaml: dep("s", "closed", "app=closed", "") + dep("s", "open", "app=open", "") + `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: closed, namespace: s}
spec:
  podSelector: {matchLabels: {app: closed}}
  policyTypes: [Ingress]
  ingress: []
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: open, namespace: s}
spec:
  podSelector: {matchLabels: {app: open}}
  ingress: [{}]
`,
		checks: []check{
			{"s/open", "s/closed", none, ""}, {"s/closed", "s/open", all, ""}, {"ext:8.8.8.8/32", "s/open", all, ""},
		},
	},
	{
		name: "absent spec.podSelector selects the whole namespace, and only it",
		yaml: dep("s", "a", "app=a", "") + dep("t", "b", "app=b", "") + `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny, namespace: s}
spec:
  policyTypes: [Ingress]
`,
		checks: []check{{"t/b", "s/a", none, ""}, {"s/a", "t/b", all, ""}},
	},
	{
		name: "empty from, absent from, empty ports",
		yaml: dep("s", "a", "app=a", "") + dep("s", "b", "app=b", "") + dep("s", "c", "app=c", "") + `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: a, namespace: s}
spec:
  podSelector: {matchLabels: {app: a}}
  ingress:
  - from: []
    ports: [{port: 80}]
  - ports: [{port: 81}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: b, namespace: s}
spec:
  podSelector: {matchLabels: {app: b}}
  ingress:
  - from: [{podSelector: {matchLabels: {app: c}}}]
    ports: []
`,
		checks: []check{
			{"s/c", "s/a", "TCP 80-81", ""}, {"ext:0.0.0.0/0", "s/a", "TCP 80-81", ""},
			{"s/c", "s/b", all, ""}, {"s/a", "s/b", none, ""},
		},
	},
	{
		name: "namespaceSelector {} is every pod everywhere but no address; podSelector {} alone is the own namespace",
		yaml: dep("db", "pg", "app=pg", "") + dep("db", "local", "app=local", "") + dep("x", "far", "app=far", "") + `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: pg, namespace: db}
spec:
  podSelector: {matchLabels: {app: pg}}
  ingress:
  - from: [{namespaceSelector: {}}]
    ports: [{port: 5432}]
  - from: [{podSelector: {}}]
    ports: [{port: 9187}]
`,
		checks: []check{
			{"x/far", "db/pg", "TCP 5432", ""}, {"db/local", "db/pg", "TCP 5432,9187", ""},
			{"ext:0.0.0.0/0", "db/pg", none, ""}, {"pod:*", "db/pg", "TCP 5432", ""},
			{"pod:zzz", "db/pg", "TCP 5432", ""}, {"pod:db", "db/pg", "TCP 5432,9187", ""},
		},
	},
	{
		name: "namespaceSelector without podSelector is every pod of those namespaces",
		yaml: `
apiVersion: v1
kind: Namespace
metadata: {name: mon, labels: {purpose: monitoring}}
---
` + dep("mon", "prom", "app=prom", "") + dep("mon", "graf", "app=graf", "") + dep("app", "api", "app=api", "") + dep("other", "o", "app=o", "") + `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api, namespace: app}
spec:
  podSelector: {}
  ingress:
  - from: [{namespaceSelector: {matchLabels: {purpose: monitoring}}}]
`,
		checks: []check{{"mon/prom", "app/api", all, ""}, {"mon/graf", "app/api", all, ""}, {"other/o", "app/api", none, ""}, {"pod:mon", "app/api", all, ""}},
	},
	{
		name: "matchExpressions: In, NotIn, Exists, DoesNotExist, on pods and namespaces",
		yaml: `
apiVersion: v1
kind: Namespace
metadata: {name: dev, labels: {env: dev}}
---
apiVersion: v1
kind: Namespace
metadata: {name: prod, labels: {env: prod, tier: gold}}
---
` + dep("app", "t", "app=t", "") + dep("app", "in1", "tier=web", "") + dep("app", "in2", "tier=api,legacy=yes", "") +
			dep("app", "notin", "env=prod,team=x", "") + dep("app", "exists-no", "env=dev,team=y", "") +
			dep("dev", "d", "app=d", "") + dep("prod", "p", "app=p", "") + `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: t, namespace: app}
spec:
  podSelector: {matchLabels: {app: t}}
  ingress:
  - from:
    - podSelector:
        matchExpressions:
        - {key: tier, operator: In, values: [web, api]}
        - {key: legacy, operator: DoesNotExist}
    ports: [{port: 1}]
  - from:
    - podSelector:
        matchExpressions:
        - {key: env, operator: NotIn, values: [dev]}
        - {key: team, operator: Exists}
    ports: [{port: 2}]
  - from:
    - namespaceSelector:
        matchExpressions:
        - {key: env, operator: NotIn, values: [dev]}
        - {key: tier, operator: Exists}
    ports: [{port: 3}]
`,
		checks: []check{
			{"app/in1", "app/t", "TCP 1", ""}, {"app/in2", "app/t", none, ""}, {"app/notin", "app/t", "TCP 2", ""},
			{"app/exists-no", "app/t", none, ""}, {"dev/d", "app/t", none, ""}, {"prod/p", "app/t", "TCP 3", ""},
		},
	},
	{
		name: "kubernetes.io/metadata.name is automatic, for declared and implied namespaces",
		yaml: `
apiVersion: v1
kind: Namespace
metadata: {name: declared, labels: {team: a}}
---
` + dep("declared", "a", "app=a", "") + dep("implied", "b", "app=b", "") + dep("t", "t", "app=t", "") + `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: t, namespace: t}
spec:
  podSelector: {}
  ingress:
  - from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: declared, team: a}}}]
    ports: [{port: 1}]
  - from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: implied}}}]
    ports: [{port: 2}]
  - from: [{namespaceSelector: {matchLabels: {name: implied}}}]
    ports: [{port: 3}]
`,
		checks: []check{{"declared/a", "t/t", "TCP 1", ""}, {"implied/b", "t/t", "TCP 2", ""}},
	},
	{
		name: "both selectors in one peer is AND, two peers OR",
		yaml: `
apiVersion: v1
kind: Namespace
metadata: {name: fe, labels: {team: fe}}
---
` + dep("fe", "web", "app=web", "") + dep("fe", "job", "app=job", "") + dep("db", "web", "app=web", "") +
			dep("db", "and", "app=and", "") + dep("db", "or", "app=or", "") + `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: and, namespace: db}
spec:
  podSelector: {matchLabels: {app: and}}
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {team: fe}}
      podSelector: {matchLabels: {app: web}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: or, namespace: db}
spec:
  podSelector: {matchLabels: {app: or}}
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {team: fe}}
    - podSelector: {matchLabels: {app: web}}
`,
		checks: []check{
			{"fe/web", "db/and", all, ""}, {"fe/job", "db/and", none, ""}, {"db/web", "db/and", none, ""},
			{"fe/web", "db/or", all, ""}, {"fe/job", "db/or", all, ""}, {"db/web", "db/or", all, ""},
			{"db/and", "db/or", none, ""}, {"pod:fe", "db/or", all, ""}, {"pod:fe", "db/and", none, ""},
		},
	},
	{
		name: "ipBlock with except matches external addresses, never pods",
		yaml: dep("s", "web", "app=web", "") + dep("s", "pod", "app=pod", "") + `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web, namespace: s}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Ingress, Egress]
  ingress:
  - from: [{ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}}]
  egress:
  - to: [{ipBlock: {cidr: 0.0.0.0/0}}]
    ports: [{port: 443}]
`,
		checks: []check{
			{"ext:10.0.0.1/32", "s/web", all, ""}, {"ext:10.1.2.3/32", "s/web", none, ""}, {"ext:11.0.0.0/8", "s/web", none, ""},
			// A range is allowed what every address of it is.
			{"ext:10.0.0.0/8", "s/web", none, ""}, {"ext:10.2.0.0/15", "s/web", all, ""},
			{"s/pod", "s/web", none, ""}, {"s/web", "ext:1.1.1.1/32", "TCP 443", ""}, {"s/web", "s/pod", none, ""},
		},
	},
	{
		name: "named ports resolve per destination pod, by name and protocol",
		yaml: dep("s", "v1", "app=api", "http:8080,metrics:9100") + dep("s", "v2", "app=api", "http:9090") +
			dep("s", "udp", "app=api", "http:7070/UDP") + dep("s", "client", "app=client", "") + dep("s", "out", "app=out", "") + `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api, namespace: s}
spec:
  podSelector: {matchLabels: {app: api}}
  ingress:
  - from: [{podSelector: {matchLabels: {app: client}}}]
    ports: [{port: http}, {port: metrics}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: out, namespace: s}
spec:
  podSelector: {matchLabels: {app: out}}
  policyTypes: [Egress]
  egress:
  - ports: [{port: http}, {protocol: UDP, port: http}]
`,
		checks: []check{
			{"s/client", "s/v1", "TCP 8080,9100", ""}, {"s/client", "s/v2", "TCP 9090", ""}, {"s/client", "s/udp", none, ""},
			{"s/out", "s/v1", "TCP 8080", "out"}, {"s/out", "s/v2", "TCP 9090", "out"}, {"s/out", "s/udp", "UDP 7070", "out"},
			{"s/out", "s/client", none, ""}, {"s/out", "ext:0.0.0.0/0", none, ""},
			{"s/client", "pod:s:app=api", none, ""},
		},
	},
	{
		name: "endPort ranges, protocols, default TCP, a port entry without port",
		yaml: dep("s", "srv", "app=srv", "") + dep("s", "cli", "app=cli", "") + `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: srv, namespace: s}
spec:
  podSelector: {matchLabels: {app: srv}}
  ingress:
  - from: [{podSelector: {}}]
    ports:
    - {port: 32000, endPort: 32768}
    - {protocol: UDP, port: 10053, endPort: 10054}
    - {protocol: SCTP, port: 3868}
    - {protocol: TCP, port: 8080}
    - {protocol: UDP}
`,
		checks: []check{{"s/cli", "s/srv", "SCTP 3868,TCP 8080,32000-32768,UDP 1-65535", ""}},
	},
	{
		name: "a connection needs the source's egress and the destination's ingress",
		yaml: dep("s", "c", "app=c", "") + dep("s", "srv", "app=srv", "") + `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: c, namespace: s}
spec:
  podSelector: {matchLabels: {app: c}}
  policyTypes: [Egress]
  egress:
  - ports: [{port: 80}, {port: 443}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: srv, namespace: s}
spec:
  podSelector: {matchLabels: {app: srv}}
  ingress:
  - ports: [{port: 443}, {port: 8443}]
`,
		checks: []check{
			{"s/c", "s/srv", "TCP 443", ""}, {"s/c", "s/srv", "TCP 80,443", "out"}, {"s/c", "s/srv", "TCP 443,8443", "in"},
			{"s/srv", "s/c", all, ""}, {"s/c", "ext:0.0.0.0/0", "TCP 80,443", ""},
		},
	},
	{
		name: "AdminNetworkPolicy priority, actions, pod subjects and peers, ports",
		yaml: dep("app", "svc", "app=svc", "grpc:9000") + dep("app", "db", "app=db", "") + dep("mon", "prom", "app=prom", "") +
			dep("bad", "x", "app=x", "") + `
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: later}
spec:
  priority: 20
  subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: app}}}
  ingress:
  - action: Allow
    from: [{namespaces: {matchLabels: {kubernetes.io/metadata.name: mon}}}]
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: first}
spec:
  priority: 10
  subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: app}}}
  ingress:
  - action: Deny
    from: [{namespaces: {}}]
    ports: [{portNumber: {protocol: TCP, port: 22}}]
  - action: Deny
    from: [{namespaces: {matchLabels: {kubernetes.io/metadata.name: bad}}}]
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: db}
spec:
  priority: 15
  subject: {pods: {namespaceSelector: {}, podSelector: {matchLabels: {app: db}}}}
  ingress:
  - action: Allow
    from: [{pods: {namespaceSelector: {}, podSelector: {matchLabels: {app: svc}}}}]
    ports: [{portRange: {start: 5432, end: 5433}}]
  - action: Deny
    from: [{namespaces: {}}]
  egress:
  - action: Allow
    to: [{pods: {namespaceSelector: {}, podSelector: {matchLabels: {app: svc}}}}]
    ports: [{namedPort: grpc}]
  - action: Deny
    to: [{namespaces: {}}]
`,
		checks: []check{
			{"mon/prom", "app/svc", "SCTP 1-65535,TCP 1-21,23-65535,UDP 1-65535", ""},
			{"bad/x", "app/svc", none, ""},
			{"app/svc", "app/db", "TCP 5432-5433", ""}, {"mon/prom", "app/db", none, ""},
			{"app/db", "app/svc", "TCP 9000", ""}, {"app/db", "mon/prom", none, ""}, {"app/db", "ext:0.0.0.0/0", all, ""},
			{"ext:0.0.0.0/0", "app/db", all, ""},
		},
	},
}

func TestSemantics(t *testing.T) {
	for _, tc := range slices.Concat(semanticCases, tierCases, ipv6Cases) {
		t.Run(tc.name, func(t *testing.T) {
			a, g := analyze(t, tc.yaml)
			for _, ws := range a.Warnings() {
				t.Logf("warning: %v", ws)
			}
			for _, c := range tc.checks {
				src, dst := endpoint(t, g, c.src), endpoint(t, g, c.dst)
				var got Set
				switch c.side {
				case "":
					got = a.Allowed(src, dst)
				case "in":
					got = a.IngressAllowed(src, dst)
				case "out":
					got = a.EgressAllowed(src, dst)
				}
				if got.String() != c.want {
					t.Errorf("%s => %s (%s): got %q, want %q", c.src, c.dst, c.side, got, c.want)
				}
			}
		})
	}
}
