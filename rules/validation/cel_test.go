package validation

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/rules"
)

// celCoverage says, for every CEL rule (x-kubernetes-validations) of the
// networking.istio.io and security.istio.io CRDs embedded in schema/istio
// (other groups have maps of their own, such as
// celCoverageTelemetryExtensions), which rules report an object that
// breaks it (space-separated IDs when they share its cases, as the
// comments say), or why none does ("skip: ..."). The key is the CRD's kind,
// the rule's path (a DestinationRule's subset and port-level traffic
// policies and a Sidecar's ingress connection pools folded into the
// top-level ones, which every check walks alike), a hash of the rule's
// text and its message. A new, changed or removed rule in a CRD update
// fails TestCELRulesMapped, which prints it: map it to a check, writing
// one if needed (in the rule that mirrors the webhook's check when the
// webhook rejects the same, else in MR001, cel.go).
var celCoverage = map[string]string{
	"authorizationpolicy .spec [3cb74691] only one of targetRefs or selector can be set":                                                   "MR010",
	"authorizationpolicy .spec.rules[].from[].source [85c7518b] Cannot set serviceAccounts with namespaces or principals":                  "MR010",
	"authorizationpolicy .spec.selector.matchLabels [94e07505] key must not be empty":                                                      "MR010",
	"authorizationpolicy .spec.selector.matchLabels [9f9876fa] wildcard not allowed in label key match":                                    "MR010",
	"authorizationpolicy .spec.selector.matchLabels{} [18f5dc96] wildcard not allowed in label value match":                                "MR010",
	"authorizationpolicy .spec.targetRef.namespace [04244af1] cross namespace referencing is not currently supported":                      "MR010",
	"authorizationpolicy .spec.targetRefs[].namespace [04244af1] cross namespace referencing is not currently supported":                   "MR010",
	"destinationrule .spec.trafficPolicy.connectionPool.http.http2KeepAlive.interval [37917445] must be a valid duration greater than 1ms": "MR002",
	"destinationrule .spec.trafficPolicy.connectionPool.http.http2KeepAlive.timeout [37917445] must be a valid duration greater than 1ms":  "MR002",
	"destinationrule .spec.trafficPolicy.connectionPool.http.idleTimeout [37917445] must be a valid duration greater than 1ms":             "MR002",
	"destinationrule .spec.trafficPolicy.connectionPool.tcp.connectTimeout [37917445] must be a valid duration greater than 1ms":           "MR002",
	"destinationrule .spec.trafficPolicy.connectionPool.tcp.maxConnectionDuration [37917445] must be a valid duration greater than 1ms":    "MR002",
	"destinationrule .spec.trafficPolicy.connectionPool.tcp.tcpKeepalive.interval [37917445] must be a valid duration greater than 1ms":    "MR002",
	"destinationrule .spec.trafficPolicy.connectionPool.tcp.tcpKeepalive.time [37917445] must be a valid duration greater than 1ms":        "MR002",
	"destinationrule .spec.trafficPolicy.loadBalancer.warmup.duration [37917445] must be a valid duration greater than 1ms":                "MR002",
	"destinationrule .spec.trafficPolicy.loadBalancer.warmupDurationSecs [37917445] must be a valid duration greater than 1ms":             "MR002",
	"destinationrule .spec.trafficPolicy.outlierDetection.baseEjectionTime [37917445] must be a valid duration greater than 1ms":           "MR002",
	"destinationrule .spec.trafficPolicy.outlierDetection.interval [37917445] must be a valid duration greater than 1ms":                   "MR002",
	"destinationrule .spec.workloadSelector.matchLabels [94e07505] key must not be empty":                                                  "MR015",
	"destinationrule .spec.workloadSelector.matchLabels [9f9876fa] wildcard not allowed in label key match":                                "MR015",
	"destinationrule .spec.workloadSelector.matchLabels{} [18f5dc96] wildcard not allowed in label value match":                            "MR015",
	"envoyfilter .spec [7e7a1221] only one of targetRefs or workloadSelector can be set":                                                   "MR001",
	"envoyfilter .spec.configPatches[].match [a09437c1] only support waypointMatch when context is WAYPOINT":                               "MR001",
	"envoyfilter .spec.configPatches[].match.waypoint.portNumber [e7817ce8] port must be between 1-65535":                                  "MR001",
	"envoyfilter .spec.targetRefs[].namespace [04244af1] cross namespace referencing is not currently supported":                           "MR001",
	"envoyfilter .spec.workloadSelector.labels{} [18f5dc96] wildcard is not supported in selector":                                         "MR022",
	"gateway .spec.servers[].tls [03a3b25f] only one of credentialName or credentialNames can be set":                                      "MR012",
	"gateway .spec.servers[].tls [32e0a28c] only one of credentialNames or tlsCertificates can be set":                                     "MR012",
	"gateway .spec.servers[].tls [5e360e54] only one of credentialName or tlsCertificates can be set":                                      "MR012",
	"peerauthentication .spec [0b5330df] portLevelMtls requires selector":                                                                  "MR011",
	"peerauthentication .spec.portLevelMtls [43e702df] port must be between 1-65535":                                                       "MR003",
	"peerauthentication .spec.selector.matchLabels [94e07505] key must not be empty":                                                       "MR001",
	"peerauthentication .spec.selector.matchLabels [9f9876fa] wildcard not allowed in label key match":                                     "MR001",
	"peerauthentication .spec.selector.matchLabels{} [18f5dc96] wildcard not allowed in label value match":                                 "MR001",
	"proxyconfig .spec.selector.matchLabels [94e07505] key must not be empty":                                                              "MR001",
	"proxyconfig .spec.selector.matchLabels [9f9876fa] wildcard not allowed in label key match":                                            "MR001",
	"proxyconfig .spec.selector.matchLabels{} [18f5dc96] wildcard not allowed in label value match":                                        "MR001",
	"requestauthentication .spec [3cb74691] only one of targetRefs or selector can be set":                                                 "MR021",
	"requestauthentication .spec.jwtRules[] [ef9b97ed] only one of jwks or jwksUri can be set":                                             "MR001",
	"requestauthentication .spec.jwtRules[].jwksUri [069cee1b] url must have scheme http:// or https://":                                   "MR021",
	"requestauthentication .spec.jwtRules[].jwks_uri [069cee1b] url must have scheme http:// or https://":                                  "MR021",
	"requestauthentication .spec.jwtRules[].timeout [37917445] must be a valid duration greater than 1ms":                                  "MR002",
	"requestauthentication .spec.selector.matchLabels [94e07505] key must not be empty":                                                    "MR021",
	"requestauthentication .spec.selector.matchLabels [9f9876fa] wildcard not allowed in label key match":                                  "MR021",
	"requestauthentication .spec.selector.matchLabels{} [18f5dc96] wildcard not allowed in label value match":                              "MR021",
	"requestauthentication .spec.targetRef.namespace [04244af1] cross namespace referencing is not currently supported":                    "MR021",
	"requestauthentication .spec.targetRefs[].namespace [04244af1] cross namespace referencing is not currently supported":                 "MR021",
	"serviceentry .spec [16d6a922] only one of WorkloadSelector or Endpoints can be set":                                                   "MR013",
	"serviceentry .spec [dbe010cc] NONE mode cannot set endpoints":                                                                         "MR013",
	"serviceentry .spec [dc874367] DNS_ROUND_ROBIN mode cannot have multiple endpoints":                                                    "MR013",
	"serviceentry .spec [e580a1e4] CIDR addresses are allowed only for NONE/STATIC resolution types":                                       "MR013",
	"serviceentry .spec.endpoints[] [4fb7884d] UDS may not include ports":                                                                  "MR013",
	"serviceentry .spec.endpoints[] [b5890d25] Address is required":                                                                        "MR013",
	"serviceentry .spec.endpoints[].address [a5185d8d] UDS may not be a dir":                                                               "MR013",
	"serviceentry .spec.endpoints[].address [a5b8e4ca] UDS must be an absolute path or abstract socket":                                    "MR013",
	// MR013 a name not declared in ports; MR001 a declared one of 63 characters.
	"serviceentry .spec.endpoints[].ports [91e706ab] port name must be valid":        "MR013 MR001",
	"serviceentry .spec.endpoints[].ports{} [e7817ce8] port must be between 1-65535": "MR003",
	"serviceentry .spec.hosts[] [556550d9] hostname cannot be wildcard":              "MR006",
	"serviceentry .spec.ports [220e3e05] port number cannot be duplicated":           "MR013",
	"serviceentry .spec.ports[].number [e7817ce8] port must be between 1-65535":      "MR003",
	// MR003 from 1 up; MR001 an explicit 0, which the webhook reads as unset.
	"serviceentry .spec.ports[].targetPort [e7817ce8] port must be between 1-65535":                                         "MR003 MR001",
	"serviceentry .spec.workloadSelector.labels{} [18f5dc96] wildcard is not supported in selector":                         "MR013",
	"sidecar .spec.inboundConnectionPool.http.http2KeepAlive.interval [37917445] must be a valid duration greater than 1ms": "MR002",
	"sidecar .spec.inboundConnectionPool.http.http2KeepAlive.timeout [37917445] must be a valid duration greater than 1ms":  "MR002",
	"sidecar .spec.inboundConnectionPool.http.idleTimeout [37917445] must be a valid duration greater than 1ms":             "MR002",
	"sidecar .spec.inboundConnectionPool.tcp.connectTimeout [37917445] must be a valid duration greater than 1ms":           "MR002",
	"sidecar .spec.inboundConnectionPool.tcp.maxConnectionDuration [37917445] must be a valid duration greater than 1ms":    "MR002",
	"sidecar .spec.inboundConnectionPool.tcp.tcpKeepalive.interval [37917445] must be a valid duration greater than 1ms":    "MR002",
	"sidecar .spec.inboundConnectionPool.tcp.tcpKeepalive.time [37917445] must be a valid duration greater than 1ms":        "MR002",
	"sidecar .spec.ingress[].tls [03a3b25f] only one of credentialName or credentialNames can be set":                       "MR014",
	"sidecar .spec.ingress[].tls [32e0a28c] only one of credentialNames or tlsCertificates can be set":                      "MR014",
	"sidecar .spec.ingress[].tls [5e360e54] only one of credentialName or tlsCertificates can be set":                       "MR014",
	"sidecar .spec.workloadSelector.labels{} [18f5dc96] wildcard is not supported in selector":                              "MR014",
	"virtualservice .spec.http[].corsPolicy.maxAge [37917445] must be a valid duration greater than 1ms":                    "MR002",
	"virtualservice .spec.http[].fault.delay.exponentialDelay [37917445] must be a valid duration greater than 1ms":         "MR002",
	"virtualservice .spec.http[].fault.delay.fixedDelay [37917445] must be a valid duration greater than 1ms":               "MR002",
	"virtualservice .spec.http[].retries.backoff [37917445] must be a valid duration greater than 1ms":                      "MR002",
	"virtualservice .spec.http[].retries.perTryTimeout [37917445] must be a valid duration greater than 1ms":                "MR002",
	"virtualservice .spec.http[].timeout [37917445] must be a valid duration greater than 1ms":                              "MR002",
	"workloadentry .spec [4fb7884d] UDS may not include ports":                                                              "MR020",
	"workloadentry .spec [b5890d25] Address is required":                                                                    "MR020",
	"workloadentry .spec.address [a5185d8d] UDS may not be a dir":                                                           "MR020",
	"workloadentry .spec.address [a5b8e4ca] UDS must be an absolute path or abstract socket":                                "MR020",
	// MR020 a name that is not a DNS-1123 label; MR001 one of 63 characters.
	"workloadentry .spec.ports [91e706ab] port name must be valid":                                    "MR020 MR001",
	"workloadentry .spec.ports{} [e7817ce8] port must be between 1-65535":                             "MR003",
	"workloadgroup .spec.probe.grpc.port [e7817ce8] port must be between 1-65535":                     "MR001",
	"workloadgroup .spec.probe.httpGet.port [e7817ce8] port must be between 1-65535":                  "MR003",
	"workloadgroup .spec.probe.httpGet.scheme [4b822ce1] scheme must be one of [HTTP, HTTPS]":         "MR023",
	"workloadgroup .spec.probe.tcpSocket.port [e7817ce8] port must be between 1-65535":                "MR003",
	"workloadgroup .spec.template [4fb7884d] UDS may not include ports":                               "MR001",
	"workloadgroup .spec.template.address [a5185d8d] UDS may not be a dir":                            "MR001",
	"workloadgroup .spec.template.address [a5b8e4ca] UDS must be an absolute path or abstract socket": "MR001",
	"workloadgroup .spec.template.ports [91e706ab] port name must be valid":                           "MR001",
	"workloadgroup .spec.template.ports{} [e7817ce8] port must be between 1-65535":                    "MR001",
}

