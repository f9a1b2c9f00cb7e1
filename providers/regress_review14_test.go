package providers

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"unicode/utf16"
)

// A zipped .pyc of google-cloud-sdk's generated networkconnectivity client (its
// bytes around ListServiceConnectionTokensResponse): marshal refs are 'r' plus a
// little-endian index ("r>\0\0\0r=\0\0\0"), so dropping the NULs joins a string
// constant ending in ...Tokens... with "rY re rg r> r=" into an assignment.
func TestReview14PycRefsJoinIntoAssignment(t *testing.T) {
	pyc := []byte("\xe3\x00\x00\x00\x00\x00\x00\x00\x00\xda#ListServiceConnectionTokensResponseFrY\x00\x00\x00re\x00\x00\x00rg\x00\x00\x00r>\x00\x00\x00r=\x00\x00\x00rh\x00\x00\x00zNNetworkconnectivityV1.ProjectsLocationsServiceConnectionTokensService.<lambda>\xf6\x07\x00\x00s:\x00\x00\x00\x80\x00")
	s, _ := newTestScrubber(t)
	up := &r13Upstream{}
	ct, body := r13Upload("sdk.zip", "application/zip", r13Zip(t, r13File{"networkconnectivity/v1/__pycache__/networkconnectivity_v1_client.cpython-312.pyc", pyc}))
	if resp, msg := r13Send(t, &Transport{Scrubber: s, Base: up}, "/v1/files", ct, "", body); !up.reached {
		t.Errorf("zip holding a .pyc (no secret) blocked: %d %s", resp.StatusCode, msg)
	}
}

// Regression hunt (review 15): UTF-16LE without a byte order mark, mostly non-ASCII
// (a Japanese note with a key after "APIキー："), is not taken for UTF-16, and the
// NUL-free view broke the line before the key's first character (a NUL after a
// non-ASCII unit): the key went upstream. Views read in 2-byte units from either
// alignment find it; it blocks (or is redacted where the text can be rewritten).
func TestR15UTF16LENoBOMNonASCIIKeyLeaks(t *testing.T) {
	key := "sk-proj-uNaRL63xYKwzEInncIIA3ANxN9K3KSU9Mi4roNL89sM995YTBXaK7JQEVT0m"
	text := "# メモ\n" + strings.Repeat("本番環境の設定ファイルです。よろしくお願いします。\n", 10) +
		"APIキー：" + key + "\n" + strings.Repeat("本番環境の設定ファイルです。よろしくお願いします。\n", 10)
	var doc []byte
	for _, u := range utf16.Encode([]rune(text)) {
		doc = append(doc, byte(u), byte(u>>8)) // little-endian, no BOM
	}
	var keyLE []byte
	for _, c := range []byte(key) {
		keyLE = append(keyLE, c, 0)
	}
	s, _ := newTestScrubber(t)

	up := &r13Upstream{}
	resp, out := r13Send(t, &Transport{Scrubber: s, Base: up}, "/v1/responses", "application/json", "", r13FileData("text/plain", doc))
	if up.reached {
		if bytes.Contains(r13Doc(t, up.body), keyLE) {
			t.Errorf("file_data text/plain: status %d, the UTF-16LE key was forwarded unredacted", resp.StatusCode)
		}
	} else if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("file_data: status %d: %s", resp.StatusCode, out)
	}

	up = &r13Upstream{}
	ct, body := r13Upload("notes.zip", "application/zip", r13Zip(t, r13File{"notes.txt", doc}))
	resp, out = r13Send(t, &Transport{Scrubber: s, Base: up}, "/v1/files", ct, "", body)
	if up.reached || resp.StatusCode != http.StatusBadRequest {
		t.Errorf("zip member: status %d, reached upstream %v (want 400, blocked): %.120s", resp.StatusCode, up.reached, out)
	}
}
