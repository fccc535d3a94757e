package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// reachFixtures is the suite of hand-computed connectivity scenarios.
const reachFixtures = "../../fixtures/reach"

// TestReachFixtures runs `meshlint reach` on every scenario and compares
// its output with the expected.txt written by hand beside the input.
func TestReachFixtures(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join(reachFixtures, "*", "expected.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) < 25 {
		t.Fatalf("found %d reach scenarios, want at least 25", len(dirs))
	}
	for _, exp := range dirs {
		dir := filepath.Dir(exp)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			want, err := os.ReadFile(exp)
			if err != nil {
				t.Fatal(err)
			}
			r := run(t, dir, "", "reach", ".")
			if r.code != ExitClean {
				t.Fatalf("exit %d, want 0; stderr:\n%s", r.code, r.stderr)
			}
			if r.stdout != string(want) {
				t.Errorf("output differs from expected.txt\n--- got\n%s--- want\n%s", r.stdout, want)
			}
		})
	}
}

func TestReachFormats(t *testing.T) {
	dir := filepath.Join(reachFixtures, "29-ingress-object")

	r := run(t, dir, "", "reach", "--format", "json", ".")
	if r.code != ExitClean {
		t.Fatalf("json: exit %d: %s", r.code, r.stderr)
	}
	var got []map[string]string
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("json: %v\n%s", err, r.stdout)
	}
	if len(got) != 5 || got[4]["src"] != "{ingress-controller}" || got[4]["dst"] != "shop/web[Deployment]" || got[4]["conn"] != "TCP 8080" {
		t.Errorf("json: got %v", got)
	}
	// The streamed JSON is what json.MarshalIndent writes.
	var typed []struct {
		Src  string `json:"src"`
		Dst  string `json:"dst"`
		Conn string `json:"conn"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &typed); err != nil {
		t.Fatal(err)
	}
	if b, _ := json.MarshalIndent(typed, "", "  "); string(b)+"\n" != r.stdout {
		t.Errorf("json layout:\n%s\nwant\n%s", r.stdout, b)
	}

	r = run(t, dir, "", "reach", ".", "--format=dot")
	for _, want := range []string{
		"digraph {",
		`subgraph "cluster_shop" {`,
		`"shop/web[Deployment]" [label="web[Deployment]" color="blue" fontcolor="blue"]`,
		`"{ingress-controller}" -> "shop/web[Deployment]" [label="TCP 8080" color="gold2" fontcolor="darkgreen"]`,
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("dot output lacks %q:\n%s", want, r.stdout)
		}
	}

	r = run(t, dir, "", "reach", "--format", "mermaid", ".")
	for _, want := range []string{
		"flowchart LR",
		`subgraph ns0["shop"]`,
		`["web[Deployment]"]`,
		`-->|"TCP 8080"|`,
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("mermaid output lacks %q:\n%s", want, r.stdout)
		}
	}

	// No connection at all is valid JSON too.
	r = run(t, filepath.Join(reachFixtures, "05-default-deny-namespace"), "", "reach", "--format", "json", "--from", "shop/*", ".")
	if r.code != ExitClean || strings.TrimSpace(r.stdout) != "[]" {
		t.Errorf("empty json: exit %d, output %q, stderr %s", r.code, r.stdout, r.stderr)
	}
}

func TestReachFilters(t *testing.T) {
	for _, tc := range []struct {
		name    string
		fixture string
		args    []string
		want    string
	}{
		{"who reaches the database", "09-pod-selector-own-namespace", []string{"--to", "db/postgres"},
			"db/client[Deployment] => db/postgres[Deployment] : TCP 5432\n"},
		{"what a pod reaches", "16-named-port-egress", []string{"--from", "client"},
			"net/client[Deployment] => net/srv-a[Deployment] : TCP 8080\nnet/client[Deployment] => net/srv-b[Deployment] : TCP 8081\n"},
		{"namespace wildcard, both ends", "10-and-vs-or", []string{"--from", "fe/*", "--to", "db/and-target,db/or-target"},
			"fe/web[Deployment] => db/and-target[Deployment] : TCP 80\nfe/web[Deployment] => db/or-target[Deployment] : TCP 80\nfe/worker[Deployment] => db/or-target[Deployment] : TCP 80\n"},
		{"external address", "13-ipblock-except", []string{"--from", "10.2.3.4", "--to", "web"},
			"10.2.0.0-10.255.255.255[External] => shop/web[Deployment] : TCP 443\n"},
		{"external CIDR", "13-ipblock-except", []string{"--from", "10.0.0.0/15", "--to", "shop/web[Deployment]"},
			"10.0.0.0-10.0.255.255[External] => shop/web[Deployment] : TCP 443\n"},
		{"ingress controller", "29-ingress-object", []string{"--from", "ingress-controller"},
			"{ingress-controller} => shop/web[Deployment] : TCP 8080\n"},
		{"pod listed under its owner", "31-pod-owners", []string{"--from", "apps/web-5d9f-aaaaa", "--to", "default/*"},
			"apps/web-5d9f[ReplicaSet] => default/solo[Pod] : All Connections\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := run(t, filepath.Join(reachFixtures, tc.fixture), "", append([]string{"reach", "."}, tc.args...)...)
			if r.code != ExitClean {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			if r.stdout != tc.want {
				t.Errorf("got\n%s\nwant\n%s", r.stdout, tc.want)
			}
		})
	}
}

// TestReachRefusedPolicy checks that a NetworkPolicy the API server
// refuses is named once on stderr as left out, rather than read in part
// ("the port is ignored").
func TestReachRefusedPolicy(t *testing.T) {
	r := run(t, filepath.Join(reachFixtures, "40-refused-policy"), "", "reach", ".")
	if r.code != ExitClean {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{
		`shop.yaml:52:5: NetworkPolicy shop/deny-all: policyTypes[0] "ingress" is neither Ingress nor Egress, so the API server refuses the policy; it is left out`,
		`shop.yaml:71:17: NetworkPolicy shop/web-egress: egress[0].ports[0] protocol "tcp" is not TCP, UDP or SCTP, so the API server refuses the policy; it is left out`,
	} {
		if strings.Count(r.stderr, want) != 1 {
			t.Errorf("stderr holds %q %d times, want once; stderr:\n%s", want, strings.Count(r.stderr, want), r.stderr)
		}
	}
	if n := strings.Count(r.stderr, "warning:"); n != 2 {
		t.Errorf("%d warnings, want 2; stderr:\n%s", n, r.stderr)
	}
}

func TestReachErrors(t *testing.T) {
	dir := filepath.Join(reachFixtures, "01-no-policies")
	for _, tc := range []struct {
		name   string
		args   []string
		stderr string
	}{
		{"unknown format", []string{"--format", "svg", "."}, `unknown --format "svg"`},
		{"unknown workload", []string{"--to", "default/nope", "."}, `--to: "default/nope" matches no workload`},
		{"ingress controller without Ingress", []string{"--from", "ingress-controller", "."}, `"ingress-controller" matches no workload`},
		{"IPv6 where no policy names it", []string{"--from", "fd00::/8", "."}, `"fd00::/8": no policy of the input names an IPv6 block`},
		{"missing path", []string{"does-not-exist"}, "does-not-exist"},
		{"unknown flag", []string{"--frobnicate", "."}, "frobnicate"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := run(t, dir, "", append([]string{"reach"}, tc.args...)...)
			if r.code != ExitError {
				t.Errorf("exit %d, want %d", r.code, ExitError)
			}
			if !strings.Contains(r.stderr, tc.stderr) {
				t.Errorf("stderr %q lacks %q", r.stderr, tc.stderr)
			}
		})
	}
}

// reachIPv6 is a dual-stack input: s/web admits 2001:db8::/32 but
// 2001:db8:1::/48 and may reach every IPv6 address outside fd00::/8 on
// TCP 443; s/pod is not isolated.
const reachIPv6 = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: s}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: pod, namespace: s}
spec:
  selector: {matchLabels: {app: pod}}
  template:
    metadata: {labels: {app: pod}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web, namespace: s}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Ingress, Egress]
  ingress:
  - from: [{ipBlock: {cidr: "2001:db8::/32", except: ["2001:db8:1::/48"]}}]
  egress:
  - to: [{ipBlock: {cidr: "::/0", except: ["fd00::/8"]}}]
    ports: [{port: 443}]
`

// TestReachIPv6 checks that reach lists the external IPv6 ranges, in
// order among the IPv4 ones, when a policy names an IPv6 block, and that
// --from and --to keep the address families apart.
func TestReachIPv6(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"all", nil, `0.0.0.0-255.255.255.255[External] => s/pod[Deployment] : All Connections
2001:db8:1::-2001:db8:1:ffff:ffff:ffff:ffff:ffff[External] => s/pod[Deployment] : All Connections
2001:db8:2::-2001:db8:ffff:ffff:ffff:ffff:ffff:ffff[External] => s/pod[Deployment] : All Connections
2001:db8:2::-2001:db8:ffff:ffff:ffff:ffff:ffff:ffff[External] => s/web[Deployment] : All Connections
2001:db8::-2001:db8:0:ffff:ffff:ffff:ffff:ffff[External] => s/pod[Deployment] : All Connections
2001:db8::-2001:db8:0:ffff:ffff:ffff:ffff:ffff[External] => s/web[Deployment] : All Connections
2001:db9::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff[External] => s/pod[Deployment] : All Connections
::-2001:db7:ffff:ffff:ffff:ffff:ffff:ffff[External] => s/pod[Deployment] : All Connections
s/pod[Deployment] => 0.0.0.0-255.255.255.255[External] : All Connections
s/pod[Deployment] => ::-fcff:ffff:ffff:ffff:ffff:ffff:ffff:ffff[External] : All Connections
s/pod[Deployment] => fd00::-fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff[External] : All Connections
s/pod[Deployment] => fe00::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff[External] : All Connections
s/web[Deployment] => ::-fcff:ffff:ffff:ffff:ffff:ffff:ffff:ffff[External] : TCP 443
s/web[Deployment] => fe00::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff[External] : TCP 443
`},
		{"IPv6 address", []string{"--from", "2001:db8:1::5", "--to", "web,pod"},
			"2001:db8:1::-2001:db8:1:ffff:ffff:ffff:ffff:ffff[External] => s/pod[Deployment] : All Connections\n"},
		{"IPv6 CIDR", []string{"--from", "s/web", "--to", "fe80::/10"},
			"s/web[Deployment] => fe00::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff[External] : TCP 443\n"},
		// 0.0.0.0 is no IPv6 range's, whose IPv4 range is unset.
		{"IPv4 address", []string{"--to", "0.0.0.0"},
			"s/pod[Deployment] => 0.0.0.0-255.255.255.255[External] : All Connections\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := run(t, t.TempDir(), reachIPv6, append([]string{"reach", "-q", "-"}, tc.args...)...)
			if r.code != ExitClean || r.stdout != tc.want {
				t.Errorf("exit %d, output\n%s\nwant\n%s\nstderr: %s", r.code, r.stdout, tc.want, r.stderr)
			}
		})
	}
	r := run(t, t.TempDir(), reachIPv6, "reach", "-q", "--format", "dot", "--from", "s/web", "-")
	if want := `"s/web[Deployment]" -> "fe00::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff[External]" [label="TCP 443"`; !strings.Contains(r.stdout, want) {
		t.Errorf("dot output lacks %q:\n%s", want, r.stdout)
	}
}

