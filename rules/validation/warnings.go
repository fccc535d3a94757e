package validation

import (
	"strings"

	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/rules"
)

// WebhookWarning reports what Istio's webhook accepts with a warning.
var WebhookWarning = &rules.Rule{
	ID:      "MR016",
	Name:    "webhook-warning",
	Summary: "the webhook accepts the object but warns that part of it is ignored or applies more widely than written",
	Doc: `Istio's validation webhook accepts some objects with a warning (` + "`kubectl`" + ` prints
` + "`Warning: ...`" + `; ` + "`istioctl analyze`" + ` reports IST0133). Each of these is a setting that does not do what it
says:

- a Gateway server with a passthrough TLS mode (the default when ` + "`tls`" + ` has no ` + "`mode`" + `) and a
  ` + "`credentialName`" + ` or certificates: the gateway does not terminate TLS and ignores them. Set
  ` + "`mode: SIMPLE`" + ` to terminate;
- ` + "`tls.httpsRedirect`" + ` on a server that is not of the HTTP family (HTTP, HTTP2, GRPC, GRPC-WEB):
  it has no effect;
- a ServiceEntry host with a partial wildcard (` + "`*foo.example.com`" + `), which matches as ` + "`*.example.com`" + `
  would not;
- a selector with empty ` + "`matchLabels`" + ` (PeerAuthentication, AuthorizationPolicy,
  RequestAuthentication, DestinationRule) or a Sidecar ` + "`workloadSelector`" + ` without labels: the
  object applies to every workload of the namespace;
- a Sidecar egress listener that lists a host twice, or ` + "`*/*`" + ` beside other hosts, which it imports anyway
  (exclusions, ` + "`~ns/name`" + `, do not count);
- the deprecated VirtualService ` + "`mirrorPercent`" + ` (use ` + "`mirrorPercentage`" + `) and DestinationRule
  ` + "`consecutiveErrors`" + ` (use ` + "`consecutive5xxErrors`" + `); a fault ` + "`abort`" + ` without an ` + "`httpStatus`" + ` or
  ` + "`grpcStatus`" + `;
- locality or zone-aware ` + "`failover`" + ` or ` + "`failoverPriority`" + ` without ` + "`outlierDetection`" + ` in the
  same traffic policy, which never fails over.`,
	Bad:      publicGateway(httpsPort, "shop.example.com", "{credentialName: shop-cert}"),
	Good:     publicGateway(httpsPort, "shop.example.com", "{mode: SIMPLE, credentialName: shop-cert}"),
	Severity: rules.Warning,
	Inputs: []kinds.Kind{kinds.Gateway, kinds.ServiceEntry, kinds.Sidecar, kinds.VirtualService, kinds.DestinationRule,
		kinds.PeerAuthentication, kinds.AuthorizationPolicy, kinds.RequestAuthentication},
	Related: []string{"IST0133"},
	Local:   true,
	Run:     runWebhookWarning,
}

