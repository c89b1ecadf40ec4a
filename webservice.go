package robokassa

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	qs "github.com/google/go-querystring/query"
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
	var r currenciesReply
	if err := c.callWebService(ctx, "GetCurrencies", "CurrenciesList", wsLangForm{c.login, lang}, &r); err != nil {
		return nil, err
	}
	groups := make([]CurrencyGroup, len(r.Groups))
	for i, g := range r.Groups {
		groups[i] = CurrencyGroup{Code: strings.TrimSpace(g.Code), Description: g.Description}
		groups[i].Currencies = make([]Currency, len(g.Items))
		for j, it := range g.Items {
			groups[i].Currencies[j] = it.currency()
		}
	}
	return groups, nil
}

// PaymentMethods lists the payment methods open to the shop (spec §8,
// GetPaymentMethods). culture is "ru", "en", or empty for "ru". The call is
// unsigned, read-only and retried on network errors and 5xx responses.
func (c *Client) PaymentMethods(ctx context.Context, culture string) ([]PaymentMethodInfo, error) {
	lang, err := wsCulture(culture)
	if err != nil {
		return nil, err
	}
	var r paymentMethodsReply
	if err := c.callWebService(ctx, "GetPaymentMethods", "PaymentMethodsList", wsLangForm{c.login, lang}, &r); err != nil {
		return nil, err
	}
	methods := make([]PaymentMethodInfo, len(r.Methods))
	for i, m := range r.Methods {
		methods[i] = PaymentMethodInfo{Code: strings.TrimSpace(m.Code), Description: m.Description}
	}
	return methods, nil
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
	form := ratesForm{MerchantLogin: c.login, IncCurrLabel: incCurrLabel, OutSum: formatOutSum(outSum), Language: lang}
	var r currenciesReply
	if err := c.callWebService(ctx, "GetRates", "RatesList", form, &r); err != nil {
		return nil, err
	}
	groups := make([]RateGroup, len(r.Groups))
	for i, g := range r.Groups {
		groups[i] = RateGroup{Code: strings.TrimSpace(g.Code), Description: g.Description}
		groups[i].Rates = make([]Rate, len(g.Items))
		for j, it := range g.Items {
			groups[i].Rates[j] = Rate{Currency: it.currency(), IncSum: it.Rate.IncSum.Decimal}
		}
	}
	return groups, nil
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
	form := calcOutSumForm{MerchantLogin: c.login, IncCurrLabel: incCurrLabel, IncSum: formatOutSum(incSum)}
	var r calcOutSumReply
	if err := c.callWebService(ctx, "CalcOutSumm", "CalcSummsResponseData", form, &r); err != nil {
		return decimal.Decimal{}, err
	}
	return r.OutSum.Decimal, nil
}

