package rules

import (
	"crypto/sha256"
	"slices"
	"sync"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/manifest"
)

// WeightReaders returns the IDs of the graph rules that read the weights
// of a route's destinations (graph.WeightValues): no other graph rule's
// findings change when only weights change, those of Gateway API routes
// keeping their sign
// (TestWeightValues, TestWeightReaders), and these read nothing outside
// the partition of the object they report but what their Deps reach
// (TestWeightReadersRunAlone).
func WeightReaders() []string { return []string{"MR101", "MR102", "MR608"} }

// Rerun is what Reread.Weights found.
type Rerun struct {
	// Rules are the IDs of the rules that ran again, on the partitions
	// of Dirty.
	Rules map[string]bool
	Dirty map[string]bool
	// Findings are their findings about those partitions, with the
	// objects given to Reread.Weights.
	Findings []*Finding
	// Hashes are the SHA-256 of the bytes of each file read.
	Hashes map[string][32]byte
}

// weightRerun returns Reread.Weights for the graph rules global.
func weightRerun(global []*Rule, opts LintOptions) func([]*manifest.Object, map[string]bool) (*Rerun, bool) {
	return func(objs []*manifest.Object, changed map[string]bool) (*Rerun, bool) {
		out := &Rerun{Rules: map[string]bool{}, Dirty: map[string]bool{}, Hashes: map[string][32]byte{}}
		p := &partial{root: opts.Mesh.Complete().RootNamespace, dirty: out.Dirty}
		var reach Dep
		for _, r := range global {
			if !slices.Contains(WeightReaders(), r.ID) {
				continue
			}
			if r.Deps == 0 || r.Deps&^Reached != 0 {
				return nil, false
			}
			out.Rules[r.ID] = true
			p.rules = append(p.rules, r)
			reach |= r.Deps
		}
		for _, o := range objs {
			if changed[o.File] {
				p.dirty[Partition(o)] = true
			}
		}
		if len(p.rules) == 0 {
			return out, true
		}
		// A weight is no value the kinds of Reached read but the ones of
		// objects in the cluster or root partitions.
		if p.dirty[ClusterPartition] && reach&DepCLS != 0 || p.dirty[p.root] && reach&DepROOT != 0 {
			return nil, false
		}
		// The files of the objects the rules' graphs need, in input order,
		// each with all of its objects.
		var files []string
		of := map[string][]*manifest.Object{}
		derived := map[*manifest.Object][]*manifest.Object{}
		for _, o := range objs {
			if from := graph.Origin(o); from != o {
				derived[from] = append(derived[from], o)
				continue
			}
			if _, ok := of[o.File]; !ok {
				files = append(files, o.File)
			}
			of[o.File] = append(of[o.File], o)
		}
		files = slices.DeleteFunc(files, func(name string) bool {
			return !slices.ContainsFunc(of[name], func(o *manifest.Object) bool {
				return p.dirty[Partition(o)] || reach.Reaches(o, p.root)
			})
		})
		// As planPartial: a change that reached much of a large input is
		// cheaper to lint whole, from the cache, than to read again.
		read := 0
		for _, name := range files {
			read += len(of[name])
		}
		if wholeIsCheaper(read, len(objs)) {
			return nil, false
		}
		load := opts.Load
		maps := graph.NewShared()
		load.DropNodes, load.Unchanged, load.Cached, load.Maps = true, nil, nil, maps.Maps()
		var mu sync.Mutex
		failed := false
		load.PerFile = func(f *manifest.File) []*manifest.Error {
			// As Lint reads a file: the graph keeps what it prepared, and
			// the nodes go.
			g := graph.Prepare(f.Objects, opts.Mesh, maps)
			mu.Lock()
			defer mu.Unlock()
			if f.Data == nil || len(f.Errors) > 0 || len(g.Errors) > 0 {
				failed = true
				return nil
			}
			out.Hashes[f.Name] = sha256.Sum256(f.Data)
			return nil
		}
		res := manifest.Load(files, load)
		if failed || len(res.Errors) > 0 || res.Files != len(files) || len(out.Hashes) != len(files) {
			return nil, false
		}
		// Each object read is the last run's at the same place.
		same := map[*manifest.Object]*manifest.Object{}
		at := map[string]int{}
		for _, o := range res.Objects {
			old := of[o.File]
			i := at[o.File]
			if i >= len(old) || !sameObject(o, old[i]) {
				return nil, false
			}
			same[o] = old[i]
			at[o.File]++
		}
		for _, name := range files {
			if at[name] != len(of[name]) {
				return nil, false
			}
		}
		fs, errs := p.run(res.Objects, opts.Mesh, opts.Severity, nil)
		if len(errs) > 0 {
			return nil, false
		}
		for _, f := range fs {
			if f.Object == nil {
				return nil, false
			}
			o := same[f.Object]
			if from := graph.Origin(f.Object); from != f.Object {
				// Derived again: the last run's object derived alike from
				// the same one.
				i := slices.IndexFunc(derived[same[from]], func(d *manifest.Object) bool { return sameObject(d, f.Object) })
				if i < 0 {
					return nil, false
				}
				o = derived[same[from]][i]
			}
			if o == nil {
				return nil, false
			}
			f.Object = o
			out.Findings = append(out.Findings, f)
		}
		return out, true
	}
}

// sameObject reports whether a and b are the same object of a file:
// the same identity in the same document.
func sameObject(a, b *manifest.Object) bool {
	return a.Group == b.Group && a.Kind == b.Kind && a.Name == b.Name && a.Namespace == b.Namespace && a.Doc == b.Doc
}
