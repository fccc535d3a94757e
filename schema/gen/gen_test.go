package main

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// TestGeneratedUpToDate regenerates into a temporary folder and compares
// with the committed files, so that a stale schema fails `go test ./...`.
// Fix with `go generate ./schema/`.
func TestGeneratedUpToDate(t *testing.T) {
	tmp := t.TempDir()
	meta, err := objectMetaSchema()
	if err != nil {
		t.Fatal(err)
	}
	if err := writeIstio(filepath.Join(tmp, "istio"), meta); err != nil {
		t.Fatal(err)
	}
	if err := writeGatewayAPI(filepath.Join(tmp, "gatewayapi"), meta); err != nil {
		t.Fatal(err)
	}
	if err := writeFlagger(filepath.Join(tmp, "flagger"), meta); err != nil {
		t.Fatal(err)
	}
	if err := writeArgo(filepath.Join(tmp, "argo"), ".", meta); err != nil {
		t.Fatal(err)
	}
	if err := writeNetworkPolicyAPI(filepath.Join(tmp, "netpolapi"), ".", meta); err != nil {
		t.Fatal(err)
	}
	if err := writeKube(filepath.Join(tmp, "kubernetes")); err != nil {
		t.Fatal(err)
	}
	n := 0
	err = filepath.WalkDir(tmp, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(tmp, p)
		want, _ := os.ReadFile(p)
		got, err := os.ReadFile(filepath.Join("..", rel))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("schema/%s is stale or missing; run go generate ./schema/", filepath.ToSlash(rel))
		}
		n++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Every committed schema must be one the generator writes.
	for _, dir := range []string{"istio", "gatewayapi", "flagger", "argo", "netpolapi", "kubernetes"} {
		_ = filepath.WalkDir(filepath.Join("..", dir), func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && filepath.Ext(p) == ".json" {
				rel, _ := filepath.Rel("..", p)
				if _, err := os.Stat(filepath.Join(tmp, rel)); err != nil {
					t.Errorf("schema/%s is not generated any more; delete it", filepath.ToSlash(rel))
				}
			}
			return nil
		})
	}
	if n != 88 {
		t.Errorf("generator wrote %d files, want 88 (33 Istio schemas and a README, 19 Gateway API schemas and a README, 3 Flagger schemas and a README, 5 Argo Rollouts schemas and a README, 2 ClusterNetworkPolicy, 1 AdminNetworkPolicy and 1 BaselineAdminNetworkPolicy schemas and a README, 19 Kubernetes schemas)", n)
	}
}
