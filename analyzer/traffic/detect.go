package traffic

import (
	"net/netip"
	"strconv"
	"strings"

	"github.com/sdkflow/sdkflow/model"
)

// Generic detectors look at every decoded key and value. TrackHAR's lesson: a low-entropy value
// ("11", "en", "-1") means nothing without a telling key, so only a few distinctive shapes
// (email, E.164 phone, Apple model identifiers, IANA zone names, "en_US" locales) count on their
// own; everything else needs its key.

// keyDetector says what a value under a telling key is, if its shape agrees.
type keyDetector struct {
	typ   string
	check func(v string) (string, bool)
}

func withType(typ string, ok func(string) bool) func(string) (string, bool) {
	return func(v string) (string, bool) {
		if ok(v) {
			return typ, true
		}
		return "", false
	}
}

var (
	advertisingKeys = []string{"idfa", "advertiserid", "advertisingid", "advertisingidentifier", "adid", "ifa", "deviceifa", "googleadvertisingid", "gaid", "gpsadid", "aaid", "appleifa"}
	idfvKeys        = []string{"idfv", "identifierforvendor", "vendorid", "vendoridentifier", "iosifv", "ifv", "iosvendorid", "developerscopedid"}
	deviceIDKeys    = []string{"deviceid", "udid", "installationid", "installid", "fid", "appinstanceid", "anonid", "anonymousid", "hardwareid", "iosuuid", "persistentiosuuid", "androidid", "deviceuuid", "devicetoken", "pushtoken", "apnstoken", "instanceid", "clientid", "distinctid", "visitorid", "trackingid"}
	userIDKeys      = []string{"uid", "guid", "userid", "appuserid", "externaluserid", "customeruserid", "memberid", "accountid"}
	emailKeys       = []string{"email", "em", "mail", "emailaddress", "useremail"}
	phoneKeys       = []string{"phone", "phonenumber", "ph", "msisdn", "mobile", "mobilenumber", "tel", "telephone", "smsnumber"}
	latKeys         = []string{"lat", "latitude", "geolat", "geolatitude", "locationlatitude"}
	lonKeys         = []string{"lng", "lon", "long", "longitude", "geolng", "geolon", "geolongitude", "locationlongitude"}
	ipKeys          = []string{"ip", "ipaddress", "localip", "clientip", "deviceip", "ipv4", "ipv6", "publicip"}
	deviceNameKeys  = []string{"devicename", "userdevicename", "hostname"}
	modelKeys       = []string{"model", "devicemodel", "hwmodel", "hardwaremodel", "machine", "hardwarename", "devicetype", "modelname"}
	osVersionKeys   = []string{"osversion", "osver", "systemversion", "deviceos", "iosversion", "osvers", "platformversion", "os"}
	localeKeys      = []string{"locale", "language", "lang", "localeidentifier", "devicelanguage", "userdefaultlanguage", "deviceLocale", "langcode", "hl"}
	timeZoneKeys    = []string{"timezone", "tz", "tzname", "timezoneid", "timezonename", "timezoneabbreviation", "tzoffset", "timezoneoffset", "utcoffset"}
	carrierKeys     = []string{"carrier", "carriername", "devicecarrier", "networkoperatorname", "networkoperator", "mobilecarrier", "operator"}
	screenKeys      = []string{"screenwidth", "screenheight", "displaywidth", "displayheight", "screensize", "screenresolution", "resolution", "screenscale", "screendensity", "screendpi"}
	cpuKeys         = []string{"cpucores", "cpucount", "processorcount", "numcores", "cores", "corecount"}
	diskKeys        = []string{"diskspace", "freedisk", "totaldisk", "diskfree", "disktotal", "freespace", "totalspace", "storagefree", "storagetotal", "freediskspace", "totaldiskspace", "availablestorage", "freestorage", "totalstorage"}
)

