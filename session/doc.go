// Package session keeps recorded test sessions and moves them in and out of HAR files.
//
// The store is one SQLite database (sessions.db) under the data directory, shared by every
// process that works on a session at the same time: the proxy writes flows while `sdkflow mark`
// adds markers and `sdkflow session show` reads. Each write is its own short transaction, so a
// flow is durable when AddFlow returns and a killed process loses only what was in flight.
//
// ReadHAR and WriteHAR convert between HAR 1.2 files and model.Session. The reader is lenient
// (it takes the files mitmproxy, Charles, Proxyman and the browsers write) and bounded; the
// writer produces strict HAR 1.2 with sdkflow's extras in "_" fields.
package session
