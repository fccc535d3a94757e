package routing

import (
	"errors"
	"flag"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/spec"
	"k8s.io/klog/v2"
)

// TestFlaggerFlagTypes holds flaggerFlagTypes to the flags Flagger's own
// binary lists (testdata/flagger-1.36.1-flags.txt): every flag, and the
// type -h prints for it ("value" for klog's own flag.Value types).
func TestFlaggerFlagTypes(t *testing.T) {
	data, err := os.ReadFile("testdata/flagger-1.36.1-flags.txt")
	if err != nil {
		t.Fatal(err)
	}
	printed := map[flagType]string{flagString: "string", flagBool: "", flagInt: "int", flagUint: "uint",
		flagDuration: "duration", flagLevel: "value", flagSeverity: "value", flagVmodule: "value", flagTrace: "value"}
	listed := map[string]bool{}
	for _, line := range strings.Split(string(data), "\n") {
		if !strings.HasPrefix(line, "-") {
			continue
		}
		name, typ, _ := strings.Cut(line[1:], " ")
		listed[name] = true
		got, ok := flaggerFlagTypes[name]
		switch {
		case !ok:
			t.Errorf("flag -%s of Flagger is missing", name)
		case printed[got] != typ:
			t.Errorf("flag -%s is of type %q, want %q", name, printed[got], typ)
		}
	}
	for name := range flaggerFlagTypes {
		if !listed[name] {
			t.Errorf("flag -%s is not Flagger's", name)
		}
	}
}

// flaggerFlagSet is the flag set of Flagger v1.36.1 made with the flag
// package and klog.InitFlags, as main.go makes it, to compare with. klog's
// values are klog's globals: what Parse sets in them stays, but whether a
// value parses does not depend on it.
func flaggerFlagSet() *flag.FlagSet {
	fs := flag.NewFlagSet("flagger", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	for name, typ := range flaggerFlagTypes {
		switch typ {
		case flagString:
			fs.String(name, "", "")
		case flagBool:
			fs.Bool(name, false, "")
		case flagInt:
			fs.Int(name, 0, "")
		case flagUint:
			fs.Uint64(name, 0, "")
		case flagDuration:
			fs.Duration(name, 0, "")
		}
	}
	// klog's of go.mod (v2.140.0) parse as Flagger's (v2.120.1) do, but
	// it has two flags more.
	klogs := flag.NewFlagSet("klog", flag.ContinueOnError)
	klog.InitFlags(klogs)
	klogs.VisitAll(func(f *flag.Flag) {
		if _, ok := flaggerFlagTypes[f.Name]; ok && fs.Lookup(f.Name) == nil {
			fs.Var(f.Value, f.Name, "")
		}
	})
	return fs
}

// FuzzFlaggerCommandLine holds readFlaggerCommandLine to Go's flag
// package, with klog's flag values: where parsing stops, whether it fails
// and with what, and which flags it sets.
func FuzzFlaggerCommandLine(f *testing.F) {
	for _, s := range []string{
		"-log-level=info -mesh-provider=istio", "-threadiness two", "-threadiness=0x10 -v 3", "--enable-leader-election=yes",
		"-enable-leader-election -namespace test", "---x", "-=x", "-", "--", "-- -namespace=a", "mesh-provider=x -namespace=a",
		"-help", "-h -nosuch", "-mesh-providr=istio -threadiness=two", "-namespace", "-namespace -threadiness",
		"-control-loop-interval=10", "-control-loop-interval 1m30s", "-stderrthreshold=warning", "-stderrthreshold=9x",
		"-vmodule=a=1,,b=2", "-vmodule==1", "-vmodule=a=-1", "-log_backtrace_at=main.go:3", "-log_backtrace_at=main:3",
		"-log_backtrace_at=a.go:0", "-log_file_max_size=-1", "-v=0x3", "-version=false", "-nosuch=1 -x",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		if strings.Contains(line, "$(") {
			return // the kubelet's to expand
		}
		args := strings.Fields(line)
		c := &spec.Container{}
		for i, a := range args {
			// The line tells where an argument is.
			c.Args = append(c.Args, spec.Str{V: a, Loc: spec.Loc{Line: int32(i + 1)}, Set: true})
		}
		cl := readFlaggerCommandLine(c)
		fs := flaggerFlagSet()
		err := fs.Parse(args)

		// What main.go does after flag.Parse is not the flag package's.
		var exits []*flagProblem
		for _, e := range cl.exits {
			if !strings.HasPrefix(e.why, "-version") && !strings.HasPrefix(e.why, "Flagger's logger") {
				exits = append(exits, e)
			}
		}
		if (err == nil) != (len(exits) == 0) {
			t.Fatalf("%q: flag package: %v; ours: %d exits %v", args, err, len(exits), exits)
		}
		if err != nil {
			want, why := err.Error(), exits[0].why
			switch {
			case errors.Is(err, flag.ErrHelp):
				if !strings.HasSuffix(why, "makes Flagger print its usage and exit") {
					t.Fatalf("%q: flag package: help; ours: %s", args, why)
				}
			case strings.HasPrefix(want, "invalid value "), strings.HasPrefix(want, "invalid boolean value "):
				// Ours says "parse error" for klog's values too.
				if w, _, _ := strings.Cut(want, ": "); !strings.HasPrefix(why, w+":") {
					t.Fatalf("%q: flag package: %s; ours: %s", args, want, why)
				}
			case want != why:
				t.Fatalf("%q: flag package: %s; ours: %s", args, want, why)
			}
			return
		}
		// Where parsing stopped: the arguments the flag package leaves are
		// those after ours stopped, a non-flag included, "--" not.
		var rest []string
		if cl.end != nil {
			i := int(cl.end.Loc.Line) - 1
			rest = args[i:]
			if cl.end.V == "--" {
				rest = args[i+1:]
			}
		}
		if got := fs.Args(); strings.Join(got, "\x00") != strings.Join(rest, "\x00") || len(got) != len(rest) {
			t.Fatalf("%q: the flag package leaves %q, ours %q", args, got, rest)
		}
		// The flags set, and their values where ours keeps them as text.
		set := map[string]bool{}
		fs.Visit(func(fl *flag.Flag) {
			set[fl.Name] = true
			got, ok := cl.flags[fl.Name]
			if !ok {
				t.Fatalf("%q: flag -%s is set, ours does not see it", args, fl.Name)
			}
			if flaggerFlagTypes[fl.Name] == flagString && got.V != fl.Value.String() {
				t.Fatalf("%q: -%s is %q, ours %q", args, fl.Name, fl.Value.String(), got.V)
			}
		})
		for name := range cl.flags {
			if !set[name] {
				t.Fatalf("%q: ours sets -%s, the flag package does not", args, name)
			}
		}
	})
}
