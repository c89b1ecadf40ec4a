package robokassa

import (
	"bytes"
	"context"
	"net/url"
	"regexp"
	"strconv"

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
		return notInTestMode("Recurring")
	}
	form, err := c.recurringForm(&p)
	if err != nil {
		return err
	}
	rp, err := c.merchantPost(ctx, "Recurring", pathRecurring, form)
	if err != nil {
		return err
	}
	return parseRecurring(rp)
}

// recurringForm validates p and returns the signed form.
func (c *Client) recurringForm(p *RecurringPayment) (url.Values, error) {
	switch {
	case p.InvID <= 0:
		return nil, checkInvID("InvID", p.InvID, true)
	case p.PreviousInvID <= 0:
		return nil, checkInvID("PreviousInvID", p.PreviousInvID, true)
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

// recurringOKPattern is the accepted answer, as Robokassa's SDK matches it.
var recurringOKPattern = regexp.MustCompile(`(?i)^OK\+?([0-9]+)$`)

// parseRecurring reads the answer of Merchant/Recurring (spec §5).
func parseRecurring(rp *reply) error {
	s := bytes.TrimSpace(rp.body)
	if m := recurringOKPattern.FindSubmatch(s); m != nil {
		id, err := strconv.ParseInt(string(m[1]), 10, 64)
		if err == nil && id > 0 {
			return nil
		}
	}
	return rp.merchantRefusal()
}
