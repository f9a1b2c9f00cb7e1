package providers

import (
	"bufio"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/klauspost/compress/zstd"

	"github.com/scrubgate/scrubgate/providers/sse"
)

// DefaultMaxBody bounds request and response bodies: 64 MiB leaves room for
// requests that carry several base64 images or a PDF.
const DefaultMaxBody = 64 << 20

// RedactionsHeader carries the number of redactions made in the request and its
// response (a count only). For a stream it counts the request's redactions: the
// stream's own are known only at its end.
const RedactionsHeader = "X-Scrubgate-Redactions"

// Transport is an http.RoundTripper that scrubs every request body before it leaves
// and every response on its way back, streams included, so a Go program gets
// scrubgate's protection with no gateway:
//
//	client := openai.NewClientWithConfig(cfg) // cfg.HTTPClient = &http.Client{Transport: t}
//
// A request that policy blocks, that is too large or that cannot be scanned gets
// an error response in the API's own shape (400, 413 or 415), so SDKs report it as
// an API error; it never reaches upstream. A response that cannot be scanned is
// replaced by a 502 error: nothing is passed on unscanned.
type Transport struct {
	// Base makes the actual requests; nil means http.DefaultTransport.
	Base http.RoundTripper
	// Scrubber scrubs traffic. A Scrubber in the request's context (see
	// WithScrubber) takes precedence, so a server can bind tenant and policy per
	// request.
	Scrubber *Scrubber
	// MaxBody bounds request bodies and whole (non-streamed) response bodies;
	// zero means DefaultMaxBody. Streams are bounded per event instead.
	MaxBody int64
	// OnStreamEnd, if set, is called once when a scrubbed stream ends, with its
	// result and whether it ended abnormally.
	OnStreamEnd func(req *http.Request, res Result, abnormal bool)
	// OnStreamEvent, if set, is called after each event of a scrubbed stream with
	// the bytes its redactors hold back (metrics).
	OnStreamEvent func(req *http.Request, held int64)
}

type scrubberKey struct{}

// WithScrubber returns a context that makes Transport use s for the request.
func WithScrubber(ctx context.Context, s *Scrubber) context.Context {
	return context.WithValue(ctx, scrubberKey{}, s)
}

func (t *Transport) scrubber(req *http.Request) *Scrubber {
	if s, ok := req.Context().Value(scrubberKey{}).(*Scrubber); ok && s != nil {
		return s
	}
	return t.Scrubber
}

func (t *Transport) maxBody() int64 {
	if t.MaxBody > 0 {
		return t.MaxBody
	}
	return DefaultMaxBody
}

// ErrNoScrubber is returned when a Transport has no Scrubber to use.
var ErrNoScrubber = errors.New("providers: Transport has no Scrubber; refusing to send traffic unscanned")

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	s := t.scrubber(req)
	if s == nil || s.Scanner == nil || s.Handle == nil {
		closeBody(req)
		return nil, ErrNoScrubber
	}
	s = s.withLimit(t.maxBody())
	if isUpgrade(req.Header) {
		closeBody(req)
		return ErrorResponse(req, http.StatusBadRequest, "scrubgate_unsupported",
			"scrubgate cannot scan WebSocket or Realtime connections yet, so it refuses them; use the HTTP APIs"), nil
	}
	out := req.Clone(req.Context())
	reqRedactions := 0
	if req.URL.RawQuery != "" {
		q, res, err := s.Query(req.URL.RawQuery)
		if err != nil {
			closeBody(req)
			return blockedResponse(req, err), nil
		}
		out.URL.RawQuery = q
		reqRedactions += res.Redactions
	}
	if req.Body != nil && req.Body != http.NoBody {
		body, status, msg := readBody(req.Body, req.ContentLength, req.Header.Get("Content-Encoding"), t.maxBody(), "request")
		req.Body.Close()
		if status != 0 {
			return ErrorResponse(req, status, "scrubgate_body", msg), nil
		}
		if msg := unscannableEncoding(req.Header.Get("Content-Type"), body); msg != "" {
			return ErrorResponse(req, http.StatusUnsupportedMediaType, "scrubgate_body", msg), nil
		}
		scrubbed, res, err := scrubRequestBody(s, req.Header.Get("Content-Type"), body)
		reqRedactions += res.Redactions
		if err != nil {
			return blockedResponse(req, err), nil
		}
		out.Body = io.NopCloser(bytes.NewReader(scrubbed))
		out.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(scrubbed)), nil }
		out.ContentLength = int64(len(scrubbed))
		out.Header.Del("Content-Encoding")
		out.Header.Del("Content-Length")
		out.TransferEncoding = nil
	}
	out.Header.Set("Accept-Encoding", "identity")
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	resp, err := base.RoundTrip(out)
	if err != nil {
		return nil, err
	}
	return t.response(s, req, resp, reqRedactions)
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}

