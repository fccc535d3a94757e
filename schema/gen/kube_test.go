package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
)

// TestDerivationMatchesCopied derives the kinds whose schemas were copied
// from yannh/kubernetes-json-schema and compares: the same fields, types,
// required lists and strictness, apart from documentation. This is what
// vouches for the derived ReplicaSet, Job and CronJob schemas.
//
// Known differences, which the comparison skips: the copied files cap some
// names (metadata.name, containers[].name) at 63 characters, a limit that
// the API types do not carry (most kinds accept 253); and StatefulSet's
// volumeClaimTemplates pin the embedded PersistentVolumeClaim's apiVersion
// and kind (that subtree is not compared).
func TestDerivationMatchesCopied(t *testing.T) {
	for _, k := range []kubeKind{
		{"deployment-apps-v1.json", "apps", "v1", "Deployment", appsv1.Deployment{}},
		{"statefulset-apps-v1.json", "apps", "v1", "StatefulSet", appsv1.StatefulSet{}},
		{"daemonset-apps-v1.json", "apps", "v1", "DaemonSet", appsv1.DaemonSet{}},
		{"pod-v1.json", "", "v1", "Pod", corev1.Pod{}},
		{"service-v1.json", "", "v1", "Service", corev1.Service{}},
		{"namespace-v1.json", "", "v1", "Namespace", corev1.Namespace{}},
		{"networkpolicy-networking-v1.json", "networking.k8s.io", "v1", "NetworkPolicy", networkingv1.NetworkPolicy{}},
	} {
		t.Run(k.kind, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("..", "kubernetes", k.file))
			if err != nil {
				t.Fatal(err)
			}
			var want any
			if err := json.Unmarshal(data, &want); err != nil {
				t.Fatal(err)
			}
			got, err := kindSchema(k)
			if err != nil {
				t.Fatal(err)
			}
			// Round-trip through JSON for comparable types.
			b, _ := json.Marshal(got)
			var gotAny any
			_ = json.Unmarshal(b, &gotAny)
			var diffs []string
			compare("", strip(want), strip(gotAny), &diffs)
			sort.Strings(diffs)
			for _, d := range diffs {
				t.Error(d)
			}
		})
	}
}

// strip removes documentation and the Kubernetes extensions that do not
// affect validation.
func strip(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, x := range v {
			if k == "description" || (strings.HasPrefix(k, "x-kubernetes-") && k != "x-kubernetes-group-version-kind") {
				continue
			}
			if k == "maxLength" && x == 63.0 {
				continue
			}
			out[k] = strip(x)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = strip(x)
		}
		return out
	}
	return v
}

func compare(path string, want, got any, diffs *[]string) {
	wm, wok := want.(map[string]any)
	gm, gok := got.(map[string]any)
	if strings.HasPrefix(path, "/properties/spec/properties/volumeClaimTemplates/items") {
		return
	}
	if wok && gok {
		for k, w := range wm {
			g, ok := gm[k]
			if !ok {
				*diffs = append(*diffs, path+"/"+k+": missing in derived schema")
				continue
			}
			compare(path+"/"+k, w, g, diffs)
		}
		for k := range gm {
			if _, ok := wm[k]; !ok {
				*diffs = append(*diffs, path+"/"+k+": only in derived schema")
			}
		}
		return
	}
	if !reflect.DeepEqual(want, got) {
		wb, _ := json.Marshal(want)
		gb, _ := json.Marshal(got)
		*diffs = append(*diffs, path+": copied "+string(wb)+", derived "+string(gb))
	}
}
