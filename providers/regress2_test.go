package providers

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// R2: the synthetic event that flushes a held tail is built from the RAW bytes of
// the field's last delta event (Anthropic/Responses: everything around the delta;
// chat: id/model/...). Those bytes were scrubbed in the original event but not here.
func TestReviewSyntheticFlushCopiesRawBytes(t *testing.T) {
	s, _ := newTestScrubber(t)
	tok := ghToken("Ab3dE5")
	in := "event: content_block_delta\n" +
		`data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"see ghp_"},"meta":"` + tok + `"}` + "\n\n" +
		"event: content_block_stop\n" + `data: {"type":"content_block_stop","index":0}` + "\n\n"
	out := runStream(t, s, in)
	if strings.Contains(out, tok) {
		t.Fatalf("secret reached the client:\n%s", out)
	}
}

func TestReviewSyntheticFlushCopiesRawBytesChat(t *testing.T) {
	s, _ := newTestScrubber(t)
	tok := ghToken("Ab3dE5")
	in := `data: {"id":"c1","model":"` + tok + `","choices":[{"index":0,"delta":{"content":"x ghp_"}}]}` + "\n\n" +
		`data: {"id":"c1","model":"` + tok + `","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}` + "\n\n"
	out := runStream(t, s, in)
	if strings.Contains(out, tok) {
		t.Fatalf("secret reached the client:\n%s", out)
	}
}

// R3: a stream whose Content-Type is not exactly text/event-stream is scrubbed as a
// whole text body: a secret split across two events is never reassembled.
func TestReviewStreamWithOtherContentTypeLeaksSplitSecret(t *testing.T) {
	tok := ghToken("Ab3dE5")
	body := `data: {"id":"c1","choices":[{"index":0,"delta":{"content":"token ` + tok[:20] + `"}}]}` + "\n\n" +
		`data: {"id":"c1","choices":[{"index":0,"delta":{"content":"` + tok[20:] + ` ok"}}]}` + "\n\n" +
		`data: {"id":"c1","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}` + "\n\ndata: [DONE]\n\n"
	for _, ct := range []string{"", "text/plain; charset=utf-8", "application/octet-stream"} {
		s, _ := newTestScrubber(t)
		tr := &Transport{Scrubber: s, Base: rtFunc(func(r *http.Request) (*http.Response, error) {
			h := http.Header{}
			if ct != "" {
				h.Set("Content-Type", ct)
			}
			return &http.Response{StatusCode: 200, Header: h, Body: io.NopCloser(strings.NewReader(body)), Request: r}, nil
		})}
		req, _ := http.NewRequest("POST", "http://up/v1/chat/completions", strings.NewReader(`{"stream":true}`))
		resp, err := tr.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(resp.Body)
		// what the client's SSE parser reassembles:
		text := strings.Join(evContents(t, string(got)), "")
		if strings.Contains(text, tok) {
			t.Errorf("content-type %q: client reassembles the secret: %q", ct, text)
		}
	}
}

type rtFunc func(*http.Request) (*http.Response, error)

