package providers

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	openai "github.com/sashabaranov/go-openai"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// stubUpstream records request bodies and answers with a fixed handler.
type stubUpstream struct {
	mu     sync.Mutex
	bodies [][]byte
	answer func(w http.ResponseWriter, r *http.Request)
}

func (u *stubUpstream) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	u.mu.Lock()
	u.bodies = append(u.bodies, b)
	u.mu.Unlock()
	if r.Header.Get("Accept-Encoding") != "identity" {
		http.Error(w, "want identity encoding", 400)
		return
	}
	u.answer(w, r)
}

func (u *stubUpstream) last() []byte {
	u.mu.Lock()
	defer u.mu.Unlock()
	if len(u.bodies) == 0 {
		return nil
	}
	return u.bodies[len(u.bodies)-1]
}

func newClient(t *testing.T, u *stubUpstream, s *Scrubber) (*openai.Client, *httptest.Server) {
	srv := httptest.NewServer(u)
	t.Cleanup(srv.Close)
	cfg := openai.DefaultConfig("sk-test")
	cfg.BaseURL = srv.URL + "/v1"
	tr := &Transport{Base: srv.Client().Transport, Scrubber: s}
	cfg.HTTPClient = &http.Client{Transport: tr}
	return openai.NewClientWithConfig(cfg), srv
}

func chatAnswer(text string) func(w http.ResponseWriter, r *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":%s},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}`, jsonStr(text))
	}
}

