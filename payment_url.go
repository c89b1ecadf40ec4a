package robokassa

import (
	"html/template"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"
)

// Payment is one payment request to Robokassa's payment page
// (Merchant/Index.aspx, spec §3). Only OutSum is required.
type Payment struct {
	// OutSum is the amount, greater than zero with at most 2 decimal
	// places. It is sent and signed as one string with exactly two
	// decimals ("990.00").
	OutSum decimal.Decimal
	// InvID is the shop's unique invoice number (see [NewInvID]). Zero
	// lets Robokassa assign one; the signature then keeps an empty slot.
	InvID int64
	// Description is shown to the buyer: at most 100 characters.
	Description string
	// Email prefills the buyer's e-mail.
	Email string
	// Culture is the page language: "ru", "en" or empty.
	Culture string
	// Encoding is the request encoding: "utf-8" or empty.
	Encoding string
	// IncCurrLabel preselects a payment method (a label from
	// [Client.Currencies]).
	IncCurrLabel string
	// PaymentMethods restricts the methods offered; it wins over
	// IncCurrLabel.
	PaymentMethods []string
	// ExpirationDate is the deadline for paying; sent as ISO 8601 with the
	// time's own offset.
	ExpirationDate time.Time
	// OutSumCurrency states that OutSum is in USD, EUR or KZT (signed).
	OutSumCurrency string
	// UserIP is the buyer's IP address, for anti-fraud (signed).
	UserIP string
	// Receipt is the 54-FZ fiscal receipt (signed). Its lines must add up
	// to OutSum.
	Receipt *Receipt
	// StepByStep starts a two-stage payment (hold), spec §6 (signed).
	StepByStep bool
	// ResultURL2 receives the JWS notification of spec §4.4 (signed).
	ResultURL2 string
	// SuccessURL2 and SuccessURL2Method override the success redirect
	// (signed; both or neither; method GET or POST).
	SuccessURL2       string
	SuccessURL2Method string
	// FailURL2 and FailURL2Method override the fail redirect (signed; both
	// or neither).
	FailURL2       string
	FailURL2Method string
	// Token is a saved-card token (the OpKey of an earlier payment), spec
	// §7 (signed).
	Token string
	// Recurring marks the parent payment of a recurring series (spec §5).
	Recurring bool
	// IsWithoutFreeSale asks Robokassa not to issue a "free sale" receipt.
	IsWithoutFreeSale bool
	// Shp holds user parameters, keyed by the name after "Shp_":
	// {"order": "12"} is sent as Shp_order=12. Names are [A-Za-z0-9_]+;
	// prefer lower-case names that are not prefixes of one another
	// (spec §3.3). Robokassa returns them in every notification.
	Shp map[string]string
}

// Payment-page and API paths under Config.AuthURL.
const (
	pathIndex = "/Merchant/Index.aspx"
	pathCoF   = "/Merchant/Payment/CoFPayment"
)

// maxShpStack is how many Shp pairs are sorted without allocating.
const maxShpStack = 8

// preparedPayment is a validated payment with every wire value computed
// once: the strings here are both signed and sent.
type preparedPayment struct {
	p         *Payment
	sig       signature
	outSum    string
	invID     string // empty when InvID is 0
	receipt   string // URL-encoded once (spec §3.2)
	expires   string
	signature string
	shpBuf    [maxShpStack]shpPair
}

// field is one form field in wire order.
type field struct{ name, value string }

