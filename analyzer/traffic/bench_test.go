package traffic

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"syscall"
	"testing"
	"time"

	"github.com/sdkflow/sdkflow/model"
)

// realisticFlows builds n flows in the proportions of a launch-and-use session of an app with
// several tracker SDKs: Facebook app events and settings, GA4 batches, Firebase Installations,
// attribution and push SDKs, first-party API calls and CDN fetches.
func realisticFlows(n int) []model.Flow {
	activities := gz([]byte(form(
		"event", "CUSTOM_APP_EVENTS", "format", "json", "sdk", "ios", "advertiser_id", idfa,
		"anon_id", "XZ8C0B0D47-5F1E-4C55-9A8B-3A7B7E9C2D11", "advertiser_tracking_enabled", "1",
		"application_tracking_enabled", "1", "extinfo", extinfoPreV17, "ud", "{}",
		"url_schemes", `["fb1234567890123","zoomlike"]`,
		"custom_events", `[{"_eventName":"fb_mobile_activate_app","_logTime":1711357200,"_ui":"no_ui","_session_id":"A1B2C3D4-0000-4000-8000-000000000001","fb_mobile_launch_source":"Unclassified"},{"_eventName":"fb_sdk_initialize","_logTime":1711357200,"core_lib_included":"1"},{"_eventName":"fb_mobile_deactivate_app","_logTime":1711357260,"_valueToSum":60}]`,
	)))
	settingsResp := gz([]byte(`{"app_events_feature_bitmask":5,"name":"Zoomlike","default_share_mode":"native","supports_implicit_sdk_logging":true,"app_events_session_timeout":60,"auto_log_app_events_enabled":true,"auto_log_app_events_default":true,"id":"1234567890123"}`))
	ga4 := gz(ga4Batch(idfa))
	fis := []byte(`{"fid":"cXvG1hG2Rk2mV3pHq5XqLm","appId":"1:1234567890:ios:abcdef0123456789","authVersion":"FIS_v2","sdkVersion":"i:10.24.0"}`)
	branch := []byte(`{"hardware_id":"A1B2C3D4-E5F6-4711-8899-AABBCCDDEEFF","is_hardware_id_real":true,"advertising_ids":{"idfa":"` + idfa + `"},"model":"iPhone14,2","os":"iOS","os_version":"17.4","device_carrier":"Vodafone","local_ip":"192.168.1.23","screen_width":1170,"screen_height":2532,"branch_key":"key_live_abc","sdk":"ios3.0.0","app_version":"3.1.0","language":"en","country":"DE","ios_bundle_id":"com.example.app"}`)
	onesignal := []byte(`{"app_id":"5eb5a37e-b458-11e3-ac11-000c2940e62c","device_type":0,"identifier":"ce777617da7f548fe7a9ab6febb56cf39fba6d382000c0395666288d961ee566","ad_id":"` + zeroIDFA + `","device_model":"iPhone14,2","device_os":"17.4","timezone":3600,"timezone_id":"Europe/Berlin","carrier":"Telekom.de","language":"de","sdk":"050000","game_version":"3.1.0","net_type":0}`)
	adjust := []byte(form("app_token", "abc123def456", "idfa", idfa, "idfv", "A1B2C3D4-E5F6-4711-8899-AABBCCDDEEFF", "persistent_ios_uuid", "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0", "device_name", "iPhone14,2", "os_version", "17.4", "language", "en", "country", "DE", "tracking_enabled", "1", "att_status", "3", "created_at", "2026-03-25T09:00:00.000Z+0100", "session_count", "3", "environment", "production"))
	appsflyer := []byte(`{"advertiserId":"` + idfa + `","vendorId":"A1B2C3D4-E5F6-4711-8899-AABBCCDDEEFF","uid":"1711357200123-1234567","deviceType":"iPhone14,2","carrier":"Telekom.de","lang":"en","country":"DE","disk":"12045/61035","af_timestamp":"1711357200123","counter":"3","iaecounter":"0","timepassedsincelastlaunch":"120","launch_counter":"3"}`)
	api := []byte(`{"user":{"id":"u_8812734","display_name":"Alice","settings":{"theme":"dark","notifications":true,"language":"en"}},"meeting":{"id":"98765432101","topic":"Weekly sync","start":"2026-03-25T10:00:00Z","duration":30,"participants":[{"name":"Bob","role":"host"},{"name":"Carol","role":"attendee"}]},"client":{"version":"3.1.0","build":"1042","platform":"ios"}}`)
	apiHeaders := []string{"Content-Type", "application/json", "User-Agent", "Zoomlike/3.1.0 (iPhone; iOS 17.4; Scale/3.00)", "Authorization", "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1Xzg4MTI3MzQifQ.c2lnbmF0dXJl", "Accept-Language", "en-US;q=1"}

	templates := []struct {
		weight int
		f      model.Flow
	}{
		{10, flow("POST", "https://graph.facebook.com/v17.0/1234567890123/activities", activities, "Content-Type", "application/x-www-form-urlencoded", "Content-Encoding", "gzip", "User-Agent", "FBiOSSDK.17.0.0")},
		{5, func() model.Flow {
			f := flow("GET", "https://graph.facebook.com/v17.0/1234567890123?fields=app_events_feature_bitmask%2Cname%2Cios_sdk_dialog_flows.os_version(17.4)%2Cauto_log_app_events_enabled&os_version=17.4&sdk=ios&format=json", nil, "User-Agent", "FBiOSSDK.17.0.0")
			f.Response.Body = settingsResp
			f.Response.Headers = []model.Header{{Name: "Content-Type", Value: "application/json"}, {Name: "Content-Encoding", Value: "gzip"}}
			return f
		}()},
		{10, flow("POST", "https://app-measurement.com/a", ga4, "Content-Type", "application/x-www-form-urlencoded", "Content-Encoding", "gzip")},
		{5, flow("POST", "https://firebaseinstallations.googleapis.com/v1/projects/example-app/installations", fis, "Content-Type", "application/json", "X-Ios-Bundle-Identifier", "com.example.app", "x-goog-api-key", "AIzaSyExampleExampleExampleExample00")},
		{5, flow("POST", "https://api2.branch.io/v1/open", branch, "Content-Type", "application/json")},
		{5, flow("POST", "https://api.onesignal.com/players", onesignal, "Content-Type", "application/json")},
		{5, flow("POST", "https://app.adjust.com/session", adjust, "Content-Type", "application/x-www-form-urlencoded")},
		{5, flow("POST", "https://launches.appsflyer.com/api/v6.13/iosevent?app_id=id1234567890&buildnumber=6.13.0", appsflyer, "Content-Type", "application/json")},
		{15, flow("POST", "https://api.zoomlike.example/v2/meetings", api, apiHeaders...)},
		{15, flow("GET", "https://api.zoomlike.example/v2/users/me/settings?include=devices&lang=en&tz=Europe%2FBerlin", nil, apiHeaders...)},
		{20, flow("GET", "https://cdn.zoomlike.example/assets/avatars/u_8812734.png?w=128&h=128", nil, "User-Agent", "Zoomlike/3.1.0 CFNetwork/1490.0.4 Darwin/23.4.0", "Accept", "image/*")},
	}
	var total int
	for _, t := range templates {
		total += t.weight
	}
	flows := make([]model.Flow, 0, n)
	for i := 0; len(flows) < n; i++ {
		for _, t := range templates {
			for w := 0; w < t.weight && len(flows) < n; w++ {
				f := t.f
				f.Index = len(flows)
				f.Time = t0.Add(time.Duration(len(flows)) * 50 * time.Millisecond)
				flows = append(flows, f)
			}
		}
	}
	return flows
}

