package proxy

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/scrubgate/scrubgate/detectors"
)

func manySecrets(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteString(detectors.MintPrefixedCRC32("ghp_", []byte(fmt.Sprintf("%030d", i*7919+123456789))))
		b.WriteByte(' ')
	}
	return `{"messages":[{"role":"user","content":"` + b.String() + `"}]}`
}

// Learning is bounded per request: a request carrying many distinct secrets has
// every one redacted, but teaches its tenant at most maxLearnedPerRequest values
// (learning rebuilds the tenant's matcher, so an unbounded batch would be a
// denial of service).
func TestLearningIsBoundedPerRequest(t *testing.T) {
	body := manySecrets(300)
	g := startGateway(t, &Config{LearnPassThrough: true})
	resp, _ := g.post(t, "/v1/chat/completions", body, "Authorization", "Bearer attacker")
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	rec, _ := g.srv.Echo().LastRequest()
	want := len(baseScanner(t).Scan([]byte(body)))
	if n := len(handleRE.FindAllString(string(rec.Body), -1)); n != want || want < 100 {
		t.Fatalf("%d of %d secrets redacted", n, want)
	}
	// The gateway learns once the handler returns, which can be just after the
	// client has its answer: wait for it.
	tn := g.srv.tenants.passThrough("attacker")
	learned := 0
	for deadline := time.Now().Add(5 * time.Second); learned == 0 && time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		tn.mu.Lock()
		learned = len(tn.learned)
		tn.mu.Unlock()
	}
	if learned == 0 || learned > maxLearnedPerRequest {
		t.Fatalf("tenant learned %d values from one request, want 1..%d", learned, maxLearnedPerRequest)
	}
}
