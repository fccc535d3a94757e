package manifest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/meshlint/meshlint/internal/yamlpath"
	"sigs.k8s.io/kustomize/api/konfig"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/resmap"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// A directory that holds a kustomization file is built with kustomize's
// krusty, on disk and offline, instead of being walked: its other YAML files
// are inputs of the build, not manifests. Each built object is mapped back to
// the file and line that produced its nodes (origin.go).
//
// Before kustomize runs, every kustomization of the build is read and
// refused when it would reach the network or run a program: remote bases and
// files, helm chart inflation, exec and container plugins or KRM functions,
// and files outside the kustomization's directory. Kustomize is never called
// for a refused build, so nothing is fetched.

// kustomizationNames are the file names kustomize recognises, in the order
// it looks for them.
var kustomizationNames = konfig.RecognizedKustomizationFileNames()

// inKustomization reports whether a file named by the user is a
// kustomization file or sits next to one: then the kustomization is built
// instead (a patch means nothing alone), as when pre-commit names the files
// that changed.
func (w *walker) inKustomization(path string) bool {
	return slices.Contains(kustomizationNames, filepath.Base(path)) || kustomizationIn(filepath.Dir(abs(w.dir, path))) != ""
}

// kustomizationIn returns the name of the kustomization file in dir, or "".
func kustomizationIn(dir string) string {
	for _, n := range kustomizationNames {
		if st, err := os.Stat(filepath.Join(dir, n)); err == nil && st.Mode().IsRegular() {
			return n
		}
	}
	return ""
}

// runKustomize builds the kustomization in dir. Tests replace it to check
// that refused builds never reach kustomize.
var runKustomize = func(fSys filesys.FileSystem, dir string) (resmap.ResMap, error) {
	opts := krusty.MakeDefaultOptions()
	opts.LoadRestrictions = types.LoadRestrictionsRootOnly
	return krusty.MakeKustomizer(opts).Run(fSys, dir)
}

// kustomizeMu serialises builds: kustomize keeps its OpenAPI schema in
// package state.
var kustomizeMu sync.Mutex

// kustomization is one kustomization file of a build, read with positions.
type kustomization struct {
	dir, disp      string // absolute directory, and as displayed
	file, dispFile string
	node           *yaml.Node // its mapping
	data           []byte
}

// unit is one build: a kustomization directory named by the user or found
// by the walk, with the kustomizations it uses.
type unit struct {
	disp, abs string
	// file is the root kustomization file, as displayed.
	file string
	// kusts holds the root kustomization first, then the bases and
	// components it uses, depth first.
	kusts []*kustomization
	errs  []*Error
	// dups are the keys written twice in kustomizations of the build:
	// input errors that do not stop it, as kustomize builds it.
	dups []*Error
	// warnings are what kustomize would warn about (deprecated fields),
	// said at the field.
	warnings []*Error
	// real holds the real paths of the directories of kusts, and
	// expanded the files checkExpansion has read.
	real, expanded map[string]bool
	opts           Options
}

// buildKustomizations builds each kustomization directory and adds the
// objects, errors and counts to res. A directory that another one of dirs
// uses as a base is built only as part of it.
func buildKustomizations(res *Result, dirs []string, opts Options) {
	var units []*unit
	for _, d := range dirs {
		u := &unit{disp: d, abs: absPath(opts.Dir, d), real: map[string]bool{}, expanded: map[string]bool{}, opts: opts}
		u.file = filepath.Join(d, kustomizationIn(u.abs))
		u.visit(u.abs, d)
		units = append(units, u)
	}
	warned := map[string]bool{}
	// A key written twice in a base is one mistake, however many builds
	// use the base: reported once at its place.
	reported := map[string]bool{}
	once := func(errs []*Error) []*Error {
		return slices.DeleteFunc(errs, func(e *Error) bool {
			if e.Msg != duplicateKeyMsg {
				return false
			}
			at := fmt.Sprintf("%s:%d:%d", e.File, e.Line, e.Col)
			seen := reported[at]
			reported[at] = true
			return seen
		})
	}
	for _, u := range units {
		if by := usedBy(u, units); by != nil {
			res.Skipped = append(res.Skipped, u.disp+": kustomize base of "+by.disp+", linted as part of it")
			continue
		}
		if len(u.errs) > 0 {
			res.Errors = append(res.Errors, u.errs...)
			res.Errors = append(res.Errors, once(u.dups)...)
			continue
		}
		fr := u.build()
		fr.errors = once(fr.errors)
		for _, w := range fr.warnings {
			// A base of two builds warns once.
			if key := w.Error(); !warned[key] {
				warned[key] = true
				res.Warnings = append(res.Warnings, w)
			}
		}
		res.Files += fr.files
		if opts.PerFile != nil && len(fr.objects) > 0 {
			fr.errors = append(fr.errors, opts.PerFile(&File{Name: u.file, Objects: fr.objects, Unmodelled: fr.unmodelled, Errors: fr.errors})...)
		}
		res.Objects = append(res.Objects, fr.objects...)
		res.Errors = append(res.Errors, fr.errors...)
		for k, n := range fr.unmodelled {
			res.Unmodelled[k] += n
		}
	}
	SortErrors(res.Warnings)
}

