package session

import (
	"context"
	"fmt"
	"runtime"
	"sync"
)

// maxBatch bounds the flows committed in one transaction, so one commit stays short and the
// lock is free again soon for the other processes.
const maxBatch = 256

// flowWrite is one AddFlow waiting to be committed.
type flowWrite struct {
	ctx     context.Context
	session string
	row     *flowRow
	done    chan writeResult
}

type writeResult struct {
	idx  int
	err  error
	lead bool // not a result: the caller is to commit the next batch
}

// groupCommit lets concurrent AddFlow calls share one transaction. No goroutine runs in the
// background: the first caller to arrive leads, commits what is queued, and hands the lead to
// a waiting caller if more arrived meanwhile; every caller returns once its own flow is
// committed.
type groupCommit struct {
	mu      sync.Mutex
	pending []*flowWrite
	leading bool
	// alone counts the batches in a row that held a single flow (up to yieldWithin).
	alone int
}

// yieldWithin: a leader yields before committing while one of the last yieldWithin batches
// held several flows, the sign that flows arrive together.
const yieldWithin = 64

func (g *groupCommit) submit(w *flowWrite, commit func([]*flowWrite)) (int, error) {
	w.done = make(chan writeResult, 1)
	g.mu.Lock()
	g.pending = append(g.pending, w)
	if g.leading {
		g.mu.Unlock()
		r := <-w.done
		if !r.lead {
			return r.idx, r.err
		}
		g.mu.Lock()
	} else {
		g.leading = true
		if g.alone < yieldWithin {
			// Under load the goroutines ready to run are often about to submit a flow, and a
			// transaction of several flows costs little more than one of one (the WAL writes
			// of the commit dominate): let them run first. Yielding costs a few microseconds,
			// which a lone writer (one client) does not pay.
			g.mu.Unlock()
			runtime.Gosched()
			g.mu.Lock()
		}
	}
	n := min(len(g.pending), maxBatch)
	batch := g.pending[:n:n]
	g.pending = append([]*flowWrite(nil), g.pending[n:]...)
	if n > 1 {
		g.alone = 0
	} else if g.alone < yieldWithin {
		g.alone++
	}
	g.mu.Unlock()

	commit(batch) // answers every write in batch, w included

	g.mu.Lock()
	if len(g.pending) > 0 {
		g.pending[0].done <- writeResult{lead: true}
	} else {
		g.leading = false
	}
	g.mu.Unlock()
	r := <-w.done
	return r.idx, r.err
}

// commitFlows stores a batch in one transaction and answers each write. If anything in the
// batch fails, the transaction is rolled back and each flow is stored on its own, so one bad
// flow (or a missing session) costs only its own write.
func (s *Store) commitFlows(batch []*flowWrite) {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	live := batch[:0:0]
	for _, w := range batch {
		if err := w.ctx.Err(); err != nil {
			w.done <- writeResult{err: err}
			continue
		}
		live = append(live, w)
	}
	if len(live) == 0 {
		return
	}
	if len(live) > 1 {
		if idxs, err := s.writeFlows(live); err == nil {
			for i, w := range live {
				w.done <- writeResult{idx: idxs[i]}
			}
			return
		}
	}
	for _, w := range live {
		idxs, err := s.writeFlows([]*flowWrite{w})
		if err != nil {
			w.done <- writeResult{err: fmt.Errorf("session %s: %w", w.session, err)}
			continue
		}
		w.done <- writeResult{idx: idxs[0]}
	}
}

// writeFlows commits flows in one transaction on the store's flow writer, opening the writer
// first if need be and closing it after a failure that leaves it in doubt. writeMu is held.
func (s *Store) writeFlows(flows []*flowWrite) ([]int, error) {
	if s.writer == nil {
		w, err := newFlowWriter(s.db)
		if err != nil {
			return nil, fmt.Errorf("storing flow: %w", err)
		}
		s.writer = w
	}
	idxs, broken, err := s.writer.write(flows)
	if broken {
		s.writer.close()
		s.writer = nil
	}
	return idxs, err
}
