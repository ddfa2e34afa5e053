// Package contentcoding undoes HTTP Content-Encoding (gzip, deflate, br, zstd) on captured
// bodies, always within a bound on the decoded size: a captured body is hostile input, and a few
// kilobytes of gzip can inflate to gigabytes.
package contentcoding

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/flate"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zlib"
	"github.com/klauspost/compress/zstd"
)

var (
	// ErrUnknown is returned for a coding this package does not decode.
	ErrUnknown = errors.New("unknown content coding")
	// ErrTooLarge marks output cut at the bound.
	ErrTooLarge = errors.New("decoded size exceeds the bound")
)

// zstdMaxWindow is the largest zstd window accepted (the format's default encoders use up to
// 8 MiB); it bounds the decoder's memory, whatever the frame header asks for.
const zstdMaxWindow = 8 << 20

// Split lists the codings of a Content-Encoding header in the order they were applied, without
// identity, lower-cased.
func Split(header string) []string {
	var out []string
	for _, c := range strings.Split(header, ",") {
		c = strings.ToLower(strings.TrimSpace(c))
		if c != "" && c != "identity" {
			out = append(out, c)
		}
	}
	return out
}

// Decode undoes every coding, last applied first. It returns as much as it decoded together
// with the error that stopped it, wrapped with the coding's name.
func Decode(data []byte, codings []string, max int64) ([]byte, error) {
	for i := len(codings) - 1; i >= 0; i-- {
		var err error
		data, err = Decompress(codings[i], data, max)
		if err != nil {
			return data, fmt.Errorf("content-encoding %s: %w", codings[i], err)
		}
	}
	return data, nil
}

// Decompress removes one coding. On a mid-stream error it returns what was decoded so far along
// with the error; output beyond max is cut there and reported as ErrTooLarge.
func Decompress(coding string, data []byte, max int64) ([]byte, error) {
	var r io.Reader
	switch coding {
	case "gzip", "x-gzip":
		zr, _ := gzipReaders.Get().(*gzip.Reader)
		var err error
		if zr == nil {
			zr, err = gzip.NewReader(bytes.NewReader(data))
		} else {
			err = zr.Reset(bytes.NewReader(data))
		}
		if err != nil {
			return nil, err
		}
		defer gzipReaders.Put(zr)
		r = zr
	case "deflate":
		// HTTP's "deflate" is zlib-wrapped, but many servers and SDKs send raw deflate.
		if zr, err := zlib.NewReader(bytes.NewReader(data)); err == nil {
			r = zr
		} else {
			r = flate.NewReader(bytes.NewReader(data))
		}
	case "br":
		r = brotli.NewReader(bytes.NewReader(data))
	case "zstd":
		zr, err := zstd.NewReader(bytes.NewReader(data),
			zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(true),
			zstd.WithDecoderMaxMemory(zstdMaxWindow), zstd.WithDecoderMaxWindow(zstdMaxWindow))
		if err != nil {
			return nil, err
		}
		defer zr.Close()
		r = zr
	default:
		return nil, ErrUnknown
	}
	return ReadBounded(r, max, len(data))
}

// gzipReaders reuses gzip readers: each holds a 32 KiB window, and most tracker bodies are gzip.
var gzipReaders sync.Pool

// ReadBounded reads at most max bytes from r; more is ErrTooLarge, with the first max bytes
// returned. sizeHint (the compressed size) presizes the buffer for the usual ratio.
func ReadBounded(r io.Reader, max int64, sizeHint int) ([]byte, error) {
	var buf bytes.Buffer
	if hint := int64(sizeHint) * 4; hint > 0 {
		buf.Grow(int(min(hint, max, 1<<20)) + bytes.MinRead)
	}
	n, err := buf.ReadFrom(io.LimitReader(r, max+1))
	out := buf.Bytes()
	if err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			err = fmt.Errorf("truncated stream (%w)", err)
		}
		return out, err
	}
	if n > max {
		return out[:max], fmt.Errorf("%w of %d bytes (possible compression bomb); cut there", ErrTooLarge, max)
	}
	return out, nil
}
