// Package sniff recognises input formats from their first bytes, for every part of
// scrubgate that must decide how to read a body, a file or an archive member: the
// gateway (uploads, base64 documents, archive members) and the CI scan (files on
// disk, tar members). One rule per format, so the gateway and the CI scan never
// disagree on what a tar archive is.
package sniff
