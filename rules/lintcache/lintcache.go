// Package lintcache keeps, across runs, what meshlint read of each manifest
// file: its objects as the graph prepared them (graph.Prepare) and the
// findings of the local rules, keyed by the SHA-256 of the file's bytes.
// A file unchanged since the last run is then neither parsed nor checked
// again; only the graph and the rules that read the whole input run. An
// index of each file's stat data, as git keeps, tells an unchanged file
// without reading it.
//
// One cache file holds the entries of one run's input and settings. It
// starts with a magic line and the key of the settings it was made with
// (meshlint's version among them), and ends with the SHA-256 of its
// content: a cache from another version or other settings is stale, one
// that does not check out is corrupt, and both are ignored, never trusted.
package lintcache

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/rules"
)

// magic starts every cache file; the number is the format's version.
const magic = "meshlint lint cache 25\n"

// shards is the number of gob streams a cache file is written in; maxShards
// bounds the number read.
const (
	shards    = 16
	maxShards = 64
)

// Cache is the cache of one input and one set of settings.
type Cache struct {
	path  string
	key   [32]byte
	rules map[string]*rules.Rule

	// ready is closed once the file on disk has been read into old;
	// opening starts reading it, on first need (Reuse may make it
	// needless).
	ready   chan struct{}
	opening sync.Once
	// reused is true when Reuse supplied the whole run: the file was not
	// read.
	reused bool
	// seen is what this run saw of each file, and input what it read
	// encoded, kept by Digest for the run record (record.go); rec is the
	// record read, and recordIgnored why it was not used, if damaged.
	seen          map[string]indexEntry
	input         chan []byte
	recordOnce    sync.Once
	rec           *readRecord
	recordIgnored string
	// raw holds the file's shards as read, and rawParts what they
	// decoded to, for Save to copy the shards that did not change.
	raw      [][]byte
	rawParts []map[[32]byte]*entry
	mu       sync.Mutex
	old      map[[32]byte]*entry // read from disk
	kept     map[[32]byte]*entry // used or made by this run
	// changed is true when the file on disk no longer matches kept.
	changed bool
	// start is when this run began, and written when the run that wrote
	// the file did: a file is known by its stat data only if it had not
	// changed for a while before the run that read it (FileStat.Settled).
	start, written time.Time
	// index and newIndex map file names to their stat data and content
	// hash, as read and as seen by this run.
	index, newIndex map[string]indexEntry
	// hits counts the files found in the cache, unread those of them found
	// by their stat data, misses the files parsed.
	hits, unread, misses int
	// ignored says why the cache file was not used.
	ignored string
}

// entry is what is kept of one file.
type entry struct {
	Objects    []object
	Unmodelled map[string]int
	Findings   []finding
	// NoDirectives is true when the file has no "meshlint:" comment.
	NoDirectives bool
}

// indexEntry is what was seen of a file name: its stat data, taken before
// it was read, and the hash of what was read.
type indexEntry struct {
	Stat manifest.FileStat
	Hash [32]byte
}

type object struct {
	APIVersion, Group    string
	Kind                 kinds.Kind
	Name, Namespace      string
	NamespaceSet         bool
	Labels, Annotations  map[string]string
	OwnerKind, OwnerName string
	Doc                  int32
	KindLoc, NameLoc     manifest.Loc
	// Prepared has its own type, not any: gob decodes an interface value
	// by name, which costs more than the value.
	Prepared *graph.PreparedRecord
}

// finding is a local rule's finding; its positions are all in the file,
// whose name is set again when it is read back.
type finding struct {
	Rule     string
	Severity rules.Severity
	Message  string
	Loc      manifest.Loc
	Object   int // index in Objects, -1 for none
	Related  []related
	Fixes    []rules.Fix
}

type related struct {
	Loc     manifest.Loc
	Message string
}

// Open opens the cache file at path, made for the given settings key (it
// must name meshlint's version and everything that changes what is read
// or found: the default namespace, the mesh settings, the rules and their
// severities). rs resolves the rule IDs of cached findings. A missing,
// stale or corrupt file gives an empty cache; Ignored says why. The file
// is read on first need.
func Open(path, key string, rs []*rules.Rule) *Cache {
	c := &Cache{path: path, key: sha256.Sum256([]byte(key)), rules: map[string]*rules.Rule{},
		old: map[[32]byte]*entry{}, kept: map[[32]byte]*entry{}, start: time.Now(),
		index: map[string]indexEntry{}, newIndex: map[string]indexEntry{}}
	for _, r := range rs {
		c.rules[r.ID] = r
	}
	c.ready = make(chan struct{})
	return c
}

