package providers

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
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

// r12TopList renders a token list as the APIs send it with top_logprobs=20; the
// tokens at secret (the pieces of a key) come out as scrubTokens rewrites them
// when handle is set: the first carries the handle, the others "", their bytes
// null and their alternatives dropped.
func r12TopList(toks []string, secret map[int]bool, handle string) string {
	var b strings.Builder
	b.WriteByte('[')
	first := true
	for i, tok := range toks {
		if i > 0 {
			b.WriteByte(',')
		}
		if handle != "" && secret[i] {
			t := ""
			if first {
				t, first = handle, false
			}
			b.WriteString(`{"token":` + jsonStr(t) + `,"bytes":null,"logprob":-0.0001,"top_logprobs":[]}`)
			continue
		}
		b.WriteString(`{"token":` + jsonStr(tok) + `,"bytes":` + r12Bytes(tok) + `,"logprob":-0.0001,"top_logprobs":[`)
		for k := range 20 {
			if k > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"token":"alt%d","bytes":[97,108,116],"logprob":-%d.5}`, k, k+1)
		}
		b.WriteString(`]}`)
	}
	b.WriteByte(']')
	return b.String()
}

// r12BigTokens is a completion of n tokens whose tokens 4 to 9 spell the key.
func r12BigTokens(n int) ([]string, map[int]bool) {
	toks := []string{"Your", " key", " is", " ", "AK", "IA", "ZQ7R", "T2MX", "KW3L", "NP4V", "."}
	for len(toks) < n {
		toks = append(toks, " word")
	}
	return toks, map[int]bool{4: true, 5: true, 6: true, 7: true, 8: true, 9: true}
}

// r12Handle is the handle the test scrubbers give the key.
func r12Handle(t *testing.T) string {
	h := strings.TrimPrefix(wantRedacted(t, " "+r12AWS, scanner.ModeText), " ")
	if !strings.HasPrefix(h, "[[scrub:") {
		t.Fatalf("no handle for the key: %q", h)
	}
	return h
}

// A completion of 3,200 tokens with top_logprobs=20 needs about 272,000 tree
// nodes, over the old fixed bound of 262,144: a whole body was refused (a 502 for
// a legitimate answer), and a stream's response.output_text.done and
// response.completed fell back to a plain text scan, which neither joins token
// lists nor decodes tool arguments, so the key spelled across six logprobs tokens
// reached the client. The node budget grows with the document now (one node per
// 12 bytes): both are indexed, and only the key's tokens are rewritten.
func TestR12BigLogprobsDocumentsAreIndexed(t *testing.T) {
	toks, secret := r12BigTokens(3200)
	text := strings.Join(toks, "")
	handle := r12Handle(t)
	redText := strings.Replace(text, r12AWS, handle, 1)
	lp, wantLP := r12TopList(toks, secret, ""), r12TopList(toks, secret, handle)

	body := func(text, lp string) string {
		return `{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant","content":` + jsonStr(text) + `,"refusal":null},"logprobs":{"content":` + lp + `,"refusal":null},"finish_reason":"stop"}]}`
	}
	s, _ := newTestScrubber(t)
	out, _, err := s.Body(Response, []byte(body(text, lp)))
	if err != nil {
		t.Fatalf("a %d-byte completion with top_logprobs=20 was refused: %v", len(body(text, lp)), err)
	}
	if string(out) != body(redText, wantLP) {
		r12Leaks(t, "body", string(out))
		t.Fatal("body: not rewritten as expected (only the key and its tokens may change)")
	}

	done := func(text, lp string) string {
		return `{"type":"response.output_text.done","sequence_number":2,"item_id":"msg_1","output_index":0,"content_index":0,"text":` + jsonStr(text) + `,"logprobs":` + lp + `}`
	}
	completed := func(text, lp string) string {
		return `{"type":"response.completed","sequence_number":3,"response":{"id":"resp_1","object":"response","status":"completed","output":[{"id":"msg_1","type":"message","status":"completed","role":"assistant","content":[{"type":"output_text","annotations":[],"text":` + jsonStr(text) + `,"logprobs":` + lp + `}]}]}}`
	}
	in := "event: response.output_text.done\ndata: " + done(text, lp) + "\n\nevent: response.completed\ndata: " + completed(text, lp) + "\n\n"
	evs := r12Data(t, runStream(t, s, in))
	if len(evs) != 2 || string(evs[0]) != done(redText, wantLP) || string(evs[1]) != completed(redText, wantLP) {
		for _, e := range evs {
			r12Leaks(t, "stream", string(e))
		}
		t.Fatalf("stream: %d events, not rewritten as expected", len(evs))
	}
}

