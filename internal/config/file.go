package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Names are the file names Find looks for, in order of preference.
var Names = []string{".meshlint.yaml", ".meshlint.yml"}

// File is a parsed .meshlint.yaml. Unset settings are empty (nil for
// ClosedWorld) so that the caller can tell them from explicit values.
type File struct {
	// Path is the file's name as messages show it.
	Path string
	// Dir is the absolute directory that ignore-paths and mesh-config are
	// relative to: the file's own directory.
	Dir string

	// Enable, when not empty, restricts the run to these rules; Disable
	// turns rules off. Both hold IDs or names.
	Enable, Disable []RuleRef
	// Severity overrides rules' default severities, in file order.
	Severity []SeverityOverride
	// IgnorePaths are the files and directories never read.
	IgnorePaths []*Glob
	// FailOn is "error", "warning", "info" or "none".
	FailOn string
	// Namespace is given to objects that set none.
	Namespace string
	// ClosedWorld sets Mesh.ClosedWorld.
	ClosedWorld *bool
	// MeshConfig is the path of an Istio MeshConfig to read (see
	// ReadMeshConfig), resolved against Dir.
	MeshConfig string
	// meshConfigWritten and meshConfigLine are mesh-config as written and
	// its line, for the message when the file it names cannot be read.
	meshConfigWritten string
	meshConfigLine    int
	// Mesh are the mesh settings written in the file; they override those
	// of MeshConfig.
	Mesh MeshSettings
}

// RuleRef names a rule by ID or name, at a line of the file.
type RuleRef struct {
	Name string
	Line int
}

// SeverityOverride sets the severity of a rule: "error", "warning" or
// "info".
type SeverityOverride struct {
	Rule     RuleRef
	Severity string
}

// Errorf returns an error at a line of the file, for problems the caller
// finds (an unknown rule).
func (f *File) Errorf(line int, format string, args ...any) error {
	return &Error{File: f.Path, Line: line, Msg: fmt.Sprintf(format, args...)}
}

// Ignored reports whether an ignore-paths pattern matches path, an absolute
// path. Paths outside the file's directory are never ignored.
func (f *File) Ignored(path string) bool {
	if len(f.IgnorePaths) == 0 {
		return false
	}
	rel, err := filepath.Rel(f.Dir, path)
	if err != nil {
		return false
	}
	rel = filepath.ToSlash(rel)
	if rel == ".." || strings.HasPrefix(rel, "../") {
		return false
	}
	for _, g := range f.IgnorePaths {
		if g.Match(rel) {
			return true
		}
	}
	return false
}

