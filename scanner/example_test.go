package scanner_test

import (
	"fmt"
	"os"
	"strings"

	"github.com/scrubgate/scrubgate/scanner"
	"github.com/scrubgate/scrubgate/vault"
)

// A made-up bearer token and Stripe key for the examples.
const transcript = `{"role":"tool","content":"curl -H 'Authorization: Bearer q8Zr2LmX9vTn4KpW7sYd3GhJ' api/v1\nSTRIPE_KEY=sk_live_4eC39HqLyjWDarjtT1zdp7dcTq8Lm2Wz9Rt4Xn7K"}`

func ExampleScanner_Scan() {
	s, err := scanner.Default(scanner.WithFingerprintKey([]byte("example-key")))
	if err != nil {
		panic(err)
	}
	for _, f := range s.Scan([]byte(transcript)) {
		fmt.Println(f.RuleID, f.Start.Line, f.Start.Column, f.Confidence, f.Preview, f.JSONPath)
	}
	// Output:
	// authorization-header 1 58 high …(24) $.content
	// stripe-secret-key 1 103 high sk_live_…(48) $.content
}

func ExampleScanner_Redact() {
	s, err := scanner.Default()
	if err != nil {
		panic(err)
	}
	keys, _ := vault.DeriveKeys([]byte("a long example master key"))
	out := s.Redact([]byte(transcript), func(f scanner.Finding) []byte {
		return []byte(keys.Mint("tenant-a", f.Kind, f.Secret()).String())
	})
	fmt.Println(string(out))
	// Output:
	// {"role":"tool","content":"curl -H 'Authorization: Bearer [[scrub:auth-header:562TTQXS27]]' api/v1\nSTRIPE_KEY=[[scrub:stripe-key:HF009BW9RX]]"}
}

func ExampleScanner_RedactString() {
	s, err := scanner.Default()
	if err != nil {
		panic(err)
	}
	fmt.Println(s.RedactString("export DB_PASSWORD=hunter2x9", func(f scanner.Finding) string {
		return "<" + f.Kind + ">"
	}))
	// Output:
	// export DB_PASSWORD=<password>
}

func ExampleScanner_NewWriter() {
	s, err := scanner.Default()
	if err != nil {
		panic(err)
	}
	w := s.NewWriter(os.Stdout, scanner.ModeText, scanner.Mask, nil)
	// The token arrives split across writes, as streamed model output does.
	for _, chunk := range []string{"use Authorization: Bearer q8Zr2Lm", "X9vTn4KpW7sYd3GhJ", " for the call\n"} {
		w.Write([]byte(chunk))
	}
	w.Close()
	// Output:
	// use Authorization: Bearer [REDACTED:authorization-header] for the call
}

func ExampleWithKnownValues() {
	s, err := scanner.Default(scanner.WithKnownValues(scanner.KnownValue{
		Value: []byte("canary-4f7k2q9x"), Label: "deploy-canary", Canary: true,
	}))
	if err != nil {
		panic(err)
	}
	for _, f := range s.Scan([]byte("the model said: canary-4f7k2q9x")) {
		fmt.Println(f.RuleID, f.Canary, f.Start.Column)
	}
	// Output:
	// known:deploy-canary true 17
}

func ExampleScanner_ScanReader() {
	s, err := scanner.Default()
	if err != nil {
		panic(err)
	}
	r := strings.NewReader("line one\nGITHUB_TOKEN=ghp_Zq8Lm2Wz9Rt4Xn7Kp3Yb6Gh1Jd5Fs0Tq8Ce2\n")
	_ = s.ScanReader(r, scanner.ModeText, func(f scanner.Finding) {
		fmt.Println(f.RuleID, f.Start.Line, f.Preview)
	})
	// Output:
	// github-pat 2 ghp_…(40)
}
