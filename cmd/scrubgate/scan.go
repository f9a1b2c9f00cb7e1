package main

import (
	"bufio"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/scrubgate/scrubgate/report"
	"github.com/scrubgate/scrubgate/scanner"
)

func newScanCmd(ef *engineFlags) *cobra.Command {
	var format, modeName string
	cmd := &cobra.Command{
		Use:   "scan PATH... | -",
		Short: "Report secrets in files, directories or standard input",
		Long: "scan reads files (directories recursively, - for standard input) and reports every secret with\n" +
			"file:line:column, rule, confidence and a preview that shows at most a public prefix and the length.\n" +
			"Exit status: 0 clean, 1 findings reported, 2 error.",
		Args: cobra.MinimumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			if !contains(report.Formats, format) {
				return fmt.Errorf("unknown --format %q (want %s)", format, strings.Join(report.Formats, ", "))
			}
			mode, _, s, err := ef.setup(c, modeName)
			if err != nil {
				return err
			}
			res := &report.Result{RulePack: s.Version()}
			for _, arg := range args {
				if arg == "-" {
					if err := scanStream(s, "-", c.InOrStdin(), mode, res); err != nil {
						return fmt.Errorf("standard input: %w", err)
					}
					continue
				}
				err := filepath.WalkDir(arg, func(path string, d fs.DirEntry, err error) error {
					if err != nil {
						return err
					}
					if d.IsDir() {
						if path != arg && (d.Name() == ".git" || d.Name() == "node_modules") {
							return filepath.SkipDir
						}
						return nil
					}
					if !d.Type().IsRegular() {
						return nil
					}
					f, err := os.Open(path)
					if err != nil {
						return err
					}
					defer f.Close()
					if err := scanStream(s, path, f, mode, res); err != nil {
						return fmt.Errorf("%s: %w", path, err)
					}
					return nil
				})
				if err != nil {
					return err
				}
			}
			res.Sort()
			out := bufio.NewWriter(c.OutOrStdout())
			if err := report.Write(out, format, res); err != nil {
				return err
			}
			if err := out.Flush(); err != nil {
				return err
			}
			if res.Summary.Findings > 0 {
				return exitStatus{exitFindings}
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&format, "format", "f", "text", "output format: "+strings.Join(report.Formats, ", "))
	cmd.Flags().StringVar(&modeName, "mode", "auto", "input format: auto (per file), text, json or jsonl")
	return cmd
}

// scanStream scans one input as a stream, choosing its mode from its first bytes.
func scanStream(s *scanner.Scanner, name string, r io.Reader, mode scanner.Mode, res *report.Result) error {
	br, mode := sniff(r, mode)
	res.Summary.Files++
	return s.ScanReader(br, mode, func(f scanner.Finding) {
		res.Items = append(res.Items, report.Item{File: name, Finding: f})
		res.Summary.Findings++
	})
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
