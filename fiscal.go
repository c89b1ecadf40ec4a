package robokassa

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"
)

// Second-receipt paths under Config.FiscalURL (spec §9.3).
const (
	pathReceiptAttach = "/RoboFiscal/Receipt/Attach"
	pathReceiptStatus = "/RoboFiscal/Receipt/Status"
)

// SecondReceipt is the final ("full payment") fiscal receipt a shop issues
// after delivering what was prepaid (spec §9.3). Robokassa allows at most
// two receipts per operation: the one issued with the payment and this
// one.
//
// The SDK cannot count receipts across processes; what it enforces is
// that this receipt has an id of its own (ID differs from OriginID), that
// it is a sale ("operation":"sell") and that every line is a full payment.
// A third receipt for the same operation is refused by Robokassa, and
// [Client.AttachReceipt] never retries, so the SDK never adds one by
// itself.
type SecondReceipt struct {
	// ID is the new receipt's id, unique for the shop and different from
	// OriginID. Robokassa's examples use a number ("14"); it is sent as a
	// JSON string.
	ID string
	// OriginInvID is the InvId of the paid operation the first receipt
	// belongs to. Required, greater than zero.
	OriginInvID int64
	// Sno may be empty when the shop has a single tax system.
	Sno Sno
	// URL is the address of the shop's site. Required, absolute http(s).
	URL string
	// Total is the receipt total: greater than zero, at most 8 integer
	// and 2 fractional digits. The lines must add up to it. It is also
	// sent as the one payment, of type 2 (offset of the prepayment).
	Total decimal.Decimal
	// Items are the receipt lines (spec §11). PaymentMethod must be
	// "full_payment" or empty; empty is sent as "full_payment".
	Items []ReceiptItem
	// Email and Phone say where the buyer gets the receipt; at least one
	// is required. Phone is digits with an optional leading '+'
	// (79991234567).
	Email string
	Phone string
	// VATs are the VAT totals of the receipt. Empty sends Robokassa's
	// documented default [{"type":"none","sum":0}], leaving the VAT of
	// each line to its Tax; the SDK computes no VAT itself (that would
	// mean rounding).
	VATs []ReceiptVAT
}

// ReceiptVAT is one VAT total of a [SecondReceipt].
type ReceiptVAT struct {
	Type Tax
	// Sum is not negative, with at most 2 decimal places.
	Sum decimal.Decimal
}

// requestFailed reports whether the code means the request itself failed
// (codes from 1000 up), as opposed to describing a receipt.
func (c ReceiptCode) requestFailed() bool { return c >= ReceiptCodeInternalError }

// ReceiptResult is the answer of [Client.AttachReceipt] (spec §9.3).
type ReceiptResult struct {
	// Code is ResultCode: normally [ReceiptAccepted].
	Code ReceiptCode
	// Description is Robokassa's ResultDescription.
	Description string
	// OpKey identifies the operation in Robokassa.
	OpKey string
}

// ReceiptStatus is the answer of [Client.ReceiptStatus]
// (spec §9.3). Code [ReceiptCodeFailed] is a state of the receipt (its
// registration failed), not a failed call.
type ReceiptStatus struct {
	ReceiptResult
	// Statuses is the status history as Robokassa sends it. Its schema is
	// not documented, so every element is kept as raw JSON.
	Statuses []json.RawMessage
	// Fiscal attributes of a registered receipt, as sent (numbers are
	// kept as their decimal text; FiscalDate's format is Robokassa's).
	FnNumber                string
	FiscalDocumentNumber    string
	FiscalDocumentAttribute string
	FiscalDate              string
	FiscalType              string
}

