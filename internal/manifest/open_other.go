//go:build !unix

package manifest

import "os"

// openFlags add nothing where there are no FIFOs to open by path.
const openFlags = 0

// setBlocking has nothing to undo: openFlags set no flag.
func setBlocking(*os.File) error { return nil }
