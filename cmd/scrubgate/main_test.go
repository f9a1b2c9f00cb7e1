package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scrubgate/scrubgate/detectors"
	"github.com/scrubgate/scrubgate/vault"
)

func ghToken() string {
	return detectors.MintPrefixedCRC32("ghp_", []byte("Zq8Lm2Wz9Rt4Xn7Kp3Yb6Gh1Jd5Fs0"))
}

func runCLI(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func TestRedactStdinWithStableHandles(t *testing.T) {
	t.Setenv("SCRUBGATE_KEY", "a-long-test-master-key-0123456789")
	tok := ghToken()
	in := "export GITHUB_TOKEN=" + tok + "\nagain " + tok + "\n"
	code, out, errs := runCLI(t, in, "redact")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if strings.Contains(out, tok[4:]) {
		t.Fatalf("secret in output: %s", out)
	}
	lines := strings.Split(out, "\n")
	h1 := strings.TrimPrefix(lines[0], "export GITHUB_TOKEN=")
	h, err := vault.Parse(h1)
	if err != nil || h.Kind != "github-token" {
		t.Fatalf("not a handle: %q (%v)", h1, err)
	}
	if lines[1] != "again "+h1 {
		t.Fatalf("same secret, different handle: %q", lines[1])
	}
	if !strings.Contains(errs, "2 secret(s) redacted") {
		t.Fatalf("stderr %q", errs)
	}
	// the same key gives the same handle in another run
	_, out2, _ := runCLI(t, in, "redact", "-q")
	if out2 != out {
		t.Fatal("handles differ across runs with the same SCRUBGATE_KEY")
	}
}

func TestRedactJSONStaysValid(t *testing.T) {
	tok := ghToken()
	in := `{"messages":[{"role":"tool","content":"token=` + tok + `\nnext"}],"n":1.50}`
	code, out, errs := runCLI(t, in, "redact", "-q")
	if code != 0 {
		t.Fatal(errs)
	}
	var v map[string]any
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("invalid JSON %s: %v", out, err)
	}
	if strings.Contains(out, tok[4:]) || !strings.HasSuffix(out, `"n":1.50}`) {
		t.Fatalf("output %s", out)
	}
}

func TestScanExitCodesAndFormats(t *testing.T) {
	dir := t.TempDir()
	clean := filepath.Join(dir, "clean.txt")
	dirty := filepath.Join(dir, "sub", "dirty.jsonl")
	os.MkdirAll(filepath.Dir(dirty), 0o755)
	os.WriteFile(clean, []byte("nothing to see here\n"), 0o644)
	tok := ghToken()
	os.WriteFile(dirty, []byte(`{"a":1}`+"\n"+`{"msg":{"content":"GITHUB_TOKEN=`+tok+`"}}`+"\n"), 0o644)

	if code, out, _ := runCLI(t, "", "scan", clean); code != 0 || !strings.Contains(out, "0 finding(s) in 1 file(s)") {
		t.Fatalf("clean: %d %q", code, out)
	}
	code, out, _ := runCLI(t, "", "scan", dir)
	if code != 1 || !strings.Contains(out, "dirty.jsonl:2:") || !strings.Contains(out, "github-pat") || !strings.Contains(out, "$.msg.content") {
		t.Fatalf("dirty text: %d %q", code, out)
	}
	if strings.Contains(out, tok[4:]) {
		t.Fatal("secret in report")
	}
	code, out, _ = runCLI(t, "", "scan", "--format", "json", dirty)
	var rep struct {
		Schema   string
		Findings []struct {
			File        string
			RuleID      string `json:"rule_id"`
			Start       struct{ Line, Column int }
			JSONPath    string `json:"json_path"`
			Fingerprint string
		}
		Summary struct{ Files, Findings int }
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil || code != 1 {
		t.Fatalf("json: %d %v %s", code, err, out)
	}
	if rep.Schema != "scrubgate.report/v1" || len(rep.Findings) != 1 || rep.Findings[0].Start.Line != 2 || rep.Findings[0].JSONPath != "$.msg.content" || rep.Summary.Files != 1 {
		t.Fatalf("report %+v", rep)
	}
	if code, _, errs := runCLI(t, "", "scan", filepath.Join(dir, "missing")); code != 2 || errs == "" {
		t.Fatalf("missing path: %d %q", code, errs)
	}
	if code, _, _ := runCLI(t, "", "scan", "--format", "xml", clean); code != 2 {
		t.Fatal("bad format must exit 2")
	}
	if code, out, _ := runCLI(t, "key: "+tok, "scan", "-"); code != 1 || !strings.Contains(out, "-:1:6") {
		t.Fatalf("stdin: %d %q", code, out)
	}
}

func TestRulesListAndTest(t *testing.T) {
	code, out, _ := runCLI(t, "", "rules", "list")
	if code != 0 || !strings.Contains(out, "github-pat") || !strings.Contains(out, "rules, pack default@") {
		t.Fatalf("%d %s", code, out[:min(len(out), 300)])
	}
	code, out, _ = runCLI(t, "", "rules", "test")
	if code != 0 || !strings.HasPrefix(out, "ok: ") {
		t.Fatalf("%d %s", code, out)
	}
	bad := filepath.Join(t.TempDir(), "bad.toml")
	os.WriteFile(bad, []byte("[[rule]]\nid = \"team-x\"\ndescription = \"d\"\nkind = \"k\"\nkeywords = [\"tx_\"]\nregex = '''tx_[a-z]{8}'''\nexamples = [{ text = \"tx_ABCDEFGH\", secret = \"tx_ABCDEFGH\" }]\n"), 0o644)
	code, out, _ = runCLI(t, "", "rules", "test", bad)
	if code != 1 || !strings.Contains(out, "team-x: example 1: expected secret not found") {
		t.Fatalf("%d %s", code, out)
	}
	if code, _, errs := runCLI(t, "", "--disable", "nope", "rules", "list"); code != 2 || !strings.Contains(errs, "nope") {
		t.Fatalf("%d %s", code, errs)
	}
}

func TestRedactLearnsSecretsAndRedactsBareReappearances(t *testing.T) {
	t.Setenv("SCRUBGATE_KEY", "a-long-test-master-key-0123456789")
	f := filepath.Join(t.TempDir(), "log.txt")
	os.WriteFile(f, []byte("DB_PASSWORD=Hq8zL2mW9xTe\nlater the agent echoed Hq8zL2mW9xTe back\n"), 0o644)
	code, out, errs := runCLI(t, "", "redact", f)
	if code != 0 || strings.Contains(out, "Hq8zL2mW9xTe") {
		t.Fatalf("%d %q %s", code, out, errs)
	}
	lines := strings.Split(out, "\n")
	h := strings.TrimPrefix(lines[0], "DB_PASSWORD=")
	if !strings.Contains(lines[1], h) {
		t.Fatalf("bare reappearance got a different handle: %q vs %q", lines[1], h)
	}
	code, out, _ = runCLI(t, "", "redact", "--learn=false", f)
	if code != 0 || !strings.Contains(out, "echoed Hq8zL2mW9xTe") {
		t.Fatalf("--learn=false: %q", out)
	}
}
