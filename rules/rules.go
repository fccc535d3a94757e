// Package rules is meshlint's rule framework: a Rule is declared like a
// go/analysis Analyzer, runs over the read-only graph and reports Findings
// at YAML nodes. The rules themselves live in the subpackages, one file per
// rule; rules/all lists them.
package rules

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/manifest"
)

// Severity orders findings. The zero value is Info.
type Severity int

// Severities, from least to most severe.
const (
	Info Severity = iota
	Warning
	Error
)

func (s Severity) String() string {
	switch s {
	case Error:
		return "error"
	case Warning:
		return "warning"
	}
	return "info"
}

// ParseSeverity reads "error", "warning" or "info".
func ParseSeverity(s string) (Severity, error) {
	switch strings.ToLower(s) {
	case "error":
		return Error, nil
	case "warning", "warn":
		return Warning, nil
	case "info", "note":
		return Info, nil
	}
	return Info, fmt.Errorf("unknown severity %q (want error, warning or info)", s)
}

// Rule is one check. Declare it as a package-level value in its own file.
type Rule struct {
	// ID is stable and never reused, e.g. "MR102".
	ID string
	// Name is a readable, kebab-case handle, e.g. "route-subset-undefined".
	Name string
	// Summary is one line, lowercase, no final period.
	Summary string
	// Doc explains why the problem matters and how to fix it (Markdown).
	Doc string
	// Bad and Good are complete YAML examples: Bad must produce at least
	// one finding of this rule and Good none. Both run as fixtures.
	Bad, Good string
	// Severity is the default severity.
	Severity Severity
	// Inputs are the kinds the rule reads.
	Inputs []kinds.Kind
	// Related lists equivalent checks of istioctl analyze (IST0xxx) and
	// Kiali (KIA0xxx).
	Related []string
	// Fix says in a few words what meshlint --fix does for the findings it
	// can fix ("rescales the weights to add up to 100"); empty when the
	// rule gives no fix. The fixture harness holds it to the fixtures: a
	// rule whose findings carry fixes says so, and one that says so has a
	// fixture whose finding carries one.
	Fix string
	// Local marks a rule that reads each object on its own (its YAML
	// nodes, and Graph.Objects and Graph.Errors only): Lint runs it on the
	// objects of each file as the file is read, while their nodes exist,
	// with a Graph of that file alone.
	Local bool
	// Deps declares what a finding of a graph rule about an object of
	// namespace N (message, position, related locations and fixes) can
	// depend on outside N, so that an incremental run (--cache) knows
	// which partitions a change reaches and which findings it may keep:
	// see docs/incremental.md, whose table it copies. DepNone says
	// "nothing"; zero means undeclared, which the registry test refuses
	// for a graph rule. Local rules leave it zero. Users never see it.
	Deps Dep
	// Run reports findings through the pass. An error means the rule
	// itself is broken, never that the input is.
	Run func(*Pass) error
}

// Finding is one problem found in the input.
type Finding struct {
	Rule     *Rule
	Severity Severity
	Message  string
	Pos      manifest.Pos
	// Object is the object the finding is about.
	Object *manifest.Object
	// Related points at other nodes that explain the finding.
	Related []Related
	// Fixes are alternative edits that resolve the finding.
	Fixes []Fix
}

// Related is a secondary location of a finding.
type Related struct {
	Pos     manifest.Pos
	Message string
}

// Fix is a suggested change, as in go/analysis: a description and the text
// edits that make it, and the files it creates. A finding's fixes are
// alternatives; meshlint --fix applies the first.
type Fix struct {
	Message string
	Edits   []Edit
	// NewFiles are files the fix creates. A fix never overwrites a file:
	// when one of them exists, the fix is not applied.
	NewFiles []NewFile
}

// Edit replaces the text between Pos and End (same file) with NewText. An
// unset End means an insertion at Pos.
type Edit struct {
	Pos     manifest.Pos
	End     manifest.Loc
	NewText string
	// Old, when set, is the text the edit expects to replace. A fix whose
	// file holds other text there is not applied: the file changed since it
	// was read, or the position was mapped back from a kustomize build
	// that transformed the value. A quoted scalar holding Old matches too.
	Old string
}

// NewFile is a file a fix creates, with its whole content.
type NewFile struct {
	// Path names the file as the input's files are named: relative to the
	// working directory, or absolute.
	Path    string
	Content string
}

