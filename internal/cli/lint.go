package cli

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/meshlint/meshlint/internal/gctune"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/internal/topology"
	"github.com/meshlint/meshlint/internal/wording"
	"github.com/meshlint/meshlint/reporter"
	"github.com/meshlint/meshlint/rules"
	"github.com/meshlint/meshlint/rules/all"
	"github.com/meshlint/meshlint/rules/lintcache"
	"k8s.io/apimachinery/pkg/api/validate/content"
)

type lintFlags struct {
	reports         outputSet
	disable, enable listFlag
	failOn          string
	namespace       string
	color           string
	rootNamespace   string
	clusterDomain   string
	closedWorld     bool
	verbose         bool
	maxFileSize     int64
	cache           bool
	cacheDir        string
	noProgress      bool
	configFlags
	filterFlags
	fixFlags
}

func (f *lintFlags) register(fs *flag.FlagSet) {
	fs.Var(formatFlag{&f.reports}, "format", "output format: "+strings.Join(reporter.Formats, ", ")+" (repeatable; each goes to stdout or to the --output after it)")
	fs.Var(outputFlag{&f.reports}, "output", "write the --format given before it to this file instead of stdout (repeatable)")
	fs.Var(&f.disable, "disable", "rule IDs or names to turn off (repeatable, comma-separated)")
	fs.Var(&f.enable, "enable", "run only these rule IDs or names (repeatable, comma-separated)")
	fs.StringVar(&f.failOn, "fail-on", "error", "exit 1 when a finding is at least this severe: error, warning, info or none")
	fs.StringVar(&f.namespace, "namespace", "default", "namespace of objects that do not set one")
	fs.StringVar(&f.color, "color", "auto", "colour text output: auto, always or never (NO_COLOR is honoured)")
	fs.StringVar(&f.rootNamespace, "root-namespace", "istio-system", "Istio's config root namespace")
	fs.StringVar(&f.clusterDomain, "cluster-domain", "cluster.local", "Kubernetes cluster domain")
	fs.BoolVar(&f.closedWorld, "closed-world", false, "assume the input holds every object of the cluster")
	fs.BoolVar(&f.verbose, "v", false, "verbose: report what was read and skipped on stderr")
	fs.Int64Var(&f.maxFileSize, "max-file-size", manifest.DefaultMaxFileSize, "largest file read, in bytes")
	fs.BoolVar(&f.cache, "cache", false, "keep what was read of each file in the user's cache folder, and reuse it while the file is unchanged")
	fs.StringVar(&f.cacheDir, "cache-dir", "", "the folder of --cache (default: the user's cache folder, then meshlint); implies --cache")
	fs.BoolVar(&f.noProgress, "no-progress", false, "never show the progress line (shown on a terminal, outside CI, when a run takes over a second)")
	f.configFlags.register(fs)
	f.filterFlags.register(fs)
	f.fixFlags.register(fs)
}

// parseInterspersed parses flags that may follow positional arguments, as
// in `meshlint ./manifests --format sarif`.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

func cmdLint(args []string, env *Env) int {
	fs := flag.NewFlagSet("meshlint", flag.ContinueOnError)
	var f lintFlags
	f.register(fs)
	paths, code, ok := parseFlags(fs, args, env, "meshlint lint -h", func(w io.Writer) {
		fmt.Fprint(w, usage+"\nLint flags:\n")
		printFlags(fs, w)
	})
	if !ok {
		return code
	}
	if len(paths) == 0 {
		paths = []string{"."}
	}
	if n := count(paths, "-"); n > 1 {
		fmt.Fprintf(env.Stderr, "meshlint: - names standard input %d times: it can be read once\n", n)
		return ExitError
	}
	if code := f.validate(env); code != 0 {
		return code
	}
	if code := f.applyConfig(fs, env); code != 0 {
		return code
	}
	failOn := rules.Severity(-1)
	if f.failOn != "none" {
		failOn, _ = rules.ParseSeverity(f.failOn)
	}

	ruleSet, err := selectRules(f.enable, f.disable)
	if err != nil {
		fmt.Fprintf(env.Stderr, "meshlint: %v\n", err)
		return ExitError
	}
	if code := f.check(env, paths); code != 0 {
		return code
	}
	return f.run(env, paths, ruleSet, failOn)
}

