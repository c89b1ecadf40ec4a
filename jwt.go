package robokassa

import (
	"bytes"
	"context"
	"crypto/hmac"
	"encoding/base64"
	"encoding/json"
	"hash"
	"net/http"
)

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

// postJWT posts a JWT as a JSON string literal, as the Invoice and Refund
// APIs take it (spec §9.1, §9.2). The token never appears in an error.
func (c *Client) postJWT(ctx context.Context, op, url, token string, idempotent bool) (*reply, error) {
	// A JWT is base64url and dots: it needs no escaping inside quotes.
	body := make([]byte, 0, len(token)+2)
	body = append(append(append(body, '"'), token...), '"')
	rp, err := c.send(ctx, call{
		op:          op,
		method:      http.MethodPost,
		url:         url,
		body:        body,
		contentType: "application/json",
		idempotent:  idempotent,
		sent:        []string{token},
	})
	return rp, err
}

// jsonMessage returns the "message" (or "errorMessage") of a JSON error
// body, or "". Names match in any letter case.
func jsonMessage(body []byte) string {
	var e struct {
		Message      jsonText `json:"message"`
		ErrorMessage jsonText `json:"errorMessage"`
	}
	if json.Unmarshal(body, &e) != nil {
		return ""
	}
	if e.Message.s != "" {
		return e.Message.s
	}
	return e.ErrorMessage.s
}
