package robokassa

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/hex"
	"hash"

	//lint:ignore SA1019 Robokassa offers RIPEMD160 (spec §2); shops that chose it need it.
	"golang.org/x/crypto/ripemd160"
)

// HashAlgorithm is the hash a shop chose in its technical settings
// (spec §2). The zero value means MD5; an unknown name makes [NewClient]
// fail rather than fall back silently.
type HashAlgorithm string

// The hash algorithms Robokassa offers.
const (
	MD5       HashAlgorithm = "MD5"
	RIPEMD160 HashAlgorithm = "RIPEMD160"
	SHA1      HashAlgorithm = "SHA1"
	SHA256    HashAlgorithm = "SHA256"
	SHA384    HashAlgorithm = "SHA384"
	SHA512    HashAlgorithm = "SHA512"
)

// hashes is the one table from a HashAlgorithm to its hash (spec §2):
// what [NewClient] accepts, what the Invoice API's JWT is keyed with, and
// what every ':'-joined signature is computed with.
var hashes = map[HashAlgorithm]func() hash.Hash{
	MD5:       md5.New,
	RIPEMD160: ripemd160.New,
	SHA1:      sha1.New,
	SHA256:    sha256.New,
	SHA384:    sha512.New384,
	SHA512:    sha512.New,
}

func (a HashAlgorithm) valid() bool { return hashes[a] != nil }

// newHash returns the constructor of a's hash (for HMAC, spec §9.1).
func (a HashAlgorithm) newHash() func() hash.Hash { return hashes[a] }

// maxDigest is the largest digest size (SHA-512).
const maxDigest = sha512.Size

// digest hashes data with a into dst and returns the digest bytes. It is
// the hot path of every signature, so each hash is called directly: a
// call through the table (or any interface call the compiler cannot see
// through) would move the caller's stack buffers to the heap. A test
// checks that every entry of the table agrees with this function.
func (a HashAlgorithm) digest(dst *[maxDigest]byte, data []byte) []byte {
	switch a {
	case SHA1:
		s := sha1.Sum(data)
		return dst[:copy(dst[:], s[:])]
	case SHA256:
		s := sha256.Sum256(data)
		return dst[:copy(dst[:], s[:])]
	case SHA384:
		s := sha512.Sum384(data)
		return dst[:copy(dst[:], s[:])]
	case SHA512:
		s := sha512.Sum512(data)
		return dst[:copy(dst[:], s[:])]
	case RIPEMD160:
		h := ripemd160.New()
		h.Write(data)
		return h.Sum(dst[:0])
	default: // MD5; NewClient admits no other name
		s := md5.Sum(data)
		return dst[:copy(dst[:], s[:])]
	}
}

// appendHex appends the lowercase hex digest of data to dst.
func (a HashAlgorithm) appendHex(dst, data []byte) []byte {
	var buf [maxDigest]byte
	return hex.AppendEncode(dst, a.digest(&buf, data))
}

// matches reports, in constant time, whether the hex string got (either
// case) is the digest of data.
func (a HashAlgorithm) matches(got string, data []byte) bool {
	var want, raw [maxDigest]byte
	w := a.digest(&want, data)
	if len(got) != 2*len(w) {
		return false
	}
	bad := byte(0)
	for i := range w {
		hi, lo := hexValue[got[2*i]], hexValue[got[2*i+1]]
		bad |= (hi | lo) & 0x10
		raw[i] = hi<<4 | lo&0x0f
	}
	return bad == 0 && subtle.ConstantTimeCompare(w, raw[:len(w)]) == 1
}

// hexValue maps a hex digit (either case) to its value and every other
// byte to 0x10, so decoding needs no branch.
var hexValue = func() (t [256]byte) {
	for c := range t {
		switch {
		case '0' <= c && c <= '9':
			t[c] = byte(c - '0')
		case 'a' <= c && c <= 'f':
			t[c] = byte(c - 'a' + 10)
		case 'A' <= c && c <= 'F':
			t[c] = byte(c - 'A' + 10)
		default:
			t[c] = 0x10
		}
	}
	return t
}()