// run lints paths with ruleSet and writes the report. With --fix it applies
// the fixes, then runs once more on the fixed files and reports that.
func (f *lintFlags) run(env *Env, paths []string, ruleSet []*rules.Rule, failOn rules.Severity) int {
	// Keep stdin's bytes for source snippets: it cannot be read twice.
	var stdinCopy bytes.Buffer
	cache := f.openCache(env, paths, ruleSet)
	// The same with the cache, which shares the maps of what it reads as
	// it decodes it: at 2, a run after an edit of the 10,000-service tree
	// took 0.72 s and 274 MB, at 1.5 0.79 s and 232 MB.
	defer gctune.Tune(1.5)()
	opts := rules.LintOptions{
		Paths: paths,
		Load: manifest.Options{
			Namespace:   f.namespace,
			MaxFileSize: f.maxFileSize,
			Stdin:       io.TeeReader(env.Stdin, &stdinCopy),
			Dir:         env.Dir,
			Ignore:      f.ignore,
		},
		Mesh: f.mesh, Rules: ruleSet, Severity: f.severity,
	}
	html := contains(f.reports.formats, "html")
	if cache != nil {
		opts.Cache = cache
		if html {
			opts.Cache = graphNeeded{cache}
		}
	}
	var progress *progressLine
	if wantProgress(env, f.noProgress, paths) {
		opts.Progress = &rules.Progress{}
		progress = startProgress(env, opts.Progress, env.ProgressDelay)
	}
	lint := rules.Lint(opts)
	progress.Stop()
	if cache != nil {
		f.closeCache(env, cache, lint)
	}
	res, findings, internal := lint.Load, lint.Findings, lint.Internal
	errs := inputErrors(res, lint.Graph)
	if len(errs) == 0 && len(res.Objects) == 0 && len(res.Unmodelled) == 0 && len(res.Ignored) == 0 {
		// A path that holds no manifest is a mistake of the command (a
		// wrong folder, a chart not rendered): passing it would let CI
		// lint nothing, green, forever. Paths left out on purpose
		// (ignore-paths) are not.
		named := slices.Clone(paths)
		for i, p := range named {
			if p == "-" {
				named[i] = manifest.StdinName
			}
		}
		errs = append(errs, &manifest.Error{File: strings.Join(named, " "), Msg: "found no Kubernetes object to lint"})
	}
	if f.verbose {
		f.describe(env.Stderr, res, len(ruleSet))
	} else if len(res.Skipped) > 0 {
		// Not in silence: a file skipped as another tool's YAML may be a
		// manifest that lost its apiVersion and kind.
		fmt.Fprintf(env.Stderr, "meshlint: skipped %s without Kubernetes manifests (helm charts, other tools' YAML); -v lists them\n",
			wording.Count(len(res.Skipped), "path", "paths"))
	}

	// The report quotes the files, and MR901 fixes find comments in them.
	source := func(file string) []byte {
		if file == manifest.StdinName {
			return stdinCopy.Bytes()
		}
		if !filepath.IsAbs(file) {
			file = filepath.Join(env.Dir, file)
		}
		b, err := os.ReadFile(file)
		if err != nil {
			return nil
		}
		return b
	}
	filt, err := f.filter(env, f.verbose, res.Objects, findings, ruleSet, f.severity, source)
	if err != nil {
		fmt.Fprintf(env.Stderr, "meshlint: %v\n", err)
		return ExitError
	}
	findings = filt.findings
	if f.fix || f.diff {
		rerun, code := f.fixes(env, findings, stdinCopy.Bytes(), paths)
		if rerun != nil {
			return max(code, f.run(env, rerun, ruleSet, failOn))
		}
		if code != 0 {
			return code
		}
	}

	// After --fix's rerun, which says them itself.
	warnInput(env, res.Warnings)

	rep := &reporter.Report{
		Tool: "meshlint", Version: Version, Rules: all.Rules,
		Findings: findings, Errors: errs, Internal: internal,
		Root: sourceRoot(env.Dir), Dir: env.Dir, Files: res.Files, Objects: len(res.Objects),
		Suppressed: filt.nsuppressed, SuppressedFindings: filt.suppressed,
		Source: source,
	}
	if html && lint.Graph != nil {
		rep.Topology = topology.Of(lint.Graph)
	}
	if code := f.write(env, rep); code != 0 {
		return code
	}
	switch {
	case len(errs) > 0 || len(internal) > 0:
		return ExitError
	case failOn >= 0 && anyAtLeast(findings, failOn):
		return ExitFindings
	}
	return ExitClean
}

