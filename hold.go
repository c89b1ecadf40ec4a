package robokassa

import (
	"bytes"
	"context"
	"encoding/json"
	"strconv"

	"github.com/shopspring/decimal"
)

// HoldCapture confirms a held two-stage payment (spec §6): the payment was
// started with Payment.StepByStep and Robokassa reported state HOLD on
// ResultUrl2 (or OpStateExt reports [StateHeld]).
type HoldCapture struct {
	// InvID is the InvId of the held payment. Required.
	InvID int64
	// OutSum is the amount to capture: greater than zero with at most 2
	// decimal places, and not more than the amount held (the amount may
	// only go down; Robokassa checks that).
	OutSum decimal.Decimal
	// Receipt is the final 54-FZ receipt (signed). Its lines must add up
	// to OutSum; like the amount, it may only go down.
	Receipt *Receipt
	// Shp holds user parameters keyed by the name after "Shp_" (signed).
	Shp map[string]string
}

// holdConfirmForm is the wire form of Merchant/Payment/Confirm (spec §6);
// Shp_* fields are added after encoding.
type holdConfirmForm struct {
	MerchantLogin  string `url:"MerchantLogin"`
	InvoiceID      int64  `url:"InvoiceID"`
	OutSum         string `url:"OutSum"`
	Receipt        string `url:"Receipt,omitempty"`
	SignatureValue string `url:"SignatureValue"`
}

// holdCancelForm is the wire form of Merchant/Payment/Cancel (spec §6).
type holdCancelForm struct {
	MerchantLogin  string `url:"MerchantLogin"`
	InvoiceID      int64  `url:"InvoiceID"`
	SignatureValue string `url:"SignatureValue"`
}

// Robokassa's answers to hold Confirm and Cancel: a JSON string literal
// (spec §6).
const (
	holdAccepted = "success: true"
	holdRefused  = "success: false"
)

// ConfirmHold captures a held two-stage payment: a POST form to
// AuthURL + "/Merchant/Payment/Confirm" (spec §6) signed
// MerchantLogin:OutSum:InvoiceID[:Receipt]:Password1[:Shp_*].
//
// Before sending anything it returns [ErrNotInTestMode] for a test-mode
// client (holds have no test mode, spec §13) and a [*ValidationError] for
// bad input. The request moves money: it is sent exactly once and never
// retried.
//
// A nil error means Robokassa accepted the request ("success: true"), not
// that the capture completed: OpStateExt reports state 100 once it has
// ([StatePaid]). "success: false" and any other answer are an
// [*APIError].
func (c *Client) ConfirmHold(ctx context.Context, h HoldCapture) error {
	if c.test {
		return notInTestMode("ConfirmHold")
	}
	if err := checkInvID("InvID", h.InvID, true); err != nil {
		return err
	}
	if err := checkAmount("OutSum", h.OutSum, false, 0); err != nil {
		return err
	}
	sc, err := c.merchantSign(h.InvID, h.OutSum, h.Receipt, h.Shp)
	if err != nil {
		return err
	}
	form, err := merchantValues(holdConfirmForm{
		MerchantLogin:  c.login,
		InvoiceID:      h.InvID,
		OutSum:         sc.outSum,
		Receipt:        sc.receipt,
		SignatureValue: sc.signature,
	}, sc.shp)
	if err != nil {
		return err
	}
	rp, err := c.merchantPost(ctx, "ConfirmHold", pathHoldConfirm, form)
	if err != nil {
		return err
	}
	return parseHold(rp)
}

// CancelHold releases the held two-stage payment invID: a
// POST form to AuthURL + "/Merchant/Payment/Cancel" (spec §6) signed
// MerchantLogin::InvoiceID:Password1 (the OutSum slot is empty).
//
// Before sending anything it returns [ErrNotInTestMode] for a test-mode
// client and a [*ValidationError] when invID is not positive. It is
// sent exactly once and never retried.
//
// A nil error means Robokassa accepted the request ("success: true");
// OpStateExt reports state 60 once the hold is released
// ([StateRefunded]). "success: false" and any other answer are an
// [*APIError].
func (c *Client) CancelHold(ctx context.Context, invID int64) error {
	if c.test {
		return notInTestMode("CancelHold")
	}
	if err := checkInvID("InvID", invID, true); err != nil {
		return err
	}
	s := newSignature(c.login, "", strconv.FormatInt(invID, 10))
	s.password = c.keys().pass1
	form, err := merchantValues(holdCancelForm{
		MerchantLogin:  c.login,
		InvoiceID:      invID,
		SignatureValue: s.sign(c.alg),
	}, nil)
	if err != nil {
		return err
	}
	rp, err := c.merchantPost(ctx, "CancelHold", pathHoldCancel, form)
	if err != nil {
		return err
	}
	return parseHold(rp)
}

// parseHold reads the answer of hold Confirm or Cancel: a JSON string
// literal, exactly "success: true" or "success: false", with surrounding
// whitespace tolerated (spec §6).
func parseHold(rp *reply) error {
	var s string
	if json.Unmarshal(bytes.TrimSpace(rp.body), &s) == nil {
		switch s {
		case holdAccepted:
			return nil
		case holdRefused:
			return rp.apiError("", "robokassa refused the request (success: false); "+
				"check the operation's state with OpStateExt (Client.OpState)")
		}
	}
	return rp.merchantRefusal()
}
