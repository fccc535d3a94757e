package netpol

import (
	"strings"
	"testing"
)

// tierCases cover the tiers of the network policy API and the ingress
// controller; TestSemantics runs them.
var tierCases = []struct {
	name   string
	yaml   string
	checks []check
}{
	{
		name: "Pass goes to the NetworkPolicy tier, skipping lower-priority ANPs",
		yaml: dep("app", "api", "app=api", "") + dep("app", "open", "app=open", "") + dep("fe", "web", "app=web", "") + dep("o", "x", "app=x", "") + `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api, namespace: app}
spec:
  podSelector: {matchLabels: {app: api}}
  ingress:
  - from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: fe}}}]
    ports: [{port: 8080}]
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: pass}
spec:
  priority: 1
  subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: app}}}
  ingress:
  - {action: Pass, from: [{namespaces: {}}]}
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: deny}
spec:
  priority: 2
  subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: app}}}
  ingress:
  - {action: Deny, from: [{namespaces: {}}]}
`,
		checks: []check{
			{"fe/web", "app/api", "TCP 8080", ""}, {"o/x", "app/api", none, ""}, {"o/x", "app/open", all, ""},
			{"app/api", "app/open", all, ""}, {"ext:0.0.0.0/0", "app/open", all, ""}, {"ext:0.0.0.0/0", "app/api", none, ""},
		},
	},
	{
		name: "Pass with no isolating NetworkPolicy goes to the baseline",
		yaml: dep("app", "svc", "app=svc", "") + dep("trusted", "t", "app=t", "") + dep("o", "o", "app=o", "") + `
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: pass}
spec:
  priority: 1
  subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: app}}}
  ingress:
  - {action: Pass, from: [{namespaces: {matchLabels: {kubernetes.io/metadata.name: trusted}}}]}
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: allow}
spec:
  priority: 2
  subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: app}}}
  ingress:
  - {action: Allow, from: [{namespaces: {}}]}
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: BaselineAdminNetworkPolicy
metadata: {name: default}
spec:
  subject: {namespaces: {}}
  ingress:
  - {action: Deny, from: [{namespaces: {}}], ports: [{portNumber: {port: 80, protocol: TCP}}, {portRange: {protocol: UDP, start: 1, end: 100}}]}
`,
		checks: []check{
			{"trusted/t", "app/svc", "SCTP 1-65535,TCP 1-79,81-65535,UDP 101-65535", ""},
			{"o/o", "app/svc", all, ""}, {"app/svc", "o/o", "SCTP 1-65535,TCP 1-79,81-65535,UDP 101-65535", ""},
			{"ext:0.0.0.0/0", "o/o", all, ""},
		},
	},
	{
		name: "the baseline applies only where no NetworkPolicy isolates; its rules go in order",
		yaml: `
apiVersion: v1
kind: Namespace
metadata: {name: a, labels: {team: a}}
---
` + dep("a", "a", "app=a", "") + dep("b", "b", "app=b", "") + dep("np", "c", "app=c", "") + `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: c, namespace: np}
spec:
  podSelector: {}
  ingress: [{}]
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: BaselineAdminNetworkPolicy
metadata: {name: default}
spec:
  subject: {namespaces: {}}
  ingress:
  - {action: Allow, from: [{namespaces: {matchLabels: {team: a}}}]}
  - {action: Deny, from: [{namespaces: {}}]}
  egress:
  - {action: Deny, to: [{networks: [192.168.0.0/16]}]}
`,
		checks: []check{
			{"a/a", "b/b", all, ""}, {"b/b", "a/a", none, ""}, {"b/b", "np/c", all, ""}, {"np/c", "b/b", none, ""},
			{"b/b", "ext:192.168.1.0/24", none, ""}, {"b/b", "ext:10.0.0.0/8", all, ""},
			{"a/a", "ext:192.168.0.0/15", none, ""},
		},
	},
	{
		name: "ANP egress networks narrower than 0.0.0.0/0 match addresses, not pods; the first matching rule wins",
		yaml: dep("app", "svc", "app=svc", "") + dep("o", "x", "app=x", "") + `
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: egress}
spec:
  priority: 3
  subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: app}}}
  egress:
  - {action: Allow, to: [{networks: [10.0.0.0/8]}], ports: [{portNumber: {protocol: TCP, port: 443}}]}
  - {action: Deny, to: [{networks: [0.0.0.0/1, 128.0.0.0/1]}]}
`,
		checks: []check{
			{"app/svc", "ext:10.1.1.1/32", "TCP 443", ""}, {"app/svc", "ext:11.0.0.0/8", none, ""},
			{"app/svc", "o/x", all, ""}, {"o/x", "ext:11.0.0.0/8", all, ""},
		},
	},
	{
		// The API checks cluster traffic against networks too, and every
		// pod address is in 0.0.0.0/0 (network-policy-api conformance
		// AdminNetworkPolicyEgressInlineCIDRPeers).
		name: "admin egress network 0.0.0.0/0 matches every pod as well as every address",
		yaml: dep("app", "svc", "app=svc", "") + dep("o", "x", "app=x", "") + dep("p", "y", "app=y", "") + `
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: egress}
spec:
  priority: 3
  subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: app}}}
  egress:
  - {action: Pass, to: [{namespaces: {matchLabels: {kubernetes.io/metadata.name: p}}}]}
  - {action: Deny, to: [{networks: [0.0.0.0/0]}], ports: [{portNumber: {protocol: TCP, port: 80}}]}
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: BaselineAdminNetworkPolicy
metadata: {name: default}
spec:
  subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: o}}}
  egress:
  - {action: Deny, to: [{networks: [0.0.0.0/0]}]}
`,
		checks: []check{
			{"app/svc", "o/x", "SCTP 1-65535,TCP 1-79,81-65535,UDP 1-65535", ""}, {"app/svc", "p/y", all, ""},
			{"app/svc", "ext:11.0.0.0/8", "SCTP 1-65535,TCP 1-79,81-65535,UDP 1-65535", ""},
			{"o/x", "p/y", none, ""}, {"o/x", "ext:11.0.0.0/8", none, ""}, {"p/y", "o/x", all, ""},
		},
	},
	{
		name: "Admin ClusterNetworkPolicies and AdminNetworkPolicies share one tier, ordered by priority",
		yaml: dep("app", "svc", "app=svc", "web:8080,dns:53/UDP") + dep("fe", "web", "app=web", "") + dep("o", "x", "app=x", "") + `
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: deny-all}
spec:
  priority: 20
  subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: app}}}
  ingress:
  - {action: Deny, from: [{namespaces: {}}]}
---
apiVersion: policy.networking.k8s.io/v1beta1
kind: ClusterNetworkPolicy
metadata: {name: accept-fe}
spec:
  tier: Admin
  priority: 10
  subject: {pods: {podSelector: {matchLabels: {app: svc}}}}
  ingress:
  - name: web
    action: Accept
    from: [{namespaces: {matchLabels: {kubernetes.io/metadata.name: fe}}}]
    protocols: [{destinationNamedPort: web}, {tcp: {destinationPort: {number: 9090}}}, {udp: {destinationPort: {range: {start: 100, end: 102}}}}]
  - {action: Pass, from: [{pods: {namespaceSelector: {}, podSelector: {matchLabels: {app: x}}}}], protocols: [{sctp: {destinationPort: {number: 7}}}]}
---
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: later}
spec:
  tier: Admin
  priority: 30
  subject: {namespaces: {}}
  ingress:
  - {action: Accept, from: [{namespaces: {}}]}
`,
		checks: []check{
			{"fe/web", "app/svc", "TCP 8080,9090,UDP 100-102", ""},
			// Pass skips the rest of the tier, the priority-30 Accept too:
			// nothing isolates app/svc, so the default allows.
			{"o/x", "app/svc", "SCTP 7", ""},
			{"app/svc", "o/x", all, ""},
		},
	},
	{
		name: "Baseline ClusterNetworkPolicies come after NetworkPolicies and before the BANP; their Pass allows",
		yaml: dep("app", "svc", "app=svc", "") + dep("np", "iso", "app=iso", "") + dep("fe", "web", "app=web", "") + dep("o", "x", "app=x", "") + `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: iso, namespace: np}
spec:
  podSelector: {}
  ingress: [{from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: fe}}}]}]
---
apiVersion: policy.networking.k8s.io/v1beta1
kind: ClusterNetworkPolicy
metadata: {name: b2}
spec:
  tier: Baseline
  priority: 2
  subject: {namespaces: {}}
  ingress:
  - {action: Deny, from: [{namespaces: {matchLabels: {kubernetes.io/metadata.name: fe}}}], protocols: [{tcp: {destinationPort: {number: 80}}}]}
---
apiVersion: policy.networking.k8s.io/v1beta1
kind: ClusterNetworkPolicy
metadata: {name: b1}
spec:
  tier: Baseline
  priority: 1
  subject: {namespaces: {}}
  ingress:
  - {action: Pass, from: [{namespaces: {matchLabels: {kubernetes.io/metadata.name: o}}}]}
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: BaselineAdminNetworkPolicy
metadata: {name: default}
spec:
  subject: {namespaces: {}}
  ingress:
  - {action: Deny, from: [{namespaces: {}}]}
`,
		checks: []check{
			{"fe/web", "np/iso", all, ""}, {"o/x", "np/iso", none, ""},
			{"o/x", "app/svc", all, ""},
			{"fe/web", "app/svc", none, ""},
			{"np/iso", "app/svc", none, ""},
		},
	},
	{
		name: "the ingress controller is a pod of unknown namespace and labels",
		yaml: `
apiVersion: v1
kind: Namespace
metadata: {name: s, labels: {team: s}}
---
` + dep("s", "any-ns", "app=any-ns", "") + dep("s", "ns-and-pods", "app=ns-and-pods", "") + dep("s", "ns-and-pod", "app=ns-and-pod", "") +
			dep("s", "not-exists", "app=not-exists", "") + dep("s", "own-ns", "app=own-ns", "") + dep("s", "ipblock", "app=ipblock", "") +
			dep("s", "open", "app=open", "") + dep("s", "labelled-ns", "app=labelled-ns", "") + `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: any-ns, namespace: s}
spec:
  podSelector: {matchLabels: {app: any-ns}}
  ingress: [{from: [{namespaceSelector: {}}]}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: ns-and-pods, namespace: s}
spec:
  podSelector: {matchLabels: {app: ns-and-pods}}
  ingress: [{from: [{namespaceSelector: {}, podSelector: {}}]}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: ns-and-pod, namespace: s}
spec:
  podSelector: {matchLabels: {app: ns-and-pod}}
  ingress: [{from: [{namespaceSelector: {}, podSelector: {matchLabels: {app: nginx}}}]}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: not-exists, namespace: s}
spec:
  podSelector: {matchLabels: {app: not-exists}}
  ingress: [{from: [{namespaceSelector: {matchExpressions: [{key: restricted, operator: DoesNotExist}]}}]}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: own-ns, namespace: s}
spec:
  podSelector: {matchLabels: {app: own-ns}}
  ingress: [{from: [{podSelector: {}}]}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: ipblock, namespace: s}
spec:
  podSelector: {matchLabels: {app: ipblock}}
  ingress: [{from: [{ipBlock: {cidr: 0.0.0.0/0}}]}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: labelled-ns, namespace: s}
spec:
  podSelector: {matchLabels: {app: labelled-ns}}
  ingress: [{from: [{namespaceSelector: {matchLabels: {team: s}}}]}]
`,
		checks: []check{
			{"ctrl", "s/any-ns", all, ""}, {"ctrl", "s/ns-and-pods", all, ""}, {"ctrl", "s/ns-and-pod", none, ""},
			{"ctrl", "s/not-exists", none, ""}, {"ctrl", "s/own-ns", none, ""}, {"ctrl", "s/ipblock", none, ""},
			{"ctrl", "s/open", all, ""}, {"ctrl", "s/labelled-ns", none, ""},
			// A pod of s with unknown labels is another question.
			{"pod:s", "s/labelled-ns", all, ""}, {"pod:s", "s/own-ns", all, ""}, {"pod:s", "s/ns-and-pod", none, ""},
			{"pod:s:app=nginx", "s/ns-and-pod", all, ""},
		},
	},
	{
		name: "the ingress controller is selected by ANP subjects that select every pod",
		yaml: dep("s", "web", "app=web", "") + `
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: all-egress}
spec:
  priority: 1
  subject: {namespaces: {}}
  egress:
  - {action: Deny, to: [{pods: {namespaceSelector: {}, podSelector: {matchLabels: {app: web}}}}], ports: [{portNumber: {protocol: TCP, port: 22}}]}
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: s-egress}
spec:
  priority: 2
  subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: s}}}
  egress:
  - {action: Deny, to: [{namespaces: {}}]}
`,
		checks: []check{
			{"ctrl", "s/web", "SCTP 1-65535,TCP 1-21,23-65535,UDP 1-65535", ""},
			{"pod:*:app=x", "s/web", "SCTP 1-65535,TCP 1-21,23-65535,UDP 1-65535", ""},
			{"s/web", "pod:s", none, ""}, {"pod:s:app=y", "pod:*", none, ""}, {"pod:t:app=y", "pod:*", all, ""},
		},
	},
	{
		name: "admin subjects and pod peers leave host-networked pods out; networks 0.0.0.0/0 and NetworkPolicies do not",
		yaml: dep("s", "web", "app=web", "") + hostDep("s", "agent", "app=agent", "") + dep("o", "x", "app=x", "") +
			hostDep("o", "probe", "app=probe", "") + dep("p", "y", "app=y", "") + hostDep("n", "exporter", "app=exporter", "") + `
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: s-ingress}
spec:
  priority: 1
  subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: s}}}
  ingress:
  - {action: Deny, from: [{namespaces: {}}]}
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: o-egress}
spec:
  priority: 2
  subject: {pods: {namespaceSelector: {}, podSelector: {}}}
  egress:
  - {action: Deny, to: [{pods: {namespaceSelector: {}, podSelector: {matchExpressions: [{key: app, operator: In, values: [agent, web]}]}}}]}
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: p-egress}
spec:
  priority: 3
  subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: p}}}
  egress:
  - {action: Deny, to: [{networks: [0.0.0.0/0]}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny, namespace: "n"}
spec:
  podSelector: {}
  ingress:
  - from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: o}}, podSelector: {matchLabels: {app: probe}}}]
`,
		checks: []check{
			// The subject of s-ingress is web, not agent; its peer
			// namespaces: {} is every pod but the host-networked ones.
			{"o/x", "s/web", none, "in"}, {"o/x", "s/agent", all, "in"}, {"o/probe", "s/web", all, "in"},
			// o-egress selects every pod but probe, and denies towards
			// web only: agent is on its node's network.
			{"o/x", "s/web", none, "out"}, {"o/x", "s/agent", all, "out"}, {"o/probe", "s/web", all, "out"},
			{"o/probe", "s/agent", all, ""},
			// 0.0.0.0/0 holds node addresses too.
			{"p/y", "s/agent", none, "out"}, {"p/y", "o/probe", none, "out"},
			// NetworkPolicies select host-networked pods, as pods.
			{"o/x", "n/exporter", none, ""}, {"o/probe", "n/exporter", all, ""},
		},
	},
	{
		name: "baseline and Cluster policies leave host-networked pods out too",
		yaml: dep("s", "web", "app=web", "") + hostDep("s", "agent", "app=agent", "") + dep("o", "x", "app=x", "") + hostDep("o", "probe", "app=probe", "") + `
apiVersion: policy.networking.k8s.io/v1alpha1
kind: BaselineAdminNetworkPolicy
metadata: {name: default}
spec:
  subject: {namespaces: {}}
  ingress:
  - {action: Deny, from: [{namespaces: {}}]}
---
apiVersion: policy.networking.k8s.io/v1beta1
kind: ClusterNetworkPolicy
metadata: {name: deny-egress}
spec:
  tier: Admin
  priority: 1
  subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: o}}}
  egress:
  - {action: Deny, to: [{pods: {namespaceSelector: {}, podSelector: {}}}]}
`,
		checks: []check{
			{"o/x", "s/web", none, "in"}, {"o/x", "s/agent", all, "in"}, {"o/probe", "s/web", all, "in"},
			{"o/x", "s/web", none, "out"}, {"o/x", "s/agent", all, "out"}, {"o/probe", "s/web", all, "out"},
			{"s/agent", "o/probe", all, ""}, {"pod:*", "s/web", none, ""}, {"pod:*", "s/agent", all, ""},
		},
	},
}

