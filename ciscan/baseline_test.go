package ciscan

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/scrubgate/scrubgate/report"
	"github.com/scrubgate/scrubgate/scanner"
)

// TestBaselineRoundTrip writes a baseline, edits the files around the known findings
// (which moves them to other lines), adds a new secret, and checks that only the new
// one is reported — with a keyed baseline and with an unkeyed one.
func TestBaselineRoundTrip(t *testing.T) {
	for _, keyed := range []bool{true, false} {
		name := "unkeyed"
		var key []byte
		if keyed {
			name, key = "keyed", []byte("0123456789abcdef0123456789abcdef")
		}
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			chdir(t, dir)
			old1, old2, fresh := ghTok(500), ghTok(501), ghTok(502)
			write(t, "a.txt", []byte("x\nGITHUB_TOKEN="+old1+"\n"))
			write(t, "s.jsonl", []byte(`{"m":"token `+old2+`"}`+"\n"+`{"m":"token `+old1+`"}`+"\n"))
			bl := filepath.Join(dir, "baseline.json")
			res := run(t, Options{Paths: []string{"."}, FingerprintKey: key, WriteBaseline: bl})
			if res.BaselineWritten != 3 || len(res.Items) != 3 {
				t.Fatalf("written %d, items %d\n%s", res.BaselineWritten, len(res.Items), dumpItems(res))
			}
			data, err := os.ReadFile(bl)
			if err != nil {
				t.Fatal(err)
			}
			checkBaselineFile(t, data, keyed, old1, old2)

			// the same scan with the baseline reports nothing
			res = run(t, Options{Paths: []string{"."}, FingerprintKey: key, Baseline: bl})
			if len(res.Items) != 0 || res.Baselined != 3 {
				t.Fatalf("baselined %d:\n%s", res.Baselined, dumpItems(res))
			}
			// writing it again gives the same bytes
			bl2 := filepath.Join(dir, "baseline2.json")
			run(t, Options{Paths: []string{"."}, FingerprintKey: key, WriteBaseline: bl2})
			if data2, _ := os.ReadFile(bl2); !bytes.Equal(data, data2) {
				t.Fatalf("baseline not stable:\n%s\n%s", data, data2)
			}
			os.Remove(bl2)

			// edits above the known findings, and a new secret appended
			write(t, "a.txt", []byte("new first line\n\n\nx\nGITHUB_TOKEN="+old1+"\n"))
			write(t, "s.jsonl", []byte(`{"n":0}`+"\n"+`{"m":"token `+old2+`"}`+"\n"+`{"m":"token `+old1+`"}`+"\n"+`{"m":"token `+fresh+`"}`+"\n"))
			res = run(t, Options{Paths: []string{"."}, FingerprintKey: key, Baseline: bl})
			if len(res.Items) != 1 || res.Baselined != 3 {
				t.Fatalf("want only the new finding, baselined %d:\n%s", res.Baselined, dumpItems(res))
			}
			if it := res.Items[0]; it.File != "s.jsonl" || it.Start.Line != 4 {
				t.Fatalf("wrong finding reported: %s:%d", it.File, it.Start.Line)
			}
		})
	}
}

