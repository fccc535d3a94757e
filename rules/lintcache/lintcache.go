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
	"hash/crc32"
	"io"
	"maps"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
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
	// shared is the run's graph.Shared (Prefetch), which the objects read
	// are made to share maps with as each shard is decoded.
	shared *graph.Shared
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
	// file and raw are what Save needs of the file read to copy the
	// shards that did not change, which it reads again rather than keep
	// their bytes (a tenth of what a large run keeps) from start to end:
	// the file's identity, and where each shard is in it. Shard i held
	// the keys of old that are i modulo shards in their first byte.
	file os.FileInfo
	raw  []shardAt
	mu   sync.Mutex
	old  map[[32]byte]*entry // read from disk
	kept map[[32]byte]*entry // used or made by this run
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
	// Objects are the records of the objects, as encoded. In memory an
	// entry holds objs instead, and Objects is nil.
	Objects    []object
	Unmodelled map[string]int
	Findings   []finding
	// NoDirectives is true when the file has no "meshlint:" comment.
	NoDirectives bool

	// objs are the objects: those of the file Put kept, or those made of
	// the records read as each shard was decoded, which are the loader's
	// objects but for their file. Records are not kept next to the
	// objects they make until Save, which makes them again a shard at a
	// time (recordsOf). handed is true once objs are the objects of a
	// file of this run; another file with the same bytes gets copies.
	objs   []*manifest.Object
	handed bool
}

// shardAt is where a shard is in the file read, and its CRC-32C, which
// tells whether a file that still looks the same holds it still.
type shardAt struct {
	off, size int64
	sum       uint32
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

// Prefetch starts reading the cache file, if it has not started, and
// makes the maps of the objects read those of shared (graph.Shared.Canon)
// as it decodes them, so that the model read is never all there twice,
// once as decoded and once shared. The objects Unchanged and Get return
// then need no Canon; those of Put must have had it from shared.
func (c *Cache) Prefetch(shared *graph.Shared) {
	c.opening.Do(func() {
		c.shared = shared
		go c.load()
	})
}

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
	// The file is read a shard at a time, by the goroutine that decodes
	// it, rather than whole: a tenth of what a large run keeps would
	// otherwise be there until the last shard is decoded. One pass first
	// checks the SHA-256 and takes each section's CRC-32C, which tells
	// whether a section read again is the one checked.
	f, err := os.Open(c.path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	file, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	// magic, key, when it was written, shard count, each shard's length,
	// the index's length, the shards, the index, and the SHA-256 of all
	// before it.
	size := file.Size()
	head := len(magic) + 32 + 8 + 8
	start := make([]byte, head)
	if size < int64(head+32) || readAt(f, start, 0) != nil || string(start[:len(magic)]) != magic {
		return nil, nil, fmt.Errorf("%s: not a meshlint cache file, or another format", c.path)
	}
	if !bytes.Equal(start[len(magic):len(magic)+32], c.key[:]) {
		return nil, nil, fmt.Errorf("%s: %w", c.path, errStale)
	}
	body := size - 32
	// The sections, the index last, after the shards; nil when the
	// lengths do not add up, which is told once the checksum is.
	sections, lengthErr := c.sections(f, int64(head), body, binary.BigEndian.Uint64(start[head-8:]))
	if err := c.checkSum(f, body, sections); err != nil {
		return nil, nil, err
	}
	c.written = time.Unix(0, int64(binary.BigEndian.Uint64(start[head-16:]))) //nolint:gosec // G115: read back as written
	if lengthErr != nil {
		return nil, nil, lengthErr
	}
	n := len(sections) - 1
	// gob decodes at a few tens of MB/s: the shards are decoded side by
	// side, but no more at once than can run, and each is made to share
	// maps as soon as it is decoded, so that what is decoded but not yet
	// shared (half as much again) is a few shards', not the whole file's.
	parts := make([]map[[32]byte]*entry, n)
	errs := make([]error, n+1)
	var index map[string]indexEntry
	var next atomic.Int64
	inPlace := n == shards // every shard holds the keys Save puts in it
	var misplaced atomic.Bool
	var wg sync.WaitGroup
	for range min(n, max(1, runtime.GOMAXPROCS(0))) {
		wg.Go(func() {
			var buf []byte
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if buf, errs[i] = sections[i].read(f, buf); errs[i] != nil {
					continue
				}
				if errs[i] = gob.NewDecoder(bytes.NewReader(buf)).Decode(&parts[i]); errs[i] != nil {
					continue
				}
				for h, e := range parts[i] {
					if inPlace && int(h[0])%shards != i {
						misplaced.Store(true)
					}
					e.objs = make([]*manifest.Object, len(e.Objects))
					for j := range e.Objects {
						r := &e.Objects[j]
						c.shared.CanonRecord(&r.Labels, &r.Annotations, r.Prepared)
						e.objs[j] = r.object()
					}
					e.Objects = nil
				}
			}
		})
	}
	buf, err := sections[n].read(f, nil)
	if err == nil {
		err = gob.NewDecoder(bytes.NewReader(buf)).Decode(&index)
	}
	errs[n] = err
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, nil, fmt.Errorf("%s: corrupt: %w", c.path, err)
	}
	count := 0
	for _, p := range parts {
		count += len(p)
	}
	entries := make(map[[32]byte]*entry, count)
	for i, p := range parts {
		maps.Copy(entries, p)
		parts[i] = nil
	}
	if inPlace && !misplaced.Load() {
		c.file, c.raw = file, sections[:n]
	}
	if index == nil {
		index = map[string]indexEntry{}
	}
	return entries, index, nil
}

