package robokassatest_test

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"hash"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	//lint:ignore SA1019 Robokassa offers RIPEMD160.
	"golang.org/x/crypto/ripemd160"

	"github.com/robokassa-go/robokassa"
)

// The tests sign what they send with the standard library, from the
// documented formulas, never with the code under test.

var testHashes = map[robokassa.HashAlgorithm]func() hash.Hash{
	"": md5.New, robokassa.MD5: md5.New, robokassa.RIPEMD160: ripemd160.New, robokassa.SHA1: sha1.New,
	robokassa.SHA256: sha256.New, robokassa.SHA384: sha512.New384, robokassa.SHA512: sha512.New,
}

// hexOf is the lower-case hex hash of s.
func hexOf(alg robokassa.HashAlgorithm, s string) string {
	h := testHashes[alg]()
	h.Write([]byte(s))
	return hex.EncodeToString(h.Sum(nil))
}

// phpEncode is PHP's urlencode: url.QueryEscape plus '~' as %7E (spec §3.2).
func phpEncode(s string) string { return strings.ReplaceAll(url.QueryEscape(s), "~", "%7E") }

// signed returns form with SignatureValue = hash(base).
func signed(alg robokassa.HashAlgorithm, form url.Values, base string) url.Values {
	form.Set("SignatureValue", hexOf(alg, base))
	return form
}

// post sends a form to the server and returns the status and body.
func post(t testing.TB, target string, form url.Values) (int, string) {
	t.Helper()
	resp, err := http.PostForm(target, form)
	require.NoError(t, err)
	return resp.StatusCode, readAll(t, resp)
}

// get sends a query to the server.
func get(t testing.TB, target string, q url.Values) (int, string) {
	t.Helper()
	resp, err := http.Get(target + "?" + q.Encode())
	require.NoError(t, err)
	return resp.StatusCode, readAll(t, resp)
}

var errorCodeRE = regexp.MustCompile(`id="error">error (\d+)<`)

// pageCode returns the error code of an error page, 0 for a payment page
// and -1 for anything else.
func pageCode(body string) int {
	if m := errorCodeRE.FindStringSubmatch(body); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n
	}
	if strings.Contains(body, `id="pay"`) {
		return 0
	}
	return -1
}

var invIDRE = regexp.MustCompile(`<span id="invid">(\d+)</span>`)

// invIDOf reads the InvId a payment page shows.
func invIDOf(t testing.TB, page string) int64 {
	m := invIDRE.FindStringSubmatch(page)
	require.NotNil(t, m, "no InvId on the page")
	id, err := strconv.ParseInt(m[1], 10, 64)
	require.NoError(t, err)
	return id
}
