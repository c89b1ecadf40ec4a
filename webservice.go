package robokassa

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// webServicePath is where Robokassa's XML web service lives under the auth
// host (spec §8).
const webServicePath = "/Merchant/WebService/Service.asmx/"

// CurrencyGroup is one group of payment options (bank cards, SBP, …) as
// reported by [Client.Currencies] (spec §8, GetCurrencies).
type CurrencyGroup struct {
	Code        string
	Description string
	Currencies  []Currency
}

// Currency is one payment option a buyer can pay with (spec §8). Label is
// the value Payment.IncCurrLabel and [Client.CalcOutSum] take. MinValue
// and MaxValue are the limits of one payment; zero when Robokassa does not
// report them.
type Currency struct {
	Label    string
	Alias    string
	Name     string
	MinValue decimal.Decimal
	MaxValue decimal.Decimal
}

// PaymentMethodInfo is a payment method: a code such as "BankCard" and a
// description in the requested language (spec §8, GetPaymentMethods and
// OpStateExt).
type PaymentMethodInfo struct {
	Code        string
	Description string
}

// RateGroup is one group of payment options with the amount the buyer
// pays in each, as reported by [Client.Rates] (spec §8, GetRates).
type RateGroup struct {
	Code        string
	Description string
	Rates       []Rate
}

// Rate is what a buyer pays in one currency: IncSum, in that currency, for
// the OutSum asked of [Client.Rates] (spec §8, GetRates).
type Rate struct {
	Currency
	IncSum decimal.Decimal
}

// Currencies lists the payment options open to the shop, grouped
// (spec §8, GetCurrencies). culture is the language of the descriptions,
// as Payment.Culture: "ru", "en", or empty for "ru"; any other value is a
// [*ValidationError]. The call is unsigned, read-only and
// retried on network errors and 5xx responses. A non-zero result code is
// an [*APIError].
func (c *Client) Currencies(ctx context.Context, culture string) ([]CurrencyGroup, error) {
	lang, err := wsCulture(culture)
	if err != nil {
		return nil, err
	}
	a, err := c.callWebService(ctx, "GetCurrencies", "CurrenciesList", "MerchantLogin", c.login, "Language", lang)
	if err != nil {
		return nil, err
	}
	return a.currencyGroups()
}

// PaymentMethods lists the payment methods open to the shop (spec §8,
// GetPaymentMethods). culture is "ru", "en", or empty for "ru". The call is
// unsigned, read-only and retried on network errors and 5xx responses.
func (c *Client) PaymentMethods(ctx context.Context, culture string) ([]PaymentMethodInfo, error) {
	lang, err := wsCulture(culture)
	if err != nil {
		return nil, err
	}
	a, err := c.callWebService(ctx, "GetPaymentMethods", "PaymentMethodsList", "MerchantLogin", c.login, "Language", lang)
	if err != nil {
		return nil, err
	}
	return a.paymentMethods(), nil
}

// Rates reports how much a buyer pays in each payment option for the shop
// to receive outSum (spec §8, GetRates). incCurrLabel narrows the answer
// to one option (a [Currency] Label); empty asks for all. outSum must be
// greater than zero with at most 2 decimal places; it is sent with
// exactly two ("990.00"). culture is "ru", "en", or empty for "ru". The
// call is unsigned, read-only and retried on network errors and 5xx
// responses. The parameters come in the order [Client.CalcOutSum] takes
// them: the option, then the amount.
func (c *Client) Rates(ctx context.Context, incCurrLabel string, outSum decimal.Decimal, culture string) ([]RateGroup, error) {
	if err := checkAmount("OutSum", outSum, false, 0); err != nil {
		return nil, err
	}
	lang, err := wsCulture(culture)
	if err != nil {
		return nil, err
	}
	a, err := c.callWebService(ctx, "GetRates", "RatesList",
		"MerchantLogin", c.login, "IncCurrLabel", incCurrLabel, "OutSum", formatOutSum(outSum), "Language", lang)
	if err != nil {
		return nil, err
	}
	return a.rateGroups()
}

