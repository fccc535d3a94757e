package validation

import (
	"testing"

	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/kubevalid"
	"github.com/meshlint/meshlint/internal/manifest"
)

// TestPodSpecMoreDoesNotAllocate checks that checkPodSpecMore allocates
// nothing on a pod spec it finds valid and without hostnameOverride or
// pod-level resources, the common case: MR027 runs it on every pod
// template of the input. A nil Pass would panic on a report.
func TestPodSpecMoreDoesNotAllocate(t *testing.T) {
	pod := specNode(t, `
nodeName: node-1.example
serviceAccountName: web
serviceAccount: web
containers:
- name: web
  image: web:v1
  resources:
    limits: {cpu: "1", memory: 1Gi}
`)
	o := &manifest.Object{Kind: kinds.Pod}
	g := kubevalid.GatesFor(37)
	if allocs := testing.AllocsPerRun(100, func() { checkPodSpecMore(nil, o, pod, g) }); allocs != 0 {
		t.Errorf("checkPodSpecMore allocates %v times per pod spec, want 0", allocs)
	}
}
