package proxy

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// firstRead is what a client got from its first read of a response body.
type firstRead struct {
	data   string
	length int64 // the response's Content-Length
	err    error
}

// readFirst sends req in the background and reports the first read of the answer,
// or fails the test if nothing arrives within five seconds. released is closed when
// readFirst returns: upstreams wait for it before sending the rest, so a gateway
// that held the first part back stalls until the deadline.
func readFirst(t *testing.T, g *testGateway, req *http.Request, released chan struct{}) firstRead {
	t.Helper()
	defer close(released)
	got := make(chan firstRead, 1)
	go func() {
		resp, err := g.http.Client().Do(req)
		if err != nil {
			got <- firstRead{err: err}
			return
		}
		defer resp.Body.Close()
		buf := make([]byte, 100)
		n, _ := resp.Body.Read(buf)
		got <- firstRead{data: string(buf[:n]), length: resp.ContentLength}
	}()
	select {
	case f := <-got:
		return f
	case <-time.After(5 * time.Second):
		t.Fatal("the first part of a trickled response was held back by the gateway")
		return firstRead{}
	}
}

// waitReleased blocks an upstream handler until the client has its first part.
func waitReleased(released chan struct{}) {
	select {
	case <-released:
	case <-time.After(10 * time.Second):
	}
}

// Binary media that the upstream trickles (generated speech) reach the client as
// they arrive, with their declared length, now that whole responses are no longer
// flushed write by write.
func TestBinaryMediaTrickles(t *testing.T) {
	released := make(chan struct{})
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "audio/mpeg")
		w.Header().Set("Content-Length", "200")
		w.WriteHeader(200)
		w.Write([]byte(strings.Repeat("A", 100)))
		w.(http.Flusher).Flush()
		waitReleased(released)
		w.Write([]byte(strings.Repeat("B", 100)))
	}))
	defer up.Close()
	g := startGateway(t, &Config{Upstream: up.URL})
	req, _ := http.NewRequest("POST", g.http.URL+"/v1/audio/speech", strings.NewReader(`{"model":"tts-1","input":"hello","voice":"alloy"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer sk-caller-key-1")
	f := readFirst(t, g, req, released)
	if f.err != nil || f.data == "" {
		t.Fatalf("read %q, error %v", f.data, f.err)
	}
	if f.length != 200 {
		t.Errorf("Content-Length %d, want the upstream's 200", f.length)
	}
}

// An event stream labelled application/json whose first event is short (": ping")
// passes it on at once: sniffing the framing waited for 64 bytes before.
func TestSniffedStreamShortFirstEvent(t *testing.T) {
	released := make(chan struct{})
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(200)
		io.WriteString(w, ": ping\n\n")
		w.(http.Flusher).Flush()
		waitReleased(released)
		io.WriteString(w, "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"}}]}\n\ndata: [DONE]\n\n")
	}))
	defer up.Close()
	g := startGateway(t, &Config{Upstream: up.URL})
	req, _ := http.NewRequest("POST", g.http.URL+"/v1/chat/completions", strings.NewReader(`{"model":"m","stream":true,"messages":[{"role":"user","content":"x"}]}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer sk-caller-key-1")
	f := readFirst(t, g, req, released)
	if f.err != nil || !strings.Contains(f.data, ": ping") {
		t.Fatalf("first read %q (error %v), want the ping comment", f.data, f.err)
	}
}
