package robokassa

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"time"

	"github.com/shopspring/decimal"
)

// NotificationState is the payment state a ResultUrl2 notification
// reports (spec §4.4). It is an open set: a value Robokassa adds later is
// kept as received, so compare against the constants and treat anything
// else as "not paid".
type NotificationState string

// Payment states documented for ResultUrl2 (spec §4.4).
const (
	// NotificationStateOK means the payment succeeded: the money is paid.
	NotificationStateOK NotificationState = "OK"
	// NotificationStateHold means a two-stage (StepByStep) payment was
	// authorised and the money is held, waiting for Confirm or Cancel
	// (spec §6). ResultUrl2 is the only notice of a successful hold.
	NotificationStateHold NotificationState = "HOLD"
)

// PaymentStateNotification is a verified ResultUrl2 notification
// (spec §4.4): the payload of the JWS Robokassa POSTs to the ResultUrl2
// given in the payment request. Only [Client.VerifyResultURL2] and
// [Client.ResultURL2Handler] produce one, after checking the signature and
// the shop.
type PaymentStateNotification struct {
	// Shop is the MerchantLogin the notification is for; it always equals
	// the verifying client's.
	Shop string
	// OpKey identifies the operation; refunds and saved-card payments
	// need it (spec §7, §9.2). Empty if Robokassa did not send one.
	OpKey string
	// InvID is the shop's invoice number.
	InvID int64
	// PaymentMethod is how the buyer paid, e.g. "BankCard".
	PaymentMethod string
	// IncSum is the amount the buyer paid.
	IncSum decimal.Decimal
	// State is the payment state: [NotificationStateOK],
	// [NotificationStateHold] or a value this package does not know.
	State NotificationState
	// Timestamp is when Robokassa issued the notification (whole seconds,
	// UTC); zero if it carried none.
	Timestamp time.Time
	// Type and Version are the payload header's "type" (always
	// "PaymentStateNotification") and "version" (e.g. "1.0.0").
	Type    string
	Version string
}

// Limits on ResultUrl2 input.
const (
	// maxResultURL2Token caps a compact JWS. Robokassa's are under 1 KiB.
	maxResultURL2Token = 16 << 10
	// minResultURL2KeyBits is the smallest RSA key accepted. Robokassa's
	// signatures are 256 bytes: a 2048-bit key.
	minResultURL2KeyBits = 2048
)

const resultURL2Type = "PaymentStateNotification"

// Strict decoders: non-zero trailing bits are an error, so a token has
// exactly one encoding.
var (
	resultURL2B64       = base64.RawURLEncoding.Strict()
	resultURL2StdB64    = base64.StdEncoding.Strict()
	resultURL2RawStdB64 = base64.RawStdEncoding.Strict()
)

// ParseResultURL2Key returns the RSA public key that verifies ResultUrl2
// notifications (spec §4.4), from Robokassa's certificate (jwtsign.cer,
// published at docs.robokassa.ru/media/files/jwtsign.cer) or from a public
// key. It accepts PEM ("CERTIFICATE", "PUBLIC KEY" or "RSA PUBLIC KEY";
// the first such block is used, other blocks are skipped) or DER (an X.509
// certificate or a PKIX public key).
//
// The certificate is only a container for the key: its chain, validity
// dates and usages are not checked, so what the caller supplies is what is
// trusted (the key is pinned). Robokassa can rotate the certificate, which
// is why the package does not embed or download it; load it at start-up
// and pass the key to [Client.VerifyResultURL2] or
// [Client.ResultURL2Handler]. Keys that are not RSA or are shorter than
// 2048 bits are rejected with a [*ValidationError].
func ParseResultURL2Key(pemOrDER []byte) (*rsa.PublicKey, error) {
	const field = "ResultURL2 key"
	var pub any
	var err error
	if bytes.Contains(pemOrDER, []byte("-----BEGIN")) {
		pub, err = parseResultURL2PEM(pemOrDER)
	} else {
		pub, err = parseResultURL2DER(pemOrDER)
	}
	if err != nil {
		return nil, err
	}
	key, ok := pub.(*rsa.PublicKey)
	if !ok {
		return nil, invalid(field, "must be an RSA key")
	}
	if err := checkResultURL2Key(key); err != nil {
		return nil, err
	}
	return key, nil
}

