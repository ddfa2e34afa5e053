package session

import (
	"context"
	"errors"
	"fmt"
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
}

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
	}
	n := min(len(g.pending), maxBatch)
	batch := g.pending[:n:n]
	g.pending = append([]*flowWrite(nil), g.pending[n:]...)
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
		if idxs, err := s.insertBatch(live); err == nil {
			for i, w := range live {
				w.done <- writeResult{idx: idxs[i]}
			}
			return
		}
	}
	for _, w := range live {
		idx, err := s.addFlowAlone(w.ctx, w)
		w.done <- writeResult{idx: idx, err: err}
	}
}

var errBatch = errors.New("batch failed")

// insertBatch stores the writes in one transaction, numbering them in order per session.
func (s *Store) insertBatch(batch []*flowWrite) ([]int, error) {
	// The batch belongs to many callers: no one caller's cancellation may abort it. Each
	// caller's context was checked before; busy_timeout bounds the wait.
	ctx := context.Background()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	type numbering struct {
		id   int64
		next int
	}
	sessions := map[string]*numbering{}
	idxs := make([]int, len(batch))
	for i, w := range batch {
		n := sessions[w.session]
		if n == nil {
			id, err := sessionID(ctx, tx, w.session)
			if err != nil {
				return nil, fmt.Errorf("%w: %w", errBatch, err)
			}
			next, err := nextIndex(ctx, tx, id)
			if err != nil {
				return nil, err
			}
			n = &numbering{id: id, next: next}
			sessions[w.session] = n
		}
		if err := insertFlow(ctx, tx, n.id, n.next, w.row); err != nil {
			return nil, err
		}
		idxs[i] = n.next
		n.next++
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	return idxs, nil
}
