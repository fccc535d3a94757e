package reporter

import (
	"net/url"
	"path"
	"path/filepath"
	"strings"

	"github.com/meshlint/meshlint/internal/manifest"
)

// The helpers below work on slash-separated paths whatever the host OS, so
// that a report built on Windows and one built on Linux name files the same
// way, and so that tests can use a fixed fake root such as "/src/mesh".

// slash returns p cleaned and with forward slashes.
func slash(p string) string { return path.Clean(filepath.ToSlash(p)) }

// isAbs reports whether the slash path p is absolute: "/x" or a Windows
// drive path "C:/x".
func isAbs(p string) bool {
	if strings.HasPrefix(p, "/") {
		return true
	}
	return len(p) >= 3 && p[1] == ':' && p[2] == '/' &&
		('a' <= p[0] && p[0] <= 'z' || 'A' <= p[0] && p[0] <= 'Z')
}

// where says what a report's file names are relative to: dir, the working
// directory, for relative ones (the root when empty); and root, what
// SARIF URIs and annotation paths are made relative to (Report.Root).
type where struct{ root, dir string }

// at is the where of r.
func (r *Report) at() where { return where{r.Root, r.Dir} }

// relPath returns file relative to the root, slash-separated, and true; or,
// for a file outside it, its absolute slash path (relative if the root is
// unknown) and false. Relative file names are taken relative to the
// working directory, which is the root unless w says otherwise.
func relPath(w where, file string) (string, bool) {
	f := slash(file)
	r := ""
	if w.root != "" {
		r = slash(w.root)
	}
	if d := slash(w.dir); w.dir != "" && isAbs(d) && !isAbs(f) {
		f = path.Join(d, f)
	}
	if !isAbs(f) {
		if f != ".." && !strings.HasPrefix(f, "../") {
			return f, true
		}
		if r == "" || !isAbs(r) {
			return f, false
		}
		f = path.Join(r, f)
	}
	if r != "" && isAbs(r) {
		prefix := r
		if !strings.HasSuffix(prefix, "/") {
			prefix += "/"
		}
		if strings.HasPrefix(f, prefix) {
			return f[len(prefix):], true
		}
	}
	return f, false
}

// displayPath is the name GitHub annotations use: relative to root when the
// file is inside it (GitHub wants repository-relative paths), otherwise the
// path as absolute as it can be made.
func displayPath(w where, file string) string {
	if file == manifest.StdinName {
		return file
	}
	p, _ := relPath(w, file)
	return p
}

// fileURI turns an absolute slash path into a file:// URI.
func fileURI(p string) string {
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // C:/x → file:///C:/x
	}
	return (&url.URL{Scheme: "file", Path: p}).String()
}

// rootURI is the file:// URI of root, ending in exactly one slash as SARIF
// requires of originalUriBaseIds, or "" when root is not absolute.
func rootURI(root string) string {
	if root == "" {
		return ""
	}
	r := slash(root)
	if !isAbs(r) {
		return ""
	}
	u := fileURI(r)
	if !strings.HasSuffix(u, "/") {
		u += "/"
	}
	return u
}

// srcRoot is the SARIF base id for files under Report.Root.
const srcRoot = "%SRCROOT%"

// artifactLocation returns the SARIF uri and uriBaseId for a file: a
// relative reference against %SRCROOT% for files under root, an absolute
// file:// URI for files outside it, and "<stdin>" (percent-encoded, since
// angle brackets are not allowed in a URI) with no base for standard input.
func artifactLocation(w where, file string) (uri, base string) {
	if file == manifest.StdinName {
		return (&url.URL{Path: file}).String(), ""
	}
	p, inRoot := relPath(w, file)
	switch {
	case inRoot:
		// url.URL escapes spaces and the like, and prefixes "./" when the
		// first segment holds a colon that would read as a scheme.
		return (&url.URL{Path: p}).String(), srcRoot
	case isAbs(p):
		return fileURI(p), ""
	default:
		return (&url.URL{Path: p}).String(), ""
	}
}
