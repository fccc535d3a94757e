package graph

import (
	"bytes"
	"path"
	"slices"
	"strings"

	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/manifest"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// The values of a workload that no graph rule reads: the image, command,
// arguments, environment values and resource amounts of a container that
// is neither an Istio proxy nor Flagger, and the replicas of a controller
// that runs no Flagger. The graph reads only whether an image is "auto"
// or a proxy's (proxyContainer, gatewayPod), and only Flagger's command
// line and replicas (MR157 to MR159): an edit of such a value, the most
// frequent edit of a manifests repository (a new image tag, another
// replica count), cannot change what a graph rule finds. Nor can the
// values of an object of a kind the loader passes over (a HelmRelease's
// chart version, an Argo CD Application's revision: passedValues), which
// no rule reads at all; nor can a DestinationRule's connection limits and
// outlier thresholds (trafficPolicyValues), which only local rules read,
// nor most of a ConfigMap's data (configMapValues) and of a Secret's
// (secretValues), nor the thresholds and
// steps of a Flagger Canary's analysis (canaryAnalysisValues), nor the
// values of annotations of no domain the graph reads (ReadAnnotation), of
// any object and of a workload's pod template, nor those of labels of no
// domain it reads (ReadLabel) on an object whose labels no selector
// reads (podOrNamespaceLabels).
// ReadDigest lets the cache tell such an edit from
// others (lintcache: a run after one
// keeps the last run's graph findings). TestUnreadValues changes every
// such value of every fixture and compares the findings; TestUnreadReaders
// fails when code starts to read these fields elsewhere.

// FlaggerImage reports whether image is Flagger's: its repository's last
// path element is flagger (not flagger-loadtester), whatever its registry,
// tag or digest.
func FlaggerImage(image string) bool {
	repo, _, _ := strings.Cut(image, "@")
	base, _, _ := strings.Cut(path.Base(repo), ":")
	return base == "flagger"
}

// unreadImage reports whether nothing of the graph reads a container
// named name with this image beyond its name: not the proxy (by name,
// or by its image as gateway pods run it), not an image the injector
// fills in, not Flagger.
func unreadImage(name, image string) bool {
	return name != "istio-proxy" && image != "auto" && !strings.Contains(image, "proxyv2") && !FlaggerImage(image)
}

// UnreadValues returns the scalar nodes of o, an object with its nodes,
// whose values no graph rule reads (see above): each is a single-line
// scalar written in block style and reached without an alias or an
// anchor, so that no other node shares it.
func UnreadValues(o *manifest.Object) []*yaml.Node {
	if o.Node == nil {
		return nil
	}
	meta := field(o.Node, "metadata")
	out := annotationValues(meta)
	if !podOrNamespaceLabels(o.Kind) {
		out = append(out, labelValues(meta)...)
	}
	var replicas bool
	switch {
	case o.Group == kinds.GroupIstioNetworking && o.Kind == kinds.DestinationRule:
		return append(out, trafficPolicyValues(o.Node)...)
	case o.Group == kinds.GroupCore && o.Kind == kinds.ConfigMap:
		return append(out, configMapValues(o)...)
	case o.Group == kinds.GroupCore && o.Kind == kinds.Secret:
		return append(out, secretValues(o.Node)...)
	case o.Group == kinds.GroupFlagger && o.Kind == kinds.Canary:
		return append(out, canaryAnalysisValues(o.Node)...)
	case o.Group == kinds.GroupApps && (o.Kind == kinds.Deployment || o.Kind == kinds.StatefulSet || o.Kind == kinds.ReplicaSet):
		replicas = true
	case o.Group == kinds.GroupApps && o.Kind == kinds.DaemonSet,
		o.Group == kinds.GroupBatch && (o.Kind == kinds.Job || o.Kind == kinds.CronJob),
		o.Group == kinds.GroupCore && o.Kind == kinds.Pod:
	default:
		return out
	}
	tmpl, plain := podTemplate(o)
	if o.Kind != kinds.Pod && plain {
		out = append(out, annotationValues(field(tmpl, "metadata"))...)
	}
	pod, plain := plainLookup(tmpl, "spec", plain)
	if spec := field(o.Node, "spec"); plain {
		out = appendLeaves(out, spec, controllerUnread)
		out = appendLeaves(out, pod, podUnread)
	}
	// flagger is true when some container may be Flagger's, whose
	// replicas MR159 reads.
	flagger := !plain
	for _, list := range []string{"containers", "initContainers"} {
		cs, ok := plainLookup(pod, list, plain)
		items, itemsOK := blockItems(cs)
		if !ok || cs != nil && !itemsOK {
			flagger = true
			continue
		}
		for _, c := range items {
			name, _ := plainLookup(c, "name", true)
			image, _ := plainLookup(c, "image", true)
			if image == nil || image.Kind != yaml.ScalarNode || name == nil || name.Kind != yaml.ScalarNode {
				flagger = true // not known: keep the replicas
				continue
			}
			if FlaggerImage(image.Value) {
				flagger = true
			}
			if !unreadImage(name.Value, image.Value) {
				continue
			}
			out = appendScalar(out, image)
			for _, k := range []string{"command", "args"} {
				out = appendItems(out, field(c, k))
			}
			env, _ := blockItems(field(c, "env"))
			for _, e := range env {
				out = appendScalar(out, field(e, "value"))
			}
			out = appendLeaves(out, c, containerUnread)
			res := field(c, "resources")
			for _, k := range []string{"limits", "requests"} {
				if m := field(res, k); isBlockMapping(m) {
					for i := 1; i < len(m.Content); i += 2 {
						out = appendScalar(out, m.Content[i])
					}
				}
			}
		}
	}
	if replicas && !flagger {
		out = appendScalar(out, field(field(o.Node, "spec"), "replicas"))
	}
	return out
}

// podTemplate returns the node of the pods of o, an object with its
// nodes: a Pod itself, or a workload's pod template (PodTemplatePath),
// and whether it was reached plainly (plainLookup).
func podTemplate(o *manifest.Object) (*yaml.Node, bool) {
	tmpl, plain := o.Node, true
	if o.Group == kinds.GroupCore && o.Kind == kinds.Pod {
		return tmpl, plain
	}
	for _, k := range PodTemplatePath(o) {
		tmpl, plain = plainLookup(tmpl, k, plain)
	}
	return tmpl, plain
}

// controllerUnread, podUnread and containerUnread are the fields of a
// workload's spec, its pods' spec and a container that the graph neither
// decodes (spec.PodSpec, spec.Container) nor reads from the nodes: how
// pods are rolled out, scheduled and stopped, which volumes they mount,
// how they are probed. Only local rules (MR027) read some of them; of
// the probes, MR401's and MR402's ambient case asks only whether one is
// sent over the network (networkProbes: an httpGet, tcpSocket or grpc
// key), and the keys stay in ReadDigest.
var (
	controllerUnread = []string{"strategy", "updateStrategy", "minReadySeconds", "revisionHistoryLimit", "progressDeadlineSeconds", "paused",
		"podManagementPolicy", "schedule", "timeZone", "concurrencyPolicy", "suspend", "successfulJobsHistoryLimit", "failedJobsHistoryLimit",
		"startingDeadlineSeconds", "backoffLimit", "ttlSecondsAfterFinished", "activeDeadlineSeconds", "completions", "parallelism"}
	podUnread = []string{"terminationGracePeriodSeconds", "priorityClassName", "priority", "tolerations", "affinity", "nodeSelector",
		"topologySpreadConstraints", "imagePullSecrets", "volumes", "runtimeClassName", "schedulerName", "enableServiceLinks",
		"automountServiceAccountToken", "activeDeadlineSeconds"}
	containerUnread = []string{"volumeMounts", "envFrom", "lifecycle", "imagePullPolicy", "workingDir", "terminationMessagePath",
		"terminationMessagePolicy", "stdin", "stdinOnce", "tty", "livenessProbe", "readinessProbe", "startupProbe"}
)

// appendLeaves appends the values of the fields keys of m, a block
// mapping, and of everything below them (blockLeaves).
func appendLeaves(out []*yaml.Node, m *yaml.Node, keys []string) []*yaml.Node {
	for _, k := range keys {
		out = append(out, blockLeaves(field(m, k))...)
	}
	return out
}

// blockLeaves returns the scalars of n and below it, all in block style,
// or none when some node of it has an anchor or is an alias, or a mapping
// has a merge key; what is in flow style is left whole.
func blockLeaves(n *yaml.Node) []*yaml.Node {
	var out []*yaml.Node
	shared := false
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		switch {
		case n == nil || shared:
		case n.Anchor != "" || n.Kind == yaml.AliasNode:
			shared = true
		case n.Kind == yaml.ScalarNode:
			out = appendScalar(out, n)
		case n.Style&yaml.FlowStyle != 0:
		case n.Kind == yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				if k := n.Content[i]; k.Kind != yaml.ScalarNode || k.Anchor != "" || k.Value == "<<" {
					shared = true
					return
				}
				walk(n.Content[i+1])
			}
		case n.Kind == yaml.SequenceNode:
			for _, it := range n.Content {
				walk(it)
			}
		}
	}
	walk(n)
	if shared {
		return nil
	}
	return out
}