func (f rtFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func evContents(t *testing.T, out string) []string {
	var cs []string
	for _, ev := range events(t, out) {
		cs = append(cs, str(dig(ev, "choices", 0, "delta", "content")))
	}
	return cs
}

// R4: text-bearing stream fields not covered by a per-field redactor: a secret split
// across chunks of delta.audio.transcript (OpenAI audio output) or OpenRouter's
// delta.reasoning_details[].text reaches the client whole.
func TestReviewUncoveredStreamFields(t *testing.T) {
	tok := ghToken("Ab3dE5")
	mk := func(frag func(string) string) string {
		return `data: {"id":"c1","choices":[{"index":0,"delta":` + frag(tok[:20]) + `}]}` + "\n\n" +
			`data: {"id":"c1","choices":[{"index":0,"delta":` + frag(tok[20:]+" ok") + `}]}` + "\n\n" +
			`data: {"id":"c1","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}` + "\n\ndata: [DONE]\n\n"
	}
	cases := map[string]struct {
		in  string
		get func(map[string]any) string
	}{
		"audio.transcript": {mk(func(s string) string { return `{"audio":{"id":"a1","transcript":` + jsonStr(s) + `}}` }),
			func(ev map[string]any) string { return str(dig(ev, "choices", 0, "delta", "audio", "transcript")) }},
		"reasoning_details": {mk(func(s string) string {
			return `{"reasoning_details":[{"type":"reasoning.text","index":0,"text":` + jsonStr(s) + `}]}`
		}),
			func(ev map[string]any) string {
				return str(dig(ev, "choices", 0, "delta", "reasoning_details", 0, "text"))
			}},
	}
	for name, c := range cases {
		s, _ := newTestScrubber(t)
		out := runStream(t, s, c.in)
		var b bytes.Buffer
		for _, ev := range events(t, out) {
			b.WriteString(c.get(ev))
		}
		if strings.Contains(b.String(), tok) {
			t.Errorf("%s: client reassembles the secret: %q", name, b.String())
		}
	}
}

// R5: finish_reason is treated as "set" for any string, including "" which some
// OpenAI-compatible servers send on every chunk: each chunk then closes (and fully
// flushes) the field, so a secret split across chunks is never seen whole.
func TestReviewEmptyFinishReasonClosesFieldEveryChunk(t *testing.T) {
	tok := ghToken("Ab3dE5")
	in := `data: {"id":"c1","choices":[{"index":0,"delta":{"content":"token ` + tok[:20] + `"},"finish_reason":""}]}` + "\n\n" +
		`data: {"id":"c1","choices":[{"index":0,"delta":{"content":"` + tok[20:] + ` ok"},"finish_reason":""}]}` + "\n\n" +
		`data: {"id":"c1","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}` + "\n\ndata: [DONE]\n\n"
	s, _ := newTestScrubber(t)
	out := runStream(t, s, in)
	if text := strings.Join(evContents(t, out), ""); strings.Contains(text, tok) {
		t.Fatalf("client reassembles the secret: %q", text)
	}
}

// R6: fields are keyed by the chunk id; a provider that changes id per chunk gets a
// new redactor per chunk: the held tail of chunk 1 is emitted at [DONE] after chunk 2
// (text out of order), and the secret split across the chunks is never seen whole.
func TestReviewChunkIdChangesPerChunk(t *testing.T) {
	tok := ghToken("Ab3dE5")
	in := `data: {"id":"c1","choices":[{"index":0,"delta":{"content":"token ` + tok[:20] + `"}}]}` + "\n\n" +
		`data: {"id":"c2","choices":[{"index":0,"delta":{"content":"` + tok[20:] + ` ok"}}]}` + "\n\n" +
		"data: [DONE]\n\n"
	s, _ := newTestScrubber(t)
	out := runStream(t, s, in)
	text := strings.Join(evContents(t, out), "")
	if strings.Contains(out, tok) || !strings.HasPrefix(text, "token ") {
		t.Fatalf("client text: %q", text)
	}
	if strings.Contains(text, tok[20:]) && strings.Contains(text, tok[:20]) {
		t.Fatalf("secret halves both reached the client (order scrambled): %q", text)
	}
}

// R4b: other OpenAI stream shapes with text deltas that get no per-field redactor:
// audio transcription streams (transcript.text.delta) and Assistants streams
// (thread.message.delta, reachable through the catch-all route).
func TestReviewUncoveredStreamShapes(t *testing.T) {
	tok := ghToken("Ab3dE5")
	cases := map[string][2]string{
		"transcript.text.delta": {
			"event: transcript.text.delta\ndata: {\"type\":\"transcript.text.delta\",\"delta\":" + jsonStr(tok[:20]) + "}\n\n" +
				"event: transcript.text.delta\ndata: {\"type\":\"transcript.text.delta\",\"delta\":" + jsonStr(tok[20:]) + "}\n\n", "delta"},
		"thread.message.delta": {
			"event: thread.message.delta\ndata: {\"id\":\"msg_1\",\"object\":\"thread.message.delta\",\"delta\":{\"content\":[{\"index\":0,\"type\":\"text\",\"text\":{\"value\":" + jsonStr(tok[:20]) + "}}]}}\n\n" +
				"event: thread.message.delta\ndata: {\"id\":\"msg_1\",\"object\":\"thread.message.delta\",\"delta\":{\"content\":[{\"index\":0,\"type\":\"text\",\"text\":{\"value\":" + jsonStr(tok[20:]) + "}}]}}\n\n", "value"},
	}
	for name, c := range cases {
		s, _ := newTestScrubber(t)
		out := runStream(t, s, c[0])
		var b strings.Builder
		for _, ev := range events(t, out) {
			b.WriteString(str(ev[c[1]]))
			b.WriteString(str(dig(ev, "delta", "content", 0, "text", "value")))
		}
		if strings.Contains(b.String(), tok) {
			t.Errorf("%s: client reassembles the secret: %q", name, b.String())
		}
	}
}

// R3b: NDJSON streams (Ollama's native /api/chat, reachable via the catch-all
// route) are scanned line by line as JSONL: a token split across lines passes.
func TestReviewNDJSONStreamSplitSecret(t *testing.T) {
	tok := ghToken("Ab3dE5")
	body := `{"model":"llama3","message":{"role":"assistant","content":"token ` + tok[:20] + `"},"done":false}` + "\n" +
		`{"model":"llama3","message":{"role":"assistant","content":"` + tok[20:] + ` ok"},"done":false}` + "\n" +
		`{"model":"llama3","message":{"role":"assistant","content":""},"done":true}` + "\n"
	s, _ := newTestScrubber(t)
	tr := &Transport{Scrubber: s, Base: rtFunc(func(r *http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/x-ndjson"}}, Body: io.NopCloser(strings.NewReader(body)), Request: r}, nil
	})}
	req, _ := http.NewRequest("POST", "http://up/api/chat", strings.NewReader(`{"stream":true}`))
	resp, _ := tr.RoundTrip(req)
	got, _ := io.ReadAll(resp.Body)
	var text strings.Builder
	for _, line := range strings.Split(strings.TrimSpace(string(got)), "\n") {
		var m map[string]any
		json.Unmarshal([]byte(line), &m)
		text.WriteString(str(dig(m, "message", "content")))
	}
	if strings.Contains(text.String(), tok) {
		t.Fatalf("client reassembles the secret: %q", text.String())
	}
}
