package graph

import (
	"strings"

	"github.com/meshlint/meshlint/internal/labels"
)

// GatewayAPIPodLabels returns the labels of the pods Istio deploys for the
// Gateway API Gateways (of an istio* class) of namespace ns, keyed by
// Gateway name (IstioPodLabels).
func (g *Graph) GatewayAPIPodLabels(ns string) map[string]map[string]string {
	out := map[string]map[string]string{}
	for _, gw := range g.K8sGateways {
		if gw.Namespace() == ns {
			if l := gw.IstioPodLabels(); l != nil {
				out[gw.Name()] = l
			}
		}
	}
	return out
}

// IstioPodLabels returns the labels of the pods Istio deploys for gw, nil
// when its class is not an istio* one: Istio's automated deployment labels
// them with gateway.networking.k8s.io/gateway-name (and
// istio.io/gateway-name), and spec.infrastructure.labels.
func (gw *K8sGateway) IstioPodLabels() map[string]string {
	if !strings.HasPrefix(gw.Spec.GatewayClassName.V, "istio") {
		return nil
	}
	l := map[string]string{}
	if in := gw.Spec.Infrastructure; in != nil {
		for k, v := range in.Labels {
			l[k] = v
		}
	}
	l["gateway.networking.k8s.io/gateway-name"] = gw.Name()
	l["istio.io/gateway-name"] = gw.Name()
	return l
}

// GatewayAPIWorkloads returns the workloads of the input that are gw's
// pods: those of its namespace labelled gateway.networking.k8s.io/gateway-name
// with its name (a Gateway deployed by hand, or Istio's deployment written
// out).
func (g *Graph) GatewayAPIWorkloads(gw *K8sGateway) []*Workload {
	var out []*Workload
	for _, w := range g.workloadsByNS[gw.Namespace()] {
		if w.Labels["gateway.networking.k8s.io/gateway-name"] == gw.Name() {
			out = append(out, w)
		}
	}
	return out
}

// SelectsGatewayAPIPod returns the name of a Gateway API Gateway of
// namespace ns whose pods a matchLabels selector picks: a pod of the input
// labelled gateway.networking.k8s.io/gateway-name, or the pods Istio
// deploys for a Gateway of the input. It returns "" when there is none.
// When several match, it names the first by name, pods of the input
// before deployed ones: the message must not change with map order or
// with the order of the input (MR314 declares no ORDER dependency).
func (g *Graph) SelectsGatewayAPIPod(ns string, sel map[string]string) string {
	if len(sel) == 0 {
		return ""
	}
	found := ""
	for _, w := range g.workloadsByNS[ns] {
		if name, ok := w.Labels["gateway.networking.k8s.io/gateway-name"]; ok && labels.SubsetOf(sel, w.Labels) && (found == "" || name < found) {
			found = name
		}
	}
	if found != "" {
		return found
	}
	for _, gw := range g.K8sGateways {
		if gw.Namespace() != ns || found != "" && gw.Name() >= found {
			continue
		}
		if l := gw.IstioPodLabels(); l != nil && labels.SubsetOf(sel, l) {
			found = gw.Name()
		}
	}
	return found
}

// MayRunGatewayProxy reports whether w's pods may run a gateway proxy
// (istio-proxy started as "router"), the only proxies Istio programs
// Gateways on (Proxy.SetGatewaysForProxy). The pod spec does not say how
// the proxy is started, so any sign of a gateway counts: a pod template
// that declares the proxy container or image itself (gateway deployments
// do; the injector adds it to application pods), Istio's gateway
// injection template, a Gateway API Gateway's pods, or an istio label
// naming a gateway, as Istio's charts label theirs (ingressgateway,
// eastwestgateway...). It errs towards true: false means the pods are
// application pods, with or without a sidecar. An istio-proxy native
// sidecar (an init container) is no sign: Istio's gateway template runs
// the proxy as a container, its sidecar template as an init container
// with native sidecars.
func (w *Workload) MayRunGatewayProxy() bool {
	for _, c := range w.Spec.Spec.Containers {
		if c.Name.V == "istio-proxy" || strings.Contains(c.Image.V, "proxyv2") {
			return true
		}
	}
	if strings.Contains(w.Spec.Metadata.Annotations["inject.istio.io/templates"], "gateway") {
		return true
	}
	for _, l := range []string{"gateway.networking.k8s.io/gateway-name", "istio.io/gateway-name"} {
		if _, ok := w.Labels[l]; ok {
			return true
		}
	}
	return strings.Contains(w.Labels["istio"], "gateway")
}

// DisableGatewayPortTranslationLabel is the label of a Service whose ports
// Istio does not translate for Gateways (model.DisableGatewayPortTranslationLabel).
const DisableGatewayPortTranslationLabel = "experimental.istio.io/disable-gateway-port-translation"

// GatewayListenerPort returns the port a gateway pod w listens on for a
// Gateway server of port number n, given svcs, the Services that select w
// (Lookup.ServicesSelecting). Istio translates a server port that is a
// Service port of the pod to that port's targetPort (resolvePorts, for
// selector-based Gateways), so that a server on 80 listens on 8080 when
// the Service maps 80 to 8080, and shares a listener with a server on
// 8080. The second result is false when the translation is unknown: Istio
// takes the first Service port of that number, and Services that map it to
// different targetPorts (or a named targetPort the pod does not declare)
// leave which one open; n is returned then.
func GatewayListenerPort(n int64, w *Workload, svcs []*Service) (int64, bool) {
	var to int64
	for _, s := range svcs {
		if _, off := s.Obj.Labels[DisableGatewayPortTranslationLabel]; off {
			continue
		}
		for _, sp := range s.Spec.Ports {
			if sp.Port.V != n {
				continue
			}
			t := TargetPort(sp, w)
			if t == 0 || to != 0 && t != to {
				return n, false
			}
			to = t
		}
	}
	if to == 0 {
		return n, true
	}
	return to, true
}
