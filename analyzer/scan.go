// Package analyzer is the static pass: it opens each app input read-only, reads every bundle,
// Info.plist, privacy manifest and Mach-O file in it, and matches the facts against the
// signature set to list the SDKs inside, each with the evidence that proves it.
package analyzer

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"

	"github.com/sdkflow/sdkflow/analyzer/bundle"
	"github.com/sdkflow/sdkflow/model"
	"github.com/sdkflow/sdkflow/signatures"
)

// Options configure the static pass.
type Options struct {
	Signatures *signatures.Set
	Limits     bundle.Limits
	// Workers bounds how many binaries are read at once (default: the number of CPUs).
	Workers int
	// Progress, when set, is told about each step (for a progress bar); it must be cheap.
	Progress func(Progress)
}

// Progress is one step of the static pass.
type Progress struct {
	Input string
	// Done and Total count binaries read so far in this input.
	Done, Total int
	Path        string
}

// InputError is returned when an input could not be read at all; the command exits 3 on it.
type InputError struct {
	Path string
	Err  error
}

func (e *InputError) Error() string { return fmt.Sprintf("%s: %v", e.Path, e.Err) }
func (e *InputError) Unwrap() error { return e.Err }

// Scan runs the static pass over every path. Each input yields an app and an input record; an
// input that cannot be read at all yields an *InputError in errs instead, and the others go on.
func Scan(ctx context.Context, paths []string, opt Options) (apps []model.App, inputs []model.Input, errs []error) {
	for _, p := range paths {
		app, in, err := ScanOne(ctx, p, opt)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		apps = append(apps, app)
		inputs = append(inputs, in)
	}
	return apps, inputs, errs
}

// ScanOne runs the static pass over one input.
func ScanOne(ctx context.Context, path string, opt Options) (model.App, model.Input, error) {
	if opt.Signatures == nil {
		return model.App{}, model.Input{}, errors.New("analyzer: no signature set")
	}
	if opt.Workers <= 0 {
		opt.Workers = runtime.NumCPU()
	}
	if opt.Limits == (bundle.Limits{}) {
		opt.Limits = bundle.DefaultLimits()
	}

	// The input digest reads the whole file once; it runs beside the scan, which reads only
	// the parts it needs.
	var (
		digest    string
		size      int64
		digestErr error
		wg        sync.WaitGroup
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		digest, size, digestErr = bundle.Digest(path)
	}()

	src, err := bundle.Open(path, opt.Limits)
	if err != nil {
		wg.Wait()
		return model.App{}, model.Input{}, &InputError{Path: path, Err: err}
	}
	defer src.Close()

	s := &scan{ctx: ctx, src: src, opt: opt, input: path}
	app := s.run()
	wg.Wait()
	if digestErr != nil {
		app.Errors = append(app.Errors, model.Error{Path: path, Stage: "input", Message: "computing sha256: " + digestErr.Error()})
	}
	in := model.Input{Path: path, Kind: src.Kind, SHA256: digest, Size: size}
	return app, in, nil
}