// hostDep is dep for a Deployment of host-networked pods.
func hostDep(ns, name, lbls, ports string) string {
	return strings.Replace(dep(ns, name, lbls, ports), "    spec:\n      containers:", "    spec:\n      hostNetwork: true\n      containers:", 1)
}

func TestIsolated(t *testing.T) {
	a, g := analyze(t, dep("s", "in", "app=in", "")+dep("s", "out", "app=out", "")+dep("s", "none", "app=none", "")+`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: in, namespace: s}
spec:
  podSelector: {matchLabels: {app: in}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: out, namespace: s}
spec:
  podSelector: {matchLabels: {app: out}}
  policyTypes: [Egress]
`)
	for _, tc := range []struct {
		w       string
		in, out bool
	}{{"s/in", true, false}, {"s/out", false, true}, {"s/none", false, false}} {
		w := endpoint(t, g, tc.w).Workload
		if a.Isolated(w, Ingress) != tc.in || a.Isolated(w, Egress) != tc.out {
			t.Errorf("%s: Isolated = %v, %v; want %v, %v", tc.w, a.Isolated(w, Ingress), a.Isolated(w, Egress), tc.in, tc.out)
		}
	}
}

func TestPolicies(t *testing.T) {
	a, g := analyze(t, dep("s", "a", "app=a", "")+dep("t", "b", "app=b", "")+`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny, namespace: s}
spec:
  podSelector: {}
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: anp}
spec:
  priority: 1
  subject: {namespaces: {}}
  ingress:
  - {action: Pass, from: [{namespaces: {}}]}
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: BaselineAdminNetworkPolicy
metadata: {name: default}
spec:
  subject: {namespaces: {}}
  ingress:
  - {action: Deny, from: [{namespaces: {}}]}
`)
	names := func(w string, d Direction) string {
		var out []string
		for _, o := range a.Policies(endpoint(t, g, w).Workload, d) {
			out = append(out, string(o.Kind)+" "+o.Name)
		}
		return strings.Join(out, ", ")
	}
	for _, tc := range []struct {
		w    string
		d    Direction
		want string
	}{
		{"s/a", Ingress, "AdminNetworkPolicy anp, NetworkPolicy deny"},
		{"t/b", Ingress, "AdminNetworkPolicy anp, BaselineAdminNetworkPolicy default"},
		{"s/a", Egress, ""},
	} {
		if got := names(tc.w, tc.d); got != tc.want {
			t.Errorf("%s %s: got %q, want %q", tc.w, tc.d, got, tc.want)
		}
	}
	if c := a.IngressAllowed(AnyPod(), endpoint(t, g, "t/b")); !c.IsEmpty() {
		t.Errorf("AnyPod => t/b: %s", c)
	}
	if c := a.IngressAllowed(AnyPodIn("t"), endpoint(t, g, "s/a")); !c.IsEmpty() {
		t.Errorf("AnyPodIn(t) => s/a: %s", c)
	}
	if AnyPod().IsIngressController() || !IngressController().IsIngressController() {
		t.Error("AnyPod is not the ingress controller")
	}
}

