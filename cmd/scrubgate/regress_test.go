package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/spf13/cobra"
)

// C1: "flags override environment variables, which override the YAML file", but
// --alert-only=false (or SCRUBGATE_ALERT_ONLY=false) cannot turn off a YAML
// alert_only: true: enforcement an operator asks for on the command line is silently
// not applied (secrets keep passing).
func TestReviewAlertOnlyFlagCannotDisable(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "gw.yaml")
	os.WriteFile(p, []byte("alert_only: true\n"), 0o600)
	var f serveFlags
	cmd := &cobra.Command{Use: "serve"}
	f.register(cmd)
	if err := cmd.ParseFlags([]string{"--config", p, "--alert-only=false"}); err != nil {
		t.Fatal(err)
	}
	cfg, err := f.load()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.AlertOnly {
		t.Fatal("--alert-only=false ignored: the gateway still runs in alert-only mode")
	}
}
