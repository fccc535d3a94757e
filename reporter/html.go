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
}

// htmlGraph is the drawing, laid out here so that the page needs no
// script to show it.
type htmlGraph struct {
	Width, Height int
	Columns       []htmlColumn
	Nodes         []htmlNode
	Edges         []string // SVG path data
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
	byNS := map[string]map[rules.Severity][]htmlFinding{}
	ruleCount := map[string]*htmlRule{}
	for i, f := range r.Findings {
		ids[i] = fmt.Sprintf("f%d", i+1)
		ns := findingNamespace(f)
		hf := htmlFinding{
			ID: ids[i], Pos: posString(f.Pos.File, f.Pos.Loc), Severity: f.Severity.String(),
			Rule: f.Rule.ID, Name: f.Rule.Name, Summary: f.Rule.Summary,
			Message: f.Message, NS: ns,
		}
		if o := f.Object; o != nil {
			hf.Object = objectName(o)
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
	switch t := r.Topology; {
	case t == nil:
		p.GraphAbsent = "The mesh graph was not built for this run."
	case len(t.Nodes) == 0:
		p.GraphAbsent = "The input holds no gateway, route or service."
	default:
		p.Graph, p.GraphNote = drawGraph(t, r.Findings, ids)
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

func objectName(o *manifest.Object) string {
	if o.Namespace == "" {
		return string(o.Kind) + " " + o.Name
	}
	return string(o.Kind) + " " + o.Namespace + "/" + o.Name
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
)

var columnTitles = [...]string{"Gateways", "Routes", "Services", "Subsets"}

// drawGraph lays out the topology, limited to MaxGraphNodes, as four
// columns, each node level with the first node that leads to it where its
// column has room, so that paths mostly run straight. Findings are marked
// on the nodes Locator finds for their object, and it returns the note
// that says what the limit left out.
func drawGraph(full *topology.Topology, findings []*rules.Finding, ids []string) (*htmlGraph, string) {
	marked := make([]bool, len(full.Nodes))
	locate := full.Locator()
	for _, f := range findings {
		for _, i := range locate(f.Object, f.Pos) {
			marked[i] = true
		}
	}
	t := full.Limit(MaxGraphNodes, func(i int) bool { return marked[i] })
	note := ""
	if len(t.Nodes) < t.TotalNodes {
		note = fmt.Sprintf("The drawing shows %d of the %s of the request path (%s): those with findings and the paths through them first, then whole paths from the gateways, up to %d.",
			len(t.Nodes), wording.Count(t.TotalNodes, "object", "objects"),
			wording.Count(t.Namespaces, "namespace", "namespaces"), MaxGraphNodes)
		if t.OmittedNamespaces > 0 {
			note += fmt.Sprintf(" %s left out whole.", wording.Count(t.OmittedNamespaces, "namespace is", "namespaces are"))
		}
		note += " The list of findings below is complete."
	}

	// The findings of each node, worst first.
	type mark struct {
		worst rules.Severity
		items []int
	}
	marks := make([]mark, len(t.Nodes))
	locate = t.Locator()
	for fi, f := range findings {
		for _, i := range locate(f.Object, f.Pos) {
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

	parents := make([][]int, len(t.Nodes))
	for _, e := range t.Edges {
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
		x1 += nodeWidth
		y1 += nodeHeight / 2
		y2 += nodeHeight / 2
		mid := (x1 + x2) / 2
		g.Edges = append(g.Edges, fmt.Sprintf("M%d %dC%d %d %d %d %d %d", x1, y1, mid, y1, mid, y2, x2, y2))
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
	return g, note
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
