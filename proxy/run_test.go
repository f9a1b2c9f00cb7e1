package proxy

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// Shutdown lets an open stream finish: the client reads it to the end.
func TestRunDrainsOpenStreamsOnShutdown(t *testing.T) {
	started := make(chan struct{})
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		for i := 0; i < 20; i++ {
			fmt.Fprintf(w, "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"part%d \"}}]}\n\n", i)
			w.(http.Flusher).Flush()
			if i == 0 {
				close(started)
			}
			time.Sleep(20 * time.Millisecond)
		}
		io.WriteString(w, "data: [DONE]\n\n")
	}))
	defer up.Close()
	srv, err := New(&Config{Listen: "127.0.0.1:0", AdminListen: "127.0.0.1:0", Upstream: up.URL}, Options{Scanner: baseScanner(t), Keys: fixedKeys, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	addrs := make(chan [2]net.Addr, 1)
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx, func(api, admin net.Addr) { addrs <- [2]net.Addr{api, admin} }) }()
	a := <-addrs
	resp, err := http.Post("http://"+a[0].String()+"/v1/chat/completions", "application/json", strings.NewReader(`{"stream":true}`))
	if err != nil {
		t.Fatal(err)
	}
	<-started
	cancel() // shut down while the stream is open
	body, err := io.ReadAll(bufio.NewReader(resp.Body))
	resp.Body.Close()
	if err != nil || !strings.Contains(string(body), "part19") || !strings.Contains(string(body), "[DONE]") {
		t.Fatalf("the open stream was cut on shutdown: %v\n%s", err, body)
	}
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	if _, err := http.Get("http://" + a[1].String() + "/healthz"); err == nil {
		t.Fatal("admin listener still up after shutdown")
	}
}

func TestUpstreamHeaderTimeout(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(time.Second):
		case <-r.Context().Done():
		}
	}))
	defer up.Close()
	g := startGateway(t, &Config{Upstream: up.URL, Timeouts: Timeouts{Header: Duration(100 * time.Millisecond)}})
	resp, body := g.post(t, "/v1/chat/completions", `{}`)
	if resp.StatusCode != http.StatusGatewayTimeout || !strings.Contains(body, "did not answer in time") {
		t.Fatalf("header timeout: %d %s", resp.StatusCode, body)
	}
	if !strings.Contains(g.logs.String(), `"kind":"timeout"`) {
		t.Fatalf("timeout not logged by kind: %s", g.logs.String())
	}
}
