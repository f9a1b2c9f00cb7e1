package main

import (
	"regexp"
	"strings"
	"testing"

	"github.com/scrubgate/scrubgate/vault"
)

func TestDemoShowsTheProviderGotAHandle(t *testing.T) {
	code, out, errOut := runCLI(t, "", "demo")
	if code != 0 {
		t.Fatalf("demo exit %d: %s", code, errOut)
	}
	sent := regexp.MustCompile(`my token (ghp_[A-Za-z0-9]{36})`).FindStringSubmatch(out)
	if sent == nil {
		t.Fatalf("demo did not show the request with the token:\n%s", out)
	}
	_, received, ok := strings.Cut(out, "2. The provider received:")
	if !ok || strings.Contains(received, sent[1]) || !strings.Contains(received, "[[scrub:github-token:") {
		t.Fatalf("the provider side must show a handle, never the token:\n%s", out)
	}
}

func TestKeysNew(t *testing.T) {
	code, out, _ := runCLI(t, "", "keys", "new")
	m := regexp.MustCompile(`(sgk_[A-Za-z0-9]{36})\nconfig line:  key_sha256: (sha256:[0-9a-f]{64})`).FindStringSubmatch(out)
	if code != 0 || m == nil || !vault.ValidGatewayKey(m[1]) || vault.HashGatewayKey(m[1]) != m[2] {
		t.Fatalf("keys new: %d %q", code, out)
	}
}

func TestServeRejectsBadConfig(t *testing.T) {
	code, _, errOut := runCLI(t, "", "serve", "--listen", "0.0.0.0:8080", "--upstream", "ftp://x")
	if code != 2 || !strings.Contains(errOut, "loopback") || !strings.Contains(errOut, "ftp://x") {
		t.Fatalf("serve with a bad config: %d %s", code, errOut)
	}
}
