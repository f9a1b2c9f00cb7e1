package proxy

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
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

// writeSelfSigned writes a throwaway certificate for 127.0.0.1 and returns the
// paths and a pool that trusts it.
func writeSelfSigned(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "scrubgate test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	kb, _ := x509.MarshalECPrivateKey(key)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

func TestRunServesTLS(t *testing.T) {
	certFile, keyFile, pool := writeSelfSigned(t)
	srv, err := New(&Config{Listen: "127.0.0.1:0", AdminListen: "off", Upstream: Echo, TLS: TLS{CertFile: certFile, KeyFile: keyFile}},
		Options{Scanner: baseScanner(t), Keys: fixedKeys, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	addrc := make(chan net.Addr, 1)
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx, func(api, _ net.Addr) { addrc <- api }) }()
	addr := <-addrc
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	resp, err := client.Post("https://"+addr.String()+"/v1/chat/completions", "application/json",
		strings.NewReader(`{"messages":[{"role":"user","content":"`+plantedSecrets()[0]+`"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	client.CloseIdleConnections()
	if resp.StatusCode != 200 || !strings.Contains(string(b), "[[scrub:github-token:") {
		t.Fatalf("over TLS: %d %s", resp.StatusCode, b)
	}
	if r, err := http.Post("http://"+addr.String()+"/v1/models", "", nil); err == nil {
		r.Body.Close()
		if r.StatusCode != http.StatusBadRequest {
			t.Fatalf("plain HTTP on the TLS listener: %d", r.StatusCode)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
