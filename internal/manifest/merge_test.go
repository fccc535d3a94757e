package manifest

import (
	"maps"
	"testing"

	"github.com/meshlint/meshlint/internal/kinds"
)

// TestMergeKeysInMetadata reads metadata written through YAML merge keys
// (<<) as Kubernetes' decoder does: inline mappings, aliases and lists of
// them, the first mapping of a list winning and a key written beside the
// merge key winning over merged ones.
func TestMergeKeysInMetadata(t *testing.T) {
	in := `apiVersion: v1
kind: List
common: &meta
  namespace: shop
  labels: &l {app: web, tier: front}
owner: &owner {apiVersion: apps/v1, kind: ReplicaSet, name: web-1, controller: true}
items:
- apiVersion: v1
  kind: Pod
  metadata:
    <<: *meta
    name: web-1
    labels:
      <<: [*l, {tier: back, team: shop}]
      version: v2
    annotations:
      <<: {sidecar.istio.io/inject: "true", built: 2024-01-02}
      example.com/owner: team-a
    ownerReferences:
    - <<: *owner
- apiVersion: v1
  kind: Service
  metadata: {<<: *meta, name: web}
`
	r, _ := loadString(t, in, Options{})
	wantErrors(t, r)
	pod := find(t, r, kinds.Pod, "web-1")
	if pod.Namespace != "shop" {
		t.Errorf("namespace = %q, want shop (merged)", pod.Namespace)
	}
	if want := map[string]string{"app": "web", "tier": "front", "team": "shop", "version": "v2"}; !maps.Equal(pod.Labels, want) {
		t.Errorf("labels = %v, want %v", pod.Labels, want)
	}
	// A timestamp is the string written for Kubernetes, which decodes it
	// as YAML 1.1 with yaml.v2 into a string.
	if want := map[string]string{"sidecar.istio.io/inject": "true", "built": "2024-01-02", "example.com/owner": "team-a"}; !maps.Equal(pod.Annotations, want) {
		t.Errorf("annotations = %v, want %v", pod.Annotations, want)
	}
	if pod.OwnerKind != "ReplicaSet" || pod.OwnerName != "web-1" {
		t.Errorf("owner = %s %s, want ReplicaSet web-1 (merged)", pod.OwnerKind, pod.OwnerName)
	}
	svc := find(t, r, kinds.Service, "web")
	if svc.Namespace != "shop" || svc.Labels["app"] != "web" {
		t.Errorf("%s: labels %v", svc.Ref(), svc.Labels)
	}
}

// TestMergeKeyNotMapping: Kubernetes refuses a document whose merge key
// names anything but a mapping or a list of mappings ("map merge requires
// map or sequence of maps as the value"); so does the loader, at the value.
func TestMergeKeyNotMapping(t *testing.T) {
	in := `apiVersion: v1
kind: Service
metadata:
  name: a
  labels:
    <<: app
---
apiVersion: v1
kind: Service
metadata:
  name: b
  labels: &l {app: b}
  annotations:
    <<: [*l, &s x]
---
apiVersion: v1
kind: Service
metadata:
  name: c
  labels: {'<<': {quoted: key}}
`
	r, _ := loadString(t, in, Options{})
	wantErrors(t, r,
		":6:9: document 1 is left out: a merge key (<<) must name a mapping or a list of mappings, not a string",
		":14:14: document 2 is left out: a merge key (<<) must name a mapping or a list of mappings, not a string",
		// A quoted "<<" is a key like any other.
		":20:18: metadata.labels[<<] must be a string, not a mapping")
	if len(r.Objects) != 1 || r.Objects[0].Name != "c" {
		t.Errorf("objects = %v, want Service c alone", objectRefs(r))
	}
}
