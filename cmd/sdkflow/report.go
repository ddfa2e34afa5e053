package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	"github.com/sdkflow/sdkflow/analyzer"
	"github.com/sdkflow/sdkflow/analyzer/consent"
	"github.com/sdkflow/sdkflow/analyzer/traffic"
	"github.com/sdkflow/sdkflow/model"
	"github.com/sdkflow/sdkflow/report"
	"github.com/sdkflow/sdkflow/session"
	"github.com/spf13/cobra"
)

func init() { register(newReportCmd) }

type reportOptions struct {
	apps           []string
	sessionName    string
	har            string
	known          string
	markers        []string
	consentRequest string
	firstParty     []string
	outputs        []string
	failOn         string
	signatures     []string
	allow          allowFlag
	redact         bool
}

// maxKnownBytes bounds the known-values file: it holds a handful of values.
const maxKnownBytes = 1 << 20

func newReportCmd(io *streams, g *globalOptions) *cobra.Command {
	o := &reportOptions{}
	cmd := &cobra.Command{
		Use:   "report [--app PATH]... (--session NAME | --har FILE)",
		Short: "Merge an app's SDKs with what a test session sent into a consent-violation report",
		Long: `Report reads a captured session (a stored one, or a HAR file from sdkflow, mitmproxy, Charles,
Proxyman or a browser), finds the personal data each request carried and which SDK sent it, places
every request on the consent timeline (markers of the session, --marker, --consent-request), and
checks the rules: data sent before consent (SDKF001) or after refusal (SDKF002), the advertising ID
without ATT (SDKF003), and, with --app, what contradicts the app's privacy manifests (SDKF004-006)
and tracker traffic from SDKs the app does not show (SDKF020), merged with the static findings.
Without --app the report covers the traffic alone and lists the rules that needed the app.`,
		Example: `  sdkflow report --app samples/zoomlike/zoomlike.ipa --har samples/zoomlike/session.har
  sdkflow report --app App.ipa --session audit-1 --known device.yaml -o html=report.html -o json=report.json
  sdkflow report --har capture.har --marker consent-accepted@+12.5 --first-party example.com -o markdown
  sdkflow report --har capture.har --consent-request /consent/accept --known device.yaml --redact -o html=public.html`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runReport(cmd.Context(), io, g, o)
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&o.apps, "app", nil, "the app (.ipa, .app, .xcarchive) the session was recorded with (repeatable; optional)")
	f.StringVar(&o.sessionName, "session", "", "the session `NAME` recorded by sdkflow proxy (or imported)")
	f.StringVar(&o.har, "har", "", "a HAR file of the session")
	f.StringVar(&o.known, "known", "", "YAML FILE of the test device's values (idfa, idfv, email, phone, device_name, latitude, longitude, extra) to find in the traffic")
	f.StringArrayVar(&o.markers, "marker", nil, "EVENT@WHEN marker (repeatable): WHEN is an RFC 3339 time, +SECONDS after the first request, or start")
	f.StringVar(&o.consentRequest, "consent-request", "", "the first request whose URL contains this text is the moment consent was given")
	f.StringArrayVar(&o.firstParty, "first-party", nil, "DOMAIN of the app's own servers (repeatable), besides those read from the bundle id")
	f.StringArrayVarP(&o.outputs, "output", "o", nil, outputFlagHelp())
	f.StringVar(&o.failOn, "fail-on", "", "exit 1 when a finding is at or above this severity (low, medium, high, critical)")
	f.StringArrayVar(&o.signatures, "signatures", nil, "extra signature FILE or DIR (repeatable); entries override embedded ones by id")
	f.BoolVar(&o.redact, "redact", false, "replace the --known values (and their encoded and hashed forms) in every output, so the report can be published")
	o.allow.register(f)
	return cmd
}

// checkReportFlags rejects what cannot work before any input is read (exit 2).
func checkReportFlags(o *reportOptions) error {
	switch {
	case o.sessionName == "" && o.har == "":
		return usageErrorf("give the captured session: --session NAME or --har FILE")
	case o.sessionName != "" && o.har != "":
		return usageErrorf("--session and --har both given: report on one session at a time")
	case o.redact && o.known == "":
		return usageErrorf("--redact replaces the values of --known: give --known FILE")
	}
	if o.sessionName != "" {
		if err := session.ValidName(o.sessionName); err != nil {
			return usageErrorf("--session: %v", err)
		}
	}
	// The times are placed once the session is read; the syntax is checked now.
	for _, m := range o.markers {
		if _, err := traffic.ParseMarkerFlag(m, time.Unix(1, 0)); err != nil {
			return usageErrorf("--marker: %v", err)
		}
	}
	for _, d := range o.firstParty {
		if d = strings.Trim(strings.TrimSpace(d), "."); d == "" || strings.ContainsAny(d, "/:@ ") {
			return usageErrorf("--first-party %q: want a domain such as example.com", d)
		}
	}
	return nil
}

func runReport(ctx context.Context, io *streams, g *globalOptions, o *reportOptions) error {
	if err := checkReportFlags(o); err != nil {
		return err
	}
	outs, err := parseOutputs(o.outputs, io)
	if err != nil {
		return err
	}
	if err := checkFailOn(o.failOn); err != nil {
		return err
	}
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	defer stop()

	r, inputErr, err := buildReport(ctx, io, g, o)
	if err != nil {
		return err
	}
	if err := writeOutputs(outs, r, io); err != nil {
		return err
	}
	if inputErr {
		return withCode(exitInput, nil)
	}
	return failOn(o.failOn, r)
}

