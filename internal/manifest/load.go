package manifest

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"syscall"

	"github.com/meshlint/meshlint/internal/yamlfast"
	"github.com/meshlint/meshlint/internal/yamlpath"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// StdinName is the file name given to objects read from standard input.
const StdinName = "<stdin>"

// DefaultMaxFileSize is the largest file the loader reads unless told
// otherwise. Real manifest files are far smaller; a larger file is almost
// always a mistake (a binary, a dump) and would only cost memory.
const DefaultMaxFileSize = 64 << 20

// Options control loading.
type Options struct {
	// Namespace is given to namespaced objects that do not set one.
	Namespace string
	// MaxFileSize is the largest file read, in bytes; 0 means the default.
	MaxFileSize int64
	// Stdin is read when a path is "-".
	Stdin io.Reader
	// Dir is the directory relative paths are read from (default: the
	// process's working directory). Files keep the names given.
	Dir string
	// Ignore, when set, is asked about every directory and manifest file
	// met (by the name the file keeps); those it reports are never read.
	Ignore func(path string) bool
	// PerFile, when set, is called for each file read that holds objects
	// (and for each kustomize build), in the loader's worker goroutines
	// (so concurrently, and in no set order), while the objects' YAML
	// nodes are alive. The errors it returns are the file's.
	PerFile func(f *File) []*Error
	// Unchanged, when set, is asked for the objects of each file on disk
	// before the file is read, with what the file system says of it. When
	// it has them (ok), they are the file's objects, with NoDirectives
	// set, and the file is not read.
	Unchanged func(name string, st FileStat) (objs []*Object, unmodelled map[string]int, ok bool)
	// Cached, when set, is asked for the objects of each file on disk
	// before the file is parsed, with its bytes and its FileStat taken
	// before they were read. When it has them (ok), they are the file's
	// objects, and the file is neither parsed nor given to PerFile. data
	// is reused for the next file once Cached returns: it must not keep it.
	Cached func(name string, data []byte, st FileStat) (objs []*Object, unmodelled map[string]int, ok bool)
	// DropNodes releases the YAML nodes of the objects of files on disk
	// once PerFile is done with them (a large tree's nodes take 30 bytes
	// per byte of YAML), and reuses their memory for the next file, so
	// PerFile must not keep any. Their scalars may then share the memory
	// of File.Data, reused too: PerFile must not keep a string taken from
	// a node either, but a copy (Intern). Object.Root reads the file again
	// when a node is needed later (a suppression comment, a baseline path).
	DropNodes bool
	// Maps, when set, are the run's shared label maps, which objects'
	// labels and annotations are taken from.
	Maps *Maps
}

// Result is everything read from the input.
type Result struct {
	Objects []*Object
	Errors  []*Error
	// Warnings are what was read but should be written otherwise (a
	// kustomization's deprecated field): said, but no error.
	Warnings []*Error
	// Files is the number of files read.
	Files int
	// Unmodelled counts objects of kinds the graph does not read, by
	// "apiVersion Kind".
	Unmodelled map[string]int
	// Skipped lists what was left out on purpose, with why: helm charts,
	// and files met in a directory walk that hold no Kubernetes object
	// (docker-compose.yml, a workflow, package.json).
	Skipped []string
	// Ignored lists the files and directories Options.Ignore left out.
	Ignored []string
	// Dirs holds the stat data of each directory walked, taken before it
	// was listed: a directory whose stat data did not change holds the
	// same entries (a cache's index of the input uses them).
	Dirs map[string]FileStat
	// Listed holds the digest of each directory's entries as the walk
	// listed them (Listing): a directory whose stat data changed, as a
	// file saved by renaming a new one over it changes its directory's,
	// is the same to the walk while its entries are.
	Listed map[string][32]byte
}