// Find looks for a configuration file in dir and then in each directory
// above it, up to the filesystem root, and returns its path, or "" when
// there is none.
func Find(dir string) string {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return ""
	}
	for {
		for _, name := range Names {
			p := filepath.Join(dir, name)
			if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
				return p
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// ReadFile reads and checks the configuration file at path. Messages name
// the file display (path when empty). As with Parse, a file with mistakes
// comes back with its errors and what could be read of it; the file is nil
// only when it could not be read at all.
func ReadFile(path, display string) (*File, error) {
	if display == "" {
		display = path
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &Error{File: display, Msg: fmt.Sprintf("cannot read: %v", unwrapPathError(err))}
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, &Error{File: display, Msg: err.Error()}
	}
	f, err := Parse(display, data)
	f.Dir = filepath.Dir(abs)
	if f.MeshConfig != "" && !filepath.IsAbs(f.MeshConfig) {
		f.MeshConfig = filepath.Join(f.Dir, f.MeshConfig)
	}
	return f, err
}

// ReadMeshConfigData reads the MeshConfig that mesh-config names. That it
// cannot be read is a mistake of this file, not of the MeshConfig: the
// error is at the line of mesh-config and names the path as written there,
// which is what the user has to correct (the caller may report it with
// the file's other mistakes, see Join). The caller parses the data with
// ParseMeshConfig, whose errors name the MeshConfig.
func (f *File) ReadMeshConfigData() ([]byte, error) {
	data, err := os.ReadFile(f.MeshConfig)
	if err != nil {
		return nil, f.Errorf(f.meshConfigLine, "mesh-config: cannot read %s: %v", f.meshConfigWritten, unwrapPathError(err))
	}
	return data, nil
}

// unwrapPathError drops the *fs.PathError wrapper, whose path the message
// already names.
func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// The top-level keys of a configuration file.
var fileKeys = []string{
	"version", "rules", "severity", "ignore-paths", "fail-on", "namespace",
	"closed-world", "mesh-config", "mesh", "flagger", "kubernetes",
}

var meshKeys = []string{
	"root-namespace", "cluster-domain", "trust-domain", "default-export-to",
	"outbound-traffic-policy", "enable-auto-mtls", "scope-gateway-to-namespace",
}

var exportToKeys = []string{"service", "virtual-service", "destination-rule"}

// severityNames are the severities a file may name, and what they mean;
// they are those rules.ParseSeverity reads (a test checks it).
var severityNames = map[string]string{
	"error": "error", "warning": "warning", "warn": "warning", "info": "info", "note": "info",
}

// Parse reads a configuration file's content. name is the file's name in
// messages. Every mistake of the file is reported, each with its line. The
// File is returned with the error, holding what could be read, so that the
// caller can add the mistakes only it can see (an unknown rule name) and
// the user gets every mistake at once (Join); it must not be used for a
// run.
func Parse(name string, data []byte) (*File, error) {
	d := &decoder{file: name}
	f := &File{Path: name}
	root := d.parseYAML(data)
	d.mapping(root, "", fileKeys, func(key string, _, v *yaml.Node) {
		switch key {
		case "version":
			switch v = resolve(v); {
			case isNull(v) || v.Kind == yaml.ScalarNode && v.Value == "1":
			case v.Kind == yaml.ScalarNode && v.ShortTag() == "!!int":
				d.errorf(v, "version: unsupported version %s (this meshlint reads version 1)", v.Value)
			default:
				d.errorf(v, "version: want the integer 1, got %s", describe(v))
			}
		case "rules":
			d.mapping(v, "rules", []string{"enable", "disable"}, func(key string, _, v *yaml.Node) {
				var refs []RuleRef
				for _, it := range d.list(v, "rules."+key) {
					refs = append(refs, RuleRef{Name: it.value, Line: d.line(it.node)})
				}
				if key == "enable" {
					f.Enable = refs
				} else {
					f.Disable = refs
				}
			})
		case "severity":
			d.mapping(v, "severity", nil, func(rule string, k, v *yaml.Node) {
				s := d.str(v, "severity."+rule)
				if s == "" {
					if isNull(resolve(v)) {
						d.errorf(k, "severity.%s: want error, warning or info", rule)
					}
					return
				}
				canon, ok := severityNames[strings.ToLower(s)]
				if !ok {
					d.errorf(v, "severity.%s: unknown severity %q (want error, warning or info)", rule, s)
					return
				}
				f.Severity = append(f.Severity, SeverityOverride{Rule: RuleRef{Name: rule, Line: d.line(k)}, Severity: canon})
			})
		case "ignore-paths":
			for _, it := range d.list(v, "ignore-paths") {
				g, err := CompileGlob(it.value)
				if err != nil {
					d.errorf(it.node, "ignore-paths: %q: %v", it.value, err)
					continue
				}
				f.IgnorePaths = append(f.IgnorePaths, g)
			}
		case "fail-on":
			s := d.str(v, "fail-on")
			if s == "" {
				return
			}
			if canon, ok := severityNames[strings.ToLower(s)]; ok {
				f.FailOn = canon
			} else if strings.EqualFold(s, "none") {
				f.FailOn = "none"
			} else {
				d.errorf(v, "fail-on: unknown severity %q (want error, warning, info or none)", s)
			}
		case "namespace":
			f.Namespace = d.namespaceName(v, "namespace")
		case "closed-world":
			f.ClosedWorld = d.boolean(v, "closed-world")
		case "mesh-config":
			f.MeshConfig = d.str(v, "mesh-config")
			f.meshConfigWritten, f.meshConfigLine = f.MeshConfig, d.line(v)
		case "mesh":
			d.meshSection(v, &f.Mesh)
		case "flagger":
			d.flaggerSection(v, &f.Mesh)
		case "kubernetes":
			d.kubernetesSection(v, &f.Mesh)
		}
	})
	return f, d.err()
}

func (d *decoder) meshSection(n *yaml.Node, s *MeshSettings) {
	d.mapping(n, "mesh", meshKeys, func(key string, _, v *yaml.Node) {
		where := "mesh." + key
		switch key {
		case "root-namespace":
			s.RootNamespace = d.namespaceName(v, where)
		case "cluster-domain":
			s.ClusterDomain = d.str(v, where)
		case "trust-domain":
			s.TrustDomain = d.str(v, where)
		case "default-export-to":
			d.mapping(v, where, exportToKeys, func(key string, _, v *yaml.Node) {
				list := d.exportTo(v, where+"."+key)
				switch key {
				case "service":
					s.DefaultServiceExportTo = list
				case "virtual-service":
					s.DefaultVirtualServiceExportTo = list
				case "destination-rule":
					s.DefaultDestinationRuleExportTo = list
				}
			})
		case "outbound-traffic-policy":
			s.OutboundTrafficPolicy = d.outboundMode(v, where)
		case "enable-auto-mtls":
			s.EnableAutoMTLS = d.boolean(v, where)
		case "scope-gateway-to-namespace":
			s.ScopeGatewayToNamespace = d.boolean(v, where)
		}
	})
}
