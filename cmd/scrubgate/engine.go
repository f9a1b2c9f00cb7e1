package main

import (
	"fmt"
	"os"
	"strings"
	"sync"

	"github.com/spf13/cobra"

	"github.com/scrubgate/scrubgate/rules"
	"github.com/scrubgate/scrubgate/scanner"
	"github.com/scrubgate/scrubgate/vault"
)

// engineFlags are the flags every command shares: which rules to use.
type engineFlags struct {
	ruleFiles []string
	disable   []string
	noDefault bool
	// used is the pack the last scanner was compiled from (for report metadata).
	used *rules.Pack
}

func (f *engineFlags) register(c *cobra.Command) {
	c.PersistentFlags().StringArrayVar(&f.ruleFiles, "rules", nil, "extra rule file or directory (scrubgate or gitleaks TOML); repeatable")
	c.PersistentFlags().StringArrayVar(&f.disable, "disable", nil, "rule id to turn off; repeatable")
	c.PersistentFlags().BoolVar(&f.noDefault, "no-default-rules", false, "use only the rules given with --rules")
}

// pack assembles the rule pack the flags describe and prints loader notes to stderr.
func (f *engineFlags) pack(c *cobra.Command) (*rules.Pack, error) {
	pack := &rules.Pack{Version: "custom"}
	if !f.noDefault {
		def, err := rules.Default()
		if err != nil {
			return nil, err
		}
		pack = def
	}
	for _, path := range f.ruleFiles {
		rs, notes, err := rules.LoadFile(path)
		for _, n := range notes {
			fmt.Fprintln(c.ErrOrStderr(), "scrubgate: note:", n)
		}
		if err != nil {
			return nil, err
		}
		pack.Extend(path, rs)
	}
	if len(f.disable) > 0 {
		if err := pack.Disable(f.disable...); err != nil {
			return nil, err
		}
	}
	if len(pack.Rules) == 0 {
		return nil, fmt.Errorf("no rules to run (check --rules and --no-default-rules)")
	}
	return pack, nil
}

// setup does what every scanning command does first: parse --mode, derive the run's
// keys and compile (or reuse) the scanner.
func (f *engineFlags) setup(c *cobra.Command, modeName string) (scanner.Mode, vault.Keys, *scanner.Scanner, error) {
	mode, err := scanner.ParseMode(modeName)
	if err != nil {
		return mode, vault.Keys{}, nil, err
	}
	ks, err := keys()
	if err != nil {
		return mode, ks, nil, err
	}
	s, err := f.newScanner(c, ks)
	return mode, ks, s, err
}

// keys returns the handle and fingerprint keys: derived from SCRUBGATE_KEY when it
// is set, random for this run otherwise.
func keys() (vault.Keys, error) {
	if k := os.Getenv("SCRUBGATE_KEY"); k != "" {
		return vault.DeriveKeys([]byte(k))
	}
	return vault.RandomKeys(), nil
}

// newScanner compiles the pack (once per process for a given pack) and returns a
// scanner with the run's fingerprint key.
func (f *engineFlags) newScanner(c *cobra.Command, ks vault.Keys) (*scanner.Scanner, error) {
	pack, err := f.pack(c)
	if err != nil {
		return nil, err
	}
	f.used = pack
	key := pack.Version + "\x00" + strings.Join(pack.IDs(), ",")
	compiledMu.Lock()
	defer compiledMu.Unlock()
	s, ok := compiled[key]
	if !ok {
		if s, err = scanner.New(pack); err != nil {
			return nil, err
		}
		compiled[key] = s
	}
	return s.WithFingerprintKey(ks.FingerprintKey()), nil
}

var (
	compiledMu sync.Mutex
	compiled   = map[string]*scanner.Scanner{}
)
