package lintcache

import (
	"encoding/binary"
	"io"
	"math"
	"slices"
	"time"

	"github.com/meshlint/meshlint/internal/manifest"
)

// What a run read (recordInput), the head of its record (recordHead) and
// the index of the cache file are written by hand rather than with
// encoding/gob: they hold every object (80,000 on a 10,000-service tree)
// or every file (10,000), which gob took 60 ms and 20 MB of buffers to
// encode as columns built for it (the objects), or 10 ms each way through
// a map (the files), every run. Written one by one, they take a quarter
// of that time, and a buffer of a few tens of KB.
//
// Numbers are (unsigned) varints, strings a length and their bytes,
// hashes their 32 bytes, times a 0 for the zero time (whose seconds since
// 1970 are not 0) or a 1 and their seconds and nanoseconds since 1970,
// and maps a length and their entries: the small ones in the order of
// their keys, the files in any order. A map that may be nil starts with a
// 0 for nil, and a 1 otherwise.
//
// The input is the loader's count of files read, its counts of unmodelled
// kinds, the files skipped and ignored, and the objects. The strings that
// repeat (file, API version, group, kind, namespace, owner kind) are
// words: a word's number, followed by the word when it is new (its number
// is then the count of words so far).

// flushAt is how much a wire holds before it writes it out.
const flushAt = 64 << 10

// wire writes numbers and strings to w, through a buffer; the first error
// of w is kept, and ends writing.
type wire struct {
	w     io.Writer
	b     []byte
	err   error
	words map[string]uint64
	// last is the last word of each column of the objects, and its
	// number: the next object most often has the same (its file's).
	last [columns]struct {
		s   string
		i   uint64
		set bool
	}
}

// The columns of words of an object.
const (
	colFile = iota
	colAPIVersion
	colGroup
	colKind
	colNamespace
	colOwnerKind
	columns
)

func (e *wire) uvarint(v uint64) { e.b = binary.AppendUvarint(e.b, v) }
func (e *wire) varint(v int64)   { e.b = binary.AppendVarint(e.b, v) }

func (e *wire) str(s string) {
	e.uvarint(uint64(len(s)))
	e.b = append(e.b, s...)
}

// word writes s, the word of the column col of an object.
func (e *wire) word(col int, s string) {
	last := &e.last[col]
	if last.set && s == last.s {
		e.uvarint(last.i)
		return
	}
	i, ok := e.words[s]
	if !ok {
		i = uint64(len(e.words))
		e.words[s] = i
	}
	last.s, last.i, last.set = s, i, true
	e.uvarint(i)
	if !ok {
		e.str(s)
	}
}

func (e *wire) strs(ss []string) {
	e.uvarint(uint64(len(ss)))
	for _, s := range ss {
		e.str(s)
	}
}

// strMap writes m, a map of a few keys, in the order of its keys.
func (e *wire) strMap(m map[string]string) {
	e.uvarint(uint64(len(m)))
	for _, k := range sortedKeys(m) {
		e.str(k)
		e.str(m[k])
	}
}

func (e *wire) hash(h [32]byte) { e.b = append(e.b, h[:]...) }

// flag writes b as 1 or 0, which unwire.present reads.
func (e *wire) flag(b bool) {
	if b {
		e.uvarint(1)
	} else {
		e.uvarint(0)
	}
}

func (e *wire) time(t time.Time) {
	if t.IsZero() {
		e.uvarint(0)
		return
	}
	e.uvarint(1)
	e.varint(t.Unix())
	e.uvarint(uint64(t.Nanosecond())) //nolint:gosec // G115: 0 to 999,999,999
}

func (e *wire) stat(st manifest.FileStat) {
	e.uvarint(st.Dev)
	e.uvarint(st.Ino)
	e.varint(st.Size)
	e.varint(st.Mtime)
	e.varint(st.Ctime)
	e.uvarint(uint64(st.Mode))
}