// An event that still cannot be indexed (more values than its budget, deeper than
// the tree follows) is not passed on after a mere text scan: Event fails with
// ErrUnscannable, and the stream is ended as the transport ends it (held text
// masked, an error event in the stream's shape). Broken JSON is still passed on,
// scanned as JSON (decoded strings), not as text.
func TestR12UnindexableStreamEventFailsClosed(t *testing.T) {
	// 100,000 tokens of 3 nodes and 25 bytes each: over the budget.
	var lp strings.Builder
	lp.WriteString(`[`)
	for _, tok := range append([]string{"Your key is ", "AKIA", "ZQ7R", "T2MX", "KW3L", "NP4V"}, slicesRepeat(".", 100000)...) {
		lp.WriteString(`{"token":` + jsonStr(tok) + `,"logprob":0},`)
	}
	dense := `{"type":"response.output_text.done","sequence_number":3,"item_id":"msg_1","output_index":0,"content_index":0,"text":"","logprobs":` + strings.TrimSuffix(lp.String(), ",") + `]}`
	if _, err := parseTree([]byte(dense)); err == nil {
		t.Fatal("the dense event fits the node budget: the test needs a denser one")
	}
	escaped := `\\u0041KIA` + r12AWS[4:] // the arguments' JSON writes the A of AKIA as \u0041
	deep := `{"type":"response.output_item.done","sequence_number":3,"output_index":0,"item":{"id":"fc_1","type":"function_call","arguments":"{\"k\":\"` + escaped + `\"}","x":` + strings.Repeat("[", 130) + strings.Repeat("]", 130) + `}}`
	for name, ev := range map[string]string{"over the node budget": dense, "too deep": deep} {
		s, _ := newTestScrubber(t)
		var out bytes.Buffer
		st := s.NewStream(&out)
		for i, d := range []string{
			`{"type":"response.output_text.delta","sequence_number":1,"item_id":"msg_1","output_index":0,"content_index":0,"delta":"Your key is AKIA","logprobs":[]}`,
			`{"type":"response.output_text.delta","sequence_number":2,"item_id":"msg_1","output_index":0,"content_index":0,"delta":"ZQ7RT2MX","logprobs":[]}`,
			ev,
		} {
			err := st.Event(&sse.Event{Name: "x", Data: []byte(d), HasData: true})
			if i < 2 && err != nil {
				t.Fatal(err)
			}
			if i == 2 && !errors.Is(err, ErrUnscannable) {
				t.Fatalf("%s: Event returned %v, want ErrUnscannable", name, err)
			}
		}
		if err := st.Fail("scrubgate_blocked", "scrubgate could not scan the stream, so it was ended"); err != nil {
			t.Fatal(err)
		}
		got := out.String()
		r12Leaks(t, name, got)
		if n := len(r12Data(t, got)); n != 4 || !strings.Contains(got, AbortMask) || !strings.Contains(got, `{"type":"error","code":"scrubgate_blocked"`) {
			t.Fatalf("%s: want the held text masked, the event dropped and an error event:\n%s", name, got)
		}
	}

	// Broken JSON: lenient, decoded, passed on.
	s, _ := newTestScrubber(t)
	broken := `{"type":"response.output_text.delta","sequence_number":1,"delta":"x \u0041KIA` + r12AWS[4:] + ` y"`
	var out bytes.Buffer
	if err := s.NewStream(&out).Event(&sse.Event{Data: []byte(broken), HasData: true}); err != nil {
		t.Fatalf("broken JSON: %v", err)
	}
	if got, want := string(r12Data(t, out.String())[0]), strings.Replace(broken, `\u0041KIA`+r12AWS[4:], r12Handle(t), 1); got != want {
		t.Fatalf("broken JSON event:\n got %s\nwant %s", got, want)
	}
}

