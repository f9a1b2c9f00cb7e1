package proxy

import (
	"io"
	"math/rand"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"

	"github.com/scrubgate/scrubgate/detectors"
)

// Upstream 4xx/5xx are never counted: ModifyResponse deletes X-Scrubgate-Request-Id,
// then isScrubgateError tests that the same header is empty (always true).
func TestR3UpstreamStatusErrorsNeverCounted(t *testing.T) {
	g := startGateway(t, &Config{})
	g.post(t, "/v1/chat/completions", `{}`, "X-Echo-Fail", "503")
	g.post(t, "/v1/chat/completions", `{}`, "X-Echo-Fail", "429")
	adm := httptest.NewServer(g.srv.AdminHandler())
	defer adm.Close()
	r, _ := adm.Client().Get(adm.URL + "/metrics")
	b, _ := io.ReadAll(r.Body)
	r.Body.Close()
	var lines []string
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "scrubgate_upstream_errors_total") || strings.HasPrefix(l, "scrubgate_requests_total") {
			lines = append(lines, l)
		}
	}
	if !strings.Contains(string(b), `kind="status_5xx"`) || !strings.Contains(string(b), `kind="status_4xx"`) {
		t.Fatalf("upstream 503 and 429 not counted:\n%s", strings.Join(lines, "\n"))
	}
}

func randAlnum(r *rand.Rand, n int) string {
	const a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = a[r.Intn(len(a))]
	}
	return string(b)
}

// An unauthenticated caller teaches its pass-through tenant 32 values per request;
// each learned value costs ~300 KiB (cloudflare/ahocorasick: 4 KiB per trie node).
func TestR3LearnedValuesMemory(t *testing.T) {
	g := startGateway(t, &Config{})
	rng := rand.New(rand.NewSource(1))
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for r := 0; r < 32; r++ {
		var b []byte
		for i := 0; i < 32; i++ {
			b = append(b, detectors.MintPrefixedCRC32("ghp_", []byte(randAlnum(rng, 30)))...)
			b = append(b, ' ')
		}
		resp, _ := g.post(t, "/v1/chat/completions", `{"messages":[{"role":"user","content":"`+string(b)+`"}]}`, "Authorization", "Bearer anything")
		if resp.StatusCode != 200 {
			t.Fatal(resp.StatusCode)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	tn := g.srv.tenants.passThrough("anything")
	tn.mu.Lock()
	n := len(tn.learned)
	tn.mu.Unlock()
	grew := (int64(after.HeapAlloc) - int64(before.HeapAlloc)) >> 20
	t.Logf("32 requests (~1.5 KiB each): tenant learned %d values, live heap +%d MiB; cap %d values x %d tenants", n, grew, maxLearned, maxPassThroughTenants)
	if grew > 64 {
		t.Fatalf("one pass-through tenant holds +%d MiB after 32 small requests", grew)
	}
}

// identify's contract: "several credentials of which none is a gateway key are refused".
func TestR3SeveralCredentialsNotRefused(t *testing.T) {
	g := startGateway(t, &Config{})
	resp, _ := g.post(t, "/v1/messages", `{"model":"claude-echo","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}`,
		"Authorization", "Bearer shared-dummy", "X-Api-Key", "sk-ant-user-b-real-key")
	rec, _ := g.srv.Echo().LastRequest()
	if resp.StatusCode < 400 {
		t.Fatalf("status %d; upstream got Authorization=%q X-Api-Key=%q; tenant keyed by the first only",
			resp.StatusCode, rec.Header.Get("Authorization"), rec.Header.Get("X-Api-Key"))
	}
}

// forward_headers may name a credential header: the agent's gateway key is forwarded.
func TestR3ForwardHeadersCredentialLeaksGatewayKey(t *testing.T) {
	// Credential headers cannot be added to the forwarded allowlist: scrubgate
	// handles them itself (an agent's gateway key is never forwarded).
	for _, h := range []string{"x-api-key", "Authorization", "api-key"} {
		cfg := &Config{ForwardHeaders: []string{h}}
		if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "carries credentials") {
			t.Fatalf("forward_headers %s accepted: %v", h, err)
		}
	}
}

// Through the gateway: a secret as a query parameter name is forwarded.
func TestR3QueryParamName(t *testing.T) {
	tok := plantedSecrets()[0]
	g := startGateway(t, &Config{})
	g.post(t, "/v1/chat/completions?"+tok, `{}`)
	rec, _ := g.srv.Echo().LastRequest()
	if strings.Contains(rec.RawQuery, tok) {
		t.Fatalf("forwarded query %q", rec.RawQuery)
	}
}
