package traffic

import (
	"regexp"
	"strings"

	"github.com/sdkflow/sdkflow/model"
)

// An adapter knows one SDK endpoint's format, so its fields are named by what they are rather
// than guessed from their shape. Adapters under-match on purpose: every item they report is
// defensible from the SDK's source or its documentation (telemetry-formats.md).
type adapter struct {
	name string
	// endpoint says what the endpoint is for, used when no signature says.
	endpoint string
	// hosts are exact host names, or suffixes when they start with a dot.
	hosts  []string
	path   *regexp.Regexp
	method string // "" for any
	// paths name fields by location, the context (body., query.) and array indexes removed:
	// "extinfo[5]" or "custom_events[]._eventName" or "pb.1.21".
	paths map[string]slot
	// keys name fields by their normalised innermost key, wherever they are in the request.
	keys map[string]slot
	// extra runs after the tables, for what a table cannot say (extinfo variants, path ids).
	extra func(c *flowContext, a *adapter)
	// protobuf says the body is protobuf whatever its Content-Type claims.
	protobuf bool
	// response says the response body carries data items too (server overrides).
	response bool
}

// slot says what one field is.
type slot struct {
	typ   string
	label string
	// check may change the type (the all-zero IDFA) or reject the value (-1 = not sent).
	check func(v string) (typ string, ok bool)
}

func (a *adapter) matches(host, path, method string) bool {
	if a.method != "" && !strings.EqualFold(a.method, method) {
		return false
	}
	if !hostMatches(host, a.hosts) {
		return false
	}
	return a.path == nil || a.path.MatchString(path)
}

func hostMatches(host string, hosts []string) bool {
	for _, h := range hosts {
		if h[0] == '.' {
			if strings.HasSuffix(host, h) || host == h[1:] {
				return true
			}
		} else if host == h {
			return true
		}
	}
	return false
}

// idfaCheck turns the all-zero UUID into "no IDFA" and rejects what is not a UUID at all.
func idfaCheck(v string) (string, bool) {
	if !isUUID(v) {
		return "", false
	}
	if isZeroUUID(v) {
		return TypeNoAdvertisingID, true
	}
	return TypeAdvertisingID, true
}

func uuidCheck(typ string) func(string) (string, bool) {
	return func(v string) (string, bool) {
		if !isUUID(v) {
			return "", false
		}
		if isZeroUUID(v) {
			return "", false
		}
		return typ, true
	}
}

// notSent rejects Facebook's -1, which SDK v17+ sends in place of disk figures.
func notSent(v string) (string, bool) {
	if v == "-1" {
		return "", false
	}
	return TypeDiskSpace, true
}

func nonEmptyJSON(typ string) func(string) (string, bool) {
	return func(v string) (string, bool) {
		if v == "{}" || v == "[]" {
			return "", false
		}
		return typ, true
	}
}

var fbAppIDPath = regexp.MustCompile(`^/(?:v\d+(?:\.\d+)?/)?(\d{5,20})(?:/|$)`)

var fbExtinfo = map[int]slot{
	1: {TypeAppID, "bundle-id", nil}, 2: {TypeAppVersion, "build", nil}, 3: {TypeAppVersion, "version", nil},
	4: {TypeOSVersion, "os-version", nil}, 5: {TypeDeviceModel, "device-model", nil},
	6: {TypeLocale, "locale", nil}, 7: {TypeTimeZone, "time-zone-abbreviation", nil},
	8: {TypeCarrier, "carrier", nil}, 9: {TypeScreen, "screen-width", nil},
	10: {TypeScreen, "screen-height", nil}, 11: {TypeScreen, "screen-density", nil},
	12: {TypeCPUCores, "cpu-cores", nil}, 13: {TypeDiskSpace, "total-disk-space-gb", notSent},
	14: {TypeDiskSpace, "free-disk-space-gb", notSent}, 15: {TypeTimeZone, "time-zone-name", nil},
}

// fbCodelessExtinfo is the 5-slot extinfo of codeless indexing (FBSDKCodelessIndexer +extInfo).
var fbCodelessExtinfo = map[int]slot{
	0: {TypeDeviceModel, "device-model", nil}, 1: {TypeAdvertisingID, "advertiser-id", idfaCheck},
	4: {TypeLocale, "locale", nil},
}

func facebookExtra(c *flowContext, a *adapter) {
	if m := fbAppIDPath.FindStringSubmatch(c.path); m != nil {
		c.adapterItem(a, Field{Location: "path", Value: m[1]}, slot{TypeAppID, "app-id", nil})
	}
	facebookPayload(c, a)
}

