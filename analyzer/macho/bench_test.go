package macho

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// Size of the synthetic binary of BenchmarkReadLarge: what a large app's main executable holds.
const (
	benchClasses   = 5000
	benchFunctions = 40000 // plus two symbols per class: over 50,000 symbols
	benchStrings   = 20000
	benchPadMiB    = 96
)

// largeBinary builds (once, cached in the temp directory) an arm64 iOS dylib of about 100 MB
// with benchClasses Objective-C classes, over 50,000 exported symbols and benchStrings C
// strings, from generated sources of our own.
func largeBinary(b *testing.B) string {
	b.Helper()
	if _, err := exec.LookPath("clang"); err != nil {
		b.Skip("clang not on PATH")
	}
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("sdkflow-macho-bench-v1-%d-%d", benchClasses, benchPadMiB))
	out := filepath.Join(dir, "Large.dylib")
	if _, err := os.Stat(out); err == nil {
		return out
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	src := filepath.Join(dir, "Large.m")
	f, err := os.Create(src)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "typedef struct objc_class *Class;\n__attribute__((objc_root_class)) @interface NSObject { Class isa; } @end")
	for i := 0; i < benchClasses; i++ {
		fmt.Fprintf(w, "@interface LGClass%05d : NSObject\n- (int)value%d;\n- (int)other;\n@end\n", i, i)
		fmt.Fprintf(w, "@implementation LGClass%05d\n- (int)value%d { return [self other] + %d; }\n- (int)other { return %d; }\n@end\n", i, i, i, i)
	}
	for i := 0; i < benchFunctions; i++ {
		fmt.Fprintf(w, "int lg_function_%05d(void) { return %d; }\n", i, i)
	}
	fmt.Fprintln(w, "const char *lg_strings[] = {")
	for i := 0; i < benchStrings; i++ {
		fmt.Fprintf(w, "  \"https://collector%d.sdkflow-bench.example/v1/events?id=%d\",\n", i, i)
	}
	fmt.Fprintln(w, "};")
	fmt.Fprintf(w, "__attribute__((used)) const char lg_padding[%d << 20] = {1};\n", benchPadMiB)
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	f.Close()
	tc, _ := filepath.Abs("../../samples/toolchain/sdk")
	args := []string{"-target", "arm64-apple-ios14.0", "-isysroot", tc, "-nostdinc", "-fobjc-runtime=ios-14.0",
		"-fno-stack-protector", "-O0", "-fuse-ld=lld", "-nostdlib", "-lobjc", "-lSystem", "-dynamiclib",
		"-install_name", "@rpath/Large.framework/Large", "-o", out + ".tmp", src}
	start := time.Now()
	if o, err := exec.Command("clang", args...).CombinedOutput(); err != nil {
		b.Fatalf("clang: %v\n%s", err, o)
	}
	if err := os.Rename(out+".tmp", out); err != nil {
		b.Fatal(err)
	}
	b.Logf("built %s in %v", out, time.Since(start))
	return out
}

// BenchmarkReadLarge reads every fact of a 100 MB binary. It reports the time against two
// baselines measured in the same run on the same file: reading it whole (from the page cache)
// and hashing it with SHA-256, which the static pass does for every binary anyway.
func BenchmarkReadLarge(b *testing.B) {
	path := largeBinary(b)
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	size := st.Size()

	baseline := func(fn func() error) time.Duration {
		best := time.Duration(1 << 62)
		for i := 0; i < 3; i++ {
			start := time.Now()
			if err := fn(); err != nil {
				b.Fatal(err)
			}
			best = min(best, time.Since(start))
		}
		return best
	}
	readAll := baseline(func() error {
		_, err := io.Copy(io.Discard, io.NewSectionReader(f, 0, size))
		return err
	})
	hash := baseline(func() error {
		h := sha256.New()
		_, err := io.Copy(h, io.NewSectionReader(f, 0, size))
		return err
	})

	var facts, first = 0, true
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		got, err := Read(f, size, Options{})
		if err != nil {
			b.Fatal(err)
		}
		if first {
			s := got.Slices[0]
			// The one expected note: more C strings than the default bound keeps.
			if len(s.ObjCClasses) != benchClasses || len(s.ExportedSymbols) < 50000 || len(s.Errors) > 1 {
				b.Fatalf("%d classes, %d exports, errors %q", len(s.ObjCClasses), len(s.ExportedSymbols), s.Errors)
			}
			facts = len(s.ObjCClasses) + len(s.ExportedSymbols) + len(s.ImportedSymbols) + len(s.Selectors) + len(s.Strings)
			first = false
		}
	}
	per := time.Since(start) / time.Duration(b.N)
	b.StopTimer()
	b.ReportMetric(float64(size)/(1<<20), "MiB")
	b.ReportMetric(float64(facts), "facts")
	b.ReportMetric(float64(per)/float64(readAll), "x-read-whole-file")
	b.ReportMetric(float64(per)/float64(hash), "x-sha256-of-file")
}

// BenchmarkReadFixture reads the small thin dylib fixture from memory.
func BenchmarkReadFixture(b *testing.B) {
	data, err := os.ReadFile(filepath.Join("testdata", "TrackKit.dylib"))
	if err != nil {
		b.Fatal(err)
	}
	r := bytes.NewReader(data)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := Read(r, int64(len(data)), Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
