package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/sdkflow/sdkflow/internal/home"
	"github.com/sdkflow/sdkflow/model"
	"github.com/sdkflow/sdkflow/session"
	"github.com/spf13/cobra"
)

func init() { register(newSessionCmd) }

func newSessionCmd(io *streams, g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "session",
		Short: "List, show, export, import and remove recorded sessions",
		Long: "Sessions are kept in one database under the data directory ($XDG_DATA_HOME/sdkflow, or\n" +
			"--store / $SDKFLOW_HOME). Export writes HAR 1.2; import reads HAR from mitmproxy, Charles,\n" +
			"Proxyman, Chrome, Firefox or sdkflow.",
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error { return c.Help() },
	}
	cmd.AddCommand(newSessionListCmd(io, g), newSessionShowCmd(io, g), newSessionExportCmd(io, g),
		newSessionImportCmd(io, g), newSessionRmCmd(io, g))
	return cmd
}

// openSessionStore opens the store. With create false a missing database is not created:
// reading commands leave no trace; ok is then false.
func openSessionStore(g *globalOptions, create bool) (store *session.Store, ok bool, err error) {
	dirs, err := home.Resolve(g.store)
	if err != nil {
		return nil, false, withCode(exitUsage, err)
	}
	if !create {
		if _, err := os.Stat(filepath.Join(dirs.Data, session.DBName)); errors.Is(err, os.ErrNotExist) {
			return nil, false, nil
		}
	}
	s, err := session.Open(dirs.Data)
	if err != nil {
		return nil, false, withCode(exitInput, err)
	}
	return s, true, nil
}

// openStoreFor opens the store to read or extend the existing session name: a database that
// does not exist holds no session either, and is not created.
func openStoreFor(g *globalOptions, name string) (*session.Store, error) {
	store, ok, err := openSessionStore(g, false)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, withCode(exitInput, noSession(name))
	}
	return store, nil
}

// sessionErr maps store errors to exit codes: a bad name is a usage error, a missing session
// an input that cannot be read.
func sessionErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, session.ErrInvalidName):
		return withCode(exitUsage, err)
	default:
		return withCode(exitInput, err)
	}
}

func checkName(name string) error {
	return sessionErr(session.ValidName(name))
}

func outputFormat(flag string, io *streams, plain string) (string, error) {
	switch flag {
	case "":
		if io.OutTTY {
			return "table", nil
		}
		return plain, nil
	case "table", "text", "json":
		return flag, nil
	}
	return "", usageErrorf("unknown output format %q (known: table, text, json)", flag)
}

func newSessionListCmd(io *streams, g *globalOptions) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the recorded sessions",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			format, err := outputFormat(format, io, "text")
			if err != nil {
				return err
			}
			store, ok, err := openSessionStore(g, false)
			if err != nil {
				return err
			}
			list := []session.Summary{}
			if ok {
				defer store.Close()
				if list, err = store.List(c.Context()); err != nil {
					return sessionErr(err)
				}
			}
			switch format {
			case "json":
				return writeJSON(io.Out, list)
			case "table":
				tw := tabwriter.NewWriter(io.Out, 0, 0, 2, ' ', 0)
				fmt.Fprintln(tw, "NAME\tFLOWS\tMARKERS\tTLS FAIL\tFIRST FLOW\tLAST FLOW\tSOURCE")
				for _, s := range list {
					fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%s\t%s\t%s\n", s.Name, s.Flows, s.Markers, s.TLSFailures,
						shortTime(s.FirstFlow), shortTime(s.LastFlow), printable(s.Source))
				}
				if len(list) == 0 {
					fmt.Fprintln(tw, "(no sessions)")
				}
				return tw.Flush()
			default:
				for _, s := range list {
					fmt.Fprintf(io.Out, "%s flows=%d markers=%d tls-failures=%d first=%s last=%s created=%s source=%s\n",
						s.Name, s.Flows, s.Markers, s.TLSFailures, stamp(s.FirstFlow), stamp(s.LastFlow), stamp(s.Created), quoteIfNeeded(s.Source))
				}
				return nil
			}
		},
	}
	cmd.Flags().StringVarP(&format, "output", "o", "", "output format: table (default on a terminal), text or json")
	return cmd
}

func newSessionShowCmd(io *streams, g *globalOptions) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "show NAME",
		Short: "Show a session's markers and flows in order",
		Long: "Prints the markers and flows of a session: a table on a terminal, one stable line per\n" +
			"marker or flow otherwise, or the whole session as JSON with -o json.",
		Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			name := args[0]
			if err := checkName(name); err != nil {
				return err
			}
			format, err := outputFormat(format, io, "text")
			if err != nil {
				return err
			}
			store, err := openStoreFor(g, name)
			if err != nil {
				return err
			}
			defer store.Close()
			if format == "json" {
				s, err := store.Load(c.Context(), name)
				if err != nil {
					return sessionErr(err)
				}
				return writeJSON(io.Out, s)
			}
			return showSession(c.Context(), io, store, name, format == "table")
		},
	}
	cmd.Flags().StringVarP(&format, "output", "o", "", "output format: table (default on a terminal), text or json")
	return cmd
}

