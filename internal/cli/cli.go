// Package cli implements the meshlint command: lint (the default), rules,
// explain and version.
package cli

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"
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
			return cmdExplain(args[1:], env)
		case "config":
			return cmdConfig(args[1:], env)
		case "reach":
			return cmdReach(args[1:], env)
		case "version", "--version":
			return writeStdout(env, "meshlint "+Version+"\n")
		case "help", "-h", "-help", "--help":
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

Run 'meshlint lint -h' for the lint flags.
Exit codes: 0 clean, 1 findings at or above --fail-on, 2 some input could not be
read (the rest is still reported) or a usage error.
`

// writeStdout writes a command's whole output, s, to stdout. It returns
// ExitClean, or ExitError when s could not be written.
func writeStdout(env *Env, s string) int {
	if _, err := io.WriteString(env.Stdout, s); err != nil {
		fmt.Fprintf(env.Stderr, "meshlint: %v\n", err)
		return ExitError
	}
	return ExitClean
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
