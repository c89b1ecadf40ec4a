package robokassa

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"

	qs "github.com/google/go-querystring/query"
	"github.com/shopspring/decimal"
)

// This file is the plumbing Recurring (spec §5) and hold Confirm/Cancel
// (spec §6) share: a form signed like a payment, posted once, answered in
// the payment page's error codes.

// signedCharge holds the wire values of a charge signed
// login:OutSum:InvoiceID[:Receipt]:Password1[:Shp_*] (spec §5, §6): each
// string is both signed and sent.
type signedCharge struct {
	outSum    string
	receipt   string // the receipt's JSON URL-encoded once, or ""
	signature string
	shp       []shpPair
}

// merchantSign validates the part Recurring and hold Confirm share
// (receipt, Shp names) and signs the charge. The caller has checked
// amount.
func (c *Client) merchantSign(invID int64, amount decimal.Decimal, r *Receipt, shp map[string]string) (signedCharge, error) {
	if r != nil {
		if err := r.checkTotal("Receipt", amount, "OutSum"); err != nil {
			return signedCharge{}, err
		}
	}
	pairs, err := validShpPairs(shp, make([]shpPair, 0, len(shp)))
	if err != nil {
		return signedCharge{}, err
	}
	sc := signedCharge{outSum: formatOutSum(amount), shp: pairs}
	if r != nil {
		sc.receipt = encodeReceipt(r)
	}
	s := newSignature(c.login, sc.outSum, strconv.FormatInt(invID, 10))
	s.set(modReceipt, sc.receipt)
	s.password = c.keys().pass1
	s.shp = pairs
	sc.signature = s.sign(c.alg)
	return sc, nil
}

// merchantValues encodes a wire struct and appends the Shp_* fields.
func merchantValues(form any, shp []shpPair) (url.Values, error) {
	v, err := qs.Values(form)
	if err != nil {
		return nil, err
	}
	for _, p := range shp {
		v.Set(p.prefix+p.name, p.value)
	}
	return v, nil
}

// merchantPost sends a money-moving form to AuthURL + path exactly once
// (never retried). Its SignatureValue never appears in an error.
func (c *Client) merchantPost(ctx context.Context, op, path string, form url.Values) (*reply, error) {
	return c.send(ctx, call{
		op:         op,
		method:     http.MethodPost,
		url:        c.authURL + path,
		form:       form.Encode(),
		idempotent: false,
		sent:       []string{form.Get("SignatureValue")},
	})
}

// merchantCodePattern finds a payment-page error code in an error answer: a
// number after "error", "code", "ErrorCode", "error_code" (or the Russian
// "ошибка", "код ошибки") in plain text, HTML, a form, JSON or XML.
var merchantCodePattern = regexp.MustCompile(`(?i)(?:^|[^\p{L}])(?:error|err|code|ошибка|код)(?:[ _-]?(?:code|код|ошибки))?["']?\s*[:=#>]?\s*["']?\s*([0-9]{1,4})(?:[^0-9]|$)`)

// merchantRefusal is the *APIError for a 2xx answer that is not an
// acceptance: with Robokassa's error code and its meaning when the body
// carries one recognisably, "unexpected response" otherwise.
func (rp *reply) merchantRefusal() *APIError {
	s := bytes.TrimSpace(rp.body)
	code := ""
	if _, ok := parseDigits(string(s)); ok && len(s) <= 4 {
		code = string(s)
	} else if m := merchantCodePattern.FindSubmatch(s); m != nil {
		code = string(m[1])
	}
	if code != "" {
		n, _ := strconv.Atoi(code)
		return rp.apiError(code, ErrorCode(n).Meaning())
	}
	return rp.apiError("", "unexpected response")
}
