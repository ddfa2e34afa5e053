package main

import (
	"bytes"
	"strings"
	"testing"
)

// runCLI runs a command line with captured streams and empty standard input; tty says whether
// standard output counts as a terminal.
func runCLI(t *testing.T, tty bool, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(args, &streams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut, OutTTY: tty})
	return code, out.String(), errOut.String()
}

func runScanCmd(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	return runCLI(t, false, append([]string{"scan"}, args...)...)
}

func runReportCmd(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	return runCLI(t, false, append([]string{"report"}, args...)...)
}

// runWithStore runs a command against the state directory store.
func runWithStore(t *testing.T, store string, tty bool, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	return runCLI(t, tty, append([]string{"--store", store}, args...)...)
}