func parseResultURL2PEM(data []byte) (any, error) {
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			return nil, invalid("ResultURL2 key", "has no CERTIFICATE, PUBLIC KEY or RSA PUBLIC KEY PEM block")
		}
		var pub any
		var err error
		switch block.Type {
		case "CERTIFICATE":
			var cert *x509.Certificate
			if cert, err = x509.ParseCertificate(block.Bytes); err == nil {
				pub = cert.PublicKey
			}
		case "PUBLIC KEY":
			pub, err = x509.ParsePKIXPublicKey(block.Bytes)
		case "RSA PUBLIC KEY":
			pub, err = x509.ParsePKCS1PublicKey(block.Bytes)
		default:
			continue
		}
		if err != nil {
			return nil, invalid("ResultURL2 key", "is not a valid "+block.Type)
		}
		return pub, nil
	}
}

func parseResultURL2DER(der []byte) (any, error) {
	if cert, err := x509.ParseCertificate(der); err == nil {
		return cert.PublicKey, nil
	}
	if pub, err := x509.ParsePKIXPublicKey(der); err == nil {
		return pub, nil
	}
	return nil, invalid("ResultURL2 key", "must be a PEM or DER X.509 certificate or public key")
}

// checkResultURL2Key rejects a key that cannot be Robokassa's: nil or
// shorter than 2048 bits.
func checkResultURL2Key(key *rsa.PublicKey) error {
	switch {
	case key == nil || key.N == nil:
		return invalid("ResultURL2 key", "is required")
	case key.N.BitLen() < minResultURL2KeyBits:
		return invalid("ResultURL2 key", "must be an RSA key of at least 2048 bits")
	}
	return nil
}

// VerifyResultURL2 verifies a ResultUrl2 notification (spec §4.4): token is
// the compact JWS Robokassa POSTs, key is Robokassa's public key (see
// [ParseResultURL2Key]). It is pure: no I/O.
//
// The token must be exactly three base64url parts without padding, at
// most 16 KiB, its header's "alg" must be exactly "RS256" and it must
// carry no "crit" header; the signature is checked with RSA PKCS#1 v1.5
// and SHA-256 against key and nothing else (the key is never chosen by the
// token, so "none", "HS256" and every other alg are rejected; other
// header parameters such as "typ", "kid", "jwk" or "x5c" are ignored).
// Any failure there is [ErrBadSignature], which does not say what was
// wrong.
//
// The signed payload's header "type" must be "PaymentStateNotification",
// and "data.shop" must equal the client's MerchantLogin: a genuine
// notification for another shop is rejected with a [*ValidationError]
// for "data.shop" (it matches [ErrInvalidParam]). invId, incSum and
// timestamp are accepted as JSON strings (as documented) or numbers;
// invId, incSum, state and shop are required ([ErrMissingParam]).
// An unknown state is returned as received.
//
// A valid token can be delivered more than once (Robokassa retries up to
// five times until it gets a 2xx), so processing must be idempotent.
// ResultUrl2 is never sent in test mode (spec §13): a token that verifies
// is a production payment whatever the client's Test setting.
func (c *Client) VerifyResultURL2(token []byte, key *rsa.PublicKey) (*PaymentStateNotification, error) {
	if err := checkResultURL2Key(key); err != nil {
		return nil, err
	}
	payload, err := verifyResultURL2JWS(token, key)
	if err != nil {
		return nil, err
	}
	n, err := decodeResultURL2Payload(payload)
	if err != nil {
		return nil, err
	}
	if n.Shop != c.login {
		return nil, invalid("data.shop", "is not the client's MerchantLogin")
	}
	return n, nil
}

// splitResultURL2JWS checks a compact JWS's shape and returns its decoded
// header, payload and signature, and the signing input. Every failure is
// ErrBadSignature.
func splitResultURL2JWS(token []byte) (header, payload, sig, signed []byte, err error) {
	if len(token) == 0 || len(token) > maxResultURL2Token {
		return nil, nil, nil, nil, ErrBadSignature
	}
	// Only the base64url alphabet and two dots: the decoder would
	// otherwise skip CR and LF, and '=' padding or the standard '+' '/'
	// must not pass either.
	dot1, dot2 := -1, -1
	for i, b := range token {
		switch {
		case 'A' <= b && b <= 'Z', 'a' <= b && b <= 'z', '0' <= b && b <= '9', b == '-', b == '_':
		case b == '.' && dot1 < 0:
			dot1 = i
		case b == '.' && dot2 < 0:
			dot2 = i
		default:
			return nil, nil, nil, nil, ErrBadSignature
		}
	}
	if dot2 < 0 {
		return nil, nil, nil, nil, ErrBadSignature
	}
	enc := resultURL2B64
	parts := [3][]byte{token[:dot1], token[dot1+1 : dot2], token[dot2+1:]}
	var out [3][]byte
	for i, p := range parts {
		if len(p) == 0 {
			return nil, nil, nil, nil, ErrBadSignature
		}
		d := make([]byte, enc.DecodedLen(len(p)))
		n, err := enc.Decode(d, p)
		if err != nil {
			return nil, nil, nil, nil, ErrBadSignature
		}
		out[i] = d[:n]
	}
	return out[0], out[1], out[2], token[:dot2], nil
}

