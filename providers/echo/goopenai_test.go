package echo_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	openai "github.com/sashabaranov/go-openai"

	"github.com/scrubgate/scrubgate/providers/echo"
)

// headerTransport adds a header to every request.
type headerTransport struct {
	base        http.RoundTripper
	name, value string
}

func (h headerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set(h.name, h.value)
	return h.base.RoundTrip(r)
}

// TestGoOpenAI drives the server with a real client library.
func TestGoOpenAI(t *testing.T) {
	srv := httptest.NewServer(echo.New(echo.WithChunkSize(3)))
	defer srv.Close()
	cfg := openai.DefaultConfig("sk-echo-test")
	cfg.BaseURL = srv.URL + "/v1"
	cfg.HTTPClient = srv.Client()
	client := openai.NewClientWithConfig(cfg)
	ctx := context.Background()
	const text = "héllo from go-openai: \"quoted\" \\ and 🌍"
	messages := []openai.ChatCompletionMessage{
		{Role: openai.ChatMessageRoleSystem, Content: "be brief"},
		{Role: openai.ChatMessageRoleUser, Content: text},
	}
	tools := []openai.Tool{{Type: openai.ToolTypeFunction, Function: &openai.FunctionDefinition{
		Name: "lookup", Parameters: json.RawMessage(`{"type":"object","properties":{"input":{"type":"string"}}}`),
	}}}

	t.Run("chat", func(t *testing.T) {
		resp, err := client.CreateChatCompletion(ctx, openai.ChatCompletionRequest{Model: "gpt-4o-mini", Messages: messages})
		if err != nil {
			t.Fatal(err)
		}
		if len(resp.Choices) != 1 || resp.Choices[0].Message.Content != text || resp.Choices[0].FinishReason != openai.FinishReasonStop ||
			resp.Model != "gpt-4o-mini" || resp.Usage.TotalTokens == 0 {
			t.Errorf("response %+v", resp)
		}
	})

	t.Run("streaming chat", func(t *testing.T) {
		stream, err := client.CreateChatCompletionStream(ctx, openai.ChatCompletionRequest{
			Model: "gpt-4o-mini", Messages: messages, Stream: true, StreamOptions: &openai.StreamOptions{IncludeUsage: true},
		})
		if err != nil {
			t.Fatal(err)
		}
		defer stream.Close()
		var got string
		var finish openai.FinishReason
		var usage *openai.Usage
		for {
			resp, err := stream.Recv()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if resp.Usage != nil {
				usage = resp.Usage
			}
			for _, c := range resp.Choices {
				got += c.Delta.Content
				if c.FinishReason != "" {
					finish = c.FinishReason
				}
			}
		}
		if got != text || finish != openai.FinishReasonStop || usage == nil || usage.TotalTokens == 0 {
			t.Errorf("streamed %q, finish %q, usage %v; want %q", got, finish, usage, text)
		}
	})

	t.Run("streaming tool calls", func(t *testing.T) {
		stream, err := client.CreateChatCompletionStream(ctx, openai.ChatCompletionRequest{
			Model: "gpt-4o-mini", Messages: messages, Tools: tools, Stream: true,
		})
		if err != nil {
			t.Fatal(err)
		}
		defer stream.Close()
		calls := map[int]*openai.ToolCall{}
		var finish openai.FinishReason
		for {
			resp, err := stream.Recv()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range resp.Choices {
				if c.FinishReason != "" {
					finish = c.FinishReason
				}
				for _, tc := range c.Delta.ToolCalls {
					if tc.Index == nil {
						t.Fatal("tool call delta without index")
					}
					acc, ok := calls[*tc.Index]
					if !ok {
						acc = &openai.ToolCall{ID: tc.ID, Type: tc.Type, Function: openai.FunctionCall{Name: tc.Function.Name}}
						calls[*tc.Index] = acc
					}
					acc.Function.Arguments += tc.Function.Arguments
				}
			}
		}
		call, ok := calls[0]
		if len(calls) != 1 || !ok || call.ID == "" || call.Type != openai.ToolTypeFunction || call.Function.Name != "lookup" ||
			finish != openai.FinishReasonToolCalls {
			t.Fatalf("calls %+v, finish %q", calls, finish)
		}
		if in := parseArgs(t, call.Function.Arguments); in != text {
			t.Errorf("arguments input %q, want %q", in, text)
		}
	})

	t.Run("embeddings and models", func(t *testing.T) {
		emb, err := client.CreateEmbeddings(ctx, openai.EmbeddingRequestStrings{Input: []string{"a", "b"}, Model: openai.SmallEmbedding3})
		if err != nil || len(emb.Data) != 2 || len(emb.Data[1].Embedding) != 8 {
			t.Errorf("embeddings %+v, %v", emb, err)
		}
		models, err := client.ListModels(ctx)
		if err != nil || len(models.Models) != 3 || models.Models[0].ID != "echo-1" {
			t.Errorf("models %+v, %v", models, err)
		}
	})

	t.Run("upstream error", func(t *testing.T) {
		failCfg := cfg
		failCfg.HTTPClient = &http.Client{Transport: headerTransport{srv.Client().Transport, "X-Echo-Fail", "429"}}
		_, err := openai.NewClientWithConfig(failCfg).CreateChatCompletion(ctx, openai.ChatCompletionRequest{Model: "m", Messages: messages})
		apiErr, ok := errors.AsType[*openai.APIError](err)
		if !ok || apiErr.HTTPStatusCode != 429 || apiErr.Code != "rate_limit_exceeded" || apiErr.Message == "" {
			t.Errorf("error %#v", err)
		}
	})
}
