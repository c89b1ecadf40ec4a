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

// Merchant API paths under Config.AuthURL (spec §5, §6).
const (
	pathRecurring   = "/Merchant/Recurring"
	pathHoldConfirm = "/Merchant/Payment/Confirm"
	pathHoldCancel  = "/Merchant/Payment/Cancel"
)

// RecurringPayment is a child charge of a recurring series (spec §5): it
// charges the card of the parent payment again, without the buyer. The
// parent was an ordinary payment made with Payment.Recurring set.
type RecurringPayment struct {
	// PreviousInvID is the InvId of the parent payment. Required. It is
	// sent but not signed.
	PreviousInvID int64
	// InvID is the new, unique InvId of this charge. Required; it must
	// differ from PreviousInvoiceID. Robokassa refuses a reused one with
	// error 40.
	InvID int64
	// OutSum is the amount, greater than zero with at most 2 decimal
	// places; sent and signed as one string with two decimals.
	OutSum decimal.Decimal
	// Description is at most 100 characters. Optional, not signed.
	Description string
	// Receipt is the 54-FZ fiscal receipt (signed). Its lines must add up
	// to OutSum.
	Receipt *Receipt
	// Shp holds user parameters keyed by the name after "Shp_", as in
	// Payment.Shp. They are signed and returned on ResultURL.
	Shp map[string]string
}

// recurringForm is the wire form of Merchant/Recurring (spec §5); Shp_*
// fields are added after encoding.
type recurringForm struct {
	MerchantLogin     string `url:"MerchantLogin"`
	InvoiceID         int64  `url:"InvoiceID"`
	PreviousInvoiceID int64  `url:"PreviousInvoiceID"`
	OutSum            string `url:"OutSum"`
	Description       string `url:"Description,omitempty"`
	Receipt           string `url:"Receipt,omitempty"`
	SignatureValue    string `url:"SignatureValue"`
}

// Recurring charges a child payment of a recurring series: a POST form to
// AuthURL + "/Merchant/Recurring" (spec §5), signed
// MerchantLogin:OutSum:InvoiceID[:Receipt]:Password1[:Shp_*] —
// PreviousInvoiceID is not signed.
//
// Before sending anything it returns [ErrNotInTestMode] for a test-mode
// client (Recurring has no test mode, spec §13) and a [*ValidationError]
// for bad input. The request moves money, so it is sent exactly once and
// never retried, not even after a network error: the operation may have
// been created. Check it with OpStateExt before charging again with a new
// InvID.
//
// A nil error means Robokassa answered "OK<InvoiceID>": the charge was
// created, not that money moved; the outcome arrives on ResultURL (see
// [Client.ResultHandler]) or from OpStateExt. Any other answer is an
// [*APIError]; when it carries a payment-page error code (34: recurring
// not enabled, 35: bad parameters, 40: InvID reused; spec §12) that code
// is in Code and its meaning in Message.
func (c *Client) Recurring(ctx context.Context, p RecurringPayment) error {
	if c.test {
		return ErrNotInTestMode
	}
	form, err := c.recurringForm(&p)
	if err != nil {
		return err
	}
	body, err := c.merchantPost(ctx, "Recurring", pathRecurring, form)
	if err != nil {
		return err
	}
	return c.parseRecurring(body)
}

// recurringForm validates p and returns the signed form.
func (c *Client) recurringForm(p *RecurringPayment) (url.Values, error) {
	switch {
	case p.InvID <= 0:
		return nil, invalid("InvID", "must be greater than zero")
	case p.PreviousInvID <= 0:
		return nil, invalid("PreviousInvID", "must be greater than zero")
	case p.InvID == p.PreviousInvID:
		return nil, invalid("InvID", "must differ from PreviousInvID (a new InvId for every charge)")
	}
	if err := checkAmount("OutSum", p.OutSum, false, 0); err != nil {
		return nil, err
	}
	if err := checkDescription(p.Description); err != nil {
		return nil, err
	}
	sc, err := c.merchantSign(p.InvID, p.OutSum, p.Receipt, p.Shp)
	if err != nil {
		return nil, err
	}
	return merchantValues(recurringForm{
		MerchantLogin:     c.login,
		InvoiceID:         p.InvID,
		PreviousInvoiceID: p.PreviousInvID,
		OutSum:            sc.outSum,
		Description:       p.Description,
		Receipt:           sc.receipt,
		SignatureValue:    sc.signature,
	}, sc.shp)
}

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
func (c *Client) merchantSign(invoiceID int64, amount decimal.Decimal, r *Receipt, shp map[string]string) (signedCharge, error) {
	if r != nil {
		if err := r.validate("Receipt"); err != nil {
			return signedCharge{}, err
		}
		if !r.sumsTo(amount) {
			return signedCharge{}, invalid("Receipt.Items", "line totals must add up to OutSum")
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
	s := newSignature(c.login, sc.outSum, strconv.FormatInt(invoiceID, 10))
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
// (never retried).
func (c *Client) merchantPost(ctx context.Context, op, path string, form url.Values) ([]byte, error) {
	return c.do(ctx, call{
		op:         op,
		method:     http.MethodPost,
		url:        c.authURL + path,
		form:       form,
		idempotent: false,
	})
}

// recurringOKPattern is the accepted answer, as Robokassa's SDK matches it.
var recurringOKPattern = regexp.MustCompile(`(?i)^OK\+?([0-9]+)$`)

// merchantCodePattern finds a payment-page error code in an error answer: a
// number after "error", "code", "ErrorCode", "error_code" (or the Russian
// "ошибка", "код ошибки") in plain text, HTML, a form, JSON or XML.
var merchantCodePattern = regexp.MustCompile(`(?i)(?:^|[^\p{L}])(?:error|err|code|ошибка|код)(?:[ _-]?(?:code|код|ошибки))?["']?\s*[:=#>]?\s*["']?\s*([0-9]{1,4})(?:[^0-9]|$)`)

// parseRecurring reads the answer of Merchant/Recurring (spec §5).
func (c *Client) parseRecurring(body []byte) error {
	s := bytes.TrimSpace(body)
	if m := recurringOKPattern.FindSubmatch(s); m != nil {
		id, err := strconv.ParseInt(string(m[1]), 10, 64)
		if err == nil && id > 0 {
			return nil
		}
	}
	return c.merchantRefusal("Recurring", body)
}

// merchantRefusal is the *APIError for a 2xx answer that is not an
// acceptance: with Robokassa's error code and its meaning when the body
// carries one recognisably, "unexpected response" otherwise.
func (c *Client) merchantRefusal(op string, body []byte) *APIError {
	s := bytes.TrimSpace(body)
	code := ""
	if merchantIsDigits(s) && len(s) <= 4 {
		code = string(s)
	} else if m := merchantCodePattern.FindSubmatch(s); m != nil {
		code = string(m[1])
	}
	if code != "" {
		n, _ := strconv.Atoi(code)
		return c.apiError(op, http.StatusOK, code, ErrorCode(n).Meaning(), body)
	}
	return c.apiError(op, http.StatusOK, "", "unexpected response", body)
}

func merchantIsDigits(b []byte) bool {
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return len(b) > 0
}
