package reporter

import (
	"io"
	"regexp"
	"sort"
	"strings"

	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/rules"
)

// Notes on SARIF as GitHub code scanning reads it (details and sources in
// the project's research notes):
//
//   - GitHub reads about 25 properties and ignores the rest. Required ones
//     must be present and non-empty: tool.driver.name and rules[] with id,
//     shortDescription, fullDescription and help.text; results with
//     message, locations and partialFingerprints. "results" must be present
//     even when empty, or upload-sarif fails with "Missing 'results' array".
//   - partialFingerprints: GitHub only uses primaryLocationLineHash, which
//     upload-sarif computes from the file when it is absent. We never write
//     it (a made-up value makes the action complain and breaks alert
//     matching); we write our own "meshlint/v1" key, for other consumers and
//     for baselines.
//   - One run per file: GitHub refuses a delivery with two runs of the same
//     tool and category. No automationDetails either: it would override the
//     category the user gives upload-sarif.
//   - Columns are Unicode code points as yaml.v3 counts them, so the run
//     says columnKind "unicodeCodePoints"; endColumn is exclusive.
//   - URIs are relative to %SRCROOT% (Report.Root), which GitHub resolves
//     against the checkout; originalUriBaseIds records the absolute root for
//     other viewers. Files outside the root get absolute file:// URIs.
//   - GitHub ignores suppressions and fixes. Suppressed findings are left
//     out unless Report.SuppressedFindings holds them (--include-suppressed,
//     for other consumers); fixes are written for editors that apply them.
//   - A rule's name must differ from its ID (ours are kebab-case handles).
//     helpUri is not shown by GitHub, so the help markdown carries the
//     whole documentation, with the bad and good examples.
//   - Input errors and internal errors become tool execution notifications,
//     and executionSuccessful turns false: the results are incomplete.

// SARIF constants.
const (
	sarifVersion = "2.1.0"
	sarifSchema  = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
	// InformationURI is meshlint's home page, named in SARIF output.
	InformationURI = "https://github.com/meshlint/meshlint"
	// GitHub truncates descriptions longer than this.
	maxDescription = 1024
)

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool               sarifTool                        `json:"tool"`
	Invocations        []sarifInvocation                `json:"invocations"`
	OriginalURIBaseIDs map[string]sarifArtifactLocation `json:"originalUriBaseIds,omitempty"`
	ColumnKind         string                           `json:"columnKind"`
	Results            []sarifResult                    `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name            string      `json:"name"`
	Version         string      `json:"version,omitempty"`
	SemanticVersion string      `json:"semanticVersion,omitempty"`
	InformationURI  string      `json:"informationUri"`
	Rules           []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID                   string             `json:"id"`
	Name                 string             `json:"name"`
	ShortDescription     sarifMessage       `json:"shortDescription"`
	FullDescription      sarifMessage       `json:"fullDescription"`
	Help                 sarifHelp          `json:"help"`
	DefaultConfiguration sarifConfiguration `json:"defaultConfiguration"`
	Properties           sarifRuleProps     `json:"properties"`
}

type sarifHelp struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown"`
}

type sarifConfiguration struct {
	Level string `json:"level"`
}

type sarifRuleProps struct {
	Tags []string `json:"tags"`
}

type sarifMessage struct {
	Text string `json:"text"`
}

type sarifResult struct {
	RuleID              string             `json:"ruleId"`
	RuleIndex           int                `json:"ruleIndex"`
	Level               string             `json:"level"`
	Message             sarifMessage       `json:"message"`
	Locations           []sarifLocation    `json:"locations"`
	RelatedLocations    []sarifLocation    `json:"relatedLocations,omitempty"`
	PartialFingerprints map[string]string  `json:"partialFingerprints"`
	Fixes               []sarifFix         `json:"fixes,omitempty"`
	Suppressions        []sarifSuppression `json:"suppressions,omitempty"`
}

type sarifSuppression struct {
	Kind          string `json:"kind"`
	Status        string `json:"status"`
	Justification string `json:"justification,omitempty"`
}

type sarifLocation struct {
	// ID numbers related locations from 1; 0 leaves it out.
	ID               int                   `json:"id,omitempty"`
	PhysicalLocation sarifPhysicalLocation `json:"physicalLocation"`
	Message          *sarifMessage         `json:"message,omitempty"`
}

