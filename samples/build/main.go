// Command build turns app specs (YAML) and our own Objective-C sources into deterministic .ipa
// files, with clang and ld64.lld against the stub SDK in samples/toolchain. See samples/README.md
// for the spec format.
//
//	go run ./samples/build [-o DIR] [-check] [-v] [-keep] SPEC.yaml...
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
)

type config struct {
	toolchainDir string
	outDir       string // when set, every .ipa is written there under its own base name
	keep         bool   // keep the work directory and say where it is
	log          io.Writer
}

func main() {
	var cfg config
	var check, verbose bool
	flag.StringVar(&cfg.outDir, "o", "", "write the .ipa files into `DIR` instead of beside their specs")
	flag.StringVar(&cfg.toolchainDir, "toolchain", "", "the toolchain `DIR` with sdk/ and include/ (default: samples/toolchain of this checkout)")
	flag.BoolVar(&check, "check", false, "build into a temporary directory and compare with the committed .ipa files")
	flag.BoolVar(&verbose, "v", false, "print every command")
	flag.BoolVar(&cfg.keep, "keep", false, "keep the intermediate files")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: build [flags] SPEC.yaml...\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	if verbose {
		cfg.log = os.Stderr
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, cfg, check, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "build:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, cfg config, check bool, specs []string) error {
	if cfg.toolchainDir == "" {
		dir, err := findToolchainDir()
		if err != nil {
			return err
		}
		cfg.toolchainDir = dir
	}
	tc, err := findToolchain(ctx, cfg.toolchainDir)
	if err != nil {
		return err
	}
	tc.log = cfg.log
	if check {
		tmp, err := os.MkdirTemp("", "ipa-check-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		cfg.outDir = tmp
	}
	var failed []string
	for _, spec := range specs {
		committed := defaultOutput(spec)
		if s, err := loadSpec(spec); err == nil && s.Output != "" {
			committed = filepath.Join(filepath.Dir(spec), s.Output)
		}
		if check {
			// As in the test: a spec whose .ipa is not committed has nothing to reproduce.
			if _, err := os.Stat(committed); errors.Is(err, os.ErrNotExist) {
				fmt.Fprintf(os.Stderr, "build: %s: no committed %s, skipped\n", spec, committed)
				continue
			}
		}
		out, err := buildSpecFile(ctx, tc, cfg, spec)
		if err != nil {
			return err
		}
		if check {
			same, err := sameFile(out, committed)
			if err != nil {
				return err
			}
			if !same {
				failed = append(failed, committed)
			}
			continue
		}
		fmt.Println(out)
	}
	if len(failed) > 0 {
		return fmt.Errorf("not reproduced byte for byte (rebuild and commit them): %s", strings.Join(failed, ", "))
	}
	return nil
}

// buildSpecFile builds one spec and returns the path of the .ipa it wrote.
func buildSpecFile(ctx context.Context, tc *toolchain, cfg config, specPath string) (string, error) {
	s, err := loadSpec(specPath)
	if err != nil {
		return "", err
	}
	out := defaultOutput(specPath)
	if s.Output != "" {
		out = filepath.Join(filepath.Dir(specPath), s.Output)
	}
	if cfg.outDir != "" {
		if err := os.MkdirAll(cfg.outDir, 0o755); err != nil {
			return "", err
		}
		out = filepath.Join(cfg.outDir, filepath.Base(out))
	}
	work, err := os.MkdirTemp("", "ipa-build-")
	if err != nil {
		return "", err
	}
	if cfg.keep {
		fmt.Fprintf(os.Stderr, "build: %s: intermediate files in %s\n", specPath, work)
	} else {
		defer os.RemoveAll(work)
	}
	specDir, err := filepath.Abs(filepath.Dir(specPath))
	if err != nil {
		return "", err
	}
	b := &builder{tc: tc, specDir: specDir, minOS: s.MinOS, work: work, linkArchs: allArchs(s)}
	if b.minOS == "" {
		b.minOS = "14.0"
	}
	if err := b.buildApp(ctx, s, "Payload/"+s.Name+".app/", "APPL", nil); err != nil {
		return "", fmt.Errorf("%s: %w", specPath, err)
	}
	// Write beside the target and rename, so a failed build never leaves a partial .ipa.
	tmp, err := os.CreateTemp(filepath.Dir(out), ".ipa-*")
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp.Name())
	if err := writeZip(tmp, b.entries, s.Stored); err != nil {
		tmp.Close()
		return "", fmt.Errorf("%s: %w", out, err)
	}
	if err := tmp.Close(); err != nil {
		return "", err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return "", err
	}
	return out, os.Rename(tmp.Name(), out)
}

func defaultOutput(specPath string) string {
	return strings.TrimSuffix(specPath, filepath.Ext(specPath)) + ".ipa"
}

// findToolchainDir walks up from the working directory to the checkout's samples/toolchain.
func findToolchainDir() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		cand := filepath.Join(dir, "samples", "toolchain")
		if st, err := os.Stat(filepath.Join(cand, "sdk")); err == nil && st.IsDir() {
			return cand, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("samples/toolchain not found above the working directory (use -toolchain)")
		}
		dir = parent
	}
}

func sameFile(a, b string) (bool, error) {
	x, err := os.ReadFile(a)
	if err != nil {
		return false, err
	}
	y, err := os.ReadFile(b)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return bytes.Equal(x, y), nil
}
