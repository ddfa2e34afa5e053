// Command measure times `sdkflow scan -o json` against `unzip -p` on the same .ipa, runs
// interleaved, and prints the medians, their ratio and the scan's peak resident memory (from
// the kernel's rusage of the child). Output goes to /dev/null for both, as in a shell.
//
//	go run ./bench/scan/measure -sdkflow BIN -runs 3 APP.ipa
package main

import (
	"flag"
	"fmt"
	"github.com/sdkflow/sdkflow/bench/internal/proc"
	"os"
)

// goals of issue 2: scan time at most 0.3x unzip's, peak memory under 300 MB.
const (
	goalRatio = 0.3
	goalRSSMB = 300
)

func main() {
	sdkflow := flag.String("sdkflow", "sdkflow", "the sdkflow `binary`")
	runs := flag.Int("runs", 3, "runs of each command (medians are reported)")
	flag.Parse()
	if flag.NArg() != 1 || *runs < 1 {
		fmt.Fprintln(os.Stderr, "usage: measure [-sdkflow BIN] [-runs N] APP.ipa")
		os.Exit(2)
	}
	ipa := flag.Arg(0)
	st, err := os.Stat(ipa)
	if err != nil {
		fmt.Fprintln(os.Stderr, "measure:", err)
		os.Exit(1)
	}
	// Warm the page cache so neither side pays for the first read from disk.
	if _, err := proc.Measure("cat", ipa); err != nil {
		fmt.Fprintln(os.Stderr, "measure:", err)
		os.Exit(1)
	}
	var unzip, scan []proc.Run
	for i := 0; i < *runs; i++ {
		u, err := proc.Measure("unzip", "-p", ipa)
		if err != nil {
			fmt.Fprintln(os.Stderr, "measure: unzip:", err)
			os.Exit(1)
		}
		s, err := proc.Measure(*sdkflow, "scan", "-o", "json", ipa)
		if err != nil {
			fmt.Fprintln(os.Stderr, "measure: scan:", err)
			os.Exit(1)
		}
		unzip, scan = append(unzip, u), append(scan, s)
		fmt.Printf("run %d: unzip -p %.2fs (cpu %.2fs), sdkflow scan %.2fs (cpu %.2fs, peak RSS %d MB)\n",
			i+1, u.Wall.Seconds(), u.CPU.Seconds(), s.Wall.Seconds(), s.CPU.Seconds(), s.RSSKB>>10)
	}
	u, s := proc.Median(unzip, proc.Wall), proc.Median(scan, proc.Wall)
	uc, sc := proc.Median(unzip, proc.CPU), proc.Median(scan, proc.CPU)
	peak := proc.PeakRSSKB(scan)
	ratio := s.Seconds() / u.Seconds()
	fmt.Printf("ipa: %s (%d MB)\n", ipa, st.Size()>>20)
	fmt.Printf("unzip -p > /dev/null:    %.2fs (median of %d)\n", u.Seconds(), *runs)
	fmt.Printf("sdkflow scan -o json:    %.2fs (median of %d)\n", s.Seconds(), *runs)
	fmt.Printf("ratio scan/unzip:        %.3f (goal <= %.1f) %s\n", ratio, goalRatio, proc.Verdict(ratio <= goalRatio))
	fmt.Printf("cpu time unzip / scan:   %.2fs / %.2fs, ratio %.3f\n", uc.Seconds(), sc.Seconds(), sc.Seconds()/uc.Seconds())
	fmt.Printf("scan peak RSS:           %d MB (goal < %d MB) %s\n", peak>>10, goalRSSMB, proc.Verdict(peak>>10 < goalRSSMB))
}