var keyDetectors = func() map[string]keyDetector {
	m := map[string]keyDetector{}
	set := func(keys []string, d keyDetector) {
		for _, k := range keys {
			m[normalizeKey(k)] = d
		}
	}
	set(advertisingKeys, keyDetector{TypeAdvertisingID, idfaCheck})
	set(idfvKeys, keyDetector{TypeIDFV, uuidCheck(TypeIDFV)})
	set(deviceIDKeys, keyDetector{TypeDeviceID, withType(TypeDeviceID, isIdentifierValue)})
	set(userIDKeys, keyDetector{TypeUserID, withType(TypeUserID, isIdentifierValue)})
	set(emailKeys, keyDetector{TypeEmail, withType(TypeEmail, func(v string) bool { return isEmail(v) || isHashHex(v) })})
	set(phoneKeys, keyDetector{TypePhone, withType(TypePhone, func(v string) bool { return isPhoneish(v) || isHashHex(v) })})
	set(latKeys, keyDetector{TypeLatitude, withType(TypeLatitude, func(v string) bool { return isCoordinate(v, 90) })})
	set(lonKeys, keyDetector{TypeLongitude, withType(TypeLongitude, func(v string) bool { return isCoordinate(v, 180) })})
	set(ipKeys, keyDetector{TypeIPAddress, withType(TypeIPAddress, isReportableIP)})
	set(deviceNameKeys, keyDetector{TypeDeviceName, deviceNameCheck})
	set(modelKeys, keyDetector{TypeDeviceModel, withType(TypeDeviceModel, isModelish)})
	set(osVersionKeys, keyDetector{TypeOSVersion, withType(TypeOSVersion, isOSVersionish)})
	set(localeKeys, keyDetector{TypeLocale, withType(TypeLocale, isLocaleish)})
	set(timeZoneKeys, keyDetector{TypeTimeZone, withType(TypeTimeZone, isTimeZoneish)})
	set(carrierKeys, keyDetector{TypeCarrier, withType(TypeCarrier, isCarrierish)})
	set(screenKeys, keyDetector{TypeScreen, withType(TypeScreen, isSmallNumberish)})
	set(cpuKeys, keyDetector{TypeCPUCores, withType(TypeCPUCores, func(v string) bool { n, err := strconv.Atoi(v); return err == nil && n > 0 && n <= 256 })})
	set(diskKeys, keyDetector{TypeDiskSpace, withType(TypeDiskSpace, func(v string) bool { return isSmallNumberish(v) && v != "-1" && v != "0" })})
	return m
}()

// normalizeKey lower-cases a key and drops separators: advertiser_id, advertiserId and
// X-Advertiser-ID all become advertiserid.
func normalizeKey(k string) string {
	var buf [64]byte
	return string(appendNormalized(buf[:0], k))
}

func appendNormalized(b []byte, k string) []byte {
	for i := 0; i < len(k); i++ {
		c := k[i]
		switch {
		case c >= 'A' && c <= 'Z':
			b = append(b, c+'a'-'A')
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			b = append(b, c)
		}
	}
	return b
}

// standardHeaders are sent by the HTTP stack itself; their values say nothing about the SDK.
var standardHeaders = map[string]bool{
	"user-agent": true, "accept": true, "accept-language": true, "accept-encoding": true,
	"content-type": true, "content-encoding": true, "connection": true, "cache-control": true,
	"pragma": true, "te": true, "origin": true, "referer": true, "if-none-match": true,
	"if-modified-since": true, "transfer-encoding": true, "priority": true, "date": true,
}

// detectGeneric runs the key and shape detectors over one field.
func (c *flowContext) detectGeneric(f Field) {
	v := strings.TrimSpace(f.Value)
	if v == "" || len(v) > 512 {
		return
	}
	key := f.Key
	inHeader := strings.HasPrefix(f.Location, "header.")
	if inHeader {
		name := strings.TrimPrefix(f.Location, "header.")
		if i := strings.IndexByte(name, '('); i >= 0 {
			name = name[:i]
		}
		if standardHeaders[name] {
			return
		}
		key = strings.TrimPrefix(strings.TrimPrefix(key, "x-"), "X-")
	}
	if key != "" {
		var buf [64]byte
		nkb := appendNormalized(buf[:0], key)
		d, ok := keyDetectors[string(nkb)] // no allocation for the lookup
		if ok {
			if typ, ok := d.check(v); ok {
				c.add(model.DataItem{Type: typ, Location: f.Location, Value: f.Value, Match: "key:" + key}, rankKey)
				return
			}
		}
		if !inHeader && isUUID(v) && !isZeroUUID(v) && isIDKey(string(nkb)) {
			c.add(model.DataItem{Type: TypeDeviceID, Location: f.Location, Value: f.Value, Match: "shape:uuid"}, rankShape)
			return
		}
	}
	if inHeader {
		return
	}
	if typ, how := shapeOf(v, f.Location == "path"); typ != "" {
		c.add(model.DataItem{Type: typ, Location: f.Location, Value: f.Value, Match: "shape:" + how}, rankShape)
	}
}