// prepare validates p and computes its wire values and signature.
func (c *Client) prepare(p *Payment, pp *preparedPayment) error {
	if err := p.validate(); err != nil {
		return err
	}
	pp.p = p
	pp.outSum = formatOutSum(p.OutSum)
	if p.InvID != 0 {
		pp.invID = strconv.FormatInt(p.InvID, 10)
	}
	pp.sig = newSignature(c.login, pp.outSum, pp.invID)
	pp.sig.set(modOutSumCurrency, p.OutSumCurrency)
	pp.sig.set(modUserIP, p.UserIP)
	if p.Receipt != nil {
		pp.receipt = encodeReceipt(p.Receipt)
		pp.sig.set(modReceipt, pp.receipt)
	}
	if p.StepByStep {
		pp.sig.set(modStepByStep, "true")
	}
	pp.sig.set(modResultURL2, p.ResultURL2)
	pp.sig.set(modSuccessURL2, p.SuccessURL2)
	pp.sig.set(modSuccessURL2Method, p.SuccessURL2Method)
	pp.sig.set(modFailURL2, p.FailURL2)
	pp.sig.set(modFailURL2Method, p.FailURL2Method)
	pp.sig.set(modToken, p.Token)
	pp.sig.password = c.pass1
	pp.sig.shp = shpPairs(p.Shp, pp.shpBuf[:0])
	if !p.ExpirationDate.IsZero() {
		pp.expires = p.ExpirationDate.Format(isoOffset)
	}
	pp.signature = pp.sig.sign(c.alg)
	return nil
}

// isoOffset is ISO 8601 with a numeric offset, never "Z" (spec §3).
const isoOffset = "2006-01-02T15:04:05-07:00"

// shpPairs returns the Shp map as sorted pairs with values URL-encoded as
// Robokassa's SDK does (spec §3.2, §3.3).
func shpPairs(m map[string]string, buf []shpPair) []shpPair {
	for k, v := range m {
		buf = append(buf, shpPair{name: "Shp_" + k, value: urlEncode(v)})
	}
	sortShp(buf)
	return buf
}

// fields appends the payment's form fields in wire order.
func (pp *preparedPayment) fields(dst []field, login string, test bool) []field {
	p := pp.p
	dst = append(dst, field{"MerchantLogin", login}, field{"OutSum", pp.outSum})
	if pp.invID != "" {
		dst = append(dst, field{"InvId", pp.invID})
	}
	opt := func(name, value string) {
		if value != "" {
			dst = append(dst, field{name, value})
		}
	}
	opt("Description", p.Description)
	opt("SignatureValue", pp.signature)
	opt("OutSumCurrency", p.OutSumCurrency)
	opt("UserIp", p.UserIP)
	opt("IncCurrLabel", p.IncCurrLabel)
	for _, m := range p.PaymentMethods {
		opt("PaymentMethods", m)
	}
	opt("Culture", p.Culture)
	opt("Encoding", p.Encoding)
	opt("Email", p.Email)
	opt("ExpirationDate", pp.expires)
	opt("Receipt", pp.receipt)
	if p.StepByStep {
		opt("StepByStep", "true")
	}
	opt("ResultUrl2", p.ResultURL2)
	opt("SuccessUrl2", p.SuccessURL2)
	opt("SuccessUrl2Method", p.SuccessURL2Method)
	opt("FailUrl2", p.FailURL2)
	opt("FailUrl2Method", p.FailURL2Method)
	opt("Token", p.Token)
	if p.Recurring {
		opt("Recurring", "true")
	}
	if test {
		opt("IsTest", "1")
	}
	if p.IsWithoutFreeSale {
		opt("IsWithoutFreeSale", "true")
	}
	for _, s := range pp.sig.shp {
		dst = append(dst, field{s.name, s.value})
	}
	return dst
}

// PaymentURL returns a signed GET link to the payment page
// (AuthURL + "/Merchant/Index.aspx"). The Receipt, once URL-encoded in the
// signature and field value, appears twice-encoded in the link (spec §3.2).
// Invalid input gives a [*ValidationError].
func (c *Client) PaymentURL(p Payment) (string, error) {
	return c.paymentURL(&p, pathIndex)
}

// CoFPaymentURL returns a signed GET link that charges a saved card
// (AuthURL + "/Merchant/Payment/CoFPayment", spec §7). p.Token, the OpKey
// of an earlier payment with that card, is required.
func (c *Client) CoFPaymentURL(p Payment) (string, error) {
	if p.Token == "" {
		return "", invalid("Token", "is required for a saved-card payment")
	}
	return c.paymentURL(&p, pathCoF)
}

