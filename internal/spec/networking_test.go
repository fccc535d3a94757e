package spec

import (
	"reflect"
	"strings"
	"testing"
)

// TestDecodeHTTPRouteKeys checks what MR121 reads of a route without its
// node: where the keys of the fields it reports are, in both decoders (an
// alias sends the second source through yaml.v3, which fills Keys through
// decodeAt), and the header names in the order written.
func TestDecodeHTTPRouteKeys(t *testing.T) {
	const route = `http:
- name: r
  directResponse:
    status: 503
  mirror: &m {host: shadow}
  mirrorPercentage: {value: 2.5}
  mirrorPercent: 7
  mirrors:
  - destination: {host: audit}
    percentage: {value: 5}
  rewrite: {uri: /v1/, uriRegexRewrite: {match: a, rewrite: b}}
  headers:
    request:
      set: {X-B: "1", x-a: "2"}
      remove: [Server]
    response:
      add: {hsts: x}
  fault:
    delay: {fixedDelay: 2s, percent: 10}
    abort: {httpStatus: 503, percentage: {value: 1.5}}
`
	for name, src := range map[string]string{"fast": route, "yaml.v3": strings.Replace(route, "{host: audit}", "*m", 1)} {
		t.Run(name, func(t *testing.T) {
			var vs VirtualService
			n := parse(t, src)
			if fast := decodeFast(n, &VirtualService{}); fast != (name == "fast") {
				t.Fatalf("decodeFast = %v", fast)
			}
			if errs := Decode("f.yaml", n, &vs); errs != nil {
				t.Fatal(errStrings(errs))
			}
			r := vs.HTTP[0]
			want := KeyLocs{
				{"directResponse", Loc{Line: 3, Col: 3, EndCol: 17}},
				{"mirror", Loc{Line: 5, Col: 3, EndCol: 9}},
				{"mirrorPercentage", Loc{Line: 6, Col: 3, EndCol: 19}},
				{"mirrorPercent", Loc{Line: 7, Col: 3, EndCol: 16}},
				{"mirrors", Loc{Line: 8, Col: 3, EndCol: 10}},
				{"headers", Loc{Line: 12, Col: 3, EndCol: 10}},
				{"fault", Loc{Line: 18, Col: 3, EndCol: 8}},
			}
			if !reflect.DeepEqual(r.Keys, want) {
				t.Errorf("keys = %+v, want %+v", r.Keys, want)
			}
			if got := r.Keys.Of("mirrors", r.Loc); got.Line != 8 {
				t.Errorf("Keys.Of(mirrors) = %+v", got)
			}
			if got := r.Keys.Of("corsPolicy", r.Loc); got != r.Loc {
				t.Errorf("Keys.Of(corsPolicy) = %+v, want the default", got)
			}
			if m := r.Mirrors[0]; m.Loc.Line != 9 || m.Percentage == nil || m.Percentage.Value.V != 5 {
				t.Errorf("mirrors entry = %+v", m)
			}
			f := r.Fault
			if f == nil || f.Delay == nil || f.Abort == nil {
				t.Fatalf("fault = %+v", f)
			}
			if d := f.Delay; d.FixedDelay.V != "2s" || d.Percent.V != 10 || d.Percentage != nil || d.Loc.Line != 19 {
				t.Errorf("delay = %+v", d)
			}
			if a := f.Abort; a.HTTPStatus.V != 503 || a.Percentage == nil || a.Percentage.Value.V != 1.5 || a.GRPCStatus.Set {
				t.Errorf("abort = %+v", a)
			}
			if r.MirrorPercentage == nil || r.MirrorPercentage.Value.V != 2.5 || r.MirrorPercent.V != 7 {
				t.Errorf("mirror percentages = %+v %+v", r.MirrorPercentage, r.MirrorPercent)
			}
			if rw := r.Rewrite; rw == nil || rw.URI.V != "/v1/" || rw.URI.Loc.Line != 11 || !rw.URIRegexRewrite {
				t.Errorf("rewrite = %+v", rw)
			}
			h := r.Headers
			if h == nil || h.Loc.Line != 13 {
				t.Fatalf("headers = %+v, want at line 13", h)
			}
			if got := h.Request.Set.Names; !reflect.DeepEqual(got, []string{"X-B", "x-a"}) {
				t.Errorf("request.set = %q, want the order written", got)
			}
			if !reflect.DeepEqual(h.Request.Remove, []string{"Server"}) || !reflect.DeepEqual(h.Response.Add.Names, []string{"hsts"}) || h.Request.Add.Names != nil {
				t.Errorf("headers = %+v", h)
			}
		})
	}
}

