// Package cli implements the meshlint command: lint (the default), rules,
// explain and version.
package cli

import (
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/internal/suggest"
)

// Version is meshlint's version, set at build time with
// -ldflags "-X github.com/meshlint/meshlint/internal/cli.Version=…".
var Version = "0.1.0-dev"

// Exit codes.
const (
	ExitClean    = 0
	ExitFindings = 1
	ExitError    = 2
)

// Env is the process environment a command runs in; tests fake it.
type Env struct {
	Stdin io.Reader
	// Stdout takes what the user asked for: a failed write to it is an
	// error (exit 2). Stderr takes messages, and a message that cannot be
	// written has nowhere else to go: writes to it discard their error.
	Stdout, Stderr io.Writer
	// Getenv reads environment variables.
	Getenv func(string) string
	// Dir is the working directory.
	Dir string
	// IsTerminal reports whether a writer is a terminal.
	IsTerminal func(io.Writer) bool
	// ProgressDelay is how long a run goes before it shows its progress
	// line on a terminal (zero: a second).
	ProgressDelay time.Duration
}

// Main runs meshlint with the given arguments and returns the exit code.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	dir, _ := os.Getwd()
	return Run(args, &Env{Stdin: stdin, Stdout: stdout, Stderr: stderr, Getenv: os.Getenv, Dir: dir, IsTerminal: isTerminal})
}

// Run dispatches to a subcommand.
func Run(args []string, env *Env) int {
	if len(args) > 0 {
		switch args[0] {
		case "rules":
			return cmdRules(args[1:], env)
		case "explain":
			return explainFlags(args[1:], env)
		case "config":
			return cmdConfig(args[1:], env)
		case "reach":
			return cmdReach(args[1:], env)
		case "version", "--version":
			return cmdVersion(args[1:], env)
		case "help":
			return cmdHelp(args[1:], env)
		case "-h", "-help", "--help":
			// A flag, as in `meshlint -h .`: what follows is not a command.
			return writeStdout(env, usage)
		case "lint":
			args = args[1:]
		}
	}
	return cmdLint(args, env)
}

const usage = `meshlint audits Istio and Kubernetes network manifests offline.

Usage:
  meshlint [flags] [PATH...]    lint files, directories (recursively) or - for stdin;
                                no PATH: the working directory
  meshlint rules [--format json] list the rules
  meshlint explain RULE          show a rule's documentation
  meshlint config init [--force] write a commented default .meshlint.yaml
  meshlint reach [flags] PATH... list who can connect to whom under the network policies
  meshlint version

Run 'meshlint lint -h' for the lint flags, and 'meshlint COMMAND -h' (or
'meshlint help COMMAND') for the usage of another command.
Exit codes: 0 clean, 1 findings at or above --fail-on, 2 some input could not be
read (the rest is still reported) or a usage error.
`

// commands are the subcommands `meshlint help CMD` knows.
var commands = []string{"lint", "rules", "explain", "config", "reach", "version"}

// cmdHelp writes the usage, or that of the command named, as -h after the
// command does (go help build).
func cmdHelp(args []string, env *Env) int {
	switch {
	case len(args) == 0 || len(args) == 1 && args[0] == "help":
		return writeStdout(env, usage)
	case contains(commands, args[0]):
		// help config init is config init -h.
		return Run(append(slices.Clone(args), "-h"), env)
	}
	msg := fmt.Sprintf("unknown command %q", args[0])
	if meant, ok := suggest.Closest(args[0], commands); ok {
		msg += fmt.Sprintf(" (did you mean %q?)", meant)
	} else {
		msg += " (want one of " + strings.Join(commands, ", ") + ")"
	}
	fmt.Fprintf(env.Stderr, "meshlint help: %s\n", msg)
	return ExitError
}

const versionUsage = `Usage: meshlint version

Prints meshlint's version. It takes no flags.
`

// cmdVersion prints the version. Its arguments go through parseFlags, as
// other commands' do, so that -h asks for the usage rather than being
// dropped, and a mistake is not taken for success.
func cmdVersion(args []string, env *Env) int {
	fs := flag.NewFlagSet("meshlint version", flag.ContinueOnError)
	pos, code, ok := parseFlags(fs, args, env, "meshlint version -h", func(w io.Writer) {
		fmt.Fprint(w, versionUsage)
	})
	if !ok {
		return code
	}
	if len(pos) > 0 {
		fmt.Fprintf(env.Stderr, "meshlint version: takes no arguments, got %q\n", pos[0])
		return ExitError
	}
	return writeStdout(env, "meshlint "+Version+"\n")
}

// explainFlags reads explain's arguments as other commands' are read: -h
// anywhere (explain MR101 -h) asks for the usage, and an unknown flag is a
// mistake rather than a rule that does not exist. explain has no flags of
// its own, so what remains is the rule.
func explainFlags(args []string, env *Env) int {
	fs := flag.NewFlagSet("meshlint explain", flag.ContinueOnError)
	pos, code, ok := parseFlags(fs, args, env, "meshlint explain -h", func(w io.Writer) {
		fmt.Fprint(w, explainUsage)
	})
	if !ok {
		return code
	}
	return cmdExplain(pos, env)
}

// writeStdout writes a command's whole output, s, to stdout. It returns
// ExitClean, or ExitError when s could not be written.
func writeStdout(env *Env, s string) int {
	if _, err := io.WriteString(env.Stdout, s); err != nil {
		fmt.Fprintf(env.Stderr, "meshlint: %v\n", err)
		return ExitError
	}
	return ExitClean
}

// warnInput writes the input's warnings (a kustomization's deprecated
// field) to stderr, as compilers do: file:line:col: warning: message. They
// are no finding and no error: the exit code and stdout stay as they are.
func warnInput(env *Env, warnings []*manifest.Error) {
	for _, w := range warnings {
		pos := w.File
		if w.Line > 0 {
			pos = fmt.Sprintf("%s:%d:%d", w.File, w.Line, w.Col)
		}
		fmt.Fprintf(env.Stderr, "meshlint: %s: warning: %s\n", pos, w.Msg)
	}
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// listFlag is a flag that may be repeated and also takes comma lists.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(v string) error {
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			*l = append(*l, p)
		}
	}
	return nil
}
