package session

import (
	"context"
	"database/sql"
	"fmt"
)

// migrations take the database from user_version i to i+1. Append only: a released migration is
// never edited, since databases in the field were built with it.
var migrations = []string{
	// 1: sessions, flows, markers.
	`CREATE TABLE sessions (
		id         INTEGER PRIMARY KEY,
		name       TEXT NOT NULL UNIQUE,
		created_ns INTEGER NOT NULL,
		source     TEXT NOT NULL DEFAULT 'store',
		started_ns INTEGER,
		ended_ns   INTEGER,
		errors     TEXT
	);
	CREATE TABLE flows (
		id             INTEGER PRIMARY KEY,
		session_id     INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
		idx            INTEGER NOT NULL,
		kind           TEXT NOT NULL,
		start_ns       INTEGER,
		end_ns         INTEGER,
		client         TEXT NOT NULL,
		method         TEXT NOT NULL,
		url            TEXT NOT NULL,
		host           TEXT NOT NULL,
		http_version   TEXT NOT NULL,
		server_name    TEXT NOT NULL,
		status         INTEGER NOT NULL,
		status_text    TEXT NOT NULL,
		req_headers    BLOB,
		req_body       BLOB,
		req_body_size  INTEGER NOT NULL,
		req_truncated  INTEGER NOT NULL,
		resp_headers   BLOB,
		resp_body      BLOB,
		resp_body_size INTEGER NOT NULL,
		resp_truncated INTEGER NOT NULL,
		t_blocked      REAL NOT NULL,
		t_dns          REAL NOT NULL,
		t_connect      REAL NOT NULL,
		t_ssl          REAL NOT NULL,
		t_send         REAL NOT NULL,
		t_wait         REAL NOT NULL,
		t_receive      REAL NOT NULL,
		error          TEXT NOT NULL,
		extra          TEXT,
		UNIQUE (session_id, idx)
	);
	CREATE TABLE markers (
		id         INTEGER PRIMARY KEY,
		session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
		event      TEXT NOT NULL,
		time_ns    INTEGER,
		note       TEXT NOT NULL,
		source     TEXT NOT NULL
	);
	CREATE INDEX markers_session ON markers (session_id, id);`,
	// 2: List without visiting every flow row: first/last start time from an index, TLS
	// failures counted from a partial index.
	`CREATE INDEX flows_start ON flows (session_id, start_ns);
	CREATE INDEX flows_tls_failures ON flows (session_id) WHERE kind = 'tls-failure';`,
}

// migrate brings the schema up to date. Two processes may open a new database at once, so the
// version is read again inside the write transaction before each step.
func migrate(ctx context.Context, db *sql.DB) error {
	for {
		done, err := migrateStep(ctx, db)
		if err != nil || done {
			return err
		}
	}
}

func migrateStep(ctx context.Context, db *sql.DB) (done bool, err error) {
	tx, err := db.BeginTx(ctx, nil) // BEGIN IMMEDIATE (_txlock), so the check and the step are atomic
	if err != nil {
		return false, fmt.Errorf("starting migration: %w", err)
	}
	defer tx.Rollback()
	var version int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return false, fmt.Errorf("reading schema version: %w", err)
	}
	switch {
	case version == len(migrations):
		return true, nil
	case version > len(migrations) || version < 0:
		return false, fmt.Errorf("schema version %d is newer than this sdkflow knows (%d): upgrade sdkflow", version, len(migrations))
	}
	if _, err := tx.ExecContext(ctx, migrations[version]); err != nil {
		return false, fmt.Errorf("migrating schema to version %d: %w", version+1, err)
	}
	// PRAGMA takes no bound parameters; version is our own integer.
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", version+1)); err != nil {
		return false, fmt.Errorf("setting schema version %d: %w", version+1, err)
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("committing schema version %d: %w", version+1, err)
	}
	return false, nil
}
