package robokassa

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// This file holds one rule per wire field, shared by every request that
// carries the field (Payment, RecurringPayment, HoldCapture, Invoice,
// SumForm, SecondReceipt, RefundRequest): two copies of a rule drift. A
// rule returns a *ValidationError naming the field and the rule; it never
// fixes the value.

// checkInvID validates an InvId: a required one is positive, an optional
// one (zero: Robokassa numbers the payment) is never negative.
func checkInvID(field string, id int64, required bool) error {
	switch {
	case required && id <= 0:
		return invalid(field, "must be greater than zero")
	case id < 0:
		return invalid(field, "must not be negative")
	}
	return nil
}

// checkDescription applies Robokassa's rule for Description (spec §3):
// valid UTF-8, at most 100 characters, no control characters (a line
// break or NUL is not text the payment page can show).
func checkDescription(s string) error {
	if !utf8.ValidString(s) {
		return invalid("Description", "must be valid UTF-8")
	}
	if utf8.RuneCountInString(s) > 100 {
		return invalid("Description", "must be at most 100 characters")
	}
	if strings.ContainsFunc(s, unicode.IsControl) {
		return invalid("Description", "must not contain control characters such as line breaks")
	}
	return nil
}

// checkCulture accepts the payment page's languages (spec §3).
func checkCulture(s string) error {
	if s != "" && s != "ru" && s != "en" {
		return invalid("Culture", `must be "ru", "en" or empty`)
	}
	return nil
}

// checkEmail accepts an e-mail address: something before and after one
// '@'-separated domain part, at most 254 bytes, valid UTF-8, no spaces,
// control characters, quotes or backslashes (they would break the
// receipt's JSON or the form).
func checkEmail(field, s string) error {
	at := strings.LastIndexByte(s, '@')
	ok := at > 0 && at < len(s)-1 && len(s) <= 254 && utf8.ValidString(s)
	for i := 0; ok && i < len(s); i++ {
		if c := s[i]; c <= ' ' || c == 0x7f || c == '"' || c == '\\' {
			ok = false
		}
	}
	if !ok {
		return invalid(field, "must be an e-mail address")
	}
	return nil
}

// checkPhone accepts 7 to 15 digits with an optional leading '+'.
func checkPhone(field, s string) error {
	d := strings.TrimPrefix(s, "+")
	if _, ok := parseDigits(d); !ok || len(d) < 7 || len(d) > 15 {
		return invalid(field, "must be 7 to 15 digits with an optional leading '+' (79991234567)")
	}
	return nil
}

// checkExpiration accepts a deadline for paying that is still ahead:
// Robokassa answers a past one with error 33 (spec §3, §12).
func checkExpiration(t, now time.Time) error {
	if !t.IsZero() && !t.After(now) {
		return invalid("ExpirationDate", "must be in the future (a past deadline is error 33)")
	}
	return nil
}

// checkResultURL2 accepts the address of the JWS notification (spec §4.4).
func checkResultURL2(s string) error {
	if s != "" && !isAbsHTTP(s) {
		return invalid("ResultURL2", "must be an absolute http or https URL")
	}
	return nil
}

// checkRedirect validates a per-payment redirect and its method: both or
// neither, an absolute http(s) URL, GET or POST.
func checkRedirect(name, u, method string) error {
	switch {
	case u == "" && method == "":
		return nil
	case u == "":
		return invalid(name, "is required when "+name+"Method is set")
	case method == "":
		return invalid(name+"Method", "is required when "+name+" is set")
	case method != "GET" && method != "POST":
		return invalid(name+"Method", `must be "GET" or "POST"`)
	case !isAbsHTTP(u):
		return invalid(name, "must be an absolute http or https URL")
	}
	return nil
}

// checkToken validates a saved-card token (spec §7): valid UTF-8 without
// control characters, and not with Recurring or StepByStep.
func checkToken(s string, recurring, stepByStep bool) error {
	switch {
	case s == "":
		return nil
	case !utf8.ValidString(s) || strings.ContainsFunc(s, unicode.IsControl):
		return invalid("Token", "must be valid UTF-8 without control characters")
	case recurring:
		return invalid("Token", "cannot be combined with Recurring (spec §7)")
	case stepByStep:
		return invalid("Token", "cannot be combined with StepByStep (spec §7)")
	}
	return nil
}

