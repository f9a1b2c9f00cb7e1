package main

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"

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

// Review 6, R4: redact read compressed and UTF-16 input as raw bytes, found nothing
// and printed the secrets unchanged ("0 secret(s) redacted", exit 0), while scan
// found them. It now reads them as scan does and writes them back in the same form;
// a zip archive, which a stream cannot rewrite, is refused.
func TestReviewRedactDecodesLayers(t *testing.T) {
	tok := ghToken()
	text := "GITHUB_TOKEN=" + tok + "\r\nnext line\r\n"
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(text))
	zw.Close()
	u16 := []byte{0xFF, 0xFE}
	for _, r := range utf16.Encode([]rune(text)) {
		u16 = append(u16, byte(r), byte(r>>8))
	}
	dir := t.TempDir()
	for _, c := range []struct {
		name, layers string
		in           []byte
		decode       func([]byte) string
	}{
		{"gzip", "gzip", gz.Bytes(), func(b []byte) string {
			r, err := gzip.NewReader(bytes.NewReader(b))
			if err != nil {
				t.Fatalf("output is not gzip: %v", err)
			}
			out, _ := io.ReadAll(r)
			return string(out)
		}},
		{"utf16", "utf-16le", u16, func(b []byte) string {
			if len(b) < 2 || b[0] != 0xFF || b[1] != 0xFE || len(b)%2 != 0 {
				t.Fatalf("output is not UTF-16LE with its BOM: % x", b[:min(8, len(b))])
			}
			var us []uint16
			for i := 2; i+1 < len(b); i += 2 {
				us = append(us, uint16(b[i])|uint16(b[i+1])<<8)
			}
			return string(utf16.Decode(us))
		}},
	} {
		p := filepath.Join(dir, c.name)
		os.WriteFile(p, c.in, 0o600)
		for _, args := range [][]string{{"redact", p}, {"redact", "-"}} {
			code, out, errs := runCLI(t, string(c.in), args...)
			if code != 0 {
				t.Fatalf("%s %v: exit %d: %s", c.name, args, code, errs)
			}
			got := c.decode([]byte(out))
			if strings.Contains(got, tok) || strings.Contains(out, tok) || !strings.Contains(got, "GITHUB_TOKEN=[[scrub:github-token:") || !strings.HasSuffix(got, "\r\nnext line\r\n") {
				t.Errorf("%s %v: redacted text %q", c.name, args, got)
			}
			if !strings.Contains(errs, "1 secret(s) redacted (read and written as "+c.layers+")") {
				t.Errorf("%s %v: stderr %q", c.name, args, errs)
			}
		}
	}
	var zb bytes.Buffer
	zz := zip.NewWriter(&zb)
	f, _ := zz.Create("a.env")
	f.Write([]byte(text))
	zz.Close()
	code, out, errs := runCLI(t, zb.String(), "redact")
	if code != 2 || out != "" || !strings.Contains(errs, "zip archive") {
		t.Errorf("zip: exit %d, %d bytes out, stderr %q", code, len(out), errs)
	}
}

// Review 7: redact decoded a .tar.gz and replaced a secret inside the tar stream
// with a handle of another length, so the archive lost every member after it (exit
// 0). A tar archive, compressed or not, is refused.
func TestReviewRedactRefusesTar(t *testing.T) {
	var tb bytes.Buffer
	tw := tar.NewWriter(&tb)
	data := "GITHUB_TOKEN=" + ghToken() + "\n"
	tw.WriteHeader(&tar.Header{Name: "creds.txt", Mode: 0o644, Size: int64(len(data)), Typeflag: tar.TypeReg})
	tw.Write([]byte(data))
	tw.Close()
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(tb.Bytes())
	zw.Close()
	for name, in := range map[string][]byte{"tar": tb.Bytes(), "tar.gz": gz.Bytes()} {
		code, out, errs := runCLI(t, string(in), "redact")
		if code != 2 || out != "" || !strings.Contains(errs, "tar archive") {
			t.Errorf("%s: exit %d, %d bytes out, stderr %q", name, code, len(out), errs)
		}
	}
}

// Review 7: redact decoded invalid UTF-16 (a lone surrogate, an odd last byte) to
// U+FFFD and wrote that back: bytes outside the secrets changed. Such input is now
// refused; valid UTF-16 with a surrogate pair still comes back exact.
func TestReviewRedactInexactUTF16Refused(t *testing.T) {
	enc := func(s string) []byte {
		out := []byte{0xFF, 0xFE}
		for _, r := range utf16.Encode([]rune(s)) {
			out = append(out, byte(r), byte(r>>8))
		}
		return out
	}
	text := "GITHUB_TOKEN=" + ghToken() + "\r\nname: "
	for name, in := range map[string][]byte{
		"lone surrogate": append(enc(text), 0x00, 0xD8, 'x', 0, '\r', 0, '\n', 0),
		"odd last byte":  append(enc(text+"ok\r\n"), 'x'),
	} {
		code, out, errs := runCLI(t, string(in), "redact")
		if code != 2 || !strings.Contains(errs, "invalid sequence") || strings.Contains(out, "ghp_") {
			t.Errorf("%s: exit %d, stderr %q, %d bytes out", name, code, errs, len(out))
		}
	}
	ok := enc(text + "emoji \U0001F600 ok\r\n")
	code, out, errs := runCLI(t, string(ok), "redact")
	if code != 0 || !bytes.HasSuffix([]byte(out), ok[len(ok)-20:]) {
		t.Errorf("valid UTF-16: exit %d (%s), tail % x", code, errs, []byte(out)[max(0, len(out)-20):])
	}
}