// usedBy returns another unit whose build includes u, or nil.
func usedBy(u *unit, units []*unit) *unit {
	root := realPath(u.abs)
	for _, v := range units {
		if v != u && len(v.errs) == 0 && v.real[root] && realPath(v.abs) != root {
			return v
		}
	}
	return nil
}

func absPath(dir, p string) string {
	a, err := filepath.Abs(abs(dir, p))
	if err != nil {
		return filepath.Clean(abs(dir, p))
	}
	return a
}

func realPath(p string) string {
	if r, err := filepath.EvalSymlinks(p); err == nil {
		return r
	}
	return p
}

// visit reads the kustomization in dir and checks it, and the bases and
// components it uses.
func (u *unit) visit(dir, disp string) {
	rdir := realPath(dir)
	if u.real[rdir] {
		return
	}
	u.real[rdir] = true
	name := kustomizationIn(dir)
	if name == "" {
		return // kustomize reports it
	}
	k := &kustomization{dir: dir, disp: disp, file: filepath.Join(dir, name), dispFile: filepath.Join(disp, name)}
	data, err := readFile(k.file, u.opts.MaxFileSize)
	if err != nil {
		msg := "cannot read"
		if errors.Is(err, errTooLarge) {
			msg, err = fmt.Sprintf("larger than the %d-byte limit (raise it with --max-file-size)", u.opts.MaxFileSize), nil
		}
		u.errs = append(u.errs, &Error{File: k.dispFile, Msg: msg, Err: unwrapPathError(err)})
		return
	}
	docs, errs := parseDocuments(k.dispFile, data)
	if len(errs) > 0 {
		u.errs = append(u.errs, errs...)
		return
	}
	if len(docs) == 0 || docs[0].node.Kind != yaml.MappingNode {
		return // kustomize reports it
	}
	k.node, k.data = docs[0].node, data
	u.dups = append(u.dups, kustomizeDuplicates(k.dispFile, k.node, usesLastCopy)...)
	u.dups = append(u.dups, foldDuplicates(k.dispFile, k.node, kustomizationType, nil)...)
	u.kusts = append(u.kusts, k)
	u.check(k)
}

// duplicateKeyMsg is the Msg of duplicateError's errors.
const duplicateKeyMsg = "duplicate key"

// kustomizeDuplicates is duplicateKeys for a file that kustomize reads
// itself, which refuses no key written twice (kustomize/api v0.21.2,
// types.Kustomization.Unmarshal: "TODO: switch to strict decoding to catch
// duplicate keys"), and that the API server never sees: uses says which
// copy kustomize uses instead.
func kustomizeDuplicates(file string, n *yaml.Node, uses string) []*Error {
	return withUse(duplicateKeys(file, n, nil), uses)
}

// refuse records a refusal at node n of kustomization k.
func (u *unit) refuse(file string, n *yaml.Node, format string, args ...any) {
	u.errs = append(u.errs, &Error{File: file, Loc: LocOf(n), Msg: fmt.Sprintf(format, args...)})
}

const offlineHint = "build it with kustomize and pipe the output to `meshlint -`"

// check refuses what would reach the network, run a program or read
// outside the kustomization's directory, and visits the directories the
// kustomization uses.
func (u *unit) check(k *kustomization) {
	// Kustomize reads its file with sigs.k8s.io/yaml, which resolves merge
	// keys (<<): a field merged from an anchor is refused as one written.
	for key, v := range yamlpath.Entries(k.node) {
		if isNull(v) {
			continue
		}
		field := kustField(key.Value)
		if use, ok := deprecatedFields[field]; ok {
			u.warnings = append(u.warnings, &Error{File: k.dispFile, Loc: LocOf(key), Msg: deprecationMessage(field, use)})
		}
		switch field {
		case "helmCharts", "helmGlobals", "helmChartInflationGenerator":
			u.refuse(k.dispFile, key, "helm chart inflation (%s) is not supported: it runs helm, which may download charts; render the chart with `helm template` and list the output under resources, or %s", key.Value, offlineHint)
		case "resources", "bases", "components":
			for _, it := range stringItems(v) {
				u.checkEntry(k, field, it, true)
			}
		case "crds", "configurations", "patchesStrategicMerge":
			for _, it := range stringItems(v) {
				if !strings.Contains(it.Value, "\n") {
					u.checkEntry(k, field, it, false)
					if field != "patchesStrategicMerge" {
						u.checkDecoded(k, field, it) // patches are checked in the build
					}
				}
			}
		case "generators", "transformers", "validators":
			u.checkPlugins(k, field, v)
		case "patches", "patchesJson6902", "replacements":
			for _, it := range items(v) {
				for _, p := range structFields(it, "path") {
					if isString(p) {
						u.checkEntry(k, field, p, false)
					}
				}
			}
		case "openapi":
			if p := yamlpath.Field(v, "path"); p != nil && isString(p) {
				u.checkEntry(k, field, p, false)
				u.checkOpenAPI(k, v, p)
			}
		case "configMapGenerator", "secretGenerator":
			for _, it := range items(v) {
				for _, p := range generatorFiles(it) {
					u.checkEntry(k, field, p, false)
				}
			}
		}
	}
}

