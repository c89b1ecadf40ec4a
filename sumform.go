package robokassa

import (
	"html/template"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"
)

// pathFormFLS is Robokassa's script that renders the arbitrary-sum form
// (spec §3.4), under Config.AuthURL.
const pathFormFLS = "/Merchant/PaymentForm/FormFLS.js"

// SumForm is Robokassa's arbitrary-sum widget (seed 002, spec §3.4): a
// form, rendered by Robokassa's script, in which the buyer types the sum
// (a top-up, a donation). The shop signs the sum it suggests; the buyer
// may change it, and the ResultURL notification then carries the sum the
// buyer paid.
type SumForm struct {
	// DefaultSum is the sum pre-filled in the form: greater than zero with
	// at most 2 decimal places, sent and signed with exactly two
	// ("10.00").
	DefaultSum decimal.Decimal
	// InvID is the shop's invoice number. Zero lets Robokassa number the
	// payment; unlike on the payment page, it is then sent and signed as
	// "0" (the seed's own example).
	InvID int64
	// Description is shown to the buyer: at most 100 characters.
	Description string
	// Receipt is the 54-FZ receipt (signed); its lines must add up to
	// DefaultSum.
	Receipt *Receipt
	// Culture is the form's language: "ru", "en" or empty.
	Culture string
	// Shp holds user parameters keyed by the name after "Shp_" (signed),
	// as in [Payment.Shp].
	Shp map[string]string
}

// SumFormScriptURL returns the URL of Robokassa's arbitrary-sum script
// (AuthURL + "/Merchant/PaymentForm/FormFLS.js", spec §3.4) for f, signed
// MerchantLogin:DefaultSum:InvoiceID[:Receipt]:Password1[:Shp_*] — the
// receipt's slot is left out without a receipt. As the seed's example
// writes it, every signed value stands in the URL exactly as it is
// signed: the receipt's JSON and each Shp value URL-encoded once. In test
// mode it carries IsTest=1 and is signed with the test Password #1.
// Invalid input gives a [*ValidationError].
func (c *Client) SumFormScriptURL(f SumForm) (string, error) {
	if err := f.validate(); err != nil {
		return "", err
	}
	sum := formatOutSum(f.DefaultSum)
	id := strconv.FormatInt(f.InvID, 10)
	sig := newSignature(c.login, sum, id)
	var receipt string
	if f.Receipt != nil {
		receipt = encodeReceipt(f.Receipt)
		sig.set(modReceipt, receipt)
	}
	sig.password = c.keys().pass1
	pairs, err := validShpPairs(f.Shp, nil)
	if err != nil {
		return "", err
	}
	sig.shp = pairs

	var b strings.Builder
	b.WriteString(c.authURL + pathFormFLS + "?MerchantLogin=" + urlEncode(c.login) + "&DefaultSum=" + sum + "&InvoiceID=" + id)
	if f.Description != "" {
		b.WriteString("&Description=" + urlEncode(f.Description))
	}
	if receipt != "" {
		b.WriteString("&Receipt=" + receipt)
	}
	b.WriteString("&SignatureValue=" + sig.sign(c.alg))
	if f.Culture != "" {
		b.WriteString("&Culture=" + f.Culture)
	}
	if c.test {
		b.WriteString("&IsTest=1")
	}
	for _, p := range pairs {
		b.WriteString("&" + p.prefix + p.name + "=" + p.value)
	}
	return b.String(), nil
}

var sumFormTemplate = template.Must(template.New("sumform").Parse(`<script src="{{.}}"></script>`))

// SumForm returns the <script> element that shows Robokassa's
// arbitrary-sum form for f (see [Client.SumFormScriptURL]), its URL
// escaped by html/template.
func (c *Client) SumForm(f SumForm) (template.HTML, error) {
	src, err := c.SumFormScriptURL(f)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	if err := sumFormTemplate.Execute(&b, template.URL(src)); err != nil { //nolint:gosec // built above
		return "", err
	}
	return template.HTML(b.String()), nil //nolint:gosec // built by html/template
}

// validate checks every rule of spec §3.4 and §11 that can be checked
// before Robokassa sees the form.
func (f *SumForm) validate() error {
	if err := checkAmount("DefaultSum", f.DefaultSum, false, 0); err != nil {
		return err
	}
	if err := checkInvID("InvID", f.InvID, false); err != nil {
		return err
	}
	if err := checkDescription(f.Description); err != nil {
		return err
	}
	if err := checkCulture(f.Culture); err != nil {
		return err
	}
	if f.Receipt != nil {
		return f.Receipt.checkTotal("Receipt", f.DefaultSum, "DefaultSum")
	}
	return nil
}
