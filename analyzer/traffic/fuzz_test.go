package traffic

import (
	"strings"
	"testing"

	"github.com/sdkflow/sdkflow/model"
)

// FuzzDecodeBody drives the whole body chain (content codings, sniffing, form, JSON, multipart,
// nested JSON and base64, protobuf) and the detectors behind it with hostile input. It must
// never panic, and must respect its bounds.
func FuzzDecodeBody(f *testing.F) {
	f.Add([]byte(form("extinfo", extinfoV17, "advertiser_id", idfa)), "", "application/x-www-form-urlencoded", "https://graph.facebook.com/v17.0/1234567890123/activities")
	f.Add(gz([]byte(form("event", "CUSTOM_APP_EVENTS", "custom_events", `[{"_eventName":"fb_mobile_activate_app"}]`))), "gzip", "application/x-www-form-urlencoded", "https://ep1.facebook.com/v17.0/1/activities")
	f.Add(gz(ga4Batch(idfa)), "gzip", "application/x-www-form-urlencoded", "https://app-measurement.com/a")
	f.Add([]byte(`{"hardware_id":"x","advertising_ids":{"idfa":"`+idfa+`"},"local_ip":"10.0.0.2"}`), "", "application/json", "https://api2.branch.io/v1/open")
	f.Add([]byte("--B\r\nContent-Disposition: form-data; name=\"a\"\r\nContent-Type: application/json\r\n\r\n{\"b\":\"YWJjZGVmZ2hpamtsbW5vcA==\"}\r\n--B--\r\n"), "", "multipart/form-data; boundary=B", "https://example.com/up")
	f.Add([]byte("plain text, gzip label"), "gzip", "text/plain", "https://example.com/")
	f.Add([]byte{0x1f, 0x8b, 0x08, 0x00, 'h', 'i'}, "", "", "https://example.com/")
	f.Add(zstdData([]byte(`{"a":[1,2,{"b":"c"}]}`)), "zstd", "application/json", "https://example.com/")
	f.Add(brotliData([]byte("a=1&b=2")), "br", "", "https://example.com/")
	f.Add(deflateRaw(make([]byte, 1<<16)), "deflate", "", "https://example.com/")
	f.Add([]byte{0x0a, 0x05, 0x08, 0x96, 0x01, 0x12, 0x00}, "", "application/x-protobuf", "https://example.com/")
	f.Fuzz(func(t *testing.T, body []byte, encoding, contentType, rawURL string) {
		fl := flow("POST", rawURL, body, "Content-Encoding", encoding, "Content-Type", contentType)
		const max = 1 << 20
		s := &model.Session{Flows: []model.Flow{fl}}
		Analyze(s, Options{MaxBody: max, Known: fuzzKnown})
		got := s.Flows[0]
		for _, p := range got.Problems {
			if strings.Contains(p, "internal error") || strings.Contains(p, "decoder failed") {
				t.Fatalf("panic recovered: %s", p)
			}
		}
		for _, it := range got.Data {
			if len(it.Value) > maxValueLen+len("…") || it.Location == "" || it.Type == "" || it.Match == "" {
				t.Fatalf("bad item %+v", it)
			}
		}
		d := DecodeBody(&fl)
		if len(d.Text) > MaxText+maxValueLen+16 {
			t.Fatalf("text %d bytes", len(d.Text))
		}
		if len(d.Fields) > maxFields {
			t.Fatalf("%d fields", len(d.Fields))
		}
		if d.Size > DefaultMaxBody {
			t.Fatalf("size %d", d.Size)
		}
	})
}

var fuzzKnown = func() *KnownValues {
	k, err := NewKnownValues([]KnownValue{{Label: "idfa", Type: TypeAdvertisingID, Value: idfa}, {Label: "latitude", Type: TypeLatitude, Value: "52.520008"}})
	if err != nil {
		panic(err)
	}
	return k
}()

// FuzzProtobuf checks the schemaless protobuf decoder on its own: no panic, bounded output,
// and a clean decode of anything it accepts produces only well-formed locations.
func FuzzProtobuf(f *testing.F) {
	f.Add(ga4Batch(idfa))
	f.Add(cat(pbVarint(1, 150), pbString(2, "testing"), pbFixed64(3, 42)))
	f.Add([]byte{0x0a, 0x80, 0x80, 0x80, 0x80, 0x10})
	f.Add([]byte{0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01})
	f.Add([]byte{0x0b, 0x0c})
	f.Fuzz(func(t *testing.T, data []byte) {
		s := &sink{max: DefaultMaxBody}
		err := decodeProtobuf(data, "pb", s, 0)
		if len(s.fields) > maxFields {
			t.Fatalf("%d fields", len(s.fields))
		}
		if err == nil {
			for _, f := range s.fields {
				if !strings.HasPrefix(f.Location, "pb.") {
					t.Fatalf("location %q", f.Location)
				}
			}
		}
	})
}

// FuzzKnownAndMarkers covers the other outside inputs: the known-values file and --marker.
func FuzzKnownAndMarkers(f *testing.F) {
	f.Add([]byte(knownYAML), "consent-accepted@+12.5", "x")
	f.Add([]byte("extra:\n  a: b\n"), "launch@start", "tester")
	f.Add([]byte("latitude: 1e308\n"), "att-denied@2026-03-25T09:00:30Z", "")
	f.Fuzz(func(t *testing.T, yml []byte, marker, text string) {
		if k, err := LoadKnown(yml, "fuzz.yaml"); err == nil {
			_ = k.Redact(text)
			_ = k.find(text)
		}
		_, _ = ParseMarkerFlag(marker, t0)
	})
}
