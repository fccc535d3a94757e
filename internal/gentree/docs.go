package gentree

import (
	"strings"
	"text/template"
)

// service is one backend service of a namespace.
type service struct {
	NS, Name string
	// PortName names the container port (http, http-api, grpc), so that
	// Istio detects the protocol; Port is the container port and
	// ServicePort the Service's.
	PortName          string
	Port, ServicePort int
	GRPC              bool
	Replicas          [2]int
	Tags              [2]string
	// HeaderCanary adds a first route that sends requests carrying
	// x-canary: "true" to v2.
	HeaderCanary bool

	// Fields a planted mistake may change.
	Subset2     string
	Weights     [2]int
	TLSMode     string
	PolicyPort  int
	V2Label     string
	FrontendSA  string
	SelectorApp string

	mistake *Mistake
}

// namespace is an application namespace.
type namespace struct {
	Name, Ingress, Host string
	FrontendPort        int
	// BackendPorts are the distinct container ports of the backends, which
	// the frontend may call.
	BackendPorts []int
}

// deployment is what the deployment template needs for one version.
type deployment struct {
	NS, App, Version, Label, Image, SA string
	Replicas                           int
	PortName                           string
	Port                               int
	GRPC                               bool
	Tier                               string
}

var tmpl = template.Must(template.New("").Parse(`
{{- define "deployment" -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{.App}}-{{.Version}}
  namespace: {{.NS}}
  labels:
    app: {{.App}}
    version: {{.Label}}
spec:
  replicas: {{.Replicas}}
  selector:
    matchLabels:
      app: {{.App}}
      version: {{.Label}}
  template:
    metadata:
      labels:
        app: {{.App}}
        version: {{.Label}}
        tier: {{.Tier}}
    spec:
      serviceAccountName: {{.SA}}
      containers:
      - name: {{.App}}
        image: {{.Image}}
        ports:
        - name: {{.PortName}}
          containerPort: {{.Port}}
          protocol: TCP
        readinessProbe:
{{- if .GRPC}}
          grpc:
            port: {{.Port}}
{{- else}}
          httpGet:
            path: /healthz
            port: {{.PortName}}
{{- end}}
          periodSeconds: 10
        resources:
          requests:
            cpu: 100m
            memory: 128Mi
          limits:
            memory: 256Mi
{{end}}

{{- define "serviceaccount" -}}
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{.Name}}
  namespace: {{.NS}}
{{end}}

{{- define "service" -}}
apiVersion: v1
kind: Service
metadata:
  name: {{.Name}}
  namespace: {{.NS}}
  labels:
    app: {{.Name}}
spec:
  selector:
    app: {{.SelectorApp}}
  ports:
  - name: {{.PortName}}
    port: {{.ServicePort}}
    targetPort: {{.PortName}}
    protocol: TCP
{{end}}

{{- define "virtualservice" -}}
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: {{.Name}}
  namespace: {{.NS}}
spec:
  hosts:
  - {{.Name}}
  http:
{{- if .HeaderCanary}}
  - name: canary-by-header
    match:
    - headers:
        x-canary:
          exact: "true"
    route:
    - destination:
        host: {{.Name}}
        subset: {{.Subset2}}
    timeout: 10s
{{- end}}
  - name: canary
    route:
    - destination:
        host: {{.Name}}
        subset: v1
      weight: {{index .Weights 0}}
    - destination:
        host: {{.Name}}
        subset: {{.Subset2}}
      weight: {{index .Weights 1}}
    retries:
      attempts: 3
      perTryTimeout: 2s
      retryOn: 5xx,connect-failure,refused-stream
    timeout: 10s
{{end}}

{{- define "destinationrule" -}}
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: {{.Name}}
  namespace: {{.NS}}
spec:
  host: {{.Name}}
  trafficPolicy:
    tls:
      mode: {{.TLSMode}}
    connectionPool:
      http:
        http1MaxPendingRequests: 256
        maxRequestsPerConnection: 100
    outlierDetection:
      consecutive5xxErrors: 5
      interval: 30s
      baseEjectionTime: 30s
  subsets:
  - name: v1
    labels:
      version: v1
  - name: v2
    labels:
      version: v2
{{end}}

{{- define "networkpolicy" -}}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{.Name}}-allow-frontend
  namespace: {{.NS}}
spec:
  podSelector:
    matchLabels:
      app: {{.Name}}
  policyTypes:
  - Ingress
  ingress:
  - from:
    - podSelector:
        matchLabels:
          app: frontend
    ports:
    - protocol: TCP
      port: {{.PolicyPort}}
{{end}}

{{- define "authorizationpolicy" -}}
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: {{.Name}}-allow-frontend
  namespace: {{.NS}}
spec:
  selector:
    matchLabels:
      app: {{.Name}}
  action: ALLOW
  rules:
  - from:
    - source:
        principals:
        - cluster.local/ns/{{.NS}}/sa/{{.FrontendSA}}
    to:
    - operation:
        ports:
        - "{{.Port}}"
{{- if not .GRPC}}
        methods:
        - GET
        - POST
        - PUT
        - DELETE
{{- end}}
{{end}}

{{- define "namespace" -}}
apiVersion: v1
kind: Namespace
metadata:
  name: {{.Name}}
  labels:
    istio-injection: enabled
{{end}}

{{- define "peerauthentication" -}}
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: {{.Name}}
spec:
  mtls:
    mode: STRICT
{{end}}

{{- define "deny-all" -}}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny-all
  namespace: {{.Name}}
spec:
  podSelector: {}
  policyTypes:
  - Ingress
  - Egress
{{end}}

{{- define "allow-dns" -}}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-dns
  namespace: {{.Name}}
spec:
  podSelector: {}
  policyTypes:
  - Egress
  egress:
  - to:
    - namespaceSelector:
        matchLabels:
          kubernetes.io/metadata.name: kube-system
      podSelector:
        matchLabels:
          k8s-app: kube-dns
    ports:
    - protocol: UDP
      port: 53
    - protocol: TCP
      port: 53
{{end}}

{{- define "allow-istiod" -}}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-istiod
  namespace: {{.Name}}
spec:
  # Sidecars fetch their configuration and certificates from istiod.
  podSelector: {}
  policyTypes:
  - Egress
  egress:
  - to:
    - namespaceSelector:
        matchLabels:
          kubernetes.io/metadata.name: istio-system
      podSelector:
        matchLabels:
          app: istiod
    ports:
    - protocol: TCP
      port: 15012
{{end}}

{{- define "gateway" -}}
apiVersion: networking.istio.io/v1
kind: Gateway
metadata:
  name: public
  namespace: {{.Name}}
spec:
  selector:
    istio: ingressgateway
  servers:
  - port:
      number: 80
      name: http
      protocol: HTTP
    hosts:
    - {{.Host}}
    tls:
      httpsRedirect: true
  - port:
      number: 443
      name: https
      protocol: HTTPS
    hosts:
    - {{.Host}}
    tls:
      mode: SIMPLE
      credentialName: {{.Name}}-tls
{{end}}

{{- define "frontend-virtualservice" -}}
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: frontend
  namespace: {{.Name}}
spec:
  hosts:
  - {{.Host}}
  gateways:
  - public
  http:
  - name: frontend
    route:
    - destination:
        host: frontend
        port:
          number: 80
    timeout: 15s
{{end}}

{{- define "frontend-service" -}}
apiVersion: v1
kind: Service
metadata:
  name: frontend
  namespace: {{.Name}}
  labels:
    app: frontend
spec:
  selector:
    app: frontend
  ports:
  - name: http
    port: 80
    targetPort: http
    protocol: TCP
{{end}}

{{- define "frontend-ingress" -}}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: frontend-allow-ingress-gateway
  namespace: {{.Name}}
spec:
  podSelector:
    matchLabels:
      app: frontend
  policyTypes:
  - Ingress
  ingress:
  - from:
    - namespaceSelector:
        matchLabels:
          kubernetes.io/metadata.name: {{.Ingress}}
      podSelector:
        matchLabels:
          istio: ingressgateway
    ports:
    - protocol: TCP
      port: {{.FrontendPort}}
{{end}}

{{- define "frontend-egress" -}}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: frontend-allow-backends
  namespace: {{.Name}}
spec:
  podSelector:
    matchLabels:
      app: frontend
  policyTypes:
  - Egress
  egress:
  - to:
    - podSelector:
        matchLabels:
          tier: backend
    ports:
{{- range .BackendPorts}}
    - protocol: TCP
      port: {{.}}
{{- end}}
{{end}}

{{- define "frontend-authorizationpolicy" -}}
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: frontend-allow-ingress-gateway
  namespace: {{.Name}}
spec:
  selector:
    matchLabels:
      app: frontend
  action: ALLOW
  rules:
  - from:
    - source:
        principals:
        - cluster.local/ns/{{.Ingress}}/sa/istio-ingressgateway
    to:
    - operation:
        ports:
        - "{{.FrontendPort}}"
{{end}}

{{- define "ingress" -}}
apiVersion: v1
kind: Namespace
metadata:
  name: {{.NS}}
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: istio-ingressgateway
  namespace: {{.NS}}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: istio-ingressgateway
  namespace: {{.NS}}
  labels:
    app: istio-ingressgateway
    istio: ingressgateway
spec:
  replicas: 3
  selector:
    matchLabels:
      app: istio-ingressgateway
      istio: ingressgateway
  template:
    metadata:
      annotations:
        inject.istio.io/templates: gateway
      labels:
        app: istio-ingressgateway
        istio: ingressgateway
        sidecar.istio.io/inject: "true"
    spec:
      serviceAccountName: istio-ingressgateway
      containers:
      - name: istio-proxy
        image: auto
        ports:
        - name: http2
          containerPort: 8080
          protocol: TCP
        - name: https
          containerPort: 8443
          protocol: TCP
        resources:
          requests:
            cpu: 500m
            memory: 256Mi
---
apiVersion: v1
kind: Service
metadata:
  name: istio-ingressgateway
  namespace: {{.NS}}
  labels:
    app: istio-ingressgateway
    istio: ingressgateway
spec:
  type: LoadBalancer
  selector:
    app: istio-ingressgateway
    istio: ingressgateway
  ports:
  - name: http2
    port: 80
    targetPort: 8080
    protocol: TCP
  - name: https
    port: 443
    targetPort: 8443
    protocol: TCP
---
{{template "deny-all" .}}---
{{template "allow-dns" .}}---
{{template "allow-istiod" .}}---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-public-ingress
  namespace: {{.Name}}
spec:
  # Clients come from anywhere, through the load balancer.
  podSelector:
    matchLabels:
      istio: ingressgateway
  policyTypes:
  - Ingress
  ingress:
  - ports:
    - protocol: TCP
      port: 8080
    - protocol: TCP
      port: 8443
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-egress-to-frontends
  namespace: {{.Name}}
spec:
  podSelector:
    matchLabels:
      istio: ingressgateway
  policyTypes:
  - Egress
  egress:
  - to:
    - namespaceSelector:
        matchLabels:
          istio-injection: enabled
      podSelector:
        matchLabels:
          app: frontend
    ports:
    - protocol: TCP
      port: 8080
{{end}}
`))

