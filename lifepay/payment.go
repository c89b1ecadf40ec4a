package lifepay

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"
)

// Payment is one payment started at Life-Pay's /alba/input/ (§1). Cost
// and Name are required; every other field is sent only when set.
type Payment struct {
	// Cost is the amount in rubles: greater than zero, at most 2 decimal
	// places, sent and signed as one string with exactly two ("100.50").
	Cost decimal.Decimal
	// Name describes what is paid for; shown on the payment page. At most
	// 128 characters.
	Name string
	// Email is the buyer's e-mail. Required when Recurring.
	Email string
	// Phone is the buyer's phone number (phone_number), country code
	// first, digits only: "74951234567".
	Phone string
	// OrderID is the shop's order number: at most 64 Latin letters and
	// digits, at least 6 when Recurring. Life-Pay refuses a second
	// transaction with the same OrderID, so a link that may be opened
	// twice needs a fresh one each time (§1).
	OrderID string
	// Comment is for the shop's own use, never shown to the buyer: at
	// most 512 characters.
	Comment string
	// InvoiceData is the 54-FZ receipt (invoice_data), sent as JSON (§1).
	InvoiceData *Receipt
	// TargetSerial is the serial number of the receipt printer to use
	// (target_serial).
	TargetSerial string
	// CustomFields is passed on to the payment channel as a JSON object
	// (custom_fields, §1).
	CustomFields map[string]string
	// SuccessURL and ErrorURL replace the service's redirect addresses for
	// this payment (url_success, url_error): absolute http or https URLs.
	SuccessURL string
	ErrorURL   string
	// ExpirationDate is the deadline for paying. It is sent in Moscow time
	// as YYYY-MM-DDThh:mm, so it must be a whole minute (§1); use
	// t.Truncate(time.Minute) to drop the seconds knowingly.
	ExpirationDate time.Time
	// Recurring starts a recurring series: it sends recurrent_type=first
	// and requires Email and an OrderID of at least 6 characters (§1).
	Recurring bool
}

// PaymentURL returns a signed GET link to BaseURL + /alba/input/ (§1),
// signed with METHOD GET (§2) under API 2.0 or with MD5 (§3) under API
// 1.0. Only the parameters that are set are sent; the query is exactly
// the canonical query of §2 followed by &check=…, so what is signed is
// byte for byte what is sent. Invalid input gives a [*ValidationError].
func (c *Client) PaymentURL(p Payment) (string, error) {
	w, err := c.prepare(&p)
	if err != nil {
		return "", err
	}
	// The signed text ends with the canonical query; the link is built
	// from those very bytes.
	sts := c.stringToSign(http.MethodGet, w)
	query := sts[len(http.MethodGet)+len(c.inputHost)+len(c.inputPath)+3:]
	check := c.check(&p, w, sts)
	var b strings.Builder
	b.Grow(len(c.inputURL) + 1 + len(query) + len("&check=") + escapedLen(check))
	b.WriteString(c.inputURL)
	b.WriteByte('?')
	b.Write(query)
	b.WriteString("&check=")
	b.Write(appendEscape(make([]byte, 0, escapedLen(check)), check))
	return b.String(), nil
}

// PaymentForm returns the same parameters as [Client.PaymentURL] for a
// POST to [Client.PaymentFormAction], signed with METHOD POST under API
// 2.0. Render them as hidden inputs (html/template escapes the values,
// and the browser sends them back unescaped) or post them with
// [url.Values.Encode].
func (c *Client) PaymentForm(p Payment) (url.Values, error) {
	w, err := c.prepare(&p)
	if err != nil {
		return nil, err
	}
	v := make(url.Values, len(w.params)+1)
	for _, kv := range w.params {
		v.Set(kv.name, kv.value)
	}
	var sts []byte // API 1.0 signs no canonical query
	if c.version == V2 {
		sts = c.stringToSign(http.MethodPost, w)
	}
	v.Set("check", c.check(&p, w, sts))
	return v, nil
}

// wirePayment is a validated payment's wire parameters, sorted by name
// (§2), and its cost as sent: every value here is both signed and sent.
type wirePayment struct {
	params []param
	cost   string
}

// stringToSign is the text §2 signs for the payment sent with method.
func (c *Client) stringToSign(method string, w wirePayment) []byte {
	return stringToSign(method, c.inputHost, c.inputPath, w.params)
}

// check signs the payment: §2 over sts under API 2.0, §3 under API 1.0.
func (c *Client) check(p *Payment, w wirePayment, sts []byte) string {
	if c.version == V1 {
		return signV1(c.secret(), c.key, w.cost, p.Name, p.Email, p.OrderID, p.Comment, "")
	}
	return signV2(c.secret(), sts)
}

// prepare validates p and computes its wire parameters.
func (c *Client) prepare(p *Payment) (wirePayment, error) {
	if err := p.validate(); err != nil {
		return wirePayment{}, err
	}
	cost := fixed2(p.Cost)
	out := make([]param, 0, 16)
	add := func(name, value string) {
		if value != "" {
			out = append(out, param{name, value})
		}
	}
	if c.version == V2 {
		add("service_id", c.serviceID)
		add("version", string(V2))
	} else {
		add("key", c.key)
	}
	add("cost", cost)
	add("name", p.Name)
	add("email", p.Email)
	add("phone_number", p.Phone)
	add("order_id", p.OrderID)
	add("comment", p.Comment)
	if p.InvoiceData != nil {
		add("invoice_data", string(p.InvoiceData.appendJSON(nil)))
	}
	add("target_serial", p.TargetSerial)
	if len(p.CustomFields) > 0 {
		add("custom_fields", customFieldsJSON(p.CustomFields))
	}
	add("url_success", p.SuccessURL)
	add("url_error", p.ErrorURL)
	if !p.ExpirationDate.IsZero() {
		add("expiration_date", p.ExpirationDate.In(moscow).Format(expirationLayout))
	}
	if p.Recurring {
		add("recurrent_type", "first")
	}
	sortParams(out)
	return wirePayment{out, cost}, nil
}

