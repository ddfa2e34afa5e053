package main

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"github.com/sdkflow/sdkflow/internal/golden"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sdkflow/sdkflow/internal/schemacheck"
	"github.com/sdkflow/sdkflow/model"
	"github.com/sdkflow/sdkflow/schema"
)

// TestScanSamples scans every shipped sample app through the command line and compares the JSON
// report with samples/<name>/expected/scan.json, after checking it against the published schema.
func TestScanSamples(t *testing.T) {
	t.Chdir("../..")
	ipas, err := filepath.Glob("samples/*/*.ipa")
	if err != nil || len(ipas) < 5 {
		t.Fatalf("samples: %v %v", ipas, err)
	}
	validator, err := schemacheck.Compile(schema.Report, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, ipa := range ipas {
		name := strings.TrimSuffix(filepath.Base(ipa), ".ipa")
		t.Run(name, func(t *testing.T) {
			code, out, errOut := runScanCmd(t, ipa, "-o", "json")
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			if err := schemacheck.Validate(validator, []byte(out)); err != nil {
				t.Fatalf("report does not match schema/report.schema.json: %v", err)
			}
			golden.Check(t, filepath.Join(filepath.Dir(ipa), "expected", "scan.json"), []byte(out))
		})
	}
}

// TestScanSampleInventories pins what each sample is built to contain, independently of the
// golden files, so an -update cannot quietly accept a lost SDK.
func TestScanSampleInventories(t *testing.T) {
	want := map[string][]string{
		"zoomlike":           {"facebook-core@5.15.1", "facebook-login@5.15.1"},
		"zoomlike-encrypted": {"facebook-core@5.15.1", "facebook-login@5.15.1"},
		"newsreader":         {"firebase-analytics", "firebase-core", "google-mobile-ads", "lottie@4.4.1", "onesignal-extension"},
		"cleanapp":           {},
		"fatapp":             {"mixpanel@3.6.0"},
	}
	for name, sdks := range want {
		t.Run(name, func(t *testing.T) {
			r := scanJSON(t, "../../samples/"+name+"/"+name+".ipa")
			if len(r.Apps) != 1 {
				t.Fatalf("%d apps", len(r.Apps))
			}
			var got []string
			for _, s := range r.Apps[0].SDKs {
				id := s.ID
				if strings.Contains(strings.Join(sdks, " "), id+"@") {
					id += "@" + s.Version
				}
				got = append(got, id)
				if s.Confidence == model.ConfidenceLow {
					t.Errorf("%s found at low confidence", s.ID)
				}
			}
			if strings.Join(got, " ") != strings.Join(sdks, " ") {
				t.Errorf("SDKs = %v, want %v", got, sdks)
			}
			if name == "cleanapp" && len(r.Findings) != 0 {
				t.Errorf("clean app has findings: %+v", r.Findings)
			}
		})
	}
}

func TestScanEncryptedSampleSaysWhatItCouldNotSee(t *testing.T) {
	r := scanJSON(t, "../../samples/zoomlike-encrypted/zoomlike-encrypted.ipa")
	app := r.Apps[0]
	for _, b := range app.Binaries {
		if !b.Encrypted {
			t.Errorf("%s not reported encrypted", b.Path)
		}
		if b.Counts.Classes != 0 {
			t.Errorf("%s: %d class names read from an encrypted binary", b.Path, b.Counts.Classes)
		}
	}
	encrypted := 0
	for _, l := range app.Limitations {
		if strings.Contains(l, "is encrypted") {
			encrypted++
		}
	}
	if encrypted != len(app.Binaries) {
		t.Errorf("limitations %q for %d encrypted binaries", app.Limitations, len(app.Binaries))
	}
}

func scanJSON(t *testing.T, args ...string) model.Report {
	t.Helper()
	code, out, errOut := runScanCmd(t, append(args, "-o", "json")...)
	if code != exitOK && code != exitFindings {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var r model.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	return r
}

// TestScanBadInputs checks the exit codes and one-line errors for inputs that cannot be read.
func TestScanBadInputs(t *testing.T) {
	dir := t.TempDir()
	notZip := filepath.Join(dir, "notzip.ipa")
	os.WriteFile(notZip, []byte("this is not a zip file at all"), 0o644)
	truncated := filepath.Join(dir, "truncated.ipa")
	data, err := os.ReadFile("../../samples/cleanapp/cleanapp.ipa")
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(truncated, data[:len(data)/2], 0o644)

	for _, p := range []string{notZip, truncated, filepath.Join(dir, "missing.ipa")} {
		code, out, errOut := runScanCmd(t, p, "-o", "json")
		if code != exitInput {
			t.Errorf("%s: exit %d, want %d", p, code, exitInput)
		}
		if lines := strings.Split(strings.TrimSpace(errOut), "\n"); len(lines) != 1 || !strings.Contains(lines[0], filepath.Base(p)) {
			t.Errorf("%s: want one error line naming the file, got %q", p, errOut)
		}
		var r model.Report
		if json.Unmarshal([]byte(out), &r) != nil || len(r.Errors) != 1 {
			t.Errorf("%s: the report should still be written, with the error: %s", p, out)
		}
	}

	// One good input and one bad: the report covers the good one, the exit says an input failed.
	code, out, _ := runScanCmd(t, "../../samples/cleanapp/cleanapp.ipa", notZip, "-o", "json")
	var r model.Report
	if code != exitInput || json.Unmarshal([]byte(out), &r) != nil || len(r.Apps) != 1 || len(r.Errors) != 1 {
		t.Errorf("mixed inputs: exit %d, report %.200s", code, out)
	}
}

// TestScanPartlyUnreadable: an app whose executable is corrupt still yields a report, with the
// problem under the app's errors.
func TestScanPartlyUnreadable(t *testing.T) {
	src, err := zip.OpenReader("../../samples/zoomlike/zoomlike.ipa")
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range src.File {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: f.Name, Method: zip.Deflate})
		if err != nil {
			t.Fatal(err)
		}
		if f.Name == "Payload/Zoomlike.app/Zoomlike" {
			w.Write([]byte("\xcf\xfa\xed\xfe\x0c\x00\x00\x01garbage"))
			continue
		}
		rc, _ := f.Open()
		b := new(bytes.Buffer)
		b.ReadFrom(rc)
		rc.Close()
		w.Write(b.Bytes())
	}
	zw.Close()
	p := filepath.Join(t.TempDir(), "corrupt.ipa")
	os.WriteFile(p, buf.Bytes(), 0o644)

	r := scanJSON(t, p)
	app := r.Apps[0]
	if app.BundleID != "com.example.zoomlike" || len(app.SDKs) < 2 {
		t.Errorf("the rest of the app should still be read: %s, %d SDKs", app.BundleID, len(app.SDKs))
	}
	found := false
	for _, e := range app.Errors {
		if e.Path == "Payload/Zoomlike.app/Zoomlike" && e.Stage == "macho" {
			found = true
		}
	}
	if !found {
		t.Errorf("no macho error for the corrupt executable: %+v", app.Errors)
	}
}
