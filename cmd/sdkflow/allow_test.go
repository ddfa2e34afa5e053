package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sdkflow/sdkflow/model"
)

const trigger010 = "../../samples/rules/SDKF010-trigger/app.ipa"

func writeAllow(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "allow.yaml")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestScanFailOnAndAllow(t *testing.T) {
	// Two SDKF010 findings at medium: --fail-on medium fails the build.
	code, out, errOut := runScanCmd(t, trigger010, "-o", "json", "--fail-on", "medium")
	if code != exitFindings || !strings.Contains(errOut, "2 findings at or above medium") {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	var r model.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil || len(r.Findings) != 2 {
		t.Fatalf("report: %v, %d findings", err, len(r.Findings))
	}
	if code, _, _ := runScanCmd(t, trigger010, "-o", "json", "--fail-on", "high"); code != exitOK {
		t.Errorf("--fail-on high: exit %d", code)
	}

	// Accepting them all keeps them in the report, marked, and the build passes; an expired
	// entry warns and accepts nothing.
	allowFile := writeAllow(t, `allow:
  - rule: SDKF010
    sdk: facebook-core
    reason: Collection is enabled at run time after consent.
  - path: "**/Frameworks/**"
    reason: Old exception.
    expires: 2001-01-01
`)
	sarifFile := filepath.Join(t.TempDir(), "out.sarif")
	code, out, errOut = runScanCmd(t, trigger010, "-o", "json", "-o", "sarif="+sarifFile, "--allow", allowFile, "--fail-on", "low")
	if code != exitOK {
		t.Fatalf("with the allow file: exit %d, stderr %q", code, errOut)
	}
	if !strings.Contains(errOut, "warning: "+allowFile+":5: allow entry expired on 2001-01-01") {
		t.Errorf("no expiry warning: %q", errOut)
	}
	r = model.Report{}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	for _, f := range r.Findings {
		if f.Suppressed == nil || f.Suppressed.Source != allowFile+":2" {
			t.Errorf("finding not accepted: %+v", f)
		}
	}
	var inputKinds []string
	for _, in := range r.Inputs {
		inputKinds = append(inputKinds, in.Kind)
	}
	if !strings.Contains(strings.Join(inputKinds, ","), "allow-file") || len(r.Errors) != 1 || r.Errors[0].Stage != "allow" {
		t.Errorf("inputs %q, errors %+v", inputKinds, r.Errors)
	}
	sarif, err := os.ReadFile(sarifFile)
	if err != nil || bytes.Count(sarif, []byte(`"status": "accepted"`)) != 2 {
		t.Errorf("SARIF suppressions: %v", err)
	}
}

func TestScanBadAllowFile(t *testing.T) {
	bad := writeAllow(t, "allow:\n  - rule: SDKF010\n")
	code, out, errOut := runScanCmd(t, trigger010, "--allow", bad)
	if code != exitUsage || out != "" || !strings.Contains(errOut, bad+":2: entry has no reason") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	code, _, errOut = runScanCmd(t, trigger010, "--allow", filepath.Join(t.TempDir(), "missing.yaml"))
	if code != exitUsage || !strings.Contains(errOut, "missing.yaml") {
		t.Errorf("missing allow file: exit %d, stderr %q", code, errOut)
	}
}

func TestScanMarkdownOutput(t *testing.T) {
	code, out, errOut := runScanCmd(t, "../../samples/zoomlike/zoomlike.ipa", "-o", "markdown")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.HasPrefix(out, "## ❌ sdkflow:") || !strings.Contains(out, "SDKF012 (ITMS-91061)") {
		t.Errorf("markdown:\n%s", out)
	}
}
