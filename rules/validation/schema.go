package validation

import (
	"encoding/base64"
	"errors"
	"strconv"
	"strings"

	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/rules"
	"github.com/meshlint/meshlint/schema"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// SchemaInvalid reports objects that their API schema rejects.
var SchemaInvalid = &rules.Rule{
	ID:      "MR001",
	Name:    "schema-invalid",
	Summary: "the object does not match its API schema, so the API server rejects it or drops fields",
	Doc: `Every Istio object (networking.istio.io, security.istio.io, telemetry.istio.io: Telemetry, and
extensions.istio.io: WasmPlugin and TrafficExtension; all served versions), every
Gateway API object (gateway.networking.k8s.io: Gateway, GatewayClass, HTTPRoute, GRPCRoute,
TCPRoute, TLSRoute, UDPRoute, ReferenceGrant, BackendTLSPolicy, ListenerSet), every Flagger
object (flagger.app: Canary, MetricTemplate, AlertProvider), every Argo Rollouts object
(argoproj.io: Rollout, Experiment, AnalysisTemplate, ClusterAnalysisTemplate, AnalysisRun), every
network policy API object (policy.networking.k8s.io: AdminNetworkPolicy and
BaselineAdminNetworkPolicy v1alpha1, ClusterNetworkPolicy v1alpha2 and v1beta1) and every
Kubernetes kind meshlint reads (Namespace, Service, Pod, Deployment, StatefulSet, DaemonSet,
ReplicaSet, Job, CronJob, a ReplicationController with a pod template, PodTemplate, Secret,
ServiceAccount, ConfigMap, NetworkPolicy, Ingress, MutatingWebhookConfiguration,
ValidatingWebhookConfiguration) is checked against the JSON schema of its group,
version and kind, embedded in meshlint: Istio's own CRD schemas from istio/api 1.32, the CRDs
of the Gateway API ` + schema.GatewayAPIVersion + ` (experimental channel, which serves every field of the
standard one), of Flagger ` + schema.FlaggerVersion + `, of Argo Rollouts ` + schema.ArgoRolloutsVersion + ` and of the network
policy API (experimental channel: ` + schema.NetworkPolicyAPIVersion + ` for ClusterNetworkPolicy, ` + schema.AdminNetworkPolicyAPIVersion + ` for the v1alpha1
AdminNetworkPolicy and BaselineAdminNetworkPolicy, which later releases no longer ship), and the Kubernetes
` + schema.KubernetesVersion + ` API (a field that a later release adds is unknown to it).

A misspelt field (` + "`weigth`" + `, ` + "`subset`" + ` one level too deep) is the classic silent failure: with
client-side validation off, or through a tool that prunes unknown fields, the field is
dropped, and the route, policy or timeout it carried never takes effect. With strict field
validation (kubectl's default) the API server rejects the whole object. A wrong type
(` + "`maxConnections: \"many\"`" + `), a value outside an enum (` + "`mode: STRICTT`" + `, an HTTPRoute path of
type ` + "`Prefix`" + `, which is Ingress's name for ` + "`PathPrefix`" + `), a missing required field (` + "`host`" + `), a
value outside the pattern or length the CRD allows (an HTTPRoute hostname ` + "`*`" + `) or two fields
of which only one may be set are rejected outright. A kind in a version that is not served
(` + "`networking.istio.io/v1alpha1`" + `, ` + "`telemetry.istio.io/v1beta1`" + `) does not apply at all. A
wrong type in a field that meshlint itself reads (a Deployment's ` + "`replicas: three`" + `, a Service
` + "`port: http`" + `, a route ` + "`weight: \"50%\"`" + `) is an input error instead, which makes meshlint exit
with status 2; this rule does not report it again, and reports the rest of the object as usual.

The finding points at the offending key or value and names the field path; an unknown field
or enum value close to a known one comes with a suggestion. Null values are dropped before
validation, as the API server prunes them.

Two rules that the API server applies beyond what a JSON schema says are checked too. A list
that a CRD declares ` + "`x-kubernetes-list-type: map`" + ` may not hold two entries with the same values of its
` + "`x-kubernetes-list-map-keys`" + ` (a key left out counts as its default, which the API server fills in
first), nor one of type ` + "`set`" + ` an item twice: the API server answers "Duplicate value". The finding
is at the repeated entry and names the line of the first. Such lists are, among others, the
Gateway API's header and query parameter matches, header modifiers, CORS lists and retry codes
and a ListenerSet's listeners; the match ports of a WasmPlugin or TrafficExtension; the
containers, env, ports (by ` + "`containerPort`" + ` and ` + "`protocol`" + `) and volume mounts of an Argo Rollout's
pod template; the networks and domain names of a ClusterNetworkPolicy peer. A Gateway listener
name or TLS ` + "`perPort`" + ` port used twice is left to MR606 and MR619, a ServiceEntry port name to MR013
and a Wasm environment variable to MR026, which say more. Built-in kinds are not checked for
this: their own validation code, not list keys, decides (a Deployment that sets one env name
twice is accepted, with a warning). An integer beyond the range of its field's format, int32 or
int64 (a WasmPlugin ` + "`priority: 3000000000`" + `), is refused too: by the schema validation of a custom
resource (kube-openapi's numberValidator), and by the JSON decoding of a built-in kind.

The Kubernetes schemas are derived from the Go types of k8s.io/api, as the API server's own
OpenAPI is: they check field names, types, required fields and the values of enum types, which
the API server holds to their constants, case included (an Ingress ` + "`pathType: Wrong`" + `, a port's
` + "`protocol: tcp`" + `, NetworkPolicy ` + "`policyTypes: [ingress]`" + `, ` + "`imagePullPolicy: always`" + `). An empty string
passes where it reads as the field left out (` + "`imagePullPolicy: \"\"`" + `, which defaulting fills in), and
a status may hold any value, as the API server resets it. What the API server's validation code
checks beyond that is not checked: name and label syntax, ranges of values (a port of 0) or rules between fields. A ` + "`[]byte`" + ` field (Secret ` + "`data`" + `, ConfigMap
` + "`binaryData`" + `, a webhook's ` + "`caBundle`" + `) is checked too: the API server decodes it as padded standard
base64, line breaks allowed, and refuses the object when that fails. The message names the key,
never the value; plain text belongs in a Secret's ` + "`stringData`" + `.

Istio's CRDs also carry CEL rules (` + "`x-kubernetes-validations`" + `), which the API server enforces
whether or not Istio's webhook is installed. A CEL rule that repeats a webhook check is reported
by the rule that mirrors that check (MR002, MR003, MR006, MR010 to MR015, MR020 to MR023); the others are
reported here, with the CRD's own message after "the API server rejects it":

- a ` + "`*`" + ` or an empty key in the selector labels of a PeerAuthentication or ProxyConfig;
- a RequestAuthentication JWT rule with ` + "`jwks`" + ` beside ` + "`jwksUri`" + ` (its selector, target references
  and JWKS URI are MR021's, which mirrors the webhook that refuses them too);
- an EnvoyFilter with both ` + "`workloadSelector`" + ` and ` + "`targetRefs`" + `, a target reference with a
  namespace, a ` + "`waypoint`" + ` match outside ` + "`context: WAYPOINT`" + ` (or that context without one), or a
  waypoint port outside 1-65535;
- a WorkloadGroup grpc probe port outside 1-65535, or a template whose ` + "`unix://`" + ` address is
  relative, a directory or comes with ports, or whose port names or numbers are invalid;
- a ServiceEntry ` + "`targetPort: 0`" + ` written out (the webhook reads it as unset), and a port name of
  63 characters in a WorkloadEntry or a ServiceEntry endpoint (the webhook allows 63, the CEL
  rule fewer);
- a Telemetry, WasmPlugin or TrafficExtension with a selector beside target references, a ` + "`*`" + `
  or an empty key in its selector labels, or a target reference with a namespace;
- a Telemetry metrics ` + "`reportingInterval`" + ` that is no duration or is under 1ms, and a tag override
  with a ` + "`value`" + ` beside ` + "`operation: REMOVE`" + `, or none (or an empty one) beside an explicit
  ` + "`operation: UPSERT`" + `;
- a WasmPlugin or TrafficExtension Wasm module whose ` + "`url`" + ` has a scheme other than http, https,
  file or oci (one without a scheme is read as http), or a ` + "`vmConfig.env`" + ` entry with a ` + "`value`" + `
  beside ` + "`valueFrom: HOST`" + `; a TrafficExtension with neither ` + "`wasm`" + ` nor ` + "`lua`" + `.

The CEL rules of the network policy API's CRDs are evaluated too, with their messages: a
BaselineAdminNetworkPolicy not named ` + "`default`" + `; an egress rule that names a port beside a
` + "`networks`" + `, ` + "`nodes`" + ` or (ClusterNetworkPolicy) ` + "`domainNames`" + ` peer; a network that the v1alpha1 kinds
cannot tell IPv4 from IPv6 (an IPv4 address embedded in IPv6), or that a ClusterNetworkPolicy
does not read as a CIDR with its host bits zero (` + "`10.0.0.1/8`" + `); a ClusterNetworkPolicy port range
that does not end after it starts (` + "`80-80`" + ` included). Commands that model the cluster leave
out an admin network policy that the API server refuses, and say why.

The CEL rules of the other CRDs are not evaluated.

Fix the field as the message says. A field that the schema lacks but your cluster accepts
comes from a newer API than meshlint's schemas: disable this rule for that object.`,
	Bad:      reviewsSplit("weigth"),
	Good:     reviewsSplit("weight"),
	Severity: rules.Error,
	Inputs: []kinds.Kind{
		kinds.Namespace, kinds.Service, kinds.Pod,
		kinds.Deployment, kinds.StatefulSet, kinds.DaemonSet, kinds.ReplicaSet, kinds.Job, kinds.CronJob,
		kinds.ReplicationController, kinds.PodTemplate, kinds.Secret, kinds.ServiceAccount, kinds.ConfigMap,
		kinds.NetworkPolicy, kinds.Ingress, kinds.MutatingWebhookConfiguration, kinds.ValidatingWebhookConfiguration,
		kinds.Gateway, kinds.VirtualService, kinds.DestinationRule, kinds.ServiceEntry, kinds.Sidecar,
		kinds.WorkloadEntry, kinds.WorkloadGroup, kinds.EnvoyFilter, kinds.ProxyConfig,
		kinds.PeerAuthentication, kinds.AuthorizationPolicy, kinds.RequestAuthentication,
		kinds.K8sGateway, kinds.GatewayClass, kinds.HTTPRoute, kinds.GRPCRoute, kinds.TCPRoute, kinds.TLSRoute,
		kinds.UDPRoute, kinds.ReferenceGrant, kinds.Canary, kinds.Rollout, kinds.Experiment,
		kinds.AdminNetworkPolicy, kinds.BaselineAdminNetworkPolicy, kinds.ClusterNetworkPolicy,
		kinds.Telemetry, kinds.WasmPlugin, kinds.TrafficExtension,
	},
	Related: []string{"IST0106"},
	Local:   true,
	Run:     runSchemaInvalid,
}

// reviewsSplit is VirtualService shop/reviews, which splits the traffic
// between subsets v1 and v2, with weightKey the key of v1's weight: the
// examples of MR001.
func reviewsSplit(weightKey string) string {
	return reviewsVirtualService(`  http:
  - route:
    - destination: {host: reviews, subset: v1}
      ` + weightKey + `: 90
    - destination: {host: reviews, subset: v2}
      weight: 10
`)
}

// validator is shared by every run in the process. It is not mutable state
// in the sense that matters: the schemas are embedded, immutable data, and
// its only state is a cache that compiles each schema once, on first use,
// behind a mutex and a sync.Once; results never depend on what was
// validated before. Sharing it means a process (a test binary, a language
// server) compiles each schema once instead of once per run.
var validator = schema.NewValidator()

func runSchemaInvalid(p *rules.Pass) error {
	// A wrong type in a field the graph decodes is already an input error
	// (exit status 2) at the same value; saying it twice adds nothing.
	inputErrors := map[manifest.Pos]bool{}
	for _, e := range p.Graph.Errors {
		inputErrors[manifest.Pos{File: e.File, Loc: manifest.Loc{Line: e.Line, Col: e.Col}}] = true
	}
	for _, o := range p.Graph.Objects {
		vs, err := validator.Check(o)
		if err != nil {
			return err
		}
		for _, v := range vs {
			if len(inputErrors) > 0 && reportedByLoader(o, v, inputErrors) || loaderChecked(v.Path) || duplicateReported(o, v.List) {
				continue
			}
			p.Reportf(o, v.Loc, "%s", v.Msg)
		}
		checkBase64(p, o)
	}
	runCELChecks(p)
	return nil
}

// reportedByLoader reports whether v says that a value has the wrong type
// and an input error is where the loader reports that value's type:
// one fault, which the input error already names. The loader reports at
// the value (spec.Decode), and so does the schema for a scalar or a list
// item; for a mapping or list under a key the schema points at the key,
// since in block style the value starts on the next line. yaml.v3's own
// messages name a line and no column: spec.Decode then takes the node of
// that line with the value's tag (and text) furthest right, which is not
// always the value (a block mapping whose first entry holds a flow
// mapping). Any other violation at the same value, an enum or an unknown
// field, says something the input error does not, and is kept.
func reportedByLoader(o *manifest.Object, v schema.Violation, inputErrors map[manifest.Pos]bool) bool {
	if !strings.HasPrefix(strings.TrimPrefix(v.Msg, v.Path+": "), "expected ") {
		return false
	}
	at := func(n *yaml.Node) bool {
		loc := manifest.Loc{Line: manifest.Clamp32(n.Line), Col: manifest.Clamp32(n.Column)}
		return inputErrors[manifest.Pos{File: o.Pos(loc).File, Loc: loc}]
	}
	found := false
	valuesAt(o.Node, int(v.Loc.Line), int(v.Loc.Col), func(val *yaml.Node) {
		switch {
		case found:
		case at(val):
			found = true
		case val.Kind == yaml.AliasNode:
			// yaml.v3 reports at the anchor, which may be far from the
			// field, and used by others: the finding names this one.
		default:
			if last := rightmostLike(o.Node, val); last != nil && last != val {
				found = at(last)
			}
		}
	})
	return found
}

// valuesAt calls fn with each value that a schema violation at line and
// col may be about: a node there that is no mapping key (a scalar value,
// a list item, a block mapping, which starts where its first key does),
// and the mapping or list value of a key there.
func valuesAt(n *yaml.Node, line, col int, fn func(*yaml.Node)) {
	if n == nil {
		return
	}
	if n.Line == line && n.Column == col {
		fn(n)
	}
	if n.Kind == yaml.AliasNode {
		return
	}
	for i, c := range n.Content {
		if n.Kind != yaml.MappingNode || i%2 == 1 {
			valuesAt(c, line, col, fn)
			continue
		}
		if c.Line == line && c.Column == col && i+1 < len(n.Content) {
			if v := deref(n.Content[i+1]); v != nil && (v.Kind == yaml.MappingNode || v.Kind == yaml.SequenceNode) {
				fn(n.Content[i+1])
			}
		}
	}
}

// rightmostLike returns the node furthest right on val's line with val's
// tag (and, for a scalar, its text): where spec.Decode places yaml.v3's
// "line N: cannot unmarshal !!tag `text` into T" (spec.lineError).
func rightmostLike(n, val *yaml.Node) *yaml.Node {
	var best *yaml.Node
	if n.Line == val.Line && n.Kind != yaml.AliasNode && n.ShortTag() == val.ShortTag() && (val.Kind != yaml.ScalarNode || n.Value == val.Value) {
		best = n
	}
	if n.Kind == yaml.AliasNode {
		return best
	}
	for _, c := range n.Content {
		if f := rightmostLike(c, val); f != nil && (best == nil || f.Column > best.Column) {
			best = f
		}
	}
	return best
}

// loaderChecked reports whether the loader checks the type of the field at
// path itself, as an input error at the same value: the object's own name,
// namespace, labels and annotations, which it reads for every object
// (manifest.Object), must be strings, and ObjectMeta's schema says nothing
// else of them.
func loaderChecked(path string) bool {
	switch path {
	case "metadata", "metadata.name", "metadata.namespace", "metadata.labels", "metadata.annotations":
		return true
	}
	for _, m := range []string{"metadata.labels", "metadata.annotations"} {
		if rest, ok := strings.CutPrefix(path, m); ok && (strings.HasPrefix(rest, ".") || strings.HasPrefix(rest, "[")) {
			return true
		}
	}
	return false
}

// duplicateReported reports whether another rule reports every repeated
// entry of the list at listPath, one finding for one fault: MR606 a
// Gateway listener name used twice (not a ListenerSet's, which it leaves
// to this rule: it sees one only when the ListenerSet is attached), MR619
// a TLS perPort port, MR013 a ServiceEntry port name and MR026 a Wasm
// environment variable.
func duplicateReported(o *manifest.Object, listPath string) bool {
	if listPath == "" {
		return false
	}
	switch {
	case o.Group == kinds.GroupGatewayAPI && o.Kind == kinds.K8sGateway:
		return listPath == "spec.listeners" || listPath == "spec.tls.frontend.perPort"
	case o.Group == kinds.GroupIstioNetworking && o.Kind == kinds.ServiceEntry:
		return listPath == "spec.ports"
	case o.Group == kinds.GroupIstioExtensions && o.Kind == kinds.WasmPlugin:
		return listPath == "spec.vmConfig.env"
	case o.Group == kinds.GroupIstioExtensions && o.Kind == kinds.TrafficExtension:
		return listPath == "spec.wasm.vmConfig.env"
	}
	return false
}

// base64Field is a field of a Kubernetes kind whose Go type is []byte,
// "format": "byte" in its schema.
type base64Field struct {
	group string
	kind  kinds.Kind
	// path leads from the object to the values: "*" stands for every
	// value of a mapping, "[]" for every item of a list.
	path []string
	// hint says what to write instead.
	hint string
}

// base64Fields are the []byte fields of the Kubernetes kinds that have
// schemas; TestBase64FieldsMatchSchemas checks the list against the
// schemas' "format": "byte".
var base64Fields = []base64Field{
	{kinds.GroupCore, kinds.Secret, []string{"data", "*"}, "Secret data holds base64-encoded values; put plain text under stringData"},
	{kinds.GroupCore, kinds.ConfigMap, []string{"binaryData", "*"}, "binaryData holds base64-encoded values; put text under data"},
	{kinds.GroupAdmissionRegistration, kinds.MutatingWebhookConfiguration, []string{"webhooks", "[]", "clientConfig", "caBundle"}, "caBundle is the PEM bundle base64-encoded, or empty"},
	{kinds.GroupAdmissionRegistration, kinds.ValidatingWebhookConfiguration, []string{"webhooks", "[]", "clientConfig", "caBundle"}, "caBundle is the PEM bundle base64-encoded, or empty"},
}

// checkBase64 reports the []byte values of o that are not base64. The API
// server decodes a JSON or YAML body with sigs.k8s.io/json, whose
// literalStore reads a []byte with base64.StdEncoding (standard alphabet,
// padding required, line breaks skipped), and refuses the whole object
// when it fails. jsonschema treats "format" as an annotation, so the
// schemas alone let such a value through. The message names the field,
// never the value: it may be a secret.
func checkBase64(p *rules.Pass, o *manifest.Object) {
	for _, f := range base64Fields {
		if o.Group != f.group || o.Kind != f.kind {
			continue
		}
		walkBase64(o.Node, f.path, "", func(where string, v *yaml.Node) {
			s, ok := node{n: v}.str()
			if !ok {
				return // a wrong type is the schema's
			}
			_, err := base64.StdEncoding.DecodeString(s)
			if err == nil {
				return
			}
			msg := where + " is not valid base64"
			var ce base64.CorruptInputError
			if errors.As(err, &ce) {
				msg += " (at byte " + strconv.FormatInt(int64(ce), 10) + ")"
			}
			msg += ", so the API server refuses the " + string(o.Kind) + ": " + f.hint
			if _, err := base64.StdEncoding.DecodeString(strings.ReplaceAll(s, " ", "")); err == nil && strings.Contains(s, " ") {
				// The classic way to get there: a long value wrapped in
				// a plain or folded scalar, whose line breaks YAML folds
				// into spaces.
				msg += " (a space is not base64: YAML joins the lines of a plain or folded (>) scalar with spaces; write the value on one line or as a literal block, |)"
			}
			p.Reportf(o, manifest.LocOf(v), "%s", msg)
		})
	}
}

// walkBase64 calls fn with every value at path below n and its field path
// from the object.
func walkBase64(n *yaml.Node, path []string, where string, fn func(where string, v *yaml.Node)) {
	n = deref(n)
	if n == nil {
		return
	}
	if len(path) == 0 {
		fn(where, n)
		return
	}
	switch path[0] {
	case "*":
		for e := range (node{n: n, root: n}).entries() {
			walkBase64(e.val.n, path[1:], fieldPath(where, e.key), fn)
		}
	case "[]":
		if n.Kind == yaml.SequenceNode {
			for i, c := range n.Content {
				walkBase64(c, path[1:], where+"["+strconv.Itoa(i)+"]", fn)
			}
		}
	default:
		walkBase64(field(n, path[0]), path[1:], fieldPath(where, path[0]), fn)
	}
}

// fieldPath appends a mapping key to a field path as the schema messages
// write it: quoted in brackets unless it is a plain identifier.
func fieldPath(where, key string) string {
	plain := key != ""
	for i, c := range key {
		letter := c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if !letter && (i == 0 || c != '-' && (c < '0' || c > '9')) {
			plain = false
			break
		}
	}
	switch {
	case !plain:
		return where + "[" + strconv.Quote(key) + "]"
	case where == "":
		return key
	}
	return where + "." + key
}
