package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/meshlint/meshlint/internal/suggest"
)

// parseFlags parses args with fs, flags and positional arguments mixed
// (parseInterspersed). Asked for help (-h), it writes usage to stdout, as
// `meshlint --help` does, so that it pipes into a pager. A mistake is one
// line on stderr that names it, with the closest flag for a misspelt one,
// and a pointer to -h: the flag package's habit of printing the whole usage
// after the message scrolls the message out of sight. helpCmd is the
// command that lists the flags. ok is false when the command is to stop and
// exit with code.
func parseFlags(fs *flag.FlagSet, args []string, env *Env, helpCmd string, usage func(io.Writer)) (pos []string, code int, ok bool) {
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	pos, err := parseInterspersed(fs, args)
	switch {
	case err == nil:
		return pos, 0, true
	case errors.Is(err, flag.ErrHelp):
		usage(env.Stdout)
		return nil, ExitClean, false
	}
	msg := err.Error()
	if name, found := strings.CutPrefix(msg, "flag provided but not defined: -"); found {
		msg = "unknown flag " + dashed(name)
		if s := closestFlag(fs, name); s != "" {
			msg += " (did you mean " + dashed(s) + "?)"
		}
	}
	fmt.Fprintf(env.Stderr, "%s: %s\nRun '%s' for the flags.\n", fs.Name(), msg, helpCmd)
	return nil, ExitError, false
}

// printFlags writes the flags of fs and their defaults to w.
func printFlags(fs *flag.FlagSet, w io.Writer) {
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
}

// dashed writes a flag name as the usage does: -v, --format.
func dashed(name string) string {
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}

// closestFlag returns the flag of fs that name most likely meant: the one
// flag it is a prefix of (--out for --output), or else the one closest
// flag at most suggest.MaxEdits edits away, for names of 3 characters or
// more (one letter from -v is any other letter). "" when none or several
// fit.
func closestFlag(fs *flag.FlagSet, name string) string {
	var names []string
	fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
	sort.Strings(names)
	var prefixed []string
	for _, n := range names {
		if strings.HasPrefix(n, name) {
			prefixed = append(prefixed, n)
		}
	}
	if len(prefixed) == 1 {
		return prefixed[0]
	}
	if len(name) < 3 {
		return ""
	}
	best, bestDist, ties := "", suggest.MaxEdits+1, 0
	for _, n := range names {
		switch d := suggest.Distance(strings.ToLower(name), n); {
		case d < bestDist:
			best, bestDist, ties = n, d, 1
		case d == bestDist:
			ties++
		}
	}
	if ties != 1 {
		return ""
	}
	return best
}
