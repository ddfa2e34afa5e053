package session

import (
	"context"
	"database/sql"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/sdkflow/sdkflow/model"
)

// flowRow is a flow in its stored form, prepared outside the write transaction so the lock is
// held for the insert alone.
type flowRow struct {
	kind                         string
	start, end                   any
	f                            *model.Flow
	reqHeaders, respHeaders      []byte
	reqBody, respBody            any
	extra                        any
	reqTruncated, respTruncated  int
	reqBodySize, respBodySize    int64
	statusText, httpVersion, err string
}

func encodeFlow(f *model.Flow) (*flowRow, error) {
	start, err := timeToNS(f.Time)
	if err != nil {
		return nil, fmt.Errorf("start: %w", err)
	}
	end, err := timeToNS(f.End)
	if err != nil {
		return nil, fmt.Errorf("end: %w", err)
	}
	r := &flowRow{
		kind: f.Kind, start: start, end: end, f: f,
		reqHeaders:  encodeHeaders(f.Request.Headers),
		respHeaders: encodeHeaders(f.Response.Headers),
		reqBody:     nonNil(f.Request.Body), respBody: nonNil(f.Response.Body),
		reqBodySize: f.Request.BodySize, respBodySize: f.Response.BodySize,
		reqTruncated: boolInt(f.Request.Truncated), respTruncated: boolInt(f.Response.Truncated),
	}
	if r.kind == "" {
		r.kind = model.FlowHTTP
	}
	if len(f.Extra) > 0 {
		b, err := json.Marshal(f.Extra)
		if err != nil {
			return nil, fmt.Errorf("extra fields: %w", err)
		}
		r.extra = string(b)
	}
	return r, nil
}