func TestWarnings(t *testing.T) {
	a, _ := analyze(t, dep("s", "a", "app=a", "")+`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: bad, namespace: s}
spec:
  podSelector: {}
  ingress:
  - from:
    - ipBlock: {cidr: 10.0.0.0/33}
    - ipBlock: {cidr: 10.0.0.0/8}
      podSelector: {}
    - {}
    - ipBlock: {cidr: "fd00::/8"}
    - ipBlock: {cidr: 10.0.0.0/8, except: [11.0.0.0/8]}
    ports:
    - {port: http, endPort: 90}
    - {port: 90, endPort: 80}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: refused, namespace: s}
spec:
  podSelector: {}
  ingress:
  - ports:
    - {protocol: ICMP, port: 1}
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: one}
spec:
  priority: 1
  subject: {namespaces: {}}
  egress:
  - {action: Allow, to: [{nodes: {}}]}
  - {action: Deny, to: [{namespaces: {}, networks: [1.0.0.0/8]}]}
  - {action: Maybe, to: [{namespaces: {}}]}
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: two}
spec:
  priority: 1
  subject: {namespaces: {}, pods: {namespaceSelector: {}, podSelector: {}}}
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: three}
spec:
  priority: 1
  subject: {namespaces: {}}
  egress:
  - {action: Allow, to: [{nodes: {}}]}
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: four}
spec:
  priority: 1
  subject: {namespaces: {}}
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: BaselineAdminNetworkPolicy
metadata: {name: default}
spec:
  subject: {namespaces: {}}
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: BaselineAdminNetworkPolicy
metadata: {name: not-default}
spec:
  subject: {namespaces: {}}
  ingress:
  - {action: Pass, from: [{namespaces: {}}]}
---
apiVersion: policy.networking.k8s.io/v1beta1
kind: ClusterNetworkPolicy
metadata: {name: middle}
spec:
  tier: Middle
  priority: 1
  subject: {namespaces: {}}
---
apiVersion: policy.networking.k8s.io/v1beta1
kind: ClusterNetworkPolicy
metadata: {name: base1}
spec:
  tier: Baseline
  priority: 4
  subject: {namespaces: {}}
  ingress:
  - {action: Allow, from: [{namespaces: {}}]}
  - {action: Accept, from: [{namespaces: {}}], protocols: [{tcp: {destinationPort: {number: 80}}, destinationNamedPort: http}]}
---
apiVersion: policy.networking.k8s.io/v1beta1
kind: ClusterNetworkPolicy
metadata: {name: base2}
spec:
  tier: Baseline
  priority: 4
  subject: {namespaces: {}}
  ingress:
  - {action: Deny, from: [{namespaces: {}}], protocols: [{udp: {destinationPort: {range: {start: 9, end: 8}}}}]}
---
apiVersion: policy.networking.k8s.io/v1beta1
kind: ClusterNetworkPolicy
metadata: {name: base3}
spec:
  tier: Baseline
  priority: 4
  subject: {namespaces: {}}
---
apiVersion: policy.networking.k8s.io/v1beta1
kind: ClusterNetworkPolicy
metadata: {name: base4}
spec:
  tier: Baseline
  priority: 4
  subject: {namespaces: {}}
`)
	var got []string
	for _, w := range a.Warnings() {
		got = append(got, w.String())
	}
	all := strings.Join(got, "\n")
	if strings.Contains(all, "fd00::/8") {
		t.Errorf("an IPv6 block, an address family of its own, is warned about:\n%s", all)
	}
	for _, want := range []string{
		// Refused whole, for the first of its faults: the peers and ports
		// the API server refuses are not dropped one by one.
		`NetworkPolicy s/bad: ingress[0].from[0].ipBlock.cidr "10.0.0.0/33" is not a CIDR block, so the API server refuses the policy; it is left out`,
		`NetworkPolicy s/refused: ingress[0].ports[0] protocol "ICMP" is not TCP, UDP or SCTP, so the API server refuses the policy; it is left out`,
		// Admin policies the API server refuses are left out, with
		// their first reason (refusal_admin.go in the graph).
		"AdminNetworkPolicy one: egress[1].to[0] sets namespaces and networks, where exactly one of namespaces, pods, nodes and networks is required, so the API server refuses the policy; it is left out",
		"AdminNetworkPolicy two: subject sets namespaces and pods, where exactly one of namespaces and pods is required, so the API server refuses the policy",
		`BaselineAdminNetworkPolicy not-default: metadata.name "not-default" is not "default", the only name the API allows a BaselineAdminNetworkPolicy, so the API server refuses the policy`,
		`ClusterNetworkPolicy middle: tier "Middle" is neither Admin nor Baseline, so the API server refuses the policy`,
		`ClusterNetworkPolicy base1: ingress[0].action "Allow" is not one of Accept, Deny, Pass, so the API server refuses the policy`,
		"ClusterNetworkPolicy base2: ingress[0].protocols[0].udp.destinationPort.range 9-8 does not end after it starts, so the API server refuses the policy",
		"nodes peers are not modelled",
		"AdminNetworkPolicy three has priority 1, as AdminNetworkPolicy four does",
		"ClusterNetworkPolicy base4 has priority 4, as ClusterNetworkPolicy base3 does: the API leaves their order in the baseline tier undefined",
		"and Baseline ClusterNetworkPolicies: the API does not order the two kinds",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("warnings lack %q:\n%s", want, all)
		}
	}
	// Warnings point at the value.
	if w := a.Warnings()[0]; !strings.Contains(w.Msg, "10.0.0.0/33") || w.Loc.Line != 23 || w.Loc.Col != 23 {
		t.Errorf("first warning at %d:%d: %s", w.Loc.Line, w.Loc.Col, w.Msg)
	}
	// The Deny whose peer sets two fields is refused, not failed
	// closed: it denies nothing.
	g := a.Workloads()[0]
	if c := a.EgressAllowed(WorkloadEndpoint(g), ExternalEndpoint(AllIPs)); c.IsEmpty() {
		t.Errorf("refused Deny: egress %s", c)
	}
}
