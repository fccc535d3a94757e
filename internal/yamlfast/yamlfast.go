// Package yamlfast parses the ordinary subset of YAML that Kubernetes
// manifests use into the very trees go.yaml.in/yaml/v3 builds, comments
// left out, several times faster. It refuses whatever is outside that
// subset or malformed, so that the caller can fall back to yaml.v3 for the
// whole file, which then also reports the errors.
//
// The subset: UTF-8 without tabs, carriage returns or control characters;
// documents separated by "---" lines; block mappings whose keys are plain
// or quoted scalars; block sequences, compact ("- a: b", "- - a") and
// indentless ("key:\n- a") ones included; one-line plain and quoted
// scalars; literal and folded block scalars; one-line flow collections;
// comments. Anchors, aliases, tags, "?" keys, "<<", directives, "..." and
// multi-line plain, quoted or flow nodes are refused, and so is a mapping
// with a key written twice, which YAML forbids: the caller's slower path
// finds and reports it, so that the trees this package returns need no
// second look.
//
// Names and comments below refer to yaml.v3's scannerc.go and parserc.go,
// whose behaviour this package reproduces for its subset.
package yamlfast

import (
	"bytes"
	"encoding/binary"
	"strings"
	"unicode/utf8"
	"unsafe"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

const (
	// maxDepth bounds the nesting of collections; yaml.v3 allows 10,000.
	maxDepth = 1000
	// maxKey bounds the bytes from the start of a key to its ':'. yaml.v3
	// stops taking a scalar for a key 1,024 characters on.
	maxKey = 1000
	// slabNodes fills the largest size class of the allocator, 32 KiB, so
	// that the slabs of a large file neither come from the page heap nor
	// waste the end of a rounded-up block.
	slabNodes = 32 << 10 / int(unsafe.Sizeof(yaml.Node{}))
	// contentSlab is the size of a reused slab of Content pointers.
	contentSlab = 32 << 10 / int(unsafe.Sizeof((*yaml.Node)(nil)))
)

// Parse returns the document nodes (Kind yaml.DocumentNode, one per
// document, as successive yaml.v3 Decoder.Decode calls would fill them) or
// ok=false when data is outside the subset.
func Parse(data []byte) (docs []*yaml.Node, ok bool) {
	return ParseReusing(nil, data)
}

// Slabs is memory for the trees of one file at a time. The loader, which
// is done with a file's nodes before it reads the next, parses with one
// Slabs per worker, so that the nodes of a large tree are not garbage for
// the collector to clear, file after file.
type Slabs struct {
	nodes   [][]yaml.Node
	content [][]*yaml.Node
	// next are the indexes of the slabs the parse in progress takes next.
	nextNodes, nextContent int
}

// ParseReusing is Parse with the nodes and Content slices cut from s
// (when not nil): the trees of the previous ParseReusing with s are
// overwritten, and must no longer be used.
func ParseReusing(s *Slabs, data []byte) (docs []*yaml.Node, ok bool) {
	estimate, ascii, valid := check(data)
	if !valid {
		return nil, false
	}
	// A NUL after the input, which yaml.v3 also reads as the end, lets
	// the scanner look ahead without bounds checks.
	var b strings.Builder
	b.Grow(len(data) + 1)
	b.Write(data)
	b.WriteByte(0)
	return parse(s, b.String(), estimate, ascii)
}

// ParseInPlace is ParseReusing without the copy of data: the scalars of
// the nodes are cut from data's own memory, so that a caller that reads
// file after file into one buffer allocates no string per file. data
// must have room for one more byte, where the NUL the scanner stops at is
// written (else it is copied, as ParseReusing does). Nothing may change
// data's memory while the nodes, or any string taken from them, are in
// use: a value kept beyond that must be copied (strings.Clone,
// unique.Make) first.
func ParseInPlace(s *Slabs, data []byte) (docs []*yaml.Node, ok bool) {
	if cap(data) == len(data) {
		return ParseReusing(s, data)
	}
	estimate, ascii, valid := check(data)
	if !valid {
		return nil, false
	}
	data = append(data, 0)
	return parse(s, unsafe.String(unsafe.SliceData(data), len(data)), estimate, ascii) //nolint:gosec // G103: the string aliases data, as the doc comment requires of the caller; TestPoisonedBuffers checks that nothing keeps it
}

// parse parses src, the input followed by a NUL.
func parse(s *Slabs, src string, estimate int, ascii bool) (docs []*yaml.Node, ok bool) {
	p := parser{
		src:   src,
		n:     len(src) - 1,
		ascii: ascii,
		slabs: s,
	}
	if s == nil {
		p.nodes = make([]yaml.Node, 0, min(estimate, slabNodes))
		p.content = make([]*yaml.Node, 0, estimate)
	} else {
		s.nextNodes, s.nextContent = 0, 0
	}
	defer func() {
		if r := recover(); r != nil {
			if _, is := r.(refusal); !is {
				panic(r)
			}
			docs, ok = nil, false
		}
	}()
	return p.stream(), true
}

// nodeSlab returns an empty slab for nodes.
func (s *Slabs) nodeSlab() []yaml.Node {
	if s == nil {
		return make([]yaml.Node, 0, slabNodes)
	}
	if s.nextNodes == len(s.nodes) {
		s.nodes = append(s.nodes, make([]yaml.Node, 0, slabNodes))
	}
	s.nextNodes++
	return s.nodes[s.nextNodes-1][:0]
}

// contentSlab returns an empty slab for at least k Content pointers, at
// least want if it is made.
func (s *Slabs) contentSlab(k, want int) []*yaml.Node {
	if s == nil {
		return make([]*yaml.Node, 0, max(k, want))
	}
	if k > contentSlab {
		return make([]*yaml.Node, 0, k) // rare: not kept
	}
	if s.nextContent == len(s.content) {
		s.content = append(s.content, make([]*yaml.Node, 0, contentSlab))
	}
	s.nextContent++
	return s.content[s.nextContent-1][:0]
}

// refusal is what the parser panics with to give up on the input.
type refusal struct{}

func refuse() {
	panic(refusal{})
}

// check reports whether data holds only characters the parser takes, and
// estimates the number of nodes from the number of ':' and '-', so that
// the Content slab is mostly allocated once.
func check(data []byte) (estimate int, ascii, ok bool) {
	ascii = true
	for i := 0; i < len(data); {
		if i+8 <= len(data) && plainASCII(binary.LittleEndian.Uint64(data[i:])) {
			i += 8
			continue
		}
		c := data[i]
		if c-' ' < 0x7f-' ' || c == '\n' {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			// Tabs and carriage returns would need yaml.v3's rules for
			// them; the other control characters yaml.v3 rejects.
			return 0, false, false
		}
		r, size := utf8.DecodeRune(data[i:])
		if !printable(r, size) {
			return 0, false, false
		}
		ascii = false
		i += size
	}
	estimate = 4 + 2*bytes.Count(data, []byte{':'}) + bytes.Count(data, []byte{'-'})
	return estimate, ascii, true
}

// plainASCII reports whether the 8 bytes in w are all printable ASCII or
// '\n', without a branch per byte. No sum below carries into the next byte.
func plainASCII(w uint64) bool {
	const ones, high, low = 0x0101010101010101, 0x8080808080808080, 0x7f7f7f7f7f7f7f7f
	l := w & low
	atLeastSpace := l + 0x60*ones // high bit set where l >= 0x20
	del := l + ones               // high bit set where l == 0x7f
	t := w ^ '\n'*ones
	notNewline := (t&low + low) | t // high bit set where the byte is not '\n'
	bad := w | del | ^atLeastSpace&notNewline
	return bad&high == 0
}

// printable reports whether yaml.v3's reader takes r and the scanner sees
// it as an ordinary character: NEL, LS and PS break lines, and a BOM has
// its own rules.
func printable(r rune, size int) bool {
	switch {
	case r == utf8.RuneError && size == 1:
		return false
	case r == 0x85, r == 0x2028, r == 0x2029, r == 0xFEFF:
		return false
	}
	return r >= 0xA0 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}

// What nextContent found.
const (
	atContent = iota // a node or key at p.pos, in column p.col
	atEOF
	atDocument // a "---" line
)

type parser struct {
	src   string // the input followed by a NUL
	n     int    // the length of the input
	ascii bool   // columns count characters, which are bytes then

	pos       int
	line      int // of pos, from 0
	lineStart int
	state     int
	col       int
	depth     int

	// Nodes and Content slices are cut from slabs; stack holds the
	// children of the collections being read.
	nodes   []yaml.Node
	content []*yaml.Node
	slabs   *Slabs
	stack   []*yaml.Node
	buf     []byte
}

// stream reads all documents, as yaml_parser_parse_document_start and
// yaml_parser_parse_document_content do.
func (p *parser) stream() []*yaml.Node {
	var docs []*yaml.Node
	explicit := false
	docLine, docColumn := 0, 0
	p.nextContent()
	for {
		if p.state == atDocument {
			docLine, docColumn = p.line+1, 1
			p.pos += len("---")
			p.endLine()
			p.nextContent()
			explicit = true
		}
		var root *yaml.Node
		switch p.state {
		case atEOF:
			if !explicit {
				// Only comments, or nothing: Decode returns io.EOF at once.
				return docs
			}
			// The empty scalar is where the stream end token is, on
			// a new line if the last one is not empty.
			line := p.line + 1
			if p.n > p.lineStart {
				line++
			}
			root = p.null(line, 1)
		case atDocument:
			root = p.null(p.line+1, 1)
		default:
			if !explicit {
				docLine, docColumn = p.line+1, p.column(p.pos)
			}
			root = p.blockNode()
			if p.state == atContent {
				refuse()
			}
		}
		doc := p.node(yaml.DocumentNode, "", docLine, docColumn)
		p.stack = append(p.stack, root)
		doc.Content = p.collect(len(p.stack) - 1)
		docs = append(docs, doc)
		if p.state == atEOF {
			return docs
		}
	}
}

// nextContent moves from the start of a line to the next character that
// is neither a space, a line break nor in a comment, and says in p.state
// what it found.
func (p *parser) nextContent() {
	src := p.src
	i := p.pos
	for {
		for src[i] == ' ' {
			i++
		}
		switch src[i] {
		case '\n':
			i++
			p.line++
			p.lineStart = i
			continue
		case '#':
			j := strings.IndexByte(src[i:p.n], '\n')
			if j < 0 {
				i = p.n
				continue
			}
			i += j + 1
			p.line++
			p.lineStart = i
			continue
		case 0:
			p.pos, p.state = i, atEOF
			return
		}
		p.pos, p.col, p.state = i, i-p.lineStart, atContent
		if p.col == 0 {
			switch {
			case strings.HasPrefix(src[i:], "---") && blankz(src[i+3]):
				p.state = atDocument
			case strings.HasPrefix(src[i:], "...") && blankz(src[i+3]), src[i] == '%':
				// A document end marker or a directive.
				refuse()
			}
		}
		return
	}
}

// endLine moves past the end of the line after a node: spaces, then a
// comment or nothing.
func (p *parser) endLine() {
	src := p.src
	i := p.pos
	for src[i] == ' ' {
		i++
	}
	switch src[i] {
	case 0:
		p.pos = i
		return
	case '\n':
	case '#':
		// yaml.v3 also takes a '#' right after a quote or a bracket for
		// a comment; there is no need to.
		if src[i-1] != ' ' {
			refuse()
		}
		j := strings.IndexByte(src[i:p.n], '\n')
		if j < 0 {
			p.pos = p.n
			return
		}
		i += j
	default:
		refuse()
	}
	p.pos = i + 1
	p.line++
	p.lineStart = p.pos
}

// blockNode reads the block collection at p.pos, which starts a line.
func (p *parser) blockNode() *yaml.Node {
	if p.entry(p.pos) {
		return p.blockSeq(p.col, false)
	}
	key, isKey := p.scalar()
	if !isKey {
		refuse()
	}
	return p.blockMap(p.col, key)
}

// blockMap reads a block mapping in column col whose first key has been
// read, up to p.pos after its ':'.
func (p *parser) blockMap(col int, key *yaml.Node) *yaml.Node {
	p.enter()
	m := p.node(yaml.MappingNode, mapTag, key.Line, key.Column)
	mark := len(p.stack)
	for {
		p.stack = append(p.stack, key)
		// An empty value is where the ':' ends.
		line, column := p.line+1, p.column(p.pos)
		p.pos = p.spaces(p.pos)
		var value *yaml.Node
		switch p.src[p.pos] {
		case '\n', '#', 0:
			p.endLine()
			p.nextContent()
			switch {
			case p.state != atContent || p.col < col:
				value = p.null(line, column)
			case p.col > col:
				value = p.blockNode()
			case p.entry(p.pos):
				value = p.blockSeq(col, true)
			default:
				value = p.null(line, column)
			}
		default:
			value = p.value(col)
		}
		p.stack = append(p.stack, value)
		if p.state != atContent || p.col < col {
			break
		}
		if p.col > col {
			// A continued plain scalar, or a bad indentation.
			refuse()
		}
		var isKey bool
		if key, isKey = p.scalar(); !isKey {
			refuse()
		}
	}
	if p.repeatedKey(mark) {
		refuse()
	}
	m.Content = p.collect(mark)
	p.depth--
	return m
}

// blockSeq reads a block sequence whose first "-" is at p.pos, in column
// col. An indentless one, the value of a mapping key in the same column,
// ends at the next line in that column that is not an entry.
func (p *parser) blockSeq(col int, indentless bool) *yaml.Node {
	p.enter()
	s := p.node(yaml.SequenceNode, seqTag, p.line+1, p.column(p.pos))
	mark := len(p.stack)
	for {
		// An empty entry is where the "-" ends.
		line, column := p.line+1, p.column(p.pos+1)
		p.pos = p.spaces(p.pos + 1)
		var item *yaml.Node
		switch c := p.src[p.pos]; {
		case c == '\n' || c == '#' || c == 0:
			p.endLine()
			p.nextContent()
			if p.state == atContent && p.col > col {
				item = p.blockNode()
			} else {
				item = p.null(line, column)
			}
		case p.entry(p.pos):
			item = p.blockSeq(p.pos-p.lineStart, false)
		case c == '|' || c == '>' || c == '[' || c == '{':
			item = p.value(col)
		default:
			itemCol := p.pos - p.lineStart
			n, isKey := p.scalar()
			if isKey {
				item = p.blockMap(itemCol, n)
			} else {
				item = n
				p.endLine()
				p.nextContent()
			}
		}
		p.stack = append(p.stack, item)
		if p.state != atContent || p.col < col {
			break
		}
		if p.col > col {
			refuse()
		}
		if !p.entry(p.pos) {
			if indentless {
				break
			}
			refuse()
		}
	}
	s.Content = p.collect(mark)
	p.depth--
	return s
}

// value reads the node at p.pos that follows a key or a "-" on its line,
// in a collection in column col, and moves to the next content.
func (p *parser) value(col int) *yaml.Node {
	var n *yaml.Node
	switch p.src[p.pos] {
	case '|', '>':
		n = p.blockScalar(col)
		p.nextContent()
		return n
	case '[', '{':
		n, p.pos = p.flow(p.pos)
	default:
		var isKey bool
		if n, isKey = p.scalar(); isKey {
			// "a: b: c" is an error.
			refuse()
		}
	}
	p.endLine()
	p.nextContent()
	return n
}

// scalar reads the plain or quoted scalar at p.pos, in the block context,
// and reports whether a ':' makes it a key. It leaves p.pos after the ':'
// of a key, else after the scalar and the spaces that follow.
func (p *parser) scalar() (n *yaml.Node, isKey bool) {
	src := p.src
	start := p.pos
	var next int
	switch c := src[start]; {
	case c == '\'' || c == '"':
		var value string
		var end int
		value, end = p.quoted(start)
		n = p.quotedNode(value, c, start)
		next = p.spaces(end)
	case plainStart(src, start, false):
		var end int
		end, next = plain(src, start, false)
		n = p.plainNode(src[start:end], start)
	default:
		refuse()
	}
	if src[next] == ':' && blankz(src[next+1]) {
		if next-start > maxKey {
			refuse()
		}
		p.pos = next + 1
		return n, true
	}
	p.pos = next
	return n, false
}

// flow reads the flow collection at i, which must end on its line, and
// returns it with the position after it.
func (p *parser) flow(i int) (*yaml.Node, int) {
	p.enter()
	src := p.src
	open, end := src[i], byte(']')
	n := p.node(yaml.SequenceNode, seqTag, p.line+1, p.column(i))
	if open == '{' {
		n.Kind, n.Tag, end = yaml.MappingNode, mapTag, '}'
	}
	n.Style = yaml.FlowStyle
	mark := len(p.stack)
	i = p.spaces(i + 1)
	for src[i] != end {
		if open == '{' {
			start := i
			var key *yaml.Node
			if c := src[i]; c == '[' || c == '{' {
				refuse()
			}
			key, i = p.flowNode(i)
			i = p.spaces(i)
			// yaml.v3 takes {"a":b} and {a} too; there is no need to.
			if src[i] != ':' || src[i+1] != ' ' || i-start > maxKey {
				refuse()
			}
			p.stack = append(p.stack, key)
			i = p.spaces(i + 1)
		}
		var item *yaml.Node
		item, i = p.flowNode(i)
		p.stack = append(p.stack, item)
		i = p.spaces(i)
		if src[i] == ',' {
			// A ',' may end the entries.
			i = p.spaces(i + 1)
			continue
		}
		if src[i] != end {
			// Also "[a: b]", a mapping of one pair, or a comment that
			// makes the collection go on on the next line.
			refuse()
		}
	}
	if open == '{' && p.repeatedKey(mark) {
		refuse()
	}
	n.Content = p.collect(mark)
	p.depth--
	return n, i + 1
}

// flowNode reads a node in a flow collection at i and returns it with the
// position after it.
func (p *parser) flowNode(i int) (*yaml.Node, int) {
	src := p.src
	switch c := src[i]; {
	case c == '[' || c == '{':
		return p.flow(i)
	case c == '\'' || c == '"':
		value, end := p.quoted(i)
		return p.quotedNode(value, c, i), end
	case plainStart(src, i, true):
		end, next := plain(src, i, true)
		return p.plainNode(src[i:end], i), next
	}
	refuse()
	return nil, 0
}

func (p *parser) enter() {
	p.depth++
	if p.depth > maxDepth {
		refuse()
	}
}

// entry reports whether a block sequence entry starts at i.
func (p *parser) entry(i int) bool {
	return p.src[i] == '-' && blankz(p.src[i+1])
}

func (p *parser) spaces(i int) int {
	for p.src[i] == ' ' {
		i++
	}
	return i
}

// blankz is yaml.v3's is_blankz for the characters the parser takes.
func blankz(c byte) bool {
	return c == ' ' || c == '\n' || c == 0
}

// column returns the 1-based column of i, on the current line.
func (p *parser) column(i int) int {
	if p.ascii {
		return i - p.lineStart + 1
	}
	return utf8.RuneCountInString(p.src[p.lineStart:i]) + 1
}

func (p *parser) node(kind yaml.Kind, tag string, line, column int) *yaml.Node {
	if len(p.nodes) == cap(p.nodes) {
		p.nodes = p.slabs.nodeSlab()
	}
	p.nodes = p.nodes[:len(p.nodes)+1]
	n := &p.nodes[len(p.nodes)-1]
	*n = yaml.Node{Kind: kind, Tag: tag, Line: line, Column: column} // a reused slot is not zero
	return n
}

// more sizes the next slab of Content from what is left to read, when
// check's estimate fell short.
func (p *parser) more() int {
	return 64 + (p.n-p.pos)/8
}

func (p *parser) null(line, column int) *yaml.Node {
	return p.node(yaml.ScalarNode, nullTag, line, column)
}

func (p *parser) plainNode(value string, i int) *yaml.Node {
	if value == "<<" {
		// yaml.v3 tags a plain "<<" !!merge.
		refuse()
	}
	n := p.node(yaml.ScalarNode, resolveTag(value), p.line+1, p.column(i))
	n.Value = value
	return n
}

func (p *parser) quotedNode(value string, quote byte, i int) *yaml.Node {
	n := p.node(yaml.ScalarNode, strTag, p.line+1, p.column(i))
	n.Value = value
	n.Style = yaml.DoubleQuotedStyle
	if quote == '\'' {
		n.Style = yaml.SingleQuotedStyle
	}
	return n
}

// smallMapping is the number of keys up to which repeatedKey compares
// every pair, as yaml.v3 does: cheaper than a set for the mappings
// manifests are made of, and free of allocation.
const smallMapping = 16

// repeatedKey reports whether two keys of the mapping whose keys and
// values are on the stack above mark have the same text. The keys are
// scalars, and "<<" is refused, so that the text is all yaml.v3 compares.
func (p *parser) repeatedKey(mark int) bool {
	c := p.stack[mark:]
	if len(c) <= 2*smallMapping {
		for j := 2; j < len(c); j += 2 {
			k := c[j].Value
			for i := 0; i < j; i += 2 {
				if c[i].Value == k {
					return true
				}
			}
		}
		return false
	}
	seen := make(map[string]struct{}, len(c)/2)
	for i := 0; i < len(c); i += 2 {
		if _, ok := seen[c[i].Value]; ok {
			return true
		}
		seen[c[i].Value] = struct{}{}
	}
	return false
}

// collect moves the children above mark on the stack into a Content slice;
// like yaml.v3, it leaves an empty collection's nil.
func (p *parser) collect(mark int) []*yaml.Node {
	kids := p.stack[mark:]
	k := len(kids)
	if k == 0 {
		return nil
	}
	if cap(p.content)-len(p.content) < k {
		p.content = p.slabs.contentSlab(k, p.more())
	}
	l := len(p.content)
	p.content = p.content[:l+k]
	c := p.content[l : l+k : l+k]
	copy(c, kids)
	p.stack = p.stack[:mark]
	return c
}
