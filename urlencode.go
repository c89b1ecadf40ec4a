package robokassa

import (
	"encoding/binary"
	"slices"
	"strings"
	"unsafe"
)

// This file is the URL encoding every signed value goes through (spec
// §3.2): PHP's urlencode, as Robokassa's own SDK sends it.

// urlEscape holds, for every byte, its PHP urlencode form packed little
// endian in the low three bytes (the byte itself, '+' for space, or %XX
// with uppercase hex) and its length in the top byte. Table lookups keep
// the encoder free of branches: it runs over every receipt twice.
var urlEscape = func() (t [256]uint32) {
	const hexUpper = "0123456789ABCDEF"
	for c := 0; c < 256; c++ {
		switch {
		case 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.':
			t[c] = 1<<24 | uint32(c)
		case c == ' ':
			t[c] = 1<<24 | '+'
		default:
			t[c] = 3<<24 | uint32(hexUpper[c&15])<<16 | uint32(hexUpper[c>>4])<<8 | '%'
		}
	}
	return t
}()

// urlEscape2 is urlEscape applied twice: the byte itself, "%2B" for
// space, "%25XX" for the rest; length in the top byte. A GET link carries
// the receipt encoded twice, and this makes that one pass over the JSON.
var urlEscape2 = func() (t [256]uint64) {
	for c := 0; c < 256; c++ {
		once := urlEscape[c]
		var twice uint64
		shift, n := 0, 0
		for k := 0; k < int(once>>24); k++ {
			e := urlEscape[byte(once>>(8*k))]
			for m := 0; m < int(e>>24); m++ {
				twice |= uint64(byte(e>>(8*m))) << shift
				shift += 8
				n++
			}
		}
		t[c] = uint64(n)<<56 | twice
	}
	return t
}()

// urlEncodedLen returns the length of s after appendURLEncode.
func urlEncodedLen(s string) int {
	n0, n1, i := 0, 0, 0
	for ; i+1 < len(s); i += 2 { // two independent sums
		n0 += int(urlEscape[s[i]] >> 24)
		n1 += int(urlEscape[s[i+1]] >> 24)
	}
	if i < len(s) {
		n0 += int(urlEscape[s[i]] >> 24)
	}
	return n0 + n1
}

// appendURLEncode appends s encoded as PHP's urlencode does (spec §3.2):
// every byte except A–Z a–z 0–9 - _ . becomes %XX with uppercase hex and
// space becomes '+'. It differs from url.QueryEscape only in encoding '~'.
func appendURLEncode(dst []byte, s string) []byte {
	// Each byte is written as four (its code plus slack), so reserve three
	// bytes past the end; they stay beyond the returned length. When dst
	// has room for the worst case (every byte %XX) counting is skipped.
	if cap(dst)-len(dst) < 3*len(s)+3 {
		dst = slices.Grow(dst, urlEncodedLen(s)+3)
	}
	return appendURLEncodeRoomy(dst, s)
}

// appendURLEncodeRoomy is appendURLEncode when dst already has room for
// the encoded s plus three bytes of slack (a shortfall panics, it never
// corrupts).
func appendURLEncodeRoomy(dst []byte, s string) []byte {
	j := len(dst)
	out := dst[:cap(dst)]
	i := 0
	for ; i+1 < len(s); i += 2 { // two loads in flight
		e0, e1 := urlEscape[s[i]], urlEscape[s[i+1]]
		binary.LittleEndian.PutUint32(out[j:], e0)
		j += int(e0 >> 24)
		binary.LittleEndian.PutUint32(out[j:], e1)
		j += int(e1 >> 24)
	}
	if i < len(s) {
		e := urlEscape[s[i]]
		binary.LittleEndian.PutUint32(out[j:], e)
		j += int(e >> 24)
	}
	return out[:j]
}

// appendURLEncode2Roomy appends s URL-encoded twice (see urlEscape2);
// dst has room for it plus seven bytes of slack.
func appendURLEncode2Roomy(dst []byte, s string) []byte {
	j := len(dst)
	out := dst[:cap(dst)]
	for i := 0; i < len(s); i++ {
		e := urlEscape2[s[i]]
		binary.LittleEndian.PutUint64(out[j:], e)
		j += int(e >> 56)
	}
	return out[:j]
}

// bytesToString returns b as a string without copying. The caller must
// never modify b afterwards (strings.Builder relies on the same rule).
func bytesToString(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// urlEncode returns s encoded as PHP's urlencode does.
func urlEncode(s string) string {
	if urlEncodedLen(s) == len(s) && !strings.Contains(s, " ") {
		return s
	}
	return bytesToString(appendURLEncode(nil, s))
}
