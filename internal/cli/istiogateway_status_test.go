package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/meshlint/meshlint/rules/all"
)

// istioStatusCondition is a condition that Istio's Gateway controller
// writes when something is wrong: Accepted, ResolvedRefs or Programmed
// False, or Conflicted True. subject is what carries it: "Gateway", a
// Gateway's "Listener", a "Route" parent (of any route kind), a
// "ListenerSet", a "ListenerSetListener" or a "BackendTLSPolicy" ancestor.
type istioStatusCondition struct{ subject, typ, status, reason string }

// istioStatusRules maps each such condition to the rules meant to report
// it. A condition with no rules says why none does; the test fails on a
// condition that is not in the table, so that a refreshed copy of the
// golden files is read, not skipped.
var istioStatusRules = map[istioStatusCondition]struct {
	rules []string
	why   string
}{
	{"Route", "Accepted", "False", "NoMatchingParent"}:           {rules: []string{"MR601"}},
	{"Route", "Accepted", "False", "NotAllowedByListeners"}:      {rules: []string{"MR605"}},
	{"Route", "Accepted", "False", "NoMatchingListenerHostname"}: {rules: []string{"MR607"}},
	// Istio looks the Service up by namespace and name only
	// (buildDestination, conversion.go): a wrong port is not BackendNotFound.
	{"Route", "ResolvedRefs", "False", "BackendNotFound"}:             {rules: []string{"MR602"}},
	{"Route", "ResolvedRefs", "False", "RefNotPermitted"}:             {rules: []string{"MR604"}},
	{"Route", "ResolvedRefs", "False", "InvalidKind"}:                 {rules: []string{"MR617"}},
	{"Listener", "ResolvedRefs", "False", "RefNotPermitted"}:          {rules: []string{"MR604"}},
	{"Listener", "Conflicted", "True", "ProtocolConflict"}:            {rules: []string{"MR606"}},
	{"Listener", "Conflicted", "True", "HostnameConflict"}:            {rules: []string{"MR606"}},
	{"Listener", "ResolvedRefs", "False", "InvalidCertificateRef"}:    {rules: []string{"MR614"}},
	{"Listener", "ResolvedRefs", "False", "InvalidCACertificateRef"}:  {rules: []string{"MR614"}},
	{"Listener", "ResolvedRefs", "False", "InvalidCACertificateKind"}: {rules: []string{"MR614"}},
	{"Listener", "Accepted", "False", "NoValidCACertificate"}: {why: "follows from the listener's ResolvedRefs condition " +
		"(InvalidCACertificateRef, InvalidCACertificateKind or RefNotPermitted), which is compared"},
	{"Listener", "Accepted", "False", "UnsupportedProtocol"}:            {rules: []string{"MR615"}},
	{"Listener", "ResolvedRefs", "False", "InvalidRouteKinds"}:          {rules: []string{"MR616"}},
	{"Gateway", "Accepted", "False", "ListenersNotValid"}:               {why: "a summary of the listeners' conditions, which are compared themselves"},
	{"Gateway", "Accepted", "False", "InvalidParameters"}:               {rules: []string{"MR621"}},
	{"Gateway", "Accepted", "False", "UnsupportedAddress"}:              {rules: []string{"MR624"}},
	{"Gateway", "ResolvedRefs", "False", "InvalidClientCertificateRef"}: {rules: []string{"MR614"}},

	// A ListenerSet and its listeners: their conditions are compared as a
	// Gateway's are.
	{"ListenerSet", "Accepted", "False", "ListenersNotValid"}: {why: "a summary of the ListenerSet's listeners' conditions, which are compared themselves"},
	{"ListenerSet", "Accepted", "False", "NotAllowed"}:        {rules: []string{"MR620"}},
	{"ListenerSet", "Accepted", "False", "UnsupportedAddress"}: {why: "the parent Gateway is not accepted: Istio accepts only " +
		"Hostname addresses on this class, which MR624 reports on the Gateway"},
	{"ListenerSetListener", "Accepted", "False", "HostnameConflict"}:  {rules: []string{"MR606"}},
	{"ListenerSetListener", "Accepted", "False", "ProtocolConflict"}:  {rules: []string{"MR606"}},
	{"ListenerSetListener", "Conflicted", "True", "HostnameConflict"}: {rules: []string{"MR606"}},
	{"ListenerSetListener", "Conflicted", "True", "ProtocolConflict"}: {rules: []string{"MR606"}},
	// Istio gives certificateRefs that no ReferenceGrant permits this
	// reason too (buildListener).
	{"ListenerSetListener", "Accepted", "False", "NoValidCACertificate"}: {why: "follows from the listener's ResolvedRefs " +
		"condition (RefNotPermitted of a certificateRef), which is compared"},
	{"ListenerSetListener", "Accepted", "False", "UnsupportedProtocol"}: {rules: []string{"MR615"}},
	{"ListenerSetListener", "ResolvedRefs", "False", "RefNotPermitted"}: {rules: []string{"MR604"}},

	// A BackendTLSPolicy's ancestors (its Service, for the mesh, and the
	// Gateways that route to it) carry the policy's conditions.
	{"BackendTLSPolicy", "Accepted", "False", "TargetNotFound"}:              {rules: []string{"MR618"}},
	{"BackendTLSPolicy", "Accepted", "False", "Conflicted"}:                  {rules: []string{"MR618"}},
	{"BackendTLSPolicy", "Accepted", "False", "NoValidCACertificate"}:        {rules: []string{"MR618"}},
	{"BackendTLSPolicy", "ResolvedRefs", "False", "InvalidCACertificateRef"}: {rules: []string{"MR618"}},
	{"BackendTLSPolicy", "ResolvedRefs", "False", "InvalidKind"}:             {rules: []string{"MR618"}},
}

