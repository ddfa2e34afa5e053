package contentcoding

import (
	"bytes"
	"errors"
	"slices"
	"testing"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zlib"
	"github.com/klauspost/compress/zstd"
)

func encode(t *testing.T, coding string, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	var w interface {
		Write([]byte) (int, error)
		Close() error
	}
	switch coding {
	case "gzip":
		w = gzip.NewWriter(&b)
	case "deflate":
		w = zlib.NewWriter(&b)
	case "br":
		w = brotli.NewWriter(&b)
	case "zstd":
		zw, err := zstd.NewWriter(&b)
		if err != nil {
			t.Fatal(err)
		}
		w = zw
	}
	w.Write(data)
	w.Close()
	return b.Bytes()
}

func TestRoundTripEveryCoding(t *testing.T) {
	plain := []byte("event=MOBILE_APP_INSTALL&advertiser_id=6D92078A-8246-4BA4-AE5B-76104861E7DC")
	for _, c := range []string{"gzip", "deflate", "br", "zstd"} {
		got, err := Decompress(c, encode(t, c, plain), 1<<20)
		if err != nil || !bytes.Equal(got, plain) {
			t.Errorf("%s: %q, %v", c, got, err)
		}
	}
	// Stacked codings are removed last first.
	wire := encode(t, "br", encode(t, "gzip", plain))
	if got, err := Decode(wire, Split("gzip, br"), 1<<20); err != nil || !bytes.Equal(got, plain) {
		t.Errorf("gzip, br: %q, %v", got, err)
	}
}

func TestBombsStopAtTheBound(t *testing.T) {
	zeros := make([]byte, 64<<20)
	for _, c := range []string{"gzip", "deflate", "br", "zstd"} {
		bomb := encode(t, c, zeros)
		got, err := Decompress(c, bomb, 1<<20)
		if !errors.Is(err, ErrTooLarge) || len(got) != 1<<20 {
			t.Errorf("%s bomb (%d bytes): %d bytes out, %v", c, len(bomb), len(got), err)
		}
	}
}

func TestBrokenAndUnknown(t *testing.T) {
	// Varied text over several deflate blocks, so the first half decodes to something.
	var text bytes.Buffer
	for i := uint32(1); text.Len() < 1<<20; i = i*1664525 + 1013904223 {
		text.WriteString(string(rune('a' + i>>27%26)))
	}
	wire := encode(t, "gzip", text.Bytes())
	got, err := Decompress("gzip", wire[:len(wire)/2], 1<<20)
	if err == nil || len(got) == 0 {
		t.Errorf("truncated gzip: %d bytes, %v (want the part before the cut and an error)", len(got), err)
	}
	if _, err := Decompress("gzip", []byte("plain text, labelled gzip"), 1<<20); err == nil {
		t.Error("plain text decoded as gzip")
	}
	if _, err := Decompress("compress", wire, 1<<20); !errors.Is(err, ErrUnknown) {
		t.Errorf("unknown coding: %v", err)
	}
	if got := Split(" GZIP , identity,br "); !slices.Equal(got, []string{"gzip", "br"}) {
		t.Errorf("Split = %q", got)
	}
}