// generatorFiles returns the paths that a configMapGenerator or
// secretGenerator entry n, or the configuration of a ConfigMapGenerator or
// SecretGenerator plugin, names: its files, envs and env (kustomize/api
// v0.21.2, kv/kv.go, which reads each with the kustomization's loader). A
// files entry may be key=path: the node returned holds the path, at the
// entry's place.
func generatorFiles(n *yaml.Node) []*yaml.Node {
	var out []*yaml.Node
	for _, f := range []string{"files", "envs", "env"} {
		for _, fv := range structFields(n, f) {
			list := stringItems(fv)
			if isString(fv) {
				list = []*yaml.Node{fv}
			}
			for _, e := range list {
				p := *e
				if i := strings.Index(p.Value, "="); i >= 0 && f == "files" {
					p.Value = p.Value[i+1:]
				}
				out = append(out, &p)
			}
		}
	}
	return out
}

// kustFields are the kustomization fields meshlint reads, as kustomize's
// types.Kustomization names them in JSON.
var kustFields = []string{
	"helmCharts", "helmGlobals", "helmChartInflationGenerator", "resources", "bases", "components",
	"crds", "configurations", "patchesStrategicMerge", "generators", "transformers", "validators",
	"patches", "patchesJson6902", "replacements", "openapi", "configMapGenerator", "secretGenerator",
	"commonLabels", "imageTags", "vars",
}

// kustField returns the field a key of a kustomization sets. Kustomize
// decodes the file with encoding/json, which takes a key that matches no
// field exactly for the field it matches in another case: Resources is
// resources, and must be checked as such, or a remote resource under it
// would be fetched.
func kustField(key string) string {
	for _, f := range kustFields {
		if strings.EqualFold(key, f) {
			return f
		}
	}
	return key
}

// structField returns the value that kustomize decodes into the struct
// field name from mapping n of a file it decodes with sigs.k8s.io/yaml (a
// kustomization, replacement, generator entry, patch target...), or nil.
// encoding/json fills a field from every key equal to its name but for
// case (strings.EqualFold), in the order of the JSON that sigs.k8s.io/yaml
// makes from a Go map, whose keys are sorted: the key that sorts last wins
// (fieldpath over fieldPath over FieldPath), and of two copies of one key,
// yaml.v2 keeps the last. Not for maps (openapi, commonLabels), whose keys
// are compared exactly, nor for what kustomize reads with kyaml.
func structField(n *yaml.Node, name string) *yaml.Node {
	var key, val *yaml.Node
	for k, v := range yamlpath.Entries(n) {
		if strings.EqualFold(k.Value, name) && (key == nil || k.Value >= key.Value) {
			key, val = k, v
		}
	}
	return val
}

// structFields returns the values of every key of mapping n that kustomize
// may decode into the struct field name, not only the one structField says
// it keeps: a path is refused under any of them, so that no mistake about
// which copy wins lets a remote one through.
func structFields(n *yaml.Node, name string) []*yaml.Node {
	var out []*yaml.Node
	for k, v := range yamlpath.Entries(n) {
		if strings.EqualFold(k.Value, name) && v != nil {
			out = append(out, v)
		}
	}
	return out
}

// structValue is structField's scalar value, or "".
func structValue(n *yaml.Node, name string) string {
	if v := structField(n, name); v != nil && v.Kind == yaml.ScalarNode {
		return v.Value
	}
	return ""
}

// deprecatedFields are the fields kustomize warns about when it reads a
// kustomization, with the field that replaces each: those of
// types.Kustomization.CheckDeprecatedFields (kustomize/api v0.21.2; a test
// compares them). meshlint says it itself, at the field, and keeps
// kustomize's own line, which names no file, off stderr (runCaptured).
var deprecatedFields = map[string]string{
	"bases":                 "resources",
	"commonLabels":          "labels",
	"imageTags":             "images",
	"patchesJson6902":       "patches",
	"patchesStrategicMerge": "patches",
	"vars":                  "replacements",
}

func deprecationMessage(field, use string) string {
	fix := "kustomize edit fix rewrites it"
	if field == "vars" {
		// Kustomize calls this rewrite experimental.
		fix = "kustomize edit fix can rewrite it, experimentally"
	}
	return fmt.Sprintf("kustomize: '%s' is deprecated; use '%s' (%s)", field, use, fix)
}

// stringItems returns the string items of a sequence.
func stringItems(v *yaml.Node) []*yaml.Node {
	var out []*yaml.Node
	for _, it := range items(v) {
		if isString(it) {
			out = append(out, it)
		}
	}
	return out
}

