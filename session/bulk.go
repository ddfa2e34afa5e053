package session

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/sdkflow/sdkflow/model"
)

// Imports and removals touch every flow of a session, which can be 100,000 rows. Done in one
// transaction they would hold the write lock for seconds while the proxy, in another process,
// waits to commit its flows. So they work in chunks under a hidden name that no command can
// address ('~' is not allowed in session names), and the step users see (the session
// appearing, being replaced, or disappearing) is one short transaction that renames it.
const (
	hiddenPrefix = "~"
	bulkChunk    = 1000
	// staleImport is when a hidden import is taken for the leftover of a crashed process.
	staleImport = 24 * time.Hour
)

func hiddenName(kind string) string {
	b := make([]byte, 8)
	rand.Read(b)
	return hiddenPrefix + kind + "-" + hex.EncodeToString(b)
}

// Import stores a whole session (an imported HAR file, say), numbering its flows 0..n-1 in
// slice order. The session appears complete or not at all. An existing session of that name
// is an ErrExists error unless replace is set; then it is replaced in one step.
func (s *Store) Import(ctx context.Context, sess *model.Session, replace bool) error {
	if err := ValidName(sess.Name); err != nil {
		return err
	}
	started, err := timeToNS(sess.Started)
	if err != nil {
		return fmt.Errorf("session %s: start time: %w", sess.Name, err)
	}
	ended, err := timeToNS(sess.Ended)
	if err != nil {
		return fmt.Errorf("session %s: end time: %w", sess.Name, err)
	}
	markerTimes := make([]any, len(sess.Markers))
	for i, m := range sess.Markers {
		if markerTimes[i], err = timeToNS(m.Time); err != nil {
			return fmt.Errorf("session %s: marker %s: %w", sess.Name, m.Event, err)
		}
	}
	var errorsJSON any
	if len(sess.Errors) > 0 {
		b, err := json.Marshal(sess.Errors)
		if err != nil {
			return fmt.Errorf("session %s: errors: %w", sess.Name, err)
		}
		errorsJSON = string(b)
	}
	source := sess.Source
	if source == "" {
		source = "import"
	}
	if !replace {
		if _, err := sessionID(ctx, s.db, sess.Name); err == nil {
			return fmt.Errorf("session %s: %w", sess.Name, ErrExists)
		}
	}
	s.sweep(ctx)

	// 1. The session row, hidden, with its markers.
	staging := hiddenName("import")
	var id int64
	err = s.writeTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx,
			`INSERT INTO sessions (name, created_ns, source, started_ns, ended_ns, errors) VALUES (?, ?, ?, ?, ?, ?)`,
			staging, s.now().UnixNano(), source, started, ended, errorsJSON)
		if err != nil {
			return err
		}
		if id, err = res.LastInsertId(); err != nil {
			return err
		}
		for i, m := range sess.Markers {
			if err := insertMarker(ctx, tx, id, m, markerTimes[i]); err != nil {
				return fmt.Errorf("marker %s: %w", m.Event, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("session %s: importing: %w", sess.Name, err)
	}
	done := false
	defer func() {
		if !done {
			s.purge(context.WithoutCancel(ctx), id)
		}
	}()

	// 2. The flows, a chunk per transaction.
	for start := 0; start < len(sess.Flows); start += bulkChunk {
		end := min(start+bulkChunk, len(sess.Flows))
		rows := make([]*flowRow, 0, end-start)
		for i := start; i < end; i++ {
			r, err := encodeFlow(&sess.Flows[i])
			if err != nil {
				return fmt.Errorf("session %s: flow %d: %w", sess.Name, i, err)
			}
			rows = append(rows, r)
		}
		err := s.writeTx(ctx, func(tx *sql.Tx) error {
			insert, err := tx.PrepareContext(ctx, insertFlowSQL)
			if err != nil {
				return err
			}
			defer insert.Close()
			for k, r := range rows {
				if err := execInsert(ctx, insert, id, start+k, r); err != nil {
					return fmt.Errorf("flow %d: %w", start+k, err)
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("session %s: importing: %w", sess.Name, err)
		}
	}

	// 3. The switch: one short transaction.
	var old int64 = -1
	err = s.writeTx(ctx, func(tx *sql.Tx) error {
		if prev, err := sessionID(ctx, tx, sess.Name); err == nil {
			if !replace {
				return fmt.Errorf("session %s: %w", sess.Name, ErrExists)
			}
			if _, err := tx.ExecContext(ctx, `UPDATE sessions SET name = ? WHERE id = ?`, hiddenName("removed"), prev); err != nil {
				return err
			}
			old = prev
		} else if !errors.Is(err, ErrNotFound) {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE sessions SET name = ? WHERE id = ?`, sess.Name, id)
		return err
	})
	if err != nil {
		if errors.Is(err, ErrExists) {
			return err
		}
		return fmt.Errorf("session %s: importing: %w", sess.Name, err)
	}
	done = true
	if old >= 0 {
		s.purge(context.WithoutCancel(ctx), old) // a leftover is swept by the next import or removal
	}
	return nil
}

// Remove deletes the named session with its flows and markers. It disappears at once; its
// rows are then deleted in chunks.
func (s *Store) Remove(ctx context.Context, name string) error {
	if err := ValidName(name); err != nil {
		return err
	}
	var id int64
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		var err error
		if id, err = sessionID(ctx, tx, name); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE sessions SET name = ? WHERE id = ?`, hiddenName("removed"), id)
		return err
	})
	if errors.Is(err, ErrNotFound) {
		return err
	}
	if err != nil {
		return fmt.Errorf("session %s: removing: %w", name, err)
	}
	s.purge(context.WithoutCancel(ctx), id)
	s.sweep(ctx)
	return nil
}

// purge deletes a hidden session's rows, a chunk per transaction. Failures are left for sweep.
func (s *Store) purge(ctx context.Context, id int64) {
	for {
		var n int64
		err := s.writeTx(ctx, func(tx *sql.Tx) error {
			res, err := tx.ExecContext(ctx,
				`DELETE FROM flows WHERE id IN (SELECT id FROM flows WHERE session_id = ? LIMIT ?)`, id, bulkChunk)
			if err != nil {
				return err
			}
			n, err = res.RowsAffected()
			return err
		})
		if err != nil {
			return
		}
		if n == 0 {
			break
		}
	}
	s.writeTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM markers WHERE session_id = ?`, id); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE id = ?`, id)
		return err
	})
}

// sweep purges what crashed or interrupted processes left: removed sessions, and imports
// that have not finished in staleImport.
func (s *Store) sweep(ctx context.Context) {
	rows, err := s.db.QueryContext(ctx,
		`SELECT id FROM sessions WHERE name LIKE '`+hiddenPrefix+`removed-%' OR (name LIKE '`+hiddenPrefix+`import-%' AND created_ns < ?)`,
		s.now().Add(-staleImport).UnixNano())
	if err != nil {
		return
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if rows.Scan(&id) == nil {
			ids = append(ids, id)
		}
	}
	rows.Close()
	for _, id := range ids {
		s.purge(ctx, id)
	}
}