func runWebhookWarning(p *rules.Pass) error {
	for o := range objectsOf(p, kinds.GroupIstioNetworking, kinds.Gateway, kinds.ServiceEntry, kinds.Sidecar, kinds.VirtualService, kinds.DestinationRule) {
		s := specOf(o)
		switch o.Kind {
		case kinds.Gateway:
			for srv := range s.get("servers").items() {
				tls := srv.get("tls")
				if !tls.isMap() {
					continue
				}
				proto, _ := srv.get("port").get("protocol").str()
				mode, _ := tls.get("mode").str()
				written := mode
				if mode == "" {
					mode, written = "PASSTHROUGH", "PASSTHROUGH (the default when tls has no mode)"
				}
				// On a plain HTTP server, certificate files are MR012's
				// error; the other certificates are only ignored.
				refused := isHTTPProtocol(proto) && len(certFiles(tls)) > 0
				if certs := certFields(tls); (mode == "PASSTHROUGH" || mode == "AUTO_PASSTHROUGH") && len(certs) > 0 && !refused {
					fix := "set mode SIMPLE (or MUTUAL) to terminate"
					if isHTTPProtocol(proto) {
						fix = "remove them, or use protocol HTTPS and mode SIMPLE to terminate"
					}
					p.Reportf(o, tls.keyLoc(certs[0]), "%s: tls mode %s does not terminate TLS, so %s is ignored; %s", tls.where(), written, strings.Join(certs, ", "), fix)
				}
				// Istio warns unless the protocol is of the HTTP family
				// (protocol.IsHTTP): HTTP2 and gRPC servers redirect too.
				if r, _ := tls.get("httpsRedirect").boolean(); r && proto != "" && !isHTTPProtocol(proto) {
					p.Reportf(o, tls.keyLoc("httpsRedirect"), "%s: httpsRedirect only has an effect on HTTP servers, not %s", tls.where(), proto)
				}
			}
		case kinds.ServiceEntry:
			res, _ := s.get("resolution").str()
			for x := range s.get("hosts").strs() {
				h, _ := x.str()
				if res != "DYNAMIC_DNS" && strings.Contains(h, "*") && !strings.HasPrefix(h, "*.") && h != "*" {
					p.Reportf(o, x.loc(), "host %q is a partial wildcard: write *.%s, or list the hosts", h, h[strings.Index(h, ".")+1:])
				}
			}
			checkEmptySelector(p, o, s, "workloadSelector", "labels")
		case kinds.Sidecar:
			checkEmptySelector(p, o, s, "workloadSelector", "labels")
			for eg := range s.get("egress").items() {
				hosts := eg.get("hosts")
				// An exclusion (~ns/name) takes hosts away from */*, so
				// only the other imports are covered by it.
				imports := 0
				for x := range hosts.strs() {
					if h, _ := x.str(); !strings.HasPrefix(h, "~") {
						imports++
					}
				}
				seen := map[string]bool{}
				for x := range hosts.strs() {
					h, _ := x.str()
					if seen[h] {
						p.Reportf(o, x.loc(), "%s: host %q is listed twice", x.where(), h)
					}
					seen[h] = true
					if h == "*/*" && imports > 1 {
						p.Reportf(o, x.loc(), "%s: */* imports every host, so the other hosts of this listener add nothing", x.where())
					}
				}
			}
		case kinds.VirtualService:
			for r := range s.get("http").items() {
				if r.has("mirrorPercent") {
					p.Reportf(o, r.keyLoc("mirrorPercent"), "%s: mirrorPercent is deprecated, use mirrorPercentage", r.where())
				}
				if ab := r.get("fault").get("abort"); ab.isMap() && !ab.has("httpStatus") && !ab.has("grpcStatus") && !ab.has("http2Error") {
					p.Reportf(o, ab.loc(), "%s has no httpStatus or grpcStatus: it aborts nothing", ab.where())
				}
			}
		case kinds.DestinationRule:
			checkEmptySelector(p, o, s, "workloadSelector", "matchLabels")
			for tp := range trafficPolicies(s) {
				if od := tp.get("outlierDetection"); od.has("consecutiveErrors") {
					p.Reportf(o, od.keyLoc("consecutiveErrors"), "%s: consecutiveErrors is deprecated, use consecutive5xxErrors", od.where())
				}
				// failover and failoverPriority are fields of the locality
				// (and zone-aware) settings, as ValidateLocalityLbSetting
				// and ValidateZoneAwareLbSetting read them.
				lb := tp.get("loadBalancer")
				for _, f := range []string{"localityLbSetting", "zoneAwareLbSetting"} {
					set := lb.get(f)
					if (set.get("failover").len() > 0 || set.get("failoverPriority").len() > 0) && !tp.has("outlierDetection") {
						what := "locality"
						if f == "zoneAwareLbSetting" {
							what = "zone-aware"
						}
						p.Reportf(o, lb.keyLoc(f), "%s: %s failover needs outlierDetection in the same traffic policy, or it never fails over", set.where(), what)
					}
				}
			}
		}
	}
	for o := range objectsOf(p, kinds.GroupIstioSecurity, kinds.PeerAuthentication, kinds.AuthorizationPolicy, kinds.RequestAuthentication) {
		checkEmptySelector(p, o, specOf(o), "selector", "matchLabels")
	}
	return nil
}

// checkEmptySelector warns about a selector written without labels.
func checkEmptySelector(p *rules.Pass, o *manifest.Object, s node, field, labels string) {
	sel := s.get(field)
	if !sel.isMap() || sel.get(labels).hasEntries() {
		return
	}
	p.Reportf(o, s.keyLoc(field), "%s has no %s: the %s applies to every workload of namespace %s; remove the %s or add labels", field, labels, o.Kind, o.Namespace, field)
}
