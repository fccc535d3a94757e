package reporter

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/internal/topology"
	"github.com/meshlint/meshlint/internal/wording"
	"github.com/meshlint/meshlint/rules"
)

// MaxGraphNodes bounds the drawing of the mesh in the HTML report: a page
// with every object of a 10,000-service mesh would be tens of megabytes
// and unreadable. topology.Limit picks what is drawn; the page says what
// was left out. The findings list is never cut.
const MaxGraphNodes = 300

//go:embed html.tmpl
var htmlSource string

var htmlTemplate = template.Must(template.New("report").Parse(htmlSource))

// WriteHTML writes the report as one self-contained HTML page: styles and
// script inline, no link, font or image from anywhere (a Content Security
// Policy forbids them too), so that it opens offline and as a CI artifact.
// It lists the findings grouped by namespace, then severity, with filters,
// and draws Report.Topology (when set) as columns of gateways, routes,
// services and subsets, with the findings marked on the objects they are
// about. html/template escapes every text of the input.
func WriteHTML(w io.Writer, r *Report) error {
	page := htmlPageOf(r)
	var b strings.Builder
	if err := htmlTemplate.Execute(&b, page); err != nil {
		return fmt.Errorf("html report: %w", err)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

type htmlPage struct {
	Tool, Version, Summary string
	Errors, Warnings, Info int
	Total                  int
	Rules                  []htmlRule
	Namespaces             []string
	Groups                 []htmlNamespace
	InputErrors, Internal  []string
	Graph                  *htmlGraph
	GraphNote, GraphAbsent string
}

type htmlRule struct {
	ID, Name string
	Count    int
}

type htmlNamespace struct {
	Name       string
	Count      int
	Severities []htmlSeverity
}

type htmlSeverity struct {
	Severity string
	Findings []htmlFinding
}

type htmlFinding struct {
	ID                  string
	Pos, Severity       string
	Rule, Name, Summary string
	Message, Object, NS string
	Related, Fixes      []string
	// NotDrawn marks a finding about an object that the drawing's limit
	// left out, so that nobody looks for it there.
	NotDrawn bool
}

// htmlGraph is the drawing, laid out here so that the page needs no
// script to show it.
type htmlGraph struct {
	Width, Height int
	Columns       []htmlColumn
	Nodes         []htmlNode
	Edges         []htmlEdge
}

type htmlEdge struct {
	Path  string // SVG path data
	Class string
	// Label, at LabelX/LabelY, names an edge that is not the request
	// path: "mirror", "delegate".
	Label          string
	LabelX, LabelY int
}

type htmlColumn struct {
	X     int
	Title string
}

type htmlNode struct {
	X, Y, W, H     int
	TextX, TextY   int
	Label, Kind    string
	Tooltip        string
	Class          string
	Badge          int
	BadgeX, BadgeY int
	// Findings are the ids of the findings marked on the node, for the
	// filter a click sets.
	Findings string
}

// The groups of the findings about no object, and about a cluster-scoped
// one.
const (
	noObject     = "(no object)"
	clusterScope = "(cluster)"
)

func htmlPageOf(r *Report) *htmlPage {
	s := summarize(r)
	p := &htmlPage{
		Tool: toolName(r), Version: r.Version, Summary: s.String(),
		Errors: s.Errors, Warnings: s.Warnings, Info: s.Info, Total: len(r.Findings),
	}
	ids := make([]string, len(r.Findings))
	for i := range r.Findings {
		ids[i] = fmt.Sprintf("f%d", i+1)
	}
	var notDrawn []bool
	switch t := r.Topology; {
	case t == nil:
		p.GraphAbsent = "The mesh graph was not built for this run."
	case len(t.Nodes) == 0:
		p.GraphAbsent = "The input holds no gateway, route or service."
	default:
		p.Graph, p.GraphNote, notDrawn = drawGraph(t, r.Findings, ids)
	}
	byNS := map[string]map[rules.Severity][]htmlFinding{}
	ruleCount := map[string]*htmlRule{}
	for i, f := range r.Findings {
		ns := findingNamespace(f)
		hf := htmlFinding{
			ID: ids[i], Pos: posString(f.Pos.File, f.Pos.Loc), Severity: f.Severity.String(),
			Rule: f.Rule.ID, Name: f.Rule.Name, Summary: f.Rule.Summary,
			Message: f.Message, NS: ns, NotDrawn: notDrawn != nil && notDrawn[i],
		}
		if f.Object != nil {
			hf.Object = displayName(f.Object)
		}
		for _, rel := range f.Related {
			hf.Related = append(hf.Related, posString(rel.Pos.File, rel.Pos.Loc)+": "+rel.Message)
		}
		for _, fix := range f.Fixes {
			hf.Fixes = append(hf.Fixes, fix.Message)
		}
		if byNS[ns] == nil {
			byNS[ns] = map[rules.Severity][]htmlFinding{}
		}
		byNS[ns][f.Severity] = append(byNS[ns][f.Severity], hf)
		if rc := ruleCount[f.Rule.ID]; rc != nil {
			rc.Count++
		} else {
			ruleCount[f.Rule.ID] = &htmlRule{ID: f.Rule.ID, Name: f.Rule.Name, Count: 1}
		}
	}
	for ns := range byNS {
		p.Namespaces = append(p.Namespaces, ns)
	}
	sort.Strings(p.Namespaces)
	for _, ns := range p.Namespaces {
		g := htmlNamespace{Name: ns}
		for _, sev := range []rules.Severity{rules.Error, rules.Warning, rules.Info} {
			if fs := byNS[ns][sev]; len(fs) > 0 {
				g.Severities = append(g.Severities, htmlSeverity{Severity: sev.String(), Findings: fs})
				g.Count += len(fs)
			}
		}
		p.Groups = append(p.Groups, g)
	}
	for _, rc := range ruleCount {
		p.Rules = append(p.Rules, *rc)
	}
	sort.Slice(p.Rules, func(i, j int) bool { return p.Rules[i].ID < p.Rules[j].ID })
	for _, e := range r.Errors {
		p.InputErrors = append(p.InputErrors, posString(e.File, e.Loc)+": "+errorMessage(e))
	}
	for _, err := range r.Internal {
		p.Internal = append(p.Internal, err.Error())
	}
	return p
}

func findingNamespace(f *rules.Finding) string {
	switch {
	case f.Object == nil:
		return noObject
	case f.Object.Namespace == "":
		return clusterScope
	}
	return f.Object.Namespace
}

// The drawing's geometry, in CSS pixels.
const (
	graphMargin     = 16
	graphHeader     = 28
	nodeWidth       = 230
	nodeHeight      = 30
	columnGap       = 64
	rowPitch        = 40
	labelRunes      = 34
	tooltipFindings = 8
	// mirrorDrop is how much lower than a request path's edge a mirror
	// edge meets its service, so that a route that both sends to and
	// mirrors to a service shows two edges.
	mirrorDrop = 7
	// delegateBulge is how far left of the routes column a delegate edge
	// bends.
	delegateBulge = 22
)

var columnTitles = [...]string{"Gateways", "Routes", "Services", "Subsets"}

// drawGraph lays out the topology, limited to MaxGraphNodes, as four
// columns, each node level with the first node that leads to it where its
// column has room, so that paths mostly run straight, and a VirtualService
// that others delegate to under the first of them. Findings are marked on
// the nodes Locator finds for their object. It returns the note that says
// what the limit left out, and which findings are about objects that the
// full topology has but the drawing left out.
func drawGraph(full *topology.Topology, findings []*rules.Finding, ids []string) (*htmlGraph, string, []bool) {
	marked := make([]bool, len(full.Nodes))
	inFull := make([]bool, len(findings))
	locate := full.Locator()
	for fi, f := range findings {
		for _, i := range locate(f.Object, f.Pos) {
			marked[i] = true
			inFull[fi] = true
		}
	}
	t := full.Limit(MaxGraphNodes, func(i int) bool { return marked[i] })

	// The findings of each node, worst first.
	type mark struct {
		worst rules.Severity
		items []int
	}
	marks := make([]mark, len(t.Nodes))
	notDrawn := make([]bool, len(findings))
	leftOut := 0
	locate = t.Locator()
	for fi, f := range findings {
		at := locate(f.Object, f.Pos)
		if len(at) == 0 && inFull[fi] {
			notDrawn[fi] = true
			leftOut++
		}
		for _, i := range at {
			m := &marks[i]
			if len(m.items) == 0 || f.Severity > m.worst {
				m.worst = f.Severity
			}
			m.items = append(m.items, fi)
		}
	}
	for i := range marks {
		slices.SortStableFunc(marks[i].items, func(a, b int) int { return int(findings[b].Severity) - int(findings[a].Severity) })
	}

	note := ""
	if len(t.Nodes) < t.TotalNodes {
		note = fmt.Sprintf("The drawing shows %d of the %s of the request path (%s): those with findings and the paths through them first, then whole paths from the gateways, up to %d.",
			len(t.Nodes), wording.Count(t.TotalNodes, "object", "objects"),
			wording.Count(t.Namespaces, "namespace", "namespaces"), MaxGraphNodes)
		if t.OmittedNamespaces > 0 {
			note += fmt.Sprintf(" %s left out whole.", wording.Count(t.OmittedNamespaces, "namespace is", "namespaces are"))
		}
		if leftOut > 0 {
			note += fmt.Sprintf(" %s about objects left out, marked “not drawn” below.", wording.Count(leftOut, "finding is", "findings are"))
		}
		note += " The list of findings below is complete."
	}

	// parents are the nodes of the column before that lead to a node;
	// delegators the routes that delegate to it, in its own column.
	parents := make([][]int, len(t.Nodes))
	delegators := make([][]int, len(t.Nodes))
	delegates := make([][]int, len(t.Nodes))
	for _, e := range t.Edges {
		if e.Kind == topology.Delegate {
			delegators[e.To] = append(delegators[e.To], e.From)
			delegates[e.From] = append(delegates[e.From], e.To)
			continue
		}
		parents[e.To] = append(parents[e.To], e.From)
	}
	// Rows, column by column: the first parent's row decides the order,
	// then the topology's.
	row := make([]int, len(t.Nodes))
	rows := 0
	for c := topology.Gateways; c <= topology.Subsets; c++ {
		var col []int
		for i := range t.Nodes {
			if t.Nodes[i].Column == c {
				col = append(col, i)
			}
		}
		first := func(i int) int {
			best := -1
			for _, p := range parents[i] {
				if best < 0 || row[p] < best {
					best = row[p]
				}
			}
			if best < 0 {
				return 1 << 30
			}
			return best
		}
		keys := make(map[int]int, len(col))
		for _, i := range col {
			keys[i] = first(i)
		}
		slices.SortStableFunc(col, func(a, b int) int { return keys[a] - keys[b] })
		col = underDelegators(col, parents, delegators, delegates)
		// Level with the first parent where the column has room, so
		// that a path reads across.
		next := 0
		for _, i := range col {
			row[i] = next
			if k := keys[i]; k != 1<<30 {
				row[i] = max(next, k)
			}
			next = row[i] + 1
		}
		rows = max(rows, next)
	}

	g := &htmlGraph{
		Width:  2*graphMargin + 4*nodeWidth + 3*columnGap,
		Height: 2*graphMargin + graphHeader + max(rows, 1)*rowPitch,
	}
	for c, title := range columnTitles {
		g.Columns = append(g.Columns, htmlColumn{X: graphMargin + c*(nodeWidth+columnGap), Title: title})
	}
	at := func(i int) (x, y int) {
		return graphMargin + int(t.Nodes[i].Column)*(nodeWidth+columnGap), graphMargin + graphHeader + row[i]*rowPitch
	}
	for _, e := range t.Edges {
		x1, y1 := at(e.From)
		x2, y2 := at(e.To)
		if e.Kind == topology.Delegate {
			// From low on the delegating route's left side, round the
			// left of the column, into the delegate's left side.
			y1 += nodeHeight - 6
			y2 += nodeHeight / 2
			bx := x1 - delegateBulge
			g.Edges = append(g.Edges, htmlEdge{
				Path:  fmt.Sprintf("M%d %dC%d %d %d %d %d %d", x1, y1, bx, y1, bx, y2, x2, y2),
				Class: "edge delegate", Label: "delegate", LabelX: x1 - 3, LabelY: (y1+y2)/2 + 3,
			})
			continue
		}
		x1 += nodeWidth
		y1 += nodeHeight / 2
		y2 += nodeHeight / 2
		he := htmlEdge{Class: "edge"}
		if e.Kind == topology.Mirror {
			y2 += mirrorDrop
			he.Class, he.Label = "edge mirror", "mirror"
		}
		mid := (x1 + x2) / 2
		he.Path = fmt.Sprintf("M%d %dC%d %d %d %d %d %d", x1, y1, mid, y1, mid, y2, x2, y2)
		he.LabelX, he.LabelY = mid, (y1+y2)/2+3
		g.Edges = append(g.Edges, he)
	}
	for i := range t.Nodes {
		n := &t.Nodes[i]
		x, y := at(i)
		label, kind, tip := nodeText(n)
		hn := htmlNode{X: x, Y: y, W: nodeWidth, H: nodeHeight, TextX: x + 8, TextY: y + 19,
			Label: shorten(label, labelRunes), Kind: kind, Class: "node"}
		if n.Missing {
			hn.Class += " missing"
		}
		if m := marks[i]; len(m.items) > 0 {
			hn.Class += " sev-" + m.worst.String()
			hn.Badge, hn.BadgeX, hn.BadgeY = len(m.items), x+nodeWidth, y
			var fids []string
			var b strings.Builder
			b.WriteString(tip)
			for k, fi := range m.items {
				fids = append(fids, ids[fi])
				if k < tooltipFindings {
					f := findings[fi]
					fmt.Fprintf(&b, "\n%s %s: %s", f.Severity, f.Rule.ID, f.Message)
				}
			}
			if extra := len(m.items) - tooltipFindings; extra > 0 {
				fmt.Fprintf(&b, "\nand %d more", extra)
			}
			tip = b.String()
			hn.Findings = strings.Join(fids, " ")
		}
		hn.Tooltip = tip
		g.Nodes = append(g.Nodes, hn)
	}
	return g, note, notDrawn
}

// underDelegators reorders the nodes of a column (routes) so that a
// VirtualService that only other routes lead to, by delegating to it,
// comes right after the first of them: a delegate has no gateway of its
// own, and would otherwise sink to the column's end, far from the route
// whose traffic it serves. Nodes in a cycle of delegates keep their place
// at the end.
func underDelegators(col []int, parents, delegators, delegates [][]int) []int {
	deferred := func(i int) bool { return len(parents[i]) == 0 && len(delegators[i]) > 0 }
	in := make(map[int]bool, len(col))
	for _, i := range col {
		in[i] = true
	}
	out := make([]int, 0, len(col))
	done := make(map[int]bool, len(col))
	var emit func(i int)
	emit = func(i int) {
		if done[i] {
			return
		}
		done[i] = true
		out = append(out, i)
		for _, d := range delegates[i] {
			if in[d] && deferred(d) {
				emit(d)
			}
		}
	}
	for _, i := range col {
		if !deferred(i) {
			emit(i)
		}
	}
	for _, i := range col {
		emit(i)
	}
	return out
}

// nodeText returns a node's label, its kind as shown under it, and its
// tooltip.
func nodeText(n *topology.Node) (label, kind, tip string) {
	kind = string(n.Kind)
	switch {
	case n.Column == topology.Gateways && n.Group == "gateway.networking.k8s.io":
		kind = "Gateway API Gateway"
	case n.Column == topology.Subsets:
		kind = "subset"
	}
	name := n.Name
	if n.Namespace != "" {
		name = n.Namespace + "/" + n.Name
	}
	switch {
	case n.Column == topology.Subsets && n.Missing:
		label = n.Subset
		tip = fmt.Sprintf("subset %s of %s: no DestinationRule defines it", n.Subset, n.Host)
	case n.Column == topology.Subsets:
		label = n.Subset + " (" + name + ")"
		tip = fmt.Sprintf("subset %s of DestinationRule %s", n.Subset, name)
	case n.Missing && n.Name == "":
		label = n.Host
		tip = fmt.Sprintf("host %s: no Service or ServiceEntry of the input serves it", n.Host)
	case n.Missing:
		label = name
		tip = fmt.Sprintf("%s %s: not in the input", kind, name)
	default:
		label = name
		tip = fmt.Sprintf("%s %s", kind, name)
		if n.Host != "" {
			tip += " (" + n.Host + ")"
		}
	}
	if n.Missing {
		kind += ", not in the input"
	}
	if n.File != "" {
		tip += "\n" + posString(n.File, n.Loc)
	}
	return label, kind, tip
}

// shorten cuts s to n runes, the last an ellipsis.
func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// displayName names o for people, as rule messages do: the kind, qualified
// by its API group only where another group has a kind of that name (an
// Istio Gateway and a Gateway API one), then namespace/name, or the name
// alone for cluster-scoped objects and Namespaces.
func displayName(o *manifest.Object) string {
	kind := kinds.Qualified(o.Group, o.Kind)
	if o.Group != "" && kinds.Shared(o.Group, o.Kind) {
		kind = string(o.Kind) + "." + o.Group
	}
	if o.Namespace == "" || kinds.ClusterScoped(o.Group, o.Kind) || o.Kind == kinds.Namespace && o.Group == kinds.GroupCore {
		return kind + " " + o.Name
	}
	return kind + " " + o.Namespace + "/" + o.Name
}