// AttachReceipt issues a second (final) receipt for a paid operation
// (spec §9.3): POST RoboFiscal/Receipt/Attach with the receipt's JSON,
// base64url-encoded, and a signature computed with the shop's hash
// algorithm and Password #1: base64 of the lowercase hex digest of the
// encoded JSON followed by the password.
//
// It is sent exactly once, never retried (a repeat could become a third
// receipt): after a network error or a 5xx answer, check
// [Client.ReceiptStatus] before trying again. Result codes
// [ReceiptCodeFailed] and 1000 up ([ReceiptCodeInternalError],
// [ReceiptCodeBadSignature]) are returned as an [*APIError] with Code set to
// the number and Message to Robokassa's description.
//
// The fiscal service has no test mode and test payments issue no
// receipts (spec §13), so a test-mode client returns [ErrNotInTestMode]
// without sending anything.
func (c *Client) AttachReceipt(ctx context.Context, r SecondReceipt) (*ReceiptResult, error) {
	if c.test {
		return nil, notInTestMode("AttachReceipt")
	}
	if err := r.validate(); err != nil {
		return nil, err
	}
	var buf [1024]byte
	res, rp, err := c.fiscalCall(ctx, "AttachReceipt", pathReceiptAttach, r.appendJSON(buf[:0], c.login), false)
	if err != nil {
		return nil, err
	}
	if res.Code == ReceiptCodeFailed || res.Code.requestFailed() {
		return nil, rp.receiptError(&res.ReceiptResult)
	}
	return &res.ReceiptResult, nil
}

// ReceiptStatus reports the state of a receipt by the id the shop gave
// it (spec §9.3), signed as [Client.AttachReceipt] is. It is retried on
// network errors and 5xx answers. Codes 0–3 are returned as the result
// (3, [ReceiptCodeFailed], means registration failed); codes from 1000 up
// are an [*APIError], which also matches [ErrNotFound] when Robokassa's
// description says the receipt was not found. A test-mode client returns
// [ErrNotInTestMode].
func (c *Client) ReceiptStatus(ctx context.Context, id string) (*ReceiptStatus, error) {
	if c.test {
		return nil, notInTestMode("ReceiptStatus")
	}
	if err := checkIssuedID("id", id); err != nil {
		return nil, err
	}
	js := make([]byte, 0, 64)
	js = append(js, `{"merchantId":`...)
	js = appendJSONString(js, c.login)
	js = append(js, `,"id":`...)
	js = appendJSONString(js, id)
	js = append(js, '}')
	res, rp, err := c.fiscalCall(ctx, "ReceiptStatus", pathReceiptStatus, js, true)
	if err != nil {
		return nil, err
	}
	if res.Code.requestFailed() {
		ae := rp.receiptError(&res.ReceiptResult)
		if d := strings.ToLower(res.Description); strings.Contains(d, "not found") || strings.Contains(d, "не найден") {
			ae.kind = ErrNotFound
		}
		return nil, ae
	}
	return res, nil
}

// fiscalCall posts js in the signed envelope to FiscalURL + path and
// reads the answer; the caller decides which codes are failures.
func (c *Client) fiscalCall(ctx context.Context, op, path string, js []byte, idempotent bool) (*ReceiptStatus, *reply, error) {
	body, sig := c.fiscalEnvelope(js)
	rp, err := c.send(ctx, call{
		op:          op,
		method:      http.MethodPost,
		url:         c.fiscalURL + path,
		body:        body,
		contentType: "application/json",
		idempotent:  idempotent,
		sent:        []string{sig},
	})
	if err != nil {
		return nil, nil, err
	}
	res, err := parseReceipt(rp)
	return res, rp, err
}

// fiscalEnvelope returns the request body "B.S" (spec §9.3) and its S: B
// is js in base64url without padding, S the base64 (no padding) of the
// lowercase hex digest of B followed by Password #1. For hex text
// standard and URL-safe base64 coincide.
func (c *Client) fiscalEnvelope(js []byte) (body []byte, sig string) {
	n := b64url.EncodedLen(len(js))
	msg := make([]byte, 0, n+len(c.keys().pass1))
	msg = b64url.AppendEncode(msg, js)
	msg = append(msg, c.keys().pass1...)
	var hexBuf [2 * maxDigest]byte
	hx := c.alg.appendHex(hexBuf[:0], msg)
	clear(msg[n:]) // the password copy
	body = make([]byte, 0, n+1+base64.RawStdEncoding.EncodedLen(len(hx)))
	body = append(body, msg[:n]...)
	body = append(body, '.')
	body = base64.RawStdEncoding.AppendEncode(body, hx)
	return body, string(body[n+1:])
}

