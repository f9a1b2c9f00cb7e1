package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/scrubgate/scrubgate/rules"
	"github.com/scrubgate/scrubgate/scanner"
)

func newRulesCmd(ef *engineFlags) *cobra.Command {
	cmd := &cobra.Command{Use: "rules", Short: "Inspect the rule pack and run its examples"}
	var format string
	list := &cobra.Command{
		Use:   "list",
		Short: "List the rules in use",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			pack, err := ef.pack(c)
			if err != nil {
				return err
			}
			switch format {
			case "json":
				type row struct {
					ID          string           `json:"id"`
					Description string           `json:"description"`
					Kind        string           `json:"kind"`
					Confidence  rules.Confidence `json:"confidence"`
					Keywords    []string         `json:"keywords"`
					Validators  []string         `json:"validators,omitempty"`
					References  []string         `json:"references,omitempty"`
					Source      string           `json:"source"`
				}
				rows := make([]row, len(pack.Rules))
				for i, r := range pack.Rules {
					rows[i] = row{r.ID, r.Description, r.Kind, r.Confidence, r.Keywords, r.Validators, r.References, r.Source}
				}
				enc := json.NewEncoder(c.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(map[string]any{"version": pack.Version, "rules": rows})
			case "text":
				tw := tabwriter.NewWriter(c.OutOrStdout(), 2, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tKIND\tCONFIDENCE\tDESCRIPTION")
				for _, r := range pack.Rules {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.ID, r.Kind, r.Confidence, r.Description)
				}
				fmt.Fprintf(tw, "\n%d rules, pack %s\n", len(pack.Rules), pack.Version)
				return tw.Flush()
			}
			return fmt.Errorf("unknown --format %q (want text or json)", format)
		},
	}
	list.Flags().StringVarP(&format, "format", "f", "text", "text or json")
	test := &cobra.Command{
		Use:   "test [FILE]",
		Short: "Run every rule's examples and negatives (of the pack in use, plus FILE)",
		Long: "test compiles the rule pack (the default pack, --rules files, and FILE if given) and runs every\n" +
			"rule's examples and negatives through the full engine. Exit status: 0 all pass, 1 failures, 2 error.",
		Args: cobra.MaximumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			if len(args) == 1 {
				ef.ruleFiles = append(ef.ruleFiles, args[0])
			}
			pack, err := ef.pack(c)
			if err != nil {
				return err
			}
			s, err := scanner.New(pack)
			if ps, ok := err.(rules.Problems); ok {
				fmt.Fprintln(c.OutOrStdout(), strings.TrimSpace(ps.Error()))
				return exitStatus{exitFindings}
			}
			if err != nil {
				return err
			}
			if ps := s.CheckExamples(); len(ps) > 0 {
				fmt.Fprintln(c.OutOrStdout(), strings.TrimSpace(ps.Error()))
				return exitStatus{exitFindings}
			}
			examples, negatives := 0, 0
			for _, r := range pack.Rules {
				examples += len(r.Examples)
				negatives += len(r.Negatives)
			}
			fmt.Fprintf(c.OutOrStdout(), "ok: %d rules, %d examples and %d negatives pass (pack %s)\n", len(pack.Rules), examples, negatives, pack.Version)
			return nil
		},
	}
	cmd.AddCommand(list, test)
	return cmd
}
