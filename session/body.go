package session

import (
	"bytes"
	"fmt"
	"github.com/sdkflow/sdkflow/internal/contentcoding"
	"io"
	"sync"
	"unicode/utf8"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zlib"
	"github.com/klauspost/compress/zstd"
)

// MaxBodyBytes bounds one body, decoded, in HAR import and export: a HAR body beyond it is
// kept truncated (and marked so), and a compressed body is never inflated past it.
const MaxBodyBytes = 16 << 20

// contentCodings splits a Content-Encoding header into its codings, in the order applied.
func contentCodings(header string) []string { return contentcoding.Split(header) }

// decodeBody undoes the Content-Encoding of a wire body, bounded by MaxBodyBytes. It returns as
// much as it could decode together with the error that stopped it (truncated bodies stop early).
func decodeBody(wire []byte, codings []string) ([]byte, error) {
	return contentcoding.Decode(wire, codings, MaxBodyBytes)
}

// encodeBody applies codings to a decoded body, to restore the wire form of a body that a HAR
// file holds decoded. Fast settings: the bytes differ from the original anyway. The
// compressors are pooled: each holds hundreds of kilobytes of tables, and a HAR file of
// 100,000 entries may hold thousands of compressed bodies.
func encodeBody(b []byte, codings []string) ([]byte, error) {
	for _, c := range codings {
		var err error
		switch c {
		case "gzip", "x-gzip":
			b, err = compress(&gzipWriters, b)
		case "deflate":
			b, err = compress(&zlibWriters, b)
		case "br":
			b, err = compress(&brotliWriters, b)
		case "zstd":
			b, err = compress(&zstdWriters, b)
		default:
			err = fmt.Errorf("content-encoding %s: unknown coding", c)
		}
		if err != nil {
			return nil, err
		}
	}
	return b, nil
}

// resetWriter is a compressor that can be pointed at a new destination.
type resetWriter interface {
	io.WriteCloser
	Reset(io.Writer)
}

var (
	gzipWriters = sync.Pool{New: func() any {
		w, _ := gzip.NewWriterLevel(nil, gzip.BestSpeed)
		return w
	}}
	zlibWriters = sync.Pool{New: func() any {
		w, _ := zlib.NewWriterLevel(nil, zlib.BestSpeed)
		return w
	}}
	brotliWriters = sync.Pool{New: func() any { return brotli.NewWriterLevel(nil, 1) }}
	zstdWriters   = sync.Pool{New: func() any {
		w, _ := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(1))
		return w
	}}
)

func compress(pool *sync.Pool, b []byte) ([]byte, error) {
	w := pool.Get().(resetWriter)
	defer pool.Put(w)
	buf := bytes.NewBuffer(make([]byte, 0, len(b)/2+64))
	w.Reset(buf)
	if _, err := w.Write(b); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// isText says whether a decoded body can go into a HAR "text" field as is: valid UTF-8 without
// control characters other than the usual whitespace. JSON keeps such a string byte for byte.
func isText(b []byte) bool {
	if !utf8.Valid(b) {
		return false
	}
	for _, c := range b {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' || c == 0x7f {
			return false
		}
	}
	return true
}