// receiptError is the *APIError for a failing result code.
func (rp *reply) receiptError(r *ReceiptResult) *APIError {
	msg := r.Description
	if msg == "" {
		msg = r.Code.Meaning()
	}
	return rp.apiError(strconv.Itoa(int(r.Code)), msg)
}

// validate checks every rule of spec §9.3 and §11 that can be checked
// before Robokassa sees the receipt.
func (r *SecondReceipt) validate() error {
	if err := checkIssuedID("SecondReceipt.ID", r.ID); err != nil {
		return err
	}
	if r.OriginInvID <= 0 {
		return invalid("SecondReceipt.OriginInvID", "must be greater than zero (the InvId of the paid operation)")
	}
	if id, err := strconv.ParseInt(r.ID, 10, 64); err == nil && id == r.OriginInvID {
		return invalid("SecondReceipt.ID", "must differ from OriginInvID: the second receipt needs an id of its own (spec §9.3)")
	}
	if !isToken(string(r.Sno)) {
		return invalid("SecondReceipt.Sno", tokenRule)
	}
	switch {
	case r.URL == "":
		return invalid("SecondReceipt.URL", "is required")
	case !isAbsHTTP(r.URL):
		return invalid("SecondReceipt.URL", "must be an absolute http or https URL")
	}
	if err := checkAmount("SecondReceipt.Total", r.Total, false, 8); err != nil {
		return err
	}
	rc := Receipt{Sno: r.Sno, Items: r.Items}
	if err := rc.checkTotal("SecondReceipt", r.Total, "Total"); err != nil {
		return err
	}
	for i := range r.Items {
		if pm := r.Items[i].PaymentMethod; pm != "" && pm != ReceiptPaymentFull {
			return invalid("SecondReceipt.Items["+strconv.Itoa(i)+"].PaymentMethod",
				`must be "full_payment" or empty: a second receipt settles the payment in full (spec §9.3)`)
		}
	}
	if r.Email == "" && r.Phone == "" {
		return invalid("SecondReceipt.Email", "or Phone is required: the buyer must receive the receipt")
	}
	if r.Email != "" {
		if err := checkEmail("SecondReceipt.Email", r.Email); err != nil {
			return err
		}
	}
	if r.Phone != "" {
		if err := checkPhone("SecondReceipt.Phone", r.Phone); err != nil {
			return err
		}
	}
	for i := range r.VATs {
		field := "SecondReceipt.VATs[" + strconv.Itoa(i) + "]."
		switch t := string(r.VATs[i].Type); {
		case t == "":
			return invalid(field+"Type", "is required")
		case !isToken(t):
			return invalid(field+"Type", tokenRule)
		}
		if err := checkAmount(field+"Sum", r.VATs[i].Sum, true, 8); err != nil {
			return err
		}
	}
	return nil
}

