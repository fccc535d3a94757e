package validation

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

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
  RequestAuthentication, DestinationRule, Telemetry) or a Sidecar ` + "`workloadSelector`" + ` without labels: the
  object applies to every workload of the namespace (and, for all but the DestinationRule and the
  Sidecar, of every namespace from the root namespace); a ServiceEntry ` + "`workloadSelector`" + ` without
  labels takes every pod and WorkloadEntry of its namespace as an endpoint;
- a WasmPlugin or TrafficExtension ` + "`selector`" + ` without ` + "`matchLabels`" + `, which the webhook
  checks as the policies' (validateWorkloadSelector): the plugin runs in every workload of the
  namespace, and of the mesh from the root namespace;
- a Sidecar egress listener that lists a host twice, or ` + "`*/*`" + ` beside other hosts, which it imports anyway
  (exclusions, ` + "`~ns/name`" + `, do not count);
- the deprecated VirtualService ` + "`mirrorPercent`" + ` (use ` + "`mirrorPercentage`" + `), DestinationRule
  ` + "`consecutiveErrors`" + ` (use ` + "`consecutive5xxErrors`" + `) and consistent-hash ` + "`minimumRingSize`" + ` (use
  ` + "`ringHash.minimumRingSize`" + `; beside ` + "`maglev`" + ` or ` + "`ringHash`" + ` it is MR015's error); a fault ` + "`abort`" + `
  without an ` + "`httpStatus`" + ` or ` + "`grpcStatus`" + `;
- a STATIC ServiceEntry endpoint, or a WorkloadEntry, with a ` + "`network`" + ` and no ` + "`address`" + `: only
  proxies of other networks reach it, through that network's gateway;
- locality or zone-aware ` + "`failover`" + ` or ` + "`failoverPriority`" + ` without ` + "`outlierDetection`" + ` in the
  same traffic policy, which never fails over;
- a Gateway server's or Sidecar ingress listener's ` + "`tls.cipherSuites`" + ` entry that Envoy does not support
  (an OpenSSL name outside Istio's list, a TLS 1.3 name such as ` + "`TLS_AES_128_GCM_SHA256`" + `, a name in
  lower case) or that is listed twice: Istio drops it; and a ` + "`minProtocolVersion`" + ` below TLSV1_2
  without ` + "`cipherSuites`" + `, which the default suites do not serve;
- a RequestAuthentication's inline ` + "`jwks`" + ` with a private key (an RSA, EC or OKP key with ` + "`d`" + `),
  of which the proxies need only the public part, or a symmetric ` + "`oct`" + ` key: whoever reads the
  object can sign tokens with it;
- a VirtualService ` + "`directResponse`" + ` body over 100 kB (above 1 MB it is refused, MR019's), which
  every proxy of the route receives in its configuration;
- a Telemetry metrics tag override with an empty name; a Telemetry tracing entry that sets a field
  which an earlier entry of the object set for the same proxies or fewer, so that the earlier value
  applies nowhere: Istio merges the entries in order, the later winning, and warns that multiple
  tracing entries are not supported (a default for client and server followed by an entry for one
  mode, or entries that set different fields, work as written and are not reported; a second
  provider in one entry is MR722's);
- in an EnvoyFilter (in the patches MR022 finds no error in, and not those of ` + "`context: WAYPOINT`" + `,
  which the webhook skips): a ` + "`workloadSelector`" + ` without labels, which patches every workload of
  the namespace (of the mesh, in the root namespace); a ` + "`proxy.proxyVersion`" + ` over 1024
  characters, which istiod does not compile and matches to no proxy; a ` + "`filterChain.filter`" + `
  match under a ` + "`LISTENER`" + ` or ` + "`FILTER_CHAIN`" + ` patch, which Istio never compares, so the patch
  applies to (a REMOVE removes) every listener or filter chain the rest of the match selects; a
  deprecated filter name (` + "`envoy.router`" + `, ` + "`envoy.http_connection_manager`" + `...) in a filter
  or subFilter match, which matches none of the filters Istio generates (the message gives the
  current name); and a filter that a patch adds, inserts or replaces (or an ` + "`EXTENSION_CONFIG`" + `
  it adds) without ` + "`typed_config`" + ` or ` + "`config_discovery`" + `, which current Envoy refuses. The
  webhook also warns about the last in a MERGE or REMOVE, where the filter keeps its own
  ` + "`typed_config`" + ` or is dropped, and in the messages nested in a value (such as a cluster's
  ` + "`transport_socket`" + `), about deprecated ` + "`@type`" + `s and fields it does not know, which meshlint,
  without Envoy's protos, does not check; and it warns about every EnvoyFilter that the API exposes
  internals that change between versions, which would be a finding on each.

Two more settings are accepted without a warning but do nothing, and are reported here too:
` + "`cipherSuites`" + ` with ` + "`minProtocolVersion: TLSV1_3`" + ` (Envoy applies them to TLS 1.2 and below), and a
fault ` + "`delay`" + ` without ` + "`fixedDelay`" + `, which Istio drops when it builds the route.`,
	Bad:      publicGateway(httpsPort, "shop.example.com", "{credentialName: shop-cert}"),
	Good:     publicGateway(httpsPort, "shop.example.com", "{mode: SIMPLE, credentialName: shop-cert}"),
	Severity: rules.Warning,
	Inputs: []kinds.Kind{kinds.Gateway, kinds.ServiceEntry, kinds.Sidecar, kinds.VirtualService, kinds.DestinationRule,
		kinds.WorkloadEntry, kinds.EnvoyFilter, kinds.PeerAuthentication, kinds.AuthorizationPolicy, kinds.RequestAuthentication, kinds.Telemetry, kinds.WasmPlugin, kinds.TrafficExtension},
	Related: []string{"IST0133"},
	Local:   true,
	Run:     runWebhookWarning,
}

func runWebhookWarning(p *rules.Pass) error {
	for o := range objectsOf(p, kinds.GroupIstioNetworking, kinds.Gateway, kinds.ServiceEntry, kinds.Sidecar, kinds.VirtualService, kinds.DestinationRule, kinds.WorkloadEntry, kinds.EnvoyFilter) {
		s := specOf(o)
		switch o.Kind {
		case kinds.Gateway:
			for srv := range s.get("servers").items() {
				tls := srv.get("tls")
				if !tls.isMap() {
					continue
				}
				checkCipherSuites(p, o, tls)
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
			// validateWorkloadEntry warns about a STATIC endpoint known by
			// its network alone: EDS leaves it out for proxies of that
			// network, or of a single-network mesh (endpoint_builder.go,
			// filterIstioEndpoint), and the others reach it through the
			// network's gateway. Without a network it is MR013's error.
			if res == "STATIC" {
				for ep := range s.get("endpoints").items() {
					checkNetworkOnly(p, o, ep)
				}
			}
		case kinds.EnvoyFilter:
			checkEnvoyFilterWarnings(p, o, s)
		case kinds.WorkloadEntry:
			// ValidateWorkloadEntry runs the same validateWorkloadEntry.
			checkNetworkOnly(p, o, s)
		case kinds.Sidecar:
			checkEmptySelector(p, o, s, "workloadSelector", "labels")
			// ValidateSidecar checks an ingress listener's tls with
			// validateTLSOptions, as a Gateway server's.
			for in := range s.get("ingress").items() {
				checkCipherSuites(p, o, in.get("tls"))
			}
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
				// The webhook accepts a delay of no type, and TranslateFault
				// (pilot/pkg/networking/core/route) drops it: the only type
				// it injects is fixedDelay (exponentialDelay is MR019's).
				if dl := r.get("fault").get("delay"); dl.isMap() && !dl.has("fixedDelay") && !dl.has("exponentialDelay") {
					p.Reportf(o, dl.loc(), "%s has no fixedDelay: it delays nothing", dl.where())
				}
				if dr := r.get("directResponse"); dr.isMap() {
					if size, x := bodySize(dr.get("body")); size > maxBodyNoWarning && size <= maxBody {
						p.Reportf(o, x.loc(), "%s is %d bytes: Istio warns that a direct response body over 100 kB may impact control plane performance (every proxy of the route receives it)", x.where(), size)
					}
				}
			}
		case kinds.DestinationRule:
			checkEmptySelector(p, o, s, "workloadSelector", "matchLabels")
			for tp := range trafficPolicies(s) {
				if od := tp.get("outlierDetection"); od.has("consecutiveErrors") {
					p.Reportf(o, od.keyLoc("consecutiveErrors"), "%s: consecutiveErrors is deprecated, use consecutive5xxErrors", od.where())
				}
				// Beside maglev or ringHash, minimumRingSize is MR015's
				// error, whose message says the same.
				if ch := tp.get("loadBalancer").get("consistentHash"); !ch.has("maglev") && !ch.has("ringHash") {
					if n, _ := ch.get("minimumRingSize").int(); n != 0 {
						p.Reportf(o, ch.keyLoc("minimumRingSize"), "%s: minimumRingSize is deprecated (it still sizes the hash ring): write ringHash: {minimumRingSize: %d}", ch.where(), n)
					}
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
		if o.Kind == kinds.RequestAuthentication {
			checkPrivateJWKs(p, o)
		}
	}
	for o := range objectsOf(p, kinds.GroupIstioTelemetry, kinds.Telemetry) {
		checkEmptySelector(p, o, specOf(o), "selector", "matchLabels")
		checkTelemetryWarnings(p, o)
	}
	// ValidateWasmPlugin and ValidateTrafficExtension warn about an empty
	// selector as the policies' validators do.
	for o := range objectsOf(p, kinds.GroupIstioExtensions, kinds.WasmPlugin, kinds.TrafficExtension) {
		checkEmptySelector(p, o, specOf(o), "selector", "matchLabels")
	}
	return nil
}

// checkTelemetryWarnings warns about what validateTelemetryMetrics and
// validateTelemetryTracing (pkg/config/validation/validation.go) accept
// with a warning: a tag override without a name, and several tracing
// entries. Telemetries.Tracing (pilot/pkg/model/telemetry.go) applies the
// entries in order, each to the proxies of its match mode, and a field an
// entry sets replaces what the earlier ones set. Only an entry whose field
// is replaced for every proxy it applies to is reported: a default for
// both sides followed by an entry for one of them, or entries that set
// different fields, work as written.
func checkTelemetryWarnings(p *rules.Pass, o *manifest.Object) {
	s := specOf(o)
	for m := range s.get("metrics").items() {
		for ov := range m.get("overrides").items() {
			for e := range ov.get("tagOverrides").entries() {
				if e.key == "" {
					p.Reportf(o, e.keyLoc, "%s has a tag override with an empty name: Istio warns that it needs one; name the metric label to set or remove", ov.get("tagOverrides").where())
				}
			}
		}
	}
	type set struct {
		at    int
		modes string
	}
	fields := []string{"providers", "customTags", "randomSamplingPercentage", "disableSpanReporting", "useRequestIdForTraceSampling", "enableIstioTags", "disableContextPropagation"}
	earlier := map[string][]set{}
	i := -1
	for tr := range s.get("tracing").items() {
		i++
		if !tr.isMap() {
			continue
		}
		modes := tracingModes(tr)
		for _, f := range fields {
			// Telemetries.Tracing takes providers from an entry that
			// lists some, and the other fields when they are set.
			if !tr.has(f) || f == "providers" && tr.get(f).len() == 0 {
				continue
			}
			// The nearest earlier entry is named.
			for _, e := range slices.Backward(earlier[f]) {
				if strings.Contains(modes, e.modes) {
					p.Reportf(o, tr.keyLoc(f), "%s.%s replaces tracing[%d]'s for every proxy that entry applies to (%s), so tracing[%d].%s has no effect: Istio applies the tracing entries in order, the later winning, and warns that multiple tracing entries are not supported; merge them", tr.where(), f, e.at, modeNames(e.modes), e.at, f)
					break
				}
			}
			earlier[f] = append(earlier[f], set{i, modes})
		}
	}
}

// tracingModes says which proxies a tracing entry applies to, by its
// match mode: "c" client, "s" server, "cs" both (the default).
func tracingModes(tr node) string {
	switch m, _ := tr.get("match").get("mode").str(); m {
	case "CLIENT":
		return "c"
	case "SERVER":
		return "s"
	}
	return "cs"
}

// modeNames names the proxies of tracingModes' result.
func modeNames(modes string) string {
	switch modes {
	case "c":
		return "client proxies"
	case "s":
		return "server proxies"
	}
	return "client and server proxies"
}

// checkEmptySelector warns about a selector written without labels.
func checkEmptySelector(p *rules.Pass, o *manifest.Object, s node, field, labels string) {
	sel := s.get(field)
	if !sel.isMap() || sel.get(labels).hasEntries() {
		return
	}
	effect := "applies to every workload of namespace " + o.Namespace
	switch {
	case o.Kind == kinds.ServiceEntry:
		// Its selector picks endpoints, not proxies to configure
		// (serviceentry's conversion fetches the workloads of its
		// namespace by the selector's labels).
		effect = "takes every pod and WorkloadEntry of namespace " + o.Namespace + " as an endpoint"
	case meshWideFromRoot(o.Kind) && p.Graph != nil && o.Namespace == p.Graph.Mesh.RootNamespace:
		effect = "applies to every workload of every namespace of the mesh (" + o.Namespace + " is the root namespace)"
	}
	p.Reportf(o, s.keyLoc(field), "%s has no %s: the %s %s; remove the %s or add labels", field, labels, o.Kind, effect, field)
}

// meshWideFromRoot reports whether istiod applies root-namespace objects
// of kind k to the workloads of every namespace: the authentication
// lookups (getConfigsForWorkload), ListAuthorizationPolicies and
// TrafficExtensionsByListenerInfo (which also serves WasmPlugins, translated
// into TrafficExtensions by pilot/pkg/config/kube/extensions) search the
// root namespace beside the workload's, and
// Telemetries.applicableTelemetries takes the root namespace's
// selector-less Telemetry as the mesh default (pilot/pkg/model). A Sidecar, DestinationRule or ServiceEntry selector
// selects in its own namespace only.
func meshWideFromRoot(k kinds.Kind) bool {
	switch k {
	case kinds.PeerAuthentication, kinds.AuthorizationPolicy, kinds.RequestAuthentication,
		kinds.Telemetry, kinds.WasmPlugin, kinds.TrafficExtension:
		return true
	}
	return false
}

// checkCipherSuites warns about the cipher suites of a server's tls that
// validateTLSOptions warns about, and that the proxy ignores: names that
// Envoy does not support (security.IsValidCipherSuite), repeats, and a TLS
// version below 1.2 without them. It also warns about cipher suites with a
// minimum version of TLS 1.3, which the webhook accepts silently: Envoy
// applies cipher_suites to TLS 1.0-1.2 only (the API's link to Envoy's
// common.proto), and TLS 1.3 negotiates its own.
func checkCipherSuites(p *rules.Pass, o *manifest.Object, tls node) {
	if !tls.isMap() {
		return
	}
	suites := tls.get("cipherSuites")
	minVersion, _ := tls.get("minProtocolVersion").str()
	if (minVersion == "TLSV1_0" || minVersion == "TLSV1_1") && suites.len() == 0 {
		p.Reportf(o, tls.get("minProtocolVersion").loc(), "%s: minProtocolVersion %s without cipherSuites: the default cipher suites include none that TLS below 1.2 can use; list compatible ones, or use TLSV1_2", tls.where(), minVersion)
	}
	if minVersion == "TLSV1_3" && suites.len() > 0 {
		p.Reportf(o, tls.keyLoc("cipherSuites"), "%s: cipherSuites have no effect with minProtocolVersion TLSV1_3: Envoy applies them to TLS 1.2 and below only", tls.where())
		return
	}
	seen := map[string]bool{}
	for x := range suites.strs() {
		cs, _ := x.str()
		switch {
		case !validCipherSuite(cs):
			p.Reportf(o, x.loc(), "%s: %q is not a cipher suite Envoy supports: Istio ignores it", x.where(), cs)
		case seen[cs]:
			p.Reportf(o, x.loc(), "%s: cipher suite %q is listed twice: Istio ignores the repeat", x.where(), cs)
		}
		seen[cs] = true
	}
}

// validCipherSuite is Istio's security.IsValidCipherSuite: a name of
// ValidCipherSuites, empty, ALL, or an expression that starts with an
// operator (-, +, !, [), which it does not parse.
func validCipherSuite(cs string) bool {
	if cs == "" || cs == "ALL" {
		return true
	}
	if r, _ := utf8.DecodeRuneInString(cs); !unicode.IsLetter(r) && !unicode.IsNumber(r) {
		return true
	}
	return cipherSuites[cs]
}

// cipherSuites is Istio's security.ValidCipherSuites
// (pkg/config/security/security.go).
var cipherSuites = map[string]bool{
	"ECDHE-ECDSA-AES128-GCM-SHA256": true, "ECDHE-RSA-AES128-GCM-SHA256": true,
	"ECDHE-ECDSA-AES256-GCM-SHA384": true, "ECDHE-RSA-AES256-GCM-SHA384": true,
	"ECDHE-ECDSA-CHACHA20-POLY1305": true, "ECDHE-RSA-CHACHA20-POLY1305": true,
	"ECDHE-ECDSA-AES128-SHA": true, "ECDHE-RSA-AES128-SHA": true,
	"ECDHE-ECDSA-AES256-SHA": true, "ECDHE-RSA-AES256-SHA": true,
	"AES128-GCM-SHA256": true, "AES256-GCM-SHA384": true, "AES128-SHA": true, "AES256-SHA": true,
	"DES-CBC3-SHA": true,
}

// checkNetworkOnly reports a WorkloadEntry spec (an entry, or a STATIC
// ServiceEntry's endpoint) known by its network alone, which
// validateWorkloadEntry accepts with a warning.
func checkNetworkOnly(p *rules.Pass, o *manifest.Object, we node) {
	x := we.get("address")
	a, isStr := x.str()
	network, _ := we.get("network").str()
	if network == "" || x.ok() && (!isStr || a != "") {
		return
	}
	what := we.where()
	if what == "" {
		what = "the WorkloadEntry"
	}
	p.Reportf(o, we.keyLoc("network"), "%s has no address, only network %q: only proxies of other networks reach it, through that network's gateway; proxies of network %s, or of a mesh without multiple networks, leave it out", what, network, network)
}

// checkPrivateJWKs warns, as warnPrivateJwksKeys does, about the keys of
// an inline jwks that hold a secret: the proxies verify tokens with public
// keys only, and whoever reads the RequestAuthentication (or the repository
// it is kept in) can sign tokens with the secret. A set that does not
// parse is MR021's.
func checkPrivateJWKs(p *rules.Pass, o *manifest.Object) {
	for r := range specOf(o).get("jwtRules").items() {
		x := r.get("jwks")
		v, ok := x.str()
		if !ok || v == "" {
			continue
		}
		keys, err := parseJWKS([]byte(v))
		if err != nil {
			continue
		}
		for i, k := range keys {
			switch what := jwkPrivate(k); {
			case what == "oct":
				p.Reportf(o, x.loc(), "%s: key #%d is a symmetric (oct) key, the very secret that signs the tokens: anyone who can read the RequestAuthentication can sign tokens with it; prefer an asymmetric key and give its public part", x.where(), i)
			case what != "":
				p.Reportf(o, x.loc(), "%s: key #%d is a private %s key (it has \"d\"): only public keys are used to verify tokens, and anyone who can read the RequestAuthentication can sign tokens with it; keep the private members out, and replace the key", x.where(), i, what)
			}
		}
	}
}
