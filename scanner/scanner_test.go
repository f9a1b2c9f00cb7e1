package scanner

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/scrubgate/scrubgate/detectors"
	"github.com/scrubgate/scrubgate/rules"
	"github.com/scrubgate/scrubgate/vault"
)

var (
	defaultOnce sync.Once
	defaultScan *Scanner
	defaultErr  error
)

// testScanner compiles the default pack once per test binary.
func testScanner(t testing.TB) *Scanner {
	t.Helper()
	defaultOnce.Do(func() {
		defaultScan, defaultErr = Default(WithFingerprintKey([]byte("test-fingerprint-key")))
	})
	if defaultErr != nil {
		t.Fatal(defaultErr)
	}
	return defaultScan
}

// tokens built at test time: live-looking checksummed tokens are never committed.
func ghToken(seed byte) string {
	body := make([]byte, 30)
	const alnum = "ABCDEFGHJKMNPQRSTUVWXYZabcdefghjkmnpqrstuvwxyz23456789"
	for i := range body {
		body[i] = alnum[(int(seed)*31+i*17+i*i*7)%len(alnum)]
	}
	return detectors.MintPrefixedCRC32("ghp_", body)
}

const (
	awsSecret = "wJ7kQ/2mZx9PvR4tLn8Ys+3Hb6Fd1Gc5Ke0Ua7Vi"
	jwtTok    = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c3ItOTE3MyIsImlhdCI6MTcxNjIzOTAyMn0.Qm9yaXNfc2lnbmF0dXJlX3Y3X2s5ZDhmMmhqNHA"
)

func secretsOf(fs []Finding, src []byte) []string {
	var out []string
	for _, f := range fs {
		out = append(out, string(src[f.Start.Offset:f.End.Offset]))
	}
	return out
}

func TestScanFindsCheckedGitHubTokenWithHighConfidence(t *testing.T) {
	s := testScanner(t)
	tok := ghToken(1)
	if !detectors.PrefixedCRC32Valid([]byte(tok), 4, 30) {
		t.Fatal("test token has a bad checksum")
	}
	src := []byte("line one\nexport GITHUB_TOKEN=" + tok + "\n")
	fs := s.Scan(src)
	if len(fs) != 1 {
		t.Fatalf("want 1 finding, got %v", fs)
	}
	f := fs[0]
	if got := string(src[f.Start.Offset:f.End.Offset]); got != tok {
		t.Fatalf("span %q", got)
	}
	if f.Confidence != rules.High || f.Start.Line != 2 || f.Start.Column != 21 || f.End.Column != 21+len(tok) {
		t.Fatalf("finding %+v", f)
	}
	if f.Preview != "ghp_…(40)" {
		t.Fatalf("preview %q", f.Preview)
	}
	// a corrupted checksum is still redacted, at low confidence
	bad := tok[:len(tok)-1] + string(rune(tok[len(tok)-1])^1)
	fs = s.Scan([]byte("token " + bad))
	if len(fs) != 1 || fs[0].Confidence != rules.Low {
		t.Fatalf("bad checksum: %v", fs)
	}
}

func TestFindingNeverPrintsSecret(t *testing.T) {
	s := testScanner(t)
	tok := ghToken(2)
	fs := s.Scan([]byte("GITHUB_TOKEN=" + tok))
	if len(fs) != 1 {
		t.Fatalf("got %v", fs)
	}
	f := fs[0]
	var logBuf bytes.Buffer
	slog.New(slog.NewJSONHandler(&logBuf, nil)).Info("finding", "f", f)
	js, _ := json.Marshal(f)
	for _, out := range []string{fmt.Sprint(f), fmt.Sprintf("%v %+v %#v %s", f, f, f, f), fmt.Sprintf("%+v", fs), logBuf.String(), string(js)} {
		if strings.Contains(out, tok) || strings.Contains(out, tok[4:20]) {
			t.Fatalf("secret leaked in %q", out)
		}
	}
	if string(f.Secret()) != tok {
		t.Fatal("Secret() must return the secret for replacement functions")
	}
}

func TestPlaceholdersAreNotFindings(t *testing.T) {
	s := testScanner(t)
	for _, src := range []string{
		"AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE",
		"aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
		"OPENAI_API_KEY=sk-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
		"Authorization: Bearer ${TOKEN}",
		"token: {{ token }}",
		"api_key: <token>",
		"export GITHUB_TOKEN=$TOKEN",
		"api_key = \"your-api-key\"",
		"password = \"changeme\"",
		"DATABASE_URL=postgres://user:password@localhost:5432/db",
	} {
		if fs := s.Scan([]byte(src)); len(fs) > 0 {
			t.Errorf("%q: placeholder reported as %v", src, fs)
		}
	}
}

