//go:build unix

package cli

import "syscall"

// mkfifo makes a named pipe; the broken-input test puts one in the tree.
func mkfifo(path string) error { return syscall.Mkfifo(path, 0o644) }