// checkShp validates a map of user parameters (spec §3.3): at most maxShp
// of them, each by checkShpPair.
func checkShp(field string, m map[string]string) error {
	if len(m) > maxShp {
		return invalid(field, "must hold at most "+strconv.Itoa(maxShp)+" parameters (a notification carrying more is refused as implausible)")
	}
	for k, v := range m {
		if err := checkShpPair(field, k, v); err != nil {
			return err
		}
	}
	return nil
}

// checkShpPair validates one user parameter: the name, given without the
// "Shp_" prefix the package adds, is Latin letters, digits and '_'; the
// value is valid UTF-8.
func checkShpPair(field, k, v string) error {
	switch {
	case k == "":
		return invalid(field, "parameter names must not be empty")
	case !isShpName(k):
		return invalid(field+"["+strconv.Quote(k)+"]", "name must be Latin letters, digits and '_' only")
	case len(k) >= 4 && strings.EqualFold(k[:4], "shp_"):
		return invalid(field+"["+strconv.Quote(k)+"]", `name is given without the "Shp_" prefix, which the package adds`)
	case !utf8.ValidString(v):
		return invalid(field+"["+strconv.Quote(k)+"]", "value must be valid UTF-8")
	}
	return nil
}

// checkLabel accepts empty or a payment-method label: letters, digits,
// '_', '-' and '.'.
func checkLabel(field, s string) error {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-' || c == '.') {
			return invalid(field, "must be Latin letters, digits, '_', '-' or '.'")
		}
	}
	return nil
}

// checkLabels validates a list of labels, none empty.
func checkLabels(field string, labels []string) error {
	for i, s := range labels {
		f := field + "[" + strconv.Itoa(i) + "]"
		if s == "" {
			return invalid(f, "must not be empty")
		}
		if err := checkLabel(f, s); err != nil {
			return err
		}
	}
	return nil
}

// checkCurrency accepts OutSumCurrency: three capital letters (spec §3).
func checkCurrency(s string) error {
	if s != "" && !(len(s) == 3 && isUpper(s[0]) && isUpper(s[1]) && isUpper(s[2])) {
		return invalid("OutSumCurrency", "must be a three-letter currency code such as USD, EUR or KZT")
	}
	return nil
}

func isUpper(c byte) bool { return 'A' <= c && c <= 'Z' }

// checkUserIP accepts the buyer's IPv4 or IPv6 address (spec §3).
func checkUserIP(s string) error {
	if s == "" {
		return nil
	}
	if _, err := netip.ParseAddr(s); err != nil {
		return invalid("UserIP", "must be an IPv4 or IPv6 address")
	}
	return nil
}

// checkIssuedID validates an opaque identifier Robokassa or the shop
// issued (OpKey, refund request id, receipt id): required, no whitespace
// or control characters.
func checkIssuedID(field, s string) error {
	if s == "" {
		return invalid(field, "is required")
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c == 0x7f {
			return invalid(field, "must not contain whitespace or control characters")
		}
	}
	return nil
}

// checkInvoiceKey accepts empty or printable ASCII without spaces or
// '/', at most 200 bytes: an identifier of a payment link.
func checkInvoiceKey(field, s string) error {
	if len(s) > 200 {
		return invalid(field, "must be at most 200 characters")
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c > '~' || c == '/' {
			return invalid(field, "must be printable ASCII without spaces or '/'")
		}
	}
	return nil
}

// tokenRule is the rule of an enumeration value: the types are open, so
// any value of the documented shape is accepted (spec §11).
const tokenRule = "must be lowercase letters, digits, '_' or '-'"

// isToken reports whether s is empty or an enum-like token.
func isToken(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// notInTestMode is ErrNotInTestMode for the call op: Robokassa has no
// test mode for it (spec §13), so nothing was sent.
func notInTestMode(op string) error {
	return fmt.Errorf("%w: %s", ErrNotInTestMode, op)
}
