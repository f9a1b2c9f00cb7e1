package proxy

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	openai "github.com/sashabaranov/go-openai"

	"github.com/scrubgate/scrubgate/vault"
)

// plant fills %s slots with secrets, JSON-escaped, cycling through them.
func plant(tmpl string, secrets []string) string {
	i := 0
	for strings.Contains(tmpl, "%s") {
		esc, _ := json.Marshal(secrets[i%len(secrets)])
		tmpl = strings.Replace(tmpl, "%s", string(esc[1:len(esc)-1]), 1)
		i++
	}
	return tmpl
}

// requests are bodies of every API shape with secrets in the fields agents fill.
var requests = []struct{ path, body string }{
	{"/v1/chat/completions", `{"model":"gpt-4o","messages":[{"role":"system","content":"deploy with %s"},` +
		`{"role":"user","content":[{"type":"text","text":"my token is %s ok"}]},` +
		`{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"sh","arguments":"{\"cmd\":\"export T=%s\"}"}}]},` +
		`{"role":"tool","tool_call_id":"call_1","content":"AWS_ACCESS_KEY_ID=%s\n"},{"role":"user","content":"and %s"}],` +
		`"metadata":{"note":"%s"},"temperature":0.70,"x_unknown_field":{"keep":[1,2.50,"k"]},"max_tokens":100}`},
	{"/v1/responses", `{"model":"o4","instructions":"use %s","input":[{"role":"user","content":[{"type":"input_text","text":"key %s"}]},` +
		`{"type":"function_call","call_id":"c1","name":"f","arguments":"{\"k\":\"%s\"}"},` +
		`{"type":"function_call_output","call_id":"c1","output":"result: %s"}],"store":false,"x_new":true}`},
	{"/v1/messages", `{"model":"claude-echo","system":[{"type":"text","text":"sys %s"}],"messages":[{"role":"user","content":"hi %s"},` +
		`{"role":"assistant","content":[{"type":"tool_use","id":"tu1","name":"bash","input":{"command":"curl -H 'Authorization: token %s'"}}]},` +
		`{"role":"user","content":[{"type":"tool_result","tool_use_id":"tu1","content":[{"type":"text","text":"out %s"}]}]}],"max_tokens":1024,"metadata":{"user_id":"u1"}}`},
	{"/v1/completions", `{"model":"davinci","prompt":"say %s","logprobs":null}`},
	{"/v1/embeddings", `{"model":"text-embedding-3-small","input":["one %s","two %s"]}`},
	{"/openai/deployments/my-gpt/chat/completions?api-version=2024-10-21", `{"messages":[{"role":"user","content":"azure %s"}]}`},
	{"/v1/messages/count_tokens", `{"model":"claude-echo","messages":[{"role":"user","content":"count %s"}]}`},
}

