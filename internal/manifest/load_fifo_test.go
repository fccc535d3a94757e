//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package manifest

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The tests of FIFOs, on the systems whose syscall package makes them.

// TestFIFOSwapped checks that a FIFO put in place of a file after the
// loader looked at the path is refused, not waited on: the open itself
// must not block.
func TestFIFOSwapped(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "swapped.yaml")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := readFile(fifo, DefaultMaxFileSize)
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, errNotRegular) {
			t.Errorf("readFile(FIFO) = %v, want %v", err, errNotRegular)
		}
	case <-time.After(10 * time.Second):
		// Unblock the reader, so the test ends.
		if f, err := os.OpenFile(fifo, os.O_WRONLY, 0); err == nil {
			f.Close()
		}
		t.Fatal("readFile blocked on a FIFO")
	}
}

func TestFIFO(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, map[string]string{"ok.yaml": svcNamed("ok")})
	fifo := filepath.Join(dir, "pipe.yaml")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	if err := os.Symlink("pipe.yaml", filepath.Join(dir, "link.yaml")); err != nil {
		t.Fatal(err)
	}
	// Nobody writes to the pipe: opening it would block forever.
	r := loadTimed(t, []string{dir}, Options{})
	wantErrors(t, r, "pipe.yaml: not a regular file (named pipe)", "link.yaml: not a regular file (named pipe)")
	if len(r.Objects) != 1 {
		t.Errorf("objects = %v", objectRefs(r))
	}
	r = loadTimed(t, []string{fifo}, Options{})
	wantErrors(t, r, "pipe.yaml: not a regular file (named pipe)")
}

// TestOpenedBlocking checks that a regular file is read in blocking mode:
// the O_NONBLOCK that keeps the open from waiting on a FIFO is cleared
// once the file is known to be regular, so that no file system can answer
// the loader's reads with EAGAIN.
func TestOpenedBlocking(t *testing.T) {
	p := filepath.Join(t.TempDir(), "a.yaml")
	if err := os.WriteFile(p, []byte(svcNamed("a")), 0o600); err != nil {
		t.Fatal(err)
	}
	f, _, err := openRegular(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rc, err := f.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	// Linux tells a descriptor's flags in /proc (syscall has no F_GETFL
	// call on every Unix).
	var info []byte
	if err := rc.Control(func(fd uintptr) { info, err = os.ReadFile(fmt.Sprintf("/proc/self/fdinfo/%d", fd)) }); err != nil {
		t.Fatal(err)
	}
	if err != nil {
		t.Skipf("no fdinfo: %v", err)
	}
	for _, line := range strings.Split(string(info), "\n") {
		if v, ok := strings.CutPrefix(line, "flags:"); ok {
			flags, err := strconv.ParseInt(strings.TrimSpace(v), 8, 64)
			if err != nil {
				t.Fatalf("fdinfo flags %q: %v", v, err)
			}
			if flags&syscall.O_NONBLOCK != 0 {
				t.Errorf("%s is open with O_NONBLOCK (flags %#o)", p, flags)
			}
			return
		}
	}
	t.Fatalf("no flags in fdinfo: %q", info)
}
