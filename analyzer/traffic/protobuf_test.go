package traffic

import (
	"math"
	"strings"
	"testing"
)

func TestDecodeProtobuf(t *testing.T) {
	cases := []struct {
		name string
		data []byte
		want map[string]string
		err  string
	}{
		{"varint and string", cat(pbVarint(1, 150), pbString(2, "testing")), map[string]string{"pb.1": "150", "pb.2": "testing"}, ""},
		{"nested message", pbBytes(3, cat(pbVarint(1, 7), pbString(2, "inner"))), map[string]string{"pb.3.1": "7", "pb.3.2": "inner"}, ""},
		{"negative int64", pbVarint(4, uint64(math.MaxUint64)), map[string]string{"pb.4": "-1"}, ""},
		{"double", pbFixed64(5, math.Float64bits(52.520008)), map[string]string{"pb.5": "52.520008"}, ""},
		{"fixed64 integer", pbFixed64(6, 1234567890123456789), map[string]string{"pb.6": "1234567890123456789"}, ""},
		{"bytes as hex", pbBytes(7, []byte{0xff, 0x00, 0xfe}), map[string]string{"pb.7": "ff00fe"}, ""},
		{"empty string", pbString(8, ""), map[string]string{"pb.8": ""}, ""},
		{"GA4 batch", ga4Batch(idfa), map[string]string{"pb.1.10": "iPhone14,2", "pb.1.2.1.1": "_o", "pb.1.2.2": "_f", "pb.1.21": "7f3a9c2b1d4e4f60a1b2c3d4e5f60718"}, ""},
		{"truncated varint", []byte{0x08, 0xff}, nil, "truncated varint"},
		{"overrun", []byte{0x0a, 0x10, 'a'}, nil, "overruns"},
		{"field zero", []byte{0x00, 0x01}, nil, "field number 0"},
		{"group wire type", []byte{0x0b, 0x0c}, nil, "wire type 3"},
		{"empty", nil, nil, "empty"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := &sink{max: DefaultMaxBody}
			err := decodeProtobuf(tc.data, "pb", s, 0)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want ~%q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			m := fieldMap(s.fields)
			for k, v := range tc.want {
				if got, ok := m[k]; !ok || got != v {
					t.Errorf("%s = %q (present %v), want %q; all %v", k, got, ok, v, m)
				}
			}
		})
	}
}

// Deeply nested messages stop at the depth bound instead of recursing without end.
func TestDecodeProtobufDepthBound(t *testing.T) {
	msg := pbString(1, "leaf")
	for i := 0; i < 200; i++ {
		msg = pbBytes(1, msg)
	}
	s := &sink{max: DefaultMaxBody}
	if err := decodeProtobuf(msg, "pb", s, 0); err != nil {
		t.Fatal(err)
	}
	if len(s.fields) != 1 || strings.Count(s.fields[0].Location, ".") > maxNestDepth+2 {
		t.Errorf("fields = %d, loc %q", len(s.fields), s.fields[0].Location)
	}
}
