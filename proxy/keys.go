package proxy

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/scrubgate/scrubgate/vault"
)

// LoadOrCreateKey returns the gateway's keys, derived from one master key so that
// handles survive restarts and are the same on every replica. The master key comes
// from SCRUBGATE_KEY, else the config's key, else the key file; when there is none,
// a random one is generated and written to the key file (mode 0600), and a log
// line says so. Replicas must share the key: set SCRUBGATE_KEY from a secret store.
func LoadOrCreateKey(cfg *Config, log *slog.Logger) (vault.Keys, error) {
	if k := os.Getenv("SCRUBGATE_KEY"); k != "" {
		return vault.DeriveKeys([]byte(k))
	}
	if cfg.Key != "" {
		return vault.DeriveKeys([]byte(cfg.Key))
	}
	path := cfg.KeyFile
	if path == "" {
		dir, err := os.UserConfigDir()
		if err != nil {
			return vault.Keys{}, fmt.Errorf("no key configured and no config directory to keep a generated one: set SCRUBGATE_KEY or key_file: %w", err)
		}
		path = filepath.Join(dir, "scrubgate", "key")
	}
	b, err := os.ReadFile(path)
	switch {
	case err == nil:
		if st, serr := os.Stat(path); serr == nil && st.Mode().Perm()&0o077 != 0 {
			return vault.Keys{}, fmt.Errorf("key file %s is readable by others (mode %v): chmod 600 it", path, st.Mode().Perm())
		}
		return vault.DeriveKeys([]byte(strings.TrimSpace(string(b))))
	case !errors.Is(err, fs.ErrNotExist):
		return vault.Keys{}, fmt.Errorf("reading key file: %w", err)
	}
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return vault.Keys{}, err
	}
	master := hex.EncodeToString(raw[:])
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return vault.Keys{}, fmt.Errorf("creating the key directory: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return vault.Keys{}, fmt.Errorf("writing the generated key: %w", err)
	}
	if _, err := f.WriteString(master + "\n"); err != nil {
		f.Close()
		return vault.Keys{}, err
	}
	if err := f.Close(); err != nil {
		return vault.Keys{}, err
	}
	log.Warn("generated a new master key and saved it; handles stay stable across restarts while it is kept (replicas must share it: set SCRUBGATE_KEY)", slog.String("key_file", path))
	return vault.DeriveKeys([]byte(master))
}