// celKey folds the paths that share their checks and builds the key of
// celCoverage.
func celKey(kind, path, rule, msg string) string {
	for _, f := range [][2]string{
		{".spec.subsets[].trafficPolicy", ".spec.trafficPolicy"},
		{".trafficPolicy.portLevelSettings[]", ".trafficPolicy"},
		{".spec.ingress[].connectionPool", ".spec.inboundConnectionPool"},
	} {
		path = strings.Replace(path, f[0], f[1], 1)
	}
	h := fnv.New32a()
	h.Write([]byte(strings.Join(strings.Fields(rule), " ")))
	return fmt.Sprintf("%s %s [%08x] %s", kind, path, h.Sum32(), msg)
}

// celRules walks a schema document and calls add for each CEL rule, with
// its path ("." for a property, "[]" for items, "{}" for a map's values).
func celRules(s any, path string, add func(path, rule, msg string)) {
	m, ok := s.(map[string]any)
	if !ok {
		return
	}
	if vs, ok := m["x-kubernetes-validations"].([]any); ok {
		for _, v := range vs {
			v, _ := v.(map[string]any)
			rule, _ := v["rule"].(string)
			msg, _ := v["message"].(string)
			if msg == "" {
				msg, _ = v["messageExpression"].(string)
			}
			add(path, rule, msg)
		}
	}
	if props, ok := m["properties"].(map[string]any); ok {
		for k, p := range props {
			celRules(p, path+"."+k, add)
		}
	}
	celRules(m["items"], path+"[]", add)
	celRules(m["additionalProperties"], path+"{}", add)
	for _, k := range []string{"anyOf", "oneOf", "allOf"} {
		subs, _ := m[k].([]any)
		for _, sub := range subs {
			celRules(sub, path, add)
		}
	}
}

