package sarif

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/sdkflow/sdkflow/internal/schemacheck"
	"github.com/sdkflow/sdkflow/model"
	"github.com/sdkflow/sdkflow/report"
	"github.com/sdkflow/sdkflow/schema"
)

func testReport() *model.Report {
	flow := 7
	r := &model.Report{
		Tool: model.Tool{Name: "sdkflow", Version: "1.2.3", Signatures: model.SignatureInfo{Version: "2025.1", Count: 3, Digest: "abc"}},
		Apps: []model.App{
			{Path: "build/Z.ipa", Kind: "ipa", BundleID: "com.example.z", Errors: []model.Error{{Path: "Payload/Z.app/Frameworks/Bad.framework/Bad", Stage: "macho", Message: "truncated"}}},
			{Path: "/abs/dir with space/Y.app", Kind: "app", BundleID: "com.example.y"},
		},
		Findings: []model.Finding{
			{Rule: "SDKF010", Severity: model.SeverityMedium, SDK: "facebook-core", App: "com.example.z",
				Message: "Facebook collects at launch.", Fix: "Set FacebookAutoLogAppEventsEnabled to false.", Fingerprint: "fp1",
				Evidence: []model.Evidence{
					{Kind: model.EvidencePlistKey, Path: "Payload/Z.app/Info.plist", Value: "FacebookAutoLogAppEventsEnabled", Detail: "absent"},
					{Kind: model.EvidenceFile, Path: "Payload/Z.app/Frameworks/FBSDKCoreKit.framework"},
				}},
			{Rule: "SDKF016", Severity: model.SeverityMedium, App: "com.example.y", Message: "ATS off.", Fingerprint: "fp2",
				Evidence:   []model.Evidence{{Kind: model.EvidencePlistKey, Path: "Info.plist", Value: "NSAllowsArbitraryLoads"}},
				Suppressed: &model.Suppression{Reason: "Legacy server, ticket 12.", Expires: "2030-01-01", Source: "allow.yaml:3"}},
			{Rule: "SDKF011", Severity: model.SeverityHigh, App: "com.example.z", Message: "odd path <b>", Fingerprint: "fp3",
				Evidence: []model.Evidence{{Kind: model.EvidenceFile, Path: "Payload/Z.app/a:b/ü #?.dylib", Value: "x"}}},
			{Rule: "SDKF001", Severity: model.SeverityHigh, SDK: "facebook-core", Message: "Sent before consent.", Fingerprint: "fp4",
				Evidence: []model.Evidence{{Kind: model.EvidenceFlow, Session: "s1", Flow: &flow, Value: "https://graph.facebook.com/"}}},
		},
		SkippedRules: []model.SkippedRule{{Rule: "SDKF004", Reason: "needs a captured session"}},
		Errors:       []model.Error{{Path: "other.ipa", Stage: "input", Message: "not a zip"}},
	}
	report.Finalize(r)
	return r
}

