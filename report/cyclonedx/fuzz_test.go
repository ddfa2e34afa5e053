package cyclonedx

import (
	"bytes"
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/sdkflow/sdkflow/internal/schemacheck"
	"github.com/sdkflow/sdkflow/model"
	"github.com/sdkflow/sdkflow/report"
	"github.com/sdkflow/sdkflow/schema"
)

var compiled = sync.OnceValues(func() (*jsonschema.Schema, error) {
	return schemacheck.Compile(schema.CycloneDX, schema.CycloneDXRefs())
})

// FuzzEncode puts arbitrary names, versions, paths and bundle ids into the inventory: the SBOM
// must always be JSON that validates against CycloneDX 1.6, with unique bom-refs.
func FuzzEncode(f *testing.F) {
	f.Add("Facebook SDK Core", "5.15.1", "facebook-core", "us.zoomlike.videomeetings", "Payload/Z.app/Frameworks/FBSDKCoreKit.framework", "org.cocoapods.FBSDKCoreKit")
	f.Add("<script>", "1.0 beta/../#?@", "", "", "\xff\xfe", "org.cocoapods.")
	f.Add("", "", "x", "x", "a/.framework", "org.cocoapods.x")
	f.Fuzz(func(t *testing.T, name, version, id, bundleID, bundlePath, podBundleID string) {
		r := &model.Report{Tool: model.Tool{Name: name, Version: version},
			Inputs: []model.Input{{Path: bundlePath, SHA256: version}},
			Apps: []model.App{{Path: bundlePath, BundleID: bundleID, Name: name, Version: version,
				Bundles: []model.Bundle{{Path: bundlePath, Kind: model.BundleFramework, BundleID: podBundleID}},
				SDKs: []model.SDK{
					{ID: id, Name: name, Vendor: name, Version: version, Bundles: []string{bundlePath},
						Evidence: []model.Evidence{{Kind: id, Path: bundlePath, Value: name, Pattern: version}}},
					{ID: id, Name: name},
				}}}}
		r.Apps = append(r.Apps, r.Apps[0])
		report.Finalize(r)
		var buf bytes.Buffer
		if err := (Encoder{}).Encode(&buf, r, report.Options{}); err != nil {
			t.Fatal(err)
		}
		s, err := compiled()
		if err != nil {
			t.Fatal(err)
		}
		if err := schemacheck.Validate(s, buf.Bytes()); err != nil {
			t.Fatalf("invalid SBOM: %v\n%s", err, buf.Bytes())
		}
		var doc struct {
			Components []struct {
				Ref  string `json:"bom-ref"`
				Purl string `json:"purl"`
			} `json:"components"`
		}
		if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, c := range doc.Components {
			if seen[c.Ref] {
				t.Fatalf("bom-ref %q twice", c.Ref)
			}
			seen[c.Ref] = true
			if c.Purl != "" && !purlShape(c.Purl) {
				t.Fatalf("malformed purl %q", c.Purl)
			}
		}
	})
}

// purlShape checks pkg:cocoapods/NAME[@VERSION] with both parts percent-encoded.
func purlShape(p string) bool {
	rest, ok := strings.CutPrefix(p, "pkg:cocoapods/")
	if !ok || rest == "" {
		return false
	}
	name, version, hasVersion := strings.Cut(rest, "@")
	if name == "" || hasVersion && version == "" {
		return false
	}
	for _, part := range []string{name, version} {
		for i := 0; i < len(part); i++ {
			c := part[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte(".-_~%", c) >= 0) {
				return false
			}
		}
	}
	return true
}
