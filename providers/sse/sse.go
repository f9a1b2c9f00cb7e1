package sse

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// Event is one server-sent event.
type Event struct {
	// Name is the value of the event field; empty means the default "message".
	Name string
	// ID is the value of the id field; HasID tells whether the event had one.
	ID    string
	HasID bool
	// Retry is the value of a retry field (digits only), or empty.
	Retry string
	// Data is the event's data lines joined with "\n"; HasData tells whether the
	// event had any data line (an event may carry an empty one).
	Data    []byte
	HasData bool
	// Comments are the texts of comment lines (": keep-alive"), without the colon.
	Comments [][]byte

	// Offset is the byte offset in the stream of the event's first line.
	Offset int64
	// DataLines are the positions in the stream of each data line's value.
	DataLines []Span
	// Line is the 1-based line number of the event's first line.
	Line int
	// Unknown counts the event's lines that are no field the format defines
	// (ignored, as the standard says; a rewrite of the stream drops them).
	Unknown int
}

// Span is a byte range of the stream: [Offset, Offset+Len), starting on line Line.
type Span struct {
	Offset int64
	Len    int
	Line   int
}

// IsComment reports whether the event consists of comment lines only (a keep-alive).
func (e *Event) IsComment() bool {
	return len(e.Comments) > 0 && e.Name == "" && !e.HasID && e.Retry == "" && !e.HasData
}

// empty reports whether the event has no field the format defines (only unknown ones).
func (e *Event) empty() bool {
	return len(e.Comments) == 0 && e.Name == "" && !e.HasID && e.Retry == "" && !e.HasData
}

// ErrTruncated is returned when a stream ends inside an event (no blank line after
// its last field). The partial event is returned with it.
var ErrTruncated = errors.New("sse: stream ended inside an event")

// ErrTooLarge is returned when an event or a line exceeds the Reader's limit.
var ErrTooLarge = errors.New("sse: event exceeds the size limit")

// DefaultMaxEvent is the default bound on the size of one event (16 MiB: a
// response.completed event repeats a whole response).
const DefaultMaxEvent = 16 << 20

// Reader parses events from a stream.
type Reader struct {
	src     io.Reader
	buf     []byte // buf[r:w] is read from src and not yet consumed
	r, w    int
	atEOF   bool  // src has ended (or failed with srcErr)
	srcErr  error // the error src failed with, other than io.EOF
	empty   int   // consecutive reads that returned nothing
	max     int
	offset  int64 // offset of the next line
	line    int   // number of the next line (1-based)
	unknown int   // lines of undispatched (unknown-only) events
	err     error
}

// NewReader returns a Reader of r that refuses events larger than maxEvent bytes
// (DefaultMaxEvent when maxEvent <= 0).
func NewReader(r io.Reader, maxEvent int) *Reader {
	if maxEvent <= 0 {
		maxEvent = DefaultMaxEvent
	}
	return &Reader{src: r, buf: make([]byte, 4096), max: maxEvent, line: 1}
}

// splitLine splits on LF, CRLF or a lone CR; the token excludes the terminator.
// A CR at the end of the buffer waits for the next byte unless the input ended.
func splitLine(data []byte, atEOF bool) (int, []byte) {
	if atEOF && len(data) == 0 {
		return 0, nil
	}
	if i := bytes.IndexAny(data, "\r\n"); i >= 0 {
		if data[i] == '\n' {
			return i + 1, data[:i]
		}
		if i+1 < len(data) {
			if data[i+1] == '\n' {
				return i + 2, data[:i]
			}
			return i + 1, data[:i]
		}
		if atEOF {
			return i + 1, data[:i]
		}
		return 0, nil
	}
	if atEOF {
		return len(data), data
	}
	return 0, nil
}

// readLine returns the next line (valid until the next call) and the bytes it
// consumed with its terminator. At the end of the input it returns the source's
// error or io.EOF; a line longer than the event limit is ErrTooLarge.
func (r *Reader) readLine() ([]byte, int, error) {
	for {
		if adv, tok := splitLine(r.buf[r.r:r.w], r.atEOF); tok != nil {
			r.r += adv
			return tok, adv, nil
		}
		if r.atEOF {
			if r.srcErr != nil {
				return nil, 0, r.srcErr
			}
			return nil, 0, io.EOF
		}
		if r.w-r.r >= r.max+2 {
			return nil, 0, ErrTooLarge
		}
		if r.r > 0 { // make room: move the unread bytes to the front
			r.w = copy(r.buf, r.buf[r.r:r.w])
			r.r = 0
		}
		if r.w == len(r.buf) {
			grown := make([]byte, min(2*len(r.buf), r.max+2))
			copy(grown, r.buf[:r.w])
			r.buf = grown
		}
		n, err := r.src.Read(r.buf[r.w:])
		if n < 0 || n > len(r.buf)-r.w {
			n, err = 0, errors.New("sse: the source reported an impossible read count")
		}
		if r.empty = r.empty + 1; n > 0 {
			r.empty = 0
		} else if r.empty >= 100 && err == nil {
			err = io.ErrNoProgress
		}
		r.w += n
		if err != nil {
			r.atEOF = true
			if err != io.EOF {
				r.srcErr = err
			}
		}
	}
}