type sarifPhysicalLocation struct {
	ArtifactLocation sarifArtifactLocation `json:"artifactLocation"`
	Region           *sarifRegion          `json:"region,omitempty"`
}

type sarifArtifactLocation struct {
	URI       string `json:"uri,omitempty"`
	URIBaseID string `json:"uriBaseId,omitempty"`
}

type sarifRegion struct {
	StartLine   int32 `json:"startLine"`
	StartColumn int32 `json:"startColumn,omitempty"`
	EndLine     int32 `json:"endLine,omitempty"`
	EndColumn   int32 `json:"endColumn,omitempty"`
}

type sarifFix struct {
	Description     sarifMessage          `json:"description"`
	ArtifactChanges []sarifArtifactChange `json:"artifactChanges"`
}

type sarifArtifactChange struct {
	ArtifactLocation sarifArtifactLocation `json:"artifactLocation"`
	Replacements     []sarifReplacement    `json:"replacements"`
}

type sarifReplacement struct {
	DeletedRegion   sarifRegion   `json:"deletedRegion"`
	InsertedContent *sarifMessage `json:"insertedContent,omitempty"`
}

type sarifInvocation struct {
	ExecutionSuccessful        bool                `json:"executionSuccessful"`
	ToolExecutionNotifications []sarifNotification `json:"toolExecutionNotifications,omitempty"`
}

type sarifNotification struct {
	Level     string          `json:"level"`
	Message   sarifMessage    `json:"message"`
	Locations []sarifLocation `json:"locations,omitempty"`
}

// WriteSARIF writes the report as a SARIF 2.1.0 log with one run, in the
// shape GitHub code scanning accepts.
func WriteSARIF(w io.Writer, r *Report) error {
	ruleList := sarifRuleList(r)
	index := make(map[string]int, len(ruleList))
	driver := sarifDriver{
		Name:           toolName(r),
		InformationURI: InformationURI,
		Rules:          make([]sarifRule, 0, len(ruleList)),
	}
	if v := strings.TrimPrefix(r.Version, "v"); semver.MatchString(v) {
		driver.SemanticVersion = v
	} else {
		driver.Version = r.Version
	}
	for i, rule := range ruleList {
		index[rule.ID] = i
		driver.Rules = append(driver.Rules, sarifRuleOf(rule))
	}

	run := sarifRun{
		Tool:        sarifTool{Driver: driver},
		Invocations: []sarifInvocation{sarifInvocationOf(r)},
		ColumnKind:  "unicodeCodePoints",
		Results:     make([]sarifResult, 0, len(r.Findings)),
	}
	if u := rootURI(r.Root); u != "" {
		run.OriginalURIBaseIDs = map[string]sarifArtifactLocation{srcRoot: {URI: u}}
	}
	// Suppressed findings follow the others; fingerprints are computed over
	// both, so that they stay distinct.
	all := append([]*rules.Finding(nil), r.Findings...)
	for _, s := range r.SuppressedFindings {
		all = append(all, s.Finding)
	}
	fps := Fingerprints(&Report{Root: r.Root, Findings: all})
	for i, f := range all {
		res := sarifResult{
			RuleID:              f.Rule.ID,
			RuleIndex:           index[f.Rule.ID],
			Level:               sarifLevel(f.Severity),
			Message:             sarifMessage{Text: f.Message},
			Locations:           []sarifLocation{sarifLocationOf(r.at(), f.Pos)},
			PartialFingerprints: map[string]string{FingerprintKey: fps[i]},
		}
		for j, rel := range f.Related {
			loc := sarifLocationOf(r.at(), rel.Pos)
			loc.ID = j + 1
			loc.Message = &sarifMessage{Text: rel.Message}
			res.RelatedLocations = append(res.RelatedLocations, loc)
		}
		for _, fix := range f.Fixes {
			res.Fixes = append(res.Fixes, sarifFixOf(r.at(), fix))
		}
		if j := i - len(r.Findings); j >= 0 {
			res.Suppressions = []sarifSuppression{{Kind: "inSource", Status: "accepted", Justification: r.SuppressedFindings[j].Justification}}
		}
		run.Results = append(run.Results, res)
	}
	return writeIndentedJSON(w, sarifLog{Schema: sarifSchema, Version: sarifVersion, Runs: []sarifRun{run}})
}

// semver matches a semantic version without its "v" prefix.
var semver = regexp.MustCompile(`^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$`)

