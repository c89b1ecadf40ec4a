package robokassa

import "strconv"

// Code lists. Each remote surface of Robokassa reports failures with its
// own codes; each list has one shape: a named type, a constant per
// documented code named after the type, Meaning for the documented
// meaning ("" when Robokassa documents none) and String for a log line.
// The types are open: an undocumented code passes through unchanged.
// [APIError.Code] carries the code as text; convert it to the list's type
// to read its meaning.

// ErrorCode is a payment-page error code that Robokassa shows in the
// buyer's browser ("error 29") or returns from Recurring and hold calls
// (spec §12).
type ErrorCode int

// Payment-page error codes (spec §12). Codes 20–24, 27, 28, 32, 36, 37,
// 43 and 500 are internal errors on Robokassa's side.
const (
	ErrorCodeShopNotActivated     ErrorCode = 25
	ErrorCodeShopNotFound         ErrorCode = 26
	ErrorCodeBadSignature         ErrorCode = 29
	ErrorCodeBadInvoiceParam      ErrorCode = 30
	ErrorCodeBadAmount            ErrorCode = 31
	ErrorCodePaymentTimeExpired   ErrorCode = 33
	ErrorCodeRecurringNotAllowed  ErrorCode = 34
	ErrorCodeBadRecurringParams   ErrorCode = 35
	ErrorCodeRepeatedInvID        ErrorCode = 40
	ErrorCodeOperationStartFailed ErrorCode = 41
	ErrorCodeInvoiceExpired       ErrorCode = 51
	ErrorCodeInvoiceAlreadyPaid   ErrorCode = 52
	ErrorCodeInvoiceNotFound      ErrorCode = 53
	ErrorCodeHoldNotAllowed       ErrorCode = 64
	ErrorCodeBadHoldParams        ErrorCode = 65
)

var errorCodeMeanings = map[ErrorCode]string{
	ErrorCodeShopNotActivated:     "shop not activated or wrong MerchantLogin",
	ErrorCodeShopNotFound:         "shop not found",
	ErrorCodeBadSignature:         "invalid SignatureValue: wrong login or password, Shp_ parameters missing or out of order, production passwords in test mode, or a value signed in a different encoding than sent",
	ErrorCodeBadInvoiceParam:      "invalid invoice parameter",
	ErrorCodeBadAmount:            "invalid amount: missing or zero OutSum",
	ErrorCodePaymentTimeExpired:   "time allowed for payment expired",
	ErrorCodeRecurringNotAllowed:  "recurring payments are not enabled for the shop",
	ErrorCodeBadRecurringParams:   "invalid recurring payment parameters",
	ErrorCodeRepeatedInvID:        "repeated payment of the same InvId",
	ErrorCodeOperationStartFailed: "error at operation start; retry",
	ErrorCodeInvoiceExpired:       "invoice expired",
	ErrorCodeInvoiceAlreadyPaid:   "invoice already paid",
	ErrorCodeInvoiceNotFound:      "invoice not found",
	ErrorCodeHoldNotAllowed:       "holding is not enabled for the shop",
	ErrorCodeBadHoldParams:        "invalid holding parameters",
	23:                            "internal error, or test parameters not configured for the shop",
	20:                            "internal Robokassa error",
	21:                            "internal Robokassa error",
	22:                            "internal Robokassa error",
	24:                            "internal Robokassa error",
	27:                            "internal Robokassa error",
	28:                            "internal Robokassa error",
	32:                            "internal Robokassa error",
	36:                            "internal Robokassa error",
	37:                            "internal Robokassa error",
	43:                            "internal Robokassa error",
	500:                           "internal Robokassa error",
}

// Meaning returns Robokassa's documented meaning of the code, or
// "unknown error code".
func (c ErrorCode) Meaning() string { return meaningOr(errorCodeMeanings[c], "unknown error code") }

// String returns "error N: meaning".
func (c ErrorCode) String() string { return "error " + strconv.Itoa(int(c)) + ": " + c.Meaning() }

// WebServiceCode is the result code every answer of the XML web service
// carries in Result/Code (spec §8).
type WebServiceCode int

