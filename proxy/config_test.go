package proxy

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestExampleConfigLoads(t *testing.T) {
	for _, env := range []string{"PROD_DB_PASSWORD", "CANARY_AWS_KEY", "OPENAI_API_KEY", "ANTHROPIC_API_KEY"} {
		t.Setenv(env, "value-of-"+env+"-0123456789")
	}
	cfg, err := LoadConfig("../examples/gateway.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	if len(cfg.Agents) != 1 || cfg.Agents[0].Credentials["anthropic"].Header != "x-api-key" || cfg.Tenants[0].Known[1].Canary != true {
		t.Fatalf("config not read as written: %+v", cfg)
	}
}

func TestConfigValidationReportsEveryProblem(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "bad.yaml")
	os.WriteFile(path, []byte(`listen: 0.0.0.0:8080
upstream: ftp://example.com
thinking_policy: maybe
default_policy: {actions: {github-pat: explode}}
agents:
  - {id: a, key_sha256: nope, credentials: {gemini: {header: Cookie, value_env: UNSET_VAR_X}}}
`), 0o600)
	cfg, err := LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	err = cfg.Validate()
	if err == nil {
		t.Fatal("want errors")
	}
	for _, want := range []string{"not a loopback address", "ftp://example.com", "thinking_policy", "explode", "tenant is required", "key_sha256", "unknown provider \"gemini\"", "Cookie", "UNSET_VAR_X"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	os.WriteFile(path, []byte("listen: 127.0.0.1:1\nnot_a_field: 1\n"), 0o600)
	if _, err := LoadConfig(path); err == nil || !strings.Contains(err.Error(), "not_a_field") {
		t.Fatalf("unknown fields must be errors: %v", err)
	}
}

func TestKeyFileGeneratedOnceWithMode0600(t *testing.T) {
	t.Setenv("SCRUBGATE_KEY", "")
	path := filepath.Join(t.TempDir(), "sub", "key")
	cfg := &Config{KeyFile: path}
	var logs syncBuffer
	k1, err := LoadOrCreateKey(cfg, slogTo(&logs))
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode: %v %v", st, err)
	}
	if !strings.Contains(logs.String(), "generated a new master key") {
		t.Fatal("generating a key must be logged")
	}
	k2, err := LoadOrCreateKey(cfg, slogTo(&logs))
	if err != nil {
		t.Fatal(err)
	}
	if k1.Mint("t", "x", []byte("secret-value")) != k2.Mint("t", "x", []byte("secret-value")) {
		t.Fatal("a restart must give the same handles")
	}
	os.Chmod(path, 0o644)
	if _, err := LoadOrCreateKey(cfg, slogTo(&logs)); err == nil {
		t.Fatal("a key file readable by others must be refused")
	}
}
