package lintcache

import (
	"bufio"
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/rules"
)

// The record of the last run is kept in a file of its own, next to the
// cache file: it is complete only once the rules have run, while the cache
// file is written as they run. It says what the input was (the stat data
// of every directory walked and file read, and a digest of the objects),
// with which settings, what was found, and until when that holds. A run
// over the same input then needs neither the files nor the graph:
//
//   - when no directory and no file changed by their stat data, it takes
//     the whole result from the record (Reuse) and reads nothing else;
//   - when the objects are the same by content (a file rewritten as it
//     was), it still loads the input, but takes the graph rules' findings
//     from the record (GraphFindings) instead of building the graph.

// runMagic starts the record file; the number is its format. The file
// holds the record's head and what the run read (both written by hand:
// wire.go), what it found, their lengths (8 bytes each) and the SHA-256 of
// all before it; the head alone tells whether the rest can be reused. The
// lengths come last so that what the run read is written as it is
// encoded, never held whole.
const runMagic = "meshlint run record 5\n"

// recordHead is what tells whether a record holds for a run.
type recordHead struct {
	// Key names the settings (the cache file's key) and the rules with
	// their severities.
	Key string
	// Input is the digest of the objects (Digest).
	Input [32]byte
	// Since is when the run began, Until when a certificate the rules
	// compare with the clock starts or stops being valid (zero: never).
	Since, Until time.Time
	// Files and Dirs hold the stat data of every file read and directory
	// walked, when every file was on disk and every path a directory.
	Files map[string]indexEntry
	Dirs  map[string]manifest.FileStat
	// Listed holds the digest of each directory's entries
	// (manifest.Result.Listed).
	Listed map[string][32]byte
}

// recordInput is what the run read, as writeInput writes it and readInput
// reads it back.
type recordInput struct {
	Objects headers
	// Read, Unmodelled, Skipped and Ignored are the loader's counts.
	Read       int
	Unmodelled map[string]int
	Skipped    []string
	Ignored    []string
}

// recordFound is what the run found.
type recordFound struct {
	// Derived are the objects a controller would create that findings
	// are about (Flagger's, Argo Rollouts'), and DerivedFrom the index
	// in the input's objects of the object each comes from
	// (graph.Origin), or -1. A finding's Object counts on from the
	// input's objects into Derived.
	Derived     headers
	DerivedFrom []int
	// Findings are every rule's, local and graph, in the run's order.
	Findings []runFinding
}

// headers are what the report and the suppressions read of the objects,
// by column: gob encodes a slice of numbers or strings at once, but a
// struct field by field (what a run read, all objects, is written by hand
// instead: wire.go; gob encodes the few objects of findings that a
// controller would create). Words holds the strings that repeat (files,
// API versions, kinds, namespaces); the columns named so index it.
type headers struct {
	Words                                    []string
	File, APIVersion, Group, Kind, Namespace []int32
	OwnerKind                                []int32
	Name, OwnerName                          []string
	Doc                                      []int32
	KindLoc, NameLoc                         []int32 // line, column, end column
	NamespaceSet, NoDirectives               []bool
	Annotations                              map[int]map[string]string
}

// grow makes room for n more objects: 80,000 objects' columns grown by
// appending would take twice their size for a while.
func (h *headers) grow(n int) {
	for _, col := range []*[]int32{&h.File, &h.APIVersion, &h.Group, &h.Kind, &h.Namespace, &h.OwnerKind, &h.Doc} {
		*col = slices.Grow(*col, n)
	}
	h.KindLoc, h.NameLoc = slices.Grow(h.KindLoc, 3*n), slices.Grow(h.NameLoc, 3*n)
	h.Name, h.OwnerName = slices.Grow(h.Name, n), slices.Grow(h.OwnerName, n)
	h.NamespaceSet, h.NoDirectives = slices.Grow(h.NamespaceSet, n), slices.Grow(h.NoDirectives, n)
}