// open starts reading the cache file, once; whoever needs it then waits
// for ready. Lint opens it before the loader walks the tree, so that it is
// decoded meanwhile.
func (c *Cache) open() {
	c.opening.Do(func() { go c.load() })
}

// Prefetch starts reading the cache file, if it has not started.
func (c *Cache) Prefetch() { c.open() }

func (c *Cache) load() {
	{
		defer close(c.ready)
		old, index, err := c.read()
		c.mu.Lock()
		defer c.mu.Unlock()
		switch {
		case errors.Is(err, os.ErrNotExist):
			c.changed = true
		case err != nil:
			c.ignored = err.Error()
			c.changed = true
		default:
			c.old, c.index = old, index
		}
	}
}

// errStale marks a cache made by another version or with other settings.
var errStale = errors.New("made by another meshlint version or with other settings")

func (c *Cache) read() (map[[32]byte]*entry, map[string]indexEntry, error) {
	data, err := os.ReadFile(c.path)
	if err != nil {
		return nil, nil, err
	}
	// magic, key, when it was written, shard count, each shard's length,
	// the index's length, the shards, the index, and the SHA-256 of all
	// before it.
	head := len(magic) + 32 + 8 + 8
	if len(data) < head+32 || string(data[:len(magic)]) != magic {
		return nil, nil, fmt.Errorf("%s: not a meshlint cache file, or another format", c.path)
	}
	if !bytes.Equal(data[len(magic):len(magic)+32], c.key[:]) {
		return nil, nil, fmt.Errorf("%s: %w", c.path, errStale)
	}
	body := data[:len(data)-32]
	sum := sha256.Sum256(body)
	if !bytes.Equal(sum[:], data[len(data)-32:]) {
		return nil, nil, fmt.Errorf("%s: corrupt (checksum mismatch, or truncated)", c.path)
	}
	c.written = time.Unix(0, int64(binary.BigEndian.Uint64(data[head-16:]))) //nolint:gosec // G115: read back as written
	n := binary.BigEndian.Uint64(data[head-8 : head])
	if n > maxShards || uint64(len(body)-head) < 8*(n+1) { //nolint:gosec // G115: body is longer than head, checked above
		return nil, nil, fmt.Errorf("%s: corrupt (bad shard count)", c.path)
	}
	// The index is the last section, after the shards.
	sections := make([][]byte, n+1)
	off := head + 8*int(n+1) //nolint:gosec // G115: n is at most maxShards
	for i := range sections {
		size := binary.BigEndian.Uint64(body[head+8*i:])
		if size > uint64(len(body)-off) { //nolint:gosec // G115: off is at most len(body)
			return nil, nil, fmt.Errorf("%s: corrupt (bad shard length)", c.path)
		}
		end := off + int(size) //nolint:gosec // G115: size is at most len(body)-off, checked above
		sections[i] = body[off:end]
		off = end
	}
	if off != len(body) {
		return nil, nil, fmt.Errorf("%s: corrupt (trailing bytes)", c.path)
	}
	rawShards := sections[:n]
	// gob decodes at a few tens of MB/s: the shards are decoded side by
	// side.
	parts := make([]map[[32]byte]*entry, n)
	errs := make([]error, n+1)
	var index map[string]indexEntry
	var wg sync.WaitGroup
	for i := range rawShards {
		wg.Go(func() {
			errs[i] = gob.NewDecoder(bytes.NewReader(rawShards[i])).Decode(&parts[i])
		})
	}
	errs[n] = gob.NewDecoder(bytes.NewReader(sections[n])).Decode(&index)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, nil, fmt.Errorf("%s: corrupt: %w", c.path, err)
	}
	entries := map[[32]byte]*entry{}
	for _, p := range parts {
		maps.Copy(entries, p)
	}
	if n == shards {
		c.raw, c.rawParts = rawShards, parts
	}
	if index == nil {
		index = map[string]indexEntry{}
	}
	return entries, index, nil
}

// Unchanged returns the objects and local findings kept for the file
// name when its stat data are those recorded when it was last read, and
// it had settled by then.
func (c *Cache) Unchanged(name string, st manifest.FileStat) ([]*manifest.Object, map[string]int, []*rules.Finding, bool) {
	c.open()
	<-c.ready
	c.mu.Lock()
	ie, ok := c.index[name]
	var e *entry
	if ok && ie.Stat == st && st.Settled(c.written) {
		e = c.old[ie.Hash]
	}
	if e == nil {
		c.mu.Unlock()
		return nil, nil, nil, false
	}
	c.kept[ie.Hash] = e
	c.newIndex[name] = ie
	c.hits++
	c.unread++
	c.mu.Unlock()
	objs, unmodelled, fs := c.objects(e, name)
	for _, o := range objs {
		o.NoDirectives = e.NoDirectives
	}
	return objs, unmodelled, fs, true
}

