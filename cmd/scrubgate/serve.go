package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/scrubgate/scrubgate/detectors"
	"github.com/scrubgate/scrubgate/proxy"
	"github.com/scrubgate/scrubgate/vault"
)

// serveFlags are the serve command's flags; each also reads an environment variable.
type serveFlags struct {
	config, listen, admin, upstream string
	alertOnly                       bool
	flags                           *pflag.FlagSet
}

func (f *serveFlags) register(c *cobra.Command) {
	c.Flags().StringVar(&f.config, "config", os.Getenv("SCRUBGATE_CONFIG"), "YAML config file (env SCRUBGATE_CONFIG)")
	c.Flags().StringVar(&f.listen, "listen", os.Getenv("SCRUBGATE_LISTEN"), "API listen address (env SCRUBGATE_LISTEN; default 127.0.0.1:8080)")
	c.Flags().StringVar(&f.admin, "admin-listen", os.Getenv("SCRUBGATE_ADMIN_LISTEN"), "admin listen address for /metrics, /healthz, /readyz, or off (env SCRUBGATE_ADMIN_LISTEN; default 127.0.0.1:9090)")
	c.Flags().StringVar(&f.upstream, "upstream", os.Getenv("SCRUBGATE_UPSTREAM"), "default upstream base URL, or echo for the built-in fake LLM (env SCRUBGATE_UPSTREAM; default per provider)")
	c.Flags().BoolVar(&f.alertOnly, "alert-only", false, "observe mode: report every finding, change nothing; --alert-only=false enforces even if the config says otherwise (env SCRUBGATE_ALERT_ONLY=true|false)")
	f.flags = c.Flags()
}

// load builds the config: file, then environment and flags on top.
func (f *serveFlags) load() (*proxy.Config, error) {
	cfg := &proxy.Config{}
	if f.config != "" {
		c, err := proxy.LoadConfig(f.config)
		if err != nil {
			return nil, err
		}
		cfg = c
	}
	if f.listen != "" {
		cfg.Listen = f.listen
	}
	if f.admin != "" {
		cfg.AdminListen = f.admin
	}
	if f.upstream != "" {
		cfg.Upstream = f.upstream
	}
	// Observe mode, in both directions: the flag beats the environment, which
	// beats the file.
	if v := os.Getenv("SCRUBGATE_ALERT_ONLY"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return nil, fmt.Errorf("SCRUBGATE_ALERT_ONLY=%q: want true or false", v)
		}
		cfg.AlertOnly = b
	}
	if f.flags != nil && f.flags.Changed("alert-only") {
		cfg.AlertOnly = f.alertOnly
	}
	return cfg, cfg.Validate()
}

func newServeCmd(ef *engineFlags) *cobra.Command {
	var f serveFlags
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the scrubbing gateway (OpenAI-compatible and Anthropic APIs)",
		Long: "serve listens on 127.0.0.1:8080 and forwards LLM API calls to their providers, replacing every\n" +
			"credential in requests and responses (streams included) with a handle. Point an agent's base URL\n" +
			"at it (OPENAI_BASE_URL=http://127.0.0.1:8080/v1, ANTHROPIC_BASE_URL=http://127.0.0.1:8080).\n" +
			"The JSON log goes to stderr; metrics and health are on the admin listener.",
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			cfg, err := f.load()
			if err != nil {
				return err
			}
			log := slog.New(slog.NewJSONHandler(c.ErrOrStderr(), nil))
			keys, err := proxy.LoadOrCreateKey(cfg, log)
			if err != nil {
				return err
			}
			sc, err := ef.newScanner(c, keys)
			if err != nil {
				return err
			}
			srv, err := proxy.New(cfg, proxy.Options{Scanner: sc, Keys: keys, Logger: log})
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(c.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return srv.Run(ctx, nil)
		},
	}
	f.register(cmd)
	return cmd
}

func newDemoCmd(ef *engineFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "demo",
		Short: "Start the gateway on the echo upstream, send one request with a fake token, show what the provider received",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			out := c.OutOrStdout()
			cfg := &proxy.Config{Listen: "127.0.0.1:0", AdminListen: "off", Upstream: proxy.Echo}
			keys := vault.RandomKeys()
			sc, err := ef.newScanner(c, keys)
			if err != nil {
				return err
			}
			srv, err := proxy.New(cfg, proxy.Options{Scanner: sc, Keys: keys})
			if err != nil {
				return err
			}
			ctx, cancel := context.WithCancel(c.Context())
			defer cancel()
			addrc := make(chan net.Addr, 1)
			done := make(chan error, 1)
			go func() { done <- srv.Run(ctx, func(api, _ net.Addr) { addrc <- api }) }()
			var addr net.Addr
			select {
			case addr = <-addrc:
			case err := <-done:
				return err
			}
			// A fake GitHub token, generated now: checksummed like a real one.
			token := detectors.MintPrefixedCRC32("ghp_", randomAlnum(30))
			prompt := "Please deploy with my token " + token + " and tell me when done."
			body, _ := json.Marshal(map[string]any{"model": "gpt-4o", "messages": []map[string]string{{"role": "user", "content": prompt}}})
			url := "http://" + addr.String() + "/v1/chat/completions"
			fmt.Fprintf(out, "scrubgate is listening on %s (upstream: the built-in echo LLM)\n\n", addr)
			fmt.Fprintf(out, "1. The agent sends:\n   POST %s\n   %s\n\n", url, prompt)
			resp, err := http.Post(url, "application/json", bytes.NewReader(body))
			if err != nil {
				return err
			}
			answer, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			rec, ok := srv.Echo().LastRequest()
			if !ok {
				return fmt.Errorf("the echo upstream received nothing")
			}
			var sent struct {
				Messages []struct{ Content string } `json:"messages"`
			}
			json.Unmarshal(rec.Body, &sent)
			var got struct {
				Choices []struct {
					Message struct{ Content string } `json:"message"`
				} `json:"choices"`
			}
			json.Unmarshal(answer, &got)
			fmt.Fprintf(out, "2. The provider received:\n   %s\n\n", sent.Messages[0].Content)
			if len(got.Choices) > 0 {
				fmt.Fprintf(out, "3. The agent got back (%s: %s):\n   %s\n\n", "X-Scrubgate-Redactions", resp.Header.Get("X-Scrubgate-Redactions"), got.Choices[0].Message.Content)
			}
			fmt.Fprintln(out, "The token never left the gateway: the model only ever saw its handle.")
			cancel()
			return <-done
		},
	}
}

// randomAlnum returns n random letters and digits.
func randomAlnum(n int) []byte {
	const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	b := make([]byte, n)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return b
}

func newKeysCmd() *cobra.Command {
	keysCmd := &cobra.Command{Use: "keys", Short: "Manage gateway keys for agents"}
	keysCmd.AddCommand(&cobra.Command{
		Use:   "new",
		Short: "Issue a gateway key for an agent: the key (give it to the agent) and the hash (put it in the config)",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			k := vault.NewGatewayKey()
			fmt.Fprintf(c.OutOrStdout(), "gateway key (give to the agent, shown once): %s\nconfig line:  key_sha256: %s\n", k, vault.HashGatewayKey(k))
			return nil
		},
	})
	return keysCmd
}
