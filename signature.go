package robokassa

import (
	"encoding/hex"
	"slices"
	"strings"
)

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
// §3.3), without allocating: a few pairs (the usual case, on every link
// and notification) by insertion with the comparison inlined, more in
// O(n log n).
func sortShp(p []shpPair) {
	if len(p) > maxShpStack {
		slices.SortFunc(p, compareShp)
		return
	}
	for i := 1; i < len(p); i++ {
		for j := i; j > 0 && compareShp(p[j], p[j-1]) < 0; j-- {
			p[j], p[j-1] = p[j-1], p[j]
		}
	}
}