func TestE2ESecretsNeverReachUpstream(t *testing.T) {
	g := startGateway(t, &Config{})
	secrets := plantedSecrets()
	for _, rq := range requests {
		body := plant(rq.body, secrets)
		if !json.Valid([]byte(body)) {
			t.Fatalf("fixture for %s is not JSON", rq.path)
		}
		hdr := []string{}
		if strings.Contains(rq.path, "deployments") {
			hdr = []string{"Authorization", "", "api-key", "azure-caller-key"}
		}
		resp, answer := g.post(t, rq.path, body, hdr...)
		rec, ok := g.srv.Echo().LastRequest()
		if !ok {
			t.Fatal("echo received nothing")
		}
		if resp.StatusCode != 200 {
			t.Fatalf("%s: status %d: %s", rq.path, resp.StatusCode, answer)
		}
		assertClean(t, rq.path+" upstream body", string(rec.Body), secrets)
		assertClean(t, rq.path+" answer", answer, secrets)
		// Exactly the secrets changed: unknown fields, numbers and order survive.
		handles := handleRE.FindAllString(string(rec.Body), -1)
		if len(handles) != strings.Count(rq.body, "%s") {
			t.Fatalf("%s: %d handles upstream, want %d:\n%s", rq.path, len(handles), strings.Count(rq.body, "%s"), rec.Body)
		}
		rebuilt := string(rec.Body)
		for _, h := range handles {
			rebuilt = strings.Replace(rebuilt, h, "%s", 1)
		}
		if rebuilt != strings.ReplaceAll(rq.body, `AWS_ACCESS_KEY_ID=%s`, `AWS_ACCESS_KEY_ID=%s`) {
			t.Fatalf("%s: body changed beyond the secrets:\n got %s\nwant %s", rq.path, rebuilt, rq.body)
		}
		if resp.Header.Get("X-Scrubgate-Redactions") == "" || resp.Header.Get("X-Scrubgate-Request-Id") == "" {
			t.Fatalf("%s: missing scrubgate headers %v", rq.path, resp.Header)
		}
		if strings.Contains(rq.path, "deployments") {
			if rec.Header.Get("Api-Key") != "azure-caller-key" || !strings.Contains(rec.RawQuery, "api-version=2024-10-21") {
				t.Fatalf("azure: credential or query not forwarded: %v %q", rec.Header, rec.RawQuery)
			}
		} else if rec.Header.Get("Authorization") != "Bearer sk-caller-key-1" {
			t.Fatalf("%s: pass-through credential not forwarded", rq.path)
		}
	}
	assertClean(t, "logs", g.logs.String(), secrets)
	if !strings.Contains(g.logs.String(), `"msg":"secret found"`) {
		t.Fatal("no event was logged")
	}
}

var handleRE = vaultHandleRE()

func TestE2EHeadersAllowlist(t *testing.T) {
	g := startGateway(t, &Config{})
	g.post(t, "/v1/messages", `{"messages":[{"role":"user","content":"hi"}]}`,
		"Anthropic-Version", "2023-06-01", "Anthropic-Beta", "prompt-caching-2024-07-31", "X-Internal-Trace", "leak-me", "Cookie", "session=1", "Authorization", "", "x-api-key", "sk-ant-caller", "X-Stainless-Lang", "js")
	rec, _ := g.srv.Echo().LastRequest()
	if rec.Header.Get("Anthropic-Beta") != "prompt-caching-2024-07-31" || rec.Header.Get("Anthropic-Version") != "2023-06-01" || rec.Header.Get("X-Api-Key") != "sk-ant-caller" {
		t.Fatalf("provider headers not forwarded: %v", rec.Header)
	}
	if rec.Header.Get("X-Stainless-Lang") != "js" {
		t.Fatal("SDK platform headers must be forwarded")
	}
	if rec.Header.Get("X-Internal-Trace") != "" || rec.Header.Get("Cookie") != "" {
		t.Fatalf("headers outside the allowlist were forwarded: %v", rec.Header)
	}
	if rec.Header.Get("Accept-Encoding") != "identity" {
		t.Fatalf("upstream must be asked for identity encoding, got %q", rec.Header.Get("Accept-Encoding"))
	}
}

// fakeUpstream answers with fixed bodies that carry secrets, to test the response
// direction.
type fakeUpstream struct {
	handler func(w http.ResponseWriter, r *http.Request)
}

func (f *fakeUpstream) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	io.Copy(io.Discard, r.Body)
	f.handler(w, r)
}

func sseWrite(w http.ResponseWriter, events ...string) {
	for _, e := range events {
		io.WriteString(w, e)
		w.(http.Flusher).Flush()
	}
}