// TestIstioGatewayStatusParity runs meshlint over the inputs of the golden
// tests of Istio's Gateway API controller (fixtures/istio-gateway-status,
// copied from istio/istio) and compares its findings with the status
// conditions the controller writes for them.
//
// Each case lints its input with the objects TestConvertResources adds
// (defaults.yaml, and a Namespace for each namespace of the input), with
// --closed-world: the controller runs against a fake cluster that holds
// exactly these objects, so whatever they do not hold does not exist.
//
// For each condition of a Gateway, listener or route parent that says
// something is wrong and that istioStatusRules maps to rules, a finding of
// one of them must be on the object, an error or one that names the
// condition's reason: otherwise it is a miss. An MR6 finding
// on an object the controller wrote status for, of a rule none of the
// object's conditions maps to, is an extra when it is an error or its rule
// stands for an Accepted condition. Every miss and extra must be listed,
// with the reason, in differences.tsv, and every line of that file must
// still happen. Programmed conditions, addresses, attachedRoutes and
// observedGeneration need a running controller and are not compared.
func TestIstioGatewayStatusParity(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join("fixtures", "istio-gateway-status")
	goldens, err := filepath.Glob(filepath.Join(root, dir, "testdata", "*.status.yaml.golden"))
	if err != nil {
		t.Fatal(err)
	}
	if len(goldens) == 0 {
		t.Fatalf("no cases in %s/testdata", dir)
	}
	known := map[string]bool{}
	for _, r := range all.Rules {
		known[r.ID] = true
	}
	claims := map[string]bool{} // rules that say a route is not attached
	for c, m := range istioStatusRules {
		if len(m.rules) == 0 && m.why == "" {
			t.Errorf("istioStatusRules maps %v to no rule without saying why", c)
		}
		for _, id := range m.rules {
			if !known[id] {
				t.Errorf("istioStatusRules maps %v to %s, which is no rule", c, id)
			}
		}
		if c.typ == "Accepted" {
			for _, id := range m.rules {
				claims[id] = true
			}
		}
	}

	tmp := t.TempDir()
	got := map[string]bool{}
	compared, found, uncovered := 0, 0, 0
	for _, golden := range goldens {
		name := strings.TrimSuffix(filepath.Base(golden), ".status.yaml.golden")
		input := filepath.Join(dir, "testdata", name+".yaml")
		namespaces, err := istioStatusNamespaces(filepath.Join(root, input))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		nsFile := filepath.Join(tmp, name+"-namespaces.yaml")
		if err := os.WriteFile(nsFile, namespaces, 0o600); err != nil {
			t.Fatal(err)
		}
		args := []string{"--format", "json", "--closed-world", "--fail-on", "none", "--no-config",
			filepath.ToSlash(input), filepath.ToSlash(filepath.Join(dir, "defaults.yaml")), nsFile}
		r := run(t, root, "", args...)
		if r.code != ExitClean {
			t.Errorf("%s: meshlint %s: exit %d\n%s", name, strings.Join(args, " "), r.code, r.stderr)
			continue
		}
		var out struct {
			Findings []istioStatusFinding
		}
		if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		statuses, err := readIstioStatuses(golden)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}

		wanted := map[string]map[string]bool{} // object -> rules its conditions map to
		for _, c := range statuses {
			for _, cond := range c.conditions {
				m, ok := istioStatusRules[cond.key]
				if !ok {
					t.Errorf("%s: %s: condition %v is not in istioStatusRules: map it to rules, or to none with the reason", name, c.object, cond.key)
					continue
				}
				if len(m.rules) == 0 {
					uncovered++
					continue
				}
				if wanted[c.object] == nil {
					wanted[c.object] = map[string]bool{}
				}
				for _, id := range m.rules {
					wanted[c.object][id] = true
				}
				compared++
				if slices.ContainsFunc(out.Findings, func(f istioStatusFinding) bool {
					return f.object() == c.object && slices.Contains(m.rules, f.Rule) &&
						reports(conformanceFinding{Severity: f.Severity, Message: f.Message}, cond.key.reason)
				}) {
					found++
					continue
				}
				got[strings.Join([]string{name, "miss", cond.what, c.object}, "\t")] = true
			}
		}
		for _, f := range out.Findings {
			if !strings.HasPrefix(f.Rule, "MR6") || f.Severity != "error" && !claims[f.Rule] {
				continue
			}
			if _, ok := statuses[f.object()]; !ok || wanted[f.object()][f.Rule] {
				continue // not an object Istio's controller owns, or expected
			}
			got[strings.Join([]string{name, "extra", f.Rule, f.object()}, "\t")] = true
		}
	}

	listed := readDifferences(t, filepath.Join(root, dir, "differences.tsv"))
	for _, g := range slices.Sorted(maps.Keys(got)) {
		if _, ok := listed[g]; !ok {
			t.Errorf("difference from Istio's Gateway controller not in %s/differences.tsv (fix meshlint, or list it with the reason):\n%s", dir, g)
		}
	}
	for _, l := range slices.Sorted(maps.Keys(listed)) {
		if !got[l] {
			t.Errorf("%s/differences.tsv lists a difference that no longer happens; remove it:\n%s", dir, l)
		}
	}
	t.Logf("%d cases; %d of %d conditions that rules cover found, %d without a rule; %d differences listed",
		len(goldens), found, compared, uncovered, len(listed))
}

