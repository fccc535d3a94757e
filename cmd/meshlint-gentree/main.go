// Command meshlint-gentree writes a large, realistic Istio / Kubernetes
// manifest tree for benchmarks and end-to-end tests:
//
//	go run ./cmd/meshlint-gentree -namespaces 20 -services 50 -out /tmp/tree
//
// The tree has a folder per namespace, one multi-document file per service,
// and models a well-configured mesh. -mistakes plants errors in a fraction of
// the services and lists them on standard output.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/meshlint/meshlint/internal/gentree"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("meshlint-gentree", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var opts gentree.Options
	fs.IntVar(&opts.Namespaces, "namespaces", 10, "number of application namespaces")
	fs.IntVar(&opts.Services, "services", 100, "number of backend services per namespace")
	fs.Int64Var(&opts.Seed, "seed", 1, "seed; the same seed writes the same tree")
	fs.Float64Var(&opts.MistakeRate, "mistakes", 0, "fraction of services (0 to 1) given one planted mistake")
	fs.StringVar(&opts.IngressNamespace, "ingress-namespace", gentree.DefaultIngressNamespace, "namespace of the shared ingress gateway")
	fs.StringVar(&opts.Domain, "domain", gentree.DefaultDomain, "public DNS domain of the gateways")
	fs.BoolVar(&opts.NoNetworkPolicies, "no-networkpolicies", false, "leave every NetworkPolicy out (a mesh that relies on Istio alone)")
	out := fs.String("out", "", "directory to write (required; must be empty or absent unless -overwrite)")
	overwrite := fs.Bool("overwrite", false, "write into a non-empty directory, replacing files of the same names")
	fs.Usage = func() {
		_, _ = io.WriteString(stderr, "usage: meshlint-gentree -out DIR [flags]\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if *out == "" || fs.NArg() > 0 {
		fs.Usage()
		return 2
	}
	if !*overwrite {
		entries, err := os.ReadDir(*out)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return fail(stderr, "%v", err)
		}
		if len(entries) > 0 {
			return fail(stderr, "%s is not empty (use -overwrite to write into it anyway)", *out)
		}
	}
	res, err := gentree.Generate(*out, opts)
	if err != nil {
		return fail(stderr, "%v", err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "wrote %d files, %d objects, %d namespaces × %d services to %s\n",
		res.Files, res.Objects, opts.Namespaces, opts.Services, *out)
	for _, m := range res.Mistakes {
		fmt.Fprintf(&b, "planted %s in %s: %s\n", m.Kind, m.File, m.Detail)
	}
	if _, err := io.WriteString(stdout, b.String()); err != nil {
		return fail(stderr, "%v", err)
	}
	return 0
}

// fail reports an error on stderr and returns the exit code for it. A
// failure to write the report itself has nowhere left to go.
func fail(stderr io.Writer, format string, args ...any) int {
	_, _ = fmt.Fprintf(stderr, "meshlint-gentree: "+format+"\n", args...)
	return 1
}