func slicesRepeat(s string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = s
	}
	return out
}

// Held text is flushed in a synthetic delta event framed like the last event of
// its field. In a Responses stream that frame repeated the event's
// sequence_number (clients that order or deduplicate by it drop the synthetic
// event, and the held text with it) and its obfuscation padding. A synthetic event
// now takes the number after the event before it, later events move up by one per
// synthetic event, and the padding is left out; everything else is the upstream's.
func TestR12SyntheticEventsGetTheirOwnSequenceNumber(t *testing.T) {
	text := "Your key is " + r12AWS + " and more"
	args := `{"cmd":"ls -la`
	// An event: its type and its body with the delta it carries (d; "" for
	// events without one) and its obfuscation padding (obf; "" for none).
	type ev struct {
		typ    string
		body   func(d, obf string) string
		d, obf string
	}
	textDelta := func(d, obf string) string {
		b := `"item_id":"msg_1","output_index":0,"content_index":0,"delta":` + jsonStr(d) + `,"logprobs":[]`
		if obf != "" {
			b += `,"obfuscation":"` + obf + `"`
		}
		return b
	}
	argsDelta := func(d, obf string) string {
		b := `"item_id":"fc_1","output_index":1,"delta":` + jsonStr(d)
		if obf != "" {
			b += `,"obfuscation":"` + obf + `"`
		}
		return b
	}
	fixed := func(body string) func(string, string) string { return func(string, string) string { return body } }
	in := []ev{
		{"response.created", fixed(`"response":{"id":"resp_1","object":"response","status":"in_progress","output":[]}`), "", ""},
		{"response.output_text.delta", textDelta, text[:16], "Qz3xY"},
		{"response.output_text.delta", textDelta, text[16:], "aB"},
		{"response.output_text.done", func(d, _ string) string {
			return `"item_id":"msg_1","output_index":0,"content_index":0,"text":` + jsonStr(d) + `,"logprobs":[]`
		}, text, ""},
		{"response.function_call_arguments.delta", argsDelta, args, "k3"},
		{"response.completed", fixed(`"response":{"id":"resp_1","object":"response","status":"completed","output":[]}`), "", ""},
	}
	mk := func(e ev, d string, seq int) string {
		return `{"type":"` + e.typ + `","sequence_number":` + fmt.Sprint(seq) + `,` + e.body(d, e.obf) + `}`
	}
	var raw strings.Builder
	for i, e := range in {
		raw.WriteString("event: " + e.typ + "\ndata: " + mk(e, e.d, i) + "\n\n")
	}
	s, _ := newTestScrubber(t)
	out := runStream(t, s, raw.String())
	r12Leaks(t, "responses", out)

	var gotText, doneText, gotArgs string
	shift, i := 0, 0
	for seq, data := range r12Data(t, out) {
		var m map[string]any
		if err := json.Unmarshal(data, &m); err != nil {
			t.Fatalf("event %d is not JSON: %s", seq, data)
		}
		if n, _ := m["sequence_number"].(float64); int(n) != seq {
			t.Fatalf("event %d has sequence_number %v, want %d (unique, increasing, no gaps):\n%s", seq, m["sequence_number"], seq, out)
		}
		d := str(m["delta"]) + str(m["text"]) // the text an event carries
		switch m["type"] {
		case "response.output_text.delta":
			gotText += d
		case "response.function_call_arguments.delta":
			gotArgs += d
		case "response.output_text.done":
			doneText = d
		}
		if i < len(in) && m["type"] == in[i].typ && string(data) == mk(in[i], d, i+shift) {
			i++ // an upstream event, unchanged but for its text and number
			continue
		}
		// A synthetic event: the frame of its field (the upstream event before
		// it of the same type) with the rest of the text, its own number and no
		// padding.
		frame := 2
		if m["type"] == "response.function_call_arguments.delta" {
			frame = 4
		}
		want := mk(ev{in[frame].typ, in[frame].body, "", ""}, d, seq)
		if i <= frame || string(data) != want {
			t.Fatalf("event %d is neither the upstream's %s nor a synthetic delta:\n got %s\nwant %s", seq, in[min(i, len(in)-1)].typ, data, want)
		}
		shift++
	}
	if i != len(in) || shift != 2 {
		t.Fatalf("%d of %d upstream events, %d synthetic (want 2):\n%s", i, len(in), shift, out)
	}
	if want := wantRedacted(t, text, scanner.ModeText); gotText != want || doneText != want {
		t.Fatalf("deltas %q, done %q, want %q", gotText, doneText, want)
	}
	if gotArgs != args {
		t.Fatalf("arguments %q, want %q", gotArgs, args)
	}

	// An abnormal end: the mask event takes the next number too.
	var ab bytes.Buffer
	st := s.NewStream(&ab)
	for i, e := range in[:2] {
		if err := st.Event(&sse.Event{Name: e.typ, Data: []byte(mk(e, e.d, i)), HasData: true}); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.Abort(); err != nil {
		t.Fatal(err)
	}
	evs := r12Data(t, ab.String())
	if want := mk(ev{in[1].typ, textDelta, "", ""}, AbortMask, 2); len(evs) != 3 || string(evs[2]) != want {
		t.Fatalf("abort: got\n%s\nwant last event %s", ab.String(), want)
	}
}

// memberSpan cuts a member out of an object with one separating comma, wherever
// the member is.
func TestR12MemberSpan(t *testing.T) {
	for _, c := range []struct{ in, name, want string }{
		{`{"a":1,"obfuscation":"x","b":2}`, "obfuscation", `{"a":1,"b":2}`},
		{`{"a":1, "obfuscation" : "x" }`, "obfuscation", `{"a":1 }`},
		{`{"obfuscation":"x", "a":1}`, "obfuscation", `{"a":1}`},
		{`{ "obfuscation":"x" }`, "obfuscation", `{}`},
	} {
		root, err := parseTree([]byte(c.in))
		if err != nil {
			t.Fatal(err)
		}
		i := slices.Index(root.keys, c.name)
		start, end := memberSpan(root, i, []byte(c.in))
		got := c.in[:start] + c.in[end:]
		if got != c.want || !json.Valid([]byte(got)) {
			t.Fatalf("%s without %s: %s, want %s", c.in, c.name, got, c.want)
		}
	}
}

// vLLM's return_token_ids adds the generated token ids to every chunk's choice: the
// ids of a held or replaced piece spell it for anyone with the model's (public)
// tokenizer, so they are emptied as its logprobs are; other chunks keep theirs.
func TestR12VLLMTokenIDsFollowTheText(t *testing.T) {
	head := `{"id":"chatcmpl-8","object":"chat.completion.chunk","created":1,"model":"Qwen/Qwen3-8B","choices":[{"index":0,`
	toks := []string{"The", " key", " is", " AKIA", "ZQ7R", "T2MX", "KW3L", "NP4V", ". Done. "}
	var in strings.Builder
	for i, tok := range toks {
		in.WriteString("data: " + head + `"delta":{"content":` + jsonStr(tok) + `},"logprobs":null,"finish_reason":null,"token_ids":[` + fmt.Sprint(9000+i) + `]}]}` + "\n\n")
	}
	in.WriteString("data: [DONE]\n\n")
	s, _ := newTestScrubber(t)
	out := runStream(t, s, in.String())
	r12Leaks(t, "token ids", out)
	emptied := 0
	for _, data := range r12Data(t, out) {
		var m map[string]any
		if json.Unmarshal(data, &m) != nil {
			continue
		}
		ids, ok := dig(m, "choices", 0).(map[string]any)["token_ids"].([]any)
		if !ok {
			continue
		}
		text := str(dig(m, "choices", 0, "delta", "content"))
		switch {
		case len(ids) == 0:
			emptied++
		case len(ids) != 1 || toks[int(ids[0].(float64))-9000] != text:
			// ids kept only with the very text they spell
			t.Errorf("chunk with text %q keeps token ids %v", text, ids)
		}
	}
	for i := 3; i <= 7; i++ { // the key's chunks: their ids must be gone
		if strings.Contains(out, `"token_ids":[`+fmt.Sprint(9000+i)+`]`) {
			t.Errorf("the ids of the key's piece %q reach the client", toks[i])
		}
	}
	if emptied < 5 {
		t.Errorf("%d chunks had their ids emptied; want at least the key's five:\n%s", emptied, out)
	}
}
