package ciscan

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/scrubgate/scrubgate/report"
)

// BaselineSchema names the baseline file format.
const BaselineSchema = "scrubgate.baseline/v1"

// A baseline lists known findings so that only new ones are reported. Its entries
// never depend on line numbers, so edits around a known finding do not resurrect it:
//
//   - keyed (SCRUBGATE_KEY set): rule id, file, JSON path and the finding's
//     fingerprint, an HMAC of the secret under the fingerprint key. Without the key a
//     committed baseline tells nothing about the secrets, not even whether a guessed
//     weak password is among them. key_check (an HMAC of a fixed label under the same
//     key) tells a baseline written under another key apart.
//   - unkeyed: rule id, file, JSON path and the occurrence: the index of the finding
//     among those with the same rule, file and JSON path, in file order. Nothing is
//     derived from the secret.
//
// The file is JSON, one entry per line, sorted, ending in a newline, so that it merges
// cleanly.
type baselineFile struct {
	Schema   string          `json:"schema"`
	Keyed    bool            `json:"keyed"`
	KeyCheck string          `json:"key_check,omitempty"`
	Findings []baselineEntry `json:"findings"`
}

type baselineEntry struct {
	File        string `json:"file"`
	RuleID      string `json:"rule_id"`
	JSONPath    string `json:"json_path,omitempty"`
	Fingerprint string `json:"fingerprint,omitempty"`
	Occurrence  *int   `json:"occurrence,omitempty"`
}

// baseline is a loaded baseline file, ready to filter findings.
type baseline struct {
	keyed bool
	set   map[baselineEntry]bool // Occurrence is folded into occ for lookups
	occ   map[baselineEntry]int  // unkeyed: entries per group -> how many are known
}

// maxBaselineSize bounds what is read as a baseline.
const maxBaselineSize = 64 << 20

// keyCheck is a public check value of the fingerprint key.
func keyCheck(key []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("scrubgate baseline key check v1"))
	return hex.EncodeToString(m.Sum(nil)[:8])
}

func readBaselineFile(path string, key []byte) (*baseline, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("baseline: %w", err)
	}
	defer f.Close()
	data, err := readAtMost(f, maxBaselineSize)
	if err != nil {
		return nil, fmt.Errorf("baseline %s: %w", path, err)
	}
	b, err := parseBaseline(data, key)
	if err != nil {
		return nil, fmt.Errorf("baseline %s: %w", path, err)
	}
	return b, nil
}

// parseBaseline checks and loads a baseline. key is the current fingerprint key (nil
// when none is configured).
func parseBaseline(data []byte, key []byte) (*baseline, error) {
	var bf baselineFile
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&bf); err != nil {
		return nil, fmt.Errorf("not a scrubgate baseline (%s)", jsonErr(err))
	}
	if dec.More() {
		return nil, errors.New("not a scrubgate baseline (data after the JSON object)")
	}
	if bf.Schema != BaselineSchema {
		return nil, fmt.Errorf("not a %s file (schema is missing or another)", BaselineSchema)
	}
	b := &baseline{keyed: bf.Keyed, set: map[baselineEntry]bool{}, occ: map[baselineEntry]int{}}
	if bf.Keyed {
		if key == nil {
			return nil, errors.New("the baseline was written with SCRUBGATE_KEY set: set the same key to use it")
		}
		if !hmac.Equal([]byte(bf.KeyCheck), []byte(keyCheck(key))) {
			return nil, errors.New("the baseline was written with a different SCRUBGATE_KEY: use that key, or write the baseline again")
		}
	}
	for i, e := range bf.Findings {
		if e.File == "" || e.RuleID == "" {
			return nil, fmt.Errorf("entry %d: file and rule_id are required", i+1)
		}
		switch {
		case bf.Keyed:
			if !isFingerprint(e.Fingerprint) || e.Occurrence != nil {
				return nil, fmt.Errorf("entry %d: a keyed baseline entry needs a fingerprint (16 hex digits) and no occurrence", i+1)
			}
			b.set[e] = true
		default:
			if e.Fingerprint != "" || e.Occurrence == nil || *e.Occurrence < 0 {
				return nil, fmt.Errorf("entry %d: an unkeyed baseline entry needs an occurrence (0 or more) and no fingerprint", i+1)
			}
			g := baselineEntry{File: e.File, RuleID: e.RuleID, JSONPath: e.JSONPath}
			if *e.Occurrence >= b.occ[g] {
				b.occ[g] = *e.Occurrence + 1
			}
		}
	}
	return b, nil
}

