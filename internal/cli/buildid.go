package cli

import (
	"fmt"
	"io/fs"
	"os"
	"runtime/debug"
	"strings"
)

// currentBuild is buildIdentity of the running binary.
func currentBuild() string {
	info, _ := debug.ReadBuildInfo()
	var exe fs.FileInfo
	if path, err := os.Executable(); err == nil {
		exe, _ = os.Stat(path)
	}
	return buildIdentity(Version, info, exe)
}

// buildIdentity tells apart two builds that carry the same version, for
// the cache key: a development build ("-dev") keeps its version while its
// rules change, and a cache written by an older build would hand back that
// build's findings for the files it kept. It names the commit the binary
// was built from, whether the tree was modified, and the executable's size
// and modification time, which change with every build that writes a new
// binary. A release build is known by its version alone.
func buildIdentity(version string, info *debug.BuildInfo, exe fs.FileInfo) string {
	if !strings.HasSuffix(version, "-dev") {
		return ""
	}
	var b strings.Builder
	if info != nil {
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision", "vcs.modified":
				fmt.Fprintf(&b, "%s %s\n", s.Key, s.Value)
			}
		}
	}
	if exe != nil {
		fmt.Fprintf(&b, "executable %d %d\n", exe.Size(), exe.ModTime().UnixNano())
	}
	return b.String()
}
