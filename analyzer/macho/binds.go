package macho

import (
	"bytes"
	"errors"

	"github.com/blacktop/go-macho"
)

// readBinds decodes the regular and weak bind opcodes of LC_DYLD_INFO(_ONLY) into slot →
// symbol. go-macho expands "bind N times" into N entries with N taken from the file; here the
// total is bounded and every opcode stream ends with its data.
func readBinds(im *image) map[uint64]string {
	out := map[uint64]string{}
	var segs []*macho.Segment
	for _, l := range im.f.Loads {
		if s, ok := l.(*macho.Segment); ok {
			segs = append(segs, s)
		}
	}
	for _, sp := range im.lay.binds {
		data := make([]byte, sp.size)
		if _, err := im.r.ReadAt(data, int64(sp.off)); err != nil {
			continue
		}
		decodeBinds(data, segs, im.opt.MaxNames, out)
	}
	return out
}

var errTooMany = errors.New("bound reached")

func decodeBinds(data []byte, segs []*macho.Segment, limit int, out map[uint64]string) {
	r := bytes.NewReader(data)
	var (
		name    string
		segAddr uint64
		segOK   bool
		offset  uint64
		done    int
	)
	// Every bind counts against the limit, kept or not, so that no count in the file can
	// make the loop run long.
	bind := func() error {
		if done++; done > limit || len(out) >= limit {
			return errTooMany
		}
		if segOK {
			out[segAddr+offset] = name
		}
		return nil
	}
	for r.Len() > 0 {
		op, _ := r.ReadByte()
		imm := op & 0x0f
		var err error
		switch op & 0xf0 {
		case 0x00: // DONE
			return
		case 0x10, 0x30: // SET_DYLIB_ORDINAL_IMM, SET_DYLIB_SPECIAL_IMM
		case 0x20: // SET_DYLIB_ORDINAL_ULEB
			_, err = uleb(r)
		case 0x40: // SET_SYMBOL_TRAILING_FLAGS_IMM
			var b bytes.Buffer
			for {
				c, e := r.ReadByte()
				if e != nil {
					return
				}
				if c == 0 {
					break
				}
				if b.Len() < maxNameLen {
					b.WriteByte(c)
				}
			}
			name = b.String()
		case 0x50: // SET_TYPE_IMM
		case 0x60: // SET_ADDEND_SLEB
			_, err = uleb(r)
		case 0x70: // SET_SEGMENT_AND_OFFSET_ULEB
			offset, err = uleb(r)
			segOK = int(imm) < len(segs)
			if segOK {
				segAddr = segs[imm].Addr
			}
		case 0x80: // ADD_ADDR_ULEB
			var d uint64
			d, err = uleb(r)
			offset += d
		case 0x90: // DO_BIND
			err = bind()
			offset += 8
		case 0xa0: // DO_BIND_ADD_ADDR_ULEB
			if err = bind(); err == nil {
				var d uint64
				d, err = uleb(r)
				offset += d + 8
			}
		case 0xb0: // DO_BIND_ADD_ADDR_IMM_SCALED
			err = bind()
			offset += uint64(imm)*8 + 8
		case 0xc0: // DO_BIND_ULEB_TIMES_SKIPPING_ULEB
			var count, skip uint64
			if count, err = uleb(r); err == nil {
				skip, err = uleb(r)
			}
			for i := uint64(0); err == nil && i < count; i++ {
				err = bind()
				offset += skip + 8
			}
		default: // THREADED (old arm64e) and unknown opcodes: stop reading
			return
		}
		if err != nil {
			return
		}
	}
}

// uleb reads an unsigned LEB128 number (sleb values are read the same way and ignored).
func uleb(r *bytes.Reader) (uint64, error) {
	var v uint64
	for shift := uint(0); ; shift += 7 {
		b, err := r.ReadByte()
		if err != nil {
			return 0, err
		}
		if shift < 64 {
			v |= uint64(b&0x7f) << shift
		}
		if b&0x80 == 0 {
			return v, nil
		}
		if shift > 70 {
			return 0, errors.New("LEB128 number too long")
		}
	}
}