// Load reads every path. Directories are walked recursively for .yaml, .yml
// and .json files, skipping hidden entries and helm chart folders; "-" reads
// opts.Stdin. Problems are collected in Result.Errors, and everything that
// can be read is still read.
func Load(paths []string, opts Options) *Result {
	if opts.Namespace == "" {
		opts.Namespace = "default"
	}
	if opts.MaxFileSize <= 0 {
		opts.MaxFileSize = DefaultMaxFileSize
	}
	res := &Result{Unmodelled: map[string]int{}, Dirs: map[string]FileStat{}, Listed: map[string][32]byte{}}
	var files, kusts []string
	seen := map[string]bool{}
	// walked holds the files found by walking a directory rather than
	// named: only those may be skipped as some other tool's YAML.
	walked, listed := map[string]bool{}, map[string]string{}
	for _, p := range paths {
		if p == "-" {
			files = append(files, "-")
			continue
		}
		w := walker{res: res, seen: seen, visiting: map[string]bool{}, dir: opts.Dir, ignore: opts.Ignore, walked: walked, listed: listed}
		w.walk(p, true)
		files = append(files, w.files...)
		kusts = append(kusts, w.kusts...)
	}

	parsed := make([]*fileResult, len(files))
	var wg sync.WaitGroup
	// A file at a time per worker: each worker's slabs hold the nodes of
	// the file it reads, and its buffer the file's bytes.
	workers := make(chan *worker, runtime.GOMAXPROCS(0))
	for range cap(workers) {
		workers <- new(worker)
	}
	for i, f := range files {
		wg.Add(1)
		w := <-workers
		go func() {
			defer func() { workers <- w; wg.Done() }()
			parsed[i] = loadFile(f, opts, w)
		}()
	}
	wg.Wait()
	for i, fr := range parsed {
		if fr.read {
			res.Files++
		}
		if walked[files[i]] && notObjects(fr) {
			res.Skipped = append(res.Skipped, files[i]+": no Kubernetes object (no apiVersion, kind or metadata; name the file to lint it)")
			continue
		}
		res.Objects = append(res.Objects, fr.objects...)
		res.Errors = append(res.Errors, fr.errors...)
		for k, n := range fr.unmodelled {
			res.Unmodelled[k] += n
		}
	}
	buildKustomizations(res, kusts, opts)
	return res
}

// walker collects manifest files below a path.
type walker struct {
	res   *Result
	files []string
	// seen holds files already listed, so that a file named twice (or
	// reached through a link) is read once.
	seen map[string]bool
	// visiting holds the real paths of the directories on the current walk
	// path; meeting one again means a symlink loop.
	visiting map[string]bool
	dir      string
	ignore   func(string) bool
	// kusts lists the kustomization directories found (kustomize.go).
	kusts []string
	// walked gets the files found below a directory named (Load), and
	// listed maps the keys of seen to the paths listed.
	walked map[string]bool
	listed map[string]string
}

// notObjects reports whether fr is a file whose documents are all YAML of
// another tool, none trying to be a Kubernetes object: it has documents,
// and all are errors of that kind. One such document next to a manifest
// is still an error: that file is a manifest, and the document a mistake.
func notObjects(fr *fileResult) bool {
	if len(fr.objects) > 0 || len(fr.unmodelled) > 0 || len(fr.errors) == 0 {
		return false
	}
	for _, e := range fr.errors {
		if !e.notObject {
			return false
		}
	}
	return true
}

// ignored reports whether path is to be left out, and records it.
func (w *walker) ignored(path string) bool {
	if w.ignore == nil || !w.ignore(path) {
		return false
	}
	w.res.Ignored = append(w.res.Ignored, path)
	return true
}

// abs returns the path to open for a displayed path.
func abs(dir, p string) string {
	if dir == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(dir, p)
}

func (w *walker) errorf(path string, err error, format string, args ...any) {
	w.res.Errors = append(w.res.Errors, &Error{File: path, Msg: fmt.Sprintf(format, args...), Err: err})
}

