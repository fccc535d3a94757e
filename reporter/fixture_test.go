package reporter

import (
	"bytes"
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/rules"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// testRoot is a fake working directory, so that outputs do not depend on
// the machine running the tests.
const testRoot = "/src/mesh"

// The fixture's files. routes.yaml holds two documents, a tab, and East
// Asian wide characters and an emoji before a reported node; peer.yaml is
// named by an absolute path under testRoot.
const (
	routesFile = "deploy/routes.yaml"
	peerFile   = testRoot + "/security/peer.yaml"
	brokenFile = "broken.yaml"
	vendorFile = "/elsewhere/vendor.yaml" // outside testRoot
)

var testSources = map[string]string{
	routesFile: `# Routes for the shop: café ☕ edition
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
  namespace: shop
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews, subset: v1}
      weight: 90
    - destination: {host: reviews, subset: canary}
      weight: 20
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: reviews
  namespace: shop
spec:
  host: reviews
  trafficPolicy:
    tls: {mode: DISABLE}
  subsets:
  - name: v1
    labels: {team: "例え😀",	version: v1}
`,
	peerFile: `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: shop
spec:
  mtls:
    mode: PERMISSIVE
`,
	brokenFile: "apiVersion: v1\nkind: Service\nmetadata: name: x\n",
}

func testSource(file string) []byte {
	if s, ok := testSources[file]; ok {
		return []byte(s)
	}
	return nil
}

var (
	ruleWeights = &rules.Rule{
		ID: "MR101", Name: "route-weights-not-100",
		Summary: "route weights do not add up to 100",
		Doc: "Istio treats weights as relative,\nso the percentages written are not the split.\n\n" +
			"Fix the weights so that they add up to 100.",
		Bad:      "spec:\n  http:\n  - route:\n    - weight: 90\n    - weight: 20\n",
		Good:     "spec:\n  http:\n  - route:\n    - weight: 90\n    - weight: 10\n",
		Severity: rules.Warning,
		Inputs:   []kinds.Kind{kinds.VirtualService},
	}
	ruleSubset = &rules.Rule{
		ID: "MR102", Name: "route-subset-undefined",
		Summary:  "route targets a subset that no visible DestinationRule defines",
		Doc:      "Traffic to an undefined subset fails with 503 NR.",
		Bad:      "subset: canary\n",
		Good:     "subset: v1\n",
		Severity: rules.Error,
		Inputs:   []kinds.Kind{kinds.VirtualService, kinds.DestinationRule},
		Related:  []string{"IST0101", "KIA1107"},
	}
	rulePermissive = &rules.Rule{
		ID: "MR201", Name: "mtls-permissive",
		Summary: "PeerAuthentication accepts plaintext traffic",
		Doc: "PERMISSIVE accepts plaintext. Markdown in the doc stays as is: `mode`.\n\n" +
			"A second paragraph.",
		Bad:      "mtls:\n  mode: PERMISSIVE\n",
		Good:     "mtls:\n  mode: STRICT # ```fences``` in examples are outrun\n",
		Severity: rules.Warning,
		Inputs:   []kinds.Kind{kinds.PeerAuthentication, kinds.DestinationRule},
	}
	ruleNoWorkload = &rules.Rule{
		ID: "MR301", Name: "subset-selects-nothing",
		Summary:  "DestinationRule subset labels select no workload in the input",
		Doc:      "A subset whose labels match no pod receives no traffic.",
		Bad:      "labels: {version: v9}\n",
		Good:     "labels: {version: v1}\n",
		Severity: rules.Info,
		Inputs:   []kinds.Kind{kinds.DestinationRule, kinds.Deployment},
	}
	// ruleUnlisted is reported but missing from Report.Rules.
	ruleUnlisted = &rules.Rule{
		ID: "MR900", Name: "unlisted-rule", Summary: "a rule the registry passed in does not list",
		Doc: "Doc.", Bad: "a: 1\n", Good: "a: 2\n", Severity: rules.Info,
		Inputs: []kinds.Kind{kinds.Service},
	}
	testRules = []*rules.Rule{ruleWeights, ruleSubset, rulePermissive, ruleNoWorkload}
)

// loadObjects parses a fixture file the way the loader does: whole file,
// absolute line numbers, one object per document.
func loadObjects(t testing.TB, file string) []*manifest.Object {
	t.Helper()
	dec := yaml.NewDecoder(strings.NewReader(testSources[file]))
	var objs []*manifest.Object
	for i := 0; ; i++ {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return objs
		}
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		n := doc.Content[0]
		o := &manifest.Object{
			APIVersion: nodeAt(t, n, "apiVersion").Value,
			Kind:       kinds.Kind(nodeAt(t, n, "kind").Value),
			Name:       nodeAt(t, n, "metadata.name").Value,
			Namespace:  nodeAt(t, n, "metadata.namespace").Value,
			File:       file,
			Doc:        int32(i),
			Node:       n,
			KindLoc:    manifest.LocOf(nodeAt(t, n, "kind")),
			NameLoc:    manifest.LocOf(nodeAt(t, n, "metadata.name")),
		}
		o.NamespaceSet = o.Namespace != ""
		o.Group, _ = kinds.SplitAPIVersion(o.APIVersion)
		objs = append(objs, o)
	}
}

// nodeAt follows a dotted path of mapping keys and sequence indexes.
func nodeAt(t testing.TB, n *yaml.Node, path string) *yaml.Node {
	t.Helper()
	for _, step := range strings.Split(path, ".") {
		var next *yaml.Node
		if i, err := strconv.Atoi(step); err == nil && n.Kind == yaml.SequenceNode && i < len(n.Content) {
			next = n.Content[i]
		} else if n.Kind == yaml.MappingNode {
			for j := 0; j+1 < len(n.Content); j += 2 {
				if n.Content[j].Value == step {
					next = n.Content[j+1]
				}
			}
		}
		if next == nil {
			t.Fatalf("no node at %q (step %q)", path, step)
		}
		n = next
	}
	return n
}

