package corpus

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/scrubgate/scrubgate/detectors"
)

var kindFormats = map[string]*regexp.Regexp{
	KindGitHubClassic:      regexp.MustCompile(`^gh[pos]_[A-Za-z0-9]{36}$`),
	KindGitHubFineGrained:  regexp.MustCompile(`^github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}$`),
	KindNPM:                regexp.MustCompile(`^npm_[A-Za-z0-9]{36}$`),
	KindOpenAIProject:      regexp.MustCompile(`^sk-proj-[A-Za-z0-9_-]{74}T3BlbkFJ[A-Za-z0-9_-]{74}$`),
	KindAnthropic:          regexp.MustCompile(`^sk-ant-api03-[A-Za-z0-9_-]{93}AA$`),
	KindAWSAccessKeyID:     regexp.MustCompile(`^AKIA[A-Z2-7]{16}$`),
	KindAWSSecretAccessKey: regexp.MustCompile(`^[A-Za-z0-9/+]{40}$`),
	KindSlackBot:           regexp.MustCompile(`^xoxb-[1-9][0-9]{10}-[1-9][0-9]{12}-[A-Za-z0-9]{24}$`),
	KindStripe:             regexp.MustCompile(`^[sr]k_live_[A-Za-z0-9]{99}$`),
	KindGoogleAPI:          regexp.MustCompile(`^AIza[A-Za-z0-9_-]{35}$`),
	KindGitLab:             regexp.MustCompile(`^glpat-[A-Za-z0-9_-]{20}$`),
	KindHuggingFace:        regexp.MustCompile(`^hf_[A-Za-z]{34}$`),
	KindSendGrid:           regexp.MustCompile(`^SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$`),
	KindJWT:                regexp.MustCompile(`^eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$`),
	KindBearer:             regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._~+/-]{30,46}[A-Za-z0-9]$`),
	KindBasic:              regexp.MustCompile(`^[A-Za-z0-9+/]+={0,2}$`),
	KindPrivateKey:         regexp.MustCompile(`^-----BEGIN (RSA|OPENSSH) PRIVATE KEY-----\n(?: *[A-Za-z0-9+/=]+\n)+ *-----END (RSA|OPENSSH) PRIVATE KEY-----$`),
	KindURLPassword:        regexp.MustCompile(`^[A-Za-z0-9!*_-]{12,24}$`),
	KindGenericPassword:    regexp.MustCompile(`^[A-Za-z0-9!#%*_-]{16,24}$`),
	KindBase64Wrapped:      regexp.MustCompile(`^[A-Za-z0-9+/]+={0,2}$`),
}

// bodyChars is the alphabet of a kind's value, used to check that a span cannot be
// extended: the bytes around it are context, not secret.
var bodyChars = map[string]string{
	KindGitHubClassic: alnumChars + "_", KindGitHubFineGrained: alnumChars + "_", KindNPM: alnumChars + "_",
	KindOpenAIProject: urlChars, KindAnthropic: urlChars, KindAWSAccessKeyID: alnumChars, KindAWSSecretAccessKey: awsSecChars,
	KindSlackBot: alnumChars + "-", KindStripe: alnumChars + "_", KindGoogleAPI: urlChars, KindGitLab: urlChars,
	KindHuggingFace: alnumChars + "_", KindSendGrid: urlChars + ".", KindJWT: urlChars + ".", KindBearer: bearerChars,
	KindBasic: alnumChars + "+/=", KindURLPassword: alnumChars + "!*_-", KindGenericPassword: alnumChars + "!#%*_-",
	KindBase64Wrapped: alnumChars + "+/=",
}

