package detectors

import "bytes"

// GenericValue rejects values that generic assignment rules (password = …, token: …)
// see all the time but that are not credentials: numbers, paths, identifiers and
// references to other variables (my_secret_name, process.env.TOKEN,
// projects/app/secrets/db-password, cl100k_base), and URLs without userinfo.
func GenericValue(v []byte) Verdict {
	if len(v) == 0 {
		return Rejected
	}
	switch {
	case v[0] == '/' || bytes.HasPrefix(v, []byte("./")) || bytes.HasPrefix(v, []byte("../")) || bytes.HasPrefix(v, []byte("~/")):
		return Rejected // a file path
	case bytes.Contains(v, []byte("://")):
		return Rejected // a URL; credentials inside URLs have their own rule
	}
	digitsOnly, identLike, hasSep := true, true, false
	upper, lower := 0, 0
	for _, c := range v {
		switch {
		case c >= '0' && c <= '9':
		case c == '.' || c == ',' || c == '_' || c == '-' || c == '/' || c == ':':
			hasSep = true
			if c != '.' && c != ',' {
				digitsOnly = false
			}
		case c >= 'a' && c <= 'z':
			lower++
			digitsOnly = false
		case c >= 'A' && c <= 'Z':
			upper++
			digitsOnly = false
		default:
			digitsOnly, identLike = false, false
		}
	}
	if digitsOnly {
		return Rejected // 123456, 3.14, 1,000
	}
	if n := len(v); n >= 2 && v[n-1] == '*' && bytes.IndexByte([]byte("/-_.:"), v[n-2]) >= 0 {
		return Rejected // a glob (arn:…:secret:app-*, path/*), not a value
	}
	if bytes.Count(v, []byte(":")) >= 2 {
		return Rejected // arn:aws:secretsmanager:…, urn:…, IAM actions and other qualified names
	}
	if len(v) < 20 && isHex(v) {
		return Rejected // short hex: digests, ids, hashes in data files; real hex keys are longer
	}
	if identLike && !hasDigit(v) {
		return Rejected // a word or a name: required, tokenArrayValue, _TokenNames, my-secret-name
	}
	if identLike && upper == 0 && hasSep {
		return Rejected // snake_case / kebab-case / dotted identifiers and paths
	}
	if identLike && lower == 0 && upper > 0 && hasSep && !hasDigit(v) {
		return Rejected // SCREAMING_CASE names of other variables
	}
	if identLike && isDottedIdent(v) {
		return Rejected // settings.api_key, process.env.TOKEN
	}
	return Confirmed
}

func isHex(v []byte) bool {
	for _, c := range v {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

func hasDigit(v []byte) bool {
	for _, c := range v {
		if c >= '0' && c <= '9' {
			return true
		}
	}
	return false
}

// isDottedIdent reports a.b.c chains of identifiers starting with a letter, as in
// code that reads a secret from somewhere else (settings.api_key, process.env.TOKEN).
// A part that looks random (20+ bytes with 3+ digits, as in ya29.a0AfB…) makes it a
// token, not a name (x25519.X25519PrivateKey stays a name).
func isDottedIdent(v []byte) bool {
	parts := bytes.Split(v, []byte("."))
	if len(parts) < 2 {
		return false
	}
	for _, p := range parts {
		if len(p) == 0 || len(p) > 40 || !(p[0] >= 'a' && p[0] <= 'z' || p[0] >= 'A' && p[0] <= 'Z' || p[0] == '_') {
			return false
		}
		digits := 0
		for _, c := range p {
			if c >= '0' && c <= '9' {
				digits++
			}
		}
		if len(p) >= 20 && digits >= 3 {
			return false // a random-looking part: a token, not a name
		}
	}
	return true
}