// buildReport reads every input, runs the pipeline and returns the finalized report.
// inputErr says an input could not be read at all (the report covers the rest); err is a
// usage error or a failure that leaves no report to write.
func buildReport(ctx context.Context, io *streams, g *globalOptions, o *reportOptions) (r *model.Report, inputErr bool, err error) {
	if err := o.allow.load(); err != nil {
		return nil, false, err
	}
	set, err := loadSignatures(o.signatures)
	if err != nil {
		return nil, false, err
	}
	r = newReport(set)
	fail := func(path, stage string, e error) {
		inputErr = true
		r.Errors = append(r.Errors, model.Error{Path: path, Stage: stage, Message: e.Error()})
		fmt.Fprintln(io.ErrOut, "sdkflow:", e)
	}

	var known *traffic.KnownValues
	if o.known != "" {
		data, in, err := readInput(o.known, "known-values", maxKnownBytes)
		if err != nil {
			return nil, false, withCode(exitInput, err)
		}
		if known, err = traffic.LoadKnown(data, o.known); err != nil {
			return nil, false, withCode(exitUsage, err)
		}
		r.Inputs = append(r.Inputs, in)
	}
	if o.allow.path != "" {
		if _, in, err := readInput(o.allow.path, "allow-file", maxKnownBytes); err == nil {
			r.Inputs = append(r.Inputs, in)
		}
	}

	sess, in, err := loadReportSession(ctx, g, o)
	if err != nil {
		var ee *exitError
		if errors.As(err, &ee) && ee.code == exitUsage {
			return nil, false, err
		}
		fail(sessionPath(o), sessionStage(o), err)
	} else {
		r.Inputs = append(r.Inputs, in)
		r.Sessions = []model.Session{*sess}
	}

	if len(o.apps) > 0 {
		apps, inputs, errs := analyzer.Scan(ctx, o.apps, analyzer.Options{Signatures: set})
		r.Apps = apps
		r.Inputs = append(r.Inputs, inputs...)
		for _, e := range errs {
			var ie *analyzer.InputError
			if !errors.As(e, &ie) {
				return nil, false, e
			}
			fail(ie.Path, "input", ie.Err)
		}
	}

	consent.AnalyzeSessions(r.Sessions, set, consent.TrafficOptions{
		Known: known, Markers: o.markers, ConsentRequest: o.consentRequest,
	})
	consent.Run(r, set, consent.Options{Rules: consent.AllRules(), FirstParty: o.firstParty})
	traffic.AttachExhibits(r)
	o.allow.apply(r, io)
	if o.redact {
		report.Redact(r, known.Redact)
	}
	report.Finalize(r)
	return r, inputErr, nil
}

// loadReportSession reads the session from the store or the HAR file, with the input record
// that proves which one it was.
func loadReportSession(ctx context.Context, g *globalOptions, o *reportOptions) (*model.Session, model.Input, error) {
	if o.har != "" {
		return readHARInput(o.har)
	}
	store, err := openStoreFor(g, o.sessionName)
	if err != nil {
		return nil, model.Input{}, err
	}
	defer store.Close()
	sess, err := store.Load(ctx, o.sessionName)
	if err != nil {
		return nil, model.Input{}, sessionErr(err)
	}
	sess.Source = "store"
	// The digest is taken before analysis: it covers what was recorded (consent.SessionDigest).
	return sess, model.Input{Path: o.sessionName, Kind: "session", SHA256: consent.SessionDigest(sess)}, nil
}

// readHARInput reads a HAR file once, hashing it as it streams.
func readHARInput(path string) (*model.Session, model.Input, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, model.Input{}, withCode(exitInput, err)
	}
	defer f.Close()
	h := sha256.New()
	counted := &countingReader{r: io.TeeReader(f, h), at: f}
	name := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	sess, err := session.ReadHARFile(counted, name)
	if err != nil {
		return nil, model.Input{}, withCode(exitInput, fmt.Errorf("%s: reading HAR: %w", path, err))
	}
	// The reader may stop at the end of the log: the digest covers the whole file.
	if _, err := io.Copy(io.Discard, counted); err != nil {
		return nil, model.Input{}, withCode(exitInput, fmt.Errorf("%s: %w", path, err))
	}
	sess.Source = path
	return sess, model.Input{Path: path, Kind: "har", SHA256: hex.EncodeToString(h.Sum(nil)), Size: counted.n}, nil
}

// countingReader counts what it reads; it reads at offsets through at (the file from its
// start), so ReadHARFile can read the start again rather than keep it.
type countingReader struct {
	r  io.Reader
	at io.ReaderAt
	n  int64
}

func (c *countingReader) ReadAt(p []byte, off int64) (int, error) { return c.at.ReadAt(p, off) }

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// readInput reads a small input file whole (at most limit bytes) with its input record.
func readInput(path, kind string, limit int64) ([]byte, model.Input, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, model.Input{}, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, model.Input{}, fmt.Errorf("%s: %w", path, err)
	}
	if int64(len(data)) > limit {
		return nil, model.Input{}, fmt.Errorf("%s: larger than %d bytes", path, limit)
	}
	sum := sha256.Sum256(data)
	return data, model.Input{Path: path, Kind: kind, SHA256: hex.EncodeToString(sum[:]), Size: int64(len(data))}, nil
}

func sessionPath(o *reportOptions) string {
	if o.har != "" {
		return o.har
	}
	return o.sessionName
}

func sessionStage(o *reportOptions) string {
	if o.har != "" {
		return "har"
	}
	return "session"
}
