package yamlfast

import (
	"strings"
	"unicode/utf8"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// plainStart reports whether a plain scalar may start at i, as in
// yaml_parser_fetch_next_token.
func plainStart(src string, i int, flow bool) bool {
	switch src[i] {
	case '-':
		return !blankz(src[i+1])
	case '?', ':':
		return !flow && !blankz(src[i+1])
	case ' ', '\n', 0, ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`':
		return false
	}
	return true
}

// plain reads the plain scalar at i as yaml_parser_scan_plain_scalar does,
// but on one line only: the caller refuses a next line that would continue
// it. It returns the end of its value and where it stopped, after the
// spaces that follow: at a ':' that makes it a key, a flow indicator, a
// comment, a line break or the end.
func plain(src string, i int, flow bool) (end, next int) {
	end = i
	for {
		switch src[i] {
		case ' ':
			j := i + 1
			for src[j] == ' ' {
				j++
			}
			if c := src[j]; c == '\n' || c == '#' || c == 0 {
				return end, j
			}
			i = j
			continue
		case '\n', 0:
			return end, i
		case ':':
			if blankz(src[i+1]) {
				return end, i
			}
		case ',', '?', '[', ']', '{', '}':
			if flow {
				return end, i
			}
		}
		i++
		end = i
	}
}

// quoted reads the quoted scalar at i, which must end on its line, and
// returns its value and the position after it. The value is cut from the
// input unless it has escapes.
func (p *parser) quoted(i int) (string, int) {
	src := p.src
	q := src[i]
	for j := i + 1; ; j++ {
		switch src[j] {
		case q:
			if q == '\'' && src[j+1] == '\'' {
				return p.unquote(i)
			}
			return src[i+1 : j], j + 1
		case '\\':
			if q == '"' {
				return p.unquote(i)
			}
		case '\n', 0:
			// yaml.v3 folds the lines of a quoted scalar.
			refuse()
		}
	}
}

// unquote is quoted for a scalar with escapes, as in
// yaml_parser_scan_flow_scalar.
func (p *parser) unquote(i int) (string, int) {
	src := p.src
	q := src[i]
	b := p.buf[:0]
	j := i + 1
	for {
		c := src[j]
		switch {
		case c == '\n' || c == 0:
			refuse()
		case c == '\'' && q == '\'':
			if src[j+1] != '\'' {
				p.buf = b
				return string(b), j + 1
			}
			b = append(b, '\'')
			j += 2
			continue
		case c == '"' && q == '"':
			p.buf = b
			return string(b), j + 1
		case c == '\\' && q == '"':
			var n int
			b, n = escape(b, src[j+1:])
			j += 1 + n
			continue
		}
		b = append(b, c)
		j++
	}
}

// escape appends the character that the escape sequence at the start of s
// (after the '\') stands for, and returns the length of the sequence.
func escape(b []byte, s string) ([]byte, int) {
	size := 0
	switch s[0] {
	case '0':
		return append(b, 0), 1
	case 'a':
		return append(b, '\a'), 1
	case 'b':
		return append(b, '\b'), 1
	case 't':
		return append(b, '\t'), 1
	case 'n':
		return append(b, '\n'), 1
	case 'v':
		return append(b, '\v'), 1
	case 'f':
		return append(b, '\f'), 1
	case 'r':
		return append(b, '\r'), 1
	case 'e':
		return append(b, 0x1b), 1
	case ' ', '"', '\'', '\\':
		return append(b, s[0]), 1
	case 'N':
		return append(b, "\u0085"...), 1
	case '_':
		return append(b, "\u00a0"...), 1
	case 'L':
		return append(b, "\u2028"...), 1
	case 'P':
		return append(b, "\u2029"...), 1
	case 'x':
		size = 2
	case 'u':
		size = 4
	case 'U':
		size = 8
	default:
		// An unknown escape, which yaml.v3 rejects ("\/" too), or an
		// escaped line break.
		refuse()
	}
	// Eight hex digits overflow a rune.
	var v uint64
	for k := 1; k <= size; k++ {
		c := s[k]
		switch {
		case c >= '0' && c <= '9':
			v = v<<4 + uint64(c-'0')
		case c >= 'a' && c <= 'f':
			v = v<<4 + uint64(c-'a'+10)
		case c >= 'A' && c <= 'F':
			v = v<<4 + uint64(c-'A'+10)
		default:
			refuse()
		}
	}
	if v >= 0xD800 && v <= 0xDFFF || v > 0x10FFFF {
		refuse()
	}
	return utf8.AppendRune(b, rune(v)), 1 + size
}

// blockScalar reads the literal or folded scalar at p.pos, in a block
// collection in column col, as yaml_parser_scan_block_scalar does. It
// leaves p.pos at the start of the first line after it.
func (p *parser) blockScalar(col int) *yaml.Node {
	src := p.src
	n := p.node(yaml.ScalarNode, strTag, p.line+1, p.column(p.pos))
	n.Style = yaml.FoldedStyle
	literal := src[p.pos] == '|'
	if literal {
		n.Style = yaml.LiteralStyle
	}

	// The header: chomping and indentation indicators in either order,
	// then a comment or nothing.
	i := p.pos + 1
	chomping, increment := 0, 0
	for k := 0; k < 2; k++ {
		switch c := src[i]; {
		case chomping == 0 && (c == '+' || c == '-'):
			chomping = 1
			if c == '-' {
				chomping = -1
			}
			i++
		case increment == 0 && c >= '1' && c <= '9':
			increment = int(c - '0')
			i++
		case c == '0' && increment == 0:
			refuse()
		}
	}
	j := p.spaces(i)
	switch src[j] {
	case '\n', 0:
	case '#':
		// yaml.v3 also takes "|#" for a comment.
		if j == i {
			refuse()
		}
		if k := strings.IndexByte(src[j:p.n], '\n'); k >= 0 {
			j += k
		} else {
			j = p.n
		}
	default:
		refuse()
	}
	line, start := p.line, p.lineStart
	if src[j] == '\n' {
		j++
		line++
		start = j
	}
	i = j

	indent := 0
	if increment > 0 {
		// col is yaml.v3's parser.indent, which is never -1 here.
		indent = col + increment
	}
	b := p.buf[:0]
	breaks := 0           // trailing_breaks, all "\n"
	leadingBreak := false // leading_break is "\n"
	leadingBlank := false // the last line started with a space
	for {
		// yaml_parser_scan_block_scalar_breaks
		maxIndent := 0
		for {
			for (indent == 0 || i-start < indent) && src[i] == ' ' {
				i++
			}
			maxIndent = max(maxIndent, i-start)
			if src[i] != '\n' {
				break
			}
			i++
			line++
			start = i
			breaks++
		}
		if indent == 0 {
			indent = max(maxIndent, col+1, 1)
		}

		if i-start != indent || src[i] == 0 {
			break
		}
		// A content line.
		trailingBlank := src[i] == ' '
		if !literal && leadingBreak && !leadingBlank && !trailingBlank {
			if breaks == 0 {
				b = append(b, ' ')
			}
		} else if leadingBreak {
			b = append(b, '\n')
		}
		leadingBreak = false
		for ; breaks > 0; breaks-- {
			b = append(b, '\n')
		}
		leadingBlank = trailingBlank
		end := p.n
		if k := strings.IndexByte(src[i:p.n], '\n'); k >= 0 {
			end = i + k
		}
		b = append(b, src[i:end]...)
		i = end
		if src[i] == '\n' {
			leadingBreak = true
			i++
			line++
			start = i
		}
	}
	if chomping != -1 && leadingBreak {
		b = append(b, '\n')
	}
	if chomping == 1 {
		for ; breaks > 0; breaks-- {
			b = append(b, '\n')
		}
	}
	n.Value = string(b)
	p.buf = b
	// Only spaces of the line it stopped at have been read.
	p.pos, p.line, p.lineStart = i, line, start
	return n
}