// unescapeJSON undoes JSON string escaping as many times as the value was escaped
// (a tool call's "arguments" is JSON inside a JSON string).
func unescapeJSON(t *testing.T, raw string) string {
	t.Helper()
	for strings.Contains(raw, `\`) {
		var s string
		if err := json.Unmarshal([]byte(`"`+raw+`"`), &s); err != nil {
			t.Fatalf("span %q is not a JSON string body: %v", raw, err)
		}
		raw = s
	}
	return raw
}

func checkPlanted(t *testing.T, name, format string, data []byte, planted []Planted) map[string]int {
	t.Helper()
	counts := map[string]int{}
	prevEnd := 0
	for i, p := range planted {
		if p.Start < 0 || p.End > len(data) || p.Start >= p.End {
			t.Fatalf("%s: span %d %+v out of range (len %d)", name, i, p, len(data))
		}
		if p.Start < prevEnd {
			t.Errorf("%s: span %d %+v overlaps or is out of order", name, i, p)
		}
		prevEnd = p.End
		re, ok := kindFormats[p.Kind]
		if !ok {
			t.Fatalf("%s: unknown kind %q", name, p.Kind)
		}
		counts[p.Kind]++
		raw := string(data[p.Start:p.End])
		if format != "text" && strings.ContainsAny(raw, "\n\"") {
			t.Errorf("%s: span %q is not inside a JSON string", name, raw)
		}
		// JSON documents, and JSON shown inside text (cat config.json), hold the
		// escaped form; values themselves never contain a backslash.
		v := unescapeJSON(t, raw)
		if prefixes := KindPrefixes(p.Kind); prefixes != nil {
			okp := false
			for _, pre := range prefixes {
				okp = okp || strings.HasPrefix(raw, pre)
			}
			if !okp {
				t.Errorf("%s: %s span %q lacks prefix %v", name, p.Kind, raw, prefixes)
			}
		}
		if !re.MatchString(v) {
			t.Errorf("%s: %s value %q does not match %v", name, p.Kind, v, re)
			continue
		}
		if chars := bodyChars[p.Kind]; chars != "" {
			if p.Start > 0 && strings.IndexByte(chars, data[p.Start-1]) >= 0 {
				t.Errorf("%s: %s span %q is preceded by %q", name, p.Kind, raw, data[p.Start-1])
			}
			if p.End < len(data) && strings.IndexByte(chars, data[p.End]) >= 0 {
				t.Errorf("%s: %s span %q is followed by %q", name, p.Kind, raw, data[p.End])
			}
		}
		checkValue(t, name, p.Kind, v, data, p)
	}
	return counts
}

func checkValue(t *testing.T, name, kind, v string, data []byte, p Planted) {
	t.Helper()
	switch kind {
	case KindGitHubClassic, KindNPM:
		if !detectors.PrefixedCRC32Valid([]byte(v), 4, 30) {
			t.Errorf("%s: %s %q has a bad checksum", name, kind, v)
		}
	case KindJWT:
		parts := strings.Split(v, ".")
		h, err := base64.RawURLEncoding.DecodeString(parts[0])
		if err != nil || string(h) != `{"alg":"HS256","typ":"JWT"}` {
			t.Errorf("%s: jwt header %q (%v)", name, h, err)
		}
		c, err := base64.RawURLEncoding.DecodeString(parts[1])
		var claims map[string]any
		if err != nil || json.Unmarshal(c, &claims) != nil || claims["sub"] == nil || claims["iat"] == nil || claims["exp"] == nil {
			t.Errorf("%s: jwt claims %q (%v)", name, c, err)
		}
		if _, err := base64.RawURLEncoding.DecodeString(parts[2]); err != nil {
			t.Errorf("%s: jwt signature %q: %v", name, parts[2], err)
		}
	case KindBasic:
		d, err := base64.StdEncoding.DecodeString(v)
		user, pass, ok := strings.Cut(string(d), ":")
		if err != nil || !ok || user == "" || len(pass) < 12 {
			t.Errorf("%s: basic %q decodes to %q (%v)", name, v, d, err)
		}
	case KindBase64Wrapped:
		d, err := base64.StdEncoding.DecodeString(v)
		if err != nil {
			t.Errorf("%s: base64-wrapped %q: %v", name, v, err)
		}
		if !bytes.HasPrefix(d, []byte(`{"auths":{`)) && !bytes.HasPrefix(d, []byte("gh")) && !bytes.HasPrefix(d, []byte("github_pat_")) && !bytes.HasPrefix(d, []byte("npm_")) && !bytes.HasPrefix(d, []byte("glpat-")) {
			t.Errorf("%s: base64-wrapped decodes to %q", name, d)
		}
	case KindPrivateKey:
		m := kindFormats[KindPrivateKey].FindStringSubmatch(v)
		if m[1] != m[2] {
			t.Errorf("%s: PEM labels differ: %q vs %q", name, m[1], m[2])
		}
		lines := strings.Split(v, "\n")
		body := lines[1 : len(lines)-1]
		width := len(strings.TrimSpace(body[0]))
		for _, l := range body[:len(body)-1] {
			if len(strings.TrimSpace(l)) != width {
				t.Errorf("%s: PEM line %q is not %d wide", name, l, width)
			}
		}
		if last := strings.TrimSpace(body[len(body)-1]); len(last) >= width || len(body)-1 < 20 || len(body)-1 > 26 {
			t.Errorf("%s: PEM has %d full lines and last line %q", name, len(body)-1, last)
		}
		var b64 strings.Builder
		for _, l := range body {
			b64.WriteString(strings.TrimSpace(l))
		}
		if _, err := base64.StdEncoding.DecodeString(b64.String()); err != nil {
			t.Errorf("%s: PEM body is not base64: %v", name, err)
		}
	case KindURLPassword:
		if p.Start == 0 || data[p.Start-1] != ':' || p.End >= len(data) || data[p.End] != '@' {
			t.Errorf("%s: url-password %q is not between ':' and '@'", name, v)
		}
	case KindGenericPassword:
		if detectors.Entropy([]byte(v)) < 3.5 || !strings.ContainsAny(v, "!#%*_-") || !strings.ContainsAny(v, digitChars) {
			t.Errorf("%s: generic password %q is weak", name, v)
		}
	}
	switch kind {
	case KindJWT, KindBase64Wrapped, KindPrivateKey, KindBasic:
	default:
		body := v
		for _, pre := range KindPrefixes(kind) {
			body = strings.TrimPrefix(body, pre)
		}
		if hasRuns(body, 4) || containsFold(body, placeholderWords) {
			t.Errorf("%s: %s %q does not look random", name, kind, v)
		}
	}
}

func checkJSONL(t *testing.T, name string, data []byte) {
	t.Helper()
	for i, line := range bytes.Split(data, []byte("\n")) {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var v map[string]any
		if err := json.Unmarshal(line, &v); err != nil {
			t.Fatalf("%s: line %d does not parse: %v\n%s", name, i+1, err, line)
		}
	}
}

// collectStrings collects every string in v, descending into strings that are JSON
// documents themselves (a tool call's "arguments").
func collectStrings(v any, out *[]string) {
	switch x := v.(type) {
	case string:
		*out = append(*out, x)
		var inner any
		if json.Unmarshal([]byte(x), &inner) == nil {
			collectStrings(inner, out)
		}
	case map[string]any:
		for _, e := range x {
			collectStrings(e, out)
		}
	case []any:
		for _, e := range x {
			collectStrings(e, out)
		}
	}
}

// checkInStrings checks that every planted secret of a JSONL document, decoded,
// is part of a string value of the line it was planted in.
func checkInStrings(t *testing.T, name string, data []byte, planted []Planted) {
	t.Helper()
	for _, p := range planted {
		ls := bytes.LastIndexByte(data[:p.Start], '\n') + 1
		le := bytes.IndexByte(data[p.End:], '\n')
		if le < 0 {
			le = len(data)
		} else {
			le += p.End
		}
		var v any
		if err := json.Unmarshal(data[ls:le], &v); err != nil {
			t.Fatalf("%s: line of span %+v does not parse: %v", name, p, err)
		}
		var strs []string
		collectStrings(v, &strs)
		// A secret JSON-escaped n times shows up, once the line is decoded, in one of
		// its n-1 times escaped forms (JSON pasted into a chat message stays text).
		var forms []string
		for raw := string(data[p.Start:p.End]); ; {
			var u string
			if err := json.Unmarshal([]byte(`"`+raw+`"`), &u); err != nil || u == raw {
				forms = append(forms, raw)
				break
			}
			forms = append(forms, u)
			raw = u
		}
		found := false
		for _, s := range strs {
			for _, f := range forms {
				found = found || strings.Contains(s, f)
			}
		}
		want := forms[len(forms)-1]
		if !found {
			t.Errorf("%s: %s secret %.40q is not inside a JSON string value", name, p.Kind, want)
		}
	}
}

func TestDeterminism(t *testing.T) {
	if !bytes.Equal(CleanMixed(200000, 7), CleanMixed(200000, 7)) {
		t.Error("CleanMixed is not deterministic")
	}
	if bytes.Equal(CleanMixed(200000, 7), CleanMixed(200000, 8)) {
		t.Error("CleanMixed ignores the seed")
	}
	d1, p1 := SecretDense(200000, 7)
	d2, p2 := SecretDense(200000, 7)
	if !bytes.Equal(d1, d2) || !reflect.DeepEqual(p1, p2) {
		t.Error("SecretDense is not deterministic")
	}
	if d3, _ := SecretDense(200000, 8); bytes.Equal(d1, d3) {
		t.Error("SecretDense ignores the seed")
	}
	t1, q1 := Transcripts(300000, 7)
	t2, q2 := Transcripts(300000, 7)
	if !bytes.Equal(t1, t2) || !reflect.DeepEqual(q1, q2) {
		t.Error("Transcripts is not deterministic")
	}
	if t3, _ := Transcripts(300000, 8); bytes.Equal(t1, t3) {
		t.Error("Transcripts ignores the seed")
	}
	if !reflect.DeepEqual(PlantedCorpus(7), PlantedCorpus(7)) {
		t.Error("PlantedCorpus is not deterministic")
	}
	a, b := PlantedCorpus(7), PlantedCorpus(8)
	if len(a) == len(b) && reflect.DeepEqual(a, b) {
		t.Error("PlantedCorpus ignores the seed")
	}
}

func TestExactSizes(t *testing.T) {
	for _, size := range []int{0, 1, 2, 3, 17, 40, 100, 300, 1000, 4096, 65536, 1 << 20} {
		for seed := uint64(0); seed < 3; seed++ {
			if got := len(CleanMixed(size, seed)); got != size {
				t.Errorf("CleanMixed(%d, %d): %d bytes", size, seed, got)
			}
			d, p := SecretDense(size, seed)
			if len(d) != size {
				t.Errorf("SecretDense(%d, %d): %d bytes", size, seed, len(d))
			}
			checkPlanted(t, "dense", "text", d, p)
			tr, tp := Transcripts(size, seed)
			if len(tr) != size {
				t.Errorf("Transcripts(%d, %d): %d bytes", size, seed, len(tr))
			}
			if size >= 40 {
				checkJSONL(t, "transcripts", tr)
			}
			checkPlanted(t, "transcripts", "jsonl", tr, tp)
		}
	}
}

func TestSecretDense(t *testing.T) {
	const size = 1 << 20
	for seed := uint64(1); seed <= 3; seed++ {
		d, p := SecretDense(size, seed)
		counts := checkPlanted(t, "dense", "text", d, p)
		if n := len(p); n < size/500 || n > size/150 {
			t.Errorf("seed %d: %d secrets in %d bytes, want one per ~300 bytes", seed, n, size)
		}
		for _, k := range Kinds() {
			if counts[k] < 20 {
				t.Errorf("seed %d: kind %s planted %d times", seed, k, counts[k])
			}
		}
	}
}

func TestTranscripts(t *testing.T) {
	const size = 2 << 20
	for seed := uint64(1); seed <= 3; seed++ {
		d, p := Transcripts(size, seed)
		checkJSONL(t, "transcripts", d)
		counts := checkPlanted(t, "transcripts", "jsonl", d, p)
		// One exposure every ~20 KB; Claude Code lines repeat a Bash output in
		// toolUseResult, so a few exposures count twice.
		if n := len(p); n < size/40000 || n > size/8000 {
			t.Errorf("seed %d: %d secrets in %d bytes, want one per ~20 KB", seed, n, size)
		}
		if len(counts) < len(Kinds())*3/4 {
			t.Errorf("seed %d: only %d kinds planted: %v", seed, len(counts), counts)
		}
		for _, want := range []string{`"role":"user"`, `"role":"tool"`, `"tool_calls":[`, `"arguments":"{\"`, `"type":"user","message":{`, `"type":"tool_use"`, `"type":"tool_result"`} {
			if !bytes.Contains(d, []byte(want)) {
				t.Errorf("seed %d: transcript lacks %s", seed, want)
			}
		}
		checkInStrings(t, "transcripts", d, p)
	}
}

func TestPlantedCorpus(t *testing.T) {
	for seed := uint64(1); seed <= 5; seed++ {
		docs := PlantedCorpus(seed)
		total := map[string]int{}
		formats := map[string]int{}
		names := map[string]bool{}
		clean := 0
		for _, d := range docs {
			if names[d.Name] {
				t.Errorf("duplicate name %s", d.Name)
			}
			names[d.Name] = true
			formats[d.Format]++
			switch d.Format {
			case "json":
				if !json.Valid(d.Data) {
					t.Errorf("%s: invalid JSON:\n%s", d.Name, d.Data)
				}
			case "jsonl":
				checkJSONL(t, d.Name, d.Data)
				checkInStrings(t, d.Name, d.Data, d.Planted)
			case "text":
			default:
				t.Errorf("%s: unknown format %q", d.Name, d.Format)
			}
			for k, n := range checkPlanted(t, d.Name, d.Format, d.Data, d.Planted) {
				total[k] += n
			}
			if len(d.Planted) == 0 {
				clean++
			}
		}
		for _, k := range Kinds() {
			if total[k] < 2 {
				t.Errorf("seed %d: kind %s planted %d times", seed, k, total[k])
			}
		}
		if formats["json"] == 0 || formats["jsonl"] == 0 || formats["text"] == 0 || clean == 0 {
			t.Errorf("seed %d: formats %v, %d clean docs", seed, formats, clean)
		}
	}
}

func TestCleanMixed(t *testing.T) {
	forbidden := append([]string{"Bearer ey", "Basic "}, secretPrefixes...)
	for seed := uint64(0); seed < 4; seed++ {
		d := CleanMixed(1<<20, seed)
		for _, f := range forbidden {
			if i := bytes.Index(d, []byte(f)); i >= 0 {
				t.Errorf("seed %d: CleanMixed contains %q: %q", seed, f, d[max(0, i-60):min(len(d), i+60)])
			}
		}
		lower := bytes.ToLower(d)
		for _, w := range []string{"key", "token", "secret", "password", "auth", "api", "max_tokens", "token_count"} {
			if n := bytes.Count(lower, []byte(w)); n < 50 {
				t.Errorf("seed %d: %q appears only %d times", seed, w, n)
			}
		}
		for _, re := range []string{`[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}`, `\b[0-9a-f]{40}\b`, `sha256:[0-9a-f]{64}`, `chatcmpl-[A-Za-z0-9]{29}`, `call_[A-Za-z0-9]{24}`, `日本語`, `é`} {
			if !regexp.MustCompile(re).Match(d) {
				t.Errorf("seed %d: no match for %s", seed, re)
			}
		}
		if utf8.Valid(d) {
			t.Errorf("seed %d: no invalid UTF-8", seed)
		}
	}
}

func TestRandomStrings(t *testing.T) {
	for _, s := range []string{"1234", "abcd", "dcba", "aaaa", "xyEXAMPLEz", "zzTestzz", "ab_hf_cd"} {
		if looksRandom(s) {
			t.Errorf("looksRandom(%q) = true", s)
		}
	}
	r := newRand(1, 1)
	for i := 0; i < 1000; i++ {
		if s := randTok(r, alnumChars, 40); !looksRandom(s) {
			t.Fatalf("randTok returned %q", s)
		}
	}
}
