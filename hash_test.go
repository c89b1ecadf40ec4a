package robokassa

import (
	"crypto/hmac"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDigestAgreesWithTable: digest's direct calls are only a fast path of
// the one table; every algorithm the table holds must hash the same way
// through both, so the two cannot drift.
func TestDigestAgreesWithTable(t *testing.T) {
	require.Len(t, hashes, 6)
	for _, data := range []string{"", "demo:990.00:12:password_1", string(make([]byte, 300))} {
		for alg, newHash := range hashes {
			h := newHash()
			h.Write([]byte(data))
			var buf [maxDigest]byte
			assert.Equal(t, h.Sum(nil), alg.digest(&buf, []byte(data)), "%s", alg)
			assert.True(t, alg.valid())
			assert.NotNil(t, hmac.New(alg.newHash(), []byte("k")))
		}
	}
	assert.False(t, HashAlgorithm("md5").valid(), "names are case-sensitive")
	assert.False(t, HashAlgorithm("SHA3").valid())
}
