package traffic

import (
	"strings"
	"testing"

	"github.com/sdkflow/sdkflow/model"
)

const (
	extinfoV17    = `["i2","com.example.app","1042","3.1.0","17.4","iPhone14,2","en_US","CET","Carrier",390,844,"3.00",6,-1,-1,"Europe/Berlin"]`
	extinfoPreV17 = `["i2","us.zoomlike.videomeetings","4.6.4","4.6.4","13.3.1","iPhone11,8","en_US","EDT","Verizon",414,896,"2.00",6,64,12,"America/New_York"]`
	idfa          = "6D92078A-8246-4BA4-AE5B-76104861E7DC"
	zeroIDFA      = "00000000-0000-0000-0000-000000000000"
)

type want struct {
	loc, typ, value, match string
	personal               bool
}

func checkItems(t *testing.T, items []model.DataItem, wants []want) {
	t.Helper()
	for _, w := range wants {
		it := itemAt(items, w.loc)
		if it == nil {
			t.Errorf("no item at %s; have:\n%s", w.loc, dump(items))
			continue
		}
		if it.Type != w.typ || (w.value != "" && it.Value != w.value) || !strings.Contains(it.Match, w.match) || it.Personal != w.personal {
			t.Errorf("%s: got %+v, want type %s value %q match ~%q personal %v", w.loc, *it, w.typ, w.value, w.match, w.personal)
		}
	}
}

func dump(items []model.DataItem) string {
	var b strings.Builder
	for _, it := range items {
		b.WriteString("  " + it.Location + " " + it.Type + " " + it.Value + " [" + it.Match + "]\n")
	}
	return b.String()
}

func TestFacebookActivities(t *testing.T) {
	body := form(
		"event", "CUSTOM_APP_EVENTS", "format", "json", "sdk", "ios",
		"advertiser_id", idfa, "anon_id", "XZ8C0B0D47-5F1E-4C55-9A8B-3A7B7E9C2D11",
		"advertiser_tracking_enabled", "1", "application_tracking_enabled", "1",
		"extinfo", extinfoV17, "ud", "{}",
		"custom_events", `[{"_eventName":"fb_mobile_activate_app","_logTime":1711357200,"_ui":"no_ui","_session_id":"A1B2C3D4-0000-4000-8000-000000000001"},{"_eventName":"fb_sdk_initialize","_logTime":1711357200}]`,
	)
	f := flow("POST", "https://ep1.facebook.com/v17.0/1234567890123/activities", gz([]byte(body)),
		"Content-Type", "application/x-www-form-urlencoded", "Content-Encoding", "gzip")
	got := analyzeOne(t, f, Options{})
	if len(got.Problems) != 0 {
		t.Fatalf("problems: %v", got.Problems)
	}
	checkItems(t, got.Data, []want{
		{"path", TypeAppID, "1234567890123", "adapter:facebook-activities/app-id", false},
		{"body.event", TypeEvent, "CUSTOM_APP_EVENTS", "adapter:facebook-activities/event", false},
		{"body.advertiser_id", TypeAdvertisingID, idfa, "adapter:facebook-activities/advertiser-id", true},
		{"body.anon_id", TypeDeviceID, "", "adapter:facebook-activities/anon-id", true},
		{"body.advertiser_tracking_enabled", TypeTrackingFlag, "1", "adapter:", false},
		{"body.extinfo[1]", TypeAppID, "com.example.app", "bundle-id", false},
		{"body.extinfo[4]", TypeOSVersion, "17.4", "os-version", true},
		{"body.extinfo[5]", TypeDeviceModel, "iPhone14,2", "adapter:facebook-activities/device-model", true},
		{"body.extinfo[6]", TypeLocale, "en_US", "locale", true},
		{"body.extinfo[7]", TypeTimeZone, "CET", "time-zone-abbreviation", true},
		{"body.extinfo[8]", TypeCarrier, "Carrier", "carrier", true},
		{"body.extinfo[9]", TypeScreen, "390", "screen-width", true},
		{"body.extinfo[10]", TypeScreen, "844", "screen-height", true},
		{"body.extinfo[11]", TypeScreen, "3.00", "screen-density", true},
		{"body.extinfo[12]", TypeCPUCores, "6", "cpu-cores", true},
		{"body.extinfo[15]", TypeTimeZone, "Europe/Berlin", "time-zone-name", true},
		{"body.custom_events[0]._eventName", TypeEvent, "fb_mobile_activate_app", "event-name", false},
		{"body.custom_events[1]._eventName", TypeEvent, "fb_sdk_initialize", "event-name", false},
	})
	// Since SDK v17 the disk slots hold -1: not sent, so not reported.
	for _, loc := range []string{"body.extinfo[13]", "body.extinfo[14]", "body.ud", "body.custom_events[0]._session_id"} {
		if it := itemAt(got.Data, loc); it != nil {
			t.Errorf("%s reported: %+v", loc, *it)
		}
	}
	// The generic detectors agree on the device model and are listed after the adapter.
	if it := itemAt(got.Data, "body.extinfo[5]"); it != nil && it.Match != "adapter:facebook-activities/device-model, shape:apple-model" {
		t.Errorf("merged match = %q", it.Match)
	}
	if got.Endpoint == "" || got.Party != "facebook.com" {
		t.Errorf("endpoint %q party %q", got.Endpoint, got.Party)
	}
}