// Limit reports the payment limit Robokassa currently applies to the shop
// (spec §8, GetLimit). The call is unsigned, read-only and retried on
// network errors and 5xx responses.
func (c *Client) Limit(ctx context.Context) (decimal.Decimal, error) {
	var r limitReply
	if err := c.callWebService(ctx, "GetLimit", "LimitResponse", wsLoginForm{c.login}, &r); err != nil {
		return decimal.Decimal{}, err
	}
	return r.Limit.Decimal, nil
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

// Request forms. Service.asmx's HTTP bindings answer "missing parameter"
// when a declared parameter is absent, so empty values are sent too (no
// omitempty).
type (
	wsLoginForm struct {
		MerchantLogin string `url:"MerchantLogin"`
	}
	wsLangForm struct {
		MerchantLogin string `url:"MerchantLogin"`
		Language      string `url:"Language"`
	}
	ratesForm struct {
		MerchantLogin string `url:"MerchantLogin"`
		IncCurrLabel  string `url:"IncCurrLabel"`
		OutSum        string `url:"OutSum"`
		Language      string `url:"Language"`
	}
	calcOutSumForm struct {
		MerchantLogin string `url:"MerchantLogin"`
		IncCurrLabel  string `url:"IncCurrLabel"`
		IncSum        string `url:"IncSum"`
	}
)

// Responses. Tags name local element names only, so any namespace (or
// none) matches (spec §8).
type (
	currenciesReply struct { // CurrenciesList and RatesList
		Result wsResult          `xml:"Result"`
		Groups []wsCurrencyGroup `xml:"Groups>Group"`
	}
	wsCurrencyGroup struct {
		Code        string       `xml:"Code,attr"`
		Description string       `xml:"Description,attr"`
		Items       []wsCurrency `xml:"Items>Currency"`
	}
	wsCurrency struct {
		Label    string    `xml:"Label,attr"`
		Alias    string    `xml:"Alias,attr"`
		Name     string    `xml:"Name,attr"`
		MinValue wsDecimal `xml:"MinValue,attr"`
		MaxValue wsDecimal `xml:"MaxValue,attr"`
		Rate     struct {
			IncSum wsDecimal `xml:"IncSum,attr"`
		} `xml:"Rate"`
	}
	paymentMethodsReply struct {
		Result  wsResult `xml:"Result"`
		Methods []struct {
			Code        string `xml:"Code,attr"`
			Description string `xml:"Description,attr"`
		} `xml:"Methods>Method"`
	}
	calcOutSumReply struct {
		Result wsResult   `xml:"Result"`
		OutSum *wsDecimal `xml:"OutSum"`
	}
	limitReply struct {
		Result wsResult   `xml:"Result"`
		Limit  *wsDecimal `xml:"Limit"`
	}
)

func (w wsCurrency) currency() Currency {
	return Currency{
		Label:    strings.TrimSpace(w.Label),
		Alias:    strings.TrimSpace(w.Alias),
		Name:     w.Name,
		MinValue: w.MinValue.Decimal,
		MaxValue: w.MaxValue.Decimal,
	}
}

func (r *currenciesReply) result() *wsResult     { return &r.Result }
func (r *paymentMethodsReply) result() *wsResult { return &r.Result }
func (r *calcOutSumReply) result() *wsResult     { return &r.Result }
func (r *limitReply) result() *wsResult          { return &r.Result }

func (r *currenciesReply) check() error     { return nil }
func (r *paymentMethodsReply) check() error { return nil }

func (r *calcOutSumReply) check() error {
	if r.OutSum == nil {
		return errors.New("no OutSum element")
	}
	return nil
}

func (r *limitReply) check() error {
	if r.Limit == nil {
		return errors.New("no Limit element")
	}
	return nil
}

// wsResult is the <Result><Code/><Description/></Result> every web-service
// response carries (spec §8).
type wsResult struct {
	Code        string `xml:"Code"`
	Description string `xml:"Description"`
}

// wsReply is a parsed web-service response: its Result, and a check of
// the elements a successful response must carry.
type wsReply interface {
	result() *wsResult
	check() error
}

// callWebService POSTs form (a wire struct with url tags) to the web
// service method op and parses the answer, whose root element must have
// the local name root, into out. POST keeps the OpStateExt signature out
// of URLs and access logs. Every call is an idempotent read, so the
// transport retries network errors and 5xx responses.
func (c *Client) callWebService(ctx context.Context, op, root string, form any, out wsReply) error {
	v, err := qs.Values(form)
	if err != nil {
		return err
	}
	rp, err := c.send(ctx, call{
		op:         op,
		method:     http.MethodPost,
		url:        c.authURL + webServicePath + op,
		form:       v,
		idempotent: true,
		sent:       []string{v.Get("Signature")},
	})
	if err != nil {
		return err
	}
	return parseWebService(rp, root, out)
}

// parseWebService decodes the answer into out and checks its result code
// (spec §8). An unusable body is an *APIError with Message "malformed
// response: …" and the (redacted) decoding error in Err; a non-zero code
// is an *APIError carrying the code, its documented meaning and
// Robokassa's Description; code 3 also matches ErrNotFound.
func parseWebService(rp *reply, root string, out wsReply) error {
	if err := decodeWebService(rp.body, root, out); err != nil {
		return rp.malformed("not the expected XML", err)
	}
	r := out.result()
	code, ok := parseDigits(strings.TrimSpace(r.Code))
	if !ok || code > 1<<31-1 {
		return rp.malformed("no numeric Result/Code", nil)
	}
	if code != 0 {
		msg := WebServiceCode(code).Meaning()
		if d := strings.TrimSpace(r.Description); d != "" {
			msg += ": " + d
		}
		e := rp.apiError(strconv.FormatInt(code, 10), msg)
		if WebServiceCode(code) == WebServiceCodeNotFound {
			e.kind = ErrNotFound
		}
		return e
	}
	if err := out.check(); err != nil {
		return rp.malformed(err.Error(), nil)
	}
	return nil
}

// decodeWebService checks that the first element of body has the local
// name root, in any namespace, and decodes it into out.
func decodeWebService(body []byte, root string, out any) error {
	d := xml.NewDecoder(bytes.NewReader(body))
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return errors.New("no XML element")
		}
		if err != nil {
			return err
		}
		start, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		if start.Name.Local != root {
			name := start.Name.Local
			if len(name) > 40 {
				name = name[:40]
			}
			return errors.New("root element is " + strconv.Quote(name) + ", want " + strconv.Quote(root))
		}
		return d.DecodeElement(out, &start)
	}
}

var (
	errWSNumber = errors.New("malformed number")
	errWSDate   = errors.New("malformed date")
)

// wsDecimal is a decimal element or attribute: plain digits with an
// optional fraction; empty means zero.
type wsDecimal struct{ decimal.Decimal }

func (d *wsDecimal) UnmarshalText(b []byte) error {
	s := strings.TrimSpace(string(b))
	if s == "" {
		d.Decimal = decimal.Decimal{}
		return nil
	}
	v, err := parseAmount(s)
	if err != nil {
		return errWSNumber
	}
	d.Decimal = v
	return nil
}

// wsTime is an ISO 8601 date with up to 7 (any up to 9) fractional digits,
// with an offset or, without one, in Moscow time; empty means the zero
// time.
type wsTime struct{ time.Time }

func (t *wsTime) UnmarshalText(b []byte) error {
	if len(bytes.TrimSpace(b)) == 0 {
		t.Time = time.Time{}
		return nil
	}
	v, ok := parseTime(string(b))
	if !ok {
		return errWSDate
	}
	t.Time = v
	return nil
}
