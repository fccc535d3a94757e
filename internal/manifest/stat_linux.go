package manifest

import (
	"io/fs"
	"syscall"
)

func sysStat(info fs.FileInfo, st *FileStat) {
	if s, ok := info.Sys().(*syscall.Stat_t); ok {
		st.Dev, st.Ino = s.Dev, s.Ino
		st.Ctime = s.Ctim.Nano()
	}
}

// openFlags open a file without waiting for a writer: a path that was a
// regular file when it was stat'ed may be a FIFO by the time it is opened,
// and a plain open of a FIFO blocks until something writes to it.
const openFlags = syscall.O_NONBLOCK