func TestFacebookActivitiesPreV17DiskSpace(t *testing.T) {
	body := form("event", "MOBILE_APP_INSTALL", "advertiser_id", idfa, "extinfo", extinfoPreV17,
		"ud", `{"em":"3f0a7e1b2c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7"}`)
	f := flow("POST", "https://graph.facebook.com/v5.0/1234567890123/activities", []byte(body),
		"Content-Type", "application/x-www-form-urlencoded")
	got := analyzeOne(t, f, Options{})
	checkItems(t, got.Data, []want{
		{"body.extinfo[13]", TypeDiskSpace, "64", "total-disk-space-gb", true},
		{"body.extinfo[14]", TypeDiskSpace, "12", "free-disk-space-gb", true},
		{"body.extinfo[15]", TypeTimeZone, "America/New_York", "time-zone-name", true},
		{"body.extinfo[8]", TypeCarrier, "Verizon", "carrier", true},
		{"body.ud.em", TypeEmail, "", "hashed-email", true},
	})
	if it := itemAt(got.Data, "body.extinfo[13]"); it != nil && it.ManifestType != ManifestOtherDataTypes {
		t.Errorf("disk manifest type %q", it.ManifestType)
	}
}

func TestFacebookZeroIDFAIsNoIdentifier(t *testing.T) {
	body := form("event", "CUSTOM_APP_EVENTS", "advertiser_id", zeroIDFA, "advertiser_tracking_enabled", "0", "extinfo", extinfoV17)
	f := flow("POST", "https://ep2.facebook.com/v17.0/1234567890123/activities", []byte(body))
	got := analyzeOne(t, f, Options{})
	checkItems(t, got.Data, []want{
		{"body.advertiser_id", TypeNoAdvertisingID, zeroIDFA, "adapter:facebook-activities/advertiser-id", false},
	})
	for _, it := range got.Data {
		if it.Type == TypeAdvertisingID {
			t.Errorf("zero IDFA reported as an advertising id: %+v", it)
		}
	}
}

func TestFacebookCodelessExtinfo(t *testing.T) {
	f := flow("GET", "https://graph.facebook.com/v17.0/1234567890123?fields=auto_event_setup_enabled&extinfo="+
		`%5B%22iPhone14%2C2%22%2C%22`+idfa+`%22%2C%220%22%2C%220%22%2C%22en_US%22%5D`, nil)
	f2 := flow("POST", "https://graph.facebook.com/v17.0/1234567890123/activities",
		[]byte(form("extinfo", `["iPhone14,2","`+idfa+`","0","0","en_US"]`)))
	got := analyzeOne(t, f2, Options{})
	checkItems(t, got.Data, []want{
		{"body.extinfo[0]", TypeDeviceModel, "iPhone14,2", "adapter:facebook-activities/device-model", true},
		{"body.extinfo[1]", TypeAdvertisingID, idfa, "advertiser-id", true},
		{"body.extinfo[4]", TypeLocale, "en_US", "locale", true},
	})
	got = analyzeOne(t, f, Options{})
	if it := itemAt(got.Data, "query.extinfo[1]"); it == nil || it.Type != TypeAdvertisingID {
		t.Errorf("query extinfo: %s", dump(got.Data))
	}
}

