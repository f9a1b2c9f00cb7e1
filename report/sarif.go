package report

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"sort"
	"strings"

	"github.com/scrubgate/scrubgate/rules"
)

// SARIF constants. The schema URI is the OASIS 2.1.0 errata01 schema; report/testdata
// holds a copy that the tests validate every log against.
const (
	sarifSchemaURI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
	sarifVersion   = "2.1.0"
	toolName       = "scrubgate"
	toolInfoURI    = "https://github.com/scrubgate/scrubgate"
	srcRoot        = "%SRCROOT%"
	fingerprintKey = "scrubgateFingerprint/v1"
	skippedFileID  = "skipped-file"
	truncatedID    = "results-left-out"
	// maxSARIFResults is GitHub code scanning's hard limit of results per run: a
	// log with more is rejected whole.
	maxSARIFResults  = 25000
	sarifColumnUnits = "unicodeCodePoints" // scanner.Position.Column counts UTF-8 runes
)

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool               sarifTool                        `json:"tool"`
	Invocations        []sarifInvocation                `json:"invocations"`
	OriginalURIBaseIDs map[string]sarifArtifactLocation `json:"originalUriBaseIds,omitempty"`
	Results            []sarifResult                    `json:"results"`
	ColumnKind         string                           `json:"columnKind"`
	Properties         map[string]any                   `json:"properties,omitempty"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string            `json:"name"`
	InformationURI string            `json:"informationUri"`
	Version        string            `json:"version,omitempty"`
	Rules          []sarifDescriptor `json:"rules"`
	Notifications  []sarifDescriptor `json:"notifications"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifMultiText struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

type sarifConfiguration struct {
	Level string `json:"level"`
}

type sarifDescriptor struct {
	ID                   string              `json:"id"`
	Name                 string              `json:"name"`
	ShortDescription     sarifMultiText      `json:"shortDescription"`
	FullDescription      sarifMultiText      `json:"fullDescription"`
	DefaultConfiguration *sarifConfiguration `json:"defaultConfiguration,omitempty"`
	HelpURI              string              `json:"helpUri,omitempty"`
	Help                 *sarifMultiText     `json:"help,omitempty"`
	Properties           map[string]any      `json:"properties,omitempty"`
}

type sarifInvocation struct {
	ExecutionSuccessful        bool                `json:"executionSuccessful"`
	ToolExecutionNotifications []sarifNotification `json:"toolExecutionNotifications,omitempty"`
}

type sarifNotification struct {
	Level      string               `json:"level"`
	Message    sarifText            `json:"message"`
	Locations  []sarifLocation      `json:"locations,omitempty"`
	Descriptor sarifDescriptorIndex `json:"descriptor"`
}

type sarifDescriptorIndex struct {
	ID    string `json:"id"`
	Index int    `json:"index"`
}

type sarifArtifactLocation struct {
	URI         string     `json:"uri,omitempty"`
	URIBaseID   string     `json:"uriBaseId,omitempty"`
	Description *sarifText `json:"description,omitempty"`
}

type sarifRegion struct {
	StartLine   int    `json:"startLine"`
	StartColumn int    `json:"startColumn,omitempty"`
	EndLine     int    `json:"endLine,omitempty"`
	EndColumn   int    `json:"endColumn,omitempty"`
	CharOffset  *int64 `json:"charOffset,omitempty"`
	CharLength  *int64 `json:"charLength,omitempty"`
}

