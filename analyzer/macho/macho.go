// Package macho reads the facts sdkflow needs from a Mach-O file: every slice of a thin or fat
// binary and every object of a static archive, with its architecture, encryption, linked
// libraries, symbols, Objective-C and Swift names, selector references and C strings.
//
// Input is treated as hostile. Sizes and counts are bounded by Options, every slice is parsed
// under recover(), and the parts of go-macho that follow pointers or counts without bounds
// (Objective-C class and protocol graphs, Swift metadata, the export trie, bind opcodes,
// chained-fixup tables) are replaced by small readers here that visit each structure once,
// so a crafted file cannot overflow the stack or exhaust memory (both fatal in Go, beyond
// the reach of recover). go-macho decodes the load commands and the symbol table, and is
// handed only the commands a first pass here found sound.
//
// Read is safe for concurrent use. While any call is parsing, output of the standard library's
// log package is discarded process-wide (go-macho logs there on unknown load commands); it is
// restored when the last concurrent call returns.
package macho

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/sdkflow/sdkflow/model"
)

// ErrNotMachO is returned (wrapped) by Read for input that is neither a Mach-O file, a fat
// file nor a static archive.
var ErrNotMachO = errors.New("not a Mach-O file")

// Format is the container kind of a file, as told by its first bytes.
type Format int

// Formats Sniff tells apart.
const (
	NotMachO Format = iota
	Thin            // one Mach-O image
	Fat             // a universal file: several images (or archives), one per architecture
	Archive         // a static library ("!<arch>\n")
)

func (f Format) String() string {
	switch f {
	case Thin:
		return "thin"
	case Fat:
		return "fat"
	case Archive:
		return "archive"
	}
	return "not-macho"
}

const (
	magic32    = 0xfeedface
	magic64    = 0xfeedfacf
	fatMagic   = 0xcafebabe
	fatMagic64 = 0xcafebabf
	// Java class files share the fat magic; their second word is a class-file version of 45
	// or more, while real fat files have a handful of slices. The same test as file(1).
	maxFatArchs = 44
	arMagic     = "!<arch>\n"
)

// Sniff tells the format from the first bytes of a file; 8 bytes are enough.
func Sniff(magic []byte) Format {
	if len(magic) >= 8 && string(magic[:8]) == arMagic {
		return Archive
	}
	if len(magic) < 4 {
		return NotMachO
	}
	be := binary.BigEndian.Uint32(magic)
	le := binary.LittleEndian.Uint32(magic)
	switch {
	case le == magic32 || le == magic64 || be == magic32 || be == magic64:
		return Thin
	case be == fatMagic || be == fatMagic64:
		if len(magic) < 8 {
			return Fat
		}
		if n := binary.BigEndian.Uint32(magic[4:]); n <= maxFatArchs {
			return Fat
		}
	}
	return NotMachO
}

// Options bound what Read takes from one file. Zero values mean the defaults.
type Options struct {
	// MaxStrings is the number of distinct C strings kept per slice (default 20,000).
	MaxStrings int
	// MaxStringLen is the length in bytes beyond which a C string is cut (default 256).
	MaxStringLen int
	// MinStringLen is the length below which C strings are skipped (default 4).
	MinStringLen int
	// MaxSlices is the number of fat slices read (default 16).
	MaxSlices int
	// MaxMembers is the number of archive members read, over all slices (default 4,096).
	MaxMembers int
	// MaxSymbols is the number of symbol table entries a slice may have (default 4,000,000);
	// a larger table is not read.
	MaxSymbols int
	// MaxNames bounds every other list of a slice: classes, categories, protocols, Swift
	// types, selectors, exports, binds (default 500,000).
	MaxNames int
	// MaxSectionSize is the largest section read whole, e.g. __cstring (default 64 MiB).
	MaxSectionSize int64
}

func (o Options) withDefaults() Options {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&o.MaxStrings, 20_000)
	def(&o.MaxStringLen, 256)
	def(&o.MinStringLen, 4)
	def(&o.MaxSlices, 16)
	def(&o.MaxMembers, 4096)
	def(&o.MaxSymbols, 4_000_000)
	def(&o.MaxNames, 500_000)
	if o.MaxSectionSize <= 0 {
		o.MaxSectionSize = 64 << 20
	}
	return o
}

// Read reads every slice of a thin or fat Mach-O file, or every object of a static archive
// (plain or inside a fat file), from r, which holds size bytes. The error is non-nil only
// when the input is not a Mach-O file at all (errors.Is(err, ErrNotMachO)) or cannot be read;
// problems with one part are recorded in the facts (MachOFacts.Errors, SliceFacts.Errors)
// and the rest is still read.
func Read(r io.ReaderAt, size int64, opt Options) (*model.MachOFacts, error) {
	opt = opt.withDefaults()
	var head [8]byte
	n, err := r.ReadAt(head[:], 0)
	if n < len(head) && err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("reading the header: %w", err)
	}
	if int64(n) > size {
		n = int(max(size, 0))
	}
	restore := silenceLog()
	defer restore()

	facts := &model.MachOFacts{}
	rd := &reader{opt: opt, facts: facts}
	sr := io.NewSectionReader(r, 0, size)
	switch Sniff(head[:n]) {
	case Thin:
		sf, err := rd.slice(sr, "")
		if err != nil {
			return nil, err
		}
		facts.Slices = append(facts.Slices, sf)
	case Fat:
		if err := rd.fat(sr); err != nil {
			return nil, err
		}
	case Archive:
		if err := rd.archive(sr, ""); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("%w (magic % x)", ErrNotMachO, head[:min(n, 4)])
	}
	slices.Sort(facts.Errors)
	facts.Errors = slices.Compact(facts.Errors)
	return facts, nil
}

// reader carries the options and the result through one Read.
type reader struct {
	opt     Options
	facts   *model.MachOFacts
	members int
}

func (rd *reader) errorf(format string, args ...any) {
	rd.facts.Errors = append(rd.facts.Errors, fmt.Sprintf(format, args...))
}
