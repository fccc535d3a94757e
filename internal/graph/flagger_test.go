package graph

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/config"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/internal/spec"
)

// flaggerTarget is the target Deployment (or DaemonSet) of the tests.
func flaggerTarget(kind, name, matchLabels, templateLabels, containers string) string {
	return "apiVersion: apps/v1\nkind: " + kind + "\nmetadata:\n  name: " + name + "\n  namespace: test\n" +
		"  labels: {app: " + name + ", kustomize.toolkit.fluxcd.io/name: apps}\n" +
		"  annotations: {kustomize.toolkit.fluxcd.io/checksum: abc, owner: team-a}\n" +
		"spec:\n  selector:\n    matchLabels: " + matchLabels + "\n  template:\n    metadata:\n      labels: " + templateLabels +
		"\n      annotations: {prometheus.io/scrape: \"true\", kustomize.toolkit.fluxcd.io/reconcile: disabled}\n" +
		"    spec:\n      containers:\n" + containers
}

const flaggerContainers = `      - name: podinfod
        image: podinfo:6
        ports:
        - {name: http, containerPort: 9898}
        - {containerPort: 9797}
        - {name: grpc, containerPort: 9999}
      - name: istio-proxy
        image: proxyv2
        ports:
        - {name: http-envoy-prom, containerPort: 15090}
      - name: sidecar
        image: log:1
        ports:
        - {containerPort: 8125}
`

func flaggerCanary(name, spec string) string {
	return "apiVersion: flagger.app/v1beta1\nkind: Canary\nmetadata:\n  name: " + name + "\n  namespace: test\nspec:\n" + spec
}

// flaggerServices describes the Services Flagger creates for c: name,
// selector, labels, then each port as name/protocol/port->targetPort,
// appProtocol.
func flaggerServices(c *Canary) string {
	var out []string
	for _, s := range c.Services {
		line := s.Name() + " " + kv(s.Spec.Selector) + " labels " + kv(s.Obj.Labels) + " " + s.Spec.Type.V
		for _, p := range s.Spec.Ports {
			line += fmt.Sprintf(" %s/%s/%d->%s", p.Name.V, p.Protocol.V, p.Port.V, p.TargetPort)
			if p.AppProtocol.V != "" {
				line += "," + p.AppProtocol.V
			}
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}

func kv(m map[string]string) string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, k+"="+m[k])
	}
	return strings.Join(out, ",")
}

// TestFlaggerDerived checks the objects derived for a Canary against the
// code paths of Flagger v1.36.1 that make them: GetServiceNames,
// getSelectorLabel (with the default -selector-labels), makePrimaryLabels,
// includeLabelsByPrefix (with the default -include-label-prefix),
// filterMetadata, makeAnnotations, reconcileService and getPorts.
func TestFlaggerDerived(t *testing.T) {
	for _, c := range []struct {
		name string
		src  string
		// primary is kind/name, pod labels, pod annotations, object
		// labels, object annotations; "" for none.
		primary  string
		services string
	}{{
		name: "defaults",
		src: docs(flaggerTarget("Deployment", "podinfo", "{app: podinfo}", "{app: podinfo, version: v1, kustomize.toolkit.fluxcd.io/name: apps}", flaggerContainers),
			flaggerCanary("podinfo", "  targetRef: {apiVersion: apps/v1, kind: Deployment, name: podinfo}\n  service: {port: 9898}\n")),
		primary: "Deployment/podinfo-primary app=podinfo-primary,version=v1 prometheus.io/scrape=true app=podinfo-primary owner=team-a",
		services: "podinfo app=podinfo-primary labels app=podinfo ClusterIP http/TCP/9898->9898\n" +
			"podinfo-primary app=podinfo-primary labels app=podinfo-primary ClusterIP http/TCP/9898->9898\n" +
			"podinfo-canary app=podinfo labels app=podinfo-canary ClusterIP http/TCP/9898->9898",
	}, {
		// spec.service.name names the apex; the primary workload keeps
		// the targetRef's name. Port discovery adds the container ports
		// but the proxy's and the one targetPort names, in name order;
		// an unnamed port is tcp-<container>-<index>.
		name: "service fields",
		src: docs(flaggerTarget("Deployment", "podinfo", "{app: podinfo}", "{app: podinfo}", flaggerContainers),
			flaggerCanary("podinfo", `  provider: istio
  targetRef: {apiVersion: apps/v1, kind: Deployment, name: podinfo}
  service:
    name: frontend
    port: 80
    portName: http-web
    targetPort: http
    appProtocol: http
    portDiscovery: true
    apex:
      labels: {team: a}
      annotations: {networking.istio.io/exportTo: "."}
    canary:
      labels: {app: overridden}
`)),
		primary: "Deployment/podinfo-primary app=podinfo-primary prometheus.io/scrape=true app=podinfo-primary owner=team-a",
		services: "frontend app=podinfo-primary labels app=frontend,team=a ClusterIP http-web/TCP/80->http,http grpc/TCP/9999->9999 tcp-podinfod-1/TCP/9797->9797 tcp-sidecar-0/TCP/8125->8125\n" +
			"frontend-primary app=podinfo-primary labels app=frontend-primary ClusterIP http-web/TCP/80->http,http grpc/TCP/9999->9999 tcp-podinfod-1/TCP/9797->9797 tcp-sidecar-0/TCP/8125->8125\n" +
			"frontend-canary app=podinfo labels app=frontend-canary ClusterIP http-web/TCP/80->http,http grpc/TCP/9999->9999 tcp-podinfod-1/TCP/9797->9797 tcp-sidecar-0/TCP/8125->8125",
	}, {
		// A numeric targetPort leaves out the container port of that
		// number (not the Service port's).
		name: "discovery with a numeric targetPort",
		src: docs(flaggerTarget("Deployment", "podinfo", "{app: podinfo}", "{app: podinfo}", flaggerContainers),
			flaggerCanary("podinfo", "  targetRef: {apiVersion: apps/v1, kind: Deployment, name: podinfo}\n  service: {port: 80, portName: http-main, targetPort: 9999, portDiscovery: true}\n")),
		primary: "Deployment/podinfo-primary app=podinfo-primary prometheus.io/scrape=true app=podinfo-primary owner=team-a",
		services: "podinfo app=podinfo-primary labels app=podinfo ClusterIP http-main/TCP/80->9999 http/TCP/9898->9898 tcp-podinfod-1/TCP/9797->9797 tcp-sidecar-0/TCP/8125->8125\n" +
			"podinfo-primary app=podinfo-primary labels app=podinfo-primary ClusterIP http-main/TCP/80->9999 http/TCP/9898->9898 tcp-podinfod-1/TCP/9797->9797 tcp-sidecar-0/TCP/8125->8125\n" +
			"podinfo-canary app=podinfo labels app=podinfo-canary ClusterIP http-main/TCP/80->9999 http/TCP/9898->9898 tcp-podinfod-1/TCP/9797->9797 tcp-sidecar-0/TCP/8125->8125",
	}, {
		// No app label: Flagger keys on name, the next of its
		// -selector-labels, and adds it to pods that lack it.
		name: "selector label order",
		src: docs(flaggerTarget("DaemonSet", "agent", "{app.kubernetes.io/name: agent, name: agent-ds}", "{app.kubernetes.io/name: agent}", "      - {name: agent, image: agent:1}\n"),
			flaggerCanary("agent", "  targetRef: {apiVersion: apps/v1, kind: DaemonSet, name: agent}\n  service: {port: 4317}\n")),
		primary: "DaemonSet/agent-primary app.kubernetes.io/name=agent,name=agent-ds-primary prometheus.io/scrape=true name=agent-ds-primary owner=team-a",
		services: "agent name=agent-ds-primary labels name=agent ClusterIP http/TCP/4317->4317\n" +
			"agent-primary name=agent-ds-primary labels name=agent-primary ClusterIP http/TCP/4317->4317\n" +
			"agent-canary name=agent-ds labels name=agent-canary ClusterIP http/TCP/4317->4317",
	}, {
		// Flagger does not create what exists: the input's apex Service
		// stays as written (Flagger would rewrite its selector and
		// ports), and so does the input's primary Deployment.
		name: "objects of the input",
		src: docs(flaggerTarget("Deployment", "podinfo", "{app: podinfo}", "{app: podinfo}", flaggerContainers),
			flaggerTarget("Deployment", "podinfo-primary", "{app: podinfo-primary}", "{app: podinfo-primary}", flaggerContainers),
			svc("test", "podinfo", "app=podinfo"),
			flaggerCanary("podinfo", "  targetRef: {apiVersion: apps/v1, kind: Deployment, name: podinfo}\n  service: {port: 9898}\n")),
		services: "podinfo-primary app=podinfo-primary labels app=podinfo-primary ClusterIP http/TCP/9898->9898\n" +
			"podinfo-canary app=podinfo labels app=podinfo-canary ClusterIP http/TCP/9898->9898",
	}, {
		// Flagger's scheduler picks the Kubernetes router by the target's
		// kind alone: the nginx provider gets the primary workload and
		// the Services too. A suspended Canary keeps what Flagger made
		// before it was suspended.
		name: "nginx provider, suspended",
		src: docs(flaggerTarget("Deployment", "podinfo", "{app: podinfo}", "{app: podinfo}", flaggerContainers),
			flaggerCanary("podinfo", "  provider: nginx\n  suspend: true\n  targetRef: {apiVersion: apps/v1, kind: Deployment, name: podinfo}\n"+
				"  ingressRef: {apiVersion: networking.k8s.io/v1, kind: Ingress, name: podinfo}\n  service: {port: 80, targetPort: 9898}\n")),
		primary: "Deployment/podinfo-primary app=podinfo-primary prometheus.io/scrape=true app=podinfo-primary owner=team-a",
		services: "podinfo app=podinfo-primary labels app=podinfo ClusterIP http/TCP/80->9898\n" +
			"podinfo-primary app=podinfo-primary labels app=podinfo-primary ClusterIP http/TCP/80->9898\n" +
			"podinfo-canary app=podinfo labels app=podinfo-canary ClusterIP http/TCP/80->9898",
	}} {
		t.Run(c.name, func(t *testing.T) {
			for _, prepared := range []bool{false, true} {
				g := flaggerGraph(t, c.src, prepared)
				if len(g.Canaries) != 1 {
					t.Fatalf("%d Canaries", len(g.Canaries))
				}
				cn := g.Canaries[0]
				var primary string
				if p := cn.Primary; p != nil {
					primary = fmt.Sprintf("%s/%s %s %s %s %s", p.Obj.Kind, p.Name(), kv(p.Labels), kv(p.Spec.Metadata.Annotations), kv(p.Obj.Labels), kv(p.Obj.Annotations))
				}
				if primary != c.primary {
					t.Errorf("prepared=%v: primary\n%s\nwant\n%s", prepared, primary, c.primary)
				}
				if got := flaggerServices(cn); got != c.services {
					t.Errorf("prepared=%v: services\n%s\nwant\n%s", prepared, got, c.services)
				}
			}
		})
	}
}

