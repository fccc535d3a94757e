package validation

import "testing"

// TestCELSyntax pins how celSyntaxError sets up cel-go's parser: as
// cel.NewEnv() does for Istio's webhook (the standard macros, the optional
// syntax off). Each expression was run through cel-go v0.28.1 (the version
// Istio pins), cel.NewEnv() then Parse, as validateTelemetryFilter does;
// the invalid ones include what a parser without the macros' argument
// checks, or with optional syntax on, would accept.
func TestCELSyntax(t *testing.T) {
	valid := []string{
		"response.code >= 400",
		"connection.mtls && request.url_path.contains('v1beta3')",
		"response.code",
		"response.code >= 400 || xds.cluster_name == 'BlackHoleCluster' || xds.cluster_name == 'PassthroughCluster'",
		"!(request.url_path.startsWith('/healthz')) && response.code != 200",
		`request.headers['x-debug'] == "true"`,
		"has(request.headers.foo) ? request.headers.foo : 'none'",
		"has((a.b))",
		"a ? b : c ? d : e",
		"[1, 2, 3,].exists(x, x > 2) && {'a': 1,}.size() == 1",
		"l.map(x, x * 2) == l.map(x, x > 0, x) && l.filter(x, x in [1u, 0x1F, 0x1Fu])",
		"l.all(x, -x < 0) && l.exists_one(x, !x)",
		"google.protobuf.Duration{seconds: 1} != .pkg.Msg{}",
		"-9223372036854775808 < 9223372036854775807",
		"1.5e3 + .5 + 1e-2 + 089",
		"r'\\d+' + b'\\x00' + R\"x\" + bR'y' + '''a\nb''' + \"\\u00e9\\101\"",
		"a.`b-c` == 1 // trailing comment",
		"size(x) == 2 && x.has(y)",
		"has(a.b, c)",
		"[,] == [] && {,} == {} && M{,} == M{}",
		"!-1 && --x == !!y && - 1.5 < -(x)",
		"0x7FFFFFFFFFFFFFFF < 0xFFFFFFFFFFFFFFFFu && 1e308 > 0.0",
	}
	for _, s := range valid {
		if err := celSyntaxError(s); err != "" {
			t.Errorf("celSyntaxError(%q) = %q, want none", s, err)
		}
	}
	invalid := []string{
		"",
		")++++",
		"response.code = 500",
		"response.code >= 400 and xds.cluster_name == 'x'",
		"a & b",
		"a || b |",
		"'unterminated",
		"'line\nbreak'",
		`"\q"`,
		"has(a)",
		"has(a[0])",
		"has(a.b())",
		"l.all(x.y, true)",
		"l.map(1, 2)",
		"if > 1",
		"9223372036854775808",
		"18446744073709551616u",
		"a ? b ? c : d : e",
		"f(a,)",
		"a.in",
		"a.1",
		"1.5u",
		"#",
		"`a`",
		"a $ b",
		"a.?b",
		"a[?0]",
		"[?a]",
		"!-x",
		"-!x",
		"rb'y'",
		"0X1F",
		"1e400",
		"[,1]",
		"f(,)",
		"response.code >= 400)",
	}
	for _, s := range invalid {
		if err := celSyntaxError(s); err == "" {
			t.Errorf("celSyntaxError(%q) = none, want an error", s)
		}
	}
}
