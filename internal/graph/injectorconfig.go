package graph

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/internal/spec"
	"github.com/meshlint/meshlint/internal/yamlpath"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// InjectorConfig is the configuration of Istio's sidecar injector of one
// revision, read from the ConfigMap that istiod of that revision reads:
// istio-sidecar-injector for the default revision,
// istio-sidecar-injector-<revision> for another, in istiod's namespace
// (kinds.InjectorConfigMap). Its data.config holds the injector's policy
// and selectors, which injectRequired applies to every pod a webhook
// sends it; its data.values the chart's values, of which only
// sidecarInjectorWebhook.enableNamespacesByDefault is read.
type InjectorConfig struct {
	Meta
	// Revision is the revision whose istiod reads the ConfigMap:
	// "default" for istio-sidecar-injector.
	Revision string
	s        *injectorSettings
}

// injectorSettings is what meshlint reads of an injector ConfigMap, kept
// by Prepare for the cache (facts.Injector): the fields are exported for
// its gob encoding only.
type injectorSettings struct {
	// Policy is data.config's policy: enabled, disabled, or anything
	// else (unset included), which turns injection off.
	Policy spec.Str
	// Never and Always are neverInjectSelector and
	// alwaysInjectSelector.
	Never, Always []spec.LabelSelector
	// ByDefault is data.values' sidecarInjectorWebhook.
	// enableNamespacesByDefault.
	ByDefault spec.Bool
	// Errs are the ConfigMap's errors; a ConfigMap with any is left out,
	// as istiod cannot load it.
	Errs []*manifest.Error
}

// Policy returns data.config's policy as written ("" when unset).
func (c *InjectorConfig) Policy() spec.Str { return c.s.Policy }

// NamespacesByDefault returns data.values'
// sidecarInjectorWebhook.enableNamespacesByDefault.
func (c *InjectorConfig) NamespacesByDefault() spec.Bool { return c.s.ByDefault }

// InjectorConfigs returns the injector ConfigMaps of the input that
// istiod can load, in input order.
func (g *Graph) InjectorConfigs() []*InjectorConfig { return g.injectorConfigs }

// addInjectorConfigs reads the injector ConfigMaps, before the workloads
// whose injection they decide.
func (g *Graph) addInjectorConfigs() {
	for _, o := range g.Objects {
		if !kinds.InjectorConfigMap(o.Group, o.Kind, o.Name) {
			continue
		}
		s := g.injectorSettingsOf(o)
		if s == nil || len(s.Errs) > 0 {
			continue
		}
		rev := strings.TrimPrefix(strings.TrimPrefix(o.Name, kinds.InjectorConfigMapName), "-")
		if rev == "" {
			rev = "default"
		}
		g.injectorConfigs = append(g.injectorConfigs, &InjectorConfig{Meta: Meta{Obj: o}, Revision: rev, s: s})
	}
}

// injectorSettingsOf reads o's settings, or takes what Prepare read, and
// adds their errors to the graph's.
func (g *Graph) injectorSettingsOf(o *manifest.Object) *injectorSettings {
	p := preparedOf(o)
	var s *injectorSettings
	if p != nil && !g.recording {
		s = p.f().Injector
	} else {
		s = readInjectorConfigMap(o)
		if p != nil {
			p.setFacts().Injector = s
		}
	}
	if s != nil {
		g.Errors = append(g.Errors, s.Errs...)
	}
	return s
}

// injectorConfig returns the configuration that istiod of revision rev
// reads: its ConfigMap in namespace ns, istiod's; or, when ns is "" (the
// input shows no Service of istiod), in the mesh's root namespace, or else
// in the first namespace by name that has one. It returns nil when the
// input has none.
func (g *Graph) injectorConfig(rev, ns string) *InjectorConfig {
	name := kinds.InjectorConfigMapName
	if rev != "" && rev != "default" {
		name += "-" + rev
	}
	var found []*InjectorConfig
	for _, c := range g.injectorConfigs {
		if c.Name() != name {
			continue
		}
		if c.Namespace() == ns || ns == "" && c.Namespace() == g.Mesh.RootNamespace {
			return c
		}
		if ns == "" {
			found = append(found, c)
		}
	}
	if len(found) == 0 {
		return nil
	}
	sort.SliceStable(found, func(i, j int) bool { return found[i].Namespace() < found[j].Namespace() })
	return found[0]
}