// facebookPayload names the extinfo slots and the hashed user data, in a body or a query.
func facebookPayload(c *flowContext, a *adapter) {
	for _, ctx := range []string{"body.", "query."} {
		prefix := ctx + "extinfo["
		var slots []Field
		for _, f := range c.fields {
			if strings.HasPrefix(f.Location, prefix) {
				slots = append(slots, f)
			}
		}
		if len(slots) == 0 {
			continue
		}
		table := fbExtinfo
		if len(slots) == 5 && slots[0].Value != "i2" && slots[0].Value != "a2" {
			table = fbCodelessExtinfo
		}
		for _, f := range slots {
			idx, ok := arrayIndex(f.Location[len(prefix)-1:])
			if !ok {
				continue
			}
			if s, ok := table[idx]; ok {
				c.adapterItem(a, f, s)
			}
		}
		// Hashed user data: ud={"em":"<sha256>","ph":"<sha256>"}; {} by default.
		for _, f := range c.fields {
			if !strings.HasPrefix(f.Location, ctx+"ud.") {
				continue
			}
			switch strings.TrimPrefix(f.Location, ctx+"ud.") {
			case "em":
				c.adapterItem(a, f, slot{TypeEmail, "hashed-email (ud.em)", nil})
			case "ph":
				c.adapterItem(a, f, slot{TypePhone, "hashed-phone (ud.ph)", nil})
			case "fn", "ln":
				c.adapterItem(a, f, slot{TypeName, "hashed-name (ud)", nil})
			default:
				c.adapterItem(a, f, slot{TypeUserData, "hashed-user-data (ud)", nil})
			}
		}
	}
}

// arrayIndex reads "[12]..." into 12.
func arrayIndex(s string) (int, bool) {
	if len(s) < 3 || s[0] != '[' {
		return 0, false
	}
	n := 0
	for i := 1; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			n = n*10 + int(c-'0')
			if n > 1<<20 {
				return 0, false
			}
		case c == ']' && i > 1:
			return n, i == len(s)-1
		default:
			return 0, false
		}
	}
	return 0, false
}

var fbOSVersionInFields = regexp.MustCompile(`os_version\(([^)]{1,32})\)`)

func facebookSettingsExtra(c *flowContext, a *adapter) {
	facebookExtra(c, a) // codeless setup GETs carry advertiser_id and a 5-slot extinfo
	for _, f := range c.fields {
		if f.Location == "query.fields" {
			if m := fbOSVersionInFields.FindStringSubmatch(f.Value); m != nil {
				c.adapterItem(a, Field{Location: f.Location, Value: m[1]}, slot{TypeOSVersion, "os-version (in fields)", nil})
			}
		}
	}
	// The server can switch automatic event logging on whatever the app's Info.plist says.
	if c.flow.Response.Body == nil {
		return
	}
	resp := decodeMessage(&c.flow.Response, "response.body", false, c.max)
	for _, f := range resp.Fields {
		switch f.Key {
		case "auto_log_app_events_enabled", "auto_log_app_events_default":
			c.adapterItem(a, f, slot{TypeServerSetting, "auto-log-override", nil})
		}
	}
}

var firebaseInstallationPath = regexp.MustCompile(`^/v1/projects/[^/]+/installations/([^/]+)`)

func firebaseInstallationsExtra(c *flowContext, a *adapter) {
	if m := firebaseInstallationPath.FindStringSubmatch(c.path); m != nil {
		c.adapterItem(a, Field{Location: "path", Value: m[1]}, slot{TypeDeviceID, "fid", nil})
	}
}

var onesignalPlayerPath = regexp.MustCompile(`/players/([0-9a-fA-F-]{36})`)

func onesignalExtra(c *flowContext, a *adapter) {
	if m := onesignalPlayerPath.FindStringSubmatch(c.path); m != nil {
		c.adapterItem(a, Field{Location: "path", Value: m[1]}, slot{TypeDeviceID, "player-id", uuidCheck(TypeDeviceID)})
	}
}

