package providers

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
)

func b64Doc(tok string) string {
	text := strings.Repeat("2025-01-01 INFO request handled in 12ms\n", 2000) + "export GITHUB_TOKEN=" + tok + "\n"
	return base64.StdEncoding.EncodeToString([]byte(text))
}

func decodesTok(out []byte, tok string) bool {
	s := string(out)
	i := strings.Index(s, ";base64,")
	if i < 0 {
		return false
	}
	j := strings.IndexByte(s[i+8:], '"')
	dec, _ := base64.StdEncoding.DecodeString(s[i+8 : i+8+j])
	return strings.Contains(string(dec), tok)
}

// V1: a base64 text doc > 64 KiB in a body whose tree is refused (depth) is not scanned.
func TestV1Base64DocNoTree(t *testing.T) {
	tok := ghToken("Ab3dE5")
	deep := strings.Repeat("[", 130) + strings.Repeat("]", 130)
	body := `{"model":"gpt-4.1","metadata":` + deep + `,"input":[{"role":"user","content":[{"type":"input_file","filename":"build.log","file_data":"data:text/plain;base64,` + b64Doc(tok) + `"}]}]}`
	if !json.Valid([]byte(body)) {
		t.Fatal("invalid")
	}
	s, _ := newTestScrubber(t)
	out, res, err := s.Body(Request, []byte(body))
	t.Logf("err=%v redactions=%d", err, res.Redactions)
	if err == nil && decodesTok(out, tok) {
		t.Errorf("deep body: base64 text doc forwarded with the token")
	}
}

// V2: base64 text docs > 64 KiB in shapes base64Docs does not decode.
func TestV2Base64DocShapes(t *testing.T) {
	tok := ghToken("Ab3dE5")
	text := strings.Repeat("2025-01-01 INFO request handled in 12ms\n", 2000) + "export GITHUB_TOKEN=" + tok + "\n"
	std := base64.StdEncoding.EncodeToString([]byte(text))
	var wrapped strings.Builder
	for i := 0; i < len(std); i += 76 {
		wrapped.WriteString(std[i:min(i+76, len(std))])
		wrapped.WriteString(`\r\n`)
	}
	for name, url := range map[string]string{
		"charset param": "data:application/json;charset=utf-8;base64," + std,
		"escaped slash": `data:text\/plain;base64,` + std,
		"octet-stream":  "data:application/octet-stream;base64," + std,
		"MIME wrapped":  "data:text/plain;base64," + wrapped.String(),
		"unpadded":      "data:text/plain;base64," + strings.TrimRight(base64.RawStdEncoding.EncodeToString([]byte(text+"x")), "="),
		"upper-case MT": "data:Text/Plain;base64," + std,
	} {
		body := `{"input":[{"role":"user","content":[{"type":"input_file","filename":"build.log","file_data":"` + url + `"}]}]}`
		if !json.Valid([]byte(body)) {
			t.Fatal("invalid", name)
		}
		s, _ := newTestScrubber(t)
		out, res, err := s.Body(Request, []byte(body))
		var m map[string]any
		json.Unmarshal(out, &m)
		fd := str(dig(m, "input", 0, "content", 0, "file_data"))
		_, p, _ := strings.Cut(fd, ";base64,")
		p = strings.ReplaceAll(p, "\r\n", "")
		dec, _ := base64.StdEncoding.DecodeString(p)
		if len(dec) == 0 {
			dec, _ = base64.RawStdEncoding.DecodeString(p)
		}
		leak := err == nil && strings.Contains(string(dec), tok)
		t.Logf("%s: err=%v redactions=%d leak=%v", name, err, res.Redactions, leak)
		if leak {
			t.Errorf("%s: token reaches upstream", name)
		}
	}
}

