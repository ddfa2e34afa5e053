package proxy

import (
	"crypto/tls"
	"io"
	"net/http"
	"testing"

	"github.com/sdkflow/sdkflow/session"
)

// BenchmarkKeepAliveRecorded is one HTTPS request per iteration through the proxy on a kept-alive
// connection, recorded into a real session store. bench/proxy/run.sh compares the whole proxy
// with mitmdump; this one is for profiling the recorder path.
func BenchmarkKeepAliveRecorded(b *testing.B) {
	store, err := session.Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	if err := store.CreateSession(b.Context(), "test"); err != nil {
		b.Fatal(err)
	}
	r := newRig(b, func(o *Options) { o.Recorder = store })
	cl := r.client()
	b.ResetTimer()
	for b.Loop() {
		res, err := cl.Get("https://graph.facebook.com/echo?id=1")
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
	}
}

// BenchmarkKeepAliveMemory is the same with an in-memory recorder: the proxy's own cost.
func BenchmarkKeepAliveMemory(b *testing.B) {
	r := newRig(b, nil)
	cl := r.client()
	for b.Loop() {
		res, err := cl.Get("https://graph.facebook.com/echo?id=1")
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
	}
}

// BenchmarkDirect is the client against the upstream without the proxy, for comparison.
func BenchmarkDirect(b *testing.B) {
	up := newUpstream(b)
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: up.caPool, ServerName: "graph.facebook.com"}}
	cl := &http.Client{Transport: tr}
	for b.Loop() {
		res, err := cl.Get("https://" + up.addr() + "/echo?id=1")
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
	}
}

// BenchmarkKeepAliveRecordedParallel: 50 clients at once, recorded into a real store.
func BenchmarkKeepAliveRecordedParallel(b *testing.B) {
	store, err := session.Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	if err := store.CreateSession(b.Context(), "test"); err != nil {
		b.Fatal(err)
	}
	r := newRig(b, func(o *Options) { o.Recorder = store })
	cl := r.client()
	cl.Transport.(*http.Transport).MaxIdleConnsPerHost = 100
	b.SetParallelism(25)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			res, err := cl.Get("https://graph.facebook.com/echo?id=1")
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
		}
	})
}

// BenchmarkNewConnectionMemory: a new client connection (CONNECT and handshake) per request.
func BenchmarkNewConnectionMemory(b *testing.B) {
	r := newRig(b, nil)
	cl := r.client()
	cl.Transport.(*http.Transport).DisableKeepAlives = true
	for b.Loop() {
		res, err := cl.Get("https://graph.facebook.com/echo?id=1")
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
	}
}
