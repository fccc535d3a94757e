package validation

import (
	"strings"
	"testing"
)

// TestKubernetesObjectInvalidWrongTypes checks that MR027 reads a field of
// the wrong type neither as absent, empty or "" nor as a value: the loader
// or MR001 reports the type, and MR027 would add a second message, and a
// wrong one ("lists no port" of ports written as a string, "does not
// select app=" of a label value written as a list), for the same mistake.
// Each input has one such mistake and nothing else MR027 refuses.
func TestKubernetesObjectInvalidWrongTypes(t *testing.T) {
	const service = `apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app: web}
  ports:
  - {name: http, port: 80}
`
	const deployment = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - {name: web, image: example/web:1.0}
`
	const ingress = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: shop}
spec:
  rules:
  - host: shop.example.com
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service: {name: web, port: {number: 80}}
`
	const job = `apiVersion: batch/v1
kind: Job
metadata: {name: migrate, namespace: shop}
spec:
  completionMode: Indexed
  completions: 3
  backoffLimitPerIndex: 1
  template:
    spec:
      restartPolicy: Never
      containers:
      - {name: migrate, image: example/migrate:1.0}
`
	const pod = `apiVersion: v1
kind: Pod
metadata: {name: probe, namespace: shop}
spec:
  dnsPolicy: None
  dnsConfig:
    nameservers: [10.96.0.10]
  containers:
  - {name: probe, image: example/probe:1.0}
`
	edit := func(src string, pairs ...string) string {
		t.Helper()
		for i := 0; i < len(pairs); i += 2 {
			if !strings.Contains(src, pairs[i]) {
				t.Fatalf("%q not in the input", pairs[i])
			}
			src = strings.Replace(src, pairs[i], pairs[i+1], 1)
		}
		return src
	}
	for _, tc := range []struct{ name, src string }{
		{"service ports a string", edit(service, "ports:\n  - {name: http, port: 80}", "ports: abc")},
		{"service ports a mapping", edit(service, "ports:\n  - {name: http, port: 80}", "ports: {name: http, port: 80}")},
		{"service type a list", edit(service, "ports:", "type: [NodePort]\n  externalTrafficPolicy: Local\n  ports:", "port: 80}", "port: 80, nodePort: 30080}")},
		{"service port name a number", edit(service, "- {name: http, port: 80}", "- {name: 8080, port: 8080}\n  - {name: http, port: 80}")},
		{"service port protocol a list", edit(service, "- {name: http, port: 80}", "- {name: http, port: 80}\n  - {name: dns, port: 80, protocol: [UDP]}")},
		{"service externalName a mapping", edit(service, "spec:\n  selector: {app: web}\n  ports:\n  - {name: http, port: 80}", "spec:\n  type: ExternalName\n  externalName: {host: db.example.com}")},
		{"service externalIPs a string", edit(service, "ports:", "externalTrafficPolicy: Local\n  externalIPs: 203.0.113.7\n  ports:")},
		{"service externalTrafficPolicy a list", edit(service, "ports:", "type: LoadBalancer\n  externalTrafficPolicy: [Local]\n  healthCheckNodePort: 30100\n  ports:")},
		{"service ipFamilies item a mapping", edit(service, "ports:", "clusterIP: 10.96.0.10\n  ipFamilyPolicy: PreferDualStack\n  ipFamilies: [{family: IPv4}, IPv6]\n  ports:")},
		{"service source ranges a string", edit(service, "metadata: {name: web, namespace: shop}", "metadata:\n  name: web\n  namespace: shop\n  annotations: {service.beta.kubernetes.io/load-balancer-source-ranges: 10.0.0.0/8}", "ports:", "loadBalancerSourceRanges: 10.0.0.0/8\n  ports:")},
		{"selector label value a list", edit(deployment, "matchLabels: {app: web}", "matchLabels: {app: [web]}")},
		{"selector matchLabels a list", edit(deployment, "matchLabels: {app: web}", "matchLabels: [app]")},
		{"selector matchExpressions a mapping", edit(deployment, "matchLabels: {app: web}", "matchExpressions: {key: app, operator: In, values: [web]}")},
		{"selector requirement values a string", edit(deployment, "matchLabels: {app: web}", "matchExpressions: [{key: app, operator: In, values: web}]")},
		{"selector requirement value a mapping", edit(deployment, "matchLabels: {app: web}", "matchExpressions: [{key: app, operator: In, values: [{v: web}]}]")},
		{"selector requirement key a list", edit(deployment, "matchLabels: {app: web}", "matchExpressions: [{key: [app], operator: Exists}]")},
		{"template labels a list", edit(deployment, "labels: {app: web}", "labels: [app]")},
		{"template label value a mapping", edit(deployment, "labels: {app: web}", "labels: {app: {name: web}}")},
		{"replication controller template label value a list", `apiVersion: v1
kind: ReplicationController
metadata: {name: web, namespace: shop}
spec:
  selector: {app: web}
  template:
    metadata:
      labels: {app: [web]}
    spec:
      containers:
      - {name: web, image: example/web:1.0}
`},
		{"pod dnsConfig a string", edit(pod, "dnsConfig:\n    nameservers: [10.96.0.10]", "dnsConfig: 10.96.0.10")},
		{"pod nameservers a string", edit(pod, "nameservers: [10.96.0.10]", "nameservers: 10.96.0.10")},
		{"pod search domain a mapping", edit(pod, "nameservers: [10.96.0.10]", "nameservers: [10.96.0.10]\n    searches: [{name: \"\"}]")},
		{"pod DNS option name a list", edit(pod, "nameservers: [10.96.0.10]", "nameservers: [10.96.0.10]\n    options: [{name: []}]")},
		{"pod host alias hostname a mapping", edit(pod, "  containers:", "  hostAliases:\n  - {ip: 10.0.0.1, hostnames: [{name: DB}]}\n  containers:")},
		{"container resource limits a list", edit(deployment, "image: example/web:1.0}", "image: example/web:1.0, resources: {limits: [nvidia.com/gpu], requests: {nvidia.com/gpu: 1}}}")},
		{"container resource limit a list", edit(deployment, "image: example/web:1.0}", "image: example/web:1.0, resources: {limits: {cpu: [1]}, requests: {cpu: 2}}}")},
		{"pod hostname a list", edit(pod, "  containers:", "  hostname: [DB_0]\n  containers:")},
		{"pod activeDeadlineSeconds a string", edit(pod, "  containers:", "  activeDeadlineSeconds: \"0\"\n  containers:")},
		{"pod nodeSelector value a list", edit(pod, "  containers:", "  nodeSelector: {zone: [eu west]}\n  containers:")},
		{"pod scheduling gate names mappings", edit(pod, "  containers:", "  schedulingGates: [{name: {a: b}}, {name: {a: b}}]\n  containers:")},
		{"pod readiness gate condition a list", edit(pod, "  containers:", "  readinessGates: [{conditionType: [a b]}]\n  containers:")},
		{"ingress rules a mapping", edit(ingress, "rules:\n  - host", "rules:\n    host")},
		{"ingress defaultBackend a string", edit(ingress, "spec:\n", "spec:\n  defaultBackend: web\n")},
		{"ingress backend service a string", edit(ingress, "service: {name: web, port: {number: 80}}", "service: web")},
		{"ingress backend port a number", edit(ingress, "port: {number: 80}", "port: 80")},
		{"ingress path a mapping", edit(ingress, "- path: /", "- path: {prefix: /}")},
		{"job completionMode a list", edit(job, "completionMode: Indexed", "completionMode: [Indexed]")},
		{"job manualSelector a string", edit(job, "  template:\n    spec:", "  manualSelector: \"true\"\n  selector:\n    matchLabels: {app: migrate}\n  template:\n    metadata:\n      labels: {app: migrate}\n    spec:")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inputErrors, schema := lintFiles(t, map[string]string{"in.yaml": tc.src}, "", SchemaInvalid)
			if len(inputErrors)+len(schema) == 0 {
				t.Errorf("neither the loader nor MR001 reports the type")
			}
			if _, findings := lintFiles(t, map[string]string{"in.yaml": tc.src}, "", KubernetesObjectInvalid); len(findings) > 0 {
				t.Errorf("MR027 findings at %q, want none", findings)
			}
		})
	}
}
