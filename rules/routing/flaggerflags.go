package routing

import (
	"fmt"
	"iter"
	"maps"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/internal/spec"
	"github.com/meshlint/meshlint/internal/suggest"
	"github.com/meshlint/meshlint/rules"
)

// FlaggerFlagInvalid reports a Flagger controller of the input whose
// command line stops it at start, or whose flags it never reads.
var FlaggerFlagInvalid = &rules.Rule{
	ID:      "MR158",
	Name:    "flagger-flag-invalid",
	Summary: "the Flagger controller of the input exits at start on one of its flags, or never reads some of them",
	Doc: `Flagger parses its command line with Go's ` + "`flag`" + ` package, which exits at the first flag
it cannot take: a flag Flagger does not define (` + "`flag provided but not defined: -mesh-providr`" + `), a
malformed one (` + "`---x`" + `), a flag without its value at the end, or a value of the wrong type for
an integer, duration or boolean flag (` + "`-threadiness=two`" + `, ` + "`-control-loop-interval=10`" + `, which needs
a unit, ` + "`-enable-leader-election=yes`" + `). ` + "`-help`" + ` and ` + "`-version`" + ` make it print and exit, and a
` + "`-zap-encoding`" + ` other than ` + "`json`" + ` or ` + "`console`" + ` fails its logger. The container then restarts
without end, and no Canary of the cluster progresses or rolls back: deployments of the
canaries' targets sit still, whatever their analysis says.

Parsing also stops, silently, at the first argument that is not a flag, and after ` + "`--`" + `: a
stray value (` + "`mesh-provider=linkerd`" + ` without its dash, a value left after a boolean flag) makes
Flagger ignore every flag after it. That is reported as a warning, and so is a
` + "`-log-level`" + ` its logger does not know, which gives info: ` + "`warning`" + `, which Flagger's own usage text
offers, is one (the logger knows ` + "`debug`" + `, ` + "`info`" + `, ` + "`warn`" + `, ` + "`error`" + `, ` + "`fatal`" + ` and ` + "`panic`" + `).

The rule reads the container whose image is Flagger's (as MR157 does: ` + "`command`" + ` after the
program, then ` + "`args`" + `), with the flags of Flagger v1.36.1 and the klog flags it registers. An
unknown flag is reported only for images of that version or older, since later ones may
define it; a close known flag is suggested, with a fix. An argument with a ` + "`$(VAR)`" + `
reference, which the kubelet expands from the container's environment, ends the check, as
does a command that is not Flagger itself (a shell).`,
	Bad:      flaggerFlagsExample("-mesh-providr=istio"),
	Good:     flaggerFlagsExample("-mesh-provider=istio"),
	Fix:      "replaces a misspelt flag name with the one Flagger flag it most likely means, and a log level Flagger does not know with the one it most likely means",
	Severity: rules.Error,
	Inputs:   kinds.Workloads(),
	Deps:     rules.DepNone,
	Run:      runFlaggerFlagInvalid,
}

func flaggerFlagsExample(flag string) string {
	return flaggerDeployment("istio-system", flag)
}