// CalcOutSum reports how much the shop receives when a buyer pays incSum
// with the payment option incCurrLabel (spec §8, CalcOutSumm). incCurrLabel
// is required; incSum must be greater than zero with at most 2 decimal
// places and is sent with exactly two. The call is unsigned, read-only and
// retried on network errors and 5xx responses.
func (c *Client) CalcOutSum(ctx context.Context, incCurrLabel string, incSum decimal.Decimal) (decimal.Decimal, error) {
	if incCurrLabel == "" {
		return decimal.Decimal{}, invalid("IncCurrLabel", "is required")
	}
	if err := checkAmount("IncSum", incSum, false, 0); err != nil {
		return decimal.Decimal{}, err
	}
	a, err := c.callWebService(ctx, "CalcOutSumm", "CalcSummsResponseData",
		"MerchantLogin", c.login, "IncCurrLabel", incCurrLabel, "IncSum", formatOutSum(incSum))
	if err != nil {
		return decimal.Decimal{}, err
	}
	return a.required("OutSum")
}

// Limit reports the payment limit Robokassa currently applies to the shop
// (spec §8, GetLimit). The call is unsigned, read-only and retried on
// network errors and 5xx responses.
func (c *Client) Limit(ctx context.Context) (decimal.Decimal, error) {
	a, err := c.callWebService(ctx, "GetLimit", "LimitResponse", "MerchantLogin", c.login)
	if err != nil {
		return decimal.Decimal{}, err
	}
	return a.required("Limit")
}

// wsCulture checks a culture and returns the Language parameter: "ru",
// "en", or "ru" for empty.
func wsCulture(culture string) (string, error) {
	switch culture {
	case "":
		return "ru", nil
	case "ru", "en":
		return culture, nil
	}
	return "", invalid("culture", `must be "ru", "en" or empty (meaning "ru")`)
}

// formBody URL-encodes name, value pairs in the order given (no map, no
// sort: OpStateExt is polled) and returns the Signature among them.
func formBody(kv ...string) (body, signature string) {
	var b strings.Builder
	for i := 0; i+1 < len(kv); i += 2 {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(kv[i])
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(kv[i+1]))
		if kv[i] == "Signature" {
			signature = kv[i+1]
		}
	}
	return b.String(), signature
}

// wsAnswer is a web-service answer whose result code was 0: the parsed
// document, and the reply to build errors about it with.
type wsAnswer struct {
	rp  *reply
	doc *xmlDoc
}

// callWebService POSTs the form given as name, value, name, value… to
// the web-service method op and parses the answer, whose root element must
// have the local name root (spec §8).
// Service.asmx's HTTP bindings answer "missing parameter" when a declared
// parameter is absent, so callers send empty values too. POST keeps the
// OpStateExt signature out of URLs and access logs. Every call is an
// idempotent read, so the transport retries network errors, 5xx and 429.
func (c *Client) callWebService(ctx context.Context, op, root string, form ...string) (*wsAnswer, error) {
	body, signature := formBody(form...)
	rp, err := c.send(ctx, call{
		op:         op,
		method:     http.MethodPost,
		url:        c.authURL + webServicePath + op,
		form:       body,
		idempotent: true,
		sent:       []string{signature},
	})
	if err != nil {
		return nil, err
	}
	return parseWebService(rp, root)
}

// parseWebService parses the answer and checks its result code (spec §8).
// An unusable body is an *APIError with Message "malformed response: …";
// a non-zero code is an *APIError carrying the code, its documented
// meaning and Robokassa's Description; code 3 also matches ErrNotFound.
func parseWebService(rp *reply, root string) (*wsAnswer, error) {
	doc, err := parseXML(rp.body)
	if err != nil {
		return nil, rp.malformed("not the expected XML", err)
	}
	if name := doc.elems[0].name; name != root {
		return nil, rp.malformed("the root element is "+strconv.Quote(truncate(name, 40))+", not "+strconv.Quote(root), nil)
	}
	result := doc.child(0, "Result")
	code, ok := parseDigits(doc.text(doc.child(result, "Code")))
	if !ok || code > 1<<31-1 {
		return nil, rp.malformed("no numeric Result/Code", nil)
	}
	if code != 0 {
		msg := WebServiceCode(code).Meaning()
		if d := doc.text(doc.child(result, "Description")); d != "" {
			msg += ": " + d
		}
		e := rp.apiError(strconv.FormatInt(code, 10), msg)
		if WebServiceCode(code) == WebServiceCodeNotFound {
			e.kind = ErrNotFound
		}
		return nil, e
	}
	return &wsAnswer{rp: rp, doc: doc}, nil
}

