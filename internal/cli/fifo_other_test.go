//go:build !unix

package cli

import "errors"

// mkfifo fails where there are no named pipes; the broken-input test then
// goes without one.
func mkfifo(string) error { return errors.ErrUnsupported }
