package robokassa

import (
	"bytes"
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"hash"

	//lint:ignore SA1019 Robokassa offers RIPEMD160 (spec §2).
	"golang.org/x/crypto/ripemd160"
)

// newHash returns the constructor of a's hash, for HMAC (spec §9).
func (a HashAlgorithm) newHash() func() hash.Hash {
	switch a {
	case SHA1:
		return sha1.New
	case SHA256:
		return sha256.New
	case SHA384:
		return sha512.New384
	case SHA512:
		return sha512.New
	case RIPEMD160:
		return ripemd160.New
	default:
		return md5.New
	}
}

var b64url = base64.RawURLEncoding

// compactJSON marshals a wire struct as compact JSON without HTML
// escaping, so text ('&' in a URL, '<' in a name) reaches Robokassa as
// written. Used for the JWT payloads of the Invoice and Refund APIs.
func compactJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte{'\n'}), nil
}

// signJWT returns a compact JWS (header.payload.signature, base64url
// without padding) over the given compact JSON payload, HMAC-signed with
// newHash and key. alg is written into the header as is: Robokassa's
// Invoice API takes its own names ("MD5", "SHA256", …), the Refund API the
// JOSE name "HS256" (spec §9.1, §9.2), which is why no JWT library is used.
func signJWT(alg string, newHash func() hash.Hash, key, payload []byte) string {
	header := `{"typ":"JWT","alg":"` + alg + `"}`
	n := b64url.EncodedLen(len(header)) + 1 + b64url.EncodedLen(len(payload))
	buf := make([]byte, 0, n+1+b64url.EncodedLen(newHash().Size()))
	buf = b64url.AppendEncode(buf, []byte(header))
	buf = append(buf, '.')
	buf = b64url.AppendEncode(buf, payload)
	mac := hmac.New(newHash, key)
	mac.Write(buf)
	buf = append(buf, '.')
	buf = b64url.AppendEncode(buf, mac.Sum(nil))
	return string(buf)
}
