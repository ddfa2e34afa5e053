package plist

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"

	hplist "howett.net/plist"
)

// Bounds on one property list. Real Info.plists and manifests are a few kilobytes.
const (
	MaxSize  = 8 << 20
	maxDepth = 32
	// maxNodes bounds the values a binary plist expands to: objects may be shared, so a small
	// file can stand for an exponentially large tree.
	maxNodes = 500_000
)

// decode reads a property list of any format howett.net/plist knows, after checking its size,
// nesting and (for binary plists) expansion, under recover().
func decode(data []byte) (v any, format string, err error) {
	if len(data) == 0 {
		return nil, "", errors.New("empty file")
	}
	if len(data) > MaxSize {
		return nil, "", fmt.Errorf("%d bytes, more than the %d a property list may have here", len(data), MaxSize)
	}
	if bytes.HasPrefix(data, []byte("bplist")) {
		err = checkBinary(data)
	} else {
		err = checkNesting(data)
	}
	if err != nil {
		return nil, "", err
	}
	defer func() {
		if p := recover(); p != nil {
			v, format, err = nil, "", fmt.Errorf("malformed property list (parser panic: %v)", p)
		}
	}()
	f, err := hplist.Unmarshal(data, &v)
	if err != nil {
		return nil, "", err
	}
	switch f {
	case hplist.BinaryFormat:
		format = "binary"
	case hplist.XMLFormat:
		format = "xml"
	default:
		format = "openstep"
	}
	return v, format, nil
}

// checkNesting bounds the nesting of XML and OpenStep property lists, which the parser
// follows recursively. It may overcount (a tag name inside a comment), never undercount.
func checkNesting(d []byte) error {
	if t := bytes.TrimLeft(d, " \t\r\n\ufeff"); len(t) > 0 && t[0] == '<' {
		return checkXMLNesting(d)
	}
	return checkTextNesting(d)
}

func checkXMLNesting(d []byte) error {
	depth := 0
	for i := bytes.IndexByte(d, '<'); i >= 0 && i < len(d); {
		rest := d[i+1:]
		switch {
		case bytes.HasPrefix(rest, []byte("dict")) || bytes.HasPrefix(rest, []byte("array")):
			end := bytes.IndexByte(rest, '>')
			if end < 1 || rest[end-1] != '/' {
				depth++
			}
		case bytes.HasPrefix(rest, []byte("/dict")) || bytes.HasPrefix(rest, []byte("/array")):
			depth--
		}
		if depth > maxDepth {
			return fmt.Errorf("nested more than %d levels deep", maxDepth)
		}
		next := bytes.IndexByte(rest, '<')
		if next < 0 {
			break
		}
		i += 1 + next
	}
	return nil
}

// checkTextNesting counts brackets of OpenStep and GNUstep text outside quoted strings and
// comments.
func checkTextNesting(d []byte) error {
	depth := 0
	for i := 0; i < len(d); i++ {
		switch c := d[i]; {
		case c == '"' || c == '\'':
			for i++; i < len(d) && d[i] != c; i++ {
				if d[i] == '\\' {
					i++
				}
			}
		case c == '/' && i+1 < len(d) && d[i+1] == '/':
			for i < len(d) && d[i] != '\n' {
				i++
			}
		case c == '/' && i+1 < len(d) && d[i+1] == '*':
			end := bytes.Index(d[i+2:], []byte("*/"))
			if end < 0 {
				return nil // unterminated comment: the parser refuses it
			}
			i += 2 + end + 1
		case c == '{' || c == '(':
			if depth++; depth > maxDepth {
				return fmt.Errorf("nested more than %d levels deep", maxDepth)
			}
		case c == '}' || c == ')':
			depth--
		}
	}
	return nil
}

// checkBinary walks a binary plist's object graph once, with memoised sizes, and refuses one
// that nests too deep or expands to too many values.
func checkBinary(d []byte) error {
	if len(d) < 8+32 {
		return errors.New("binary property list too short")
	}
	t := d[len(d)-32:]
	offSize, refSize := int(t[6]), int(t[7])
	numObjects, top, tableOff := binary.BigEndian.Uint64(t[8:]), binary.BigEndian.Uint64(t[16:]), binary.BigEndian.Uint64(t[24:])
	if offSize < 1 || offSize > 8 || refSize < 1 || refSize > 8 {
		return errors.New("binary property list: bad integer sizes in the trailer")
	}
	end := uint64(len(d) - 32)
	if numObjects == 0 || top >= numObjects || tableOff > end || numObjects > (end-tableOff)/uint64(offSize) {
		return errors.New("binary property list: bad object table")
	}
	be := func(b []byte) uint64 {
		var v uint64
		for _, c := range b {
			v = v<<8 | uint64(c)
		}
		return v
	}
	type memo struct {
		done, busy bool
		nodes      uint64
		height     int
	}
	seen := make(map[uint64]*memo)
	var walk func(i uint64, depth int) (uint64, int, error)
	walk = func(i uint64, depth int) (uint64, int, error) {
		if depth > maxDepth {
			return 0, 0, fmt.Errorf("binary property list nested more than %d levels deep", maxDepth)
		}
		if i >= numObjects {
			return 0, 0, fmt.Errorf("binary property list: object %d of %d", i, numObjects)
		}
		m := seen[i]
		if m == nil {
			m = &memo{}
			seen[i] = m
		}
		if m.done {
			if depth+m.height > maxDepth {
				return 0, 0, fmt.Errorf("binary property list nested more than %d levels deep", maxDepth)
			}
			return m.nodes, m.height, nil
		}
		if m.busy {
			return 0, 0, errors.New("binary property list: a container holds itself")
		}
		m.busy = true
		off := be(d[tableOff+i*uint64(offSize):][:offSize])
		if off >= end {
			return 0, 0, errors.New("binary property list: object offset out of range")
		}
		marker := d[off]
		kind, count, pos := marker>>4, uint64(marker&0x0f), off+1
		var refs uint64
		switch kind {
		case 0xa, 0xb, 0xc, 0xd:
			if count == 0x0f {
				if pos >= end || d[pos]>>4 != 0x1 {
					return 0, 0, errors.New("binary property list: bad container length")
				}
				n := uint64(1) << (d[pos] & 0x0f)
				if n > 8 || pos+1+n > end {
					return 0, 0, errors.New("binary property list: bad container length")
				}
				count = be(d[pos+1 : pos+1+n])
				pos += 1 + n
			}
			refs = count
			if kind == 0xd {
				refs = 2 * count
			}
			if refs > (end-pos)/uint64(refSize) {
				return 0, 0, errors.New("binary property list: container runs past the object table")
			}
		}
		nodes, height := uint64(1), 0
		for k := uint64(0); k < refs; k++ {
			child := be(d[pos+k*uint64(refSize):][:refSize])
			n, h, err := walk(child, depth+1)
			if err != nil {
				return 0, 0, err
			}
			nodes += n
			height = max(height, h+1)
			if nodes > maxNodes {
				return 0, 0, fmt.Errorf("binary property list expands to more than %d values", maxNodes)
			}
		}
		m.busy, m.done, m.nodes, m.height = false, true, nodes, height
		return nodes, height, nil
	}
	_, _, err := walk(top, 0)
	return err
}