// sarifRuleList is Report.Rules, followed (in ID order) by any rule a
// finding, reported or suppressed, names that the registry passed in does
// not, so that every result has a descriptor to index.
func sarifRuleList(r *Report) []*rules.Rule {
	list := append([]*rules.Rule(nil), r.Rules...)
	known := map[string]bool{}
	for _, rule := range list {
		known[rule.ID] = true
	}
	var extra []*rules.Rule
	add := func(f *rules.Finding) {
		if !known[f.Rule.ID] {
			known[f.Rule.ID] = true
			extra = append(extra, f.Rule)
		}
	}
	for _, f := range r.Findings {
		add(f)
	}
	for _, s := range r.SuppressedFindings {
		add(s.Finding)
	}
	sort.Slice(extra, func(i, j int) bool { return extra[i].ID < extra[j].ID })
	return append(list, extra...)
}

func sarifRuleOf(rule *rules.Rule) sarifRule {
	return sarifRule{
		ID:                   rule.ID,
		Name:                 rule.Name,
		ShortDescription:     sarifMessage{Text: truncate(orText(rule.Summary, rule.Name))},
		FullDescription:      sarifMessage{Text: truncate(orText(firstParagraph(rule.Doc), rule.Summary, rule.Name))},
		Help:                 sarifHelp{Text: helpText(rule), Markdown: helpMarkdown(rule)},
		DefaultConfiguration: sarifConfiguration{Level: sarifLevel(rule.Severity)},
		Properties:           sarifRuleProps{Tags: ruleTags(rule)},
	}
}

func sarifLevel(s rules.Severity) string {
	switch s {
	case rules.Error:
		return "error"
	case rules.Warning:
		return "warning"
	}
	return "note"
}

// orText returns the first non-empty string: GitHub rejects empty texts.
func orText(ss ...string) string {
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			return s
		}
	}
	return "(no description)"
}

func truncate(s string) string {
	if r := []rune(s); len(r) > maxDescription {
		return string(r[:maxDescription-1]) + "…"
	}
	return s
}

// firstParagraph joins the lines of a Markdown text's first paragraph.
func firstParagraph(doc string) string {
	var words []string
	for _, line := range strings.Split(strings.TrimSpace(doc), "\n") {
		if strings.TrimSpace(line) == "" {
			break
		}
		words = append(words, strings.Fields(line)...)
	}
	return strings.Join(words, " ")
}

func helpText(rule *rules.Rule) string {
	var b strings.Builder
	b.WriteString(orText(strings.TrimSpace(rule.Doc), rule.Summary, rule.Name))
	b.WriteString("\n")
	if len(rule.Related) > 0 {
		b.WriteString("\nEquivalent checks: " + strings.Join(rule.Related, ", ") + ".\n")
	}
	for _, ex := range []struct{ title, yaml string }{{"Example that fails", rule.Bad}, {"Fixed", rule.Good}} {
		if ex.yaml == "" {
			continue
		}
		b.WriteString("\n" + ex.title + ":\n\n")
		for _, line := range strings.Split(strings.TrimRight(ex.yaml, "\n"), "\n") {
			b.WriteString(strings.TrimRight("    "+line, " ") + "\n")
		}
	}
	return b.String()
}

func helpMarkdown(rule *rules.Rule) string {
	var b strings.Builder
	b.WriteString(orText(strings.TrimSpace(rule.Doc), rule.Summary, rule.Name))
	b.WriteString("\n")
	if len(rule.Related) > 0 {
		b.WriteString("\nEquivalent checks: " + strings.Join(rule.Related, ", ") + ".\n")
	}
	for _, ex := range []struct{ title, yaml string }{{"Example that fails", rule.Bad}, {"Fixed", rule.Good}} {
		if ex.yaml == "" {
			continue
		}
		body := strings.TrimRight(ex.yaml, "\n")
		fence := codeFence(body)
		b.WriteString("\n**" + ex.title + "**\n\n" + fence + "yaml\n" + body + "\n" + fence + "\n")
	}
	return b.String()
}

