package providers

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"strings"
	"testing"

	"github.com/scrubgate/scrubgate/providers/sse"
	"github.com/scrubgate/scrubgate/scanner"
)

// splitRunes cuts s into pieces at the given byte cuts (moved to rune starts).
func splitAt(s string, cuts ...int) []string {
	var out []string
	prev := 0
	for _, c := range cuts {
		for c < len(s) && c > prev && !isRuneStart(s[c]) {
			c++
		}
		if c <= prev || c >= len(s) {
			continue
		}
		out = append(out, s[prev:c])
		prev = c
	}
	return append(out, s[prev:])
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }

func randomPieces(r *rand.Rand, s string, maxLen int) []string {
	var cuts []int
	for at := 0; at < len(s); {
		at += 1 + r.Intn(maxLen)
		cuts = append(cuts, at)
	}
	return splitAt(s, cuts...)
}

func jsonStr(s string) string { b, _ := json.Marshal(s); return string(b) }

func chatStream(pieces []string, toolArgs []string) string {
	var b strings.Builder
	head := `{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1700000000,"model":"gpt-x","choices":[{"index":0,`
	b.WriteString("data: " + head + `"delta":{"role":"assistant","content":""},"finish_reason":null}]}` + "\n\n")
	for _, p := range pieces {
		b.WriteString("data: " + head + `"delta":{"content":` + jsonStr(p) + `},"logprobs":null,"finish_reason":null}]}` + "\n\n")
	}
	if toolArgs != nil {
		b.WriteString("data: " + head + `"delta":{"tool_calls":[{"index":0,"id":"call_abc","type":"function","function":{"name":"run_shell","arguments":""}}]},"finish_reason":null}]}` + "\n\n")
		for _, p := range toolArgs {
			b.WriteString("data: " + head + `"delta":{"tool_calls":[{"index":0,"function":{"arguments":` + jsonStr(p) + `}}]},"finish_reason":null}]}` + "\n\n")
		}
	}
	b.WriteString("data: " + head + `"delta":{},"finish_reason":"stop"}]}` + "\n\n")
	b.WriteString("data: [DONE]\n\n")
	return b.String()
}

// runStream passes a raw SSE stream through a Stream, event by event.
func runStream(t testing.TB, s *Scrubber, in string) string {
	t.Helper()
	var out bytes.Buffer
	st := s.NewStream(&out)
	rd := sse.NewReader(strings.NewReader(in), 0)
	for {
		ev, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("reading the input stream: %v", err)
		}
		if err := st.Event(ev); err != nil {
			t.Fatalf("Event: %v", err)
		}
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

// events parses a rewritten stream back into its JSON payloads.
func events(t testing.TB, out string) []map[string]any {
	t.Helper()
	rd := sse.NewReader(strings.NewReader(out), 0)
	var evs []map[string]any
	for {
		ev, err := rd.Next()
		if err == io.EOF {
			return evs
		}
		if err != nil {
			t.Fatalf("output stream: %v", err)
		}
		if string(ev.Data) == "[DONE]" {
			evs = append(evs, map[string]any{"done": true})
			continue
		}
		var m map[string]any
		if err := json.Unmarshal(ev.Data, &m); err != nil {
			t.Fatalf("output event is not JSON: %v: %q", err, ev.Data)
		}
		if ev.Name != "" {
			m["_event"] = ev.Name
		}
		evs = append(evs, m)
	}
}

func dig(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v = m[k]
		case int:
			a, ok := v.([]any)
			if !ok || k >= len(a) {
				return nil
			}
			v = a[k]
		}
	}
	return v
}

func str(v any) string { s, _ := v.(string); return s }

// wantRedacted is what the one-shot redaction of the whole text gives.
func wantRedacted(t testing.TB, text string, mode scanner.Mode) string {
	return string(testScanner(t).RedactMode([]byte(text), mode, func(f scanner.Finding) []byte { return []byte(handleFor(&f)) }))
}

const chatText = "Sure. Your token is %s and the AWS key is %s — keep them safe.\nDone ✓"

