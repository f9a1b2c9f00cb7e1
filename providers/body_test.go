package providers

import (
	"encoding/json"
	"errors"
	"sort"
	"strings"
	"testing"

	"github.com/scrubgate/scrubgate/scanner"
)

// plant fills a template's %s slots with secrets, cycling through them.
func plant(tmpl string, secrets []string) string {
	var b strings.Builder
	i := 0
	for {
		j := strings.Index(tmpl, "%s")
		if j < 0 {
			b.WriteString(tmpl)
			return b.String()
		}
		b.WriteString(tmpl[:j])
		b.WriteString(secrets[i%len(secrets)])
		i++
		tmpl = tmpl[j+2:]
	}
}

// requestBodies covers the fields the issue names, in every API shape. Each %s
// is a secret; every other byte (unknown fields, numbers, order) must survive.
var requestBodies = map[string]string{
	"chat": `{"model":"gpt-4o","messages":[{"role":"system","content":"deploy with %s"},` +
		`{"role":"user","content":[{"type":"text","text":"my token is %s ok"},{"type":"image_url","image_url":{"url":"https://example.com/a.png"}}]},` +
		`{"role":"assistant","tool_calls":[{"id":"call_1","type":"function","function":{"name":"sh","arguments":"{\"cmd\":\"export T=%s\",\"n\":1.50}"}}]},` +
		`{"role":"tool","tool_call_id":"call_1","content":"AWS_ACCESS_KEY_ID=%s\n"}],` +
		`"metadata":{"note":"%s"},"temperature":0.70,"x_unknown":{"nested":[1,2.0,"k"]},"max_tokens":100}`,
	"responses": `{"model":"o4","instructions":"use %s","input":[{"role":"user","content":[{"type":"input_text","text":"key %s"}]},` +
		`{"type":"function_call","call_id":"c1","name":"f","arguments":"{\"k\":\"%s\"}"},` +
		`{"type":"function_call_output","call_id":"c1","output":"result: %s"}],"store":false}`,
	"anthropic": `{"model":"claude","system":[{"type":"text","text":"sys %s"}],"messages":[{"role":"user","content":"hi %s"},` +
		`{"role":"assistant","content":[{"type":"tool_use","id":"tu1","name":"bash","input":{"command":"curl -H 'Authorization: token %s'"}}]},` +
		`{"role":"user","content":[{"type":"tool_result","tool_use_id":"tu1","content":[{"type":"text","text":"out %s"}]}]}],"max_tokens":1024}`,
	"completions": `{"model":"davinci","prompt":["say %s"],"logprobs":null}`,
	"embeddings":  `{"model":"text-embedding-3-small","input":["one %s","two"],"dimensions":256}`,
}

func TestBodyScrubsEveryShape(t *testing.T) {
	secrets := testSecrets()
	for name, tmpl := range requestBodies {
		t.Run(name, func(t *testing.T) {
			s, rec := newTestScrubber(t)
			in := plant(tmpl, secrets)
			if !json.Valid([]byte(in)) {
				t.Fatalf("fixture is not JSON: %s", in)
			}
			out, res, err := s.Body(Request, []byte(in))
			if err != nil {
				t.Fatal(err)
			}
			assertNoSecret(t, name, out, secrets...)
			// Exactly the secrets changed: replacing each by its handle in the input
			// gives the output byte for byte.
			want := in
			for _, h := range rec.hits {
				if h.Handle == "" {
					t.Fatalf("hit at %s was not redacted: %v", h.Location, h.Action)
				}
			}
			for _, sec := range secrets {
				fs := testScanner(t).Scan([]byte("x " + sec + " x"))
				if len(fs) == 1 {
					want = strings.ReplaceAll(want, sec, handleFor(&fs[0]))
				}
			}
			if string(out) != want {
				t.Fatalf("output differs from the input with handles in place:\n got %s\nwant %s", out, want)
			}
			if res.Redactions != strings.Count(tmpl, "%s") || len(rec.hits) != res.Redactions {
				t.Fatalf("redactions = %d, hits = %d, want %d", res.Redactions, len(rec.hits), strings.Count(tmpl, "%s"))
			}
			for _, h := range rec.hits {
				if !strings.HasPrefix(h.Location, "$") {
					t.Errorf("location %q is not a JSON path", h.Location)
				}
			}
		})
	}
}

