package spec

import (
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/manifest"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// parse returns the root node of a one-document YAML source.
func parse(t *testing.T, src string) *yaml.Node {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Content[0]
}

func errStrings(errs []*manifest.Error) []string {
	var out []string
	for _, e := range errs {
		out = append(out, e.Error())
	}
	return out
}

func TestDecodeTypeErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		src  string
		out  any
		want []string
	}{
		{
			name: "weight is a word",
			src: `hosts: [reviews]
http:
- route:
  - destination:
      host: reviews
    weight: "ten"
`,
			out:  &VirtualService{},
			want: []string{`f.yaml:6:13: wrong type: expected an integer, got "ten"`},
		},
		{
			// The loader reports it, in every mapping of the object:
			// here it would be reported twice.
			name: "key written twice",
			src:  "http:\n- route:\n  - weight: 10\n    weight: 90\n",
			out:  &VirtualService{},
		},
		{
			name: "key written twice beside a wrong type",
			src:  "http:\n- route:\n  - weight: 10\n    weight: 90\n  timeout: [1]\n",
			out:  &VirtualService{},
			want: []string{`f.yaml:5:12: wrong type: expected a string, got a list`},
		},
		{
			name: "weight is a quoted number",
			src:  "http:\n- route:\n  - weight: \"10\"\n",
			out:  &VirtualService{},
			want: []string{`f.yaml:3:13: wrong type: expected an integer, got "10"`},
		},
		{
			name: "weight is a fraction",
			src:  "http:\n- route:\n  - weight: 10.5\n",
			out:  &VirtualService{},
			want: []string{`f.yaml:3:13: wrong type: expected an integer, got "10.5"`},
		},
		{
			name: "every mismatch is reported",
			src: `http:
- route:
  - weight: ten
    destination:
      host: 42
  - weight: [1]
- timeout: {a: b}
`,
			out: &VirtualService{},
			want: []string{
				`f.yaml:3:13: wrong type: expected an integer, got "ten"`,
				`f.yaml:5:13: wrong type: expected a string, got "42"`,
				`f.yaml:6:13: wrong type: expected an integer, got a list`,
				`f.yaml:7:12: wrong type: expected a string, got a mapping`,
			},
		},
		{
			name: "list where a mapping is expected",
			src:  "host: reviews\ntrafficPolicy:\n- tls: {mode: ISTIO_MUTUAL}\n",
			out:  &DestinationRule{},
			want: []string{`f.yaml:3:1: wrong type: expected a mapping, got a list`},
		},
		{
			name: "scalar where a mapping is expected",
			src:  "http:\n- route:\n  - destination: reviews\n",
			out:  &VirtualService{},
			want: []string{`f.yaml:3:18: wrong type: expected a mapping, got "reviews"`},
		},
		{
			name: "list where a mapping is expected, plain struct",
			src:  "http:\n- delegate: [a]\n",
			out:  &VirtualService{},
			want: []string{"f.yaml:2:13: wrong type: cannot unmarshal !!seq into spec.Delegate"},
		},
		{
			name: "long scalar where a list is expected",
			src:  "gateways: istio-system/public-gateway\n",
			out:  &VirtualService{},
			want: []string{"f.yaml:1:11: wrong type: cannot unmarshal !!str `istio-s...` into []spec.Value[string]"},
		},
		{
			name: "integral float is an integer",
			src:  "http:\n- route:\n  - weight: 10.0\n",
			out:  &VirtualService{},
		},
		{
			name: "scalar where a list is expected",
			src:  "hosts: reviews\n",
			out:  &VirtualService{},
			want: []string{"f.yaml:1:8: wrong type: cannot unmarshal !!str `reviews` into []spec.Value[string]"},
		},
		{
			name: "whole spec is a list",
			src:  "- a\n",
			out:  &VirtualService{},
			want: []string{"f.yaml:1:1: wrong type: cannot unmarshal !!seq into spec.VirtualService"},
		},
		{
			name: "number where a string is expected",
			src:  "ports:\n- name: 8080\n  port: 80\n  targetPort: http\n",
			out:  &Service{},
			want: []string{`f.yaml:2:9: wrong type: expected a string, got "8080"`},
		},
		{
			name: "boolean spelled yes",
			src:  "hostNetwork: True\nserviceAccountName: [a]\n",
			out:  &PodSpec{},
			want: []string{`f.yaml:2:21: wrong type: expected a string, got a list`},
		},
		{
			name: "targetPort is neither",
			src:  "ports:\n- port: 80\n  targetPort: [1]\n",
			out:  &Service{},
			want: []string{`f.yaml:3:15: wrong type: expected an integer or a string, got a list`},
		},
		{
			name: "targetPort is a boolean",
			src:  "ports:\n- port: 80\n  targetPort: true\n",
			out:  &Service{},
			want: []string{`f.yaml:3:15: wrong type: expected an integer or a string, got "true"`},
		},
		{
			// Kubernetes reads YAML 1.1, where a plain on is true.
			name: "a plain on where a string is expected",
			src:  "hosts: [r]\nhttp:\n- route:\n  - destination: {host: r, subset: on}\n",
			out:  &VirtualService{},
			want: []string{`f.yaml:4:36: wrong type: expected a string, got on (Kubernetes reads the unquoted on as the boolean true; quote it)`},
		},
		{
			name: "a plain N where an integer or a string is expected",
			src:  "ports:\n- port: 80\n  targetPort: N\n",
			out:  &Service{},
			want: []string{`f.yaml:3:15: wrong type: expected an integer or a string, got N (Kubernetes reads the unquoted N as the boolean false; quote it)`},
		},
		{
			name: "a plain yes where an integer is expected",
			src:  "ports:\n- port: yes\n",
			out:  &Service{},
			want: []string{`f.yaml:2:9: wrong type: expected an integer, got yes (Kubernetes reads the unquoted yes as the boolean true)`},
		},
		{
			name: "a quoted yes where a boolean is expected",
			src:  "hostNetwork: \"yes\"\n",
			out:  &PodSpec{},
			want: []string{`f.yaml:1:14: wrong type: expected a boolean (true or false), got "yes"`},
		},
		{
			name: "portLevelMtls entry is a string",
			src:  "portLevelMtls:\n  8080: STRICT\n",
			out:  &PeerAuthentication{},
			want: []string{`f.yaml:2:9: wrong type: expected a mapping, got "STRICT"`},
		},
		{
			name: "nulls are absent, not wrong",
			src:  "hosts: null\nhttp:\n- route:\n  - weight: null\n    destination: ~\n",
			out:  &VirtualService{},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := errStrings(Decode("f.yaml", parse(t, tc.src), tc.out))
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

// TestDecodeYAML11Booleans: a boolean field takes what Kubernetes reads as
// one, a plain yes or Off included; quoted, a word is a string.
func TestDecodeYAML11Booleans(t *testing.T) {
	for src, want := range map[string]bool{"yes": true, "Off": false, "y": true, "NO": false, "True": true, "!!bool on": true} {
		var ps PodSpec
		if errs := Decode("f.yaml", parse(t, "hostNetwork: "+src+"\n"), &ps); errs != nil {
			t.Errorf("hostNetwork: %s: %v", src, errStrings(errs))
		}
		if !ps.HostNetwork.Set || ps.HostNetwork.V != want {
			t.Errorf("hostNetwork: %s = %+v, want %v", src, ps.HostNetwork, want)
		}
	}
	var vs VirtualService
	if errs := Decode("f.yaml", parse(t, "http:\n- route:\n  - destination: {host: r, subset: 'on'}\n"), &vs); errs != nil {
		t.Fatal(errStrings(errs))
	}
	if got := vs.HTTP[0].Route[0].Destination.Subset.V; got != "on" {
		t.Errorf("subset = %q, want on", got)
	}
}

func TestDecodeNil(t *testing.T) {
	var vs VirtualService
	if errs := Decode("f.yaml", nil, &vs); errs != nil {
		t.Errorf("Decode(nil) = %v", errs)
	}
}

func TestDecodeLocations(t *testing.T) {
	src := `hosts:
- reviews
- "ratings.shop.svc.cluster.local"
gateways: [mesh]
http:
- name: canary
  match:
  - uri:
      prefix: /api
  route:
  - destination:
      host: reviews
      subset: v2
      port:
        number: 9080
    weight: 90
  - destination:
      host: reviews
    weight: 10
tcp:
- route:
  - destination: {host: db, port: {number: 5432}}
`
	var vs VirtualService
	if errs := Decode("f.yaml", parse(t, src), &vs); errs != nil {
		t.Fatal(errStrings(errs))
	}
	if len(vs.Hosts) != 2 || vs.Hosts[0] != (Str{V: "reviews", Loc: Loc{Line: 2, Col: 3, EndCol: 10}, Set: true}) {
		t.Errorf("hosts[0] = %+v", vs.Hosts)
	}
	// Quotes are part of the value's text.
	if h := vs.Hosts[1]; h.V != "ratings.shop.svc.cluster.local" || h.Loc != (Loc{Line: 3, Col: 3, EndCol: 35}) {
		t.Errorf("hosts[1] = %+v", h)
	}
	r := vs.HTTP[0]
	if r.Loc.Line != 6 || r.Loc.Col != 3 || r.Name.V != "canary" {
		t.Errorf("http[0] at %+v name %+v", r.Loc, r.Name)
	}
	if m := r.Match[0]; m.Loc.Line != 8 || m.URI == nil || m.URI.Prefix.V != "/api" || m.URI.Prefix.Loc.Line != 9 || m.URI.Exact.Set {
		t.Errorf("match = %+v", m)
	}
	d := r.Route[0]
	if d.Loc != (Loc{Line: 11, Col: 5, EndCol: 6}) {
		t.Errorf("route[0] at %+v", d.Loc)
	}
	if d.Destination.Loc.Line != 12 || d.Destination.Host.Loc != (Loc{Line: 12, Col: 13, EndCol: 20}) || d.Destination.Subset.V != "v2" {
		t.Errorf("destination = %+v", d.Destination)
	}
	if d.Destination.Port.Number.V != 9080 || d.Destination.Port.Number.Loc.Line != 15 {
		t.Errorf("port = %+v", d.Destination.Port)
	}
	if d.Weight != (Int{V: 90, Loc: Loc{Line: 16, Col: 13, EndCol: 15}, Set: true}) {
		t.Errorf("weight = %+v", d.Weight)
	}
	if w := r.Route[1]; w.Destination.Subset.Set || w.Destination.Port != nil || w.Weight.V != 10 {
		t.Errorf("route[1] = %+v", w)
	}
	if tcp := vs.TCP[0].Route[0].Destination; tcp.Host.V != "db" || tcp.Port.Number.V != 5432 || tcp.Host.Loc.Col != 25 {
		t.Errorf("tcp = %+v", tcp)
	}
	if vs.ExportTo != nil || len(vs.TLS) != 0 {
		t.Errorf("absent fields set: %+v %+v", vs.ExportTo, vs.TLS)
	}
}

func TestDecodeKube(t *testing.T) {
	src := `selector:
  matchLabels: {app: web}
  matchExpressions:
  - {key: tier, operator: In, values: [a, b]}
template:
  metadata:
    labels:
      app: web
    annotations:
      sidecar.istio.io/inject: "false"
  spec:
    hostNetwork: true
    serviceAccountName: web
    containers:
    - name: web
      ports:
      - name: http
        containerPort: 8080
`
	var w Workload
	if errs := Decode("f.yaml", parse(t, src), &w); errs != nil {
		t.Fatal(errStrings(errs))
	}
	if w.Selector == nil || w.Selector.Loc.Line != 2 || w.Selector.MatchLabels["app"] != "web" {
		t.Errorf("selector = %+v", w.Selector)
	}
	if e := w.Selector.MatchExpressions[0]; e.Key.V != "tier" || e.Operator.V != "In" || len(e.Values) != 2 || e.Loc.Line != 4 {
		t.Errorf("expression = %+v", e)
	}
	s := w.Template.Spec
	if !s.HostNetwork.V || s.ServiceAccountName.V != "web" || w.Template.Metadata.Annotations["sidecar.istio.io/inject"] != "false" {
		t.Errorf("template = %+v", w.Template)
	}
	if p := s.Containers[0].Ports[0]; p.Name.V != "http" || p.ContainerPort.V != 8080 || p.Loc.Line != 17 || s.Containers[0].Loc.Line != 15 {
		t.Errorf("container port = %+v", p)
	}

	var svc Service
	if errs := Decode("f.yaml", parse(t, "ports:\n- port: 80\n  targetPort: http\n- port: 443\n  targetPort: 8443\n"), &svc); errs != nil {
		t.Fatal(errStrings(errs))
	}
	if tp := svc.Ports[0].TargetPort; !tp.IsStr || tp.Str != "http" || tp.String() != "http" || tp.Loc.Line != 3 {
		t.Errorf("targetPort[0] = %+v", tp)
	}
	if tp := svc.Ports[1].TargetPort; tp.IsStr || tp.Int != 8443 || tp.String() != "8443" || !tp.Set {
		t.Errorf("targetPort[1] = %+v", tp)
	}
}

func TestDecodeAliases(t *testing.T) {
	src := "x: &d {host: reviews}\nhttp:\n- route:\n  - destination: *d\n  - destination: *d\n"
	var vs VirtualService
	if errs := Decode("f.yaml", parse(t, src), &vs); errs != nil {
		t.Fatal(errStrings(errs))
	}
	if len(vs.HTTP[0].Route) != 2 || vs.HTTP[0].Route[1].Destination.Host.V != "reviews" {
		t.Errorf("routes = %+v", vs.HTTP[0].Route)
	}
}

// TestDecodeRepeatedMerge checks that a mapping with several merge keys,
// which yaml.v3 refuses to decode as a key written twice, is decoded as
// Kubernetes' decoder reads it: each merges, the later one winning, and
// the keys written win over both; an alias to such a mapping too.
func TestDecodeRepeatedMerge(t *testing.T) {
	src := `one: &one {host: one, exportTo: [a]}
two: &two {host: two}
three: &three {exportTo: [c]}
trafficPolicy: &tp
  <<: *one
  <<: {tls: {mode: SIMPLE}}
subsets:
- <<: *one
  <<: [*two, *three]
  name: s
- trafficPolicy: *tp
<<: *one
<<: *two
`
	var dr DestinationRule
	if errs := Decode("f.yaml", parse(t, src), &dr); len(errs) > 0 {
		t.Fatalf("errors: %v", errStrings(errs))
	}
	if dr.Host.V != "two" || len(dr.ExportTo) != 1 || dr.ExportTo[0].V != "a" {
		t.Errorf("host %q, exportTo %v: want two, [a]", dr.Host.V, Values(dr.ExportTo))
	}
	if dr.TrafficPolicy == nil || dr.TrafficPolicy.TLS == nil || dr.TrafficPolicy.TLS.Mode.V != "SIMPLE" {
		t.Errorf("trafficPolicy: %+v", dr.TrafficPolicy)
	}
	if len(dr.Subsets) != 2 || dr.Subsets[0].Name.V != "s" {
		t.Fatalf("subsets: %+v", dr.Subsets)
	}
	if tp := dr.Subsets[1].TrafficPolicy; tp == nil || tp.TLS == nil || tp.TLS.Mode.V != "SIMPLE" {
		t.Errorf("subset trafficPolicy through the alias: %+v", tp)
	}
}