func TestStreamChatSplitAtEveryOffset(t *testing.T) {
	secrets := testSecrets()
	text := fmt.Sprintf(chatText, secrets[0], secrets[2])
	want := wantRedacted(t, text, scanner.ModeText)
	if strings.Contains(want, secrets[0]) {
		t.Fatal("fixture: whole-text redaction misses the token")
	}
	s, _ := newTestScrubber(t)
	for cut := 1; cut < len(text); cut++ {
		out := runStream(t, s, chatStream(splitAt(text, cut), nil))
		assertNoSecret(t, fmt.Sprintf("cut %d", cut), []byte(out), secrets...)
		var got strings.Builder
		for _, ev := range events(t, out) {
			got.WriteString(str(dig(ev, "choices", 0, "delta", "content")))
		}
		if got.String() != want {
			t.Fatalf("cut %d: client text\n got %q\nwant %q", cut, got.String(), want)
		}
	}
}

func TestStreamChatRandomChunkingAndToolCalls(t *testing.T) {
	secrets := testSecrets()
	text := fmt.Sprintf(chatText, secrets[1], secrets[3])
	args := `{"command":"curl -H \"Authorization: Bearer ` + secrets[0] + `\" https://api.example.com","note":"a\nb \u00e9"}`
	wantText := wantRedacted(t, text, scanner.ModeText)
	wantArgs := wantRedacted(t, args, scanner.ModeJSON)
	r := rand.New(rand.NewSource(7))
	s, rec := newTestScrubber(t)
	for i := 0; i < 200; i++ {
		rec.hits = nil
		out := runStream(t, s, chatStream(randomPieces(r, text, 12), randomPieces(r, args, 9)))
		assertNoSecret(t, "random", []byte(out), secrets...)
		var gotText, gotArgs strings.Builder
		evs := events(t, out)
		for _, ev := range evs {
			gotText.WriteString(str(dig(ev, "choices", 0, "delta", "content")))
			gotArgs.WriteString(str(dig(ev, "choices", 0, "delta", "tool_calls", 0, "function", "arguments")))
		}
		if gotText.String() != wantText || gotArgs.String() != wantArgs {
			t.Fatalf("round %d:\ntext %q\nwant %q\nargs %q\nwant %q", i, gotText.String(), wantText, gotArgs.String(), wantArgs)
		}
		var parsed map[string]any
		if err := json.Unmarshal([]byte(gotArgs.String()), &parsed); err != nil {
			t.Fatalf("client arguments are not JSON: %v", err)
		}
		// The first tool-call delta (id, name) is never held.
		found := false
		for _, ev := range evs {
			if str(dig(ev, "choices", 0, "delta", "tool_calls", 0, "id")) == "call_abc" {
				found = str(dig(ev, "choices", 0, "delta", "tool_calls", 0, "function", "name")) == "run_shell"
			}
		}
		if !found {
			t.Fatal("tool call id and name did not reach the client")
		}
		for _, h := range rec.hits {
			if !strings.Contains(h.Location, "choices[0].delta") {
				t.Fatalf("hit location %q", h.Location)
			}
		}
	}
}

func TestStreamForwardsOrdinaryTextAtOnce(t *testing.T) {
	s, _ := newTestScrubber(t)
	var out bytes.Buffer
	st := s.NewStream(&out)
	head := `{"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":`
	send := func(piece string) string {
		out.Reset()
		if err := st.Event(&sse.Event{Data: []byte(head + jsonStr(piece) + `}}]}`), HasData: true}); err != nil {
			t.Fatal(err)
		}
		evs := events(t, out.String())
		if len(evs) != 1 {
			t.Fatalf("want one event per event, got %d", len(evs))
		}
		return str(dig(evs[0], "choices", 0, "delta", "content"))
	}
	if got := send("Hello, world. "); got != "Hello, world. " {
		t.Fatalf("text ending at a space must pass at once, got %q", got)
	}
	if got := send("The answer is"); got != "The answer " {
		t.Fatalf("only the trailing word may be held, got %q", got)
	}
	if got := send(" 42.\n"); got != "is 42.\n" {
		t.Fatalf("held word must come with the next piece, got %q", got)
	}
}