// TestFlaggerNotDerived lists Canaries nothing is derived for: Flagger
// makes nothing for them, or, for a Service target, only the copies of
// the Service that its ServiceController makes, which are not modelled.
func TestFlaggerNotDerived(t *testing.T) {
	target := flaggerTarget("Deployment", "podinfo", "{app: podinfo}", "{app: podinfo}", flaggerContainers)
	for _, c := range []struct{ name, src string }{
		{"Service target", docs(target, svc("test", "podinfo", "app=podinfo"), flaggerCanary("podinfo", "  targetRef: {kind: Service, name: podinfo}\n  service: {port: 9898}\n"))},
		{"target not in the input", docs(target, flaggerCanary("web", "  targetRef: {kind: Deployment, name: web}\n  service: {port: 9898}\n"))},
		{"target of another kind", docs(target, flaggerCanary("podinfo", "  targetRef: {kind: DaemonSet, name: podinfo}\n  service: {port: 9898}\n"))},
		{"no selector label", docs(flaggerTarget("Deployment", "podinfo", "{tier: web}", "{tier: web}", flaggerContainers),
			flaggerCanary("podinfo", "  targetRef: {kind: Deployment, name: podinfo}\n  service: {port: 9898}\n"))},
		// Discovered, the container port http repeats the Service
		// port's name: the API server rejects the Service.
		{"duplicate port name", docs(target, flaggerCanary("podinfo", "  targetRef: {kind: Deployment, name: podinfo}\n  service: {port: 9898, targetPort: 9999, portDiscovery: true}\n"))},
		{"no port", docs(target, flaggerCanary("podinfo", "  targetRef: {kind: Deployment, name: podinfo}\n  service: {name: web}\n"))},
		// The Gateway API router's HTTPRoute comes after the Kubernetes
		// router, which fails here or does nothing for a Service.
		{"Gateway API, Service target", docs(target, svc("test", "podinfo", "app=podinfo"),
			flaggerCanary("podinfo", "  provider: gatewayapi:v1\n  targetRef: {kind: Service, name: podinfo}\n  service: {port: 9898, gatewayRefs: [{name: public}]}\n"))},
		{"Gateway API, no port", docs(target, flaggerCanary("podinfo", "  provider: gatewayapi:v1\n  targetRef: {kind: Deployment, name: podinfo}\n  service: {name: web, gatewayRefs: [{name: public}]}\n"))},
	} {
		t.Run(c.name, func(t *testing.T) {
			g := flaggerGraph(t, c.src, false)
			if len(g.Canaries) != 1 {
				t.Fatalf("%d Canaries", len(g.Canaries))
			}
			cn := g.Canaries[0]
			if cn.Primary != nil || len(cn.Services) > 0 || cn.Label != "" || len(cn.DestinationRules) > 0 || cn.VirtualService != nil || cn.HTTPRoute != nil {
				t.Errorf("derived %v, %s", cn.Primary, flaggerServices(cn))
			}
			for _, w := range g.Workloads {
				if g.GeneratedBy(w.Obj) != nil {
					t.Errorf("workload %s generated", w.Obj.Ref())
				}
			}
			for _, dr := range g.DestinationRules {
				t.Errorf("DestinationRule %s generated", dr.Obj.Ref())
			}
		})
	}
}

// TestFlaggerProviders checks what is derived for each provider, as
// Flagger v1.36.1's scheduler (advanceCanary) and router factory choose:
// every provider gets the primary workload and the Services of the
// KubernetesDefaultRouter (Factory.KubernetesRouter looks at the target's
// kind only); the DestinationRules and the VirtualService are the
// IstioRouter's, which Factory.MeshRouter gives to istio, to an unset
// provider (the -mesh-provider flag) and to any value it does not know;
// the HTTPRoute is the Gateway API routers', which it gives to the values
// that start with gatewayapi:v1beta1 or gatewayapi:v1. Every Canary has
// gatewayRefs, which the other routers ignore.
func TestFlaggerProviders(t *testing.T) {
	target := flaggerTarget("Deployment", "podinfo", "{app: podinfo}", "{app: podinfo}", flaggerContainers)
	for _, c := range []struct {
		provider          string
		istio, gatewayAPI bool
	}{
		{"", true, false},
		{"istio", true, false},
		// MeshRouter matches gatewayapi by prefix with a version only.
		{"gatewayapi", true, false},
		{"appmesh:v1beta1", true, false},
		{"linkerd", false, false},
		{"nginx", false, false},
		{"kubernetes", false, false},
		{"contour", false, false},
		{"skipper", false, false},
		{"traefik", false, false},
		{"apisix", false, false},
		{"osm", false, false},
		{"kuma", false, false},
		{"appmesh", false, false},
		{"appmesh:v1beta2", false, false},
		{"smi:v1alpha3:linkerd", false, false},
		{"gloo:v1", false, false},
		{"gatewayapi:v1", false, true},
		{"gatewayapi:v1beta1", false, true},
		{"gatewayapi:v1alpha2", false, true},
	} {
		name := c.provider
		if name == "" {
			name = "unset"
		}
		t.Run(name, func(t *testing.T) {
			spec := "  targetRef: {apiVersion: apps/v1, kind: Deployment, name: podinfo}\n  service: {port: 9898, gatewayRefs: [{name: public}]}\n"
			if c.provider != "" {
				spec = "  provider: " + c.provider + "\n" + spec
			}
			g := flaggerGraph(t, docs(target, flaggerCanary("podinfo", spec)), false)
			cn := g.Canaries[0]
			if cn.Istio() != c.istio || cn.GatewayAPI() != c.gatewayAPI {
				t.Errorf("Istio() = %v, GatewayAPI() = %v", cn.Istio(), cn.GatewayAPI())
			}
			if (cn.HTTPRoute != nil) != c.gatewayAPI {
				t.Errorf("HTTPRoute %v", cn.HTTPRoute != nil)
			}
			if cn.Primary == nil || len(cn.Services) != 3 {
				t.Errorf("primary %v, Services:\n%s", cn.Primary, flaggerServices(cn))
			}
			var drs []string
			for _, dr := range cn.DestinationRules {
				drs = append(drs, dr.Name())
			}
			want := map[bool]string{true: "podinfo-canary podinfo-primary"}[c.istio]
			if got := strings.Join(drs, " "); got != want {
				t.Errorf("DestinationRules %q, want %q", got, want)
			}
			if (cn.VirtualService != nil) != c.istio {
				t.Errorf("VirtualService %v", cn.VirtualService != nil)
			}
			if n := len(g.DestinationRules) + len(g.VirtualServices); n != len(drs)+map[bool]int{true: 1}[c.istio] {
				t.Errorf("%d DestinationRules and VirtualServices in the graph", n)
			}
		})
	}
}