// shapeOf recognises the few values distinctive enough to count without a key.
func shapeOf(v string, inPath bool) (typ, how string) {
	switch {
	case isEmail(v):
		return TypeEmail, "email"
	case isE164(v):
		return TypePhone, "e164-phone"
	}
	if inPath {
		return "", ""
	}
	switch {
	case isAppleModel(v):
		return TypeDeviceModel, "apple-model"
	case isIANAZone(v):
		return TypeTimeZone, "iana-time-zone"
	case isStrictLocale(v):
		return TypeLocale, "locale"
	case isIOSVersionString(v):
		return TypeOSVersion, "ios-version"
	}
	return "", ""
}

// isIDKey: a key that names an identifier, but not of a request, session or event, which are
// random per call and identify no one.
func isIDKey(nk string) bool {
	if !(strings.HasSuffix(nk, "id") || strings.HasSuffix(nk, "uuid") || strings.HasSuffix(nk, "guid") || strings.HasSuffix(nk, "identifier")) {
		return false
	}
	for _, w := range []string{"session", "request", "event", "message", "batch", "transaction", "nonce", "trace", "span", "correlation", "upload", "bundle", "campaign", "product", "order", "item", "content", "creative", "placement", "experiment", "config", "app", "sdk", "project"} {
		if strings.Contains(nk, w) && !strings.Contains(nk, "device") && !strings.Contains(nk, "user") && nk != "adid" {
			return false
		}
	}
	return true
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < 36; i++ {
		c := s[i]
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if c != '-' {
				return false
			}
		} else if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

func isZeroUUID(s string) bool {
	return isUUID(s) && strings.Trim(s, "0-") == ""
}

// isHashHex: an MD5, SHA-1 or SHA-256 hex digest, how hashed emails and phones travel.
func isHashHex(s string) bool {
	return (len(s) == 32 || len(s) == 40 || len(s) == 64) && isHex(s)
}

// isIdentifierValue: long enough and varied enough to tell devices apart, not a flag or count.
func isIdentifierValue(v string) bool {
	if len(v) < 8 || len(v) > 256 || isZeroUUID(v) {
		return false
	}
	if v == "true" || v == "false" || v == "null" || v == "undefined" || v == "(null)" {
		return false
	}
	distinct := map[byte]bool{}
	for i := 0; i < len(v); i++ {
		distinct[v[i]] = true
		if v[i] == ' ' {
			return false
		}
	}
	return len(distinct) >= 4
}

func isEmail(s string) bool {
	if len(s) < 6 || len(s) > 254 {
		return false
	}
	at := strings.IndexByte(s, '@')
	if at <= 0 || at != strings.LastIndexByte(s, '@') {
		return false
	}
	local, domain := s[:at], s[at+1:]
	for i := 0; i < len(local); i++ {
		c := local[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("._%+-", c) >= 0) {
			return false
		}
	}
	dot := strings.LastIndexByte(domain, '.')
	if dot <= 0 || dot >= len(domain)-2 {
		return false
	}
	for i := 0; i < len(domain); i++ {
		c := domain[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-') {
			return false
		}
	}
	for _, c := range domain[dot+1:] {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

func isE164(s string) bool {
	if len(s) < 9 || len(s) > 16 || s[0] != '+' || s[1] == '0' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// isPhoneish: 7-15 digits with the usual separators.
func isPhoneish(s string) bool {
	digits := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c == '+' && i == 0, c == ' ', c == '-', c == '(', c == ')', c == '.':
		default:
			return false
		}
	}
	return digits >= 7 && digits <= 15
}

// isCoordinate: a decimal number within ±limit with a fractional part and not zero.
func isCoordinate(s string, limit float64) bool {
	if !strings.Contains(s, ".") {
		return false
	}
	f, err := strconv.ParseFloat(s, 64)
	return err == nil && f != 0 && f >= -limit && f <= limit
}

func isReportableIP(s string) bool {
	a, err := netip.ParseAddr(s)
	return err == nil && !a.IsLoopback() && !a.IsUnspecified()
}

func deviceNameCheck(v string) (string, bool) {
	if isAppleModel(v) {
		return TypeDeviceModel, true // Adjust's device_name is the model identifier
	}
	if len(v) < 2 || len(v) > 128 || isSmallNumberish(v) || v == "true" || v == "false" {
		return "", false
	}
	return TypeDeviceName, true
}

var appleModelPrefixes = []string{"iPhone", "iPad", "iPod", "Watch", "AppleTV", "AudioAccessory", "RealityDevice", "Mac", "MacBookPro", "MacBookAir", "iMac"}

// isAppleModel: a machine identifier such as iPhone14,2.
func isAppleModel(s string) bool {
	for _, p := range appleModelPrefixes {
		if strings.HasPrefix(s, p) {
			rest := s[len(p):]
			major, minor, ok := strings.Cut(rest, ",")
			return ok && isDigits(major, 1, 3) && isDigits(minor, 1, 3)
		}
	}
	return false
}

func isDigits(s string, min, max int) bool {
	if len(s) < min || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// isModelish, under a model key: an Apple identifier or a marketing name with letters.
func isModelish(v string) bool {
	if isAppleModel(v) {
		return true
	}
	if len(v) < 2 || len(v) > 64 || isSmallNumberish(v) || v == "true" || v == "false" {
		return false
	}
	return strings.ContainsAny(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
}

// isOSVersionish, under an OS-version key: 17, 17.4, 17.4.1, or "iOS 17.4".
func isOSVersionish(v string) bool {
	for _, p := range []string{"iOS ", "iPadOS ", "iPhone OS ", "watchOS ", "tvOS ", "Version "} {
		v = strings.TrimPrefix(v, p)
	}
	parts := strings.Split(v, ".")
	if len(parts) > 4 {
		return false
	}
	for i, p := range parts {
		if !isDigits(p, 1, 4) || i == 0 && len(p) > 2 {
			return false
		}
	}
	return true
}

func isIOSVersionString(v string) bool {
	for _, p := range []string{"iOS ", "iPadOS ", "iPhone OS "} {
		if strings.HasPrefix(v, p) {
			return isOSVersionish(v[len(p):])
		}
	}
	return false
}

// isLocaleish, under a locale key: en, en_US, en-US, zh-Hans-CN.
func isLocaleish(v string) bool {
	parts := strings.FieldsFunc(v, func(r rune) bool { return r == '_' || r == '-' })
	if len(parts) == 0 || len(parts) > 3 || len(parts[0]) < 2 || len(parts[0]) > 3 {
		return false
	}
	for i, p := range parts {
		if len(p) < 2 || len(p) > 4 {
			return false
		}
		for _, c := range p {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9') {
				return false
			}
		}
	}
	return true
}

// isStrictLocale, without a key: exactly ll_CC or ll-CC.
func isStrictLocale(v string) bool {
	return len(v) == 5 && (v[2] == '_' || v[2] == '-') &&
		v[0] >= 'a' && v[0] <= 'z' && v[1] >= 'a' && v[1] <= 'z' &&
		v[3] >= 'A' && v[3] <= 'Z' && v[4] >= 'A' && v[4] <= 'Z'
}

var ianaAreas = []string{"Africa/", "America/", "Antarctica/", "Arctic/", "Asia/", "Atlantic/", "Australia/", "Europe/", "Indian/", "Pacific/", "Etc/"}

func isIANAZone(v string) bool {
	if len(v) > 40 {
		return false
	}
	for _, a := range ianaAreas {
		if strings.HasPrefix(v, a) && len(v) > len(a)+1 {
			for _, c := range v[len(a):] {
				if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '/' || c == '-' || c == '+') {
					return false
				}
			}
			return true
		}
	}
	return false
}

// isTimeZoneish, under a time-zone key: a zone name, an abbreviation, or an offset.
func isTimeZoneish(v string) bool {
	if isIANAZone(v) || v == "UTC" || v == "GMT" {
		return true
	}
	if len(v) >= 2 && len(v) <= 5 && strings.ToUpper(v) == v && strings.Trim(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") == "" {
		return true // abbreviation: CET, PST
	}
	if strings.HasPrefix(v, "GMT") || strings.HasPrefix(v, "UTC") {
		v = v[3:]
	}
	_, err := strconv.ParseFloat(strings.Replace(v, ":", "", 1), 64)
	return err == nil
}

func isCarrierish(v string) bool {
	switch strings.ToLower(v) {
	case "", "--", "null", "unknown", "(null)", "nil", "none", "0", "-1", "true", "false":
		return false
	}
	return len(v) <= 64
}

// isSmallNumberish: a number, possibly decimal or with a unit-free separator (390x844).
func isSmallNumberish(v string) bool {
	if v == "" || len(v) > 24 {
		return false
	}
	for _, part := range strings.FieldsFunc(v, func(r rune) bool { return r == 'x' || r == '*' || r == '/' }) {
		if _, err := strconv.ParseFloat(part, 64); err != nil {
			return false
		}
	}
	return true
}