func TestStreamAbortMasksHeldTail(t *testing.T) {
	tok := testSecrets()[0]
	s, _ := newTestScrubber(t)
	var out bytes.Buffer
	st := s.NewStream(&out)
	ev := `{"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"token: ` + tok[:20] + `"}}]}`
	if err := st.Event(&sse.Event{Data: []byte(ev), HasData: true}); err != nil {
		t.Fatal(err)
	}
	if err := st.Abort(); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), tok[:8]) {
		t.Fatalf("a held partial token was flushed on abort: %s", out.String())
	}
	if !strings.Contains(out.String(), AbortMask) {
		t.Fatalf("abort must write the mask: %s", out.String())
	}
}

func anthropicStream(pieces, jsonPieces []string) string {
	var b strings.Builder
	ev := func(name, data string) { b.WriteString("event: " + name + "\ndata: " + data + "\n\n") }
	ev("message_start", `{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","content":[],"model":"claude","stop_reason":null,"usage":{"input_tokens":3,"output_tokens":1}}}`)
	ev("content_block_start", `{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}`)
	ev("ping", `{"type": "ping"}`)
	for _, p := range pieces {
		ev("content_block_delta", `{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":`+jsonStr(p)+`}}`)
	}
	ev("content_block_stop", `{"type":"content_block_stop","index":0}`)
	ev("content_block_start", `{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_1","name":"bash","input":{}}}`)
	for _, p := range jsonPieces {
		ev("content_block_delta", `{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":`+jsonStr(p)+`}}`)
	}
	ev("content_block_stop", `{"type":"content_block_stop","index":1}`)
	ev("message_delta", `{"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":15}}`)
	ev("message_stop", `{"type":"message_stop"}`)
	return b.String()
}

func TestStreamAnthropic(t *testing.T) {
	secrets := testSecrets()
	text := fmt.Sprintf(chatText, secrets[2], secrets[0])
	input := `{"command":"echo ` + secrets[1] + `"}`
	wantText, wantInput := wantRedacted(t, text, scanner.ModeText), wantRedacted(t, input, scanner.ModeJSON)
	r := rand.New(rand.NewSource(3))
	s, _ := newTestScrubber(t)
	for i := 0; i < 100; i++ {
		out := runStream(t, s, anthropicStream(randomPieces(r, text, 10), randomPieces(r, input, 7)))
		assertNoSecret(t, "anthropic", []byte(out), secrets...)
		var gotText, gotInput strings.Builder
		var lastStop = -1
		for j, ev := range events(t, out) {
			switch ev["type"] {
			case "content_block_delta":
				if lastStop >= 0 && dig(ev, "index") == float64(0) {
					t.Fatal("a delta of block 0 came after its content_block_stop")
				}
				gotText.WriteString(str(dig(ev, "delta", "text")))
				gotInput.WriteString(str(dig(ev, "delta", "partial_json")))
			case "content_block_stop":
				if dig(ev, "index") == float64(0) {
					lastStop = j
				}
			}
			if ev["_event"] != ev["type"] {
				t.Fatalf("event name %v does not match type %v", ev["_event"], ev["type"])
			}
		}
		if gotText.String() != wantText || gotInput.String() != wantInput {
			t.Fatalf("round %d:\n got %q %q\nwant %q %q", i, gotText.String(), gotInput.String(), wantText, wantInput)
		}
	}
}