func TestBodyLocations(t *testing.T) {
	s, rec := newTestScrubber(t)
	in := plant(requestBodies["chat"], testSecrets())
	if _, _, err := s.Body(Request, []byte(in)); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"$.messages[0].content",
		"$.messages[1].content[0].text",
		"$.messages[2].tool_calls[0].function.arguments:$.cmd",
		"$.messages[3].content",
		"$.metadata.note",
	}
	var got []string
	for _, h := range rec.hits {
		got = append(got, h.Location)
	}
	sort.Strings(got)
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("locations\n got %v\nwant %v", got, want)
	}
}

func TestBodyEscapedSecretInArguments(t *testing.T) {
	// The arguments string holds JSON source in which the token is written with
	// \u escapes; decoded twice it is the token, and it must not pass.
	tok := ghToken("Kq8Zp2")
	esc := ""
	for _, r := range tok {
		esc += `\\u00` + strings.ToLower(string("0123456789abcdef"[r>>4])+string("0123456789abcdef"[r&15]))
	}
	in := `{"messages":[{"role":"assistant","tool_calls":[{"function":{"name":"x","arguments":"{\"t\":\"` + esc + `\"}"}}]}]}`
	if !json.Valid([]byte(in)) {
		t.Fatal("fixture is not JSON")
	}
	s, _ := newTestScrubber(t)
	out, res, err := s.Body(Request, []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if res.Redactions != 1 {
		t.Fatalf("redactions = %d, want 1: %s", res.Redactions, out)
	}
	var v struct {
		Messages []struct {
			ToolCalls []struct {
				Function struct{ Arguments string }
			} `json:"tool_calls"`
		}
	}
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatalf("output is not JSON: %v", err)
	}
	var args map[string]string
	if err := json.Unmarshal([]byte(v.Messages[0].ToolCalls[0].Function.Arguments), &args); err != nil {
		t.Fatalf("arguments are no longer JSON: %v", err)
	}
	if strings.Contains(args["t"], "ghp_") || !strings.HasPrefix(args["t"], "[[scrub:") {
		t.Fatalf("arguments value = %q", args["t"])
	}
}

