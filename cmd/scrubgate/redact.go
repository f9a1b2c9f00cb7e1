package main

import (
	"bufio"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/scrubgate/scrubgate/ciscan"
	"github.com/scrubgate/scrubgate/scanner"
)

func newRedactCmd(ef *engineFlags) *cobra.Command {
	var modeName, tenant string
	var quiet, learn bool
	cmd := &cobra.Command{
		Use:   "redact [FILE|-]",
		Short: "Write the input with every secret replaced by a capability handle",
		Long: "redact streams FILE (or standard input) to standard output, replacing each secret with a handle\n" +
			"such as [[scrub:github-token:7QK2M4XH9P]]. Handles are keyed by SCRUBGATE_KEY; without it a random\n" +
			"key is used for this run. JSON and JSONL are detected and rewritten as valid JSON; gzip, zstd and\n" +
			"UTF-16 input is decoded and written back in the same form.\n" +
			"Exit status: 0 whether or not something was found, 2 on error.",
		Args: cobra.MaximumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			mode, ks, s, err := ef.setup(c, modeName)
			if err != nil {
				return err
			}
			in := c.InOrStdin()
			if len(args) == 1 && args[0] != "-" {
				f, err := os.Open(args[0])
				if err != nil {
					return err
				}
				defer f.Close()
				in = f
				if learn {
					// First pass: every secret caught in context becomes a known value,
					// so its bare reappearances are redacted too.
					if s, err = learnSecrets(s, f, mode); err != nil {
						return err
					}
					if _, err := f.Seek(0, io.SeekStart); err != nil {
						return err
					}
				}
			}
			// Compressed and UTF-16 input is read as scan reads it and written back in
			// the same form: redacting its raw bytes would find nothing and print the
			// secrets unchanged.
			lay, err := ciscan.Decode(in, 0)
			if err != nil {
				return err
			}
			defer lay.Close()
			br, mode := sniff(lay.Text(), mode)
			out := bufio.NewWriter(c.OutOrStdout())
			enc, finish, err := lay.Encoder(out)
			if err != nil {
				return err
			}
			count := 0
			w := s.NewWriter(enc, mode, func(f scanner.Finding) []byte {
				return []byte(ks.Mint(tenant, f.Kind, f.Secret()).String())
			}, func(scanner.Finding) { count++ })
			if _, err := io.Copy(w, br); err != nil {
				return err
			}
			if err := w.Close(); err != nil {
				return err
			}
			if err := finish(); err != nil {
				return err
			}
			if err := out.Flush(); err != nil {
				return err
			}
			if !quiet {
				as := ""
				if l := lay.Layers(); l != "" {
					as = " (read and written as " + l + ")"
				}
				fmt.Fprintf(c.ErrOrStderr(), "scrubgate: %d secret(s) redacted%s\n", count, as)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&modeName, "mode", "auto", "input format: auto, text, json or jsonl")
	cmd.Flags().StringVar(&tenant, "tenant", "", "tenant the handles are minted for")
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "do not print the redaction count on stderr")
	cmd.Flags().BoolVar(&learn, "learn", true, "for a FILE, first collect every secret found in context and redact its bare reappearances too")
	return cmd
}

// learnSecrets scans r and returns a clone of s that also knows every secret found
// (at least scanner.MinKnownValueLen bytes) as a literal value.
func learnSecrets(s *scanner.Scanner, r io.Reader, mode scanner.Mode) (*scanner.Scanner, error) {
	lay, err := ciscan.Decode(r, 0)
	if err != nil {
		return s, err
	}
	defer lay.Close()
	br, mode := sniff(lay.Text(), mode)
	var vals []scanner.KnownValue
	seen := map[string]bool{}
	err = s.ScanReader(br, mode, func(f scanner.Finding) {
		sec := f.Secret()
		if len(sec) >= scanner.MinKnownValueLen && f.Encoding == "" && !seen[string(sec)] {
			seen[string(sec)] = true
			vals = append(vals, scanner.KnownValue{Value: append([]byte(nil), sec...), Kind: f.Kind, Label: "learned-" + f.Kind})
		}
	})
	if err != nil || len(vals) == 0 {
		return s, err
	}
	t := s.Clone()
	return t, t.AddKnownValues(vals...)
}