// ReplaceValue returns an edit that replaces the text of the scalar of
// object o at loc (as manifest.LocOf gives it: one line) with newText. old
// is the scalar's value, which the edit expects to find there.
func ReplaceValue(o *manifest.Object, loc manifest.Loc, old, newText string) Edit {
	return Edit{
		Pos:     o.Pos(loc),
		End:     manifest.Loc{Line: loc.Line, Col: loc.EndCol},
		NewText: newText,
		Old:     old,
	}
}

// Pass is what a rule's Run receives.
type Pass struct {
	Rule  *Rule
	Graph *graph.Graph
	// Severity is the severity findings get (the default unless configured).
	Severity Severity
	report   func(*Finding)
	memo     *memo
}

// Memo returns the value fn computes for key, computing it once per run and
// sharing it between the rules of that run. Analyses that several rules
// need and the graph cannot hold (the graph cannot import the packages that
// analyse it), such as the NetworkPolicy connectivity model, are built
// through it. Use an unexported key type of the package that owns fn.
func (p *Pass) Memo(key any, fn func() any) any {
	if p.memo == nil {
		return fn()
	}
	return p.memo.get(key, fn)
}

type lookupKey struct{}

// Lookup returns the run's graph.Lookup, whose indexes (Services by host and
// by the workloads they select, DestinationRules by host) every rule of the
// run shares, so that each is built once.
func (p *Pass) Lookup() *graph.Lookup {
	return p.Memo(lookupKey{}, func() any { return graph.NewLookup(p.Graph) }).(*graph.Lookup)
}

// Reportf reports a finding about object o at loc; a zero loc falls back to
// the object's name.
func (p *Pass) Reportf(o *manifest.Object, loc manifest.Loc, format string, args ...any) *Finding {
	if loc.IsZero() {
		loc = o.NameLoc
	}
	f := &Finding{
		Rule:     p.Rule,
		Severity: p.Severity,
		Message:  fmt.Sprintf(format, args...),
		Pos:      o.Pos(loc),
		Object:   o,
	}
	p.report(f)
	return f
}

// AtMost lowers the finding's severity to s, unless the configuration set
// it lower still, and returns it: for findings of an error rule that are
// only warnings (a certificate served although it has expired).
func (f *Finding) AtMost(s Severity) *Finding {
	f.Severity = min(f.Severity, s)
	return f
}

// Relate adds a related location to the finding and returns it.
func (f *Finding) Relate(o *manifest.Object, loc manifest.Loc, format string, args ...any) *Finding {
	if loc.IsZero() {
		loc = o.NameLoc
	}
	f.Related = append(f.Related, Related{Pos: o.Pos(loc), Message: fmt.Sprintf(format, args...)})
	return f
}