// GA4 Batch fields. "schema" fields are named by the community proto definition
// (lari/firebase-ga4-app-measurement-protobuf); "observed" ones by observed values (TrackHAR).
// Both are readings of a schemaless decode, and the labels say so.
var firebaseAnalyticsPaths = map[string]slot{
	"pb.1.8":   {TypeOSName, "platform (field 8, schema)", nil},
	"pb.1.9":   {TypeOSVersion, "os-version (field 9, schema)", nil},
	"pb.1.10":  {TypeDeviceModel, "device-model (field 10, schema)", nil},
	"pb.1.11":  {TypeLocale, "language (field 11, schema)", nil},
	"pb.1.12":  {TypeTimeZone, "time-zone-offset-minutes (field 12, schema)", nil},
	"pb.1.14":  {TypeAppID, "bundle-id (field 14, schema)", nil},
	"pb.1.16":  {TypeAppVersion, "app-version (field 16, schema)", nil},
	"pb.1.19":  {TypeAdvertisingID, "idfa (field 19, observed)", idfaCheck},
	"pb.1.21":  {TypeDeviceID, "app-instance-id (field 21, schema)", nil},
	"pb.1.25":  {TypeAppID, "gmp-app-id (field 25, schema)", nil},
	"pb.1.27":  {TypeIDFV, "idfv (field 27, schema and observed)", uuidCheck(TypeIDFV)},
	"pb.1.30":  {TypeDeviceID, "firebase-instance-id (field 30, schema)", nil},
	"pb.1.2.2": {TypeEvent, "event-name (field 2.2, schema)", nil},
}

