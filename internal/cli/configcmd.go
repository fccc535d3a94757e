package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/meshlint/meshlint/internal/config"
	"github.com/meshlint/meshlint/rules"
	"github.com/meshlint/meshlint/rules/all"
)

const configUsage = `Usage:
  meshlint config init [--force] [FILE]

init writes a commented .meshlint.yaml (or FILE; - for stdout) with every
setting at its default. It does not overwrite an existing file unless
--force is given. docs/config.md describes the file.
`

func cmdConfig(args []string, env *Env) int {
	if len(args) == 0 {
		fmt.Fprint(env.Stderr, configUsage)
		return ExitError
	}
	switch args[0] {
	case "init":
		return cmdConfigInit(args[1:], env)
	case "help", "-h", "-help", "--help":
		return writeStdout(env, configUsage)
	}
	fmt.Fprintf(env.Stderr, "meshlint: unknown config command %q\n\n%s", args[0], configUsage)
	return ExitError
}

func cmdConfigInit(args []string, env *Env) int {
	fs := flag.NewFlagSet("meshlint config init", flag.ContinueOnError)
	force := fs.Bool("force", false, "overwrite an existing file")
	pos, code, ok := parseFlags(fs, args, env, "meshlint config init -h", func(w io.Writer) {
		fmt.Fprint(w, configUsage+"\nFlags:\n")
		printFlags(fs, w)
	})
	if !ok {
		return code
	}
	if len(pos) > 1 {
		fmt.Fprintln(env.Stderr, "meshlint: config init takes at most one file name")
		return ExitError
	}
	name := config.Names[0]
	if len(pos) == 1 {
		name = pos[0]
	}
	if name == "-" {
		if _, err := io.WriteString(env.Stdout, config.Template); err != nil {
			fmt.Fprintf(env.Stderr, "meshlint: %v\n", err)
			return ExitError
		}
		return ExitClean
	}
	mode := os.O_WRONLY | os.O_CREATE | os.O_EXCL
	if *force {
		mode = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	}
	file, err := os.OpenFile(absPath(env.Dir, name), mode, 0o644) //nolint:gosec // G302: a configuration file is shared like any source file
	if errors.Is(err, os.ErrExist) {
		fmt.Fprintf(env.Stderr, "meshlint: %s already exists (--force overwrites it)\n", name)
		return ExitError
	}
	if err != nil {
		fmt.Fprintf(env.Stderr, "meshlint: %v\n", err)
		return ExitError
	}
	_, err = io.WriteString(file, config.Template)
	if cerr := file.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		fmt.Fprintf(env.Stderr, "meshlint: write %s: %v\n", name, err)
		return ExitError
	}
	fmt.Fprintf(env.Stderr, "meshlint: wrote %s\n", name)
	return ExitClean
}

// configFlags are the lint flags about the configuration file, and what
// reading it produced.
type configFlags struct {
	configFile string
	noConfig   bool
	meshConfig string

	// configPath is the configuration file read, as shown to the user.
	configPath string
	// mesh, severity and ignore are the merged settings for the run.
	mesh     config.Mesh
	severity map[string]rules.Severity
	ignore   func(path string) bool
	// ignoreKey says what ignore leaves out, for the cache's key.
	ignoreKey string
}

func (c *configFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&c.configFile, "config", "", "read settings from this file instead of the first .meshlint.yaml found in the working directory or above; flags given on the command line override the file")
	fs.BoolVar(&c.noConfig, "no-config", false, "read no configuration file")
	fs.StringVar(&c.meshConfig, "mesh-config", "", "read mesh settings from an Istio MeshConfig file (the mesh key of the istio ConfigMap, the ConfigMap itself or an IstioOperator)")
}

// applyConfig reads the configuration file and the MeshConfig and merges
// them into f: a flag given on the command line wins over the file, and
// the file over the defaults. It returns a nonzero exit code on error.
func (f *lintFlags) applyConfig(fs *flag.FlagSet, env *Env) int {
	set := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	if err := f.mergeConfig(set, env); err != nil {
		// Every mistake of a file is reported, one per line.
		for _, line := range strings.Split(err.Error(), "\n") {
			fmt.Fprintf(env.Stderr, "meshlint: %s\n", line)
		}
		return ExitError
	}
	return 0
}

