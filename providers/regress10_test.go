package providers

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

func chop(s string, n int) []string {
	var out []string
	for len(s) > n {
		out = append(out, s[:n])
		s = s[n:]
	}
	return append(out, s)
}

func serve(t *testing.T, s *Scrubber, path, ct string, body io.ReadCloser) string {
	t.Helper()
	tr := &Transport{Scrubber: s, Base: rtFunc(func(r *http.Request) (*http.Response, error) {
		h := http.Header{}
		if ct != "" {
			h.Set("Content-Type", ct)
		}
		return &http.Response{StatusCode: 200, Header: h, Body: body, Request: r}, nil
	})}
	req, _ := http.NewRequest("POST", "http://up"+path, strings.NewReader(`{"stream":true}`))
	resp, err := tr.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	return string(got)
}

// ---- logprobs -------------------------------------------------------------

// Responses API logprobs (output[].content[].logprobs, and the logprobs of every
// response.output_text.delta) are never joined: the token spells out the secret.
func TestR3ResponsesLogprobs(t *testing.T) {
	tok := ghToken("Ab3dE5")
	pieces := append([]string{"key "}, chop(tok, 3)...)
	var lps []string
	for _, p := range pieces {
		lps = append(lps, `{"token":`+jsonStr(p)+`,"bytes":[1],"logprob":-0.1,"top_logprobs":[]}`)
	}
	body := `{"id":"resp_1","object":"response","output":[{"type":"message","id":"msg_1","role":"assistant","content":[{"type":"output_text","text":"ok","annotations":[],"logprobs":[` + strings.Join(lps, ",") + `]}]}]}`
	s, _ := newTestScrubber(t)
	out, _, _ := s.Body(Response, []byte(body))
	var m map[string]any
	json.Unmarshal(out, &m)
	var joined strings.Builder
	for i := range pieces {
		joined.WriteString(str(dig(m, "output", 0, "content", 0, "logprobs", i, "token")))
	}
	if strings.Contains(joined.String(), tok) {
		t.Errorf("body: tokens spell %q", joined.String())
	}
	var in strings.Builder
	for i, p := range pieces {
		in.WriteString("event: response.output_text.delta\ndata: " + `{"type":"response.output_text.delta","item_id":"msg_1","output_index":0,"content_index":0,"delta":` + jsonStr(p) + `,"logprobs":[` + lps[i] + `],"sequence_number":` + fmt.Sprint(i+1) + "}\n\n")
	}
	in.WriteString("event: response.output_text.done\ndata: " + `{"type":"response.output_text.done","item_id":"msg_1","output_index":0,"content_index":0,"text":"x","logprobs":[]}` + "\n\n")
	joined.Reset()
	for _, ev := range events(t, runStream(t, s, in.String())) {
		joined.WriteString(str(dig(ev, "logprobs", 0, "token")))
	}
	if strings.Contains(joined.String(), tok) {
		t.Errorf("stream: delta logprobs spell %q", joined.String())
	}
}

// Legacy completions stream: a held text fragment escapes through logprobs.tokens
// (streamTokenEdits handles chat content/refusal only).
func TestR3LegacyCompletionStreamLogprobs(t *testing.T) {
	tok := ghToken("Ab3dE5")
	var in strings.Builder
	for _, p := range []string{"key ", tok[:20], tok[20:], " ok"} {
		in.WriteString(`data: {"id":"cmpl-1","object":"text_completion","choices":[{"index":0,"text":` + jsonStr(p) + `,"logprobs":{"tokens":[` + jsonStr(p) + `],"token_logprobs":[-0.1],"top_logprobs":null,"text_offset":[0]},"finish_reason":null}]}` + "\n\n")
	}
	in.WriteString(`data: {"id":"cmpl-1","object":"text_completion","choices":[{"index":0,"text":"","logprobs":null,"finish_reason":"stop"}]}` + "\n\ndata: [DONE]\n\n")
	s, _ := newTestScrubber(t)
	var joined strings.Builder
	for _, ev := range events(t, runStream(t, s, in.String())) {
		joined.WriteString(str(dig(ev, "choices", 0, "logprobs", "tokens", 0)))
	}
	if strings.Contains(joined.String(), tok) {
		t.Errorf("tokens spell %q", joined.String())
	}
}

