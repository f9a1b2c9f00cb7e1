package providers

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/scrubgate/scrubgate/providers/sse"
	"github.com/scrubgate/scrubgate/scanner"
)

// r12AWS is a fake AWS access key id that the default pack catches; the tests
// stream it in the pieces AKIA|ZQ7R|T2MX|KW3L|NP4V.
const r12AWS = "AKIAZQ7RT2MXKW3LNP4V"

var r12Pieces = []string{"ZQ7R", "T2MX", "KW3L", "NP4V"}

// r12Bytes renders a token's UTF-8 bytes as the logprobs "bytes" array does.
func r12Bytes(tok string) string {
	bs := make([]string, len(tok))
	for i := range len(tok) {
		bs[i] = fmt.Sprint(tok[i])
	}
	return "[" + strings.Join(bs, ",") + "]"
}

// r12Logprob is one chat logprobs entry for tok, with tok itself among its
// alternatives, as the APIs send it.
func r12Logprob(tok string) string {
	return `{"token":` + jsonStr(tok) + `,"logprob":-0.01,"bytes":` + r12Bytes(tok) + `,"top_logprobs":[{"token":` + jsonStr(tok) + `,"logprob":-0.01,"bytes":` + r12Bytes(tok) + `}]}`
}

// r12Leaks fails if out spells a piece of the key anywhere: as a string (text or
// logprobs token) or as the bytes array of a logprobs entry.
func r12Leaks(t *testing.T, what, out string) {
	t.Helper()
	if strings.Contains(out, r12AWS[4:]) {
		t.Fatalf("%s: the key reaches the client:\n%s", what, out)
	}
	for _, p := range r12Pieces {
		if strings.Contains(out, `"`+p+`"`) || strings.Contains(out, r12Bytes(p)) {
			t.Fatalf("%s: the key's piece %q reaches the client:\n%s", what, p, out)
		}
	}
}

// r12Data returns the data of every event of a rewritten SSE stream.
func r12Data(t *testing.T, out string) [][]byte {
	t.Helper()
	rd := sse.NewReader(strings.NewReader(out), 0)
	var evs [][]byte
	for {
		ev, err := rd.Next()
		if err == io.EOF {
			return evs
		}
		if err != nil {
			t.Fatalf("output stream: %v", err)
		}
		evs = append(evs, ev.Data)
	}
}

