package manifest

// SetFileDone sets the hook that is given the memory of a worker's read
// buffer once a file read into it is done (fileDone), until the test ends.
func SetFileDone(t interface{ Cleanup(func()) }, f func(buf []byte)) {
	old := fileDone
	fileDone = f
	t.Cleanup(func() { fileDone = old })
}
