package providers

import "testing"

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