func TestFacebookAppSettings(t *testing.T) {
	f := flow("GET", "https://graph.facebook.com/v17.0/1234567890123?fields=app_events_feature_bitmask%2Cname%2Cios_sdk_dialog_flows.os_version(17.4)%2Cauto_log_app_events_enabled&os_version=17.4&sdk=ios&format=json", nil)
	f.Response.Body = gz([]byte(`{"app_events_feature_bitmask":5,"auto_log_app_events_enabled":true,"auto_log_app_events_default":true,"id":"1234567890123"}`))
	f.Response.Headers = []model.Header{{Name: "Content-Type", Value: "application/json"}, {Name: "Content-Encoding", Value: "gzip"}}
	got := analyzeOne(t, f, Options{})
	checkItems(t, got.Data, []want{
		{"path", TypeAppID, "1234567890123", "adapter:facebook-app-settings/app-id", false},
		{"query.os_version", TypeOSVersion, "17.4", "adapter:facebook-app-settings/os-version", true},
		{"response.body.auto_log_app_events_enabled", TypeServerSetting, "true", "auto-log-override", false},
		{"response.body.auto_log_app_events_default", TypeServerSetting, "true", "auto-log-override", false},
	})
	var inFields bool
	for _, it := range got.Data {
		if it.Location == "query.fields" && it.Type == TypeOSVersion && it.Value == "17.4" {
			inFields = true
		}
	}
	if !inFields {
		t.Errorf("os_version(...) inside fields not found:\n%s", dump(got.Data))
	}
	gk := flow("GET", "https://graph.facebook.com/v17.0/1234567890123/mobile_sdk_gk?platform=ios&sdk_version=17.0.0&fields=gatekeepers&os_version=17.4", nil)
	got = analyzeOne(t, gk, Options{})
	checkItems(t, got.Data, []want{{"query.os_version", TypeOSVersion, "17.4", "adapter:facebook-app-settings", true}})
}

// ga4Batch is a hand-built app-measurement.com/a batch: one bundle with two events.
func ga4Batch(advertisingID string) []byte {
	param := cat(pbString(1, "_o"), pbString(2, "auto"))
	ev1 := cat(pbBytes(1, param), pbString(2, "_f"), pbVarint(3, 1711357200123))
	ev2 := cat(pbBytes(1, param), pbString(2, "screen_view"), pbVarint(3, 1711357201123))
	bundle := cat(
		pbVarint(1, 1), pbBytes(2, ev1), pbBytes(2, ev2),
		pbVarint(4, 1711357202000), pbString(8, "ios"), pbString(9, "17.4"), pbString(10, "iPhone14,2"),
		pbString(11, "en-us"), pbVarint(12, 60), pbString(14, "com.example.app"), pbString(16, "3.1.0"),
		pbVarint(17, 110000), pbString(19, advertisingID), pbString(21, "7f3a9c2b1d4e4f60a1b2c3d4e5f60718"),
		pbString(25, "1:1234567890:ios:abcdef0123456789"), pbString(27, "A1B2C3D4-E5F6-4711-8899-AABBCCDDEEFF"),
	)
	return pbBytes(1, bundle)
}

func TestFirebaseAnalyticsProtobuf(t *testing.T) {
	// Content-Type says form, as the SDK does: the endpoint decides.
	f := flow("POST", "https://app-measurement.com/a", gz(ga4Batch(idfa)),
		"Content-Type", "application/x-www-form-urlencoded", "Content-Encoding", "gzip")
	got := analyzeOne(t, f, Options{})
	if len(got.Problems) != 0 {
		t.Fatalf("problems: %v", got.Problems)
	}
	checkItems(t, got.Data, []want{
		{"body.pb.1.9", TypeOSVersion, "17.4", "adapter:firebase-analytics/os-version (field 9, schema)", true},
		{"body.pb.1.10", TypeDeviceModel, "iPhone14,2", "adapter:firebase-analytics/device-model", true},
		{"body.pb.1.11", TypeLocale, "en-us", "language", true},
		{"body.pb.1.12", TypeTimeZone, "60", "time-zone-offset-minutes", true},
		{"body.pb.1.19", TypeAdvertisingID, idfa, "idfa (field 19, observed)", true},
		{"body.pb.1.21", TypeDeviceID, "7f3a9c2b1d4e4f60a1b2c3d4e5f60718", "app-instance-id", true},
		{"body.pb.1.27", TypeIDFV, "A1B2C3D4-E5F6-4711-8899-AABBCCDDEEFF", "idfv", true},
	})
	var events []string
	for _, it := range got.Data {
		if it.Location == "body.pb.1.2.2" {
			events = append(events, it.Value)
		}
	}
	if strings.Join(events, ",") != "_f,screen_view" {
		t.Errorf("events = %v", events)
	}
	zero := analyzeOne(t, flow("POST", "https://region1.app-measurement.com/a", ga4Batch(zeroIDFA)), Options{})
	if it := itemAt(zero.Data, "body.pb.1.19"); it == nil || it.Type != TypeNoAdvertisingID {
		t.Errorf("zero IDFA in GA4: %+v", it)
	}
}