// mergeConfig sets the run's settings, from lowest to highest precedence:
// Istio's defaults, the file's mesh-config, the file's settings, the
// --mesh-config file, then each flag given.
func (f *lintFlags) mergeConfig(set map[string]bool, env *Env) error {
	if f.noConfig && f.configFile != "" {
		return errors.New("--config and --no-config exclude each other")
	}
	var cfg *config.File
	var err error
	switch {
	case f.noConfig:
	case f.configFile != "":
		cfg, err = config.ReadFile(absPath(env.Dir, f.configFile), f.configFile)
	default:
		if p := config.Find(env.Dir); p != "" {
			cfg, err = config.ReadFile(p, displayPath(env.Dir, p))
		}
	}
	if cfg == nil && err != nil {
		return err
	}

	// settings are the files read for settings: they are no manifests,
	// and are left out when met among them.
	settings := map[string]bool{}
	mesh := config.DefaultMesh()
	if cfg != nil {
		f.configPath = cfg.Path
		settings[absPath(env.Dir, cfg.Path)] = true
		// A file with mistakes still names rules and a MeshConfig: check
		// them too, so that every mistake of the file is reported at once.
		var meshData []byte
		var readErr error
		readMesh := cfg.MeshConfig != "" && !set["mesh-config"]
		if readMesh {
			meshData, readErr = cfg.ReadMeshConfigData()
		}
		if err := config.Join(err, f.mergeFile(cfg, set), readErr); err != nil {
			return err
		}
		if readMesh {
			s, err := config.ParseMeshConfig(displayPath(env.Dir, cfg.MeshConfig), meshData)
			if err != nil {
				return err
			}
			settings[cfg.MeshConfig] = true
			s.Apply(&mesh)
		}
		cfg.Mesh.Apply(&mesh)
		if cfg.ClosedWorld != nil {
			mesh.ClosedWorld = *cfg.ClosedWorld
		}
	}
	if set["mesh-config"] {
		s, err := config.ReadMeshConfig(absPath(env.Dir, f.meshConfig), f.meshConfig)
		if err != nil {
			return err
		}
		settings[absPath(env.Dir, f.meshConfig)] = true
		s.Apply(&mesh)
	}
	if set["root-namespace"] {
		mesh.RootNamespace = f.rootNamespace
	}
	if set["cluster-domain"] {
		mesh.ClusterDomain = f.clusterDomain
	}
	if set["closed-world"] {
		mesh.ClosedWorld = f.closedWorld
	}
	f.mesh = mesh
	keys := slices.Sorted(maps.Keys(settings))
	if cfg != nil {
		keys = append(keys, "ignore-paths below "+cfg.Dir)
		for _, g := range cfg.IgnorePaths {
			keys = append(keys, g.Pattern)
		}
	}
	f.ignoreKey = strings.Join(keys, "\n")
	f.ignore = func(p string) bool {
		p = absPath(env.Dir, p)
		return settings[p] || cfg != nil && cfg.Ignored(p)
	}
	return nil
}

// mergeFile takes the file's rule selection, severities, ignore-paths,
// fail-on and namespace where no flag says otherwise.
func (f *lintFlags) mergeFile(cfg *config.File, set map[string]bool) error {
	var errs []error
	find := func(ref config.RuleRef) *rules.Rule {
		r := rules.Find(all.Rules, ref.Name)
		if r == nil {
			errs = append(errs, cfg.Errorf(ref.Line, "%s", noRule(ref.Name)))
		}
		return r
	}
	var enable, disable []string
	for _, ref := range cfg.Enable {
		if find(ref) != nil {
			enable = append(enable, ref.Name)
		}
	}
	// A rule enabled with --enable runs even if the file disables it.
	flagOn := map[*rules.Rule]bool{}
	if set["enable"] {
		for _, n := range f.enable {
			flagOn[rules.Find(all.Rules, n)] = true
		}
	}
	for _, ref := range cfg.Disable {
		if r := find(ref); r != nil && !flagOn[r] {
			disable = append(disable, ref.Name)
		}
	}
	f.severity = map[string]rules.Severity{}
	for _, o := range cfg.Severity {
		if r := find(o.Rule); r != nil {
			f.severity[r.ID], _ = rules.ParseSeverity(o.Severity)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}

	if !set["enable"] {
		f.enable = enable
	}
	disable = append(disable, f.disable...)
	f.disable = disable
	if !set["fail-on"] && cfg.FailOn != "" {
		f.failOn = cfg.FailOn
	}
	if !set["namespace"] && cfg.Namespace != "" {
		f.namespace = cfg.Namespace
	}
	return nil
}

// absPath returns p, relative to dir, as a clean absolute path.
func absPath(dir, p string) string {
	if filepath.IsAbs(p) || dir == "" {
		return filepath.Clean(p)
	}
	return filepath.Join(dir, p)
}

// displayPath returns p relative to dir when it can, for messages.
func displayPath(dir, p string) string {
	if rel, err := filepath.Rel(dir, p); err == nil && dir != "" {
		return rel
	}
	return p
}
