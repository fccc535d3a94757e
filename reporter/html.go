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
	Labels        []htmlLabel
}

type htmlEdge struct {
	Path  string // SVG path data
	Class string
	// Title says why no request takes the edge, for its tooltip.
	Title string
}

// htmlLabel names the edges of one kind that are not the request path
// ("mirror", "delegate") leaving one route: one label where they leave it,
// with their number when there are more than one ("mirror ×3"). A label
// on each edge would be drawn where its edge's middle falls, on top of
// another's when a route mirrors to services a row apart or two mirror
// edges cross.
type htmlLabel struct {
	X, Y       int
	Kind, Text string
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
	// filter a click sets; Key names the node in the page's address for
	// that filter (#node=Key).
	Findings, Key string
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
	// edge leaves its route and meets its service, so that a route that
	// both sends to and mirrors to a service shows two edges, and the
	// mirrors' label, under where they leave, is off the request path.
	mirrorDrop = 7
	// labelDrop is how far under where its edges leave a route the
	// baseline of their label is: the label's 9px text clears them.
	labelDrop = 11
	// delegateBulge is how far left of the routes column a delegate edge
	// bends; delegateExit how far down its route's left side it leaves.
	delegateBulge = 22
	delegateExit  = nodeHeight - 6
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
	full = withRefusedRefs(withRefusals(full, findings), findings)
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
	// then the topology's; noParent is the key of a node without parents.
	const noParent = 1 << 30
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
				// A DestinationRule with a wildcard host after the
				// services it stands for, rather than among them.
				if n := &t.Nodes[i]; n.Column == topology.Services && n.Kind == kinds.DestinationRule {
					return noParent + 1
				}
				return noParent
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
			if k := keys[i]; k < noParent {
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
	// The labelled edges leaving each node, by kind, for one label each.
	type labelled struct {
		from int
		kind topology.EdgeKind
	}
	counts := map[labelled]int{}
	var order []labelled
	for _, e := range t.Edges {
		x1, y1 := at(e.From)
		x2, y2 := at(e.To)
		if e.Kind != topology.Leads {
			l := labelled{e.From, e.Kind}
			if counts[l] == 0 {
				order = append(order, l)
			}
			counts[l]++
		}
		if e.Kind == topology.Delegate {
			// From low on the delegating route's left side, round the
			// left of the column, into the delegate's left side.
			y1 += delegateExit
			y2 += nodeHeight / 2
			bx := x1 - delegateBulge
			g.Edges = append(g.Edges, htmlEdge{
				Path:  fmt.Sprintf("M%d %dC%d %d %d %d %d %d", x1, y1, bx, y1, bx, y2, x2, y2),
				Class: "edge delegate",
			})
			continue
		}
		x1 += nodeWidth
		y1 += nodeHeight / 2
		y2 += nodeHeight / 2
		he := htmlEdge{Class: "edge"}
		if e.Kind == topology.Mirror {
			y1 += mirrorDrop
			y2 += mirrorDrop
			he.Class = "edge mirror"
		}
		if e.Idle != "" {
			// Dotted, as a node that serves nothing: drawn, since a
			// destination at weight 0 is most often a canary waiting for
			// its share, and without it the service would look unrouted.
			// An idle mirror is dotted too, its label says it mirrors.
			he.Class, he.Title = he.Class+" idle", e.Idle
		}
		mid := (x1 + x2) / 2
		he.Path = fmt.Sprintf("M%d %dC%d %d %d %d %d %d", x1, y1, mid, y1, mid, y2, x2, y2)
		g.Edges = append(g.Edges, he)
	}
	for _, l := range order {
		x, y := at(l.from)
		hl := htmlLabel{Kind: "mirror", X: x + nodeWidth + 4, Y: y + nodeHeight/2 + mirrorDrop + labelDrop}
		if l.kind == topology.Delegate {
			hl = htmlLabel{Kind: "delegate", X: x - 3, Y: y + delegateExit + labelDrop}
		}
		hl.Text = hl.Kind
		if n := counts[l]; n > 1 {
			hl.Text = fmt.Sprintf("%s ×%d", hl.Kind, n)
		}
		g.Labels = append(g.Labels, hl)
	}
	keys := map[string]int{}
	for i := range t.Nodes {
		n := &t.Nodes[i]
		x, y := at(i)
		label, kind, tip := nodeText(n)
		hn := htmlNode{X: x, Y: y, W: nodeWidth, H: nodeHeight, TextX: x + 8, TextY: y + 19,
			Label: shorten(label, labelRunes), Kind: kind, Class: "node"}
		if n.Missing {
			hn.Class += " missing"
		}
		if n.Unserved != "" {
			hn.Class += " unserved"
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
			hn.Key = nodeKey(n)
			// Two nodes of one key would be a topology the page's address
			// could not tell apart: the second gets a suffix.
			if keys[hn.Key]++; keys[hn.Key] > 1 {
				hn.Key += fmt.Sprintf("~%d", keys[hn.Key])
			}
		}
		hn.Tooltip = tip
		g.Nodes = append(g.Nodes, hn)
	}
	return g, note, notDrawn
}

// withRefusals returns t with the Gateway API routes and Gateways that a
// finding says are refused whole drawn as serving nothing, as the
// topology draws a VirtualService that Istio's validation rejects: the
// API server refuses the object (a CEL rule of its CRD, MR619; a Service
// backendRef without a port, MR603; two listeners of one name, MR606), or
// Istio's conversion of a route fails and serves none of its rules (an
// unsupported filter, MR623; a backend it cannot build, MR602, MR603,
// MR617; a GRPCRoute's mirror without a ReferenceGrant, MR604), or Istio
// does not accept a Gateway and programs nothing for it (MR624, about a
// Gateway the topology finds without an address Istio binds it to). The
// topology holds no rule, so the findings tell; an object
// whose rules are disabled or whose findings are suppressed is drawn with
// its edges. Such a node keeps no edge: drawn, they would show paths that
// no request takes, and would pull their ends into a limited drawing. A
// route the topology already draws serving nothing (no parent takes
// it) keeps its idle edges, unless the API server refuses it. t is shared
// with the other formats, so it is copied, not changed.
func withRefusals(t *topology.Topology, findings []*rules.Finding) *topology.Topology {
	var why map[int]string
	locate := t.Locator()
	for _, f := range findings {
		w := refusal(f)
		unaccepted := f.Rule.ID == "MR624" && f.Object != nil && f.Object.Group == kinds.GroupGatewayAPI
		if w == "" && !unaccepted {
			continue
		}
		for _, i := range locate(f.Object, f.Pos) {
			n := &t.Nodes[i]
			w := w
			if unaccepted && n.NoAddress {
				// MR624 also warns about a Gateway that Istio serves on
				// its Hostname addresses: the topology tells them apart.
				w = "Istio does not accept it and programs nothing for it (" + f.Rule.ID + " " + f.Rule.Name + ")"
			}
			if w != "" && n.Column <= topology.Routes && n.Group == kinds.GroupGatewayAPI && (n.Unserved == "" || apiServer(w)) {
				if why == nil {
					why = map[int]string{}
				}
				// The API server's refusal comes first: Istio never
				// sees an object it refuses.
				if why[i] == "" || apiServer(w) && !apiServer(why[i]) {
					why[i] = w
				}
			}
		}
	}
	if why == nil {
		return t
	}
	// A node that the input does not hold and that only refused objects
	// name goes with their edges: the topology adds none for a
	// VirtualService that validation rejects.
	named := make([]bool, len(t.Nodes))
	var edges []topology.Edge
	for _, e := range t.Edges {
		if why[e.From] == "" && why[e.To] == "" {
			edges = append(edges, e)
			named[e.From], named[e.To] = true, true
		}
	}
	orphan := make([]bool, len(t.Nodes))
	for _, e := range t.Edges {
		for _, i := range []int{e.From, e.To} {
			orphan[i] = t.Nodes[i].Missing && !named[i]
		}
	}
	c := &topology.Topology{OmittedNamespaces: t.OmittedNamespaces}
	index := make([]int, len(t.Nodes))
	for i, n := range t.Nodes {
		index[i] = -1
		if orphan[i] {
			continue
		}
		if w := why[i]; w != "" {
			n.Unserved = w
		}
		index[i] = len(c.Nodes)
		c.Nodes = append(c.Nodes, n)
	}
	for _, e := range edges {
		e.From, e.To = index[e.From], index[e.To]
		c.Edges = append(c.Edges, e)
	}
	for _, s := range t.Stands {
		if s.Node = index[s.Node]; s.Node >= 0 {
			c.Stands = append(c.Stands, s)
		}
	}
	for _, rf := range t.Refs {
		if why[rf.From] == "" && why[rf.To] == "" {
			rf.From, rf.To = index[rf.From], index[rf.To]
			c.Refs = append(c.Refs, rf)
		}
	}
	c.TotalNodes = t.TotalNodes - (len(t.Nodes) - len(c.Nodes))
	c.TotalEdges = t.TotalEdges - (len(t.Edges) - len(c.Edges))
	c.Namespaces = t.Namespaces - (len(namespacesOf(t.Nodes)) - len(namespacesOf(c.Nodes)))
	return c
}

// withRefusedRefs returns t with the edges of Gateway API routes whose
// every reference a finding refuses, or that gets no traffic by its
// weight, drawn idle with why: a parentRef that no listener of its Gateway
// admits (MR605: Accepted False, NotAllowedByListeners; the route is not
// attached there), a backendRef or RequestMirror backend in another
// namespace that no ReferenceGrant permits (MR604: RefNotPermitted; Istio
// sends its share of requests an HTTP 500, and mirrors nothing), unless
// the route's mesh parents, which need no grant, still send to it. The
// finding names the reference by the route it is about and its position,
// where the rule reports it; a route refused on some parents only keeps
// its other edges. t is shared with the other formats, so it is copied
// when an edge changes.
func withRefusedRefs(t *topology.Topology, findings []*rules.Finding) *topology.Topology {
	var refused map[int]string
	var locate func(o *manifest.Object, pos manifest.Pos) []int
	var refsOf map[int][]int
	for _, f := range findings {
		if f.Object == nil || f.Object.Group != kinds.GroupGatewayAPI || f.Rule.ID != "MR605" && f.Rule.ID != "MR604" {
			continue
		}
		if locate == nil {
			locate = t.Locator()
			refsOf = map[int][]int{}
			for i, rf := range t.Refs {
				refsOf[rf.From] = append(refsOf[rf.From], i)
				refsOf[rf.To] = append(refsOf[rf.To], i)
			}
		}
		finding := " (" + f.Rule.ID + " " + f.Rule.Name + ")"
		for _, n := range locate(f.Object, f.Pos) {
			for _, i := range refsOf[n] {
				rf := t.Refs[i]
				if !slices.Contains(rf.Locs, f.Pos.Loc) {
					continue
				}
				why := ""
				switch {
				case f.Rule.ID == "MR605" && rf.To == n && t.Nodes[rf.From].Column == topology.Gateways:
					why = "no listener of the Gateway admits the route, which is not attached there (Accepted: False, NotAllowedByListeners)" + finding
				case f.Rule.ID == "MR604" && rf.From == n && !rf.Mesh && rf.Kind == topology.Mirror:
					why = "no ReferenceGrant permits the reference to another namespace (RefNotPermitted): nothing is mirrored" + finding
				case f.Rule.ID == "MR604" && rf.From == n && !rf.Mesh:
					why = "no ReferenceGrant permits the reference to another namespace (RefNotPermitted): its share of requests gets HTTP 500" + finding
				}
				if why != "" && refused[i] == "" {
					if refused == nil {
						refused = map[int]string{}
					}
					refused[i] = why
				}
			}
		}
	}
	if refused == nil {
		return t
	}
	// An edge is idle when each of its references is refused or idle;
	// the refusal says why.
	type edgeKey struct {
		from, to int
		kind     topology.EdgeKind
	}
	live := map[edgeKey]bool{}
	why := map[edgeKey]string{}
	for i, rf := range t.Refs {
		k := edgeKey{rf.From, rf.To, rf.Kind}
		switch {
		case refused[i] != "":
			if why[k] == "" {
				why[k] = refused[i]
			}
		case rf.Idle == "":
			live[k] = true
		}
	}
	c := *t
	c.Edges = slices.Clone(t.Edges)
	for i := range c.Edges {
		e := &c.Edges[i]
		if k := (edgeKey{e.From, e.To, e.Kind}); why[k] != "" && !live[k] {
			e.Idle = why[k]
		}
	}
	return &c
}

// namespacesOf returns the namespaces of nodes.
func namespacesOf(nodes []topology.Node) map[string]bool {
	m := map[string]bool{}
	for i := range nodes {
		m[nodes[i].Namespace] = true
	}
	return m
}

// apiServer reports whether refusal reason why is the API server's.
func apiServer(why string) bool { return strings.HasPrefix(why, apiServerRefusal) }

const apiServerRefusal = "the API server rejects it"

// refusal returns why a Gateway API object is refused whole when finding
// f says so, or "". The Gateway API rules say it in a few phrases, whichever
// rule finds it; a finding about a backend that Istio skips, or a refusal
// on some parents only, says none of them (TestHTMLRefusalWording
// runs the rules to keep the phrases in step). A GRPCRoute's mirror that
// Istio cannot build refuses the whole route (MR602, MR604, MR617); a
// finding whose severity a configuration changes says so all the same, so
// the words tell rather than the severity. (MR624 is read by withRefusals,
// from the rule and the topology's Node.NoAddress.)
func refusal(f *rules.Finding) string {
	o := f.Object
	if o == nil || o.Group != kinds.GroupGatewayAPI {
		return ""
	}
	finding := f.Rule.ID + " " + f.Rule.Name
	switch {
	case strings.Contains(f.Message, "the API server rejects the "+string(o.Kind)):
		return apiServerRefusal + ", so it is never applied (" + finding + ")"
	case strings.Contains(f.Message, "rejects the route and serves none of its rules"),
		strings.Contains(f.Message, "rejects the "+string(o.Kind)+": none of its rules is served"),
		strings.Contains(f.Message, "rejects the "+string(o.Kind)+" and serves none of its rules"):
		return "Istio rejects it and serves none of its rules (" + finding + ")"
	}
	return ""
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

// nodeKey names node n in the page's address, for the filter that shows
// only its findings (#node=Service/shop/reviews,
// #node=DestinationRule/shop/reviews:v1): the kind, with its API group
// where another group has a kind of that name, the namespace, the name (or
// the host of a node that has none) and the subset. Unlike the label it is
// never shortened, and a "/" or ":" needs no escape in an address.
func nodeKey(n *topology.Node) string {
	kind := string(n.Kind)
	if n.Group != "" && kinds.Shared(n.Group, n.Kind) {
		kind += "." + n.Group
	}
	name := n.Name
	if name == "" {
		name = n.Host
	}
	k := kind + "/" + n.Namespace + "/" + name
	if n.Subset != "" {
		k += ":" + n.Subset
	}
	return k
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
	case n.Column == topology.Services && n.Kind == kinds.DestinationRule:
		// A rule with a wildcard host: it stands for the services the
		// host matches, and its host is what the column would show.
		label = n.Host
		kind = "DestinationRule, wildcard host"
		tip = fmt.Sprintf("DestinationRule %s, for host %s, which matches %s: its subsets are drawn once, here",
			name, n.Host, wording.Count(n.Matches, "Service or ServiceEntry", "Services and ServiceEntries"))
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
	if n.Unserved != "" {
		// Under the node too: its dotted outline alone would not say
		// that the missing edges are no fault of the drawing.
		kind += ", serves nothing"
		tip += "\nserves nothing: " + n.Unserved
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