func checkBaselineFile(t *testing.T, data []byte, keyed bool, secrets ...string) {
	t.Helper()
	if !bytes.HasSuffix(data, []byte("}\n")) {
		t.Error("no trailing newline")
	}
	for _, s := range secrets {
		if bytes.Contains(data, []byte(s)) || bytes.Contains(data, []byte(s[4:20])) {
			t.Fatal("secret in the baseline")
		}
	}
	var bf baselineFile
	if err := json.Unmarshal(data, &bf); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	if bf.Schema != BaselineSchema || bf.Keyed != keyed {
		t.Errorf("header %+v", bf)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	entries := 0
	for _, l := range lines {
		if strings.HasPrefix(strings.TrimSpace(l), `{"file"`) {
			entries++
		}
	}
	if entries != len(bf.Findings) {
		t.Errorf("entries are not one per line:\n%s", data)
	}
	for _, e := range bf.Findings {
		if keyed && (e.Fingerprint == "" || e.Occurrence != nil) || !keyed && (e.Fingerprint != "" || e.Occurrence == nil) {
			t.Errorf("entry %+v in a keyed=%v baseline", e, keyed)
		}
	}
}

func TestBaselineKeyChecks(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	items := []report.Item{{File: "a", Finding: scanner.Finding{RuleID: "r", Fingerprint: "0011223344556677"}}}
	keyedData, _ := marshalBaseline(items, key)
	if _, err := parseBaseline(keyedData, nil); err == nil || !strings.Contains(err.Error(), "SCRUBGATE_KEY") {
		t.Errorf("keyed baseline without a key: %v", err)
	}
	if _, err := parseBaseline(keyedData, []byte("another key, just as long as the first")); err == nil || !strings.Contains(err.Error(), "different") {
		t.Errorf("keyed baseline with another key: %v", err)
	}
	if _, err := parseBaseline(keyedData, key); err != nil {
		t.Error(err)
	}
	// an unkeyed baseline works whether or not a key is set now
	plain, _ := marshalBaseline(items, nil)
	for _, k := range [][]byte{nil, key} {
		b, err := parseBaseline(plain, k)
		if err != nil {
			t.Fatal(err)
		}
		if out, n := b.filter(items); len(out) != 0 || n != 1 {
			t.Errorf("unkeyed baseline with key %v: %d left", k != nil, len(out))
		}
	}
	empty, n := marshalBaseline(nil, nil)
	if n != 0 || !bytes.HasSuffix(empty, []byte("\"findings\": []\n}\n")) {
		t.Errorf("empty baseline %q", empty)
	}
	if _, err := parseBaseline(empty, nil); err != nil {
		t.Error(err)
	}
}

func TestBaselineRejectsBadFiles(t *testing.T) {
	for _, in := range []string{
		``, `[]`, `{"schema":"other/v1","keyed":false,"findings":[]}`,
		`{"schema":"scrubgate.baseline/v1","keyed":false,"findings":[{"file":"a","rule_id":"r"}]}`,
		`{"schema":"scrubgate.baseline/v1","keyed":false,"findings":[{"file":"a","rule_id":"r","occurrence":-1}]}`,
		`{"schema":"scrubgate.baseline/v1","keyed":false,"findings":[{"file":"a","rule_id":"r","occurrence":0,"fingerprint":"0011223344556677"}]}`,
		`{"schema":"scrubgate.baseline/v1","keyed":false,"findings":[],"extra":1}`,
		`{"schema":"scrubgate.baseline/v1","keyed":false,"findings":[]} {}`,
		`{"schema":"scrubgate.baseline/v1","keyed":false,"findings":[{"file":"","rule_id":"r","occurrence":0}]}`,
	} {
		if _, err := parseBaseline([]byte(in), nil); err == nil {
			t.Errorf("accepted %q", in)
		}
	}
	// errors never quote the file's content
	_, err := parseBaseline([]byte(`{"schema":"ghp_SECRETSECRETSECRETSECRETSECRETSECRETSECRETSECRET","keyed":false,"findings":[]}`), nil)
	if err == nil || strings.Contains(err.Error(), "SECRETSECRETSECRETSECRETSECRETSECRET") {
		t.Errorf("error %v", err)
	}
}

// FuzzParseBaseline: any input gives a baseline or an error, never a panic, and a
// baseline that parses filters without panicking.
func FuzzParseBaseline(f *testing.F) {
	items := []report.Item{
		{File: "a", Finding: scanner.Finding{RuleID: "r", Fingerprint: "0011223344556677", JSONPath: "$.x"}},
		{File: "a", Finding: scanner.Finding{RuleID: "r", Fingerprint: "8899aabbccddeeff"}},
	}
	key := []byte("0123456789abcdef0123456789abcdef")
	k, _ := marshalBaseline(items, key)
	u, _ := marshalBaseline(items, nil)
	f.Add(k, true)
	f.Add(u, false)
	f.Add([]byte(`{"schema":"scrubgate.baseline/v1","keyed":false,"findings":[{"file":"a","rule_id":"r","occurrence":3}]}`), false)
	f.Fuzz(func(t *testing.T, data []byte, withKey bool) {
		var k []byte
		if withKey {
			k = key
		}
		b, err := parseBaseline(data, k)
		if err != nil {
			return
		}
		b.filter(items)
	})
}

// TestPublicCopiesEveryExportedField guards public(): a field added to
// scanner.Finding must be copied too.
func TestPublicCopiesEveryExportedField(t *testing.T) {
	s := defaultScanner(t)
	fs := s.Scan([]byte("GITHUB_TOKEN=" + ghTok(1)))
	if len(fs) != 1 {
		t.Fatal("no finding")
	}
	f := fs[0]
	f.JSONPath, f.Encoding, f.Canary = "$.x", "base64", true
	p := public(&f)
	if p.Secret() != nil {
		t.Fatal("public copy kept the secret")
	}
	v, pv := reflect.ValueOf(f), reflect.ValueOf(p)
	for i := 0; i < v.NumField(); i++ {
		if !v.Type().Field(i).IsExported() {
			continue
		}
		if !reflect.DeepEqual(v.Field(i).Interface(), pv.Field(i).Interface()) {
			t.Errorf("field %s not copied", v.Type().Field(i).Name)
		}
	}
}
