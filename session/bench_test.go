package session

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"syscall"
	"testing"
	"time"

	"github.com/sdkflow/sdkflow/model"
)

// benchFlow is a typical tracker request: a dozen headers, a 2 KB body each way.
func benchFlow(i int) model.Flow {
	f := sampleFlow(i)
	body := bytes.Repeat([]byte(`{"event":"fb_mobile_activate_app","advertiser_id":"3F2504E0-4F89-11D3-9A0C-0305E82C3301"}`), 24)[:2048]
	f.Request.Body, f.Request.BodySize = body, int64(len(body))
	f.Response.Body, f.Response.BodySize, f.Response.Truncated = body, int64(len(body)), false
	for j := range 8 {
		f.Request.Headers = append(f.Request.Headers, model.Header{Name: fmt.Sprintf("X-Header-%d", j), Value: "value-of-a-typical-length-1234567890"})
	}
	return f
}

// BenchmarkAddFlow measures committed flows per second, one transaction each, with
// synchronous=NORMAL (what Open uses) and FULL (what power-loss durability would cost).
func BenchmarkAddFlow(b *testing.B) {
	for _, mode := range []string{"NORMAL", "FULL"} {
		b.Run("synchronous="+mode, func(b *testing.B) {
			s, err := open(b.TempDir(), mode)
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			ctx := context.Background()
			if err := s.CreateSession(ctx, "bench"); err != nil {
				b.Fatal(err)
			}
			f := benchFlow(0)
			b.SetBytes(int64(len(f.Request.Body) + len(f.Response.Body)))
			b.ResetTimer()
			start, cpu := time.Now(), cpuTime()
			for b.Loop() {
				if _, err := s.AddFlow(ctx, "bench", &f); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "flows/s")
			reportCPU(b, cpu, b.N)
		})
	}
}

// BenchmarkAddFlowParallel has 50 goroutines adding flows at once, as the proxy does under
// load: group commit shares transactions between them.
func BenchmarkAddFlowParallel(b *testing.B) {
	s, err := Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	if err := s.CreateSession(ctx, "bench"); err != nil {
		b.Fatal(err)
	}
	b.SetParallelism(25) // x GOMAXPROCS (2 here) goroutines
	start, cpu := time.Now(), cpuTime()
	b.RunParallel(func(pb *testing.PB) {
		f := benchFlow(0)
		for pb.Next() {
			if _, err := s.AddFlow(ctx, "bench", &f); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "flows/s")
	reportCPU(b, cpu, b.N)
}

// BenchmarkRead100k reads a session of 100,000 flows whole (Load) and streamed (Each).
func BenchmarkRead100k(b *testing.B) {
	n := benchReadFlows
	s, err := Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	sess := &model.Session{Name: "big", Flows: make([]model.Flow, n)}
	for i := range sess.Flows {
		sess.Flows[i] = benchFlow(i)
	}
	if err := s.Import(ctx, sess, false); err != nil {
		b.Fatal(err)
	}
	sess = nil

	b.Run("Load", func(b *testing.B) {
		cpu := cpuTime()
		for b.Loop() {
			got, err := s.Load(ctx, "big")
			if err != nil || len(got.Flows) != n {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "flows/s")
		reportCPU(b, cpu, n*b.N)
	})
	b.Run("Each", func(b *testing.B) {
		cpu := cpuTime()
		for b.Loop() {
			count := 0
			if err := s.Each(ctx, "big", func(*model.Flow) error { count++; return nil }); err != nil || count != n {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "flows/s")
		reportCPU(b, cpu, n*b.N)
	})
	b.Run("List", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.List(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkHAR exports and imports 1,000 flows with 2 KB bodies.
func BenchmarkHAR(b *testing.B) {
	sess := &model.Session{Name: "h", Flows: make([]model.Flow, 1000)}
	for i := range sess.Flows {
		sess.Flows[i] = benchFlow(i)
	}
	var har bytes.Buffer
	if err := WriteHAR(&har, sess); err != nil {
		b.Fatal(err)
	}
	b.Run("Write", func(b *testing.B) {
		b.SetBytes(int64(har.Len()))
		for b.Loop() {
			if err := WriteHAR(io.Discard, sess); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Read", func(b *testing.B) {
		b.SetBytes(int64(har.Len()))
		for b.Loop() {
			if _, err := ReadHAR(bytes.NewReader(har.Bytes()), "h"); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// benchReadFlows is the session size BenchmarkRead100k reads.
var benchReadFlows = 100_000

// cpuTime is the process's user and system CPU time. The machine the benchmarks run on is
// shared, so wall-clock rates swing with other load; CPU time per flow does much less.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func reportCPU(b *testing.B, since time.Duration, flows int) {
	b.ReportMetric(float64((cpuTime()-since).Microseconds())/float64(flows), "cpu-µs/flow")
}
