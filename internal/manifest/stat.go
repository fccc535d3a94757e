package manifest

import (
	"io/fs"
	"time"
)

// FileStat is what the file system says of a file without reading it. A
// file whose FileStat is unchanged is taken to hold the same bytes, as
// git's index does; ctime and the inode, where the system has them, also
// catch a content change whose modification time was set back.
type FileStat struct {
	Dev, Ino     uint64
	Size         int64
	Mtime, Ctime int64 // nanoseconds since the epoch; Ctime 0 where unknown
	Mode         uint32
}

// StatOf makes a FileStat of info.
func StatOf(info fs.FileInfo) FileStat {
	st := FileStat{Size: info.Size(), Mtime: info.ModTime().UnixNano(), Mode: uint32(info.Mode())}
	sysStat(info, &st)
	return st
}

// Settled reports whether the file has not changed since before t, by
// more than the coarsest timestamp granularity of common file systems
// (2 s on FAT): a file written in the same tick as it was read could
// have changed after the read without its timestamps showing it.
func (st FileStat) Settled(t time.Time) bool {
	limit := t.Add(-2 * time.Second).UnixNano()
	return st.Mtime < limit && st.Ctime < limit
}
