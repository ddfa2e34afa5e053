// Package json renders a report as JSON following schema/report.schema.json.
package json

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"

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
		return s.flows(depth, sess.Flows)
	}})
}

// flowChunk is how many flows a worker encodes at a time.
const flowChunk = 256

// flows writes a non-empty list of flows as a JSON array at depth. Encoding them is most of the
// work of a large report, so chunks of flows are encoded on every core and written in order; at
// most two chunks per worker are held at once.
func (s *stream) flows(depth int, flows []model.Flow) error {
	chunks := (len(flows) + flowChunk - 1) / flowChunk
	workers := min(runtime.GOMAXPROCS(0), chunks)
	if workers < 2 {
		return s.array(depth, len(flows), func(i, depth int) error {
			return s.value(depth, &flows[i])
		})
	}
	type job struct {
		lo, hi int
		out    *bytes.Buffer
		err    error
		done   chan struct{}
	}
	var (
		jobs  = make(chan *job)
		order = make(chan *job, 2*workers) // the chunks in flight, in output order
		quit  = make(chan struct{})
		free  = make(chan *bytes.Buffer, 3*workers)
		wg    sync.WaitGroup
	)
	wg.Go(func() {
		defer close(jobs)
		defer close(order)
		for lo := 0; lo < len(flows); lo += flowChunk {
			j := &job{lo: lo, hi: min(lo+flowChunk, len(flows)), done: make(chan struct{})}
			select {
			case order <- j:
			case <-quit:
				return
			}
			select {
			case jobs <- j:
			case <-quit:
				return
			}
		}
	})
	for range workers {
		wg.Go(func() {
			var out *bytes.Buffer
			enc := json.NewEncoder(writerTo(&out))
			enc.SetIndent(strings.Repeat(indent, depth+1), indent)
			for j := range jobs {
				select {
				case out = <-free:
					out.Reset()
				default:
					out = new(bytes.Buffer)
				}
				for i := j.lo; i < j.hi && j.err == nil; i++ {
					if i > 0 {
						out.WriteByte(',')
					}
					out.WriteByte('\n')
					for range depth + 1 {
						out.WriteString(indent)
					}
					if j.err = enc.Encode(&flows[i]); j.err == nil {
						out.Truncate(out.Len() - 1) // the newline Encode ends a value with
					}
				}
				j.out = out
				close(j.done)
			}
		})
	}
	var err error
	s.w.WriteByte('[')
	for j := range order {
		<-j.done
		if err = j.err; err == nil {
			_, err = s.w.Write(j.out.Bytes())
		}
		if err != nil {
			break
		}
		select {
		case free <- j.out:
		default:
		}
	}
	close(quit)
	wg.Wait()
	if err != nil {
		return err
	}
	s.newline(depth)
	return s.w.WriteByte(']')
}

// writerTo writes to whatever buffer *b is at the time of the write.
func writerTo(b **bytes.Buffer) io.Writer { return bufferRef{b} }

type bufferRef struct{ b **bytes.Buffer }

func (r bufferRef) Write(p []byte) (int, error) { return (*r.b).Write(p) }