// Ready reports whether Next can return without reading from the source: a whole
// event that Next dispatches (or the end of the input) is already buffered. A
// caller that writes events out can use it to gather the events that arrived
// together into one write, without waiting for any that have not.
func (r *Reader) Ready() bool {
	if r.err != nil || r.atEOF {
		return true
	}
	data := r.buf[r.r:r.w]
	var ev Event // what the buffered lines make of the next event, values not kept
	for {
		adv, tok := splitLine(data, false)
		if tok == nil {
			return false
		}
		if len(tok) > 0 {
			ev.addLine(tok, 0, 0, false)
		} else if !ev.empty() {
			return true
		} else {
			ev = Event{} // only unknown fields (or none): Next skips it
		}
		data = data[adv:]
	}
}

// splitField splits a line into its field name and value (without the one
// optional leading space); at is the offset of the value in the line.
func splitField(line []byte) (field, value []byte, at int) {
	i := bytes.IndexByte(line, ':')
	if i < 0 {
		return line, nil, len(line)
	}
	field, value, at = line[:i], line[i+1:], i+1
	if len(value) > 0 && value[0] == ' ' {
		value, at = value[1:], at+1
	}
	return field, value, at
}

// addLine applies one non-blank line (at stream offset start, line number lineNo)
// to the event being read. Without keep, data and comment values are not copied:
// only what decides whether the event is dispatched is tracked.
func (ev *Event) addLine(line []byte, start int64, lineNo int, keep bool) {
	field, value, at := splitField(line)
	switch string(field) {
	case "":
		var c []byte
		if keep {
			c = append([]byte(nil), line[1:]...)
		}
		ev.Comments = append(ev.Comments, c)
	case "data":
		if keep {
			if ev.HasData {
				ev.Data = append(ev.Data, '\n')
			}
			ev.Data = append(ev.Data, value...)
			ev.DataLines = append(ev.DataLines, Span{Offset: start + int64(at), Len: len(value), Line: lineNo})
		}
		ev.HasData = true
	case "event":
		ev.Name = string(value)
	case "id":
		if bytes.IndexByte(value, 0) < 0 {
			ev.ID, ev.HasID = string(value), true
		}
	case "retry":
		if isDigits(value) {
			ev.Retry = string(value)
		}
	default:
		ev.Unknown++
	}
}

// Unknown is the number of lines read so far that were no field of the format
// and belonged to no dispatched event.
func (r *Reader) Unknown() int { return r.unknown }

// Next returns the next event. At the end of the stream it returns io.EOF; a stream
// that ends inside an event returns that partial event with ErrTruncated.
func (r *Reader) Next() (*Event, error) {
	if r.err != nil {
		return nil, r.err
	}
	var ev *Event
	size := 0
	for {
		start := r.offset
		line, adv, err := r.readLine()
		if err != nil {
			switch {
			case err != io.EOF:
				r.err = err
			case ev != nil:
				r.err = ErrTruncated
			default:
				r.err = io.EOF
			}
			if ev != nil && ev.empty() && r.err == ErrTruncated {
				r.unknown += ev.Unknown
				r.err = io.EOF
				return nil, r.err
			}
			if ev != nil && r.err == ErrTruncated {
				return ev, r.err
			}
			return nil, r.err
		}
		r.offset += int64(adv)
		lineNo := r.line
		r.line++
		if len(line) == 0 {
			if ev != nil && !ev.empty() {
				return ev, nil
			}
			if ev != nil {
				r.unknown += ev.Unknown
			}
			ev, size = nil, 0 // only unknown fields: nothing to dispatch
			continue
		}
		if ev == nil {
			ev = &Event{Offset: start, Line: lineNo}
		}
		size += len(line) + 1
		if size > r.max {
			r.err = ErrTooLarge
			return nil, r.err
		}
		ev.addLine(line, start, lineNo, true)
	}
}

func isDigits(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// Write writes ev to w in canonical form: comments, event, id, retry and data
// lines (Data split at line breaks), then a blank line.
func Write(w io.Writer, ev *Event) error {
	var b bytes.Buffer
	Append(&b, ev)
	_, err := w.Write(b.Bytes())
	return err
}

// Append appends the canonical form of ev to b.
func Append(b *bytes.Buffer, ev *Event) {
	for _, c := range ev.Comments {
		b.WriteByte(':')
		writeLineSafe(b, c)
		b.WriteByte('\n')
	}
	if ev.Name != "" {
		b.WriteString("event: ")
		writeLineSafe(b, []byte(ev.Name))
		b.WriteByte('\n')
	}
	if ev.HasID {
		b.WriteString("id: ")
		writeLineSafe(b, []byte(ev.ID))
		b.WriteByte('\n')
	}
	if ev.Retry != "" {
		b.WriteString("retry: " + ev.Retry + "\n")
	}
	if ev.HasData {
		rest := ev.Data
		for {
			i := bytes.IndexAny(rest, "\r\n")
			if i < 0 {
				b.WriteString("data: ")
				b.Write(rest)
				b.WriteByte('\n')
				break
			}
			b.WriteString("data: ")
			b.Write(rest[:i])
			b.WriteByte('\n')
			if rest[i] == '\r' && i+1 < len(rest) && rest[i+1] == '\n' {
				i++
			}
			rest = rest[i+1:]
		}
	}
	b.WriteByte('\n')
}

// writeLineSafe writes a field value with any line break replaced by a space, so a
// value can never start a new field.
func writeLineSafe(b *bytes.Buffer, v []byte) {
	for _, c := range v {
		if c == '\r' || c == '\n' {
			c = ' '
		}
		b.WriteByte(c)
	}
}

// String describes the event without its data (which may hold a secret).
func (e *Event) String() string {
	return fmt.Sprintf("sse.Event{name=%q, id=%v, data=%s bytes}", e.Name, e.HasID, strconv.Itoa(len(e.Data)))
}