func TestE2EGoOpenAIStreamingResponsesScrubbed(t *testing.T) {
	secrets := plantedSecrets()
	text := "Found it: " + secrets[0] + " and " + secrets[2] + ".\n"
	args := `{"cmd":"aws configure set aws_access_key_id ` + secrets[2] + `"}`
	for _, split := range []int{1, 3, 7, 13} {
		up := &fakeUpstream{handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/event-stream")
			head := `{"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,`
			sseWrite(w, "data: "+head+`"delta":{"role":"assistant","content":""},"finish_reason":null}]}`+"\n\n")
			for i := 0; i < len(text); i += split {
				p, _ := json.Marshal(text[i:min(i+split, len(text))])
				sseWrite(w, "data: "+head+`"delta":{"content":`+string(p)+`},"finish_reason":null}]}`+"\n\n")
			}
			sseWrite(w, "data: "+head+`"delta":{"tool_calls":[{"index":0,"id":"call_9","type":"function","function":{"name":"sh","arguments":""}}]},"finish_reason":null}]}`+"\n\n")
			for i := 0; i < len(args); i += split {
				p, _ := json.Marshal(args[i:min(i+split, len(args))])
				sseWrite(w, "data: "+head+`"delta":{"tool_calls":[{"index":0,"function":{"arguments":`+string(p)+`}}]},"finish_reason":null}]}`+"\n\n")
			}
			sseWrite(w, "data: "+head+`"delta":{},"finish_reason":"tool_calls"}]}`+"\n\n", "data: [DONE]\n\n")
		}}
		us := httptest.NewServer(up)
		g := startGateway(t, &Config{Upstream: us.URL})
		cfg := openai.DefaultConfig("sk-caller")
		cfg.BaseURL = g.http.URL + "/v1"
		client := openai.NewClientWithConfig(cfg)
		st, err := client.CreateChatCompletionStream(context.Background(), openai.ChatCompletionRequest{Model: "m", Messages: []openai.ChatCompletionMessage{{Role: "user", Content: "hi"}}})
		if err != nil {
			t.Fatal(err)
		}
		var content, gotArgs strings.Builder
		for {
			ch, err := st.Recv()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(ch.Choices) > 0 {
				content.WriteString(ch.Choices[0].Delta.Content)
				for _, tc := range ch.Choices[0].Delta.ToolCalls {
					gotArgs.WriteString(tc.Function.Arguments)
				}
			}
		}
		st.Close()
		us.Close()
		assertClean(t, "stream content", content.String()+gotArgs.String(), secrets)
		if !strings.HasPrefix(content.String(), "Found it: [[scrub:github-token:") || !strings.HasSuffix(content.String(), ".\n") {
			t.Fatalf("split %d: content %q", split, content.String())
		}
		var a map[string]string
		if err := json.Unmarshal([]byte(gotArgs.String()), &a); err != nil || !strings.Contains(a["cmd"], "[[scrub:aws-key:") {
			t.Fatalf("split %d: arguments %q (%v)", split, gotArgs.String(), err)
		}
		logs := g.logs.String()
		assertClean(t, "logs", logs, secrets)
		if !strings.Contains(logs, `"severity":"high"`) || !strings.Contains(logs, `"completion"`) {
			t.Fatalf("a secret in a completion must be a high-severity event: %s", logs)
		}
	}
}

func TestE2EHandlesStableAcrossRequestsAndRestarts(t *testing.T) {
	tok := plantedSecrets()[0]
	body := `{"messages":[{"role":"user","content":"t ` + tok + `"}]}`
	var seen []string
	for i := 0; i < 2; i++ { // two gateways with the same key: a restart, or two replicas
		g := startGateway(t, &Config{})
		for j := 0; j < 2; j++ {
			g.post(t, "/v1/chat/completions", body)
			rec, _ := g.srv.Echo().LastRequest()
			seen = append(seen, handleRE.FindString(string(rec.Body)))
		}
	}
	for _, h := range seen {
		if h == "" || h != seen[0] {
			t.Fatalf("handles differ: %v", seen)
		}
	}
	// Another caller credential is another tenant: another handle.
	g := startGateway(t, &Config{})
	g.post(t, "/v1/chat/completions", body)
	g.post(t, "/v1/chat/completions", body, "Authorization", "Bearer sk-someone-else")
	rec, _ := g.srv.Echo().LastRequest()
	if h := handleRE.FindString(string(rec.Body)); h == "" || h == seen[0] {
		t.Fatalf("tenants must not share handles: %q vs %q", h, seen[0])
	}
	if !strings.Contains(g.logs.String(), "cross-tenant") {
		t.Fatalf("the same secret from two tenants must alert: %s", g.logs.String())
	}
}