// TestDecodeHTTPRouteLoose checks that the fields MR121 reads leave a
// value of the wrong type to schema validation (MR001) rather than make it
// an input error, as the rule read them from the node before.
func TestDecodeHTTPRouteLoose(t *testing.T) {
	src := `http:
- mirrorPercentage: {value: "2.5"}
  mirrorPercent: x
  rewrite: {uri: ~, uriRegexRewrite: ~}
  headers:
    request: {set: [a], add: 5, remove: {a: b}}
    response: 7
  fault:
    delay: {fixedDelay: 5, percentage: 3, percent: x, exponentialDelay: 1s}
    abort: {httpStatus: "503", grpcStatus: [a], percentage: {value: y}}
- fault: 7
- fault: {delay: ~, abort: ~}
`
	var vs VirtualService
	if errs := Decode("f.yaml", parse(t, src), &vs); errs != nil {
		t.Fatal(errStrings(errs))
	}
	r := vs.HTTP[0]
	if p := r.MirrorPercentage; p == nil || p.Value.V != 2.5 || p.Value.Bad || !r.MirrorPercent.Bad || !r.MirrorPercent.Set {
		t.Errorf("mirror percentages = %+v %+v", r.MirrorPercentage, r.MirrorPercent)
	}
	if rw := r.Rewrite; rw == nil || rw.URI.Set || !rw.URIRegexRewrite {
		t.Errorf("rewrite = %+v", rw)
	}
	if f := r.Fault; f == nil || f.Delay == nil || f.Abort == nil {
		t.Errorf("fault = %+v, want both kinds present", f)
	} else {
		if d := f.Delay; d.FixedDelay.Set || d.Percentage == nil || d.Percentage.Value.Set || !d.Percent.Bad || !d.ExponentialDelay {
			t.Errorf("delay = %+v", d)
		}
		if a := f.Abort; a.HTTPStatus.V != 503 || a.GRPCStatus.Set || a.Percentage == nil || !a.Percentage.Value.Bad {
			t.Errorf("abort = %+v", a)
		}
	}
	for _, r := range vs.HTTP[1:] {
		if f := r.Fault; f == nil || f.Delay != nil || f.Abort != nil {
			t.Errorf("fault at %v = %+v, want one of neither kind", r.Loc, f)
		}
	}
	if h := r.Headers; h == nil || h.Request == nil || h.Response == nil {
		t.Errorf("headers = %+v, want both directions present", h)
	} else {
		for _, o := range []*HeaderOps{h.Request, h.Response} {
			if o.Set.Names != nil || o.Add.Names != nil || o.Remove != nil {
				t.Errorf("operations = %+v, want no names", o)
			}
		}
	}
	if errs := Decode("f.yaml", parse(t, "http:\n- rewrite: 7\n"), &VirtualService{}); len(errs) != 1 {
		t.Errorf("rewrite: 7 reports %v, want one input error, as yaml.v3 gave for its node", errStrings(errs))
	}
}

// TestDecodeCanaryHeaders checks the Canary's spec.service.headers, which
// the Gateway API router turns into filters at the operations' fields: a
// null direction has none, an empty one has its location, and a value of
// the wrong type is left to schema validation as in a VirtualService.
func TestDecodeCanaryHeaders(t *testing.T) {
	src := `service:
  headers:
    request: {}
    response: ~
`
	var c Canary
	if errs := Decode("f.yaml", parse(t, src), &c); errs != nil {
		t.Fatal(errStrings(errs))
	}
	h := c.Service.Headers
	if h == nil || h.Request == nil || h.Request.Loc.Line != 3 || h.Request.Loc.Col != 14 || h.Response != nil {
		t.Errorf("headers = %+v, want request at 3:14 and no response", h)
	}
	if errs := Decode("f.yaml", parse(t, "service: {headers: {request: 5, response: [a]}}\n"), &Canary{}); errs != nil {
		t.Errorf("wrong types report %v, want none (MR001 reports them)", errStrings(errs))
	}
}