func items(v *yaml.Node) []*yaml.Node {
	if v == nil || v.Kind != yaml.SequenceNode {
		return nil
	}
	out := make([]*yaml.Node, len(v.Content))
	for i, it := range v.Content {
		out[i] = deref(it)
	}
	return out
}

func fieldValue(n *yaml.Node, key string) string {
	if v := yamlpath.Field(n, key); v != nil && v.Kind == yaml.ScalarNode {
		return v.Value
	}
	return ""
}

// isRemote reports whether kustomize would fetch a reference: a URL (it
// downloads http(s) files and clones the rest with git), a git@ or
// user@host: reference, a github.com path, or a ?ref= query.
func isRemote(s string) bool {
	// Kustomize's file loader fetches any path that parses as a URL whose
	// scheme is http or https, in any case, with or without "//"
	// (kustomize/api v0.21.2, internal/loader/fileloader.go: IsRemoteFile,
	// Load).
	if u, err := url.Parse(strings.TrimSpace(s)); err == nil && (u.Scheme == "http" || u.Scheme == "https") {
		return true
	}
	l := strings.ToLower(strings.TrimSpace(s))
	switch {
	case strings.Contains(l, "://"), strings.HasPrefix(l, "git::"), strings.HasPrefix(l, "github.com/"),
		strings.HasPrefix(l, "github.com:"), strings.Contains(l, "?ref="), strings.Contains(l, "?version="),
		strings.Contains(l, "?timeout="), strings.Contains(l, "?submodules="):
		return true
	}
	// git@github.com:org/repo, user@host:path (scp-like syntax).
	if at := strings.Index(l, "@"); at > 0 && !strings.Contains(l[:at], "/") {
		return true
	}
	return false
}

var fieldNoun = map[string]string{
	"resources": "resource", "bases": "base", "components": "component", "crds": "CRD file",
	"configurations": "configuration", "patchesStrategicMerge": "patch", "patches": "patch",
	"patchesJson6902": "patch", "replacements": "replacement file", "openapi": "OpenAPI schema",
	"generators": "generator", "transformers": "transformer", "validators": "validator",
	"configMapGenerator": "generator file", "secretGenerator": "generator file",
}

// checkEntry checks one path of a kustomization. dirOK is true for fields
// whose entries may be directories (bases, components): those are visited.
func (u *unit) checkEntry(k *kustomization, fieldName string, n *yaml.Node, dirOK bool) {
	u.checkPath(k, k.dispFile, fieldNoun[fieldName], n, dirOK)
}

// checkPath checks path n, written in file, that kustomization k's loader
// reads: an entry of k, or a path in the configuration of a plugin that k
// runs. noun says what the path names.
func (u *unit) checkPath(k *kustomization, file, noun string, n *yaml.Node, dirOK bool) {
	p := strings.TrimSpace(n.Value)
	if isRemote(p) {
		u.refuse(file, n, "remote %s %q is not supported: meshlint builds kustomizations offline and never fetches bases or files; vendor it into the repository, or %s", noun, p, offlineHint)
		return
	}
	target := p
	if !filepath.IsAbs(target) {
		target = filepath.Join(k.dir, p)
	}
	st, err := os.Stat(target)
	if err != nil {
		return // kustomize reports a missing file
	}
	if dirOK && st.IsDir() {
		u.visit(target, filepath.Join(k.disp, p))
		return
	}
	if !isInside(k.dir, target) {
		u.refuse(file, n, "%s %q is outside the kustomization's directory %s: meshlint builds with kustomize's root-only load restrictions (a file must be in or below the directory of the kustomization that names it; a directory outside it must be a base with its own kustomization file)", noun, p, k.disp)
		return
	}
	// Kustomize reads the files it names whole, with no limit and
	// whatever they are: a named pipe would block the build for ever,
	// a device never end.
	switch {
	case st.Mode().IsRegular() && st.Size() > u.opts.MaxFileSize:
		u.refuse(file, n, "%s %q is larger than the %d-byte limit (raise it with --max-file-size)", noun, p, u.opts.MaxFileSize)
	case !st.Mode().IsRegular() && !st.IsDir():
		u.refuse(file, n, "%s %q is not a regular file (a %s): kustomize would wait on it, or read it without end", noun, p, fileType(st.Mode()))
	case st.Mode().IsRegular() && parsedByKustomize[noun]:
		u.checkExpansion(target, filepath.Join(k.disp, p))
	}
}

// parsedByKustomize are the files, by what checkPath calls them, that
// kustomize parses as YAML (the others it reads as text or data).
var parsedByKustomize = map[string]bool{
	"resource": true, "patch": true, "replacement file": true, "CRD file": true, "configuration": true,
	"OpenAPI schema": true, "generator": true, "transformer": true, "validator": true,
}

