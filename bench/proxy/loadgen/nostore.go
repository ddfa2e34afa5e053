package main

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"flag"
	"net"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"

	"github.com/sdkflow/sdkflow/model"
	"github.com/sdkflow/sdkflow/proxy"
)

// nostore runs sdkflow's proxy exactly as `sdkflow proxy` does, but with a recorder that keeps
// nothing: what it does at one client is the ceiling the proxy itself sets, whatever the store.
func nostore(args []string) error {
	fs := flag.NewFlagSet("nostore", flag.ExitOnError)
	listen := fs.String("listen", "127.0.0.1:0", "listen address")
	caDir := fs.String("ca-dir", "", "directory of the proxy's CA (created if need be)")
	upstreamCA := fs.String("upstream-ca", "", "PEM file of the upstream's CA")
	fs.Parse(args)
	ca, err := proxy.LoadOrCreateCA(*caDir)
	if err != nil {
		return err
	}
	data, err := os.ReadFile(*upstreamCA)
	if err != nil {
		return err
	}
	block, _ := pem.Decode(data)
	if block == nil {
		return errors.New("no PEM block in " + *upstreamCA)
	}
	root, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return err
	}
	p, err := proxy.New(ca, proxy.Options{Session: "bench", Recorder: &discard{}, UpstreamRoots: []*x509.Certificate{root}})
	if err != nil {
		return err
	}
	l, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		p.Close()
	}()
	if err := p.Serve(l); err != nil && !errors.Is(err, net.ErrClosed) {
		return err
	}
	return nil
}

// discard numbers flows and forgets them.
type discard struct{ n atomic.Int64 }

func (d *discard) AddFlow(_ context.Context, _ string, f *model.Flow) (int, error) {
	f.Index = int(d.n.Add(1) - 1)
	return f.Index, nil
}

func (d *discard) AddMarker(context.Context, string, model.Marker) error { return nil }
