package session

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"time"

	"github.com/sdkflow/sdkflow/model"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// DBName is the database file inside the data directory.
const DBName = "sessions.db"

// busyTimeout is how long a statement waits for another process's write lock. Transactions are
// short (one flow), so a wait this long means something is stuck.
const busyTimeout = 10 * time.Second

var (
	// ErrNotFound is returned for a session that does not exist.
	ErrNotFound = errors.New("no such session")
	// ErrExists is returned when an import would overwrite a session.
	ErrExists = errors.New("session already exists")
	// ErrInvalidName is returned for a session name outside [A-Za-z0-9._-]{1,64}.
	ErrInvalidName = errors.New("invalid session name: use 1 to 64 letters, digits, '.', '_' or '-'")
)

var validName = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// ValidName reports whether name can name a session.
func ValidName(name string) error {
	if !validName.MatchString(name) {
		return fmt.Errorf("%q: %w", name, ErrInvalidName)
	}
	return nil
}

// Summary describes one stored session for listings.
type Summary struct {
	Name    string    `json:"name"`
	Source  string    `json:"source"`
	Created time.Time `json:"created"`
	Flows   int       `json:"flows"`
	Markers int       `json:"markers"`
	// FirstFlow and LastFlow are the earliest and latest flow start times (zero without flows).
	FirstFlow   time.Time `json:"firstFlow,omitzero"`
	LastFlow    time.Time `json:"lastFlow,omitzero"`
	TLSFailures int       `json:"tlsFailures"`
}

// Store is the sessions database. It is safe for concurrent use, and several processes may use
// the same database at once.
type Store struct {
	db   *sql.DB
	path string
	// writeMu serialises this process's writers, so they queue here instead of polling SQLite's
	// busy handler; other processes are kept apart by SQLite's own locks.
	writeMu sync.Mutex
	// writer commits this process's flows (under writeMu); nil until the first AddFlow, and
	// after a failure that closed it.
	writer  *flowWriter
	commits groupCommit
	now     func() time.Time
}

// Open opens (creating if needed) the sessions database dir/sessions.db. The directory is
// created with mode 0700 and the database with 0600: captured traffic holds personal data.
func Open(dir string) (*Store, error) {
	return open(dir, "NORMAL")
}

// open takes the synchronous mode so the benchmark can compare NORMAL with FULL.
//
// In WAL mode, synchronous=NORMAL makes a commit durable against the crash of the process (kill
// -9 included): the commit is in the WAL file, in the kernel's page cache, before Commit
// returns. It is not durable against power loss or a kernel crash, where the last commits may be
// rolled back (never corrupted). Process crash is what the store promises; see BenchmarkAddFlow
// for what FULL would cost.
func open(dir, synchronous string) (*Store, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("%s: resolving the data directory: %w", dir, err)
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return nil, fmt.Errorf("%s: creating the data directory: %w", abs, err)
	}
	path := filepath.Join(abs, DBName)
	if err := createPrivate(path); err != nil {
		return nil, err
	}
	q := url.Values{}
	q.Set("_busy_timeout", fmt.Sprint(busyTimeout.Milliseconds()))
	q.Set("_journal_mode", "WAL")
	q.Set("_synchronous", synchronous)
	q.Set("_foreign_keys", "1")
	q.Set("_txlock", "immediate") // writers take the lock up front: no deadlock on upgrade
	dsn := (&url.URL{Scheme: "file", Path: path, RawQuery: q.Encode()}).String()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("%s: opening the sessions database: %w", path, err)
	}
	db.SetMaxIdleConns(4)
	ctx, cancel := context.WithTimeout(context.Background(), 2*busyTimeout)
	defer cancel()
	if err := migrate(ctx, db); err != nil {
		db.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &Store{db: db, path: path, now: time.Now}, nil
}