func (f *lintFlags) validate(env *Env) int {
	if err := f.reports.pair(); err != nil {
		fmt.Fprintf(env.Stderr, "meshlint: %v\n", err)
		return ExitError
	}
	for _, m := range f.reports.mismatches() {
		fmt.Fprintf(env.Stderr, "meshlint: warning: %s\n", m)
	}
	for _, fm := range f.reports.formats {
		if !contains(reporter.Formats, fm) {
			fmt.Fprintf(env.Stderr, "meshlint: unknown --format %q (want %s)\n", fm, strings.Join(reporter.Formats, ", "))
			return ExitError
		}
	}
	if f.failOn != "none" {
		if _, err := rules.ParseSeverity(f.failOn); err != nil {
			fmt.Fprintf(env.Stderr, "meshlint: --fail-on: unknown severity %q (want error, warning, info or none)\n", f.failOn)
			return ExitError
		}
	}
	if code := f.checkLoad(env, "meshlint"); code != 0 {
		return code
	}
	if f.baseline != "" && f.writeBaseline != "" {
		// Writing records every finding, so the baseline read would
		// change nothing: asking for both is a slip.
		fmt.Fprintln(env.Stderr, "meshlint: --baseline and --write-baseline: give one (--write-baseline records every finding, whatever a baseline holds)")
		return ExitError
	}
	if len(f.rootNamespace) == 0 || len(content.IsDNS1123Label(f.rootNamespace)) > 0 {
		fmt.Fprintf(env.Stderr, "meshlint: --root-namespace: %q is not a valid namespace name\n", f.rootNamespace)
		return ExitError
	}
	if f.includeSuppressed && !contains(f.reports.formats, "sarif") {
		// Not an error: a CI template may pass it whatever the format.
		fmt.Fprintln(env.Stderr, "meshlint: warning: --include-suppressed only changes SARIF output, and no --format sarif is given")
	}
	switch f.color {
	case "auto", "always", "never":
	default:
		fmt.Fprintf(env.Stderr, "meshlint: --color must be auto, always or never, not %q\n", f.color)
		return ExitError
	}
	return 0
}

// checkLoad checks the flags that lint and reach share about reading the
// input, as the configuration file checks its own: a namespace the API
// server would refuse, or a size limit that is no limit, is a mistake
// rather than a setting that silently does something else.
func (f *lintFlags) checkLoad(env *Env, cmd string) int {
	if len(content.IsDNS1123Label(f.namespace)) > 0 {
		fmt.Fprintf(env.Stderr, "%s: --namespace: %q is not a valid namespace name\n", cmd, f.namespace)
		return ExitError
	}
	if f.maxFileSize <= 0 {
		fmt.Fprintf(env.Stderr, "%s: --max-file-size: %d is not a size: give the largest file to read, in bytes (default %d)\n", cmd, f.maxFileSize, manifest.DefaultMaxFileSize)
		return ExitError
	}
	return 0
}

// write writes every requested format. Formats with an --output go to
// their files; the one without goes to stdout.
func (f *lintFlags) write(env *Env, rep *reporter.Report) int {
	for i, format := range f.reports.formats {
		if f.diff && f.reports.files[i] == "" {
			continue // stdout holds the diff
		}
		w, name := env.Stdout, "stdout"
		var file *os.File
		if f.reports.files[i] != "" {
			name = f.reports.files[i]
			path := name
			if !filepath.IsAbs(path) {
				path = filepath.Join(env.Dir, path)
			}
			var err error
			if file, err = os.Create(path); err != nil {
				fmt.Fprintf(env.Stderr, "meshlint: %v\n", err)
				return ExitError
			}
			w = file
		}
		opts := reporter.Options{Color: f.useColor(env, w)}
		err := reporter.Write(w, format, rep, opts)
		if file != nil {
			if cerr := file.Close(); err == nil {
				err = cerr
			}
		}
		if err != nil {
			fmt.Fprintf(env.Stderr, "meshlint: write %s output to %s: %v\n", format, name, err)
			return ExitError
		}
	}
	return 0
}

func (f *lintFlags) useColor(env *Env, w io.Writer) bool {
	switch f.color {
	case "always":
		return true
	case "never":
		return false
	}
	return env.Getenv("NO_COLOR") == "" && env.IsTerminal != nil && env.IsTerminal(w)
}

