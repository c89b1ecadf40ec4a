package robokassa

import (
	"errors"
	"strconv"
)

// Sentinel errors. Every error the package returns matches one of these
// under [errors.Is], or is a [*ValidationError] (which matches
// [ErrInvalidParam]) or an [*APIError].
var (
	// ErrBadSignature means a notification's signature did not match.
	// It never says which part of the request was wrong: a forger learns
	// nothing from it.
	ErrBadSignature = errors.New("robokassa: bad signature")

	// ErrMissingParam means a required parameter was absent or empty.
	ErrMissingParam = errors.New("robokassa: missing parameter")

	// ErrDuplicateParam means a parameter appeared more than once in a
	// notification. Repeating a parameter is how a forged amount gets past
	// a parser that reads the first value while the signature check reads
	// another, so it is always rejected (spec §4).
	ErrDuplicateParam = errors.New("robokassa: duplicate parameter")

	// ErrInvalidParam means a parameter had a value outside its rules.
	// [*ValidationError] matches it.
	ErrInvalidParam = errors.New("robokassa: invalid parameter")

	// ErrTestNotification means a production client (Config.Test false)
	// received a notification marked IsTest=1. A test payment moved no
	// money and must not mark an order paid (spec §13).
	ErrTestNotification = errors.New("robokassa: test-mode notification received by a production client")

	// ErrNoPassword2 means the client was built without Password #2 (or
	// the test Password #2 in test mode) and so can neither verify
	// ResultURL notifications nor sign OpStateExt. No request was sent.
	ErrNoPassword2 = errors.New("robokassa: client has no password #2")

	// ErrNoPassword3 means a Refund API call was made by a client built
	// without Password3. No request was sent.
	ErrNoPassword3 = errors.New("robokassa: client has no password #3 for the refund API")

	// ErrNotInTestMode means the call does not exist in Robokassa's test
	// mode (Recurring, hold Confirm/Cancel, split, OpStateExt, the Invoice
	// and Refund APIs, second receipts; spec §13). No request was sent.
	ErrNotInTestMode = errors.New("robokassa: operation not available in test mode")

	// ErrNotFound means Robokassa knows no such operation (OpStateExt
	// result code 3: also returned until the buyer submits payment
	// details), refund request or receipt.
	ErrNotFound = errors.New("robokassa: not found")

	// ErrNotPaid means [Client.AwaitPaid] saw the operation reach a final
	// state other than paid: cancelled, refunded or suspended.
	ErrNotPaid = errors.New("robokassa: operation ended without payment")
)

// ValidationError reports a value that breaks a protocol rule before any
// request is built or sent. Field names the offending field as the Go
// caller spelled it (for example "Receipt.Items[1].Sum"); Reason states the
// rule. It never contains a password. It matches [ErrInvalidParam] under
// [errors.Is].
type ValidationError struct {
	Field  string
	Reason string
}

func (e *ValidationError) Error() string {
	return "robokassa: invalid " + e.Field + ": " + e.Reason
}

// Is reports whether target is [ErrInvalidParam].
func (e *ValidationError) Is(target error) bool { return target == ErrInvalidParam }

func invalid(field, reason string) error { return &ValidationError{Field: field, Reason: reason} }

// paramError is a notification parameter error: missing, duplicated or
// malformed. It names the parameter, never its value.
type paramError struct {
	kind  error
	param string
}

func (e *paramError) Error() string { return e.kind.Error() + " " + strconv.Quote(e.param) }
func (e *paramError) Unwrap() error { return e.kind }

func missing(param string) error   { return &paramError{ErrMissingParam, param} }
func duplicate(param string) error { return &paramError{ErrDuplicateParam, param} }
func malformed(param string) error { return &paramError{ErrInvalidParam, param} }

// APIError is a failure reported by a remote Robokassa call, or an
// unusable response to one. Status is the HTTP status (0 if no response
// arrived); Code is Robokassa's result or error code where the response
// carried one; Message is Robokassa's text or the documented meaning of
// Code; Body is the start of the response body with signatures and
// passwords redacted.
type APIError struct {
	Op      string // the call, e.g. "Recurring" or "OpStateExt"
	Status  int
	Code    string
	Message string
	Body    string
	Err     error // underlying transport or decoding error, if any

	// kind is the sentinel this failure also matches under errors.Is
	// (ErrNotFound), if any.
	kind error
}

func (e *APIError) Error() string {
	msg := "robokassa: " + e.Op
	if e.Status != 0 {
		msg += ": http " + strconv.Itoa(e.Status)
	}
	if e.Code != "" {
		msg += ": code " + e.Code
	}
	if e.Message != "" {
		msg += ": " + e.Message
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Is reports whether target is the sentinel this failure also stands for:
// [ErrNotFound] when Robokassa knows no such operation, refund request or
// receipt. Both errors.Is(err, ErrNotFound) and errors.As(err, &apiErr)
// then hold.
func (e *APIError) Is(target error) bool { return e.kind != nil && target == e.kind }

// Unwrap returns the underlying transport or decoding error, if any.
func (e *APIError) Unwrap() error { return e.Err }
