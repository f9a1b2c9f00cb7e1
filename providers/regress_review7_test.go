package providers

import (
	"encoding/base64"
	"strings"
	"testing"
)

// A secret member name above a base64 document: the document's location is
// rendered (base64Docs) before apply has learnt that the name is a secret.
func TestReview7SecretMemberNameInBase64DocLocation(t *testing.T) {
	name := "AKIAZZZZBFIQTZPHXMQA"
	b64 := base64.StdEncoding.EncodeToString([]byte("key AKIARLE67BFIQTZPH4MN\n"))
	bodies := map[string]string{
		"json data url": `{"model":"m","metadata":{"` + name + `":"data:text/plain;base64,` + b64 + `"},"messages":[{"role":"user","content":"hi"}]}`,
		"json source":   `{"model":"m","metadata":{"` + name + `":{"source":{"type":"base64","media_type":"text/plain","data":"` + b64 + `"}}},"messages":[]}`,
		"jsonl":         `{"custom_id":"a","body":{"` + name + `":"data:text/plain;base64,` + b64 + `"}}` + "\n" + `{"custom_id":"b"}` + "\n",
	}
	for what, body := range bodies {
		sc, rec := newTestScrubber(t)
		_, _, err := sc.Body(Request, []byte(body))
		if err != nil {
			t.Logf("%s: err %v", what, err)
			if strings.Contains(err.Error(), name[4:]) {
				t.Errorf("%s: the secret member name is in the error: %v", what, err)
			}
		}
		for _, h := range rec.hits {
			if strings.Contains(h.Location, name[4:]) {
				t.Errorf("%s: the secret member name is in an alert location: %s", what, h.Location)
			}
		}
	}
}
