package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/sdkflow/sdkflow/model"
	"github.com/sdkflow/sdkflow/report"
	"github.com/sdkflow/sdkflow/report/registry"
	"golang.org/x/term"
)

// outputFlagHelp describes -o for the commands that write reports.
func outputFlagHelp() string {
	return "output FORMAT or FORMAT=FILE (repeatable; default table on a terminal, json otherwise): " +
		strings.Join(registry.Names(), ", ")
}

// output is one -o FORMAT[=FILE] request; an empty file means standard output.
type output struct {
	format string
	file   string
}

// parseOutputs reads the -o values. With none, the table goes to a terminal and JSON elsewhere.
func parseOutputs(values []string, io *streams) ([]output, error) {
	if len(values) == 0 {
		if io.OutTTY {
			return []output{{format: "table"}}, nil
		}
		return []output{{format: "json"}}, nil
	}
	var outs []output
	stdout := 0
	files := map[string]bool{}
	for _, v := range values {
		format, file, _ := strings.Cut(v, "=")
		if _, ok := registry.Lookup(format); !ok {
			return nil, usageErrorf("unknown output format %q (known: %s)", format, strings.Join(registry.Names(), ", "))
		}
		if file == "" {
			stdout++
		} else if files[file] {
			return nil, usageErrorf("output file %s named twice", file)
		}
		files[file] = true
		outs = append(outs, output{format: format, file: file})
	}
	if stdout > 1 {
		return nil, usageErrorf("only one output can go to standard output; give the others a file (-o FORMAT=FILE)")
	}
	return outs, nil
}

// writeOutputs encodes the report once per output. Reports can be large (a capture of 100,000
// requests makes a JSON report of some 170 MB), so each output goes to its destination as it is
// encoded instead of being held whole in memory first. A file that an encoding error left
// incomplete is removed, so a report file is still whole or absent.
func writeOutputs(outs []output, r *model.Report, st *streams) error {
	for _, o := range outs {
		enc, _ := registry.Lookup(o.format)
		opt := report.Options{}
		if o.file == "" && st.OutTTY {
			opt.Color = os.Getenv("NO_COLOR") == ""
			if f, ok := st.Out.(*os.File); ok {
				if w, _, err := term.GetSize(int(f.Fd())); err == nil {
					opt.Width = w
				}
			}
		}
		if o.file == "" {
			bw := bufio.NewWriterSize(st.Out, 64<<10)
			if err := enc.Encode(bw, r, opt); err != nil {
				return fmt.Errorf("writing %s report: %w", o.format, err)
			}
			if err := bw.Flush(); err != nil {
				return err
			}
			continue
		}
		if err := streamToFile(o.file, func(w io.Writer) error { return enc.Encode(w, r, opt) }); err != nil {
			return fmt.Errorf("writing %s report: %w", o.format, err)
		}
	}
	return nil
}

// streamToFile creates or truncates path (as os.WriteFile does) and writes it through encode.
func streamToFile(path string, encode func(io.Writer) error) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 64<<10)
	err = encode(bw)
	if err == nil {
		err = bw.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		if fi, serr := os.Stat(path); serr == nil && fi.Mode().IsRegular() {
			os.Remove(path)
		}
	}
	return err
}

// failOn returns the exit error for findings at or above the threshold ("" means never).
// Suppressed findings never fail a build: they were accepted with a reason.
func failOn(threshold string, r *model.Report) error {
	if threshold == "" {
		return nil
	}
	sev, _ := model.ParseSeverity(threshold)
	n := 0
	for _, f := range r.Findings {
		if f.Suppressed == nil && f.Severity.AtLeast(sev) {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	return withCode(exitFindings, fmt.Errorf("%d findings at or above %s", n, threshold))
}

func checkFailOn(v string) error {
	if v == "" {
		return nil
	}
	if _, ok := model.ParseSeverity(v); !ok {
		return usageErrorf("--fail-on %q: want info, low, medium, high or critical", v)
	}
	return nil
}
