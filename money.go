package robokassa

import (
	"strconv"

	"github.com/shopspring/decimal"
)

var pow10 = [...]int64{1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000,
	10000000000, 100000000000, 1000000000000, 10000000000000, 100000000000000,
	1000000000000000, 10000000000000000, 100000000000000000, 1000000000000000000}

// scaled returns d × 10^places as an int64 when that is an exact integer
// that fits. ok is false when d has more fractional digits than places or
// is too large for int64 ([hasPlaces] tells the two apart). It does not
// allocate.
func scaled(d decimal.Decimal, places int) (v int64, ok bool) {
	if d.NumDigits() > 18 {
		return 0, false
	}
	coef := d.CoefficientInt64()
	shift := int(d.Exponent()) + places
	switch {
	case shift >= 0:
		if shift >= len(pow10) {
			return 0, false
		}
		p := pow10[shift]
		if coef > 0 && coef > (1<<63-1)/p || coef < 0 && coef < -(1<<63-1)/p {
			return 0, false
		}
		return coef * p, true
	case -shift < len(pow10):
		p := pow10[-shift]
		if coef%p != 0 {
			return 0, false
		}
		return coef / p, true
	default:
		return 0, coef == 0
	}
}

// hasPlaces reports whether d has at most places significant fractional
// digits (990.000 has two: it equals 990.00 exactly).
func hasPlaces(d decimal.Decimal, places int) bool {
	if _, ok := scaled(d, places); ok {
		return true
	}
	return d.Equal(d.Truncate(int32(places)))
}

// intDigits returns the number of digits before the decimal point.
func intDigits(d decimal.Decimal) int {
	n := d.NumDigits() + int(d.Exponent())
	if n < 1 || d.IsZero() {
		return 1
	}
	return n
}

// appendFixed appends d with exactly places fractional digits. The caller
// has checked [hasPlaces], so nothing is rounded.
func appendFixed(dst []byte, d decimal.Decimal, places int) []byte {
	v, ok := scaled(d, places)
	if !ok {
		return append(dst, d.StringFixed(int32(places))...)
	}
	if v < 0 {
		dst = append(dst, '-')
		v = -v
	}
	p := pow10[places]
	dst = strconv.AppendInt(dst, v/p, 10)
	if places > 0 {
		dst = append(dst, '.')
		frac := v % p
		for q := p / 10; q > 0; q /= 10 {
			dst = append(dst, byte('0'+frac/q%10))
		}
	}
	return dst
}

// appendNumber appends d as a JSON number in its shortest exact form
// (trailing fractional zeros removed: 1.500 → 1.5).
func appendNumber(dst []byte, d decimal.Decimal) []byte {
	for places := 0; places <= 3; places++ {
		if _, ok := scaled(d, places); ok {
			return appendFixed(dst, d, places)
		}
	}
	return append(dst, d.String()...)
}

// formatOutSum renders an amount with exactly two decimals (spec §3).
func formatOutSum(d decimal.Decimal) string {
	var buf [32]byte
	return string(appendFixed(buf[:0], d, 2))
}

// checkAmount validates a money amount: positive (or non-negative when
// zeroOK), at most 2 fractional digits, at most maxInt integer digits
// (0 = unlimited).
func checkAmount(field string, d decimal.Decimal, zeroOK bool, maxInt int) error {
	if reason := amountRule(d, zeroOK, maxInt); reason != "" {
		return invalid(field, reason)
	}
	return nil
}

// amountRule returns the rule d breaks (see checkAmount), or "".
func amountRule(d decimal.Decimal, zeroOK bool, maxInt int) string {
	_, _, rule := amountCents(d, zeroOK, maxInt)
	return rule
}

// amountCents is amountRule that also returns d in kopecks when d fits
// an int64 (fast is then true): callers that add amounts up need not
// convert them again.
func amountCents(d decimal.Decimal, zeroOK bool, maxInt int) (cents int64, fast bool, rule string) {
	// Fast path: one conversion to kopecks answers every question.
	if v, ok := scaled(d, 2); ok && (maxInt == 0 || maxInt+2 < len(pow10)) {
		switch {
		case v < 0 && zeroOK:
			return 0, false, "must not be negative"
		case v < 0 || v == 0 && !zeroOK:
			return 0, false, "must be greater than zero"
		case maxInt > 0 && v >= pow10[maxInt+2]:
			return 0, false, "must have at most " + strconv.Itoa(maxInt) + " integer digits"
		}
		return v, true, ""
	}
	switch {
	case d.IsNegative() && zeroOK:
		return 0, false, "must not be negative"
	case d.IsNegative() || !zeroOK && d.IsZero():
		return 0, false, "must be greater than zero"
	case !hasPlaces(d, 2):
		return 0, false, "must have at most 2 decimal places (no rounding is done)"
	case maxInt > 0 && intDigits(d) > maxInt:
		return 0, false, "must have at most " + strconv.Itoa(maxInt) + " integer digits"
	}
	return 0, false, ""
}