// mappingLeaves returns blockLeaves of each value of m, a block mapping,
// but of the keys skip holds for; none when m is no block mapping, or a
// key of it is no plain scalar or a merge key.
func mappingLeaves(m *yaml.Node, skip func(key string) bool) []*yaml.Node {
	if !isBlockMapping(m) {
		return nil
	}
	var out []*yaml.Node
	for i := 0; i+1 < len(m.Content); i += 2 {
		k := m.Content[i]
		if k.Kind != yaml.ScalarNode || k.Anchor != "" || k.Value == "<<" {
			return nil
		}
		if skip == nil || !skip(k.Value) {
			out = append(out, blockLeaves(m.Content[i+1])...)
		}
	}
	return out
}

// ReadAnnotation reports whether a graph rule may read the value of the
// annotation key: one of Istio's, Kubernetes', Argo Rollouts', Flagger's,
// Knative's or meshlint's own, by the domain of its prefix, but
// those of ignoredAnnotations. The
// graph and the rules read annotations by key, and only such keys
// (TestAnnotationReaders): the values of the others (a Helm chart's
// checksum/config, an owner, a build number), which change with every
// release, are unread values.
func ReadAnnotation(key string) bool {
	prefix, _, ok := strings.Cut(key, "/")
	if !ok || slices.Contains(ignoredAnnotations, key) {
		return false
	}
	for _, d := range readAnnotationDomains {
		if strings.HasSuffix(prefix, d) {
			return true
		}
	}
	return false
}

