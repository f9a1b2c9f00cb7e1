// Package vault owns capability handles: the one place that formats and parses them
// and mints their ids. A handle such as [[scrub:github-token:7QK2M4XH9P]] stands in for
// a secret that was removed from LLM traffic. Its id is a keyed HMAC over (tenant,
// secret) alone, so the same secret gets the same handle across turns and rules, and
// nothing about the secret can be guessed or recovered from it.
//
// The vault knows nothing of scanning; scanners call a replacement function that
// mints handles here.
package vault