func (f *lintFlags) describe(w io.Writer, res *manifest.Result, nrules int) {
	if f.configPath != "" {
		fmt.Fprintf(w, "meshlint: configuration from %s\n", f.configPath)
	}
	fmt.Fprintf(w, "meshlint: read %s, %s; ran %s\n", wording.Count(res.Files, "file", "files"),
		wording.Count(len(res.Objects), "object", "objects"), wording.Count(nrules, "rule", "rules"))
	if len(res.Ignored) > 0 {
		fmt.Fprintf(w, "meshlint: ignored %s (ignore-paths and settings files)\n", wording.Count(len(res.Ignored), "path", "paths"))
		for _, p := range res.Ignored {
			fmt.Fprintf(w, "meshlint: ignored %s\n", p)
		}
	}
	keys := make([]string, 0, len(res.Unmodelled))
	for k := range res.Unmodelled {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(w, "meshlint: passed over %d %s (not modelled)\n", res.Unmodelled[k], k)
	}
	for _, s := range res.Skipped {
		fmt.Fprintf(w, "meshlint: skipped %s\n", s)
	}
}

// selectRules applies --enable and --disable to the registry.
func selectRules(enable, disable []string) ([]*rules.Rule, error) {
	pick := func(names []string) (map[*rules.Rule]bool, error) {
		m := map[*rules.Rule]bool{}
		for _, n := range names {
			r := rules.Find(all.Rules, n)
			if r == nil {
				return nil, errors.New(noRule(n))
			}
			m[r] = true
		}
		return m, nil
	}
	on, err := pick(enable)
	if err != nil {
		return nil, err
	}
	off, err := pick(disable)
	if err != nil {
		return nil, err
	}
	var out []*rules.Rule
	for _, r := range all.Rules {
		if (len(on) == 0 || on[r]) && !off[r] {
			out = append(out, r)
		}
	}
	return out, nil
}