// createPrivate creates the database file with mode 0600 before SQLite opens it (SQLite gives
// its -wal and -shm files the database's mode), and refuses anything but a regular file there.
func createPrivate(path string) error {
	fi, err := os.Lstat(path)
	if err == nil {
		if !fi.Mode().IsRegular() {
			return fmt.Errorf("%s: not a regular file, refusing to use it as the sessions database", path)
		}
		return nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("%s: checking the sessions database: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if errors.Is(err, os.ErrExist) {
		return createPrivate(path) // another process won the race
	}
	if err != nil {
		return fmt.Errorf("%s: creating the sessions database: %w", path, err)
	}
	return f.Close()
}

// Path is the database file.
func (s *Store) Path() string { return s.path }

// Close closes the database.
func (s *Store) Close() error {
	s.writeMu.Lock()
	if s.writer != nil {
		s.writer.close()
		s.writer = nil
	}
	s.writeMu.Unlock()
	return s.db.Close()
}

// CreateSession makes sure the named session exists; it is not an error if it does.
func (s *Store) CreateSession(ctx context.Context, name string) error {
	if err := ValidName(name); err != nil {
		return err
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	_, err := s.db.ExecContext(ctx,
		`INSERT INTO sessions (name, created_ns) VALUES (?, ?) ON CONFLICT (name) DO NOTHING`,
		name, s.now().UnixNano())
	if err != nil {
		return fmt.Errorf("creating session %s: %w", name, err)
	}
	return nil
}

// AddFlow stores f in the named session (which must exist), durably: when AddFlow returns
// the flow is committed. It assigns and returns f.Index: 0-based, per session, in commit order.
// Concurrent calls are committed together in one transaction (group commit), each still
// returning only once its flow is on disk.
func (s *Store) AddFlow(ctx context.Context, session string, f *model.Flow) (int, error) {
	if err := ValidName(session); err != nil {
		return 0, err
	}
	row, err := encodeFlow(f)
	if err != nil {
		return 0, fmt.Errorf("session %s: storing flow %s %s: %w", session, f.Method, f.URL, err)
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	idx, err := s.commits.submit(&flowWrite{ctx: ctx, session: session, row: row}, s.commitFlows)
	if err != nil {
		return 0, err
	}
	f.Index = idx
	return idx, nil
}

// AddMarker stores m in the named session (which must exist); it is durable on return.
func (s *Store) AddMarker(ctx context.Context, session string, m model.Marker) error {
	if err := ValidName(session); err != nil {
		return err
	}
	t, err := timeToNS(m.Time)
	if err != nil {
		return fmt.Errorf("session %s: marker %s: %w", session, m.Event, err)
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("session %s: storing marker: %w", session, err)
	}
	defer tx.Rollback()
	id, err := sessionID(ctx, tx, session)
	if err != nil {
		return err
	}
	if err := insertMarker(ctx, tx, id, m, t); err != nil {
		return fmt.Errorf("session %s: storing marker %s: %w", session, m.Event, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("session %s: committing marker %s: %w", session, m.Event, err)
	}
	return nil
}

// List summarises every session, sorted by name.
func (s *Store) List(ctx context.Context) ([]Summary, error) {
	rows, err := s.db.QueryContext(ctx, `
		SELECT s.name, s.source, s.created_ns,
			(SELECT COUNT(*) FROM flows f WHERE f.session_id = s.id),
			(SELECT COUNT(*) FROM markers m WHERE m.session_id = s.id),
			(SELECT MIN(start_ns) FROM flows f WHERE f.session_id = s.id),
			(SELECT MAX(start_ns) FROM flows f WHERE f.session_id = s.id),
			(SELECT COUNT(*) FROM flows f WHERE f.session_id = s.id AND f.kind = '`+model.FlowTLSFailure+`')
		FROM sessions s WHERE s.name NOT LIKE '`+hiddenPrefix+`%' ORDER BY s.name`)
	if err != nil {
		return nil, fmt.Errorf("listing sessions: %w", err)
	}
	defer rows.Close()
	var out []Summary
	for rows.Next() {
		var sum Summary
		var created int64
		var first, last sql.NullInt64
		if err := rows.Scan(&sum.Name, &sum.Source, &created, &sum.Flows, &sum.Markers, &first, &last, &sum.TLSFailures); err != nil {
			return nil, fmt.Errorf("listing sessions: %w", err)
		}
		sum.Created = nsToTime(sql.NullInt64{Int64: created, Valid: true})
		sum.FirstFlow, sum.LastFlow = nsToTime(first), nsToTime(last)
		out = append(out, sum)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("listing sessions: %w", err)
	}
	return out, nil
}

// Load reads a whole session, flows in index order, from one consistent snapshot. Started is
// the recorded start (the session's creation for a live capture), Ended the latest flow end or
// marker.
func (s *Store) Load(ctx context.Context, name string) (*model.Session, error) {
	if err := ValidName(name); err != nil {
		return nil, err
	}
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("session %s: loading: %w", name, err)
	}
	defer tx.Rollback()
	sess, id, err := loadHeader(ctx, tx, name)
	if err != nil {
		return nil, err
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM flows WHERE session_id = ?`, id).Scan(&n); err != nil {
		return nil, fmt.Errorf("session %s: counting flows: %w", name, err)
	}
	sess.Flows = make([]model.Flow, 0, n) // one allocation: a session can hold 100,000 flows
	err = eachFlow(ctx, tx, id, func(f *model.Flow) error {
		sess.Flows = append(sess.Flows, *f)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("session %s: loading flows: %w", name, err)
	}
	if sess.Ended.IsZero() {
		for i := range sess.Flows {
			f := &sess.Flows[i]
			sess.Ended = latest(sess.Ended, f.Time, f.End)
		}
		for _, m := range sess.Markers {
			sess.Ended = latest(sess.Ended, m.Time)
		}
	}
	return sess, nil
}

// Each calls fn for every flow of the session in index order, one at a time, so a session of
// any size can be read in bounded memory. fn gets a fresh Flow each call. An error from fn stops
// the walk and is returned as is.
func (s *Store) Each(ctx context.Context, name string, fn func(*model.Flow) error) error {
	if err := ValidName(name); err != nil {
		return err
	}
	var id int64
	err := s.db.QueryRowContext(ctx, `SELECT id FROM sessions WHERE name = ?`, name).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("session %s: %w", name, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("session %s: reading: %w", name, err)
	}
	return eachFlow(ctx, s.db, id, fn)
}

// Markers returns the session's markers in the order they were added.
func (s *Store) Markers(ctx context.Context, name string) ([]model.Marker, error) {
	if err := ValidName(name); err != nil {
		return nil, err
	}
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("session %s: reading markers: %w", name, err)
	}
	defer tx.Rollback()
	sess, _, err := loadHeader(ctx, tx, name)
	if err != nil {
		return nil, err
	}
	return sess.Markers, nil
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func sessionID(ctx context.Context, q querier, name string) (int64, error) {
	var id int64
	err := q.QueryRowContext(ctx, `SELECT id FROM sessions WHERE name = ?`, name).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("session %s: %w", name, ErrNotFound)
	}
	if err != nil {
		return 0, fmt.Errorf("session %s: %w", name, err)
	}
	return id, nil
}

// loadHeader reads the session row and its markers.
func loadHeader(ctx context.Context, tx *sql.Tx, name string) (*model.Session, int64, error) {
	var (
		id             int64
		created        int64
		source         string
		started, ended sql.NullInt64
		errorsJSON     sql.NullString
	)
	err := tx.QueryRowContext(ctx,
		`SELECT id, created_ns, source, started_ns, ended_ns, errors FROM sessions WHERE name = ?`, name).
		Scan(&id, &created, &source, &started, &ended, &errorsJSON)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, 0, fmt.Errorf("session %s: %w", name, ErrNotFound)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("session %s: loading: %w", name, err)
	}
	sess := &model.Session{Name: name, Source: source, Markers: []model.Marker{}}
	sess.Started = nsToTime(started)
	if sess.Started.IsZero() {
		sess.Started = nsToTime(sql.NullInt64{Int64: created, Valid: true})
	}
	sess.Ended = nsToTime(ended)
	if errorsJSON.Valid && errorsJSON.String != "" {
		if err := json.Unmarshal([]byte(errorsJSON.String), &sess.Errors); err != nil {
			sess.Errors = append(sess.Errors, model.Error{Path: name, Stage: "session", Message: "stored errors unreadable: " + err.Error()})
		}
	}
	rows, err := tx.QueryContext(ctx,
		`SELECT event, time_ns, note, source FROM markers WHERE session_id = ? ORDER BY id`, id)
	if err != nil {
		return nil, 0, fmt.Errorf("session %s: loading markers: %w", name, err)
	}
	defer rows.Close()
	for rows.Next() {
		var m model.Marker
		var t sql.NullInt64
		if err := rows.Scan(&m.Event, &t, &m.Note, &m.Source); err != nil {
			return nil, 0, fmt.Errorf("session %s: loading markers: %w", name, err)
		}
		m.Time = nsToTime(t)
		sess.Markers = append(sess.Markers, m)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("session %s: loading markers: %w", name, err)
	}
	return sess, id, nil
}

func insertMarker(ctx context.Context, tx *sql.Tx, sessionID int64, m model.Marker, t any) error {
	_, err := tx.ExecContext(ctx,
		`INSERT INTO markers (session_id, event, time_ns, note, source) VALUES (?, ?, ?, ?, ?)`,
		sessionID, m.Event, t, m.Note, m.Source)
	return err
}

// timeToNS converts a time to Unix nanoseconds for storage; the zero time is stored as NULL.
// Times outside what int64 nanoseconds hold (years 1678 to 2262) are refused.
func timeToNS(t time.Time) (any, error) {
	if t.IsZero() {
		return nil, nil
	}
	ns := t.UnixNano()
	if !time.Unix(0, ns).Equal(t) {
		return nil, fmt.Errorf("time %s out of the storable range", t.Format(time.RFC3339))
	}
	return ns, nil
}

func nsToTime(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return time.Unix(0, v.Int64).UTC()
}

func latest(t time.Time, others ...time.Time) time.Time {
	for _, o := range others {
		if o.After(t) {
			t = o
		}
	}
	return t
}

// writeTx runs fn in a write transaction and commits it.
func (s *Store) writeTx(ctx context.Context, fn func(*sql.Tx) error) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}
