package bundle

import (
	"archive/zip"
	"bytes"
	stdflate "compress/flate"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	kzip "github.com/klauspost/compress/zip"
)

// Benchmarks share generated archives, built once per process and removed by TestMain.
var (
	benchDir     string
	benchDirOnce sync.Once
	benchFiles   = map[string]string{}
	benchMu      sync.Mutex
)

func TestMain(m *testing.M) {
	code := m.Run()
	if benchDir != "" {
		os.RemoveAll(benchDir)
	}
	os.Exit(code)
}

func benchFile(b *testing.B, name string, build func() []byte) string {
	b.Helper()
	benchMu.Lock()
	defer benchMu.Unlock()
	if p, ok := benchFiles[name]; ok {
		return p
	}
	benchDirOnce.Do(func() {
		d, err := os.MkdirTemp("", "sdkflow-bundle-bench-")
		if err != nil {
			b.Fatal(err)
		}
		benchDir = d
	})
	p := filepath.Join(benchDir, name)
	if err := os.WriteFile(p, build(), 0o644); err != nil {
		b.Fatal(err)
	}
	benchFiles[name] = p
	return p
}

const bigBinarySize = 64 << 20

// bigBinaryZip holds one 64 MiB Mach-O-like binary, deflated at the default level as Xcode's
// export does, beside an Info.plist.
func bigBinaryZip() []byte {
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	w.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		return stdflate.NewWriter(out, stdflate.DefaultCompression)
	})
	fw, _ := w.Create("Payload/Big.app/Info.plist")
	fw.Write([]byte("<plist/>"))
	fw, _ = w.Create("Payload/Big.app/Big")
	fw.Write(machO(bigBinarySize, 42))
	w.Close()
	return buf.Bytes()
}

// BenchmarkOpen100k opens an .ipa of 100,000 entries: the central directory is read, every
// name checked and placed in the tree, bundles found. The zip-directory sub-benchmark is the
// baseline: the zip package's reading of the same central directory alone.
func BenchmarkOpen100k(b *testing.B) {
	p := benchFile(b, "100k.ipa", func() []byte { return manyEntries(b, 100_000) })
	b.Run("Open", func(b *testing.B) {
		cpu := processCPU()
		for b.Loop() {
			s, err := Open(p, Limits{})
			if err != nil {
				b.Fatal(err)
			}
			s.Close()
		}
		reportCPU(b, cpu)
	})
	b.Run("zip-directory", func(b *testing.B) {
		cpu := processCPU()
		for b.Loop() {
			f, err := os.Open(p)
			if err != nil {
				b.Fatal(err)
			}
			fi, _ := f.Stat()
			if _, err := kzip.NewReader(f, fi.Size()); err != nil {
				b.Fatal(err)
			}
			f.Close()
		}
		reportCPU(b, cpu)
	})
}

// reportCPU reports the process CPU time per operation since start (all threads, GC included).
func reportCPU(b *testing.B, start time.Duration) {
	if cpu := processCPU() - start; cpu > 0 {
		b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/op")
	}
}

// BenchmarkOpenBinaryDeflated inflates a 64 MiB deflated binary with OpenBinary: into memory,
// into a spill file, and into memory with the standard library's inflater for comparison.
func BenchmarkOpenBinaryDeflated(b *testing.B) {
	p := benchFile(b, "big.ipa", bigBinaryZip)
	run := func(b *testing.B, lim Limits, dcomp kzip.Decompressor) {
		defer func(old kzip.Decompressor) { zipDecompressor = old }(zipDecompressor)
		zipDecompressor = dcomp
		lim.TempDir = b.TempDir()
		s, err := Open(p, lim)
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close()
		b.SetBytes(bigBinarySize)
		cpu := processCPU()
		for b.Loop() {
			s.inflated.Store(0)
			bin, err := s.OpenBinary("Payload/Big.app/Big")
			if err != nil {
				b.Fatal(err)
			}
			bin.Close()
		}
		reportCPU(b, cpu)
	}
	b.Run("memory", func(b *testing.B) { run(b, Limits{}, nil) })
	b.Run("spill", func(b *testing.B) { run(b, Limits{SpillThreshold: 1 << 20}, nil) })
	b.Run("memory-stdlib-flate", func(b *testing.B) { run(b, Limits{}, stdlibFlate) })
}

func stdlibFlate(r io.Reader) io.ReadCloser { return stdflate.NewReader(r) }

// BenchmarkInflateRatio measures, in one run, OpenBinary on the 64 MiB binary against two
// baselines on the same file: the standard library's inflater, and `unzip -p` of the same
// entry to /dev/null (when unzip is installed). The metrics are time ratios (lower is faster
// than the baseline).
func BenchmarkInflateRatio(b *testing.B) {
	p := benchFile(b, "big.ipa", bigBinaryZip)
	s, err := Open(p, Limits{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	timeIt := func(f func()) time.Duration {
		start := time.Now()
		f()
		return time.Since(start)
	}
	open := func() {
		s.inflated.Store(0)
		bin, err := s.OpenBinary("Payload/Big.app/Big")
		if err != nil {
			b.Fatal(err)
		}
		bin.Close()
	}
	unzip, _ := exec.LookPath("unzip")
	var ours, std, unz time.Duration
	for b.Loop() {
		ours += timeIt(open)
		zipDecompressor = stdlibFlate
		std += timeIt(open)
		zipDecompressor = nil
		if unzip != "" {
			unz += timeIt(func() {
				cmd := exec.Command(unzip, "-p", p, "Payload/Big.app/Big")
				if err := cmd.Run(); err != nil {
					b.Fatal(err)
				}
			})
		}
	}
	b.ReportMetric(float64(ours)/float64(std), "x-stdlib-flate")
	if unzip != "" {
		b.ReportMetric(float64(ours)/float64(unz), "x-unzip-p")
	}
	b.ReportMetric(float64(ours.Milliseconds())/float64(b.N), "ms/op-ours")
}
