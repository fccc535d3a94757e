// Command gen writes the JSON schemas that package schema embeds. It runs
// from the schema folder through `go generate` and reads its sources from
// modules pinned in go.mod, located with `go list -m` in the module cache
// (`go mod download` fetches a missing one through the Go module proxy,
// checked against go.sum); the meshlint binary itself never fetches
// anything:
//
//   - istio/<group>/<kind>_<version>.json: the openAPIV3Schema of every
//     served version of every networking.istio.io, security.istio.io,
//     telemetry.istio.io and extensions.istio.io CRD
//     in kubernetes/customresourcedefinitions.gen.yaml of the istio.io/api
//     module pinned in go.mod, made strict and wrapped so that it describes
//     the whole object;
//   - gatewayapi/<group>/<kind>_<version>.json: likewise, every served
//     version of every gateway.networking.k8s.io CRD of the experimental
//     channel of the sigs.k8s.io/gateway-api module pinned in go.mod;
//   - argo/<group>/<kind>_<version>.json: likewise for the CRDs of Argo
//     Rollouts (Rollout, Experiment and the analysis kinds), from copies in
//     third_party/argo-rollouts;
//   - netpolapi/<group>/<kind>_<version>.json: likewise for the
//     AdminNetworkPolicy, BaselineAdminNetworkPolicy and
//     ClusterNetworkPolicy CRDs of the network policy API, from copies in
//     third_party/network-policy-api;
//   - kubernetes/<kind>[-<group>]-v1.json: the Kubernetes kinds meshlint
//     models, derived from the Go types of the k8s.io/api module pinned in
//     go.mod (see kube.go and kubernetes/README.md).
//
// Output is deterministic (sorted keys, fixed indentation), so that running
// it again reproduces the committed files byte for byte.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	// The generator reads a data file of the istio.io/api module, not its
	// Go code. This import keeps the module, and so the pinned version, in
	// go.mod when `go mod tidy` runs; the package has no dependencies.
	_ "istio.io/api/label"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run() error {
	meta, err := objectMetaSchema()
	if err != nil {
		return err
	}
	if err := writeIstio("istio", meta); err != nil {
		return err
	}
	if err := writeGatewayAPI("gatewayapi", meta); err != nil {
		return err
	}
	if err := writeFlagger("flagger", meta); err != nil {
		return err
	}
	if err := writeArgo("argo", "gen", meta); err != nil {
		return err
	}
	if err := writeNetworkPolicyAPI("netpolapi", "gen", meta); err != nil {
		return err
	}
	return writeKube("kubernetes")
}

// writeJSON writes v as indented JSON with sorted keys and a final newline.
func writeJSON(path string, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}