// add appends o; words indexes Words.
func (h *headers) add(o *manifest.Object, words map[string]int32) {
	word := func(s string) int32 {
		i, ok := words[s]
		if !ok {
			i = int32(len(h.Words)) //nolint:gosec // G115: fewer words than objects
			words[s] = i
			h.Words = append(h.Words, s)
		}
		return i
	}
	if len(o.Annotations) > 0 {
		if h.Annotations == nil {
			h.Annotations = map[int]map[string]string{}
		}
		h.Annotations[len(h.Name)] = o.Annotations
	}
	h.File = append(h.File, word(o.File))
	h.APIVersion = append(h.APIVersion, word(o.APIVersion))
	h.Group = append(h.Group, word(o.Group))
	h.Kind = append(h.Kind, word(string(o.Kind)))
	h.Namespace = append(h.Namespace, word(o.Namespace))
	h.OwnerKind = append(h.OwnerKind, word(o.OwnerKind))
	h.Name = append(h.Name, o.Name)
	h.OwnerName = append(h.OwnerName, o.OwnerName)
	h.Doc = append(h.Doc, o.Doc)
	h.KindLoc = append(h.KindLoc, loc32(o.KindLoc)...)
	h.NameLoc = append(h.NameLoc, loc32(o.NameLoc)...)
	h.NamespaceSet = append(h.NamespaceSet, o.NamespaceSet)
	h.NoDirectives = append(h.NoDirectives, o.NoDirectives)
}

// loc32 and loc are a location as kept in a column, and back.
func loc32(l manifest.Loc) []int32 {
	return []int32{l.Line, l.Col, l.EndCol}
}

func loc(col []int32, i int) manifest.Loc {
	return manifest.Loc{Line: col[3*i], Col: col[3*i+1], EndCol: col[3*i+2]}
}

// objects makes the objects back, each reading its file again when its
// nodes are needed (attach); nil if the columns do not check out.
func (h *headers) objects(opts manifest.Options, attach bool) []*manifest.Object {
	if !h.check() {
		return nil
	}
	n := len(h.Name)
	objs := make([]*manifest.Object, n)
	all := make([]manifest.Object, n)
	start := 0
	for i := range objs {
		o := &all[i]
		*o = h.object(i)
		objs[i] = o
		if attach && (i+1 == n || h.File[i+1] != h.File[i]) {
			manifest.Attach(objs[start:i+1], o.File, opts)
			start = i + 1
		}
	}
	return objs
}

// check reports whether the columns check out: as long as each other,
// and their words in Words.
func (h *headers) check() bool {
	n := len(h.Name)
	for _, col := range [][]int32{h.File, h.APIVersion, h.Group, h.Kind, h.Namespace, h.OwnerKind} {
		if len(col) != n {
			return false
		}
		for _, w := range col {
			if w < 0 || int(w) >= len(h.Words) {
				return false
			}
		}
	}
	return len(h.Doc) == n && len(h.OwnerName) == n && len(h.KindLoc) == 3*n && len(h.NameLoc) == 3*n &&
		len(h.NamespaceSet) == n && len(h.NoDirectives) == n
}

// object returns object i of checked headers.
func (h *headers) object(i int) manifest.Object {
	return manifest.Object{
		APIVersion: h.Words[h.APIVersion[i]], Group: h.Words[h.Group[i]], Kind: kinds.Kind(h.Words[h.Kind[i]]),
		Name: h.Name[i], Namespace: h.Words[h.Namespace[i]], NamespaceSet: h.NamespaceSet[i],
		Annotations: h.Annotations[i], OwnerKind: h.Words[h.OwnerKind[i]], OwnerName: h.OwnerName[i],
		File: h.Words[h.File[i]], Doc: h.Doc[i],
		KindLoc: loc(h.KindLoc, i), NameLoc: loc(h.NameLoc, i), NoDirectives: h.NoDirectives[i],
	}
}

// runFinding is a finding with its object given by its index in the
// input's objects, which the digest fixes.
type runFinding struct {
	Rule     string
	Severity rules.Severity
	Message  string
	Pos      manifest.Pos
	Object   int // -1 for none
	Related  []rules.Related
	Fixes    []rules.Fix
}

func (c *Cache) recordPath() string { return c.path + ".run" }

// Digest identifies the objects of res as the graph sees them: for each
// object in order, its file, the SHA-256 of the file's bytes and its
// document. The cache file's key covers the settings. ok is false when
// some object does not come from a file this run hashed (stdin, a
// kustomize build): its findings cannot be told apart from another
// input's.
func (c *Cache) Digest(res *manifest.Result) (digest [32]byte, ok bool) {
	c.open()
	<-c.ready
	c.mu.Lock()
	defer c.mu.Unlock()
	digest, ok = digestOf(c.key, res.Objects, func(file string) ([32]byte, bool) {
		ie, ok := c.newIndex[file]
		return ie.Hash, ok
	})
	if ok {
		// What the record of this run will say of the files: the loader
		// is done, so nothing adds to newIndex any more, and Save, which
		// lets go of it, does not change it.
		c.seen = c.newIndex
	}
	return digest, ok
}