func TestIdentifiersAreNotSecretsOutsideCredentialContext(t *testing.T) {
	s := testScanner(t)
	for _, src := range []string{
		"request id 123e4567-e89b-12d3-a456-426614174000 done",
		"commit 9fceb02d0ae598e95dc970b74767f19372d61af8",
		"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		`{"id":"chatcmpl-9xYzAbCdEfGhIjKlMnOpQrStUv","object":"chat.completion"}`,
		`{"tool_call_id":"call_Ab12Cd34Ef56Gh78Ij90Kl12"}`,
		`{"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="}}`,
		`"usage": {"prompt_tokens": 1234, "completion_tokens": 56, "total_tokens": 123456}`,
	} {
		if fs := s.Scan([]byte(src)); len(fs) > 0 {
			t.Errorf("%q: reported %v", src, fs)
		}
	}
}

// Invalid UTF-8, NUL and other stray bytes next to a secret must neither hide it nor
// cut it short.
func TestStrayBytesNeverHideOrShortenSecrets(t *testing.T) {
	s := testScanner(t)
	secrets := []string{ghToken(3), jwtTok, "sk-ant-api03-" + strings.Repeat("aB3dE5fG7hJ9kL1mN2pQ4rS6tV8wX0yZ", 3)[:93] + "AA"}
	stray := []string{"\xff", "\x00", "\xc3", "\xe2\x82", "\x80", "é", "\xef\xbb\xbf"}
	for _, sec := range secrets {
		for _, b := range stray {
			for _, src := range []string{b + sec + b, "x" + b + " " + sec + " " + b + "y", b + b + "\n" + sec + "\n" + b} {
				fs := s.Scan([]byte(src))
				got := secretsOf(fs, []byte(src))
				if len(got) != 1 || got[0] != sec {
					t.Errorf("stray %q around %q...: got %q", b, sec[:8], got)
				}
			}
			// inside a JSON string
			js := `{"content":"` + b + sec + b + `"}`
			got := secretsOf(s.ScanMode([]byte(js), ModeJSON), []byte(js))
			if len(got) != 1 || got[0] != sec {
				t.Errorf("JSON stray %q around %q...: got %q", b, sec[:8], got)
			}
		}
	}
}

