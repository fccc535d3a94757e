// Command meshlint audits Istio and Kubernetes network manifests offline.
package main

import (
	"os"

	"github.com/meshlint/meshlint/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
