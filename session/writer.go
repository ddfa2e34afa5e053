package session

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
)

// flowWriter is the one connection this process commits flows on. Its statements are prepared
// once (preparing the 30-column insert cost more than running it), and it remembers each
// session's id and next index between transactions instead of looking them up in every one.
//
// Several processes may add flows to one session (two proxies, an import, a test), and
// another process may remove or replace a session at any time, so the remembered numbers are
// checked in every transaction: PRAGMA data_version, read once the write lock is held, changes
// exactly when another connection has committed since this one last did. Then the numbers are
// looked up again; otherwise nobody else can have written and they are exact.
type flowWriter struct {
	conn                                         *sql.Conn
	begin, commit, rollback                      *sql.Stmt
	dataVersion, insert, sessionByName, lastFlow *sql.Stmt

	// version is data_version in the last committed transaction; valid says it was read.
	version int64
	valid   bool
	// sessions holds what this connection knows of each session it wrote to, as of version.
	sessions map[string]*numbering
}

// numbering is a session's id and the index its next flow gets.
type numbering struct {
	id   int64
	next int
}

// Statements run with context.Background(): a batch belongs to many callers, so no one
// caller's cancellation may abort it (each caller's context is checked before), and a
// context that can be cancelled would cost the driver a watcher goroutine per statement.
// busy_timeout bounds the wait for another process's lock.

func newFlowWriter(db *sql.DB) (_ *flowWriter, err error) {
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	w := &flowWriter{conn: conn, sessions: map[string]*numbering{}}
	defer func() {
		if err != nil {
			w.close()
		}
	}()
	for _, s := range []struct {
		stmt **sql.Stmt
		sql  string
	}{
		{&w.begin, `BEGIN IMMEDIATE`},
		{&w.commit, `COMMIT`},
		{&w.rollback, `ROLLBACK`},
		{&w.dataVersion, `PRAGMA data_version`},
		{&w.insert, insertFlowSQL},
		{&w.sessionByName, `SELECT id FROM sessions WHERE name = ?`},
		{&w.lastFlow, `SELECT COALESCE(MAX(idx) + 1, 0) FROM flows WHERE session_id = ?`},
	} {
		if *s.stmt, err = conn.PrepareContext(ctx, s.sql); err != nil {
			return nil, fmt.Errorf("preparing %q: %w", s.sql, err)
		}
	}
	return w, nil
}

// close drops the connection rather than handing it back to the pool: after a failure it may
// still hold a transaction, and closing it is what rolls that back for certain.
func (w *flowWriter) close() {
	for _, s := range []*sql.Stmt{w.begin, w.commit, w.rollback, w.dataVersion, w.insert, w.sessionByName, w.lastFlow} {
		if s != nil {
			s.Close()
		}
	}
	w.conn.Raw(func(any) error { return driver.ErrBadConn })
	w.conn.Close()
}

// write commits the flows of batch in one transaction, numbering them in order per session,
// and returns their indexes. On any error nothing is committed; errors do not name the session
// (the caller does). broken says the connection can no longer be trusted (BEGIN or a rollback
// failed) and must be closed.
func (w *flowWriter) write(batch []*flowWrite) (idxs []int, broken bool, err error) {
	ctx := context.Background()
	if _, err := w.begin.ExecContext(ctx); err != nil {
		// Busy past busy_timeout, or a connection gone bad: a fresh one costs little.
		return nil, true, fmt.Errorf("starting a transaction: %w", err)
	}
	committed := false
	defer func() {
		if committed {
			return
		}
		w.valid = false
		if _, rerr := w.rollback.ExecContext(ctx); rerr != nil {
			broken = true
		}
	}()
	var version int64
	if err := w.dataVersion.QueryRowContext(ctx).Scan(&version); err != nil {
		return nil, false, fmt.Errorf("reading data_version: %w", err)
	}
	if !w.valid || version != w.version {
		clear(w.sessions)
	}
	// Indexes taken in this transaction; the remembered ones move on only once it commits.
	next := make(map[*numbering]int, 1)
	idxs = make([]int, len(batch))
	for i, fw := range batch {
		n, err := w.numbering(ctx, fw.session)
		if err != nil {
			return nil, false, err
		}
		idx, seen := next[n]
		if !seen {
			idx = n.next
		}
		if err := execInsert(ctx, w.insert, n.id, idx, fw.row); err != nil {
			return nil, false, fmt.Errorf("storing flow %d: %w", idx, err)
		}
		idxs[i] = idx
		next[n] = idx + 1
	}
	if _, err := w.commit.ExecContext(ctx); err != nil {
		return nil, false, fmt.Errorf("committing: %w", err)
	}
	committed = true
	for n, idx := range next {
		n.next = idx
	}
	w.version, w.valid = version, true
	return idxs, false, nil
}

// numbering returns what is known of the named session, looking it up when not remembered.
func (w *flowWriter) numbering(ctx context.Context, name string) (*numbering, error) {
	if n := w.sessions[name]; n != nil {
		return n, nil
	}
	var id int64
	err := w.sessionByName.QueryRowContext(ctx, name).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("looking up the session: %w", err)
	}
	var next int
	if err := w.lastFlow.QueryRowContext(ctx, id).Scan(&next); err != nil {
		return nil, fmt.Errorf("numbering flow: %w", err)
	}
	n := &numbering{id: id, next: next}
	w.sessions[name] = n
	return n, nil
}
