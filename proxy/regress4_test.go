package proxy

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// Binary media that the upstream trickles (generated speech) reach the client as
// they arrive, with their declared length, now that whole responses are no longer
// flushed write by write: the upstream sends its second half only once the client
// has read the first, so a gateway that buffered would stall the test.
func TestBinaryMediaTrickles(t *testing.T) {
	firstRead := make(chan struct{})
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "audio/mpeg")
		w.Header().Set("Content-Length", "200")
		w.WriteHeader(200)
		w.Write([]byte(strings.Repeat("A", 100)))
		w.(http.Flusher).Flush()
		select {
		case <-firstRead:
		case <-time.After(10 * time.Second):
		}
		w.Write([]byte(strings.Repeat("B", 100)))
	}))
	defer up.Close()
	g := startGateway(t, &Config{Upstream: up.URL})
	req, _ := http.NewRequest("POST", g.http.URL+"/v1/audio/speech", strings.NewReader(`{"model":"tts-1","input":"hello","voice":"alloy"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer sk-caller-key-1")
	type first struct {
		n      int
		length int64
		err    error
	}
	got := make(chan first, 1)
	go func() {
		resp, err := g.http.Client().Do(req)
		if err != nil {
			got <- first{err: err}
			return
		}
		defer resp.Body.Close()
		buf := make([]byte, 100)
		n, _ := resp.Body.Read(buf)
		got <- first{n: n, length: resp.ContentLength}
	}()
	defer close(firstRead)
	select {
	case f := <-got:
		if f.err != nil || f.n == 0 {
			t.Fatalf("read %d bytes, error %v", f.n, f.err)
		}
		if f.length != 200 {
			t.Errorf("Content-Length %d, want the upstream's 200", f.length)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the first half of a trickled audio response was held back by the gateway")
	}
}

// An event stream labelled application/json whose first event is short (": ping")
// passes it on at once: sniffing the framing waited for 64 bytes before.
func TestSniffedStreamShortFirstEvent(t *testing.T) {
	firstRead := make(chan struct{})
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(200)
		io.WriteString(w, ": ping\n\n")
		w.(http.Flusher).Flush()
		select {
		case <-firstRead:
		case <-time.After(10 * time.Second):
		}
		io.WriteString(w, "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"}}]}\n\ndata: [DONE]\n\n")
	}))
	defer up.Close()
	g := startGateway(t, &Config{Upstream: up.URL})
	req, _ := http.NewRequest("POST", g.http.URL+"/v1/chat/completions", strings.NewReader(`{"model":"m","stream":true,"messages":[{"role":"user","content":"x"}]}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer sk-caller-key-1")
	got := make(chan string, 1)
	go func() {
		resp, err := g.http.Client().Do(req)
		if err != nil {
			got <- "error: " + err.Error()
			return
		}
		defer resp.Body.Close()
		buf := make([]byte, 64)
		n, _ := resp.Body.Read(buf)
		got <- string(buf[:n])
	}()
	defer close(firstRead)
	select {
	case s := <-got:
		if !strings.Contains(s, ": ping") {
			t.Fatalf("first read %q, want the ping comment", s)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a short first event of a sniffed stream was held back")
	}
}