// sections returns where the n shards and the index are in the file f,
// whose body (all but the checksum) is body bytes long; their lengths
// follow the first head bytes. It fails when they do not add up.
func (c *Cache) sections(f *os.File, head, body int64, n uint64) ([]shardAt, error) {
	if n > maxShards || uint64(body-head) < 8*(n+1) { //nolint:gosec // G115: body is longer than head, checked by read
		return nil, fmt.Errorf("%s: corrupt (bad shard count)", c.path)
	}
	lengths := make([]byte, 8*(n+1))
	if err := readAt(f, lengths, head); err != nil {
		return nil, fmt.Errorf("%s: corrupt (bad shard count)", c.path)
	}
	sections := make([]shardAt, n+1)
	off := head + int64(len(lengths))
	for i := range sections {
		size := binary.BigEndian.Uint64(lengths[8*i:])
		if size > uint64(body-off) { //nolint:gosec // G115: off is at most body
			return nil, fmt.Errorf("%s: corrupt (bad shard length)", c.path)
		}
		sections[i] = shardAt{off: off, size: int64(size)} //nolint:gosec // G115: size is at most body-off, checked above
		off += int64(size)                                 //nolint:gosec // G115: likewise
	}
	if off != body {
		return nil, fmt.Errorf("%s: corrupt (trailing bytes)", c.path)
	}
	return sections, nil
}

// checkSum checks that the first body bytes of f have the SHA-256 that
// follows them, and sets the CRC-32C of each of sections.
func (c *Cache) checkSum(f *os.File, body int64, sections []shardAt) error {
	h := sha256.New()
	buf := make([]byte, 256<<10)
	pos := int64(0)
	// feed hashes up to end, and takes the CRC of at, if not nil.
	feed := func(end int64, at *shardAt) bool {
		for pos < end {
			b := buf[:min(int64(len(buf)), end-pos)]
			if readAt(f, b, pos) != nil {
				return false
			}
			h.Write(b)
			if at != nil {
				at.sum = crc32.Update(at.sum, castagnoli, b)
			}
			pos += int64(len(b))
		}
		return true
	}
	ok := true
	for i := range sections {
		ok = ok && feed(sections[i].off, nil) && feed(sections[i].off+sections[i].size, &sections[i])
	}
	sum := make([]byte, 32)
	if !ok || !feed(body, nil) || readAt(f, sum, body) != nil || !bytes.Equal(sum, h.Sum(nil)) {
		return fmt.Errorf("%s: corrupt (checksum mismatch, or truncated)", c.path)
	}
	return nil
}

// readAt fills b from f at off.
func readAt(f *os.File, b []byte, off int64) error {
	_, err := f.ReadAt(b, off)
	return err
}