// checkExpansion refuses a file that kustomize would parse, displayed as
// disp, whose aliases expand beyond what the loader reads in a walk
// (checkAliases): kyaml expands them while it builds, with no bound, and a
// "billion laughs" file took gigabytes and never ended. What does not
// parse is left to kustomize, which says so.
func (u *unit) checkExpansion(path, disp string) {
	if u.expanded[path] {
		return
	}
	u.expanded[path] = true
	data, err := readFile(path, u.opts.MaxFileSize)
	if err != nil {
		return
	}
	docs, _ := parseDocuments(disp, data)
	for _, d := range docs {
		if e := checkAliases(disp, d.index, d.node); e != nil {
			// The build is refused, not the document left out.
			e.Msg = strings.Replace(e.Msg, " is left out:", ":", 1)
			e.Err = errors.New("kustomize would expand it without bound, so the build is refused")
			u.errs = append(u.errs, e)
		}
	}
}

// builtinPlugins are the generator and transformer kinds built into
// kustomize: the only ones meshlint lets it run.
var builtinPlugins = sync.OnceValue(func() map[string]bool {
	m := map[string]bool{}
	for _, n := range krusty.GetBuiltinPluginNames() {
		m[n] = true
	}
	return m
})

// checkPlugins checks the generators, transformers or validators of a
// kustomization: entries are plugin configuration files, directories of
// them (kustomizations) or inline configurations.
func (u *unit) checkPlugins(k *kustomization, fieldName string, v *yaml.Node) {
	for _, it := range items(v) {
		switch {
		case it.Kind == yaml.MappingNode:
			u.checkPluginConfig(k, k.dispFile, it)
		case isString(it) && strings.Contains(it.Value, "\n"):
			docs, errs := parseDocuments(k.dispFile, []byte(it.Value))
			inline := len(errs) == 0
			for _, d := range docs {
				inline = inline && d.node.Kind == yaml.MappingNode
				placeAll(d.node, it)
				u.checkPluginConfig(k, k.dispFile, d.node)
				u.pluginDuplicates(k.dispFile, d.node)
			}
			if !inline {
				// Kustomize reads an entry that is not a configuration
				// as a path, newline and all, and clones it when it
				// looks like a repository (configureExternalGenerators,
				// accumulateResources, loader.New).
				u.checkEntry(k, fieldName, it, false)
			}
		case isString(it):
			u.checkEntry(k, fieldName, it, true)
			p := it.Value
			if !filepath.IsAbs(p) {
				p = filepath.Join(k.dir, p)
			}
			if isRemote(it.Value) {
				continue
			}
			if st, err := os.Stat(p); err == nil && st.IsDir() {
				u.checkPluginDir(k, p, filepath.Join(k.disp, it.Value), map[string]bool{})
				continue
			}
			if isInside(k.dir, p) {
				u.checkPluginFile(k, p, filepath.Join(k.disp, it.Value))
			}
		}
	}
}

// checkPluginFile checks the plugin configurations in file p, displayed as
// disp, that kustomization k runs.
func (u *unit) checkPluginFile(k *kustomization, p, disp string) {
	st, err := os.Stat(p)
	if err != nil || !st.Mode().IsRegular() {
		return // kustomize reports a missing file
	}
	data, err := readFile(p, u.opts.MaxFileSize)
	if err != nil {
		return
	}
	docs, _ := parseDocuments(disp, data)
	for _, d := range docs {
		u.checkPluginConfig(k, disp, d.node)
		u.pluginDuplicates(disp, d.node)
	}
}

// checkPluginDir checks the plugin configurations that a directory dir,
// named by a generators, transformers or validators entry of kustomization
// k, holds: kustomize builds the kustomization there and configures a
// plugin from each resource it yields, with k's loader
// (configureExternalGenerators, LoadGenerators). Its resources, and those
// of its bases and components, are plugin configurations; the directory's
// own kustomization was visited as any other. What its patches or
// replacements would change in them is beyond a check of the files: a
// path turned into a URL there is fetched by kustomize's file loader
// during the build. So such a directory may hold only what cannot write
// into the configurations (pluginDirFields).
func (u *unit) checkPluginDir(k *kustomization, dir, disp string, seen map[string]bool) {
	r := realPath(dir)
	if seen[r] {
		return
	}
	seen[r] = true
	name := kustomizationIn(dir)
	if name == "" {
		return // kustomize reports it
	}
	data, err := readFile(filepath.Join(dir, name), u.opts.MaxFileSize)
	if err != nil {
		return // visit reported it
	}
	file := filepath.Join(disp, name)
	n := firstDoc(file, data)
	for key, v := range yamlpath.Entries(n) {
		field := kustField(key.Value)
		if !pluginDirFields[field] || field == "labels" && labelsWithFields(v) {
			u.refuse(file, key, "%s in %s is not supported: kustomize builds the plugin configurations there, and %s may write into the files they load a remote one, which kustomize would fetch and meshlint cannot see before it does; write the configurations as they are meant, or %s",
				key.Value, disp, key.Value, offlineHint)
			continue
		}
		switch field {
		case "resources", "bases", "components":
		default:
			continue
		}
		for _, it := range stringItems(v) {
			if isRemote(it.Value) {
				continue // visit refused it
			}
			p := it.Value
			if !filepath.IsAbs(p) {
				p = filepath.Join(dir, p)
			}
			if st, err := os.Stat(p); err == nil && st.IsDir() {
				u.checkPluginDir(k, p, filepath.Join(disp, it.Value), seen)
			} else if isInside(dir, p) {
				u.checkPluginFile(k, p, filepath.Join(disp, it.Value))
			}
		}
	}
}

