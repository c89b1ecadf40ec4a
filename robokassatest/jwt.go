package robokassatest

import (
	"bytes"
	"crypto"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"errors"
	"hash"
	"strconv"
	"time"

	"github.com/robokassa-go/robokassa"
)

// This file is the emulator's own JOSE code, written from the protocol
// notes (spec §4.4, §9.1, §9.2) apart from package robokassa: HMAC JWTs
// checked for the Invoice and Refund APIs, and the RS256 JWS the
// emulator signs for ResultUrl2.

var b64 = base64.RawURLEncoding

// maxJWT bounds a JWT a stranger can send.
const maxJWT = 256 << 10

var (
	errJWTShape     = errors.New("the token is not a compact JWS: three base64url parts")
	errJWTAlg       = errors.New("the token's alg is not the one this API takes")
	errJWTSignature = errors.New("the token's signature does not match")
)

// jwtParts splits a compact JWS and decodes its header and payload,
// without checking anything else.
func jwtParts(token string) (header map[string]any, payload, sig []byte, signed string, err error) {
	if len(token) == 0 || len(token) > maxJWT {
		return nil, nil, nil, "", errJWTShape
	}
	var parts [3]string
	n := 0
	start := 0
	for i := 0; i <= len(token); i++ {
		if i == len(token) || token[i] == '.' {
			if n == 3 {
				return nil, nil, nil, "", errJWTShape
			}
			parts[n] = token[start:i]
			n++
			start = i + 1
		}
	}
	if n != 3 {
		return nil, nil, nil, "", errJWTShape
	}
	h, err1 := b64.DecodeString(parts[0])
	p, err2 := b64.DecodeString(parts[1])
	sg, err3 := b64.DecodeString(parts[2])
	if err1 != nil || err2 != nil || err3 != nil || json.Unmarshal(h, &header) != nil || header == nil {
		return nil, nil, nil, "", errJWTShape
	}
	return header, p, sg, parts[0] + "." + parts[1], nil
}

// checkHMAC verifies an HMAC signature in constant time.
func checkHMAC(newHash func() hash.Hash, key []byte, signed string, sig []byte) bool {
	m := hmac.New(newHash, key)
	m.Write([]byte(signed))
	return hmac.Equal(m.Sum(nil), sig)
}

// algName is the shop's algorithm as the Invoice API's JWT header names
// it: "MD5" for the zero value.
func algName(a robokassa.HashAlgorithm) string {
	if a == "" {
		return string(robokassa.MD5)
	}
	return string(a)
}

// verifyInvoiceJWT checks an Invoice API token (spec §9.1): header alg the
// shop's algorithm name, HMAC with that hash keyed MerchantLogin:Password1.
func verifyInvoiceJWT(sh *shop, header map[string]any, signed string, sig []byte) error {
	if alg, _ := header["alg"].(string); alg != algName(sh.Algorithm) {
		return errJWTAlg
	}
	if !checkHMAC(hashes[sh.Algorithm], []byte(sh.MerchantLogin+":"+string(sh.Password1)), signed, sig) {
		return errJWTSignature
	}
	return nil
}

// refundHashes are the JOSE algorithms the Refund API takes (spec §9.2).
var refundHashes = map[string]func() hash.Hash{"HS256": sha256.New, "HS384": sha512.New384, "HS512": sha512.New}

// verifyRefundJWT checks a Refund API token: HS256/384/512 keyed by
// Password #3 alone.
func verifyRefundJWT(password3 string, header map[string]any, signed string, sig []byte) error {
	alg, _ := header["alg"].(string)
	newHash, ok := refundHashes[alg]
	if !ok {
		return errJWTAlg
	}
	if password3 == "" || !checkHMAC(newHash, []byte(password3), signed, sig) {
		return errJWTSignature
	}
	return nil
}

// jsonStringBody reads a request body that is a JWT as a JSON string
// literal (spec §9.1), or the bare token.
func jsonStringBody(body []byte) string {
	body = bytes.TrimSpace(body)
	var s string
	if len(body) > 0 && body[0] == '"' && json.Unmarshal(body, &s) == nil {
		return s
	}
	return string(body)
}

// resultURL2Payload is the JWS payload of spec §4.4.
type resultURL2Payload struct {
	Header struct {
		Type      string `json:"type"`
		Version   string `json:"version"`
		Timestamp string `json:"timestamp"`
	} `json:"header"`
	Data struct {
		Shop          string `json:"shop"`
		OpKey         string `json:"opKey"`
		InvID         string `json:"invId"`
		PaymentMethod string `json:"paymentMethod"`
		IncSum        string `json:"incSum"`
		State         string `json:"state"`
	} `json:"data"`
}

// signResultURL2 returns op's ResultUrl2 notification: a compact JWS,
// header {"typ":"JWT","alg":"RS256"}, RSA PKCS#1 v1.5 over SHA-256 with
// the server's key (spec §4.4). The caller holds the lock.
func (s *Server) signResultURL2(op *operation, state string) string {
	var p resultURL2Payload
	p.Header.Type = "PaymentStateNotification"
	p.Header.Version = "1.0.0"
	p.Header.Timestamp = strconv.FormatInt(time.Now().Unix(), 10)
	p.Data.Shop = op.shop.MerchantLogin
	p.Data.OpKey = op.opKey
	p.Data.InvID = strconv.FormatInt(op.invID, 10)
	p.Data.PaymentMethod = methodOf(op.label).alias
	p.Data.IncSum = op.outSum.StringFixed(2)
	p.Data.State = state
	payload, _ := json.Marshal(p) // strings only: cannot fail
	signed := b64.EncodeToString([]byte(`{"typ":"JWT","alg":"RS256"}`)) + "." + b64.EncodeToString(payload)
	digest := sha256.Sum256([]byte(signed))
	sig, err := rsa.SignPKCS1v15(rand.Reader, s.resultURL2Key(), crypto.SHA256, digest[:])
	if err != nil { // cannot happen with a valid 2048-bit key
		panic("robokassatest: signing ResultUrl2: " + err.Error())
	}
	return signed + "." + b64.EncodeToString(sig)
}