// revisionOf returns the revision of the istiod that webhook h of c calls,
// and its namespace ("" when h names a URL): c's istio.io/rev label, which
// Istio's charts set on every injector configuration (that of a revision
// tag holds the revision the tag points to), else the name of the Service
// (istiod-<revision>), else the default revision.
func revisionOf(c *WebhookConfiguration, h *spec.Webhook) (rev, ns string) {
	rev = "default"
	if svc := h.ClientConfig.Service; svc != nil {
		ns = svc.Namespace.V
		if r, ok := strings.CutPrefix(svc.Name.V, "istiod-"); ok && r != "" {
			rev = r
		}
	}
	if r, ok := c.Obj.Labels[revLabel]; ok && r != "" {
		rev = r
	}
	return rev, ns
}

// injectorConfigDoc is the part of data.config that meshlint reads, with
// the fields whose wrong type keeps istiod from loading it
// (inject.UnmarshalConfig decodes it strictly into inject.Config).
type injectorConfigDoc struct {
	Policy               spec.Str              `yaml:"policy"`
	DefaultTemplates     []spec.Str            `yaml:"defaultTemplates"`
	Templates            map[string]spec.Str   `yaml:"templates"`
	Aliases              map[string][]spec.Str `yaml:"aliases"`
	NeverInjectSelector  []spec.LabelSelector  `yaml:"neverInjectSelector"`
	AlwaysInjectSelector []spec.LabelSelector  `yaml:"alwaysInjectSelector"`
	InjectedAnnotations  map[string]spec.Str   `yaml:"injectedAnnotations"`
}

// readInjectorConfigMap reads the injector settings of ConfigMap o from
// its nodes. Both keys must be there, as istiod's readConfigMap requires.
func readInjectorConfigMap(o *manifest.Object) *injectorSettings {
	s := &injectorSettings{}
	root := o.Root()
	if root == nil {
		return nil
	}
	data := yamlpath.Field(root, "data")
	for _, key := range []string{"config", "values"} {
		v := yamlpath.Field(data, key)
		if v == nil {
			e := &manifest.Error{File: o.Pos(o.NameLoc).File, Loc: o.NameLoc,
				Msg: fmt.Sprintf("sidecar injector ConfigMap %s/%s has no data.%s: istiod cannot load the injector's configuration without it", o.Namespace, o.Name, key)}
			s.Errs = append(s.Errs, e)
			continue
		}
		in := embedded{o: o, key: "data." + key, n: v}
		doc := in.parse(&s.Errs)
		if doc == nil {
			continue
		}
		if key == "config" {
			var c injectorConfigDoc
			if in.decode(doc, &c, &s.Errs) {
				s.Policy = mapLoc(in, c.Policy)
				s.Never, s.Always = in.selectors(c.NeverInjectSelector), in.selectors(c.AlwaysInjectSelector)
			}
			continue
		}
		s.ByDefault = in.namespacesByDefault(doc, &s.Errs)
	}
	return s
}

// namespacesByDefault reads sidecarInjectorWebhook.enableNamespacesByDefault
// of data.values, which istiod decodes into a protobuf BoolValue through
// sigs.k8s.io/yaml: only a boolean is one, which in its YAML 1.1 includes
// a plain yes or off (yaml.v3 would also take the string "yes").
func (e embedded) namespacesByDefault(doc *yaml.Node, errs *[]*manifest.Error) spec.Bool {
	swh := yamlpath.Field(doc, "sidecarInjectorWebhook")
	if isNullNode(swh) {
		return spec.Bool{}
	}
	if swh.Kind != yaml.MappingNode {
		e.errorf(errs, swh.Line, swh.Column, "sidecarInjectorWebhook: expected a mapping, got %s", describeNode(swh))
		return spec.Bool{}
	}
	v := yamlpath.Field(swh, "enableNamespacesByDefault")
	if isNullNode(v) {
		return spec.Bool{}
	}
	b, ok := yamlpath.Bool(v)
	if !ok {
		e.errorf(errs, v.Line, v.Column, "sidecarInjectorWebhook.enableNamespacesByDefault: expected a boolean (true or false), got %s", describeNode(v))
		return spec.Bool{}
	}
	return spec.Bool{V: b, Set: true, Loc: e.fileLoc(manifest.LocOf(v))}
}

// kubeString reports whether the API server takes scalar n as a string: a
// plain yes or off is a boolean to it, although yaml.v3 tags it !!str.
func kubeString(n *yaml.Node) bool {
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!str" {
		return false
	}
	_, isBool := yamlpath.YAML11Bool(n)
	return !isBool
}

