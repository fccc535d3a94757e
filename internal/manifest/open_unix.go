//go:build unix

package manifest

import (
	"os"
	"syscall"
)

// openFlags open a file without waiting for a writer: a path that was a
// regular file when it was stat'ed may be a FIFO by the time it is opened,
// and a plain open of a FIFO blocks until something writes to it. On
// every Unix: macOS and the BSDs block there as Linux does.
const openFlags = syscall.O_NONBLOCK

// setBlocking clears the O_NONBLOCK that openFlags set on f, a regular
// file. Go keeps a flag it was asked for, and does not wait on a regular
// file in its poller: a file system that answers a non-blocking read with
// EAGAIN (a FUSE daemon sees the flag) would fail the read.
func setBlocking(f *os.File) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	if err := rc.Control(func(fd uintptr) { serr = syscall.SetNonblock(int(fd), false) }); err != nil {
		return err
	}
	if serr != nil {
		return &os.PathError{Op: "fcntl", Path: f.Name(), Err: serr}
	}
	return nil
}
