package macho

import (
	"encoding/binary"
	"fmt"
	"io"
	"slices"

	"github.com/blacktop/go-macho/types"
)

// span is a byte range of the slice.
type span struct{ off, size uint64 }

func (s span) within(size int64) bool {
	return s.off <= uint64(size) && s.size <= uint64(size)-s.off
}

// layout is what a first pass over the header and load commands learns, before go-macho
// sees the file: the facts that must survive a go-macho failure, and which load commands are
// sound enough to hand over. go-macho allocates what a command says (a code signature's
// size, a section's data) before checking it against the file, and logs or prints on
// commands it does not know; it is only given the commands below, each checked here.
type layout struct {
	bo         binary.ByteOrder
	is64       bool
	cpu, sub   uint32
	fileType   uint32
	encrypted  bool
	codeSigned bool
	include    []types.LoadCmd
	// Where the bounded readers of this package look.
	exportsTrie   span
	dyldInfo      bool
	binds         []span // regular and weak bind opcodes (LC_DYLD_INFO*)
	exportInfo    span   // export trie of LC_DYLD_INFO*
	chainedFixups bool
	problems      []string
}

// maxLoadCommands bounds the load-command area; real images need tens of kilobytes.
const maxLoadCommands = 16 << 20

// wanted lists the load commands go-macho parses for us.
var wanted = []types.LoadCmd{
	types.LC_SEGMENT, types.LC_SEGMENT_64, types.LC_SYMTAB, types.LC_DYSYMTAB,
	types.LC_LOAD_DYLIB, types.LC_LOAD_WEAK_DYLIB, types.LC_REEXPORT_DYLIB,
	types.LC_LAZY_LOAD_DYLIB, types.LC_LOAD_UPWARD_DYLIB, types.LC_ID_DYLIB, types.LC_RPATH,
	types.LC_BUILD_VERSION, types.LC_VERSION_MIN_IPHONEOS, types.LC_VERSION_MIN_MACOSX,
	types.LC_VERSION_MIN_TVOS, types.LC_VERSION_MIN_WATCHOS, types.LC_ENCRYPTION_INFO,
	types.LC_ENCRYPTION_INFO_64, types.LC_DYLD_INFO, types.LC_DYLD_INFO_ONLY,
	types.LC_DYLD_EXPORTS_TRIE, types.LC_DYLD_CHAINED_FIXUPS,
}