func isNullNode(n *yaml.Node) bool {
	return n == nil || n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// embedded is a YAML (or JSON) document held in a string value of a
// ConfigMap: its errors and positions are mapped back to the file. The
// lines of a literal block (config: |) map to the file's; their columns
// are the document's shifted by the usual indentation of a block, two
// past the key's, since the node does not say by how much its content
// was indented. The lines of other styles do not map: their positions
// are the value's.
type embedded struct {
	o   *manifest.Object
	key string
	n   *yaml.Node
}

// fileLoc maps a position in the document to the file.
func (e embedded) fileLoc(l manifest.Loc) manifest.Loc {
	if e.n.Style&yaml.LiteralStyle == 0 || l.Line == 0 {
		return manifest.LocOf(e.n)
	}
	indent := 2 // spaces
	if k := e.keyNode(); k != nil {
		indent = k.Column + 1
	}
	width := max(int(l.EndCol-l.Col), 1)
	col := int(l.Col) + indent
	return manifest.Loc{Line: manifest.Clamp32(e.n.Line + int(l.Line)), Col: manifest.Clamp32(col), EndCol: manifest.Clamp32(col + width)}
}

// keyNode returns the key node of e's value in its mapping.
func (e embedded) keyNode() *yaml.Node {
	data := yamlpath.Field(e.o.Root(), "data")
	if data == nil {
		return nil
	}
	for k, v := range yamlpath.Entries(data) {
		if v == e.n {
			return k
		}
	}
	return nil
}

func (e embedded) errorf(errs *[]*manifest.Error, line, col int, format string, args ...any) {
	loc := e.fileLoc(manifest.LineCol(line, col))
	*errs = append(*errs, &manifest.Error{File: e.o.Pos(loc).File, Loc: loc, Msg: e.key + ": " + fmt.Sprintf(format, args...)})
}

var yamlErrLine = regexp.MustCompile(`^yaml: line (\d+): `)

// parse parses the document; nil when it is empty or does not parse.
func (e embedded) parse(errs *[]*manifest.Error) *yaml.Node {
	if !kubeString(e.n) {
		got := describeNode(e.n)
		if note := yamlpath.BoolNote(e.n); note != "" {
			got = e.n.Value + " (" + note + ")"
		}
		loc := manifest.LocOf(e.n)
		*errs = append(*errs, &manifest.Error{File: e.o.Pos(loc).File, Loc: loc,
			Msg: fmt.Sprintf("%s: expected a string holding the injector's configuration, got %s", e.key, got)})
		return nil
	}
	var doc yaml.Node
	err := yaml.NewDecoder(bytes.NewReader([]byte(e.n.Value))).Decode(&doc)
	switch {
	case errors.Is(err, io.EOF):
		return nil
	case err != nil:
		msg := err.Error()
		line := 0
		if m := yamlErrLine.FindStringSubmatch(msg); m != nil {
			line, _ = strconv.Atoi(m[1])
			msg = strings.TrimPrefix(msg, m[0])
		}
		e.errorf(errs, line, 1, "not valid YAML: %s", strings.TrimPrefix(msg, "yaml: "))
		return nil
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) > 0 {
		root = root.Content[0]
	}
	if root.Kind == yaml.ScalarNode && root.ShortTag() == "!!null" {
		return nil
	}
	if root.Kind != yaml.MappingNode {
		e.errorf(errs, root.Line, root.Column, "expected a mapping, got %s", describeNode(root))
		return nil
	}
	return root
}

// decode decodes doc into out, reporting its type errors; false when there
// were any.
func (e embedded) decode(doc *yaml.Node, out any, errs *[]*manifest.Error) bool {
	bad := spec.Decode(e.o.File, doc, out)
	for _, b := range bad {
		msg := b.Msg
		if b.Err != nil {
			msg += ": " + b.Err.Error()
		}
		e.errorf(errs, int(b.Line), int(b.Col), "%s", msg)
	}
	return len(bad) == 0
}

// mapLoc maps the position of a value of e's document to the file.
func mapLoc[T any](e embedded, v spec.Value[T]) spec.Value[T] {
	if v.Set {
		v.Loc = e.fileLoc(v.Loc)
	}
	return v
}

// selectors maps the positions of selectors of the document to the file.
func (e embedded) selectors(ss []spec.LabelSelector) []spec.LabelSelector {
	for i := range ss {
		ss[i].Loc = e.fileLoc(ss[i].Loc)
		for j := range ss[i].MatchExpressions {
			r := &ss[i].MatchExpressions[j]
			r.Loc = e.fileLoc(r.Loc)
			r.Key.Loc = e.fileLoc(r.Key.Loc)
			r.Operator.Loc = e.fileLoc(r.Operator.Loc)
		}
	}
	return ss
}

// describeNode names what a node holds, for type errors.
func describeNode(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	return fmt.Sprintf("%q", n.Value)
}