type istioStatusFinding struct {
	Rule, Severity, Message string
	Object                  struct{ Kind, Namespace, Name string }
}

func (f istioStatusFinding) object() string {
	return f.Object.Kind + " " + f.Object.Namespace + "/" + f.Object.Name
}

// istioStatusObject is an object of a golden status file, with the
// conditions of it, its listeners and its route parents that say
// something is wrong.
type istioStatusObject struct {
	object     string // "Kind namespace/name", as istioStatusFinding.object()
	conditions []istioStatusFailure
}

type istioStatusFailure struct {
	key  istioStatusCondition
	what string // "Accepted=False NoMatchingParent (parent ns/name:section)"
}

type istioStatusCond struct{ Type, Status, Reason string }

// failed reports whether the condition says something is wrong:
// Conflicted is the one type whose True is bad.
func (c istioStatusCond) failed() bool {
	if c.Type == "Conflicted" {
		return c.Status == "True"
	}
	return c.Status == "False"
}

// readIstioStatuses reads a golden status file, keyed by object. Objects
// that the controller wrote no status for are not in it; route parents
// and policy ancestors of other controllers (kept from the input) are left
// out, and so are the ancestors of XBackendTrafficPolicies, which no MR6
// rule is about.
func readIstioStatuses(path string) (map[string]istioStatusObject, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]istioStatusObject{}
	dec := yaml.NewDecoder(f)
	for {
		var doc struct {
			Kind     string
			Metadata struct{ Name, Namespace string }
			Status   struct {
				Conditions []istioStatusCond
				Listeners  []struct {
					Name       string
					Conditions []istioStatusCond
				}
				Parents []struct {
					ControllerName string         `yaml:"controllerName"`
					ParentRef      map[string]any `yaml:"parentRef"`
					Conditions     []istioStatusCond
				}
				Ancestors []struct {
					ControllerName string         `yaml:"controllerName"`
					AncestorRef    map[string]any `yaml:"ancestorRef"`
					Conditions     []istioStatusCond
				}
			}
		}
		if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if doc.Kind != "BackendTLSPolicy" {
			doc.Status.Ancestors = nil // XBackendTrafficPolicy's: no rule reads it
		}
		if len(doc.Status.Conditions)+len(doc.Status.Listeners)+len(doc.Status.Parents)+len(doc.Status.Ancestors) == 0 {
			continue
		}
		o := istioStatusObject{object: doc.Kind + " " + doc.Metadata.Namespace + "/" + doc.Metadata.Name}
		add := func(subject, where string, cs []istioStatusCond) {
			for _, c := range cs {
				if !c.failed() || c.Type == "Programmed" {
					continue
				}
				what := c.Type + "=" + c.Status + " " + c.Reason
				if where != "" {
					what += " (" + where + ")"
				}
				o.conditions = append(o.conditions, istioStatusFailure{istioStatusCondition{subject, c.Type, c.Status, c.Reason}, what})
			}
		}
		add(doc.Kind, "", doc.Status.Conditions)
		for _, l := range doc.Status.Listeners {
			sub := "Listener"
			if doc.Kind != "Gateway" {
				sub = doc.Kind + "Listener"
			}
			add(sub, "listener "+l.Name, l.Conditions)
		}
		owned := len(doc.Status.Conditions) > 0
		for _, p := range doc.Status.Parents {
			if !strings.HasPrefix(p.ControllerName, "istio.io/") {
				continue
			}
			owned = true
			add("Route", "parent "+istioParentRef(p.ParentRef), p.Conditions)
		}
		for _, a := range doc.Status.Ancestors {
			if !strings.HasPrefix(a.ControllerName, "istio.io/") {
				continue
			}
			owned = true
			add("BackendTLSPolicy", "ancestor "+istioParentRef(a.AncestorRef), a.Conditions)
		}
		if owned {
			out[o.object] = o
		}
	}
	return out, nil
}

