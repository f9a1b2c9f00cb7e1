package proxy

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"

	"go.uber.org/goleak"

	"github.com/scrubgate/scrubgate/detectors"
	"github.com/scrubgate/scrubgate/scanner"
	"github.com/scrubgate/scrubgate/vault"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("net/http.(*persistConn).writeLoop"), goleak.IgnoreTopFunction("net/http.(*persistConn).readLoop"),
		goleak.IgnoreTopFunction("internal/poll.runtime_pollWait"))
}

var (
	scOnce sync.Once
	scBase *scanner.Scanner
	scErr  error
)

func baseScanner(t testing.TB) *scanner.Scanner {
	t.Helper()
	scOnce.Do(func() { scBase, scErr = scanner.Default() })
	if scErr != nil {
		t.Fatal(scErr)
	}
	return scBase
}

// syncBuffer is a log sink safe for concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type testGateway struct {
	srv  *Server
	http *httptest.Server
	logs *syncBuffer
}

var fixedKeys, _ = vault.DeriveKeys([]byte("proxy tests master key 0123456789"))

// startGateway runs a gateway with cfg (echo upstream unless set) on a loopback
// test server.
func startGateway(t *testing.T, cfg *Config) *testGateway {
	t.Helper()
	if cfg.Upstream == "" && cfg.Upstreams == nil {
		cfg.Upstream = Echo
	}
	cfg.ForwardHeaders = append(cfg.ForwardHeaders, "X-Echo-Fail")
	logs := &syncBuffer{}
	srv, err := New(cfg, Options{Scanner: baseScanner(t), Keys: fixedKeys, Logger: slog.New(slog.NewJSONHandler(logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		hs.Close()
		srv.Close(t.Context())
	})
	return &testGateway{srv: srv, http: hs, logs: logs}
}

// post sends a JSON body with the caller's key; hdr (name, value pairs) may
// override it.
func (g *testGateway) post(t *testing.T, path, body string, hdr ...string) (*http.Response, string) {
	t.Helper()
	return g.send(t, "POST", path, "application/json", []byte(body), append([]string{"Authorization", "Bearer sk-caller-key-1"}, hdr...)...)
}

// send sends a request; a nil body sends none, an empty contentType no
// Content-Type, and hdr are (name, value) pairs.
func (g *testGateway) send(t *testing.T, method, path, contentType string, body []byte, hdr ...string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(method, g.http.URL+path, bytes.NewReader(body))
	if body == nil {
		req.Body = nil
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := g.http.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func ghToken(seed string) string {
	return detectors.MintPrefixedCRC32("ghp_", []byte(strings.Repeat(seed, 30)[:30]))
}

// plantedSecrets are fake credentials of several kinds.
func plantedSecrets() []string {
	return []string{
		ghToken("Ab3dE5"),
		"sk-ant-api03-" + strings.Repeat("Zx9Qw2Er7Ty1", 8)[:93] + "AA",
		"AKIA" + "Q3ZR7TLMXW2KJ5NP",
		"xoxb-2048576193-4096738215940-Qm7TzR2vLx9KcW4pNh8sYd3F",
		"-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\nQyNTUxOQAAACDx8mJYcK0dZ8u5hF2tDqS9XvE3pGkLmNa4bRc7WzYnUQAAAJjK1P2yytT9\n-----END OPENSSH PRIVATE KEY-----",
	}
}

func assertClean(t *testing.T, where, text string, secrets []string) {
	t.Helper()
	for _, s := range secrets {
		probe := s
		if len(probe) > 40 {
			probe = probe[len(probe)/2 : len(probe)/2+20] // a piece from the middle
		}
		if strings.Contains(text, probe) {
			t.Fatalf("%s: a planted secret (%.8s…) leaked", where, s)
		}
	}
}

func vaultHandleRE() *regexp.Regexp {
	return regexp.MustCompile(`\[\[scrub:[a-z0-9-]+:[0-9A-Z]{10}\]\]`)
}

func slogTo(w io.Writer) *slog.Logger { return slog.New(slog.NewJSONHandler(w, nil)) }
