package traffic

import (
	"bytes"
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/sdkflow/sdkflow/internal/contentcoding"
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

// decodeContent peels the Content-Encoding layers of body (the header's codings are applied in
// order, so they are removed in reverse) and then sniffs for compression the header did not
// declare. It never fails: a layer that cannot be removed is a problem, and analysis goes on
// with the bytes as they were before that layer.
func decodeContent(body []byte, contentEncoding string, max int64) (data []byte, layers, problems []string) {
	data = body
	codings := contentcoding.Split(contentEncoding)
	peeled := 0
	failed := map[string]bool{}
	for i := len(codings) - 1; i >= 0 && peeled < maxEncodingLayers; i-- {
		c := codings[i]
		out, err := contentcoding.Decompress(c, data, max)
		switch {
		case errors.Is(err, contentcoding.ErrUnknown):
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
		out, err := contentcoding.Decompress(c, data, max)
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
