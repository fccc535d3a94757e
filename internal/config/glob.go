package config

import (
	"errors"
	"path"
	"strings"
)

// Glob is an ignore-paths pattern: slash-separated segments matched with
// path.Match, where a segment "**" matches any number of directories
// (none included). A path matches when it, or one of the directories
// holding it, matches the whole pattern: "vendor" ignores everything below
// vendor/.
type Glob struct {
	// Pattern is the pattern as written.
	Pattern string
	segs    []string
}

// CompileGlob checks a pattern. Patterns are relative: a leading "./" is
// dropped, and absolute patterns or ".." segments are refused.
func CompileGlob(pattern string) (*Glob, error) {
	p := strings.TrimSpace(pattern)
	if p == "" {
		return nil, errors.New("empty pattern")
	}
	if strings.HasPrefix(p, "/") {
		return nil, errors.New("patterns are relative to the configuration file's directory; drop the leading /")
	}
	p = strings.TrimSuffix(path.Clean(p), "/")
	if p == "." {
		return nil, errors.New("pattern matches the whole directory")
	}
	segs := strings.Split(p, "/")
	for _, s := range segs {
		if s == ".." {
			return nil, errors.New(`".." is not allowed: patterns only match below the configuration file's directory`)
		}
		if s == "**" {
			continue
		}
		if _, err := path.Match(s, ""); err != nil {
			return nil, errors.New("malformed pattern (check the [ ] brackets and \\ escapes)")
		}
	}
	return &Glob{Pattern: pattern, segs: segs}, nil
}

// Match reports whether rel, a clean slash-separated relative path, or a
// directory holding it matches.
func (g *Glob) Match(rel string) bool {
	if rel == "" || rel == "." {
		return false
	}
	parts := strings.Split(rel, "/")
	for i := 1; i <= len(parts); i++ {
		if matchSegs(g.segs, parts[:i]) {
			return true
		}
	}
	return false
}

func matchSegs(pat, name []string) bool {
	for len(pat) > 0 {
		if pat[0] == "**" {
			// Collapse runs of "**", then try every split point.
			for len(pat) > 0 && pat[0] == "**" {
				pat = pat[1:]
			}
			if len(pat) == 0 {
				return true
			}
			for i := range name {
				if matchSegs(pat, name[i:]) {
					return true
				}
			}
			return false
		}
		if len(name) == 0 {
			return false
		}
		if ok, _ := path.Match(pat[0], name[0]); !ok {
			return false
		}
		pat, name = pat[1:], name[1:]
	}
	return len(name) == 0
}
