package robokassa

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/binary"
	"encoding/hex"
	"slices"
	"strings"
	"unsafe"

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

func (a HashAlgorithm) valid() bool {
	switch a {
	case MD5, RIPEMD160, SHA1, SHA256, SHA384, SHA512:
		return true
	}
	return false
}

// maxDigest is the largest digest size (SHA-512).
const maxDigest = sha512.Size

// digest hashes data with a into dst and returns the digest bytes. It does
// not allocate for the standard-library algorithms.
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
	default:
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

// modifier is an optional field of a payment signature (spec §3.1). The
// constants are declared in the order the fields are signed, so a
// signature emits them in that order whatever order they were set in.
type modifier int

const (
	modOutSumCurrency modifier = iota
	modUserIP
	modReceipt
	modStepByStep
	modResultURL2
	modSuccessURL2
	modSuccessURL2Method
	modFailURL2
	modFailURL2Method
	modToken
	modCount
)

// shpPair is one Shp_ parameter as signed: prefix is "Shp_" in any letter
// case it arrived in, name what follows it ("order"), value the value
// exactly as it is hashed. Keeping the prefix apart saves building the
// full name on the hot path.
type shpPair struct{ prefix, name, value string }

// compareShp orders pairs by full parameter name in byte order (spec
// §3.3). Prefixes have the same length, so comparing prefix then name is
// the same as comparing prefix+name.
func compareShp(p, q shpPair) int {
	if c := strings.Compare(p.prefix, q.prefix); c != 0 {
		return c
	}
	return strings.Compare(p.name, q.name)
}

// signature is the one builder behind every ':'-joined Robokassa signature
// (spec §3.1, §4, §5, §6, §8): a fixed head (login, OutSum, InvId or
// whatever the request's leading slots are, empty slots kept), then the
// modifiers present in documented order, then the password, then the Shp_
// pairs in the order given (callers sort them by name).
type signature struct {
	head     [3]string
	nhead    int
	mods     [modCount]string
	password string
	shp      []shpPair
}

// newSignature starts a signature with the given leading slots.
func newSignature(head ...string) signature {
	var s signature
	//lint:ignore S1001 copy() would make the compiler move the caller's strings to the heap.
	for i, h := range head {
		s.head[i] = h
	}
	s.nhead = len(head)
	return s
}

// set adds a modifier; an empty value means absent.
func (s *signature) set(m modifier, value string) { s.mods[m] = value }

// appendBase appends the base string to dst. With maskPassword the
// password is replaced by a placeholder (for debugging output).
func (s *signature) appendBase(dst []byte, maskPassword bool) []byte {
	for i := 0; i < s.nhead; i++ {
		if i > 0 {
			dst = append(dst, ':')
		}
		dst = append(dst, s.head[i]...)
	}
	for _, v := range s.mods {
		if v != "" {
			dst = append(dst, ':')
			dst = append(dst, v...)
		}
	}
	dst = append(dst, ':')
	if maskPassword {
		dst = append(dst, "[password]"...)
	} else {
		dst = append(dst, s.password...)
	}
	for _, p := range s.shp {
		dst = append(dst, ':')
		dst = append(dst, p.prefix...)
		dst = append(dst, p.name...)
		dst = append(dst, '=')
		dst = append(dst, p.value...)
	}
	return dst
}

// sign returns the lowercase hex signature computed with alg.
func (s *signature) sign(alg HashAlgorithm) string {
	var buf [2 * maxDigest]byte
	return string(s.appendSign(buf[:0], alg))
}

// appendSign appends the lowercase hex signature computed with alg. The
// base string is built in dst's spare capacity and then overwritten by the
// signature: no second buffer (a payment's base can be a kilobyte).
func (s *signature) appendSign(dst []byte, alg HashAlgorithm) []byte {
	base := s.appendBase(dst[len(dst):], false)
	var sum [maxDigest]byte
	d := alg.digest(&sum, base)
	clear(base) // the password does not outlive the call in scratch space
	return hex.AppendEncode(dst, d)
}

// verify reports in constant time whether got (hex, either case) is the
// signature computed with alg.
func (s *signature) verify(alg HashAlgorithm, got string) bool {
	var buf [256]byte // a longer base moves to the heap
	return alg.matches(got, s.appendBase(buf[:0], false))
}

// masked returns the base string with the password masked.
func (s *signature) masked() string { return string(s.appendBase(nil, true)) }

// sortShp sorts Shp pairs by full parameter name in byte order (spec
// §3.3): O(n log n) and without allocating.
func sortShp(p []shpPair) { slices.SortFunc(p, compareShp) }

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