// digestOf is Digest for the objects objs of files whose hashes hash
// gives, made with the settings of key.
func digestOf(key [32]byte, objs []*manifest.Object, hash func(file string) ([32]byte, bool)) (digest [32]byte, ok bool) {
	h := sha256.New()
	h.Write(key[:])
	last := ""
	// What is hashed, "len:file", the file's hash, and ",doc" for each of
	// its objects, is put together in b, a file at a time.
	var b []byte
	for _, o := range objs {
		if o.File != last {
			fh, ok := hash(o.File)
			if !ok || len(o.Sources) > 0 {
				return digest, false
			}
			h.Write(b)
			b = strconv.AppendInt(b[:0], int64(len(o.File)), 10)
			b = append(append(b, ':'), o.File...)
			b = append(b, fh[:]...)
			last = o.File
		}
		b = strconv.AppendInt(append(b, ','), int64(o.Doc), 10)
	}
	h.Write(b)
	copy(digest[:], h.Sum(nil))
	return digest, true
}

// record reads the record file, once a run; the head is nil when the
// file is missing, damaged or made with another key, and the rest is
// decoded only when asked for. A damaged file is ignored with a warning
// (Stats), as the cache file is.
func (c *Cache) record(key string) *readRecord {
	c.recordOnce.Do(func() {
		var err error
		c.rec, err = openRecord(c.recordPath(), c.fullKey(key))
		if err != nil {
			c.mu.Lock()
			c.recordIgnored = err.Error()
			c.mu.Unlock()
		}
	})
	return c.rec
}

// readRecord is a record file read: its head, and what the run read and
// found, decoded on demand (nil if they do not decode; the checksum held,
// so only another build of meshlint with the same key could write such a
// file).
type readRecord struct {
	head  recordHead
	input func() *recordInput
	found func() *recordFound
	// raw holds the encoded input and findings, which a record whose
	// files were only touched is written again with (refresh).
	raw [2][]byte
}

// openRecord reads the record file at path, made with key. A missing file
// and one made with another key are no error.
func openRecord(path, key string) (*readRecord, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if len(data) < len(runMagic)+8*3+32 || string(data[:len(runMagic)]) != runMagic {
		return nil, fmt.Errorf("%s: not a meshlint run record, or another format", path)
	}
	payload, sum := data[:len(data)-32], data[len(data)-32:]
	if s := sha256.Sum256(payload); !bytes.Equal(s[:], sum) {
		return nil, fmt.Errorf("%s: corrupt (checksum mismatch, or truncated)", path)
	}
	// The head, what the run read and what it found, their lengths last.
	var parts [3][]byte
	rest := payload[len(runMagic):]
	if len(rest) < 8*len(parts) {
		return nil, fmt.Errorf("%s: corrupt (bad section length)", path)
	}
	lengths := rest[len(rest)-8*len(parts):]
	rest = rest[:len(rest)-len(lengths)]
	for i := range parts {
		n := binary.BigEndian.Uint64(lengths[8*i:])
		if n > uint64(len(rest)) {
			return nil, fmt.Errorf("%s: corrupt (bad section length)", path)
		}
		parts[i], rest = rest[:n], rest[n:]
	}
	if len(rest) > 0 {
		return nil, fmt.Errorf("%s: corrupt (bad section length)", path)
	}
	r := &readRecord{}
	var ok bool
	if r.head, ok = readHead(parts[0]); !ok {
		return nil, fmt.Errorf("%s: corrupt (bad head)", path)
	}
	if r.head.Key != key {
		return nil, nil
	}
	// What the run found is copied, so that forget lets go of the
	// file's bytes.
	input, found := parts[1], bytes.Clone(parts[2])
	r.raw = [2][]byte{input, found}
	r.input = sync.OnceValue(func() *recordInput { return readInput(input) })
	r.found = sync.OnceValue(func() *recordFound {
		var f recordFound
		if gob.NewDecoder(bytes.NewReader(found)).Decode(&f) != nil {
			return nil
		}
		return &f
	})
	return r, nil
}

// forget lets go of what only Reuse reads, most of the record (the stat
// data, and what the run read), once Reuse did not reuse it: the run then
// holds its own model.
func (r *readRecord) forget() {
	r.head.Dirs = nil
	r.raw = [2][]byte{}
}

// drop lets go of what Previous reads, once it has.
func (r *readRecord) drop() {
	r.head.Files = nil
	r.input = func() *recordInput { return nil }
}

