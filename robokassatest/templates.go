package robokassatest

import (
	"bytes"
	"html/template"
	"net/http"
	"sort"
	"strconv"
)

// The emulator's pages. Every one is html/template, loads nothing from
// the internet and works without JavaScript (the only script, on the
// POST redirect page, submits a form that also has a visible button).

const pageHead = `{{define "head"}}<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
body{font:16px/1.45 system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#1d1d1f}
h1{font-size:1.4rem}.error{color:#b00020}.banner{background:#fff3cd;border:1px solid #e0c36b;padding:.5rem .75rem;border-radius:6px}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.3rem;text-align:left}td.n{text-align:right}
.sum{font-size:1.6rem;font-weight:600}button{font-size:1rem;padding:.5rem 1.2rem;margin-right:.5rem;border-radius:6px;border:1px solid #888;cursor:pointer}
#pay{background:#0a7d32;color:#fff;border-color:#0a7d32}code{background:#f3f3f3;padding:.1rem .3rem;word-break:break-all}
.muted{color:#666;font-size:.9rem}
</style></head><body>{{end}}`

var templates = template.Must(template.New("pages").Parse(pageHead + `
{{define "payment"}}{{template "head" .}}
<p class="muted">Robokassa emulator (robokassatest): no money moves.</p>
{{if .Test}}<p class="banner" id="test-mode">Test mode (IsTest=1): signed with the test password pair.</p>{{end}}
<h1>Payment to {{.Shop}}</h1>
<p class="sum" id="sum">{{.Sum}}</p>
<p>Invoice <span id="invid">{{.InvID}}</span>{{if .Description}}: <span id="description">{{.Description}}</span>{{end}}</p>
{{if .StepByStep}}<p class="banner">Two-stage payment: Pay holds the money until the shop confirms or cancels.</p>{{end}}
{{if .Recurring}}<p class="muted">The card is saved for the shop's recurring charges.</p>{{end}}
{{if .SavedCard}}<p class="muted" id="saved-card">Saved card of an earlier payment.</p>{{end}}
{{if .Lines}}<table id="receipt"><tr><th>Item</th><th>Qty</th><th>Sum</th><th>VAT</th></tr>
{{range .Lines}}<tr><td>{{.Name}}</td><td class="n">{{.Quantity}}</td><td class="n">{{.Sum}}</td><td>{{.Tax}}</td></tr>
{{end}}</table>{{end}}
<form method="post" action="/Merchant/Emulator/Submit" accept-charset="UTF-8">
<input type="hidden" name="op" value="{{.Seq}}"><input type="hidden" name="t" value="{{.PageToken}}">
{{.Methods}}
<p><label>E-mail for the receipt <input type="email" name="Email" value="{{.Email}}"></label></p>
<p><button type="submit" id="pay" name="action" value="pay">Pay</button>
<button type="submit" id="decline" name="action" value="decline">Decline</button></p>
</form></body></html>{{end}}

{{define "methods"}}<fieldset><legend>Pay with</legend>
{{range .}}<label><input type="radio" name="IncCurrLabel" value="{{.Label}}"{{if .Checked}} checked{{end}}> {{.Name}}</label><br>
{{end}}</fieldset>{{end}}

{{define "error"}}{{template "head" .}}
<p class="muted">Robokassa emulator (robokassatest)</p>
<h1 class="error" id="error">error {{.Code}}</h1>
<p id="meaning">{{.Meaning}}</p>
{{if .Detail}}<p id="detail">{{.Detail}}</p>{{end}}
{{if .Base}}<p>Expected base string (password masked):</p><p><code id="base">{{.Base}}</code></p>
<p class="muted">Fields joined by ':' — MerchantLogin:OutSum:InvId, the modifiers present (OutSumCurrency, UserIp, Receipt,
StepByStep, ResultUrl2, SuccessUrl2:SuccessUrl2Method, FailUrl2:FailUrl2Method, Token), the password, then every Shp_
parameter sorted by name (spec §3.1). Each value exactly as received after one form decoding.</p>{{end}}
</body></html>{{end}}

{{define "post"}}{{template "head" .}}
<form id="redirect" method="post" action="{{.URL}}" accept-charset="UTF-8">
{{range .Fields}}<input type="hidden" name="{{.Name}}" value="{{.Value}}">
{{end}}<p>Returning to the shop…</p><button type="submit" id="continue">Continue</button></form>
<script>document.getElementById("redirect").submit()</script></body></html>{{end}}

{{define "done"}}{{template "head" .}}
<p class="muted">Robokassa emulator (robokassatest)</p>
<h1 id="outcome">{{.Outcome}}</h1><p>Invoice {{.InvID}}. The shop set no address to return to.</p></body></html>{{end}}

{{define "formfls"}}<form method="post" action="{{.Action}}" accept-charset="UTF-8" class="robokassa-formfls">
{{range .Fields}}<input type="hidden" name="{{.Name}}" value="{{.Value}}">
{{end}}<label>{{if .Description}}{{.Description}}: {{end}}<input type="text" inputmode="decimal" name="OutSum" id="robokassa-sum" value="{{.Sum}}"></label>
<button type="submit" id="robokassa-pay">Pay</button></form>{{end}}
`))