func isUpgrade(h http.Header) bool {
	return h.Get("Upgrade") != "" || strings.Contains(strings.ToLower(h.Get("Connection")), "upgrade")
}

func blockedResponse(req *http.Request, err error) *http.Response {
	var be *BlockedError
	var re *refusedError
	if errors.As(err, &re) {
		return ErrorResponse(req, re.status, "scrubgate_body", re.msg)
	}
	if errors.Is(err, errUnscannablePart) || errors.Is(err, ErrUnscannable) {
		return ErrorResponse(req, http.StatusUnsupportedMediaType, "scrubgate_body", err.Error())
	}
	if errors.As(err, &be) {
		return ErrorResponse(req, http.StatusBadRequest, "scrubgate_blocked", be.Error())
	}
	return ErrorResponse(req, http.StatusBadRequest, "scrubgate_error", "scrubgate could not scan this request: "+err.Error())
}

// maxPresize bounds the buffer readBody allocates from a declared Content-Length
// before any byte has arrived.
const maxPresize = 1 << 20

// zstdMaxWindow bounds the window (history) a zstd stream may ask the decoder to
// keep: a frame that declares more is refused before anything is allocated.
const zstdMaxWindow = 64 << 20

// newZstdReader decodes a zstd stream synchronously (no goroutines) with a bounded
// window; the caller bounds the output and must Close it.
func newZstdReader(r io.Reader) (*zstd.Decoder, error) {
	return zstd.NewReader(r, zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(true), zstd.WithDecoderMaxWindow(zstdMaxWindow))
}

// zstdTooLarge reports whether a zstd error is a frame that asks for more memory
// than scrubgate allows.
func zstdTooLarge(err error) bool {
	return errors.Is(err, zstd.ErrWindowSizeExceeded) || errors.Is(err, zstd.ErrDecoderSizeExceeded)
}

// readBody reads a whole body, decoding gzip, deflate and zstd (Codex CLI
// compresses its requests with zstd). The decoded body is bounded by max, like an
// identity one, so a decompression bomb gets 413. It returns an HTTP status and a
// message when the body is refused.
func readBody(r io.Reader, length int64, encoding string, max int64, what string) ([]byte, int, string) {
	enc := strings.ToLower(strings.TrimSpace(encoding))
	switch enc {
	case "", "identity":
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(io.LimitReader(r, max+1))
		if err != nil {
			return nil, http.StatusBadRequest, "the " + what + " body is not valid gzip"
		}
		r = zr
	case "deflate":
		r = flate.NewReader(io.LimitReader(r, max+1))
	case "zstd":
		zr, err := newZstdReader(io.LimitReader(r, max+1))
		if err != nil {
			return nil, http.StatusInternalServerError, "scrubgate could not set up its zstd decoder"
		}
		defer zr.Close()
		r = zr
	default:
		return nil, http.StatusUnsupportedMediaType, fmt.Sprintf("scrubgate cannot decode a %s body with Content-Encoding %q, so it cannot scan it; send it uncompressed, gzip, deflate or zstd", what, truncateHeader(encoding))
	}
	var buf bytes.Buffer
	if (enc == "" || enc == "identity") && length > 0 && length <= max {
		// The declared length, read without regrowing (ReadFrom wants MinRead free
		// for its last read). It is the client's word, not bytes received: capped,
		// so a request that only declares a large body cannot make us hold memory.
		buf.Grow(int(min(length, maxPresize)) + bytes.MinRead)
	}
	_, err := buf.ReadFrom(io.LimitReader(r, max+1))
	if err != nil && zstdTooLarge(err) {
		return nil, http.StatusRequestEntityTooLarge, fmt.Sprintf("the %s body's zstd frame asks for a window larger than scrubgate allows (%d MiB); compress it with a smaller window", what, zstdMaxWindow>>20)
	}
	if err != nil {
		return nil, http.StatusBadRequest, "the " + what + " body could not be read completely"
	}
	body := buf.Bytes()
	if int64(len(body)) > max {
		return nil, http.StatusRequestEntityTooLarge, fmt.Sprintf("the %s body is larger than scrubgate's limit of %d bytes", what, max)
	}
	return body, 0, ""
}