// ignoredAnnotations are annotations of Kubernetes that tools write and no
// code reads: kubectl's restart stamp and last applied configuration, the
// revision the Deployment controller counts (in a manifest exported from
// a cluster).
var ignoredAnnotations = []string{"kubectl.kubernetes.io/restartedAt", "kubectl.kubernetes.io/last-applied-configuration", "deployment.kubernetes.io/revision"}

// readAnnotationDomains end the prefixes of the annotations ReadAnnotation
// keeps; a suffix, not a whole label, so that it keeps more rather than
// less. Of Argo's, those of Argo Rollouts and its experiments: Argo CD's
// (argocd.argoproj.io/sync-wave, a tracking id) and Flux's are read by no
// code.
var readAnnotationDomains = []string{"istio.io", "k8s.io", "kubernetes.io", "argo-rollouts.argoproj.io", "experiment.argoproj.io", "flagger.app", "knative.dev", "meshlint.io"}

// annotationValues returns the values of the annotations of meta, a
// metadata mapping, whose keys ReadAnnotation does not keep; none when
// the annotations are not a block mapping of plain keys.
func annotationValues(meta *yaml.Node) []*yaml.Node {
	ann := field(meta, "annotations")
	if ann == nil {
		return nil
	}
	return mappingLeaves(ann, ReadAnnotation)
}

