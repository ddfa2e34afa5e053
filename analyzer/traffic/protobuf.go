package traffic

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"strconv"
	"unicode/utf8"
)

// Protobuf wire types.
const (
	wireVarint  = 0
	wireFixed64 = 1
	wireBytes   = 2
	wireStart   = 3 // group start (deprecated)
	wireEnd     = 4 // group end (deprecated)
	wireFixed32 = 5
)

var errNotProtobuf = errors.New("not protobuf")

// decodeProtobuf reads data as a protobuf message without a schema: every field becomes a Field
// at loc.N (nested messages loc.N.M), valued as decimal varints, fixed numbers (as floats when
// they read as plausible floats), strings, or hex for other bytes. A length-delimited field is
// read as a nested message when it parses cleanly and does not read as text; that choice is a
// heuristic, which adapters say in their Match. Fields decoded before an error are kept.
func decodeProtobuf(data []byte, loc string, s *sink, depth int) error {
	if len(data) == 0 {
		return fmt.Errorf("%w: empty", errNotProtobuf)
	}
	return walkProtobuf(data, loc, s, depth, true)
}

func walkProtobuf(data []byte, loc string, s *sink, depth int, emit bool) error {
	for off := 0; off < len(data); {
		tag, n := binary.Uvarint(data[off:])
		if n <= 0 {
			return fmt.Errorf("%w: bad tag at offset %d", errNotProtobuf, off)
		}
		field, wire := tag>>3, tag&7
		if field == 0 || field > 1<<29-1 {
			return fmt.Errorf("%w: field number %d at offset %d", errNotProtobuf, field, off)
		}
		off += n
		key := strconv.FormatUint(field, 10)
		at := loc + "." + key
		switch wire {
		case wireVarint:
			v, n := binary.Uvarint(data[off:])
			if n <= 0 {
				return fmt.Errorf("%w: truncated varint at offset %d", errNotProtobuf, off)
			}
			off += n
			if emit {
				s.add(Field{Location: at, Key: key, Value: varintText(v)})
			}
		case wireFixed64:
			if len(data)-off < 8 {
				return fmt.Errorf("%w: truncated fixed64 at offset %d", errNotProtobuf, off)
			}
			v := binary.LittleEndian.Uint64(data[off:])
			off += 8
			if emit {
				s.add(Field{Location: at, Key: key, Value: fixed64Text(v)})
			}
		case wireFixed32:
			if len(data)-off < 4 {
				return fmt.Errorf("%w: truncated fixed32 at offset %d", errNotProtobuf, off)
			}
			v := binary.LittleEndian.Uint32(data[off:])
			off += 4
			if emit {
				s.add(Field{Location: at, Key: key, Value: fixed32Text(v)})
			}
		case wireBytes:
			l, n := binary.Uvarint(data[off:])
			if n <= 0 || l > uint64(len(data)-off-n) {
				return fmt.Errorf("%w: length-delimited field %d overruns the message at offset %d", errNotProtobuf, field, off)
			}
			off += n
			b := data[off : off+int(l)]
			off += int(l)
			if emit {
				lengthDelimited(b, at, key, s, depth)
			}
		default:
			// Groups are long deprecated; a body using them is more likely not protobuf at all.
			return fmt.Errorf("%w: wire type %d at offset %d", errNotProtobuf, wire, off-n)
		}
		if s.full {
			return nil
		}
	}
	return nil
}

// lengthDelimited decides between nested message, text and bytes.
func lengthDelimited(b []byte, at, key string, s *sink, depth int) {
	// Text first unless it starts like a message (a tag byte below space, e.g. 0x0a, 0x08):
	// short messages made only of printable bytes exist, but text starting that way is rarer.
	if isPrintableText(b) && (len(b) == 0 || b[0] >= 0x20) {
		s.value(at, key, string(b), "", depth+1)
		return
	}
	if depth < maxNestDepth && walkProtobuf(b, at, s, depth+1, false) == nil {
		_ = walkProtobuf(b, at, s, depth+1, true)
		return
	}
	if utf8.Valid(b) && isPrintableText(b) {
		s.value(at, key, string(b), "", depth+1)
		return
	}
	const maxHex = 512
	if len(b) > maxHex {
		s.add(Field{Location: at, Key: key, Value: hex.EncodeToString(b[:maxHex]) + "…"})
		return
	}
	s.add(Field{Location: at, Key: key, Value: hex.EncodeToString(b)})
}

func varintText(v uint64) string {
	if v > math.MaxInt64 {
		return strconv.FormatInt(int64(v), 10) // a negative int32/int64 field
	}
	return strconv.FormatUint(v, 10)
}

// fixed64Text shows a double when the bits read as an ordinary one (coordinates, amounts),
// else the integer.
func fixed64Text(v uint64) string {
	f := math.Float64frombits(v)
	if plausibleFloat(f) {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	return strconv.FormatUint(v, 10)
}

func fixed32Text(v uint32) string {
	f := float64(math.Float32frombits(v))
	if plausibleFloat(f) {
		return strconv.FormatFloat(f, 'f', -1, 32)
	}
	return strconv.FormatUint(uint64(v), 10)
}

func plausibleFloat(f float64) bool {
	a := math.Abs(f)
	return f == 0 || !math.IsNaN(f) && a >= 1e-4 && a <= 1e9
}
