// Command measure times `sdkflow scan -o json` against `unzip -p` on the same .ipa, runs
// interleaved, and prints the medians, their ratio and the scan's peak resident memory (from
// the kernel's rusage of the child). Output goes to /dev/null for both, as in a shell.
//
//	go run ./bench/scan/measure -sdkflow BIN -runs 3 APP.ipa
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"syscall"
	"time"
)

// goals of issue 2: scan time at most 0.3x unzip's, peak memory under 300 MB.
const (
	goalRatio = 0.3
	goalRSSMB = 300
)

type run struct {
	wall  time.Duration
	cpu   time.Duration // user + system: steadier than wall time on a busy machine
	rssKB int64
}

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
	if _, err := measure("cat", ipa); err != nil {
		fmt.Fprintln(os.Stderr, "measure:", err)
		os.Exit(1)
	}
	var unzip, scan []run
	for i := 0; i < *runs; i++ {
		u, err := measure("unzip", "-p", ipa)
		if err != nil {
			fmt.Fprintln(os.Stderr, "measure: unzip:", err)
			os.Exit(1)
		}
		s, err := measure(*sdkflow, "scan", "-o", "json", ipa)
		if err != nil {
			fmt.Fprintln(os.Stderr, "measure: scan:", err)
			os.Exit(1)
		}
		unzip, scan = append(unzip, u), append(scan, s)
		fmt.Printf("run %d: unzip -p %.2fs (cpu %.2fs), sdkflow scan %.2fs (cpu %.2fs, peak RSS %d MB)\n",
			i+1, u.wall.Seconds(), u.cpu.Seconds(), s.wall.Seconds(), s.cpu.Seconds(), s.rssKB>>10)
	}
	u, s := median(unzip, wallOf), median(scan, wallOf)
	uc, sc := median(unzip, cpuOf), median(scan, cpuOf)
	peak := int64(0)
	for _, r := range scan {
		peak = max(peak, r.rssKB)
	}
	ratio := s.Seconds() / u.Seconds()
	fmt.Printf("ipa: %s (%d MB)\n", ipa, st.Size()>>20)
	fmt.Printf("unzip -p > /dev/null:    %.2fs (median of %d)\n", u.Seconds(), *runs)
	fmt.Printf("sdkflow scan -o json:    %.2fs (median of %d)\n", s.Seconds(), *runs)
	fmt.Printf("ratio scan/unzip:        %.3f (goal <= %.1f) %s\n", ratio, goalRatio, verdict(ratio <= goalRatio))
	fmt.Printf("cpu time unzip / scan:   %.2fs / %.2fs, ratio %.3f\n", uc.Seconds(), sc.Seconds(), sc.Seconds()/uc.Seconds())
	fmt.Printf("scan peak RSS:           %d MB (goal < %d MB) %s\n", peak>>10, goalRSSMB, verdict(peak>>10 < goalRSSMB))
}

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "MISSED"
}

// measure runs a command with stdout and stderr to /dev/null and returns its wall time and
// peak resident set size.
func measure(name string, args ...string) (run, error) {
	cmd := exec.Command(name, args...)
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	var r run
	r.wall = wall
	if cmd.ProcessState == nil {
		return r, err
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok && ru != nil {
		r.rssKB = ru.Maxrss // kilobytes on Linux
		r.cpu = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	if err != nil {
		// sdkflow exits 1 when it has findings; that is a finished scan.
		if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() == 1 && name != "unzip" && name != "cat" {
			return r, nil
		}
		return r, err
	}
	return r, nil
}

func wallOf(r run) time.Duration { return r.wall }
func cpuOf(r run) time.Duration  { return r.cpu }

func median(runs []run, of func(run) time.Duration) time.Duration {
	d := make([]time.Duration, len(runs))
	for i, r := range runs {
		d[i] = of(r)
	}
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	return d[len(d)/2]
}