// expirationLayout is expiration_date's format (§1).
const expirationLayout = "2006-01-02T15:04"

// customFieldsJSON renders the custom fields as a JSON object with keys in
// byte order, strings escaped by [appendJSONString] (§1).
func customFieldsJSON(m map[string]string) string {
	keys := make([]param, 0, len(m))
	for k, v := range m {
		keys = append(keys, param{k, v})
	}
	sortParams(keys)
	b := []byte{'{'}
	for i, kv := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, kv.name)
		b = append(b, ':')
		b = appendJSONString(b, kv.value)
	}
	return string(append(b, '}'))
}

// Limits of §1, in characters.
const (
	maxName         = 128
	maxOrderID      = 64
	maxComment      = 512
	minRecurOrderID = 6
	maxPhone        = 15
	maxSerial       = 64
)

// validate checks every rule of §1 that can be checked before Life-Pay
// sees the payment.
func (p *Payment) validate() error {
	if reason := amountRule(p.Cost, 2, true); reason != "" {
		return invalid("Cost", reason)
	}
	if err := checkText("Name", p.Name, maxName); err != nil {
		return err
	}
	if strings.TrimSpace(p.Name) == "" {
		return invalid("Name", "is required")
	}
	if p.Email == "" && p.Recurring {
		return invalid("Email", "is required for a recurring payment")
	}
	if p.Email != "" && !looksLikeEmail(p.Email) {
		return invalid("Email", "must be an e-mail address")
	}
	if p.Phone != "" && (len(p.Phone) > maxPhone || !allDigits(p.Phone)) {
		return invalid("Phone", "must be 1 to 15 digits, country code first (74951234567)")
	}
	if len(p.OrderID) > maxOrderID {
		return invalid("OrderID", "must be at most 64 characters")
	}
	for i := 0; i < len(p.OrderID); i++ {
		if c := p.OrderID[i]; !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9') {
			return invalid("OrderID", "must be Latin letters and digits only")
		}
	}
	if p.Recurring && len(p.OrderID) < minRecurOrderID {
		return invalid("OrderID", "must be at least 6 characters for a recurring payment")
	}
	if err := checkText("Comment", p.Comment, maxComment); err != nil {
		return err
	}
	if p.InvoiceData != nil {
		if err := p.InvoiceData.validate("InvoiceData"); err != nil {
			return err
		}
	}
	if err := checkText("TargetSerial", p.TargetSerial, maxSerial); err != nil {
		return err
	}
	if strings.ContainsFunc(p.TargetSerial, isControl) {
		return invalid("TargetSerial", "must not contain control characters")
	}
	for k, v := range p.CustomFields {
		if k == "" || !utf8.ValidString(k) {
			return invalid("CustomFields", "keys must be non-empty valid UTF-8")
		}
		if !utf8.ValidString(v) {
			return invalid("CustomFields["+k+"]", "must be valid UTF-8")
		}
	}
	if err := checkRedirect("SuccessURL", p.SuccessURL); err != nil {
		return err
	}
	if err := checkRedirect("ErrorURL", p.ErrorURL); err != nil {
		return err
	}
	if !p.ExpirationDate.IsZero() {
		t := p.ExpirationDate.In(moscow)
		if t.Second() != 0 || t.Nanosecond() != 0 {
			return invalid("ExpirationDate", "must be a whole minute: the wire format YYYY-MM-DDThh:mm has no seconds (use Truncate(time.Minute))")
		}
		if t.Year() < 1 || t.Year() > 9999 {
			return invalid("ExpirationDate", "must be in the years 1 to 9999")
		}
	}
	return nil
}

// checkText accepts valid UTF-8 of at most max characters.
func checkText(field, s string, max int) error {
	if !utf8.ValidString(s) {
		return invalid(field, "must be valid UTF-8")
	}
	if len(s) > max && utf8.RuneCountInString(s) > max {
		return invalid(field, "must be at most "+strconv.Itoa(max)+" characters")
	}
	return nil
}

// looksLikeEmail accepts local@domain with both parts present and no
// spaces or control characters.
func looksLikeEmail(s string) bool {
	at := strings.LastIndexByte(s, '@')
	return at > 0 && at < len(s)-1 && utf8.ValidString(s) &&
		!strings.ContainsFunc(s, func(r rune) bool { return r == ' ' || isControl(r) })
}

// checkRedirect accepts empty or an absolute URL that starts with
// http:// or https:// (§1).
func checkRedirect(field, s string) error {
	if s == "" {
		return nil
	}
	if !strings.HasPrefix(s, "http://") && !strings.HasPrefix(s, "https://") {
		return invalid(field, "must start with http:// or https://")
	}
	if _, err := absHTTP(s); err != nil {
		return invalid(field, "must be an absolute http or https URL")
	}
	return nil
}
