package traffic

import (
	"testing"

	"github.com/sdkflow/sdkflow/model"
)

func detectOne(f Field) []model.DataItem {
	c := &flowContext{}
	c.detectGeneric(f)
	return c.result()
}

func TestGenericDetectors(t *testing.T) {
	cases := []struct {
		loc, key, value string
		typ, match      string // typ "" = nothing found
	}{
		// Identifiers under telling keys.
		{"body.idfa", "idfa", idfa, TypeAdvertisingID, "key:idfa"},
		{"body.advertisingIdentifier", "advertisingIdentifier", idfa, TypeAdvertisingID, "key:advertisingIdentifier"},
		{"body.idfa", "idfa", zeroIDFA, TypeNoAdvertisingID, "key:idfa"},
		{"body.idfa", "idfa", "not-a-uuid", "", ""},
		{"body.identifierForVendor", "identifierForVendor", "A1B2C3D4-E5F6-4711-8899-AABBCCDDEEFF", TypeIDFV, "key:identifierForVendor"},
		{"body.device_id", "device_id", "a8f5f167f44f4964e6c998dee827110c", TypeDeviceID, "key:device_id"},
		{"body.device_id", "device_id", "1", "", ""},
		{"body.user_id", "user_id", "user-8812734", TypeUserID, "key:user_id"},
		{"body.installationUUID", "installationUUID", "8c0b0d47-5f1e-4c55-9a8b-3a7b7e9c2d11", TypeDeviceID, "shape:uuid"},
		// Random per-request ids are not device identifiers.
		{"body.session_id", "session_id", "8c0b0d47-5f1e-4c55-9a8b-3a7b7e9c2d11", "", ""},
		{"body.request_id", "request_id", "8c0b0d47-5f1e-4c55-9a8b-3a7b7e9c2d11", "", ""},
		{"body.something", "something", "8c0b0d47-5f1e-4c55-9a8b-3a7b7e9c2d11", "", ""},
		// Contact data.
		{"body.email", "email", "tester@example.org", TypeEmail, "key:email"},
		{"body.contact", "contact", "tester@example.org", TypeEmail, "shape:email"},
		{"body.em", "em", "3f0a7e1b2c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7", TypeEmail, "key:em"},
		{"body.em", "em", "yes", "", ""},
		{"body.phone", "phone", "+49 151 1234 5678", TypePhone, "key:phone"},
		{"body.note", "note", "+4915112345678", TypePhone, "shape:e164-phone"},
		{"body.count", "count", "4915112345678", "", ""},
		// Location and network.
		{"body.lat", "lat", "52.520008", TypeLatitude, "key:lat"},
		{"body.lat", "lat", "152.5", "", ""},
		{"body.lat", "lat", "0", "", ""},
		{"body.longitude", "longitude", "-122.4194", TypeLongitude, "key:longitude"},
		{"body.local_ip", "local_ip", "192.168.1.23", TypeIPAddress, "key:local_ip"},
		{"body.ip", "ip", "127.0.0.1", "", ""},
		{"body.version", "version", "10.0.0.1", "", ""},
		// Device characteristics: low-entropy values only under their keys.
		{"body.model", "model", "iPhone14,2", TypeDeviceModel, "key:model"},
		{"body.hw", "hw", "iPhone14,2", TypeDeviceModel, "shape:apple-model"},
		{"body.model", "model", "7", "", ""},
		{"body.device_name", "device_name", "Alice's iPhone", TypeDeviceName, "key:device_name"},
		{"body.device_name", "device_name", "iPhone14,2", TypeDeviceModel, "key:device_name"},
		{"body.os_version", "os_version", "17.4.1", TypeOSVersion, "key:os_version"},
		{"body.os_version", "os_version", "11", TypeOSVersion, "key:os_version"},
		{"body.v", "v", "11", "", ""},
		{"body.build", "build", "17.4", "", ""},
		{"body.sys", "sys", "iOS 17.4", TypeOSVersion, "shape:ios-version"},
		{"body.locale", "locale", "de_DE", TypeLocale, "key:locale"},
		{"body.lang", "lang", "en", TypeLocale, "key:lang"},
		{"body.x", "x", "en_US", TypeLocale, "shape:locale"},
		{"body.x", "x", "en", "", ""},
		{"body.tz", "tz", "CET", TypeTimeZone, "key:tz"},
		{"body.zone", "zone", "Europe/Berlin", TypeTimeZone, "shape:iana-time-zone"},
		{"body.timezone", "timezone", "3600", TypeTimeZone, "key:timezone"},
		{"body.carrier", "carrier", "Telekom.de", TypeCarrier, "key:carrier"},
		{"body.carrier", "carrier", "--", "", ""},
		{"body.screen_width", "screen_width", "390", TypeScreen, "key:screen_width"},
		{"body.width", "width", "390", "", ""},
		{"body.cpu_cores", "cpu_cores", "6", TypeCPUCores, "key:cpu_cores"},
		{"body.free_disk_space", "free_disk_space", "12.5", TypeDiskSpace, "key:free_disk_space"},
		{"body.free_disk_space", "free_disk_space", "-1", "", ""},
		// Headers: only telling names; the HTTP stack's own headers say nothing.
		{"header.x-idfa", "x-idfa", idfa, TypeAdvertisingID, "key:idfa"},
		{"header.accept-language", "accept-language", "en-US", "", ""},
		{"header.user-agent", "user-agent", "Example/1.0 (iPhone14,2; iOS 17.4)", "", ""},
		{"header.x-note", "x-note", "en_US", "", ""},
		// Path segments: only emails and phone numbers.
		{"path", "", "en_US", "", ""},
		{"path", "", "someone@example.com", TypeEmail, "shape:email"},
	}
	for _, tc := range cases {
		items := detectOne(Field{Location: tc.loc, Key: tc.key, Value: tc.value})
		switch {
		case tc.typ == "" && len(items) != 0:
			t.Errorf("%s=%q: false positive %+v", tc.key, tc.value, items[0])
		case tc.typ != "" && len(items) == 0:
			t.Errorf("%s=%q: nothing found, want %s", tc.key, tc.value, tc.typ)
		case tc.typ != "" && (items[0].Type != tc.typ || items[0].Match != tc.match):
			t.Errorf("%s=%q: got %s [%s], want %s [%s]", tc.key, tc.value, items[0].Type, items[0].Match, tc.typ, tc.match)
		}
	}
}

func TestShapes(t *testing.T) {
	yes := map[string]func(string) bool{
		"tester+tag@mail.example.co.uk": isEmail, "+14155552671": isE164, "iPad13,18": isAppleModel,
		"Watch6,1": isAppleModel, "America/Argentina/Buenos_Aires": isIANAZone, "zh-Hans-CN": isLocaleish,
		"6D92078A-8246-4BA4-AE5B-76104861e7dc": isUUID, "d41d8cd98f00b204e9800998ecf8427e": isHashHex,
	}
	for v, f := range yes {
		if !f(v) {
			t.Errorf("%q not recognised", v)
		}
	}
	no := map[string]func(string) bool{
		"a@b": isEmail, "tester@localhost": isEmail, "x@y.c0m": isEmail, "+0123456789": isE164, "+12": isE164,
		"iPhone": isAppleModel, "iPhone14": isAppleModel, "iPhone14,": isAppleModel, "Europe/": isIANAZone,
		"Moon/Base": isIANAZone, "english": isLocaleish, "6D92078A82464BA4AE5B76104861E7DC": isUUID,
	}
	for v, f := range no {
		if f(v) {
			t.Errorf("%q wrongly recognised", v)
		}
	}
}
