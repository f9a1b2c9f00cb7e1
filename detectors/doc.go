// Package detectors holds the Go validators that rules name by id: token checksums
// (GitHub and npm CRC32), JWT structure, PEM private-key blocks, Basic-auth decoding,
// plus the checks every rule gets for free: Shannon entropy and the placeholder filter
// that keeps documented example keys and template variables from ever being findings.
//
// Validators look at the secret bytes only; they never log or return them.
package detectors
