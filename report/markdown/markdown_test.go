package markdown

import (
	"bytes"
	"github.com/sdkflow/sdkflow/internal/golden"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sdkflow/sdkflow/model"
	"github.com/sdkflow/sdkflow/report"
)

func ptr[T any](v T) *T { return &v }

func testReport() *model.Report {
	r := &model.Report{
		Tool:   model.Tool{Name: "sdkflow", Version: "1.2.3", Signatures: model.SignatureInfo{Version: "2025.1", Count: 3}},
		Inputs: []model.Input{{Path: "build/Z.ipa", Kind: "ipa", SHA256: "0123456789abcdef0123"}},
		Apps: []model.App{{
			Path: "build/Z.ipa", Kind: "ipa", BundleID: "com.example.z", Name: "Zoomlike", Version: "5.0",
			Binaries: []model.Binary{{Path: "Payload/Z.app/Z"}},
			SDKs: []model.SDK{{ID: "facebook-core", Name: "Facebook SDK Core", Category: "analytics", Tracker: true, AppleListed: true,
				Confidence: "high", Version: "17.0.0", Bundles: []string{"Payload/Z.app/Frameworks/FBSDKCoreKit.framework"}}},
			Declarations: model.Declarations{Privacy: &model.PrivacyReport{
				Tracking:        true,
				TrackingDomains: []model.AttributedValue{{Value: "ep1.facebook.com", Manifests: []string{"m"}, SDKs: []string{"facebook-core"}}},
				DataTypes: []model.PrivacyReportType{{Type: "NSPrivacyCollectedDataTypeDeviceID", Linked: true, Tracking: true,
					Purposes: []string{"NSPrivacyCollectedDataTypePurposeThirdPartyAdvertising"}, Manifests: []string{"m"}, SDKs: []string{"facebook-core"}}},
				AccessedAPIs: []model.PrivacyReportAPI{{Category: "NSPrivacyAccessedAPICategoryUserDefaults", Reasons: []string{"CA92.1"},
					Manifests: []string{"Payload/Z.app/PrivacyInfo.xcprivacy"}}},
			}},
			Limitations: []string{"Payload/Z.app/Z is encrypted"},
		}},
		Findings: []model.Finding{
			{Rule: "SDKF012", Severity: model.SeverityHigh, SDK: "facebook-core", App: "com.example.z",
				Message: "Facebook SDK Core is on Apple's list. App Store Connect rejects this (ITMS-91061).",
				Fix:     "Update Facebook SDK Core.", Fingerprint: "fp1",
				Evidence: []model.Evidence{{Kind: model.EvidenceFile, Path: "Payload/Z.app/Frameworks/FBSDKCoreKit.framework", Value: "PrivacyInfo.xcprivacy", Detail: "absent"}}},
			{Rule: "SDKF010", Severity: model.SeverityMedium, SDK: "facebook-core", App: "com.example.z",
				Message: "Facebook SDK Core collects at launch: FacebookAutoLogAppEventsEnabled is absent.", Fix: "Set it to false (<false/>).", Fingerprint: "fp2",
				Evidence: []model.Evidence{{Kind: model.EvidencePlistKey, Path: "Payload/Z.app/Info.plist", Value: "FacebookAutoLogAppEventsEnabled"}}},
			{Rule: "SDKF001", Severity: model.SeverityHigh, SDK: "facebook-core", Message: "Sent before consent.", Fingerprint: "fp3",
				Evidence: []model.Evidence{{Kind: model.EvidenceFlow, Session: "s1", Flow: ptr(4), Value: "https://graph.facebook.com/x|y"}}},
			{Rule: "SDKF016", Severity: model.SeverityMedium, App: "com.example.z", Message: "ATS off.", Fingerprint: "fp4",
				Evidence:   []model.Evidence{{Kind: model.EvidencePlistKey, Path: "Payload/Z.app/Info.plist", Value: "NSAllowsArbitraryLoads"}},
				Suppressed: &model.Suppression{Reason: "Legacy server.", Expires: "2030-01-01", Source: "allow.yaml:3"}},
		},
		SkippedRules: []model.SkippedRule{{Rule: "SDKF004", Reason: "needs a captured session"}},
	}
	report.Finalize(r)
	return r
}

func encode(t *testing.T, r *model.Report) string {
	t.Helper()
	var buf bytes.Buffer
	if err := (Encoder{}).Encode(&buf, r, report.Options{}); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	golden.Check(t, filepath.Join("testdata", name), []byte(got))
}

func TestGolden(t *testing.T) {
	checkGolden(t, "report.md", encode(t, testReport()))
	clean := &model.Report{Tool: model.Tool{Name: "sdkflow", Version: "1.2.3"}, Apps: []model.App{{Path: "c.ipa", Kind: "ipa", BundleID: "com.example.clean"}}}
	report.Finalize(clean)
	checkGolden(t, "clean.md", encode(t, clean))
}

func TestHostileText(t *testing.T) {
	r := testReport()
	r.Findings[0].Message = "@octocat fixes #12 <img src=x onerror=alert(1)> [link](http://evil) a|b\n# heading\r\x1b[31m"
	r.Findings[0].Evidence[0].Path = "Payload/Z.app/`odd|path`\n- item"
	r.Apps[0].Name = "- Evil *app*"
	out := encode(t, r)
	for _, bad := range []string{"@octocat", "#12", "<img", "[link](", "\n# heading", "\x1b", "\r", "\n- item", "**app**"} {
		if strings.Contains(out, bad) {
			t.Errorf("output contains %q", bad)
		}
	}
	// Every table row keeps its five columns: hostile pipes are escaped.
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "| ") && strings.Contains(line, "SDKF012") {
			cells := strings.Count(strings.ReplaceAll(line, `\|`, ""), "|")
			if cells != 6 {
				t.Errorf("row has %d separators: %s", cells, line)
			}
		}
	}
	if !strings.Contains(out, "``` `odd\\|path` - item ```") && !strings.Contains(out, "``") {
		t.Errorf("backticks in a path are not fenced:\n%s", out)
	}
}

func TestLongReportIsCut(t *testing.T) {
	r := testReport()
	f := r.Findings[0]
	for i := 0; i < 500; i++ {
		f.Fingerprint = strings.Repeat("x", i+1)
		f.Message = strings.Repeat("long message ", 400)
		r.Findings = append(r.Findings, f)
	}
	for i := 0; i < 1000; i++ {
		r.Apps[0].Limitations = append(r.Apps[0].Limitations, strings.Repeat("limit ", 300))
		r.Apps[0].SDKs = append(r.Apps[0].SDKs, model.SDK{ID: strings.Repeat("s", 200), Name: strings.Repeat("n", 200)})
		r.Errors = append(r.Errors, model.Error{Path: "p", Message: strings.Repeat("e", 2000)})
	}
	out := encode(t, r)
	if len([]rune(out)) > 65536 {
		t.Errorf("comment is %d characters, above GitHub's 65,536", len(out))
	}
	if !strings.Contains(out, "more findings are in the full report") {
		t.Error("no pointer to the full report")
	}
}