// named writes m, which may be nil, its values by put.
func named[V any](e *wire, m map[string]V, put func(V)) {
	if m == nil {
		e.uvarint(0)
		return
	}
	e.uvarint(1)
	e.uvarint(uint64(len(m)))
	for name, v := range m {
		e.str(name)
		put(v)
		e.flush(false)
	}
}

// index writes m, which may be nil.
func (e *wire) index(m map[string]indexEntry) {
	named(e, m, func(ie indexEntry) {
		e.stat(ie.Stat)
		e.hash(ie.Hash)
		// The graph's digest is most often the hash (a file without
		// values the graph leaves unread), the other the graph's (a file
		// without route weights).
		e.digest(ie.Read, ie.Hash)
		e.digest(ie.Weights, ie.Read)
		// Most files have no release labels (zero).
		e.digest(ie.Release, ie.Read)
		e.flag(ie.NamesRelease)
	})
}

// digest writes x, a digest that is most often not known (zero) or the
// same as base, in a word in those cases.
func (e *wire) digest(x, base [32]byte) {
	switch x {
	case [32]byte{}:
		e.uvarint(0)
	case base:
		e.uvarint(1)
	default:
		e.uvarint(2)
		e.hash(x)
	}
}

// stats writes m, which may be nil.
func (e *wire) stats(m map[string]manifest.FileStat) { named(e, m, e.stat) }

// hashes writes m, which may be nil.
func (e *wire) hashes(m map[string][32]byte) { named(e, m, e.hash) }

func (e *wire) loc(l manifest.Loc) {
	e.varint(int64(l.Line))
	e.varint(int64(l.Col))
	e.varint(int64(l.EndCol))
}

// flush writes out what e holds, once it holds enough or when last.
func (e *wire) flush(last bool) {
	if e.err != nil || len(e.b) < flushAt && !last {
		return
	}
	_, e.err = e.w.Write(e.b)
	e.b = e.b[:0]
}

// The bits of an object's flags.
const (
	flagNamespaceSet = 1 << iota
	flagNoDirectives
	flagAnnotations
)

// writeIndex writes the index of a cache file to w.
func writeIndex(w io.Writer, index map[string]indexEntry) error {
	e := &wire{w: w, b: make([]byte, 0, flushAt+4<<10)}
	e.index(index)
	e.flush(true)
	return e.err
}

// readIndex reads what writeIndex wrote; false if it does not read back.
func readIndex(b []byte) (map[string]indexEntry, bool) {
	d := &unwire{b: b}
	index := d.index()
	return index, !d.bad && len(d.b) == 0 && index != nil
}

// writeHead writes the head of a run record to w.
func writeHead(w io.Writer, h *recordHead) error {
	e := &wire{w: w, b: make([]byte, 0, flushAt+4<<10)}
	e.str(h.Key)
	e.hash(h.Input)
	e.time(h.Since)
	e.time(h.Until)
	e.index(h.Files)
	e.stats(h.Dirs)
	e.hashes(h.Listed)
	e.flush(true)
	return e.err
}

// readHead reads what writeHead wrote; false if it does not read back.
func readHead(b []byte) (recordHead, bool) {
	d := &unwire{b: b}
	h := recordHead{Key: d.str(), Input: d.hash(), Since: d.time(), Until: d.time()}
	h.Files = d.index()
	h.Dirs = d.stats()
	h.Listed = d.hashes()
	return h, !d.bad && len(d.b) == 0
}

