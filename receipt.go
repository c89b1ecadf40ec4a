package robokassa

import (
	"encoding/json"
	"strconv"
	"unicode/utf8"

	"github.com/shopspring/decimal"
)

// Sno is the shop's tax system (spec §11). The type is open: a value added
// by tax law needs no new release.
type Sno string

// Tax systems.
const (
	SnoOSN              Sno = "osn"
	SnoUSNIncome        Sno = "usn_income"
	SnoUSNIncomeOutcome Sno = "usn_income_outcome"
	SnoESN              Sno = "esn"
	SnoPatent           Sno = "patent"
)

// Tax is the VAT rate of a receipt line (spec §11). Open type.
type Tax string

// VAT rates. TaxVAT22 and TaxVAT122 apply from 2026-01-01; TaxVAT12 and
// TaxVAT16 are seen with Kazakhstan shops.
const (
	TaxNone   Tax = "none"
	TaxVAT0   Tax = "vat0"
	TaxVAT5   Tax = "vat5"
	TaxVAT7   Tax = "vat7"
	TaxVAT10  Tax = "vat10"
	TaxVAT20  Tax = "vat20"
	TaxVAT22  Tax = "vat22"
	TaxVAT105 Tax = "vat105"
	TaxVAT107 Tax = "vat107"
	TaxVAT110 Tax = "vat110"
	TaxVAT120 Tax = "vat120"
	TaxVAT122 Tax = "vat122"
	TaxVAT12  Tax = "vat12"
	TaxVAT16  Tax = "vat16"
)

// ReceiptPaymentMethod is the payment-method attribute of a receipt line
// (spec §11). Open type.
type ReceiptPaymentMethod string

// Payment methods.
const (
	ReceiptPaymentFullPrepayment ReceiptPaymentMethod = "full_prepayment"
	ReceiptPaymentPrepayment     ReceiptPaymentMethod = "prepayment"
	ReceiptPaymentAdvance        ReceiptPaymentMethod = "advance"
	ReceiptPaymentFull           ReceiptPaymentMethod = "full_payment"
	ReceiptPaymentPartial        ReceiptPaymentMethod = "partial_payment"
	ReceiptPaymentCredit         ReceiptPaymentMethod = "credit"
	ReceiptPaymentCreditPayment  ReceiptPaymentMethod = "credit_payment"
)

// PaymentObject is the payment-object attribute of a receipt line
// (spec §11). Open type.
type PaymentObject string

// Payment objects.
const (
	ObjectCommodity            PaymentObject = "commodity"
	ObjectExcise               PaymentObject = "excise"
	ObjectJob                  PaymentObject = "job"
	ObjectService              PaymentObject = "service"
	ObjectGamblingBet          PaymentObject = "gambling_bet"
	ObjectGamblingPrize        PaymentObject = "gambling_prize"
	ObjectLottery              PaymentObject = "lottery"
	ObjectLotteryPrize         PaymentObject = "lottery_prize"
	ObjectIntellectualActivity PaymentObject = "intellectual_activity"
	ObjectPayment              PaymentObject = "payment"
	ObjectAgentCommission      PaymentObject = "agent_commission"
	ObjectComposite            PaymentObject = "composite"
	ObjectResortFee            PaymentObject = "resort_fee"
	ObjectAnother              PaymentObject = "another"
	ObjectPropertyRight        PaymentObject = "property_right"
	ObjectNonOperatingGain     PaymentObject = "non-operating_gain"
	ObjectInsurancePremium     PaymentObject = "insurance_premium"
	ObjectSalesTax             PaymentObject = "sales_tax"
	ObjectTovarMark            PaymentObject = "tovar_mark"
)

// Receipt is a 54-FZ fiscal receipt sent with a payment (spec §11).
type Receipt struct {
	// Sno may be empty when the shop has a single tax system.
	Sno   Sno
	Items []ReceiptItem
}

