package traffic

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/sdkflow/sdkflow/model"
)

func fieldMap(fs []Field) map[string]string {
	m := map[string]string{}
	for _, f := range fs {
		if _, ok := m[f.Location]; !ok {
			m[f.Location] = f.Value
		}
	}
	return m
}

func TestDecodeBodyFormats(t *testing.T) {
	b64JSON := base64.StdEncoding.EncodeToString([]byte(`{"device":{"model":"iPhone14,2"}}`))
	b64Gzip := base64.StdEncoding.EncodeToString(gz([]byte(`{"heartbeats":[{"agent":"fire-ios/10.24.0","dates":["2026-03-25"]}]}`)))
	multipart := "--XyZ\r\nContent-Disposition: form-data; name=\"meta\"\r\nContent-Type: application/json\r\n\r\n" +
		`{"idfv":"A1B2C3D4-E5F6-4711-8899-AABBCCDDEEFF"}` + "\r\n--XyZ\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n" +
		"--XyZ\r\nContent-Disposition: form-data; name=\"shot\"; filename=\"s.png\"\r\nContent-Type: image/png\r\n\r\n\x89PNG\r\n\x1a\n\x00\x00\r\n--XyZ--\r\n"
	cases := []struct {
		name    string
		body    []byte
		headers []string
		want    map[string]string
		layers  string
	}{
		{"form with nested JSON", []byte(form("extinfo", extinfoV17, "custom_events", `[{"_eventName":"fb_mobile_activate_app"}]`)),
			[]string{"Content-Type", "application/x-www-form-urlencoded"},
			map[string]string{"body.extinfo[5]": "iPhone14,2", "body.extinfo[9]": "390", "body.custom_events[0]._eventName": "fb_mobile_activate_app"},
			"form@body,json@body.extinfo,json@body.custom_events"},
		{"gzip form", gz([]byte(form("a", "1", "b", "x y"))), []string{"Content-Encoding", "gzip"},
			map[string]string{"body.a": "1", "body.b": "x y"}, "gzip,form@body"},
		{"JSON with JSON string inside", []byte(`{"payload":"{\"os_version\":\"17.4\"}","n":3,"ok":true}`), []string{"Content-Type", "application/json"},
			map[string]string{"body.payload.os_version": "17.4", "body.n": "3", "body.ok": "true"}, "json@body,json@body.payload"},
		{"base64 JSON in a form field", []byte(form("data", b64JSON)), nil,
			map[string]string{"body.data": b64JSON, "body.data(base64).device.model": "iPhone14,2"}, "form@body,base64@body.data,json@body.data(base64)"},
		{"base64 of gzip in JSON", []byte(`{"client":"` + b64Gzip + `"}`), nil,
			map[string]string{"body.client(base64).heartbeats[0].agent": "fire-ios/10.24.0"}, ""},
		{"multipart", []byte(multipart), []string{"Content-Type", "multipart/form-data; boundary=XyZ"},
			map[string]string{"body.meta.idfv": "A1B2C3D4-E5F6-4711-8899-AABBCCDDEEFF", "body.note": "hello"}, ""},
		{"JSON labelled form", []byte(`{"model":"iPhone14,2"}`), []string{"Content-Type", "application/x-www-form-urlencoded"},
			map[string]string{"body.model": "iPhone14,2"}, "json@body"},
		{"form labelled JSON", []byte("model=iPhone14%2C2&os=17.4"), []string{"Content-Type", "application/json"},
			map[string]string{"body.model": "iPhone14,2", "body.os": "17.4"}, "form@body"},
		{"plain text", []byte("just a line of text"), []string{"Content-Type", "text/plain"},
			map[string]string{"body": "just a line of text"}, ""},
		{"hex is not base64", []byte(form("h", "3f0a7e1b2c4d5e6f708192a3b4c5d6e7")), nil,
			map[string]string{"body.h": "3f0a7e1b2c4d5e6f708192a3b4c5d6e7"}, "form@body"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := flow("POST", "https://example.com/collect", tc.body, tc.headers...)
			d := DecodeBody(&f)
			m := fieldMap(d.Fields)
			for loc, v := range tc.want {
				if m[loc] != v {
					t.Errorf("%s = %q, want %q; fields: %v", loc, m[loc], v, m)
				}
			}
			if tc.layers != "" && !strings.HasPrefix(strings.Join(d.Layers, ","), tc.layers) {
				t.Errorf("layers = %v, want prefix %s", d.Layers, tc.layers)
			}
			if strings.Contains(tc.name, "labelled") && len(d.Problems) == 0 {
				t.Errorf("a mislabelled body should be reported")
			}
			if !strings.Contains(tc.name, "labelled") && len(d.Problems) != 0 {
				t.Errorf("problems: %v", d.Problems)
			}
			if _, ok := m["body.data(base64)"]; ok && tc.name == "hex is not base64" {
				t.Errorf("hex decoded as base64")
			}
		})
	}
}

func TestDecodeBodyText(t *testing.T) {
	f := flow("POST", "https://app-measurement.com/a", gz(ga4Batch(idfa)), "Content-Encoding", "gzip")
	d := DecodeBody(&f)
	if !strings.Contains(d.Text, "body.pb.1.10 = iPhone14,2\n") || d.Layers[0] != "gzip" {
		t.Errorf("text:\n%s\nlayers %v", d.Text, d.Layers)
	}
	f = flow("POST", "https://example.com/x", []byte(form("a", "1")))
	if d := DecodeBody(&f); d.Text != "a=1" || d.Size != 3 {
		t.Errorf("text %q size %d", d.Text, d.Size)
	}
	empty := model.Flow{}
	if d := DecodeBody(&empty); len(d.Fields) != 0 || len(d.Problems) != 0 {
		t.Errorf("empty: %+v", d)
	}
}

func TestRequestFieldsQueryHeadersPath(t *testing.T) {
	jwt := "eyJhbGciOiJIUzI1NiJ9." + base64.RawURLEncoding.EncodeToString([]byte(`{"sub":"u_8812734","email":"tester@example.org"}`)) + ".c2lnbmF0dXJl"
	f := flow("GET", "https://api.example.com/v1/users/tester%40example.org/profile?lat=52.52&lng=13.405&q=a%2Bb", nil,
		"X-Device-ID", "8c0b0d47-5f1e-4c55-9a8b-3a7b7e9c2d11", "User-Agent", "Example/1.0 CFNetwork/1490 Darwin/23.4.0",
		"Cookie", "theme=dark; uid=4fa1c9e2b7aa; tz=Europe%2FBerlin", "Authorization", "Bearer "+jwt)
	got := analyzeOne(t, f, Options{})
	checkItems(t, got.Data, []want{
		{"path", TypeEmail, "tester@example.org", "shape:email", true},
		{"query.lat", TypeLatitude, "52.52", "key:lat", true},
		{"query.lng", TypeLongitude, "13.405", "key:lng", true},
		{"header.x-device-id", TypeDeviceID, "8c0b0d47-5f1e-4c55-9a8b-3a7b7e9c2d11", "key:", true},
		{"header.cookie.uid", TypeUserID, "4fa1c9e2b7aa", "key:uid", true},
		{"header.cookie.tz", TypeTimeZone, "Europe/Berlin", "key:tz", true},
		{"header.authorization(jwt).email", TypeEmail, "tester@example.org", "key:email", true},
	})
}
