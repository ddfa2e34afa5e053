package main

import (
	"fmt"
	"time"

	"github.com/sdkflow/sdkflow/analyzer/consent/allow"
	"github.com/sdkflow/sdkflow/model"
	"github.com/spf13/pflag"
)

// allowFlag is --allow FILE, shared by the commands that report findings.
type allowFlag struct {
	path string
	file *allow.File
}

func (a *allowFlag) register(f *pflag.FlagSet) {
	f.StringVar(&a.path, "allow", "", "YAML allow FILE of accepted findings (rule, sdk, app, path, fingerprint; reason; expires): shown as accepted, never failing --fail-on")
}

// load reads the allow file before any work, so a broken one stops the run at once (exit 2).
func (a *allowFlag) load() error {
	if a.path == "" {
		return nil
	}
	f, err := allow.Load(a.path)
	if err != nil {
		return withCode(exitUsage, err)
	}
	a.file = f
	return nil
}

// apply marks accepted findings and warns about expired entries on standard error.
func (a *allowFlag) apply(r *model.Report, io *streams) {
	if a.file == nil {
		return
	}
	for _, w := range a.file.ApplyReport(r, time.Now()) {
		fmt.Fprintln(io.ErrOut, "sdkflow: warning:", w)
	}
}