// V3: query values scanned without their parameter name lose keyword context.
func TestV3QueryKeywordContext(t *testing.T) {
	for _, q := range []string{
		"api_key=3f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c",
		"access_token=q8Zr2LmX9vTn4KpW7sYd3GhJ",
		"password=Tr0ub4dor-horse-93x",
		"client_secret=q8Zr2LmX9vTn4KpW7sYd3GhJ",
	} {
		s, _ := newTestScrubber(t)
		_, whole, _ := s.text(Request, []byte(q), "query")
		out, res, err := s.Query(q)
		t.Logf("%s: whole-text findings %d; Query findings %d err=%v out=%s", q, whole.Findings, res.Findings, err, out)
		if whole.Findings > 0 && res.Findings == 0 {
			t.Errorf("%s: the text scan finds a secret, Query forwards it", q)
		}
	}
}

func lpEntries(pieces []string) string {
	var lps []string
	for _, p := range pieces {
		lps = append(lps, `{"token":`+jsonStr(p)+`,"bytes":[1],"logprob":-0.1,"top_logprobs":[]}`)
	}
	return "[" + strings.Join(lps, ",") + "]"
}

func tokensOf(evs []map[string]any) string {
	var b strings.Builder
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if t, ok := x["token"].(string); ok {
				b.WriteString(t)
			}
			for k, m := range x {
				if k != "token" {
					walk(m)
				}
			}
		case []any:
			for _, m := range x {
				walk(m)
			}
		}
	}
	for _, ev := range evs {
		walk(ev)
		b.WriteString("|")
	}
	return b.String()
}

// V4: streamed logprobs outside the chat/legacy/responses-delta shapes.
func TestV4StreamLogprobs(t *testing.T) {
	tok := ghToken("Ab3dE5")
	pieces := append([]string{"key "}, chop(tok, 3)...)
	lps := lpEntries(pieces)
	full := "key " + tok
	cases := map[string]string{
		// Responses: the final response.completed repeats the output with its logprobs
		"response.completed": "event: response.output_text.delta\ndata: " + `{"type":"response.output_text.delta","item_id":"msg_1","output_index":0,"content_index":0,"delta":` + jsonStr(full) + `,"logprobs":[]}` + "\n\n" +
			"event: response.completed\ndata: " + `{"type":"response.completed","response":{"id":"resp_1","object":"response","status":"completed","output":[{"type":"message","id":"msg_1","role":"assistant","content":[{"type":"output_text","text":` + jsonStr(full) + `,"annotations":[],"logprobs":` + lps + `}]}]}}` + "\n\n",
		// Responses: response.output_text.done carries the text's logprobs
		"output_text.done": "event: response.output_text.delta\ndata: " + `{"type":"response.output_text.delta","item_id":"msg_1","output_index":0,"content_index":0,"delta":` + jsonStr(full) + `,"logprobs":[]}` + "\n\n" +
			"event: response.output_text.done\ndata: " + `{"type":"response.output_text.done","item_id":"msg_1","output_index":0,"content_index":0,"text":` + jsonStr(full) + `,"logprobs":` + lps + `}` + "\n\n" +
			"event: response.completed\ndata: " + `{"type":"response.completed","response":{"id":"resp_1","status":"completed","output":[]}}` + "\n\n",
	}
	// transcription stream (gpt-4o-transcribe, include[]=logprobs): each delta with its logprobs
	var tr strings.Builder
	for _, p := range pieces {
		tr.WriteString("data: " + `{"type":"transcript.text.delta","delta":` + jsonStr(p) + `,"logprobs":` + lpEntries([]string{p}) + `}` + "\n\n")
	}
	tr.WriteString("data: " + `{"type":"transcript.text.done","text":` + jsonStr(full) + `,"logprobs":[]}` + "\n\n")
	cases["transcript.text.delta"] = tr.String()
	for name, in := range cases {
		s, _ := newTestScrubber(t)
		out := runStream(t, s, in)
		evs := events(t, out)
		joined := tokensOf(evs)
		if strings.Contains(out, tok) {
			t.Errorf("%s: token in the output text", name)
		}
		if strings.Contains(strings.ReplaceAll(joined, "|", ""), tok) {
			t.Errorf("%s: logprob tokens spell the secret: %q", name, joined)
		}
	}
}

