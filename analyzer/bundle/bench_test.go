package bundle

import (
	"archive/zip"
	"bytes"
	stdflate "compress/flate"
	"fmt"
	"io"
	"math/rand/v2"
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

// BenchmarkInflate streams the 64 MiB binary's entry to io.Discard, with the deflate reader in
// use (klauspost/compress/flate) and with the standard library's: the decompressor alone, no
// allocation of the result.
func BenchmarkInflate(b *testing.B) {
	p := benchFile(b, "big.ipa", bigBinaryZip)
	for _, c := range []struct {
		name  string
		dcomp kzip.Decompressor
	}{{"klauspost", nil}, {"stdlib", stdlibFlate}} {
		b.Run(c.name, func(b *testing.B) {
			defer func(old kzip.Decompressor) { zipDecompressor = old }(zipDecompressor)
			zipDecompressor = c.dcomp
			s, err := Open(p, Limits{})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			n := s.tree.nodes["Payload/Big.app/Big"]
			buf := make([]byte, 256<<10)
			b.SetBytes(bigBinarySize)
			cpu := processCPU()
			for b.Loop() {
				s.inflated.Store(0)
				rc, err := s.openZipEntry(n.zf)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := io.CopyBuffer(io.Discard, rc, buf); err != nil {
					b.Fatal(err)
				}
				rc.Close()
			}
			reportCPU(b, cpu)
		})
	}
}

// BenchmarkInflateRatio measures, in one run, OpenBinary on the 64 MiB binary against
// `unzip -p` of the same entry to /dev/null. The metrics are ratios of wall and CPU time
// (lower is faster than unzip). BenchmarkInflate compares the decompressors themselves.
func BenchmarkInflateRatio(b *testing.B) {
	p := benchFile(b, "big.ipa", bigBinaryZip)
	unzip, err := exec.LookPath("unzip")
	if err != nil {
		b.Skip("unzip not installed")
	}
	s, err := Open(p, Limits{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	var ours, unz, oursCPU, unzCPU time.Duration
	for b.Loop() {
		start, cpu := time.Now(), processCPU()
		s.inflated.Store(0)
		bin, err := s.OpenBinary("Payload/Big.app/Big")
		if err != nil {
			b.Fatal(err)
		}
		bin.Close()
		ours += time.Since(start)
		oursCPU += processCPU() - cpu

		start = time.Now()
		cmd := exec.Command(unzip, "-p", p, "Payload/Big.app/Big")
		if err := cmd.Run(); err != nil {
			b.Fatal(err)
		}
		unz += time.Since(start)
		unzCPU += cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	}
	b.ReportMetric(float64(ours)/float64(unz), "x-unzip-p")
	if oursCPU > 0 {
		b.ReportMetric(float64(oursCPU)/float64(unzCPU), "x-unzip-p-cpu")
	}
	b.ReportMetric(float64(ours.Milliseconds())/float64(b.N), "ms/op-ours")
}

// scanLikeZip is a scaled-down release .ipa: a 48 MiB main executable, 40 dynamic frameworks
// of 512 KiB with their Info.plists, and 3,000 resources of 8 KiB that do not compress
// (images), all deflated.
func scanLikeZip() []byte {
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	w.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		return stdflate.NewWriter(out, stdflate.DefaultCompression)
	})
	add := func(name string, body []byte) {
		fw, _ := w.Create(name)
		fw.Write(body)
	}
	const app = "Payload/Scan.app/"
	add(app+"Info.plist", []byte("<plist/>"))
	add(app+"Scan", machO(48<<20, 1))
	for i := range 40 {
		fw := fmt.Sprintf("%sFrameworks/SDK%02d.framework/", app, i)
		add(fw+"Info.plist", []byte("<plist/>"))
		add(fw+fmt.Sprintf("SDK%02d", i), machO(512<<10, uint64(i+2)))
	}
	r := rand.New(rand.NewPCG(7, 7))
	img := make([]byte, 8<<10)
	for i := range 3000 {
		for j := range img {
			img[j] = byte(r.Uint32())
		}
		add(fmt.Sprintf("%sAssets/img%04d.png", app, i), img)
	}
	w.Close()
	return buf.Bytes()
}

// BenchmarkScanLike does what the static pass asks of this package on a release .ipa: open
// it, read every Info.plist and open every candidate binary, on two workers. The baseline,
// timed in the same run, is `unzip -p` of the whole archive to /dev/null; the metric
// x-unzip-p is the ratio of the two (lower is faster).
func BenchmarkScanLike(b *testing.B) {
	p := benchFile(b, "scanlike.ipa", scanLikeZip)
	unzip, err := exec.LookPath("unzip")
	if err != nil {
		b.Skip("unzip not installed")
	}
	scan := func() {
		s, err := Open(p, Limits{})
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close()
		var jobs []string
		for _, bd := range s.Bundles() {
			if bd.InfoPlist != "" {
				if _, err := s.ReadFile(bd.InfoPlist, 1<<20); err != nil {
					b.Fatal(err)
				}
			}
			jobs = append(jobs, bd.Binaries...)
		}
		if len(jobs) != 41 {
			b.Fatalf("%d binaries", len(jobs))
		}
		next := make(chan string)
		var wg sync.WaitGroup
		for range 2 {
			wg.Go(func() {
				for j := range next {
					bin, err := s.OpenBinary(j)
					if err != nil {
						b.Error(err)
						continue
					}
					bin.Close()
				}
			})
		}
		for _, j := range jobs {
			next <- j
		}
		close(next)
		wg.Wait()
	}
	var ours, base, oursCPU, baseCPU time.Duration
	for b.Loop() {
		start, cpu := time.Now(), processCPU()
		scan()
		ours += time.Since(start)
		oursCPU += processCPU() - cpu
		start = time.Now()
		cmd := exec.Command(unzip, "-p", p)
		if err := cmd.Run(); err != nil {
			b.Fatal(err)
		}
		base += time.Since(start)
		baseCPU += cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	}
	b.ReportMetric(float64(ours)/float64(base), "x-unzip-p")
	b.ReportMetric(float64(ours.Milliseconds())/float64(b.N), "ms/op-ours")
	b.ReportMetric(float64(base.Milliseconds())/float64(b.N), "ms/op-unzip")
	if oursCPU > 0 {
		// CPU time is what a busy machine does not inflate; ours is summed over both workers.
		b.ReportMetric(float64(oursCPU)/float64(baseCPU), "x-unzip-p-cpu")
	}
}
