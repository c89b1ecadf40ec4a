package robokassa

import (
	"html/template"
	"net/url"
	"strconv"
	"strings"
	"time"

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
//
// Its strings live in an arena the caller provides (a stack array in
// practice): prepare appends each wire value to it and keeps a string view
// of the bytes appended. The arena is append-only, so a view is never
// overwritten; if it outgrows its start, views already taken keep the old
// backing. A link then costs one allocation: the link itself. (prepare
// returns the struct by value and takes the buffers as arguments so the
// compiler can keep them on the caller's stack.)
type preparedPayment struct {
	p       *Payment
	sig     signature
	outSum  string
	invID   string // empty when InvID is 0
	json    string // the receipt's compact JSON
	receipt string // the JSON URL-encoded once (spec §3.2)
	// receiptLen2 is the length of the JSON URL-encoded twice, as a GET
	// link carries it: the once-encoded length plus two for every '%'
	// and '+' in it.
	receiptLen2 int
	expires     string
	signature   string
}

// since returns the bytes of b appended after start as a string view.
func since(b []byte, start int) string { return bytesToString(b[start:len(b):len(b)]) }

// prepare validates p and computes its wire values and signature; arena
// and shp are scratch space the result refers to.
func (c *Client) prepare(p *Payment, arena []byte, shp []shpPair) (preparedPayment, error) {
	err := p.validate()
	if err != nil {
		return preparedPayment{}, err
	}
	pp := preparedPayment{p: p}
	start := len(arena)
	arena = appendFixed(arena, p.OutSum, 2)
	pp.outSum = since(arena, start)
	if p.InvID != 0 {
		start = len(arena)
		arena = strconv.AppendInt(arena, p.InvID, 10)
		pp.invID = since(arena, start)
	}
	// Modifiers are assigned directly rather than through signature.set:
	// a store through a pointer would move the scratch space to the heap.
	pp.sig = newSignature(c.login, pp.outSum, pp.invID)
	pp.sig.mods[modOutSumCurrency] = p.OutSumCurrency
	pp.sig.mods[modUserIP] = p.UserIP
	if p.Receipt != nil {
		start = len(arena)
		arena = p.Receipt.appendJSON(arena)
		pp.json = since(arena, start)
		start = len(arena)
		arena = appendURLEncode(arena, pp.json)
		pp.receipt = since(arena, start)
		pp.receiptLen2 = len(pp.receipt) + 2*(strings.Count(pp.receipt, "%")+strings.Count(pp.receipt, "+"))
		pp.sig.mods[modReceipt] = pp.receipt
	}
	if p.StepByStep {
		pp.sig.mods[modStepByStep] = "true"
	}
	pp.sig.mods[modResultURL2] = p.ResultURL2
	pp.sig.mods[modSuccessURL2] = p.SuccessURL2
	pp.sig.mods[modSuccessURL2Method] = p.SuccessURL2Method
	pp.sig.mods[modFailURL2] = p.FailURL2
	pp.sig.mods[modFailURL2Method] = p.FailURL2Method
	pp.sig.mods[modToken] = p.Token
	pp.sig.password = c.keys().pass1
	if pp.sig.shp, err = validShpPairs(p.Shp, shp); err != nil {
		return preparedPayment{}, err
	}
	if !p.ExpirationDate.IsZero() {
		start = len(arena)
		arena = p.ExpirationDate.AppendFormat(arena, isoOffset)
		pp.expires = since(arena, start)
	}
	start = len(arena)
	arena = pp.sig.appendSign(arena, c.alg)
	pp.signature = since(arena, start)
	return pp, nil
}

// scratch is the stack space one payment is prepared in.
type scratch struct {
	arena [2048]byte // a longer payment moves to the heap
	shp   [maxShpStack]shpPair
}

// isoOffset is ISO 8601 with a numeric offset, never "Z" (spec §3).
const isoOffset = "2006-01-02T15:04:05-07:00"

// validShpPairs checks the Shp names (checkShpPair) and returns the map as
// pairs sorted by name, values URL-encoded as Robokassa's SDK does (spec
// §3.2, §3.3), in one pass over the map.
func validShpPairs(m map[string]string, buf []shpPair) ([]shpPair, error) {
	if len(m) > maxShp {
		return nil, checkShp("Shp", m)
	}
	for k, v := range m {
		if err := checkShpPair("Shp", k, v); err != nil {
			return nil, err
		}
		buf = append(buf, shpPair{prefix: "Shp_", name: k, value: urlEncode(v)})
	}
	sortShp(buf)
	return buf, nil
}

// query writes the payment's fields, URL-encoded, in wire order. It runs
// twice per link: once measuring (b nil, n counts bytes) and once writing
// into a buffer of exactly that size. Values are only copied, never kept,
// which lets the prepared strings stay on the caller's stack.
type query struct {
	measure bool
	n       int
	b       []byte
}

func (q *query) sep() {
	if q.measure {
		q.n++
	} else if len(q.b) > 0 && q.b[len(q.b)-1] != '?' {
		q.b = append(q.b, '&')
	}
}

// field writes name=value (value URL-encoded); empty values are skipped.
func (q *query) field(prefix, name, value string) {
	if value != "" {
		q.param(prefix, name, value)
	}
}

// param writes name=value (value URL-encoded), even an empty one: an empty
// Shp_ value is signed ("Shp_note="), so it must be sent too. The buffer
// was sized by the measuring pass, so writing needs no checks.
func (q *query) param(prefix, name, value string) {
	q.sep()
	if q.measure {
		q.n += len(prefix) + len(name) + 1 + urlEncodedLen(value)
		return
	}
	q.b = append(q.b, prefix...)
	q.b = append(q.b, name...)
	q.b = append(q.b, '=')
	q.b = appendURLEncodeRoomy(q.b, value)
}

// safe writes name=value for a value made only of bytes URL encoding
// leaves alone (digits, hex, "true"), copying it as is. Empty values are
// skipped.
func (q *query) safe(name, value string) {
	if value == "" {
		return
	}
	q.sep()
	if q.measure {
		q.n += len(name) + 1 + len(value)
		return
	}
	q.b = append(q.b, name...)
	q.b = append(q.b, '=')
	q.b = append(q.b, value...)
}

// receipt writes Receipt= with the JSON encoded twice: once because the
// form value is the once-encoded JSON, once more as any query value
// (spec §3.2). len2 is the twice-encoded length.
func (q *query) receipt(json string, len2 int) {
	if json == "" {
		return
	}
	q.sep()
	if q.measure {
		q.n += len("Receipt=") + len2
		return
	}
	q.b = append(q.b, "Receipt="...)
	q.b = appendURLEncode2Roomy(q.b, json)
}

// write emits every field of the payment in wire order.
func (pp *preparedPayment) write(q *query, login string, test bool) {
	p := pp.p
	q.field("", "MerchantLogin", login)
	q.safe("OutSum", pp.outSum) // digits and '.'
	q.safe("InvId", pp.invID)
	q.field("", "Description", p.Description)
	q.safe("SignatureValue", pp.signature) // hex
	q.field("", "OutSumCurrency", p.OutSumCurrency)
	q.field("", "UserIp", p.UserIP)
	q.field("", "IncCurrLabel", p.IncCurrLabel)
	for _, m := range p.PaymentMethods {
		q.field("", "PaymentMethods", m)
	}
	q.field("", "Culture", p.Culture)
	q.field("", "Encoding", p.Encoding)
	q.field("", "Email", p.Email)
	q.field("", "ExpirationDate", pp.expires)
	q.receipt(pp.json, pp.receiptLen2)
	if p.StepByStep {
		q.safe("StepByStep", "true")
	}
	q.field("", "ResultUrl2", p.ResultURL2)
	q.field("", "SuccessUrl2", p.SuccessURL2)
	q.field("", "SuccessUrl2Method", p.SuccessURL2Method)
	q.field("", "FailUrl2", p.FailURL2)
	q.field("", "FailUrl2Method", p.FailURL2Method)
	q.field("", "Token", p.Token)
	if p.Recurring {
		q.safe("Recurring", "true")
	}
	if test {
		q.safe("IsTest", "1")
	}
	if p.IsWithoutFreeSale {
		q.safe("IsWithoutFreeSale", "true")
	}
	for _, s := range pp.sig.shp {
		q.param(s.prefix, s.name, s.value)
	}
}

// PaymentURL returns a signed GET link to the payment page
// (AuthURL + "/Merchant/Index.aspx"). The Receipt, once URL-encoded in the
// signature and field value, appears twice-encoded in the link (spec §3.2).
// Invalid input gives a [*ValidationError].
func (c *Client) PaymentURL(p Payment) (string, error) {
	return c.paymentURL(&p, c.authURL, pathIndex)
}

// CoFPaymentURL returns a signed GET link that charges a saved card
// (AuthURL + "/Merchant/Payment/CoFPayment", spec §7). p.Token, the OpKey
// of an earlier payment with that card, is required.
func (c *Client) CoFPaymentURL(p Payment) (string, error) {
	if p.Token == "" {
		return "", invalid("Token", "is required for a saved-card payment")
	}
	return c.paymentURL(&p, c.authURL, pathCoF)
}

// paymentURL returns base + path + "?" + the payment's query; with an
// empty base and path it returns the query alone. The link is measured
// first and then written: one allocation.
func (c *Client) paymentURL(p *Payment, base, path string) (string, error) {
	var sc scratch
	pp, err := c.prepare(p, sc.arena[:0], sc.shp[:0])
	if err != nil {
		return "", err
	}
	q := query{measure: true}
	pp.write(&q, c.login, c.test)
	q = query{b: make([]byte, 0, len(base)+len(path)+1+q.n+8)} // +8: the encoders' slack
	if base != "" || path != "" {
		q.b = append(q.b, base...)
		q.b = append(q.b, path...)
		q.b = append(q.b, '?')
	}
	pp.write(&q, c.login, c.test)
	return bytesToString(q.b), nil
}

// PaymentForm returns the signed fields of a POST to the payment page
// (AuthURL + "/Merchant/Index.aspx"): exactly what Robokassa reads from
// the GET link of [Client.PaymentURL] after decoding it. Post them with
// [url.Values.Encode] or render them as hidden inputs
// ([Client.PaymentButton] does).
func (c *Client) PaymentForm(p Payment) (url.Values, error) {
	qs, err := c.paymentURL(&p, "", "")
	if err != nil {
		return nil, err
	}
	return url.ParseQuery(qs)
}

// PaymentFormAction is the URL a payment form posts to.
func (c *Client) PaymentFormAction() string { return c.authURL + pathIndex }

var buttonTemplate = template.Must(template.New("button").Parse(
	`<form action="{{.Action}}" method="POST" accept-charset="UTF-8">` +
		`{{range .Fields}}<input type="hidden" name="{{.Name}}" value="{{.Value}}">{{end}}` +
		`<button type="submit">{{.Label}}</button></form>`))

// PaymentButton renders an HTML form that posts the payment to
// Robokassa's payment page, with a submit button showing label. Fields
// appear in wire order and every value is escaped by html/template.
func (c *Client) PaymentButton(p Payment, label string) (template.HTML, error) {
	qs, err := c.paymentURL(&p, "", "")
	if err != nil {
		return "", err
	}
	type input struct{ Name, Value string }
	data := struct {
		Action string
		Fields []input
		Label  string
	}{Action: c.PaymentFormAction(), Label: label}
	for _, kv := range strings.Split(qs, "&") {
		k, v, _ := strings.Cut(kv, "=")
		if v, err = url.QueryUnescape(v); err != nil {
			return "", err // cannot happen: the query was encoded above
		}
		data.Fields = append(data.Fields, input{k, v})
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
	var sc scratch
	pp, err := c.prepare(&p, sc.arena[:0], sc.shp[:0])
	if err != nil {
		return "", err
	}
	return pp.sig.masked(), nil // a fresh string: nothing refers to the arena
}

// validate checks every rule of spec §3 and §11 that can be checked
// before Robokassa sees the request. Shp names are checked while the
// pairs are built (validShpPairs).
func (p *Payment) validate() error {
	if err := checkAmount("OutSum", p.OutSum, false, 0); err != nil {
		return err
	}
	if err := checkInvID("InvID", p.InvID, false); err != nil {
		return err
	}
	if err := checkDescription(p.Description); err != nil {
		return err
	}
	if err := checkCulture(p.Culture); err != nil {
		return err
	}
	if p.Encoding != "" && !strings.EqualFold(p.Encoding, "utf-8") {
		return invalid("Encoding", `must be "utf-8" or empty`)
	}
	if err := checkCurrency(p.OutSumCurrency); err != nil {
		return err
	}
	if err := checkUserIP(p.UserIP); err != nil {
		return err
	}
	if p.Email != "" {
		if err := checkEmail("Email", p.Email); err != nil {
			return err
		}
	}
	if err := checkLabel("IncCurrLabel", p.IncCurrLabel); err != nil {
		return err
	}
	if err := checkLabels("PaymentMethods", p.PaymentMethods); err != nil {
		return err
	}
	if !p.ExpirationDate.IsZero() {
		if err := checkExpiration(p.ExpirationDate, time.Now()); err != nil {
			return err
		}
	}
	if err := checkResultURL2(p.ResultURL2); err != nil {
		return err
	}
	if err := checkRedirect("SuccessURL2", p.SuccessURL2, p.SuccessURL2Method); err != nil {
		return err
	}
	if err := checkRedirect("FailURL2", p.FailURL2, p.FailURL2Method); err != nil {
		return err
	}
	if err := checkToken(p.Token, p.Recurring, p.StepByStep); err != nil {
		return err
	}
	if p.Receipt != nil {
		return p.Receipt.checkTotal("Receipt", p.OutSum, "OutSum")
	}
	return nil
}
