// Command meshlint audits Istio and Kubernetes network manifests offline.
package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"

	"github.com/meshlint/meshlint/internal/cli"
)

func main() {
	os.Exit(run())
}

// run wraps the command in the profiles MESHLINT_CPUPROFILE and
// MESHLINT_MEMPROFILE ask for, so docs/performance.md can profile the
// built binary on a real tree rather than only the benchmarks.
func run() (code int) {
	if path := os.Getenv("MESHLINT_CPUPROFILE"); path != "" {
		f, err := os.Create(path)
		if err != nil {
			fmt.Fprintf(os.Stderr, "meshlint: cpu profile: %v\n", err)
			return cli.ExitError
		}
		defer closeProfile(f, "cpu profile", &code)
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintf(os.Stderr, "meshlint: cpu profile: %v\n", err)
			return cli.ExitError
		}
		defer pprof.StopCPUProfile()
	}
	code = cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	if path := os.Getenv("MESHLINT_MEMPROFILE"); path != "" {
		f, err := os.Create(path)
		if err != nil {
			fmt.Fprintf(os.Stderr, "meshlint: memory profile: %v\n", err)
			return cli.ExitError
		}
		defer closeProfile(f, "memory profile", &code)
		runtime.GC()
		if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
			fmt.Fprintf(os.Stderr, "meshlint: memory profile: %v\n", err)
			return cli.ExitError
		}
	}
	return code
}

// closeProfile closes a profile file once it is written. A profile that
// cannot be closed may be cut short, which is an error (exit 2) like one
// that cannot be written.
func closeProfile(f *os.File, what string, code *int) {
	if err := f.Close(); err != nil {
		fmt.Fprintf(os.Stderr, "meshlint: %s: %v\n", what, err)
		*code = cli.ExitError
	}
}
