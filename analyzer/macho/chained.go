package macho

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"github.com/blacktop/go-macho"
)

// chained decodes pointers of images linked with chained fixups (LC_DYLD_CHAINED_FIXUPS).
// Only the per-segment pointer formats and the import table are read: a slot's pointer is
// decoded on its own, so the chains need not be walked. go-macho's parser allocates the page
// and import tables at the sizes the header claims, which a crafted header turns into a fatal
// out-of-memory.
type chained struct {
	segs    []chainedSeg
	imports []string
	base    uint64 // preferred load address: targets of *_OFFSET formats are relative to it
}

type chainedSeg struct {
	addr, size uint64
	format     uint16
}

// Pointer formats (dyld's DYLD_CHAINED_PTR_*) that iOS images use.
const (
	ptrARM64E           = 1
	ptr64               = 2
	ptr64Offset         = 6
	ptrARM64EUserland   = 9
	ptrARM64EUserland24 = 12
)

func readChained(im *image) (*chained, error) {
	var lc *macho.DyldChainedFixups
	for _, l := range im.f.Loads {
		if c, ok := l.(*macho.DyldChainedFixups); ok {
			lc = c
			break
		}
	}
	if lc == nil {
		return nil, fmt.Errorf("no LC_DYLD_CHAINED_FIXUPS")
	}
	data := make([]byte, lc.Size) // bounded by readLayout
	if _, err := im.r.ReadAt(data, int64(lc.Offset)); err != nil {
		return nil, fmt.Errorf("reading chained fixups: %w", err)
	}
	if len(data) < 28 {
		return nil, fmt.Errorf("chained fixups header truncated")
	}
	le := binary.LittleEndian
	startsOff, importsOff, symbolsOff := le.Uint32(data[4:]), le.Uint32(data[8:]), le.Uint32(data[12:])
	importsCount, importsFormat := le.Uint32(data[16:]), le.Uint32(data[20:])
	c := &chained{}

	var segs []*macho.Segment
	for _, l := range im.f.Loads {
		if s, ok := l.(*macho.Segment); ok {
			segs = append(segs, s)
			if s.Offset == 0 && s.Filesz != 0 && c.base == 0 {
				c.base = s.Addr
			}
		}
	}
	if uint64(startsOff)+4 > uint64(len(data)) {
		return nil, fmt.Errorf("chained fixups: starts at %#x lie outside the data", startsOff)
	}
	segCount := le.Uint32(data[startsOff:])
	for i := uint32(0); i < segCount && int(i) < len(segs); i++ {
		at := uint64(startsOff) + 4 + uint64(i)*4
		if at+4 > uint64(len(data)) {
			break
		}
		infoOff := le.Uint32(data[at:])
		if infoOff == 0 {
			continue
		}
		info := uint64(startsOff) + uint64(infoOff)
		if info+8 > uint64(len(data)) {
			continue
		}
		c.segs = append(c.segs, chainedSeg{addr: segs[i].Addr, size: segs[i].Memsz, format: le.Uint16(data[info+6:])})
	}

	entry := map[uint32]uint64{1: 4, 2: 8, 3: 16}[importsFormat]
	if entry == 0 && importsCount > 0 {
		return c, fmt.Errorf("chained fixups: unknown import format %d", importsFormat)
	}
	if importsCount > uint32(im.opt.MaxNames) || uint64(importsOff)+uint64(importsCount)*entry > uint64(len(data)) {
		return c, fmt.Errorf("chained fixups: %d imports do not fit", importsCount)
	}
	if uint64(symbolsOff) > uint64(len(data)) {
		return c, fmt.Errorf("chained fixups: symbols at %#x lie outside the data", symbolsOff)
	}
	pool := data[symbolsOff:]
	c.imports = make([]string, importsCount)
	for i := range c.imports {
		e := data[uint64(importsOff)+uint64(i)*entry:]
		var nameOff uint64
		if importsFormat == 3 {
			nameOff = le.Uint64(e) >> 32
		} else {
			nameOff = uint64(le.Uint32(e) >> 9)
		}
		if nameOff >= uint64(len(pool)) {
			continue
		}
		name := pool[nameOff:]
		if end := bytes.IndexByte(name, 0); end >= 0 && end <= maxNameLen {
			c.imports[i] = string(name[:end])
		}
	}
	return c, nil
}

// decode gives the target address of the pointer raw stored at slot, or the import it binds.
func (c *chained) decode(slot, raw uint64) (target uint64, bound string, err error) {
	format := uint16(0)
	for _, s := range c.segs {
		if slot >= s.addr && slot-s.addr < s.size {
			format = s.format
			break
		}
	}
	bind := func(ordinal uint64) (uint64, string, error) {
		if ordinal >= uint64(len(c.imports)) || c.imports[ordinal] == "" {
			return 0, "", fmt.Errorf("pointer at %#x binds unknown import %d", slot, ordinal)
		}
		return 0, c.imports[ordinal], nil
	}
	switch format {
	case ptr64, ptr64Offset:
		if raw>>63 != 0 {
			return bind(raw & 0xffffff)
		}
		t := raw & (1<<36 - 1)
		if format == ptr64Offset {
			t += c.base
		}
		return t, "", nil
	case ptrARM64E, ptrARM64EUserland, ptrARM64EUserland24:
		auth, isBind := raw>>63 != 0, (raw>>62)&1 != 0
		if isBind {
			mask := uint64(0xffff)
			if format == ptrARM64EUserland24 {
				mask = 0xffffff
			}
			return bind(raw & mask)
		}
		if auth {
			return c.base + raw&0xffffffff, "", nil
		}
		t := raw & (1<<43 - 1)
		if format != ptrARM64E {
			t += c.base
		}
		return t, "", nil
	case 0:
		return 0, "", fmt.Errorf("pointer at %#x lies in no segment with chained fixups", slot)
	}
	return 0, "", fmt.Errorf("chained pointer format %d is not supported", format)
}
