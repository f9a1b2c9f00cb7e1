package proxy

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/klauspost/compress/zstd"

	"github.com/scrubgate/scrubgate/vault"
)

// upstreamHit is one request an upstream received.
type upstreamHit struct {
	upstream, method, path string
	header                 http.Header
}

// twoUpstreams runs fake openai and anthropic upstreams that record what they
// receive.
type twoUpstreams struct {
	mu   sync.Mutex
	hits []upstreamHit
}

func (u *twoUpstreams) server(t *testing.T, name string) *httptest.Server {
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		u.mu.Lock()
		u.hits = append(u.hits, upstreamHit{name, r.Method, r.URL.Path, r.Header.Clone()})
		u.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"data":[]}`))
	}))
	t.Cleanup(s.Close)
	return s
}

func (u *twoUpstreams) take() []upstreamHit {
	u.mu.Lock()
	defer u.mu.Unlock()
	h := u.hits
	u.hits = nil
	return h
}

func startSplitGateway(t *testing.T, cfg *Config) (*testGateway, *twoUpstreams) {
	u := &twoUpstreams{}
	cfg.Upstreams = map[string]string{"openai": u.server(t, "openai").URL, "anthropic": u.server(t, "anthropic").URL}
	return startGateway(t, cfg), u
}

// fileUpload is a multipart upload of one small text file, as the SDKs send it.
func fileUpload() (string, []byte) {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	mw.WriteField("purpose", "assistants")
	w, _ := mw.CreateFormFile("file", "notes.txt")
	w.Write([]byte("meeting notes\n"))
	mw.Close()
	return mw.FormDataContentType(), b.Bytes()
}

// The Anthropic SDK's models.list()/models.retrieve() and beta.files routes,
// through ANTHROPIC_BASE_URL with the default per-provider upstreams, went to the
// OpenAI upstream with the caller's Anthropic key (review 1, bug 1). They follow
// the request's headers now, for both of the SDK's credential shapes (apiKey:
// x-api-key; authToken: Authorization: Bearer), always with anthropic-version.
func TestRegress5AnthropicSharedRoutes(t *testing.T) {
	g, up := startSplitGateway(t, &Config{})
	ct, upload := fileUpload()
	routes := []struct {
		method, path, ct string
		body             []byte
	}{
		{"GET", "/v1/models", "", nil},
		{"GET", "/v1/models?beta=true&limit=20", "", nil},
		{"GET", "/v1/models/claude-sonnet-4-5", "", nil},
		{"POST", "/v1/files?beta=true", ct, upload},
		{"GET", "/v1/files?beta=true", "", nil},
		{"GET", "/v1/files/file_011CNha8iCJcU1wXNR6q4V8w", "", nil},
		{"GET", "/v1/files/file_011CNha8iCJcU1wXNR6q4V8w/content", "", nil},
		{"DELETE", "/v1/files/file_011CNha8iCJcU1wXNR6q4V8w", "", nil},
		{"GET", "/v1/skills", "", nil}, // a path the gateway has no route for
	}
	shapes := []struct {
		name, header, value string
		hdr                 []string
	}{
		{"apiKey", "X-Api-Key", "sk-ant-api03-caller", []string{"x-api-key", "sk-ant-api03-caller", "anthropic-version", "2023-06-01", "anthropic-beta", "files-api-2025-04-14"}},
		{"authToken", "Authorization", "Bearer sk-ant-oat01-caller", []string{"Authorization", "Bearer sk-ant-oat01-caller", "anthropic-version", "2023-06-01"}},
		{"x-api-key only", "X-Api-Key", "sk-ant-api03-caller", []string{"x-api-key", "sk-ant-api03-caller"}},
	}
	for _, sh := range shapes {
		for _, r := range routes {
			resp, body := g.send(t, r.method, r.path, r.ct, r.body, sh.hdr...)
			hits := up.take()
			if resp.StatusCode != 200 || len(hits) != 1 || hits[0].upstream != "anthropic" {
				t.Errorf("%s: %s %s: status %d %s, upstream requests %+v; want one, to anthropic", sh.name, r.method, r.path, resp.StatusCode, body, hits)
				continue
			}
			if hits[0].header.Get(sh.header) != sh.value {
				t.Errorf("%s: %s %s: the caller's credential was not forwarded to anthropic", sh.name, r.method, r.path)
			}
		}
	}

	// The OpenAI shapes (Bearer; Azure api-key) still go to OpenAI.
	for _, hdr := range [][]string{{"Authorization", "Bearer sk-proj-caller"}, {"api-key", "azure-caller-key"}} {
		for _, r := range routes {
			resp, body := g.send(t, r.method, r.path, r.ct, r.body, hdr...)
			if hits := up.take(); resp.StatusCode != 200 || len(hits) != 1 || hits[0].upstream != "openai" {
				t.Errorf("%s: %s %s: status %d %s, upstream requests %+v; want one, to openai", hdr[0], r.method, r.path, resp.StatusCode, body, hits)
			}
		}
	}
}

// A shared path whose headers name both providers is refused, not guessed; an
// OpenAI-only route with Anthropic headers is refused when the two upstreams
// differ (the Anthropic key would reach OpenAI), and forwarded when they are one.
func TestRegress5AmbiguousCredentialsRefused(t *testing.T) {
	g, up := startSplitGateway(t, &Config{})
	for _, hdr := range [][]string{
		{"x-api-key", "sk-same", "Authorization", "Bearer sk-same"},
		{"anthropic-version", "2023-06-01", "api-key", "azure-caller-key"},
		{"x-api-key", "sk-same", "api-key", "sk-same"},
	} {
		for _, path := range []string{"/v1/models", "/v1/files/file_1", "/v1/skills"} {
			resp, body := g.send(t, "GET", path, "", nil, hdr...)
			if hits := up.take(); resp.StatusCode != 400 || len(hits) != 0 || !strings.Contains(body, "both serve this path") {
				t.Errorf("%v: GET %s: status %d %s, upstream requests %+v; want 400 and nothing forwarded", hdr, path, resp.StatusCode, body, hits)
			}
			if strings.Contains(body, "sk-same") || strings.Contains(body, "azure-caller-key") {
				t.Errorf("the refusal names the credential: %s", body)
			}
		}
	}

	chat := []byte(`{"model":"gpt-4.1","messages":[{"role":"user","content":"hi"}]}`)
	for _, hdr := range [][]string{
		{"x-api-key", "sk-ant-api03-caller", "anthropic-version", "2023-06-01"},
		{"Authorization", "Bearer sk-ant-oat01-caller", "anthropic-version", "2023-06-01"},
		{"x-api-key", "sk-ant-api03-caller"},
	} {
		resp, body := g.send(t, "POST", "/v1/chat/completions", "application/json", chat, hdr...)
		if hits := up.take(); resp.StatusCode != 400 || len(hits) != 0 || !strings.Contains(body, `"type":"error"`) {
			t.Errorf("%v: chat completions: status %d %s, upstream requests %+v; want an Anthropic-shaped 400 and nothing forwarded", hdr, resp.StatusCode, body, hits)
		}
	}
	// Unchanged: OpenAI and Azure shapes, and Azure deployments with their api-key.
	for _, c := range []struct {
		path string
		hdr  []string
	}{
		{"/v1/chat/completions", []string{"Authorization", "Bearer sk-proj-caller"}},
		{"/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21", []string{"api-key", "azure-caller-key"}},
		{"/openai/v1/models", []string{"api-key", "azure-caller-key"}},
	} {
		method, body := "POST", chat
		if strings.HasSuffix(c.path, "/models") {
			method, body = "GET", nil
		}
		resp, out := g.send(t, method, c.path, "application/json", body, c.hdr...)
		if hits := up.take(); resp.StatusCode != 200 || len(hits) != 1 || hits[0].upstream != "openai" {
			t.Errorf("%s: status %d %s, upstream requests %+v", c.path, resp.StatusCode, out, hits)
		}
	}

	// One upstream for both providers: nothing can reach the wrong provider.
	one := startGateway(t, &Config{})
	resp, body := one.send(t, "POST", "/v1/chat/completions", "application/json", chat, "x-api-key", "sk-ant-api03-caller")
	if resp.StatusCode != 200 {
		t.Errorf("single upstream: %d %s", resp.StatusCode, body)
	}
}

// Errors scrubgate itself answers on a shared route that goes to Anthropic take
// the Anthropic shape (the Anthropic SDK reads them), and an agent's request is
// given the credential of the provider the headers name.
func TestRegress5SharedRouteErrorsAndAgents(t *testing.T) {
	key := vault.NewGatewayKey()
	os.Setenv("TEST_R5_ANTHROPIC_KEY", "sk-ant-api03-upstream-injected")
	defer os.Unsetenv("TEST_R5_ANTHROPIC_KEY")
	g, up := startSplitGateway(t, &Config{Agents: []Agent{{ID: "bot", Tenant: "acme", KeyHash: vault.HashGatewayKey(key),
		Credentials: map[string]Credential{"anthropic": {Header: "x-api-key", ValueEnv: "TEST_R5_ANTHROPIC_KEY"}}}},
		Tenants: []Tenant{{ID: "acme"}}})

	resp, body := g.send(t, "POST", "/v1/files", "text/plain", []byte("x"),
		"x-api-key", "sk-ant-api03-caller", "anthropic-version", "2023-06-01", "Content-Encoding", "br")
	if resp.StatusCode != 415 || !strings.HasPrefix(body, `{"type":"error","error":`) || len(up.take()) != 0 {
		t.Errorf("refused Anthropic file upload: %d %s; want 415 in Anthropic's error shape", resp.StatusCode, body)
	}

	resp, body = g.send(t, "GET", "/v1/models", "", nil, "x-api-key", key, "anthropic-version", "2023-06-01")
	hits := up.take()
	if resp.StatusCode != 200 || len(hits) != 1 || hits[0].upstream != "anthropic" || hits[0].header.Get("X-Api-Key") != "sk-ant-api03-upstream-injected" {
		t.Fatalf("agent models.list: %d %s, upstream requests %d", resp.StatusCode, body, len(hits))
	}
}

// Codex CLI's zstd-compressed Responses request goes through the gateway and
// reaches the provider scrubbed and uncompressed.
func TestRegress5ZstdThroughGateway(t *testing.T) {
	g := startGateway(t, &Config{})
	tok := plantedSecrets()[0]
	body := []byte(`{"model":"gpt-5-codex","input":[{"type":"message","role":"user","content":[{"type":"input_text","text":"GITHUB_TOKEN=` + tok + `"}]}]}`)
	enc, _ := zstd.NewWriter(nil, zstd.WithEncoderConcurrency(1))
	comp := enc.EncodeAll(body, nil)
	enc.Close()
	resp, out := g.send(t, "POST", "/v1/responses", "application/json", comp,
		"Content-Encoding", "zstd", "Authorization", "Bearer chatgpt-access-token", "Originator", "codex_cli_rs")
	rec, ok := g.srv.Echo().LastRequest()
	if resp.StatusCode != 200 || !ok {
		t.Fatalf("status %d: %s", resp.StatusCode, out)
	}
	if rec.Header.Get("Content-Encoding") != "" || !bytes.HasPrefix(rec.Body, []byte(`{"model":"gpt-5-codex"`)) {
		t.Fatalf("upstream got Content-Encoding %q, body %.40q", rec.Header.Get("Content-Encoding"), rec.Body)
	}
	assertClean(t, "upstream body", string(rec.Body), []string{tok})
}
