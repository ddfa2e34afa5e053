package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"

	"github.com/schollz/progressbar/v3"
	"github.com/sdkflow/sdkflow/analyzer"
	"github.com/sdkflow/sdkflow/analyzer/consent"
	"github.com/sdkflow/sdkflow/internal/version"
	"github.com/sdkflow/sdkflow/model"
	"github.com/sdkflow/sdkflow/report"
	"github.com/sdkflow/sdkflow/signatures"
	"github.com/spf13/cobra"
)

func init() { register(newScanCmd) }

type scanOptions struct {
	outputs    []string
	signatures []string
	failOn     string
	allow      allowFlag
}

func newScanCmd(io *streams, _ *globalOptions) *cobra.Command {
	o := &scanOptions{}
	cmd := &cobra.Command{
		Use:   "scan PATH...",
		Short: "List the SDKs inside iOS apps (.ipa, .app, .xcarchive, .framework, .xcframework)",
		Long: `Scan opens each app read-only, reads every nested bundle, Info.plist, privacy manifest and
Mach-O binary, and lists the third-party SDKs inside with the evidence for each. Several paths give
one report with several apps.`,
		Example: `  sdkflow scan samples/zoomlike/zoomlike.ipa
  sdkflow scan App.ipa -o json=report.json -o sarif=report.sarif --fail-on high
  sdkflow scan App.ipa -o markdown=comment.md --allow sdkflow-allow.yaml --fail-on high`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runScan(cmd.Context(), io, o, args)
		},
	}
	f := cmd.Flags()
	f.StringArrayVarP(&o.outputs, "output", "o", nil, outputFlagHelp())
	f.StringArrayVar(&o.signatures, "signatures", nil, "extra signature FILE or DIR (repeatable); entries override embedded ones by id")
	f.StringVar(&o.failOn, "fail-on", "", "exit 1 when a finding is at or above this severity (low, medium, high, critical)")
	o.allow.register(f)
	return cmd
}

func runScan(ctx context.Context, io *streams, o *scanOptions, paths []string) error {
	outs, err := parseOutputs(o.outputs, io)
	if err != nil {
		return err
	}
	if err := checkFailOn(o.failOn); err != nil {
		return err
	}
	if err := o.allow.load(); err != nil {
		return err
	}
	set, err := loadSignatures(o.signatures)
	if err != nil {
		return err
	}
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	defer stop()

	opt := analyzer.Options{Signatures: set}
	if io.ErrTTY {
		bar := newScanProgress(io)
		defer bar.Finish()
		opt.Progress = func(p analyzer.Progress) {
			bar.ChangeMax(p.Total)
			bar.Describe(p.Input)
			_ = bar.Set(p.Done)
		}
	}
	apps, inputs, inputErrs := analyzer.Scan(ctx, paths, opt)
	r := newReport(set)
	r.Apps, r.Inputs = apps, inputs
	for _, e := range inputErrs {
		var ie *analyzer.InputError
		if errors.As(e, &ie) {
			r.Errors = append(r.Errors, model.Error{Path: ie.Path, Stage: "input", Message: ie.Err.Error()})
			fmt.Fprintln(io.ErrOut, "sdkflow:", e)
		} else {
			return e
		}
	}
	consent.Run(r, set, consent.Options{})
	o.allow.apply(r, io)
	report.Finalize(r)
	if err := writeOutputs(outs, r, io); err != nil {
		return err
	}
	if len(inputErrs) > 0 {
		return withCode(exitInput, nil)
	}
	return failOn(o.failOn, r)
}

func newScanProgress(io *streams) *progressbar.ProgressBar {
	return progressbar.NewOptions(-1,
		progressbar.OptionSetWriter(io.ErrOut),
		progressbar.OptionSetDescription("scanning"),
		progressbar.OptionShowCount(),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionThrottle(100_000_000),
	)
}

// loadSignatures returns the embedded set with the user's files applied.
func loadSignatures(paths []string) (*signatures.Set, error) {
	set, err := signatures.Embedded()
	if err != nil {
		return nil, fmt.Errorf("embedded signatures: %w", err)
	}
	if len(paths) == 0 {
		return set, nil
	}
	set, err = signatures.Load(set, paths...)
	if err != nil {
		return nil, withCode(exitUsage, err)
	}
	return set, nil
}

// newReport starts a report stamped with the tool and signature set versions.
func newReport(set *signatures.Set) *model.Report {
	return &model.Report{
		Tool: model.Tool{Name: version.Name, Version: version.Version, Signatures: set.Info()},
	}
}
