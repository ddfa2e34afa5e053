package proxy

import (
	"io"
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
