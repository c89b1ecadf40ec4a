package robokassatest

import (
	"bytes"
	"encoding/json"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/shopspring/decimal"
)

// The arbitrary-sum widget (spec §3.4, seed 002): the shop's page loads
// Merchant/PaymentForm/FormFLS.js with a signed query, the script writes a
// form whose sum the buyer may change, and the form posts to the
// emulator's Merchant/PaymentForm/Submit, which creates the operation with
// the chosen sum and shows the payment page.

// formFLSBase is what the widget's signature covers:
// MerchantLogin:DefaultSum:InvoiceID[:Receipt]:Password1[:Shp_*]. The
// InvoiceID slot is the value as received ("0" when Robokassa numbers
// the payment); the Receipt slot is the JSON URL-encoded once (as the
// seed's PHP signs it), left out without a receipt.
func formFLSBase(form url.Values, password string) string {
	parts := []string{form.Get("MerchantLogin"), form.Get("DefaultSum"), form.Get("InvoiceID")}
	if r := form.Get("Receipt"); r != "" {
		parts = append(parts, r)
	}
	parts = append(parts, password)
	return strings.Join(append(parts, shpParts(form)...), ":")
}

// asInURL returns form with the Receipt and Shp_ values as they stood in
// the raw query string, undecoded: the seed's PHP (and package
// robokassa's SumFormScriptURL) write each signed value into the script's
// URL exactly as signed, URL-encoded once, so one decoding undoes what
// was signed. Nil when the query holds none of them.
func asInURL(form url.Values, rawQuery string) url.Values {
	var out url.Values
	for _, kv := range strings.Split(rawQuery, "&") {
		k, v, _ := strings.Cut(kv, "=")
		if shp, _ := isShpName(k); k != "Receipt" && !shp {
			continue
		}
		if out == nil {
			out = cloneValues(form)
		}
		out.Set(k, v)
	}
	return out
}

// checkFormFLS checks the widget's signed query as the script does. raw,
// when not nil, is the query with its signed values as they stood in the
// URL (asInURL); it is tried first.
func (s *Server) checkFormFLS(form, raw url.Values) (*payment, *pageError) {
	if perr := checkDuplicates(form); perr != nil {
		return nil, perr
	}
	sh := s.shopByLogin(form.Get("MerchantLogin"))
	if sh == nil {
		return nil, errPage(26, "no shop has this MerchantLogin")
	}
	test, perr := testFlag(form.Get("IsTest"))
	if perr != nil {
		return nil, perr
	}
	def, ok := parseSum(form.Get("DefaultSum"))
	if !ok || !def.IsPositive() {
		return nil, errPage(31, "DefaultSum must be a number greater than zero with at most 2 decimal places, such as 10.00")
	}
	pass, masked := sh.password1(test)
	var signedForm url.Values
	for _, candidate := range []url.Values{raw, form} {
		if candidate != nil && pass != "" && sh.checkSignature(formFLSBase(candidate, pass), form.Get("SignatureValue")) {
			signedForm = candidate
			break
		}
	}
	if signedForm == nil {
		shown := raw
		if shown == nil {
			shown = form
		}
		return nil, sh.badSignature(formFLSBase(shown, masked),
			"SignatureValue does not match the widget's signature MerchantLogin:DefaultSum:InvoiceID[:Receipt]:Password1[:Shp_*] (spec §3.4), "+
				"each signed value as it stands in the script's URL.")
	}
	p := &payment{shop: sh, test: test, outSum: def, source: "FormFLS", label: catalogue[0].label}
	if v := form.Get("InvoiceID"); v != "" && v != "0" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return nil, errPage(30, "InvoiceID must be 0 or a number from 1 to 9223372036854775807")
		}
		p.invID = id
	}
	p.description = form.Get("Description")
	if !utf8.ValidString(p.description) || utf8.RuneCountInString(p.description) > 100 {
		return nil, errPage(30, "Description must be at most 100 characters of UTF-8")
	}
	if c := form.Get("Culture"); c == "ru" || c == "en" {
		p.culture = c
	}
	if p.email = strings.TrimSpace(form.Get("Email")); len(p.email) > maxEmail {
		return nil, errPage(30, "Email is too long")
	}
	if p.receipt = signedForm.Get("Receipt"); p.receipt != "" {
		lines, total, err := parseReceiptValue(p.receipt)
		if err != nil {
			return nil, errPage(30, err.Error())
		}
		if !total.Equal(def) {
			return nil, errPage(30, "the receipt's lines add up to "+total.StringFixed(2)+", but DefaultSum is "+def.StringFixed(2))
		}
		p.lines = lines
	}
	p.shp, perr = shpFields(signedForm)
	return p, perr
}