// vLLM (and other OpenAI-compatible servers) attach each chunk's token logprobs
// to every chat chunk, whatever its delta holds: reasoning_content, reasoning,
// tool-call arguments. Only content and refusal chunks had their logprobs dropped
// while text was held, so the tokens of a held (and later redacted) key reached the
// client piece by piece. Every chunk must come out as it came in except for its
// delta text and, when that text was held or replaced, its token lists ([]).
func TestR12LogprobsFollowEveryDeltaField(t *testing.T) {
	head := `{"id":"chatcmpl-7","object":"chat.completion.chunk","created":1,"model":"Qwen/Qwen3-8B","choices":[{"index":0,`
	textToks := []string{"The", " key", " is", " AKIA", "ZQ7R", "T2MX", "KW3L", "NP4V", ". Done. "}
	argToks := []string{`{"`, `command`, `":"`, `export`, ` K`, `=`, `AKIA`, `ZQ7R`, `T2MX`, `KW3L`, `NP4V`, `"}`}
	cases := []struct {
		name  string
		toks  []string
		mode  scanner.Mode
		delta func(text string) string // the delta object carrying text
		get   []any                    // where the text is, under choices[0].delta
	}{
		{"reasoning_content", textToks, scanner.ModeText, func(x string) string { return `{"reasoning_content":` + jsonStr(x) + `}` }, []any{"reasoning_content"}},
		{"reasoning", textToks, scanner.ModeText, func(x string) string { return `{"reasoning":` + jsonStr(x) + `}` }, []any{"reasoning"}},
		{"content", textToks, scanner.ModeText, func(x string) string { return `{"content":` + jsonStr(x) + `}` }, []any{"content"}},
		{"tool arguments", argToks, scanner.ModeJSON, func(x string) string {
			return `{"tool_calls":[{"index":0,"function":{"arguments":` + jsonStr(x) + `}}]}`
		}, []any{"tool_calls", 0, "function", "arguments"}},
	}
	for _, c := range cases {
		chunk := func(text, lp string) string {
			return head + `"delta":` + c.delta(text) + `,"logprobs":{"content":[` + lp + `]},"finish_reason":null}]}`
		}
		var in strings.Builder
		for _, tok := range c.toks {
			in.WriteString("data: " + chunk(tok, r12Logprob(tok)) + "\n\n")
		}
		in.WriteString("data: " + head + `"delta":{},"logprobs":null,"finish_reason":"stop"}]}` + "\n\ndata: [DONE]\n\n")
		s, _ := newTestScrubber(t)
		out := runStream(t, s, in.String())
		r12Leaks(t, c.name, out)

		// Chunk by chunk (synthetic flush chunks carry no logprobs member): the
		// bytes are the input's but for the delta text, and the token list is
		// kept exactly when the text went through unchanged.
		var got strings.Builder
		i := 0
		for _, data := range r12Data(t, out) {
			var m map[string]any
			if json.Unmarshal(data, &m) != nil {
				continue
			}
			text := str(dig(m, append([]any{"choices", 0, "delta"}, c.get...)...))
			got.WriteString(text)
			if _, real := dig(m, "choices", 0).(map[string]any)["logprobs"]; !real || i >= len(c.toks) {
				continue
			}
			want := chunk(text, "")
			if text == c.toks[i] {
				want = chunk(text, r12Logprob(text))
			}
			if string(data) != want {
				t.Fatalf("%s: chunk %d (%q)\n got %s\nwant %s", c.name, i, c.toks[i], data, want)
			}
			i++
		}
		if i != len(c.toks) {
			t.Fatalf("%s: %d of %d chunks came out", c.name, i, len(c.toks))
		}
		if want := wantRedacted(t, strings.Join(c.toks, ""), c.mode); got.String() != want || !strings.Contains(want, "[[scrub:") {
			t.Fatalf("%s: text %q, want %q", c.name, got.String(), want)
		}
	}
}

// The log probabilities belong to their choice: a choice whose text is held loses
// its token list, another choice in the same chunk whose text went through keeps
// its own, byte for byte.
func TestR12LogprobsDroppedPerChoice(t *testing.T) {
	chunk := `{"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[` +
		`{"index":0,"delta":{"reasoning_content":"AKIA"},"logprobs":{"content":[` + r12Logprob("AKIA") + `]},"finish_reason":null},` +
		`{"index":1,"delta":{"content":"Hello world. "},"logprobs":{"content":[` + r12Logprob("Hello world. ") + `]},"finish_reason":null}]}`
	s, _ := newTestScrubber(t)
	var out bytes.Buffer
	if err := s.NewStream(&out).Event(&sse.Event{Data: []byte(chunk), HasData: true}); err != nil {
		t.Fatal(err)
	}
	want := strings.Replace(strings.Replace(chunk, `"reasoning_content":"AKIA"`, `"reasoning_content":""`, 1), r12Logprob("AKIA"), "", 1)
	if got := string(r12Data(t, out.String())[0]); got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}

// Ollama's native API (NDJSON) puts a chunk's logprobs at the top level of the
// chunk, beside message.content (/api/chat) or response (/api/generate).
func TestR12OllamaNativeLogprobs(t *testing.T) {
	for _, f := range []struct{ open, close string }{{`"message":{"role":"assistant","content":`, `}`}, {`"response":`, ``}} {
		var in []string
		toks := []string{"The key is ", "AKIA", "ZQ7R", "T2MX", "KW3L", "NP4V", ". "}
		for _, tok := range toks {
			in = append(in, `{"model":"qwen3","created_at":"2025-01-01T00:00:00Z",`+f.open+jsonStr(tok)+f.close+`,"logprobs":[`+r12Logprob(tok)+`],"done":false}`)
		}
		in = append(in, `{"model":"qwen3","created_at":"2025-01-01T00:00:00Z",`+f.open+`""`+f.close+`,"done":true,"done_reason":"stop"}`)
		s, _ := newTestScrubber(t)
		var out bytes.Buffer
		st := s.NewLineStream(&out)
		for _, line := range in {
			if err := st.Event(&sse.Event{Data: []byte(line), HasData: true}); err != nil {
				t.Fatal(err)
			}
		}
		if err := st.Close(); err != nil {
			t.Fatal(err)
		}
		r12Leaks(t, "ollama "+f.open, out.String())
		lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
		if lines[0] != in[0] {
			t.Fatalf("a chunk that went through unchanged was changed:\n got %s\nwant %s", lines[0], in[0])
		}
		if !strings.Contains(out.String(), "[[scrub:") {
			t.Fatalf("no handle:\n%s", out.String())
		}
	}
}

