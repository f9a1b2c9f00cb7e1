//go:build race

package ciscan

// raceEnabled: the race detector is on, so large tests use smaller inputs.
const raceEnabled = true