func TestTransportGoOpenAIChat(t *testing.T) {
	secrets := testSecrets()
	u := &stubUpstream{answer: chatAnswer("your key: " + secrets[2])}
	s, rec := newTestScrubber(t)
	client, _ := newClient(t, u, s)
	resp, err := client.CreateChatCompletion(context.Background(), openai.ChatCompletionRequest{
		Model: "gpt-4o",
		Messages: []openai.ChatCompletionMessage{
			{Role: "system", Content: "Deploy key " + secrets[1]},
			{Role: "user", Content: "Use token " + secrets[0]},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	assertNoSecret(t, "upstream request", u.last(), secrets...)
	if !strings.Contains(string(u.last()), "[[scrub:github-token:") {
		t.Fatalf("upstream did not get a handle: %s", u.last())
	}
	got := resp.Choices[0].Message.Content
	assertNoSecret(t, "client response", []byte(got), secrets...)
	if !strings.HasPrefix(got, "your key: [[scrub:aws-key:") {
		t.Fatalf("client got %q", got)
	}
	if resp.Header().Get(RedactionsHeader) != "3" { // two in the request, one in the response
		t.Fatalf("%s = %q", RedactionsHeader, resp.Header().Get(RedactionsHeader))
	}
	dirs := map[Direction]int{}
	for _, h := range rec.hits {
		dirs[h.Direction]++
	}
	if dirs[Request] != 2 || dirs[Response] != 1 {
		t.Fatalf("hits by direction: %v", dirs)
	}
}

func streamAnswer(body string) func(w http.ResponseWriter, r *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		fl := w.(http.Flusher)
		for _, part := range strings.SplitAfter(body, "\n\n") {
			io.WriteString(w, part)
			fl.Flush()
		}
	}
}

func TestTransportGoOpenAIStreamingWithTools(t *testing.T) {
	secrets := testSecrets()
	text := "here: " + secrets[0] + " end"
	args := `{"cmd":"export KEY=` + secrets[3] + `"}`
	u := &stubUpstream{answer: streamAnswer(chatStream(splitAt(text, 9, 14, 20, 31), splitAt(args, 5, 18, 25, 40)))}
	s, _ := newTestScrubber(t)
	client, _ := newClient(t, u, s)
	st, err := client.CreateChatCompletionStream(context.Background(), openai.ChatCompletionRequest{
		Model:    "gpt-4o",
		Messages: []openai.ChatCompletionMessage{{Role: "user", Content: "hi"}},
		Tools:    []openai.Tool{{Type: openai.ToolTypeFunction, Function: &openai.FunctionDefinition{Name: "run_shell"}}},
		Stream:   true,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var content, gotArgs, name strings.Builder
	for {
		chunk, err := st.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if len(chunk.Choices) == 0 {
			continue
		}
		content.WriteString(chunk.Choices[0].Delta.Content)
		for _, tc := range chunk.Choices[0].Delta.ToolCalls {
			gotArgs.WriteString(tc.Function.Arguments)
			name.WriteString(tc.Function.Name)
		}
	}
	assertNoSecret(t, "stream", []byte(content.String()+gotArgs.String()), secrets...)
	if !strings.HasPrefix(content.String(), "here: [[scrub:github-token:") || !strings.HasSuffix(content.String(), " end") {
		t.Fatalf("content = %q", content.String())
	}
	if name.String() != "run_shell" || !strings.Contains(gotArgs.String(), `"cmd":"export KEY=[[scrub:`) {
		t.Fatalf("tool call = %q %q", name.String(), gotArgs.String())
	}
}

func TestTransportBlockIsAnAPIError(t *testing.T) {
	u := &stubUpstream{answer: chatAnswer("never")}
	s, _ := newTestScrubber(t)
	s.Decide = func(*Hit) Action { return ActionBlock }
	client, _ := newClient(t, u, s)
	_, err := client.CreateChatCompletion(context.Background(), openai.ChatCompletionRequest{
		Model: "m", Messages: []openai.ChatCompletionMessage{{Role: "user", Content: "t " + testSecrets()[0]}},
	})
	var apiErr *openai.APIError
	if !errors.As(err, &apiErr) || apiErr.HTTPStatusCode != 400 || apiErr.Code != "scrubgate_blocked" {
		t.Fatalf("err = %#v", err)
	}
	if !strings.Contains(apiErr.Message, "github-pat") || !strings.Contains(apiErr.Message, "$.messages[0].content") || strings.Contains(apiErr.Message, "ghp_") {
		t.Fatalf("message = %q", apiErr.Message)
	}
	if u.last() != nil {
		t.Fatal("a blocked request reached upstream")
	}
}

func doRaw(t *testing.T, tr http.RoundTripper, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	resp, err := tr.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

func TestTransportBodies(t *testing.T) {
	tok := testSecrets()[0]
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(`{"messages":[{"role":"user","content":"` + tok + `"}]}`))
	zw.Close()
	u := &stubUpstream{answer: func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/gzip-answer" {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Content-Encoding", "gzip")
			zw := gzip.NewWriter(w)
			zw.Write([]byte(`{"content":[{"type":"text","text":"` + tok + `"}]}`))
			zw.Close()
			return
		}
		if r.URL.Path == "/br-answer" {
			w.Header().Set("Content-Encoding", "br")
			w.Write([]byte("\x1b\x00"))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{}`))
	}}
	srv := httptest.NewServer(u)
	defer srv.Close()
	s, _ := newTestScrubber(t)
	tr := &Transport{Base: srv.Client().Transport, Scrubber: s, MaxBody: 1 << 10}

	req, _ := http.NewRequest("POST", srv.URL+"/v1/chat/completions", bytes.NewReader(gz.Bytes()))
	req.Header.Set("Content-Encoding", "gzip")
	resp, _ := doRaw(t, tr, req)
	if resp.StatusCode != 200 || strings.Contains(string(u.last()), tok) || !strings.Contains(string(u.last()), "[[scrub:") {
		t.Fatalf("gzip request: %d %s", resp.StatusCode, u.last())
	}

	req, _ = http.NewRequest("POST", srv.URL+"/v1/chat/completions", strings.NewReader("x"))
	req.Header.Set("Content-Encoding", "br")
	resp, b := doRaw(t, tr, req)
	if resp.StatusCode != 415 || !strings.Contains(string(b), `"code":"scrubgate_body"`) {
		t.Fatalf("br request: %d %s", resp.StatusCode, b)
	}

	req, _ = http.NewRequest("POST", srv.URL+"/v1/messages", strings.NewReader(strings.Repeat("a", 2000)))
	resp, b = doRaw(t, tr, req)
	if resp.StatusCode != 413 || !strings.Contains(string(b), `"type":"request_too_large"`) {
		t.Fatalf("large Anthropic request: %d %s", resp.StatusCode, b)
	}

	req, _ = http.NewRequest("POST", srv.URL+"/gzip-answer", strings.NewReader("{}"))
	resp, b = doRaw(t, tr, req)
	if resp.StatusCode != 200 || strings.Contains(string(b), tok) || resp.Header.Get("Content-Encoding") != "" || !strings.Contains(string(b), "[[scrub:") {
		t.Fatalf("gzip answer: %d %q %s", resp.StatusCode, resp.Header.Get("Content-Encoding"), b)
	}

	req, _ = http.NewRequest("POST", srv.URL+"/br-answer", strings.NewReader("{}"))
	resp, b = doRaw(t, tr, req)
	if resp.StatusCode != 502 {
		t.Fatalf("br answer must not pass unscanned: %d %s", resp.StatusCode, b)
	}

	req, _ = http.NewRequest("GET", srv.URL+"/v1/realtime", nil)
	req.Header.Set("Connection", "Upgrade")
	req.Header.Set("Upgrade", "websocket")
	resp, b = doRaw(t, tr, req)
	if resp.StatusCode != 400 || !strings.Contains(string(b), "WebSocket") {
		t.Fatalf("upgrade: %d %s", resp.StatusCode, b)
	}

	if _, err := (&Transport{Base: srv.Client().Transport}).RoundTrip(req); !errors.Is(err, ErrNoScrubber) {
		t.Fatalf("no scrubber: %v", err)
	}
}

func TestTransportMultipart(t *testing.T) {
	tok := testSecrets()[0]
	u := &stubUpstream{answer: func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{"id":"file-1"}`)) }}
	srv := httptest.NewServer(u)
	defer srv.Close()
	s, _ := newTestScrubber(t)
	tr := &Transport{Base: srv.Client().Transport, Scrubber: s}
	body := "--XyZ\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nbatch\r\n" +
		"--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"in.jsonl\"\r\nContent-Type: application/octet-stream\r\n\r\n" +
		`{"custom_id":"1","body":{"messages":[{"role":"user","content":"` + tok + `"}]}}` + "\n" + `{"custom_id":"2","body":{}}` + "\n\r\n" +
		"--XyZ\r\nContent-Disposition: form-data; name=\"img\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n\x89PNG\r\n\x1a\n\x00\x00" + tok + "\r\n--XyZ--\r\n"
	req, _ := http.NewRequest("POST", srv.URL+"/v1/files", strings.NewReader(body))
	req.Header.Set("Content-Type", "multipart/form-data; boundary=XyZ")
	resp, _ := doRaw(t, tr, req)
	got := string(u.last())
	if resp.StatusCode != 200 || strings.Count(got, tok) != 1 || !strings.Contains(got, `"content":"[[scrub:github-token:`) || !strings.Contains(got, "name=\"purpose\"\r\n\r\nbatch\r\n") {
		t.Fatalf("multipart: %d\n%s", resp.StatusCode, got)
	}
}