// verifyResultURL2JWS checks the token's header and RS256 signature with
// key and returns the signed payload.
func verifyResultURL2JWS(token []byte, key *rsa.PublicKey) ([]byte, error) {
	header, payload, sig, signed, err := splitResultURL2JWS(token)
	if err != nil {
		return nil, err
	}
	var h map[string]json.RawMessage
	if json.Unmarshal(header, &h) != nil || h == nil {
		return nil, ErrBadSignature
	}
	// Names are case-sensitive (RFC 7515 §4): only an exact "alg":"RS256"
	// passes, and a "crit" extension this package cannot honour fails.
	var alg jsonText
	if json.Unmarshal(h["alg"], &alg) != nil || alg.bad || alg.s != "RS256" {
		return nil, ErrBadSignature
	}
	if _, ok := h["crit"]; ok {
		return nil, ErrBadSignature
	}
	digest := sha256.Sum256(signed)
	if rsa.VerifyPKCS1v15(key, crypto.SHA256, digest[:], sig) != nil {
		return nil, ErrBadSignature
	}
	return payload, nil
}

// resultURL2Wire is the payload as sent. Every leaf is kept raw so that a
// number where a string is documented (or the reverse) is accepted.
type resultURL2Wire struct {
	Header struct {
		Type      jsonText `json:"type"`
		Version   jsonText `json:"version"`
		Timestamp jsonText `json:"timestamp"`
	} `json:"header"`
	Data struct {
		Shop          jsonText `json:"shop"`
		OpKey         jsonText `json:"opKey"`
		InvID         jsonText `json:"invId"`
		PaymentMethod jsonText `json:"paymentMethod"`
		IncSum        jsonText `json:"incSum"`
		State         jsonText `json:"state"`
	} `json:"data"`
}

// decodeResultURL2Payload decodes a signed payload into the typed
// notification. It does not check the shop.
func decodeResultURL2Payload(payload []byte) (*PaymentStateNotification, error) {
	var w resultURL2Wire
	if err := json.Unmarshal(payload, &w); err != nil {
		return nil, malformed("JWS payload")
	}
	var n PaymentStateNotification
	var invID, incSum, state, ts string
	for _, f := range [...]struct {
		name string
		raw  jsonText
		dst  *string
	}{
		{"header.type", w.Header.Type, &n.Type},
		{"header.version", w.Header.Version, &n.Version},
		{"header.timestamp", w.Header.Timestamp, &ts},
		{"data.shop", w.Data.Shop, &n.Shop},
		{"data.opKey", w.Data.OpKey, &n.OpKey},
		{"data.invId", w.Data.InvID, &invID},
		{"data.paymentMethod", w.Data.PaymentMethod, &n.PaymentMethod},
		{"data.incSum", w.Data.IncSum, &incSum},
		{"data.state", w.Data.State, &state},
	} {
		if f.raw.bad {
			return nil, malformed(f.name)
		}
		*f.dst = f.raw.s
	}
	switch {
	case n.Type == "":
		return nil, missing("header.type")
	case n.Type != resultURL2Type:
		return nil, invalid("header.type", "must be "+resultURL2Type)
	case n.Shop == "":
		return nil, missing("data.shop")
	case invID == "":
		return nil, missing("data.invId")
	case incSum == "":
		return nil, missing("data.incSum")
	case state == "":
		return nil, missing("data.state")
	}
	n.State = NotificationState(state)
	var ok bool
	if n.InvID, ok = parseDigits(invID); !ok {
		return nil, malformed("data.invId")
	}
	var err error
	if n.IncSum, err = parseAmount(incSum); err != nil {
		return nil, malformed("data.incSum")
	}
	if ts != "" {
		sec, ok := parseDigits(ts)
		if !ok {
			return nil, malformed("header.timestamp")
		}
		n.Timestamp = time.Unix(sec, 0).UTC()
	}
	return &n, nil
}

// resultURL2Token extracts the compact JWS from a ResultUrl2 request body:
// the body itself, trimmed, or, when it has no '.', its standard-base64
// decoding (padded or not).
func resultURL2Token(body []byte) []byte {
	body = bytes.TrimSpace(body)
	if len(body) == 0 || bytes.IndexByte(body, '.') >= 0 {
		return body
	}
	for _, enc := range [...]*base64.Encoding{resultURL2StdB64, resultURL2RawStdB64} {
		d := make([]byte, enc.DecodedLen(len(body)))
		if n, err := enc.Decode(d, body); err == nil {
			return bytes.TrimSpace(d[:n])
		}
	}
	return body
}