// ReadLabel reports whether a graph rule may read the value of the label
// key of an object's own metadata, other than a Namespace's or a pod's,
// whose labels selectors read (podOrNamespaceLabels): a key without a
// prefix, or of a domain ReadAnnotation keeps, but for the recommended
// labels of app.kubernetes.io that no code reads (unreadLabels). The
// graph and the rules read such labels by key, and only such keys
// (TestLabelReaders): the values of the others (Helm's helm.sh/chart, an
// app.kubernetes.io/version), which change with every release of a
// chart, are unread values.
func ReadLabel(key string) bool {
	if !strings.Contains(key, "/") {
		return true
	}
	return !slices.Contains(unreadLabels, key) && ReadAnnotation(key)
}

// unreadLabels are the recommended labels of Kubernetes that are read
// of pods only, by the selectors the input writes, and by the graph of
// no object: it reads app.kubernetes.io/name, Flagger's selector label,
// from a workload's selector.
var unreadLabels = []string{"app.kubernetes.io/version", "app.kubernetes.io/instance", "app.kubernetes.io/component",
	"app.kubernetes.io/part-of", "app.kubernetes.io/managed-by", "app.kubernetes.io/created-by"}

// podOrNamespaceLabels reports whether the labels of an object of kind
// are those of pods or of a namespace, which selectors of the input read
// by any key: a Pod's, a Namespace's, a WorkloadEntry's or WorkloadGroup's
// (Istio selects them as workloads), and a Gateway's, whose labels Istio
// gave the pods it deploys for it before spec.infrastructure.
func podOrNamespaceLabels(kind kinds.Kind) bool {
	switch kind {
	case kinds.Pod, kinds.Namespace, kinds.WorkloadEntry, kinds.WorkloadGroup, kinds.K8sGateway:
		return true
	}
	return false
}

// labelValues returns the values of the labels of meta, a metadata
// mapping, whose keys ReadLabel does not keep; none when the labels are
// not a block mapping of plain keys.
func labelValues(meta *yaml.Node) []*yaml.Node {
	l := field(meta, "labels")
	if l == nil {
		return nil
	}
	return mappingLeaves(l, ReadLabel)
}

// trafficPolicyValues returns the limits, thresholds and balancing of a
// DestinationRule's traffic policies (spec.trafficPolicy, each subset's,
// and their portLevelSettings): the values of the settings under
// connectionPool's http and tcp, and of those under outlierDetection,
// loadBalancer, tunnel and proxyProtocol. Only the local rules read them;
// of the graph, only ambient.go asks whether connectionPool.http,
// outlierDetection and a consistentHash's header, cookie or query
// parameter are there, at their keys, which stay.
func trafficPolicyValues(dr *yaml.Node) []*yaml.Node {
	spec := field(dr, "spec")
	pols := []*yaml.Node{field(spec, "trafficPolicy")}
	subsets, _ := blockItems(field(spec, "subsets"))
	for _, s := range subsets {
		pols = append(pols, field(s, "trafficPolicy"))
	}
	for _, p := range pols[:len(pols):len(pols)] {
		ports, _ := blockItems(field(p, "portLevelSettings"))
		pols = append(pols, ports...)
	}
	var out []*yaml.Node
	for _, p := range pols {
		// Below http and tcp: what connectionPool holds itself stays.
		cp := field(p, "connectionPool")
		if _, plain := plainLookup(cp, "", true); plain && cp != nil {
			for i := 1; i < len(cp.Content); i += 2 {
				if v := cp.Content[i]; v.Kind == yaml.MappingNode {
					out = append(out, blockLeaves(v)...)
				}
			}
		}
		for _, k := range []string{"outlierDetection", "loadBalancer", "tunnel", "proxyProtocol"} {
			out = append(out, mappingLeaves(field(p, k), nil)...)
		}
	}
	return out
}

// configMapValues returns the values of a ConfigMap's data and
// binaryData that the graph does not read: all but those of the keys a CA
// certificate is read from (caKeys) and of the overlays of a Gateway's
// parameters (GatewayOverlays), which readConfigMap reads; none of the
// injector's ConfigMaps (injectorconfig.go) or of one named as Istio's
// own (istio, istio-*), whose mesh settings key the cache. The keys stay.
func configMapValues(o *manifest.Object) []*yaml.Node {
	if kinds.InjectorConfigMap(o.Group, o.Kind, o.Name) || o.Name == "istio" || strings.HasPrefix(o.Name, "istio-") {
		return nil
	}
	ignored := func(k string) bool {
		_, overlay := slices.BinarySearch(GatewayOverlays, k)
		return overlay || slices.Contains(caKeys, k)
	}
	out := mappingLeaves(field(o.Node, "data"), ignored)
	out = append(out, mappingLeaves(field(o.Node, "binaryData"), nil)...)
	return out
}