// TestFlaggerLinks checks that the derived objects take part in the graph
// as objects of the input do, that their positions are the Canary's, and
// that they do not count as a description of the namespace's hosts.
func TestFlaggerLinks(t *testing.T) {
	src := docs(flaggerTarget("Deployment", "podinfo", "{app: podinfo}", "{app: podinfo}", flaggerContainers),
		flaggerCanary("podinfo", "  targetRef: {apiVersion: apps/v1, kind: Deployment, name: podinfo}\n  service:\n    name: web\n    port: 80\n    portName: http-web\n    portDiscovery: true\n"))
	g := flaggerGraph(t, src, true)
	cn := g.Canaries[0]
	if g.GeneratedBy(cn.Primary.Obj) != cn || g.GeneratedBy(cn.Target.Obj) != nil {
		t.Error("GeneratedBy")
	}
	var selected []string
	for _, s := range cn.Services {
		selected = append(selected, s.Name()+":"+refs(s.Workloads))
	}
	if got, want := strings.Join(selected, " "), "web:test/podinfo-primary web-primary:test/podinfo-primary web-canary:test/podinfo"; got != want {
		t.Errorf("selected %s, want %s", got, want)
	}
	if !cn.Primary.Sidecar || !cn.Primary.ExplicitProxy() {
		t.Error("the primary pods lost the target's istio-proxy container")
	}
	if g.HostsKnown("test") {
		t.Error("the Services Flagger creates make the namespace's hosts known")
	}
	// Positions: the Canary's file, at the fields the objects come from.
	co := cn.Obj
	line := func(l manifest.Loc) int32 { return l.Line }
	if o := cn.Primary.Obj; o.File != co.File || line(o.NameLoc) != line(cn.Spec.TargetRef.Name.Loc) || o.KindLoc != co.KindLoc || o.Root() != nil {
		t.Errorf("primary at %s %v", o.File, o.NameLoc)
	}
	for _, c := range cn.Primary.Spec.Spec.Containers {
		if !c.Loc.IsZero() || !c.Name.Loc.IsZero() || len(c.Ports) > 0 && !c.Ports[0].ContainerPort.Loc.IsZero() {
			t.Errorf("container %s keeps the target's positions", c.Name.V)
		}
	}
	for _, s := range cn.Services {
		if s.Obj.File != co.File || s.Obj.NameLoc != cn.Spec.Service.Name.Loc {
			t.Errorf("Service %s at %v, want %v", s.Name(), s.Obj.NameLoc, cn.Spec.Service.Name.Loc)
		}
		ps := s.Spec.Ports
		if ps[0].Loc != cn.Spec.Service.Port.Loc || ps[0].Port.Loc != cn.Spec.Service.Port.Loc || ps[0].Name.Loc != cn.Spec.Service.PortName.Loc {
			t.Errorf("Service %s port at %v", s.Name(), ps[0].Loc)
		}
		for _, p := range ps[1:] {
			if p.Loc != cn.Spec.Service.PortDiscovery.Loc {
				t.Errorf("Service %s discovered port %s at %v", s.Name(), p.Name.V, p.Loc)
			}
		}
	}
	// The target itself is untouched.
	if kv(cn.Target.Labels) != "app=podinfo" || cn.Target.Spec.Spec.Containers[0].Loc.IsZero() {
		t.Error("the target changed")
	}
}

// flaggerGraph builds src, through Prepare with the nodes dropped when
// prepared is set, as a run of meshlint does.
func flaggerGraph(t *testing.T, src string, prepared bool) *Graph {
	t.Helper()
	if !prepared {
		return graphFrom(t, src)
	}
	p := filepath.Join(t.TempDir(), "in.yaml")
	if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	mesh := config.DefaultMesh()
	res := manifest.Load([]string{p}, manifest.Options{DropNodes: true, PerFile: func(f *manifest.File) []*manifest.Error {
		Prepare(f.Objects, mesh, nil)
		return nil
	}})
	g := Build(res.Objects, mesh)
	for _, o := range res.Objects {
		if o.Node != nil && o.Kind == kinds.Canary {
			t.Fatal("nodes not dropped")
		}
	}
	if len(res.Errors)+len(g.Errors) > 0 {
		t.Fatalf("errors: %v %v", res.Errors, g.Errors)
	}
	return g
}

// flaggerVS describes the VirtualService Flagger creates for c: name,
// labels and annotations, hosts, gateways (resolved), then each route as
// http or tcp [matches (matchText), timeout, retries, rewrite] and its
// destinations as host[:port]/weight.
func flaggerVS(c *Canary) string {
	vs := c.VirtualService
	if vs == nil {
		return ""
	}
	var gws []string
	for _, r := range vs.Gateways {
		s := r.Namespace + "/" + r.Name
		if r.Mesh {
			s = "mesh"
		} else if r.Gateway == nil {
			s += "(missing)"
		}
		gws = append(gws, s)
	}
	out := fmt.Sprintf("%s labels %s annotations %s hosts %s gateways %s", vs.Name(), kv(vs.Obj.Labels), kv(vs.Obj.Annotations),
		strings.Join(vs.Hosts, ","), strings.Join(gws, ","))
	dests := func(rds []spec.RouteDestination) string {
		var ds []string
		for _, rd := range rds {
			d := rd.Destination.Host.V
			if rd.Destination.Port != nil {
				d += fmt.Sprintf(":%d", rd.Destination.Port.Number.V)
			}
			ds = append(ds, fmt.Sprintf("%s/%d", d, rd.Weight.V))
		}
		return strings.Join(ds, ",")
	}
	for _, r := range vs.Spec.HTTP {
		retries := int64(0)
		if r.Retries != nil {
			retries = r.Retries.Attempts.V
		}
		var ms []string
		for _, m := range r.Match {
			ms = append(ms, matchText(m))
		}
		hs := ""
		if r.Headers != nil {
			hs = " headers " + headersText(r.Headers)
		}
		if r.CorsPolicy != nil {
			hs += " corsPolicy " + strings.Join(r.CorsPolicy.Names, ",")
		}
		out += fmt.Sprintf(" http[match %s timeout %q retries %d rewrite %v%s] %s", strings.Join(ms, ""), r.Timeout.V, retries, r.Rewrite != nil, hs, dests(r.Route))
	}
	for _, r := range vs.Spec.TCP {
		var ports []string
		for _, m := range r.Match {
			ports = append(ports, fmt.Sprint(m.Port.V))
		}
		out += fmt.Sprintf(" tcp[ports %s] %s", strings.Join(ports, ","), dests(r.Route))
	}
	return out
}

