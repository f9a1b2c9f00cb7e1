package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"
)

// Exit codes, documented in README: 0 clean (or redact succeeded), 1 findings (scan)
// or failing rule examples (rules test), 2 usage or runtime error.
const (
	exitOK       = 0
	exitFindings = 1
	exitError    = 2
)

// exitError carries a non-error exit status (findings found) through cobra.
type exitStatus struct{ code int }

func (e exitStatus) Error() string { return fmt.Sprintf("exit status %d", e.code) }

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run executes the command line and returns the process exit code.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	root := newRootCmd(stdin, stdout, stderr)
	root.SetArgs(args)
	err := root.Execute()
	var st exitStatus
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &st):
		return st.code
	default:
		fmt.Fprintln(stderr, "scrubgate:", err)
		return exitError
	}
}

func newRootCmd(stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	var ef engineFlags
	root := &cobra.Command{
		Use:           "scrubgate",
		Short:         "Keep credentials out of AI agents' LLM traffic",
		Long:          "scrubgate finds API keys, tokens, private keys and passwords in prompts, tool outputs,\ncompletions and saved transcripts, and replaces them with opaque capability handles.",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	ef.register(root)
	root.AddCommand(newRedactCmd(&ef), newScanCmd(&ef), newRulesCmd(&ef), newServeCmd(&ef), newDemoCmd(&ef), newKeysCmd())
	return root
}
