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
	"github.com/sdkflow/sdkflow/bench/internal/proc"
	"os"
	"strconv"
	"strings"
	"time"
)

const (
	goalLarge   = 10 * time.Second
	goalLargeMB = 400 // peak resident memory of the large report
)

type input struct {
	har   string
	flows int
	runs  []proc.Run
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
		if _, err := proc.Measure("cat", in.har); err != nil {
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
			r, err := proc.Measure(*sdkflow, args...)
			if err != nil {
				fmt.Fprintf(os.Stderr, "measure: report on %s: %v\n", in.har, err)
				os.Exit(1)
			}
			in.runs = append(in.runs, r)
			fmt.Printf("run %d: %7d requests: wall %6.2fs, cpu %6.2fs, peak RSS %5d MB\n",
				i+1, in.flows, r.Wall.Seconds(), r.CPU.Seconds(), r.RSSKB>>10)
		}
	}
	small, large := ins[0], ins[1]
	ws, wl := proc.Median(small.runs, proc.Wall), proc.Median(large.runs, proc.Wall)
	cs, cl := proc.Median(small.runs, proc.CPU), proc.Median(large.runs, proc.CPU)
	var peakLarge int64
	for _, in := range ins {
		peak := proc.PeakRSSKB(in.runs)
		peakLarge = peak
		fmt.Printf("sdkflow report, %7d requests: wall %6.2fs, cpu %6.2fs (medians of %d), peak RSS %d MB\n",
			in.flows, proc.Median(in.runs, proc.Wall).Seconds(), proc.Median(in.runs, proc.CPU).Seconds(), *runs, peak>>10)
	}
	linear := float64(large.flows) / float64(small.flows)
	fmt.Printf("ratio %d/%d requests: wall %.2fx, cpu %.2fx (linear: %.0fx) %s\n", large.flows, small.flows,
		wl.Seconds()/ws.Seconds(), cl.Seconds()/cs.Seconds(), linear, proc.Verdict(cl.Seconds()/cs.Seconds() <= linear*1.1))
	fmt.Printf("%d-request report: wall %.2fs, cpu %.2fs (goal < %s) %s\n", large.flows, wl.Seconds(), cl.Seconds(), goalLarge,
		proc.Verdict(wl < goalLarge))
	fmt.Printf("%d-request report: peak RSS %d MB, the most of any run (goal < %d MB) %s\n", large.flows, peakLarge>>10, goalLargeMB,
		proc.Verdict(peakLarge>>10 < goalLargeMB))
	if wl >= goalLarge && cl < goalLarge {
		fmt.Println("  (wall time over the goal with CPU time under it: the machine is busy; see the load average)")
	}
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		fmt.Printf("load average: %s", b)
	}
}
