package robokassatest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/shopspring/decimal"
)

// parseDecimal parses a plain non-negative decimal written as digits with
// an optional fraction: no sign, exponent or spaces, at most frac
// fractional and maxInt integer digits. Whatever a stranger sends, the
// result is a small number: no exponent can make later arithmetic
// explode.
func parseDecimal(s string, frac, maxInt int) (decimal.Decimal, bool) {
	intPart, fracPart, dot := strings.Cut(s, ".")
	if intPart == "" || len(intPart) > maxInt || len(fracPart) > frac || (dot && fracPart == "") {
		return decimal.Decimal{}, false
	}
	for _, part := range []string{intPart, fracPart} {
		for i := 0; i < len(part); i++ {
			if part[i] < '0' || part[i] > '9' {
				return decimal.Decimal{}, false
			}
		}
	}
	d, err := decimal.NewFromString(s)
	return d, err == nil
}

// parseSum parses an amount of money (OutSum, DefaultSum, a refund): at
// most 2 fractional and 12 integer digits.
func parseSum(s string) (decimal.Decimal, bool) { return parseDecimal(s, 2, 12) }

// maxReceiptItems bounds the lines of one receipt.
const maxReceiptItems = 256

// receiptJSON is the 54-FZ receipt (spec §11) as the emulator reads it.
// Numbers are kept as text and parsed with parseDecimal.
type receiptJSON struct {
	Sno   string `json:"sno"`
	Items []struct {
		Name     string      `json:"name"`
		Quantity json.Number `json:"quantity"`
		Sum      json.Number `json:"sum"`
		Cost     json.Number `json:"cost"`
		Tax      string      `json:"tax"`
	} `json:"items"`
}

// parseReceiptValue decodes a Receipt form value: JSON URL-encoded once
// (spec §3.2). It returns the lines and their total.
func parseReceiptValue(v string) ([]ReceiptLine, decimal.Decimal, error) {
	js, err := url.QueryUnescape(v)
	if err != nil {
		return nil, decimal.Decimal{}, errors.New("the receipt is not URL-encoded JSON (spec §3.2)")
	}
	return parseReceiptJSON([]byte(js))
}

// parseReceiptJSON reads a receipt's JSON and checks its lines (spec §11).
func parseReceiptJSON(js []byte) ([]ReceiptLine, decimal.Decimal, error) {
	var r receiptJSON
	d := json.NewDecoder(bytes.NewReader(js))
	d.UseNumber()
	if err := d.Decode(&r); err != nil {
		return nil, decimal.Decimal{}, errors.New("the receipt is not valid receipt JSON (spec §11)")
	}
	switch {
	case len(r.Items) == 0:
		return nil, decimal.Decimal{}, errors.New("the receipt has no items")
	case len(r.Items) > maxReceiptItems:
		return nil, decimal.Decimal{}, fmt.Errorf("the receipt has more than %d items", maxReceiptItems)
	}
	lines := make([]ReceiptLine, len(r.Items))
	total := decimal.Zero
	for i, it := range r.Items {
		name := fmt.Sprintf("receipt items[%d]", i)
		if it.Name == "" || !utf8.ValidString(it.Name) || utf8.RuneCountInString(it.Name) > 128 {
			return nil, decimal.Decimal{}, fmt.Errorf("%s.name must be 1 to 128 characters of UTF-8", name)
		}
		if it.Tax == "" {
			return nil, decimal.Decimal{}, fmt.Errorf("%s.tax is required", name)
		}
		q, ok := parseDecimal(string(it.Quantity), 3, 5)
		if !ok || !q.IsPositive() {
			return nil, decimal.Decimal{}, fmt.Errorf("%s.quantity must be a positive number with at most 5 integer and 3 fractional digits", name)
		}
		var sum decimal.Decimal
		switch {
		case it.Sum != "":
			if sum, ok = parseDecimal(string(it.Sum), 2, 8); !ok {
				return nil, decimal.Decimal{}, fmt.Errorf("%s.sum must be a number with at most 8 integer and 2 fractional digits", name)
			}
		case it.Cost != "":
			cost, ok := parseDecimal(string(it.Cost), 2, 8)
			if !ok {
				return nil, decimal.Decimal{}, fmt.Errorf("%s.cost must be a number with at most 8 integer and 2 fractional digits", name)
			}
			sum = cost.Mul(q)
		default:
			return nil, decimal.Decimal{}, fmt.Errorf("%s needs sum or cost", name)
		}
		lines[i] = ReceiptLine{Name: it.Name, Quantity: q, Sum: sum, Tax: it.Tax}
		total = total.Add(sum)
	}
	return lines, total, nil
}

// method is a payment option of the emulator's catalogue.
type method struct {
	label, alias        string // IncCurrLabel and PaymentMethod code
	group               string // GetCurrencies group code
	nameRU, nameEN      string
	rate                decimal.Decimal // commission, a fraction of the sum
	minValue, maxValue  decimal.Decimal
	groupRU, groupEN    string
	descRU, descEN      string // GetPaymentMethods description
	isPaymentMethodHead bool   // listed by GetPaymentMethods
}

// catalogue is the emulator's fixed list of payment options, what the XML
// web service reports (the package documentation shows it). The first is
// the default.
var catalogue = []method{
	{
		label: "BankCardPSR", alias: "BankCard", group: "BankCard",
		nameRU: "Банковская карта", nameEN: "Bank card",
		groupRU: "Банковская карта", groupEN: "Bank card",
		descRU: "Банковской картой", descEN: "Bank card",
		rate:     decimal.RequireFromString("0.025"),
		minValue: decimal.RequireFromString("1.00"), maxValue: decimal.RequireFromString("300000.00"),
		isPaymentMethodHead: true,
	},
	{
		label: "YandexPayPSR", alias: "YandexPay", group: "BankCard",
		nameRU: "Yandex Pay", nameEN: "Yandex Pay",
		groupRU: "Банковская карта", groupEN: "Bank card",
		rate:     decimal.RequireFromString("0.03"),
		minValue: decimal.RequireFromString("10.00"), maxValue: decimal.RequireFromString("300000.00"),
	},
	{
		label: "SBPPSR", alias: "SBP", group: "SBP",
		nameRU: "Система быстрых платежей", nameEN: "Faster Payments System",
		groupRU: "СБП", groupEN: "Faster Payments System",
		descRU: "Система быстрых платежей", descEN: "Faster Payments System",
		rate:     decimal.RequireFromString("0.01"),
		minValue: decimal.RequireFromString("1.00"), maxValue: decimal.RequireFromString("1000000.00"),
		isPaymentMethodHead: true,
	},
}

// shopLimit is what GetLimit reports.
var shopLimit = decimal.RequireFromString("600000.00")

// methodOf returns the catalogue entry with the label (or alias), or the
// default (bank card) for an unknown one.
func methodOf(label string) *method {
	for i := range catalogue {
		if strings.EqualFold(catalogue[i].label, label) || strings.EqualFold(catalogue[i].alias, label) {
			return &catalogue[i]
		}
	}
	return &catalogue[0]
}

// knownMethod reports whether label names a catalogue entry.
func knownMethod(label string) bool {
	for i := range catalogue {
		if strings.EqualFold(catalogue[i].label, label) || strings.EqualFold(catalogue[i].alias, label) {
			return true
		}
	}
	return false
}

// fee is the commission on sum: sum × rate, rounded half away from zero
// to the kopeck.
func (m *method) fee(sum decimal.Decimal) decimal.Decimal { return sum.Mul(m.rate).Round(2) }
