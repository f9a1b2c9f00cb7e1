package proxy

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"
)

func thinkingBody(tok string) string {
	return `{"model":"claude","messages":[{"role":"user","content":"q"},{"role":"assistant","content":[{"type":"thinking","thinking":"the token ` + tok + `","signature":"sig"},{"type":"text","text":"a"}]},{"role":"user","content":"go on"}]}`
}

// P1: alert_only ("observe mode: report every finding, change nothing") still blocks
// requests whose thinking blocks hold a secret.
func TestReviewAlertOnlyStillBlocksThinking(t *testing.T) {
	g := startGateway(t, &Config{AlertOnly: true})
	resp, answer := g.post(t, "/v1/messages", thinkingBody(plantedSecrets()[0]))
	if resp.StatusCode != 200 {
		t.Fatalf("alert-only mode blocked a request: %d %s", resp.StatusCode, answer)
	}
}

// P2: a disabled rule (or an allowlisted rule/fingerprint/path) still blocks when the
// finding is in a thinking block; for disabled rules the block has no event at all.
func TestReviewDisabledOrAllowedRuleInThinkingBlocks(t *testing.T) {
	for name, pol := range map[string]Policy{
		"disabled":   {Disabled: []string{"github-pat"}},
		"allow-rule": {Allow: Allowlist{Rules: []string{"github-pat"}}},
		"allow-path": {Allow: Allowlist{Paths: []string{"$.messages*"}}},
	} {
		g := startGateway(t, &Config{Default: pol})
		resp, answer := g.post(t, "/v1/messages", thinkingBody(plantedSecrets()[0]))
		if resp.StatusCode != 200 {
			t.Errorf("%s: request blocked: %d %s; events logged: %v", name, resp.StatusCode, answer, strings.Contains(g.logs.String(), "secret found"))
		}
	}
}

// P3: isScrubgateError is always false (ModifyResponse sets X-Scrubgate-Request-Id
// just before checking it), so scrubgate's own 4xx (policy blocks, 413) ... wait:
// those never reach ModifyResponse? They do: Transport returns them as responses.
func TestReviewOwnBlocksCountedAsUpstream4xx(t *testing.T) {
	g := startGateway(t, &Config{Default: Policy{Actions: map[string]string{"github-pat": "block"}}})
	resp, _ := g.post(t, "/v1/chat/completions", `{"messages":[{"role":"user","content":"`+plantedSecrets()[0]+`"}]}`)
	if resp.StatusCode != 400 {
		t.Fatal(resp.StatusCode)
	}
	adm := httptest.NewServer(g.srv.AdminHandler())
	defer adm.Close()
	r, _ := adm.Client().Get(adm.URL + "/metrics")
	b, _ := io.ReadAll(r.Body)
	r.Body.Close()
	if strings.Contains(string(b), `scrubgate_upstream_errors_total{kind="status_4xx"`) {
		t.Fatalf("scrubgate's own policy block counted as an upstream 4xx error")
	}
}

// P5: the URL (path and query) is forwarded upstream without scanning.
func TestReviewQueryNotScanned(t *testing.T) {
	g := startGateway(t, &Config{})
	tok := plantedSecrets()[0]
	g.post(t, "/v1/chat/completions?trace="+tok, `{}`)
	rec, _ := g.srv.Echo().LastRequest()
	if strings.Contains(rec.RawQuery, tok) {
		t.Fatalf("query forwarded with the token: %s", rec.RawQuery)
	}
}

// P6: agent mode, the caller also sends another credential header whose
// name is added via forward_headers? No: pass-through with a gateway key in a
// second header. Caller: Authorization: Bearer <other>, x-api-key: sgk_... -> the
// gateway key is forwarded to the provider.
func TestReviewGatewayKeyForwardedInPassThrough(t *testing.T) {
	g := startGateway(t, &Config{})
	gk := "sgk_" + strings.Repeat("A", 36)
	g.post(t, "/v1/messages", `{}`, "Authorization", "Bearer some-oauth-token", "X-Api-Key", gk)
	rec, _ := g.srv.Echo().LastRequest()
	if strings.Contains(rec.Header.Get("X-Api-Key"), "sgk_") {
		t.Fatalf("gateway key forwarded upstream: %v", rec.Header)
	}
}

func TestReviewRequestIdHeaderDuplicated(t *testing.T) {
	g := startGateway(t, &Config{})
	resp, _ := g.post(t, "/v1/chat/completions", `{"messages":[{"role":"user","content":"hi"}]}`)
	if v := resp.Header.Values("X-Scrubgate-Request-Id"); len(v) != 1 {
		t.Fatalf("X-Scrubgate-Request-Id values: %q", v)
	}
}
