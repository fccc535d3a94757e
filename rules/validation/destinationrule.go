package validation

import (
	"strings"

	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/rules"
)

// DestinationRuleInvalid reports DestinationRule traffic policies that
// Istio's webhook rejects.
var DestinationRuleInvalid = &rules.Rule{
	ID:      "MR015",
	Name:    "destination-rule-invalid",
	Summary: "a DestinationRule traffic policy is empty or combines settings Istio rejects",
	Doc: `Istio's webhook rejects a DestinationRule whose traffic policy (top level, per subset or per port):

- is empty (` + "`trafficPolicy: {}`" + `), or is a port-level setting without a ` + "`port`" + ` or without any setting;
- sets locality ` + "`distribute`" + ` together with ` + "`failover`" + `, or ` + "`distribute`" + ` weights (` + "`to`" + `) that do not add
  up to exactly 100 (unlike route weights, these are not relative);
- uses client TLS ` + "`MUTUAL`" + ` without ` + "`credentialName`" + ` and without both ` + "`clientCertificate`" + ` and
  ` + "`privateKey`" + `, or ` + "`credentialName`" + ` together with file-based certificates;
- sets a consistent-hash ` + "`httpCookie`" + ` without a name;
- sets outlier detection ` + "`maxEjectionPercent`" + ` or ` + "`minHealthPercent`" + ` outside 0-100.

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
	checkTrafficPolicy(p, o, tp)
	for pl := range tp.get("portLevelSettings").items() {
		if !pl.isMap() {
			continue
		}
		if !pl.has("port") {
			p.Reportf(o, pl.loc(), "%s has no port: %s", pl.where(), drRejects)
		}
		if !pl.has("loadBalancer") && !pl.has("connectionPool") && !pl.has("outlierDetection") && !pl.has("tls") {
			p.Reportf(o, pl.loc(), "%s sets nothing (no loadBalancer, connectionPool, outlierDetection or tls): %s", pl.where(), drRejects)
		}
		checkTrafficPolicy(p, o, pl)
	}
}

func checkTrafficPolicy(p *rules.Pass, o *manifest.Object, tp node) {
	lb := tp.get("loadBalancer")
	loc := lb.get("localityLbSetting")
	if loc.get("distribute").len() > 0 && loc.get("failover").len() > 0 {
		p.Reportf(o, loc.keyLoc("failover"), "%s sets both distribute and failover: %s", loc.where(), drRejects)
	}
	for d := range loc.get("distribute").items() {
		var sum float64
		counted := false
		for e := range d.get("to").entries() {
			if w, ok := e.val.num(); ok {
				sum += w
				counted = true
			}
		}
		if counted && sum != 100 {
			p.Reportf(o, d.keyLoc("to"), "%s.to weights add up to %g, not 100: locality weights are not relative; %s", d.where(), sum, drRejects)
		}
	}
	if hc := lb.get("consistentHash").get("httpCookie"); hc.isMap() {
		if name, _ := hc.get("name").str(); name == "" {
			p.Reportf(o, hc.loc(), "%s needs a name: %s", hc.where(), drRejects)
		}
	}
	od := tp.get("outlierDetection")
	for _, f := range []string{"maxEjectionPercent", "minHealthPercent"} {
		if v, ok := od.get(f).int(); ok && (v < 0 || v > 100) {
			p.Reportf(o, od.get(f).loc(), "%s %d is outside 0-100: %s", od.get(f).where(), v, drRejects)
		}
	}
	tls := tp.get("tls")
	mode, _ := tls.get("mode").str()
	switch mode {
	case "SIMPLE", "MUTUAL":
		if tls.has("credentialName") {
			var files []string
			for _, f := range []string{"clientCertificate", "privateKey", "caCertificates", "caCrl"} {
				if tls.has(f) {
					files = append(files, f)
				}
			}
			if len(files) > 0 {
				p.Reportf(o, tls.keyLoc(files[0]), "%s: credentialName cannot be combined with %s; %s", tls.where(), strings.Join(files, ", "), drRejects)
			}
		} else if mode == "MUTUAL" && (!tls.has("clientCertificate") || !tls.has("privateKey")) {
			p.Reportf(o, tls.get("mode").loc(), "%s: tls mode MUTUAL without credentialName needs clientCertificate and privateKey; %s", tls.where(), drRejects)
		}
	}
}