// ReceiptItem is one receipt line.
type ReceiptItem struct {
	// Name is at most 128 characters.
	Name string
	// Quantity is positive, with at most 5 integer and 3 fractional digits.
	Quantity decimal.Decimal
	// Sum is the line total after discounts, at most 8 integer and 2
	// fractional digits.
	Sum decimal.Decimal
	// Cost is the optional unit price. When Sum is zero and Cost is set,
	// the line total is Cost × Quantity; when both are set Robokassa uses
	// Sum.
	Cost decimal.NullDecimal
	// Tax is required.
	Tax           Tax
	PaymentMethod ReceiptPaymentMethod
	PaymentObject PaymentObject
	// NomenclatureCode identifies marked goods: printable ASCII and GS
	// (0x1D), at most 255 bytes.
	NomenclatureCode string
}

// total returns the line total: Sum, or Cost × Quantity when only Cost is
// set.
func (it *ReceiptItem) total() decimal.Decimal {
	if it.Sum.IsZero() && it.Cost.Valid {
		return it.Cost.Decimal.Mul(it.Quantity)
	}
	return it.Sum
}

// validate checks the receipt's own rules; prefix names it in errors
// ("Receipt").
func (r *Receipt) validate(prefix string) error {
	_, _, err := r.validateTotal(prefix)
	return err
}

// validateTotal is validate that also returns the receipt total in
// kopecks when every line's total fits an int64 (fast is then true), so
// checking it against the amount paid converts nothing twice.
func (r *Receipt) validateTotal(prefix string) (total int64, fast bool, err error) {
	if len(r.Items) == 0 {
		return 0, false, invalid(itemsField(prefix), "must hold at least one item")
	}
	fast = true
	for i := range r.Items {
		it := &r.Items[i]
		cents, itemFast, verr := it.validate()
		if verr != nil {
			// Field names are built only on failure: validation is on
			// the hot path of every payment.
			verr.Field = itemsField(prefix) + "[" + strconv.Itoa(i) + "]." + verr.Field
			return 0, false, verr
		}
		fast = fast && itemFast && cents < 1<<50
		total += cents
	}
	if !fast {
		return 0, false, nil
	}
	return total, true, nil
}

// checkTotal validates the receipt, whose field name is field, and checks
// that its lines add up to amount, named amountName in the message; a
// mismatch states both totals. The check runs in int64 kopecks when every
// value allows it (no allocation), in decimal arithmetic otherwise.
func (r *Receipt) checkTotal(field string, amount decimal.Decimal, amountName string) error {
	total, fast, err := r.validateTotal(field)
	if err != nil {
		return err
	}
	var sums bool
	if want, ok := scaled(amount, 2); fast && ok {
		sums = total == want
	} else {
		sums = r.sumsTo(amount)
	}
	if sums {
		return nil
	}
	sum := decimal.Zero
	for i := range r.Items {
		sum = sum.Add(r.Items[i].total())
	}
	return invalid(itemsField(field), "line totals add up to "+sum.StringFixed(2)+", not to "+amountName+" "+amount.StringFixed(2))
}

// itemsField names the lines of the receipt field prefix ("Receipt.Items",
// or "Items" for the lines of an invoice, whose prefix is empty).
func itemsField(prefix string) string {
	if prefix == "" {
		return "Items"
	}
	return prefix + ".Items"
}

// sumsTo reports whether the line totals add up to amount exactly: in
// int64 kopecks when every value allows it (no allocation), in decimal
// arithmetic otherwise.
func (r *Receipt) sumsTo(amount decimal.Decimal) bool {
	want, ok := scaled(amount, 2)
	var got int64
	for i := 0; ok && i < len(r.Items); i++ {
		it := &r.Items[i]
		var v int64
		if v, ok = scaled(it.Sum, 2); ok && !(it.Sum.IsZero() && it.Cost.Valid) && v < 1<<50 {
			got += v
		} else {
			ok = false
		}
	}
	if ok {
		return got == want
	}
	total := decimal.Zero
	for i := range r.Items {
		total = total.Add(r.Items[i].total())
	}
	return total.Equal(amount)
}