// Previous returns the last run's graph findings about the objects of
// files that hold the same bytes, with this run's objects (objs), when
// that run was made with key over files on disk only and its findings
// held when this run began (now); and the last run's objects of the
// files that changed or went. It is called once Digest has seen this
// run's files, and found that some changed.
func (c *Cache) Previous(key string, objs []*manifest.Object, now time.Time) (*rules.Previous, bool) {
	rec := c.record(key)
	if rec == nil {
		return nil, false
	}
	defer rec.drop()
	c.mu.Lock()
	seen := c.seen
	c.mu.Unlock()
	if rec.head.Files == nil || seen == nil || !rec.head.holds(now) {
		return nil, false
	}
	in, found := rec.input(), rec.found()
	if in == nil || found == nil || !in.Objects.check() {
		return nil, false
	}
	prev := &rules.Previous{Changed: map[string]bool{}}
	for name, ie := range seen {
		if old, ok := rec.head.Files[name]; !ok || old.Hash != ie.Hash {
			prev.Changed[name] = true
		}
	}
	// The objects of a file are together, in the order of the file, in
	// the last run as in this one: the same bytes give the same objects.
	first := map[string]int{}
	for i, o := range objs {
		if i == 0 || objs[i-1].File != o.File {
			first[o.File] = i
		}
	}
	h := &in.Objects
	byIndex := make([]*manifest.Object, len(h.Name)) // by index in the last run
	start := 0
	for i := range h.Name {
		if i > 0 && h.File[i] != h.File[i-1] {
			start = i
		}
		file := h.Words[h.File[i]]
		at, ok := first[file]
		if _, read := seen[file]; !read || prev.Changed[file] || !ok {
			o := h.object(i)
			prev.Gone = append(prev.Gone, &o)
			continue
		}
		j := at + i - start
		if j >= len(objs) || objs[j].File != file || objs[j].Name != h.Name[i] || string(objs[j].Kind) != h.Words[h.Kind[i]] ||
			objs[j].Namespace != h.Words[h.Namespace[i]] {
			return nil, false
		}
		byIndex[i] = objs[j]
	}
	derived := found.Derived.objects(manifest.Options{}, false)
	if derived == nil && len(found.Derived.Name) > 0 || len(found.DerivedFrom) != len(derived) {
		return nil, false
	}
	for _, r := range found.Findings {
		rule := c.rules[r.Rule]
		switch {
		case rule == nil || r.Object < 0 || r.Object >= len(byIndex)+len(derived):
			return nil, false
		case rule.Local:
			continue
		}
		o, from := (*manifest.Object)(nil), r.Object
		if from >= len(byIndex) {
			o = derived[from-len(byIndex)]
			if from = found.DerivedFrom[from-len(byIndex)]; from < 0 || from >= len(byIndex) {
				return nil, false
			}
		}
		origin := byIndex[from]
		if origin == nil {
			continue // of a file that changed: its partition is rerun
		}
		if o == nil {
			o = origin
		} else {
			graph.Derived(o, origin)
		}
		prev.Findings = append(prev.Findings, &rules.Finding{Rule: rule, Severity: r.Severity, Message: r.Message,
			Pos: r.Pos, Object: o, Related: r.Related, Fixes: r.Fixes})
	}
	return prev, true
}

// fullKey joins the cache file's key and the caller's.
func (c *Cache) fullKey(key string) string { return fmt.Sprintf("%x\n%s", c.key, key) }

// holds reports whether the record's findings still hold at now: a clock
// set back, or one past a certificate's bound, could change what the
// certificate rules say.
func (h *recordHead) holds(now time.Time) bool {
	return !now.Before(h.Since) && (h.Until.IsZero() || now.Before(h.Until))
}

// findings makes the record's findings about objs; keep says which rules'
// findings to make.
func (c *Cache) findings(found *recordFound, objs []*manifest.Object, keep func(*rules.Rule) bool) ([]*rules.Finding, bool) {
	out := make([]*rules.Finding, 0, len(found.Findings))
	for _, r := range found.Findings {
		rule := c.rules[r.Rule]
		if rule == nil || r.Object >= len(objs) {
			return nil, false
		}
		if !keep(rule) {
			continue
		}
		f := &rules.Finding{Rule: rule, Severity: r.Severity, Message: r.Message, Pos: r.Pos, Related: r.Related, Fixes: r.Fixes}
		if r.Object >= 0 {
			f.Object = objs[r.Object]
		}
		out = append(out, f)
	}
	return out, true
}

