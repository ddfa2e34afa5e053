package macho

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/blacktop/go-macho"
	"github.com/blacktop/go-macho/types"
)

// image reads the mapped contents of one slice by virtual address, and decodes the pointers
// stored there (chained fixups, dyld-info binds, object-file relocations), each within
// bounds.
type image struct {
	f      *macho.File
	r      io.ReaderAt
	size   int64
	bo     binary.ByteOrder
	lay    *layout
	opt    Options
	secs   []mapped // sorted by address
	cache  map[int][]byte
	binds  map[uint64]string // dyld-info bind slot → symbol, built on first use
	relocs map[uint64]types.Reloc
	object bool
	// chained decodes pointers of images with chained fixups, read on first use.
	chained    *chained
	chainedErr error
}

type mapped struct {
	seg, name        string
	addr, size, off  uint64
	index            int
	zeroFill, inFile bool
}

var errUnmapped = errors.New("address not in any section")

func newImage(f *macho.File, r io.ReaderAt, size int64, lay *layout, opt Options) *image {
	im := &image{f: f, r: r, size: size, bo: lay.bo, lay: lay, opt: opt, cache: map[int][]byte{},
		object: lay.fileType == 1}
	for i, s := range f.Sections {
		t := s.Flags & 0xff
		m := mapped{seg: s.Seg, name: s.Name, addr: s.Addr, size: s.Size, off: uint64(s.Offset), index: i,
			zeroFill: t == 0x1 || t == 0xc || t == 0x12}
		m.inFile = !m.zeroFill && span{m.off, m.size}.within(size)
		im.secs = append(im.secs, m)
	}
	sort.SliceStable(im.secs, func(a, b int) bool { return im.secs[a].addr < im.secs[b].addr })
	if im.object {
		im.relocs = map[uint64]types.Reloc{}
		for _, s := range f.Sections {
			for _, rel := range s.Relocs {
				// UNSIGNED (type 0 on arm64 and x86_64), pointer-sized, absolute.
				if rel.Scattered || rel.Pcrel || rel.Type != 0 || rel.Len != 3 {
					continue
				}
				if len(im.relocs) >= opt.MaxNames {
					break
				}
				im.relocs[s.Addr+uint64(rel.Addr)] = rel
			}
		}
	}
	return im
}

// sectionAt finds the section holding addr.
func (im *image) sectionAt(addr uint64) *mapped {
	i := sort.Search(len(im.secs), func(i int) bool { return im.secs[i].addr+im.secs[i].size > addr })
	for ; i < len(im.secs) && im.secs[i].addr <= addr; i++ {
		if addr-im.secs[i].addr < im.secs[i].size && im.secs[i].size > 0 {
			return &im.secs[i]
		}
	}
	return nil
}

// sections lists the sections with one of the names, in segments starting with segPrefix.
// "__DATA" also matches __AUTH and __AUTH_CONST, where arm64e images keep the same sections.
func (im *image) sections(segPrefix string, names ...string) []*mapped {
	var out []*mapped
	for i := range im.secs {
		s := &im.secs[i]
		if !strings.HasPrefix(s.seg, segPrefix) && !(segPrefix == "__DATA" && strings.HasPrefix(s.seg, "__AUTH")) {
			continue
		}
		for _, n := range names {
			if s.name == n {
				out = append(out, s)
			}
		}
	}
	return out
}

// data returns a section's contents, read once; sections above the bound are refused.
func (im *image) data(s *mapped) ([]byte, error) {
	if b, ok := im.cache[s.index]; ok {
		return b, nil
	}
	if s.zeroFill {
		return nil, fmt.Errorf("%s,%s has no file data", s.seg, s.name)
	}
	if !s.inFile {
		return nil, fmt.Errorf("%s,%s (%#x+%#x) lies outside the image", s.seg, s.name, s.off, s.size)
	}
	if int64(s.size) > im.opt.MaxSectionSize {
		return nil, fmt.Errorf("%s,%s is %d bytes, above the bound of %d", s.seg, s.name, s.size, im.opt.MaxSectionSize)
	}
	b := make([]byte, s.size)
	if _, err := im.r.ReadAt(b, int64(s.off)); err != nil {
		return nil, fmt.Errorf("reading %s,%s: %w", s.seg, s.name, err)
	}
	im.cache[s.index] = b
	return b, nil
}