func TestCELRulesMapped(t *testing.T) {
	files, err := filepath.Glob("../../schema/istio/*/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no Istio schemas found: %v", err)
	}
	found := map[string]string{} // key -> a file and rule, for messages
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var doc any
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		kind, _, _ := strings.Cut(filepath.Base(f), "_")
		celRules(doc, "", func(path, rule, msg string) {
			found[celKey(kind, path, rule, msg)] = fmt.Sprintf("%s%s: %s", filepath.Base(f), path, rule)
		})
	}
	if len(found) < 50 {
		t.Fatalf("found only %d CEL rules: is the walk right?", len(found))
	}
	// The coverage is split by CRD group over maps of their own files,
	// so that the map of one group can change without touching another's.
	all := map[string]string{}
	for _, m := range []map[string]string{celCoverage, celCoverageTelemetryExtensions} {
		for k, v := range m {
			if _, dup := all[k]; dup {
				t.Errorf("CEL rule mapped in two coverage maps: %q", k)
			}
			all[k] = v
		}
	}
	for _, k := range slices.Sorted(maps.Keys(found)) {
		if _, ok := all[k]; !ok {
			t.Errorf("CEL rule not mapped to a check (%s):\n\t%q: \"\",", found[k], k)
		}
	}
	for k, v := range all {
		if _, ok := found[k]; !ok {
			t.Errorf("coverage map lists a CEL rule the schemas no longer have: %q", k)
		}
		if strings.HasPrefix(v, "skip: ") {
			continue
		}
		for _, id := range strings.Fields(v) {
			if !slices.ContainsFunc(Rules, func(r *rules.Rule) bool { return r.ID == id }) {
				t.Errorf("coverage[%q] = %q: %s is not a rule of this package (want rule IDs or \"skip: reason\")", k, v, id)
			}
		}
	}
}