func TestE2EKnownValuesAndCanaries(t *testing.T) {
	os.Setenv("TEST_CANARY", "canary-7Hq2Lx9PzR4mWv8K")
	defer os.Unsetenv("TEST_CANARY")
	key := vault.NewGatewayKey()
	os.Setenv("TEST_UPSTREAM_KEY", "sk-upstream-provider-key-for-tests")
	defer os.Unsetenv("TEST_UPSTREAM_KEY")
	g := startGateway(t, &Config{
		Tenants: []Tenant{{ID: "acme", Known: []KnownValue{{Label: "decoy", ValueEnv: "TEST_CANARY", Canary: true}}}},
		Agents: []Agent{{ID: "bot", Tenant: "acme", KeyHash: vault.HashGatewayKey(key),
			Credentials: map[string]Credential{"openai": {Header: "Authorization", ValueEnv: "TEST_UPSTREAM_KEY"}}}},
	})
	tok := plantedSecrets()[0]
	// First the token appears in context; then bare, cut out of it (no rule matches
	// "gh" + rest split by a space, but the known value does once rejoined).
	resp, _ := g.post(t, "/v1/chat/completions", `{"messages":[{"role":"user","content":"GITHUB_TOKEN=`+tok+`"}]}`, "Authorization", "Bearer "+key)
	if resp.StatusCode != 200 {
		t.Fatalf("agent request: %d", resp.StatusCode)
	}
	rec, _ := g.srv.Echo().LastRequest()
	if rec.Header.Get("Authorization") != "Bearer sk-upstream-provider-key-for-tests" {
		t.Fatalf("the agent's upstream credential was not injected: %q", rec.Header.Get("Authorization"))
	}
	if strings.Contains(string(rec.Body), key) {
		t.Fatal("the gateway key reached upstream")
	}
	g.post(t, "/v1/chat/completions", `{"messages":[{"role":"user","content":"the decoy canary-7Hq2Lx9PzR4mWv8K appeared"}]}`, "Authorization", "Bearer "+key)
	rec, _ = g.srv.Echo().LastRequest()
	if strings.Contains(string(rec.Body), "canary-7Hq2Lx9PzR4mWv8K") {
		t.Fatal("canary reached upstream")
	}
	logs := g.logs.String()
	if !strings.Contains(logs, `"canary"`) || !strings.Contains(logs, `"agent":"bot"`) || !strings.Contains(logs, `"tenant":"acme"`) {
		t.Fatalf("canary event missing: %s", logs)
	}
	assertClean(t, "logs", logs, []string{tok, "canary-7Hq2Lx9PzR4mWv8K", key, "sk-upstream-provider-key-for-tests"})

	// Wrong gateway key; a provider key where an agent key is required.
	resp, body := g.post(t, "/v1/chat/completions", `{}`, "Authorization", "Bearer "+vault.NewGatewayKey())
	if resp.StatusCode != 401 || !strings.Contains(body, "scrubgate_auth") {
		t.Fatalf("unknown gateway key: %d %s", resp.StatusCode, body)
	}
	resp, body = g.post(t, "/v1/messages", `{}`, "Authorization", "Bearer "+key)
	if resp.StatusCode != 403 || !strings.Contains(body, `"type":"error"`) {
		t.Fatalf("agent without anthropic credential: %d %s", resp.StatusCode, body)
	}
	g2 := startGateway(t, &Config{RequireAgent: true})
	resp, _ = g2.post(t, "/v1/chat/completions", `{}`)
	if resp.StatusCode != 401 {
		t.Fatalf("require_agent: %d", resp.StatusCode)
	}
}

