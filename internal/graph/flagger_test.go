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

// TestFlaggerNotDerived lists Canaries Flagger makes nothing for, or that
// are not of the Istio provider.
func TestFlaggerNotDerived(t *testing.T) {
	target := flaggerTarget("Deployment", "podinfo", "{app: podinfo}", "{app: podinfo}", flaggerContainers)
	for _, c := range []struct{ name, src string }{
		{"linkerd provider", docs(target, flaggerCanary("podinfo", "  provider: linkerd\n  targetRef: {kind: Deployment, name: podinfo}\n  service: {port: 9898}\n"))},
		{"Service target", docs(target, svc("test", "podinfo", "app=podinfo"), flaggerCanary("podinfo", "  targetRef: {kind: Service, name: podinfo}\n  service: {port: 9898}\n"))},
		{"target not in the input", docs(target, flaggerCanary("web", "  targetRef: {kind: Deployment, name: web}\n  service: {port: 9898}\n"))},
		{"target of another kind", docs(target, flaggerCanary("podinfo", "  targetRef: {kind: DaemonSet, name: podinfo}\n  service: {port: 9898}\n"))},
		{"no selector label", docs(flaggerTarget("Deployment", "podinfo", "{tier: web}", "{tier: web}", flaggerContainers),
			flaggerCanary("podinfo", "  targetRef: {kind: Deployment, name: podinfo}\n  service: {port: 9898}\n"))},
		// Discovered, the container port http repeats the Service
		// port's name: the API server rejects the Service.
		{"duplicate port name", docs(target, flaggerCanary("podinfo", "  targetRef: {kind: Deployment, name: podinfo}\n  service: {port: 9898, targetPort: 9999, portDiscovery: true}\n"))},
		{"no port", docs(target, flaggerCanary("podinfo", "  targetRef: {kind: Deployment, name: podinfo}\n  service: {name: web}\n"))},
	} {
		t.Run(c.name, func(t *testing.T) {
			g := flaggerGraph(t, c.src, false)
			if len(g.Canaries) != 1 {
				t.Fatalf("%d Canaries", len(g.Canaries))
			}
			cn := g.Canaries[0]
			if cn.Primary != nil || len(cn.Services) > 0 || cn.Label != "" {
				t.Errorf("derived %v, %s", cn.Primary, flaggerServices(cn))
			}
			for _, w := range g.Workloads {
				if g.GeneratedBy(w.Obj) != nil {
					t.Errorf("workload %s generated", w.Obj.Ref())
				}
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
	line := func(l manifest.Loc) int { return l.Line }
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
