package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/mattn/go-isatty"
	"github.com/spf13/cobra"
)

// Exit codes (DESIGN.md).
const (
	exitOK       = 0
	exitFindings = 1 // findings at or above --fail-on
	exitUsage    = 2
	exitInput    = 3 // an input could not be read at all
)

// streams are the command's standard streams, injected so tests can capture them.
type streams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
	// OutTTY and ErrTTY say whether Out and ErrOut are terminals (tables, colour, progress).
	OutTTY bool
	ErrTTY bool
	// InTTY says whether In is a terminal (live-view keys).
	InTTY bool
}

func systemStreams() *streams {
	tty := func(f *os.File) bool {
		return isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd())
	}
	return &streams{
		In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr,
		InTTY: tty(os.Stdin), OutTTY: tty(os.Stdout), ErrTTY: tty(os.Stderr),
	}
}

// exitError carries an exit code out of a command. Commands return it; run prints the message.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}
func (e *exitError) Unwrap() error { return e.err }

func withCode(code int, err error) error { return &exitError{code: code, err: err} }

func usageErrorf(format string, args ...any) error {
	return withCode(exitUsage, fmt.Errorf(format, args...))
}

// globalOptions are flags every command shares.
type globalOptions struct {
	store string // --store: one directory for the database and the CA
}

func newRootCmd(io *streams) *cobra.Command {
	g := &globalOptions{}
	root := &cobra.Command{
		Use:           "sdkflow",
		Short:         "Find the SDKs inside an iOS app, record what they send, report consent violations",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetIn(io.In)
	root.SetOut(io.Out)
	root.SetErr(io.ErrOut)
	root.PersistentFlags().StringVar(&g.store, "store", "",
		"directory for the sessions database and the CA (default: XDG directories, or $SDKFLOW_HOME)")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return withCode(exitUsage, err) })

	for _, add := range commands {
		root.AddCommand(add(io, g))
	}
	return root
}

// commands is filled by each command's file, so adding a command touches one file only.
var commands []func(*streams, *globalOptions) *cobra.Command

func register(f func(*streams, *globalOptions) *cobra.Command) { commands = append(commands, f) }

// run executes the command line and returns the process exit code.
func run(args []string, io *streams) int {
	root := newRootCmd(io)
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintln(io.ErrOut, "sdkflow:", ee.err)
		}
		return ee.code
	}
	fmt.Fprintln(io.ErrOut, "sdkflow:", err)
	// Cobra reports unknown commands and bad arguments as plain errors: usage errors.
	return exitUsage
}