func TestBodyThinkingPolicy(t *testing.T) {
	tok := ghToken("Th1nk9")
	in := `{"messages":[{"role":"assistant","content":[{"type":"thinking","thinking":"I saw ` + tok + ` earlier","signature":"EqQBCkYIARgCKkB` + strings.Repeat("x", 40) + `"},{"type":"text","text":"done"}]}]}`
	s, rec := newTestScrubber(t)
	_, _, err := s.Body(Request, []byte(in))
	var be *BlockedError
	if !errors.As(err, &be) || !be.Thinking || be.Location != "$.messages[0].content[0].thinking" {
		t.Fatalf("default policy: err = %v, want a thinking block", err)
	}
	if strings.Contains(err.Error(), tok) || len(rec.hits) != 1 || rec.hits[0].Action != ActionBlock {
		t.Fatalf("block error or hit wrong: %v %+v", err, rec.hits)
	}

	s, rec = newTestScrubber(t)
	s.Thinking = ThinkingAlert
	out, _, err := s.Body(Request, []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != in {
		t.Fatalf("alert policy must forward the signed block unedited")
	}
	if len(rec.hits) != 1 || rec.hits[0].Action != ActionAlertOnly || !rec.hits[0].Thinking {
		t.Fatalf("alert policy hits: %+v", rec.hits)
	}

	// In a response the client must never see it: thinking is redacted there.
	s, _ = newTestScrubber(t)
	out, _, err = s.Body(Response, []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	assertNoSecret(t, "response thinking", out, tok)
}

func TestBodySkipList(t *testing.T) {
	// Values that are opaque by construction keep their bytes even when a pattern
	// happens to match inside them (an AWS-key-shaped run is valid base64), but
	// only in their own shape: the same member names elsewhere are scanned.
	b64 := "AKIAQ3ZR7TLMXW2KJ5NP"
	tok := ghToken("Sk1pLs")
	in := `{"content":[{"type":"redacted_thinking","data":"` + b64 + `"},{"type":"thinking","thinking":"ok","signature":"` + b64 + `"}],` +
		`"reasoning":{"type":"reasoning","encrypted_content":"` + b64 + `"},"img":{"type":"image","source":{"type":"base64","media_type":"image/png","data":"` + b64 + `"}},` +
		`"url":"data:image/png;base64,` + b64 + `",` +
		`"doc":{"type":"document","source":{"type":"text","media_type":"text/plain","data":"` + tok + `"}},` +
		`"tool":{"type":"tool_use","input":{"signature":"` + tok + `","encrypted_content":"` + tok + `"}},"text":"data:image/png;base64, ` + tok + `"}`
	s, rec := newTestScrubber(t)
	out, res, err := s.Body(Request, []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(string(out), b64) != 5 {
		t.Fatalf("skip-listed values must be kept: %s", out)
	}
	assertNoSecret(t, "look-alike members", out, tok)
	if res.Redactions != 4 || len(rec.hits) != 4 {
		t.Fatalf("want the document, the tool input members and the text redacted, got %d: %+v", res.Redactions, rec.hits)
	}
}

func TestBodyPolicyActions(t *testing.T) {
	secrets := testSecrets()
	in := plant(requestBodies["chat"], secrets)
	for _, act := range []Action{ActionAlertOnly, ActionBlock} {
		s, rec := newTestScrubber(t)
		s.Decide = func(h *Hit) Action {
			if h.Finding.RuleID == "aws-access-key-id" {
				return act
			}
			return ActionRedact
		}
		out, _, err := s.Body(Request, []byte(in))
		switch act {
		case ActionBlock:
			var be *BlockedError
			if !errors.As(err, &be) || be.RuleID != "aws-access-key-id" || out != nil {
				t.Fatalf("block: err = %v", err)
			}
			for _, sec := range secrets {
				if strings.Contains(err.Error(), sec) {
					t.Fatal("block error holds the secret")
				}
			}
		case ActionAlertOnly:
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(out), secrets[2]) {
				t.Fatal("alert-only must leave the value")
			}
			assertNoSecret(t, "alert-only others", out, secrets[0], secrets[1], secrets[3])
			n := 0
			for _, h := range rec.hits {
				if h.Action == ActionAlertOnly {
					n++
				}
			}
			if n != strings.Count(in, secrets[2]) {
				t.Fatalf("alert-only hits = %d, want %d", n, strings.Count(in, secrets[2]))
			}
		}
	}
}

func TestBodyBrokenJSONStillScrubbed(t *testing.T) {
	tok := ghToken("Br0kEn")
	for _, in := range []string{
		`{"messages":[{"role":"user","content":"` + tok + `"`, // truncated
		`{"messages": [ {"content": "a ` + tok + `" ,, ]}`,    // invalid
		"plain text body " + tok,
	} {
		s, _ := newTestScrubber(t)
		out, res, err := s.Body(Request, []byte(in))
		if err != nil {
			t.Fatal(err)
		}
		assertNoSecret(t, in[:10], out, tok)
		if res.Redactions != 1 {
			t.Fatalf("%q: redactions %d", in, res.Redactions)
		}
	}
}

func TestBodyUnchangedWithoutSecrets(t *testing.T) {
	in := `{"model":"m","messages":[{"role":"user","content":"hello \u00e9\n<b>&amp;</b>"}],"temperature":1e-3,"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}]}`
	s, rec := newTestScrubber(t)
	out, res, err := s.Body(Request, []byte(in))
	if err != nil || string(out) != in || res.Findings != 0 || len(rec.hits) != 0 {
		t.Fatalf("clean body changed: %s %v %+v", out, err, res)
	}
}

// FuzzBody: any body is handled without panic; valid JSON stays valid JSON; a
// planted token never survives.
func FuzzBody(f *testing.F) {
	for _, tmpl := range requestBodies {
		f.Add([]byte(strings.ReplaceAll(tmpl, "%s", "x")))
	}
	f.Add([]byte(`{"a":"\u00`))
	f.Add([]byte(`[1,2,{"arguments":"{\"a\":\"b\"}"}]`))
	sc := testScanner(f)
	tok := ghToken("FuZz42")
	f.Fuzz(func(t *testing.T, body []byte) {
		s := &Scrubber{Scanner: sc, Handle: handleFor}
		out, _, err := s.Body(Request, body)
		if errors.Is(err, ErrUnscannable) {
			// refused only for a document without a parse tree (not JSON, too
			// deep) that holds something the tree would have had to place
			if _, perr := parseTree(body); perr == nil {
				t.Fatalf("a body with a parse tree was refused: %q", body)
			}
			return
		}
		if err != nil {
			t.Fatalf("unexpected error %v", err)
		}
		if json.Valid(body) && !json.Valid(out) {
			t.Fatalf("valid JSON became invalid:\n in %q\nout %q", body, out)
		}
		// Plant a token inside the first string value, if any.
		if i := strings.Index(string(body), `"`); i >= 0 && json.Valid(body) {
			planted := string(body[:i+1]) + " " + tok + " " + string(body[i+1:])
			if json.Valid([]byte(planted)) {
				out, _, _ := s.Body(Request, []byte(planted))
				if strings.Contains(string(out), tok) {
					t.Fatalf("planted token survived: %q", out)
				}
			}
		}
	})
}

var _ = scanner.ModeJSON

func TestBodyLogprobTokens(t *testing.T) {
	tok := ghToken("L0gPr0")
	pieces := []string{"key: ", tok[:2], tok[2:9], tok[9:25], tok[25:], " done"}
	var entries []string
	for _, p := range pieces {
		b, _ := json.Marshal(p)
		entries = append(entries, `{"token":`+string(b)+`,"logprob":-0.1,"bytes":[1,2],"top_logprobs":[{"token":`+string(b)+`,"logprob":-0.1,"bytes":[1]}]}`)
	}
	in := `{"id":"x","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"key: ` + tok + ` done"},"logprobs":{"content":[` + strings.Join(entries, ",") + `],"refusal":null}}]}`
	s, rec := newTestScrubber(t)
	out, res, err := s.Body(Response, []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if !json.Valid(out) {
		t.Fatalf("invalid JSON: %s", out)
	}
	for _, p := range pieces[2:5] {
		if strings.Contains(string(out), `"`+p+`"`) {
			t.Fatalf("a token piece of the secret survived: %s", out)
		}
	}
	assertNoSecret(t, "logprobs", out, tok)
	if res.Redactions != 2 || len(rec.hits) != 2 {
		t.Fatalf("want the content and the token list redacted: %d %+v", res.Redactions, rec.hits)
	}
	var v struct {
		Choices []struct {
			Logprobs struct {
				Content []struct {
					Token string
					Bytes []int
				}
			}
		}
	}
	json.Unmarshal(out, &v)
	var joined strings.Builder
	for _, c := range v.Choices[0].Logprobs.Content {
		joined.WriteString(c.Token)
	}
	if !strings.HasPrefix(joined.String(), "key: [[scrub:github-token:") || !strings.HasSuffix(joined.String(), "]] done") {
		t.Fatalf("joined tokens = %q", joined.String())
	}
}