// Reuse returns the result and findings of the last run when it was made
// with key (the rules and their severities) over paths, no directory it
// walked has changed since by its stat data, every file it read holds the
// same bytes (by its stat data, or else by its SHA-256), and its findings
// still hold at now. Only the files whose stat data changed are read: the
// cache file is decoded only if Reuse says no. A record whose files were
// only touched (git checkout, a save without a change) is written again
// with their new stat data; err says why that failed, if it did.
func (c *Cache) Reuse(key string, paths []string, opts manifest.Options, now time.Time, reread rules.Reread) (*manifest.Result, []*rules.Finding, bool, error) {
	res, fs, ok, err := c.reuse(key, paths, opts, now, reread)
	if rec := c.record(key); rec != nil && !ok {
		rec.forget()
	}
	if ok {
		// The cache file is not needed: nothing is written anew.
		c.mu.Lock()
		c.rebuild = ""
		c.mu.Unlock()
	}
	return res, fs, ok, err
}

func (c *Cache) reuse(key string, paths []string, opts manifest.Options, now time.Time, reread rules.Reread) (*manifest.Result, []*rules.Finding, bool, error) {
	if opts.MaxFileSize <= 0 {
		// As Load takes it: ReadStat would refuse every touched file.
		opts.MaxFileSize = manifest.DefaultMaxFileSize
	}
	rec := c.record(key)
	if rec == nil || rec.head.Dirs == nil || !rec.head.holds(now) {
		return nil, nil, false, nil
	}
	for _, p := range paths {
		if _, ok := rec.head.Dirs[p]; !ok {
			return nil, nil, false, nil // a file named alone: its kustomization is not watched
		}
	}
	touched, moved, relisted, ok := statsHold(&rec.head, opts)
	c.rebuildFor(moved)
	if !ok {
		return nil, nil, false, nil
	}
	changed, ok := sameBytes(&rec.head, touched, opts)
	if !ok {
		return nil, nil, false, nil
	}
	in, found := rec.input(), rec.found()
	if in == nil || found == nil {
		return nil, nil, false, nil
	}
	objs := in.Objects.objects(opts, true)
	derived := found.Derived.objects(opts, false)
	if objs == nil && len(in.Objects.Name) > 0 || derived == nil && len(found.Derived.Name) > 0 || len(found.DerivedFrom) != len(derived) {
		return nil, nil, false, nil
	}
	for i, o := range derived {
		if from := found.DerivedFrom[i]; from >= 0 && from < len(objs) {
			graph.Derived(o, objs[from])
		}
	}
	fs, ok := c.findings(found, append(objs[:len(objs):len(objs)], derived...), func(*rules.Rule) bool { return true })
	if !ok {
		return nil, nil, false, nil
	}
	if len(changed) > 0 {
		if fs, ok = c.rereadChanged(&rec.head, changed, objs, derived, fs, reread); !ok {
			return nil, nil, false, nil
		}
	}
	res := &manifest.Result{Objects: objs, Files: in.Read, Unmodelled: in.Unmodelled,
		Skipped: in.Skipped, Ignored: in.Ignored, Dirs: rec.head.Dirs, Listed: rec.head.Listed}
	if res.Unmodelled == nil {
		res.Unmodelled = map[string]int{}
	}
	c.mu.Lock()
	c.reused = true
	c.hits, c.unread = len(rec.head.Files)-len(changed), len(rec.head.Files)-len(touched)
	c.misses, c.valuesOnly = len(changed), len(changed)-c.weighted
	c.mu.Unlock()
	var err error
	if len(changed) > 0 {
		// The findings changed with the files: the record is written
		// anew, as a run writes it.
		head := &rec.head
		maps.Copy(head.Files, changed)
		digest, _ := digestOf(c.key, objs, func(file string) ([32]byte, bool) {
			ie, ok := head.Files[file]
			return ie.Hash, ok
		})
		c.mu.Lock()
		c.seen = head.Files
		c.mu.Unlock()
		err = c.PutRecord(key, digest, res, fs, now, head.Until)
	} else if len(touched) > 0 || relisted > 0 {
		// Their new stat data, with the time of this run, which their
		// bytes were checked at: the next run need not read them, once
		// they have settled.
		rec.head.Since = now
		err = c.refresh(rec)
	}
	return res, fs, true, err
}

// maxChanged is the most files whose bytes changed that Reuse reads
// again to tell whether the graph rules would read the same of them:
// each costs about 0.3 ms (127 image bumps on the 10,000-service tree:
// 0.13 s), a run that decodes the cache file about a second.
const maxChanged = 1024