// methodsHTML is the payment-option fieldset of the payment page with
// each option preselected, rendered once: the catalogue never changes,
// and every action a page executes costs a reflective call.
var methodsHTML = func() map[string]template.HTML {
	type row struct {
		Label, Name string
		Checked     bool
	}
	out := make(map[string]template.HTML, len(catalogue))
	for _, selected := range catalogue {
		var rows []row
		for _, m := range catalogue {
			rows = append(rows, row{m.label, m.nameEN, m.label == selected.label})
		}
		var b bytes.Buffer
		if err := templates.ExecuteTemplate(&b, "methods", rows); err != nil {
			panic("robokassatest: " + err.Error())
		}
		out[selected.label] = template.HTML(b.String()) //nolint:gosec // rendered by html/template
	}
	return out
}()

// field is a hidden input.
type field struct{ Name, Value string }

// sortedKeys returns a form's keys in byte order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// render writes a template as an HTML answer. The policy keeps the page
// off the internet: nothing may load from anywhere but inline.
func render(w http.ResponseWriter, status int, name string, data any) {
	var b bytes.Buffer
	b.Grow(4 << 10)
	if err := templates.ExecuteTemplate(&b, name, data); err != nil {
		http.Error(w, "robokassatest: rendering "+name+": "+err.Error(), http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; form-action *")
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}

// errorPage answers a payment-page error.
func (s *Server) errorPage(w http.ResponseWriter, status int, e pageError) {
	meaning := errorMeanings[e.code]
	if meaning == "" {
		meaning = "internal Robokassa error"
	}
	render(w, status, "error", struct {
		Title, Meaning, Detail, Base string
		Code                         int
	}{"Robokassa emulator: error " + strconv.Itoa(e.code), meaning, e.detail, e.base, e.code})
}

// showPage answers the payment page of op.
func (s *Server) showPage(w http.ResponseWriter, op *operation) {
	type lineRow struct{ Name, Quantity, Sum, Tax string }
	s.mu.Lock()
	sum := op.outSum.StringFixed(2)
	data := struct {
		Title, Shop, Sum, Description, Email, PageToken string
		InvID                                           int64
		Seq                                             int
		Test, StepByStep, Recurring, SavedCard          bool
		Methods                                         template.HTML
		Lines                                           []lineRow
	}{
		Title: "Robokassa emulator: pay " + sum, Shop: op.shop.MerchantLogin,
		Sum: sum + " " + currencyName(op.currency), Description: op.description,
		Email: op.email, PageToken: s.pageToken(op.seq), InvID: op.invID, Seq: op.seq,
		Test: op.test, StepByStep: op.stepByStep, Recurring: op.recurring, SavedCard: op.token != "",
		Methods: methodsHTML[op.label],
	}
	for _, l := range op.lines {
		data.Lines = append(data.Lines, lineRow{l.Name, l.Quantity.String(), l.Sum.StringFixed(2), l.Tax})
	}
	s.mu.Unlock()
	render(w, http.StatusOK, "payment", data)
}

func currencyName(c string) string {
	if c == "" {
		return "RUB"
	}
	return c
}

// postPage answers an auto-submitting form that takes the browser to a
// POST redirect.
func (s *Server) postPage(w http.ResponseWriter, h hop) {
	var fields []field
	for _, k := range sortedKeys(h.form) {
		fields = append(fields, field{k, h.form.Get(k)})
	}
	render(w, http.StatusOK, "post", struct {
		Title, URL string
		Fields     []field
	}{"Robokassa emulator: returning to the shop", h.url, fields})
}

// donePage answers the emulator's own page when the shop set no address
// to return to.
func (s *Server) donePage(w http.ResponseWriter, h hop) {
	outcome := "Payment declined"
	if h.paid {
		outcome = "Payment completed"
	}
	render(w, http.StatusOK, "done", struct {
		Title, Outcome string
		InvID          int64
	}{"Robokassa emulator: " + outcome, outcome, h.invID})
}
