// Package version names the build of sdkflow that made a report.
package version

import "runtime/debug"

// Version is the release version; release builds override it with
// -ldflags "-X github.com/sdkflow/sdkflow/internal/version.Version=vX.Y.Z".
var Version = "0.1.0-dev"

// Name is the tool name written into reports.
const Name = "sdkflow"

// Revision returns the VCS revision the binary was built from, or "" when unknown
// (go test and go run builds carry none).
func Revision() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	rev, dirty := "", false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if rev != "" && dirty {
		rev += "+dirty"
	}
	return rev
}