// read reads the section from f, into buf when it is large enough, and
// checks that it is still what checkSum read.
func (at shardAt) read(f *os.File, buf []byte) ([]byte, error) {
	buf = slices.Grow(buf[:0], int(at.size))[:at.size]
	if err := readAt(f, buf, at.off); err != nil {
		return buf, err
	}
	if crc32.Checksum(buf, castagnoli) != at.sum {
		return buf, errReadChanged
	}
	return buf, nil
}

// castagnoli is the CRC-32 that processors compute.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

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
	own := c.hand(e)
	c.mu.Unlock()
	objs, unmodelled, fs := c.objects(e, own, name)
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
	own := c.hand(e)
	c.mu.Unlock()
	objs, unmodelled, fs := c.objects(e, own, name)
	return objs, unmodelled, fs, true
}

// hand returns the objects of e, the first time a file of this run asks
// for them, and nil after that. c.mu must be held.
func (c *Cache) hand(e *entry) []*manifest.Object {
	if e.handed {
		return nil
	}
	e.handed = true
	return e.objs
}

// objects makes the objects and findings of e, read from the file name:
// its objects are own, when hand gave them.
func (c *Cache) objects(e *entry, own []*manifest.Object, name string) ([]*manifest.Object, map[string]int, []*rules.Finding) {
	objs := own
	if objs == nil {
		// Those of a file with the same bytes, whose loader may be
		// setting its own fields of them: made again from their records.
		records := recordsOf(e.objs)
		objs = make([]*manifest.Object, len(records))
		for i := range records {
			objs[i] = records[i].object()
		}
	}
	for _, o := range objs {
		o.File = name
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

// object makes the object r records, but for its file.
func (r *object) object() *manifest.Object {
	o := &manifest.Object{
		APIVersion: r.APIVersion, Group: r.Group, Kind: r.Kind, Name: r.Name,
		Namespace: r.Namespace, NamespaceSet: r.NamespaceSet, Labels: r.Labels, Annotations: r.Annotations,
		OwnerKind: r.OwnerKind, OwnerName: r.OwnerName, Doc: r.Doc,
		KindLoc: r.KindLoc, NameLoc: r.NameLoc,
	}
	if r.Prepared != nil {
		o.Prepared = r.Prepared.Prepared()
	}
	return o
}

// recordsOf records the objects of an entry, for Save and for a file
// with the same bytes. Nothing writes to what it reads of them once they
// are prepared (Put) or made (object), though their loader may be setting
// their other fields.
func recordsOf(objs []*manifest.Object) []object {
	rs := make([]object, len(objs))
	for i, o := range objs {
		rs[i] = object{
			APIVersion: o.APIVersion, Group: o.Group, Kind: o.Kind, Name: o.Name,
			Namespace: o.Namespace, NamespaceSet: o.NamespaceSet, Labels: o.Labels, Annotations: o.Annotations,
			OwnerKind: o.OwnerKind, OwnerName: o.OwnerName, Doc: o.Doc,
			KindLoc: o.KindLoc, NameLoc: o.NameLoc,
		}
		if p, ok := o.Prepared.(*graph.Prepared); ok {
			rs[i].Prepared = p.Record()
		}
	}
	return rs
}

// Put keeps a file read without problems with the findings of the local
// rules on it. Findings that point into other files, or fixes that create
// files, are not kept, and neither is their file.
func (c *Cache) Put(f *manifest.File, fs []*rules.Finding) {
	index := make(map[*manifest.Object]int, len(f.Objects))
	for i, o := range f.Objects {
		index[o] = i
		if _, ok := o.Prepared.(*graph.Prepared); !ok || len(o.Sources) > 0 {
			return // not prepared, or not of this file alone: nothing to keep
		}
	}
	// The objects themselves, whose records Save makes a shard at a time
	// (recordsOf): a cold run would keep records of its whole model until
	// it is saved. They are this file's: another file with the same bytes
	// gets copies.
	e := &entry{Unmodelled: f.Unmodelled, NoDirectives: len(f.Objects) > 0 && f.Objects[0].NoDirectives,
		objs: slices.Clone(f.Objects), handed: true}
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
	defer func() { c.old, c.kept, c.file, c.raw, c.index, c.newIndex = nil, nil, nil, nil, nil, nil }()
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
	err := c.write(parts, index, c.raw != nil)
	if errors.Is(err, errReadChanged) {
		err = c.write(parts, index, false)
	}
	return err
}

// errReadChanged is why a shard of the file read could not be copied:
// the file is no longer the one read.
var errReadChanged = errors.New("the cache file changed since it was read")

// write writes the cache file of parts, the shards, and index. With
// copyRead it copies the shards that did not change from the file read
// (c.raw), or fails with errReadChanged, having written nothing, if the
// file is no longer that one.
func (c *Cache) write(parts []map[[32]byte]*entry, index map[string]indexEntry, copyRead bool) error {
	n := len(parts)
	// How many entries each shard read held, for sameKeys.
	var read [shards]int
	for h := range c.old {
		read[int(h[0])%n]++
	}
	payloads := make([][]byte, n)
	copied := make([]bool, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	// No more shards' records at once than can be encoded.
	sem := make(chan struct{}, max(1, runtime.GOMAXPROCS(0)))
	for i := range parts {
		if copyRead && len(parts[i]) == read[i] && sameKeys(parts[i], c.old) {
			copied[i] = true
			continue
		}
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			part := make(map[[32]byte]*entry, len(parts[i]))
			for h, e := range parts[i] {
				r := *e
				r.Objects = recordsOf(e.objs)
				part[h] = &r
			}
			var b bytes.Buffer
			errs[i] = gob.NewEncoder(&b).Encode(part)
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
	copied = append(copied, false)
	return c.writeFile(c.path, func(w io.Writer) error {
		var from *os.File
		if slices.Contains(copied, true) {
			var err error
			if from, err = c.openRead(); err != nil {
				return err
			}
			// Closed before writeFile renames over it.
			defer from.Close()
		}
		h := sha256.New()
		w = io.MultiWriter(w, h)
		out := [][]byte{[]byte(magic), c.key[:],
			binary.BigEndian.AppendUint64(nil, uint64(c.start.UnixNano())), //nolint:gosec // G115: read back as written
			binary.BigEndian.AppendUint64(nil, uint64(n))}                  //nolint:gosec // G115: n is shards
		for i := range payloads {
			size := int64(len(payloads[i]))
			if copied[i] {
				size = c.raw[i].size
			}
			out = append(out, binary.BigEndian.AppendUint64(nil, uint64(size))) //nolint:gosec // G115: a length
		}
		for _, p := range out {
			if _, err := w.Write(p); err != nil {
				return err
			}
		}
		var buf []byte
		for i, p := range payloads {
			if copied[i] {
				at := c.raw[i]
				buf = slices.Grow(buf[:0], int(at.size))[:at.size]
				if _, err := from.ReadAt(buf, at.off); err != nil || crc32.Checksum(buf, castagnoli) != at.sum {
					return errReadChanged
				}
				p = buf
			}
			if _, err := w.Write(p); err != nil {
				return err
			}
		}
		_, err := w.Write(h.Sum(nil))
		return err
	})
}

// openRead opens the file read again, or fails with errReadChanged if the
// file at its path is another one now, or was changed in place. Save
// replaces the file, never changes it: one that changed in place is
// another file, and a shard that no longer checks out tells the rest.
func (c *Cache) openRead() (*os.File, error) {
	f, err := os.Open(c.path)
	if err != nil {
		return nil, errReadChanged
	}
	info, err := f.Stat()
	if err != nil || !os.SameFile(info, c.file) || info.Size() != c.file.Size() || !info.ModTime().Equal(c.file.ModTime()) {
		f.Close()
		return nil, errReadChanged
	}
	return f, nil
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

// sameKeys reports whether every entry of a shard to write was read: a
// shard as large as the one read is then the same, and since entries are
// keyed by content, the same keys mean the same bytes.
func sameKeys(part, read map[[32]byte]*entry) bool {
	for h := range part {
		if _, ok := read[h]; !ok {
			return false
		}
	}
	return true
}