// appendJSON appends the Attach request JSON (spec §9.3), fields in
// Robokassa's documented order. The receipt has been validated.
func (r *SecondReceipt) appendJSON(dst []byte, login string) []byte {
	dst = append(dst, `{"merchantId":`...)
	dst = appendJSONString(dst, login)
	dst = append(dst, `,"id":`...)
	dst = appendJSONString(dst, r.ID)
	dst = append(dst, `,"originId":`...)
	dst = strconv.AppendInt(dst, r.OriginInvID, 10)
	dst = append(dst, `,"operation":"sell"`...)
	if r.Sno != "" {
		dst = append(dst, `,"sno":`...)
		dst = appendJSONString(dst, string(r.Sno))
	}
	dst = append(dst, `,"url":`...)
	dst = appendJSONString(dst, r.URL)
	dst = append(dst, `,"total":`...)
	dst = appendFixed(dst, r.Total, 2)
	dst = append(dst, `,"items":[`...)
	for i := range r.Items {
		if i > 0 {
			dst = append(dst, ',')
		}
		it := r.Items[i]
		if it.PaymentMethod == "" {
			it.PaymentMethod = ReceiptPaymentFull
		}
		dst = it.appendJSON(dst)
	}
	dst = append(dst, `],"client":{`...)
	if r.Email != "" {
		dst = append(dst, `"email":`...)
		dst = appendJSONString(dst, r.Email)
	}
	if r.Phone != "" {
		if r.Email != "" {
			dst = append(dst, ',')
		}
		dst = append(dst, `"phone":`...)
		dst = appendJSONString(dst, r.Phone)
	}
	dst = append(dst, `},"payments":[{"type":2,"sum":`...)
	dst = appendFixed(dst, r.Total, 2)
	dst = append(dst, `}],"vats":[`...)
	if len(r.VATs) == 0 {
		dst = append(dst, `{"type":"none","sum":0}`...)
	}
	for i := range r.VATs {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"type":`...)
		dst = appendJSONString(dst, string(r.VATs[i].Type))
		dst = append(dst, `,"sum":`...)
		dst = appendFixed(dst, r.VATs[i].Sum, 2)
		dst = append(dst, '}')
	}
	return append(dst, "]}"...)
}

// receiptWire is the answer of Receipt/Attach and Receipt/Status. Field
// names vary between sources (ResultCode or Code, ResultDescription or
// Description) and values arrive as strings or numbers, so both are
// accepted; anything else (an object where text belongs) is refused.
type receiptWire struct {
	ResultCode              jsonText        `json:"ResultCode"`
	Code                    jsonText        `json:"Code"`
	ResultDescription       jsonText        `json:"ResultDescription"`
	Description             jsonText        `json:"Description"`
	OpKey                   jsonText        `json:"OpKey"`
	Statuses                json.RawMessage `json:"Statuses"`
	FnNumber                jsonText        `json:"FnNumber"`
	FiscalDocumentNumber    jsonText        `json:"FiscalDocumentNumber"`
	FiscalDocumentAttribute jsonText        `json:"FiscalDocumentAttribute"`
	FiscalDate              jsonText        `json:"FiscalDate"`
	FiscalType              jsonText        `json:"FiscalType"`
}

// parseReceipt reads a second-receipt answer strictly; the caller decides
// which codes are failures.
func parseReceipt(rp *reply) (*ReceiptStatus, error) {
	var w receiptWire
	if err := json.Unmarshal(rp.body, &w); err != nil {
		return nil, rp.malformed("not a JSON object", err)
	}
	for _, t := range []jsonText{w.ResultCode, w.Code, w.ResultDescription, w.Description, w.OpKey,
		w.FnNumber, w.FiscalDocumentNumber, w.FiscalDocumentAttribute, w.FiscalDate, w.FiscalType} {
		if t.bad {
			return nil, rp.malformed("a field holds neither text nor a number", nil)
		}
	}
	raw := w.ResultCode
	if raw.s == "" {
		raw = w.Code
	}
	code, ok := raw.digits()
	if !ok || code > 1<<31-1 {
		return nil, rp.malformed("no valid ResultCode", nil)
	}
	desc := w.ResultDescription.s
	if desc == "" {
		desc = w.Description.s
	}
	res := &ReceiptStatus{
		ReceiptResult:           ReceiptResult{Code: ReceiptCode(code), Description: desc, OpKey: w.OpKey.s},
		FnNumber:                w.FnNumber.s,
		FiscalDocumentNumber:    w.FiscalDocumentNumber.s,
		FiscalDocumentAttribute: w.FiscalDocumentAttribute.s,
		FiscalDate:              w.FiscalDate.s,
		FiscalType:              w.FiscalType.s,
	}
	switch st := bytes.TrimSpace(w.Statuses); {
	case len(st) == 0 || string(st) == "null":
	case st[0] == '[':
		if err := json.Unmarshal(st, &res.Statuses); err != nil {
			return nil, rp.malformed("Statuses is not a JSON array", err)
		}
	default: // a single status object: keep it as the one element
		res.Statuses = []json.RawMessage{bytes.Clone(st)}
	}
	return res, nil
}
