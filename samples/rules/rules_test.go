// Package rules holds one sample app per static rule that triggers it and one that does not,
// with the reports sdkflow must give for each. The test scans every sample as `sdkflow scan`
// does and compares the JSON, SARIF and Markdown outputs with the golden files in
// <sample>/expected/ (go test ./samples/rules -update rewrites them).
package rules

import (
	"bytes"
	"context"
	"github.com/sdkflow/sdkflow/internal/golden"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sdkflow/sdkflow/analyzer"
	"github.com/sdkflow/sdkflow/analyzer/consent"
	"github.com/sdkflow/sdkflow/internal/schemacheck"
	"github.com/sdkflow/sdkflow/model"
	"github.com/sdkflow/sdkflow/report"
	"github.com/sdkflow/sdkflow/report/registry"
	"github.com/sdkflow/sdkflow/schema"
	"github.com/sdkflow/sdkflow/signatures"
)

// scan runs the static pass and the rules as the scan command does. The tool block is fixed,
// so the goldens change with what the app holds and what the rules say, not with each release
// or signature-set version.
func scan(t *testing.T, paths ...string) *model.Report {
	t.Helper()
	set, err := signatures.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	apps, inputs, errs := analyzer.Scan(context.Background(), paths, analyzer.Options{Signatures: set, Workers: 2})
	if len(errs) > 0 {
		t.Fatalf("scan: %v", errs)
	}
	r := &model.Report{Tool: model.Tool{Name: "sdkflow", Version: "test", Signatures: model.SignatureInfo{Version: "test"}}, Apps: apps, Inputs: inputs}
	consent.Run(r, set, consent.Options{})
	report.Finalize(r)
	return r
}

func encode(t *testing.T, format string, r *model.Report) []byte {
	t.Helper()
	enc, ok := registry.Lookup(format)
	if !ok {
		t.Fatalf("no %s encoder", format)
	}
	var buf bytes.Buffer
	if err := enc.Encode(&buf, r, report.Options{}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func samples(t *testing.T) []string {
	dirs, err := filepath.Glob("SDKF*-*")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no samples: %v", err)
	}
	return dirs
}

func TestSamples(t *testing.T) {
	reportSchema, err := schemacheck.Compile(schema.Report, nil)
	if err != nil {
		t.Fatal(err)
	}
	sarifSchema, err := schemacheck.Compile(schema.SARIF, nil)
	if err != nil {
		t.Fatal(err)
	}
	covered := map[string]map[string]bool{}
	for _, dir := range samples(t) {
		t.Run(dir, func(t *testing.T) {
			rule, kind, _ := strings.Cut(dir, "-")
			if covered[rule] == nil {
				covered[rule] = map[string]bool{}
			}
			covered[rule][kind] = true

			r := scan(t, filepath.Join(dir, "app.ipa"))
			var fired []string
			for _, f := range r.Findings {
				fired = append(fired, f.Rule)
			}
			switch kind {
			case "trigger":
				if len(fired) == 0 || slices.ContainsFunc(fired, func(id string) bool { return id != rule }) {
					t.Errorf("want %s findings only, got %q", rule, fired)
				}
			case "clean":
				if len(fired) > 0 {
					t.Errorf("a clean sample gave %q", fired)
				}
			default:
				t.Fatalf("sample kind %q: want trigger or clean", kind)
			}
			if len(r.Apps[0].Errors) > 0 {
				t.Errorf("scan errors: %v", r.Apps[0].Errors)
			}

			js := encode(t, "json", r)
			if err := schemacheck.Validate(reportSchema, js); err != nil {
				t.Errorf("JSON report does not validate: %v", err)
			}
			sarif := encode(t, "sarif", r)
			if err := schemacheck.Validate(sarifSchema, sarif); err != nil {
				t.Errorf("SARIF does not validate against SARIF 2.1.0: %v", err)
			}
			golden.Check(t, filepath.Join(dir, "expected", "report.json"), js)
			golden.Check(t, filepath.Join(dir, "expected", "report.sarif"), sarif)
			golden.Check(t, filepath.Join(dir, "expected", "report.md"), encode(t, "markdown", r))
		})
	}
	for _, info := range model.Rules {
		if info.Needs != model.NeedsStatic {
			continue
		}
		if !covered[info.ID]["trigger"] || !covered[info.ID]["clean"] {
			t.Errorf("%s lacks a trigger or a clean sample", info.ID)
		}
	}
}

// The acceptance cases, on the shared samples.
func TestZoomlikeAndCleanapp(t *testing.T) {
	r := scan(t, "../zoomlike/zoomlike.ipa", "../cleanapp/cleanapp.ipa")
	has := func(rule, sdk, value string) bool {
		return slices.ContainsFunc(r.Findings, func(f model.Finding) bool {
			return f.Rule == rule && f.SDK == sdk && len(f.Evidence) > 0 && strings.Contains(f.Evidence[0].Path+" "+f.Evidence[0].Value, value)
		})
	}
	if !has("SDKF010", "facebook-core", "FacebookAutoLogAppEventsEnabled") {
		t.Error("zoomlike: no SDKF010 for Facebook auto-logging")
	}
	if !has("SDKF010", "facebook-core", "FacebookAdvertiserIDCollectionEnabled") {
		t.Error("zoomlike: no SDKF010 for Facebook advertiser-ID collection")
	}
	if !has("SDKF012", "facebook-core", "FBSDKCoreKit.framework") {
		t.Error("zoomlike: no SDKF012 for the missing FBSDKCoreKit manifest")
	}
	for _, f := range r.Findings {
		if f.App != "com.example.zoomlike" {
			t.Errorf("finding for %s: %s %s", f.App, f.Rule, f.Message)
		}
	}
}
