package validation

import (
	"net/url"
	"testing"
)

// celCoverageTelemetryExtensions is celCoverage for the CRDs of
// telemetry.istio.io (Telemetry) and extensions.istio.io (WasmPlugin,
// TrafficExtension). Everything their CRDs reject is MR001's, CEL rules
// included, even where Istio's webhook refuses the same: the rules that
// mirror the webhook for these kinds leave the CRDs' checks to MR001.
var celCoverageTelemetryExtensions = map[string]string{
	"telemetry .spec [3cb74691] only one of targetRefs or selector can be set":                                        "MR001",
	"telemetry .spec.metrics[].overrides[].tagOverrides{} [6bbc21cb] value must not be set when operation is REMOVE":  "MR001",
	"telemetry .spec.metrics[].overrides[].tagOverrides{} [6dd5e171] value must be set when operation is UPSERT":      "MR001",
	"telemetry .spec.metrics[].reportingInterval [37917445] must be a valid duration greater than 1ms":                "MR001",
	"telemetry .spec.selector.matchLabels [94e07505] key must not be empty":                                           "MR001",
	"telemetry .spec.selector.matchLabels [9f9876fa] wildcard not allowed in label key match":                         "MR001",
	"telemetry .spec.selector.matchLabels{} [18f5dc96] wildcard not allowed in label value match":                     "MR001",
	"telemetry .spec.targetRef.namespace [04244af1] cross namespace referencing is not currently supported":           "MR001",
	"telemetry .spec.targetRefs[].namespace [04244af1] cross namespace referencing is not currently supported":        "MR001",
	"trafficextension .spec [92794811] exactly one of wasm or lua must be set":                                        "MR001",
	"trafficextension .spec [d7efb5f8] only one of targetRefs or selector can be set":                                 "MR001",
	"trafficextension .spec.selector.matchLabels [94e07505] key must not be empty":                                    "MR001",
	"trafficextension .spec.selector.matchLabels [9f9876fa] wildcard not allowed in label key match":                  "MR001",
	"trafficextension .spec.selector.matchLabels{} [18f5dc96] wildcard not allowed in label value match":              "MR001",
	"trafficextension .spec.targetRefs[].namespace [04244af1] cross namespace referencing is not currently supported": "MR001",
	"trafficextension .spec.wasm.url [57e82e12] url must have schema one of [http, https, file, oci]":                 "MR001",
	"trafficextension .spec.wasm.vmConfig.env[] [fde454f5] value may only be set when valueFrom is INLINE":            "MR001",
	"wasmplugin .spec [3cb74691] only one of targetRefs or selector can be set":                                       "MR001",
	"wasmplugin .spec.selector.matchLabels [94e07505] key must not be empty":                                          "MR001",
	"wasmplugin .spec.selector.matchLabels [9f9876fa] wildcard not allowed in label key match":                        "MR001",
	"wasmplugin .spec.selector.matchLabels{} [18f5dc96] wildcard not allowed in label value match":                    "MR001",
	"wasmplugin .spec.targetRef.namespace [04244af1] cross namespace referencing is not currently supported":          "MR001",
	"wasmplugin .spec.targetRefs[].namespace [04244af1] cross namespace referencing is not currently supported":       "MR001",
	"wasmplugin .spec.url [4a87c992] url must have schema one of [http, https, file, oci]":                            "MR001",
	"wasmplugin .spec.vmConfig.env[] [fde454f5] value may only be set when valueFrom is INLINE":                       "MR001",
}

// TestWasmURL checks wasmURL against what the CRD's CEL rule decides, and
// that it agrees with the webhook's check of the same URL
// (validateWasmPluginURL: strictParseURL, then the same schemes).
func TestWasmURL(t *testing.T) {
	for _, c := range []struct {
		url  string
		want bool
	}{
		{"oci://private-registry:5000/openid-connect/openid:latest", true},
		{"https://private-bucket/filters/openid.wasm", true},
		{"HTTPS://private-bucket/filters/openid.wasm", true}, // url() lowercases the scheme
		{"file:///opt/filters/openid.wasm", true},
		{"/opt/filters/openid.wasm", true},                 // no scheme: ""
		{"ghcr.io/example/filters/basic-auth:1.2.0", true}, // read as http://ghcr.io/...
		{"private-registry:5000/acl:1.0", false},           // the scheme "private-registry"
		{"localhost:5000/filters/acl:v1", false},
		{"ftp://files.example.com/openid.wasm", false},
		{"s3://bucket/filters/acl.wasm", false},
		{"http://[::1/filter.wasm", true}, // a bad host, but http://http://[::1/... parses: the webhook agrees
		{"%zz/filter.wasm", false},        // no URL, with http:// before it or not
	} {
		if got := wasmURL(c.url); got != c.want {
			t.Errorf("wasmURL(%q) = %v, want %v", c.url, got, c.want)
		}
		if got := webhookWasmURL(c.url); got != c.want {
			t.Errorf("the webhook's check of %q = %v, want %v as the CEL rule", c.url, got, c.want)
		}
	}
}

// webhookWasmURL is validateWasmPluginURL of Istio's
// pkg/config/validation/validation.go, with strictParseURL, for a URL
// that is not empty.
func webhookWasmURL(s string) bool {
	u, err := url.ParseRequestURI(s)
	if err != nil {
		s = "http://" + s
		if u, err = url.ParseRequestURI(s); err != nil {
			return false
		}
	}
	if _, err := url.Parse(s); err != nil {
		return false
	}
	switch u.Scheme {
	case "", "file", "http", "https", "oci":
		return true
	}
	return false
}
