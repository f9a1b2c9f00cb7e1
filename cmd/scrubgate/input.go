package main

import (
	"bufio"
	"io"

	"github.com/scrubgate/scrubgate/scanner"
)

// sniffSize is how much of an input is looked at to choose its mode.
const sniffSize = 64 << 10

// sniff wraps r in a buffered reader and, for ModeAuto, picks the mode from the
// input's first bytes (JSONL, JSON or text) without consuming them.
func sniff(r io.Reader, mode scanner.Mode) (*bufio.Reader, scanner.Mode) {
	br := bufio.NewReaderSize(r, sniffSize)
	if mode == scanner.ModeAuto {
		head, _ := br.Peek(sniffSize)
		mode = scanner.DetectMode(head)
	}
	return br, mode
}