// showSession streams the flows, so a session of any size shows in bounded memory, and puts
// each marker before the first flow that started after it.
func showSession(ctx context.Context, std *streams, store *session.Store, name string, table bool) error {
	sums, err := store.List(ctx)
	if err != nil {
		return sessionErr(err)
	}
	var sum *session.Summary
	for i := range sums {
		if sums[i].Name == name {
			sum = &sums[i]
		}
	}
	if sum == nil {
		return withCode(exitInput, fmt.Errorf("session %s: %w", name, session.ErrNotFound))
	}
	markers, err := store.Markers(ctx, name)
	if err != nil {
		return sessionErr(err)
	}
	start := sum.FirstFlow
	for _, m := range markers {
		if !m.Time.IsZero() && (start.IsZero() || m.Time.Before(start)) {
			start = m.Time
		}
	}
	since := func(t time.Time) string {
		if t.IsZero() || start.IsZero() {
			return "?"
		}
		return fmt.Sprintf("%+.3fs", t.Sub(start).Seconds())
	}

	var w io.Writer = std.Out
	var tw *tabwriter.Writer
	if table {
		tw = tabwriter.NewWriter(std.Out, 0, 0, 2, ' ', 0)
		w = tw
		fmt.Fprintf(w, "session %s: %d flows, %d markers, %d TLS failures, started %s\n\n", name, sum.Flows, len(markers), sum.TLSFailures, stamp(start))
		fmt.Fprintln(w, "#\tTIME\tMETHOD\tHOST\tPATH\tSTATUS\tSIZE")
	}
	printMarker := func(m model.Marker) {
		if table {
			note := ""
			if m.Note != "" {
				note = ": " + m.Note
			}
			fmt.Fprintf(w, "--\t%s\t== %s%s\t(%s)\t\t\t\n", since(m.Time), printable(m.Event), printable(shorten(note, 60)), printable(m.Source))
			return
		}
		fmt.Fprintf(w, "marker %s %s time=%s source=%s note=%s\n", since(m.Time), orDash(m.Event), stamp(m.Time), orDash(m.Source), strconv.Quote(m.Note))
	}
	next := 0
	err = store.Each(ctx, name, func(f *model.Flow) error {
		for next < len(markers) && !markers[next].Time.After(f.Time) {
			printMarker(markers[next])
			next++
		}
		host, path := splitURL(f)
		status := flowStatus(f)
		if table {
			_, err := fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", f.Index, since(f.Time), printable(shorten(f.Method, 10)),
				printable(shorten(host, 40)), printable(shorten(path, 60)), status, humanSize(f.Response.BodySize))
			return err
		}
		_, err := fmt.Fprintf(w, "flow %d %s %s %s %s %s %d time=%s\n", f.Index, since(f.Time), orDash(f.Method), orDash(host),
			orDash(path), status, f.Response.BodySize, stamp(f.Time))
		return err
	})
	if err != nil {
		return sessionErr(err)
	}
	for ; next < len(markers); next++ {
		printMarker(markers[next])
	}
	if tw != nil {
		return tw.Flush()
	}
	return nil
}

func newSessionExportCmd(io *streams, g *globalOptions) *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "export NAME -o FILE.har",
		Short: "Export a session as HAR 1.2 (markers under log._sdkflow)",
		Args:  cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			name := args[0]
			if err := checkName(name); err != nil {
				return err
			}
			if out == "" {
				return usageErrorf("export needs -o FILE.har (or -o - for standard output)")
			}
			store, err := openStoreFor(g, name)
			if err != nil {
				return err
			}
			defer store.Close()
			s, err := store.Load(c.Context(), name)
			if err != nil {
				return sessionErr(err)
			}
			if out == "-" {
				if err := session.WriteHAR(io.Out, s); err != nil {
					return withCode(exitInput, err)
				}
				return nil
			}
			// Captured traffic is personal data: the file is the user's alone.
			f, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
			if err != nil {
				return withCode(exitInput, fmt.Errorf("%s: creating the HAR file: %w", out, err))
			}
			if err := session.WriteHAR(f, s); err != nil {
				f.Close()
				return withCode(exitInput, fmt.Errorf("%s: writing HAR: %w", out, err))
			}
			if err := f.Close(); err != nil {
				return withCode(exitInput, fmt.Errorf("%s: writing HAR: %w", out, err))
			}
			fmt.Fprintf(io.ErrOut, "exported session %s (%d flows, %d markers) to %s\n", name, len(s.Flows), len(s.Markers), out)
			return nil
		},
	}
	cmd.Flags().StringVarP(&out, "output", "o", "", "the HAR `FILE` to write (- for standard output)")
	return cmd
}

