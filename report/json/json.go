// Package json renders a report as JSON following schema/report.schema.json.
package json

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/sdkflow/sdkflow/model"
	"github.com/sdkflow/sdkflow/report"
)

// Encoder writes the versioned JSON report.
type Encoder struct{}

// Name implements report.Encoder.
func (Encoder) Name() string { return "json" }

// indent is one level of indentation.
const indent = "  "

// Encode implements report.Encoder. HTML-significant characters stay escaped (\u003c), so the
// output is safe to embed wherever captured content might otherwise be read as markup.
//
// The output is byte for byte what encoding/json's Encoder with SetIndent("", "  ") writes,
// but a session's flows (100,000 of them in a long capture) are encoded and written one at a
// time instead of the whole report being built twice in memory (once compact, once indented).
// So an error from a flow (a value JSON cannot hold) stops the output part way.
func (Encoder) Encode(w io.Writer, r *model.Report, _ report.Options) error {
	s := &stream{w: bufio.NewWriterSize(w, 64<<10)}
	top := *r
	var fields map[string]func(int) error
	if len(r.Sessions) > 0 {
		top.Sessions = []model.Session{}
		fields = map[string]func(int) error{"sessions": func(depth int) error {
			return s.array(depth, len(r.Sessions), func(i, depth int) error {
				return s.session(depth, &r.Sessions[i])
			})
		}}
	}
	if err := s.object(0, &top, fields); err != nil {
		return err
	}
	s.w.WriteByte('\n')
	return s.w.Flush()
}

// stream writes indented JSON piece by piece.
type stream struct {
	w *bufio.Writer
	// buf and encs encode one value at a time, with an encoder per depth (the indentation
	// prefix is the encoder's).
	buf  bytes.Buffer
	encs []*json.Encoder
}

// value writes v, indented as a value at depth.
func (s *stream) value(depth int, v any) error {
	for len(s.encs) <= depth {
		enc := json.NewEncoder(&s.buf)
		enc.SetIndent(strings.Repeat(indent, len(s.encs)), indent)
		s.encs = append(s.encs, enc)
	}
	s.buf.Reset()
	if err := s.encs[depth].Encode(v); err != nil {
		return err
	}
	b := s.buf.Bytes()
	_, err := s.w.Write(b[:len(b)-1]) // without the newline Encode ends a value with
	return err
}

func (s *stream) newline(depth int) {
	s.w.WriteByte('\n')
	for range depth {
		s.w.WriteString(indent)
	}
}

// object writes v, which marshals as a JSON object, at depth, with the members named in
// fields written by their functions instead of from v (where they are to be left empty).
func (s *stream) object(depth int, v any, fields map[string]func(depth int) error) error {
	if fields == nil {
		return s.value(depth, v)
	}
	compact, err := json.Marshal(v)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(compact))
	if _, err := dec.Token(); err != nil { // {
		return err
	}
	s.w.WriteByte('{')
	for i := 0; dec.More(); i++ {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		key, ok := tok.(string)
		if !ok {
			return fmt.Errorf("object key is %v", tok)
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return err
		}
		if i > 0 {
			s.w.WriteByte(',')
		}
		s.newline(depth + 1)
		if err := s.value(depth+1, key); err != nil {
			return err
		}
		s.w.WriteString(": ")
		if f := fields[key]; f != nil {
			err = f(depth + 1)
		} else {
			err = s.value(depth+1, raw)
		}
		if err != nil {
			return err
		}
	}
	s.newline(depth)
	return s.w.WriteByte('}')
}

// array writes n elements, n > 0, as a JSON array at depth.
func (s *stream) array(depth, n int, elem func(i, depth int) error) error {
	s.w.WriteByte('[')
	for i := range n {
		if i > 0 {
			s.w.WriteByte(',')
		}
		s.newline(depth + 1)
		if err := elem(i, depth+1); err != nil {
			return err
		}
	}
	s.newline(depth)
	return s.w.WriteByte(']')
}

func (s *stream) session(depth int, sess *model.Session) error {
	if len(sess.Flows) == 0 {
		return s.value(depth, sess)
	}
	head := *sess
	head.Flows = []model.Flow{}
	return s.object(depth, &head, map[string]func(int) error{"flows": func(depth int) error {
		return s.array(depth, len(sess.Flows), func(i, depth int) error {
			return s.value(depth, &sess.Flows[i])
		})
	}})
}