// headersText describes header operations as dir.op:name,..., "{}" for
// none.
func headersText(h *spec.HTTPHeaders) string {
	var out []string
	for _, d := range []struct {
		dir string
		ops *spec.HeaderOps
	}{{"request", h.Request}, {"response", h.Response}} {
		if d.ops == nil {
			continue
		}
		for _, o := range []struct {
			op    string
			names []string
		}{{"set", d.ops.Set.Names}, {"add", d.ops.Add.Names}, {"remove", d.ops.Remove}} {
			if len(o.names) > 0 {
				out = append(out, d.dir+"."+o.op+":"+strings.Join(o.names, ","))
			}
		}
	}
	if len(out) == 0 {
		return "{}"
	}
	return strings.Join(out, " ")
}

// matchText describes an http match entry as {field:value ...}, with its
// uri, method, headers, query parameters and source labels.
func matchText(m spec.HTTPMatch) string {
	sm := func(s spec.StringMatch) string {
		return strings.TrimSuffix(fmt.Sprintf("exact=%s", s.Exact.V), "exact=") + strings.TrimSuffix("prefix="+s.Prefix.V, "prefix=") + strings.TrimSuffix("regex="+s.Regex.V, "regex=")
	}
	var out []string
	if m.URI != nil {
		out = append(out, "uri:"+sm(*m.URI))
	}
	if m.Method != nil {
		out = append(out, "method:"+sm(*m.Method))
	}
	for _, f := range []struct {
		name string
		ms   map[string]spec.StringMatch
	}{{"header", m.Headers}, {"query", m.QueryParams}} {
		for _, k := range slices.Sorted(maps.Keys(f.ms)) {
			out = append(out, f.name+":"+k+"="+sm(f.ms[k]))
		}
	}
	if len(m.SourceLabels) > 0 {
		out = append(out, "sourceLabels:"+kv(m.SourceLabels))
	}
	return "{" + strings.Join(out, " ") + "}"
}

// TestFlaggerVirtualService checks the VirtualService derived for a Canary
// against reconcileVirtualService and makeDestination of Flagger v1.36.1's
// IstioRouter, in the state of an idle canary.
func TestFlaggerVirtualService(t *testing.T) {
	target := flaggerTarget("Deployment", "podinfo", "{app: podinfo}", "{app: podinfo}", flaggerContainers)
	gateway := "apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: public, namespace: istio-ingress}\nspec:\n  selector: {istio: ingressgateway}\n  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: [\"*/*\"]}]\n"
	ref := "  targetRef: {apiVersion: apps/v1, kind: Deployment, name: podinfo}\n"
	for _, c := range []struct{ name, src, vs string }{{
		// The apex host, the mesh alone, no port on the destinations.
		name: "defaults",
		src:  docs(target, flaggerCanary("podinfo", ref+"  service: {port: 9898}\n")),
		vs: "podinfo labels  annotations  hosts podinfo.test.svc.cluster.local gateways mesh " +
			`http[match  timeout "" retries 0 rewrite false] podinfo-primary/100,podinfo-canary/0`,
	}, {
		// Gateways without mesh are the only ones; the apex is added to
		// the hosts; with port discovery and a first gateway that is
		// not mesh, the destinations name the port. The route carries
		// spec.service's match, timeout, retries and rewrite; the apex
		// metadata goes on the VirtualService, without Flux's.
		name: "service fields",
		src: docs(target, gateway, flaggerCanary("podinfo", ref+`  service:
    name: frontend
    port: 80
    targetPort: 9898
    portDiscovery: true
    gateways: [istio-ingress/public]
    hosts: [app.example.com]
    match: [{uri: {prefix: /api}}, {uri: {prefix: /v2}}]
    rewrite: {uri: /}
    timeout: 5s
    retries: {attempts: 3, perTryTimeout: 1s}
    headers: {request: {add: {x-team: a}}}
    corsPolicy: {allowOrigins: [{exact: "https://example.com"}]}
    apex:
      labels: {team: a}
      annotations: {owner: a, kustomize.toolkit.fluxcd.io/checksum: abc}
`)),
		vs: "frontend labels team=a annotations owner=a hosts app.example.com,frontend.test.svc.cluster.local gateways istio-ingress/public " +
			`http[match {uri:prefix=/api}{uri:prefix=/v2} timeout "5s" retries 3 rewrite true headers request.add:x-team corsPolicy allowOrigins] frontend-primary:80/100,frontend-canary:80/0`,
	}, {
		// A host "*" serves the apex: Flagger adds none. Mesh first:
		// no port even with discovery.
		name: "wildcard host, mesh first",
		src:  docs(target, gateway, flaggerCanary("podinfo", ref+"  service: {port: 9898, portDiscovery: true, targetPort: 9898, gateways: [mesh, istio-ingress/public], hosts: [\"*\"]}\n")),
		vs: "podinfo labels  annotations  hosts * gateways mesh,istio-ingress/public " +
			`http[match  timeout "" retries 0 rewrite false] podinfo-primary/100,podinfo-canary/0`,
	}, {
		// The apex named in hosts is not added again; a missing gateway
		// stays unresolved.
		name: "apex in hosts",
		src:  docs(target, flaggerCanary("podinfo", ref+"  service: {port: 9898, gateways: [istio-ingress/public], hosts: [podinfo, app.example.com]}\n")),
		vs: "podinfo labels  annotations  hosts podinfo.test.svc.cluster.local,app.example.com gateways istio-ingress/public(missing) " +
			`http[match  timeout "" retries 0 rewrite false] podinfo-primary/100,podinfo-canary/0`,
	}, {
		// appProtocol tcp: a TCP route, matching the ports of
		// spec.service.match (canaryToL4Match).
		name: "tcp",
		src:  docs(target, flaggerCanary("podinfo", ref+"  service: {port: 9898, appProtocol: TCP, match: [{port: 9898}]}\n")),
		vs: "podinfo labels  annotations  hosts podinfo.test.svc.cluster.local gateways mesh " +
			"tcp[ports 9898] podinfo-primary/100,podinfo-canary/0",
	}, {
		// A delegate has neither hosts (not even the apex) nor gateways;
		// with port discovery, its destinations name the port.
		name: "delegation",
		src:  docs(target, flaggerCanary("podinfo", ref+"  service: {port: 9898, targetPort: 9898, portDiscovery: true, delegation: true}\n")),
		vs: "podinfo labels  annotations  hosts  gateways  " +
			`http[match  timeout "" retries 0 rewrite false] podinfo-primary:9898/100,podinfo-canary:9898/0`,
	}, {
		// reconcileVirtualService refuses a delegate with hosts or
		// gateways: no VirtualService.
		name: "delegation with hosts",
		src:  docs(target, flaggerCanary("podinfo", ref+"  service: {port: 9898, delegation: true, hosts: [app.example.com]}\n")),
	}, {
		name: "delegation with gateways",
		src:  docs(target, gateway, flaggerCanary("podinfo", ref+"  service: {port: 9898, delegation: true, gateways: [istio-ingress/public]}\n")),
	}, {
		// An A/B test: the analysis's matches go to the primary and the
		// canary, then a route to the primary alone.
		name: "A/B test",
		src:  docs(target, flaggerCanary("podinfo", ref+"  service: {port: 9898}\n  analysis:\n    match: [{headers: {x-canary: {exact: insider}}}]\n")),
		vs: "podinfo labels  annotations  hosts podinfo.test.svc.cluster.local gateways mesh " +
			`http[match {header:x-canary=exact=insider} timeout "" retries 0 rewrite false] podinfo-primary/100,podinfo-canary/0 ` +
			`http[match  timeout "" retries 0 rewrite false] podinfo-primary/100`,
	}, {
		// With service matches, mergeMatchConditions makes one match per
		// analysis match and service match: the service match, with the
		// analysis match's headers and sourceLabels when it has them.
		// The analysis's query parameters are dropped (and its uri,
		// which the Canary CRD does not have, pruned). Both routes carry
		// the service's rewrite, timeout, retries, headers and corsPolicy.
		name: "A/B test, merged matches",
		src: docs(target, flaggerCanary("podinfo", ref+`  service:
    port: 9898
    match: [{uri: {prefix: /api}}, {uri: {prefix: /v2}, headers: {x-team: {exact: a}}}]
    rewrite: {uri: /}
    timeout: 5s
    retries: {attempts: 3, perTryTimeout: 1s}
    headers:
      request: {set: {x-a: "1"}, remove: [x-b]}
      response: {add: {x-c: "2"}}
    corsPolicy: {allowOrigins: [{exact: "https://a.example.com"}], allowMethods: [GET]}
  analysis:
    match:
    - headers: {x-canary: {exact: insider}}
    - uri: {prefix: /beta}
    - {queryParams: {beta: {exact: "1"}}, sourceLabels: {app: tester}}
`)),
		vs: "podinfo labels  annotations  hosts podinfo.test.svc.cluster.local gateways mesh " +
			`http[match {uri:prefix=/api header:x-canary=exact=insider}{uri:prefix=/v2 header:x-canary=exact=insider}` +
			`{uri:prefix=/api}{uri:prefix=/v2 header:x-team=exact=a}` +
			`{uri:prefix=/api sourceLabels:app=tester}{uri:prefix=/v2 header:x-team=exact=a sourceLabels:app=tester} ` +
			`timeout "5s" retries 3 rewrite true headers request.set:x-a request.remove:x-b response.add:x-c corsPolicy allowOrigins,allowMethods] podinfo-primary/100,podinfo-canary/0 ` +
			`http[match {uri:prefix=/api}{uri:prefix=/v2 header:x-team=exact=a} timeout "5s" retries 3 rewrite true headers request.set:x-a request.remove:x-b response.add:x-c corsPolicy allowOrigins,allowMethods] podinfo-primary/100`,
	}, {
		// Without service matches, the analysis's as they are, less what
		// the Canary CRD prunes.
		name: "A/B test, pruned matches",
		src: docs(target, flaggerCanary("podinfo", ref+"  service: {port: 9898}\n"+
			"  analysis:\n    match: [{queryParams: {beta: {exact: \"1\"}}, uri: {prefix: /beta}}, {uri: {prefix: /v2}}]\n")),
		vs: "podinfo labels  annotations  hosts podinfo.test.svc.cluster.local gateways mesh " +
			`http[match {query:beta=exact=1}{} timeout "" retries 0 rewrite false] podinfo-primary/100,podinfo-canary/0 ` +
			`http[match  timeout "" retries 0 rewrite false] podinfo-primary/100`,
	}, {
		// A delegate's A/B test.
		name: "A/B test of a delegate",
		src: docs(target, flaggerCanary("podinfo", ref+"  service: {port: 9898, delegation: true}\n"+
			"  analysis:\n    match: [{headers: {x-canary: {exact: insider}}}]\n")),
		vs: "podinfo labels  annotations  hosts  gateways  " +
			`http[match {header:x-canary=exact=insider} timeout "" retries 0 rewrite false] podinfo-primary/100,podinfo-canary/0 ` +
			`http[match  timeout "" retries 0 rewrite false] podinfo-primary/100`,
	}, {
		// The IstioRouter makes no A/B routes for TCP, and its TCP route
		// has no headers nor corsPolicy.
		name: "A/B test, tcp",
		src: docs(target, flaggerCanary("podinfo", ref+"  service: {port: 9898, appProtocol: tcp, headers: {request: {add: {x-team: a}}}, corsPolicy: {allowMethods: [GET]}}\n"+
			"  analysis:\n    match: [{headers: {x-canary: {exact: insider}}}]\n")),
		vs: "podinfo labels  annotations  hosts podinfo.test.svc.cluster.local gateways mesh " +
			"tcp[ports ] podinfo-primary/100,podinfo-canary/0",
	}, {
		// Flagger takes over the input's VirtualService of the apex's
		// name (rewriting its spec); it creates no other.
		name: "VirtualService of the input",
		src: docs(target, flaggerCanary("podinfo", ref+"  service: {port: 9898}\n"),
			"apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: podinfo, namespace: test}\nspec:\n  hosts: [podinfo]\n  http:\n  - route:\n    - destination: {host: podinfo-primary}\n"),
	}} {
		t.Run(c.name, func(t *testing.T) {
			for _, prepared := range []bool{false, true} {
				g := flaggerGraph(t, c.src, prepared)
				cn := g.Canaries[0]
				if got := flaggerVS(cn); got != c.vs {
					t.Errorf("prepared=%v: VirtualService\n%s\nwant\n%s", prepared, got, c.vs)
				}
				n := 0
				for _, vs := range g.VirtualServices {
					if g.GeneratedBy(vs.Obj) != nil {
						n++
						if vs != cn.VirtualService || g.GeneratedBy(vs.Obj) != cn {
							t.Errorf("prepared=%v: VirtualService %s generated but not the Canary's", prepared, vs.Obj.Ref())
						}
					}
				}
				if want := map[bool]int{false: 0, true: 1}[c.vs != ""]; n != want {
					t.Errorf("prepared=%v: %d generated VirtualServices, want %d", prepared, n, want)
				}
			}
		})
	}
}