func responsesStream(pieces []string, full string) string {
	var b strings.Builder
	seq := 0
	ev := func(name, data string) {
		seq++
		b.WriteString("event: " + name + "\ndata: " + strings.Replace(data, "{", fmt.Sprintf(`{"sequence_number":%d,`, seq), 1) + "\n\n")
	}
	ev("response.created", `{"type":"response.created","response":{"id":"resp_1","status":"in_progress","output":[]}}`)
	ev("response.output_item.added", `{"type":"response.output_item.added","output_index":0,"item":{"id":"msg_1","type":"message","status":"in_progress","role":"assistant","content":[]}}`)
	ev("response.content_part.added", `{"type":"response.content_part.added","item_id":"msg_1","output_index":0,"content_index":0,"part":{"type":"output_text","text":"","annotations":[]}}`)
	for _, p := range pieces {
		ev("response.output_text.delta", `{"type":"response.output_text.delta","item_id":"msg_1","output_index":0,"content_index":0,"delta":`+jsonStr(p)+`,"logprobs":[]}`)
	}
	ev("response.output_text.done", `{"type":"response.output_text.done","item_id":"msg_1","output_index":0,"content_index":0,"text":`+jsonStr(full)+`,"logprobs":[]}`)
	part := `{"type":"output_text","text":` + jsonStr(full) + `,"annotations":[]}`
	ev("response.content_part.done", `{"type":"response.content_part.done","item_id":"msg_1","output_index":0,"content_index":0,"part":`+part+`}`)
	item := `{"id":"msg_1","type":"message","status":"completed","role":"assistant","content":[` + part + `]}`
	ev("response.output_item.done", `{"type":"response.output_item.done","output_index":0,"item":`+item+`}`)
	ev("response.completed", `{"type":"response.completed","response":{"id":"resp_1","status":"completed","output":[`+item+`],"usage":{"input_tokens":1}}}`)
	return b.String()
}

func TestStreamResponsesDoneEventsAgreeWithDeltas(t *testing.T) {
	secrets := testSecrets()
	text := fmt.Sprintf(chatText, secrets[3], secrets[1])
	r := rand.New(rand.NewSource(11))
	s, _ := newTestScrubber(t)
	for i := 0; i < 100; i++ {
		out := runStream(t, s, responsesStream(randomPieces(r, text, 15), text))
		assertNoSecret(t, "responses", []byte(out), secrets...)
		var deltas strings.Builder
		var done, partDone, itemDone, completed string
		for _, ev := range events(t, out) {
			switch ev["type"] {
			case "response.output_text.delta":
				deltas.WriteString(str(ev["delta"]))
			case "response.output_text.done":
				done = str(ev["text"])
			case "response.content_part.done":
				partDone = str(dig(ev, "part", "text"))
			case "response.output_item.done":
				itemDone = str(dig(ev, "item", "content", 0, "text"))
			case "response.completed":
				completed = str(dig(ev, "response", "output", 0, "content", 0, "text"))
			}
		}
		if deltas.String() != done || done != partDone || done != itemDone || done != completed {
			t.Fatalf("round %d: the full-text events disagree with the deltas:\ndeltas %q\ndone %q\npart %q\nitem %q\ncompleted %q",
				i, deltas.String(), done, partDone, itemDone, completed)
		}
	}
}

func TestStreamDeltasClassifies(t *testing.T) {
	cases := []struct {
		name, data string
		keys       []string
		ends       Ends
	}{
		{"", `{"id":"x","choices":[{"index":1,"delta":{"reasoning_content":"hm","content":"a"}}]}`, []string{"chat/x/1/content", "chat/x/1/reasoning_content"}, Ends{Prefixes: []string{"chat/x/1/reasoning"}}},
		{"", `{"id":"x","choices":[{"index":0,"delta":{"tool_calls":[{"index":2,"function":{"arguments":"{"}}]},"finish_reason":"tool_calls"}]}`, []string{"chat/x/0/tool/2/arguments"}, Ends{Prefixes: []string{"chat/x/0/"}}},
		{"", `{"id":"y","object":"text_completion","choices":[{"index":0,"text":"hi","finish_reason":null}]}`, []string{"chat/y/0/text"}, Ends{}},
		{"content_block_delta", `{"type":"content_block_delta","index":3,"delta":{"type":"thinking_delta","thinking":"t"}}`, []string{"messages/3/thinking_delta"}, Ends{}},
		{"content_block_delta", `{"type":"content_block_delta","index":3,"delta":{"type":"signature_delta","signature":"s"}}`, nil, Ends{}},
		{"", `{"type":"response.function_call_arguments.delta","item_id":"fc_1","output_index":1,"delta":"{\"a"}`, []string{"responses/function_call_arguments/fc_1/1//"}, Ends{}},
		{"", `{"type":"response.reasoning_summary_text.delta","item_id":"rs","output_index":0,"summary_index":0,"delta":"x"}`, []string{"responses/reasoning_summary_text/rs/0//0"}, Ends{}},
		{"", `{"type":"response.audio.delta","delta":"AAAA"}`, nil, Ends{}},
		{"error", `{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`, nil, Ends{All: true, Abnormal: true}},
		{"", `[DONE]`, nil, Ends{All: true}},
	}
	for _, c := range cases {
		ds, ends, err := StreamDeltas(c.name, []byte(c.data))
		if err != nil {
			t.Fatalf("%s: %v", c.data, err)
		}
		var keys []string
		for _, d := range ds {
			keys = append(keys, d.Key)
			if c.data[d.Start:d.End] != jsonStr(d.Text) {
				t.Errorf("%s: span %q does not hold %q", c.data, c.data[d.Start:d.End], d.Text)
			}
		}
		if fmt.Sprint(keys) != fmt.Sprint(c.keys) || fmt.Sprint(ends) != fmt.Sprint(c.ends) {
			t.Errorf("%s:\n got %v %+v\nwant %v %+v", c.data, keys, ends, c.keys, c.ends)
		}
	}
}

