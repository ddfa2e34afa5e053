// Package proc measures the benchmark scripts' child processes: wall time, CPU time (user +
// system, steadier than wall time on a busy machine) and peak resident memory, all from the
// kernel's rusage of the child.
package proc

import (
	"os/exec"
	"slices"
	"syscall"
	"time"
)

// Run is one measured execution.
type Run struct {
	Wall, CPU time.Duration
	RSSKB     int64 // peak resident set size, kilobytes
}

// Measure runs a command with its standard output and error discarded. The run is measured
// even when the command fails; the error is returned beside it.
func Measure(name string, args ...string) (Run, error) {
	cmd := exec.Command(name, args...)
	start := time.Now()
	err := cmd.Run()
	r := Run{Wall: time.Since(start)}
	if cmd.ProcessState != nil {
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok && ru != nil {
			r.RSSKB = ru.Maxrss // kilobytes on Linux
			r.CPU = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		}
	}
	return r, err
}

// Wall and CPU select a run's times for Median.
func Wall(r Run) time.Duration { return r.Wall }
func CPU(r Run) time.Duration  { return r.CPU }

// Median is the middle value of runs by of.
func Median(runs []Run, of func(Run) time.Duration) time.Duration {
	d := make([]time.Duration, len(runs))
	for i, r := range runs {
		d[i] = of(r)
	}
	slices.Sort(d)
	return d[len(d)/2]
}

// PeakRSSKB is the largest peak resident set of any run, in kilobytes.
func PeakRSSKB(runs []Run) int64 {
	var peak int64
	for _, r := range runs {
		peak = max(peak, r.RSSKB)
	}
	return peak
}

// Verdict words a goal check.
func Verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "MISSED"
}
