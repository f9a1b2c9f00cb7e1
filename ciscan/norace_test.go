//go:build !race

package ciscan

const raceEnabled = false