// istioParentRef writes a parentRef as [kind ]namespace/name[:section][#port].
func istioParentRef(ref map[string]any) string {
	s := fmt.Sprint(ref["name"])
	if ns, ok := ref["namespace"]; ok {
		s = fmt.Sprint(ns) + "/" + s
	}
	if k, ok := ref["kind"]; ok && k != "Gateway" {
		s = fmt.Sprint(k) + " " + s
	}
	if sec, ok := ref["sectionName"]; ok {
		s += ":" + fmt.Sprint(sec)
	}
	if port, ok := ref["port"]; ok {
		s += "#" + fmt.Sprint(port)
	}
	return s
}

// istioStatusNamespaces writes the Namespace objects readConfig
// (conversion_test.go) adds for a case: one per namespace of the input's
// objects, labelled istio.io/test-name-part with the namespace name up to
// its first dash. The listeners' namespace selectors of route-binding.yaml
// match that label.
func istioStatusNamespaces(input string) ([]byte, error) {
	data, err := os.ReadFile(input)
	if err != nil {
		return nil, err
	}
	namespaces := map[string]bool{}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var doc struct{ Metadata struct{ Namespace string } }
		if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, fmt.Errorf("%s: %w", input, err)
		}
		if doc.Metadata.Namespace != "" {
			namespaces[doc.Metadata.Namespace] = true
		}
	}
	var b strings.Builder
	for _, ns := range slices.Sorted(maps.Keys(namespaces)) {
		part, _, _ := strings.Cut(ns, "-")
		fmt.Fprintf(&b, "---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: %s\n  labels:\n    istio.io/test-name-part: %s\n", ns, part)
	}
	return []byte(b.String()), nil
}
