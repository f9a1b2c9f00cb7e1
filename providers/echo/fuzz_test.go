package echo_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/scrubgate/scrubgate/providers/echo"
)

// FuzzServe sends arbitrary bodies to every route: the server must never panic,
// and must always answer either a valid JSON error in the route's shape, a valid
// JSON answer, or a well-framed event stream of JSON events.
func FuzzServe(f *testing.F) {
	for i, rt := range routes {
		f.Add(uint8(i), []byte(rt.body))
	}
	for _, body := range []string{
		chatBody("echo-reasoning-1", "héllo \"x\" 🌍", true, weatherTools+`,"stream_options":{"include_usage":true}`),
		chatBody("m", "tool", false, weatherTools+`,"tool_choice":{"type":"function","function":{"name":"x"}}`),
		`{"stream":true,"input":[{"role":"user","content":[{"type":"input_text","text":"a"}]},{"type":"function_call_output","output":"b"}]` + shellTool + `}`,
		messagesBody("think", true, bashTool+thinkingOn),
		`{"prompt":["a","b"],"stream":true}`,
		`{"input":[[1,2],[3]],"encoding_format":"base64","dimensions":3}`,
		`{"messages":[{"role":"user","content":[{"type":"text","text":5}]}]}`,
		"{\"messages\":[{\"role\":\"user\",\"content\":\"\xff\xfe\"}],\"stream\":true}",
	} {
		for i := range routes {
			f.Add(uint8(i), []byte(body))
		}
	}
	h := echo.New(echo.WithChunkSize(3))
	f.Fuzz(func(t *testing.T, route uint8, body []byte) {
		rt := routes[int(route)%len(routes)]
		rec := serve(h, rt.method, rt.path, string(body))
		ct := rec.Header().Get("Content-Type")
		switch {
		case rec.Code != http.StatusOK:
			if _, err := errorShape(rec.Body.Bytes(), rt.anthropic, ""); err != nil {
				t.Fatalf("status %d: %v", rec.Code, err)
			}
		case strings.HasPrefix(ct, "text/event-stream"):
			events, err := parseSSE(rec.Body.Bytes())
			if err != nil {
				t.Fatal(err)
			}
			if len(events) == 0 {
				t.Fatal("empty stream")
			}
		case ct == "application/json":
			if !json.Valid(rec.Body.Bytes()) {
				t.Fatalf("invalid JSON answer: %s", rec.Body)
			}
		default:
			t.Fatalf("status 200 with Content-Type %q", ct)
		}
	})
}