func TestReachStdin(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(reachFixtures, "17-endport", "svc.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	r := run(t, t.TempDir(), string(data), "reach", "--to", "svc/server", "-")
	if want := "svc/client[Deployment] => svc/server[Deployment] : TCP 8080,32000-32768,UDP 10053-10054\n"; r.code != ExitClean || r.stdout != want {
		t.Errorf("exit %d, output %q; stderr %s", r.code, r.stdout, r.stderr)
	}
}

// TestReachConfig checks that reach reads .meshlint.yaml as lint does: its
// namespace places objects that set none, and its ignore-paths keep files
// out; --no-config and flags win over the file.
func TestReachConfig(t *testing.T) {
	dir := t.TempDir()
	deploy := func(name string) string {
		return "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: " + name +
			"\nspec:\n  selector:\n    matchLabels:\n      app: " + name +
			"\n  template:\n    metadata:\n      labels:\n        app: " + name + "\n"
	}
	write := func(name, content string) {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("web.yaml", deploy("web"))
	write("api.yaml", deploy("api"))
	write("vendor/db.yaml", deploy("db"))
	write(".meshlint.yaml", "namespace: shop\nignore-paths: [vendor]\n")

	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"file", nil, "shop/api[Deployment] => shop/web[Deployment] : All Connections\n" +
			"shop/web[Deployment] => shop/api[Deployment] : All Connections\n"},
		{"flag over file", []string{"--namespace", "prod"}, "prod/api[Deployment] => prod/web[Deployment] : All Connections\n" +
			"prod/web[Deployment] => prod/api[Deployment] : All Connections\n"},
		{"no config", []string{"--no-config"}, "default/api[Deployment] => default/db[Deployment] : All Connections\n" +
			"default/api[Deployment] => default/web[Deployment] : All Connections\n" +
			"default/db[Deployment] => default/api[Deployment] : All Connections\n" +
			"default/db[Deployment] => default/web[Deployment] : All Connections\n" +
			"default/web[Deployment] => default/api[Deployment] : All Connections\n" +
			"default/web[Deployment] => default/db[Deployment] : All Connections\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := run(t, dir, "", append(append([]string{"reach"}, tc.args...), ".")...)
			// The connections to and from the outside are not the point.
			var got strings.Builder
			for line := range strings.Lines(r.stdout) {
				if !strings.Contains(line, "[External]") {
					got.WriteString(line)
				}
			}
			if r.code != ExitClean || got.String() != tc.want {
				t.Errorf("exit %d, output\n%s\nwant\n%s\nstderr: %s", r.code, r.stdout, tc.want, r.stderr)
			}
		})
	}

	write(".meshlint.yaml", "rules:\n  disable: [no-such-rule]\n")
	r := run(t, dir, "", "reach", ".")
	if r.code != ExitError || !strings.Contains(r.stderr, `.meshlint.yaml:2: no rule "no-such-rule"`) {
		t.Errorf("a broken configuration file: exit %d, stderr %q", r.code, r.stderr)
	}
}
