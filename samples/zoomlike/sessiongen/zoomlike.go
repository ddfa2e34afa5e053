package sessiongen

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"
)

// The test device and app of the Zoomlike sessions. The IDFA, IDFV and the rest are the
// tester's planted values (samples/zoomlike/known.yml), so a report can show where they went.
const (
	FacebookAppID = "1234567890123456"
	IDFA          = "6D92078A-8246-4BA4-AE5B-76104861E7DC"
	IDFV          = "A3C9F1E2-5B7D-4E8F-9A1B-2C3D4E5F6A7B"
	AnonID        = "XZ0E6C4A1B-3D2F-4B5E-8C7A-9F1E2D3C4B5A"
	sessionID     = "8F3A2B1C-4D5E-4F6A-9B8C-7D6E5F4A3B2C"
	PushToken     = "9f1c2e3d4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0"
	graphVersion  = "v5.0"
	sdkVersion    = "5.15.1"
	osVersion     = "13.3.1"
	userAgent     = "Zoomlike/501 CFNetwork/1121.2.2 Darwin/19.3.0"
	fbUserAgent   = "FBiOSSDK.5.15.1"
)

// Launch is the moment the tester launched the app: 26 March 2020, the day the 2020 case was
// reported.
var Launch = time.Date(2020, 3, 26, 14, 5, 0, 0, time.UTC)

// extinfo is the 16-slot device array of a pre-v17 Facebook SDK (telemetry-formats.md §1.1):
// bundle id, build, version, OS, machine, locale, time-zone abbreviation, carrier, screen width
// and height, density, CPU cores, total and free disk space in GB, time-zone name.
var extinfo = `["i2","com.example.zoomlike","501","5.0.1","13.3.1","iPhone11,2","en_US","PDT","AT&T",375,812,"3.00",6,64,23,"America/Los_Angeles"]`

func at(sec float64) time.Time { return Launch.Add(time.Duration(sec * float64(time.Second))) }

func form(pairs ...string) string {
	var b strings.Builder
	for i := 0; i+1 < len(pairs); i += 2 {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(pairs[i]))
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(pairs[i+1]))
	}
	return b.String()
}

