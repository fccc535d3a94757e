package reporter

import "io"

// WriteText, WriteJSON, WriteSARIF and WriteGitHub are placeholders until
// the writers land.
func WriteText(w io.Writer, r *Report, opts Options) error { return nil }
func WriteJSON(w io.Writer, r *Report) error                 { return nil }
func WriteSARIF(w io.Writer, r *Report) error                { return nil }
func WriteGitHub(w io.Writer, r *Report) error               { return nil }