func encode(t *testing.T, r *model.Report) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := (Encoder{}).Encode(&buf, r, report.Options{}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Validate checks a SARIF document against the official 2.1.0 schema.
func validate(t *testing.T, doc []byte) {
	t.Helper()
	s, err := schemacheck.Compile(schema.SARIF, nil)
	if err != nil {
		t.Fatalf("compiling the SARIF schema: %v", err)
	}
	if err := schemacheck.Validate(s, doc); err != nil {
		t.Fatalf("SARIF does not validate: %v\n%s", err, doc)
	}
}

func TestValidatesAgainstOfficialSchema(t *testing.T) {
	validate(t, encode(t, testReport()))
	empty := &model.Report{}
	report.Finalize(empty)
	validate(t, encode(t, empty))
}

func TestSchemaRejectsBrokenSARIF(t *testing.T) {
	s, err := schemacheck.Compile(schema.SARIF, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, doc := range []string{
		`{"version":"2.1.0"}`,
		`{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x"}},"results":[{"message":{"text":"m"},"level":"fatal"}]}]}`,
		`{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x"}},"results":[{"ruleId":"SDKF010"}]}]}`,
		`{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x"}},"results":[{"message":{"text":"m"},"partialFingerprints":{"a":1}}]}]}`,
	} {
		if schemacheck.Validate(s, []byte(doc)) == nil {
			t.Errorf("schema accepted %s", doc)
		}
	}
}

func TestContent(t *testing.T) {
	var got struct {
		Runs []struct {
			Tool struct {
				Driver struct {
					Rules []struct {
						ID         string
						Help       struct{ Text, Markdown string }
						Properties map[string]any
					}
				}
			}
			OriginalURIBaseIDs map[string]struct {
				URI       string `json:"uri"`
				URIBaseID string `json:"uriBaseId"`
			} `json:"originalUriBaseIds"`
			Results []struct {
				RuleID    string
				RuleIndex int
				Level     string
				Message   struct{ Text string }
				Locations []struct {
					PhysicalLocation *struct {
						ArtifactLocation struct {
							URI       string `json:"uri"`
							URIBaseID string `json:"uriBaseId"`
						}
					}
					LogicalLocations []struct{ FullyQualifiedName string }
				}
				RelatedLocations    []json.RawMessage
				PartialFingerprints map[string]string
				Suppressions        []struct{ Kind, Status, Justification string }
			}
			Invocations []struct {
				ToolConfigurationNotifications []json.RawMessage
				ToolExecutionNotifications     []json.RawMessage
			}
		}
	}
	doc := encode(t, testReport())
	if err := json.Unmarshal(doc, &got); err != nil {
		t.Fatal(err)
	}
	run := got.Runs[0]
	if len(run.Tool.Driver.Rules) != len(model.Rules) {
		t.Fatalf("%d rules, want one per catalogue entry (%d)", len(run.Tool.Driver.Rules), len(model.Rules))
	}
	for _, r := range run.Tool.Driver.Rules {
		if r.Properties["security-severity"] == "" || r.Help.Markdown == "" || r.Help.Text == "" {
			t.Errorf("rule %s lacks help or security-severity: %+v", r.ID, r)
		}
		if r.ID == "SDKF011" && !strings.Contains(r.Help.Text, "ITMS-91053") {
			t.Errorf("SDKF011 help does not name ITMS-91053")
		}
	}
	if b := run.OriginalURIBaseIDs["APP1"]; b.URI != "build/Z.ipa/" || b.URIBaseID != "%SRCROOT%" {
		t.Errorf("APP1 = %+v", b)
	}
	if b := run.OriginalURIBaseIDs["APP2"]; b.URI != "file:///abs/dir%20with%20space/Y.app/" {
		t.Errorf("APP2 = %+v", b)
	}
	byRule := map[string]int{}
	for i, res := range run.Results {
		byRule[res.RuleID] = i
		if run.Tool.Driver.Rules[res.RuleIndex].ID != res.RuleID {
			t.Errorf("%s: ruleIndex %d points elsewhere", res.RuleID, res.RuleIndex)
		}
	}
	f010 := run.Results[byRule["SDKF010"]]
	loc := f010.Locations[0].PhysicalLocation.ArtifactLocation
	if loc.URI != "Payload/Z.app/Info.plist" || loc.URIBaseID != "APP1" || f010.Level != "warning" ||
		f010.PartialFingerprints[FingerprintKey] != "fp1" || len(f010.RelatedLocations) != 1 ||
		!strings.Contains(f010.Message.Text, "Fix: Set FacebookAutoLogAppEventsEnabled") {
		t.Errorf("SDKF010 result: %+v", f010)
	}
	f016 := run.Results[byRule["SDKF016"]]
	if len(f016.Suppressions) != 1 || f016.Suppressions[0].Status != "accepted" || f016.Suppressions[0].Justification != "Legacy server, ticket 12." ||
		f016.Locations[0].PhysicalLocation.ArtifactLocation.URIBaseID != "APP2" {
		t.Errorf("SDKF016 result: %+v", f016)
	}
	if u := run.Results[byRule["SDKF011"]].Locations[0].PhysicalLocation.ArtifactLocation.URI; u != "Payload/Z.app/a:b/%C3%BC%20%23%3F.dylib" {
		t.Errorf("escaped uri = %q", u)
	}
	if l := run.Results[byRule["SDKF001"]].Locations[0]; l.PhysicalLocation != nil || l.LogicalLocations[0].FullyQualifiedName != "s1/flow 7" {
		t.Errorf("flow location: %+v", l)
	}
	inv := run.Invocations[0]
	if len(inv.ToolConfigurationNotifications) != 1 || len(inv.ToolExecutionNotifications) != 2 {
		t.Errorf("invocation: %+v", inv)
	}
}

func TestDeterministic(t *testing.T) {
	if a, b := encode(t, testReport()), encode(t, testReport()); !bytes.Equal(a, b) {
		t.Error("two encodings of the same report differ")
	}
}

func TestRuleName(t *testing.T) {
	if got := ruleName("SDK collects automatically at launch (consent flag absent or on)"); got != "SDKCollectsAutomaticallyAtLaunchConsentFlagAbsentOrOn" {
		t.Errorf("ruleName = %q", got)
	}
}
