package proxy

import (
	"strings"
	"testing"
)

// An upstream URL is a base URL as the providers document it for their SDKs. One
// whose path names an API version stands in for the route's version prefix, so
// Gemini's OpenAI-compatible base (…/v1beta/openai) and OpenRouter's (/api/v1)
// work; a host, or a path without a version, is a prefix of the route's path, as
// before.
func TestUpstreamBaseURLs(t *testing.T) {
	for _, c := range []struct {
		base, route, want string
	}{
		{"", "/v1/chat/completions", "/v1/chat/completions"},
		{"/v1", "/v1/chat/completions", "/v1/chat/completions"},
		{"/v1/", "/v1/embeddings", "/v1/embeddings"},
		{"/v1beta/openai", "/v1/chat/completions", "/v1beta/openai/chat/completions"},
		{"/v1beta/openai/", "/v1/models", "/v1beta/openai/models"},
		{"/openai/v1", "/v1/chat/completions", "/openai/v1/chat/completions"},
		{"/api/v1", "/api/v1/chat/completions", "/api/v1/chat/completions"},
		{"/openai/v1", "/openai/v1/responses", "/openai/v1/responses"},
		{"/inference/v1", "/v1/completions", "/inference/v1/completions"},
		{"/openai", "/v1/chat/completions", "/openai/v1/chat/completions"},
		{"/v1", "/v1/messages", "/v1/messages"},
		{"/vault", "/v1/chat/completions", "/vault/v1/chat/completions"},
		// Cloudflare AI Gateway: its own /v1 leads the path; an Anthropic base never
		// names the API version but at its end
		{"/v1/acct123/gw/anthropic", "/v1/messages", "/v1/acct123/gw/anthropic/v1/messages"},
		{"/v1/acct123/gw/anthropic", "/v1/messages/count_tokens", "/v1/acct123/gw/anthropic/v1/messages/count_tokens"},
		{"/v1/acct123/gw/openai", "/v1/chat/completions", "/v1/acct123/gw/openai/chat/completions"},
	} {
		u := &twoUpstreams{}
		up := u.server(t, "openai")
		anth := u.server(t, "anthropic")
		g := startGateway(t, &Config{Upstreams: map[string]string{"openai": up.URL + c.base, "anthropic": anth.URL + c.base}})
		method, body, hdr := "POST", []byte(`{"model":"m","input":"hi"}`), []string{"Authorization", "Bearer sk-test"}
		if c.route == "/v1/models" {
			method, body = "GET", nil
		}
		if strings.HasPrefix(c.route, "/v1/messages") {
			hdr = []string{"x-api-key", "k", "anthropic-version", "2023-06-01"}
		}
		resp, msg := g.send(t, method, c.route, "application/json", body, hdr...)
		hits := u.take()
		if resp.StatusCode != 200 || len(hits) != 1 || hits[0].path != c.want {
			t.Errorf("upstream base %q, route %s: status %d %s, upstream saw %+v; want path %s", c.base, c.route, resp.StatusCode, msg, hits, c.want)
		}
	}
}

func TestVersionedBase(t *testing.T) {
	for path, want := range map[string]bool{
		"": false, "/v1": true, "/openai/v1": true, "/v1beta/openai": true, "/v2alpha1": true,
		"/openai": false, "/vault": false, "/v": false, "/version/1": false, "/v1.0": false, "/api/v10": true,
	} {
		if got := versionedBase("openai", path); got != want {
			t.Errorf("versionedBase(%q) = %v, want %v", path, got, want)
		}
	}
}
