package scanner

import "testing"

// release() zeroes the view and names "so no text of the scanned input stays in the
// free list", but secretKeys (the secrets found in member names) stay referenced.
func TestReview7ReleasedViewKeepsSecretKeys(t *testing.T) {
	s := testScanner(t)
	doc := `{"creds":{"AKIAZZZZBFIQTZPHXMQA":{"k":"AKIARLE67BFIQTZPH4MN"}}}`
	s.ScanMode([]byte(doc), ModeJSON)
	freeViews.Lock()
	defer freeViews.Unlock()
	for _, j := range freeViews.views {
		for _, k := range j.secretKeys {
			t.Errorf("a released view still holds secret %q", k)
		}
	}
}