func TestFirebaseInstallations(t *testing.T) {
	body := `{"fid":"cXvG1hG2Rk2mV3pHq5XqLm","appId":"1:1234567890:ios:abcdef0123456789","authVersion":"FIS_v2","sdkVersion":"i:10.24.0"}`
	f := flow("POST", "https://firebaseinstallations.googleapis.com/v1/projects/example-app/installations", []byte(body),
		"Content-Type", "application/json", "X-Ios-Bundle-Identifier", "com.example.app", "x-goog-api-key", "AIzaSyExampleExampleExampleExample00")
	got := analyzeOne(t, f, Options{})
	checkItems(t, got.Data, []want{
		{"body.fid", TypeDeviceID, "cXvG1hG2Rk2mV3pHq5XqLm", "adapter:firebase-installations/fid", true},
		{"body.appId", TypeAppID, "", "adapter:firebase-installations/app-id", false},
		{"header.x-ios-bundle-identifier", TypeAppID, "com.example.app", "bundle-id", false},
	})
	auth := flow("POST", "https://firebaseinstallations.googleapis.com/v1/projects/example-app/installations/cXvG1hG2Rk2mV3pHq5XqLm/authTokens:generate",
		[]byte(`{"installation":{"sdkVersion":"i:10.24.0"}}`), "Authorization", "FIS_v2 2_abcdefghijklmnopqrstuvwxyz")
	got = analyzeOne(t, auth, Options{})
	checkItems(t, got.Data, []want{
		{"path", TypeDeviceID, "cXvG1hG2Rk2mV3pHq5XqLm", "adapter:firebase-installations/fid", true},
		{"header.authorization", TypeAuthToken, "", "refresh-token", true},
	})
}

