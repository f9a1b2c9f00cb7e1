package vault_test

import (
	"testing"

	"github.com/scrubgate/scrubgate/scanner"
	"github.com/scrubgate/scrubgate/vault"
)

// Gateway keys scrubgate issues are caught by the default pack, so one pasted into
// a prompt is scrubbed like any other credential.
func TestDefaultPackDetectsGatewayKeys(t *testing.T) {
	sc, err := scanner.Default()
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 20; i++ {
		k := vault.NewGatewayKey()
		fs := sc.Scan([]byte("export SCRUBGATE_AGENT_KEY=" + k + "\n"))
		if len(fs) != 1 || fs[0].RuleID != "scrubgate-gateway-key" || string(fs[0].Secret()) != k {
			t.Fatalf("key %d: findings %v", i, fs)
		}
	}
}