// OpenRouter reports a failure in the middle of a stream as a chunk with a
// top-level "error" and a choice with finish_reason "error"; OpenAI sends a bare
// {"error": …} event. Any non-empty finish_reason closed the field normally, so a
// key cut off by the failure (16 of its 20 characters, held back as a possible
// secret) was flushed in clear. It is masked, as on an upstream reset, whether or
// not [DONE] follows; the error chunk is otherwise passed on byte for byte.
func TestR12MidStreamErrorMasksHeldTail(t *testing.T) {
	partial := r12AWS[:16]
	head := `{"id":"gen-1","object":"chat.completion.chunk","created":1,"model":"openai/gpt-4o","provider":"OpenAI",`
	chunk := func(text string) string {
		return head + `"choices":[{"index":0,"delta":{"content":` + jsonStr(text) + `},"finish_reason":null,"native_finish_reason":null,"logprobs":null}]}`
	}
	openRouter := head + `"error":{"code":502,"message":"Provider disconnected"},"choices":[{"index":0,"delta":{"content":""},"finish_reason":"error","native_finish_reason":"error","logprobs":null}]}`
	finishOnly := head + `"choices":[{"index":0,"delta":{"content":""},"finish_reason":"error","native_finish_reason":"error","logprobs":null}]}`
	bare := `{"error":{"message":"The server had an error while processing your request.","type":"server_error","param":null,"code":null}}`
	for _, c := range []struct {
		name, last, want string // want: the last event as it must come out
	}{
		{"openrouter error chunk", openRouter, strings.Replace(openRouter, `"content":""`, `"content":`+jsonStr(AbortMask), 1)},
		{"finish_reason error", finishOnly, strings.Replace(finishOnly, `"content":""`, `"content":`+jsonStr(AbortMask), 1)},
		{"bare error event", bare, bare},
	} {
		for _, done := range []bool{true, false} {
			in := []string{chunk("The key is "), chunk(partial[:9]), chunk(partial[9:]), c.last}
			if done {
				in = append(in, "[DONE]")
			}
			s, _ := newTestScrubber(t)
			var out bytes.Buffer
			st := s.NewStream(&out)
			for _, d := range in {
				if err := st.Event(&sse.Event{Data: []byte(d), HasData: true}); err != nil {
					t.Fatal(err)
				}
			}
			if done {
				if err := st.Close(); err != nil {
					t.Fatal(err)
				}
			} else if err := st.Abort(); err != nil { // upstream EOF before [DONE], as the transport ends it
				t.Fatal(err)
			}
			what := fmt.Sprintf("%s, [DONE] %v", c.name, done)
			if strings.Contains(out.String(), partial[4:9]) || strings.Contains(out.String(), partial[9:]) {
				t.Fatalf("%s: the cut key was flushed:\n%s", what, out.String())
			}
			if !strings.Contains(out.String(), AbortMask) {
				t.Fatalf("%s: no mask:\n%s", what, out.String())
			}
			evs := r12Data(t, out.String())
			var last []byte
			for _, e := range evs {
				if bytes.HasPrefix(e, []byte(`{"error"`)) || bytes.Contains(e, []byte(`"finish_reason":"error"`)) {
					last = e
				}
			}
			if string(last) != c.want {
				t.Fatalf("%s: error event\n got %s\nwant %s", what, last, c.want)
			}
			if string(evs[0]) != in[0] {
				t.Fatalf("%s: first chunk changed: %s", what, evs[0])
			}
		}
	}
}
