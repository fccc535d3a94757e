// Package gctune sets the garbage collector for a run of meshlint.
//
// A run allocates the YAML nodes of every file, several times the size of
// the input, and keeps a model a little over twice its size until the end.
// With Go's default (GOGC=100) the collector runs often while the kept
// model is small, and the heap then grows to twice the model. Collecting
// less often, but never letting the heap pass a bound that follows the
// live heap, costs less CPU and less memory: on 43 MB of manifests, 3.3 s
// and 230 MB instead of 3.6 s and 280 MB (docs/performance.md).
package gctune

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
)

const (
	// percent is GOGC while the heap is under the limit.
	percent = 300
	// floor is the least memory limit: below it the collector runs at
	// percent alone.
	floor = 200 << 20
)

// Tune applies the settings unless GOGC or GOMEMLIMIT is set, which then
// win. After every collection it raises the memory limit to headroom times
// the live heap when that is above the floor, so that a run whose live heap
// outgrows the floor is collected at GOGC=100×(headroom-1) rather than
// continuously (the lint command uses 1.5, with or without its cache). It
// returns a function that stops following the live heap.
func Tune(headroom float64) (stop func()) {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	return tune(percent, floor, headroom)
}

func tune(percent int, floor int64, headroom float64) (stop func()) {
	debug.SetGCPercent(percent)
	debug.SetMemoryLimit(floor)
	done := make(chan struct{})
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	var follow func(*sentinel)
	follow = func(*sentinel) {
		select {
		case <-done:
			return
		default:
		}
		metrics.Read(sample)
		if sample[0].Value.Kind() == metrics.KindUint64 {
			live := sample[0].Value.Uint64()
			debug.SetMemoryLimit(max(floor, int64(float64(live)*headroom)))
		}
		// A new sentinel for the next collection: a finaliser runs
		// once, after the collection that finds its object unreachable.
		runtime.SetFinalizer(&sentinel{}, follow)
	}
	runtime.SetFinalizer(&sentinel{}, follow)
	return func() { close(done) }
}

// sentinel is an object that only a finaliser refers to. It holds a
// pointer and is 16 bytes, so that it is not put in a tiny block with other
// objects, whose finalisers may never run.
type sentinel struct {
	_ *byte
	_ [8]byte
}
