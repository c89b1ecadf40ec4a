package lifepay

import (
	"strconv"

	"github.com/shopspring/decimal"
)

// maxIntDigits bounds every amount and quantity the package renders: at
// most 12 digits before the decimal point. It is the package's sanity
// bound, not a Life-Pay rule: it keeps a mistaken value from becoming an
// enormous string (§1).
const maxIntDigits = 12

// amountRule returns the rule an amount d breaks, or "": at most places
// decimal places, at most maxIntDigits integer digits, and greater than
// zero (positive) or not negative. It never rounds; it only looks at the
// coefficient and exponent, so an extreme exponent costs nothing.
func amountRule(d decimal.Decimal, places int, positive bool) string {
	switch {
	case positive && d.Sign() <= 0:
		return "must be greater than zero"
	case d.Sign() < 0:
		return "must not be negative"
	case d.Sign() == 0:
		return ""
	case !hasPlaces(d, places):
		return "must have at most " + strconv.Itoa(places) + " decimal places; nothing is rounded"
	case d.NumDigits()+int(d.Exponent()) > maxIntDigits:
		return "must have at most 12 digits before the decimal point"
	}
	return ""
}

// hasPlaces reports whether the non-zero d has at most places significant
// fractional digits (1.500 has one). It looks only at the exponent and, for
// a short coefficient, its trailing zeros.
func hasPlaces(d decimal.Decimal, places int) bool {
	exp := int(d.Exponent())
	if exp >= -places {
		return true
	}
	// More fractional digits than allowed are written: they must all be
	// zeros. A coefficient longer than 18 digits is checked digit by digit
	// through its string form, which exists only for such rare values.
	extra := -places - exp
	if d.NumDigits() <= 18 {
		c := d.CoefficientInt64()
		for ; extra > 0; extra-- {
			if c%10 != 0 {
				return false
			}
			c /= 10
		}
		return true
	}
	s := d.Coefficient().String()
	if extra > len(s) {
		return false
	}
	for _, ch := range s[len(s)-extra:] {
		if ch != '0' {
			return false
		}
	}
	return true
}

// fixed2 renders a checked amount with exactly two decimals ("100.50").
// The caller has checked [amountRule], so nothing is rounded.
func fixed2(d decimal.Decimal) string { return string(appendFixed2(nil, d)) }

// appendFixed2 appends a checked amount with exactly two decimals. An
// amount whose kopecks fit an int64 (every amount [amountRule] accepts
// with a short coefficient) is written without math/big.
func appendFixed2(dst []byte, d decimal.Decimal) []byte {
	n, e := d.NumDigits(), int(d.Exponent())
	switch {
	case d.IsZero():
		return append(dst, "0.00"...)
	case n > 18 || n+e+2 > 18 || e < -20:
		return append(dst, d.StringFixed(2)...)
	}
	kop := d.CoefficientInt64()
	for e := d.Exponent(); e < -2; e++ {
		kop /= 10 // only zeros go: amountRule allows two places
	}
	for e := d.Exponent(); e > -2; e-- {
		kop *= 10
	}
	if kop < 0 {
		dst = append(dst, '-')
		kop = -kop
	}
	dst = strconv.AppendInt(dst, kop/100, 10)
	return append(dst, '.', byte('0'+kop/10%10), byte('0'+kop%10))
}