// codeFence returns a backtick fence longer than any backtick run in s.
func codeFence(s string) string {
	longest, run := 0, 0
	for _, r := range s {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	return strings.Repeat("`", max(3, longest+1))
}

// ruleTags are "istio" and/or "kubernetes", then the kinds the rule reads,
// lowercased, for filtering in code scanning.
func ruleTags(rule *rules.Rule) []string {
	var istio, k8s bool
	tags := []string{}
	seen := map[string]bool{}
	for _, k := range rule.Inputs {
		if istioKind(k) {
			istio = true
		} else {
			k8s = true
		}
		if t := strings.ToLower(string(k)); !seen[t] {
			seen[t] = true
			tags = append(tags, t)
		}
	}
	var head []string
	if istio {
		head = append(head, "istio")
	}
	if k8s {
		head = append(head, "kubernetes")
	}
	return append(head, tags...)
}

// istioKind reports whether k is served by one of Istio's API groups
// (Telemetry and the Wasm kinds are not networking or security kinds).
func istioKind(k kinds.Kind) bool {
	for _, g := range []string{kinds.GroupIstioNetworking, kinds.GroupIstioSecurity,
		kinds.GroupIstioTelemetry, kinds.GroupIstioExtensions} {
		if kinds.Known(g, k) {
			return true
		}
	}
	return false
}

func sarifLocationOf(w where, p manifest.Pos) sarifLocation {
	uri, base := artifactLocation(w, p.File)
	return sarifLocation{PhysicalLocation: sarifPhysicalLocation{
		ArtifactLocation: sarifArtifactLocation{URI: uri, URIBaseID: base},
		Region:           sarifRegionOf(p.Loc),
	}}
}

// sarifRegionOf is the region of l on its line, or nil when l has no line.
func sarifRegionOf(l manifest.Loc) *sarifRegion {
	if l.Line == 0 {
		return nil
	}
	reg := &sarifRegion{StartLine: l.Line}
	if l.Col > 0 {
		reg.StartColumn, reg.EndLine, reg.EndColumn = l.Col, l.Line, endCol(l)
	}
	return reg
}

// sarifFixOf groups a fix's edits by file, in the order files first appear,
// then adds the files it creates.
func sarifFixOf(w where, fix rules.Fix) sarifFix {
	sf := sarifFix{Description: sarifMessage{Text: orText(fix.Message)}, ArtifactChanges: []sarifArtifactChange{}}
	byFile := map[string]int{}
	for _, e := range fix.Edits {
		i, ok := byFile[e.Pos.File]
		if !ok {
			uri, base := artifactLocation(w, e.Pos.File)
			i = len(sf.ArtifactChanges)
			byFile[e.Pos.File] = i
			sf.ArtifactChanges = append(sf.ArtifactChanges, sarifArtifactChange{
				ArtifactLocation: sarifArtifactLocation{URI: uri, URIBaseID: base},
				Replacements:     []sarifReplacement{},
			})
		}
		end := editEnd(e)
		rep := sarifReplacement{DeletedRegion: sarifRegion{
			StartLine: e.Pos.Line, StartColumn: e.Pos.Col, EndLine: end.Line, EndColumn: end.Col,
		}}
		if e.NewText != "" {
			rep.InsertedContent = &sarifMessage{Text: e.NewText}
		}
		sf.ArtifactChanges[i].Replacements = append(sf.ArtifactChanges[i].Replacements, rep)
	}
	// A new file is an insertion at the start of an empty artifact.
	for _, nf := range fix.NewFiles {
		uri, base := artifactLocation(w, nf.Path)
		sf.ArtifactChanges = append(sf.ArtifactChanges, sarifArtifactChange{
			ArtifactLocation: sarifArtifactLocation{URI: uri, URIBaseID: base},
			Replacements: []sarifReplacement{{
				DeletedRegion:   sarifRegion{StartLine: 1, StartColumn: 1, EndLine: 1, EndColumn: 1},
				InsertedContent: &sarifMessage{Text: nf.Content},
			}},
		})
	}
	return sf
}

func sarifInvocationOf(r *Report) sarifInvocation {
	inv := sarifInvocation{ExecutionSuccessful: len(r.Errors) == 0 && len(r.Internal) == 0}
	for _, e := range r.Errors {
		uri, base := artifactLocation(r.at(), e.File)
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, sarifNotification{
			Level:   "error",
			Message: sarifMessage{Text: errorMessage(e)},
			Locations: []sarifLocation{{PhysicalLocation: sarifPhysicalLocation{
				ArtifactLocation: sarifArtifactLocation{URI: uri, URIBaseID: base},
				Region:           sarifRegionOf(e.Loc),
			}}},
		})
	}
	for _, err := range r.Internal {
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, sarifNotification{
			Level:   "error",
			Message: sarifMessage{Text: orText(err.Error())},
		})
	}
	return inv
}