// loc is the location of the node at path in o.
func loc(t testing.TB, o *manifest.Object, path string) manifest.Pos {
	t.Helper()
	return o.Pos(manifest.LocOf(nodeAt(t, o.Node, path)))
}

// fixtureReport is a report with findings of every severity in two files
// (one of them multi-document), related locations, fixes (a replacement,
// an insertion and a deletion, across two files, and a new file), a rule missing from
// Report.Rules, input errors with and without a line, inside and outside
// the root and on stdin, an internal error, and a topology (for HTML).
func fixtureReport(t testing.TB) *Report {
	routes := loadObjects(t, routesFile)
	vs, dr := routes[0], routes[1]
	pa := loadObjects(t, peerFile)[0]

	findings := []*rules.Finding{
		{
			Rule: ruleWeights, Severity: rules.Warning, Object: vs,
			Message: "route weights add up to 110, not 100: Istio sends 82% to subset v1, 18% to subset canary",
			Pos:     loc(t, vs, "spec.http.0.route.0.weight"),
			Related: []rules.Related{{Pos: loc(t, vs, "spec.http.0.route.1.weight"), Message: "the other weight"}},
		},
		{
			Rule: ruleSubset, Severity: rules.Error, Object: vs,
			Message: `subset "canary" of host "reviews.shop.svc.cluster.local" is not defined`,
			Pos:     loc(t, vs, "spec.http.0.route.1.destination.subset"),
			Related: []rules.Related{{Pos: dr.Pos(dr.NameLoc), Message: "DestinationRule shop/reviews defines subsets: v1"}},
		},
		{
			Rule: ruleNoWorkload, Severity: rules.Info, Object: dr,
			Message: `labels of subset "v1" select no workload in namespace shop`,
			Pos:     loc(t, dr, "spec.subsets.0.labels.version"),
		},
		{
			Rule: rulePermissive, Severity: rules.Error, Object: pa, // severity raised by configuration
			Message: "namespace shop accepts plaintext: PeerAuthentication shop/default sets mtls.mode PERMISSIVE",
			Pos:     loc(t, pa, "spec.mtls.mode"),
			Related: []rules.Related{{
				Pos:     loc(t, dr, "spec.trafficPolicy.tls.mode"),
				Message: "DestinationRule shop/reviews sends plaintext\n(tls.mode DISABLE)",
			}},
			Fixes: []rules.Fix{
				{Message: "Set mtls.mode to STRICT", Edits: []rules.Edit{{
					Pos: loc(t, pa, "spec.mtls.mode"), End: manifest.Loc{Line: 8, Col: 21}, NewText: "STRICT",
				}}},
				{Message: "Enable mTLS in the DestinationRule and leave a note", Edits: []rules.Edit{
					{Pos: loc(t, dr, "spec.trafficPolicy.tls.mode"), End: manifest.Loc{Line: 24, Col: 24}, NewText: "ISTIO_MUTUAL"},
					{Pos: manifest.Pos{File: peerFile, Loc: manifest.Loc{Line: 7, Col: 3}}, NewText: "# see DestinationRule shop/reviews\n  "},
					{Pos: manifest.Pos{File: peerFile, Loc: manifest.Loc{Line: 1, Col: 1}}, End: manifest.Loc{Line: 2, Col: 1}},
				}},
				{Message: "Write a STRICT policy for the mesh", NewFiles: []rules.NewFile{{
					Path:    "security/mesh-strict.yaml",
					Content: "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata:\n  name: default\n  namespace: istio-system\nspec:\n  mtls: {mode: STRICT}\n",
				}}},
			},
		},
		{
			Rule: ruleUnlisted, Severity: rules.Info, Object: vs,
			Message: "reported by a rule that is not in Report.Rules",
			Pos:     vs.Pos(vs.KindLoc),
		},
	}
	rules.Sort(findings)
	return &Report{
		Tool:     "meshlint",
		Version:  "v0.3.1",
		Rules:    testRules,
		Findings: findings,
		Errors: []*manifest.Error{
			{File: brokenFile, Loc: manifest.Loc{Line: 3, Col: 15}, Msg: "parse YAML",
				Err: errors.New("mapping values are not allowed in this context")},
			{File: vendorFile, Msg: "read", Err: errors.New("permission denied")},
			{File: manifest.StdinName, Loc: manifest.Loc{Line: 2, Col: 1}, Msg: "document 1: apiVersion is missing"},
		},
		Internal:   []error{errors.New("rule MR999 (broken-rule) panicked: index out of range [3] with length 3")},
		Root:       testRoot,
		Files:      5,
		Objects:    3,
		Suppressed: 1,
		Source:     testSource,
		Topology:   fixtureTopology(t, vs, dr),
	}
}

// emptyReport is a clean run: every array must still be present.
func emptyReport() *Report {
	return &Report{Tool: "meshlint", Version: "dev", Rules: testRules, Root: testRoot, Files: 2, Objects: 4}
}

// write runs one writer and, for SARIF, validates the result against the
// official schema: every SARIF log the tests produce goes through here.
func write(t *testing.T, format string, r *Report, opts Options) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := Write(&b, format, r, opts); err != nil {
		t.Fatalf("Write %s: %v", format, err)
	}
	if format == "sarif" {
		validateSARIF(t, b.Bytes())
	}
	return b.Bytes()
}
