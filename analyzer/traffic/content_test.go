package traffic

import (
	"bytes"
	"compress/flate"
	"compress/zlib"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/zstd"
)

func deflateRaw(b []byte) []byte {
	var buf bytes.Buffer
	w, _ := flate.NewWriter(&buf, flate.BestCompression)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

func zlibData(b []byte) []byte {
	var buf bytes.Buffer
	w := zlib.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

func brotliData(b []byte) []byte {
	var buf bytes.Buffer
	w := brotli.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

func zstdData(b []byte) []byte {
	w, _ := zstd.NewWriter(nil)
	defer w.Close()
	return w.EncodeAll(b, nil)
}

func TestDecodeContent(t *testing.T) {
	plain := []byte("event=CUSTOM_APP_EVENTS&advertiser_id=" + idfa)
	cases := []struct {
		name       string
		body       []byte
		encoding   string
		wantData   []byte
		wantLayers string
		wantProb   string // substring of the problems, "" for none
	}{
		{"identity", plain, "", plain, "", ""},
		{"gzip", gz(plain), "gzip", plain, "gzip", ""},
		{"x-gzip upper", gz(plain), "X-GZIP", plain, "x-gzip", ""},
		{"deflate zlib", zlibData(plain), "deflate", plain, "deflate", ""},
		{"deflate raw", deflateRaw(plain), "deflate", plain, "deflate", ""},
		{"brotli", brotliData(plain), "br", plain, "br", ""},
		{"zstd", zstdData(plain), "zstd", plain, "zstd", ""},
		{"two codings", gz(brotliData(plain)), "br, gzip", plain, "gzip,br", ""},
		{"gzip undeclared", gz(plain), "", plain, "gzip (sniffed)", ""},
		{"zstd undeclared", zstdData(plain), "", plain, "zstd (sniffed)", ""},
		{"zlib undeclared", zlibData(plain), "", plain, "deflate (sniffed)", ""},
		{"gzip label on plain text", plain, "gzip", plain, "", "declared, but the body is plain text"},
		{"gzip magic on plain text", append([]byte{0x1f, 0x8b}, "hello, this is text"...), "", append([]byte{0x1f, 0x8b}, "hello, this is text"...), "", "gzip magic number but is not gzip"},
		{"gzip label, brotli body", brotliData(plain), "gzip", brotliData(plain), "", "not gzip"},
		{"truncated gzip", gz(plain)[:30], "gzip", nil, "gzip", "truncated"},
		{"unknown coding", plain, "compress", plain, "", "not supported"},
		{"identity listed", plain, "identity", plain, "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			data, layers, probs := decodeContent(tc.body, tc.encoding, DefaultMaxBody)
			if tc.wantData != nil && !bytes.Equal(data, tc.wantData) {
				t.Errorf("data = %q", data)
			}
			if got := strings.Join(layers, ","); got != tc.wantLayers {
				t.Errorf("layers = %q, want %q", got, tc.wantLayers)
			}
			joined := strings.Join(probs, "; ")
			if tc.wantProb == "" && joined != "" || tc.wantProb != "" && !strings.Contains(joined, tc.wantProb) {
				t.Errorf("problems = %q, want ~%q", joined, tc.wantProb)
			}
		})
	}
}

// A deflate bomb: 64 MiB of zeros compress to about 64 KiB; the bound stops it at MaxBody.
func TestDecodeContentBombs(t *testing.T) {
	zeros := make([]byte, 64<<20)
	const max = 1 << 20
	for name, enc := range map[string]struct {
		coding string
		body   []byte
	}{
		"deflate": {"deflate", deflateRaw(zeros)},
		"gzip":    {"gzip", gz(zeros)},
		"zstd":    {"zstd", zstdData(zeros)},
		"brotli":  {"br", brotliData(zeros)},
	} {
		t.Run(name, func(t *testing.T) {
			data, _, probs := decodeContent(enc.body, enc.coding, max)
			if len(data) > max {
				t.Errorf("decoded %d bytes past the bound", len(data))
			}
			if !strings.Contains(strings.Join(probs, ";"), "compression bomb") {
				t.Errorf("problems = %v", probs)
			}
		})
	}
	// Nested gzip layers are peeled at most maxEncodingLayers deep.
	nested := []byte("x")
	for i := 0; i < 10; i++ {
		nested = gz(nested)
	}
	_, layers, _ := decodeContent(nested, "", max)
	if len(layers) != maxEncodingLayers {
		t.Errorf("layers = %v", layers)
	}
}

func TestBrokenBodiesAreProblemsNotPanics(t *testing.T) {
	cases := []struct {
		name, url string
		body      []byte
		headers   []string
		wantProb  string
	}{
		{"gzip header on plain text", "https://example.com/api", []byte("plain text body, not gzip at all"), []string{"Content-Encoding", "gzip"}, "declared, but the body is plain text"},
		{"gzip magic then text", "https://example.com/api", append([]byte{0x1f, 0x8b, 0x08}, "text"...), nil, "gzip magic"},
		{"invalid protobuf on protobuf endpoint", "https://app-measurement.com/a", []byte{0x0a, 0xff, 0xff, 0x01, 0x02}, nil, "invalid protobuf"},
		{"truncated protobuf", "https://app-measurement.com/a", ga4Batch(idfa)[:40], nil, "invalid protobuf"},
		{"declared JSON, broken", "https://api.branch.io/v1/open", []byte(`{"hardware_id": "abc`), []string{"Content-Type", "application/json"}, "not valid JSON"},
		{"multipart without boundary", "https://example.com/upload", []byte("--x\r\n"), []string{"Content-Type", "multipart/form-data"}, "without a boundary"},
		{"deflate bomb", "https://graph.facebook.com/v17.0/1234567890123/activities", deflateRaw(make([]byte, 16<<20)), []string{"Content-Encoding", "deflate"}, "compression bomb"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := flow("POST", tc.url, tc.body, tc.headers...)
			got := analyzeOne(t, f, Options{MaxBody: 1 << 20})
			if !strings.Contains(strings.Join(got.Problems, "; "), tc.wantProb) {
				t.Errorf("problems = %q, want ~%q", got.Problems, tc.wantProb)
			}
			if got.Data == nil {
				t.Error("Data is nil; want an empty list")
			}
		})
	}
}

func TestTruncatedRecording(t *testing.T) {
	f := flow("POST", "https://example.com/api", []byte(`{"a":1}`))
	f.Request.Truncated, f.Request.BodySize = true, 1<<30
	got := analyzeOne(t, f, Options{})
	if !strings.Contains(strings.Join(got.Problems, ";"), "recorded only 7 of 1073741824 bytes") {
		t.Errorf("problems = %v", got.Problems)
	}
}
