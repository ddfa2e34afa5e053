// Command measure times `sdkflow report` on a small and a large capture of the same mix, runs
// interleaved, and prints the medians of wall and CPU time (user + system, from the kernel's
// rusage of the child: steadier than wall time on a busy machine), the peak resident memory, and
// the ratio of large to small against the ratio of their request counts: time must grow at most
// linearly, and the large report must take under ten seconds and 400 MB.
//
//	go run ./bench/report/measure -sdkflow BIN -runs 3 -app APP.ipa SMALL.har:10000 LARGE.har:100000
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

const (
	goalLarge   = 10 * time.Second
	goalLargeMB = 400 // peak resident memory of the large report
)

type run struct {
	wall, cpu time.Duration
	rssKB     int64
}

type input struct {
	har   string
	flows int
	runs  []run
}

func main() {
	sdkflow := flag.String("sdkflow", "sdkflow", "the sdkflow `binary`")
	app := flag.String("app", "", "the app to report with (--app)")
	runs := flag.Int("runs", 3, "runs of each report (medians are reported)")
	flag.Parse()
	if flag.NArg() != 2 || *runs < 1 {
		fmt.Fprintln(os.Stderr, "usage: measure [-sdkflow BIN] [-app APP] [-runs N] SMALL.har:FLOWS LARGE.har:FLOWS")
		os.Exit(2)
	}
	var ins []*input
	for _, a := range flag.Args() {
		har, n, ok := strings.Cut(a, ":")
		flows, err := strconv.Atoi(n)
		if !ok || err != nil || flows <= 0 {
			fmt.Fprintf(os.Stderr, "measure: %q: want FILE.har:FLOWS\n", a)
			os.Exit(2)
		}
		ins = append(ins, &input{har: har, flows: flows})
	}
	for _, in := range ins {
		// Warm the page cache, so no run pays for the first read from disk.
		if _, err := measure("cat", in.har); err != nil {
			fmt.Fprintln(os.Stderr, "measure:", err)
			os.Exit(1)
		}
	}
	for i := 0; i < *runs; i++ {
		for _, in := range ins {
			args := []string{"report", "--har", in.har, "-o", "json=/dev/null"}
			if *app != "" {
				args = append(args, "--app", *app)
			}
			r, err := measure(*sdkflow, args...)
			if err != nil {
				fmt.Fprintf(os.Stderr, "measure: report on %s: %v\n", in.har, err)
				os.Exit(1)
			}
			in.runs = append(in.runs, r)
			fmt.Printf("run %d: %7d requests: wall %6.2fs, cpu %6.2fs, peak RSS %5d MB\n",
				i+1, in.flows, r.wall.Seconds(), r.cpu.Seconds(), r.rssKB>>10)
		}
	}
	small, large := ins[0], ins[1]
	ws, wl := median(small.runs, wallOf), median(large.runs, wallOf)
	cs, cl := median(small.runs, cpuOf), median(large.runs, cpuOf)
	var peakLarge int64
	for _, in := range ins {
		peak := int64(0)
		for _, r := range in.runs {
			peak = max(peak, r.rssKB)
		}
		peakLarge = peak
		fmt.Printf("sdkflow report, %7d requests: wall %6.2fs, cpu %6.2fs (medians of %d), peak RSS %d MB\n",
			in.flows, median(in.runs, wallOf).Seconds(), median(in.runs, cpuOf).Seconds(), *runs, peak>>10)
	}
	linear := float64(large.flows) / float64(small.flows)
	fmt.Printf("ratio %d/%d requests: wall %.2fx, cpu %.2fx (linear: %.0fx) %s\n", large.flows, small.flows,
		wl.Seconds()/ws.Seconds(), cl.Seconds()/cs.Seconds(), linear, verdict(cl.Seconds()/cs.Seconds() <= linear*1.1))
	fmt.Printf("%d-request report: wall %.2fs, cpu %.2fs (goal < %s) %s\n", large.flows, wl.Seconds(), cl.Seconds(), goalLarge,
		verdict(wl < goalLarge))
	fmt.Printf("%d-request report: peak RSS %d MB, the most of any run (goal < %d MB) %s\n", large.flows, peakLarge>>10, goalLargeMB,
		verdict(peakLarge>>10 < goalLargeMB))
	if wl >= goalLarge && cl < goalLarge {
		fmt.Println("  (wall time over the goal with CPU time under it: the machine is busy; see the load average)")
	}
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		fmt.Printf("load average: %s", b)
	}
}

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "MISSED"
}

// measure runs a command with its output to /dev/null and returns its wall and CPU time and
// peak resident set size. sdkflow exits 1 when findings reach --fail-on; none is given here,
// so any other exit is a failure.
func measure(name string, args ...string) (run, error) {
	cmd := exec.Command(name, args...)
	start := time.Now()
	err := cmd.Run()
	r := run{wall: time.Since(start)}
	if cmd.ProcessState != nil {
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok && ru != nil {
			r.rssKB = ru.Maxrss // kilobytes on Linux
			r.cpu = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		}
	}
	return r, err
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
