package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// toolchain is clang + ld64.lld + llvm-ar + llvm-lipo and the stub SDK of samples/toolchain.
// The flags mirror samples/toolchain/env.sh.
type toolchain struct {
	clang, ar, lipo string
	clangMajor      int
	sdk             string // samples/toolchain/sdk
	headers         string // samples/toolchain/include: minimal headers for our sources
	// stubs maps a raw symbol name to the stub framework exporting it ("" for libSystem and
	// libobjc, which every binary links).
	stubs      map[string]string
	frameworks map[string]bool // stub frameworks by name
	log        io.Writer       // commands are echoed here when non-nil
}

var errNoToolchain = errors.New("toolchain not found")

// findToolchain locates the tools and loads the stub SDK below toolchainDir.
func findToolchain(ctx context.Context, toolchainDir string) (*toolchain, error) {
	clang := os.Getenv("CLANG")
	if clang == "" {
		clang = "clang"
	}
	clangPath, err := exec.LookPath(clang)
	if err != nil {
		return nil, fmt.Errorf("%w: %s not on PATH", errNoToolchain, clang)
	}
	tc := &toolchain{clang: clangPath, sdk: filepath.Join(toolchainDir, "sdk"),
		headers: filepath.Join(toolchainDir, "include")}
	out, err := exec.CommandContext(ctx, clangPath, "--version").Output()
	if err != nil {
		return nil, fmt.Errorf("%w: %s --version: %v", errNoToolchain, clangPath, err)
	}
	if m := regexp.MustCompile(`version (\d+)\.`).FindSubmatch(out); m != nil {
		tc.clangMajor, _ = strconv.Atoi(string(m[1]))
	}
	if _, err := tc.prog(ctx, "ld64.lld"); err != nil {
		return nil, err
	}
	if tc.ar, err = tc.prog(ctx, "llvm-ar"); err != nil {
		return nil, err
	}
	if tc.lipo, err = tc.prog(ctx, "llvm-lipo"); err != nil {
		return nil, err
	}
	if err := tc.loadStubs(); err != nil {
		return nil, err
	}
	return tc, nil
}

// prog finds an LLVM tool the way clang does (its own program path), then on PATH with and
// without the version suffix.
func (tc *toolchain) prog(ctx context.Context, name string) (string, error) {
	out, err := exec.CommandContext(ctx, tc.clang, "-print-prog-name="+name).Output()
	if err == nil {
		if p := strings.TrimSpace(string(out)); filepath.IsAbs(p) {
			if _, err := os.Stat(p); err == nil {
				return p, nil
			}
		}
	}
	for _, n := range []string{name, fmt.Sprintf("%s-%d", name, tc.clangMajor)} {
		if p, err := exec.LookPath(n); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("%w: %s (next to %s or on PATH)", errNoToolchain, name, tc.clang)
}

// loadStubs indexes the .tbd stubs: which framework exports which symbol.
func (tc *toolchain) loadStubs() error {
	tc.stubs = map[string]string{}
	tc.frameworks = map[string]bool{}
	files, _ := filepath.Glob(filepath.Join(tc.sdk, "usr", "lib", "*.tbd"))
	fws, _ := filepath.Glob(filepath.Join(tc.sdk, "System", "Library", "Frameworks", "*.framework", "*.tbd"))
	if len(files) == 0 {
		return fmt.Errorf("%w: no stub SDK in %s", errNoToolchain, tc.sdk)
	}
	sort.Strings(fws)
	for _, f := range append(files, fws...) {
		framework := ""
		if dir := filepath.Base(filepath.Dir(f)); strings.HasSuffix(dir, ".framework") {
			framework = strings.TrimSuffix(dir, ".framework")
			tc.frameworks[framework] = true
		}
		syms, err := readTBD(f)
		if err != nil {
			return err
		}
		for _, s := range syms {
			if _, dup := tc.stubs[s]; !dup {
				tc.stubs[s] = framework
			}
		}
	}
	return nil
}

// readTBD returns the symbols a text stub (tbd v4) exports, ObjC classes as their
// _OBJC_CLASS_$_ and _OBJC_METACLASS_$_ symbols.
func readTBD(path string) ([]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	// The document tag (!tapi-tbd) means nothing to a generic YAML reader.
	data = bytes.Replace(data, []byte("--- !tapi-tbd"), []byte("---"), 1)
	var doc struct {
		Exports []struct {
			Symbols     []string `yaml:"symbols"`
			ObjCClasses []string `yaml:"objc-classes"`
		} `yaml:"exports"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: reading stub: %w", path, err)
	}
	var out []string
	for _, e := range doc.Exports {
		out = append(out, e.Symbols...)
		for _, c := range e.ObjCClasses {
			out = append(out, "_OBJC_CLASS_$_"+c, "_OBJC_METACLASS_$_"+c)
		}
	}
	return out, nil
}

func target(arch, minOS string) string {
	if arch == "x86_64" {
		return "x86_64-apple-ios" + minOS + "-simulator"
	}
	return arch + "-apple-ios" + minOS
}

// compileFlags are env.sh's IOS_CFLAGS for one architecture, plus the minimal headers.
func (tc *toolchain) compileFlags(arch, minOS string) []string {
	return []string{"-target", target(arch, minOS), "-isysroot", tc.sdk, "-nostdinc",
		"-isystem", tc.headers, "-fobjc-runtime=ios-" + minOS, "-fno-stack-protector",
		"-fno-exceptions", "-Os", "-Wno-objc-root-class", "-Wno-unused-command-line-argument"}
}

// linkFlags are env.sh's IOS_LDFLAGS for one architecture.
func (tc *toolchain) linkFlags(arch, minOS string) []string {
	return []string{"-target", target(arch, minOS), "-isysroot", tc.sdk, "-fuse-ld=lld",
		"-nostdlib", "-lobjc", "-lSystem"}
}

func (tc *toolchain) run(ctx context.Context, dir string, name string, args ...string) error {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	// A fixed environment: nothing of the caller's locale or paths reaches the tools.
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "LC_ALL=C", "ZERO_AR_DATE=1"}
	if tc.log != nil {
		fmt.Fprintf(tc.log, "+ %s %s\n", filepath.Base(name), strings.Join(args, " "))
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %s: %w\n%s", filepath.Base(name), strings.Join(args, " "), err, out.String())
	}
	// lld warns about options it does not implement; anything else is worth seeing.
	if tc.log != nil && out.Len() > 0 {
		tc.log.Write(out.Bytes())
	}
	return nil
}
