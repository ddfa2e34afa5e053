package main

import (
	"bytes"
	"fmt"
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

// writeOutputs encodes the report once per output. Each file is written whole or not at all
// from the reader's point of view: it is encoded in memory first.
func writeOutputs(outs []output, r *model.Report, io *streams) error {
	for _, o := range outs {
		enc, _ := registry.Lookup(o.format)
		opt := report.Options{}
		if o.file == "" && io.OutTTY {
			opt.Color = os.Getenv("NO_COLOR") == ""
			if f, ok := io.Out.(*os.File); ok {
				if w, _, err := term.GetSize(int(f.Fd())); err == nil {
					opt.Width = w
				}
			}
		}
		var buf bytes.Buffer
		if err := enc.Encode(&buf, r, opt); err != nil {
			return fmt.Errorf("writing %s report: %w", o.format, err)
		}
		if o.file == "" {
			if _, err := io.Out.Write(buf.Bytes()); err != nil {
				return err
			}
			continue
		}
		if err := os.WriteFile(o.file, buf.Bytes(), 0o644); err != nil {
			return fmt.Errorf("writing %s report: %w", o.format, err)
		}
	}
	return nil
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