func render(name string, data any) string {
	var b strings.Builder
	if err := tmpl.ExecuteTemplate(&b, name, data); err != nil {
		// The templates and their data are fixed at compile time, so an
		// error here is a bug in this package.
		panic("gentree: " + err.Error())
	}
	return b.String()
}

func serviceDocs(s *service) []string {
	dep := func(i int, version, label string) string {
		return render("deployment", deployment{
			NS: s.NS, App: s.Name, Version: version, Label: label, SA: s.Name,
			Image:    "registry.example.com/" + s.NS + "/" + s.Name + ":" + s.Tags[i],
			Replicas: s.Replicas[i], PortName: s.PortName, Port: s.Port, GRPC: s.GRPC, Tier: "backend",
		})
	}
	return []string{
		"# " + s.Name + ": two versions behind a 90/10 canary, mTLS, and access for the frontend only.\n" +
			render("serviceaccount", s),
		dep(0, "v1", "v1"),
		dep(1, "v2", s.V2Label),
		render("service", s),
		render("virtualservice", s),
		render("destinationrule", s),
		render("networkpolicy", s),
		render("authorizationpolicy", s),
	}
}

func namespaceDocs(n *namespace) []string {
	return []string{
		"# " + n.Name + ": injection on, STRICT mTLS, deny by default, DNS and istiod allowed.\n" +
			render("namespace", n),
		render("peerauthentication", n),
		render("deny-all", n),
		render("allow-dns", n),
		render("allow-istiod", n),
		render("gateway", n),
	}
}