// flaggerDeployment is Flagger's Deployment in namespace ns, with flag
// among its arguments, for the examples of the rules that read them.
func flaggerDeployment(ns, flag string) string {
	return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: flagger
  namespace: ` + ns + `
spec:
  selector:
    matchLabels: {app: flagger}
  template:
    metadata:
      labels: {app: flagger}
    spec:
      containers:
      - name: flagger
        image: ghcr.io/fluxcd/flagger:1.36.1
        args:
        - -log-level=info
        - ` + flag + `
        - -metrics-server=http://prometheus:9090
`
}

// flagType is how Go's flag package, or klog's flag.Value, sets a flag.
type flagType int

const (
	flagString flagType = iota
	flagBool
	flagInt      // flag.IntVar: strconv.ParseInt(s, 0, 64)
	flagUint     // flag.Uint64Var: strconv.ParseUint(s, 0, 64)
	flagDuration // flag.DurationVar: time.ParseDuration
	flagLevel    // klog's -v: strconv.ParseInt(s, 10, 32)
	flagSeverity // klog's -stderrthreshold: a severity name, or as flagLevel
	flagVmodule  // klog's -vmodule: pattern=N,...
	flagTrace    // klog's -log_backtrace_at: file.go:N
)

// flaggerFlagTypes are the flags of Flagger v1.36.1: those of
// cmd/flagger/main.go and those klog.InitFlags adds (klog v2.120.1), as
// the built binary's -h lists them.
var flaggerFlagTypes = map[string]flagType{
	"kubeconfig": flagString, "kubeconfig-qps": flagInt, "kubeconfig-burst": flagInt, "master": flagString,
	"metrics-server": flagString, "control-loop-interval": flagDuration, "log-level": flagString, "port": flagString,
	"slack-url": flagString, "slack-token": flagString, "slack-proxy-url": flagString, "slack-user": flagString,
	"slack-channel": flagString, "event-webhook": flagString, "msteams-url": flagString, "msteams-proxy-url": flagString,
	"include-label-prefix": flagString, "threadiness": flagInt, "zap-replace-globals": flagBool, "zap-encoding": flagString,
	"namespace": flagString, "mesh-provider": flagString, "selector-labels": flagString,
	"ingress-annotations-prefix": flagString, "ingress-class": flagString, "enable-leader-election": flagBool,
	"leader-election-namespace": flagString, "enable-config-tracking": flagBool, "version": flagBool,
	"kubeconfig-service-mesh": flagString, "cluster-name": flagString, "no-cross-namespace-refs": flagBool,
	// klog
	"log_dir": flagString, "log_file": flagString, "log_file_max_size": flagUint, "logtostderr": flagBool,
	"alsologtostderr": flagBool, "v": flagLevel, "add_dir_header": flagBool, "skip_headers": flagBool,
	"one_output": flagBool, "skip_log_headers": flagBool, "stderrthreshold": flagSeverity, "vmodule": flagVmodule,
	"log_backtrace_at": flagTrace,
}

// flaggerCommandLine is what Flagger makes of a container's command line.
type flaggerCommandLine struct {
	// flags holds the last value of each flag read, with the string it
	// is in (a boolean flag without a value: "true" at the flag), and
	// written that string as written.
	flags, written map[string]spec.Str
	// opaque is true when the line cannot be read: an argument with a
	// $(VAR) reference, or a command that is not Flagger. flags then
	// holds what came before.
	opaque bool
	// exits are the arguments that stop Flagger at start, and why. The
	// flag package stops at the first; the others are read on as if it
	// were mended, where it is clear how (MR158 reports them all, so
	// that one fix does not reveal the next).
	exits []*flagProblem
	// end is the argument at which parsing stopped (a non-flag, or
	// "--"), and ignored the flag-like arguments after it.
	end     *spec.Str
	ignored []spec.Str
}

type flagProblem struct {
	at  spec.Str
	why string
	// unknown is the name of a flag Flagger does not define, and meant
	// the one flag it most likely means ("" when none).
	unknown, meant string
}

// readFlaggerCommandLine reads the command line of a Flagger container as
// Go's flag.FlagSet.Parse does (parseOne), then as main.go goes on: -version
// exits, and the logger fails on an encoding zap does not know.
func readFlaggerCommandLine(c *spec.Container) *flaggerCommandLine {
	cl := &flaggerCommandLine{flags: map[string]spec.Str{}, written: map[string]spec.Str{}}
	// The image's entrypoint is ./flagger; a command replaces it, and
	// the chart's holds the flags after the program.
	var argv []spec.Str
	if len(c.Command) > 0 {
		if path.Base(c.Command[0].V) != "flagger" {
			cl.opaque = true // a shell, or another program that starts Flagger
			return cl
		}
		argv = append(argv, c.Command[1:]...)
	}
	argv = append(argv, c.Args...)
	exit := func(at spec.Str, format string, args ...any) *flagProblem {
		e := &flagProblem{at: at, why: fmt.Sprintf(format, args...)}
		cl.exits = append(cl.exits, e)
		return e
	}
	for i := 0; i < len(argv); i++ {
		arg := argv[i]
		s := arg.V
		if strings.Contains(s, "$(") {
			cl.opaque = true
			return cl
		}
		if len(s) < 2 || s[0] != '-' || s == "--" {
			cl.stop(argv, i)
			break
		}
		name := strings.TrimPrefix(s[1:], "-")
		if name == "" || name[0] == '-' || name[0] == '=' {
			exit(arg, "bad flag syntax: %s", s)
			continue
		}
		name, value, hasValue := strings.Cut(name, "=")
		typ, known := flaggerFlagTypes[name]
		if !known {
			if name == "help" || name == "h" {
				exit(arg, "-%s makes Flagger print its usage and exit", name)
				if hasValue {
					break // the flag package refuses the value first; nothing is clear after it
				}
				continue
			}
			e := exit(arg, "flag provided but not defined: -%s", name)
			e.unknown = name
			e.meant, _ = suggest.Closest(name, flaggerFlagNames)
			if e.meant == "" && !hasValue {
				break // it may or may not take the next argument
			}
			typ = flaggerFlagTypes[e.meant]
		}
		at := arg
		switch {
		case typ == flagBool && !hasValue:
			value = "true"
		case !hasValue && i+1 < len(argv):
			i++
			at = argv[i]
			value = at.V
			if strings.Contains(value, "$(") {
				cl.opaque = true
				return cl
			}
		case !hasValue:
			exit(arg, "flag needs an argument: -%s", name)
			return cl
		}
		if why := badFlagValue(name, typ, value); why != "" {
			exit(at, "%s", why)
			continue
		}
		if known {
			cl.written[name] = at
			at.V = value
			cl.flags[name] = at
		}
	}
	if len(cl.exits) > 0 {
		return cl
	}
	if v, ok := cl.flags["version"]; ok {
		if b, _ := strconv.ParseBool(v.V); b {
			exit(v, "-version makes Flagger print its version and exit")
		}
	} else if enc, ok := cl.flags["zap-encoding"]; ok && enc.V != "json" && enc.V != "console" {
		exit(enc, "Flagger's logger knows the zap encodings json and console, not %q: it exits with \"Error creating logger\"", enc.V)
	}
	return cl
}

// flaggerFlagNames are the names of flaggerFlagTypes, for suggestions.
var flaggerFlagNames = slices.Sorted(maps.Keys(flaggerFlagTypes))

// stop records that parsing stopped at argv[i], and the flag-like
// arguments after it, which it never reads.
func (cl *flaggerCommandLine) stop(argv []spec.Str, i int) {
	cl.end = &argv[i]
	for _, a := range argv[i+1:] {
		if strings.HasPrefix(a.V, "-") && a.V != "-" {
			cl.ignored = append(cl.ignored, a)
		}
	}
}

// badFlagValue says why the flag package refuses value for flag name of
// type typ, in its words, or "".
func badFlagValue(name string, typ flagType, value string) string {
	var err error
	switch typ {
	case flagBool:
		if _, err := strconv.ParseBool(value); err != nil {
			return fmt.Sprintf("invalid boolean value %q for -%s: parse error", value, name)
		}
		return ""
	case flagInt:
		_, err = strconv.ParseInt(value, 0, 64)
	case flagUint:
		_, err = strconv.ParseUint(value, 0, 64)
	case flagDuration:
		_, err = time.ParseDuration(value)
	case flagLevel:
		_, err = strconv.ParseInt(value, 10, 32)
	case flagSeverity:
		switch strings.ToUpper(value) {
		case "INFO", "WARNING", "ERROR", "FATAL":
		default:
			_, err = strconv.ParseInt(value, 10, 32)
		}
	case flagVmodule:
		for _, pat := range strings.Split(value, ",") {
			if pat == "" {
				continue
			}
			p, n, ok := strings.Cut(pat, "=")
			if v, e := strconv.ParseInt(n, 10, 32); !ok || p == "" || strings.Contains(n, "=") || e != nil || v < 0 {
				err = fmt.Errorf("syntax error: expect comma-separated list of filename=N")
			}
		}
	case flagTrace:
		if value != "" {
			file, line, ok := strings.Cut(value, ":")
			if n, e := strconv.Atoi(line); !ok || strings.Contains(line, ":") || !strings.Contains(file, ".") || e != nil || n <= 0 {
				err = fmt.Errorf("syntax error: expect file.go:234")
			}
		}
	}
	if err != nil {
		return fmt.Sprintf("invalid value %q for flag -%s: parse error", value, name)
	}
	return ""
}

// flaggerKnowsFlags reports whether the flags of an image of Flagger are
// those of v1.36.1 or a subset: its tag is that version or an earlier one.
// Later versions may define flags that v1.36.1 does not.
func flaggerKnowsFlags(image string) bool {
	repo, _, _ := strings.Cut(image, "@")
	_, tag, ok := strings.Cut(path.Base(repo), ":")
	if !ok {
		return false
	}
	var v [3]int
	parts := strings.SplitN(strings.TrimPrefix(tag, "v"), ".", 3)
	if len(parts) != 3 {
		return false
	}
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return false
		}
		v[i] = n
	}
	return v[0] < 1 || v[0] == 1 && (v[1] < 36 || v[1] == 36 && v[2] <= 1)
}

func runFlaggerFlagInvalid(p *rules.Pass) error {
	g := p.Graph
	for w, c := range flaggerContainers(g) {
		cl := readFlaggerCommandLine(c)
		for _, e := range cl.exits {
			reportFlaggerExit(p, w.Obj, c, e)
		}
		if cl.end != nil && !cl.opaque {
			reportFlaggerIgnored(p, w.Obj, cl)
		}
		if len(cl.exits) == 0 {
			reportFlaggerLogLevel(p, w.Obj, cl)
		}
	}
	return nil
}

// flaggerLogLevels are the levels Flagger's logger knows
// (pkg/logger.NewLoggerWithEncoding); any other gives info.
var flaggerLogLevels = []string{"debug", "info", "warn", "error", "fatal", "panic"}

// reportFlaggerLogLevel reports a -log-level that Flagger's logger does
// not know: it logs at info, whatever was meant. Flagger's own usage
// text offers "warning", which is one of them.
func reportFlaggerLogLevel(p *rules.Pass, o *manifest.Object, cl *flaggerCommandLine) {
	level, ok := cl.flags["log-level"]
	if !ok || slices.Contains(flaggerLogLevels, level.V) {
		return
	}
	meant, _ := suggest.Closest(level.V, flaggerLogLevels)
	for _, l := range flaggerLogLevels {
		if meant == "" && len(level.V) > len(l) && strings.HasPrefix(strings.ToLower(level.V), l) {
			meant = l // "warning", "errors"
		}
	}
	msg := fmt.Sprintf("-log-level %q is no level Flagger's logger knows (%s): Flagger logs at info", level.V, strings.Join(flaggerLogLevels, ", "))
	if meant != "" {
		msg += fmt.Sprintf("; did you mean %q?", meant)
	}
	f := p.Reportf(o, level.Loc, "%s", msg).AtMost(rules.Warning)
	written := cl.written["log-level"]
	if meant == "" || !strings.HasSuffix(written.V, level.V) || !rules.Rewritable(p.Graph, o, written.Loc) {
		return
	}
	fixed := strings.TrimSuffix(written.V, level.V) + meant
	f.Fixes = append(f.Fixes, rules.Fix{
		Message: fmt.Sprintf("Change the log level to %s", meant),
		Edits:   []rules.Edit{rules.ReplaceValue(o, written.Loc, written.V, fixed)},
	})
}

// flaggerContainers yields the containers of the input whose image is
// Flagger's, in input order, with their workloads: those a controller
// would create (Flagger's primaries) are not Flagger.
func flaggerContainers(g *graph.Graph) iter.Seq2[*graph.Workload, *spec.Container] {
	return func(yield func(*graph.Workload, *spec.Container) bool) {
		for _, w := range g.Workloads {
			if w.Spec == nil || g.GeneratedBy(w.Obj) != nil {
				continue
			}
			for i := range w.Spec.Spec.Containers {
				if c := &w.Spec.Spec.Containers[i]; graph.FlaggerImage(c.Image.V) && !yield(w, c) {
					return
				}
			}
		}
	}
}

func reportFlaggerExit(p *rules.Pass, o *manifest.Object, c *spec.Container, e *flagProblem) {
	if e.unknown != "" && !flaggerKnowsFlags(c.Image.V) {
		return // a later Flagger may define it
	}
	msg := fmt.Sprintf("Flagger does not start: %s", e.why)
	if e.unknown != "" {
		msg = fmt.Sprintf("Flagger does not start: its flag parser exits with %q", e.why)
	}
	if e.meant != "" {
		msg += fmt.Sprintf("; did you mean -%s?", e.meant)
	}
	f := p.Reportf(o, e.at.Loc, "%s; the container restarts without end, and no Canary progresses", msg)
	if e.meant != "" && rules.Rewritable(p.Graph, o, e.at.Loc) {
		dashes := "-"
		if strings.HasPrefix(e.at.V, "--") {
			dashes = "--"
		}
		fixed := dashes + e.meant + strings.TrimPrefix(e.at.V, dashes+e.unknown)
		f.Fixes = append(f.Fixes, rules.Fix{
			Message: fmt.Sprintf("Change the flag to -%s", e.meant),
			Edits:   []rules.Edit{rules.ReplaceValue(o, e.at.Loc, e.at.V, fixed)},
		})
	}
}

func reportFlaggerIgnored(p *rules.Pass, o *manifest.Object, cl *flaggerCommandLine) {
	end := cl.end.V
	name, _, _ := strings.Cut(end, "=")
	_, meantFlag := flaggerFlagTypes[name]
	if len(cl.ignored) == 0 && !meantFlag {
		return // a value Flagger ignores, with nothing after it
	}
	why := fmt.Sprintf("%q is not a flag", end)
	if end == "--" {
		why = `"--" ends the flags`
	}
	var lost []string
	for _, a := range cl.ignored {
		lost = append(lost, a.V)
	}
	what := "Flagger ignores it"
	if len(lost) > 0 {
		what = fmt.Sprintf("Flagger never reads %s after it", strings.Join(lost, " "))
	}
	if meantFlag {
		what += fmt.Sprintf("; did you mean -%s?", end)
	}
	p.Reportf(o, cl.end.Loc, "flag parsing stops here: %s, and %s", why, what).AtMost(rules.Warning)
}

// flaggerFlags reads the flags of a Flagger container as Flagger does, for
// MR157. ok is false for a container that is not Flagger's, and for a
// Flagger that does not start (MR158) or whose flags cannot be read.
func flaggerFlags(c *spec.Container) (flags map[string]spec.Str, ok bool) {
	if !graph.FlaggerImage(c.Image.V) {
		return nil, false
	}
	cl := readFlaggerCommandLine(c)
	if len(cl.exits) > 0 || cl.opaque {
		return nil, false
	}
	return cl.flags, true
}