// writeInput writes what the run that loaded res read to w.
func writeInput(w io.Writer, res *manifest.Result) error {
	e := &wire{w: w, b: make([]byte, 0, flushAt+4<<10), words: map[string]uint64{}}
	e.uvarint(uint64(max(res.Files, 0)))
	e.uvarint(uint64(len(res.Unmodelled)))
	for _, k := range sortedKeys(res.Unmodelled) {
		e.str(k)
		e.uvarint(uint64(max(res.Unmodelled[k], 0)))
	}
	e.strs(res.Skipped)
	e.strs(res.Ignored)
	e.uvarint(uint64(len(res.Objects)))
	for _, o := range res.Objects {
		e.word(colFile, o.File)
		e.word(colAPIVersion, o.APIVersion)
		e.word(colGroup, o.Group)
		e.word(colKind, string(o.Kind))
		e.word(colNamespace, o.Namespace)
		e.word(colOwnerKind, o.OwnerKind)
		e.str(o.Name)
		e.str(o.OwnerName)
		e.varint(int64(o.Doc))
		e.loc(o.KindLoc)
		e.loc(o.NameLoc)
		flags := uint64(0)
		if o.NamespaceSet {
			flags |= flagNamespaceSet
		}
		if o.NoDirectives {
			flags |= flagNoDirectives
		}
		if len(o.Annotations) > 0 {
			flags |= flagAnnotations
		}
		e.uvarint(flags)
		if len(o.Annotations) > 0 {
			e.strMap(o.Annotations)
		}
		e.flush(false)
	}
	e.flush(true)
	return e.err
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// unwire reads what a wire wrote; bad is set by the first number or
// string that is not there.
type unwire struct {
	b     []byte
	bad   bool
	words []string
}

func (d *unwire) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.bad, d.b = true, nil
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *unwire) varint() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.bad, d.b = true, nil
		return 0
	}
	d.b = d.b[n:]
	return v
}

// int32 reads a varint that must fit an int32.
func (d *unwire) int32() int32 {
	v := d.varint()
	if v < math.MinInt32 || v > math.MaxInt32 {
		d.bad = true
		return 0
	}
	return int32(v)
}

// count reads a number of things that each take at least size bytes:
// more than the bytes left can hold is damage, and would allocate without
// bound. Bounding it by the bytes left alone was not enough: a count of
// index entries that claims one per byte made the map ask for about 200
// bytes per byte read, gigabytes for an index of 10 MB.
func (d *unwire) count(size int) int {
	n := d.uvarint()
	if n > uint64(len(d.b)/size) { //nolint:gosec // G115: a length
		d.bad, d.b = true, nil
		return 0
	}
	return int(n) //nolint:gosec // G115: at most len(d.b)
}

// The fewest bytes each thing counted takes: a varint takes one, a string
// its length's one, a hash 32, a file's stat data six varints.
const (
	minStat       = 6
	minIndexEntry = 1 + minStat + 32 + 4
	minDirEntry   = 1 + minStat
	minHashEntry  = 1 + 32
	// Six words, name, owner name, document, two locations, flags.
	minObject = 6 + 2 + 1 + 6 + 1
	// A key and a value: two strings, or a string and a number.
	minPair = 2
)

func (d *unwire) hash() (h [32]byte) {
	if len(d.b) < len(h) {
		d.bad, d.b = true, nil
		return h
	}
	copy(h[:], d.b)
	d.b = d.b[len(h):]
	return h
}

func (d *unwire) time() time.Time {
	if !d.present() {
		return time.Time{}
	}
	sec, nsec := d.varint(), d.uvarint()
	if nsec >= 1e9 {
		d.bad = true
		return time.Time{}
	}
	return time.Unix(sec, int64(nsec)) //nolint:gosec // G115: less than 1e9
}

func (d *unwire) stat() manifest.FileStat {
	st := manifest.FileStat{Dev: d.uvarint(), Ino: d.uvarint(), Size: d.varint(), Mtime: d.varint(), Ctime: d.varint()}
	mode := d.uvarint()
	if mode > math.MaxUint32 {
		d.bad = true
	}
	st.Mode = uint32(mode) //nolint:gosec // G115: checked above
	return st
}

// present reads whether a map that may be nil is not, or a time that may
// be zero.
func (d *unwire) present() bool {
	switch d.uvarint() {
	case 0:
		return false
	case 1:
		return true
	}
	d.bad = true
	return false
}

