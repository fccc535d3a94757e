package main

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/schema"
)

// TestDerivationMatchesCopied derives the kinds whose schemas kubeconform
// publishes from the pinned k8s.io/api, and compares them with its files
// for Kubernetes 1.32 (testdata/kubernetes-v1.32.2, from
// yannh/kubernetes-json-schema's v1.32.2-standalone-strict; provenance in
// schema/kubernetes/README.md): the same fields, types, required lists and
// strictness, apart from documentation. This is what vouches for the
// derivation, and so for every embedded Kubernetes schema.
//
// The API has moved on since 1.32, in two ways only, which the comparison
// allows: fields were added, and some fields became optional (openapi-gen
// then lists them no longer as required, and makes them nullable). The
// derived schemas also list the values of enum types, which the copied
// files lack: TestKubernetesEnums checks those.
// Anything else, such as a type that changed or a field that went away,
// fails the test.
//
// Known differences, which the comparison skips: the copied files cap some
// names (metadata.name, containers[].name) at 63 characters, a limit that
// the API types do not carry (most kinds accept 253); and StatefulSet's
// volumeClaimTemplates pin the embedded PersistentVolumeClaim's apiVersion
// and kind (that subtree is not compared).
func TestDerivationMatchesCopied(t *testing.T) {
	for _, k := range derivedKinds {
		data, err := os.ReadFile(filepath.Join("testdata", "kubernetes-v1.32.2", k.file))
		if os.IsNotExist(err) {
			continue // a kind of which no kubeconform file is kept
		}
		t.Run(k.kind, func(t *testing.T) {
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
			switch {
			case !ok && k == "required":
				// Every field that was required became optional.
			case !ok:
				*diffs = append(*diffs, path+"/"+k+": missing in derived schema")
			case k == "required":
				if !subset(g, w) {
					*diffs = append(*diffs, fmt.Sprintf("%s/required: copied %v, derived %v", path, w, g))
				}
			case k == "type" && relaxed(w, g):
			default:
				compare(path+"/"+k, w, g, diffs)
			}
		}
		for k := range gm {
			// A field added since 1.32, or the values of an enum type,
			// which the copied files do not list.
			if _, ok := wm[k]; !ok && !strings.HasSuffix(path, "/properties") && !enumKeyword(gm, k) {
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

// enumKeyword reports whether keyword k of schema s lists an enum's values:
// "enum", or the "if" that accepts "" and the "else" that holds the enum
// beside it.
func enumKeyword(s map[string]any, k string) bool {
	switch k {
	case "enum":
		return true
	case "if", "else":
		els, _ := s["else"].(map[string]any)
		_, hasEnum := els["enum"]
		return hasEnum && len(els) == 1 && reflect.DeepEqual(s["if"], map[string]any{"enum": []any{""}})
	}
	return false
}

// subset reports whether the list a holds only items of the list b.
func subset(a, b any) bool {
	al, _ := a.([]any)
	bl, _ := b.([]any)
	for _, x := range al {
		if !slices.Contains(bl, x) {
			return false
		}
	}
	return true
}

// relaxed reports whether the type got is the type want made nullable,
// as openapi-gen writes a field that became optional.
func relaxed(want, got any) bool {
	w, ok := want.(string)
	g, _ := got.([]any)
	return ok && len(g) == 2 && g[0] == w && g[1] == "null"
}

// TestKubernetesVersion checks that schema.KubernetesVersion names the
// release of the k8s.io/api module the schemas are derived from (v0.N.x is
// Kubernetes 1.N).
func TestKubernetesVersion(t *testing.T) {
	m, err := moduleDir("k8s.io/api")
	if err != nil {
		t.Skip(err)
	}
	parts := strings.SplitN(strings.TrimPrefix(m.Version, "v"), ".", 3)
	if len(parts) < 2 || parts[0] != "0" {
		t.Fatalf("k8s.io/api %s: not a v0.N.x version", m.Version)
	}
	if want := "1." + parts[1]; schema.KubernetesVersion != want {
		t.Errorf("schema.KubernetesVersion is %s, but k8s.io/api is %s (Kubernetes %s)", schema.KubernetesVersion, m.Version, want)
	}
}

// TestGatewayAPIVersion checks that schema.GatewayAPIVersion names the
// version of the gateway-api module the schemas are generated from.
func TestGatewayAPIVersion(t *testing.T) {
	m, err := moduleDir("sigs.k8s.io/gateway-api")
	if err != nil {
		t.Skip(err)
	}
	if schema.GatewayAPIVersion != m.Version {
		t.Errorf("schema.GatewayAPIVersion is %s, but go.mod pins sigs.k8s.io/gateway-api %s", schema.GatewayAPIVersion, m.Version)
	}
}

// TestFlaggerVersion checks that schema.FlaggerVersion names the version of
// the flagger module the schemas are generated from.
func TestFlaggerVersion(t *testing.T) {
	m, err := moduleDir("github.com/fluxcd/flagger")
	if err != nil {
		t.Skip(err)
	}
	if schema.FlaggerVersion != m.Version {
		t.Errorf("schema.FlaggerVersion is %s, but go.mod pins github.com/fluxcd/flagger %s", schema.FlaggerVersion, m.Version)
	}
}

// TestNetworkPolicyAPICopy checks the copies of the network policy API's
// CRDs against the releases, sizes and digests that
// third_party/network-policy-api/README.md records, that every CRD of the
// folder is one the generator reads, and the schema package's version
// constants against the releases the copies come from.
func TestNetworkPolicyAPICopy(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("third_party", "network-policy-api", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	versions := map[string]string{
		"policy.networking.k8s.io_adminnetworkpolicies.yaml":         schema.AdminNetworkPolicyAPIVersion,
		"policy.networking.k8s.io_baselineadminnetworkpolicies.yaml": schema.AdminNetworkPolicyAPIVersion,
		"policy.networking.k8s.io_clusternetworkpolicies.yaml":       schema.NetworkPolicyAPIVersion,
	}
	for _, c := range netpolAPICRDs {
		data, err := os.ReadFile(filepath.Join(filepath.FromSlash(netpolAPIDir), c.name))
		if err != nil {
			t.Fatal(err)
		}
		want := fmt.Sprintf("| `config/crd/experimental/%s` | `%s` | %d | `%x` |", c.name, c.release, len(data), sha256.Sum256(data))
		if !strings.Contains(string(readme), want) {
			t.Errorf("third_party/network-policy-api/README.md lacks %q", want)
		}
		if v, ok := versions[c.name]; !ok || !strings.HasSuffix(c.release, " "+v) {
			t.Errorf("%s is copied from %s, but the schema package says %q", c.name, c.release, v)
		}
	}
	copies, _ := filepath.Glob(filepath.Join(filepath.FromSlash(netpolAPIDir), "*.yaml"))
	if len(copies) != len(netpolAPICRDs) {
		t.Errorf("%s holds %d YAML files, the generator reads %d: %v", netpolAPIDir, len(copies), len(netpolAPICRDs), copies)
	}
}

// TestArgoRolloutsCopy checks the copies of Argo Rollouts' CRDs against
// the sizes and digests that third_party/argo-rollouts/README.md records,
// that every CRD of the folder is one the generator reads, and
// schema.ArgoRolloutsVersion against the release it names.
func TestArgoRolloutsCopy(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("third_party", "argo-rollouts", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range argoCRDs {
		data, err := os.ReadFile(filepath.Join(filepath.FromSlash(argoDir), name))
		if err != nil {
			t.Fatal(err)
		}
		want := fmt.Sprintf("| `manifests/crds/%s` | %d | `%x` |", name, len(data), sha256.Sum256(data))
		if !strings.Contains(string(readme), want) {
			t.Errorf("third_party/argo-rollouts/README.md lacks %q", want)
		}
	}
	if want := "| module | `" + argoRelease + "` |"; !strings.Contains(string(readme), want) {
		t.Errorf("third_party/argo-rollouts/README.md lacks %q", want)
	}
	copies, _ := filepath.Glob(filepath.Join(filepath.FromSlash(argoDir), "*.yaml"))
	if len(copies) != len(argoCRDs) {
		t.Errorf("%s holds %d YAML files, the generator reads %d: %v", argoDir, len(copies), len(argoCRDs), copies)
	}
	if !strings.HasSuffix(argoRelease, " "+schema.ArgoRolloutsVersion) {
		t.Errorf("schema.ArgoRolloutsVersion is %s, but the copy is of %s", schema.ArgoRolloutsVersion, argoRelease)
	}
}

// TestKubernetesEnums checks the enums of fields whose values the API
// server's validation lists as supported ("Unsupported value" for any
// other), and the fields that accept "" beside them: an optional field
// that is no pointer, where "" reads as the field left out, and a type
// with an empty constant (hostPath's type). A pointer field takes "" as a
// value, which validation refuses (a NetworkPolicy port's protocol). A
// status has no enums: the API server does not validate it on create.
func TestKubernetesEnums(t *testing.T) {
	kindByName := map[string]kubeKind{}
	for _, k := range derivedKinds {
		kindByName[k.kind] = k
	}
	for _, c := range []struct {
		kind, path string
		want       []string
		empty      bool
	}{
		{"Service", "spec.type", []string{"ClusterIP", "ExternalName", "LoadBalancer", "NodePort"}, true},
		{"Service", "spec.ports[].protocol", []string{"SCTP", "TCP", "UDP"}, true},
		{"Service", "spec.sessionAffinity", []string{"ClientIP", "None"}, true},
		{"Service", "spec.externalTrafficPolicy", []string{"Cluster", "Local"}, true},
		{"Service", "spec.internalTrafficPolicy", []string{"Cluster", "Local"}, false},
		{"Service", "spec.ipFamilyPolicy", []string{"PreferDualStack", "RequireDualStack", "SingleStack"}, false},
		{"Pod", "spec.containers[].imagePullPolicy", []string{"Always", "IfNotPresent", "Never"}, true},
		{"Pod", "spec.containers[].ports[].protocol", []string{"SCTP", "TCP", "UDP"}, true},
		{"Pod", "spec.restartPolicy", []string{"Always", "Never", "OnFailure"}, true},
		{"Pod", "spec.dnsPolicy", []string{"ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"}, true},
		{"Pod", "spec.tolerations[].effect", []string{"NoExecute", "NoSchedule", "PreferNoSchedule"}, true},
		{"Pod", "spec.volumes[].hostPath.type", []string{"BlockDevice", "CharDevice", "Directory", "DirectoryOrCreate", "File", "FileOrCreate", "Socket"}, true},
		{"Pod", "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[].matchExpressions[].operator", []string{"DoesNotExist", "Exists", "Gt", "In", "Lt", "NotIn"}, false},
		{"Pod", "spec.topologySpreadConstraints[].whenUnsatisfiable", []string{"DoNotSchedule", "ScheduleAnyway"}, false},
		{"Pod", "spec.securityContext.seccompProfile.type", []string{"Localhost", "RuntimeDefault", "Unconfined"}, false},
		{"Pod", "status.phase", nil, false},
		{"Pod", "status.qosClass", nil, false},
		{"Deployment", "spec.strategy.type", []string{"Recreate", "RollingUpdate"}, true},
		{"Deployment", "spec.template.spec.containers[].imagePullPolicy", []string{"Always", "IfNotPresent", "Never"}, true},
		{"StatefulSet", "spec.podManagementPolicy", []string{"OrderedReady", "Parallel"}, true},
		{"StatefulSet", "spec.volumeClaimTemplates[].spec.accessModes[]", []string{"ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"}, false},
		{"StatefulSet", "spec.volumeClaimTemplates[].status.phase", nil, false},
		{"CronJob", "spec.concurrencyPolicy", []string{"Allow", "Forbid", "Replace"}, true},
		{"Job", "spec.completionMode", []string{"Indexed", "NonIndexed"}, false},
		{"NetworkPolicy", "spec.policyTypes[]", []string{"Egress", "Ingress"}, false},
		{"NetworkPolicy", "spec.ingress[].ports[].protocol", []string{"SCTP", "TCP", "UDP"}, false},
		{"Ingress", "spec.rules[].http.paths[].pathType", []string{"Exact", "ImplementationSpecific", "Prefix"}, false},
		{"MutatingWebhookConfiguration", "webhooks[].failurePolicy", []string{"Fail", "Ignore"}, false},
		{"Namespace", "status.phase", nil, false},
	} {
		t.Run(c.kind+"."+c.path, func(t *testing.T) {
			s, err := kindSchema(kindByName[c.kind])
			if err != nil {
				t.Fatal(err)
			}
			node := schemaAt(t, s, c.path)
			if _, ok := node["enum"]; ok && c.empty {
				t.Errorf("enum %v beside no \"if\": \"\" is refused", node["enum"])
			}
			var enum any
			if c.empty {
				if !reflect.DeepEqual(node["if"], map[string]any{"enum": []any{""}}) {
					t.Errorf("if: %v, want \"\" accepted", node["if"])
				}
				els, _ := node["else"].(map[string]any)
				enum = els["enum"]
			} else {
				enum = node["enum"]
				if _, ok := node["if"]; ok {
					t.Errorf("if: %v, want \"\" refused", node["if"])
				}
			}
			var got []string
			if enum != nil {
				for _, v := range enum.([]any) {
					got = append(got, v.(string))
				}
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("enum %q, want %q", got, c.want)
			}
		})
	}
}

// schemaAt returns the schema of a dotted field path, "[]" stepping into
// a list's items.
func schemaAt(t *testing.T, s map[string]any, path string) map[string]any {
	t.Helper()
	for _, part := range strings.Split(path, ".") {
		name, list := strings.CutSuffix(part, "[]")
		props, _ := s["properties"].(map[string]any)
		next, ok := props[name].(map[string]any)
		if !ok {
			t.Fatalf("%s: no field %s", path, name)
		}
		s = next
		if list {
			if s, ok = s["items"].(map[string]any); !ok {
				t.Fatalf("%s: %s is no list", path, name)
			}
		}
	}
	return s
}
