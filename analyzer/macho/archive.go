package macho

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
)

const (
	arHeaderSize  = 60
	maxLongNames  = 4 << 20 // GNU "//" long-name table
	maxMemberName = 4096
)

// archive reads the object members of a static library, in BSD (Apple) or GNU layout. arch
// names the fat slice holding the archive, "" for a plain archive.
func (rd *reader) archive(r *io.SectionReader, arch string) error {
	where := "archive"
	if arch != "" {
		where = "archive (" + arch + ")"
	}
	size := r.Size()
	var longNames []byte
	var hdr [arHeaderSize]byte
	for off := int64(len(arMagic)); off < size; {
		if size-off < arHeaderSize {
			rd.errorf("%s: truncated member header at offset %d", where, off)
			break
		}
		if _, err := r.ReadAt(hdr[:], off); err != nil {
			rd.errorf("%s: reading member header at offset %d: %v", where, off, err)
			break
		}
		if string(hdr[58:60]) != "`\n" {
			rd.errorf("%s: malformed member header at offset %d", where, off)
			break
		}
		memberSize, err := strconv.ParseInt(strings.TrimSpace(string(hdr[48:58])), 10, 64)
		if err != nil || memberSize < 0 || memberSize > size-off-arHeaderSize {
			rd.errorf("%s: member at offset %d: size %q runs past the end of the archive", where, off, strings.TrimSpace(string(hdr[48:58])))
			break
		}
		dataOff, dataSize := off+arHeaderSize, memberSize
		next := dataOff + memberSize + memberSize%2
		off = next

		name := strings.TrimRight(string(hdr[:16]), " ")
		switch {
		case strings.HasPrefix(name, "#1/"): // BSD: the name precedes the data
			n, err := strconv.Atoi(name[3:])
			if err != nil || n < 0 || int64(n) > dataSize || n > maxMemberName {
				rd.errorf("%s: member at offset %d: bad name length %q", where, dataOff-arHeaderSize, name)
				continue
			}
			buf := make([]byte, n)
			if _, err := r.ReadAt(buf, dataOff); err != nil {
				rd.errorf("%s: member at offset %d: reading its name: %v", where, dataOff-arHeaderSize, err)
				continue
			}
			name = string(bytes.TrimRight(buf, "\x00"))
			dataOff += int64(n)
			dataSize -= int64(n)
		case name == "/" || name == "/SYM64/": // GNU symbol index
			continue
		case name == "//": // GNU long-name table
			if dataSize > maxLongNames {
				rd.errorf("%s: long-name table of %d bytes is too large", where, dataSize)
				continue
			}
			longNames = make([]byte, dataSize)
			if _, err := r.ReadAt(longNames, dataOff); err != nil {
				rd.errorf("%s: reading the long-name table: %v", where, err)
				longNames = nil
			}
			continue
		case strings.HasPrefix(name, "/"):
			name = gnuLongName(longNames, name[1:])
		default:
			name = strings.TrimSuffix(name, "/")
		}
		if strings.HasPrefix(name, "__.SYMDEF") {
			continue
		}
		var magic [8]byte
		if dataSize < int64(len(magic)) {
			continue
		}
		if _, err := r.ReadAt(magic[:], dataOff); err != nil {
			rd.errorf("%s: member %q: %v", where, name, err)
			continue
		}
		if Sniff(magic[:]) != Thin {
			rd.errorf("%s: member %q is not a Mach-O object", where, name)
			continue
		}
		if rd.members >= rd.opt.MaxMembers {
			rd.errorf("%s: more than %d object members; the rest were not read", where, rd.opt.MaxMembers)
			break
		}
		rd.members++
		sf, err := rd.slice(io.NewSectionReader(r, dataOff, dataSize), name)
		if err != nil {
			rd.errorf("%s: member %q: %v", where, name, err)
			continue
		}
		rd.facts.Members = append(rd.facts.Members, sf)
	}
	return nil
}

// gnuLongName resolves "/123" against the GNU long-name table, where names end with "/\n".
func gnuLongName(table []byte, ref string) string {
	i, err := strconv.Atoi(ref)
	if err != nil || i < 0 || i >= len(table) {
		return fmt.Sprintf("/%s", ref)
	}
	rest := table[i:]
	if end := bytes.Index(rest, []byte("/\n")); end >= 0 {
		rest = rest[:end]
	} else if end := bytes.IndexByte(rest, '\n'); end >= 0 {
		rest = rest[:end]
	}
	if len(rest) > maxMemberName {
		rest = rest[:maxMemberName]
	}
	return string(rest)
}
