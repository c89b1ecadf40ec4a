package qr

import (
	"errors"
	"fmt"
	"unicode/utf8"

	goqr "github.com/piglig/go-qr"
)

// QuietZone is the light margin, in modules, that every rendering keeps
// around the symbol on each side: the minimum ISO/IEC 18004 requires for a
// reader to find the code.
const QuietZone = 4

// Capacities of the largest symbol (version 40) at error correction level
// M, in characters of each kind, from the ISO/IEC 18004 capacity table. A
// text that is not ASCII loses one more byte to its ECI header.
const (
	maxBytes        = 2331
	maxBytesUTF8    = 2330
	maxAlphanumeric = 3391
	maxDigits       = 5596
)

// eciUTF8 is the ECI assignment number of UTF-8.
const eciUTF8 = 26

// Code is an encoded QR code: a square of dark and light modules, without
// the quiet zone. It is immutable and safe for concurrent use; render it as
// often as needed with [Code.PNG], [Code.Text] and [Code.TextOnLight].
type Code struct {
	version int
	size    int
	dark    []bool // size×size, row by row
}

// Encode encodes text as a QR code at error correction level M or higher:
// level M is the floor, and the encoder raises it to Q or H when the text
// still fits the same version, so a short link gets more redundancy for
// free. Digits only and upper-case alphanumeric text use the denser
// numeric and alphanumeric modes; other ASCII text is stored as bytes, and
// text that is not ASCII as UTF-8 bytes announced by an ECI header (ISO/IEC
// 18004 reads bytes without one as ISO-8859-1).
//
// Encode refuses, with a [*ValidationError], an empty text, text that is
// not valid UTF-8 ([ErrInvalidText]) and text too long for a version-40
// symbol at level M ([ErrTooLong]): 2331 bytes of ASCII, 2330 bytes of
// other UTF-8, 3391 characters of 0–9, A–Z, space and $%*+-./:, or 5596
// digits. Text longer than 5596 bytes is refused before any work is done.
func Encode(text string) (*Code, error) {
	if text == "" {
		return nil, &ValidationError{Field: "text", Reason: "empty", Err: ErrInvalidText}
	}
	if len(text) > maxDigits {
		return nil, tooLong(len(text))
	}
	if !utf8.ValidString(text) {
		return nil, &ValidationError{Field: "text", Reason: "not valid UTF-8", Err: ErrInvalidText}
	}
	segs, err := segments(text)
	if err != nil {
		return nil, fmt.Errorf("qr: encoder: %w", err)
	}
	sym, err := goqr.EncodeSegments(segs, goqr.Medium, goqr.MinVersion, goqr.MaxVersion, -1, true)
	if errors.Is(err, goqr.ErrDataTooLong) {
		return nil, tooLong(len(text))
	}
	if err != nil {
		return nil, fmt.Errorf("qr: encoder: %w", err)
	}
	n := sym.Size()
	c := &Code{version: (n - 17) / 4, size: n, dark: make([]bool, n*n)}
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			c.dark[y*n+x] = sym.Module(x, y)
		}
	}
	return c, nil
}

// segments returns the text as one segment in the densest mode that holds
// all of it, preceded by a UTF-8 ECI segment when the text is not ASCII.
func segments(text string) ([]*goqr.QrSegment, error) {
	if isASCII(text) {
		return goqr.MakeSegments(text)
	}
	eci, err := goqr.MakeEci(eciUTF8)
	if err != nil {
		return nil, err
	}
	data, err := goqr.MakeBytes([]byte(text))
	if err != nil {
		return nil, err
	}
	return []*goqr.QrSegment{eci, data}, nil
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func tooLong(n int) error {
	return &ValidationError{
		Field: "text",
		Reason: fmt.Sprintf("%d bytes exceed what the largest QR code (version 40) holds at error correction level M: "+
			"%d bytes of ASCII, %d of other UTF-8, %d characters of 0-9 A-Z space $%%*+-./: or %d digits",
			n, maxBytes, maxBytesUTF8, maxAlphanumeric, maxDigits),
		Err: ErrTooLong,
	}
}

// Version returns the symbol's version, 1 to 40.
func (c *Code) Version() int { return c.version }

// Size returns the symbol's side in modules, without the quiet zone: 17
// plus 4 per version.
func (c *Code) Size() int { return c.size }

// Dark reports whether the module at column x, row y (0-based, from the top
// left corner of the symbol) is dark. Positions outside the symbol, in the
// quiet zone or beyond, are light.
func (c *Code) Dark(x, y int) bool {
	return 0 <= x && x < c.size && 0 <= y && y < c.size && c.dark[y*c.size+x]
}

// MinPNGSize returns the smallest image side [Code.PNG] accepts, in pixels:
// one pixel per module for the symbol and its quiet zone, that is
// [Code.Size] plus twice [QuietZone].
func (c *Code) MinPNGSize() int { return c.size + 2*QuietZone }

// PNG encodes text with [Encode] and renders it with [Code.PNG].
func PNG(text string, size int) ([]byte, error) {
	c, err := Encode(text)
	if err != nil {
		return nil, err
	}
	return c.PNG(size)
}

// Text encodes text with [Encode] and renders it with [Code.Text].
func Text(text string) (string, error) {
	c, err := Encode(text)
	if err != nil {
		return "", err
	}
	return c.Text(), nil
}