// V5: whole bodies: token lists tokenLists does not know.
func TestV5BodyLogprobs(t *testing.T) {
	tok := ghToken("Ab3dE5")
	pieces := append([]string{"key "}, chop(tok, 3)...)
	full := "key " + tok
	var keys []string
	for _, p := range pieces {
		keys = append(keys, `{`+jsonStr(p)+`:-0.01,"zz":-5}`)
	}
	legacyTokens := make([]string, len(pieces))
	for i, p := range pieces {
		legacyTokens[i] = jsonStr(p)
	}
	cases := map[string]string{
		"transcription json":       `{"text":` + jsonStr(full) + `,"logprobs":` + lpEntries(pieces) + `,"usage":{"type":"tokens","input_tokens":1,"output_tokens":1,"total_tokens":2}}`,
		"legacy top_logprobs keys": `{"id":"cmpl-1","object":"text_completion","choices":[{"index":0,"text":` + jsonStr(full) + `,"logprobs":{"tokens":[` + strings.Join(legacyTokens, ",") + `],"token_logprobs":[-0.1],"top_logprobs":[` + strings.Join(keys, ",") + `],"text_offset":[0]},"finish_reason":"stop"}]}`,
	}
	for name, body := range cases {
		if !json.Valid([]byte(body)) {
			t.Fatal(name)
		}
		s, _ := newTestScrubber(t)
		out, res, err := s.Body(Response, []byte(body))
		var m map[string]any
		json.Unmarshal(out, &m)
		var b strings.Builder
		if name == "legacy top_logprobs keys" {
			for _, e := range dig(m, "choices", 0, "logprobs", "top_logprobs").([]any) {
				for k := range e.(map[string]any) {
					if k != "zz" {
						b.WriteString(k)
					}
				}
			}
		} else {
			b.WriteString(tokensOf([]map[string]any{m}))
		}
		t.Logf("%s: err=%v redactions=%d joined=%q", name, err, res.Redactions, b.String())
		if strings.Contains(b.String(), tok) {
			t.Errorf("%s: tokens spell the secret", name)
		}
	}
}

// V6: the stream's clean cache is keyed per string, but the scan reads context across strings.
func TestV6CleanCacheContext(t *testing.T) {
	sec := "q8Zr2LmX9vTn4KpW7sYd3GhJq8Zr2LmX9vTn4KpW"
	ev := func(name, value string) string {
		return "event: ping\ndata: " + `{"type":"ping","name":` + jsonStr(name) + `,"value":` + jsonStr(value) + "}\n\n"
	}
	s, _ := newTestScrubber(t)
	whole, _, _ := s.Body(Response, []byte(`{"type":"ping","name":"AWS_SECRET_ACCESS_KEY","value":"`+sec+`"}`))
	t.Logf("whole event scanned alone: %s", whole)
	in := ev("AWS_SECRET_ACCESS_KEY", "unset") + ev("region", sec) + ev("AWS_SECRET_ACCESS_KEY", sec)
	out := runStream(t, s, in)
	t.Logf("%s", out)
	if !strings.Contains(string(whole), sec) && strings.Contains(out, `"AWS_SECRET_ACCESS_KEY","value":"`+sec) {
		t.Errorf("clean cache: the third event is forwarded unscanned")
	}
}