// XML web-service result codes (spec §8).
const (
	WebServiceCodeOK            WebServiceCode = 0
	WebServiceCodeBadSignature  WebServiceCode = 1
	WebServiceCodeShopNotFound  WebServiceCode = 2
	WebServiceCodeNotFound      WebServiceCode = 3
	WebServiceCodeDuplicate     WebServiceCode = 4
	WebServiceCodeInternalError WebServiceCode = 1000
)

var webServiceCodeMeanings = map[WebServiceCode]string{
	WebServiceCodeOK:            "ok",
	WebServiceCodeBadSignature:  "bad signature: wrong MerchantLogin, password #2 or hash algorithm",
	WebServiceCodeShopNotFound:  "shop not found or not active",
	WebServiceCodeNotFound:      "operation not found (also reported until the buyer submits payment details)",
	WebServiceCodeDuplicate:     "two operations share this InvoiceID (a test one and a real one)",
	WebServiceCodeInternalError: "internal Robokassa error",
}

// Meaning returns the documented meaning of the code, or "unknown result
// code".
func (c WebServiceCode) Meaning() string {
	return meaningOr(webServiceCodeMeanings[c], "unknown result code")
}

// String returns "result code N: meaning".
func (c WebServiceCode) String() string {
	return "result code " + strconv.Itoa(int(c)) + ": " + c.Meaning()
}

// ReceiptCode is the result code of the second-receipt service
// (spec §9.3). Codes 0–3 describe a receipt; codes from 1000 up mean the
// request itself failed.
type ReceiptCode int

// Second-receipt result codes (spec §9.3). ReceiptCodeBadSignature is not
// in Robokassa's public list but is reported by client libraries (wrong
// Password #1 or hash algorithm).
const (
	ReceiptCodeAccepted      ReceiptCode = 0
	ReceiptCodeWaiting       ReceiptCode = 1
	ReceiptCodeRegistered    ReceiptCode = 2
	ReceiptCodeFailed        ReceiptCode = 3
	ReceiptCodeInternalError ReceiptCode = 1000
	ReceiptCodeBadSignature  ReceiptCode = 1001
)

var receiptCodeMeanings = map[ReceiptCode]string{
	ReceiptCodeAccepted:      "accepted",
	ReceiptCodeWaiting:       "waiting",
	ReceiptCodeRegistered:    "registered",
	ReceiptCodeFailed:        "failed",
	ReceiptCodeInternalError: "internal error",
	ReceiptCodeBadSignature:  "bad signature",
}

// Meaning returns the documented meaning of the code ("registered"), or
// "unknown receipt code".
func (c ReceiptCode) Meaning() string {
	return meaningOr(receiptCodeMeanings[c], "unknown receipt code")
}

// String returns "receipt code N: meaning".
func (c ReceiptCode) String() string {
	return "receipt code " + strconv.Itoa(int(c)) + ": " + c.Meaning()
}

// RefundCode is the message with which the Refund API rejects a request
// (spec §9.2): a rejected [Client.Refund] returns an [*APIError] whose
// Code is one of these (or another message Robokassa sends).
type RefundCode string

// Refund API rejection messages (spec §9.2).
const (
	RefundCodeNotEnoughFunds    RefundCode = "NotEnoughOperationFunds"
	RefundCodeOperationNotFound RefundCode = "OperationNotFound"
	RefundCodeAlreadyRefunded   RefundCode = "AlreadyRefunded"
)

var refundCodeMeanings = map[RefundCode]string{
	RefundCodeNotEnoughFunds:    "the operation has less money left than the refund asks for",
	RefundCodeOperationNotFound: "no completed operation has this OpKey",
	RefundCodeAlreadyRefunded:   "the operation has already been refunded",
}

// Meaning returns the documented meaning of the code, or "" for a message
// the SDK does not know.
func (c RefundCode) Meaning() string { return refundCodeMeanings[c] }

// String returns "Code: meaning", or the code alone when its meaning is
// not documented.
func (c RefundCode) String() string {
	if m := c.Meaning(); m != "" {
		return string(c) + ": " + m
	}
	return string(c)
}

func meaningOr(m, unknown string) string {
	if m == "" {
		return unknown
	}
	return m
}
