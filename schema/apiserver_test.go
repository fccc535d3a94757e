package schema

import (
	"strings"
	"testing"
)

// TestAPIServerChecks covers the forms in which list entries repeat, or
// an integer overflows, to the API server: each want is a substring of
// one message expected, in order.
func TestAPIServerChecks(t *testing.T) {
	wasm := func(ports string) string {
		return "apiVersion: extensions.istio.io/v1alpha1\nkind: WasmPlugin\nmetadata: {name: w, namespace: ns}\n" +
			"spec:\n  url: oci://r/w:1\n  match:\n  - ports:\n" + ports
	}
	rollout := func(containerSpec string) string {
		return "apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: {name: r, namespace: ns}\nspec:\n" +
			"  selector: {matchLabels: {app: r}}\n  strategy: {canary: {steps: [{setWeight: 10}]}}\n" +
			"  template:\n    metadata: {labels: {app: r}}\n    spec:\n" + containerSpec
	}
	type want = []string
	for _, tt := range []struct {
		name, yaml string
		want       want
	}{
		{"distinct keys", wasm("    - number: 80\n    - number: 81\n"), nil},
		{"same key", wasm("    - number: 80\n    - number: 80\n"), want{`spec.match[0].ports[1]: Duplicate value: {"number":80}: the list is keyed by number`}},
		// YAML's 80.0 is the JSON number 80 once kubectl has converted it.
		{"same number, other notation", wasm("    - number: 80\n    - number: 80.0\n"), want{`ports[1]: Duplicate value: {"number":80}`}},
		{"alias", wasm("    - &p {number: 80}\n    - *p\n"), want{`ports[1]: Duplicate value`}},
		{"merge key", wasm("    - &p {number: 80}\n    - {<<: *p}\n"), want{`ports[1]: Duplicate value`}},
		{"a null key is missing, which is the schema's", wasm("    - {number: ~}\n    - {number: ~}\n"),
			want{"spec.match[0].ports[0].number is required", "spec.match[0].ports[1].number is required"}},
		{"a default fills a missing key", rollout("      containers: [{name: a, image: a}]\n      imagePullSecrets:\n      - {}\n      - {name: \"\"}\n"),
			want{`spec.template.spec.imagePullSecrets[1]: Duplicate value: {"name":""}`}},
		{"two keys, one defaulted, differ", rollout("      containers:\n      - name: a\n        image: a\n        ports: [{containerPort: 53}, {containerPort: 53, protocol: UDP}]\n"), nil},
		{"two keys, one defaulted, same", rollout("      containers:\n      - name: a\n        image: a\n        ports: [{containerPort: 53, protocol: TCP}, {containerPort: 53}]\n"),
			want{`ports[1]: Duplicate value: {"containerPort":53,"protocol":"TCP"}: the list is keyed by containerPort and protocol`}},
		{"set, third copy not reported", "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r, namespace: ns}\nspec:\n  rules:\n  - retry: {codes: [500, 500.0, 500]}\n",
			want{`spec.rules[0].retry.codes[1]: Duplicate value: 500: the list is a set`}},
		{"int32 at the bounds", wasm("    - number: 80\n") + "  priority: 2147483647\n  sha256: null\n", nil},
		{"int32 over the bound", wasm("    - number: 80\n") + "  priority: 2147483648\n", want{"spec.priority: 2147483648 is out of the range of format int32"}},
		{"int32 as a float", wasm("    - number: 80\n") + "  priority: -3.0e9\n", want{"spec.priority: -3000000000 is out of the range of format int32"}},
		{"int64 beyond", "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: ns}\nspec:\n  activeDeadlineSeconds: 1e19\n  containers: [{name: a, image: a}]\n",
			want{"spec.activeDeadlineSeconds: 10000000000000000000 is out of the range of format int64"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := lint(t, NewValidator(), tt.yaml)
			ok := len(got) == len(tt.want)
			for i := 0; ok && i < len(got); i++ {
				ok = strings.Contains(got[i], tt.want[i])
			}
			if !ok {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestFastLeavesAPIServerChecks checks that the fast path never clears an
// object of the corpus in which the reporter finds what the API server
// refuses beyond JSON Schema.
func TestFastLeavesAPIServerChecks(t *testing.T) {
	v := NewValidator()
	found := 0
	for _, o := range corpus(t) {
		tg := v.target(o.APIVersion, o.Kind)
		if tg.c == nil {
			continue
		}
		c, err := tg.c.get()
		if err != nil {
			t.Fatal(err)
		}
		val, err := toJSON(o.Node)
		if err != nil {
			continue
		}
		r := &reporter{kind: o.Kind, root: o.Node, value: val, doc: c.doc, fallback: o.KindLoc, seen: map[string]bool{}}
		r.apiServer(c.fast, val, o.Node, "", "")
		found += len(r.out)
		if len(r.out) > 0 && fastValid(c.fast, o.Node) {
			t.Errorf("%s: cleared by the fast path, but %s", o.Ref(), r.out[0].Msg)
		}
	}
	if found == 0 {
		t.Error("the corpus has nothing for the reporter: the test checks nothing")
	}
}