// sameBytes reports whether the files of touched, whose stat data changed
// or had not settled, can be read: it sets the stat data in head of those
// that still hold the bytes the record was made of to those seen before
// reading them, and returns the others, at most maxChanged, with their
// new stat data and hash.
func sameBytes(head *recordHead, touched []string, opts manifest.Options) (map[string]indexEntry, bool) {
	var changed map[string]indexEntry
	for _, name := range touched {
		data, st, err := manifest.ReadStat(name, opts)
		if err != nil {
			return nil, false
		}
		ie := head.Files[name]
		if h := sha256.Sum256(data); h != ie.Hash {
			if len(changed) == maxChanged || ie.Read == [32]byte{} {
				return nil, false
			}
			if changed == nil {
				changed = map[string]indexEntry{}
			}
			changed[name] = indexEntry{Stat: st, Hash: h}
			continue
		}
		head.Files[name] = indexEntry{Stat: st, Hash: ie.Hash, Digest: ie.Digest}
	}
	return changed, true
}

// rereadChanged returns fs, the last run's findings about objs (the
// objects derived from them in derived), for an input in which the files
// of changed hold other bytes. Each of them must hold the same objects,
// and the graph rules read the same of it (graph.ReadDigest), or all but
// those that read route weights (graph.WeightDigest); the release labels
// of its pods must be the same too when a file names them elsewhere
// (graph.NamesRelease), as a selector would. reread.File reads
// each again for the findings of the local rules, which replace the last
// run's about it; reread.Weights runs the rules that read weights again
// on the partitions of the files whose weights changed, whose findings
// replace the last run's about those partitions. It sets the digests of
// each file in changed.
func (c *Cache) rereadChanged(head *recordHead, changed map[string]indexEntry, objs, derived []*manifest.Object, fs []*rules.Finding, reread rules.Reread) ([]*rules.Finding, bool) {
	if reread.File == nil {
		return nil, false
	}
	// The last run's objects of each changed file, in order.
	of := map[string][]*manifest.Object{}
	for _, o := range objs {
		if _, ok := changed[o.File]; ok {
			of[o.File] = append(of[o.File], o)
		}
	}
	// As the record's objects, the objects read again.
	same := map[*manifest.Object]*manifest.Object{}
	var local []*rules.Finding
	weighted := map[string]bool{}
	// The release labels of pods are unread while no file names them
	// elsewhere (graph.NamesRelease), before or after.
	releaseMoved, releaseNamed := false, false
	for _, ie := range head.Files {
		if ie.NamesRelease {
			releaseNamed = true
			break
		}
	}
	for name, ch := range changed {
		f, ok := reread.File(name)
		old, was := of[name], head.Files[name]
		if !ok || f.Hash != ch.Hash || len(f.Objects) != len(old) {
			return nil, false
		}
		switch {
		case f.Read == was.Read:
		case f.Weights == was.Weights && was.Weights != [32]byte{}:
			weighted[name] = true
		default:
			return nil, false
		}
		releaseMoved = releaseMoved || f.Release != was.Release
		releaseNamed = releaseNamed || f.NamesRelease
		if releaseMoved && releaseNamed {
			return nil, false
		}
		for i, o := range f.Objects {
			if o.Kind != old[i].Kind || o.Name != old[i].Name || o.Namespace != old[i].Namespace || o.Doc != old[i].Doc {
				return nil, false
			}
			same[o] = old[i]
		}
		for _, x := range f.Findings {
			if x.Object != nil {
				if x.Object = same[x.Object]; x.Object == nil {
					return nil, false
				}
			}
			local = append(local, x)
		}
		ch.Digest = f.Digest
		changed[name] = ch
	}
	var again *rules.Rerun
	if len(weighted) > 0 {
		var ok bool
		if reread.Weights == nil {
			return nil, false
		}
		if again, ok = reread.Weights(append(objs[:len(objs):len(objs)], derived...), weighted); !ok {
			return nil, false
		}
		// What was read is what the record and the changed files hold.
		for name, h := range again.Hashes {
			want := head.Files[name].Hash
			if ch, ok := changed[name]; ok {
				want = ch.Hash
			}
			if h != want {
				return nil, false
			}
		}
		c.mu.Lock()
		c.weighted, c.rerunParts = len(weighted), len(again.Dirty)
		c.mu.Unlock()
	}
	out := make([]*rules.Finding, 0, len(fs)+len(local))
	for _, x := range fs {
		file := x.Pos.File
		if x.Object != nil {
			file = x.Object.File
		}
		if _, ok := changed[file]; ok && x.Rule.Local {
			continue
		}
		if again != nil && again.Rules[x.Rule.ID] {
			if x.Object == nil {
				return nil, false
			}
			if again.Dirty[rules.Partition(x.Object)] {
				continue
			}
		}
		out = append(out, x)
	}
	out = append(out, local...)
	if again != nil {
		out = append(out, again.Findings...)
	}
	rules.Sort(out)
	return rules.Dedup(out), true
}