// walk visits path. explicit is true for paths the user named: those are
// read whatever their extension.
func (w *walker) walk(path string, explicit bool) {
	info, err := os.Lstat(abs(w.dir, path))
	if err != nil {
		w.errorf(path, unwrapPathError(err), "cannot read")
		return
	}
	if info.Mode()&fs.ModeSymlink != 0 {
		target, err := os.Stat(abs(w.dir, path))
		if err != nil {
			if errors.Is(err, syscall.ELOOP) {
				w.errorf(path, nil, "symlink loop")
			} else {
				w.errorf(path, unwrapPathError(err), "broken symlink")
			}
			return
		}
		info = target
	}
	switch {
	case info.IsDir():
		if w.ignored(path) {
			return
		}
		w.walkDir(path)
	case info.Mode().IsRegular():
		w.file(path, explicit, "")
	default:
		// Opening a FIFO would block forever and a device may never end.
		w.errorf(path, nil, "not a regular file (%s)", fileType(info.Mode()))
	}
}

// file visits the regular file at path, which a symlink may lead to. A
// file that is not itself a symlink, listed in a directory whose resolved
// path is dirResolved, resolves to dirResolved/name: walkDir passes that,
// saving a symlink walk (an lstat per path element) for each of thousands
// of files; "" resolves the path in full.
func (w *walker) file(path string, explicit bool, dirResolved string) {
	if !explicit && !isManifestName(path) {
		return
	}
	key := path
	if dirResolved != "" {
		key = filepath.Join(dirResolved, filepath.Base(path))
	} else if resolved, err := filepath.EvalSymlinks(abs(w.dir, path)); err == nil {
		key = resolved
	}
	if w.seen[key] {
		if explicit {
			delete(w.walked, w.listed[key]) // named after all
		}
		return
	}
	w.seen[key] = true
	w.listed[key] = path
	if w.ignored(path) {
		return
	}
	if explicit && w.inKustomization(path) {
		w.addKustomization(filepath.Dir(path))
		return
	}
	w.files = append(w.files, path)
	if !explicit {
		w.walked[path] = true
	}
}

func (w *walker) walkDir(dir string) {
	resolved, err := filepath.EvalSymlinks(abs(w.dir, dir))
	if err != nil {
		w.errorf(dir, unwrapPathError(err), "cannot resolve")
		return
	}
	if w.visiting[resolved] {
		w.errorf(dir, nil, "symlink loop: %s is already being read", resolved)
		return
	}
	w.visiting[resolved] = true
	defer delete(w.visiting, resolved)

	if info, err := os.Stat(abs(w.dir, dir)); err == nil {
		w.res.Dirs[dir] = StatOf(info)
	}
	entries, err := os.ReadDir(abs(w.dir, dir))
	if err != nil {
		w.errorf(dir, unwrapPathError(err), "cannot read directory")
		return
	}
	w.res.Listed[dir] = listingDigest(entries)
	for _, e := range entries {
		if e.Name() == "Chart.yaml" {
			w.res.Skipped = append(w.res.Skipped, dir+": helm chart (render it with `helm template` and pipe it to `meshlint -`)")
			return
		}
	}
	if kustomizationIn(abs(w.dir, dir)) != "" {
		w.addKustomization(dir)
		return
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			continue
		}
		if e.Type().IsRegular() {
			// ReadDir's type needs no lstat: a symlink is not regular.
			w.file(filepath.Join(dir, e.Name()), false, resolved)
			continue
		}
		w.walk(filepath.Join(dir, e.Name()), false)
	}
}

// Listing returns the digest of the entries of the directory name as the
// walk reads them: their names and types.
func Listing(name string, opts Options) ([32]byte, error) {
	entries, err := os.ReadDir(abs(opts.Dir, name))
	if err != nil {
		return [32]byte{}, err
	}
	return listingDigest(entries), nil
}

func listingDigest(entries []fs.DirEntry) [32]byte {
	h := sha256.New()
	var b []byte
	for _, e := range entries {
		b = append(append(b[:0], e.Name()...), 0)
		b = binary.AppendUvarint(b, uint64(e.Type()))
		h.Write(b)
	}
	var d [32]byte
	copy(d[:], h.Sum(nil))
	return d
}