// bytesAt returns n bytes at addr, from within one section.
func (im *image) bytesAt(addr, n uint64) ([]byte, error) {
	s := im.sectionAt(addr)
	if s == nil {
		return nil, fmt.Errorf("%w: %#x", errUnmapped, addr)
	}
	rel := addr - s.addr
	if n > s.size-rel {
		return nil, fmt.Errorf("%d bytes at %#x run past %s,%s", n, addr, s.seg, s.name)
	}
	if int64(s.size) <= im.opt.MaxSectionSize {
		d, err := im.data(s)
		if err != nil {
			return nil, err
		}
		return d[rel : rel+n], nil
	}
	if !s.inFile || s.zeroFill {
		return nil, fmt.Errorf("%s,%s has no readable file data", s.seg, s.name)
	}
	b := make([]byte, n)
	if _, err := im.r.ReadAt(b, int64(s.off+rel)); err != nil {
		return nil, err
	}
	return b, nil
}

const maxNameLen = 4096

// cstring reads the NUL-terminated string at addr.
func (im *image) cstring(addr uint64) (string, error) {
	s := im.sectionAt(addr)
	if s == nil {
		return "", fmt.Errorf("%w: %#x", errUnmapped, addr)
	}
	n := min(s.size-(addr-s.addr), maxNameLen)
	b, err := im.bytesAt(addr, n)
	if err != nil {
		return "", err
	}
	if i := bytes.IndexByte(b, 0); i >= 0 {
		return string(b[:i]), nil
	}
	return "", fmt.Errorf("unterminated string at %#x", addr)
}

// pointer decodes the pointer stored at slot: the address it targets, or the name of the
// symbol it is bound to when it points into another image.
func (im *image) pointer(slot uint64) (target uint64, bound string, err error) {
	b, err := im.bytesAt(slot, 8)
	if err != nil {
		return 0, "", err
	}
	raw := im.bo.Uint64(b)
	switch {
	case im.object:
		rel, ok := im.relocs[slot]
		if !ok || !rel.Extern {
			return raw, "", nil
		}
		sym, ok := im.symbol(int(rel.Value))
		if !ok {
			return 0, "", fmt.Errorf("relocation at %#x names symbol %d of %d", slot, rel.Value, im.nsyms())
		}
		if sym.Type&0x0e == 0x0e { // defined in a section of this object
			return sym.Value + raw, "", nil
		}
		return 0, sym.Name, nil
	case im.lay.chainedFixups:
		if im.chained == nil && im.chainedErr == nil {
			im.chained, im.chainedErr = readChained(im)
		}
		if im.chained == nil {
			return 0, "", im.chainedErr
		}
		return im.chained.decode(slot, raw)
	case im.lay.dyldInfo:
		if name, ok := im.bindAt(slot); ok {
			return 0, name, nil
		}
	}
	return raw, "", nil
}

func (im *image) nsyms() int {
	if im.f.Symtab == nil {
		return 0
	}
	return len(im.f.Symtab.Syms)
}

func (im *image) symbol(i int) (macho.Symbol, bool) {
	if im.f.Symtab == nil || i < 0 || i >= len(im.f.Symtab.Syms) {
		return macho.Symbol{}, false
	}
	return im.f.Symtab.Syms[i], true
}

func (im *image) bindAt(slot uint64) (string, bool) {
	if im.binds == nil {
		im.binds = readBinds(im)
	}
	name, ok := im.binds[slot]
	return name, ok
}
