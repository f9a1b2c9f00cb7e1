package providers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	openai "github.com/sashabaranov/go-openai"

	"github.com/scrubgate/scrubgate/detectors"
	"github.com/scrubgate/scrubgate/providers"
	"github.com/scrubgate/scrubgate/scanner"
	"github.com/scrubgate/scrubgate/vault"
)

// A go-openai client whose HTTP client scrubs every request and response in
// process: the provider (here a stub that reports what it received) never sees
// the token, only its handle.
func ExampleTransport() {
	provider := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Messages []struct{ Content string } `json:"messages"`
		}
		body, _ := io.ReadAll(r.Body)
		json.Unmarshal(body, &req)
		w.Header().Set("Content-Type", "application/json")
		reply, _ := json.Marshal("I received: " + req.Messages[0].Content)
		fmt.Fprintf(w, `{"id":"1","object":"chat.completion","model":"m","choices":[{"index":0,"message":{"role":"assistant","content":%s}}]}`, reply)
	}))
	defer provider.Close()

	sc, err := scanner.Default()
	if err != nil {
		panic(err)
	}
	keys, _ := vault.DeriveKeys([]byte("example master key, 32 bytes..."))
	transport := &providers.Transport{Scrubber: &providers.Scrubber{
		Scanner: sc,
		Handle: func(f *scanner.Finding) string {
			return keys.Mint("my-tenant", f.Kind, f.Secret()).String()
		},
	}}

	cfg := openai.DefaultConfig("sk-your-key")
	cfg.BaseURL = provider.URL + "/v1"
	cfg.HTTPClient = &http.Client{Transport: transport}
	client := openai.NewClientWithConfig(cfg)

	token := detectors.MintPrefixedCRC32("ghp_", []byte("k3Jd8sLq2Wm9Xv4Tz7Rb1Yn6Pc5Hf0"))
	resp, err := client.CreateChatCompletion(context.Background(), openai.ChatCompletionRequest{
		Model:    "gpt-4o",
		Messages: []openai.ChatCompletionMessage{{Role: "user", Content: "Use " + token}},
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(resp.Choices[0].Message.Content)
	// Output: I received: Use [[scrub:github-token:CCB0K4Z0AT]]
}