// unscannableEncoding refuses request bodies in a character encoding the scanner
// cannot read (UTF-16 and UTF-32, declared or detected): forwarded unscanned, an
// upstream that decodes them would receive the secrets. Detection here fails closed
// and is broader than sniff.UTF16 on purpose: a UTF-8 body (JSON, form, text)
// never starts with a byte order mark or a NUL, so any such start is refused.
func unscannableEncoding(contentType string, body []byte) string {
	if _, params, err := mime.ParseMediaType(contentType); err == nil {
		switch cs := strings.ToLower(params["charset"]); cs {
		case "", "utf-8", "utf8", "us-ascii", "ascii":
		default:
			return "scrubgate scans UTF-8 bodies only; this body declares charset " + truncateHeader(cs) + ": send it as UTF-8"
		}
	}
	if len(body) >= 2 && (body[0] == 0xFF && body[1] == 0xFE || body[0] == 0xFE && body[1] == 0xFF ||
		body[0] == 0 && body[1] != 0 || body[0] != 0 && body[1] == 0) {
		return "this body looks like UTF-16 or UTF-32, which scrubgate cannot scan: send it as UTF-8"
	}
	return ""
}

func truncateHeader(v string) string {
	if len(v) > 32 {
		return v[:32]
	}
	return v
}

// scrubRequestBody scrubs a request body by content type.
func scrubRequestBody(s *Scrubber, contentType string, body []byte) ([]byte, Result, error) {
	mt, params, _ := mime.ParseMediaType(contentType)
	if mt == "multipart/form-data" && params["boundary"] != "" {
		return scrubMultipart(s, params["boundary"], body)
	}
	return s.Body(Request, body)
}

var errUnscannablePart = errors.New("a multipart part uses an encoding scrubgate cannot scan (a Content-Transfer-Encoding other than binary or 8bit, or UTF-16 text): send it as UTF-8, binary or 8bit")

func mtOf(contentType string) string {
	mt, _, _ := mime.ParseMediaType(contentType)
	return mt
}

// looksText reports whether b reads as UTF-8 text (no NUL in its first 4 KiB,
// valid UTF-8 there).
func looksText(b []byte) bool {
	head := b[:min(len(b), 4096)]
	if bytes.IndexByte(head, 0) >= 0 {
		return false
	}
	for len(head) > 0 {
		r, size := utf8.DecodeRune(head)
		if r == utf8.RuneError && size == 1 && len(head) >= utf8.UTFMax {
			return false
		}
		head = head[size:]
	}
	return true
}