// readLayout checks the header and every load command of the image in r.
func readLayout(r io.ReaderAt, size int64, opt Options) (*layout, error) {
	var hdr [32]byte
	if size < 28 {
		return nil, fmt.Errorf("truncated Mach-O header (%d bytes)", size)
	}
	if _, err := r.ReadAt(hdr[:28], 0); err != nil {
		return nil, fmt.Errorf("reading the Mach-O header: %w", err)
	}
	l := &layout{}
	switch {
	case binary.LittleEndian.Uint32(hdr[:]) == magic64:
		l.bo, l.is64 = binary.LittleEndian, true
	case binary.LittleEndian.Uint32(hdr[:]) == magic32:
		l.bo = binary.LittleEndian
	case binary.BigEndian.Uint32(hdr[:]) == magic64:
		l.bo, l.is64 = binary.BigEndian, true
	case binary.BigEndian.Uint32(hdr[:]) == magic32:
		l.bo = binary.BigEndian
	default:
		return nil, ErrNotMachO
	}
	bo := l.bo
	l.cpu, l.sub, l.fileType = bo.Uint32(hdr[4:]), bo.Uint32(hdr[8:]), bo.Uint32(hdr[12:])
	ncmds, sizeofcmds := bo.Uint32(hdr[16:]), bo.Uint32(hdr[20:])
	hdrSize := int64(28)
	if l.is64 {
		hdrSize = 32
	}
	if int64(sizeofcmds) > size-hdrSize {
		return l, fmt.Errorf("load commands (%d bytes) run past the end of the image (%d bytes)", sizeofcmds, size)
	}
	if sizeofcmds > maxLoadCommands {
		return l, fmt.Errorf("load commands take %d bytes, more than the bound of %d", sizeofcmds, maxLoadCommands)
	}
	cmds := make([]byte, sizeofcmds)
	if _, err := r.ReadAt(cmds, hdrSize); err != nil {
		return l, fmt.Errorf("reading load commands: %w", err)
	}

	bad := map[types.LoadCmd]string{}
	reject := func(c types.LoadCmd, format string, args ...any) {
		if _, seen := bad[c]; !seen {
			bad[c] = fmt.Sprintf(format, args...)
		}
	}
	rest := cmds
	for i := uint32(0); i < ncmds; i++ {
		if len(rest) < 8 {
			l.problems = append(l.problems, fmt.Sprintf("load command %d of %d lies past sizeofcmds", i, ncmds))
			break
		}
		c, n := types.LoadCmd(bo.Uint32(rest)), bo.Uint32(rest[4:])
		if n < 8 || n > uint32(len(rest)) {
			l.problems = append(l.problems, fmt.Sprintf("load command %d (%s) has an invalid size %d", i, c, n))
			break
		}
		d := rest[:n]
		rest = rest[n:]
		u32 := func(off int) uint32 {
			if off+4 > len(d) {
				return 0
			}
			return bo.Uint32(d[off:])
		}
		need := func(min int) bool {
			if len(d) < min {
				reject(c, "%s is %d bytes, shorter than %d", c, len(d), min)
				return false
			}
			return true
		}
		inFile := func(what string, s span) bool {
			if !s.within(size) {
				reject(c, "%s: %s %#x+%#x lies outside the image (%d bytes)", c, what, s.off, s.size, size)
				return false
			}
			return true
		}
		switch c {
		case types.LC_SEGMENT_64, types.LC_SEGMENT:
			segHdr, sectSize, nsectOff, off := 56, 68, 48, 56
			if c == types.LC_SEGMENT_64 {
				segHdr, sectSize, nsectOff, off = 72, 80, 64, 72
			}
			if !need(segHdr) {
				break
			}
			nsect := int(u32(nsectOff))
			if nsect > (len(d)-segHdr)/sectSize {
				reject(c, "%s lists %d sections that do not fit in the command", c, nsect)
				break
			}
			for j := 0; j < nsect; j++ {
				s := d[off+j*sectSize:]
				var reloff, nreloc uint32
				if c == types.LC_SEGMENT_64 {
					reloff, nreloc = bo.Uint32(s[56:]), bo.Uint32(s[60:])
				} else {
					reloff, nreloc = bo.Uint32(s[48:]), bo.Uint32(s[52:])
				}
				if nreloc > 0 && !inFile("relocations", span{uint64(reloff), uint64(nreloc) * 8}) {
					break
				}
			}
		case types.LC_SYMTAB:
			if !need(24) {
				break
			}
			entry := uint64(12)
			if l.is64 {
				entry = 16
			}
			nsyms := uint64(u32(12))
			if nsyms > uint64(opt.MaxSymbols) {
				reject(c, "symbol table has %d entries, more than the bound of %d", nsyms, opt.MaxSymbols)
				break
			}
			if !inFile("symbols", span{uint64(u32(8)), nsyms * entry}) {
				break
			}
			inFile("string table", span{uint64(u32(16)), uint64(u32(20))})
		case types.LC_DYSYMTAB:
			if need(80) {
				inFile("indirect symbols", span{uint64(u32(56)), uint64(u32(60)) * 4})
			}
		case types.LC_LOAD_DYLIB, types.LC_LOAD_WEAK_DYLIB, types.LC_REEXPORT_DYLIB,
			types.LC_LAZY_LOAD_DYLIB, types.LC_LOAD_UPWARD_DYLIB, types.LC_ID_DYLIB, types.LC_RPATH:
			minSize := 24 // dylib_command
			if c == types.LC_RPATH {
				minSize = 12
			}
			if need(minSize) && u32(8) >= uint32(len(d)) {
				reject(c, "%s: name offset %d lies outside the command", c, u32(8))
			}
		case types.LC_BUILD_VERSION:
			if need(24) && uint64(u32(20)) > uint64(len(d)-24)/8 {
				reject(c, "%s lists %d tools that do not fit in the command", c, u32(20))
			}
		case types.LC_VERSION_MIN_IPHONEOS, types.LC_VERSION_MIN_MACOSX, types.LC_VERSION_MIN_TVOS,
			types.LC_VERSION_MIN_WATCHOS:
			need(16)
		case types.LC_ENCRYPTION_INFO, types.LC_ENCRYPTION_INFO_64:
			if need(20) && u32(16) != 0 {
				l.encrypted = true
			}
		case types.LC_CODE_SIGNATURE:
			if need(16) {
				l.codeSigned = true
			}
		case types.LC_DYLD_INFO, types.LC_DYLD_INFO_ONLY:
			if !need(48) {
				break
			}
			l.dyldInfo = true
			for _, s := range []span{{uint64(u32(16)), uint64(u32(20))}, {uint64(u32(24)), uint64(u32(28))}} {
				if s.size > 0 && s.within(size) {
					l.binds = append(l.binds, s)
				} else if s.size > 0 {
					l.problems = append(l.problems, fmt.Sprintf("%s: bind information %#x+%#x lies outside the image", c, s.off, s.size))
				}
			}
			if s := (span{uint64(u32(40)), uint64(u32(44))}); s.size > 0 && s.within(size) {
				l.exportInfo = s
			} else if s.size > 0 {
				l.problems = append(l.problems, fmt.Sprintf("%s: export information %#x+%#x lies outside the image", c, s.off, s.size))
			}
		case types.LC_DYLD_EXPORTS_TRIE:
			if s := (span{uint64(u32(8)), uint64(u32(12))}); need(16) && inFile("export trie", s) {
				l.exportsTrie = s
			}
		case types.LC_DYLD_CHAINED_FIXUPS:
			if s := (span{uint64(u32(8)), uint64(u32(12))}); need(16) && inFile("chained fixups", s) {
				if int64(s.size) > opt.MaxSectionSize {
					reject(c, "%s: %d bytes of chained fixups exceed the bound", c, s.size)
					break
				}
				l.chainedFixups = true
			}
		}
	}

	for _, c := range wanted {
		if why, isBad := bad[c]; isBad {
			l.problems = append(l.problems, why)
			continue
		}
		l.include = append(l.include, c)
	}
	// go-macho refuses a dynamic symbol table without the symbol table, and sections of one
	// segment kind without the other would mislead: drop them together.
	if _, isBad := bad[types.LC_SYMTAB]; isBad {
		l.include = slices.DeleteFunc(l.include, func(c types.LoadCmd) bool { return c == types.LC_DYSYMTAB })
	}
	if _, isBad := bad[types.LC_SEGMENT]; isBad {
		l.include = slices.DeleteFunc(l.include, func(c types.LoadCmd) bool { return c == types.LC_SEGMENT_64 })
	}
	if _, isBad := bad[types.LC_SEGMENT_64]; isBad {
		l.include = slices.DeleteFunc(l.include, func(c types.LoadCmd) bool { return c == types.LC_SEGMENT })
	}
	if _, isBad := bad[types.LC_DYLD_CHAINED_FIXUPS]; isBad {
		l.chainedFixups = false
	}
	return l, nil
}