func isFingerprint(s string) bool {
	if len(s) != 16 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

// filter returns the items not in the baseline and how many were. items must be in
// file order (Result.sort): occurrences are counted in that order.
func (b *baseline) filter(items []report.Item) ([]report.Item, int) {
	var out []report.Item
	known := 0
	seen := map[baselineEntry]int{}
	for _, it := range items {
		g := baselineEntry{File: it.File, RuleID: it.RuleID, JSONPath: it.JSONPath}
		var in bool
		if b.keyed {
			g.Fingerprint = it.Fingerprint
			in = b.set[g]
		} else {
			in = seen[g] < b.occ[g]
			seen[g]++
		}
		if in {
			known++
			continue
		}
		out = append(out, it)
	}
	return out, known
}

// baselineEntries builds the entries for items (in file order).
func baselineEntries(items []report.Item, key []byte) []baselineEntry {
	var out []baselineEntry
	seen := map[baselineEntry]int{}
	done := map[baselineEntry]bool{}
	for _, it := range items {
		e := baselineEntry{File: it.File, RuleID: it.RuleID, JSONPath: it.JSONPath}
		if key != nil {
			e.Fingerprint = it.Fingerprint
			if done[e] {
				continue
			}
			done[e] = true
		} else {
			n := seen[e]
			seen[e]++
			e.Occurrence = &n
		}
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.RuleID != b.RuleID {
			return a.RuleID < b.RuleID
		}
		if a.JSONPath != b.JSONPath {
			return a.JSONPath < b.JSONPath
		}
		if a.Fingerprint != b.Fingerprint {
			return a.Fingerprint < b.Fingerprint
		}
		return a.Occurrence != nil && b.Occurrence != nil && *a.Occurrence < *b.Occurrence
	})
	return out
}

// marshalBaseline renders a baseline: one entry per line, a trailing newline.
func marshalBaseline(items []report.Item, key []byte) ([]byte, int) {
	entries := baselineEntries(items, key)
	var buf bytes.Buffer
	buf.WriteString("{\n  \"schema\": " + strconv.Quote(BaselineSchema) + ",\n")
	if key != nil {
		buf.WriteString("  \"keyed\": true,\n  \"key_check\": " + strconv.Quote(keyCheck(key)) + ",\n")
	} else {
		buf.WriteString("  \"keyed\": false,\n")
	}
	if len(entries) == 0 {
		buf.WriteString("  \"findings\": []\n}\n")
		return buf.Bytes(), 0
	}
	buf.WriteString("  \"findings\": [\n")
	for i, e := range entries {
		line, _ := json.Marshal(e) // strings only: cannot fail
		buf.WriteString("    ")
		buf.Write(line)
		if i < len(entries)-1 {
			buf.WriteByte(',')
		}
		buf.WriteByte('\n')
	}
	buf.WriteString("  ]\n}\n")
	return buf.Bytes(), len(entries)
}

func writeBaselineFile(path string, items []report.Item, key []byte) (int, error) {
	data, n := marshalBaseline(items, key)
	if err := writeFileAtomic(path, data, 0o644); err != nil {
		return 0, fmt.Errorf("writing the baseline: %w", err)
	}
	return n, nil
}

// writeFileAtomic writes data to a temporary file beside path and renames it over
// path, keeping path's mode if it exists.
func writeFileAtomic(path string, data []byte, mode os.FileMode) error {
	if st, err := os.Stat(path); err == nil {
		mode = st.Mode().Perm()
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".scrubgate-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// jsonErr describes a JSON decoding error without quoting the input.
func jsonErr(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return "invalid JSON at byte " + strconv.FormatInt(se.Offset, 10)
	case errors.As(err, &te):
		return "a value of the wrong type at byte " + strconv.FormatInt(te.Offset, 10)
	case strings.HasPrefix(err.Error(), "json: unknown field"):
		return "an unknown field"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "the JSON ends early"
	}
	return "invalid JSON"
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