// scrubMultipart scrubs each part of a multipart form (file uploads: batch input
// JSONL, fine-tuning data, documents); binary media parts are copied as they are;
// archives (zip, .docx, gzip…) are copied once their members are scanned.
func scrubMultipart(s *Scrubber, boundary string, body []byte) ([]byte, Result, error) {
	var res Result
	archives := newArchiveScan(s.expandLimit())
	mr := multipart.NewReader(bytes.NewReader(body), boundary)
	var out bytes.Buffer
	mw := multipart.NewWriter(&out)
	if err := mw.SetBoundary(boundary); err != nil {
		return nil, res, fmt.Errorf("multipart boundary: %w", err)
	}
	for {
		p, err := mr.NextRawPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, res, errors.New("the multipart body is malformed")
		}
		content, err := io.ReadAll(p)
		if err != nil {
			return nil, res, errors.New("a multipart part could not be read")
		}
		switch cte := strings.ToLower(strings.TrimSpace(p.Header.Get("Content-Transfer-Encoding"))); cte {
		case "", "7bit", "8bit", "binary":
		default:
			return nil, res, errUnscannablePart
		}
		label := p.FileName()
		if label == "" {
			label = p.FormName()
		}
		loc := "multipart:" + safeName(label) // where the part's findings are
		if kind := archiveKind(content); kind != "" {
			// Recognised by its bytes: compressed, its members would pass unread.
			r, err := s.scanArchivePart(Request, content, kind, loc, archives)
			res.add(r)
			if err != nil {
				return nil, res, err
			}
		} else if msg := unscannableEncoding(p.Header.Get("Content-Type"), content); msg != "" && !binaryMedia(mtOf(p.Header.Get("Content-Type"))) {
			return nil, res, errUnscannablePart
		} else if mt := mtOf(p.Header.Get("Content-Type")); !binaryMedia(mt) || looksText(content) {
			// A part that declares binary media but reads as text is scanned anyway:
			// the declared type is the sender's word.
			var r Result
			content, r, err = s.body(Request, content, archives, loc)
			res.add(r)
			if err != nil {
				return nil, res, err
			}
		}
		w, err := mw.CreatePart(textproto.MIMEHeader(p.Header))
		if err != nil {
			return nil, res, err
		}
		w.Write(content)
	}
	if err := mw.Close(); err != nil {
		return nil, res, err
	}
	return out.Bytes(), res, nil
}

// response scrubs a response: streams event by event, other bodies whole.
func (t *Transport) response(s *Scrubber, req *http.Request, resp *http.Response, reqRedactions int) (*http.Response, error) {
	hres, err := s.Headers(resp.Header)
	if err != nil {
		resp.Body.Close()
		var be *BlockedError
		if errors.As(err, &be) {
			return ErrorResponse(req, http.StatusBadGateway, "scrubgate_blocked", be.Error()), nil
		}
		return ErrorResponse(req, http.StatusBadGateway, "scrubgate_upstream", err.Error()), nil
	}
	reqRedactions += hres.Redactions
	enc := strings.ToLower(strings.TrimSpace(resp.Header.Get("Content-Encoding")))
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	framing := streamFraming(mt)
	if framing == "" && (mt == "" || mt == "text/plain" || mt == "application/octet-stream" || mt == "application/json") &&
		resp.Body != nil && resp.Body != http.NoBody && (enc == "" || enc == "identity") {
		// A server that streams events without saying so: look at the first bytes.
		br := bufio.NewReader(resp.Body)
		head := sniffHead(br)
		resp.Body = readCloser{br, resp.Body}
		if looksLikeSSE(head) {
			framing = "sse"
		}
	}
	if framing != "" {
		body := io.Reader(resp.Body)
		switch enc {
		case "", "identity":
		case "gzip":
			zr, err := gzip.NewReader(resp.Body)
			if err != nil {
				resp.Body.Close()
				return ErrorResponse(req, http.StatusBadGateway, "scrubgate_upstream", "the upstream stream is not valid gzip"), nil
			}
			body = zr
		default:
			resp.Body.Close()
			return ErrorResponse(req, http.StatusBadGateway, "scrubgate_upstream", "the upstream sent a stream encoding scrubgate cannot decode, so it was not passed on"), nil
		}
		sb := &streamBody{src: resp.Body, req: req, onEnd: t.OnStreamEnd, onEvent: t.OnStreamEvent}
		if framing == "ndjson" {
			sb.rd = newLineReader(body)
		} else {
			sb.rd = sse.NewReader(body, 0)
		}
		sb.st = s.NewStream(&sb.buf)
		sb.st.ndjson = framing == "ndjson"
		sb.st.shape = shapeOf(req.URL.Path)
		resp.Body = sb
		resp.ContentLength = -1
		resp.Header.Del("Content-Length")
		resp.Header.Del("Content-Encoding")
		resp.Header.Set(RedactionsHeader, strconv.Itoa(reqRedactions))
		return resp, nil
	}
	if resp.Body == nil || resp.Body == http.NoBody || req.Method == http.MethodHead {
		return resp, nil
	}
	if binaryMedia(mt) && (enc == "" || enc == "identity") {
		// Generated speech, images, PDFs: binary media carry no text a scan could
		// read, and an edit would corrupt them. They pass as they are, streamed:
		// ContentLength -1 makes ReverseProxy flush each write (speech trickles);
		// the Content-Length header, if any, still reaches the client.
		resp.Header.Set(RedactionsHeader, strconv.Itoa(reqRedactions))
		resp.ContentLength = -1
		return resp, nil
	}
	raw, status, msg := readBody(resp.Body, resp.ContentLength, enc, t.maxBody(), "response")
	resp.Body.Close()
	if status != 0 {
		return ErrorResponse(req, http.StatusBadGateway, "scrubgate_upstream", msg+"; scrubgate did not pass it on unscanned"), nil
	}
	scrubbed, res, err := s.Body(Response, raw)
	if err != nil {
		var be *BlockedError
		if errors.As(err, &be) {
			return ErrorResponse(req, http.StatusBadGateway, "scrubgate_blocked", be.Error()), nil
		}
		return ErrorResponse(req, http.StatusBadGateway, "scrubgate_upstream", err.Error()), nil
	}
	resp.Body = io.NopCloser(bytes.NewReader(scrubbed))
	resp.ContentLength = int64(len(scrubbed))
	resp.Header.Set("Content-Length", strconv.Itoa(len(scrubbed)))
	resp.Header.Del("Content-Encoding")
	resp.Header.Set(RedactionsHeader, strconv.Itoa(reqRedactions+res.Redactions))
	return resp, nil
}