// Get returns the objects and local findings kept for a file with these
// bytes, as read from the file name, whose stat data, taken before it was
// read, are st.
func (c *Cache) Get(name string, data []byte, st manifest.FileStat) ([]*manifest.Object, map[string]int, []*rules.Finding, bool) {
	h := sha256.Sum256(data)
	c.open()
	<-c.ready
	c.mu.Lock()
	c.newIndex[name] = indexEntry{Stat: st, Hash: h}
	e := c.old[h]
	if e == nil {
		e = c.kept[h] // the same bytes in another file of this run
	}
	if e == nil {
		c.misses++
		c.mu.Unlock()
		return nil, nil, nil, false
	}
	c.kept[h] = e
	c.hits++
	c.mu.Unlock()
	objs, unmodelled, fs := c.objects(e, name)
	return objs, unmodelled, fs, true
}

// objects makes the objects and findings of e, read from the file name.
func (c *Cache) objects(e *entry, name string) ([]*manifest.Object, map[string]int, []*rules.Finding) {
	objs := make([]*manifest.Object, len(e.Objects))
	for i, r := range e.Objects {
		objs[i] = &manifest.Object{
			APIVersion: r.APIVersion, Group: r.Group, Kind: r.Kind, Name: r.Name,
			Namespace: r.Namespace, NamespaceSet: r.NamespaceSet, Labels: r.Labels, Annotations: r.Annotations,
			OwnerKind: r.OwnerKind, OwnerName: r.OwnerName, File: name, Doc: r.Doc,
			KindLoc: r.KindLoc, NameLoc: r.NameLoc,
		}
		if r.Prepared != nil {
			objs[i].Prepared = r.Prepared.Prepared()
		}
	}
	var fs []*rules.Finding
	for _, r := range e.Findings {
		rule := c.rules[r.Rule]
		if rule == nil {
			continue // cannot happen: the rules are part of the key
		}
		f := &rules.Finding{Rule: rule, Severity: r.Severity, Message: r.Message,
			Pos: manifest.Pos{File: name, Loc: r.Loc}, Fixes: renameFixes(r.Fixes, name)}
		if r.Object >= 0 && r.Object < len(objs) {
			f.Object = objs[r.Object]
		}
		for _, x := range r.Related {
			f.Related = append(f.Related, rules.Related{Pos: manifest.Pos{File: name, Loc: x.Loc}, Message: x.Message})
		}
		fs = append(fs, f)
	}
	unmodelled := map[string]int{}
	for k, n := range e.Unmodelled {
		unmodelled[k] = n
	}
	return objs, unmodelled, fs
}

// Put keeps a file read without problems with the findings of the local
// rules on it. Findings that point into other files, or fixes that create
// files, are not kept, and neither is their file.
func (c *Cache) Put(f *manifest.File, fs []*rules.Finding) {
	e := &entry{Unmodelled: f.Unmodelled, NoDirectives: len(f.Objects) > 0 && f.Objects[0].NoDirectives}
	index := make(map[*manifest.Object]int, len(f.Objects))
	for i, o := range f.Objects {
		index[o] = i
		e.Objects = append(e.Objects, object{
			APIVersion: o.APIVersion, Group: o.Group, Kind: o.Kind, Name: o.Name,
			Namespace: o.Namespace, NamespaceSet: o.NamespaceSet, Labels: o.Labels, Annotations: o.Annotations,
			OwnerKind: o.OwnerKind, OwnerName: o.OwnerName, Doc: o.Doc,
			KindLoc: o.KindLoc, NameLoc: o.NameLoc,
		})
		if len(o.Sources) > 0 {
			return
		}
		p, ok := o.Prepared.(*graph.Prepared)
		if !ok {
			return // not prepared: nothing to keep
		}
		e.Objects[i].Prepared = p.Record()
	}
	for _, x := range fs {
		if x.Pos.File != f.Name || !inFile(x.Fixes, f.Name) {
			return
		}
		r := finding{Rule: x.Rule.ID, Severity: x.Severity, Message: x.Message, Loc: x.Pos.Loc, Object: -1, Fixes: x.Fixes}
		if i, ok := index[x.Object]; ok {
			r.Object = i
		}
		for _, rel := range x.Related {
			if rel.Pos.File != f.Name {
				return
			}
			r.Related = append(r.Related, related{Loc: rel.Pos.Loc, Message: rel.Message})
		}
		e.Findings = append(e.Findings, r)
	}
	h := sha256.Sum256(f.Data)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.kept[h] = e
	c.changed = true
}