// refresh writes rec again, with its head as it is now.
func (c *Cache) refresh(rec *readRecord) error {
	return c.writeRecord(&rec.head, func(w io.Writer) error {
		_, err := w.Write(rec.raw[0])
		return err
	}, func(w io.Writer) error {
		_, err := w.Write(rec.raw[1])
		return err
	})
}

// statsHold reports whether every directory of the record has the stat
// data recorded, and had settled before the recording run, or else the
// entries recorded (then setting its stat data in head to the new ones,
// and counting it in relisted), and returns the files that do not
// (touched), most recently changed first: their bytes tell whether they
// changed. moved are the files whose stat data changed or that are gone,
// whether or not the rest holds.
func statsHold(head *recordHead, opts manifest.Options) (touched, moved []string, relisted int, ok bool) {
	type named struct {
		name string
		want manifest.FileStat
		dir  bool
	}
	all := make([]named, 0, len(head.Dirs)+len(head.Files))
	for name, st := range head.Dirs {
		all = append(all, named{name, st, true})
	}
	for name, ie := range head.Files {
		all = append(all, named{name, ie.Stat, false})
	}
	// The last changed first: a file being edited is most often one that
	// was edited just before, and sameBytes reads them in this order.
	// Every file is checked, even after a directory that changed (a file
	// added or deleted) or a file gone: rebuildFor counts the files moved
	// then too (the stat calls of a 10,000-file tree take 6 to 11 ms).
	slices.SortFunc(all, func(a, b named) int { return cmp.Compare(b.want.Mtime, a.want.Mtime) })
	// Two stat calls at a time: the system calls dominate.
	var (
		wg      sync.WaitGroup
		bad     atomic.Bool
		changed = make([]bool, len(all))
		stats   = make([]manifest.FileStat, len(all))
	)
	for w := range 2 {
		wg.Go(func() {
			for i := w; i < len(all); i += 2 {
				st, err := manifest.Stat(all[i].name, opts)
				switch {
				case err != nil:
					bad.Store(true)
					changed[i] = true // gone: moved, with no stat data
				case st != all[i].want || !st.Settled(head.Since):
					// A directory whose entries may have changed: the
					// same names of the same types are the same to the
					// walk (its files' stat data tell the rest), else
					// it would have to be walked again.
					if all[i].dir {
						listed, err := manifest.Listing(all[i].name, opts)
						if want, ok := head.Listed[all[i].name]; err != nil || !ok || listed != want {
							bad.Store(true)
						}
					}
					changed[i], stats[i] = true, st
				}
			}
		})
	}
	wg.Wait()
	for i, c := range changed {
		if c && !all[i].dir && stats[i] != all[i].want {
			moved = append(moved, all[i].name)
		}
	}
	if bad.Load() {
		return nil, moved, 0, false
	}
	for i, c := range changed {
		switch {
		case !c:
		case all[i].dir:
			head.Dirs[all[i].name] = stats[i]
			relisted++
		default:
			touched = append(touched, all[i].name)
		}
	}
	return touched, moved, relisted, true
}

// GraphFindings returns the graph rules' findings of the last run when it
// was made with key over objects with this digest, and they still hold at
// now; until is when they may stop holding.
func (c *Cache) GraphFindings(digest [32]byte, key string, objs []*manifest.Object, now time.Time) ([]*rules.Finding, time.Time, bool) {
	rec := c.record(key)
	if rec == nil || rec.head.Input != digest || !rec.head.holds(now) {
		return nil, time.Time{}, false
	}
	found := rec.found()
	if found == nil {
		return nil, time.Time{}, false
	}
	fs, ok := c.findings(found, objs, func(r *rules.Rule) bool { return !r.Local })
	return fs, rec.head.Until, ok
}