func benchmarkAnalyze(b *testing.B, n int) {
	flows := realisticFlows(n)
	known := mustKnown(b)
	// Baseline measured in the same run: only un-gzipping every gzip body, the least any
	// analysis must do. The ratio of CPU times shows the cost of the rest whatever the machine
	// and however busy it is.
	var baseline time.Duration
	for round := 0; round < 3; round++ {
		start := cpuTime()
		for i := range flows {
			if body := flows[i].Request.Body; bytes.HasPrefix(body, gzipMagic) {
				zr, _ := gzip.NewReader(bytes.NewReader(body))
				io.Copy(io.Discard, zr)
			}
		}
		if d := cpuTime() - start; round == 0 || d < baseline {
			baseline = d
		}
	}
	b.ResetTimer()
	cpu0 := cpuTime()
	for i := 0; i < b.N; i++ {
		s := &model.Session{Flows: flows}
		Analyze(s, Options{Attribute: attributeFake, Known: known})
	}
	cpu := (cpuTime() - cpu0) / time.Duration(b.N)
	elapsed := b.Elapsed() / time.Duration(b.N)
	// CPU time holds steady when other processes share the machine; wall time does not.
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(n), "cpu-ns/flow")
	b.ReportMetric(float64(elapsed.Nanoseconds())/float64(n), "ns/flow")
	b.ReportMetric(float64(cpu)/float64(max(baseline, time.Microsecond)), "x-gunzip-baseline")
	b.ReportMetric(elapsed.Seconds(), "s/session")
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func BenchmarkAnalyze10k(b *testing.B)  { benchmarkAnalyze(b, 10_000) }
func BenchmarkAnalyze100k(b *testing.B) { benchmarkAnalyze(b, 100_000) }

// BenchmarkKnownFind is the known-value scan alone over a 2 KB text.
func BenchmarkKnownFind(b *testing.B) {
	k := mustKnown(b)
	text := string(bytes.Repeat([]byte("advertiser_id=abc&extinfo=iPhone14,2&lat=52.1&"), 44))
	b.SetBytes(int64(len(text)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		k.find(text)
	}
}

func TestRealisticFlowsAnalyse(t *testing.T) {
	flows := realisticFlows(101)
	s := &model.Session{Flows: flows}
	Analyze(s, Options{Attribute: attributeFake, Known: mustKnown(t)})
	for _, f := range s.Flows {
		if len(f.Problems) != 0 {
			t.Errorf("flow %d %s: %v", f.Index, f.URL, f.Problems)
		}
	}
	counts := map[string]int{}
	for _, f := range s.Flows {
		counts[fmt.Sprint(len(f.Data) > 0)]++
	}
	if counts["true"] < 60 {
		t.Errorf("only %d of 101 flows carry data", counts["true"])
	}
}
