package session

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/sdkflow/sdkflow/model"
)

func TestGroupCommitIndexes(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	for _, n := range []string{"a", "b"} {
		if err := s.CreateSession(ctx, n); err != nil {
			t.Fatal(err)
		}
	}
	const writers, each = 32, 40
	type got struct {
		session, client string
		idx             int
	}
	results := make(chan got, writers*each)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			session := []string{"a", "b"}[w%2]
			for i := range each {
				f := sampleFlow(i)
				f.Client = fmt.Sprintf("w%d-%d", w, i)
				idx, err := s.AddFlow(ctx, session, &f)
				if err != nil {
					t.Error(err)
					return
				}
				if f.Index != idx {
					t.Errorf("f.Index %d, returned %d", f.Index, idx)
				}
				results <- got{session, f.Client, idx}
			}
		})
	}
	wg.Wait()
	close(results)
	byIndex := map[string]map[int]string{"a": {}, "b": {}}
	for r := range results {
		if prev, dup := byIndex[r.session][r.idx]; dup {
			t.Fatalf("%s: index %d returned to %s and %s", r.session, r.idx, prev, r.client)
		}
		byIndex[r.session][r.idx] = r.client
	}
	for _, name := range []string{"a", "b"} {
		sess, err := s.Load(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		if len(sess.Flows) != writers/2*each {
			t.Fatalf("%s: %d flows", name, len(sess.Flows))
		}
		for i, f := range sess.Flows {
			if f.Index != i || byIndex[name][i] != f.Client {
				t.Fatalf("%s: flow at %d has index %d client %s; AddFlow returned %d to %s", name, i, f.Index, f.Client, i, byIndex[name][i])
			}
		}
	}
}

func TestGroupCommitFallback(t *testing.T) {
	// A batch with a write to a missing session and a cancelled one: the others still land.
	ctx := context.Background()
	s := openTest(t)
	if err := s.CreateSession(ctx, "ok"); err != nil {
		t.Fatal(err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	var batch []*flowWrite
	for i, target := range []struct {
		ctx     context.Context
		session string
	}{{ctx, "ok"}, {ctx, "missing"}, {cancelled, "ok"}, {ctx, "ok"}} {
		f := sampleFlow(i)
		row, err := encodeFlow(&f)
		if err != nil {
			t.Fatal(err)
		}
		batch = append(batch, &flowWrite{ctx: target.ctx, session: target.session, row: row, done: make(chan writeResult, 1)})
	}
	s.commitFlows(batch)
	want := []struct {
		idx int
		err error
	}{{0, nil}, {0, ErrNotFound}, {0, context.Canceled}, {1, nil}}
	for i, w := range batch {
		r := <-w.done
		if r.idx != want[i].idx || !errors.Is(r.err, want[i].err) || (want[i].err == nil) != (r.err == nil) {
			t.Errorf("write %d: idx %d err %v; want %d %v", i, r.idx, r.err, want[i].idx, want[i].err)
		}
	}
	sess, err := s.Load(ctx, "ok")
	if err != nil || len(sess.Flows) != 2 {
		t.Fatalf("%v, %d flows", err, len(sess.Flows))
	}
	if _, err := s.AddFlow(cancelled, "ok", &model.Flow{}); !errors.Is(err, context.Canceled) {
		t.Errorf("AddFlow with a cancelled context: %v", err)
	}
}

// TestFlowWriterNoticesOtherWriters: the writer remembers session ids and next indexes between
// transactions; whatever another connection does in between (flows, removal, re-creation,
// replacement by an import) must show in the next AddFlow.
func TestFlowWriterNoticesOtherWriters(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	a, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := Open(dir) // another process, as far as SQLite can tell
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	add := func(s *Store, want int) {
		t.Helper()
		f := sampleFlow(want)
		idx, err := s.AddFlow(ctx, "s", &f)
		if err != nil || idx != want {
			t.Fatalf("AddFlow = %d, %v; want %d", idx, err, want)
		}
	}
	if err := a.CreateSession(ctx, "s"); err != nil {
		t.Fatal(err)
	}
	add(a, 0)
	add(a, 1)
	add(b, 2)
	add(a, 3)
	if err := a.AddMarker(ctx, "s", model.Marker{Event: "launch", Time: t0}); err != nil {
		t.Fatal(err)
	}
	add(a, 4)

	if err := b.Remove(ctx, "s"); err != nil {
		t.Fatal(err)
	}
	f := sampleFlow(0)
	if _, err := a.AddFlow(ctx, "s", &f); !errors.Is(err, ErrNotFound) {
		t.Fatalf("AddFlow to a session removed elsewhere: %v", err)
	}
	if err := b.CreateSession(ctx, "s"); err != nil {
		t.Fatal(err)
	}
	add(a, 0)

	imported := &model.Session{Name: "s", Flows: []model.Flow{sampleFlow(0), sampleFlow(1), sampleFlow(2)}}
	if err := b.Import(ctx, imported, true); err != nil {
		t.Fatal(err)
	}
	add(a, 3)
	sess, err := b.Load(ctx, "s")
	if err != nil || len(sess.Flows) != 4 {
		t.Fatalf("%v, %d flows after the import and one more", err, len(sess.Flows))
	}

	// The same from this store's own other connection.
	if err := a.Remove(ctx, "s"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.AddFlow(ctx, "s", &f); !errors.Is(err, ErrNotFound) {
		t.Fatalf("AddFlow to a removed session: %v", err)
	}
}

// TestFlowWriterRecovers: a writer whose connection went away is replaced; only the flow
// that met the failure is refused.
func TestFlowWriterRecovers(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	if err := s.CreateSession(ctx, "s"); err != nil {
		t.Fatal(err)
	}
	f := sampleFlow(0)
	if _, err := s.AddFlow(ctx, "s", &f); err != nil {
		t.Fatal(err)
	}
	s.writer.conn.Close()
	if _, err := s.AddFlow(ctx, "s", &f); err == nil {
		t.Fatal("AddFlow on a closed connection succeeded")
	}
	idx, err := s.AddFlow(ctx, "s", &f)
	if err != nil || idx != 1 {
		t.Fatalf("AddFlow after recovery = %d, %v; want 1", idx, err)
	}
}
