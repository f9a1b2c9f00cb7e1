package providers

import (
	"strings"
	"sync"
	"testing"

	"github.com/scrubgate/scrubgate/detectors"
	"github.com/scrubgate/scrubgate/scanner"
	"github.com/scrubgate/scrubgate/vault"
)

var (
	scOnce sync.Once
	scBase *scanner.Scanner
	scErr  error
)

func testScanner(t testing.TB) *scanner.Scanner {
	t.Helper()
	scOnce.Do(func() { scBase, scErr = scanner.Default() })
	if scErr != nil {
		t.Fatal(scErr)
	}
	return scBase.Clone()
}

// recorder collects the hits a scrubber reports.
type recorder struct {
	mu   sync.Mutex
	hits []Hit
}

func (r *recorder) report(h *Hit) {
	r.mu.Lock()
	r.hits = append(r.hits, *h)
	r.mu.Unlock()
}

var testKeys = vault.RandomKeys()

func handleFor(f *scanner.Finding) string {
	return testKeys.Mint("tenant-a", f.Kind, f.Secret()).String()
}

func newTestScrubber(t testing.TB) (*Scrubber, *recorder) {
	rec := &recorder{}
	return &Scrubber{Scanner: testScanner(t), Handle: handleFor, Report: rec.report}, rec
}

// ghToken returns a checksummed GitHub-style token whose body is derived from seed.
func ghToken(seed string) string {
	body := strings.Repeat(seed, 30)[:30]
	return detectors.MintPrefixedCRC32("ghp_", []byte(body))
}

// secrets are fake credentials of different kinds that the default pack catches.
func testSecrets() []string {
	return []string{
		ghToken("Ab3dE5"),
		"sk-ant-api03-" + strings.Repeat("Zx9Qw2Er7Ty1", 8)[:93] + "AA",
		"AKIA" + "Q3ZR7TLMXW2KJ5NP",
		"xoxb-" + "2048576193-" + "4096738215940-" + "Qm7TzR2vLx9KcW4pNh8sYd3F",
	}
}

func assertNoSecret(t testing.TB, where string, out []byte, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if strings.Contains(string(out), s) {
			t.Fatalf("%s: secret %.8s… leaked", where, s)
		}
		if len(s) > 24 && strings.Contains(string(out), s[:len(s)-4]) {
			t.Fatalf("%s: most of secret %.8s… leaked", where, s)
		}
	}
}
