package proxy

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestNPMSDKs runs the official openai and @anthropic-ai/sdk npm packages against
// the gateway (e2e/npm/sdk-e2e.mjs). scripts/test.sh installs them and sets
// SCRUBGATE_NPM_E2E=1; elsewhere the test is skipped.
func TestNPMSDKs(t *testing.T) {
	if os.Getenv("SCRUBGATE_NPM_E2E") != "1" {
		t.Skip("set SCRUBGATE_NPM_E2E=1 after `npm ci` in e2e/npm (scripts/test.sh does)")
	}
	dir, _ := filepath.Abs("../e2e/npm")
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "openai")); err != nil {
		t.Fatalf("run `npm ci` in %s first: %v", dir, err)
	}
	g := startGateway(t, &Config{})
	secret := ghToken("Np9mE2")
	cmd := exec.Command("node", "sdk-e2e.mjs")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "SCRUBGATE_URL="+g.http.URL, "SCRUBGATE_E2E_SECRET="+secret)
	out, err := cmd.CombinedOutput()
	t.Logf("node sdk-e2e.mjs:\n%s", out)
	if err != nil {
		t.Fatalf("SDK checks failed: %v", err)
	}
	if strings.Count(string(out), "ok   ") < 11 {
		t.Fatalf("not every SDK check ran")
	}
	for _, rec := range g.srv.Echo().Requests() {
		if strings.Contains(string(rec.Body), secret) {
			t.Fatalf("the secret reached upstream on %s", rec.Path)
		}
	}
	assertClean(t, "logs", g.logs.String(), []string{secret})
}