// A chat completion with logprobs over the parse-tree node budget (2^18) gets no
// tree, so its token list is not joined: with top_logprobs=20 that is ~3,100 tokens.
func TestR3LogprobsOverNodeBudget(t *testing.T) {
	tok := ghToken("Ab3dE5")
	for _, c := range []struct{ n, top int }{{2500, 20}, {3200, 20}, {12000, 5}} {
		var alts []string
		for k := 0; k < c.top; k++ {
			alts = append(alts, `{"token":"a","logprob":-1,"bytes":[97]}`)
		}
		top := "[" + strings.Join(alts, ",") + "]"
		var b bytes.Buffer
		b.WriteString(`{"id":"chatcmpl-1","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"x"},"logprobs":{"content":[`)
		pieces := chop(" "+tok, 3)
		for i := 0; i < c.n; i++ {
			if i > 0 {
				b.WriteByte(',')
			}
			p := " w"
			if i >= 100 && i < 100+len(pieces) {
				p = pieces[i-100]
			}
			b.WriteString(`{"token":` + jsonStr(p) + `,"logprob":-0.5,"bytes":[1,2],"top_logprobs":` + top + `}`)
		}
		b.WriteString(`],"refusal":null},"finish_reason":"stop"}]}`)
		s, _ := newTestScrubber(t)
		out, _, err := s.Body(Response, b.Bytes())
		if errors.Is(err, ErrUnscannable) {
			continue // refused whole: nothing reaches the client (fail closed)
		}
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		json.Unmarshal(out, &m)
		var joined strings.Builder
		for i := 100; i < 100+len(pieces); i++ {
			joined.WriteString(str(dig(m, "choices", 0, "logprobs", "content", i, "token")))
		}
		leak := strings.Contains(joined.String(), tok)
		t.Logf("%d tokens, top_logprobs=%d (%d KiB): tokens spell the secret: %v", c.n, c.top, b.Len()>>10, leak)
		if leak {
			t.Errorf("%d tokens, top_logprobs=%d: secret reassembled from tokens", c.n, c.top)
		}
	}
}

// ---- skip-list shapes inside model-written tool input -----------------------

func TestR3SkipShapeInsideToolInput(t *testing.T) {
	tok := ghToken("Ab3dE5")
	aws := "AKIAQ3ZR7TLMXW2KJ5NP"
	cases := map[string]string{
		"anthropic tool_use input {type:thinking,signature}": `{"type":"message","role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"http","input":{"type":"thinking","signature":"` + tok + `"}}]}`,
		"chat tool args {type:thinking,signature}":           `{"choices":[{"message":{"role":"assistant","tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":` + jsonStr(`{"type":"thinking","signature":"`+tok+`"}`) + `}}]}}]}`,
		"chat tool args {input_audio:{data}}":                `{"choices":[{"message":{"role":"assistant","tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":` + jsonStr(`{"input_audio":{"data":"`+aws+`"}}`) + `}}]}}]}`,
		"anthropic tool_use input {url:data:image/png}":      `{"type":"message","role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"http","input":{"url":"data:image/png;base64,` + aws + `"}}]}`,
	}
	for name, body := range cases {
		s, _ := newTestScrubber(t)
		out, _, _ := s.Body(Response, []byte(body))
		if strings.Contains(string(out), tok) || strings.Contains(string(out), aws) {
			t.Errorf("%s: passed: %s", name, out)
		}
	}
	// Responses stream: the argument deltas are redacted, the .done repeats are not.
	args := `{"type":"thinking","signature":"` + tok + `"}`
	in := "event: response.function_call_arguments.delta\ndata: " + `{"type":"response.function_call_arguments.delta","item_id":"fc_1","output_index":0,"delta":` + jsonStr(args) + "}\n\n" +
		"event: response.function_call_arguments.done\ndata: " + `{"type":"response.function_call_arguments.done","item_id":"fc_1","output_index":0,"arguments":` + jsonStr(args) + "}\n\n"
	s, _ := newTestScrubber(t)
	if out := runStream(t, s, in); strings.Contains(out, tok) {
		t.Errorf("responses stream: deltas redacted, .done carries the token:\n%s", out)
	}
}

// ---- stream detection ---------------------------------------------------------