// secretValues returns the values of a Secret's data and stringData but
// those of the keys the graph reads (secretValueKeys: a certificate, its
// key, a CA certificate), which Secret.Value alone gives: a password,
// a token, what a chart generates anew at each rendering. The keys stay.
func secretValues(n *yaml.Node) []*yaml.Node {
	read := func(k string) bool { return slices.Contains(secretValueKeys, k) }
	return append(mappingLeaves(field(n, "data"), read), mappingLeaves(field(n, "stringData"), read)...)
}

// canaryAnalysisValues returns the values of a Flagger Canary's
// spec.analysis but those under its match: its interval, threshold, step
// weights, iterations, metrics' ranges and webhooks. The graph reads of the
// analysis only whether it is there and its match (flaggerMatches); the
// local rule MR156 reads the rest. What shares nodes, or is in flow style,
// stays.
func canaryAnalysisValues(c *yaml.Node) []*yaml.Node {
	return mappingLeaves(field(field(c, "spec"), "analysis"), func(k string) bool { return k == "match" })
}

// passedValues returns the scalar values of doc, the document of an
// object the loader passed over (manifest.File.Passed), but its
// apiVersion and kind: what decides how the loader reads it (its kind,
// and for the kinds it may read as workloads, the shape of a pod
// template) stays, and nothing else of it is read. A document with an
// anchor or an alias is left whole, and so is what is in flow style.
func passedValues(doc *yaml.Node) []*yaml.Node {
	return mappingLeaves(doc, func(k string) bool { return k == "apiVersion" || k == "kind" })
}

// plainLookup returns the value of key in n, and whether it was read
// plainly: n is a block mapping without anchors or merge keys (or nil,
// with plain already false for an n not read plainly) and the value, if
// any, is no alias and has no anchor. A missing key gives nil and true.
func plainLookup(n *yaml.Node, key string, plain bool) (*yaml.Node, bool) {
	if !plain || n == nil {
		return nil, plain
	}
	if !isBlockMapping(n) {
		return nil, false
	}
	var v *yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if k.Kind != yaml.ScalarNode || k.Value == "<<" {
			return nil, false
		}
		if k.Value == key {
			v = n.Content[i+1]
		}
	}
	if v != nil && (v.Kind == yaml.AliasNode || v.Anchor != "") {
		return nil, false
	}
	return v, true
}

// field is plainLookup's value, nil when not read plainly.
func field(n *yaml.Node, key string) *yaml.Node {
	v, _ := plainLookup(n, key, true)
	return v
}

func isBlockMapping(n *yaml.Node) bool {
	return n != nil && n.Kind == yaml.MappingNode && n.Style&yaml.FlowStyle == 0 && n.Anchor == ""
}

// blockItems returns the items of n when it is a block sequence without
// anchors or aliases.
func blockItems(n *yaml.Node) ([]*yaml.Node, bool) {
	if n == nil || n.Kind != yaml.SequenceNode || n.Style&yaml.FlowStyle != 0 || n.Anchor != "" {
		return nil, false
	}
	for _, it := range n.Content {
		if it.Kind == yaml.AliasNode || it.Anchor != "" {
			return nil, false
		}
	}
	return n.Content, true
}

func appendItems(out []*yaml.Node, n *yaml.Node) []*yaml.Node {
	items, _ := blockItems(n)
	for _, it := range items {
		out = appendScalar(out, it)
	}
	return out
}

func appendScalar(out []*yaml.Node, n *yaml.Node) []*yaml.Node {
	if n == nil || n.Kind != yaml.ScalarNode || n.Anchor != "" || strings.ContainsAny(n.Value, "\n\r") {
		return out
	}
	switch n.Style {
	case 0, yaml.DoubleQuotedStyle, yaml.SingleQuotedStyle:
		return append(out, n)
	}
	return out
}

