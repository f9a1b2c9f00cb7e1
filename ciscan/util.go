package ciscan

import (
	"fmt"
	"io"
)

// readAtMost reads r to its end, failing if it holds more than limit bytes.
func readAtMost(r io.Reader, limit int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("larger than %s", humanSize(limit))
	}
	return data, nil
}