// unnamed reads what named wrote, each value by get, which takes at
// least size bytes.
func unnamed[V any](d *unwire, size int, get func() V) map[string]V {
	if !d.present() {
		return nil
	}
	n := d.count(size)
	m := make(map[string]V, n)
	for range n {
		name := d.str()
		m[name] = get()
	}
	return m
}

func (d *unwire) index() map[string]indexEntry {
	return unnamed(d, minIndexEntry, func() indexEntry {
		ie := indexEntry{Stat: d.stat(), Hash: d.hash()}
		ie.Read = d.digest(ie.Hash)
		ie.Weights = d.digest(ie.Read)
		ie.Release = d.digest(ie.Read)
		ie.NamesRelease = d.present()
		return ie
	})
}

// digest reads what wire.digest wrote with base.
func (d *unwire) digest(base [32]byte) [32]byte {
	switch d.uvarint() {
	case 0:
		return [32]byte{}
	case 1:
		return base
	case 2:
		return d.hash()
	}
	d.bad = true
	return [32]byte{}
}

func (d *unwire) hashes() map[string][32]byte { return unnamed(d, minHashEntry, d.hash) }

func (d *unwire) stats() map[string]manifest.FileStat { return unnamed(d, minDirEntry, d.stat) }

func (d *unwire) str() string {
	n := d.count(1)
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}

// word reads a word as a number into the words read so far; new words
// follow their number.
func (d *unwire) word() int32 {
	i := d.uvarint()
	switch {
	case i < uint64(len(d.words)):
	case i == uint64(len(d.words)):
		d.words = append(d.words, d.str())
	default:
		d.bad = true
		return 0
	}
	return int32(i) //nolint:gosec // G115: fewer words than bytes
}

func (d *unwire) strs() []string {
	n := d.count(1)
	if n == 0 {
		return nil
	}
	ss := make([]string, n)
	for i := range ss {
		ss[i] = d.str()
	}
	return ss
}

// readInput reads what writeInput wrote; nil if it does not read back.
func readInput(b []byte) *recordInput {
	d := &unwire{b: b}
	in := &recordInput{Read: int(min(d.uvarint(), 1<<40)), Unmodelled: map[string]int{}} //nolint:gosec // G115: bounded
	for range d.count(minPair) {
		k := d.str()
		in.Unmodelled[k] = int(min(d.uvarint(), 1<<40)) //nolint:gosec // G115: bounded
	}
	in.Skipped = d.strs()
	in.Ignored = d.strs()
	n := d.count(minObject)
	h := &in.Objects
	h.grow(n)
	for i := range n {
		h.File = append(h.File, d.word())
		h.APIVersion = append(h.APIVersion, d.word())
		h.Group = append(h.Group, d.word())
		h.Kind = append(h.Kind, d.word())
		h.Namespace = append(h.Namespace, d.word())
		h.OwnerKind = append(h.OwnerKind, d.word())
		h.Name = append(h.Name, d.str())
		h.OwnerName = append(h.OwnerName, d.str())
		h.Doc = append(h.Doc, d.int32())
		// Line, column, end column: calls are evaluated left to right.
		h.KindLoc = append(h.KindLoc, d.int32(), d.int32(), d.int32())
		h.NameLoc = append(h.NameLoc, d.int32(), d.int32(), d.int32())
		flags := d.uvarint()
		h.NamespaceSet = append(h.NamespaceSet, flags&flagNamespaceSet != 0)
		h.NoDirectives = append(h.NoDirectives, flags&flagNoDirectives != 0)
		if flags&flagAnnotations != 0 {
			m := map[string]string{}
			for range d.count(minPair) {
				k := d.str()
				m[k] = d.str()
			}
			if h.Annotations == nil {
				h.Annotations = map[int]map[string]string{}
			}
			h.Annotations[i] = m
		}
		if d.bad {
			return nil
		}
	}
	h.Words = d.words
	if d.bad || len(d.b) > 0 {
		return nil
	}
	return in
}
