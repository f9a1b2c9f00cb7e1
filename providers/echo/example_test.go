package echo_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/scrubgate/scrubgate/providers/echo"
)

// The echo upstream answers a chat completion with the last user message, and
// records what it received.
func Example() {
	upstream := echo.New()
	srv := httptest.NewServer(upstream)
	defer srv.Close()

	body := `{"model":"echo-1","messages":[{"role":"user","content":"my key is [[scrub:github-token:7QK2M4XH9P]]"}]}`
	resp, err := http.Post(srv.URL+"/v1/chat/completions", "application/json", strings.NewReader(body))
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	var answer struct {
		Choices []struct {
			Message struct{ Role, Content string }
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&answer); err != nil {
		panic(err)
	}
	fmt.Println(answer.Choices[0].Message.Role+":", answer.Choices[0].Message.Content)

	last, _ := upstream.LastRequest()
	fmt.Println(last.Method, last.Path, len(upstream.Requests()))
	// Output:
	// assistant: my key is [[scrub:github-token:7QK2M4XH9P]]
	// POST /v1/chat/completions 1
}
