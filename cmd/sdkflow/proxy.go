package main

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/sdkflow/sdkflow/internal/home"
	"github.com/sdkflow/sdkflow/model"
	"github.com/sdkflow/sdkflow/proxy"
	"github.com/sdkflow/sdkflow/session"
	"github.com/sdkflow/sdkflow/signatures"
)

func init() { register(newProxyCmd) }

type proxyFlags struct {
	session       string
	listen        string
	allow         []string
	passthrough   []string
	upstreamProxy string
	upstreamCA    []string
	mapHost       []string
	bodyLimit     string
}

func newProxyCmd(io *streams, g *globalOptions) *cobra.Command {
	f := &proxyFlags{}
	cmd := &cobra.Command{
		Use:   "proxy --session NAME",
		Short: "Record a device's traffic through a MITM proxy into a session",
		Long: `Run the recording proxy. Point the device's HTTP proxy at it, install its CA from the
page it shows, and every request is stored in the session as its response completes.

Keys (on a terminal): l launch, c consent accepted, d consent declined, a ATT authorized,
n ATT denied, m note, q or Ctrl-C quit. The device can mark too: http://sdkflow.mark/EVENT.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runProxy(cmd.Context(), io, g, f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.session, "session", "", "session to record into (created if new, appended to if not)")
	fl.StringVar(&f.listen, "listen", "127.0.0.1:8080", "address to listen on; a LAN address must be given explicitly")
	fl.StringArrayVar(&f.allow, "allow", nil, "serve clients from this CIDR too (loopback is always served); repeatable")
	fl.StringArrayVar(&f.passthrough, "passthrough", nil, "relay HOST (or *.DOMAIN) without interception; repeatable")
	fl.StringVar(&f.upstreamProxy, "upstream-proxy", "", "send outgoing connections through this HTTP proxy URL")
	fl.StringArrayVar(&f.upstreamCA, "upstream-ca", nil, "also trust this PEM CA for upstream servers; repeatable")
	fl.StringArrayVar(&f.mapHost, "map-host", nil, "NAME=ADDR:PORT: connect to ADDR:PORT for NAME (SNI and Host kept); repeatable")
	fl.StringVar(&f.bodyLimit, "body-limit", "16MiB", "largest request or response body stored (larger ones pass through, stored truncated)")
	cmd.MarkFlagRequired("session")
	return cmd
}

func runProxy(ctx context.Context, io *streams, g *globalOptions, f *proxyFlags) error {
	if ctx == nil {
		ctx = context.Background()
	}
	if err := session.ValidName(f.session); err != nil {
		return usageErrorf("--session: %v", err)
	}
	opts, err := f.options()
	if err != nil {
		return withCode(exitUsage, err)
	}
	dirs, err := home.Resolve(g.store)
	if err != nil {
		return withCode(exitInput, err)
	}
	ca, err := proxy.LoadOrCreateCA(dirs.CA)
	if err != nil {
		return withCode(exitInput, err)
	}
	store, _, err := openSessionStore(g, true)
	if err != nil {
		return err
	}
	defer store.Close()
	if err := store.CreateSession(ctx, f.session); err != nil {
		return withCode(exitInput, err)
	}
	opts.Session = f.session
	opts.Recorder = store

	view := proxy.NewLiveView(io.Out, io.OutTTY, attribution(io))
	opts.OnEvent = view.Handle
	p, err := proxy.New(ca, opts)
	if err != nil {
		return err
	}
	l, err := net.Listen("tcp", f.listen)
	if err != nil {
		return withCode(exitUsage, fmt.Errorf("--listen %s: %w", f.listen, err))
	}
	printBanner(io, l.Addr(), ca, f, opts.Allow)

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	if in, ok := io.In.(*os.File); ok && io.InTTY {
		restore, err := proxy.RawMode(in)
		if err == nil {
			defer restore()
			view.Printf("%s", proxy.KeyHelp)
			go proxy.ReadKeys(in, func(event, note string) {
				mctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				p.Mark(mctx, model.Marker{Event: event, Note: note, Source: "key", Time: time.Now()})
			}, view.SetPrompt, stop)
		}
	}
	go watchCLIMarkers(ctx, store, f.session, view)
	served := make(chan error, 1)
	go func() { served <- p.Serve(l) }()
	select {
	case <-ctx.Done():
	case err = <-served:
	}
	p.Close()
	view.Close()
	if err != nil && !errors.Is(err, net.ErrClosed) {
		return err
	}
	return nil
}

func (f *proxyFlags) options() (proxy.Options, error) {
	var o proxy.Options
	allow, err := proxy.ParseAllowList(f.allow)
	if err != nil {
		return o, err
	}
	o.Allow = allow
	o.Passthrough = f.passthrough
	if f.upstreamProxy != "" {
		u, err := url.Parse(f.upstreamProxy)
		if err != nil || u.Scheme != "http" || u.Host == "" {
			return o, fmt.Errorf("--upstream-proxy %q: want http://HOST:PORT", f.upstreamProxy)
		}
		o.UpstreamProxy = u
	}
	for _, path := range f.upstreamCA {
		certs, err := readPEMCerts(path)
		if err != nil {
			return o, fmt.Errorf("--upstream-ca %s: %w", path, err)
		}
		o.UpstreamRoots = append(o.UpstreamRoots, certs...)
	}
	o.MapHost = map[string]string{}
	for _, m := range f.mapHost {
		name, addr, ok := strings.Cut(m, "=")
		if !ok || name == "" {
			return o, fmt.Errorf("--map-host %q: want NAME=ADDR:PORT", m)
		}
		if _, port, err := net.SplitHostPort(addr); err != nil || port == "" {
			return o, fmt.Errorf("--map-host %q: want NAME=ADDR:PORT", m)
		}
		o.MapHost[strings.ToLower(name)] = addr
	}
	n, err := parseSize(f.bodyLimit)
	if err != nil {
		return o, fmt.Errorf("--body-limit: %w", err)
	}
	o.BodyLimit = n
	return o, nil
}

func readPEMCerts(path string) ([]*x509.Certificate, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []*x509.Certificate
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, errors.New("no PEM certificate in the file")
	}
	return out, nil
}

// parseSize reads 16MiB, 512k, 1G, 1048576 (bytes).
func parseSize(s string) (int64, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		m      int64
	}{{"gib", 1 << 30}, {"mib", 1 << 20}, {"kib", 1 << 10}, {"gb", 1e9}, {"mb", 1e6}, {"kb", 1e3},
		{"g", 1 << 30}, {"m", 1 << 20}, {"k", 1 << 10}, {"b", 1}} {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.m
			break
		}
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n <= 0 || n > (1<<40)/mult {
		return 0, fmt.Errorf("%q is not a size (e.g. 16MiB)", s)
	}
	return n * mult, nil
}

// attribution names SDKs in the live view from the embedded signatures; without them the view
// shows registrable domains instead.
func attribution(io *streams) proxy.Attribute {
	set, err := signatures.Embedded()
	if err != nil {
		fmt.Fprintf(io.ErrOut, "sdkflow: live attribution off: %v\n", err)
		return nil
	}
	m := set.Matcher()
	return func(host, path string) string {
		if hit, ok := m.MatchHost(host, path); ok {
			return hit.ID
		}
		return ""
	}
}

// installURLs are the addresses a device can open to install the CA.
func installURLs(addr net.Addr) []string {
	ta, ok := addr.(*net.TCPAddr)
	if !ok {
		return []string{"http://" + addr.String() + "/"}
	}
	port := strconv.Itoa(ta.Port)
	if !ta.IP.IsUnspecified() {
		return []string{"http://" + net.JoinHostPort(ta.IP.String(), port) + "/"}
	}
	var out []string
	addrs, _ := net.InterfaceAddrs()
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && !n.IP.IsLoopback() && n.IP.To4() != nil && n.IP.IsPrivate() {
			out = append(out, "http://"+net.JoinHostPort(n.IP.String(), port)+"/")
		}
	}
	return append(out, "http://"+net.JoinHostPort("127.0.0.1", port)+"/")
}

func printBanner(io *streams, addr net.Addr, ca *proxy.CA, f *proxyFlags, allow *proxy.AllowList) {
	w := io.ErrOut
	urls := installURLs(addr)
	fmt.Fprintf(w, "sdkflow proxy: recording session %q on %s\n", f.session, addr)
	fmt.Fprintf(w, "Set the device's HTTP proxy to this machine's address, port %d.\n", addr.(*net.TCPAddr).Port)
	fmt.Fprintf(w, "Install the CA from %s (or http://%s/ once the proxy is set)\n", urls[0], proxy.InstallHost)
	fmt.Fprintf(w, "then enable full trust: Settings > General > About > Certificate Trust Settings.\n")
	if io.ErrTTY {
		if qr, err := proxy.QRCode(urls[0]); err == nil {
			fmt.Fprint(w, qr)
		}
	}
	fmt.Fprintf(w, "CA %s, SHA-256 %s\n", ca.CertPath(), ca.Fingerprint())
	fmt.Fprintf(w, "WARNING: remove the CA from the device after testing; while it is trusted, this CA's key can read the device's HTTPS traffic.\n")
	if ta, ok := addr.(*net.TCPAddr); ok && !ta.IP.IsLoopback() && len(allow.Prefixes()) == 0 {
		fmt.Fprintf(w, "Note: only loopback clients are served; add --allow CIDR (e.g. --allow 192.168.1.0/24) for the device.\n")
	} else if ta, ok := addr.(*net.TCPAddr); ok && ta.IP.IsLoopback() {
		fmt.Fprintf(w, "Note: listening on loopback only; for a phone use --listen 0.0.0.0:%d --allow YOUR-LAN/24.\n", ta.Port)
	}
	fmt.Fprintf(w, "Mark from the device: http://%s/launch (and consent-accepted, consent-declined, att-authorized, att-denied, note?note=TEXT)\n", proxy.MarkHost)
}

// watchCLIMarkers shows the markers `sdkflow mark` adds from another process (they go straight
// to the store), so the live view's phase follows them too.
func watchCLIMarkers(ctx context.Context, store *session.Store, name string, view *proxy.LiveView) {
	seen := -1
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		ms, err := store.Markers(ctx, name)
		if err == nil {
			if seen >= 0 {
				for i := seen; i < len(ms); i++ {
					if ms[i].Source == "cli" {
						m := ms[i]
						view.Handle(proxy.Event{Time: m.Time, Marker: &m})
					}
				}
			}
			seen = len(ms)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