func TestTransportStreamUpstreamReset(t *testing.T) {
	tok := testSecrets()[0]
	u := &stubUpstream{answer: func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, "data: "+`{"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"ok `+tok[:18]+`"}}]}`+"\n\n")
		w.(http.Flusher).Flush()
		panic(http.ErrAbortHandler)
	}}
	srv := httptest.NewServer(u)
	defer srv.Close()
	s, _ := newTestScrubber(t)
	var ended []bool
	tr := &Transport{Base: srv.Client().Transport, Scrubber: s, OnStreamEnd: func(_ *http.Request, _ Result, abnormal bool) { ended = append(ended, abnormal) }}
	req, _ := http.NewRequest("POST", srv.URL+"/v1/chat/completions", strings.NewReader(`{"stream":true}`))
	_, b := doRaw(t, tr, req)
	if strings.Contains(string(b), tok[:10]) {
		t.Fatalf("a partial token reached the client: %s", b)
	}
	if !strings.Contains(string(b), `"code":"upstream_error"`) || !strings.Contains(string(b), AbortMask) || !strings.Contains(string(b), `"content":"ok "`) {
		t.Fatalf("want text, mask and an error event: %s", b)
	}
	if len(ended) != 1 || !ended[0] {
		t.Fatalf("OnStreamEnd calls: %v", ended)
	}
}

func TestTransportBinaryMediaPassesUnchanged(t *testing.T) {
	audio := append([]byte("ID3\x04\x00"), []byte(testSecrets()[0])...) // bytes that happen to match a rule
	u := &stubUpstream{answer: func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "audio/mpeg")
		w.Write(audio)
	}}
	srv := httptest.NewServer(u)
	defer srv.Close()
	s, _ := newTestScrubber(t)
	tr := &Transport{Base: srv.Client().Transport, Scrubber: s}
	req, _ := http.NewRequest("POST", srv.URL+"/v1/audio/speech", strings.NewReader(`{"input":"hello"}`))
	resp, b := doRaw(t, tr, req)
	if resp.StatusCode != 200 || !bytes.Equal(b, audio) {
		t.Fatalf("binary media must pass byte for byte: %d", resp.StatusCode)
	}
}

