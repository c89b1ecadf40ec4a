package qr

import "errors"

// Sentinel errors. Every error caused by the input is a [*ValidationError]
// that matches exactly one of these under [errors.Is].
var (
	// ErrTooLong means the text does not fit in the largest QR code
	// (version 40) at error correction level M. A payment link with a long
	// receipt is the usual cause; a link made by the Invoice API is short
	// and always fits.
	ErrTooLong = errors.New("qr: text too long for a QR code")

	// ErrInvalidText means the text is empty or not valid UTF-8.
	ErrInvalidText = errors.New("qr: invalid text")

	// ErrInvalidSize means the requested image size is too small to draw
	// every module and the quiet zone with at least one pixel each, or
	// larger than [MaxPNGSize].
	ErrInvalidSize = errors.New("qr: invalid image size")
)

// ValidationError reports an input the package refuses. Field names the
// argument ("text" or "size"), Reason states the rule it breaks, and Err
// is the sentinel it matches ([ErrTooLong], [ErrInvalidText] or
// [ErrInvalidSize]). The message never repeats the text itself.
type ValidationError struct {
	Field  string
	Reason string
	Err    error
}

func (e *ValidationError) Error() string {
	return "qr: invalid " + e.Field + ": " + e.Reason
}

// Unwrap returns the sentinel the error matches.
func (e *ValidationError) Unwrap() error { return e.Err }