// handleFormFLS serves the widget's script: JavaScript that writes the
// form (or the error) into the shop's page. The HTML is a JSON string
// literal, so a test can read it without running the script.
func (s *Server) handleFormFLS(w http.ResponseWriter, r *http.Request) {
	form, perr := readForm(w, r, maxPageBody)
	var p *payment
	if perr == nil {
		p, perr = s.checkFormFLS(form, asInURL(form, r.URL.RawQuery))
	}
	var b bytes.Buffer
	if perr != nil {
		b.WriteString(`<div class="robokassa-formfls-error"><strong>Robokassa emulator: error `)
		b.WriteString(strconv.Itoa(perr.code))
		b.WriteString("</strong>")
		if perr.base != "" {
			b.WriteString(" — expected base string (password masked): <code>")
			b.WriteString(template.HTMLEscapeString(perr.base))
			b.WriteString("</code>")
		}
		b.WriteString(" ")
		b.WriteString(template.HTMLEscapeString(errorMeanings[perr.code] + ". " + perr.detail))
		b.WriteString("</div>")
	} else {
		// The hidden fields carry the values as signed, so that the
		// form's own encoding and one decoding bring them back intact.
		var fields []field
		for _, k := range sortedKeys(form) {
			v := form.Get(k)
			if shp, _ := isShpName(k); shp {
				v = fieldOf(p.shp, k)
			}
			switch k {
			case "OutSum":
				continue
			case "Receipt":
				v = p.receipt
			}
			fields = append(fields, field{k, v})
		}
		err := templates.ExecuteTemplate(&b, "formfls", struct {
			Action, Description, Sum string
			Fields                   []field
		}{s.URL + "/Merchant/PaymentForm/Submit", form.Get("Description"), form.Get("DefaultSum"), fields})
		if err != nil {
			http.Error(w, "robokassatest: rendering the widget: "+err.Error(), http.StatusInternalServerError)
			return
		}
	}
	js, _ := json.Marshal(b.String()) // escapes <, > and &: the literal cannot end the script
	w.Header().Set("Content-Type", "application/javascript; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write([]byte("document.write(" + string(js) + ");\n"))
}

// handleFormFLSSubmit takes the widget's form: the signed query again, and
// the sum the buyer chose as OutSum. It creates the operation with that
// sum (a one-line receipt follows it) and shows the payment page.
func (s *Server) handleFormFLSSubmit(w http.ResponseWriter, r *http.Request) {
	form, perr := readForm(w, r, maxPageBody)
	var p *payment
	if perr == nil {
		p, perr = s.checkFormFLS(form, nil) // the form carries the values as signed
	}
	if perr == nil {
		var sum decimal.Decimal
		var ok bool
		if sum, ok = parseSum(strings.TrimSpace(strings.ReplaceAll(form.Get("OutSum"), ",", "."))); !ok || !sum.IsPositive() {
			perr = errPage(31, "the sum must be a number greater than zero with at most 2 decimal places")
		} else {
			p.outSum = sum
			if len(p.lines) == 1 {
				p.lines[0].Sum = sum
			}
			var op *operation
			if op, perr = s.createOperation(p); perr == nil {
				s.showPage(w, op)
				return
			}
		}
	}
	s.errorPage(w, http.StatusOK, *perr)
}

// fieldOf returns the value of the named Shp_ field.
func fieldOf(fields []shpField, name string) string {
	for _, f := range fields {
		if f.name == name {
			return f.value
		}
	}
	return ""
}