// FuzzStream: any sequence of events is rewritten without panic into a stream
// that parses, and valid JSON payloads stay valid JSON.
func FuzzStream(f *testing.F) {
	f.Add(chatStream([]string{"hel", "lo ghp_"}, []string{`{"a":`, `"b"}`}))
	f.Add(anthropicStream([]string{"x"}, []string{`{"c":1}`}))
	f.Add(responsesStream([]string{"a", "b"}, "ab"))
	f.Add("data: {\"choices\":[{\"delta\":{\"content\":\"\\u00\"}}]}\n\n")
	sc := testScanner(f)
	f.Fuzz(func(t *testing.T, in string) {
		s := &Scrubber{Scanner: sc, Handle: handleFor}
		var out bytes.Buffer
		st := s.NewStream(&out)
		rd := sse.NewReader(strings.NewReader(in), 1<<16)
		ended := false
		for !ended {
			ev, err := rd.Next()
			if err != nil {
				break
			}
			if err := st.Event(ev); err != nil {
				if !errors.Is(err, ErrUnscannable) {
					t.Fatalf("Event: %v", err)
				}
				// An event that cannot be indexed ends the stream, as the
				// transport ends it.
				if err := st.Fail("scrubgate_blocked", "scrubgate could not scan the stream, so it was ended"); err != nil {
					t.Fatal(err)
				}
				ended = true
			}
		}
		if !ended {
			if err := st.Close(); err != nil {
				t.Fatal(err)
			}
		}
		rd = sse.NewReader(bytes.NewReader(out.Bytes()), 1<<20)
		for {
			ev, err := rd.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("output does not parse: %v", err)
			}
			if len(ev.Data) > 0 && ev.Data[0] == '{' && !json.Valid(ev.Data) && json.Valid(bytes.TrimSpace(ev.Data)) {
				t.Fatalf("invalid JSON out: %q", ev.Data)
			}
		}
	})
}

func TestStreamLogprobsNeverCarryHeldText(t *testing.T) {
	tok := testSecrets()[0]
	text := "the key " + tok + " ok\n"
	var b strings.Builder
	for _, p := range splitAt(text, 8, 12, 20, 30, 44) {
		ps := jsonStr(p)
		b.WriteString("data: " + `{"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":` + ps + `},"logprobs":{"content":[{"token":` + ps + `,"logprob":-1,"bytes":null,"top_logprobs":[]}]},"finish_reason":null}]}` + "\n\n")
	}
	b.WriteString("data: [DONE]\n\n")
	s, _ := newTestScrubber(t)
	out := runStream(t, s, b.String())
	for _, p := range splitAt(text, 8, 12, 20, 30, 44)[1:4] {
		if strings.Contains(out, jsonStr(p)) {
			t.Fatalf("a piece of the token reached the client through logprobs: %s", out)
		}
	}
	assertNoSecret(t, "logprobs stream", []byte(out), tok)
}
