package providers

import (
	"os/exec"
	"strings"
	"testing"
)

// Library users who import providers (or scanner) must not pull in the gateway's
// server stack.
func TestNoServerDependencies(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "github.com/scrubgate/scrubgate/providers").CombinedOutput()
	if err != nil {
		t.Skipf("go list unavailable: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		if strings.Contains(dep, "gin-gonic") || strings.Contains(dep, "prometheus") {
			t.Fatalf("providers depends on %s", dep)
		}
	}
}