func TestR3SniffMissesLegalSSEStarts(t *testing.T) {
	tok := ghToken("Ab3dE5")
	evs := `data: {"id":"c1","choices":[{"index":0,"delta":{"content":"token ` + tok[:20] + `"}}]}` + "\n\n" +
		`data: {"id":"c1","choices":[{"index":0,"delta":{"content":"` + tok[20:] + ` ok"}}]}` + "\n\n" +
		`data: {"id":"c1","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}` + "\n\ndata: [DONE]\n\n"
	for _, c := range []struct{ ct, prefix string }{
		{"", "retry: 3000\n\n"},
		{"", "id: 1\n"},
		{"text/plain", "\n"},
		{"application/json", ""},
	} {
		s, _ := newTestScrubber(t)
		got := serve(t, s, "/v1/chat/completions", c.ct, io.NopCloser(strings.NewReader(c.prefix+evs)))
		if strings.Contains(got, "token "+tok[:20]) && strings.Contains(got, tok[20:]+" ok") {
			t.Errorf("Content-Type %q, stream starting %q: both halves forwarded unchanged", c.ct, c.prefix)
		}
	}
}

// Mistral reasoning models stream delta.content as an array of parts.
func TestR3ChatArrayContent(t *testing.T) {
	tok := ghToken("Ab3dE5")
	mk := func(part func(string) string) string {
		return `data: {"id":"c1","object":"chat.completion.chunk","model":"magistral-medium-latest","choices":[{"index":0,"delta":{"content":[` + part("token "+tok[:20]) + `]}}]}` + "\n\n" +
			`data: {"id":"c1","object":"chat.completion.chunk","model":"magistral-medium-latest","choices":[{"index":0,"delta":{"content":[` + part(tok[20:]+" ok") + `]}}]}` + "\n\n" +
			`data: {"id":"c1","object":"chat.completion.chunk","model":"magistral-medium-latest","choices":[{"index":0,"delta":{"content":""},"finish_reason":"stop"}]}` + "\n\ndata: [DONE]\n\n"
	}
	for name, in := range map[string]string{
		"text": mk(func(s string) string { return `{"type":"text","text":` + jsonStr(s) + `}` }),
		"thinking": mk(func(s string) string {
			return `{"type":"thinking","thinking":[{"type":"text","text":` + jsonStr(s) + `}]}`
		}),
	} {
		s, _ := newTestScrubber(t)
		out := runStream(t, s, in)
		if strings.Contains(out, tok[:20]) && strings.Contains(out, tok[20:]) {
			t.Errorf("%s parts: both halves reach the client", name)
		}
	}
}

// ---- stream endings -------------------------------------------------------------

func TestR3NDJSONFailIsSSE(t *testing.T) {
	s, _ := newTestScrubber(t)
	body := `{"model":"llama3","message":{"role":"assistant","content":"hello "},"done":false}` + "\n" +
		`{"model":"llama3","message":{"role":"assistant","content":"world"},"done":false}` + "\n"
	got := serve(t, s, "/api/chat", "application/x-ndjson", &failAfter{strings.NewReader(body), fmt.Errorf("connection reset")})
	for _, line := range strings.Split(strings.TrimSpace(got), "\n") {
		if line != "" && !json.Valid([]byte(line)) {
			t.Fatalf("NDJSON body has a non-JSON line %q:\n%s", line, got)
		}
	}
}

func TestR3ErrorAfterTerminator(t *testing.T) {
	s, _ := newTestScrubber(t)
	body := "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"m\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[]}}\n\n" +
		"event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"hello\"}}\n\n" +
		"event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n" +
		"event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"
	got := serve(t, s, "/v1/messages", "text/event-stream", &failAfter{strings.NewReader(body), io.ErrUnexpectedEOF})
	if i := strings.Index(got, "event: message_stop"); strings.Contains(got[i:], "event: error") {
		t.Fatalf("error event after message_stop:\n%s", got[i:])
	}
}

// Chat fields close only at finish_reason: the reasoning's held tail is sent after
// the answer has started.
func TestR3ReasoningTailAfterContent(t *testing.T) {
	in := `data: {"id":"c1","choices":[{"index":0,"delta":{"reasoning_content":"The user wants the capital. Answer Paris"}}]}` + "\n\n" +
		`data: {"id":"c1","choices":[{"index":0,"delta":{"content":"The capital of France is Paris."}}]}` + "\n\n" +
		`data: {"id":"c1","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}` + "\n\ndata: [DONE]\n\n"
	s, _ := newTestScrubber(t)
	var order []string
	for _, ev := range events(t, runStream(t, s, in)) {
		if r := str(dig(ev, "choices", 0, "delta", "reasoning_content")); r != "" {
			order = append(order, "R:"+r)
		}
		if c := str(dig(ev, "choices", 0, "delta", "content")); c != "" {
			order = append(order, "C:"+c)
		}
	}
	if strings.HasPrefix(order[len(order)-1], "R:") {
		t.Errorf("client sees %q", order)
	}
}

