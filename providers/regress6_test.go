package providers

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
)

type failAfter struct {
	r   io.Reader
	err error
}

func (f *failAfter) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	if err == io.EOF {
		return n, f.err
	}
	return n, err
}
func (f *failAfter) Close() error { return nil }

// R11: the error event that ends a failed stream takes its shape from the events
// seen so far, not from the API. An Anthropic stream that fails before its first
// parsed event gets a chat-completions error (unnamed data event), which the
// Anthropic SDK ignores (it only throws on `event: error`).
func TestReviewFailShapeBeforeFirstEvent(t *testing.T) {
	s, _ := newTestScrubber(t)
	tr := &Transport{Scrubber: s, Base: rtFunc(func(r *http.Request) (*http.Response, error) {
		h := http.Header{"Content-Type": {"text/event-stream"}}
		return &http.Response{StatusCode: 200, Header: h, Body: &failAfter{strings.NewReader(""), errors.New("connection reset")}, Request: r}, nil
	})}
	req, _ := http.NewRequest("POST", "http://up/v1/messages", strings.NewReader(`{"stream":true}`))
	resp, err := tr.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	if !strings.Contains(string(got), "event: error") {
		t.Fatalf("Anthropic stream failure not in Anthropic's shape:\n%s", got)
	}
}

// R12: SSE id: and event: values are copied to the client unscanned.
func TestReviewSSEIdAndEventNameUnscanned(t *testing.T) {
	s, _ := newTestScrubber(t)
	tok := ghToken("Ab3dE5")
	in := "id: " + tok + "\nevent: x-" + tok + "\ndata: {}\n\n"
	if out := runStream(t, s, in); strings.Contains(out, tok) {
		t.Fatalf("secret reached the client:\n%s", out)
	}
}

// R12b: the event name, or the data's "type" value, becomes the prefix of
// Hit.Location unsanitised; Location goes to the log, webhook and block errors.
func TestReviewEventTypeInLocation(t *testing.T) {
	s, rec := newTestScrubber(t)
	tok := ghToken("Ab3dE5")
	in := `data: {"type":"` + tok + `","note":"AKIAQ3ZR7TLMXW2KJ5NP"}` + "\n\n"
	runStream(t, s, in)
	for _, h := range rec.hits {
		if strings.Contains(h.Location, tok) {
			t.Fatalf("secret in Hit.Location: %q", h.Location)
		}
	}
}

// R14: a stream whose last event lacks the final blank line ("data: [DONE]\n" then
// EOF) is treated as an upstream failure: the client gets an error event (SDKs raise)
// and the held tail is masked, instead of a normal end.
func TestReviewDoneWithoutTrailingBlankLine(t *testing.T) {
	s, _ := newTestScrubber(t)
	body := `data: {"id":"c1","choices":[{"index":0,"delta":{"content":"hello world"}}]}` + "\n\n" +
		`data: {"id":"c1","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}` + "\n\ndata: [DONE]\n"
	tr := &Transport{Scrubber: s, Base: rtFunc(func(r *http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"text/event-stream"}}, Body: io.NopCloser(strings.NewReader(body)), Request: r}, nil
	})}
	req, _ := http.NewRequest("POST", "http://up/v1/chat/completions", strings.NewReader(`{}`))
	resp, _ := tr.RoundTrip(req)
	got, _ := io.ReadAll(resp.Body)
	if strings.Contains(string(got), `"error"`) {
		t.Fatalf("benign stream turned into an error:\n%s", got)
	}
}

// R16: an upstream body that ends cleanly (EOF at an event boundary) before the
// stream's terminator (message_stop / [DONE] / response.completed) is treated as a
// normal end: the held tail -- possibly the first half of a secret -- is flushed.
func TestReviewCleanEOFBeforeTerminatorFlushesHeldTail(t *testing.T) {
	s, _ := newTestScrubber(t)
	tok := ghToken("Ab3dE5")
	body := "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"m\"}}\n\n" +
		"event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"key " + tok[:24] + "\"}}\n\n"
	tr := &Transport{Scrubber: s, Base: rtFunc(func(r *http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"text/event-stream"}}, Body: io.NopCloser(strings.NewReader(body)), Request: r}, nil
	})}
	req, _ := http.NewRequest("POST", "http://up/v1/messages", strings.NewReader(`{}`))
	resp, _ := tr.RoundTrip(req)
	got, _ := io.ReadAll(resp.Body)
	if strings.Contains(string(got), tok[:24]) {
		t.Fatalf("truncated stream: held tail flushed:\n%s", got)
	}
}
