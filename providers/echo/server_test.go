package echo_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/scrubgate/scrubgate/providers/echo"
)

// checkErrorShape checks that a response is an error of the given status in the
// OpenAI ({"error":{...}}) or Anthropic ({"type":"error","error":{...}}) shape, with
// the given error type, and returns the message.
func checkErrorShape(t *testing.T, rec *httptest.ResponseRecorder, status int, anthropic bool, typ string) string {
	t.Helper()
	if rec.Code != status {
		t.Fatalf("status %d, want %d: %s", rec.Code, status, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	msg, err := errorShape(rec.Body.Bytes(), anthropic, typ)
	if err != nil {
		t.Fatal(err)
	}
	return msg
}

// errorShape checks an error body; typ "" accepts any non-empty type.
func errorShape(body []byte, anthropic bool, typ string) (string, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil {
		return "", fmt.Errorf("error body is not a JSON object: %v: %s", err, body)
	}
	var e struct {
		Type    *string `json:"type"`
		Message *string `json:"message"`
	}
	if err := json.Unmarshal(top["error"], &e); err != nil || e.Type == nil || e.Message == nil || *e.Message == "" || *e.Type == "" {
		return "", fmt.Errorf("no error.type and error.message: %s", body)
	}
	if typ != "" && *e.Type != typ {
		return "", fmt.Errorf("error type %q, want %q: %s", *e.Type, typ, body)
	}
	if anthropic {
		if len(top) != 2 || string(top["type"]) != `"error"` {
			return "", fmt.Errorf("not Anthropic's error shape: %s", body)
		}
	} else {
		if len(top) != 1 {
			return "", fmt.Errorf("not OpenAI's error shape: %s", body)
		}
		var full map[string]json.RawMessage
		json.Unmarshal(top["error"], &full)
		if _, ok := full["code"]; !ok {
			return "", fmt.Errorf("OpenAI error without code: %s", body)
		}
	}
	return *e.Message, nil
}

// routes are the endpoints with a valid request each.
var routes = []struct {
	name, method, path, body string
	anthropic                bool
}{
	{"chat", "POST", "/v1/chat/completions", `{"model":"m","messages":[{"role":"user","content":"hi"}]}`, false},
	{"completions", "POST", "/v1/completions", `{"model":"m","prompt":"hi"}`, false},
	{"responses", "POST", "/v1/responses", `{"model":"m","input":"hi"}`, false},
	{"messages", "POST", "/v1/messages", `{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}`, true},
	{"count_tokens", "POST", "/v1/messages/count_tokens", `{"model":"m","messages":[{"role":"user","content":"hi"}]}`, true},
	{"embeddings", "POST", "/v1/embeddings", `{"model":"m","input":"hi"}`, false},
	{"models", "GET", "/v1/models", ``, false},
	{"model", "GET", "/v1/models/echo-1", ``, false},
}

func TestErrors(t *testing.T) {
	h := echo.New()
	for _, rt := range routes {
		t.Run(rt.name, func(t *testing.T) {
			if rt.method == "POST" {
				for _, bad := range []string{``, `{`, `[]`, `{"model":5}`, `"text"`, `{"model":"m"} trailing`} {
					checkErrorShape(t, serve(h, "POST", rt.path, bad), http.StatusBadRequest, rt.anthropic, "invalid_request_error")
				}
			}
			for _, tc := range []struct {
				status       int
				openAI, anth string
			}{
				{400, "invalid_request_error", "invalid_request_error"},
				{401, "invalid_request_error", "authentication_error"},
				{404, "invalid_request_error", "not_found_error"},
				{429, "requests", "rate_limit_error"},
				{500, "server_error", "api_error"},
				{503, "server_error", "api_error"},
				{529, "server_error", "overloaded_error"},
			} {
				typ := tc.openAI
				if rt.anthropic {
					typ = tc.anth
				}
				checkErrorShape(t, serve(h, rt.method, rt.path, rt.body, "X-Echo-Fail", fmt.Sprint(tc.status)), tc.status, rt.anthropic, typ)
			}
			for _, bad := range []string{"abc", "200", "600", "-1"} {
				msg := checkErrorShape(t, serve(h, rt.method, rt.path, rt.body, "X-Echo-Fail", bad), http.StatusBadRequest, rt.anthropic, "invalid_request_error")
				if !strings.Contains(msg, "X-Echo-Fail") {
					t.Errorf("message %q does not say what is wrong", msg)
				}
			}
			other := "GET"
			if rt.method == "GET" {
				other = "POST"
			}
			rec := serve(h, other, rt.path, rt.body)
			checkErrorShape(t, rec, http.StatusMethodNotAllowed, rt.anthropic, "")
			if rec.Header().Get("Allow") != rt.method {
				t.Errorf("Allow %q", rec.Header().Get("Allow"))
			}
		})
	}

	cases := []struct {
		name, method, path, body string
		header                   []string
		status                   int
		anthropic                bool
		typ                      string
	}{
		{"unknown path", "POST", "/v1/nope", `{}`, nil, 404, false, "invalid_request_error"},
		{"unknown path, Anthropic client", "POST", "/v1/nope", `{}`, []string{"anthropic-version", "2023-06-01"}, 404, true, "not_found_error"},
		{"root", "GET", "/", ``, nil, 404, false, "invalid_request_error"},
		{"unknown model", "GET", "/v1/models/gpt-9", ``, nil, 404, false, "invalid_request_error"},
		{"unknown model, Anthropic client", "GET", "/v1/models/gpt-9", ``, []string{"anthropic-version", "2023-06-01"}, 404, true, "not_found_error"},
		{"chat without messages", "POST", "/v1/chat/completions", `{"model":"m"}`, nil, 400, false, "invalid_request_error"},
		{"messages without messages", "POST", "/v1/messages", `{"model":"m","messages":[]}`, nil, 400, true, "invalid_request_error"},
		{"count_tokens without messages", "POST", "/v1/messages/count_tokens", `{"model":"m"}`, nil, 400, true, "invalid_request_error"},
		{"responses input of the wrong type", "POST", "/v1/responses", `{"input":5}`, nil, 400, false, "invalid_request_error"},
		{"responses tools of the wrong type", "POST", "/v1/responses", `{"input":"x","tools":{}}`, nil, 400, false, "invalid_request_error"},
		{"embeddings without input", "POST", "/v1/embeddings", `{"model":"m"}`, nil, 400, false, "invalid_request_error"},
		{"embeddings of an empty string", "POST", "/v1/embeddings", `{"input":""}`, nil, 400, false, "invalid_request_error"},
		{"embeddings of an empty list", "POST", "/v1/embeddings", `{"input":[]}`, nil, 400, false, "invalid_request_error"},
		{"embeddings of a mixed list", "POST", "/v1/embeddings", `{"input":["a",{}]}`, nil, 400, false, "invalid_request_error"},
		{"embeddings dimensions", "POST", "/v1/embeddings", `{"input":"a","dimensions":0}`, nil, 400, false, "invalid_request_error"},
		{"embeddings format", "POST", "/v1/embeddings", `{"input":"a","encoding_format":"hex"}`, nil, 400, false, "invalid_request_error"},
		{"body over 32 MiB", "POST", "/v1/messages", `{"x":"` + strings.Repeat("a", 32<<20) + `"}`, nil, 413, true, "request_too_large"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			checkErrorShape(t, serve(h, tc.method, tc.path, tc.body, tc.header...), tc.status, tc.anthropic, tc.typ)
		})
	}
}

// TestPaths checks that routes match by suffix, whatever the prefix.
func TestPaths(t *testing.T) {
	chat := `{"model":"m","messages":[{"role":"user","content":"hi"}]}`
	cases := []struct{ path, body, object string }{
		{"/v1/chat/completions", chat, "chat.completion"},
		{"/chat/completions", chat, "chat.completion"},
		{"/api/v1/chat/completions", chat, "chat.completion"},
		{"/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21", chat, "chat.completion"},
		{"/openai/deployments/davinci/completions?api-version=2024-10-21", `{"prompt":"hi"}`, "text_completion"},
		{"/openai/v1/responses", `{"input":"hi"}`, "response"},
		{"/openai/deployments/emb/embeddings?api-version=2024-10-21", `{"input":"hi"}`, "list"},
		{"/anthropic/v1/messages", `{"model":"m","messages":[{"role":"user","content":"hi"}]}`, "message"},
	}
	for _, tc := range cases {
		t.Run(tc.path, func(t *testing.T) {
			var got struct{ Object, Type string }
			decodeJSON(t, serve(echo.New(), "POST", tc.path, tc.body), &got)
			if got.Object != tc.object && got.Type != tc.object {
				t.Errorf("got %+v, want %s", got, tc.object)
			}
		})
	}
	var got chatCompletion
	decodeJSON(t, serve(echo.New(), "POST", "/openai/deployments/gpt-4o/chat/completions?api-version=1", `{"messages":[{"role":"user","content":"hi"}]}`), &got)
	if got.Model != "echo-1" {
		t.Errorf("a request without a model is answered by %q, want echo-1", got.Model)
	}
}

func TestRecording(t *testing.T) {
	s := echo.New()
	if _, ok := s.LastRequest(); ok {
		t.Fatal("LastRequest before any request")
	}
	for i := range 300 {
		serve(s, "POST", fmt.Sprintf("/openai/deployments/d/chat/completions?api-version=%d", i),
			fmt.Sprintf(`{"messages":[{"role":"user","content":"%d"}]}`, i), "Authorization", fmt.Sprintf("Bearer k%d", i))
	}
	serve(s, "GET", "/nowhere", "")
	reqs := s.Requests()
	if len(reqs) != 256 {
		t.Fatalf("%d requests kept, want the last 256", len(reqs))
	}
	first := reqs[0]
	if first.Method != "POST" || first.Path != "/openai/deployments/d/chat/completions" || first.RawQuery != "api-version=45" ||
		first.Header.Get("Authorization") != "Bearer k45" || string(first.Body) != `{"messages":[{"role":"user","content":"45"}]}` {
		t.Errorf("oldest kept request %+v", first)
	}
	last, ok := s.LastRequest()
	if !ok || last.Method != "GET" || last.Path != "/nowhere" || len(last.Body) != 0 {
		t.Errorf("LastRequest %+v", last)
	}
	// Callers get copies.
	first.Header.Set("Authorization", "changed")
	first.Body[0] = 'X'
	again := s.Requests()[0]
	if again.Header.Get("Authorization") != "Bearer k45" || again.Body[0] != '{' {
		t.Error("Requests returned the server's own header or body")
	}
}

// streamingRequests are streaming requests to every route that streams, with a
// long text so that a stream cannot finish before the test acts.
func streamingRequests() []struct{ name, path, body string } {
	long := jsonString(strings.Repeat("stream me ", 20000))
	return []struct{ name, path, body string }{
		{"chat", "/v1/chat/completions", `{"model":"m","stream":true,"messages":[{"role":"user","content":` + long + `}]}`},
		{"chat tools", "/v1/chat/completions", `{"model":"m","stream":true,"messages":[{"role":"user","content":` + long + `}]` + weatherTools + `}`},
		{"completions", "/v1/completions", `{"model":"m","stream":true,"prompt":` + long + `}`},
		{"responses", "/v1/responses", `{"model":"m","stream":true,"input":` + long + `}`},
		{"messages", "/v1/messages", `{"model":"m","stream":true,"messages":[{"role":"user","content":` + long + `}]` + thinkingOn + `}`},
	}
}

// TestCancellation checks that a stream stops as soon as its client goes away,
// whether the handler is waiting between deltas or writing as fast as it can.
func TestCancellation(t *testing.T) {
	for _, delay := range []time.Duration{0, time.Hour} {
		for _, rq := range streamingRequests() {
			t.Run(fmt.Sprintf("%s/delay=%s", rq.name, delay), func(t *testing.T) {
				h := echo.New(echo.WithDelay(delay), echo.WithChunkSize(1))
				done := make(chan struct{})
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					defer close(done)
					h.ServeHTTP(w, r)
				}))
				defer srv.Close()

				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				req, _ := http.NewRequestWithContext(ctx, "POST", srv.URL+rq.path, strings.NewReader(rq.body))
				resp, err := srv.Client().Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				// Read until the first delta has arrived.
				r := bufio.NewReader(resp.Body)
				for {
					line, err := r.ReadString('\n')
					if err != nil {
						t.Fatalf("stream ended before its first delta: %v", err)
					}
					if strings.Contains(line, `delta`) || strings.Contains(line, `"text":"s"`) {
						break
					}
				}
				cancel()
				select {
				case <-done:
				case <-time.After(10 * time.Second):
					t.Fatal("handler still running 10s after its client went away")
				}
			})
		}
	}
}

