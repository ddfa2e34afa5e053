package traffic

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sdkflow/sdkflow/model"
)

var t0 = time.Date(2026, 3, 25, 9, 0, 0, 0, time.UTC)

// flow builds an HTTP flow; headers are name, value pairs.
func flow(method, rawURL string, body []byte, headers ...string) model.Flow {
	f := model.Flow{Kind: model.FlowHTTP, Method: method, URL: rawURL, Time: t0}
	for i := 0; i+1 < len(headers); i += 2 {
		f.Request.Headers = append(f.Request.Headers, model.Header{Name: headers[i], Value: headers[i+1]})
	}
	f.Request.Body = body
	f.Request.BodySize = int64(len(body))
	return f
}

func gz(b []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

func form(pairs ...string) string {
	v := url.Values{}
	var keys []string
	for i := 0; i+1 < len(pairs); i += 2 {
		v.Set(pairs[i], pairs[i+1])
		keys = append(keys, pairs[i])
	}
	// Keep the caller's order, as an SDK would.
	var parts []string
	for _, k := range keys {
		parts = append(parts, url.QueryEscape(k)+"="+url.QueryEscape(v.Get(k)))
	}
	return strings.Join(parts, "&")
}

// analyzeOne runs Analyze on one flow and returns it.
func analyzeOne(t *testing.T, f model.Flow, opt Options) model.Flow {
	t.Helper()
	s := &model.Session{Flows: []model.Flow{f}}
	Analyze(s, opt)
	return s.Flows[0]
}

// itemAt finds the item at a location, nil if none.
func itemAt(items []model.DataItem, loc string) *model.DataItem {
	for i := range items {
		if items[i].Location == loc {
			return &items[i]
		}
	}
	return nil
}

// Minimal protobuf writer for hand-built payloads.
func pbTag(field, wire int) []byte { return binary.AppendUvarint(nil, uint64(field<<3|wire)) }

func pbVarint(field int, v uint64) []byte {
	return binary.AppendUvarint(pbTag(field, 0), v)
}

func pbBytes(field int, b []byte) []byte {
	out := binary.AppendUvarint(pbTag(field, 2), uint64(len(b)))
	return append(out, b...)
}

func pbString(field int, s string) []byte { return pbBytes(field, []byte(s)) }

func pbFixed64(field int, v uint64) []byte {
	return binary.LittleEndian.AppendUint64(pbTag(field, 1), v)
}

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
