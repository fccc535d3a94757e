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
