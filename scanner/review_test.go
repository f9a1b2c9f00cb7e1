package scanner

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
)

// Regression tests for bugs found in review; each failed before its fix.

// An earlier finding overlapping a later one that straddles the emit point must not
// have its first bytes written out.
func TestOverlappingFindingsNeverLeakAPrefix(t *testing.T) {
	s := testScanner(t)
	sf := "00DLvefWIgLs8Qp!5Frge7zriP33WBx5tNldzhhNx3A5Fv61N1Eeg6tJS7j5hp.4Ks_VMKVwrkopFKlP0me.ATIHcGzcrqHLcIpFGDnfE6cRpSV."
	src := sf + "glimt-rk_test_AAAAIHq3Lm9Xz2Wk7Rt4Vn8Pb1Yc6Jd0Hf5Gs3Qa2Me7Ko9Ni\nsome trailing text, long enough that the Salesforce window is complete."
	out := string(s.RedactMode([]byte(src), ModeText, positionalReplace))
	if strings.Contains(out, sf[:40]) || !strings.HasPrefix(out, "<") {
		t.Fatalf("leaked: %q", out)
	}
	k, err := New(mustDefaultPack(t), withoutExamples(), WithKnownValues(
		KnownValue{Value: []byte("XXXX!!!!YYYY"), Label: "a"}, KnownValue{Value: []byte("YYYY####abcd"), Label: "b"}))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	w := k.NewWriter(&buf, ModeText, Mask, nil)
	w.Write([]byte("XXXX!!!!YYYY####abcd"))
	if strings.Contains(buf.String(), "XXXX") {
		t.Fatalf("emitted before close: %q", buf.String())
	}
	w.Close()
	if strings.Contains(buf.String(), "XXXX") || strings.Contains(buf.String(), "abcd") {
		t.Fatalf("output %q", buf.String())
	}
}

func TestLongMemberNameDoesNotPanicTheWriter(t *testing.T) {
	s := testScanner(t)
	key := strings.Repeat("long prose in the key ", 4000)
	var out bytes.Buffer
	w := s.NewWriter(&out, ModeJSON, Mask, nil)
	w.Write([]byte(`{"` + key))
	w.Write([]byte(`":"GITHUB_TOKEN=` + ghToken(20) + `"}`))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(out.String(), `":"GITHUB_TOKEN=[REDACTED:github-pat]"}`) {
		t.Fatalf("tail %q", out.String()[out.Len()-60:])
	}
}

func TestDeepNestingStaysBounded(t *testing.T) {
	s := testScanner(t)
	src := strings.Repeat("[", 1<<20) + `"GITHUB_TOKEN=` + ghToken(21) + `"` + strings.Repeat("]", 1<<20)
	fs := s.ScanMode([]byte(src), ModeJSON)
	if len(fs) != 1 || fs[0].RuleID != "github-pat" {
		t.Fatalf("got %v", fs)
	}
	p := s.newPipeline(ModeJSON, nil, nil, nil)
	p.write([]byte(strings.Repeat("{\"a\":[", 100000)))
	if len(p.jv.stack) > maxDepth {
		t.Fatalf("stack grew to %d", len(p.jv.stack))
	}
}

func TestMemberNamesHoldingSecretsStayOutOfPaths(t *testing.T) {
	s := testScanner(t)
	for _, src := range []string{
		`{"config":{"db_password=Xk!vQz#LmWp_rT":"x"}}`,
		`{"password: Xk!vQz#LmWp_rT":{"inner":"GITHUB_TOKEN=` + ghToken(22) + `"}}`,
	} {
		for _, f := range s.ScanMode([]byte(src), ModeJSON) {
			if strings.Contains(f.JSONPath, "Xk!vQz") || strings.Contains(f.JSONPath, "ghp_") {
				t.Errorf("%s: path %q shows a secret", f.RuleID, f.JSONPath)
			}
		}
	}
}

func TestFindingFormatsWithoutSecretForEveryVerb(t *testing.T) {
	s := testScanner(t)
	tok := ghToken(23)
	f := s.Scan([]byte("t=" + tok))[0]
	for _, verb := range []string{"%d", "%x", "%X", "%q", "%s", "%v", "%+v", "%#v", "%08b"} {
		out := fmt.Sprintf(verb, f)
		if strings.Contains(out, tok[4:]) || strings.Contains(out, fmt.Sprint([]byte(tok[4:10]))[1:8]) || strings.Contains(out, fmt.Sprintf("%x", tok[4:12])) {
			t.Errorf("%s printed the secret: %q", verb, out)
		}
	}
}

// Inputs where the chunked output once differed from the whole.
func TestChunkingRegressions(t *testing.T) {
	s := testScanner(t)
	cases := []struct {
		mode Mode
		src  string
	}{
		{ModeJSON, `{"role":"tool","` + ghToken(24) + ` and some more words in this member name, ` + strings.Repeat("prose ", 12) + `":"x"}`},
		{ModeText, "OPENAI_API_KEY=sk-proj-SecBylZZLoqN7z2UjFJOtsa6aHWK5xjXI8ti_s3l6b0pcruEImk8N3lFSkAgEwcc-QdNpv3tWlT3BlbkFJVxgZle2HDtPOKvp9xEO2_q2hBRYy7J0freUKtPZTwoYIWBpOui7LQPrPkOO7-1cN2HAwtmoj77SLACK_BOT_TOKEN=xoxb-185320880741-8301880648347-GI4yCOYbnba2nzHfBRxj6BkzXAI_API_KEY=xai-gVtnnG6L0vtqlVc70hKZYcBWnBELCCRGjuQAFK58qUDcmqo3vGcF4HfkVVVKtopAnjnI5qF4BMkcStseSENTRY_AUTH_TOKEN=sntrys_eyJpYXQiOjg1Mzk3MTUyNTcsInVybCI6Imh0dHBzOi8vc2VudHJ5LmlvIiwicmVnaW9uX3VybCI6Imh0dHBzOi8vdXMuc2VudHJ5LmlvIiwib3JnIjoiYWNtZS1sYWJzIn0=_dGIxIxq1LpgVCYqT4EOo5eioO2hdv9vsquoNgk4hQMaAZURE_STORAGEhcjik_datadogsecret_gpu-trainer_d706f8a7a401bf18c9d0cebb42e54db7.yJbVEMCISSty9gvfHW0JsqzvfBkZVZJqHCMIK_atatt3"},
	}
	for i, c := range cases {
		want := s.RedactMode([]byte(c.src), c.mode, positionalReplace)
		for seed := uint64(0); seed < 3; seed++ {
			for _, maxChunk := range []int{1, 5, 64} {
				got := streamIn(t, s, []byte(c.src), c.mode, rand.New(rand.NewPCG(seed, 9)), maxChunk)
				if !bytes.Equal(got, want) {
					t.Fatalf("case %d chunk<=%d: %q\nwant %q", i, maxChunk, got, want)
				}
			}
		}
	}
	_ = io.Discard
}