func TestE2EPolicy(t *testing.T) {
	secrets := plantedSecrets()
	body := `{"messages":[{"role":"user","content":"` + secrets[2] + ` and ` + secrets[0] + `"}],"metadata":{"trace":"` + secrets[3] + `"}}`
	g := startGateway(t, &Config{Default: Policy{Actions: map[string]string{"aws-access-key-id": "block"}}})
	for _, path := range []string{"/v1/chat/completions", "/v1/messages"} {
		resp, answer := g.post(t, path, body)
		if resp.StatusCode != 400 || !strings.Contains(answer, "scrubgate blocked") || !strings.Contains(answer, "aws-access-key-id") || !strings.Contains(answer, "$.messages[0].content") {
			t.Fatalf("%s block: %d %s", path, resp.StatusCode, answer)
		}
		assertClean(t, "block error", answer, secrets)
		if path == "/v1/messages" && !strings.Contains(answer, `"type":"error"`) {
			t.Fatalf("Anthropic routes must get Anthropic's error shape: %s", answer)
		}
	}
	g = startGateway(t, &Config{Default: Policy{Allow: Allowlist{Paths: []string{"$.metadata.*"}}, Actions: map[string]string{"github-pat": "alert-only"}}})
	g.post(t, "/v1/chat/completions", body)
	rec, _ := g.srv.Echo().LastRequest()
	up := string(rec.Body)
	if !strings.Contains(up, secrets[0]) || !strings.Contains(up, secrets[3]) || strings.Contains(up, secrets[2]) {
		t.Fatalf("alert-only and allowlisted values pass, others are redacted: %s", up)
	}
	if !strings.Contains(g.logs.String(), `"action":"alerted"`) || !strings.Contains(g.logs.String(), `"action":"allowed"`) {
		t.Fatalf("events: %s", g.logs.String())
	}
	g = startGateway(t, &Config{AlertOnly: true})
	g.post(t, "/v1/chat/completions", body)
	rec, _ = g.srv.Echo().LastRequest()
	if !strings.Contains(string(rec.Body), secrets[2]) {
		t.Fatal("observe mode must change nothing")
	}
}

func TestE2EThinkingBlockPolicy(t *testing.T) {
	tok := plantedSecrets()[0]
	body := `{"model":"claude","messages":[{"role":"user","content":"q"},{"role":"assistant","content":[{"type":"thinking","thinking":"the token ` + tok + `","signature":"sig"},{"type":"text","text":"a"}]},{"role":"user","content":"go on"}]}`
	g := startGateway(t, &Config{})
	resp, answer := g.post(t, "/v1/messages", body)
	if resp.StatusCode != 400 || !strings.Contains(answer, "thinking block") {
		t.Fatalf("default thinking policy must block: %d %s", resp.StatusCode, answer)
	}
	g = startGateway(t, &Config{Thinking: "alert"})
	resp, _ = g.post(t, "/v1/messages", body)
	rec, _ := g.srv.Echo().LastRequest()
	if resp.StatusCode != 200 || !strings.Contains(string(rec.Body), `"thinking":"the token `+tok) {
		t.Fatalf("alert policy forwards the signed block unedited: %d", resp.StatusCode)
	}
	if !strings.Contains(g.logs.String(), "thinking-block") {
		t.Fatal("thinking alert not logged")
	}
}