var adapters = []*adapter{
	{
		name: "facebook-activities", endpoint: "Facebook app events (activities)",
		hosts: []string{".facebook.com"}, path: regexp.MustCompile(`^/(?:v\d+(?:\.\d+)?/)?\d{5,20}/activities/?$`),
		paths: map[string]slot{
			"event":                            {TypeEvent, "event", nil},
			"advertiser_id":                    {TypeAdvertisingID, "advertiser-id", idfaCheck},
			"anon_id":                          {TypeDeviceID, "anon-id", nil},
			"advertiser_tracking_enabled":      {TypeTrackingFlag, "advertiser-tracking-enabled", nil},
			"application_tracking_enabled":     {TypeTrackingFlag, "application-tracking-enabled", nil},
			"advertiser_id_collection_enabled": {TypeTrackingFlag, "advertiser-id-collection-enabled", nil},
			"app_user_id":                      {TypeUserID, "app-user-id", nil},
			"custom_events[]._eventName":       {TypeEvent, "event-name", nil},
			"ud":                               {TypeUserData, "user-data (ud)", nonEmptyJSON(TypeUserData)},
		},
		extra: facebookExtra,
	},
	{
		name: "facebook-app-settings", endpoint: "Facebook app settings and gatekeepers",
		hosts: []string{".facebook.com"}, method: "GET",
		path: regexp.MustCompile(`^/(?:v\d+(?:\.\d+)?/)?\d{5,20}(?:/(?:mobile_sdk_gk|server_domain_infos|model_asset|ios_skadnetwork_conversion_config|aem_conversion_configs|cloudbridge_settings))?/?$`),
		paths: map[string]slot{
			"os_version":    {TypeOSVersion, "os-version", nil},
			"advertiser_id": {TypeAdvertisingID, "advertiser-id", idfaCheck},
		},
		extra:    facebookSettingsExtra,
		response: true,
	},
	{
		name: "firebase-analytics", endpoint: "Google Analytics for Firebase (GA4) event upload",
		hosts: []string{".app-measurement.com", ".app-analytics-services.com", ".app-analytics-services-att.com"},
		path:  regexp.MustCompile(`^/a$`), paths: firebaseAnalyticsPaths, protobuf: true,
	},
	{
		name: "firebase-installations", endpoint: "Firebase Installations",
		hosts: []string{"firebaseinstallations.googleapis.com"}, path: regexp.MustCompile(`^/v1/projects/[^/]+/installations`),
		paths: map[string]slot{
			"fid":                                {TypeDeviceID, "fid", nil},
			"appId":                              {TypeAppID, "app-id", nil},
			"x-ios-bundle-identifier":            {TypeAppID, "bundle-id", nil},
			"authorization":                      {TypeAuthToken, "refresh-token", nil},
			"installation.fid":                   {TypeDeviceID, "fid", nil},
			"x-goog-firebase-installations-auth": {TypeAuthToken, "auth-token", nil},
		},
		extra: firebaseInstallationsExtra,
	},
	{
		name: "appsflyer", endpoint: "AppsFlyer attribution",
		hosts: []string{".appsflyer.com", ".appsflyersdk.com", ".appsflyer-cn.com", ".whappsflyer.com"},
		keys: map[string]slot{
			"advertiserid": {TypeAdvertisingID, "advertiserId", idfaCheck}, "idfa": {TypeAdvertisingID, "idfa", idfaCheck},
			"vendorid": {TypeIDFV, "vendorId", uuidCheck(TypeIDFV)}, "idfv": {TypeIDFV, "idfv", uuidCheck(TypeIDFV)},
			"uid": {TypeDeviceID, "appsflyer-id (uid)", nil}, "devicetype": {TypeDeviceModel, "deviceType", nil},
			"model": {TypeDeviceModel, "model", nil}, "carrier": {TypeCarrier, "carrier", nil},
			"operator": {TypeCarrier, "operator", nil}, "lang": {TypeLocale, "lang", nil},
			"langcode": {TypeLocale, "lang_code", nil}, "country": {TypeCountry, "country", nil},
			"disk": {TypeDiskSpace, "disk", nil}, "appid": {TypeAppID, "app_id", nil},
			"advertiseridenabled": {TypeTrackingFlag, "advertiserIdEnabled", nil},
			"attstatus":           {TypeTrackingFlag, "att status", nil},
		},
	},
	{
		name: "adjust", endpoint: "Adjust attribution",
		hosts: []string{".adjust.com", ".adjust.net.in", ".adjust.world"},
		path:  regexp.MustCompile(`^/(?:session|event|sdk_click|sdk_info|attribution|third_party_sharing|ad_revenue|measurement_consent|gdpr_forget_device|disable_third_party_sharing)$`),
		keys: map[string]slot{
			"idfa": {TypeAdvertisingID, "idfa", idfaCheck}, "gpsadid": {TypeAdvertisingID, "gps_adid", nil},
			"idfv": {TypeIDFV, "idfv", uuidCheck(TypeIDFV)}, "androidid": {TypeDeviceID, "android_id", nil},
			"iosuuid": {TypeDeviceID, "ios_uuid", nil}, "persistentiosuuid": {TypeDeviceID, "persistent_ios_uuid", nil},
			"androiduuid": {TypeDeviceID, "android_uuid", nil}, "webuuid": {TypeDeviceID, "web_uuid", nil},
			"fbanonid": {TypeDeviceID, "fb_anon_id", nil}, "externaldeviceid": {TypeDeviceID, "external_device_id", nil},
			"primarydedupetoken": {TypeDeviceID, "primary_dedupe_token", nil},
			"language":           {TypeLocale, "language", nil}, "country": {TypeCountry, "country", nil},
			"devicename": {TypeDeviceModel, "device_name (the model)", nil}, "hardwarename": {TypeDeviceModel, "hardware_name", nil},
			"osversion": {TypeOSVersion, "os_version", nil}, "osbuild": {TypeOSVersion, "os_build", nil},
			"osname": {TypeOSName, "os_name", nil}, "displaywidth": {TypeScreen, "display_width", nil},
			"displayheight": {TypeScreen, "display_height", nil}, "apptoken": {TypeAppID, "app_token", nil},
			"bundleid": {TypeAppID, "bundle_id", nil}, "packagename": {TypeAppID, "package_name", nil},
			"trackingenabled": {TypeTrackingFlag, "tracking_enabled", nil}, "attstatus": {TypeTrackingFlag, "att_status", nil},
			"eventtoken": {TypeEvent, "event_token", nil},
		},
	},
	{
		name: "branch", endpoint: "Branch deep linking and attribution",
		hosts: []string{".branch.io"}, path: regexp.MustCompile(`^/v\d+/`),
		keys: map[string]slot{
			"hardwareid": {TypeDeviceID, "hardware_id", nil}, "iosvendorid": {TypeIDFV, "ios_vendor_id", uuidCheck(TypeIDFV)},
			"idfv": {TypeIDFV, "idfv", uuidCheck(TypeIDFV)}, "idfa": {TypeAdvertisingID, "advertising_ids.idfa", idfaCheck},
			"googleadvertisingid": {TypeAdvertisingID, "google_advertising_id", nil},
			"model":               {TypeDeviceModel, "model", nil}, "osversion": {TypeOSVersion, "os_version", nil},
			"os": {TypeOSName, "os", nil}, "devicecarrier": {TypeCarrier, "device_carrier", nil},
			"localip": {TypeIPAddress, "local_ip", nil}, "screenwidth": {TypeScreen, "screen_width", nil},
			"screenheight": {TypeScreen, "screen_height", nil}, "screendpi": {TypeScreen, "screen_dpi", nil},
			"language": {TypeLocale, "language", nil}, "locale": {TypeLocale, "locale", nil},
			"country": {TypeCountry, "country", nil}, "randomizeddevicetoken": {TypeDeviceID, "randomized_device_token", nil},
			"devicefingerprintid": {TypeDeviceID, "device_fingerprint_id", nil}, "identityid": {TypeDeviceID, "identity_id", nil},
			"randomizedbundletoken": {TypeDeviceID, "randomized_bundle_token", nil},
			"developeridentity":     {TypeUserID, "developer_identity", nil}, "identity": {TypeUserID, "identity", nil},
			"branchkey": {TypeAppID, "branch_key", nil}, "iosbundleid": {TypeAppID, "ios_bundle_id", nil},
			"adtrackingenabled": {TypeTrackingFlag, "ad_tracking_enabled", nil}, "latval": {TypeTrackingFlag, "lat_val", nil},
		},
	},
	{
		name: "onesignal", endpoint: "OneSignal push registration",
		hosts: []string{".onesignal.com"},
		keys: map[string]slot{
			"adid": {TypeAdvertisingID, "ad_id", idfaCheck}, "identifier": {TypePushToken, "identifier (push token)", nil},
			"devicetype": {TypeOSName, "device_type", nil}, "devicemodel": {TypeDeviceModel, "device_model", nil},
			"deviceos": {TypeOSVersion, "device_os", nil}, "timezone": {TypeTimeZone, "timezone (offset seconds)", nil},
			"timezoneid": {TypeTimeZone, "timezone_id", nil}, "carrier": {TypeCarrier, "carrier", nil},
			"language": {TypeLocale, "language", nil}, "lat": {TypeLatitude, "lat", nil}, "long": {TypeLongitude, "long", nil},
			"externaluserid": {TypeUserID, "external_user_id", nil}, "appid": {TypeAppID, "app_id", nil},
			"gameversion": {TypeAppVersion, "game_version", nil}, "iosbundle": {TypeAppID, "ios_bundle", nil},
			"email": {TypeEmail, "email", nil}, "smsnumber": {TypePhone, "sms_number", nil},
		},
		extra: onesignalExtra,
	},
}

