// Package schema validates Kubernetes, Istio and Gateway API objects against
// JSON schemas embedded in the binary, offline:
//
//   - istio/<group>/<kind>_<version>.json: every served version of every
//     networking.istio.io, security.istio.io, telemetry.istio.io and
//     extensions.istio.io CRD, generated from the istio.io/api module
//     pinned in go.mod (see gen and istio/README.md);
//   - gatewayapi/<group>/<kind>_<version>.json: likewise for the
//     gateway.networking.k8s.io CRDs of the sigs.k8s.io/gateway-api
//     module (experimental channel; see gatewayapi/README.md);
//   - flagger/<group>/<kind>_<version>.json: likewise for Flagger's CRDs
//     (flagger.app) of the github.com/fluxcd/flagger module;
//   - argo/<group>/<kind>_<version>.json: likewise for the CRDs of Argo
//     Rollouts (copies: see gen/third_party/argo-rollouts);
//   - netpolapi/<group>/<kind>_<version>.json: likewise for the
//     AdminNetworkPolicy, BaselineAdminNetworkPolicy and
//     ClusterNetworkPolicy CRDs of the network policy API (copies: see
//     gen/third_party/network-policy-api);
//   - kubernetes/*.json: the built-in kinds meshlint models, for
//     Kubernetes KubernetesVersion (see kubernetes/README.md).
//
// Schemas are compiled on first use, one per (group, version, kind), so a
// run pays only for the kinds its input holds.
package schema

//go:generate go run ./gen

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// GatewayAPIVersion is the release of the Gateway API whose CRDs the
// embedded Gateway API schemas come from: that of the
// sigs.k8s.io/gateway-api module pinned in go.mod, which a test of the
// generator checks.
const GatewayAPIVersion = "v1.6.3"

// FlaggerVersion is the release of Flagger whose CRDs the embedded Flagger
// schemas come from: that of the github.com/fluxcd/flagger module pinned
// in go.mod, which a test of the generator checks. The graph models what
// this release creates for a Canary (internal/graph/flagger.go).
const FlaggerVersion = "v1.36.1"

// ArgoRolloutsVersion is the release of Argo Rollouts whose CRDs the
// embedded Argo schemas come from (copies, gen/third_party/argo-rollouts,
// which a test of the generator checks).
const ArgoRolloutsVersion = "v1.10.2"

// NetworkPolicyAPIVersion is the release of the network policy API whose
// ClusterNetworkPolicy CRD the embedded schemas come from (a copy,
// gen/third_party/network-policy-api, which a test of the generator
// checks).
const NetworkPolicyAPIVersion = "v0.3.0"

// AdminNetworkPolicyAPIVersion is the release of the network policy API
// whose AdminNetworkPolicy and BaselineAdminNetworkPolicy CRDs (v1alpha1)
// the embedded schemas come from: the last that ships them (copies, next
// to the ClusterNetworkPolicy one).
const AdminNetworkPolicyAPIVersion = "v0.1.5"

// KubernetesVersion is the Kubernetes release whose API the embedded
// Kubernetes schemas describe: that of the k8s.io/api module pinned in
// go.mod, which a test of the generator checks.
const KubernetesVersion = "1.37"

//go:embed istio/networking.istio.io/*.json istio/security.istio.io/*.json
//go:embed istio/telemetry.istio.io/*.json istio/extensions.istio.io/*.json
//go:embed gatewayapi/gateway.networking.k8s.io/*.json flagger/flagger.app/*.json argo/argoproj.io/*.json
//go:embed netpolapi/policy.networking.k8s.io/*.json
//go:embed kubernetes/*.json
var files embed.FS

// Violation is one way in which an object breaks its schema.
type Violation struct {
	// Loc is where the problem is: the offending key for an unknown field,
	// the parent for a missing one, the value otherwise.
	Loc manifest.Loc
	// Path is the field path, e.g. "spec.http[0].route[0].weight"; empty
	// for the object itself.
	Path string
	// Msg says what is wrong in plain words and includes the path.
	Msg string
	// List is set for an entry that repeats an earlier one of a list of
	// type set or map: the list's field path, with "[]" for every index
	// ("spec.listeners", "spec.rules[].matches[].headers").
	List string
}

