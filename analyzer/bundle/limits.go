package bundle

import (
	"errors"
	"os"
)

// Limits bound what one input may cost. A zero field takes its default, so Limits{} is usable.
type Limits struct {
	// MaxEntries bounds the entries of an archive, or the files, directories and links of a
	// directory walk. Directories implied by entry names count too.
	MaxEntries int
	// MaxTotalInflated bounds the bytes inflated from one archive across all reads, counted as
	// they come out of the decompressor (headers are not trusted).
	MaxTotalInflated int64
	// MaxRatio refuses an entry whose inflated size exceeds MaxRatio times its compressed size
	// once past ratioFloor bytes: declared sizes are checked when the archive is opened, actual
	// bytes while it is read.
	MaxRatio float64
	// MaxFileSize is the largest single file ReadFile or OpenBinary will return.
	MaxFileSize int64
	// SpillThreshold is the size above which OpenBinary inflates a compressed entry into a
	// private temporary file instead of memory.
	SpillThreshold int64
	// TempDir holds spill files; "" means os.TempDir().
	TempDir string
}

// ratioFloor is the inflated size below which the ratio check does not apply: small, highly
// compressible files (an empty plist padded with zeros) are normal.
const ratioFloor = 1 << 20

// maxNameLen bounds an entry name. Darwin's PATH_MAX is 1024, so no real bundle has longer
// paths, and the bound keeps implied-directory work linear.
const maxNameLen = 1024

// maxLinkTarget bounds a symbolic link's target.
const maxLinkTarget = 1024

// maxLinkHops bounds link resolution, as the kernel's MAXSYMLINKS does.
const maxLinkHops = 40

// maxProblems bounds the problems kept for one input; the rest are counted in a final one.
const maxProblems = 1000

// DefaultLimits returns limits that fit the largest real apps with room to spare.
func DefaultLimits() Limits {
	return Limits{
		MaxEntries:       1_000_000,
		MaxTotalInflated: 8 << 30,
		MaxRatio:         500,
		MaxFileSize:      4 << 30,
		SpillThreshold:   64 << 20,
	}
}

// withDefaults fills the zero fields of l from DefaultLimits.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxEntries <= 0 {
		l.MaxEntries = d.MaxEntries
	}
	if l.MaxTotalInflated <= 0 {
		l.MaxTotalInflated = d.MaxTotalInflated
	}
	if l.MaxRatio <= 0 {
		l.MaxRatio = d.MaxRatio
	}
	if l.MaxFileSize <= 0 {
		l.MaxFileSize = d.MaxFileSize
	}
	if l.SpillThreshold <= 0 {
		l.SpillThreshold = d.SpillThreshold
	}
	if l.TempDir == "" {
		l.TempDir = os.TempDir()
	}
	return l
}

// Errors callers may test for with errors.Is. Messages returned by this package always name
// the input and, where there is one, the path inside it.
var (
	// ErrUnknownKind: the input is readable but is not an app, archive, framework or
	// xcframework.
	ErrUnknownKind = errors.New("not an iOS app, xcarchive, framework or xcframework")
	// ErrTooLarge: a file is larger than the bound asked for, or than MaxFileSize.
	ErrTooLarge = errors.New("file too large")
	// ErrLimit: reading would pass MaxEntries, MaxTotalInflated or MaxRatio.
	ErrLimit = errors.New("limit exceeded")
	// ErrRefused: the path names an entry refused when the input was opened (see Problems).
	ErrRefused = errors.New("entry refused")
	// ErrNotFile: the path names a directory or something else that is not a regular file.
	ErrNotFile = errors.New("not a regular file")
)
