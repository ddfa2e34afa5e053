// Command gen writes a large synthetic capture of the Zoomlike app for the report benchmark: a
// HAR of N requests over an hour of use, mixing what real sessions carry (Facebook app events
// with the device array, some gzip-encoded; Google Analytics protobuf batches; AppsFlyer and an
// unknown tracker's JSON; the app's own API with the IDFV; images without personal data; TLS
// refusals of a pinned tracker host) with a consent refusal and an ATT denial along the way.
// The same flags give the same bytes.
//
//	go run ./bench/report/gen -flows 100000 -o big.har
package main

import (
	"encoding/binary"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/sdkflow/sdkflow/samples/zoomlike/sessiongen"
)

func main() {
	n := flag.Int("flows", 10000, "number of requests")
	out := flag.String("o", "session.har", "output HAR `file`")
	flag.Parse()
	f, err := os.Create(*out)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	start := sessiongen.Launch
	span := time.Hour
	step := span / time.Duration(*n)
	markers := []sessiongen.Marker{
		{Event: "launch", Time: start, Source: "key"},
		{Event: "consent-declined", Time: start.Add(span * 2 / 5), Source: "key", Note: "tapped Decline"},
		{Event: "att-denied", Time: start.Add(span / 2), Source: "key", Note: "tapped Ask App Not to Track"},
	}
	rng := rand.New(rand.NewPCG(1, 2))
	i := 0
	err = sessiongen.WriteHAR(f, "sdkflow bench/report/gen", markers, func() (sessiongen.Entry, bool) {
		if i == *n {
			return sessiongen.Entry{}, false
		}
		e := flowAt(i, rng)
		e.Time = start.Add(time.Duration(i)*step + time.Duration(rng.IntN(int(step/2)+1)))
		i++
		return e, true
	})
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

const (
	idfa   = "6D92078A-8246-4BA4-AE5B-76104861E7DC"
	idfv   = "A3C9F1E2-5B7D-4E8F-9A1B-2C3D4E5F6A7B"
	anonID = "XZ0E6C4A1B-3D2F-4B5E-8C7A-9F1E2D3C4B5A"
)

var extinfo = `["i2","com.example.zoomlike","501","5.0.1","13.3.1","iPhone11,2","en_US","PDT","AT&T",375,812,"3.00",6,64,23,"America/Los_Angeles"]`

func form(pairs ...string) string {
	var parts []string
	for i := 0; i+1 < len(pairs); i += 2 {
		parts = append(parts, url.QueryEscape(pairs[i])+"="+url.QueryEscape(pairs[i+1]))
	}
	return strings.Join(parts, "&")
}

// flowAt picks the i-th request of the mix: one cycle of twenty requests.
func flowAt(i int, rng *rand.Rand) sessiongen.Entry {
	json := [2]string{"Content-Type", "application/json"}
	switch i % 20 {
	case 0, 10:
		events := fmt.Sprintf(`[{"_eventName":"fb_mobile_activate_app","_logTime":%d,"_ui":"no_ui","_session_id":"%08X-4D5E-4F6A-9B8C-7D6E5F4A3B2C"}]`, 1585231500+i, rng.Uint32())
		h := [][2]string{{"Content-Type", "application/x-www-form-urlencoded"}, {"User-Agent", "FBiOSSDK.5.15.1"}}
		if i%40 == 0 {
			h = append(h, [2]string{"Content-Encoding", "gzip"})
		}
		return sessiongen.Entry{Method: "POST", URL: "https://graph.facebook.com/v5.0/1234567890123456/activities", Headers: h,
			Body: form("event", "CUSTOM_APP_EVENTS", "advertiser_id", idfa, "anon_id", anonID, "advertiser_tracking_enabled", "1",
				"application_tracking_enabled", "1", "extinfo", extinfo, "custom_events", events, "sdk", "ios", "format", "json"),
			Status: 200, RespType: "application/json", RespBody: `{"success":true}`, WaitMS: 120}
	case 1:
		return sessiongen.Entry{Method: "GET", URL: "https://graph.facebook.com/v5.0/1234567890123456/mobile_sdk_gk?platform=ios&sdk_version=5.15.1&fields=gatekeepers",
			Status: 200, RespType: "application/json", RespBody: `{"data":[{"gatekeepers":[]}]}`, WaitMS: 80}
	case 2, 12:
		return sessiongen.Entry{Method: "POST", URL: "https://app-measurement.com/a", Headers: [][2]string{{"Content-Type", "application/x-protobuf"}},
			Body: ga4Batch(i), Binary: true, Status: 204, WaitMS: 90}
	case 3:
		return sessiongen.Entry{Method: "POST", URL: "https://launches.appsflyer.com/api/v6.3/iosevent?app_id=id1234567890", Headers: [][2]string{json},
			Body:   fmt.Sprintf(`{"advertiserId":"%s","vendorId":"%s","deviceType":"iPhone11,2","carrier":"AT&T","lang":"en","uid":"1585231500-%d","counter":%d}`, idfa, idfv, i, i),
			Status: 200, RespType: "application/json", RespBody: `{"status":"ok"}`, WaitMS: 150}
	case 4, 14:
		return sessiongen.Entry{Method: "POST", URL: "https://collect.metrics-cloud.example/v2/track", Headers: [][2]string{json},
			Body:   fmt.Sprintf(`{"device":{"model":"iPhone11,2","os_version":"13.3.1","timezone":"America/Los_Angeles","locale":"en_US"},"event":"screen_view","seq":%d}`, i),
			Status: 200, RespType: "application/json", RespBody: `{}`, WaitMS: 70}
	case 5, 15:
		return sessiongen.Entry{Method: "POST", URL: "https://api.zoomlike.example/v1/devices", Headers: [][2]string{json},
			Body:   fmt.Sprintf(`{"device_id":"%s","platform":"ios","os_version":"13.3.1"}`, idfv),
			Status: 201, RespType: "application/json", RespBody: `{"registered":true}`, WaitMS: 60}
	case 9:
		return sessiongen.Entry{Method: "CONNECT", URL: "https://firebaselogging-pa.googleapis.com:443", Kind: "tls-failure",
			Error: "client rejected the certificate: certificate pinning"}
	}
	return sessiongen.Entry{Method: "GET", URL: fmt.Sprintf("https://cdn.zoomlike-static.example/avatars/%d.jpg?w=128", rng.IntN(5000)),
		Headers: [][2]string{{"Accept", "image/*"}}, Status: 200, RespType: "image/jpeg", WaitMS: 30}
}

// ga4Batch is a GA4 upload batch in protobuf wire format: a bundle (field 1) with an event
// (field 2: name at 2), the platform, OS version, model, locale and the IDFA (field 19).
func ga4Batch(i int) string {
	str := func(field int, s string) []byte {
		b := binary.AppendUvarint(nil, uint64(field<<3|2))
		b = binary.AppendUvarint(b, uint64(len(s)))
		return append(b, s...)
	}
	event := str(2, "screen_view")
	var bundle []byte
	bundle = append(bundle, str(2, string(event))...)
	bundle = append(bundle, str(8, "ios")...)
	bundle = append(bundle, str(9, "13.3.1")...)
	bundle = append(bundle, str(10, "iPhone11,2")...)
	bundle = append(bundle, str(11, "en-us")...)
	bundle = append(bundle, str(19, idfa)...)
	bundle = append(bundle, str(21, fmt.Sprintf("%032x", i))...)
	return string(str(1, string(bundle)))
}
