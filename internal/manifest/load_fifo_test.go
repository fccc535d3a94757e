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

// TestKustomizeNamesFIFO checks that a kustomization naming a FIFO, as a
// resource or a patch, is refused at the entry rather than built: kustomize
// reads the files it names itself, and would wait on the pipe for ever. A
// file above the size limit is refused the same way, as the loader refuses
// it in a walk.
func TestKustomizeNamesFIFO(t *testing.T) {
	const svc = "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  namespace: a\nspec:\n  ports: [{port: 80, name: http}]\n"
	for _, tc := range []struct {
		name, kustomization, want string
		limit                     int64
	}{
		{name: "resource", kustomization: "resources:\n- pipe.yaml\n",
			want: `k/kustomization.yaml:2:3: resource "pipe.yaml" is not a regular file (a named pipe): kustomize would wait on it, or read it without end`},
		{name: "patch", kustomization: "resources:\n- svc.yaml\npatches:\n- path: pipe.yaml\n",
			want: `k/kustomization.yaml:4:9: patch "pipe.yaml" is not a regular file (a named pipe)`},
		{name: "too large", kustomization: "resources:\n- svc.yaml\n", limit: 60,
			want: `k/kustomization.yaml:2:3: resource "svc.yaml" is larger than the 60-byte limit (raise it with --max-file-size)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := kWriteTree(t, map[string]string{"k/kustomization.yaml": tc.kustomization, "k/svc.yaml": svc})
			if err := syscall.Mkfifo(filepath.Join(dir, "k", "pipe.yaml"), 0o644); err != nil {
				t.Skipf("mkfifo: %v", err)
			}
			done := make(chan *Result, 1)
			go func() { done <- Load([]string{"k"}, Options{Dir: dir, MaxFileSize: tc.limit}) }()
			select {
			case res := <-done:
				if len(res.Objects) > 0 || len(res.Errors) != 1 || !strings.HasPrefix(res.Errors[0].Error(), tc.want) {
					t.Errorf("%d objects, errors %v; want only %q…", len(res.Objects), res.Errors, tc.want)
				}
			case <-time.After(20 * time.Second):
				// Unblock kustomize, so the test ends.
				if f, err := os.OpenFile(filepath.Join(dir, "k", "pipe.yaml"), os.O_WRONLY, 0); err == nil {
					f.Close()
				}
				t.Fatal("the build waited on the FIFO")
			}
		})
	}
}
