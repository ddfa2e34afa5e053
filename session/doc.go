// Package session keeps recorded test sessions and moves them in and out of HAR files.
//
// # The store
//
// The store is one SQLite database (sessions.db, WAL mode) under the data directory, shared by
// every process that works on a session at the same time: the proxy writes flows while `sdkflow
// mark` adds markers and `sdkflow session show` reads. Each write is its own short transaction,
// so a flow is durable when AddFlow returns and a killed process (kill -9) loses only what was
// in flight. Power loss may roll back the last commits (synchronous=NORMAL; see open).
// Concurrent AddFlow calls share a transaction (group commit), each returning once its flow is
// committed. A store commits flows on one connection of its own with its statements prepared
// once, and remembers each session's id and next index between transactions; PRAGMA
// data_version, read under the write lock, says when another connection has written since, and
// then they are looked up again. So several processes may add flows to one session, and a
// session removed or replaced elsewhere is noticed at the next flow. Imports and removals of
// large sessions work in chunks under a hidden name and switch in one short transaction, so no
// transaction holds the write lock for long. The directory is created 0700 and the database
// 0600. The schema is versioned with PRAGMA user_version and migrated forward on Open; a
// database from a newer sdkflow is refused.
//
// Flows keep everything needed to rebuild them: headers in wire order and case (bytes that are
// not UTF-8 included), bodies as recorded (still content-encoded), times to the nanosecond,
// timings, error and extra fields. Analysis results (SDK, phase, data items) are not stored:
// they are recomputed from the flows.
//
// # HAR
//
// WriteHAR writes strict HAR 1.2 (testdata/har-1.2.schema.json checks it): bodies decoded into
// "text" (base64 when binary), the wire bytes under "_wireBase64" when they differ, markers and
// the session's details under log._sdkflow, tunnels and TLS failures as entries with status 0
// and "_kind"/"_error", and sdkflow's other fields with a "_" prefix, so ReadHAR rebuilds the
// same flows. Two things HAR cannot say are normalised: negative send/wait/receive timings are
// written as 0, and an Extra key without a leading "_" gains one.
//
// ReadHAR is lenient and bounded. It decodes the file as a stream, one entry at a time, and
// takes what mitmproxy, Charles, Proxyman, Chrome and Firefox write: numbers as strings, dates
// with or without a zone or fraction, missing timings, responses or content, form posts as
// params only, base64 bodies, byte order marks. A broken entry is skipped with a problem in
// Session.Errors; a file that is not JSON, or has no log, is a *HARSyntaxError with the byte
// offset and, within the first 64 MiB, the line and column (ReadHAR keeps those 64 MiB in
// memory as it reads; ReadHARFile, for a file that can be read again, reads them again on an
// error). A body the file holds decoded is encoded again into its wire form with pooled
// compressors. Limits: the file at most MaxHARBytes (2 GiB), at most MaxHAREntries (1,000,000)
// entries, each body at most MaxBodyBytes (16 MiB, decoded; longer ones are kept truncated and
// marked so), each "_" field at most 256 KiB, and at most 100 problems listed (the rest
// counted).
package session