func (c *Client) paymentURL(p *Payment, path string) (string, error) {
	var pp preparedPayment
	if err := c.prepare(p, &pp); err != nil {
		return "", err
	}
	var fbuf [32]field
	fs := pp.fields(fbuf[:0], c.login, c.test)
	n := len(c.authURL) + len(path) + 1
	for _, f := range fs {
		n += len(f.name) + 2 + 3*len(f.value)
	}
	var b strings.Builder
	b.Grow(n)
	b.WriteString(c.authURL)
	b.WriteString(path)
	var tmp [256]byte
	for i, f := range fs {
		if i == 0 {
			b.WriteByte('?')
		} else {
			b.WriteByte('&')
		}
		b.WriteString(f.name)
		b.WriteByte('=')
		if len(f.value) <= len(tmp)/3 {
			b.Write(appendURLEncode(tmp[:0], f.value))
		} else {
			b.Write(appendURLEncode(nil, f.value))
		}
	}
	return b.String(), nil
}

// PaymentForm returns the signed fields of a POST to the payment page
// (AuthURL + "/Merchant/Index.aspx"), as Robokassa must receive them after
// form decoding: post them with [url.Values.Encode] or render them as
// hidden inputs ([Client.PaymentButton] does).
func (c *Client) PaymentForm(p Payment) (url.Values, error) {
	var pp preparedPayment
	if err := c.prepare(&p, &pp); err != nil {
		return nil, err
	}
	var fbuf [32]field
	v := make(url.Values, 16)
	for _, f := range pp.fields(fbuf[:0], c.login, c.test) {
		v[f.name] = append(v[f.name], f.value)
	}
	return v, nil
}

// PaymentFormAction is the URL a payment form posts to.
func (c *Client) PaymentFormAction() string { return c.authURL + pathIndex }

var buttonTemplate = template.Must(template.New("button").Parse(
	`<form action="{{.Action}}" method="POST" accept-charset="UTF-8">` +
		`{{range .Fields}}<input type="hidden" name="{{.Name}}" value="{{.Value}}">{{end}}` +
		`<button type="submit">{{.Label}}</button></form>`))

// PaymentButton renders an HTML form that posts the payment to
// Robokassa's payment page, with a submit button showing label. Every
// value is escaped by html/template.
func (c *Client) PaymentButton(p Payment, label string) (template.HTML, error) {
	var pp preparedPayment
	if err := c.prepare(&p, &pp); err != nil {
		return "", err
	}
	var fbuf [32]field
	type input struct{ Name, Value string }
	data := struct {
		Action string
		Fields []input
		Label  string
	}{Action: c.PaymentFormAction(), Label: label}
	for _, f := range pp.fields(fbuf[:0], c.login, c.test) {
		data.Fields = append(data.Fields, input{f.name, f.value})
	}
	var b strings.Builder
	if err := buttonTemplate.Execute(&b, data); err != nil {
		return "", err
	}
	return template.HTML(b.String()), nil //nolint:gosec // built by html/template
}

// SignatureBase returns the string a payment's signature is computed over,
// with the password replaced by "[password]". Compare it with what
// Robokassa's documentation expects when the payment page answers
// "error 29".
func (c *Client) SignatureBase(p Payment) (string, error) {
	var pp preparedPayment
	if err := c.prepare(&p, &pp); err != nil {
		return "", err
	}
	return pp.sig.masked(), nil
}

