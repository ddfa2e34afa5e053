package macho

import (
	"encoding/binary"
	"fmt"
	"io"
)

// fat reads a universal file. go-macho's own reader gives up on the whole file when one slice
// is bad and knows neither archive slices nor the 64-bit header, so the header is read here
// and each slice on its own.
func (rd *reader) fat(r *io.SectionReader) error {
	var hdr [8]byte
	if _, err := r.ReadAt(hdr[:], 0); err != nil {
		return fmt.Errorf("reading the fat header: %w", err)
	}
	is64 := binary.BigEndian.Uint32(hdr[:]) == fatMagic64
	n := int(binary.BigEndian.Uint32(hdr[4:]))
	if n == 0 {
		return fmt.Errorf("fat header lists no slices")
	}
	entrySize := 20
	if is64 {
		entrySize = 32
	}
	if n > rd.opt.MaxSlices {
		rd.errorf("fat header lists %d slices; read the first %d", n, rd.opt.MaxSlices)
		n = rd.opt.MaxSlices
	}
	table := make([]byte, n*entrySize)
	if got, err := r.ReadAt(table, 8); got < len(table) {
		if got < entrySize {
			return fmt.Errorf("reading the fat header: %w", err)
		}
		rd.errorf("fat header truncated after %d of %d slices", got/entrySize, n)
		n = got / entrySize
	}
	for i := 0; i < n; i++ {
		e := table[i*entrySize:]
		cpu, sub := binary.BigEndian.Uint32(e), binary.BigEndian.Uint32(e[4:])
		var off, size uint64
		if is64 {
			off, size = binary.BigEndian.Uint64(e[8:]), binary.BigEndian.Uint64(e[16:])
		} else {
			off, size = uint64(binary.BigEndian.Uint32(e[8:])), uint64(binary.BigEndian.Uint32(e[12:]))
		}
		arch := archName(cpu, sub)
		if off > uint64(r.Size()) || size > uint64(r.Size())-off || size < 8 {
			rd.errorf("fat slice %d (%s): range %#x+%#x lies outside the file (%d bytes)", i, arch, off, size, r.Size())
			continue
		}
		sr := io.NewSectionReader(r, int64(off), int64(size))
		var magic [8]byte
		if _, err := sr.ReadAt(magic[:], 0); err != nil {
			rd.errorf("fat slice %d (%s): %v", i, arch, err)
			continue
		}
		switch Sniff(magic[:]) {
		case Thin:
			sf, err := rd.slice(sr, "")
			if err != nil {
				rd.errorf("fat slice %d (%s): %v", i, arch, err)
				continue
			}
			rd.facts.Slices = append(rd.facts.Slices, sf)
		case Archive:
			if err := rd.archive(sr, arch); err != nil {
				rd.errorf("fat slice %d (%s): %v", i, arch, err)
			}
		default:
			rd.errorf("fat slice %d (%s): neither a Mach-O image nor an archive", i, arch)
		}
	}
	return nil
}