type sarifPhysicalLocation struct {
	ArtifactLocation sarifArtifactLocation `json:"artifactLocation"`
	Region           *sarifRegion          `json:"region,omitempty"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysicalLocation `json:"physicalLocation"`
}

type sarifResult struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           int               `json:"ruleIndex"`
	Level               string            `json:"level"`
	Message             sarifText         `json:"message"`
	Locations           []sarifLocation   `json:"locations"`
	PartialFingerprints map[string]string `json:"partialFingerprints,omitempty"`
	Properties          map[string]any    `json:"properties,omitempty"`
}

// writeSARIF writes one SARIF 2.1.0 run as GitHub code scanning reads it: every rule
// described with what to do about a finding, results located by repository-relative
// URI and a region in code points, the keyed fingerprint as a partial fingerprint,
// and skipped files as tool execution notifications. No snippet is ever included:
// the region's text is the secret.
func writeSARIF(w io.Writer, r *Result) error {
	ruleList, index := sarifRules(r)
	items := sarifItems(r.Items)
	results := make([]sarifResult, 0, len(items))
	for _, it := range items {
		// A finding inside an archive member or a compressed file is located in the
		// decoded text: SARIF names the file in the repository and leaves out a
		// region that would point into its compressed bytes; the message says where.
		file, region, msg := it.File, sarifRegionOf(it), resultMessage(it)
		if outer, member, ok := archiveMember(it.File); ok {
			file, region = outer, nil
			msg += fmt.Sprintf(" (in archive member %s, line %d, column %d)", member, it.Start.Line, it.Start.Column)
		} else if compressedName(it.File) {
			region = nil
			msg += fmt.Sprintf(" (line %d, column %d of the decompressed text)", it.Start.Line, it.Start.Column)
		}
		res := sarifResult{
			RuleID:    it.RuleID,
			RuleIndex: index[it.RuleID],
			Level:     sarifLevel(it.Confidence),
			Message:   sarifText{Text: msg},
			Locations: []sarifLocation{{PhysicalLocation: sarifPhysicalLocation{
				ArtifactLocation: artifactLocation(r.Root, file),
				Region:           region,
			}}},
			Properties: map[string]any{"confidence": string(it.Confidence)},
		}
		if it.Fingerprint != "" {
			res.PartialFingerprints = map[string]string{fingerprintKey: it.Fingerprint}
		}
		if it.JSONPath != "" {
			res.Properties["jsonPath"] = it.JSONPath
		}
		if it.Encoding != "" {
			res.Properties["encoding"] = it.Encoding
		}
		if it.Canary {
			res.Properties["canary"] = true
		}
		results = append(results, res)
	}
	inv := sarifInvocation{ExecutionSuccessful: true}
	for _, s := range r.Skipped {
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, sarifNotification{
			Level:   "warning",
			Message: sarifText{Text: "File not scanned (" + s.Reason + "): " + s.File},
			Locations: []sarifLocation{{PhysicalLocation: sarifPhysicalLocation{
				ArtifactLocation: artifactLocation(r.Root, s.File)}}},
			Descriptor: sarifDescriptorIndex{ID: skippedFileID, Index: 0},
		})
	}
	if left := len(r.Items) - len(items); left > 0 {
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, sarifNotification{
			Level: "warning",
			Message: sarifText{Text: fmt.Sprintf("%d of %d findings are left out of this log (the least confident first): "+
				"GitHub code scanning rejects a run of more than %d results. `scrubgate scan --format json` lists them all.",
				left, len(r.Items), maxSARIFResults)},
			Descriptor: sarifDescriptorIndex{ID: truncatedID, Index: 1},
		})
	}
	run := sarifRun{
		Tool: sarifTool{Driver: sarifDriver{
			Name: toolName, InformationURI: toolInfoURI, Version: r.RulePack, Rules: ruleList,
			Notifications: []sarifDescriptor{{
				ID: skippedFileID, Name: "SkippedFile",
				ShortDescription: sarifMultiText{Text: "A file was not scanned."},
				FullDescription: sarifMultiText{Text: "scrubgate could not or would not read this file (for example it is " +
					"unreadable or larger than --max-size), so it may still contain secrets."},
				DefaultConfiguration: &sarifConfiguration{Level: "warning"},
			}, {
				ID: truncatedID, Name: "ResultsLeftOut",
				ShortDescription: sarifMultiText{Text: "Some findings are not in this log."},
				FullDescription: sarifMultiText{Text: "The scan found more results than GitHub code scanning accepts in one run, " +
					"so the least confident ones were left out; the scan's exit status still counts them all."},
				DefaultConfiguration: &sarifConfiguration{Level: "warning"},
			}},
		}},
		Invocations: []sarifInvocation{inv},
		Results:     results,
		ColumnKind:  sarifColumnUnits,
		Properties:  map[string]any{"summary": r.Summary},
	}
	if root, ok := rootURI(r.Root); ok {
		run.OriginalURIBaseIDs = map[string]sarifArtifactLocation{srcRoot: {URI: root}}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(sarifLog{Schema: sarifSchemaURI, Version: sarifVersion, Runs: []sarifRun{run}})
}

// sarifItems returns the findings a SARIF log can hold: all of them, or, past
// GitHub's limit, the most confident ones, in their order.
func sarifItems(all []Item) []*Item {
	idx := make([]int, len(all))
	for i := range idx {
		idx[i] = i
	}
	if len(idx) > maxSARIFResults {
		sort.SliceStable(idx, func(i, j int) bool { return all[idx[i]].Confidence.Rank() > all[idx[j]].Confidence.Rank() })
		idx = idx[:maxSARIFResults]
		sort.Ints(idx)
	}
	keep := make([]*Item, len(idx))
	for i, k := range idx {
		keep[i] = &all[k]
	}
	return keep
}

// sarifRules lists r.Rules (first entry per id wins), then a rule built from the
// findings for every rule id they use that r.Rules does not describe, by id.
func sarifRules(r *Result) ([]sarifDescriptor, map[string]int) {
	index := map[string]int{}
	var infos []RuleInfo
	for _, ri := range r.Rules {
		if _, dup := index[ri.ID]; !dup {
			index[ri.ID] = len(infos)
			infos = append(infos, ri)
		}
	}
	extra := map[string]RuleInfo{}
	for _, it := range r.Items {
		if _, ok := index[it.RuleID]; ok {
			continue
		}
		ri, seen := extra[it.RuleID]
		if !seen || it.Confidence.Rank() > ri.Confidence.Rank() {
			extra[it.RuleID] = RuleInfo{ID: it.RuleID, Description: it.Description, Kind: it.Kind, Confidence: it.Confidence}
		}
	}
	ids := make([]string, 0, len(extra))
	for id := range extra {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		index[id] = len(infos)
		infos = append(infos, extra[id])
	}
	out := make([]sarifDescriptor, len(infos))
	for i, ri := range infos {
		out[i] = sarifRule(ri)
	}
	return out, index
}

func sarifRule(ri RuleInfo) sarifDescriptor {
	desc := ri.Description
	if desc == "" {
		desc = ri.ID
	}
	kind := ri.Kind
	if kind == "" {
		kind = "secret"
	}
	d := sarifDescriptor{
		ID:                   ri.ID,
		Name:                 ruleName(ri.ID),
		ShortDescription:     sarifMultiText{Text: desc},
		FullDescription:      sarifMultiText{Text: fmt.Sprintf("%s: a credential of kind %q in plain text (rule confidence: %s).", desc, kind, orUnknown(string(ri.Confidence)))},
		DefaultConfiguration: &sarifConfiguration{Level: sarifLevel(ri.Confidence)},
		Help:                 ruleHelp(desc, kind, ri.References),
		Properties: map[string]any{
			"tags":              []string{"security", "secret"},
			"precision":         sarifPrecision(ri.Confidence),
			"security-severity": securitySeverity(ri.Confidence),
			"kind":              kind,
		},
	}
	if len(ri.References) > 0 && absoluteURI(ri.References[0]) {
		d.HelpURI = ri.References[0]
	}
	return d
}

// ruleHelp says what to do about a finding of a rule, in text and Markdown.
func ruleHelp(desc, kind string, refs []string) *sarifMultiText {
	steps := []struct{ text, markdown string }{
		{"Revoke or rotate the credential at its issuer now, and review its use since it was exposed: assume it has been copied.",
			"**Revoke or rotate** the credential at its issuer now, and review its use since it was exposed: assume it has been copied."},
		{"Remove it from the file, and from the agent transcript or log it came from. Keep credentials out of LLM context " +
			"with scrubgate serve (the proxy) or scrubgate redact.",
			"**Remove** it from the file, and from the agent transcript or log it came from. Keep credentials out of LLM context " +
				"with `scrubgate serve` (the proxy) or `scrubgate redact`."},
		{"Deleting it is not enough: git history, CI logs, caches, forks and clones keep the old value. Rotation is what " +
			"makes it harmless; rewrite history as well if your policy requires it.",
			"Deleting it is not enough: **git history**, CI logs, caches, forks and clones keep the old value. Rotation is what " +
				"makes it harmless; rewrite history as well if your policy requires it."},
		{"If it is not a real credential (an example or a test fixture), record it in the scan's baseline rather than " +
			"dismissing the alert, so the next real one is still reported.",
			"If it is not a real credential (an example or a test fixture), record it in the scan's baseline rather than " +
				"dismissing the alert, so the next real one is still reported."},
	}
	var t, m strings.Builder
	fmt.Fprintf(&t, "%s (kind %q) found in plain text. scrubgate reports where it is and never the value.\n\nWhat to do:\n", desc, kind)
	fmt.Fprintf(&m, "**%s** (kind `%s`) found in plain text. scrubgate reports where it is and never the value.\n\n**What to do:**\n\n",
		mdEscape(desc), strings.ReplaceAll(kind, "`", ""))
	for i, s := range steps {
		fmt.Fprintf(&t, "%d. %s\n", i+1, s.text)
		fmt.Fprintf(&m, "%d. %s\n", i+1, s.markdown)
	}
	var links []string
	for _, ref := range refs {
		if absoluteURI(ref) {
			links = append(links, ref)
		}
	}
	if len(links) > 0 {
		t.WriteString("\nReferences:\n")
		m.WriteString("\n**References:**\n\n")
		for _, l := range links {
			fmt.Fprintf(&t, "- %s\n", l)
			fmt.Fprintf(&m, "- <%s>\n", strings.NewReplacer("<", "%3C", ">", "%3E", " ", "%20").Replace(l))
		}
	}
	return &sarifMultiText{Text: strings.TrimSuffix(t.String(), "\n"), Markdown: strings.TrimSuffix(m.String(), "\n")}
}

