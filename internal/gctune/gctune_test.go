package gctune

import (
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

// TestTuneFollowsLiveHeap sets a floor well under a live heap of 64 MB:
// after a collection the limit must have risen to about 1.5 times it.
func TestTuneFollowsLiveHeap(t *testing.T) {
	oldPercent := debug.SetGCPercent(100)
	oldLimit := debug.SetMemoryLimit(-1)
	t.Cleanup(func() {
		debug.SetGCPercent(oldPercent)
		debug.SetMemoryLimit(oldLimit)
	})
	const floor = 8 << 20
	stop := tune(250, floor, 1.5)
	defer stop()
	if p := debug.SetGCPercent(250); p != 250 {
		t.Errorf("GOGC = %d, want 250", p)
	}
	if l := debug.SetMemoryLimit(-1); l < floor {
		t.Fatalf("memory limit %d, want at least the floor %d", l, floor)
	}
	live := make([][]byte, 64)
	for i := range live {
		live[i] = make([]byte, 1<<20)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		runtime.GC()
		time.Sleep(10 * time.Millisecond) // the finaliser runs on its own goroutine
		if l := debug.SetMemoryLimit(-1); l >= 90<<20 {
			if l > 200<<20 {
				t.Errorf("memory limit %d MB for a live heap of about 64 MB", l>>20)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("memory limit still %d MB with 64 MB live", debug.SetMemoryLimit(-1)>>20)
		}
	}
	runtime.KeepAlive(live)
}

// TestTuneLeavesUserSettings: GOGC or GOMEMLIMIT set by the user wins.
func TestTuneLeavesUserSettings(t *testing.T) {
	t.Setenv("GOGC", "150")
	old := debug.SetGCPercent(150)
	defer debug.SetGCPercent(old)
	Tune(1.5)()
	if p := debug.SetGCPercent(old); p != 150 {
		t.Errorf("GOGC = %d after Tune with GOGC=150 set", p)
	}
}