// ---- request bodies ----------------------------------------------------------------

func TestR3TransportQuery(t *testing.T) {
	tok := ghToken("Ab3dE5")
	enc := "ghp_%41" + tok[5:] // decodes to tok
	for _, q := range []string{tok, tok + "=1", "a=%zz&b=" + enc, "a=1;b=" + enc} {
		s, _ := newTestScrubber(t)
		var got string
		tr := &Transport{Scrubber: s, Base: rtFunc(func(r *http.Request) (*http.Response, error) {
			got = r.URL.RawQuery
			return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: io.NopCloser(strings.NewReader(`{}`)), Request: r}, nil
		})}
		req, _ := http.NewRequest("GET", "http://up/v1/models?"+q, nil)
		tr.RoundTrip(req)
		if strings.Contains(got, tok) || strings.Contains(got, enc) {
			t.Errorf("query %q forwarded as %q", q, got)
		}
	}
}

func TestR3MultipartUTF16Part(t *testing.T) {
	tok := ghToken("Ab3dE5")
	var u16 []byte
	for _, r := range "\ufeffdeploy key: " + tok + "\r\n" {
		u16 = append(u16, byte(r), byte(r>>8))
	}
	body := "--XYZ\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nassistants\r\n" +
		"--XYZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"notes.txt\"\r\nContent-Type: text/plain\r\n\r\n" +
		string(u16) + "\r\n--XYZ--\r\n"
	s, _ := newTestScrubber(t)
	var sent []byte
	tr := &Transport{Scrubber: s, Base: rtFunc(func(r *http.Request) (*http.Response, error) {
		sent, _ = io.ReadAll(r.Body)
		return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: io.NopCloser(strings.NewReader(`{}`)), Request: r}, nil
	})}
	req, _ := http.NewRequest("POST", "http://up/v1/files", strings.NewReader(body))
	req.Header.Set("Content-Type", "multipart/form-data; boundary=XYZ")
	resp, _ := tr.RoundTrip(req)
	if bytes.Contains(sent, u16[2:]) {
		t.Fatalf("status %d: UTF-16 text part forwarded with the token", resp.StatusCode)
	}
}

func TestR3Base64TextFileData(t *testing.T) {
	tok := ghToken("Ab3dE5")
	for _, size := range []int{10 << 10, 80 << 10} {
		text := strings.Repeat("2025-01-01 INFO request handled in 12ms\n", size/41) + "export GITHUB_TOKEN=" + tok + "\n"
		b64 := base64.StdEncoding.EncodeToString([]byte(text))
		body := `{"model":"gpt-4.1","input":[{"role":"user","content":[{"type":"input_file","filename":"build.log","file_data":"data:text/plain;base64,` + b64 + `"},{"type":"input_text","text":"why did it fail?"}]}]}`
		s, _ := newTestScrubber(t)
		out, res, _ := s.Body(Request, []byte(body))
		var m map[string]any
		json.Unmarshal(out, &m)
		dec, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(str(dig(m, "input", 0, "content", 0, "file_data")), "data:text/plain;base64,"))
		leak := strings.Contains(string(dec), tok)
		t.Logf("%d KiB text file: redactions %d, upstream decodes the token: %v", size>>10, res.Redactions, leak)
		if leak {
			t.Errorf("%d KiB base64 text file: token reaches upstream", size>>10)
		}
	}
}

func TestR3BOMBodyGetsNoTree(t *testing.T) {
	tok := ghToken("Ab3dE5")
	args, _ := json.Marshal(`{"token":"ghp_\u0041` + tok[5:] + `"}`)
	body := `{"messages":[{"role":"assistant","tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":` + string(args) + `}}]}]}`
	esc := `\\u0041` + tok[5:]
	s, _ := newTestScrubber(t)
	plain, _, _ := s.Body(Request, []byte(body))
	bom, _, _ := s.Body(Request, append([]byte("\xef\xbb\xbf"), body...))
	t.Logf("escaped token forwarded: without BOM %v, with BOM %v", strings.Contains(string(plain), esc), strings.Contains(string(bom), esc))
	if strings.Contains(string(bom), esc) {
		t.Fatal("BOM body: arguments not decoded a second time")
	}
}