// Validator validates objects against the embedded schemas. Create one per
// run with NewValidator and share it: it is safe for concurrent use, and
// its only state is caches, of the schemas, filled on first use of each
// (group, version, kind), and of what an apiVersion and kind resolve to.
// It keeps no reference to the objects it checks.
type Validator struct {
	mu      sync.Mutex
	schemas map[string]*compiled
	// targets caches a *target by targetKey: finding the file costs more
	// than validating a typical object. ntargets bounds it, since the
	// keys come from the input.
	targets  sync.Map
	ntargets atomic.Int64
}

// maxTargets is far more (apiVersion, kind) pairs than a repository has.
const maxTargets = 4096

type targetKey struct {
	apiVersion string
	kind       kinds.Kind
}

// target is the schema an apiVersion and kind are validated against.
type target struct {
	group string
	// c is the schema; nil when the version has none.
	c *compiled
	// served lists the versions with a schema when c is nil.
	served []string
}

// compiled is one schema file, parsed once and compiled with jsonschema
// once, on the first object that fastValid does not clear.
type compiled struct {
	file string
	once sync.Once
	// doc is the parsed schema document; messages read property names and
	// oneOf shapes from it.
	doc any
	// fast is doc reduced for fastValid.
	fast *fnode
	err  error

	schOnce sync.Once
	sch     *jsonschema.Schema
	schErr  error
}

// NewValidator returns a validator with an empty cache.
func NewValidator() *Validator {
	return &Validator{schemas: map[string]*compiled{}}
}

// crdGroups maps the API groups whose schemas come from CRDs to the folder
// of their files and the release the "not served" message names (none for
// Istio's, whose versions are served by every supported release).
var crdGroups = map[string]struct{ folder, release string }{
	kinds.GroupIstioNetworking: {"istio", ""},
	kinds.GroupIstioSecurity:   {"istio", ""},
	kinds.GroupIstioTelemetry:  {"istio", ""},
	kinds.GroupIstioExtensions: {"istio", ""},
	kinds.GroupGatewayAPI:      {"gatewayapi", "Gateway API " + GatewayAPIVersion},
	kinds.GroupFlagger:         {"flagger", "Flagger " + FlaggerVersion},
	kinds.GroupArgo:            {"argo", "Argo Rollouts " + ArgoRolloutsVersion},
	// The release named is ClusterNetworkPolicy's; kindReleases names
	// that of the v1alpha1 kinds.
	kinds.GroupPolicyAPI: {"netpolapi", "network policy API " + NetworkPolicyAPIVersion},
}

// kindReleases names, for the kinds of a CRD group whose schemas come from
// another release than the group's, that release, for the "not served"
// message.
var kindReleases = map[kinds.Kind]string{
	kinds.AdminNetworkPolicy:         "network policy API " + AdminNetworkPolicyAPIVersion,
	kinds.BaselineAdminNetworkPolicy: "network policy API " + AdminNetworkPolicyAPIVersion,
}

// kubeGroups maps the Kubernetes API groups with embedded schemas to the
// group part of their file names (kubeconform's KindSuffix).
var kubeGroups = map[string]string{
	kinds.GroupCore:                  "",
	kinds.GroupApps:                  "-apps",
	kinds.GroupBatch:                 "-batch",
	kinds.GroupK8sNetworking:         "-networking",
	kinds.GroupAdmissionRegistration: "-admissionregistration",
}

// schemaFile returns the embedded file for group/version/kind, following
// the naming of the folders: <group>/<kind>_<version>.json for the CRDs of
// Istio and the Gateway API, and
// kubeconform's <kind>[-<group prefix>]-<version>.json for Kubernetes. It
// returns "" for a group without schemas.
func schemaFile(group, version string, kind kinds.Kind) string {
	k := strings.ToLower(string(kind))
	if g, ok := crdGroups[group]; ok {
		return g.folder + "/" + group + "/" + k + "_" + version + ".json"
	}
	if suffix, ok := kubeGroups[group]; ok {
		return "kubernetes/" + k + suffix + "-" + version + ".json"
	}
	return ""
}

