package lifepay

import (
	"errors"
	"strconv"
)

// Sentinel errors. Every error the package returns matches one of these
// under [errors.Is], or is a [*ValidationError] (which matches
// [ErrInvalidParam]).
var (
	// ErrBadSignature means a notification's check did not match. It never
	// says which part of the notification was wrong: a forger learns
	// nothing from it.
	ErrBadSignature = errors.New("lifepay: bad signature")

	// ErrMissingParam means a required notification parameter was absent
	// or empty.
	ErrMissingParam = errors.New("lifepay: missing parameter")

	// ErrDuplicateParam means a parameter appeared more than once in a
	// notification. A repeated parameter is how a forged value gets past a
	// parser that reads one copy while the signature check reads another,
	// so it is always refused (§4).
	ErrDuplicateParam = errors.New("lifepay: duplicate parameter")

	// ErrInvalidParam means a parameter had a value outside its rules.
	// [*ValidationError] matches it.
	ErrInvalidParam = errors.New("lifepay: invalid parameter")

	// ErrTooLarge means a notification had more parameters or bytes than
	// the package accepts (§4). It is refused before any hashing.
	ErrTooLarge = errors.New("lifepay: notification too large")

	// ErrVersionNotAccepted means a notification was signed under an API
	// version this client does not accept: a 2.0 client refuses 1.0
	// notifications, whose MD5 check is weaker (§4).
	ErrVersionNotAccepted = errors.New("lifepay: notification API version not accepted by this client")

	// ErrNoNotificationURL means a 2.0 notification arrived at a client
	// built without Config.NotificationURL, whose host and path the 2.0
	// signature covers (§4).
	ErrNoNotificationURL = errors.New("lifepay: client has no notification URL to verify a 2.0 notification")

	// ErrWrongService means a correctly signed notification names a
	// service_id other than Config.ServiceID (§4).
	ErrWrongService = errors.New("lifepay: notification is for another service")
)

// ValidationError reports a value that breaks a protocol rule before
// anything is built. Field names the offending field as the Go caller
// spelled it (for example "InvoiceData.Items[1].Sum" or
// "Config.ServiceID"); Reason states the rule. It never contains the
// secret key. It matches [ErrInvalidParam] under [errors.Is].
type ValidationError struct {
	Field  string
	Reason string
}

func (e *ValidationError) Error() string {
	return "lifepay: invalid " + e.Field + ": " + e.Reason
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