// unitCost returns the unit price of a validated line, for the APIs that
// carry a unit price instead of a line total (Invoice API §9.1, Refund API
// §9.2): Cost, or Sum / Quantity when that is a whole number of kopecks.
// Nothing is rounded. The error's Field is relative to the item.
func (it *ReceiptItem) unitCost() (decimal.Decimal, *ValidationError) {
	if it.Cost.Valid {
		if !it.Sum.IsZero() && !it.Cost.Decimal.Mul(it.Quantity).Equal(it.Sum) {
			return decimal.Decimal{}, &ValidationError{"Cost", "Cost × Quantity must equal Sum when both are set: the API takes the unit price only"}
		}
		return it.Cost.Decimal, nil
	}
	cost := it.Sum.DivRound(it.Quantity, 2)
	if !cost.Mul(it.Quantity).Equal(it.Sum) {
		return decimal.Decimal{}, &ValidationError{"Cost", "is required when Sum / Quantity is not a whole number of kopecks (the API takes the unit price)"}
	}
	return cost, nil
}

// unitPriceItem is a receipt line as the Invoice and Refund APIs take it
// (InvoiceItems, spec §9.1, §9.2): PascalCase names and a unit price.
type unitPriceItem struct {
	Name             string               `json:"Name"`
	Quantity         json.Number          `json:"Quantity"`
	Cost             json.Number          `json:"Cost"`
	Tax              Tax                  `json:"Tax"`
	PaymentMethod    ReceiptPaymentMethod `json:"PaymentMethod,omitempty"`
	PaymentObject    PaymentObject        `json:"PaymentObject,omitempty"`
	NomenclatureCode string               `json:"NomenclatureCode,omitempty"`
}

// unitPriceWire returns the line with the given unit price (see unitCost),
// numbers as JSON numbers.
func (it *ReceiptItem) unitPriceWire(cost decimal.Decimal) unitPriceItem {
	return unitPriceItem{
		Name:             it.Name,
		Quantity:         json.Number(appendNumber(nil, it.Quantity)),
		Cost:             json.Number(appendFixed(nil, cost, 2)),
		Tax:              it.Tax,
		PaymentMethod:    it.PaymentMethod,
		PaymentObject:    it.PaymentObject,
		NomenclatureCode: it.NomenclatureCode,
	}
}

// validate checks one line; the returned error's Field is relative to the
// item ("Sum"), the caller prefixes it. It also returns the line total in
// kopecks when Sum is the total and fits an int64 (fast is then true).
func (it *ReceiptItem) validate() (cents int64, fast bool, err *ValidationError) {
	switch n := utf8.RuneCountInString(it.Name); {
	case n == 0:
		return 0, false, &ValidationError{"Name", "is required"}
	case !utf8.ValidString(it.Name):
		return 0, false, &ValidationError{"Name", "must be valid UTF-8"}
	case n > 128:
		return 0, false, &ValidationError{"Name", "must be at most 128 characters"}
	}
	// In thousandths, a valid quantity is 1 … 99999999 (5 integer and 3
	// fractional digits).
	switch q, ok := scaled(it.Quantity, 3); {
	case !it.Quantity.IsPositive():
		return 0, false, &ValidationError{"Quantity", "must be greater than zero"}
	case !ok && !hasPlaces(it.Quantity, 3):
		return 0, false, &ValidationError{"Quantity", "must have at most 3 decimal places"}
	case !ok || q >= 1e8:
		return 0, false, &ValidationError{"Quantity", "must have at most 5 integer digits"}
	}
	cents, fast, rule := amountCents(it.Sum, true, 8)
	if rule != "" {
		return 0, false, &ValidationError{"Sum", rule}
	}
	if it.Cost.Valid {
		if r := amountRule(it.Cost.Decimal, true, 8); r != "" {
			return 0, false, &ValidationError{"Cost", r}
		}
		if it.Sum.IsZero() && !hasPlaces(it.total(), 2) {
			return 0, false, &ValidationError{"Cost", "Cost × Quantity must be a whole number of kopecks"}
		}
		if it.Sum.IsZero() {
			fast = false // the total is Cost × Quantity
		}
	}
	switch {
	case it.Tax == "":
		return 0, false, &ValidationError{"Tax", "is required"}
	case !isToken(string(it.Tax)):
		return 0, false, &ValidationError{"Tax", tokenRule}
	case !isToken(string(it.PaymentMethod)):
		return 0, false, &ValidationError{"PaymentMethod", tokenRule}
	case !isToken(string(it.PaymentObject)):
		return 0, false, &ValidationError{"PaymentObject", tokenRule}
	case len(it.NomenclatureCode) > 255:
		return 0, false, &ValidationError{"NomenclatureCode", "must be at most 255 bytes"}
	}
	for i := 0; i < len(it.NomenclatureCode); i++ {
		if c := it.NomenclatureCode[i]; (c < 0x20 || c > 0x7e) && c != 0x1d {
			return 0, false, &ValidationError{"NomenclatureCode", "must be printable ASCII or GS (0x1D)"}
		}
	}
	return cents, fast, nil
}