// servedVersions lists the versions of group/kind that have a schema,
// newest API level first.
func servedVersions(group string, kind kinds.Kind) []string {
	if !plainKind.MatchString(string(kind)) || schemaFile(group, "", kind) == "" {
		return nil
	}
	// A version never contains "-" or "_", so replacing it by a glob
	// cannot match another kind's files.
	pattern := schemaFile(group, "*", kind)
	if group == "" {
		pattern = schemaFile(group, "v*", kind)
	}
	matches, _ := fs.Glob(files, pattern)
	var vs []string
	for _, m := range matches {
		base := strings.TrimSuffix(path.Base(m), ".json")
		vs = append(vs, base[max(strings.LastIndexAny(base, "_-")+1, 0):])
	}
	sort.Slice(vs, func(i, j int) bool { return versionLess(vs[j], vs[i]) })
	return vs
}

// plainKind matches the kind names a schema file can have.
var plainKind = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9]*$`)

// versionLess orders Kubernetes API versions: alpha < beta < GA, then by
// number (v1alpha3 < v1beta1 < v1 < v2).
func versionLess(a, b string) bool {
	ma, la, na := versionKey(a)
	mb, lb, nb := versionKey(b)
	if la != lb {
		return la < lb
	}
	if ma != mb {
		return ma < mb
	}
	return na < nb
}

func versionKey(v string) (major, level, minor int) {
	rest := strings.TrimPrefix(v, "v")
	i := 0
	for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
		i++
	}
	major, _ = strconv.Atoi(rest[:i])
	level = 2
	switch s := rest[i:]; {
	case strings.HasPrefix(s, "alpha"):
		level = 0
		minor, _ = strconv.Atoi(s[len("alpha"):])
	case strings.HasPrefix(s, "beta"):
		level = 1
		minor, _ = strconv.Atoi(s[len("beta"):])
	}
	return major, level, minor
}

// Covered reports whether some version of group/kind has a schema.
func Covered(group string, kind kinds.Kind) bool {
	return len(servedVersions(group, kind)) > 0
}

// load returns the compiled schema of an embedded file.
func (v *Validator) load(file string) (*compiled, error) {
	c, err := v.entry(file).get()
	if err != nil {
		return c, err
	}
	_, err = c.schema()
	return c, err
}

// entry returns the cache entry of an embedded file, compiled or not.
func (v *Validator) entry(file string) *compiled {
	v.mu.Lock()
	defer v.mu.Unlock()
	c := v.schemas[file]
	if c == nil {
		c = &compiled{file: file}
		v.schemas[file] = c
	}
	return c
}

// get parses the schema document on first use.
func (c *compiled) get() (*compiled, error) {
	c.once.Do(func() {
		c.doc, c.err = parse(c.file)
		if c.err == nil {
			c.fast = buildFast(c.doc)
		}
	})
	return c, c.err
}

// schema compiles the parsed document with jsonschema on first use.
func (c *compiled) schema() (*jsonschema.Schema, error) {
	c.schOnce.Do(func() { c.sch, c.schErr = compile(c.file, c.doc) })
	return c.sch, c.schErr
}

// target resolves an apiVersion and kind, once per pair.
func (v *Validator) target(apiVersion string, kind kinds.Kind) *target {
	k := targetKey{apiVersion, kind}
	if t, ok := v.targets.Load(k); ok {
		return t.(*target)
	}
	group, version := kinds.SplitAPIVersion(apiVersion)
	t := &target{group: group}
	if file := schemaFile(group, version, kind); file != "" {
		if _, err := fs.Stat(files, file); err == nil {
			t.c = v.entry(file)
		} else {
			t.served = servedVersions(group, kind)
		}
	}
	if v.ntargets.Add(1) > maxTargets {
		return t
	}
	// A copy, so that the cache holds no part of an object's memory.
	k = targetKey{strings.Clone(apiVersion), kinds.Kind(strings.Clone(string(kind)))}
	got, _ := v.targets.LoadOrStore(k, t)
	return got.(*target)
}

func parse(file string) (any, error) {
	data, err := files.ReadFile(file)
	if err != nil {
		return nil, err
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("schema %s: %w", file, err)
	}
	return doc, nil
}

func compile(file string, doc any) (*jsonschema.Schema, error) {
	url := "embed:///" + file
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	if err := c.AddResource(url, doc); err != nil {
		return nil, fmt.Errorf("schema %s: %w", file, err)
	}
	sch, err := c.Compile(url)
	if err != nil {
		return nil, fmt.Errorf("schema %s: %w", file, err)
	}
	return sch, nil
}

// Validate checks o against the schema of its group, version and kind. An
// object of a kind without any schema yields nothing; a kind with schemas
// in other versions only yields a violation that names the served ones.
// A schema that does not compile, a bug, is reported as a violation too;
// use Check to tell it apart.
func (v *Validator) Validate(o *manifest.Object) []Violation {
	vs, err := v.Check(o)
	if err != nil {
		vs = append(vs, Violation{Loc: o.KindLoc, Msg: "internal error: " + err.Error()})
	}
	return vs
}

// Check is Validate with an error for a schema that does not compile.
func (v *Validator) Check(o *manifest.Object) ([]Violation, error) {
	t := v.target(o.APIVersion, o.Kind)
	if t.c == nil {
		group, served := t.group, t.served
		if len(served) == 0 {
			return nil, nil
		}
		loc := o.KindLoc
		if n := mapValue(o.Node, "apiVersion"); n != nil {
			loc = manifest.LocOf(n)
		}
		gvs := make([]string, len(served))
		for i, s := range served {
			gvs[i] = path.Join(group, s)
		}
		msg := fmt.Sprintf("%s %s is not served", o.APIVersion, o.Kind)
		if g, ok := crdGroups[group]; !ok {
			msg += " by Kubernetes " + KubernetesVersion
		} else if r := kindReleases[o.Kind]; r != "" {
			msg += " by " + r
		} else if g.release != "" {
			msg += " by " + g.release
		}
		return []Violation{{Loc: loc, Path: "apiVersion", Msg: fmt.Sprintf("%s: use %s", msg, strings.Join(gvs, " or "))}}, nil
	}
	c, err := t.c.get()
	if err != nil {
		return nil, err
	}
	// Only jsonschema's error tree says what is wrong and where, so the
	// fast path may only clear objects; anything it cannot clear is
	// validated again below.
	if fastValid(c.fast, o.Node) {
		return nil, nil
	}
	sch, err := c.schema()
	if err != nil {
		return nil, err
	}
	val, err := toJSON(o.Node)
	if err != nil {
		return []Violation{{Loc: o.KindLoc, Msg: err.Error()}}, nil
	}
	r := &reporter{kind: o.Kind, root: o.Node, value: val, doc: c.doc, fallback: o.KindLoc, seen: map[string]bool{}}
	if verr := sch.Validate(val); verr != nil {
		var ve *jsonschema.ValidationError
		if !errors.As(verr, &ve) {
			return nil, verr
		}
		r.collect(ve)
	}
	r.apiServer(c.fast, val, o.Node, "", "")
	if len(r.out) == 0 {
		return nil, nil
	}
	sort.SliceStable(r.out, func(i, j int) bool {
		a, b := r.out[i].Loc, r.out[j].Loc
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Col != b.Col {
			return a.Col < b.Col
		}
		return r.out[i].Msg < r.out[j].Msg
	})
	return r.out, nil
}

// mapValue returns the value of key in mapping n, or nil.
func mapValue(n *yaml.Node, key string) *yaml.Node {
	_, v := lookup(n, key)
	return v
}
