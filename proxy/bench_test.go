package proxy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/scrubgate/scrubgate/bench/corpus"
	"github.com/scrubgate/scrubgate/scanner"
)

// The benchmark pair of issue #3: scrubgate against a bare httputil.ReverseProxy
// over the same stub upstream, for 4 KB and 128 KB chat requests, answered whole
// or streamed (with a third reference: the bare proxy buffering request bodies). Each reports MB/s of request body, and the median and p99 time per
// request; the difference between the pairs is what scrubbing adds.
//
//	go test ./proxy -run '^$' -bench Proxy -benchtime 2000x

// chatRequest builds a chat request of about size bytes of ordinary agent text
// (the clean corpus: code, logs, prose, with the words key/token/secret on most
// lines), in a system prompt, a user turn and a tool result.
func chatRequest(size int) []byte {
	text := string(corpus.CleanMixed(size, 42))
	third := len(text) / 3
	body, _ := json.Marshal(map[string]any{
		"model": "gpt-4o",
		"messages": []map[string]any{
			{"role": "system", "content": text[:third]},
			{"role": "user", "content": text[third : 2*third]},
			{"role": "tool", "tool_call_id": "call_1", "content": text[2*third:]},
		},
		"temperature": 0.2,
	})
	return body
}

const answerText = "Here is the summary you asked for. The build passed, the tests are green, and the deployment is scheduled for tonight. "

func stubUpstream() *httptest.Server {
	answer, _ := json.Marshal(map[string]any{"id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "m",
		"choices": []any{map[string]any{"index": 0, "message": map[string]any{"role": "assistant", "content": strings.Repeat(answerText, 4)}, "finish_reason": "stop"}}})
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		if strings.Contains(r.URL.RawQuery, "stream") {
			w.Header().Set("Content-Type", "text/event-stream")
			words := strings.SplitAfter(strings.Repeat(answerText, 4), " ")
			for _, wd := range words { // one event per word, flushed as providers do
				p, _ := json.Marshal(wd)
				fmt.Fprintf(w, "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":%s},\"finish_reason\":null}]}\n\n", p)
				w.(http.Flusher).Flush()
			}
			io.WriteString(w, "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n")
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(answer)
	}))
}

func benchProxies(b *testing.B) (bare, buffered, scrub *httptest.Server, cleanup func()) {
	up := stubUpstream()
	target, _ := url.Parse(up.URL)
	rp := httputil.NewSingleHostReverseProxy(target)
	rp.FlushInterval = -1
	rp.ErrorLog = log.New(io.Discard, "", 0)
	bare = httptest.NewServer(rp)
	// buffered is the bare proxy reading each request body whole before forwarding
	// it, as a scanning gateway must (it cannot forward what it has not scanned):
	// scrubgate minus buffered is what scanning itself costs.
	brp := &httputil.ReverseProxy{FlushInterval: -1, ErrorLog: rp.ErrorLog, Rewrite: func(pr *httputil.ProxyRequest) {
		pr.SetURL(target)
		pr.Out.Host = pr.In.Host
		body, err := io.ReadAll(pr.Out.Body)
		if err != nil {
			panic(http.ErrAbortHandler)
		}
		pr.Out.Body, pr.Out.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
	}}
	buffered = httptest.NewServer(brp)
	srv, err := New(&Config{Upstream: up.URL, AdminListen: "off"}, Options{Scanner: baseScanner(b), Keys: fixedKeys, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	scrub = httptest.NewServer(srv.Handler())
	return bare, buffered, scrub, func() { bare.Close(); buffered.Close(); scrub.Close(); up.Close(); srv.Close(b.Context()) }
}

func BenchmarkProxy(b *testing.B) {
	bare, buffered, scrub, cleanup := benchProxies(b)
	defer cleanup()
	for _, size := range []int{4 << 10, 128 << 10} {
		body := chatRequest(size)
		for _, stream := range []bool{false, true} {
			for _, p := range []struct {
				name string
				srv  *httptest.Server
			}{{"bare", bare}, {"buffered", buffered}, {"scrubgate", scrub}} {
				mode := "whole"
				q := ""
				if stream {
					mode, q = "stream", "?stream=1"
				}
				b.Run(fmt.Sprintf("%dKB/%s/%s", size>>10, mode, p.name), func(b *testing.B) {
					client := p.srv.Client()
					u := p.srv.URL + "/v1/chat/completions" + q
					lat := make([]time.Duration, 0, b.N)
					b.SetBytes(int64(len(body)))
					b.ResetTimer()
					for i := 0; i < b.N; i++ {
						t0 := time.Now()
						req, _ := http.NewRequest("POST", u, bytes.NewReader(body))
						req.Header.Set("Content-Type", "application/json")
						req.Header.Set("Authorization", "Bearer sk-bench")
						resp, err := client.Do(req)
						if err != nil {
							b.Fatal(err)
						}
						io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
						if resp.StatusCode != 200 {
							b.Fatalf("status %d", resp.StatusCode)
						}
						lat = append(lat, time.Since(t0))
					}
					b.StopTimer()
					sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
					b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
					b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
				})
			}
		}
	}
}

// BenchmarkStreamDeltaLatency measures how long an ordinary delta takes from the
// upstream's write to the client's read through scrubgate (one op = one delta).
func BenchmarkStreamDeltaLatency(b *testing.B) {
	sent := make(chan time.Time, 1)
	next := make(chan struct{})
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.(http.Flusher).Flush()
		for range next {
			sent <- time.Now()
			io.WriteString(w, "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"the build passed. \"},\"finish_reason\":null}]}\n\n")
			w.(http.Flusher).Flush()
		}
	}))
	srv, err := New(&Config{Upstream: up.URL, AdminListen: "off"}, Options{Scanner: baseScanner(b), Keys: fixedKeys, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	gw := httptest.NewServer(srv.Handler())
	defer func() { gw.Close(); up.Close(); srv.Close(b.Context()) }()
	resp, err := gw.Client().Post(gw.URL+"/v1/chat/completions", "application/json", strings.NewReader(`{"stream":true}`))
	if err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 4096)
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		next <- struct{}{}
		t0 := <-sent
		n, err := resp.Body.Read(buf)
		if err != nil || !bytes.Contains(buf[:n], []byte("the build passed. ")) {
			b.Fatalf("read %q %v", buf[:n], err)
		}
		lat = append(lat, time.Since(t0))
	}
	b.StopTimer()
	close(next)
	resp.Body.Close()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
}

// BenchmarkEngineScan is the engine's own time for the same request bodies: the
// reference for "no more than the scan time plus 20%".
func BenchmarkEngineScan(b *testing.B) {
	sc := baseScanner(b)
	for _, size := range []int{4 << 10, 128 << 10} {
		body := chatRequest(size)
		b.Run(fmt.Sprintf("%dKB", size>>10), func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			for i := 0; i < b.N; i++ {
				sc.ScanMode(body, scanner.ModeJSON)
			}
		})
	}
}