// adapterFor returns the adapter for an endpoint, nil for none.
func adapterFor(host, path, method string) *adapter {
	for _, a := range adapters {
		if a.matches(host, path, method) {
			return a
		}
	}
	return nil
}

func isProtobufEndpoint(host, path string) bool {
	a := adapterFor(host, path, "")
	return a != nil && a.protobuf
}

// runAdapter names the fields of one request the adapter knows.
func runAdapter(c *flowContext, a *adapter) {
	for _, f := range c.fields {
		if len(a.paths) > 0 {
			if s, ok := a.paths[adapterPath(f.Location)]; ok && s.typ != "" {
				c.adapterItem(a, f, s)
				continue
			}
		}
		if len(a.keys) > 0 && f.Key != "" && !strings.HasPrefix(f.Location, "header.") {
			var buf [64]byte
			if s, ok := a.keys[string(appendNormalized(buf[:0], f.Key))]; ok {
				c.adapterItem(a, f, s)
			}
		}
	}
	if a.extra != nil {
		a.extra(c, a)
	}
}

// adapterPath strips the context and array indexes: body.custom_events[3]._eventName →
// custom_events[]._eventName, header.authorization → authorization.
func adapterPath(loc string) string {
	for _, ctx := range []string{"body.", "query.", "header."} {
		if strings.HasPrefix(loc, ctx) {
			loc = loc[len(ctx):]
			break
		}
	}
	if !strings.Contains(loc, "[") {
		return loc
	}
	var b strings.Builder
	for i := 0; i < len(loc); i++ {
		b.WriteByte(loc[i])
		if loc[i] == '[' {
			j := i + 1
			for j < len(loc) && loc[j] >= '0' && loc[j] <= '9' {
				j++
			}
			if j < len(loc) && loc[j] == ']' && j > i+1 {
				i = j - 1
			}
		}
	}
	return b.String()
}

// adapterItem records one named field, after the slot's check.
func (c *flowContext) adapterItem(a *adapter, f Field, s slot) {
	v := strings.TrimSpace(f.Value)
	if v == "" || v == "null" || v == "(null)" {
		return
	}
	typ := s.typ
	if s.check != nil {
		t, ok := s.check(v)
		if !ok {
			return
		}
		typ = t
	}
	c.add(model.DataItem{
		Type: typ, Location: f.Location, Value: f.Value,
		Match: "adapter:" + a.name + "/" + s.label,
	}, rankAdapter)
}