func base64Std(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func fbGraph(path string) string {
	return "https://graph.facebook.com/" + graphVersion + "/" + FacebookAppID + path
}

// activities is a POST of the Facebook SDK's app events, as FBSDKAppEvents sends it.
func activities(sec float64, event string, extra []string, gzip bool) Entry {
	pairs := []string{
		"event", event,
		"advertiser_id", IDFA,
		"anon_id", AnonID,
		"advertiser_tracking_enabled", "1",
		"application_tracking_enabled", "1",
		"extinfo", extinfo,
		"url_schemes", `["fb` + FacebookAppID + `"]`,
		"ud", "{}",
	}
	pairs = append(pairs, extra...)
	pairs = append(pairs, "sdk", "ios", "format", "json", "include_headers", "false")
	headers := [][2]string{
		{"Content-Type", "application/x-www-form-urlencoded"},
		{"User-Agent", fbUserAgent},
		{"Accept-Language", "en-US"},
	}
	if gzip {
		headers = append(headers, [2]string{"Content-Encoding", "gzip"})
	}
	return Entry{Time: at(sec), Method: "POST", URL: fbGraph("/activities"), Headers: headers, Body: form(pairs...),
		Status: 200, RespType: "application/json", RespBody: `{"success":true}`, WaitMS: 182, ServerIP: "157.240.22.19"}
}

// appSettings is FBSDKServerConfigurationManager's fetch of the app's settings.
func appSettings(sec float64) Entry {
	fields := "app_events_feature_bitmask,name,default_share_mode,ios_dialog_configs,ios_sdk_dialog_flows.os_version(" + osVersion +
		"),ios_sdk_error_categories,supports_implicit_sdk_logging,gdpv4_nux_enabled,gdpv4_nux_content,app_events_session_timeout,logging_token,restrictive_data_filter_params,aam_rules,suggested_events_setting"
	q := form("fields", fields, "locale", "en_US", "sdk", "ios", "format", "json", "include_headers", "false")
	return Entry{Time: at(sec), Method: "GET", URL: fbGraph("?" + q),
		Headers: [][2]string{{"User-Agent", fbUserAgent}, {"Accept-Language", "en-US"}},
		Status:  200, RespType: "application/json",
		RespBody: `{"app_events_feature_bitmask":5,"name":"Zoomlike","default_share_mode":"native","supports_implicit_sdk_logging":true,"gdpv4_nux_enabled":false,"app_events_session_timeout":60,"id":"` + FacebookAppID + `"}`,
		WaitMS:   96, ServerIP: "157.240.22.19"}
}

// gatekeepers is FBSDKGateKeeperManager's fetch.
func gatekeepers(sec float64) Entry {
	q := form("platform", "ios", "sdk_version", sdkVersion, "fields", "gatekeepers", "format", "json", "include_headers", "false", "sdk", "ios")
	return Entry{Time: at(sec), Method: "GET", URL: fbGraph("/mobile_sdk_gk?" + q),
		Headers: [][2]string{{"User-Agent", fbUserAgent}, {"Accept-Language", "en-US"}},
		Status:  200, RespType: "application/json",
		RespBody: `{"data":[{"gatekeepers":[{"key":"app_events_killswitch","value":false}]}]}`, WaitMS: 88, ServerIP: "157.240.22.19"}
}

func customEvents(sec float64, names ...string) string {
	var evs []map[string]any
	for i, n := range names {
		evs = append(evs, map[string]any{
			"_eventName": n, "_logTime": at(sec).Unix() - int64(len(names)-i), "_ui": "no_ui",
			"_session_id": sessionID, "fb_mobile_launch_source": "Unclassified",
		})
	}
	b, _ := json.Marshal(evs)
	return string(b)
}

// Own traffic of the app: its configuration and the device registration for call alerts.
func ownConfig(sec float64) Entry {
	return Entry{Time: at(sec), Method: "GET", URL: "https://api.zoomlike.example/v1/config?platform=ios&app_version=5.0.1&locale=en_US",
		Headers: [][2]string{{"User-Agent", userAgent}, {"Accept", "application/json"}, {"Accept-Language", "en-US"}},
		Status:  200, RespType: "application/json", RespBody: `{"meetings":{"max_participants":100},"login":{"facebook":true}}`,
		WaitMS: 64, ServerIP: "203.0.113.10"}
}

func ownDevice(sec float64) Entry {
	body := fmt.Sprintf(`{"device_id":"%s","platform":"ios","os_version":"%s","push_token":"%s"}`, IDFV, osVersion, PushToken)
	return Entry{Time: at(sec), Method: "POST", URL: "https://api.zoomlike.example/v1/devices",
		Headers: [][2]string{{"User-Agent", userAgent}, {"Content-Type", "application/json"}, {"Accept-Language", "en-US"}},
		Body:    body, Status: 201, RespType: "application/json", RespBody: `{"registered":true}`, WaitMS: 71, ServerIP: "203.0.113.10"}
}

// ZoomlikeLaunch is the 2020 case: the app hands its launch to the Facebook SDK, which fetches
// its settings and gatekeepers and posts the install and activation events with the IDFA, the
// persistent anon_id and the device array within about a second and a half, while the app asks
// nothing (no consent marker in the session). One events post is gzip-encoded, as the SDK sends
// them.
func ZoomlikeLaunch() ([]Marker, []Entry) {
	markers := []Marker{{Event: "launch", Time: Launch, Source: "key", Note: "first launch after install"}}
	entries := []Entry{
		ownConfig(0.412),
		appSettings(0.634),
		gatekeepers(0.702),
		activities(1.186, "MOBILE_APP_INSTALL", nil, true),
		activities(1.347, "CUSTOM_APP_EVENTS", []string{"custom_events", customEvents(1.347, "fb_sdk_initialize", "fb_mobile_activate_app")}, false),
		ownDevice(1.925),
	}
	return markers, entries
}

// ZoomlikeConsented is the same app done right: it asks first, and the Facebook SDK starts
// only after the user agreed and authorized tracking.
func ZoomlikeConsented() ([]Marker, []Entry) {
	markers := []Marker{
		{Event: "launch", Time: Launch, Source: "key", Note: "first launch after install"},
		{Event: "consent-accepted", Time: at(6.81), Source: "key", Note: "tapped Accept on the app's consent screen"},
		{Event: "att-authorized", Time: at(9.12), Source: "key", Note: "tapped Allow on the tracking prompt"},
	}
	entries := []Entry{
		ownConfig(0.412),
		ownDevice(1.925),
		appSettings(9.487),
		gatekeepers(9.551),
		activities(10.093, "MOBILE_APP_INSTALL", nil, true),
		activities(10.241, "CUSTOM_APP_EVENTS", []string{"custom_events", customEvents(10.241, "fb_sdk_initialize", "fb_mobile_activate_app")}, false),
	}
	return markers, entries
}

// Write writes a session given as markers and entries.
func Write(w io.Writer, markers []Marker, entries []Entry) error {
	i := 0
	return WriteHAR(w, "sdkflow samples/zoomlike/sessiongen", markers, func() (Entry, bool) {
		if i == len(entries) {
			return Entry{}, false
		}
		i++
		return entries[i-1], true
	})
}
