package report

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scrubgate/scrubgate/detectors"
	"github.com/scrubgate/scrubgate/scanner"
)

// planted is a live-looking secret built at test time (never committed) and the
// public prefix its preview may show.
type planted struct {
	rule, secret, prefix string
}

func randFrom(r *rand.Rand, alphabet string, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[r.IntN(len(alphabet))]
	}
	return string(b)
}

func plantSecrets(seed uint64) []planted {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b64 := func(v any) string {
		j, _ := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(j)
	}
	sig := make([]byte, 32)
	for i := range sig {
		sig[i] = byte(r.UintN(256))
	}
	der := make([]byte, 900)
	for i := range der {
		der[i] = byte(r.UintN(256))
	}
	var pem strings.Builder
	pem.WriteString("-----BEGIN RSA PRIVATE KEY-----\n")
	enc := base64.StdEncoding.EncodeToString(der)
	for len(enc) > 64 {
		pem.WriteString(enc[:64] + "\n")
		enc = enc[64:]
	}
	pem.WriteString(enc + "\n-----END RSA PRIVATE KEY-----")
	return []planted{
		{"github-pat", detectors.MintPrefixedCRC32("ghp_", []byte(randFrom(r, alnum, 30))), "ghp_"},
		{"anthropic-api-key", "sk-ant-api03-" + randFrom(r, alnum+"_-", 93) + "AA", "sk-ant-api03-"},
		{"aws-access-key-id", "AKIA" + randFrom(r, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16), "AKIA"},
		{"aws-secret-access-key", randFrom(r, alnum+"/+", 40), ""},
		{"slack-bot-token", "xoxb-" + randFrom(r, "0123456789", 12) + "-" + randFrom(r, "0123456789", 13) + "-" + randFrom(r, alnum, 24), "xoxb-"},
		{"jwt", b64(map[string]string{"alg": "HS256", "typ": "JWT"}) + "." +
			b64(map[string]any{"sub": "usr-" + randFrom(r, alnum, 8), "iat": 1716239022 + r.IntN(1e6)}) + "." +
			base64.RawURLEncoding.EncodeToString(sig), "eyJ"},
		{"private-key", pem.String(), "-----BEGIN"},
	}
}

// TestNoFormatRevealsASecret plants live-looking secrets in a text file, a JSONL
// transcript (where JSON escapes change the raw bytes) and standard input, scans
// them with the default pack, renders the result in every format, with and without
// colour, and checks that no secret, nor any 10-character piece of one past its
// public prefix, appears in any output.
func TestNoFormatRevealsASecret(t *testing.T) {
	s, err := scanner.Default(scanner.WithFingerprintKey([]byte("report-test-key")))
	if err != nil {
		t.Fatal(err)
	}
	secrets := plantSecrets(7)
	var text, jsonl strings.Builder
	for i, p := range secrets {
		switch p.rule {
		case "aws-secret-access-key":
			fmt.Fprintf(&text, "aws_secret_access_key = %s\n", p.secret)
		case "private-key":
			fmt.Fprintf(&text, "key:\n%s\n", p.secret)
		default:
			fmt.Fprintf(&text, "line %d token %s end\n", i, p.secret)
		}
		line, _ := json.Marshal(map[string]any{"role": "tool", "content": "export " + strings.ToUpper(p.rule) + "=" + p.secret + "\n"})
		if p.rule == "aws-secret-access-key" {
			line, _ = json.Marshal(map[string]any{"role": "tool", "content": "aws_secret_access_key: " + p.secret})
		}
		jsonl.Write(line)
		jsonl.WriteString("\n")
	}
	root := t.TempDir()
	res := &Result{RulePack: s.Version(), Root: root, Rules: RulesFromPack(defaultPack(t))}
	for _, in := range []struct {
		name, body string
		mode       scanner.Mode
	}{
		{filepath.Join(root, "notes", "setup.txt"), text.String(), scanner.ModeText},
		{filepath.Join(root, "transcripts", "run.jsonl"), jsonl.String(), scanner.ModeJSONL},
		{"-", text.String(), scanner.ModeAuto},
	} {
		res.Summary.Files++
		err := s.ScanReader(strings.NewReader(in.body), in.mode, func(f scanner.Finding) {
			res.Items = append(res.Items, Item{File: in.name, Finding: f})
			res.Summary.Findings++
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	res.Skip(filepath.Join(root, "huge.log"), "over --max-size")
	res.Sort()

	// the scan must have found every planted secret in each input, or the test proves nothing
	found := map[string]int{}
	for _, it := range res.Items {
		found[it.RuleID]++
	}
	for _, p := range secrets {
		if found[p.rule] < 3 {
			t.Fatalf("rule %s found %d times, want 3 (once per input); findings: %v", p.rule, found[p.rule], res.Items)
		}
	}

	for _, format := range Formats {
		for _, color := range []bool{false, true} {
			var b bytes.Buffer
			if err := WriteOptions(&b, format, res, Options{Color: color}); err != nil {
				t.Fatal(err)
			}
			out := b.String()
			if format == "sarif" {
				validateSARIF(t, b.Bytes())
			}
			for _, p := range secrets {
				assertAbsent(t, format, out, p)
			}
		}
	}
}

// assertAbsent fails if out holds the secret, its JSON-escaped form, or any
// 10-character piece of it after the public prefix.
func assertAbsent(t *testing.T, format, out string, p planted) {
	t.Helper()
	escaped, _ := json.Marshal(p.secret)
	forms := []string{p.secret, strings.Trim(string(escaped), `"`)}
	for _, f := range forms {
		if strings.Contains(out, f) {
			t.Fatalf("%s output contains the %s secret", format, p.rule)
		}
	}
	rest := strings.TrimPrefix(p.secret, p.prefix)
	const piece = 10
	for i := 0; i+piece <= len(rest); i++ {
		w := rest[i : i+piece]
		if strings.ContainsAny(w, "\n") || strings.HasPrefix(w, "-----") {
			continue // PEM armour lines are public text, not key material
		}
		if strings.Contains(out, w) {
			t.Fatalf("%s output contains %q, a piece of the %s secret", format, w, p.rule)
		}
	}
}