// pluginDirFields are the fields of a kustomization that builds plugin
// configurations (checkPluginDir) that cannot write a value into a
// configuration's paths: its resources and where they come from, and what
// only sets names, namespaces, labels and annotations on the kinds
// kustomize knows (its default field specs; configurations, which could
// widen them, are not among these, nor labels with their own fields).
var pluginDirFields = map[string]bool{
	"apiVersion": true, "kind": true, "metadata": true, "resources": true, "bases": true, "components": true,
	"namespace": true, "namePrefix": true, "nameSuffix": true, "commonLabels": true, "labels": true,
	"commonAnnotations": true, "buildMetadata": true, "sortOptions": true,
}

// labelsWithFields reports whether a labels entry of list v names fields
// of its own, which may be any path of any kind.
func labelsWithFields(v *yaml.Node) bool {
	for _, it := range items(v) {
		if structField(it, "fields") != nil {
			return true
		}
	}
	return false
}

func isInside(dir, p string) bool {
	rel, err := filepath.Rel(dir, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// placeAll gives every node of the tree n the position of at.
func placeAll(n, at *yaml.Node) {
	n.Line, n.Column = at.Line, at.Column
	for _, c := range n.Content {
		placeAll(c, at)
	}
}

var functionAnnotations = []string{"config.kubernetes.io/function", "config.k8s.io/function"}

var functionType = regexp.MustCompile(`(?m)^\s*(exec|container|starlark):`)

// checkPluginConfig refuses a plugin configuration, run by kustomization
// k, that is not a builtin kustomize plugin, runs a KRM function, inflates
// a helm chart or names a remote file.
func (u *unit) checkPluginConfig(k *kustomization, file string, n *yaml.Node) {
	if n.Kind != yaml.MappingNode {
		return
	}
	kind := yamlpath.Field(n, "kind")
	kindName := fieldValue(n, "kind")
	at := n
	if kind != nil {
		at = kind
	}
	ann := yamlpath.Field(yamlpath.Field(n, "metadata"), "annotations")
	for _, a := range functionAnnotations {
		if fv := yamlpath.Field(ann, a); fv != nil {
			how := "a KRM function"
			if m := functionType.FindStringSubmatch(fv.Value); m != nil {
				how = map[string]string{"exec": "an exec function", "container": "a container function", "starlark": "a starlark function"}[m[1]]
			}
			u.refuse(file, fv, "%s %s runs %s (%s): meshlint refuses exec and container plugins and KRM functions, which run programs; %s", kindName, fieldValue(yamlpath.Field(n, "metadata"), "name"), how, a, offlineHint)
			return
		}
	}
	switch {
	case kindName == "HelmChartInflationGenerator":
		u.refuse(file, at, "helm chart inflation (%s) is not supported: it runs helm, which may download charts; render the chart with `helm template` and list the output under resources, or %s", kindName, offlineHint)
	case !builtinPlugins()[kindName]:
		u.refuse(file, at, "plugin %q is not a kustomize builtin: meshlint runs kustomize's builtin generators and transformers only, not exec, container or Go plugins; %s", kindName, offlineHint)
	default:
		for _, p := range pluginPaths(kindName, n) {
			u.checkPath(k, file, p.noun, p.node, false)
		}
	}
}

// pluginPath is a path in a plugin configuration, with what it names.
type pluginPath struct {
	noun string
	node *yaml.Node
}

// pluginPaths returns the paths that the configuration n of builtin plugin
// kind names: files the plugin reads with the loader of the kustomization
// that runs it, which fetches http(s) URLs before any load restriction
// applies (kustomize/api v0.21.2, internal/builtins: PatchTransformer.go:46,
// PatchJson6902Transformer.go:42, PatchStrategicMergeTransformer.go:61,
// ReplacementTransformer.go:33, ValueAddTransformer.go:59, and kv/kv.go:83
// and 95 for ConfigMapGenerator and SecretGenerator). Each plugin decodes
// its configuration with sigs.k8s.io/yaml: field names in any case.
func pluginPaths(kind string, n *yaml.Node) []pluginPath {
	var out []pluginPath
	add := func(noun string, nodes ...*yaml.Node) {
		for _, v := range nodes {
			if isString(v) {
				out = append(out, pluginPath{noun, v})
			}
		}
	}
	switch kind {
	case "PatchTransformer", "PatchJson6902Transformer":
		add("patch", structFields(n, "path")...)
	case "PatchStrategicMergeTransformer":
		// An entry that parses as a patch is one; on one line, it is
		// read as a path first.
		for _, v := range structFields(n, "paths") {
			for _, it := range stringItems(v) {
				if !strings.Contains(it.Value, "\n") {
					add("patch", it)
				}
			}
		}
	case "ReplacementTransformer":
		for _, v := range structFields(n, "replacements") {
			for _, it := range items(v) {
				add("replacement file", structFields(it, "path")...)
			}
		}
	case "ConfigMapGenerator", "SecretGenerator":
		add("generator file", generatorFiles(n)...)
	case "ValueAddTransformer":
		add("target file", structFields(n, "targetFilePath")...)
	}
	return out
}

// originFS serves the root kustomization file with
// `buildMetadata: [originAnnotations]` added, so that kustomize records the
// file every resource comes from, without editing the user's file.
type originFS struct {
	filesys.FileSystem
	roots []string
}

func (f originFS) ReadFile(p string) ([]byte, error) {
	data, err := f.FileSystem.ReadFile(p)
	if err != nil || !slices.Contains(f.roots, filepath.Clean(p)) {
		return data, err
	}
	return withOriginAnnotations(data), nil
}

func withOriginAnnotations(data []byte) []byte {
	rn, err := yaml.Parse(string(data))
	if err != nil || rn.YNode().Kind != yaml.MappingNode {
		return data // kustomize reports it
	}
	bm, err := rn.Pipe(yaml.LookupCreate(yaml.SequenceNode, "buildMetadata"))
	if err != nil || bm == nil || bm.YNode().Kind != yaml.SequenceNode {
		return data
	}
	for _, it := range bm.YNode().Content {
		if it.Value == types.OriginAnnotations {
			return data
		}
	}
	bm.YNode().Content = append(bm.YNode().Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: types.OriginAnnotations})
	s, err := rn.String()
	if err != nil {
		return data
	}
	return []byte(s)
}

// build runs kustomize and turns its output into objects.
func (u *unit) build() *kustResult {
	fr := &kustResult{unmodelled: map[string]int{}}
	fr.errors = append(fr.errors, u.dups...)
	name := filepath.Base(u.file)
	m, said, err := runCaptured(originFS{FileSystem: filesys.MakeFsOnDisk(), roots: []string{filepath.Join(u.abs, name), filepath.Join(realPath(u.abs), name)}}, u.abs)
	fr.warnings = u.kustomizeWarnings(said)
	if err != nil {
		fr.errors = append(fr.errors, u.buildError(err))
		return fr
	}
	o := newOrigins(u)
	// A key written twice is reported once at each place: a patch that
	// applies to several objects, or whose copies reach the object, is
	// one mistake of its file.
	reported := map[string]bool{}
	report := func(errs []*Error) {
		for _, e := range errs {
			if e.Msg == duplicateKeyMsg {
				at := fmt.Sprintf("%s:%d:%d", e.File, e.Line, e.Col)
				if reported[at] {
					continue
				}
				reported[at] = true
			}
			fr.errors = append(fr.errors, e)
		}
	}
	for _, r := range m.Resources() {
		origin, _ := r.GetOrigin()
		objs, errs := o.object(r.YNode(), origin, fr.unmodelled)
		fr.objects = append(fr.objects, objs...)
		report(errs)
	}
	// Copies that reached an object were reported with what they do
	// there.
	report(o.dups)
	fr.files = len(o.files) + len(u.kusts)
	return fr
}

type kustResult struct {
	files      int
	objects    []*Object
	errors     []*Error
	warnings   []*Error
	unmodelled map[string]int
}

// runCaptured runs kustomize, under kustomizeMu, and returns what it wrote
// on stderr, and the warnings it logged, line by line, instead of letting
// them reach the user's terminal: they name no file, and one reads
// "# Warning: …" among meshlint's file:line:col messages.
//
// Kustomize writes them with fmt.Fprintf(os.Stderr, …) and log.Printf, so
// the only way to catch them is to point os.Stderr and the standard logger
// elsewhere while it runs. That is global state, changed here alone, under
// kustomizeMu, which every build holds, and restored before the lock is
// let go. It is sound because nothing else in meshlint writes through
// either while a build runs: the loader's workers are done (builds run
// after them, one at a time), the CLI writes to the stderr it was handed
// (Env.Stderr, the *os.File os.Stderr was at start, which stays the
// terminal), and meshlint does not use the log package. The log package
// locks its own writer, so SetOutput needs no more.
func runCaptured(fSys filesys.FileSystem, dir string) (m resmap.ResMap, said []string, err error) {
	kustomizeMu.Lock()
	defer kustomizeMu.Unlock()
	r, w, perr := os.Pipe()
	if perr != nil {
		// Better kustomize's raw lines than no build.
		m, err = runKustomize(fSys, dir)
		return m, nil, err
	}
	var out bytes.Buffer
	drained := make(chan struct{})
	go func() {
		// A pipe holds 64 KiB: read as kustomize writes.
		_, _ = io.Copy(&out, r)
		_ = r.Close()
		close(drained)
	}()
	stderr, logOut, logFlags, logPrefix := os.Stderr, log.Writer(), log.Flags(), log.Prefix()
	logged := &kustomizeLog{through: logOut}
	os.Stderr = w
	log.SetOutput(logged)
	log.SetFlags(0) // no date before each line
	log.SetPrefix("")
	func() {
		defer func() {
			os.Stderr = stderr
			log.SetOutput(logOut)
			log.SetFlags(logFlags)
			log.SetPrefix(logPrefix)
			_ = w.Close()
		}()
		m, err = runKustomize(fSys, dir)
	}()
	<-drained
	for _, line := range strings.Split(out.String()+logged.kept.String(), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			said = append(said, line)
		}
	}
	return m, said, err
}