// TestFlaggerVirtualServicePositions checks that the VirtualService's
// positions are the fields of the Canary it comes from.
func TestFlaggerVirtualServicePositions(t *testing.T) {
	src := docs(flaggerTarget("Deployment", "podinfo", "{app: podinfo}", "{app: podinfo}", flaggerContainers),
		flaggerCanary("podinfo", "  targetRef: {apiVersion: apps/v1, kind: Deployment, name: podinfo}\n  service:\n    port: 9898\n    hosts:\n    - app.example.com\n    match:\n    - uri: {prefix: /}\n"),
		flaggerCanary("web", "  targetRef: {apiVersion: apps/v1, kind: Deployment, name: podinfo}\n  service:\n    name: web\n    port: 80\n    gateways:\n    - mesh\n"),
		flaggerCanary("ab", "  targetRef: {apiVersion: apps/v1, kind: Deployment, name: podinfo}\n  service:\n    name: ab\n    port: 80\n    match:\n    - uri: {prefix: /api}\n    headers:\n      response:\n        set: {x-a: b}\n    corsPolicy:\n      allowOrigins:\n      - exact: https://a.example.com\n"+
			"  analysis:\n    match:\n    - headers:\n        x-canary: {exact: insider}\n"))
	g := flaggerGraph(t, src, true)
	svc := g.Canaries[0].Spec.Service
	vs := g.Canaries[0].VirtualService
	ref := g.Canaries[0].Spec.TargetRef
	if vs.Obj.File != g.Canaries[0].Obj.File || vs.Obj.NameLoc != ref.Name.Loc || vs.Obj.Root() != nil || Origin(vs.Obj) != g.Canaries[0].Obj {
		t.Errorf("object at %s %v", vs.Obj.File, vs.Obj.NameLoc)
	}
	hs := vs.Spec.Hosts
	if hs[0].Loc != svc.Hosts[0].Loc || hs[1].Loc != ref.Name.Loc {
		t.Errorf("hosts at %v %v", hs[0].Loc, hs[1].Loc)
	}
	if vs.Spec.Gateways[0].Loc != svc.Loc {
		t.Errorf("default mesh gateway at %v, want spec.service at %v", vs.Spec.Gateways[0].Loc, svc.Loc)
	}
	r := vs.Spec.HTTP[0]
	if r.Loc != svc.Loc || r.Match[0].Loc != svc.Match[0].Loc || r.Match[0].Loc.IsZero() {
		t.Errorf("route at %v, match at %v", r.Loc, r.Match[0].Loc)
	}
	for _, d := range r.Route {
		if d.Loc != svc.Port.Loc || d.Destination.Loc != svc.Port.Loc || d.Weight.Loc != svc.Port.Loc || d.Destination.Host.Loc != ref.Name.Loc {
			t.Errorf("destination %s at %v", d.Destination.Host.V, d.Loc)
		}
	}
	// The second Canary names its apex: the VirtualService's name and
	// apex host are at spec.service.name; its gateways are as written.
	svc, vs = g.Canaries[1].Spec.Service, g.Canaries[1].VirtualService
	if vs.Obj.NameLoc != svc.Name.Loc || vs.Spec.Hosts[0].Loc != svc.Name.Loc || vs.Spec.Gateways[0].Loc != svc.Gateways[0].Loc {
		t.Errorf("web at %v, host at %v, gateway at %v", vs.Obj.NameLoc, vs.Spec.Hosts[0].Loc, vs.Spec.Gateways[0].Loc)
	}
	// The A/B route and its merged match are at the analysis match,
	// their conditions where they are written; the route of the service
	// match at spec.service.
	ab := g.Canaries[2]
	svc, vs = ab.Spec.Service, ab.VirtualService
	am := ab.Spec.Analysis.Match[0]
	r, def := vs.Spec.HTTP[0], vs.Spec.HTTP[1]
	if r.Loc != am.Loc || r.Match[0].Loc != am.Loc || am.Loc.IsZero() {
		t.Errorf("A/B route at %v, match at %v, want %v", r.Loc, r.Match[0].Loc, am.Loc)
	}
	if r.Match[0].URI.Loc != svc.Match[0].URI.Loc || r.Match[0].Headers["x-canary"].Loc != am.Headers["x-canary"].Loc || svc.Match[0].URI.Loc.IsZero() {
		t.Errorf("merged uri at %v, header at %v", r.Match[0].URI.Loc, r.Match[0].Headers["x-canary"].Loc)
	}
	if def.Loc != svc.Loc || def.Match[0].Loc != svc.Match[0].Loc || def.Route[0].Weight.Loc != svc.Port.Loc {
		t.Errorf("route of the service match at %v, match at %v", def.Loc, def.Match[0].Loc)
	}
	if len(svc.Match[0].Headers) != 0 {
		t.Error("the Canary's service match changed")
	}
	// The headers and corsPolicy of both routes are at the Canary's keys,
	// the line above their block mappings.
	for _, r := range vs.Spec.HTTP {
		if at := r.Keys.Of("headers", manifest.Loc{}); at.Line != svc.Headers.Loc.Line-1 || at.Col != 5 {
			t.Errorf("headers of the route at %v at %v, want the key above %v", r.Loc, at, svc.Headers.Loc)
		}
		if r.CorsPolicy != svc.CorsPolicy || svc.CorsPolicy == nil {
			t.Errorf("corsPolicy of the route at %v is %v, want the Canary's", r.Loc, r.CorsPolicy)
		}
		if at := r.Keys.Of("corsPolicy", manifest.Loc{}); at.Line != svc.Headers.Loc.Line+2 || at.Col != 5 {
			t.Errorf("corsPolicy of the route at %v at %v, want line %d", r.Loc, at, svc.Headers.Loc.Line+2)
		}
	}
	// Without headers, the route's own position stands for them.
	if r := g.Canaries[0].VirtualService.Spec.HTTP[0]; r.Keys.Of("headers", r.Loc) != r.Loc || r.Keys.Of("corsPolicy", r.Loc) != r.Loc {
		t.Errorf("headers of a route without any at %v", r.Keys.Of("headers", r.Loc))
	}
}

