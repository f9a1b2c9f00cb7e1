package report

import (
	"path/filepath"
	"sync"
	"testing"

	"github.com/scrubgate/scrubgate/rules"
	"github.com/scrubgate/scrubgate/scanner"
)

var (
	packOnce sync.Once
	packVal  *rules.Pack
	packErr  error
)

// defaultPack loads the embedded rule pack once per test binary.
func defaultPack(t testing.TB) *rules.Pack {
	t.Helper()
	packOnce.Do(func() { packVal, packErr = rules.Default() })
	if packErr != nil {
		t.Fatal(packErr)
	}
	return packVal
}

func pos(off int64, line, col int) scanner.Position {
	return scanner.Position{Offset: off, Line: line, Column: col}
}

// richResult exercises every field the writers read: a root with files inside and
// outside it, standard input, odd file names, a multi-line span, a first-line span
// (sound charOffset), JSON paths, base64, a canary known value, every confidence,
// skips and suppressed counts, and the default pack's rule metadata.
func richResult(t testing.TB) *Result {
	root := t.TempDir()
	in := func(p string) string { return filepath.Join(root, filepath.FromSlash(p)) }
	r := &Result{
		RulePack: "default@test+team",
		Root:     root,
		Rules:    RulesFromPack(defaultPack(t)),
		Summary:  Summary{Files: 7, Suppressed: 3, Baselined: 2},
	}
	add := func(file string, f scanner.Finding) {
		r.Items = append(r.Items, Item{File: file, Finding: f})
		r.Summary.Findings++
	}
	add(in("logs/session 1.jsonl"), scanner.Finding{RuleID: "github-pat", Description: "GitHub personal access token (classic)",
		Kind: "github-token", Source: scanner.SourceRule, Confidence: rules.High, Fingerprint: "9b0c4f3e21d7a6c5",
		Preview: "ghp_…(40)", Length: 40, JSONPath: "$.message.content[0].text", Start: pos(412, 3, 118), End: pos(452, 3, 158)})
	add(in("keys/id_rsa#old.txt"), scanner.Finding{RuleID: "private-key", Description: "Private key (PEM)", Kind: "private-key",
		Source: scanner.SourceRule, Confidence: rules.High, Fingerprint: "0011223344556677", Preview: "-----BEGIN…(1675)",
		Length: 1675, Start: pos(0, 1, 1), End: pos(1675, 28, 30)})
	add(in("first.txt"), scanner.Finding{RuleID: "aws-access-key-id", Description: "AWS access key ID", Kind: "aws-access-key",
		Source: scanner.SourceRule, Confidence: rules.Medium, Fingerprint: "8899aabbccddeeff", Preview: "AKIA…(20)", Length: 20,
		Start: pos(6, 1, 7), End: pos(26, 1, 27)})
	add(in("first.txt"), scanner.Finding{RuleID: "generic-password", Description: "Password assignment", Kind: "password",
		Source: scanner.SourceRule, Confidence: rules.Low, Fingerprint: "fedcba9876543210", Preview: "…(12)", Length: 12,
		Encoding: "base64", Start: pos(80, 4, 9), End: pos(96, 4, 25)})
	add(in("ünïcode/naïve.md"), scanner.Finding{RuleID: "jwt", Description: "JSON Web Token", Kind: "jwt",
		Source: scanner.SourceRule, Confidence: rules.High, Fingerprint: "a1a2a3a4a5a6a7a8", Preview: "eyJ…(130)", Length: 130,
		Start: pos(9, 1, 6), End: pos(139, 1, 136)}) // "ü" and "ï" before it: byte offset ≠ character offset
	add("-", scanner.Finding{RuleID: "known:deploy-canary", Description: "known secret value", Kind: "secret",
		Source: scanner.SourceKnown, Confidence: rules.High, Fingerprint: "1234123412341234", Preview: "…(24)", Length: 24,
		Canary: true, Start: pos(100, 5, 1), End: pos(124, 5, 25)})
	add(filepath.Join(filepath.Dir(root), "outside", "x.env"), scanner.Finding{RuleID: "slack-bot-token",
		Description: "Slack bot token", Kind: "slack-token", Source: scanner.SourceRule, Confidence: rules.High,
		Fingerprint: "5555666677778888", Preview: "xoxb-…(56)", Length: 56, Start: pos(10, 2, 3), End: pos(66, 2, 59)})
	r.Skip(in("big/dump.bin"), "over --max-size")
	r.Skip(in("locked, really:.txt"), "unreadable")
	r.Sort()
	return r
}