// mdEscape backslash-escapes the characters of a rule description that Markdown
// could read as emphasis, code, links or HTML.
func mdEscape(s string) string {
	var b strings.Builder
	for _, c := range s {
		if strings.ContainsRune("\\`*_[]<>", c) {
			b.WriteByte('\\')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// ruleName turns a rule id into the PascalCase name SARIF viewers show:
// github-pat -> GithubPat, known:canary -> KnownCanary.
func ruleName(id string) string {
	var b strings.Builder
	up := true
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			up = true
			continue
		}
		if up && c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		up = false
		b.WriteRune(c)
	}
	if b.Len() == 0 {
		return "Secret"
	}
	return b.String()
}

// resultMessage is the rule's description and the masked preview: never the secret.
func resultMessage(it *Item) string {
	desc := it.Description
	if desc == "" {
		desc = it.RuleID
	}
	return fmt.Sprintf("%s: %s (confidence %s). Rotate the credential, then remove it; git history keeps the old value.",
		desc, detail(it), orUnknown(string(it.Confidence)))
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// sarifLevel: error for high and medium confidence, warning otherwise.
func sarifLevel(c rules.Confidence) string {
	if c.Rank() >= rules.Medium.Rank() {
		return "error"
	}
	return "warning"
}

func sarifPrecision(c rules.Confidence) string {
	switch c {
	case rules.High:
		return "high"
	case rules.Medium:
		return "medium"
	}
	return "low"
}

// securitySeverity is GitHub's numeric severity: 9.0 and up is critical, 7.0 high,
// 4.0 medium. An exposed credential is at least high; a low-confidence match may be
// a false positive, so it ranks medium.
func securitySeverity(c rules.Confidence) string {
	switch c {
	case rules.High:
		return "9.0"
	case rules.Medium:
		return "7.0"
	}
	return "5.0"
}

// archiveMember splits "bundle.zip!logs/run.txt" (the name scan gives a member of an
// archive) at the first "!" that follows an archive file name.
func archiveMember(name string) (outer, member string, ok bool) {
	for i := 0; i < len(name); i++ {
		if name[i] != '!' {
			continue
		}
		o := strings.ToLower(name[:i])
		for _, ext := range []string{".zip", ".jar", ".war", ".docx", ".xlsx", ".tar", ".tgz", ".tar.gz", ".tar.zst", ".tar.zstd", ".tar.bz2"} {
			if strings.HasSuffix(o, ext) {
				return name[:i], name[i+1:], true
			}
		}
	}
	return "", "", false
}

// compressedName reports whether a file name says it is compressed.
func compressedName(name string) bool {
	n := strings.ToLower(name)
	return strings.HasSuffix(n, ".gz") || strings.HasSuffix(n, ".zst") || strings.HasSuffix(n, ".zstd") || strings.HasSuffix(n, ".tgz")
}

// sarifRegionOf locates the secret: 1-based lines, columns in code points, endColumn
// just past the last character (scanner End is exclusive, so it is End.Column).
// charOffset and charLength are given only when they are sound: the byte offset
// equals the character offset only if every character before the secret was one
// byte, which is known only on the first line.
func sarifRegionOf(it *Item) *sarifRegion {
	s, e := it.Start, it.End
	if s.Line < 1 {
		return nil
	}
	reg := &sarifRegion{StartLine: s.Line}
	if s.Column >= 1 {
		reg.StartColumn = s.Column
	}
	if e.Line > s.Line || (e.Line == s.Line && e.Column >= s.Column && reg.StartColumn > 0) {
		reg.EndLine = e.Line
		if e.Column >= 1 {
			reg.EndColumn = e.Column
		}
	}
	if s.Line == 1 && s.Column >= 1 && int64(s.Column-1) == s.Offset && e.Line == 1 && e.Column >= s.Column {
		off, n := s.Offset, int64(e.Column-s.Column)
		reg.CharOffset, reg.CharLength = &off, &n
	}
	return reg
}

// artifactLocation names a file for SARIF: relative to %SRCROOT% (the root, or the
// directory scrubgate ran in when no root is set) with forward slashes and URI
// escaping; an absolute file:// URI for files outside the root; "-" for standard input.
func artifactLocation(root, file string) sarifArtifactLocation {
	if file == "-" {
		return sarifArtifactLocation{URI: "-", Description: &sarifText{Text: "standard input"}}
	}
	rel, ok := relPath(root, file)
	if !ok {
		abs, err := filepath.Abs(file)
		if err != nil {
			abs = file
		}
		return sarifArtifactLocation{URI: fileURI(abs)}
	}
	return sarifArtifactLocation{URI: (&url.URL{Path: rel}).String(), URIBaseID: srcRoot}
}

// relPath is file relative to root with forward slashes, or false when the file is
// outside the root (or absolute and no root is set).
func relPath(root, file string) (string, bool) {
	if root == "" {
		if filepath.IsAbs(file) {
			return "", false
		}
		rel := filepath.ToSlash(filepath.Clean(file))
		return rel, rel != ".." && !strings.HasPrefix(rel, "../")
	}
	ra, err1 := filepath.Abs(root)
	fa, err2 := filepath.Abs(file)
	if err1 != nil || err2 != nil {
		return "", false
	}
	rel, err := filepath.Rel(ra, fa)
	if err != nil {
		return "", false
	}
	rel = filepath.ToSlash(rel)
	if rel == ".." || strings.HasPrefix(rel, "../") {
		return "", false
	}
	return rel, true
}

// fileURI is the file:// URI of an absolute path.
func fileURI(abs string) string {
	p := filepath.ToSlash(abs)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // a Windows drive path, C:/x
	}
	return (&url.URL{Scheme: "file", Path: p}).String()
}

// rootURI is the root directory as a file:// URI ending in a slash, as
// originalUriBaseIds requires.
func rootURI(root string) (string, bool) {
	if root == "" {
		return "", false
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return "", false
	}
	u := fileURI(abs)
	if !strings.HasSuffix(u, "/") {
		u += "/"
	}
	return u, true
}

// absoluteURI reports whether s is an absolute http(s) URL, fit for helpUri.
func absoluteURI(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}