// flaggerDRs describes the DestinationRules Flagger creates for c: name,
// host, labels, exportTo ([] for every namespace), then the traffic policy: "-" for none, else its
// tls (mode, caCertificates, sni, credentialName, insecureSkipVerify), the
// count of its port-level settings and the other settings it has.
func flaggerDRs(c *Canary) string {
	var out []string
	for _, dr := range c.DestinationRules {
		line := fmt.Sprintf("%s %s labels %s exportTo %v subsets %d", dr.Name(), dr.Host, kv(dr.Obj.Labels), dr.ExportTo, len(dr.Spec.Subsets))
		tp := dr.Spec.TrafficPolicy
		if tp == nil {
			out = append(out, line+" -")
			continue
		}
		if t := tp.TLS; t != nil {
			line += fmt.Sprintf(" tls[%s ca=%s sni=%s credential=%s insecure=%v]", t.Mode.V, t.CaCertificates.V, t.SNI.V, t.CredentialName.V, t.InsecureSkipVer.V)
		}
		line += fmt.Sprintf(" ports %d", len(tp.PortLevelSettings))
		for _, x := range []struct {
			name string
			set  bool
		}{{"loadBalancer", tp.LoadBalancer != nil}, {"connectionPool", tp.ConnectionPool != nil}, {"outlierDetection", tp.OutlierDetection != nil}} {
			if x.set {
				line += " " + x.name
			}
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}

// TestFlaggerDestinationRules checks the DestinationRules derived for a
// Canary against the IstioRouter's Reconcile and reconcileDestinationRule
// of Flagger v1.36.1, and the schema of its Canary CRD, which drops from
// spec.service.trafficPolicy what it does not declare.
func TestFlaggerDestinationRules(t *testing.T) {
	target := flaggerTarget("Deployment", "podinfo", "{app: podinfo}", "{app: podinfo}", flaggerContainers)
	ref := "  targetRef: {apiVersion: apps/v1, kind: Deployment, name: podinfo}\n"
	for _, c := range []struct{ name, src, drs string }{{
		// Named after the canary and primary Services, for their short
		// names; no traffic policy without spec.service.trafficPolicy.
		name: "defaults",
		src:  docs(target, flaggerCanary("podinfo", ref+"  service: {port: 9898}\n")),
		drs: "podinfo-canary podinfo-canary.test.svc.cluster.local labels  exportTo [] subsets 0 -\n" +
			"podinfo-primary podinfo-primary.test.svc.cluster.local labels  exportTo [] subsets 0 -",
	}, {
		// spec.service.name names them; the traffic policy is
		// spec.service.trafficPolicy less portLevelSettings,
		// credentialName and insecureSkipVerify. The apex metadata is
		// the Services' and the VirtualService's, not theirs.
		name: "traffic policy",
		src: docs(target, flaggerCanary("podinfo", ref+`  service:
    name: frontend
    port: 80
    targetPort: 9898
    apex:
      labels: {team: a}
      annotations: {networking.istio.io/exportTo: "."}
    trafficPolicy:
      tls: {mode: SIMPLE, caCertificates: /etc/ca.pem, sni: frontend.example.com, credentialName: cred, insecureSkipVerify: true}
      loadBalancer: {simple: LEAST_REQUEST}
      connectionPool: {http: {http2MaxRequests: 100}}
      portLevelSettings:
      - port: {number: 80}
        tls: {mode: DISABLE}
`)),
		drs: "frontend-canary frontend-canary.test.svc.cluster.local labels  exportTo [] subsets 0 tls[SIMPLE ca=/etc/ca.pem sni=frontend.example.com credential= insecure=false] ports 0 loadBalancer connectionPool\n" +
			"frontend-primary frontend-primary.test.svc.cluster.local labels  exportTo [] subsets 0 tls[SIMPLE ca=/etc/ca.pem sni=frontend.example.com credential= insecure=false] ports 0 loadBalancer connectionPool",
	}, {
		// Made before the VirtualService, whatever its mode: a delegate
		// and an A/B test get them.
		name: "delegation",
		src:  docs(target, flaggerCanary("podinfo", ref+"  service: {port: 9898, delegation: true, trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}}\n")),
		drs: "podinfo-canary podinfo-canary.test.svc.cluster.local labels  exportTo [] subsets 0 tls[ISTIO_MUTUAL ca= sni= credential= insecure=false] ports 0\n" +
			"podinfo-primary podinfo-primary.test.svc.cluster.local labels  exportTo [] subsets 0 tls[ISTIO_MUTUAL ca= sni= credential= insecure=false] ports 0",
	}, {
		// A delegate with hosts too, whose VirtualService Flagger
		// refuses after them.
		name: "delegation with hosts",
		src:  docs(target, flaggerCanary("podinfo", ref+"  service: {port: 9898, delegation: true, hosts: [app.example.com]}\n")),
		drs: "podinfo-canary podinfo-canary.test.svc.cluster.local labels  exportTo [] subsets 0 -\n" +
			"podinfo-primary podinfo-primary.test.svc.cluster.local labels  exportTo [] subsets 0 -",
	}, {
		name: "A/B test",
		src:  docs(target, flaggerCanary("podinfo", ref+"  service: {port: 9898}\n  analysis:\n    match: [{headers: {x-canary: {exact: insider}}}]\n")),
		drs: "podinfo-canary podinfo-canary.test.svc.cluster.local labels  exportTo [] subsets 0 -\n" +
			"podinfo-primary podinfo-primary.test.svc.cluster.local labels  exportTo [] subsets 0 -",
	}, {
		// Flagger takes over the input's DestinationRule of its name
		// (rewriting its spec) and creates the other; one of another
		// name for the same host stays beside it, and Istio merges them.
		name: "DestinationRules of the input",
		src: docs(target, flaggerCanary("podinfo", ref+"  service: {port: 9898}\n"),
			"apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: podinfo-primary, namespace: test}\nspec:\n  host: podinfo-primary\n",
			"apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: podinfo-canary-mtls, namespace: test}\nspec:\n  host: podinfo-canary\n"),
		drs: "podinfo-canary podinfo-canary.test.svc.cluster.local labels  exportTo [] subsets 0 -",
	}, {
		// A DestinationRule of that name in another namespace is no
		// obstacle.
		name: "DestinationRule of another namespace",
		src: docs(target, flaggerCanary("podinfo", ref+"  service: {port: 9898}\n"),
			"apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: podinfo-primary, namespace: other}\nspec:\n  host: podinfo-primary.test.svc.cluster.local\n"),
		drs: "podinfo-canary podinfo-canary.test.svc.cluster.local labels  exportTo [] subsets 0 -\n" +
			"podinfo-primary podinfo-primary.test.svc.cluster.local labels  exportTo [] subsets 0 -",
	}, {
		// Another provider: none.
		name: "gatewayapi:v1 provider",
		src:  docs(target, flaggerCanary("podinfo", "  provider: gatewayapi:v1\n"+ref+"  service: {port: 9898, trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}}\n")),
	}} {
		t.Run(c.name, func(t *testing.T) {
			for _, prepared := range []bool{false, true} {
				g := flaggerGraph(t, c.src, prepared)
				cn := g.Canaries[0]
				if got := flaggerDRs(cn); got != c.drs {
					t.Errorf("prepared=%v: DestinationRules\n%s\nwant\n%s", prepared, got, c.drs)
				}
				// They are among the graph's, and Istio's lookup for
				// their host from the namespace finds them.
				for _, dr := range cn.DestinationRules {
					if g.GeneratedBy(dr.Obj) != cn || !slices.Contains(g.DestinationRules, dr) {
						t.Errorf("prepared=%v: %s not registered", prepared, dr.Obj.Ref())
					}
					if !slices.Contains(g.DestinationRulesFor(dr.Host, "test"), dr) {
						t.Errorf("prepared=%v: %s not found for %s", prepared, dr.Obj.Ref(), dr.Host)
					}
				}
				n := 0
				for _, dr := range g.DestinationRules {
					if g.GeneratedBy(dr.Obj) != nil {
						n++
					}
				}
				if n != len(cn.DestinationRules) {
					t.Errorf("prepared=%v: %d generated DestinationRules, %d the Canary's", prepared, n, len(cn.DestinationRules))
				}
			}
		})
	}
}

// TestFlaggerDestinationRulePositions checks that the DestinationRules'
// positions are the fields of the Canary they come from, and that the
// Canary's traffic policy is not changed by what Flagger leaves out.
func TestFlaggerDestinationRulePositions(t *testing.T) {
	src := docs(flaggerTarget("Deployment", "podinfo", "{app: podinfo}", "{app: podinfo}", flaggerContainers),
		flaggerCanary("podinfo", `  targetRef: {apiVersion: apps/v1, kind: Deployment, name: podinfo}
  service:
    port: 9898
    trafficPolicy:
      tls:
        mode: DISABLE
        credentialName: cred
      portLevelSettings:
      - port: {number: 9898}
        tls: {mode: ISTIO_MUTUAL}
`),
		flaggerCanary("web", "  targetRef: {apiVersion: apps/v1, kind: Deployment, name: podinfo}\n  service:\n    name: web\n    port: 80\n"))
	g := flaggerGraph(t, src, true)
	cn := g.Canaries[0]
	svc, ref := cn.Spec.Service, cn.Spec.TargetRef
	if len(cn.DestinationRules) != 2 {
		t.Fatalf("%d DestinationRules", len(cn.DestinationRules))
	}
	for _, dr := range cn.DestinationRules {
		o := dr.Obj
		if o.File != cn.Obj.File || o.NameLoc != ref.Name.Loc || o.KindLoc != cn.Obj.KindLoc || o.Root() != nil || Origin(o) != cn.Obj {
			t.Errorf("%s at %s %v", o.Ref(), o.File, o.NameLoc)
		}
		if o.Kind != kinds.DestinationRule || o.APIVersion != "networking.istio.io/v1alpha3" || o.OwnerKind != "Canary" || o.OwnerName != "podinfo" {
			t.Errorf("%s: %s %s owned by %s/%s", o.Ref(), o.APIVersion, o.Kind, o.OwnerKind, o.OwnerName)
		}
		tp := dr.Spec.TrafficPolicy
		if dr.Spec.Host.Loc != ref.Name.Loc || tp.Loc != svc.TrafficPolicy.Loc || tp.TLS.Loc != svc.TrafficPolicy.TLS.Loc ||
			tp.TLS.Mode.Loc != svc.TrafficPolicy.TLS.Mode.Loc || tp.TLS.Mode.Loc.IsZero() {
			t.Errorf("%s: host at %v, policy at %v, tls mode at %v", o.Ref(), dr.Spec.Host.Loc, tp.Loc, tp.TLS.Mode.Loc)
		}
		if tp == svc.TrafficPolicy || tp.TLS == svc.TrafficPolicy.TLS {
			t.Errorf("%s shares the Canary's traffic policy", o.Ref())
		}
	}
	if len(svc.TrafficPolicy.PortLevelSettings) != 1 || svc.TrafficPolicy.TLS.CredentialName.V != "cred" {
		t.Error("the Canary's trafficPolicy changed")
	}
	// The second Canary names its apex: the names and hosts are at
	// spec.service.name.
	web := g.Canaries[1]
	for _, dr := range web.DestinationRules {
		if dr.Obj.NameLoc != web.Spec.Service.Name.Loc || dr.Spec.Host.Loc != web.Spec.Service.Name.Loc || dr.Spec.TrafficPolicy != nil {
			t.Errorf("%s at %v, host at %v", dr.Obj.Ref(), dr.Obj.NameLoc, dr.Spec.Host.Loc)
		}
	}
}

// TestFlaggerTakesOver checks what Flagger does to the objects of the
// input named as those it creates: reconcileService sets a Service's
// selector and ports, reconcileDestinationRule, reconcileVirtualService and
// the Gateway API router's Reconcile replace the spec of a DestinationRule,
// a VirtualService and an HTTPRoute. The graph holds them as Flagger
// leaves them, and the Canary's Rewrites have them as written.
func TestFlaggerTakesOver(t *testing.T) {
	target := flaggerTarget("Deployment", "podinfo", "{app: podinfo}", "{app: podinfo}", flaggerContainers)
	ref := "  targetRef: {apiVersion: apps/v1, kind: Deployment, name: podinfo}\n"
	dr := "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: podinfo-primary, namespace: test}\n" +
		"spec:\n  host: podinfo-primary\n  exportTo: [.]\n  subsets: [{name: v1, labels: {version: v1}}]\n"
	vs := "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: podinfo, namespace: test}\n" +
		"spec:\n  hosts: [podinfo.example.com]\n  http: [{route: [{destination: {host: podinfo, subset: v1}}]}]\n"
	route := "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: podinfo, namespace: test}\n" +
		"spec:\n  parentRefs: [{name: public, namespace: gateway}]\n  rules: [{backendRefs: [{name: podinfo, port: 80}]}]\n"
	for _, c := range []struct {
		name, src string
		// rewrites lists kind/name of the Canary's Rewrites, with
		// "(no spec)" when Flagger's is missing.
		rewrites string
		check    func(t *testing.T, g *Graph)
	}{{
		name: "Service",
		src:  docs(target, svc("test", "podinfo", "app=podinfo"), flaggerCanary("podinfo", ref+"  service: {port: 9898}\n")),
		// The apex selects the primary pods, on Flagger's port.
		rewrites: "Service/podinfo",
		check: func(t *testing.T, g *Graph) {
			s := g.serviceNamed("test", "podinfo")
			if s == nil || g.GeneratedBy(s.Obj) != nil {
				t.Fatal("the input's apex Service is missing or replaced")
			}
			if got := kv(s.Spec.Selector); got != "app=podinfo-primary" {
				t.Errorf("apex selector %s, want app=podinfo-primary", got)
			}
			if len(s.Workloads) != 1 || s.Workloads[0].Name() != "podinfo-primary" {
				t.Errorf("apex selects %d workloads, want podinfo-primary", len(s.Workloads))
			}
			if len(s.Spec.Ports) != 1 || s.Spec.Ports[0].Port.V != 9898 || s.Spec.Ports[0].Name.V != "http" {
				t.Errorf("apex ports %+v, want http 9898", s.Spec.Ports)
			}
			w := g.Canaries[0].Rewrites[0].Written.(*spec.Service)
			if len(w.Ports) != 1 || w.Ports[0].Port.V != 80 || kv(w.Selector) != "app=podinfo" {
				t.Errorf("written spec %+v, want the input's", w)
			}
			if n := len(g.Canaries[0].Services); n != 2 {
				t.Errorf("%d Services derived besides the input's apex, want 2", n)
			}
		},
	}, {
		name:     "DestinationRule",
		src:      docs(target, dr, flaggerCanary("podinfo", ref+"  service: {port: 9898, trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}}\n")),
		rewrites: "DestinationRule/podinfo-primary",
		check: func(t *testing.T, g *Graph) {
			d := g.destinationRules("test", "podinfo-primary")[0]
			if len(d.Spec.Subsets) != 0 || len(d.ExportTo) != 0 || d.Host != "podinfo-primary.test.svc.cluster.local" ||
				d.Spec.TrafficPolicy == nil || d.Spec.TrafficPolicy.TLS.Mode.V != "ISTIO_MUTUAL" {
				t.Errorf("DestinationRule %s %v %+v, want Flagger's spec", d.Host, d.ExportTo, d.Spec)
			}
			if n := len(g.Canaries[0].DestinationRules); n != 1 {
				t.Errorf("%d DestinationRules derived besides the input's, want 1", n)
			}
		},
	}, {
		name:     "VirtualService",
		src:      docs(target, vs, flaggerCanary("podinfo", ref+"  service: {port: 9898}\n")),
		rewrites: "VirtualService/podinfo",
		check: func(t *testing.T, g *Graph) {
			v := g.virtualServices("test", "podinfo")[0]
			if got := strings.Join(v.Hosts, ","); got != "podinfo.test.svc.cluster.local" {
				t.Errorf("hosts %s, want the apex", got)
			}
			if len(v.Gateways) != 1 || !v.Gateways[0].Mesh {
				t.Errorf("gateways %+v, want the mesh", v.Gateways)
			}
			if len(v.Spec.HTTP) != 1 || len(v.Spec.HTTP[0].Route) != 2 || v.Spec.HTTP[0].Route[0].Destination.Host.V != "podinfo-primary" {
				t.Errorf("routes %+v, want Flagger's", v.Spec.HTTP)
			}
			if g.Canaries[0].VirtualService != nil {
				t.Error("a VirtualService derived besides the input's")
			}
		},
	}, {
		// Flagger rewrites a delegate's VirtualService too: no hosts.
		name:     "VirtualService of a delegate",
		src:      docs(target, vs, flaggerCanary("podinfo", ref+"  service: {port: 9898, delegation: true}\n")),
		rewrites: "VirtualService/podinfo",
		check: func(t *testing.T, g *Graph) {
			v := g.virtualServices("test", "podinfo")[0]
			if len(v.Hosts)+len(v.Gateways) != 0 || len(v.Spec.HTTP) != 1 || v.Spec.HTTP[0].Route[0].Destination.Host.V != "podinfo-primary" {
				t.Errorf("hosts %v, gateways %v, routes %+v, want Flagger's delegate", v.Hosts, v.Gateways, v.Spec.HTTP)
			}
		},
	}, {
		// A delegate with hosts: Flagger fails before it gets the
		// VirtualService, which stays as written.
		name: "VirtualService of a delegate with hosts",
		src:  docs(target, vs, flaggerCanary("podinfo", ref+"  service: {port: 9898, delegation: true, hosts: [podinfo.example.com]}\n")),
		check: func(t *testing.T, g *Graph) {
			if got := strings.Join(g.virtualServices("test", "podinfo")[0].Hosts, ","); got != "podinfo.example.com" {
				t.Errorf("hosts %s, want the input's", got)
			}
		},
	}, {
		// An A/B test's VirtualService replaces the input's.
		name: "VirtualService of an A/B test",
		src: docs(target, vs, flaggerCanary("podinfo", ref+"  service: {port: 9898}\n"+
			"  analysis:\n    match: [{headers: {x-canary: {exact: insider}}}]\n")),
		rewrites: "VirtualService/podinfo",
		check: func(t *testing.T, g *Graph) {
			if v := g.virtualServices("test", "podinfo")[0]; len(v.Spec.HTTP) != 2 || len(v.Spec.HTTP[0].Match) != 1 {
				t.Errorf("routes %+v, want Flagger's A/B routes", v.Spec.HTTP)
			}
		},
	}, {
		name:     "HTTPRoute",
		src:      docs(target, route, flaggerCanary("podinfo", "  provider: gatewayapi:v1\n"+ref+"  service:\n    port: 9898\n    gatewayRefs: [{name: public, namespace: gateway}]\n")),
		rewrites: "HTTPRoute/podinfo",
		check: func(t *testing.T, g *Graph) {
			if len(g.GatewayRoutes) != 1 || g.GeneratedBy(g.GatewayRoutes[0].Obj) != nil {
				t.Fatalf("%d routes, want the input's alone", len(g.GatewayRoutes))
			}
			r := g.GatewayRoutes[0]
			var backends []string
			for _, b := range r.Spec.Rules[0].BackendRefs {
				backends = append(backends, fmt.Sprintf("%s:%d/%d", b.Name.V, b.Port.V, b.Weight.V))
			}
			if got := strings.Join(backends, ","); got != "podinfo-primary:9898/100,podinfo-canary:9898/0" {
				t.Errorf("backends %s, want Flagger's", got)
			}
		},
	}, {
		// What another Canary of the same apex creates is no object of
		// the input.
		name: "two Canaries of one apex",
		src:  docs(target, flaggerCanary("podinfo", ref+"  service: {port: 9898}\n"), flaggerCanary("podinfo-b", ref+"  service: {port: 9898}\n")),
		check: func(t *testing.T, g *Graph) {
			if n := len(g.Canaries[1].Rewrites); n != 0 {
				t.Errorf("the second Canary rewrites %d objects of the first", n)
			}
		},
	}, {
		// Objects of another namespace, or of other names, are left alone.
		name: "others",
		src: docs(target, svc("other", "podinfo", "app=podinfo"), strings.Replace(dr, "podinfo-primary, namespace", "podinfo-stable, namespace", 1),
			strings.Replace(vs, "namespace: test", "namespace: other", 1), flaggerCanary("podinfo", ref+"  service: {port: 9898}\n")),
	}} {
		t.Run(c.name, func(t *testing.T) {
			for _, prepared := range []bool{false, true} {
				g := flaggerGraph(t, c.src, prepared)
				var got []string
				for _, r := range g.Canaries[0].Rewrites {
					s := string(r.Obj.Kind) + "/" + r.Obj.Name
					if r.Flagger == nil {
						s += "(no spec)"
					}
					got = append(got, s)
				}
				if strings.Join(got, " ") != c.rewrites {
					t.Errorf("prepared=%v: rewrites %q, want %q", prepared, got, c.rewrites)
				}
				if c.check != nil {
					c.check(t, g)
				}
			}
		})
	}
}