func TestAppsFlyerAdjustBranchOneSignal(t *testing.T) {
	cases := []struct {
		name  string
		f     model.Flow
		wants []want
	}{
		{"appsflyer", flow("POST", "https://launches.appsflyer.com/api/v6.13/iosevent?app_id=id1234567890&buildnumber=6.13.0",
			[]byte(`{"advertiserId":"`+idfa+`","vendorId":"A1B2C3D4-E5F6-4711-8899-AABBCCDDEEFF","uid":"1711357200123-1234567","deviceType":"iPhone14,2","carrier":"Telekom.de","lang":"en","country":"DE","disk":"12045/61035"}`),
			"Content-Type", "application/json"),
			[]want{
				{"body.advertiserId", TypeAdvertisingID, idfa, "adapter:appsflyer/advertiserId", true},
				{"body.vendorId", TypeIDFV, "", "adapter:appsflyer/vendorId", true},
				{"body.uid", TypeDeviceID, "", "adapter:appsflyer", true},
				{"body.deviceType", TypeDeviceModel, "iPhone14,2", "adapter:appsflyer", true},
				{"body.carrier", TypeCarrier, "Telekom.de", "adapter:appsflyer", true},
				{"body.disk", TypeDiskSpace, "12045/61035", "adapter:appsflyer", true},
				{"query.app_id", TypeAppID, "id1234567890", "adapter:appsflyer", false},
			}},
		{"adjust", flow("POST", "https://app.adjust.com/session",
			[]byte(form("app_token", "abc123def456", "idfa", idfa, "idfv", "A1B2C3D4-E5F6-4711-8899-AABBCCDDEEFF",
				"persistent_ios_uuid", "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0", "device_name", "iPhone14,2", "os_version", "17.4",
				"language", "en", "country", "DE", "tracking_enabled", "1", "att_status", "3")),
			"Content-Type", "application/x-www-form-urlencoded"),
			[]want{
				{"body.idfa", TypeAdvertisingID, idfa, "adapter:adjust/idfa", true},
				{"body.idfv", TypeIDFV, "", "adapter:adjust/idfv", true},
				{"body.persistent_ios_uuid", TypeDeviceID, "", "adapter:adjust", true},
				{"body.device_name", TypeDeviceModel, "iPhone14,2", "adapter:adjust/device_name (the model)", true},
				{"body.os_version", TypeOSVersion, "17.4", "adapter:adjust", true},
				{"body.att_status", TypeTrackingFlag, "3", "adapter:adjust", false},
			}},
		{"branch", flow("POST", "https://api2.branch.io/v1/open",
			[]byte(`{"hardware_id":"A1B2C3D4-E5F6-4711-8899-AABBCCDDEEFF","is_hardware_id_real":true,"advertising_ids":{"idfa":"`+idfa+`"},"model":"iPhone14,2","os":"iOS","os_version":"17.4","device_carrier":"Vodafone","local_ip":"192.168.1.23","screen_width":1170,"screen_height":2532,"branch_key":"key_live_abc","sdk":"ios3.0.0"}`),
			"Content-Type", "application/json"),
			[]want{
				{"body.hardware_id", TypeDeviceID, "", "adapter:branch/hardware_id", true},
				{"body.advertising_ids.idfa", TypeAdvertisingID, idfa, "adapter:branch", true},
				{"body.model", TypeDeviceModel, "iPhone14,2", "adapter:branch/model", true},
				{"body.os_version", TypeOSVersion, "17.4", "adapter:branch", true},
				{"body.device_carrier", TypeCarrier, "Vodafone", "adapter:branch", true},
				{"body.local_ip", TypeIPAddress, "192.168.1.23", "adapter:branch/local_ip", true},
				{"body.screen_width", TypeScreen, "1170", "adapter:branch", true},
			}},
		{"onesignal", flow("POST", "https://api.onesignal.com/players",
			[]byte(`{"app_id":"5eb5a37e-b458-11e3-ac11-000c2940e62c","device_type":0,"identifier":"ce777617da7f548fe7a9ab6febb56cf39fba6d382000c0395666288d961ee566","ad_id":"`+zeroIDFA+`","device_model":"iPhone14,2","device_os":"17.4","timezone":3600,"timezone_id":"Europe/Berlin","carrier":"Telekom.de","language":"de","sdk":"050000"}`),
			"Content-Type", "application/json"),
			[]want{
				{"body.identifier", TypePushToken, "", "adapter:onesignal", true},
				{"body.ad_id", TypeNoAdvertisingID, zeroIDFA, "adapter:onesignal/ad_id", false},
				{"body.device_model", TypeDeviceModel, "iPhone14,2", "adapter:onesignal", true},
				{"body.device_os", TypeOSVersion, "17.4", "adapter:onesignal", true},
				{"body.timezone", TypeTimeZone, "3600", "adapter:onesignal", true},
				{"body.timezone_id", TypeTimeZone, "Europe/Berlin", "adapter:onesignal", true},
				{"body.carrier", TypeCarrier, "Telekom.de", "adapter:onesignal", true},
				{"body.language", TypeLocale, "de", "adapter:onesignal", true},
			}},
		{"onesignal-player-path", flow("PUT", "https://api.onesignal.com/players/1dd608f2-c6a1-11e3-851d-000c2940e62c/on_session",
			[]byte(`{"app_id":"5eb5a37e-b458-11e3-ac11-000c2940e62c"}`), "Content-Type", "application/json"),
			[]want{{"path", TypeDeviceID, "1dd608f2-c6a1-11e3-851d-000c2940e62c", "adapter:onesignal/player-id", true}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := analyzeOne(t, tc.f, Options{})
			if len(got.Problems) != 0 {
				t.Errorf("problems: %v", got.Problems)
			}
			checkItems(t, got.Data, tc.wants)
		})
	}
}

func TestAdapterPath(t *testing.T) {
	for in, want := range map[string]string{
		"body.custom_events[3]._eventName": "custom_events[]._eventName",
		"body.extinfo[5]":                  "extinfo[]",
		"query.os_version":                 "os_version",
		"header.authorization":             "authorization",
		"body.pb.1.21":                     "pb.1.21",
		"body.a[x]":                        "a[x]",
	} {
		if got := adapterPath(in); got != want {
			t.Errorf("adapterPath(%q) = %q, want %q", in, got, want)
		}
	}
}
