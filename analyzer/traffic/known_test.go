package traffic

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/url"
	"strings"
	"testing"
)

const knownYAML = `
idfa: 6D92078A-8246-4BA4-AE5B-76104861E7DC
idfv: A1B2C3D4-E5F6-4711-8899-AABBCCDDEEFF
email: Tester.Person@example.org
phone: "+49 151 12345678"
device_name: Alice's iPhone
latitude: 52.520008
longitude: 13.404954
extra:
  wifi-bssid: "a4:2b:b0:c1:d2:e3"
`

func mustKnown(t testing.TB) *KnownValues {
	t.Helper()
	k, err := LoadKnown([]byte(knownYAML), "known.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func hexOf(sum []byte) string { return hex.EncodeToString(sum) }

func TestKnownVariants(t *testing.T) {
	k := mustKnown(t)
	lower := strings.ToLower(idfa)
	md5sum := md5.Sum([]byte(idfa))
	sha1sum := sha1.Sum([]byte(lower))
	shaEmail := sha256.Sum256([]byte("tester.person@example.org"))
	shaPhone := sha256.Sum256([]byte("4915112345678"))
	cases := []struct {
		text, label, how string
	}{
		{"x" + idfa + "x", "idfa", "plain"},
		{lower, "idfa", "lower"},
		{strings.ReplaceAll(idfa, "-", ""), "idfa", "nohyphen"},
		{strings.ReplaceAll(lower, "-", ""), "idfa", "lower-nohyphen"},
		{base64.StdEncoding.EncodeToString([]byte(idfa)), "idfa", "base64"},
		{base64.RawURLEncoding.EncodeToString([]byte(lower)), "idfa", "lower/base64"},
		{hexOf(md5sum[:]), "idfa", "md5-hex"},
		{strings.ToUpper(hexOf(md5sum[:])), "idfa", "md5-HEX"},
		{hexOf(sha1sum[:]), "idfa", "lower/sha1-hex"},
		{base64.StdEncoding.EncodeToString(md5sum[:]), "idfa", "md5-base64"},
		{"em=" + hexOf(shaEmail[:]), "email", "lower/sha256-hex"},
		{"ph=" + hexOf(shaPhone[:]), "phone", "digits/sha256-hex"},
		{"email=" + url.QueryEscape("Tester.Person@example.org"), "email", "url"},
		{"email=" + url.QueryEscape(url.QueryEscape("tester.person@example.org")), "email", "lower/url2"},
		{"to 4915112345678 now", "phone", "digits"},
		{"name=Alice%27s+iPhone", "device_name", "url"},
		{`"lat":52.520008,`, "latitude", "plain"},
		{`"lat":52.5200,`, "latitude", "round-4"}, // 52.520008 to 4 decimals, zeros kept
		{"lat=52.52&", "latitude", "round-2"},
		{"loc=52.5,13.4", "latitude", "round-1"},
		{"lon=13.405;", "longitude", "round-3"},
		{"lon=13.4049", "longitude", "truncate-4"},
		{"lon=13.4049123", "longitude", "truncate-4"}, // a more precise reading of the same place
		{"bssid a4:2b:b0:c1:d2:e3", "wifi-bssid", "plain"},
	}
	for _, tc := range cases {
		hits := k.find(tc.text)
		found := false
		var got []string
		for _, h := range hits {
			got = append(got, h.value.Label+"/"+h.how)
			if h.value.Label == tc.label && h.how == tc.how {
				found = true
			}
		}
		if !found && !(tc.how == "plain" && len(hits) > 0 && hits[0].value.Label == tc.label) {
			t.Errorf("%q: want %s/%s, got %v", tc.text, tc.label, tc.how, got)
		}
	}
	// Boundaries keep coordinates and digits from matching inside other numbers.
	for _, text := range []string{"v=152.52", "id=252.5", "n=94915112345678", "x=13.41", "t=1713.40495"} {
		if hits := k.find(text); len(hits) != 0 {
			t.Errorf("%q: false match %+v", text, hits)
		}
	}
}

func TestLoadKnownErrors(t *testing.T) {
	for name, y := range map[string]string{
		"unknown key":  "ifda: 6D92078A-8246-4BA4-AE5B-76104861E7DC\n",
		"zero idfa":    "idfa: 00000000-0000-0000-0000-000000000000\n",
		"bad latitude": "latitude: 95.1\n",
		"not a map":    "- a\n- b\n",
		"extra list":   "extra: [a, b]\n",
		"nested value": "email: {a: b}\n",
		"bad yaml":     "idfa: [\n",
	} {
		if _, err := LoadKnown([]byte(y), "k.yaml"); err == nil || !strings.Contains(err.Error(), "k.yaml") {
			t.Errorf("%s: err = %v", name, err)
		}
	}
	k, err := LoadKnown(nil, "empty.yaml")
	if err != nil || len(k.Values) != 0 || k.find("anything at all") != nil {
		t.Errorf("empty file: %v %+v", err, k)
	}
}

func TestKnownInFlow(t *testing.T) {
	k := mustKnown(t)
	sha := sha256.Sum256([]byte("tester.person@example.org"))
	body := form("advertiser_id", idfa, "ud", `{"em":"`+hexOf(sha[:])+`"}`, "extinfo", extinfoV17,
		"device", base64.StdEncoding.EncodeToString([]byte(`{"name":"Alice's iPhone"}`)))
	f := flow("POST", "https://graph.facebook.com/v17.0/1234567890123/activities?lat=52.52", gz([]byte(body)),
		"Content-Encoding", "gzip", "X-Client", "bssid=a4:2b:b0:c1:d2:e3")
	got := analyzeOne(t, f, Options{Known: k})
	checkItems(t, got.Data, []want{
		// Found by the adapter and the known value: one item, the most specific type, both ways.
		{"body.advertiser_id", TypeAdvertisingID, idfa, "adapter:facebook-activities/advertiser-id, known:idfa/plain", true},
		{"body.ud.em", TypeEmail, "", "adapter:facebook-activities/hashed-email (ud.em), known:email/lower/sha256-hex", true},
		{"body.device(base64).name", TypeDeviceName, "Alice's iPhone", "known:device_name/plain", true},
		{"query.lat", TypeLatitude, "52.52", "known:latitude/round-2, key:lat", true},
		{"header.x-client", "wifi-bssid", "", "known:wifi-bssid/plain", true},
	})
	if it := itemAt(got.Data, "query.lat"); it != nil && it.ManifestType != ManifestCoarseLocation {
		t.Errorf("lat manifest %q", it.ManifestType)
	}
	coarse := analyzeOne(t, flow("GET", "https://example.com/w?where=52.5,13.4&precise=52.5200", nil), Options{Known: k})
	if it := itemAt(coarse.Data, "query.where"); it == nil || it.ManifestType != ManifestCoarseLocation {
		t.Errorf("coarse: %s", dump(coarse.Data))
	}
	var types []string
	for _, it := range coarse.Data {
		if it.Location == "query.where" {
			types = append(types, it.Type)
		}
	}
	if strings.Join(types, ",") != "latitude,longitude" {
		t.Errorf("where: %v", types)
	}
	if it := itemAt(coarse.Data, "query.precise"); it == nil || it.ManifestType != ManifestPreciseLocation {
		t.Errorf("precise: %s", dump(coarse.Data))
	}
}

func TestRedact(t *testing.T) {
	k := mustKnown(t)
	in := "advertiser_id=" + idfa + "&email=tester.person%40example.org&lat=52.52&v=3.1.0"
	out := k.Redact(in)
	if strings.Contains(out, idfa) || strings.Contains(out, "example.org") || strings.Contains(out, "52.52") {
		t.Errorf("not redacted: %s", out)
	}
	if !strings.Contains(out, "[REDACTED:idfa]") || !strings.HasSuffix(out, "&v=3.1.0") {
		t.Errorf("redacted: %s", out)
	}
	var none *KnownValues
	if none.Redact(in) != in {
		t.Error("nil known values changed the text")
	}
}
