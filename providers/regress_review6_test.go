package providers

import (
	"strings"
	"testing"
)

// Review 6, R8 (gateway side): a secret in a member name showed in the alert
// location of the values under it ($.creds.AKIA…), and alert locations go to logs.
func TestSecretMemberNameNotInAlertLocations(t *testing.T) {
	for _, name := range []string{"AKIAZZZZ7BFIQTZPH4MQ", "AKIAZZZZBFIQTZPHXMQA"} {
		sc, rec := newTestScrubber(t)
		body := `{"model":"m","metadata":{"` + name + `":{"k":"AKIARLE67BFIQTZPH4MN"}},"messages":[{"role":"user","content":"hi"}]}`
		out, res, err := sc.Body(Request, []byte(body))
		if err != nil {
			t.Fatal(err)
		}
		assertNoSecret(t, "body", out, name, "AKIARLE67BFIQTZPH4MN")
		var locs []string
		for _, h := range rec.hits {
			locs = append(locs, h.Location)
			if strings.Contains(h.Location, name[4:]) {
				t.Errorf("the secret member name is in an alert location: %s", h.Location)
			}
		}
		if res.Findings != 2 || !strings.Contains(strings.Join(locs, " "), "$.metadata[*].k") {
			t.Errorf("%d findings at %v; want 2, the value at $.metadata[*].k", res.Findings, locs)
		}
	}
}
