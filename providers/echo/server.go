package echo

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

const (
	defaultChunkSize = 4
	maxBodyBytes     = 32 << 20
	maxRecorded      = 256
)

// Server is the fake upstream. It implements http.Handler and is safe for
// concurrent use. Create it with New.
type Server struct {
	chunk int
	delay time.Duration

	mu   sync.Mutex
	reqs []Recorded // oldest first, at most maxRecorded
}

// Option configures a Server.
type Option func(*Server)

// WithChunkSize sets how many runes each streamed delta carries (default 4). Values
// below 1 are ignored.
func WithChunkSize(n int) Option {
	return func(s *Server) {
		if n > 0 {
			s.chunk = n
		}
	}
}

// WithDelay sets a pause between streamed deltas (default none), to make streams
// observable or to test what happens while one is in flight. Negative values are
// ignored.
func WithDelay(d time.Duration) Option {
	return func(s *Server) {
		if d > 0 {
			s.delay = d
		}
	}
}

// New returns the fake upstream. With no options it streams 4 runes per delta with
// no delay.
func New(opts ...Option) *Server {
	s := &Server{chunk: defaultChunkSize}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Recorded is one request as the server received it.
type Recorded struct {
	Method   string
	Path     string
	RawQuery string
	Header   http.Header
	Body     []byte // as read; at most 32 MiB
}

func (r Recorded) clone() Recorded {
	r.Header = r.Header.Clone()
	r.Body = append([]byte(nil), r.Body...)
	return r
}

// LastRequest returns a copy of the last request the server received, and false if
// it has received none.
func (s *Server) LastRequest() (Recorded, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.reqs) == 0 {
		return Recorded{}, false
	}
	return s.reqs[len(s.reqs)-1].clone(), true
}

// Requests returns copies of the requests the server received, oldest first. Only
// the last 256 are kept, bodies included, so a long-running server holds up to 256
// request bodies in memory.
func (s *Server) Requests() []Recorded {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Recorded, len(s.reqs))
	for i, r := range s.reqs {
		out[i] = r.clone()
	}
	return out
}

func (s *Server) record(r *http.Request, body []byte) {
	rec := Recorded{
		Method:   r.Method,
		Path:     r.URL.Path,
		RawQuery: r.URL.RawQuery,
		Header:   r.Header.Clone(),
		Body:     body,
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.reqs) == maxRecorded {
		copy(s.reqs, s.reqs[1:])
		s.reqs = s.reqs[:maxRecorded-1]
	}
	s.reqs = append(s.reqs, rec)
}

// route is an API endpoint the server answers.
type route int

const (
	routeNone route = iota
	routeChat
	routeCompletions
	routeResponses
	routeMessages
	routeCountTokens
	routeEmbeddings
	routeModels
)

// match finds the route for a path by its suffix, so that any prefix works: /v1/,
// OpenRouter's /api/v1/, Azure's /openai/deployments/{name}/. For the models route
// it also returns the model id ("" for the list).
func match(path string) (route, string) {
	switch {
	case strings.HasSuffix(path, "/chat/completions"):
		return routeChat, ""
	case strings.HasSuffix(path, "/completions"):
		return routeCompletions, ""
	case strings.HasSuffix(path, "/responses"):
		return routeResponses, ""
	case strings.HasSuffix(path, "/messages/count_tokens"):
		return routeCountTokens, ""
	case strings.HasSuffix(path, "/messages"):
		return routeMessages, ""
	case strings.HasSuffix(path, "/embeddings"):
		return routeEmbeddings, ""
	case strings.HasSuffix(path, "/models"):
		return routeModels, ""
	}
	if i := strings.LastIndex(path, "/models/"); i >= 0 {
		return routeModels, path[i+len("/models/"):]
	}
	return routeNone, ""
}

// ServeHTTP answers one request; see the package documentation.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rt, modelID := match(r.URL.Path)
	d := dialectOf(rt, r)

	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	s.record(r, body)
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			writeError(w, d, http.StatusRequestEntityTooLarge, "request body is larger than 32 MiB")
			return
		}
		writeError(w, d, http.StatusBadRequest, "could not read the request body: "+err.Error())
		return
	}

	if rt == routeNone {
		writeError(w, d, http.StatusNotFound, fmt.Sprintf("Invalid URL (%s %s): the echo upstream answers "+
			"chat/completions, completions, responses, messages, messages/count_tokens, embeddings and models", r.Method, r.URL.Path))
		return
	}
	method := http.MethodPost
	if rt == routeModels {
		method = http.MethodGet
	}
	if r.Method != method {
		w.Header().Set("Allow", method)
		writeError(w, d, http.StatusMethodNotAllowed, fmt.Sprintf("%s %s: use %s", r.Method, r.URL.Path, method))
		return
	}

	x := &exchange{s: s, w: w, r: r, body: body, d: d}
	switch fail := r.Header.Get("X-Echo-Fail"); {
	case fail == "":
	case strings.EqualFold(fail, "midstream"):
		x.midstream = true
	default:
		code, err := strconv.Atoi(fail)
		if err != nil || code < 400 || code > 599 {
			writeError(w, d, http.StatusBadRequest, `X-Echo-Fail must be an HTTP status from 400 to 599 or "midstream"`)
			return
		}
		writeError(w, d, code, fmt.Sprintf("failure %d requested by the X-Echo-Fail header", code))
		return
	}

	switch rt {
	case routeChat:
		x.chat()
	case routeCompletions:
		x.completions()
	case routeResponses:
		x.responses()
	case routeMessages:
		x.messages()
	case routeCountTokens:
		x.countTokens()
	case routeEmbeddings:
		x.embeddings()
	case routeModels:
		x.models(modelID)
	}
}

// exchange is one request being answered.
type exchange struct {
	s         *Server
	w         http.ResponseWriter
	r         *http.Request
	body      []byte
	d         dialect
	midstream bool // X-Echo-Fail: midstream
}

// writeJSON writes a successful JSON answer. Under X-Echo-Fail: midstream it writes
// the first half of the body and aborts the connection.
func (x *exchange) writeJSON(v any) {
	b, err := marshal(v)
	if err != nil {
		writeError(x.w, x.d, http.StatusInternalServerError, "echo upstream could not encode its answer: "+err.Error())
		return
	}
	x.w.Header().Set("Content-Type", "application/json")
	if x.midstream {
		x.w.WriteHeader(http.StatusOK)
		x.w.Write(b[:len(b)/2])
		http.NewResponseController(x.w).Flush()
		panic(http.ErrAbortHandler)
	}
	x.w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	x.w.WriteHeader(http.StatusOK)
	x.w.Write(b)
}

// badRequest answers 400 in the route's error shape.
func (x *exchange) badRequest(msg string) {
	writeError(x.w, x.d, http.StatusBadRequest, msg)
}

// decode unmarshals the request body into v, answering 400 if it is not valid JSON
// of the expected shape.
func (x *exchange) decode(v any) bool {
	if err := json.Unmarshal(x.body, v); err != nil {
		x.badRequest("request body is not valid JSON for this endpoint: " + err.Error())
		return false
	}
	return true
}

// newID returns a random id with a provider-style prefix.
func newID(prefix string) string {
	return prefix + rand.Text()
}

// tokens is a rough token count for n bytes of text.
func tokens(n int) int {
	return (n + 3) / 4
}
