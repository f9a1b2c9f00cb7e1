package ciscan

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"unicode/utf16"

	"github.com/klauspost/compress/zstd"

	"github.com/scrubgate/scrubgate/detectors"
	"github.com/scrubgate/scrubgate/scanner"
)

var (
	scannerOnce sync.Once
	testScanner *scanner.Scanner
	scannerErr  error
)

func defaultScanner(t testing.TB) *scanner.Scanner {
	t.Helper()
	scannerOnce.Do(func() { testScanner, scannerErr = scanner.Default() })
	if scannerErr != nil {
		t.Fatal(scannerErr)
	}
	return testScanner
}

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// ghTok mints a distinct, checksum-valid GitHub-style token for seed: generated, so
// no real-looking secret is committed.
func ghTok(seed int) string {
	h := sha256.Sum256([]byte(fmt.Sprint("ciscan test token ", seed)))
	body := make([]byte, 30)
	for i := range body {
		body[i] = base62[int(h[i])%62]
	}
	return detectors.MintPrefixedCRC32("ghp_", body)
}

// testMask is the replacement used in tests: it keeps the rule visible.
func testMask(f scanner.Finding) []byte { return []byte("[[scrub:" + f.Kind + ":TESTTESTTE]]") }

func run(t *testing.T, opts Options) *Result {
	t.Helper()
	if opts.Scanner == nil {
		opts.Scanner = defaultScanner(t)
	}
	if opts.Replace == nil {
		opts.Replace = testMask
	}
	res, err := Run(context.Background(), opts)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return res
}

func write(t testing.TB, path string, data []byte) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// tarBytes is a ustar archive of one regular file.
func tarBytes(name string, data []byte) []byte {
	var tb bytes.Buffer
	tw := tar.NewWriter(&tb)
	tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(data)), Typeflag: tar.TypeReg, Format: tar.FormatUSTAR})
	tw.Write(data)
	tw.Close()
	return tb.Bytes()
}

func gzipBytes(t testing.TB, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Name = "inner.log"
	zw.Write(data)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func zstdBytes(t testing.TB, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	zw, err := zstd.NewWriter(&b)
	if err != nil {
		t.Fatal(err)
	}
	zw.Write(data)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

type zipMember struct {
	name   string
	data   []byte
	method uint16
}

func zipBytes(t testing.TB, members ...zipMember) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, m := range members {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: m.name, Method: m.method})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(m.data)
	}
	zw.SetComment("test archive")
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// utf16Bytes encodes s as UTF-16 (little or big endian), with a byte order mark if bom.
func utf16Bytes(s string, bigEndian, bom bool) []byte {
	units := utf16.Encode([]rune(s))
	var out []byte
	if bom {
		units = append([]uint16{0xFEFF}, units...)
	}
	for _, u := range units {
		if bigEndian {
			out = append(out, byte(u>>8), byte(u))
		} else {
			out = append(out, byte(u), byte(u>>8))
		}
	}
	return out
}

// posOf computes, independently of the scanner, where needle first occurs in the
// UTF-8 text s: 1-based line and column (in characters) and the byte offset.
func posOf(s, needle string) (line, col int, off int64) {
	i := strings.Index(s, needle)
	if i < 0 {
		panic("needle not in text")
	}
	before := s[:i]
	line = strings.Count(before, "\n") + 1
	lineStart := strings.LastIndexByte(before, '\n') + 1
	col = len([]rune(before[lineStart:])) + 1
	return line, col, int64(i)
}

// utf16Off is the byte offset in UTF-16 of the character at UTF-8 byte offset i of s.
func utf16Off(s string, i int64, bom bool) int64 {
	n := int64(2 * len(utf16.Encode([]rune(s[:i]))))
	if bom {
		n += 2
	}
	return n
}

func itemsIn(res *Result, file string) []int {
	var idx []int
	for i, it := range res.Items {
		if it.File == file {
			idx = append(idx, i)
		}
	}
	return idx
}

func dumpItems(res *Result) string {
	var b strings.Builder
	for _, it := range res.Items {
		fmt.Fprintf(&b, "  %s:%d:%d @%d %s %s\n", it.File, it.Start.Line, it.Start.Column, it.Start.Offset, it.RuleID, it.JSONPath)
	}
	for _, s := range res.Skipped {
		fmt.Fprintf(&b, "  skipped %s: %s\n", s.File, s.Reason)
	}
	for _, s := range res.Errors {
		fmt.Fprintf(&b, "  error %s: %s\n", s.File, s.Reason)
	}
	return b.String()
}

func chdir(t *testing.T, dir string) {
	t.Helper()
	t.Chdir(dir)
}