func TestE2EBadInput(t *testing.T) {
	tok := plantedSecrets()[0]
	g := startGateway(t, &Config{MaxBodyBytes: 1 << 16})
	resp, answer := g.post(t, "/v1/chat/completions", `{"messages":[{"role":"user","content":"`+tok+`"`)
	rec, _ := g.srv.Echo().LastRequest()
	if strings.Contains(string(rec.Body), tok) || resp.StatusCode != 400 {
		t.Fatalf("truncated JSON: %d %s / upstream %s", resp.StatusCode, answer, rec.Body)
	}
	resp, answer = g.post(t, "/v1/chat/completions", strings.Repeat("x", 1<<17))
	if resp.StatusCode != 413 {
		t.Fatalf("oversized: %d %s", resp.StatusCode, answer)
	}
	resp, answer = g.post(t, "/v1/chat/completions", "\x1b\x00\x00", "Content-Encoding", "br")
	if resp.StatusCode != 415 {
		t.Fatalf("brotli: %d %s", resp.StatusCode, answer)
	}
	resp, answer = g.post(t, "/v1/chat/completions", "\x28\xb5\x2f\xfd", "Content-Encoding", "zstd") // a truncated frame
	if resp.StatusCode != 400 {
		t.Fatalf("truncated zstd: %d %s", resp.StatusCode, answer)
	}
	resp, answer = g.post(t, "/v1/chat/completions", `{}`, "X-Echo-Fail", "503")
	if resp.StatusCode != 503 || !strings.Contains(answer, `"error"`) {
		t.Fatalf("upstream 503: %d %s", resp.StatusCode, answer)
	}
	req, _ := http.NewRequest("GET", g.http.URL+"/v1/realtime?model=gpt-4o-realtime", nil)
	req.Header.Set("Connection", "Upgrade")
	req.Header.Set("Upgrade", "websocket")
	r2, err := g.http.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(r2.Body)
	r2.Body.Close()
	if r2.StatusCode != 400 || !strings.Contains(string(b), "Realtime") {
		t.Fatalf("realtime: %d %s", r2.StatusCode, b)
	}
	req, _ = http.NewRequest("GET", g.http.URL+"/v1/some/socket", nil)
	req.Header.Set("Connection", "Upgrade")
	req.Header.Set("Upgrade", "websocket")
	if r3, err := g.http.Client().Do(req); err != nil || r3.StatusCode != 400 {
		t.Fatalf("an upgrade on any route must be refused: %v %v", r3, err)
	} else {
		r3.Body.Close()
	}
	// Mid-stream failure: the client gets an error event in the provider's shape.
	resp, answer = g.post(t, "/v1/messages", `{"model":"claude-echo","stream":true,"max_tokens":5,"messages":[{"role":"user","content":"a fairly long answer that streams"}]}`, "X-Echo-Fail", "midstream")
	if !strings.Contains(answer, "event: error") || !strings.Contains(answer, `"type":"error"`) {
		t.Fatalf("mid-stream failure: %d %s", resp.StatusCode, answer)
	}
	// Unreachable upstream.
	g2 := startGateway(t, &Config{Upstream: "http://127.0.0.1:1"})
	resp, answer = g2.post(t, "/v1/chat/completions", `{}`)
	if resp.StatusCode != 502 || strings.Contains(answer, "127.0.0.1") {
		t.Fatalf("unreachable: %d %s", resp.StatusCode, answer)
	}
}

func TestE2EClientDisconnectCancelsUpstream(t *testing.T) {
	canceled := make(chan struct{})
	up := &fakeUpstream{handler: func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		for i := 0; ; i++ {
			select {
			case <-r.Context().Done():
				close(canceled)
				return
			case <-time.After(5 * time.Millisecond):
			}
			sseWrite(w, fmt.Sprintf("data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"word%d \"}}]}\n\n", i))
		}
	}}
	us := httptest.NewServer(up)
	defer us.Close()
	g := startGateway(t, &Config{Upstream: us.URL})
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "POST", g.http.URL+"/v1/chat/completions", strings.NewReader(`{"stream":true}`))
	resp, err := g.http.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64)
	if _, err := resp.Body.Read(buf); err != nil {
		t.Fatal(err)
	}
	cancel()
	resp.Body.Close()
	select {
	case <-canceled:
	case <-time.After(5 * time.Second):
		t.Fatal("the upstream request was not canceled when the client went away")
	}
}

