package analyzer_test

import (
	"archive/zip"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sdkflow/sdkflow/analyzer"
	"github.com/sdkflow/sdkflow/model"
	"github.com/sdkflow/sdkflow/signatures"
)

// unzipTo writes the sample IPA's entries under dir, so the same app can be scanned in every
// input form a user may hand over.
func unzipTo(t *testing.T, ipa, dir string) {
	t.Helper()
	zr, err := zip.OpenReader(ipa)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	for _, f := range zr.File {
		p := filepath.Join(dir, filepath.FromSlash(f.Name))
		if f.FileInfo().IsDir() {
			os.MkdirAll(p, 0o755)
			continue
		}
		os.MkdirAll(filepath.Dir(p), 0o755)
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		out, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY, f.Mode())
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(out, rc)
		rc.Close()
		out.Close()
	}
}

func sdkIDs(app model.App) []string {
	var ids []string
	for _, s := range app.SDKs {
		ids = append(ids, s.ID+"@"+s.Version)
	}
	return ids
}

// TestScanEveryInputKind scans the zoomlike app as an .ipa, an .app directory, an .xcarchive,
// and its Facebook framework as a bare .framework and inside an .xcframework.
func TestScanEveryInputKind(t *testing.T) {
	set, err := signatures.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	const ipa = "../samples/zoomlike/zoomlike.ipa"
	tmp := t.TempDir()
	unzipTo(t, ipa, tmp)
	app := filepath.Join(tmp, "Payload", "Zoomlike.app")

	archive := filepath.Join(tmp, "Zoomlike.xcarchive")
	os.MkdirAll(filepath.Join(archive, "Products", "Applications"), 0o755)
	unzipTo(t, ipa, filepath.Join(tmp, "copy"))
	if err := os.Rename(filepath.Join(tmp, "copy", "Payload", "Zoomlike.app"), filepath.Join(archive, "Products", "Applications", "Zoomlike.app")); err != nil {
		t.Fatal(err)
	}

	framework := filepath.Join(app, "Frameworks", "FBSDKCoreKit.framework")
	xcf := filepath.Join(tmp, "FBSDKCoreKit.xcframework")
	unzipTo(t, ipa, filepath.Join(tmp, "copy2"))
	os.MkdirAll(filepath.Join(xcf, "ios-arm64"), 0o755)
	if err := os.Rename(filepath.Join(tmp, "copy2", "Payload", "Zoomlike.app", "Frameworks", "FBSDKCoreKit.framework"), filepath.Join(xcf, "ios-arm64", "FBSDKCoreKit.framework")); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(xcf, "Info.plist"), []byte(`<?xml version="1.0" encoding="UTF-8"?>
<plist version="1.0"><dict>
<key>AvailableLibraries</key><array><dict>
<key>LibraryIdentifier</key><string>ios-arm64</string>
<key>LibraryPath</key><string>FBSDKCoreKit.framework</string>
<key>SupportedPlatform</key><string>ios</string>
</dict></array>
<key>CFBundlePackageType</key><string>XFWK</string>
<key>XCFrameworkFormatVersion</key><string>1.0</string>
</dict></plist>`), 0o644)

	both := []string{"facebook-core@5.15.1", "facebook-login@5.15.1"}
	for _, c := range []struct {
		path, kind string
		want       []string
	}{
		{ipa, "ipa", both},
		{app, "app", both},
		{archive, "xcarchive", both},
		{framework, "framework", []string{"facebook-core@5.15.1"}},
		{xcf, "xcframework", []string{"facebook-core@5.15.1"}},
	} {
		t.Run(c.kind, func(t *testing.T) {
			app, in, err := analyzer.ScanOne(context.Background(), c.path, analyzer.Options{Signatures: set})
			if err != nil {
				t.Fatal(err)
			}
			if in.Kind != c.kind || len(in.SHA256) != 64 {
				t.Errorf("input %+v", in)
			}
			if got := sdkIDs(app); !slices.Equal(got, c.want) {
				t.Errorf("SDKs %v, want %v", got, c.want)
			}
			if len(app.Errors) > 0 {
				t.Errorf("errors: %+v", app.Errors)
			}
		})
	}
}

func TestScanInputErrors(t *testing.T) {
	set, _ := signatures.Embedded()
	dir := t.TempDir()
	plain := filepath.Join(dir, "notes")
	os.MkdirAll(plain, 0o755)
	os.WriteFile(filepath.Join(plain, "readme.txt"), []byte("no bundle here"), 0o644)
	apps, inputs, errs := analyzer.Scan(context.Background(), []string{"../samples/cleanapp/cleanapp.ipa", plain}, analyzer.Options{Signatures: set})
	if len(apps) != 1 || len(inputs) != 1 || len(errs) != 1 {
		t.Fatalf("%d apps, %d inputs, %d errors", len(apps), len(inputs), len(errs))
	}
	var ie *analyzer.InputError
	if !errors.As(errs[0], &ie) || ie.Path != plain || !strings.Contains(errs[0].Error(), "notes") {
		t.Errorf("error %v", errs[0])
	}
}

func TestScanCancelled(t *testing.T) {
	set, _ := signatures.Embedded()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	app, _, err := analyzer.ScanOne(ctx, "../samples/zoomlike/zoomlike.ipa", analyzer.Options{Signatures: set})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range app.Errors {
		found = found || strings.Contains(e.Message, "interrupted")
	}
	if !found {
		t.Errorf("a cancelled scan must say it is incomplete: %+v", app.Errors)
	}
}