// A credential an upstream (or a proxy in front of it) echoes in a response
// header is scrubbed like one in the body.
func TestTransportResponseHeadersScrubbed(t *testing.T) {
	s, rec := newTestScrubber(t)
	tok := ghToken("Hd3rZz")
	tr := &Transport{Scrubber: s, Base: rtFunc(func(r *http.Request) (*http.Response, error) {
		h := http.Header{"Content-Type": {"application/json"}, "X-Debug-Echo": {"token=" + tok}, "X-Request-Id": {"req_123"}}
		return &http.Response{StatusCode: 200, Header: h, Body: io.NopCloser(strings.NewReader(`{"ok":true}`)), Request: r}, nil
	})}
	req, _ := http.NewRequest("POST", "http://up/v1/chat/completions", strings.NewReader(`{}`))
	resp, err := tr.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("X-Debug-Echo"); strings.Contains(got, tok) || !strings.HasPrefix(got, "token=[[scrub:github-token:") {
		t.Fatalf("header = %q", got)
	}
	if resp.Header.Get("X-Request-Id") != "req_123" || len(rec.hits) != 1 || rec.hits[0].Location != "header:X-Debug-Echo:$" {
		t.Fatalf("other headers or the hit: %v %+v", resp.Header, rec.hits)
	}
}

// TestReadBodyDeclaredLengthIsNotTrusted: a Content-Length alone (no bytes behind
// it) must not make the gateway allocate that much.
func TestReadBodyDeclaredLengthIsNotTrusted(t *testing.T) {
	body, status, _ := readBody(strings.NewReader(`{"a":1}`), 64<<20, "", 64<<20, "request")
	if status != 0 || string(body) != `{"a":1}` {
		t.Fatalf("body %q status %d", body, status)
	}
	if cap(body) > 2*maxPresize {
		t.Fatalf("a declared 64 MiB body reserved %d bytes", cap(body))
	}
}

// sniffHead decides on a first line that ends with a bare CR (allowed by the SSE
// format) without waiting for more bytes.
func TestSniffHeadBareCR(t *testing.T) {
	pr, pw := io.Pipe()
	defer pw.Close()
	go pw.Write([]byte(":\r"))
	done := make(chan []byte, 1)
	go func() { done <- sniffHead(bufio.NewReader(pr)) }()
	select {
	case head := <-done:
		if !looksLikeSSE(head) {
			t.Fatalf("head %q not taken for an event stream", head)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("sniffHead waited for more bytes after a complete first line")
	}
}

// Events that arrive together leave together (one Read, so the proxy writes and
// flushes once for the burst), and an event still on its way never holds back
// the ones already here.
func TestTransportStreamCoalescesArrivedEvents(t *testing.T) {
	s, _ := newTestScrubber(t)
	pr, pw := io.Pipe()
	tr := &Transport{Scrubber: s, Base: rtFunc(func(r *http.Request) (*http.Response, error) {
		h := http.Header{"Content-Type": {"text/event-stream"}}
		return &http.Response{StatusCode: 200, Header: h, Body: pr, Request: r}, nil
	})}
	req, _ := http.NewRequest("POST", "http://upstream.test/v1/chat/completions", strings.NewReader(`{"stream":true}`))
	resp, err := tr.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	chunk := func(text string) string {
		return "data: " + `{"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":` + jsonStr(text) + `}}]}` + "\n\n"
	}
	go func() {
		// Three events in one write, an event Next skips (an empty name), then
		// half of a fourth: the fourth arrives only after the test has read the
		// first three.
		pw.Write([]byte(chunk("one ") + chunk("two ") + chunk("three ") + "event:\n\n" + chunk("four ")[:40]))
	}()
	got := make(chan string, 1)
	go func() {
		buf := make([]byte, 32<<10)
		n, _ := resp.Body.Read(buf)
		got <- string(buf[:n])
	}()
	select {
	case out := <-got:
		if !strings.Contains(out, `"one "`) || !strings.Contains(out, `"two "`) || !strings.Contains(out, `"three "`) {
			t.Fatalf("one Read should carry the three events that arrived together: %q", out)
		}
		if strings.Contains(out, "four") {
			t.Fatalf("a partial event was passed on: %q", out)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Read waited for an event that had not arrived")
	}
	go func() { pw.Write([]byte(chunk("four ")[40:] + "data: [DONE]\n\n")); pw.Close() }()
	rest, err := io.ReadAll(resp.Body)
	if err != nil || !strings.Contains(string(rest), `"four "`) || !strings.Contains(string(rest), "[DONE]") {
		t.Fatalf("rest of the stream: %q, %v", rest, err)
	}
}
