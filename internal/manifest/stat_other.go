//go:build !linux

package manifest

import "io/fs"

// sysStat leaves the size and modification time to tell a change: the
// inode and ctime fields differ from system to system.
func sysStat(fs.FileInfo, *FileStat) {}

// openFlags add nothing elsewhere: the loader refuses what is not a
// regular file by its stat data before it opens it.
const openFlags = 0