func isManifestName(p string) bool {
	switch strings.ToLower(filepath.Ext(p)) {
	case ".yaml", ".yml", ".json":
		return true
	}
	return false
}

func fileType(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "named pipe"
	case m&fs.ModeSocket != 0:
		return "socket"
	case m&fs.ModeDevice != 0:
		return "device"
	}
	return m.Type().String()
}

// unwrapPathError drops the *fs.PathError wrapper, whose path the Error
// already names.
func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// worker is the memory a loader worker reuses from one file to the next,
// so that the bytes and nodes of 10,000 files are not garbage the collector
// clears while the heap is at its largest.
type worker struct {
	slabs yamlfast.Slabs
	// buf holds the bytes of the file being read, and when the nodes are
	// dropped (Options.DropNodes) the scalars of the fast parser too. Nothing
	// keeps them once loadFile returns: objectsOf interns what it keeps of
	// the nodes, PerFile and Cached are told that File.Data and their data
	// are theirs only during the call, and DropNodes that the nodes'
	// strings are too.
	buf []byte
}

// fileDone, when set (by tests), is given the memory of a worker's buffer
// once loadFile is done with the file read into it, before the next file
// is: a test that overwrites it finds what still reads it.
var fileDone func(buf []byte)

// maxKeptBuffer is the largest read buffer a worker keeps for the next
// file: one large file must not hold its size for the rest of the run.
const maxKeptBuffer = 1 << 20

type fileResult struct {
	read       bool
	objects    []*Object
	errors     []*Error
	unmodelled map[string]int
	// passed are the documents of objects of kinds the graph does not
	// read, counted in unmodelled.
	passed []*yaml.Node
}

// countAll is the sum of counts.
func countAll(counts map[string]int) int {
	n := 0
	for _, c := range counts {
		n += c
	}
	return n
}

// loadFile reads the file at path into w's buffer. When the loader drops
// the nodes of a file on disk, they are cut from w's slabs. Both are
// reused for the next file.
func loadFile(path string, opts Options, w *worker) *fileResult {
	fr := &fileResult{unmodelled: map[string]int{}}
	name := path
	var data []byte
	var err error
	var st FileStat
	if path == "-" {
		name = StdinName
		if opts.Stdin == nil {
			fr.errors = append(fr.errors, &Error{File: name, Msg: "no standard input"})
			return fr
		}
		data, err = io.ReadAll(io.LimitReader(opts.Stdin, opts.MaxFileSize+1))
	} else {
		var done bool
		if st, done = unchanged(name, abs(opts.Dir, path), opts, fr); done {
			return fr
		}
		data, err = readFileInto(w.buf, abs(opts.Dir, path), opts.MaxFileSize)
		switch {
		case cap(data) > maxKeptBuffer:
			w.buf = nil
		case data != nil: // nil: not read, w.buf is left as it was
			w.buf = data[:0]
		}
		if fileDone != nil && data != nil {
			defer fileDone(data[:cap(data)])
		}
	}
	if err != nil && !errors.Is(err, errTooLarge) {
		fr.errors = append(fr.errors, &Error{File: name, Msg: "cannot read", Err: unwrapPathError(err)})
		return fr
	}
	if errors.Is(err, errTooLarge) || int64(len(data)) > opts.MaxFileSize {
		fr.errors = append(fr.errors, &Error{File: name, Msg: fmt.Sprintf("larger than the %d-byte limit (raise it with --max-file-size)", opts.MaxFileSize)})
		return fr
	}
	fr.read = true
	if i := bytes.IndexByte(data[:min(len(data), 8192)], 0); i >= 0 {
		fr.errors = append(fr.errors, &Error{File: name, Msg: "binary file (NUL byte at offset " + fmt.Sprint(i) + ")"})
		return fr
	}
	noDirectives := !bytes.Contains(data, []byte(directiveMark))
	var src *diskFile
	if path != "-" {
		src = &diskFile{path: abs(opts.Dir, path), name: name, namespace: opts.Namespace}
	}
	if opts.Cached != nil && src != nil {
		if objs, unmodelled, ok := opts.Cached(name, data, st); ok {
			for i, o := range objs {
				o.seq, o.src, o.NoDirectives = i, src, noDirectives
			}
			fr.objects, fr.unmodelled = objs, unmodelled
			return fr
		}
	}
	// The nodes of a file on disk whose nodes are dropped are cut from
	// the worker's slabs, and their scalars from its buffer (parseFile);
	// kept nodes are all new memory.
	slabs := &w.slabs
	if !opts.DropNodes || src == nil {
		slabs = nil
	}
	docs, errs := parseFile(name, data, !noDirectives, slabs)
	fr.errors = append(fr.errors, errs...)
	for _, d := range docs {
		if e := checkAliases(name, d.index, d.node); e != nil {
			fr.errors = append(fr.errors, e)
			continue
		}
		passed := countAll(fr.unmodelled)
		objs, errs := objectsIn(name, d.index, d.node, opts.Namespace, fr.unmodelled, opts.Maps, !d.unique)
		fr.objects = append(fr.objects, objs...)
		fr.errors = append(fr.errors, errs...)
		if len(objs) == 0 && len(errs) == 0 && countAll(fr.unmodelled) == passed+1 && !strings.HasSuffix(yamlpath.Field(d.node, "kind").Value, "List") {
			fr.passed = append(fr.passed, d.node)
		}
	}
	for i, o := range fr.objects {
		o.seq, o.src, o.NoDirectives = i, src, noDirectives
	}
	if opts.PerFile != nil && len(fr.objects)+len(fr.passed) > 0 {
		f := &File{Name: name, Objects: fr.objects, Passed: fr.passed, Unmodelled: fr.unmodelled, Errors: fr.errors}
		if src != nil {
			f.Data = data
		}
		fr.errors = append(fr.errors, opts.PerFile(f)...)
	}
	if opts.DropNodes && src != nil {
		for _, o := range fr.objects {
			o.Node = nil
		}
	}
	return fr
}