// streamBody is a scrubbed event stream, read on demand: each Read pulls upstream
// events until there is output (and then those already buffered), so nothing is
// held beyond the events that arrived and the redactors' held tails.
type streamBody struct {
	src     io.ReadCloser
	rd      eventReader
	st      *Stream
	buf     bytes.Buffer
	err     error
	req     *http.Request
	onEnd   func(*http.Request, Result, bool)
	onEvent func(*http.Request, int64)
	ended   bool
}

// Read returns the rewritten events. Events that arrived together (already
// buffered) are rewritten together, up to len(p) bytes of output, so a burst of
// small events costs one write and one flush, not one each; Read never waits for
// an event that has not arrived while it has output to return.
func (b *streamBody) Read(p []byte) (int, error) {
	for b.buf.Len() == 0 || b.err == nil && b.buf.Len() < len(p) && b.rd.Ready() {
		if b.err != nil {
			return 0, b.err
		}
		ev, err := b.rd.Next()
		switch {
		case err == nil:
			if err := b.st.Event(ev); err != nil {
				var be *BlockedError
				msg := "scrubgate could not scan the stream, so it was ended"
				if errors.As(err, &be) {
					msg = be.Error()
				}
				b.st.Fail("scrubgate_blocked", msg)
				b.end(true)
			} else if b.onEvent != nil {
				b.onEvent(b.req, b.st.Held())
			}
		case err == io.EOF && b.st.Terminated():
			b.st.Close()
			b.end(false)
		case err == io.EOF:
			// The stream ended before its end marker ([DONE], message_stop,
			// response.completed): whatever is held could be a cut secret, so it
			// is masked; the client sees the stream end as the upstream ended it.
			b.st.Abort()
			b.end(true)
		case errors.Is(err, sse.ErrTruncated) && ev != nil && completeEvent(ev):
			// The last event lacks only its blank line: it is whole.
			if err := b.st.Event(ev); err != nil {
				b.st.Fail("scrubgate_blocked", "scrubgate could not scan the stream, so it was ended")
				b.end(true)
				continue
			}
			if b.st.Terminated() {
				b.st.Close()
				b.end(false)
			} else {
				b.st.Abort()
				b.end(true)
			}
		case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
			b.st.Abort() // the client is gone or timed out: nothing to tell
			b.end(true)
			b.err = err
		case b.st.Terminated():
			// The stream had already ended (its end marker arrived); a connection
			// error after it changes nothing for the client.
			b.st.Close()
			b.end(false)
		default:
			msg := "the upstream stream ended abnormally; scrubgate masked any text it held back"
			if errors.Is(err, sse.ErrTooLarge) {
				msg = "an upstream event exceeded scrubgate's size limit; the stream was ended"
			}
			b.st.Fail("upstream_error", msg)
			b.end(true)
		}
	}
	return b.buf.Read(p)
}