func newSessionImportCmd(std *streams, g *globalOptions) *cobra.Command {
	var name string
	var replace bool
	cmd := &cobra.Command{
		Use:   "import FILE.har --session NAME",
		Long:  "Imports a HAR file (- reads standard input) as a new session.",
		Short: "Import a HAR file as a session",
		Args:  cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			path := args[0]
			if name == "" {
				return usageErrorf("import needs --session NAME")
			}
			if err := checkName(name); err != nil {
				return err
			}
			var in io.Reader = std.In
			source := "stdin"
			if path != "-" {
				f, err := os.Open(path)
				if err != nil {
					return withCode(exitInput, fmt.Errorf("%s: %w", path, err))
				}
				defer f.Close()
				in = f
				if source, err = filepath.Abs(path); err != nil {
					source = path
				}
			}
			s, err := session.ReadHAR(in, name)
			if err != nil {
				return withCode(exitInput, fmt.Errorf("%s: %w", path, err))
			}
			s.Source = source
			for i := range s.Errors {
				if s.Errors[i].Path == "" {
					s.Errors[i].Path = s.Source
				}
			}
			store, _, err := openSessionStore(g, true)
			if err != nil {
				return err
			}
			defer store.Close()
			if err := store.Import(c.Context(), s, replace); err != nil {
				if errors.Is(err, session.ErrExists) {
					return usageErrorf("session %s already exists: choose another name, or pass --replace", name)
				}
				return sessionErr(err)
			}
			for _, e := range s.Errors {
				fmt.Fprintf(std.ErrOut, "warning: %s\n", e.Error())
			}
			fmt.Fprintf(std.Out, "imported %d flows and %d markers from %s into session %s\n", len(s.Flows), len(s.Markers), path, name)
			return nil
		},
	}
	cmd.Flags().StringVar(&name, "session", "", "the session `NAME` to create")
	cmd.Flags().BoolVar(&replace, "replace", false, "replace a session of that name")
	return cmd
}

func newSessionRmCmd(io *streams, g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:     "rm NAME",
		Aliases: []string{"remove"},
		Short:   "Remove a session with its flows and markers",
		Args:    cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			name := args[0]
			if err := checkName(name); err != nil {
				return err
			}
			store, err := openStoreFor(g, name)
			if err != nil {
				return err
			}
			defer store.Close()
			if err := store.Remove(c.Context(), name); err != nil {
				return sessionErr(err)
			}
			fmt.Fprintf(io.ErrOut, "removed session %s\n", name)
			return nil
		},
	}
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func splitURL(f *model.Flow) (host, path string) {
	host = f.Host
	u, err := url.Parse(f.URL)
	if err != nil {
		// Not a URL Go accepts (control characters, say): show what follows the authority.
		_, rest, ok := strings.Cut(f.URL, "://")
		if i := strings.IndexByte(rest, '/'); ok && i >= 0 {
			return host, rest[i:]
		}
		return host, ""
	}
	if u.Host == "" {
		return host, ""
	}
	if host == "" {
		host = u.Hostname()
	}
	return host, u.RequestURI()
}

func flowStatus(f *model.Flow) string {
	switch f.Kind {
	case model.FlowTLSFailure:
		return "tls-failure"
	case model.FlowTunnel:
		return "tunnel"
	}
	if f.Status == 0 {
		if f.Error != "" {
			return "error"
		}
		return "-"
	}
	return strconv.Itoa(f.Status)
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339Nano)
}

func shortTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04:05Z")
}

func humanSize(n int64) string {
	switch {
	case n < 1000:
		return strconv.FormatInt(n, 10) + " B"
	case n < 1000*1000:
		return fmt.Sprintf("%.1f kB", float64(n)/1000)
	default:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	}
}

// shorten cuts s to n characters for a table column; captured text may be any length.
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// orDash makes a captured value one printable field of a plain line.
func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return strings.ReplaceAll(printable(s), " ", "_")
}

// printable replaces control characters (terminal escapes among them) and invalid UTF-8 in
// captured text with '?': a hostile server must not drive the user's terminal.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == utf8.RuneError {
			return '?'
		}
		return r
	}, s)
}

func quoteIfNeeded(s string) string {
	if s == "" || strings.ContainsAny(s, " \t\n\r\"") {
		return strconv.Quote(s)
	}
	return s
}