// PutRecord keeps the record of a run made with key over the objects of
// res, whose digest Digest gave, that began at since, found fs and holds
// until until (zero: as long as the input does not change).
func (c *Cache) PutRecord(key string, digest [32]byte, res *manifest.Result, fs []*rules.Finding, since, until time.Time) error {
	head := recordHead{Key: c.fullKey(key), Input: digest, Since: since, Until: until}
	// The whole result can be reused by stat data alone only when every
	// file the loader read (res.Files counts them) is one this run saw
	// (c.seen): the files of a kustomize build, and stdin, are not, and
	// a build that holds no object passes Digest, yet an edit of its
	// kustomization in place changes no directory.
	if c.seen != nil && len(res.Errors) == 0 && len(c.seen) == res.Files {
		head.Files, head.Dirs, head.Listed = c.seen, res.Dirs, res.Listed
	}
	// The objects findings are about and those they come from, by their
	// index in res.
	index := make(map[*manifest.Object]int, len(fs))
	for _, f := range fs {
		if f.Object != nil {
			index[f.Object] = -1
			index[graph.Origin(f.Object)] = -1
		}
	}
	for i, o := range res.Objects {
		if _, ok := index[o]; ok {
			index[o] = i
		}
	}
	var found recordFound
	words := map[string]int32{}
	for _, f := range fs {
		r := runFinding{Rule: f.Rule.ID, Severity: f.Severity, Message: f.Message, Pos: f.Pos, Object: -1, Related: f.Related, Fixes: f.Fixes}
		if o := f.Object; o != nil {
			if index[o] < 0 {
				// Not in the input: a controller would create it.
				index[o] = len(res.Objects) + len(found.DerivedFrom)
				found.Derived.add(o, words)
				found.DerivedFrom = append(found.DerivedFrom, index[graph.Origin(o)])
			}
			r.Object = index[o]
		}
		found.Findings = append(found.Findings, r)
	}
	return c.writeRecord(&head, func(w io.Writer) error { return writeInput(w, res) }, func(w io.Writer) error {
		if err := gob.NewEncoder(w).Encode(found); err != nil {
			return fmt.Errorf("encoding the run record: %w", err)
		}
		return nil
	})
}

// writeRecord writes the record file: head, then what the run read and
// what it found, as input and found write them.
func (c *Cache) writeRecord(head *recordHead, input, found func(io.Writer) error) error {
	return c.writeFile(c.recordPath(), func(w io.Writer) error {
		h := sha256.New()
		cw := &counter{w: io.MultiWriter(w, h)}
		var lengths []byte
		// length ends a section, all written since the last.
		length := func() {
			lengths = binary.BigEndian.AppendUint64(lengths, uint64(cw.n)) //nolint:gosec // G115: a length
			cw.n = 0
		}
		if _, err := io.WriteString(cw, runMagic); err != nil {
			return err
		}
		cw.n = 0
		if err := writeHead(cw, head); err != nil {
			return err
		}
		length()
		if err := input(cw); err != nil {
			return err
		}
		length()
		if err := found(cw); err != nil {
			return err
		}
		length()
		if _, err := cw.Write(lengths); err != nil {
			return err
		}
		_, err := w.Write(h.Sum(nil))
		return err
	})
}

// counter counts what it writes to w.
type counter struct {
	w io.Writer
	n int64
}

func (c *counter) Write(b []byte) (int, error) {
	n, err := c.w.Write(b)
	c.n += int64(n)
	return n, err
}

// writeFile replaces path with what write writes, whole: a run that reads
// it meanwhile sees the old file or the new one, never half of one.
func (c *Cache) writeFile(path string, write func(io.Writer) error) error {
	// The files hold what the manifests say, Secrets included: the
	// folder is the user's alone, as the file is (os.CreateTemp: 0600).
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("writing the cache: %w", err)
	}
	sweepTemps(filepath.Dir(path), time.Now())
	tmp, err := os.CreateTemp(filepath.Dir(path), tempPattern)
	if err != nil {
		return fmt.Errorf("writing the cache: %w", err)
	}
	defer os.Remove(tmp.Name())
	w := bufio.NewWriter(tmp)
	err = write(w)
	if err == nil {
		err = w.Flush()
	}
	if err != nil {
		tmp.Close()
		return fmt.Errorf("%s: %w", tmp.Name(), err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("%s: %w", tmp.Name(), err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("writing the cache: %w", err)
	}
	return nil
}

// tempPattern names the files writeFile writes before renaming them;
// tempPrefix is what the names start with.
const (
	tempPattern = tempPrefix + "*"
	tempPrefix  = ".meshlint-cache-"
)

// staleTemp is the age past which a temporary file is one that a killed
// run left behind: writing a cache takes seconds, and a run that is still
// writing keeps its file's modification time fresh.
const staleTemp = time.Hour

// sweepTemps removes the temporary files of dir that killed runs left
// behind; each can be as large as a cache file. Errors are ignored: what
// cannot be removed now may be next time.
// The folder is listed, not globbed: a folder named with a pattern's
// characters ("[", "*", "?") would make the glob find no file, or another
// folder's.
func sweepTemps(dir string, now time.Time) {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), tempPrefix) || !e.Type().IsRegular() {
			continue
		}
		if fi, err := e.Info(); err == nil && fi.Mode().IsRegular() && now.Sub(fi.ModTime()) > staleTemp {
			_ = os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

// Reused reports whether Reuse supplied the run.
func (c *Cache) Reused() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.reused
}