func (b *streamBody) end(abnormal bool) {
	if b.err == nil {
		b.err = io.EOF
	}
	if !b.ended {
		b.ended = true
		if b.onEnd != nil {
			b.onEnd(b.req, b.st.Result(), abnormal)
		}
	}
}

func (b *streamBody) Close() error {
	if !b.ended {
		b.st.Abort()
		b.end(true)
	}
	return b.src.Close()
}

// sniffHead returns the first bytes of a body, enough for looksLikeSSE: six bytes
// past any leading blank lines, a whole first line (ended by LF, CR or both), 64 bytes, or all there is
// before the body ends. Unlike Peek(64) it does not wait for bytes a short first
// event (": ping") may not be followed by for a long time.
func sniffHead(br *bufio.Reader) []byte {
	n := 1
	for {
		head, err := br.Peek(n)
		t := bytes.TrimLeft(head, "\r\n")
		if err != nil || len(head) >= 64 || len(t) >= 6 || bytes.ContainsAny(t, "\r\n") {
			return head
		}
		n = max(len(head)+1, min(64, br.Buffered()))
	}
}

// looksLikeSSE reports whether a body starts like an event stream: after blank
// lines, a field (data:, event:, id:, retry:) or a comment line.
func looksLikeSSE(head []byte) bool {
	t := bytes.TrimLeft(head, "\r\n")
	if len(t) == 0 {
		return false
	}
	if t[0] == ':' {
		return true
	}
	for _, f := range []string{"data:", "event:", "id:", "retry:"} {
		if bytes.HasPrefix(t, []byte(f)) {
			return true
		}
	}
	return false
}

// eventReader yields the events of a stream: sse.Reader, or lineReader for
// newline-delimited JSON.
type eventReader interface {
	Next() (*sse.Event, error)
	// Ready reports whether Next would return without reading from the network.
	Ready() bool
}

// streamFraming tells the framing of a streamed response by its media type.
func streamFraming(mt string) string {
	switch mt {
	case "text/event-stream":
		return "sse"
	case "application/x-ndjson", "application/ndjson", "application/jsonl", "application/x-jsonlines":
		return "ndjson"
	}
	return ""
}

// shapeOf tells the API of a stream from its request path (for error events
// before any event has shown it).
func shapeOf(path string) streamShape {
	switch {
	case FlavorOf(path) == FlavorAnthropic:
		return shapeAnthropic
	case strings.HasSuffix(path, "/responses"):
		return shapeResponses
	}
	return shapeChat
}

// completeEvent reports whether a truncated final event is whole anyway: its
// data is [DONE] or a complete JSON document.
func completeEvent(ev *sse.Event) bool {
	d := bytes.TrimSpace(ev.Data)
	return ev.HasData && (string(d) == "[DONE]" || json.Valid(d))
}

type readCloser struct {
	io.Reader
	io.Closer
}

// lineReader reads newline-delimited JSON as events (one line, one event).
type lineReader struct {
	br *bufio.Reader
}

func newLineReader(r io.Reader) *lineReader { return &lineReader{bufio.NewReaderSize(r, 64<<10)} }

// Ready reports whether a whole non-blank line is buffered (false when unsure:
// that only costs a separate write).
func (l *lineReader) Ready() bool {
	buf, _ := l.br.Peek(l.br.Buffered())
	i := bytes.IndexByte(buf, '\n')
	return i >= 0 && len(bytes.TrimSpace(buf[:i])) > 0
}

func (l *lineReader) Next() (*sse.Event, error) {
	for {
		line, err := l.br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			var full []byte
			full = append(full, line...)
			for err == bufio.ErrBufferFull && len(full) <= sse.DefaultMaxEvent {
				line, err = l.br.ReadSlice('\n')
				full = append(full, line...)
			}
			if len(full) > sse.DefaultMaxEvent {
				return nil, sse.ErrTooLarge
			}
			line = full
		}
		if err == io.EOF && len(line) > 0 {
			return &sse.Event{Data: append([]byte(nil), bytes.TrimRight(line, "\r\n")...), HasData: true}, sse.ErrTruncated
		}
		if err != nil {
			return nil, err
		}
		line = bytes.TrimRight(line, "\r\n")
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		return &sse.Event{Data: append([]byte(nil), line...), HasData: true}, nil
	}
}