// unchanged asks opts.Unchanged for the objects of the file at path, and
// reports whether it had them. The stat is taken before the file is read,
// so that a change made while it is read shows in the next run's stat.
func unchanged(name, path string, opts Options, fr *fileResult) (FileStat, bool) {
	if opts.Cached == nil && opts.Unchanged == nil {
		return FileStat{}, false
	}
	info, err := os.Stat(path)
	if err != nil || !info.Mode().IsRegular() {
		return FileStat{}, false // reading tells what is wrong
	}
	st := StatOf(info)
	if opts.Unchanged == nil || st.Size > opts.MaxFileSize {
		return st, false
	}
	objs, unmodelled, ok := opts.Unchanged(name, st)
	if !ok {
		return st, false
	}
	attach(objs, name, path, opts.Namespace)
	fr.read, fr.objects, fr.unmodelled = true, objs, unmodelled
	return st, true
}

// attach makes objs, read from the file name at path, read it again when
// their nodes are needed (Object.Root).
func attach(objs []*Object, name, path, namespace string) {
	src := &diskFile{path: path, name: name, namespace: namespace}
	for i, o := range objs {
		o.seq, o.src = i, src
	}
}

// Attach does for objs what Load does for the objects of a file on disk
// that Options.Unchanged supplied: they read the file name (all its
// objects, in order) again when their nodes are needed. A cache that
// supplies a whole input without Load uses it.
func Attach(objs []*Object, name string, opts Options) {
	if opts.Namespace == "" {
		opts.Namespace = "default"
	}
	attach(objs, name, abs(opts.Dir, name), opts.Namespace)
}

// Stat returns the stat data of the file or directory name, as Load
// names it, following symlinks as Load does.
func Stat(name string, opts Options) (FileStat, error) {
	info, err := os.Stat(abs(opts.Dir, name))
	if err != nil {
		return FileStat{}, err
	}
	return StatOf(info), nil
}