// V7: JSON lines (batch input/output files): no tree, so base64 text documents are
// not decoded and logprob token lists are not joined.
func TestV7JSONLBatchFiles(t *testing.T) {
	tok := ghToken("Ab3dE5")
	pieces := append([]string{"key "}, chop(tok, 3)...)
	in := `{"custom_id":"r1","method":"POST","url":"/v1/responses","body":{"model":"gpt-4.1","input":[{"role":"user","content":[{"type":"input_file","filename":"build.log","file_data":"data:text/plain;base64,` + b64Doc(tok) + `"}]}]}}` + "\n" +
		`{"custom_id":"r2","method":"POST","url":"/v1/responses","body":{"model":"gpt-4.1","input":"hi"}}` + "\n"
	s, _ := newTestScrubber(t)
	out, res, err := s.Body(Request, []byte(in))
	t.Logf("batch input: err=%v redactions=%d", err, res.Redactions)
	if err == nil && decodesTok(out, tok) {
		t.Errorf("batch input line: base64 text document forwarded with the token")
	}
	outFile := `{"id":"batch_req_1","custom_id":"r1","response":{"status_code":200,"body":{"id":"chatcmpl-1","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"logprobs":{"content":` + lpEntries(pieces) + `},"finish_reason":"stop"}]}}}` + "\n" +
		`{"id":"batch_req_2","custom_id":"r2","response":{"status_code":200,"body":{}}}` + "\n"
	out, res, err = s.Body(Response, []byte(outFile))
	joined := ""
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		var m map[string]any
		json.Unmarshal([]byte(line), &m)
		joined += tokensOf([]map[string]any{m})
	}
	t.Logf("batch output: err=%v redactions=%d tokens=%q", err, res.Redactions, joined)
	if err == nil && strings.Contains(strings.ReplaceAll(joined, "|", ""), tok) {
		t.Errorf("batch output file: logprob tokens spell the secret")
	}
}

// V8: Assistants run-step deltas (code interpreter input, function arguments) are not
// streamed fields: a token split across two of them passes.
func TestV8AssistantsRunStepDeltas(t *testing.T) {
	tok := ghToken("Ab3dE5")
	step := func(tc string) string {
		return "event: thread.run.step.delta\ndata: " + `{"id":"step_1","object":"thread.run.step.delta","delta":{"step_details":{"type":"tool_calls","tool_calls":[` + tc + `]}}}` + "\n\n"
	}
	for name, mk := range map[string]func(string) string{
		"code_interpreter": func(p string) string {
			return `{"index":0,"type":"code_interpreter","code_interpreter":{"input":` + jsonStr(p) + `}}`
		},
		"function": func(p string) string {
			return `{"index":0,"type":"function","function":{"arguments":` + jsonStr(p) + `}}`
		},
	} {
		in := step(mk("print(\""+tok[:20])) + step(mk(tok[20:]+"\")\n")) +
			"event: thread.run.step.completed\ndata: {\"id\":\"step_1\",\"object\":\"thread.run.step\"}\n\n" +
			"event: done\ndata: [DONE]\n\n"
		s, _ := newTestScrubber(t)
		out := runStream(t, s, in)
		t.Logf("%s", out)
		if strings.Contains(out, tok[:20]) && strings.Contains(out, tok[20:]) {
			t.Errorf("%s: both halves of the token reach the client", name)
		}
	}
}

// V9: SVG is text, but image/* counts as binary media: the skip-list drops findings.
func TestV9SVGDataURL(t *testing.T) {
	tok := ghToken("Ab3dE5")
	svg := `<svg xmlns="http://www.w3.org/2000/svg"><!-- deploy key ` + tok + ` --><text>hi</text></svg>`
	body := `{"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/svg+xml;base64,` + base64.StdEncoding.EncodeToString([]byte(svg)) + `"}}]}]}`
	s, _ := newTestScrubber(t)
	out, res, err := s.Body(Request, []byte(body))
	t.Logf("err=%v findings=%d redactions=%d", err, res.Findings, res.Redactions)
	if err == nil && decodesTok(out, tok) {
		t.Errorf("SVG data URL forwarded with the token")
	}
}

// V10: model-written input of other tool-use block types still gets the skip-list.
func TestV10SkipShapeInMCPToolUse(t *testing.T) {
	tok := ghToken("Ab3dE5")
	for _, typ := range []string{"tool_use", "mcp_tool_use"} {
		body := `{"type":"message","role":"assistant","content":[{"type":"` + typ + `","id":"mcptoolu_1","name":"http","server_name":"s","input":{"type":"thinking","signature":"` + tok + `"}}]}`
		s, _ := newTestScrubber(t)
		out, _, _ := s.Body(Response, []byte(body))
		if strings.Contains(string(out), tok) {
			t.Errorf("%s input: token passed: %s", typ, out)
		}
	}
}