// decimal reads an amount: empty is zero, anything but a plain
// non-negative decimal makes the answer malformed.
func (a *wsAnswer) decimal(s, where string) (decimal.Decimal, error) {
	if s = strings.TrimSpace(s); s == "" {
		return decimal.Decimal{}, nil
	}
	d, err := parseAmount(s)
	if err != nil {
		return decimal.Decimal{}, a.rp.malformed("malformed number in "+where, nil)
	}
	return d, nil
}

// time reads a date (see parseTime): empty is the zero time.
func (a *wsAnswer) time(e int32, where string) (time.Time, error) {
	s := a.doc.text(e)
	if s == "" {
		return time.Time{}, nil
	}
	t, ok := parseTime(s)
	if !ok {
		return time.Time{}, a.rp.malformed("malformed date in "+where, nil)
	}
	return t, nil
}

// required reads the amount of a child of the root that must be there.
func (a *wsAnswer) required(name string) (decimal.Decimal, error) {
	e := a.doc.child(0, name)
	if e < 0 {
		return decimal.Decimal{}, a.rp.malformed("no "+name+" element", nil)
	}
	return a.decimal(a.doc.text(e), name)
}

// currencyGroups reads CurrenciesList.
func (a *wsAnswer) currencyGroups() ([]CurrencyGroup, error) {
	var groups []CurrencyGroup
	err := a.groups(func(code, description string, items []int32) error {
		g := CurrencyGroup{Code: code, Description: description, Currencies: make([]Currency, len(items))}
		for j, it := range items {
			var err error
			if g.Currencies[j], err = a.currency(it); err != nil {
				return err
			}
		}
		groups = append(groups, g)
		return nil
	})
	return groups, err
}

// rateGroups reads RatesList: the currencies, each with Rate/@IncSum.
func (a *wsAnswer) rateGroups() ([]RateGroup, error) {
	var groups []RateGroup
	err := a.groups(func(code, description string, items []int32) error {
		g := RateGroup{Code: code, Description: description, Rates: make([]Rate, len(items))}
		for j, it := range items {
			cur, err := a.currency(it)
			if err != nil {
				return err
			}
			inc, err := a.decimal(a.doc.attr(a.doc.child(it, "Rate"), "IncSum"), "Rate/@IncSum")
			if err != nil {
				return err
			}
			g.Rates[j] = Rate{Currency: cur, IncSum: inc}
		}
		groups = append(groups, g)
		return nil
	})
	return groups, err
}

// paymentMethods reads PaymentMethodsList.
func (a *wsAnswer) paymentMethods() []PaymentMethodInfo {
	items := a.doc.children(a.doc.child(0, "Methods"), "Method")
	methods := make([]PaymentMethodInfo, len(items))
	for i, m := range items {
		methods[i] = PaymentMethodInfo{Code: strings.TrimSpace(a.doc.attr(m, "Code")), Description: a.doc.attr(m, "Description")}
	}
	return methods
}

// groups calls fn for each Groups/Group of CurrenciesList and RatesList.
func (a *wsAnswer) groups(fn func(code, description string, items []int32) error) error {
	for _, g := range a.doc.children(a.doc.child(0, "Groups"), "Group") {
		items := a.doc.children(a.doc.child(g, "Items"), "Currency")
		if err := fn(strings.TrimSpace(a.doc.attr(g, "Code")), a.doc.attr(g, "Description"), items); err != nil {
			return err
		}
	}
	return nil
}

// currency reads a Currency element's attributes.
func (a *wsAnswer) currency(e int32) (Currency, error) {
	c := Currency{
		Label: strings.TrimSpace(a.doc.attr(e, "Label")),
		Alias: strings.TrimSpace(a.doc.attr(e, "Alias")),
		Name:  a.doc.attr(e, "Name"),
	}
	var err error
	if c.MinValue, err = a.decimal(a.doc.attr(e, "MinValue"), "Currency/@MinValue"); err != nil {
		return Currency{}, err
	}
	if c.MaxValue, err = a.decimal(a.doc.attr(e, "MaxValue"), "Currency/@MaxValue"); err != nil {
		return Currency{}, err
	}
	return c, nil
}