// kustomizeWarningLogged matches the warnings kustomize logs in a build
// (kustomize/api v0.21.2: internal/accumulator, filters/refvar, krusty).
var kustomizeWarningLogged = regexp.MustCompile(`^(well-defined vars that were never replaced: |MakePrimitiveReplacer: |Warning: Sorting order is set both in )`)

// kustomizeLog takes what kustomize logs during a build. It keeps the
// warnings it knows, and lets any other message through to the log's own
// writer at once, as before: kustomize also logs with log.Fatal, which
// exits right after, and that message must not be lost. The log package
// calls Write once per message, serialised.
type kustomizeLog struct {
	kept    bytes.Buffer
	through io.Writer
}

func (l *kustomizeLog) Write(p []byte) (int, error) {
	if kustomizeWarningLogged.Match(p) {
		return l.kept.Write(p)
	}
	return l.through.Write(p)
}

// kustomizeDeprecation is kustomize's warning about a deprecated field.
var kustomizeDeprecation = regexp.MustCompile(`^# Warning: '(\w+)' is deprecated\. Please use '(\w+)' instead\.`)

// kustomizeWarnings returns the warnings of a build: the deprecated fields
// found by check, at each field, then every other line kustomize said, on
// the root kustomization. Its line about a deprecated field is dropped
// when check found the field: it says the same with no file. The line
// about sortOptions set "both in 'kustomization.yaml' and in a CLI flag
// ('--reorder')" is dropped too: the flag is an option of kustomize's API
// that meshlint sets, not something the user wrote.
func (u *unit) kustomizeWarnings(said []string) []*Error {
	found := map[string]bool{}
	for _, w := range u.warnings {
		found[w.Msg] = true
	}
	out := slices.Clone(u.warnings)
	for _, line := range said {
		if m := kustomizeDeprecation.FindStringSubmatch(line); m != nil {
			msg := deprecationMessage(m[1], m[2])
			if !found[msg] {
				found[msg] = true
				out = append(out, &Error{File: u.file, Msg: msg})
			}
			continue
		}
		if strings.HasPrefix(line, "Warning: Sorting order is set both in 'kustomization.yaml'") {
			continue
		}
		out = append(out, &Error{File: u.file, Msg: "kustomize: " + strings.TrimPrefix(line, "# Warning: ")})
	}
	return out
}