// ReadStat reads the file name, resolved as Load resolves it, with the
// stat data taken before reading it, as Load gives them to Cached: a file
// that changes meanwhile then shows other stat data next time. A file
// larger than opts.MaxFileSize, or not a regular file, is an error.
func ReadStat(name string, opts Options) ([]byte, FileStat, error) {
	path := abs(opts.Dir, name)
	info, err := os.Stat(path)
	if err != nil {
		return nil, FileStat{}, err
	}
	if !info.Mode().IsRegular() {
		return nil, FileStat{}, fmt.Errorf("%s: not a regular file", name)
	}
	data, err := readFile(path, opts.MaxFileSize)
	if err == nil && int64(len(data)) > opts.MaxFileSize {
		err = errTooLarge
	}
	if err != nil {
		return nil, FileStat{}, fmt.Errorf("%s: %w", name, err)
	}
	return data, StatOf(info), nil
}

// File is what PerFile is given: the objects read from one file.
type File struct {
	Name string
	// Data is the file's content; nil for a kustomize build. Its memory
	// is reused for the next file once PerFile returns: PerFile must not
	// keep it.
	Data    []byte
	Objects []*Object
	// Unmodelled counts the objects of kinds the graph does not read, and
	// Passed holds the document of each such object that is no List:
	// nothing but their kind and structure is read, and PerFile is
	// called for a file that holds only such objects too.
	Unmodelled map[string]int
	Passed     []*yaml.Node
	// Errors are the problems met reading the file.
	Errors []*Error
}

// errTooLarge is returned by readFile for a file over the size limit.
var errTooLarge = errors.New("file too large")

// errNotRegular is returned by readFile when what it opened is not a
// regular file (a FIFO or a device put in the file's place).
var errNotRegular = errors.New("not a regular file")

// openRegular opens path for reading, and checks that what it opened is
// a regular file: the path may have been replaced by a FIFO or a device
// since the loader looked at it. The open does not wait for a FIFO's
// writer (openFlags); the file is put back into blocking mode once known
// to be regular, so that its reads are plain reads on any file system.
func openRegular(path string) (*os.File, fs.FileInfo, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|openFlags, 0)
	if err != nil {
		return nil, nil, err
	}
	st, err := f.Stat()
	if err == nil && !st.Mode().IsRegular() {
		err = errNotRegular
	}
	if err == nil {
		err = setBlocking(f)
	}
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, st, nil
}

// readFile reads at most limit+1 bytes, so that a huge file is refused
// without being loaded into memory.
func readFile(path string, limit int64) ([]byte, error) {
	return readFileInto(nil, path, limit)
}

// readFileInto is readFile reading into the memory of buf (whose content
// is dropped) when the file fits in it, and into new memory otherwise. On
// an error it returns nil.
func readFileInto(buf []byte, path string, limit int64) ([]byte, error) {
	f, st, err := openRegular(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if st.Size() > limit {
		return nil, errTooLarge
	}
	// Size the buffer from the file's size, as os.ReadFile does: growing
	// it from io.ReadAll's 512 bytes costs more than the read itself.
	size := max(512, st.Size()+1) // +1: EOF shows in the first read
	data := buf[:0]
	if int64(cap(data)) < size {
		data = make([]byte, 0, size)
	}
	for {
		// A reused buffer may be larger than the file: read no more
		// than refusing it takes.
		n, err := f.Read(data[len(data):min(int64(cap(data)), limit+1)])
		data = data[:len(data)+n]
		if errors.Is(err, io.EOF) {
			return data, nil
		}
		if err != nil {
			return nil, err
		}
		if int64(len(data)) > limit {
			return data, nil // the caller refuses it
		}
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)] // a file that grew, or a pipe
		}
	}
}

// SortErrors orders errors by file, then line.
func SortErrors(errs []*Error) {
	sort.SliceStable(errs, func(i, j int) bool {
		if errs[i].File != errs[j].File {
			return errs[i].File < errs[j].File
		}
		return errs[i].Line < errs[j].Line
	})
}
