package validation

import (
	"slices"
	"strings"

	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/rules"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// DestinationRuleInvalid reports DestinationRule traffic policies that
// Istio's webhook rejects.
var DestinationRuleInvalid = &rules.Rule{
	ID:      "MR015",
	Name:    "destination-rule-invalid",
	Summary: "a DestinationRule traffic policy is empty or combines settings Istio rejects",
	Doc: `Istio's webhook rejects a DestinationRule whose traffic policy (top level, per subset or per port):

- is empty (` + "`trafficPolicy: {}`" + `), or is a port-level setting without a ` + "`port`" + ` or without any setting;
- sets locality ` + "`distribute`" + ` together with ` + "`failover`" + `, or ` + "`distribute`" + ` weights (` + "`to`" + `) outside 1-100
  or that do not add up to exactly 100 (unlike route weights, these are not relative);
- lists overlapping localities in a ` + "`distribute`" + ` setting (` + "`us-east/*`" + ` then ` + "`us-east/zone-a`" + `), or one
  with an empty part or a wildcard anywhere but at the end;
- fails over from a region to itself, or names zones or wildcards in ` + "`failover`" + `; puts a topology
  label (region, zone, subzone) in ` + "`failoverPriority`" + ` beside ` + "`failover`" + `, or in that of a
  ` + "`zoneAwareLbSetting`" + `; sets both ` + "`localityLbSetting`" + ` and ` + "`zoneAwareLbSetting`" + `;
- uses client TLS ` + "`MUTUAL`" + ` without ` + "`credentialName`" + ` and without both ` + "`clientCertificate`" + ` and
  ` + "`privateKey`" + `, or ` + "`credentialName`" + ` together with file-based certificates;
- sets a consistent-hash ` + "`httpCookie`" + ` without a name, or with two ` + "`attributes`" + ` of one name or one of an
  empty name; a ` + "`maglev`" + ` ` + "`tableSize`" + ` that is unset, 0, not a prime number or not below 5000011; the
  deprecated ` + "`minimumRingSize`" + ` beside ` + "`maglev`" + ` or ` + "`ringHash`" + `; or a ` + "`warmup`" + ` ` + "`aggression`" + ` of 0;
- sets a ` + "`connectionPool`" + ` with neither ` + "`http`" + ` nor ` + "`tcp`" + `; a negative limit (` + "`maxConnections`" + `,
  ` + "`http1MaxPendingRequests`" + `, ` + "`http2MaxRequests`" + `, ` + "`maxRequestsPerConnection`" + `, ` + "`maxRetries`" + `,
  ` + "`maxConcurrentStreams`" + `); ` + "`useClientProtocol: true`" + ` with ` + "`h2UpgradePolicy: UPGRADE`" + `; or an
  ` + "`http2KeepAlive`" + ` without its ` + "`interval`" + ` or ` + "`timeout`" + `;
- sets outlier detection ` + "`maxEjectionPercent`" + ` or ` + "`minHealthPercent`" + ` outside 0-100, or
  ` + "`consecutiveLocalOriginFailures`" + ` without ` + "`splitExternalLocalOriginErrors: true`" + `;
- sets a ` + "`tunnel`" + ` together with ` + "`proxyProtocol`" + `, or one whose ` + "`protocol`" + ` is neither CONNECT nor POST,
  or whose ` + "`targetHost`" + ` is neither a fully qualified domain name nor an IP address.

It also rejects a ` + "`workloadSelector`" + ` label with an empty key or a ` + "`*`" + ` in its key or value
(labels match exactly).

Fix the policy as the message says.`,
	Bad:      reviewsDistribute("10"),
	Good:     reviewsDistribute("20"),
	Severity: rules.Error,
	Inputs:   []kinds.Kind{kinds.DestinationRule},
	Related:  []string{"IST0106"},
	Local:    true,
	Run:      runDestinationRuleInvalid,
}

// reviewsDistribute is DestinationRule shop/reviews, which sends 80% of
// the traffic of us-east to us-east and west% to us-west: the examples
// of MR015.
func reviewsDistribute(west string) string {
	return reviewsDestinationRule(`  trafficPolicy:
    loadBalancer:
      localityLbSetting:
        distribute:
        - from: us-east/*
          to: {"us-east/*": 80, "us-west/*": ` + west + `}
    outlierDetection: {consecutive5xxErrors: 5}
`)
}

const drRejects = "Istio rejects the DestinationRule"

func runDestinationRuleInvalid(p *rules.Pass) error {
	for o := range objectsOf(p, kinds.GroupIstioNetworking, kinds.DestinationRule) {
		s := specOf(o)
		// ValidateDestinationRule calls validateWorkloadSelector.
		checkSelectorLabels(p, o, s.get("workloadSelector").get("matchLabels"), drRejects)
		checkTopTrafficPolicy(p, o, s.get("trafficPolicy"))
		for ss := range s.get("subsets").items() {
			checkTopTrafficPolicy(p, o, ss.get("trafficPolicy"))
		}
	}
	return nil
}

// checkTopTrafficPolicy checks a traffic policy of a DestinationRule or
// of a subset, and its port-level settings.
func checkTopTrafficPolicy(p *rules.Pass, o *manifest.Object, tp node) {
	if !tp.isMap() {
		return
	}
	if !tp.hasEntries() {
		p.Reportf(o, tp.loc(), "%s is empty: remove it or set a policy; %s", tp.where(), drRejects)
		return
	}
	// The fields of the policy, read in one pass (node.fields); every
	// check below reports nothing on an absent field, or one that is not
	// a mapping, so each is skipped then.
	// The first four are those checkTrafficPolicy reads.
	keys := [...]string{"loadBalancer", "connectionPool", "outlierDetection", "tls", "tunnel", "portLevelSettings"}
	var f [len(keys)]*yaml.Node
	tp.fields(keys[:], f[:])
	checkTrafficPolicy(p, o, tp, keys[:4], f[:4])
	if f[4] != nil {
		checkTunnel(p, o, tp)
	}
	for pl := range tp.at(keys[5], f[5]).items() {
		if !pl.isMap() {
			continue
		}
		plKeys := [...]string{keys[0], keys[1], keys[2], keys[3], "port"}
		var pf [len(plKeys)]*yaml.Node
		pl.fields(plKeys[:], pf[:])
		if !present(pf[4]) {
			p.Reportf(o, pl.loc(), "%s has no port: %s", pl.where(), drRejects)
		}
		if !present(pf[0]) && !present(pf[1]) && !present(pf[2]) && !present(pf[3]) {
			p.Reportf(o, pl.loc(), "%s sets nothing (no loadBalancer, connectionPool, outlierDetection or tls): %s", pl.where(), drRejects)
		}
		checkTrafficPolicy(p, o, pl, keys[:4], pf[:4])
	}
}

// checkTrafficPolicy checks the loadBalancer, connectionPool,
// outlierDetection and tls of traffic policy tp, or of its port-level
// settings: f holds the values of the fields keys names (node.fields).
// Each check reports nothing on a field that is absent or not a mapping,
// so it is skipped then.
func checkTrafficPolicy(p *rules.Pass, o *manifest.Object, tp node, keys []string, f []*yaml.Node) {
	for i, v := range f {
		if v == nil || v.Kind != yaml.MappingNode {
			continue
		}
		switch x := tp.at(keys[i], v); keys[i] {
		case "loadBalancer":
			checkLoadBalancer(p, o, x)
		case "connectionPool":
			checkConnectionPool(p, o, x)
		case "outlierDetection":
			checkOutlierDetection(p, o, x)
		case "tls":
			checkTLS(p, o, x)
		}
	}
}

// checkLoadBalancer applies validateLoadBalancer and the locality checks
// of validateTrafficPolicy to a policy's loadBalancer, a mapping.
func checkLoadBalancer(p *rules.Pass, o *manifest.Object, lb node) {
	var f [4]*yaml.Node
	lb.fields([]string{"localityLbSetting", "zoneAwareLbSetting", "consistentHash", "warmup"}, f[:])
	locality, zoneAware := lb.at("localityLbSetting", f[0]), lb.at("zoneAwareLbSetting", f[1])
	hash, warmup := lb.at("consistentHash", f[2]), lb.at("warmup", f[3])
	if locality.ok() && zoneAware.ok() {
		p.Reportf(o, lb.keyLoc("zoneAwareLbSetting"), "%s sets both localityLbSetting and zoneAwareLbSetting: %s", lb.where(), drRejects)
	}
	checkLocalityLbSetting(p, o, locality)
	checkZoneAwareLbSetting(p, o, zoneAware)
	if hc := hash.get("httpCookie"); hc.isMap() {
		if name, _ := hc.get("name").str(); name == "" {
			p.Reportf(o, hc.loc(), "%s needs a name: %s", hc.where(), drRejects)
		}
		checkCookieAttributes(p, o, hc.get("attributes"))
	}
	checkConsistentHash(p, o, hash)
	// A warmup without duration, or with minimumPercent above 100 or a
	// negative aggression, is the schema's (MR001); the schema's minimum
	// lets an aggression of 0 through, which validateLoadBalancer refuses.
	if x := warmup.get("aggression"); x.ok() {
		if v, ok := x.num(); ok && v == 0 {
			p.Reportf(o, x.loc(), "%s must be greater than 0 (1, the default, ramps traffic up linearly); %s", x.where(), drRejects)
		}
	}
}

// checkOutlierDetection applies validateOutlierDetection's checks of
// percentages and local-origin failures to an outlierDetection mapping.
func checkOutlierDetection(p *rules.Pass, o *manifest.Object, od node) {
	keys := [...]string{"maxEjectionPercent", "minHealthPercent", "consecutiveLocalOriginFailures", "splitExternalLocalOriginErrors"}
	var f [4]*yaml.Node
	od.fields(keys[:], f[:])
	for i, v := range f[:2] {
		x := od.at(keys[i], v)
		if v, ok := x.int(); ok && (v < 0 || v > 100) {
			p.Reportf(o, x.loc(), "%s %d is outside 0-100: %s", x.where(), v, drRejects)
		}
	}
	// Envoy counts local-origin failures (connect timeouts, resets) apart
	// only in split mode: validateOutlierDetection refuses a threshold for
	// them without it.
	if n, _ := od.at(keys[2], f[2]).int(); n > 0 {
		if split, _ := od.at(keys[3], f[3]).boolean(); !split {
			p.Reportf(o, od.at(keys[2], f[2]).loc(), "%s: consecutiveLocalOriginFailures needs splitExternalLocalOriginErrors: true, which counts local-origin failures apart from the upstream's errors; %s", od.where(), drRejects)
		}
	}
}

// checkTLS applies agent.ValidateTLS to a policy's tls mapping: files and
// credentialName exclude each other, and MUTUAL needs a client
// certificate and key from one or the other.
func checkTLS(p *rules.Pass, o *manifest.Object, tls node) {
	// files are the fields that name a certificate's or key's file, in
	// the order messages list them.
	files := []string{"clientCertificate", "privateKey", "caCertificates", "caCrl"}
	var f [6]*yaml.Node
	tls.fields([]string{"mode", "credentialName", files[0], files[1], files[2], files[3]}, f[:])
	mode, _ := tls.at("mode", f[0]).str()
	if mode != "SIMPLE" && mode != "MUTUAL" {
		return
	}
	has := func(i int) bool { return present(f[i]) }
	if has(1) {
		var set []string
		for i := range files {
			if has(2 + i) {
				set = append(set, files[i])
			}
		}
		if len(set) > 0 {
			p.Reportf(o, tls.keyLoc(set[0]), "%s: credentialName cannot be combined with %s; %s", tls.where(), strings.Join(set, ", "), drRejects)
		}
	} else if mode == "MUTUAL" && (!has(2) || !has(3)) {
		p.Reportf(o, tls.at("mode", f[0]).loc(), "%s: tls mode MUTUAL without credentialName needs clientCertificate and privateKey; %s", tls.where(), drRejects)
	}
}

// checkCookieAttributes applies validateLoadBalancer's checks of a hash
// cookie's attributes: each has a name (the schema only requires the key),
// and no name comes twice. Names compare as written.
func checkCookieAttributes(p *rules.Pass, o *manifest.Object, attrs node) {
	seen := map[string]bool{}
	for a := range attrs.items() {
		x := a.get("name")
		name, ok := x.str()
		switch {
		case !ok:
			// Absent or not a string: MR001's.
		case name == "":
			p.Reportf(o, x.loc(), "%s: the cookie attribute name is empty; %s", a.where(), drRejects)
		case seen[name]:
			p.Reportf(o, x.loc(), "%s: cookie attribute %q is set twice; %s", a.where(), name, drRejects)
		}
		seen[name] = true
	}
}

// checkTunnel applies validateTrafficPolicy's and validateTunnelSettings'
// checks to the tunnel of a top-level or subset traffic policy (port-level
// settings have none). The schema requires targetHost and targetPort, and
// MR003 checks the port's range.
func checkTunnel(p *rules.Pass, o *manifest.Object, tp node) {
	if !tp.has("tunnel") {
		return
	}
	if tp.has("proxyProtocol") {
		// Istio stops there, without checking the rest of the policy.
		p.Reportf(o, tp.keyLoc("proxyProtocol"), "%s sets both tunnel and proxyProtocol, which cannot be set together; %s", tp.where(), drRejects)
	}
	tn := tp.get("tunnel")
	if x := tn.get("protocol"); x.ok() {
		if proto, ok := x.str(); ok && proto != "" && proto != "CONNECT" && proto != "POST" {
			p.Reportf(o, x.loc(), "%s %q must be CONNECT or POST (unset means CONNECT); %s", x.where(), proto, drRejects)
		}
	}
	if x := tn.get("targetHost"); x.ok() {
		if h, ok := x.str(); ok && !isIP(h) {
			if err := validateFQDN(h); err != nil {
				p.Reportf(o, x.loc(), "%s: %v: the tunnel target must be a fully qualified domain name or an IP address; %s", x.where(), err, drRejects)
			}
		}
	}
}

// topologyLabels are the locality labels of a node (Istio's
// label.LabelTopologyRegion, LabelTopologyZone, LabelTopologySubzone).
var topologyLabels = map[string]bool{
	"topology.kubernetes.io/region": true,
	"topology.kubernetes.io/zone":   true,
	"topology.istio.io/subzone":     true,
}

// checkLocalityLbSetting applies Istio's ValidateLocalityLbSetting to a
// traffic policy's localityLbSetting.
func checkLocalityLbSetting(p *rules.Pass, o *manifest.Object, loc node) {
	if !loc.isMap() {
		return
	}
	failover := loc.get("failover")
	if loc.get("distribute").len() > 0 && failover.len() > 0 {
		p.Reportf(o, loc.keyLoc("failover"), "%s sets both distribute and failover: %s", loc.where(), drRejects)
	}
	if failover.len() > 0 {
		for x := range loc.get("failoverPriority").strs() {
			if l, _ := x.str(); topologyLabels[l] {
				p.Reportf(o, x.loc(), "%s: failoverPriority cannot hold the topology label %s while failover is set, which orders the regions already; %s", x.where(), l, drRejects)
			}
		}
	}
	var sources []locality
	for d := range loc.get("distribute").items() {
		if from, ok := d.get("from").str(); ok {
			sources = append(sources, locality{from, d.get("from").loc()})
		}
		var sum float64
		counted, inRange := false, true
		var dests []locality
		for e := range d.get("to").entries() {
			dests = append(dests, locality{e.key, e.keyLoc})
			w, ok := e.val.num()
			if !ok {
				continue
			}
			if w <= 0 || w > 100 {
				p.Reportf(o, e.val.loc(), "%s: locality weight %g of %s is outside 1-100 (leave a locality out to send it nothing); %s", d.where()+".to", w, e.key, drRejects)
				inRange = false
			}
			sum += w
			counted = true
		}
		if counted && inRange && sum != 100 {
			p.Reportf(o, d.keyLoc("to"), "%s.to weights add up to %g, not 100: locality weights are not relative; %s", d.where(), sum, drRejects)
		}
		// to is a map, which Istio reads in no order: sorted, the
		// locality reported for an overlap is the more specific one,
		// whatever the order written.
		slices.SortFunc(dests, func(a, b locality) int { return strings.Compare(a.name, b.name) })
		checkLocalities(p, o, dests)
	}
	checkLocalities(p, o, sources)
	checkFailover(p, o, failover)
}

// checkZoneAwareLbSetting applies Istio's ValidateZoneAwareLbSetting to a
// traffic policy's zoneAwareLbSetting: region, zone and subzone routing
// are automatic there.
func checkZoneAwareLbSetting(p *rules.Pass, o *manifest.Object, za node) {
	if !za.isMap() {
		return
	}
	for x := range za.get("failoverPriority").strs() {
		if l, _ := x.str(); topologyLabels[l] {
			p.Reportf(o, x.loc(), "%s: the failoverPriority of a zoneAwareLbSetting cannot hold the topology label %s: region and zone routing are automatic; %s", x.where(), l, drRejects)
		}
	}
	checkFailover(p, o, za.get("failover"))
}

// checkFailover checks failover entries, which move traffic from one
// region to another.
func checkFailover(p *rules.Pass, o *manifest.Object, failover node) {
	for f := range failover.items() {
		from, _ := f.get("from").str()
		to, _ := f.get("to").str()
		switch {
		case from == to:
			reportAt(p, o, f.get("to"), f, "%s: failover from and to are the same region %q; %s", f.where(), from, drRejects)
		case strings.Contains(from, "/") || strings.Contains(to, "/"):
			p.Reportf(o, f.loc(), "%s: failover names regions only, not zones (%s to %s); %s", f.where(), from, to, drRejects)
		case strings.Contains(from, "*") || strings.Contains(to, "*"):
			p.Reportf(o, f.loc(), "%s: failover regions cannot hold a wildcard * (%s to %s); %s", f.where(), from, to, drRejects)
		}
	}
}

// locality is a locality written in a distribute setting, and where.
type locality struct {
	name string
	loc  manifest.Loc
}

// checkLocalities reports the first locality (region, region/zone or
// region/zone/subzone) of a list that Istio's validateLocalities
// refuses: a wildcard anywhere but at the end, an empty part, or one that
// overlaps an earlier one.
func checkLocalities(p *rules.Pass, o *manifest.Object, list []locality) {
	seen := map[string]map[string]map[string]bool{} // region → zone → subzone
	for _, x := range list {
		l := x.name
		report := func(why string) {
			p.Reportf(o, x.loc, "locality %q %s; %s", l, why, drRejects)
		}
		if n := strings.Count(l, "*"); n > 1 || n == 1 && !strings.HasSuffix(l, "*") {
			report("may hold one wildcard *, at the end only")
			return
		}
		if _, all := seen["*"]; all {
			report("overlaps an earlier locality *")
			return
		}
		parts := strings.SplitN(l, "/", 3)
		if slices.Contains(parts, "") {
			report("has an empty region, zone or subzone")
			return
		}
		region, zones := parts[0], seen[parts[0]]
		overlap := false
		switch len(parts) {
		case 1:
			overlap = zones != nil
			seen[region] = map[string]map[string]bool{"*": {"*": true}}
		case 2:
			if zones == nil {
				seen[region] = map[string]map[string]bool{parts[1]: {"*": true}}
				break
			}
			overlap = zones["*"] != nil || zones[parts[1]] != nil
			zones[parts[1]] = map[string]bool{"*": true}
		case 3:
			if zones == nil {
				seen[region] = map[string]map[string]bool{parts[1]: {parts[2]: true}}
				break
			}
			subzones := zones[parts[1]]
			overlap = zones["*"] != nil || subzones["*"] || subzones[parts[2]]
			if subzones == nil {
				zones[parts[1]] = map[string]bool{parts[2]: true}
			} else {
				subzones[parts[2]] = true
			}
		}
		if overlap {
			report("overlaps an earlier locality of the list")
			return
		}
	}
}

// checkConsistentHash applies validateLoadBalancer's checks of a maglev
// table (Envoy needs a prime size below 5000011, and isPrime(0) is false)
// and of the deprecated minimumRingSize beside a hash algorithm.
func checkConsistentHash(p *rules.Pass, o *manifest.Object, ch node) {
	if !ch.isMap() {
		return
	}
	if ml := ch.get("maglev"); ml.isMap() {
		x := ml.get("tableSize")
		n, ok := x.int()
		switch {
		case x.ok() && !ok, n < 0:
			// A wrong type or a negative size is MR001's.
		case n == 0:
			reportAt(p, o, x, ml, "%s needs a tableSize, a prime number such as 65537; %s", ml.where(), drRejects)
		case n >= maxMaglevTableSize:
			p.Reportf(o, x.loc(), "%s %d must be less than %d; %s", x.where(), n, maxMaglevTableSize, drRejects)
		case !isPrime(uint64(n)):
			p.Reportf(o, x.loc(), "%s %d is not a prime number, which maglev needs; %s", x.where(), n, drRejects)
		}
	}
	if n, _ := ch.get("minimumRingSize").int(); n != 0 {
		for _, algo := range []string{"maglev", "ringHash"} {
			if ch.has(algo) {
				p.Reportf(o, ch.keyLoc("minimumRingSize"), "%s sets both the deprecated minimumRingSize and %s: set ringHash.minimumRingSize instead; %s", ch.where(), algo, drRejects)
			}
		}
	}
}

// maxMaglevTableSize is Envoy's bound on a maglev table, which Istio
// checks.
const maxMaglevTableSize = 5000011

// isPrime is Istio's, copied from Envoy's (Primes::isPrime): 0 is not a
// prime, 1 is.
func isPrime(x uint64) bool {
	switch {
	case x != 0 && x < 4:
		return true
	case x&1 == 0:
		return false
	}
	for i := uint64(3); i*i <= x; i += 2 {
		if x%i == 0 {
			return false
		}
	}
	return true
}

// checkConnectionPool applies validateConnectionPool: a pool sets http or
// tcp, its limits are not negative, a client protocol cannot be kept while
// upgrading to HTTP/2, and an HTTP/2 keepalive needs both its durations
// (their values are MR002's).
func checkConnectionPool(p *rules.Pass, o *manifest.Object, cp node) {
	if !cp.isMap() {
		return
	}
	var c [2]*yaml.Node
	cp.fields([]string{"http", "tcp"}, c[:])
	http, tcp := cp.at("http", c[0]), cp.at("tcp", c[1])
	if !http.ok() && !tcp.ok() {
		p.Reportf(o, cp.loc(), "%s sets neither http nor tcp: %s", cp.where(), drRejects)
	}
	negative := func(x node) {
		if n, ok := x.int(); ok && n < 0 {
			p.Reportf(o, x.loc(), "%s %d is negative: %s", x.where(), n, drRejects)
		}
	}
	keys := [...]string{"http1MaxPendingRequests", "http2MaxRequests", "maxRequestsPerConnection", "maxRetries", "maxConcurrentStreams", "h2UpgradePolicy", "useClientProtocol", "http2KeepAlive"}
	var h [len(keys)]*yaml.Node
	http.fields(keys[:], h[:])
	for i, v := range h[:5] {
		if v != nil {
			negative(http.at(keys[i], v))
		}
	}
	negative(tcp.get("maxConnections"))
	if policy, _ := http.at(keys[5], h[5]).str(); policy == "UPGRADE" {
		if b, _ := http.at(keys[6], h[6]).boolean(); b {
			p.Reportf(o, http.at(keys[6], h[6]).loc(), "%s: useClientProtocol cannot be true when h2UpgradePolicy is UPGRADE (one keeps the client's HTTP version, the other forces HTTP/2); %s", http.where(), drRejects)
		}
	}
	if ka := http.at(keys[7], h[7]); ka.isMap() {
		for _, f := range []string{"interval", "timeout"} {
			if !ka.has(f) {
				p.Reportf(o, http.keyLoc("http2KeepAlive"), "%s has no %s, which it requires; %s", ka.where(), f, drRejects)
			}
		}
	}
}