// TestMidstream checks X-Echo-Fail: midstream: the start of the answer arrives,
// then the connection breaks, and the answer never completes.
func TestMidstream(t *testing.T) {
	srv := httptest.NewServer(echo.New())
	defer srv.Close()
	type req struct{ name, path, body string }
	reqs := []req{{"chat json", "/v1/chat/completions", `{"messages":[{"role":"user","content":"a rather long answer"}]}`}}
	for _, rq := range streamingRequests() {
		reqs = append(reqs, req(rq))
	}
	reqs = append(reqs, req{"short stream", "/v1/chat/completions", `{"stream":true,"messages":[{"role":"user","content":"hi"}]}`})
	for _, rq := range reqs {
		t.Run(rq.name, func(t *testing.T) {
			hr, _ := http.NewRequest("POST", srv.URL+rq.path, strings.NewReader(rq.body))
			hr.Header.Set("X-Echo-Fail", "midstream")
			resp, err := srv.Client().Do(hr)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			if resp.StatusCode != 200 || err == nil {
				t.Fatalf("status %d, read error %v: want 200 and a broken body", resp.StatusCode, err)
			}
			if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
				if json.Valid(body) || len(body) == 0 {
					t.Errorf("aborted JSON body is complete or empty: %q", body)
				}
				return
			}
			events, perr := parseSSE(body)
			if perr != nil {
				t.Fatalf("events before the abort are not well framed: %v", perr)
			}
			deltas := 0
			for _, ev := range events {
				for _, end := range []string{"[DONE]", "message_stop", "response.completed", `"finish_reason":"`} {
					if strings.Contains(ev.Data, end) {
						t.Errorf("stream completed before the abort: %s", ev.Data)
					}
				}
				if strings.Contains(ev.Data, "delta") || strings.Contains(ev.Data, `"text":"`) {
					deltas++
				}
			}
			if deltas == 0 {
				t.Error("no delta before the abort")
			}
		})
	}
}
