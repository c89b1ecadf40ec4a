package robokassa

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// This file holds the one reader of each kind of scalar Robokassa sends:
// text, whole numbers, amounts and flags. Robokassa writes the same field
// as a JSON string in one answer and a number in another, so JSON fields
// are read through jsonText, which never fails to unmarshal (one odd field
// cannot sink a whole answer); the caller says how strict to be: a strict
// caller refuses a value that is not text (jsonText.bad) or does not
// parse, a tolerant one (the unconfirmed invoice list) leaves it zero.

// maxScalar caps the text of any number read from the wire: a stranger's
// number never becomes a huge decimal.
const maxScalar = 40

// jsonText is a JSON value read as text: a string's value or a number's
// literal; "" for null or an absent field. An object, array, boolean or
// invalid JSON is not text: bad is set.
type jsonText struct {
	s   string
	bad bool
}

func (t *jsonText) UnmarshalJSON(b []byte) error {
	*t = jsonText{}
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null":
	case b[0] == '"':
		t.bad = json.Unmarshal(b, &t.s) != nil
	case b[0] == '-' || '0' <= b[0] && b[0] <= '9':
		t.s, t.bad = string(b), !json.Valid(b)
	default:
		t.bad = true
	}
	return nil
}

// digits reads the text as a whole number (see parseDigits).
func (t jsonText) digits() (int64, bool) {
	if t.bad {
		return 0, false
	}
	return parseDigits(strings.TrimSpace(t.s))
}

// amount reads the text as an amount (see parseAmount).
func (t jsonText) amount() (decimal.Decimal, bool) {
	if t.bad {
		return decimal.Decimal{}, false
	}
	d, err := parseAmount(strings.TrimSpace(t.s))
	return d, err == nil
}

// jsonFlag is a JSON boolean read tolerantly: true, "true" in any case and
// 1 are true; anything else is false. set tells a present flag from an
// absent one.
type jsonFlag struct{ v, set bool }

func (f *jsonFlag) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	var t jsonText // "true", "True", 1 …
	_ = t.UnmarshalJSON(b)
	s := strings.ToLower(strings.TrimSpace(t.s))
	*f = jsonFlag{v: string(b) == "true" || s == "true" || s == "1", set: string(b) != "null"}
	return nil
}

// parseDigits reads a non-negative whole number written only with digits:
// no sign, space, fraction or exponent, at most 18 digits.
func parseDigits(s string) (int64, bool) {
	if s == "" || len(s) > 18 {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	v, err := strconv.ParseInt(s, 10, 64)
	return v, err == nil
}

// parseAmount reads a plain non-negative amount: digits with an optional
// fraction, no sign, exponent or spaces, at most 40 characters. Up to 18
// digits it builds the decimal directly (a zero costs no allocation);
// longer ones go through decimal's own parser.
func parseAmount(s string) (decimal.Decimal, error) {
	if len(s) > maxScalar {
		return decimal.Decimal{}, ErrInvalidParam
	}
	var coef int64
	digits, frac, dot := 0, 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '.' && !dot && i > 0 && i < len(s)-1:
			dot = true
		case c < '0' || c > '9':
			return decimal.Decimal{}, ErrInvalidParam
		default:
			coef = coef*10 + int64(c-'0')
			digits++
			if dot {
				frac++
			}
		}
	}
	switch {
	case digits == 0:
		return decimal.Decimal{}, ErrInvalidParam
	case digits > 18:
		// Cloned because decimal keeps its input in error messages, and a
		// kept input would move the caller's scratch space to the heap.
		return decimal.NewFromString(strings.Clone(s))
	case coef == 0:
		return decimal.Decimal{}, nil
	}
	return decimal.New(coef, -int32(frac)), nil
}

var errNotObject = errors.New("not a JSON object")

// moscow is Robokassa's time zone (UTC+3, no daylight saving since 2014):
// the zone of dates that carry no offset, and of DaysToPay. A fixed zone
// needs no tzdata.
var moscow = time.FixedZone("MSK", 3*60*60)

// parseTime reads a time Robokassa sent: RFC 3339 with any fraction of a
// second, or the same without an offset, in Moscow time; layouts adds
// further forms, also read in Moscow time. The text is at most 64 bytes.
func parseTime(s string, layouts ...string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 64 {
		return time.Time{}, false
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, true
	}
	for _, layout := range append([]string{"2006-01-02T15:04:05"}, layouts...) {
		if t, err := time.ParseInLocation(layout, s, moscow); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}
