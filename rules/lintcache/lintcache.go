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
// (meshlint's version among them), and ends with the SHA-256 of each of
// its sections and of the rest: a cache from another version or other
// settings is stale, one that does not check out is corrupt, and both are
// ignored, never trusted.
package lintcache

import (
	"bytes"
	"cmp"
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
//
// A file holds the magic line, the key, when the run that wrote it began
// (8 bytes), its sections one after another (the shards, then the index),
// and a trailer: each section's length (8 bytes) and SHA-256, the number
// of shards (8 bytes), and the SHA-256 of the head and that trailer. The
// lengths come last so that Save writes each shard as soon as it is
// encoded, rather than hold them all (29 MB on a 10,000-service tree);
// and each section has its own SHA-256 so that the goroutine that decodes
// it checks it as it reads it, rather than a pass over the whole file
// before any is decoded.
const magic = "meshlint lint cache 44\n"

// headSize is the length of a cache file's head, and sectionSize that of
// the trailer's record of one section.
const (
	headSize    = len(magic) + 32 + 8
	sectionSize = 8 + sha256.Size
)

// shards is the number of gob streams a cache file is written in; maxShards
// bounds the number read. A run that must build the graph encodes again
// every shard that holds a file it read anew, among them those that runs
// of changed values alone (Reuse) left out of date: with 64 rather than 16,
// the files of a few such runs reach fewer of the file's bytes
// (performance.md, "Edits the graph cannot see").
const (
	shards    = 64
	maxShards = 256
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
	// seen is what this run saw of each file, kept by Digest for the run
	// record (record.go); rec is the record read, and recordIgnored why it
	// was not used, if damaged.
	seen          map[string]indexEntry
	recordOnce    sync.Once
	rec           *readRecord
	recordIgnored string
	// raw is what Save needs of the file read to copy the shards that did
	// not change, which it reads again rather than keep their bytes (a
	// tenth of what a large run keeps) from start to end: where each
	// shard is in it, its SHA-256, and the CRC-32C of the bytes that
	// checked out, which tells whether the bytes read again are still
	// those (whatever file now has the path). Shard i held the entries of
	// old whose from is i+1.
	raw []shardAt
	// sectionsRead, when set (by a test), runs once the trailer of the
	// file read has been checked and before any section is read.
	sectionsRead func()
	mu           sync.Mutex
	old          map[[32]byte]*entry // read from disk
	kept         map[[32]byte]*entry // used or made by this run
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
	// valuesOnly counts the files whose bytes changed only in values no
	// graph rule reads, when Reuse took the rest of the last run, and
	// weighted those that changed in route weights too, whose readers
	// ran again on rerunParts partitions.
	valuesOnly, weighted, rerunParts int
	// ignored says why the cache file was not used, when it was damaged,
	// and stale when it was made by another version or with other settings;
	// rebuild why it is not read but written anew (rebuildFor).
	ignored, stale, rebuild string
}

// entry is what is kept of one file.
type entry struct {
	// Objects are the records of the objects, and Prepared what
	// graph.Prepare kept of each, as encoded (Save); in memory an entry
	// holds objs instead, and both are nil. Prepared has its own type,
	// not any: gob decodes an interface value by name, which costs more
	// than the value.
	Objects    []object
	Prepared   []*graph.PreparedRecord
	Unmodelled map[string]int
	Findings   []finding
	// NoDirectives is true when the file has no "meshlint:" comment.
	NoDirectives bool
	// Digest tells what the graph rules read of the file.
	graph.Digest

	// objs are the objects: those of the file Put kept, or those made of
	// the records read as each shard was decoded, which are the loader's
	// objects but for their file. Records are not kept next to the
	// objects they make until Save, which makes them again a shard at a
	// time (recordsOf). handed is true once objs are the objects of a
	// file of this run; another file with the same bytes gets copies.
	objs   []*manifest.Object
	handed bool
	// from is 1 + the shard of the file read that held the entry, 0 for
	// an entry that was not read from it.
	from int
}

// shardAt is where a section (a shard or the index) is in a cache file,
// its SHA-256, and, once read, its CRC-32C: Save copies a shard that did
// not change from the file read, and checks the bytes it reads again by
// that CRC, which costs a tenth of the SHA-256. Were the file changed
// since in a way the CRC misses, the copy would not match its SHA-256,
// and the next run would ignore the file.
type shardAt struct {
	off, size int64
	sum       [sha256.Size]byte
	crc       uint32
}

// indexEntry is what was seen of a file name: its stat data, taken before
// it was read, the hash of what was read, and what the graph rules read of
// it (graph.Digests), zero when not known.
type indexEntry struct {
	Stat manifest.FileStat
	Hash [32]byte
	graph.Digest
}

// A shard is a gob stream of shardEntry values, each a message of its
// own, rather than a map in one message: gob builds a message whole, in a
// buffer it grows by appending, and reads it whole, so that a shard in one
// message cost five times its size in buffers to write, all its records
// at once, and its size again to read. (The index is written by hand:
// wire.go.)
type shardEntry struct {
	Hash  [32]byte
	Entry *entry
}

// readShardEntry is a shardEntry as decoded, and readEntry an entry: gob
// matches fields by name, and decodes the records of the objects into the
// objects themselves, rather than into records to make them of.
type readShardEntry struct {
	Hash  [32]byte
	Entry *readEntry
}

type readEntry struct {
	Objects      []manifest.Object
	Prepared     []*graph.PreparedRecord
	Unmodelled   map[string]int
	Findings     []finding
	NoDirectives bool
	Digest       graph.Digest
}

// object is what is encoded of an object: fields of manifest.Object, by
// the same names and of the same types, since it is read back as one
// (readEntry).
type object struct {
	APIVersion, Group    string
	Kind                 kinds.Kind
	Name, Namespace      string
	NamespaceSet         bool
	Labels, Annotations  map[string]string
	OwnerKind, OwnerName string
	Doc                  int32
	KindLoc, NameLoc     manifest.Loc
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
		c.mu.Lock()
		if c.rebuild != "" {
			c.changed = true
			c.mu.Unlock()
			return
		}
		c.mu.Unlock()
		old, index, err := c.read()
		c.mu.Lock()
		defer c.mu.Unlock()
		switch {
		case errors.Is(err, os.ErrNotExist):
			c.changed = true
		case errors.Is(err, errStale):
			// Expected after every upgrade: not worth a warning.
			c.stale = err.Error()
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
	// The file is read a section at a time, by the goroutine that decodes
	// it, rather than whole: a tenth of what a large run keeps would
	// otherwise be there until the last shard is decoded.
	f, err := os.Open(c.path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	head := make([]byte, headSize)
	if readAt(f, head, 0) != nil || string(head[:len(magic)]) != magic {
		return nil, nil, fmt.Errorf("%s: not a meshlint cache file, or another format", c.path)
	}
	if !bytes.Equal(head[len(magic):len(magic)+32], c.key[:]) {
		return nil, nil, fmt.Errorf("%s: %w", c.path, errStale)
	}
	sections, err := c.trailer(f, head, info.Size())
	if err != nil {
		return nil, nil, err
	}
	c.written = time.Unix(0, int64(binary.BigEndian.Uint64(head[headSize-8:]))) //nolint:gosec // G115: read back as written
	if c.written.After(c.start) {
		// Written by a clock ahead of this one, which may have deemed
		// settled a file that had just changed: no stat data hold (as
		// a run record from then does not, recordHead.holds), and Save
		// writes them again with this run's time.
		c.written = time.Time{}
	}
	if c.sectionsRead != nil {
		c.sectionsRead()
	}
	n := len(sections) - 1
	// gob decodes at a few tens of MB/s: the shards are decoded side by
	// side, but no more at once than can run, and each entry is made to
	// share maps as soon as it is decoded, so that what is decoded but
	// not yet shared (half as much again) is a few entries', not the
	// whole file's.
	parts := make([]map[[32]byte]*entry, n)
	errs := make([]error, n+1)
	var index map[string]indexEntry
	var next atomic.Int64
	// Save copies the shards whose entries have not changed from a file
	// with as many shards as it writes.
	inPlace := n == shards
	var failed atomic.Bool
	var wg sync.WaitGroup
	// Each goroutine reads its shards into one buffer, large enough for
	// the largest: grown shard by shard, it was as much garbage again as
	// the shards.
	largest := int64(0)
	for _, at := range sections[:n] {
		largest = max(largest, at.size)
	}
	for range min(n, max(1, runtime.GOMAXPROCS(0))) {
		wg.Go(func() {
			buf := make([]byte, 0, largest)
			for {
				i := int(next.Add(1) - 1)
				if i >= n || failed.Load() {
					return
				}
				if buf, errs[i] = sections[i].read(f, buf); errs[i] == nil {
					parts[i], errs[i] = c.decodeShard(buf)
				}
				if errs[i] != nil {
					failed.Store(true)
					continue
				}
				for _, e := range parts[i] {
					if inPlace {
						e.from = i + 1
					}
				}
			}
		})
	}
	buf, err := sections[n].read(f, nil)
	if err == nil {
		var ok bool
		if index, ok = readIndex(buf); !ok {
			err = errors.New("the index does not read back")
		}
	}
	errs[n] = err
	wg.Wait()
	// The first failure says enough; the others are most often the same.
	for _, err := range errs {
		if err != nil {
			return nil, nil, fmt.Errorf("%s: corrupt: %w", c.path, err)
		}
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
	if inPlace {
		c.raw = sections[:n]
	}
	return entries, index, nil
}

// decodeShard decodes the entries of a shard, and makes the objects of
// each as soon as it is decoded, sharing the maps of the run's.
func (c *Cache) decodeShard(b []byte) (map[[32]byte]*entry, error) {
	dec := gob.NewDecoder(bytes.NewReader(b))
	part := map[[32]byte]*entry{}
	for {
		var x readShardEntry
		if err := dec.Decode(&x); errors.Is(err, io.EOF) {
			return part, nil
		} else if err != nil {
			return nil, err
		}
		r := x.Entry
		if r == nil || len(r.Prepared) != len(r.Objects) {
			return nil, errors.New("an entry whose objects do not add up")
		}
		e := &entry{Unmodelled: r.Unmodelled, Findings: r.Findings, NoDirectives: r.NoDirectives, Digest: r.Digest,
			objs: make([]*manifest.Object, len(r.Objects))}
		for j := range r.Objects {
			o := &r.Objects[j]
			c.shared.CanonRecord(&o.Labels, &o.Annotations, r.Prepared[j])
			o.Prepared = r.Prepared[j].Prepared()
			e.objs[j] = o
		}
		part[x.Hash] = e
	}
}

// trailer reads the trailer of the file f, of size bytes, whose head is
// head, checks it against the SHA-256 that ends the file, and returns
// where the sections are, with their SHA-256: the shards, then the index.
func (c *Cache) trailer(f *os.File, head []byte, size int64) ([]shardAt, error) {
	// A file cut short, or damaged at its end, shows here, by a count or
	// a checksum that makes no sense.
	corrupt := fmt.Errorf("%s: corrupt (checksum mismatch, or truncated)", c.path)
	var end [8 + sha256.Size]byte
	if size < int64(len(head)+len(end)) || readAt(f, end[:], size-int64(len(end))) != nil {
		return nil, corrupt
	}
	n := binary.BigEndian.Uint64(end[:8])
	if n > maxShards {
		return nil, corrupt
	}
	trailer := make([]byte, sectionSize*int(n+1)+8) //nolint:gosec // G115: n is at most maxShards
	start := size - sha256.Size - int64(len(trailer))
	if start < int64(len(head)) || readAt(f, trailer, start) != nil {
		return nil, corrupt
	}
	h := sha256.New()
	h.Write(head)
	h.Write(trailer)
	if !bytes.Equal(h.Sum(nil), end[8:]) {
		return nil, corrupt
	}
	// Lengths that the checksum vouches for but that do not add up can
	// only come from a broken writer.
	sections := make([]shardAt, n+1)
	off := int64(len(head))
	for i := range sections {
		rec := trailer[sectionSize*i:]
		length := binary.BigEndian.Uint64(rec)
		if length > uint64(start-off) { //nolint:gosec // G115: off is at most start
			return nil, fmt.Errorf("%s: corrupt (bad section length)", c.path)
		}
		sections[i] = shardAt{off: off, size: int64(length)} //nolint:gosec // G115: length is at most start-off, checked above
		copy(sections[i].sum[:], rec[8:sectionSize])
		off += int64(length) //nolint:gosec // G115: likewise
	}
	if off != start {
		return nil, fmt.Errorf("%s: corrupt (bad section length)", c.path)
	}
	return sections, nil
}

// readAt fills b from f at off.
func readAt(f *os.File, b []byte, off int64) error {
	_, err := f.ReadAt(b, off)
	return err
}

// errSection is why a section was not decoded: its bytes are not those
// the trailer names, because the file was damaged, or replaced or changed
// since its trailer was read.
var errSection = errors.New("checksum mismatch in a section, or the file changed as it was read")

// read reads the section from f, into buf when it is large enough,
// checks it against its SHA-256, and takes its CRC-32C.
func (at *shardAt) read(f *os.File, buf []byte) ([]byte, error) {
	buf = slices.Grow(buf[:0], int(at.size))[:at.size]
	if err := readAt(f, buf, at.off); err != nil {
		return buf, err
	}
	if sha256.Sum256(buf) != at.sum {
		return buf, errSection
	}
	at.crc = crc32.Checksum(buf, castagnoli)
	return buf, nil
}

// reread reads the section from f again, into buf when it is large
// enough, and fails with errReadChanged unless it has the CRC-32C read
// took.
func (at *shardAt) reread(f *os.File, buf []byte) ([]byte, error) {
	buf = slices.Grow(buf[:0], int(at.size))[:at.size]
	if readAt(f, buf, at.off) != nil || crc32.Checksum(buf, castagnoli) != at.crc {
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
	ie.Digest = e.Digest
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
	c.newIndex[name] = indexEntry{Stat: st, Hash: h, Digest: e.Digest}
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
		records, prepared := recordsOf(e.objs, nil, nil)
		objs = make([]*manifest.Object, len(records))
		for i := range records {
			objs[i] = records[i].object(prepared[i])
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

// object makes the object r records, with what p records of what
// graph.Prepare kept of it, but for its file.
func (r *object) object(p *graph.PreparedRecord) *manifest.Object {
	o := &manifest.Object{
		APIVersion: r.APIVersion, Group: r.Group, Kind: r.Kind, Name: r.Name,
		Namespace: r.Namespace, NamespaceSet: r.NamespaceSet, Labels: r.Labels, Annotations: r.Annotations,
		OwnerKind: r.OwnerKind, OwnerName: r.OwnerName, Doc: r.Doc,
		KindLoc: r.KindLoc, NameLoc: r.NameLoc,
	}
	if p != nil {
		o.Prepared = p.Prepared()
	}
	return o
}

// recordsOf records the objects of an entry, and what graph.Prepare kept
// of each, for Save and for a file with the same bytes: every object of
// an entry is prepared (Put), or nil stands for what is not. It appends
// them to rs and ps. Nothing writes to what it reads of them once they
// are prepared or made (object), though their loader may be setting their
// other fields.
func recordsOf(objs []*manifest.Object, rs []object, ps []*graph.PreparedRecord) ([]object, []*graph.PreparedRecord) {
	for _, o := range objs {
		rs = append(rs, object{
			APIVersion: o.APIVersion, Group: o.Group, Kind: o.Kind, Name: o.Name,
			Namespace: o.Namespace, NamespaceSet: o.NamespaceSet, Labels: o.Labels, Annotations: o.Annotations,
			OwnerKind: o.OwnerKind, OwnerName: o.OwnerName, Doc: o.Doc,
			KindLoc: o.KindLoc, NameLoc: o.NameLoc,
		})
		var p *graph.PreparedRecord
		if prepared, ok := o.Prepared.(*graph.Prepared); ok {
			p = prepared.Record()
		}
		ps = append(ps, p)
	}
	return rs, ps
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
	e.Digest = graph.Digests(f)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.kept[h] = e
	if ie, ok := c.newIndex[f.Name]; ok && ie.Hash == h {
		ie.Digest = e.Digest
		c.newIndex[f.Name] = ie
	}
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
	defer func() { c.old, c.kept, c.raw, c.index, c.newIndex = nil, nil, nil, nil, nil }()
	// The files whose entries are kept: most often all of them, and
	// then newIndex itself, which nothing changes any more (Digest).
	index := c.newIndex
	for _, ie := range c.newIndex {
		if c.kept[ie.Hash] == nil {
			index = maps.Clone(c.newIndex)
			maps.DeleteFunc(index, func(_ string, ie indexEntry) bool { return c.kept[ie.Hash] == nil })
			break
		}
	}
	if index == nil {
		index = map[string]indexEntry{}
	}
	unsettled := false
	for _, ie := range index {
		// Saving makes it known by its stat data next time.
		unsettled = unsettled || !ie.Stat.Settled(c.written) && ie.Stat.Settled(c.start)
	}
	if !c.changed && len(c.kept) == len(c.old) && !unsettled && maps.Equal(index, c.index) {
		return nil
	}
	// Shards, so that reading can decode them side by side, and a run
	// that changed a few files encodes only their shards again: the
	// others are copied as they were read. An entry's shard, and its
	// place in it, follow the first name of the files that have its
	// bytes, not the bytes: an edited file stays in its shard, whose
	// entries are made back into objects in the order of their names,
	// the order in which the loader hands them on, and the graph and the
	// rules go through them (made in the order of the hashes, they made a
	// run after an edit of a 10,000-service tree 5% slower, most of it in
	// building the graph).
	names := make(map[[32]byte]string, len(c.kept))
	for name, ie := range index {
		if first, ok := names[ie.Hash]; !ok || name < first {
			names[ie.Hash] = name
		}
	}
	n := shards
	parts := make([]map[[32]byte]*entry, n)
	for i := range parts {
		parts[i] = map[[32]byte]*entry{}
	}
	for h, e := range c.kept {
		parts[shardOf(names[h], h, n)][h] = e
	}
	err := c.write(parts, index, names, c.raw != nil)
	if errors.Is(err, errReadChanged) {
		err = c.write(parts, index, names, false)
	}
	return err
}

// shardOf is the shard, of n, of the entry with the hash h whose first
// file, by name, is name: by the name's FNV-1a hash, or by h for an entry
// of no file (none, so far).
func shardOf(name string, h [32]byte, n int) int {
	if name == "" {
		return int(h[0]) % n
	}
	sum := uint32(2166136261)
	for i := range len(name) {
		sum = (sum ^ uint32(name[i])) * 16777619
	}
	return int(sum % uint32(n)) //nolint:gosec // G115: n is shards
}

// errReadChanged is why a shard of the file read could not be copied:
// the file is no longer the one read.
var errReadChanged = errors.New("the cache file changed since it was read")

// write writes the cache file of parts, the shards, and index; names
// are the first names of the entries' files (Save). With
// copyRead it copies the shards that did not change from the file read
// (c.raw), or fails with errReadChanged, having written nothing, if the
// file no longer holds them.
func (c *Cache) write(parts []map[[32]byte]*entry, index map[string]indexEntry, names map[[32]byte]string, copyRead bool) error {
	n := len(parts)
	// A shard is the one read when it holds as many entries, all read
	// from it: entries are keyed by content, so the same keys mean the
	// same bytes.
	var read [shards]int
	for _, e := range c.old {
		if e.from > 0 {
			read[e.from-1]++
		}
	}
	copied := make([]bool, n)
	for i := range parts {
		copied[i] = copyRead && len(parts[i]) == read[i] && allFrom(parts[i], i+1)
	}
	return c.writeFile(c.path, func(w io.Writer) error {
		var from *os.File
		if slices.Contains(copied, true) {
			// Whatever file has the path now: a shard is copied only if
			// its bytes have the CRC-32C of the one read.
			var err error
			if from, err = os.Open(c.path); err != nil {
				return errReadChanged
			}
			// Closed before writeFile renames over it.
			defer from.Close()
		}
		head := append([]byte(magic), c.key[:]...)
		head = binary.BigEndian.AppendUint64(head, uint64(c.start.UnixNano())) //nolint:gosec // G115: read back as written
		if _, err := w.Write(head); err != nil {
			return err
		}
		trailer := make([]byte, 0, sectionSize*(n+1)+8)
		// Each section is written as soon as it and those before it are
		// made, so that the file is never all in memory: a goroutine
		// holds the records and bytes of one section at a time.
		section := func(i int, buf []byte) ([]byte, [sha256.Size]byte, error) {
			b := bytes.NewBuffer(buf)
			var err error
			switch {
			case i == n:
				err = writeIndex(b, index)
			case copied[i]:
				at := &c.raw[i]
				buf, err = at.reread(from, buf)
				return buf, at.sum, err
			default:
				err = encodeShard(b, parts[i], names)
			}
			if err != nil {
				return nil, [sha256.Size]byte{}, fmt.Errorf("%s: encoding the cache: %w", c.path, err)
			}
			return b.Bytes(), sha256.Sum256(b.Bytes()), nil
		}
		put := func(b []byte, sum [sha256.Size]byte) error {
			trailer = binary.BigEndian.AppendUint64(trailer, uint64(len(b)))
			trailer = append(trailer, sum[:]...)
			_, err := w.Write(b)
			return err
		}
		if err := inOrder(n+1, max(1, runtime.GOMAXPROCS(0)), section, put); err != nil {
			return err
		}
		trailer = binary.BigEndian.AppendUint64(trailer, uint64(n)) //nolint:gosec // G115: n is shards
		h := sha256.New()
		h.Write(head)
		h.Write(trailer)
		if _, err := w.Write(trailer); err != nil {
			return err
		}
		_, err := w.Write(h.Sum(nil))
		return err
	})
}

// encodeShard writes the entries of a shard to w, in the order of the
// names of their files, and of their keys: the same entries make the same
// bytes.
func encodeShard(w io.Writer, part map[[32]byte]*entry, names map[[32]byte]string) error {
	keys := slices.SortedFunc(maps.Keys(part), func(a, b [32]byte) int {
		return cmp.Or(strings.Compare(names[a], names[b]), bytes.Compare(a[:], b[:]))
	})
	enc := gob.NewEncoder(w)
	// The records of an entry are garbage once encoded: each is made in
	// those of the last.
	var rs []object
	var ps []*graph.PreparedRecord
	for _, h := range keys {
		r := *part[h]
		rs, ps = recordsOf(r.objs, rs[:0], ps[:0])
		r.Objects, r.Prepared = rs, ps
		if slices.Contains(r.Prepared, nil) {
			return errors.New("an object that was not prepared") // cannot happen: Put keeps none
		}
		if err := enc.Encode(shardEntry{Hash: h, Entry: &r}); err != nil {
			return err
		}
	}
	return nil
}

// inOrder makes sections 0 to n-1 on up to workers goroutines, and puts
// each, in order, as soon as it and those before it are made. A goroutine
// makes another section only once its last one is put, so that no more
// than workers sections are held at once, and it hands makeSection the
// buffer of the section it put last, to make the next one in. It returns
// the first error of makeSection or put, after which nothing more is put.
func inOrder(n, workers int, makeSection func(i int, buf []byte) ([]byte, [sha256.Size]byte, error),
	put func(b []byte, sum [sha256.Size]byte) error) error {
	var (
		next atomic.Int64
		mu   sync.Mutex
		turn = sync.NewCond(&mu)
		done int   // sections put, under mu
		err  error // the first failure, under mu
		wg   sync.WaitGroup
	)
	for range min(n, workers) {
		wg.Go(func() {
			var buf []byte
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				b, sum, e := makeSection(i, buf)
				mu.Lock()
				for done != i && err == nil {
					turn.Wait()
				}
				if err == nil && e == nil {
					e = put(b, sum)
				}
				if err == nil {
					err = e
				}
				done++
				turn.Broadcast()
				failed := err != nil
				mu.Unlock()
				if failed {
					return
				}
				buf = b[:0]
			}
		})
	}
	wg.Wait()
	return err
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

// ValuesOnly returns how many files changed only in values no graph
// rule reads, when Reuse took the rest of the last run.
func (c *Cache) ValuesOnly() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.valuesOnly
}

// Weighted returns how many files changed in route weights too, when
// Reuse took the rest of the last run, and on how many partitions the
// rules that read weights ran again.
func (c *Cache) Weighted() (files, partitions int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.weighted, c.rerunParts
}

// rebuildFor decides, from the files whose stat data changed since the
// last run (moved: not those only too recent then to be known by them),
// whether to read the cache file at all: when their
// entries are in seven shards of eight or more, the file is not read and
// is written anew, as by a first run. Writing those shards again costs
// about what writing them all does, and the decoded model beside the
// files read again, the shards being encoded and the graph leaves the
// collector no room: on the 10,000-service tree, 1,000 changed files took
// 2.0–2.6 s and 254–265 MB that way, against 1.4–1.7 s and 242–248 MB
// without reading the file. With fewer, reading it is as fast or faster
// (40 files, in about 30 shards: 1.4–1.5 s against 1.6 s; 100 files, in
// about 50: 1.5–1.9 s against 1.6 s).
func (c *Cache) rebuildFor(moved []string) {
	in := map[int]bool{}
	for _, name := range moved {
		in[shardOf(name, [32]byte{}, shards)] = true
	}
	if 8*len(in) < 7*shards {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.rebuild = fmt.Sprintf("%d files changed since the last run, in %d of the %d shards of the cache file: it is written anew rather than read, which costs less", len(moved), len(in), shards)
}

// Rebuilt says why the cache file was written anew rather than read,
// when it was (rebuildFor).
func (c *Cache) Rebuilt() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.rebuild
}

// Stale says why the cache file was not used when it was made by another
// meshlint version or with other settings, which is no problem: the run
// starts it afresh.
func (c *Cache) Stale() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stale
}

// allFrom reports whether every entry of a shard to write has from.
func allFrom(part map[[32]byte]*entry, from int) bool {
	for _, e := range part {
		if e.from != from {
			return false
		}
	}
	return true
}