func TestAdminEndpoints(t *testing.T) {
	g := startGateway(t, &Config{})
	g.post(t, "/v1/chat/completions", `{"messages":[{"role":"user","content":"`+plantedSecrets()[0]+`"}]}`)
	adm := httptest.NewServer(g.srv.AdminHandler())
	defer adm.Close()
	get := func(p string) string {
		resp, err := adm.Client().Get(adm.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	if !strings.Contains(get("/readyz"), `"rule_pack"`) || !strings.Contains(get("/healthz"), "ok") {
		t.Fatal("health endpoints")
	}
	// The request counter is written after the response has gone out: wait for it.
	m := get("/metrics")
	for deadline := time.Now().Add(3 * time.Second); !strings.Contains(m, `scrubgate_requests_total{code="200"`) && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
		m = get("/metrics")
	}
	for _, want := range []string{`scrubgate_findings_total{action="redacted",direction="request",rule="github-pat",tenant="pass-through"} 1`,
		`scrubgate_requests_total{code="200",route="/v1/chat/completions"} 1`, "scrubgate_scrub_duration_seconds_bucket", "scrubgate_bytes_scanned_total"} {
		if !strings.Contains(m, want) {
			t.Fatalf("metrics lack %s", want)
		}
	}
	assertClean(t, "metrics", m, plantedSecrets())
}

func TestWebhookRetriesUntilDelivered(t *testing.T) {
	var mu sync.Mutex
	var got []Event
	fails := 1
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if fails > 0 {
			fails--
			w.WriteHeader(500)
			return
		}
		var e Event
		json.NewDecoder(r.Body).Decode(&e)
		got = append(got, e)
	}))
	defer hook.Close()
	g := startGateway(t, &Config{Webhook: WebhookConfig{URL: hook.URL, MinSeverity: "low"}})
	g.srv.webhook.backoff = time.Millisecond
	tok := plantedSecrets()[0]
	g.post(t, "/v1/chat/completions", `{"messages":[{"role":"user","content":"`+tok+`"}]}`)
	deadline := time.Now().Add(5 * time.Second)
	for {
		mu.Lock()
		n := len(got)
		mu.Unlock()
		if n >= 1 || time.Now().After(deadline) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 1 || fails != 0 {
		t.Fatalf("webhook got %d events (failures left %d), want one delivered after a failed attempt", len(got), fails)
	}
	b, _ := json.Marshal(got)
	assertClean(t, "webhook", string(b), []string{tok})
	if got[0].RuleID != "github-pat" || got[0].Fingerprint == "" || got[0].RequestID == "" {
		t.Fatalf("event fields: %+v", got[0])
	}
}

func TestWebhookFullQueueDropsWithoutBlocking(t *testing.T) {
	release := make(chan struct{})
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-release }))
	defer hook.Close()
	defer close(release)
	m := newMetrics()
	w := newWebhook(WebhookConfig{URL: hook.URL, Queue: 1, MaxRetries: 1, Timeout: Duration(5 * time.Second), MinSeverity: "low"}, "", slogTo(io.Discard), m)
	start := time.Now()
	for i := 0; i < 50; i++ {
		w.send(&Event{RuleID: "r", Severity: SeverityHigh})
	}
	if time.Since(start) > time.Second {
		t.Fatal("sending to a stuck webhook blocked the caller")
	}
	if got := testutil.ToFloat64(m.webhookDropped); got < 45 {
		t.Fatalf("dropped = %v, want most of 50 with a queue of 1", got)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	w.close(ctx)
}

// Webhook deliveries are signed: X-Scrubgate-Signature is the HMAC-SHA256 of the
// body under the secret named by secret_env.
func TestWebhookSignature(t *testing.T) {
	t.Setenv("TEST_HOOK_SECRET", "hook-signing-secret-123")
	got := make(chan [2]string, 1)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		select {
		case got <- [2]string{string(b), r.Header.Get("X-Scrubgate-Signature")}:
		default:
		}
	}))
	defer hook.Close()
	g := startGateway(t, &Config{Webhook: WebhookConfig{URL: hook.URL, MinSeverity: "low", SecretEnv: "TEST_HOOK_SECRET"}})
	g.post(t, "/v1/chat/completions", `{"messages":[{"role":"user","content":"`+plantedSecrets()[0]+`"}]}`)
	select {
	case d := <-got:
		mac := hmac.New(sha256.New, []byte("hook-signing-secret-123"))
		mac.Write([]byte(d[0]))
		if want := "sha256=" + hex.EncodeToString(mac.Sum(nil)); d[1] != want {
			t.Fatalf("signature %q, want %q", d[1], want)
		}
		assertClean(t, "webhook body", d[0], plantedSecrets())
	case <-time.After(5 * time.Second):
		t.Fatal("no delivery")
	}
}
