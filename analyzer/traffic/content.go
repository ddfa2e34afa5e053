package traffic

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/zstd"
)

// DefaultMaxBody bounds the decoded size of a body per layer when Options.MaxBody is zero.
const DefaultMaxBody = 8 << 20

// maxEncodingLayers bounds how many content encodings are peeled from one body, declared and
// sniffed together: real clients use one, a hostile body could nest many.
const maxEncodingLayers = 4

var (
	gzipMagic = []byte{0x1f, 0x8b}
	zstdMagic = []byte{0x28, 0xb5, 0x2f, 0xfd}
)

// errTooLarge marks output cut at the bound.
var errTooLarge = errors.New("decoded size exceeds the bound")

// decodeContent peels the Content-Encoding layers of body (the header's codings are applied in
// order, so they are removed in reverse) and then sniffs for compression the header did not
// declare. It never fails: a layer that cannot be removed is a problem, and analysis goes on
// with the bytes as they were before that layer.
func decodeContent(body []byte, contentEncoding string, max int64) (data []byte, layers, problems []string) {
	data = body
	var codings []string
	for _, c := range strings.Split(contentEncoding, ",") {
		c = strings.ToLower(strings.TrimSpace(c))
		if c != "" && c != "identity" {
			codings = append(codings, c)
		}
	}
	peeled := 0
	failed := map[string]bool{}
	for i := len(codings) - 1; i >= 0 && peeled < maxEncodingLayers; i-- {
		c := codings[i]
		out, err := decompress(c, data, max)
		switch {
		case errors.Is(err, errUnknownCoding):
			problems = append(problems, fmt.Sprintf("Content-Encoding %q is not supported; body analysed as sent", c))
			return data, layers, problems
		case err != nil && len(out) == 0:
			if isPrintableText(data) {
				// HAR exporters often store the decoded text and keep the header.
				problems = append(problems, fmt.Sprintf("Content-Encoding %s declared, but the body is plain text (already decoded, or mislabelled); analysed as text", c))
			} else {
				problems = append(problems, fmt.Sprintf("Content-Encoding %s declared, but the body is not %s (%v); body analysed as sent", c, c, err))
			}
			// The label lied; the sniffing below may still find what the body really is.
			failed[c] = true
			codings = nil
		case err != nil:
			problems = append(problems, fmt.Sprintf("%s: %v after %d decoded bytes; the rest is lost", c, err, len(out)))
			data = out
			layers = append(layers, c)
			peeled++
		default:
			data = out
			layers = append(layers, c)
			peeled++
		}
		if codings == nil {
			break
		}
	}
	for peeled < maxEncodingLayers {
		c := sniffCoding(data)
		if c == "" || failed[c] {
			break
		}
		out, err := decompress(c, data, max)
		if err != nil && len(out) == 0 {
			if c == "gzip" || c == "zstd" {
				problems = append(problems, fmt.Sprintf("body starts with the %s magic number but is not %s (%v); analysed as sent", c, c, err))
			}
			break
		}
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s (not declared): %v after %d decoded bytes; the rest is lost", c, err, len(out)))
		}
		data = out
		layers = append(layers, c+" (sniffed)")
		peeled++
	}
	return data, layers, problems
}

// zstdMaxWindow is the largest window accepted (the format's default encoders use up to 8 MiB).
const zstdMaxWindow = 8 << 20

var errUnknownCoding = errors.New("unknown content coding")

// sniffCoding names the compression whose signature data starts with, "" for none. zlib is only
// considered for bodies that are not text, since its two-byte header can start plain text.
func sniffCoding(data []byte) string {
	switch {
	case bytes.HasPrefix(data, gzipMagic):
		return "gzip"
	case bytes.HasPrefix(data, zstdMagic):
		return "zstd"
	case len(data) >= 2 && data[0]&0x0f == 8 && data[0]>>4 <= 7 && (uint16(data[0])<<8|uint16(data[1]))%31 == 0 && !isPrintableText(data):
		return "deflate"
	}
	return ""
}

// decompress removes one coding. On a mid-stream error it returns what was decoded so far along
// with the error; output beyond max is cut and reported as errTooLarge.
func decompress(coding string, data []byte, max int64) ([]byte, error) {
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
		return readBounded(zr, max, len(data))
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
			// The window bounds memory; the output is bounded by readBounded below.
			zstd.WithDecoderMaxMemory(zstdMaxWindow), zstd.WithDecoderMaxWindow(zstdMaxWindow))
		if err != nil {
			return nil, err
		}
		defer zr.Close()
		r = zr
	default:
		return nil, errUnknownCoding
	}
	return readBounded(r, max, len(data))
}

// gzipReaders reuses gzip readers: each holds a 32 KiB window, and most tracker bodies are gzip.
var gzipReaders sync.Pool

// readBounded reads at most max bytes; more is errTooLarge, with the first max bytes returned.
// sizeHint (the compressed size) presizes the buffer for the usual ratio.
func readBounded(r io.Reader, max int64, sizeHint int) ([]byte, error) {
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
		return out[:max], fmt.Errorf("%w of %d bytes (possible compression bomb); cut there", errTooLarge, max)
	}
	return out, nil
}

// isPrintableText reports whether b is valid UTF-8 without control characters other than
// tab, newline and carriage return.
func isPrintableText(b []byte) bool {
	if !utf8.Valid(b) {
		return false
	}
	for _, c := range b {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0x7f {
			return false
		}
	}
	return true
}