func TestJSONEscapesCannotSplitOrHideSecrets(t *testing.T) {
	s := testScanner(t)
	tok := ghToken(4)
	escapedTok := `\u0067\u0068p_` + tok[4:] // "gh" written as \u escapes
	awsEsc := strings.ReplaceAll(awsSecret, "/", `\/`)
	pem := "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAv8Jd2kQ7pL3mX9wZ4tN6rY1bH5cV0gF8sK2eW7qA3uT9iO4p\nLz6xR1nM8yB3vC5dJ7fG2hK9wQ4tE6rY0uI1oP3aS5dF7gH9jK2lZ4xC6vB8nM1q\n-----END RSA PRIVATE KEY-----"
	pemJSON, _ := json.Marshal(pem)
	src := `{"a":"` + escapedTok + `","b":"aws_secret_access_key=` + awsEsc + `","c":` + string(pemJSON) + `,"n":[1,2,{"x":null}]}`
	fs := s.ScanMode([]byte(src), ModeJSON)
	kinds := map[string]string{}
	for _, f := range fs {
		kinds[f.JSONPath] = f.RuleID
		if string(f.Secret()) != tok && string(f.Secret()) != awsSecret && string(f.Secret()) != pem {
			t.Errorf("decoded secret mismatch at %s: %d bytes", f.JSONPath, len(f.Secret()))
		}
	}
	if len(fs) != 3 || kinds["$.a"] == "" || kinds["$.b"] == "" || kinds["$.c"] != "private-key" {
		t.Fatalf("findings %v", fs)
	}
	out := s.RedactMode([]byte(src), ModeJSON, func(f Finding) []byte { return []byte(`"\` + f.Kind + "\n") })
	var v map[string]any
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatalf("redacted JSON invalid: %v\n%s", err, out)
	}
	if !strings.HasSuffix(string(out), `,"n":[1,2,{"x":null}]}`) {
		t.Fatalf("non-string bytes changed: %s", out)
	}
	if v["c"] != `"\private-key`+"\n" {
		t.Fatalf("replacement not decoded back: %q", v["c"])
	}
}

func TestJSONPathsInTranscripts(t *testing.T) {
	s := testScanner(t)
	tok := ghToken(5)
	src := `{"messages":[{"role":"user","content":"hi"},{"role":"tool","content":[{"type":"text","text":"GITHUB_TOKEN=` + tok + `"}]}]}` + "\n" +
		`[{"x":1},{"message":{"content":"key ` + jwtTok + `"}}]` + "\n"
	fs := s.ScanMode([]byte(src), ModeJSONL)
	if len(fs) != 2 {
		t.Fatalf("got %v", fs)
	}
	if fs[0].JSONPath != "$.messages[1].content[0].text" || fs[1].JSONPath != "$[1].message.content" {
		t.Fatalf("paths %q %q", fs[0].JSONPath, fs[1].JSONPath)
	}
	if fs[1].Start.Line != 2 {
		t.Fatalf("line %d", fs[1].Start.Line)
	}
	if DetectMode([]byte(src)) != ModeJSONL || DetectMode([]byte("{\n \"a\": 1\n}\n")) != ModeJSON || DetectMode([]byte("hello")) != ModeText {
		t.Fatal("mode detection")
	}
}

func TestKnownValuesAreFoundBare(t *testing.T) {
	s, err := New(mustDefaultPack(t), withoutExamples(), WithKnownValues(KnownValue{Value: []byte("canary-7f3k9q2m"), Label: "canary1", Canary: true}))
	if err != nil {
		t.Fatal(err)
	}
	src := []byte("first mention: canary-7f3k9q2m, and again canary-7f3k9q2m.")
	fs := s.Scan(src)
	if len(fs) != 2 || !fs[0].Canary || fs[0].RuleID != "known:canary1" || fs[1].Start.Offset != int64(bytes.LastIndex(src, []byte("canary-"))) {
		t.Fatalf("got %v", fs)
	}
	// a secret caught in context is then caught bare
	tok := ghToken(6)
	if err := s.AddKnownValues(KnownValue{Value: []byte(tok[4:]), Label: "seen"}); err != nil {
		t.Fatal(err)
	}
	bare := []byte("the suffix " + tok[4:] + " alone")
	if got := secretsOf(s.Scan(bare), bare); len(got) != 1 || got[0] != tok[4:] {
		t.Fatalf("bare: %q", got)
	}
	if err := s.AddKnownValues(KnownValue{Value: []byte("short")}); err == nil {
		t.Fatal("short known value accepted")
	}
}

func TestBase64EncodedSecrets(t *testing.T) {
	s := testScanner(t)
	tok := ghToken(7)
	b64 := base64Std(tok)
	manifest := "apiVersion: v1\nkind: Secret\ndata:\n  gh: " + b64 + "\n"
	fs := s.Scan([]byte(manifest))
	if len(fs) != 1 || fs[0].Encoding != "base64" || fs[0].RuleID != "github-pat" {
		t.Fatalf("got %v", fs)
	}
	if got := manifest[fs[0].Start.Offset:fs[0].End.Offset]; got != b64 {
		t.Fatalf("span %q", got)
	}
	dockercfg := base64Std(`{"auths":{"registry.internal":{"auth":"` + base64Std("ci:"+awsSecret) + `"}}}`)
	src := ".dockerconfigjson: " + dockercfg
	if fs := s.Scan([]byte(src)); len(fs) != 1 || fs[0].Encoding != "base64" {
		t.Fatalf("dockerconfigjson: %v", fs)
	}
	// base64 text without a secret is not a finding
	plain := "note: " + base64Std("just some harmless text that is long enough to decode")
	if fs := s.Scan([]byte(plain)); len(fs) != 0 {
		t.Fatalf("harmless base64: %v", fs)
	}
}

// A handle must never be mistaken for a secret, in any context a rule looks at.
func TestNoRuleMatchesAHandle(t *testing.T) {
	s := testScanner(t)
	keys := vault.RandomKeys()
	kinds := map[string]bool{"secret": true, "password": true}
	for _, r := range s.rules {
		kinds[r.Kind] = true
	}
	contexts := []string{"%s", "token: %s", "password=%s", "Authorization: Bearer %s", `{"api_key": "%s"}`,
		"export GITHUB_TOKEN=%s", "postgres://app:%s@db/x", "--token %s", "aws_secret_access_key = %s", "Basic %s",
		"curl -u \"%s:\" https://x", "curl -u user:%s https://x", "Authorization: %s", `<password>%s</password>`}
	for kind := range kinds {
		for i := 0; i < 3; i++ {
			h := keys.Mint("tenant", kind, []byte(fmt.Sprintf("secret-%d-%s", i, kind))).String()
			for _, c := range contexts {
				src := fmt.Sprintf(c, h)
				for _, f := range s.Scan([]byte(src)) {
					if f.Start.Offset < int64(strings.Index(src, h)+len(h)) && f.End.Offset > int64(strings.Index(src, h)) {
						t.Errorf("rule %s matched handle in %q", f.RuleID, src)
					}
				}
			}
		}
	}
}

func TestOverlapMostSpecificWinsAndUnionIsRedacted(t *testing.T) {
	s := testScanner(t)
	tok := ghToken(8)
	src := []byte(`{"token": "` + tok + `"}`)
	fs := s.Scan(src)
	if len(fs) != 1 || fs[0].RuleID != "github-pat" {
		t.Fatalf("got %v", fs)
	}
	out := s.Redact(src, Mask)
	if string(out) != `{"token": "[REDACTED:github-pat]"}` {
		t.Fatalf("redacted %s", out)
	}
}

func TestRedactStringAndMask(t *testing.T) {
	s := testScanner(t)
	in := "Authorization: Bearer q8Zr2LmX9vTn4KpW7sYd3GhJ\nok"
	out := s.RedactString(in, func(f Finding) string { return "<" + f.Kind + ">" })
	if out != "Authorization: Bearer <auth-header>\nok" {
		t.Fatalf("got %q", out)
	}
}

func mustDefaultPack(t testing.TB) *rules.Pack {
	t.Helper()
	p, err := rules.Default()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// The embedded pack's examples are not re-run at every start, so this test runs them.
func TestDefaultPackExamples(t *testing.T) {
	if ps := testScanner(t).CheckExamples(); len(ps) > 0 {
		t.Fatal(ps)
	}
}

func TestWithFingerprintKeySharesRulesChangesFingerprints(t *testing.T) {
	s := testScanner(t)
	a, b := s.WithFingerprintKey([]byte("key-a")), s.WithFingerprintKey([]byte("key-b"))
	src := []byte("GITHUB_TOKEN=" + ghToken(16))
	fa, fb, fa2 := a.Scan(src), b.Scan(src), s.WithFingerprintKey([]byte("key-a")).Scan(src)
	if len(fa) != 1 || len(fb) != 1 || fa[0].RuleID != fb[0].RuleID || fa[0].Start != fb[0].Start {
		t.Fatalf("findings differ: %v %v", fa, fb)
	}
	if fa[0].Fingerprint == fb[0].Fingerprint || fa[0].Fingerprint != fa2[0].Fingerprint {
		t.Fatalf("fingerprints: %s %s %s", fa[0].Fingerprint, fb[0].Fingerprint, fa2[0].Fingerprint)
	}
}

// A raw SSE capture is read as JSON lines, so escapes inside event payloads
// (\/ in an AWS secret, \n in a key) cannot split a secret.
func TestSSECaptureIsReadAsJSONLines(t *testing.T) {
	s := testScanner(t)
	esc := strings.ReplaceAll(awsSecret, "/", `\/`)
	src := "event: message\ndata: {\"choices\":[{\"delta\":{\"content\":\"aws_secret_access_key = " + esc + "\"}}]}\n\ndata: [DONE]\n"
	if DetectMode([]byte(src)) != ModeJSONL {
		t.Fatal("SSE capture not detected")
	}
	fs := s.Scan([]byte(src))
	if len(fs) != 1 || string(fs[0].Secret()) != awsSecret || fs[0].JSONPath != "$.choices[0].delta.content" {
		t.Fatalf("got %v", fs)
	}
}

func TestWithoutBase64SkipsEncodedSecrets(t *testing.T) {
	s, err := New(mustDefaultPack(t), withoutExamples(), WithoutBase64())
	if err != nil {
		t.Fatal(err)
	}
	src := []byte("gh: " + base64Std(ghToken(30)))
	if fs := s.Scan(src); len(fs) != 0 {
		t.Fatalf("base64 decoded although disabled: %v", fs)
	}
	if fs := testScanner(t).Scan(src); len(fs) != 1 {
		t.Fatalf("default scanner must decode: %v", fs)
	}
}