// inFile reports whether every edit of the fixes is in file, and no fix
// creates a file.
func inFile(fixes []rules.Fix, file string) bool {
	for _, fx := range fixes {
		if len(fx.NewFiles) > 0 {
			return false
		}
		for _, e := range fx.Edits {
			if e.Pos.File != file {
				return false
			}
		}
	}
	return true
}

func renameFixes(fixes []rules.Fix, name string) []rules.Fix {
	out := make([]rules.Fix, len(fixes))
	for i, fx := range fixes {
		out[i] = fx
		out[i].Edits = append([]rules.Edit(nil), fx.Edits...)
		for j := range out[i].Edits {
			out[i].Edits[j].Pos.File = name
		}
	}
	return out
}

// Save writes the entries this run used or made, when they differ from
// the file's, so that the cache holds the current input and no more. It
// is the cache's last use in a run, and lets go of what the cache read:
// the graph and the rules that run meanwhile need the memory.
func (c *Cache) Save() error {
	c.open()
	<-c.ready
	c.mu.Lock()
	defer c.mu.Unlock()
	defer func() { c.old, c.kept, c.raw, c.rawParts, c.index, c.newIndex = nil, nil, nil, nil, nil, nil }()
	index := map[string]indexEntry{}
	unsettled := false
	for name, ie := range c.newIndex {
		if c.kept[ie.Hash] != nil {
			index[name] = ie
			// Saving makes it known by its stat data next time.
			unsettled = unsettled || !ie.Stat.Settled(c.written) && ie.Stat.Settled(c.start)
		}
	}
	if !c.changed && len(c.kept) == len(c.old) && !unsettled && maps.Equal(index, c.index) {
		return nil
	}
	// Shards, by the first byte of the content hash, so that reading can
	// decode them side by side, and a run that changed a few files encodes
	// only their shards again: the others are copied as they were read.
	n := shards
	parts := make([]map[[32]byte]*entry, n)
	for i := range parts {
		parts[i] = map[[32]byte]*entry{}
	}
	for h, e := range c.kept {
		parts[int(h[0])%n][h] = e
	}
	payloads := make([][]byte, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range parts {
		if c.raw != nil && sameKeys(parts[i], c.rawParts[i]) {
			payloads[i] = c.raw[i]
			continue
		}
		wg.Go(func() {
			var b bytes.Buffer
			errs[i] = gob.NewEncoder(&b).Encode(parts[i])
			payloads[i] = b.Bytes()
		})
	}
	var ib bytes.Buffer
	ierr := gob.NewEncoder(&ib).Encode(index)
	wg.Wait()
	if err := errors.Join(append(errs, ierr)...); err != nil {
		return fmt.Errorf("%s: encoding the cache: %w", c.path, err)
	}
	payloads = append(payloads, ib.Bytes())
	return c.writeFile(c.path, func(w io.Writer) error {
		h := sha256.New()
		w = io.MultiWriter(w, h)
		out := [][]byte{[]byte(magic), c.key[:],
			binary.BigEndian.AppendUint64(nil, uint64(c.start.UnixNano())), //nolint:gosec // G115: read back as written
			binary.BigEndian.AppendUint64(nil, uint64(n))}                  //nolint:gosec // G115: n is shards
		for i := range payloads {
			out = append(out, binary.BigEndian.AppendUint64(nil, uint64(len(payloads[i]))))
		}
		for _, p := range append(out, payloads...) {
			if _, err := w.Write(p); err != nil {
				return err
			}
		}
		_, err := w.Write(h.Sum(nil))
		return err
	})
}

// Stats says how many files came from the cache, how many of them were
// not even read (their stat data showed them unchanged), and how many
// were parsed, and why the cache file was ignored, if it was.
func (c *Cache) Stats() (hits, unread, misses int, ignored string) {
	c.mu.Lock()
	reused := c.reused
	c.mu.Unlock()
	if !reused {
		c.open()
		<-c.ready
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	ignored = c.ignored
	if c.recordIgnored != "" {
		ignored = strings.TrimPrefix(ignored+"; "+c.recordIgnored, "; ")
	}
	return c.hits, c.unread, c.misses, ignored
}

// sameKeys reports whether two shards hold the same entries: entries are
// keyed by content, so the same keys mean the same bytes.
func sameKeys(a, b map[[32]byte]*entry) bool {
	if len(a) != len(b) {
		return false
	}
	for h := range a {
		if _, ok := b[h]; !ok {
			return false
		}
	}
	return true
}