func frontendDocs(n *namespace) []string {
	docs := []string{
		"# frontend: served at " + n.Host + " through the shared ingress gateway.\n" +
			render("serviceaccount", struct{ Name, NS string }{"frontend", n.Name}),
		render("deployment", deployment{
			NS: n.Name, App: "frontend", Version: "v1", Label: "v1", SA: "frontend",
			Image:    "registry.example.com/" + n.Name + "/frontend:2.3.0",
			Replicas: 3, PortName: "http", Port: n.FrontendPort, Tier: "web",
		}),
		render("frontend-service", n),
		render("frontend-virtualservice", n),
		render("frontend-ingress", n),
	}
	if len(n.BackendPorts) > 0 {
		docs = append(docs, render("frontend-egress", n))
	}
	return append(docs, render("frontend-authorizationpolicy", n))
}

func ingressDocs(opts Options) []string {
	all := render("ingress", struct{ NS, Name string }{opts.IngressNamespace, opts.IngressNamespace})
	docs := strings.SplitAfter(all, "---\n")
	for i, d := range docs {
		docs[i] = strings.TrimSuffix(d, "---\n")
	}
	docs[0] = "# The shared ingress gateway, installed from the istio gateway chart, and\n" +
		"# its policies: clients from anywhere, egress only to the frontends.\n" + docs[0]
	return docs
}
