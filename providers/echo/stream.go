package echo

import (
	"context"
	"errors"
	"net/http"
	"time"
)

// stream writes one server-sent-event response. Every event is flushed as soon as
// it is written; every write first checks that the client is still there.
type stream struct {
	w      http.ResponseWriter
	rc     *http.ResponseController
	ctx    context.Context
	delay  time.Duration
	abort  bool // X-Echo-Fail: midstream
	deltas int  // deltas written so far
	buf    []byte
}

// startStream writes the headers of an event stream.
func (x *exchange) startStream() *stream {
	h := x.w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	x.w.WriteHeader(http.StatusOK)
	st := &stream{
		w:     x.w,
		rc:    http.NewResponseController(x.w),
		ctx:   x.r.Context(),
		delay: x.s.delay,
		abort: x.midstream,
	}
	st.flush()
	return st
}

func (st *stream) flush() error {
	if err := st.rc.Flush(); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return err
	}
	return nil
}

// event writes one event: an "event:" line when name is set, then "data:" with v
// as JSON. It fails when the client has gone away.
func (st *stream) event(name string, v any) error {
	data, err := marshal(v)
	if err != nil {
		return err
	}
	return st.raw(name, data)
}

// raw writes one event whose data is already encoded.
func (st *stream) raw(name string, data []byte) error {
	if err := st.ctx.Err(); err != nil {
		return err
	}
	b := st.buf[:0]
	if name != "" {
		b = append(b, "event: "...)
		b = append(b, name...)
		b = append(b, '\n')
	}
	b = append(b, "data: "...)
	b = append(b, data...)
	b = append(b, "\n\n"...)
	st.buf = b
	if _, err := st.w.Write(b); err != nil {
		return err
	}
	return st.flush()
}

// delta writes an event that carries a piece of the answer: after the configured
// delay (not before the first one), and under X-Echo-Fail: midstream the second
// delta is the last thing written before the connection is aborted.
func (st *stream) delta(name string, v any) error {
	if st.deltas > 0 && st.delay > 0 {
		t := time.NewTimer(st.delay)
		select {
		case <-st.ctx.Done():
			t.Stop()
			return st.ctx.Err()
		case <-t.C:
		}
	}
	if err := st.event(name, v); err != nil {
		return err
	}
	st.deltas++
	if st.abort && st.deltas >= 2 {
		panic(http.ErrAbortHandler)
	}
	return nil
}

// finishing is called before the events that end a stream: under X-Echo-Fail:
// midstream an answer too short for two deltas is aborted here.
func (st *stream) finishing() {
	if st.abort {
		panic(http.ErrAbortHandler)
	}
}