// nonNil stores a nil body as NULL and an empty one as an empty blob.
func nonNil(b []byte) any {
	if b == nil {
		return nil
	}
	return b
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

const insertFlowSQL = `INSERT INTO flows (
	session_id, idx, kind, start_ns, end_ns, client, method, url, host, http_version, server_name,
	status, status_text, req_headers, req_body, req_body_size, req_truncated,
	resp_headers, resp_body, resp_body_size, resp_truncated,
	t_blocked, t_dns, t_connect, t_ssl, t_send, t_wait, t_receive, error, extra
) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

// execInsert runs insertFlowSQL, prepared as stmt, for one flow.
func execInsert(ctx context.Context, stmt *sql.Stmt, sessionID int64, idx int, r *flowRow) error {
	f := r.f
	t := f.Timings
	_, err := stmt.ExecContext(ctx,
		sessionID, idx, r.kind, r.start, r.end, f.Client, f.Method, f.URL, f.Host, f.HTTPVersion, f.ServerName,
		f.Status, f.StatusText, r.reqHeaders, r.reqBody, r.reqBodySize, r.reqTruncated,
		r.respHeaders, r.respBody, r.respBodySize, r.respTruncated,
		t.Blocked, t.DNS, t.Connect, t.SSL, t.Send, t.Wait, t.Receive, f.Error, r.extra)
	return err
}

const flowColumns = `idx, kind, start_ns, end_ns, client, method, url, host, http_version, server_name,
	status, status_text, req_headers, req_body, req_body_size, req_truncated,
	resp_headers, resp_body, resp_body_size, resp_truncated,
	t_blocked, t_dns, t_connect, t_ssl, t_send, t_wait, t_receive, error, extra,
	req_body IS NULL, resp_body IS NULL`

func eachFlow(ctx context.Context, q querier, sessionID int64, fn func(*model.Flow) error) error {
	rows, err := q.QueryContext(ctx, `SELECT `+flowColumns+` FROM flows WHERE session_id = ? ORDER BY idx`, sessionID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		f, err := scanFlow(rows)
		if err != nil {
			return err
		}
		if err := fn(f); err != nil {
			return err
		}
	}
	return rows.Err()
}

func scanFlow(rows *sql.Rows) (*model.Flow, error) {
	var (
		f                         model.Flow
		start, end                sql.NullInt64
		reqHeaders, respHeaders   []byte
		reqBody, respBody         []byte
		reqTrunc, respTrunc       int
		extra                     sql.NullString
		reqBodySize, respBodySize int64
		reqNull, respNull         bool
	)
	t := &f.Timings
	err := rows.Scan(&f.Index, &f.Kind, &start, &end, &f.Client, &f.Method, &f.URL, &f.Host, &f.HTTPVersion, &f.ServerName,
		&f.Status, &f.StatusText, &reqHeaders, &reqBody, &reqBodySize, &reqTrunc,
		&respHeaders, &respBody, &respBodySize, &respTrunc,
		&t.Blocked, &t.DNS, &t.Connect, &t.SSL, &t.Send, &t.Wait, &t.Receive, &f.Error, &extra,
		&reqNull, &respNull)
	if err != nil {
		return nil, err
	}
	f.Time, f.End = nsToTime(start), nsToTime(end)
	if f.Request.Headers, err = decodeHeaders(reqHeaders); err != nil {
		return nil, fmt.Errorf("flow %d: request headers: %w", f.Index, err)
	}
	if f.Response.Headers, err = decodeHeaders(respHeaders); err != nil {
		return nil, fmt.Errorf("flow %d: response headers: %w", f.Index, err)
	}
	// Scan into []byte copies the driver's memory, so the bodies are ours to keep. An empty
	// blob scans as nil: keep "recorded, empty" apart from "not recorded".
	if reqBody == nil && !reqNull {
		reqBody = []byte{}
	}
	if respBody == nil && !respNull {
		respBody = []byte{}
	}
	f.Request.Body, f.Response.Body = reqBody, respBody
	f.Request.BodySize, f.Response.BodySize = reqBodySize, respBodySize
	f.Request.Truncated, f.Response.Truncated = reqTrunc != 0, respTrunc != 0
	if extra.Valid && extra.String != "" {
		if err := json.Unmarshal([]byte(extra.String), &f.Extra); err != nil {
			return nil, fmt.Errorf("flow %d: extra fields: %w", f.Index, err)
		}
	}
	return &f, nil
}

// encodeHeaders packs headers as (uvarint length, bytes) pairs: unlike JSON this keeps bytes
// that are not UTF-8, which hostile servers do send. Nil headers are stored as NULL.
func encodeHeaders(hs []model.Header) []byte {
	if hs == nil {
		return nil
	}
	n := binary.MaxVarintLen64
	for _, h := range hs {
		n += 2*binary.MaxVarintLen64 + len(h.Name) + len(h.Value)
	}
	b := make([]byte, 0, n)
	b = binary.AppendUvarint(b, uint64(len(hs)))
	for _, h := range hs {
		b = binary.AppendUvarint(b, uint64(len(h.Name)))
		b = append(b, h.Name...)
		b = binary.AppendUvarint(b, uint64(len(h.Value)))
		b = append(b, h.Value...)
	}
	return b
}

var errCorruptHeaders = errors.New("corrupt header block")

func decodeHeaders(b []byte) ([]model.Header, error) {
	if b == nil {
		return nil, nil
	}
	n, k := binary.Uvarint(b)
	if k <= 0 || n > uint64(len(b)) { // each header takes at least two bytes
		return nil, errCorruptHeaders
	}
	b = b[k:]
	hs := make([]model.Header, 0, n)
	next := func() (string, bool) {
		l, k := binary.Uvarint(b)
		if k <= 0 || l > uint64(len(b)-k) {
			return "", false
		}
		s := string(b[k : k+int(l)])
		b = b[k+int(l):]
		return s, true
	}
	for i := uint64(0); i < n; i++ {
		name, ok1 := next()
		value, ok2 := next()
		if !ok1 || !ok2 {
			return nil, errCorruptHeaders
		}
		hs = append(hs, model.Header{Name: name, Value: value})
	}
	return hs, nil
}