// ReadDigest returns the SHA-256 of the bytes of f, a file read with
// its nodes, with the values no graph rule reads cut out (UnreadSpans):
// two versions of a file with the same digest differ only in those
// values, and every other byte, so every position, is the same.
func ReadDigest(f *manifest.File) [32]byte {
	return digestCut(f.Data, UnreadSpans(f))
}

// Span is the bytes of an unread value in its file, From to To, and its
// node; Signed is true for a weight whose sign the digest keeps
// (WeightDigest).
type Span struct {
	From, To int
	Node     *yaml.Node
	Signed   bool
	// Release is true for the value of a release label of a pod
	// (ReleaseValues), which the graph may read when a selector names
	// the label (ReleaseDigest).
	Release bool
}

// UnreadSpans returns the spans in the bytes of f, a file read with its
// nodes, of the values of UnreadValues of its objects and of
// passedValues of the documents the loader passed over, in order. A
// value's span goes from where it starts to the end of its line; a value
// is left out unless nothing but it and spaces are there, or a comment
// after a space that is not a suppression (and a value holding
// "meshlint:" would make the file look like one that has them).
func UnreadSpans(f *manifest.File) []Span {
	data := f.Data
	lines := lineStarts(data)
	var out []Span
	add := func(ns []*yaml.Node, release bool) {
		for _, n := range ns {
			if from, to, ok := valueSpan(data, lines, n); ok {
				out = append(out, Span{From: from, To: to, Node: n, Release: release})
			}
		}
	}
	for _, o := range f.Objects {
		add(UnreadValues(o), false)
		add(ReleaseValues(o), true)
	}
	for _, doc := range f.Passed {
		add(passedValues(doc), false)
	}
	return inOrder(out)
}

// inOrder sorts spans by where they start, and keeps one of those that
// overlap: one value to a line, no two overlap but a node met twice.
func inOrder(spans []Span) []Span {
	slices.SortFunc(spans, func(a, b Span) int { return a.From - b.From })
	kept := spans[:0]
	for _, sp := range spans {
		if len(kept) == 0 || sp.From >= kept[len(kept)-1].To {
			kept = append(kept, sp)
		}
	}
	return kept
}

// lineStarts returns the offset of each line of data; line 1 is at 0.
func lineStarts(data []byte) []int {
	starts := []int{0, 0}
	for i, b := range data {
		if b == '\n' {
			starts = append(starts, i+1)
		}
	}
	return starts
}

// valueSpan returns the bytes of scalar n in data, from its start to the
// end of its line (a carriage return left out), as UnreadSpans says.
func valueSpan(data []byte, lines []int, n *yaml.Node) (from, to int, ok bool) {
	if n.Line < 1 || n.Line >= len(lines) || n.Column < 1 {
		return 0, 0, false
	}
	start := lines[n.Line]
	end := len(data)
	if i := bytes.IndexByte(data[start:], '\n'); i >= 0 {
		end = start + i
	}
	if end > start && data[end-1] == '\r' {
		end--
	}
	line := data[start:end]
	col := n.Column - 1
	// The loader counts columns in characters: a prefix in ASCII makes
	// them bytes.
	if col > len(line) || slices.ContainsFunc(line[:col], func(b byte) bool { return b >= 0x80 }) {
		return 0, 0, false
	}
	rest := string(line[col:])
	var token string
	switch n.Style {
	case yaml.DoubleQuotedStyle:
		token = `"` + n.Value + `"`
	case yaml.SingleQuotedStyle:
		token = `'` + n.Value + `'`
	default:
		token = n.Value
	}
	if strings.ContainsAny(n.Value, `"'\#`) || !strings.HasPrefix(rest, token) || strings.Contains(rest, "meshlint:") {
		return 0, 0, false
	}
	after := strings.TrimLeft(rest[len(token):], " \t")
	if after != "" && (!strings.HasPrefix(after, "#") || len(after) == len(rest[len(token):])) {
		return 0, 0, false
	}
	return start + col, end, true
}