func anyAtLeast(fs []*rules.Finding, s rules.Severity) bool {
	for _, f := range fs {
		if f.Severity >= s {
			return true
		}
	}
	return false
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// openCache opens the cache of this run's input and settings, or returns
// nil without --cache. A cache that cannot be used leaves the run
// uncached, with a warning: it is never a reason to fail.
func (f *lintFlags) openCache(env *Env, paths []string, ruleSet []*rules.Rule) *lintcache.Cache {
	if !f.cache && f.cacheDir == "" {
		return nil
	}
	dir := f.cacheDir
	if dir == "" {
		base, err := os.UserCacheDir()
		if err != nil {
			fmt.Fprintf(env.Stderr, "meshlint: warning: no cache folder (%v); running without --cache\n", err)
			return nil
		}
		dir = filepath.Join(base, "meshlint")
	} else if !filepath.IsAbs(dir) {
		dir = filepath.Join(env.Dir, dir)
	}
	// The settings that change what is read of a file or found in it.
	key := fmt.Sprintf("meshlint %s\n%snamespace %s\nmesh %#v\nmax-file-size %d\nignore %q\n",
		Version, currentBuild(), f.namespace, f.mesh, f.maxFileSize, f.ignoreKey)
	for _, r := range ruleSet {
		if !r.Local {
			continue
		}
		sev := r.Severity
		if s, ok := f.severity[r.ID]; ok {
			sev = s
		}
		key += fmt.Sprintf("rule %s %s\n", r.ID, sev)
	}
	// One cache file per working directory and paths: the entries are
	// keyed by content, but keeping the input of each way of running
	// apart keeps every file small.
	where := sha256.Sum256([]byte(env.Dir + "\x00" + strings.Join(paths, "\x00")))
	return lintcache.Open(filepath.Join(dir, hex.EncodeToString(where[:12])+".cache"), key, ruleSet)
}

// graphNeeded is a cache that never supplies the findings of the last run
// (Reuse, GraphFindings), so that Lint builds the graph, which the HTML
// report draws: the files are still read through the cache, and the run
// record is still written.
type graphNeeded struct{ rules.FileCache }

func (graphNeeded) Reuse(string, []string, manifest.Options, time.Time, rules.Reread) (*manifest.Result, []*rules.Finding, bool, error) {
	return nil, nil, false, nil
}

func (graphNeeded) GraphFindings([32]byte, string, []*manifest.Object, time.Time) ([]*rules.Finding, time.Time, bool) {
	return nil, time.Time{}, false
}

func (f *lintFlags) closeCache(env *Env, c *lintcache.Cache, lint *rules.Result) {
	hits, unread, misses, ignored := c.Stats()
	if ignored != "" {
		fmt.Fprintf(env.Stderr, "meshlint: warning: cache ignored: %s\n", ignored)
	}
	if f.verbose {
		if stale := c.Stale(); stale != "" {
			fmt.Fprintf(env.Stderr, "meshlint: cache: started afresh: %s\n", stale)
		}
		if why := c.Rebuilt(); why != "" {
			fmt.Fprintf(env.Stderr, "meshlint: cache: %s\n", why)
		}
		fmt.Fprintf(env.Stderr, "meshlint: cache: %d files unchanged (%d known by their stat data), %d read\n", hits, unread, misses)
		weighted, parts := c.Weighted()
		switch {
		case c.Reused() && weighted > 0:
			fmt.Fprintf(env.Stderr, "meshlint: cache: %s changed only in route weights and in values no graph rule reads: the local rules read %s again, the rules that read weights (%s) ran again on %s, and the last run's other findings are reported again\n",
				wording.Count(weighted+c.ValuesOnly(), "file", "files"), map[bool]string{true: "it", false: "them"}[weighted+c.ValuesOnly() == 1],
				strings.Join(rules.WeightReaders(), ", "), wording.Count(parts, "partition", "partitions"))
		case c.Reused() && c.ValuesOnly() > 0:
			fmt.Fprintf(env.Stderr, "meshlint: cache: %s changed only in values no graph rule reads (a container's image, command, arguments, environment values, resources or probes, a workload's replicas, how its pods roll out, are scheduled and what they mount, annotations of no domain meshlint reads, labels of none on an object that is no pod or namespace, the release labels of pods that no selector names, a DestinationRule's connection limits, outlier thresholds and load balancing, a ConfigMap's values, a Secret's values but its certificates, a Canary's analysis, the values of an object of a kind it passes over): the local rules read %s again, and the last run's other findings are reported again\n",
				wording.Count(c.ValuesOnly(), "file", "files"), map[bool]string{true: "it", false: "them"}[c.ValuesOnly() == 1])
		case c.Reused() && hits > unread:
			fmt.Fprintf(env.Stderr, "meshlint: cache: nothing changed since the last run (%s touched, read again: the same bytes): its findings are reported again\n", wording.Count(hits-unread, "file", "files"))
		case c.Reused():
			fmt.Fprintln(env.Stderr, "meshlint: cache: no directory or file changed since the last run: its findings are reported again")
		case lint.Rerun > 0:
			fmt.Fprintf(env.Stderr, "meshlint: cache: the change reached %s: %d graph rules ran on %s alone, and kept their other findings of the last run\n",
				wording.Count(lint.Partitions, "partition", "partitions"), lint.Rerun, map[bool]string{true: "it", false: "them"}[lint.Partitions == 1])
		}
	}
	// The cache file and the run record fail apart, and often alike (a
	// folder that cannot be written): each is a warning, said once.
	said := map[string]bool{}
	for _, err := range unjoin(lint.CacheErr) {
		if msg := err.Error(); !said[msg] {
			said[msg] = true
			fmt.Fprintf(env.Stderr, "meshlint: warning: %s\n", msg)
		}
	}
}

// count returns how many of list are s.
func count(list []string, s string) int {
	n := 0
	for _, x := range list {
		if x == s {
			n++
		}
	}
	return n
}

// unjoin returns the errors errors.Join joined into err, or err alone.
func unjoin(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, unjoin(e)...)
		}
		return out
	}
	return []error{err}
}

// sourceRoot is the directory the paths of SARIF and GitHub annotations are
// relative to: the top of the git work tree that holds dir (where a .git
// folder, or the .git file of a worktree or submodule, is), since GitHub
// reads them relative to the repository, not to where meshlint ran; dir
// when it is in none.
func sourceRoot(dir string) string {
	for d := dir; ; {
		if _, err := os.Lstat(filepath.Join(d, ".git")); err == nil {
			return d
		}
		up := filepath.Dir(d)
		if up == d {
			return dir
		}
		d = up
	}
}
