package lifepay

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"slices"
	"strings"
)

// param is one wire parameter: its name and its value before encoding.
type param struct{ name, value string }

// excludedFromSignature reports the parameters §2 leaves out of the
// canonical query.
func excludedFromSignature(name string) bool {
	return name == "check" || name == "mac" || name == "check_gate_internal"
}

// unreserved reports whether RFC 3986 leaves b unencoded (§2).
func unreserved(b byte) bool {
	return 'A' <= b && b <= 'Z' || 'a' <= b && b <= 'z' || '0' <= b && b <= '9' ||
		b == '-' || b == '_' || b == '.' || b == '~'
}

const upperHex = "0123456789ABCDEF"

// escapedLen returns the length of s after [appendEscape].
func escapedLen(s string) int {
	n := len(s)
	for i := 0; i < len(s); i++ {
		if !unreserved(s[i]) {
			n += 2
		}
	}
	return n
}

// appendEscape appends s percent-encoded as §2 says: unreserved bytes kept,
// every other byte as %XY with upper-case hex (a space is %20).
func appendEscape(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		b := s[i]
		if unreserved(b) {
			dst = append(dst, b)
		} else {
			dst = append(dst, '%', upperHex[b>>4], upperHex[b&15])
		}
	}
	return dst
}

// sortParams sorts p by name in byte order (§2), in place.
func sortParams(p []param) {
	slices.SortFunc(p, func(a, b param) int { return strings.Compare(a.name, b.name) })
}

// canonicalLen returns the length of the canonical query of p.
func canonicalLen(p []param) int {
	n := 0
	for _, kv := range p {
		if !excludedFromSignature(kv.name) {
			n += len(kv.name) + 2 + escapedLen(kv.value) // '=' and '&'
		}
	}
	return n // one '&' too many: room to spare
}

// appendCanonical appends the canonical query of §2: the parameters of p
// not excluded from the signature, which the caller has sorted by name,
// as name=escaped-value joined by '&'. Names are written as they are; the
// callers only pass names made of unreserved bytes, so the query reads one
// way only.
func appendCanonical(dst []byte, p []param) []byte {
	first := true
	for _, kv := range p {
		if excludedFromSignature(kv.name) {
			continue
		}
		if !first {
			dst = append(dst, '&')
		}
		first = false
		dst = append(dst, kv.name...)
		dst = append(dst, '=')
		dst = appendEscape(dst, kv.value)
	}
	return dst
}

// stringToSign returns the text §2 signs: METHOD, host and path, each
// followed by '\n', then the canonical query of p (sorted by the caller),
// which is the tail of the result from len(method)+len(host)+len(path)+3
// on.
func stringToSign(method, host, path string, p []param) []byte {
	b := make([]byte, 0, len(method)+len(host)+len(path)+3+canonicalLen(p))
	b = append(b, method...)
	b = append(b, '\n')
	b = append(b, host...)
	b = append(b, '\n')
	b = append(b, path...)
	b = append(b, '\n')
	return appendCanonical(b, p)
}

// hmacSHA256 returns the raw API 2.0 MAC of msg under key (§2).
func hmacSHA256(key Secret, msg []byte) []byte {
	m := hmac.New(sha256.New, []byte(key))
	m.Write(msg)
	return m.Sum(nil)
}

// signV2 returns the API 2.0 check of a [stringToSign] result: standard
// base64 with padding of its HMAC-SHA256 (§2).
func signV2(key Secret, sts []byte) string {
	return base64.StdEncoding.EncodeToString(hmacSHA256(key, sts))
}

// verifyV2 reports whether got is the API 2.0 check of p (sorted by the
// caller). The comparison is on the decoded MAC and takes constant time.
func verifyV2(key Secret, method, host, path string, p []param, got string) bool {
	want := hmacSHA256(key, stringToSign(method, host, path, p))
	dec, err := base64.StdEncoding.Strict().DecodeString(got)
	return err == nil && hmac.Equal(dec, want)
}

// md5Concat returns the MD5 of parts concatenated, followed by the secret
// key: the API 1.0 check of §3 and §4, before hex encoding.
func md5Concat(key Secret, parts ...string) [md5.Size]byte {
	h := md5.New()
	for _, s := range parts {
		h.Write([]byte(s))
	}
	h.Write([]byte(key))
	var sum [md5.Size]byte
	h.Sum(sum[:0])
	return sum
}

// signV1 returns the API 1.0 check: lower-case hex MD5 of parts and the
// secret key concatenated (§3).
func signV1(key Secret, parts ...string) string {
	sum := md5Concat(key, parts...)
	return hex.EncodeToString(sum[:])
}

// verifyV1 reports whether got is the API 1.0 check of parts, in either hex
// case. The comparison is on the decoded digest and takes constant time.
func verifyV1(key Secret, got string, parts ...string) bool {
	want := md5Concat(key, parts...)
	var dec [md5.Size]byte
	if len(got) != hex.EncodedLen(md5.Size) {
		return false
	}
	if _, err := hex.Decode(dec[:], []byte(got)); err != nil {
		return false
	}
	return subtle.ConstantTimeCompare(dec[:], want[:]) == 1
}
