package echo_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// texts are the user texts every route must echo exactly.
var texts = []struct{ name, text string }{
	{"plain", "hello"},
	{"empty", ""},
	{"unicode", "héllo wörld 🌍 日本語 — ok"},
	{"escapes", "quote \" backslash \\ newline \n tab \t <tag> & \u2028 \x01 end"},
	{"secretish", "use Authorization: Bearer q8Zr2LmX9vTn4KpW7sYd3GhJ and DB_PASSWORD=Hq8zL2mW9xTe"},
	{"long", strings.Repeat("0123456789abcdefé", 40)},
}

// jsonString encodes s as a JSON string literal.
func jsonString(s string) string {
	b, err := json.Marshal(s)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// serve sends one request to h and returns the recorded response.
func serve(h http.Handler, method, path, body string, header ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// decodeJSON decodes a JSON response body strictly enough for the tests: exactly
// one JSON value.
func decodeJSON(t *testing.T, rec *httptest.ResponseRecorder, v any) {
	t.Helper()
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d, body %s", rec.Code, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Fatalf("Content-Type %q", ct)
	}
	if err := json.Unmarshal(rec.Body.Bytes(), v); err != nil {
		t.Fatalf("body is not the expected JSON: %v\n%s", err, rec.Body)
	}
}

// sseEvent is one server-sent event: its "event:" name (if any) and its data.
type sseEvent struct {
	Name string
	Data string
}

// parseSSE checks the framing of an event stream as the server writes it (every
// event: an optional "event: NAME" line, one "data: ..." line, a blank line) and
// returns the events.
func parseSSE(body []byte) ([]sseEvent, error) {
	if len(body) == 0 {
		return nil, nil
	}
	if !bytes.HasSuffix(body, []byte("\n\n")) {
		return nil, fmt.Errorf("stream does not end with a blank line: %q", tail(body))
	}
	var events []sseEvent
	for _, frame := range strings.Split(strings.TrimSuffix(string(body), "\n\n"), "\n\n") {
		lines := strings.Split(frame, "\n")
		var ev sseEvent
		if len(lines) == 2 {
			name, ok := strings.CutPrefix(lines[0], "event: ")
			if !ok || name == "" {
				return nil, fmt.Errorf("bad event line %q", lines[0])
			}
			ev.Name = name
			lines = lines[1:]
		}
		if len(lines) != 1 {
			return nil, fmt.Errorf("frame is not one optional event line and one data line: %q", frame)
		}
		data, ok := strings.CutPrefix(lines[0], "data: ")
		if !ok {
			return nil, fmt.Errorf("bad data line %q", lines[0])
		}
		if data != "[DONE]" && !json.Valid([]byte(data)) {
			return nil, fmt.Errorf("data is not JSON: %q", data)
		}
		ev.Data = data
		events = append(events, ev)
	}
	return events, nil
}

func tail(b []byte) []byte {
	if len(b) > 80 {
		return b[len(b)-80:]
	}
	return b
}

// streamEvents checks an SSE response and returns its events.
func streamEvents(t *testing.T, rec *httptest.ResponseRecorder) []sseEvent {
	t.Helper()
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d, body %s", rec.Code, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "text/event-stream; charset=utf-8" {
		t.Fatalf("Content-Type %q", ct)
	}
	if !rec.Flushed {
		t.Error("stream was never flushed")
	}
	events, err := parseSSE(rec.Body.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	return events
}

// unmarshalData decodes one event's data.
func unmarshalData(t *testing.T, ev sseEvent, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(ev.Data), v); err != nil {
		t.Fatalf("event %q: %v: %s", ev.Name, err, ev.Data)
	}
}

// checkPiece checks that a streamed piece is valid UTF-8 of at most n runes.
func checkPiece(t *testing.T, piece string, n int) {
	t.Helper()
	if !utf8.ValidString(piece) || utf8.RuneCountInString(piece) > n {
		t.Errorf("delta %q is not at most %d whole runes", piece, n)
	}
}

// parseArgs parses tool-call arguments and returns their "input".
func parseArgs(t *testing.T, args string) string {
	t.Helper()
	var v map[string]string
	if err := json.Unmarshal([]byte(args), &v); err != nil {
		t.Fatalf("tool arguments are not a JSON object of strings: %v: %q", err, args)
	}
	if len(v) != 1 {
		t.Fatalf("tool arguments %q: want only \"input\"", args)
	}
	in, ok := v["input"]
	if !ok {
		t.Fatalf("tool arguments %q have no \"input\"", args)
	}
	return in
}

// hasKey reports whether a JSON object has a key.
func hasKey(t *testing.T, data []byte, key string) bool {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("not a JSON object: %v", err)
	}
	_, ok := m[key]
	return ok
}