// validate checks every rule of spec §3 and §11 that can be checked
// before Robokassa sees the request.
func (p *Payment) validate() error {
	if err := checkAmount("OutSum", p.OutSum, false, 0); err != nil {
		return err
	}
	if p.InvID < 0 {
		return invalid("InvID", "must not be negative")
	}
	if !utf8.ValidString(p.Description) {
		return invalid("Description", "must be valid UTF-8")
	}
	if utf8.RuneCountInString(p.Description) > 100 {
		return invalid("Description", "must be at most 100 characters")
	}
	if p.Culture != "" && p.Culture != "ru" && p.Culture != "en" {
		return invalid("Culture", `must be "ru", "en" or empty`)
	}
	if p.Encoding != "" && !strings.EqualFold(p.Encoding, "utf-8") {
		return invalid("Encoding", `must be "utf-8" or empty`)
	}
	if p.OutSumCurrency != "" && !isUpper3(p.OutSumCurrency) {
		return invalid("OutSumCurrency", "must be a three-letter currency code such as USD, EUR or KZT")
	}
	if p.UserIP != "" {
		if _, err := netip.ParseAddr(p.UserIP); err != nil {
			return invalid("UserIP", "must be an IPv4 or IPv6 address")
		}
	}
	if p.Email != "" && (!strings.Contains(p.Email, "@") || strings.ContainsAny(p.Email, " \t\r\n")) {
		return invalid("Email", "must be an e-mail address")
	}
	if err := checkLabel("IncCurrLabel", p.IncCurrLabel); err != nil {
		return err
	}
	for i, m := range p.PaymentMethods {
		if m == "" {
			return invalid("PaymentMethods["+strconv.Itoa(i)+"]", "must not be empty")
		}
		if err := checkLabel("PaymentMethods["+strconv.Itoa(i)+"]", m); err != nil {
			return err
		}
	}
	if p.ResultURL2 != "" && !isAbsHTTP(p.ResultURL2) {
		return invalid("ResultURL2", "must be an absolute http or https URL")
	}
	if err := checkRedirect("SuccessURL2", p.SuccessURL2, p.SuccessURL2Method); err != nil {
		return err
	}
	if err := checkRedirect("FailURL2", p.FailURL2, p.FailURL2Method); err != nil {
		return err
	}
	if p.Recurring && p.IncCurrLabel != "" {
		return invalid("IncCurrLabel", "must be empty for a recurring payment (spec §5)")
	}
	if p.Recurring && !p.ExpirationDate.IsZero() {
		return invalid("ExpirationDate", "must be empty for a recurring payment (spec §5)")
	}
	if p.Token != "" && p.Recurring {
		return invalid("Token", "cannot be combined with Recurring (spec §7)")
	}
	if p.Token != "" && p.StepByStep {
		return invalid("Token", "cannot be combined with StepByStep (spec §7)")
	}
	if strings.ContainsAny(p.Token, "\x00\r\n") {
		return invalid("Token", "must not contain control characters")
	}
	if err := checkShp(p.Shp); err != nil {
		return err
	}
	if p.Receipt != nil {
		if err := p.Receipt.validate("Receipt"); err != nil {
			return err
		}
		if !p.Receipt.sumsTo(p.OutSum) {
			return invalid("Receipt.Items", "line totals must add up to OutSum")
		}
	}
	return nil
}

func isUpper3(s string) bool {
	return len(s) == 3 && 'A' <= s[0] && s[0] <= 'Z' && 'A' <= s[1] && s[1] <= 'Z' && 'A' <= s[2] && s[2] <= 'Z'
}

// checkLabel accepts empty or a label of letters, digits, '_', '-' and '.'.
func checkLabel(name, s string) error {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-' || c == '.') {
			return invalid(name, "must be letters, digits, '_', '-' or '.'")
		}
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

// checkShp validates Shp names: [A-Za-z0-9_]+ after the prefix (spec §3.3).
func checkShp(m map[string]string) error {
	for k, v := range m {
		if k == "" {
			return invalid("Shp", "parameter names must not be empty")
		}
		for i := 0; i < len(k); i++ {
			c := k[i]
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_') {
				return invalid("Shp["+strconv.Quote(k)+"]", "name must be letters, digits and '_' only")
			}
		}
		if !utf8.ValidString(v) {
			return invalid("Shp["+strconv.Quote(k)+"]", "value must be valid UTF-8")
		}
	}
	return nil
}