var (
	idPattern   = regexp.MustCompile(`^MR\d{3}$`)
	namePattern = regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)*$`)
)

// Validate checks a rule list: unique, well-formed IDs and names, and every
// piece of metadata present. The registry test calls it.
func Validate(rs []*Rule) error {
	ids, names := map[string]bool{}, map[string]bool{}
	for i, r := range rs {
		switch {
		case !idPattern.MatchString(r.ID):
			return fmt.Errorf("rule %d: id %q is not MR followed by three digits", i, r.ID)
		case ids[r.ID]:
			return fmt.Errorf("rule %s: duplicate id", r.ID)
		case !namePattern.MatchString(r.Name):
			return fmt.Errorf("rule %s: name %q is not kebab-case", r.ID, r.Name)
		case names[r.Name]:
			return fmt.Errorf("rule %s: duplicate name %q", r.ID, r.Name)
		case r.Summary == "" || r.Doc == "" || r.Bad == "" || r.Good == "":
			return fmt.Errorf("rule %s: summary, doc, bad and good examples are required", r.ID)
		case strings.HasSuffix(r.Summary, ".") || strings.ToLower(r.Summary[:1]) != r.Summary[:1]:
			return fmt.Errorf("rule %s: summary should start lowercase and have no final period", r.ID)
		case len(r.Inputs) == 0:
			return fmt.Errorf("rule %s: inputs are required", r.ID)
		case r.Run == nil:
			return fmt.Errorf("rule %s: no Run function", r.ID)
		case i > 0 && rs[i-1].ID >= r.ID:
			return fmt.Errorf("rule %s: rules must be listed in ID order", r.ID)
		}
		ids[r.ID], names[r.Name] = true, true
	}
	return nil
}

// Find returns the rule with the given ID or name.
func Find(rs []*Rule, idOrName string) *Rule {
	for _, r := range rs {
		if strings.EqualFold(r.ID, idOrName) || r.Name == idOrName {
			return r
		}
	}
	return nil
}

// Dep is a set of the kinds of data outside a namespace that a rule's
// findings about the namespace's objects can depend on (Rule.Deps). The
// kinds are those of docs/incremental.md, section 1, and keep its names so
// that a declaration reads like the row of its table.
type Dep uint32

// The kinds of dependency, and the two properties TIME and ORDER.
const (
	// DepNone declares that the rule depends on nothing outside the
	// namespace (for a cluster object, outside the cluster partition).
	// It stands alone: zero would not tell it from a forgotten declaration.
	DepNone Dep = 1 << iota
	// DepNS: the namespace registry: which namespaces exist, which are
	// declared, their labels.
	DepNS
	// DepINJ: the injection setup: injector webhooks (cluster) and
	// injector ConfigMaps, which decide Workload.Sidecar and
	// Namespace.Injection.
	DepINJ
	// DepCLS: other cluster objects: GatewayClasses and the admin network
	// policy tiers.
	DepCLS
	// DepROOT: root-namespace configuration that applies to N: the
	// mesh-wide PeerAuthentication, DestinationRules, RequestAuthentications.
	DepROOT
	// DepWIDE: every namespace, because the object reported has a
	// mesh-wide scope (a root-namespace AuthorizationPolicy, MR302).
	DepWIDE
	// DepHOST: host claims of other namespaces: Services, ServiceEntries,
	// VirtualService hosts, with their ports and exportTo.
	DepHOST
	// DepTGT: the serving side of a host in another namespace: the
	// workloads its Service selects and their namespace's
	// PeerAuthentications and waypoint labels.
	DepTGT
	// DepDR: DestinationRules of other namespaces for a host.
	DepDR
	// DepGW: Istio Gateways of other namespaces and the gateway pods they
	// select in any namespace, with what lives next to those pods.
	DepGW
	// DepGWAPI: Gateway API attachment across namespaces: parent
	// listeners and their allowedRoutes, ListenerSets merged into a
	// Gateway, the mesh-wide listener and address indexes.
	DepGWAPI
	// DepREF: an object named by namespace/name in another namespace,
	// including the hints that search a name in every namespace.
	DepREF
	// DepPEER: pods and service accounts of other namespaces named as
	// traffic sources, or every workload's named ports.
	DepPEER
	// DepNP1: NetworkPolicy connectivity of N's own side only plus the
	// admin tiers.
	DepNP1
	// DepNP2: connectivity between two known namespaces.
	DepNP2
	// DepNPAll (NP*): connectivity from every in-mesh workload of every
	// namespace a VirtualService is exported to.
	DepNPAll
	// DepREV: reverse references: N's object is reported (or spared)
	// because an object of another namespace refers to it.
	DepREV
	// DepPRES: presence gates: whether the input holds a kind in another
	// namespace, or anywhere.
	DepPRES
	// DepTime: the findings read the clock (certificate validity), so
	// they change with no input change.
	DepTime
	// DepOrder: the findings depend on input order (which copy is first).
	DepOrder

	// DepAll is every kind and property: for MR901, whose findings
	// (directives that suppress nothing) follow every other rule's.
	DepAll = DepNS | DepINJ | DepCLS | DepROOT | DepWIDE | DepHOST | DepTGT | DepDR | DepGW | DepGWAPI |
		DepREF | DepPEER | DepNP1 | DepNP2 | DepNPAll | DepREV | DepPRES | DepTime | DepOrder
)

var depNames = [...]string{"None", "NS", "INJ", "CLS", "ROOT", "WIDE", "HOST", "TGT", "DR", "GW", "GWAPI",
	"REF", "PEER", "NP1", "NP2", "NP*", "REV", "PRES", "TIME", "ORDER"}

// String lists the set's kinds by their names in docs/incremental.md
// ("HOST|DR|GW"), "0" for the empty set.
func (d Dep) String() string {
	if d == 0 {
		return "0"
	}
	var names []string
	for i, name := range depNames {
		if d&(1<<i) != 0 {
			names = append(names, name)
			d &^= 1 << i
		}
	}
	if d != 0 {
		names = append(names, fmt.Sprintf("%#x", uint32(d)))
	}
	return strings.Join(names, "|")
}