var outsideRoot = regexp.MustCompile(`security; file '([^']*)' is not in or below '([^']*)'`)

// buildError turns a kustomize error into an Error on the root
// kustomization, with paths shown as the user would write them.
func (u *unit) buildError(err error) *Error {
	msg := err.Error()
	if m := outsideRoot.FindStringSubmatch(msg); m != nil {
		file := u.display(m[1])
		if st, err := os.Lstat(m[1]); err == nil && st.Mode()&os.ModeSymlink != 0 {
			file += " (a link to " + u.display(realPath(m[1])) + ")"
		}
		return &Error{File: u.file, Msg: fmt.Sprintf("%s is outside the kustomization's directory %s: meshlint builds with kustomize's root-only load restrictions (a file must be in or below the directory of the kustomization that names it)", file, u.display(m[2]))}
	}
	return &Error{File: u.file, Msg: "kustomize build failed", Err: errors.New(u.relativize(msg))}
}

// display shows an absolute path relative to the unit's displayed
// directory, as other paths are shown.
func (u *unit) display(p string) string {
	for _, base := range []string{u.abs, realPath(u.abs)} {
		if rel, err := filepath.Rel(base, p); err == nil {
			return filepath.Join(u.disp, rel)
		}
	}
	return p
}

// relativize shows the absolute paths in a kustomize message relative to
// the working directory, as other paths are shown (unless the user named
// the kustomization by an absolute path).
func (u *unit) relativize(msg string) string {
	if filepath.IsAbs(u.disp) {
		return msg
	}
	wd := absPath(u.opts.Dir, ".")
	for _, base := range []string{wd, realPath(wd)} {
		msg = strings.ReplaceAll(msg, base+string(filepath.Separator), "")
	}
	return msg
}

// addKustomization records a kustomization directory for the walker: it is
// built, not walked.
func (w *walker) addKustomization(dir string) {
	key := "kustomize:" + realPath(abs(w.dir, dir))
	if w.seen[key] {
		return
	}
	w.seen[key] = true
	w.kusts = append(w.kusts, dir)
}