// encodeReceipt returns the receipt's compact JSON URL-encoded once: the
// string that is both signed and sent as the Receipt form value on
// Index.aspx, Recurring and hold Confirm (spec §3.2). The receipt has been
// validated.
func encodeReceipt(r *Receipt) string {
	var buf [1024]byte
	js := r.appendJSON(buf[:0])
	return bytesToString(appendURLEncode(nil, bytesToString(js)))
}

// appendJSON appends the receipt as compact JSON (spec §11): numbers as
// JSON numbers, UTF-8 text as is. The receipt has been validated.
func (r *Receipt) appendJSON(dst []byte) []byte {
	dst = append(dst, '{')
	if r.Sno != "" {
		dst = append(dst, `"sno":`...)
		dst = appendJSONString(dst, string(r.Sno))
		dst = append(dst, ',')
	}
	dst = append(dst, `"items":[`...)
	for i := range r.Items {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = r.Items[i].appendJSON(dst)
	}
	return append(dst, "]}"...)
}

func (it *ReceiptItem) appendJSON(dst []byte) []byte {
	dst = append(dst, `{"name":`...)
	dst = appendJSONString(dst, it.Name)
	dst = append(dst, `,"quantity":`...)
	dst = appendNumber(dst, it.Quantity)
	if !(it.Sum.IsZero() && it.Cost.Valid) {
		dst = append(dst, `,"sum":`...)
		dst = appendFixed(dst, it.Sum, 2)
	}
	if it.Cost.Valid {
		dst = append(dst, `,"cost":`...)
		dst = appendFixed(dst, it.Cost.Decimal, 2)
	}
	dst = append(dst, `,"tax":`...)
	dst = appendJSONString(dst, string(it.Tax))
	if it.PaymentMethod != "" {
		dst = append(dst, `,"payment_method":`...)
		dst = appendJSONString(dst, string(it.PaymentMethod))
	}
	if it.PaymentObject != "" {
		dst = append(dst, `,"payment_object":`...)
		dst = appendJSONString(dst, string(it.PaymentObject))
	}
	if it.NomenclatureCode != "" {
		dst = append(dst, `,"nomenclature_code":`...)
		dst = appendJSONString(dst, it.NomenclatureCode)
	}
	return append(dst, '}')
}

// appendJSONString appends s as a JSON string literal: quote, backslash
// and control characters escaped, other UTF-8 as is.
func appendJSONString(dst []byte, s string) []byte {
	const hexLower = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		dst = append(dst, s[start:i]...)
		switch c {
		case '"', '\\':
			dst = append(dst, '\\', c)
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		default:
			dst = append(dst, '\\', 'u', '0', '0', hexLower[c>>4], hexLower[c&15])
		}
		start = i + 1
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
