package lifepay

import (
	"strconv"
	"unicode/utf8"

	"github.com/shopspring/decimal"
)

// Receipt is the 54-FZ fiscal receipt sent as invoice_data (§1). Life-Pay
// prints multi-line receipts only for services where it has enabled them;
// elsewhere the data is ignored.
type Receipt struct {
	// Items are the receipt lines: 1 to 100.
	Items []ReceiptItem
	// VATTotal is the VAT included in the whole receipt (vat_total):
	// greater than zero when set; zero means it is not sent.
	VATTotal decimal.Decimal
}

// ReceiptItem is one receipt line (§1). Amounts are rubles with at most
// two decimals; an optional amount left at zero is not sent (Life-Pay
// requires those to be greater than zero when present).
type ReceiptItem struct {
	// Code is the product code (optional).
	Code string
	// Name is the product name. Required.
	Name string
	// Price is the unit price, not negative. Required.
	Price decimal.Decimal
	// Unit is the unit of measure, e.g. [UnitPiece]. Required.
	Unit Unit
	// Quantity is greater than zero, with at most 6 decimal places.
	Quantity decimal.Decimal
	// Sum is the line total, not negative. Required.
	Sum decimal.Decimal
	// VATMode is the VAT rate, e.g. [VATNone]. Required.
	VATMode VATMode
	// VATAmount is the line's VAT (optional).
	VATAmount decimal.Decimal
	// DiscountRate is a discount in percent, up to 100 (optional).
	DiscountRate decimal.Decimal
	// DiscountAmount is a discount in rubles, included in Sum (optional).
	DiscountAmount decimal.Decimal
	// PaymentMethod is the payment-method sign, e.g.
	// [PaymentFullPrepayment] (optional).
	PaymentMethod PaymentMethod
	// PaymentObject is the subject of payment, e.g. [ObjectCommodity]
	// (optional).
	PaymentObject PaymentObject
}

// Unit is a receipt line's unit of measure (unit). The constants are the
// values Life-Pay integrations use; the package sends any value of
// lower-case letters, digits and '_' as it is.
type Unit string

// Units of measure.
const (
	UnitPiece      Unit = "piece"
	UnitService    Unit = "service"
	UnitPackage    Unit = "package"
	UnitGram       Unit = "g"
	UnitKilogram   Unit = "kg"
	UnitTonne      Unit = "t"
	UnitMillilitre Unit = "ml"
	UnitCubicMetre Unit = "m3"
	UnitHour       Unit = "hr"
	UnitMetre      Unit = "m"
	UnitKilometre  Unit = "km"
)

// VATMode is a receipt line's VAT rate (vat_mode). The package sends any
// value of lower-case letters, digits and '_' as it is.
type VATMode string

// VAT rates: included in the price, or ("1xx") added on top of it.
const (
	VATNone VATMode = "none"
	VAT10   VATMode = "vat10"
	VAT110  VATMode = "vat110"
	VAT18   VATMode = "vat18"
	VAT118  VATMode = "vat118"
	VAT20   VATMode = "vat20"
	VAT120  VATMode = "vat120"
)

// PaymentMethod is a receipt line's payment-method sign (payment_method).
type PaymentMethod string

// Payment-method signs.
const (
	PaymentFullPrepayment PaymentMethod = "full_prepayment"
	PaymentPrepayment     PaymentMethod = "prepayment"
	PaymentAdvance        PaymentMethod = "advance"
	PaymentFull           PaymentMethod = "full_payment"
	PaymentPartial        PaymentMethod = "partial_payment"
	PaymentCredit         PaymentMethod = "credit"
	PaymentCreditPayment  PaymentMethod = "credit_payment"
)

// PaymentObject is a receipt line's subject of payment (payment_object).
type PaymentObject string

// Subjects of payment.
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
	ObjectAnother              PaymentObject = "another"
)

// maxReceiptItems is the most lines invoice_data may carry (§1).
const maxReceiptItems = 100

// validate checks every rule of §1's receipt schema; field is the Go path
// of the receipt ("InvoiceData").
func (r *Receipt) validate(field string) error {
	if len(r.Items) == 0 || len(r.Items) > maxReceiptItems {
		return invalid(field+".Items", "must have 1 to 100 lines")
	}
	if !r.VATTotal.IsZero() {
		if reason := amountRule(r.VATTotal, 2, true); reason != "" {
			return invalid(field+".VATTotal", reason)
		}
	}
	for i := range r.Items {
		if name, reason := r.Items[i].rule(); reason != "" {
			return invalid(field+".Items["+strconv.Itoa(i)+"]."+name, reason)
		}
	}
	return nil
}

// hundred is the largest discount rate, in percent.
var hundred = decimal.NewFromInt(100)

// rule returns the first field of the line that breaks a rule, and the
// rule; reason is "" for a valid line.
func (it *ReceiptItem) rule() (field, reason string) {
	switch {
	case !utf8.ValidString(it.Code):
		return "Code", "must be valid UTF-8"
	case it.Name == "":
		return "Name", "is required"
	case !utf8.ValidString(it.Name):
		return "Name", "must be valid UTF-8"
	}
	if reason := amountRule(it.Price, 2, false); reason != "" {
		return "Price", reason
	}
	if reason := tokenRule(string(it.Unit), true); reason != "" {
		return "Unit", reason
	}
	if reason := amountRule(it.Quantity, 6, true); reason != "" {
		return "Quantity", reason
	}
	if reason := amountRule(it.Sum, 2, false); reason != "" {
		return "Sum", reason
	}
	if reason := tokenRule(string(it.VATMode), true); reason != "" {
		return "VATMode", reason
	}
	if reason := amountRule(it.VATAmount, 2, false); reason != "" {
		return "VATAmount", reason
	}
	if reason := amountRule(it.DiscountRate, 2, false); reason != "" {
		return "DiscountRate", reason
	}
	if it.DiscountRate.GreaterThan(hundred) {
		return "DiscountRate", "must be at most 100 (percent)"
	}
	if reason := amountRule(it.DiscountAmount, 2, false); reason != "" {
		return "DiscountAmount", reason
	}
	if reason := tokenRule(string(it.PaymentMethod), false); reason != "" {
		return "PaymentMethod", reason
	}
	if reason := tokenRule(string(it.PaymentObject), false); reason != "" {
		return "PaymentObject", reason
	}
	return "", ""
}

// tokenRule returns the rule an enumeration value breaks, or "": lower-case
// letters, digits and '_', empty only when not required.
func tokenRule(s string, required bool) string {
	if s == "" {
		if required {
			return "is required"
		}
		return ""
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_') {
			return "must be lower-case letters, digits and '_'"
		}
	}
	return ""
}

// appendJSON appends the checked receipt as compact JSON (§1): fields in
// the order of Life-Pay's table, money as numbers with two decimals,
// quantities and percentages in their shortest exact form, optional
// fields left out when empty.
func (r *Receipt) appendJSON(b []byte) []byte {
	b = append(b, `{"items":[`...)
	for i := range r.Items {
		if i > 0 {
			b = append(b, ',')
		}
		b = r.Items[i].appendJSON(b)
	}
	b = append(b, ']')
	if !r.VATTotal.IsZero() {
		b = append(b, `,"vat_total":`...)
		b = appendFixed2(b, r.VATTotal)
	}
	return append(b, '}')
}

func (it *ReceiptItem) appendJSON(b []byte) []byte {
	b = append(b, '{')
	if it.Code != "" {
		b = appendJSONField(b, "code", it.Code, true)
	}
	b = appendJSONField(b, "name", it.Name, it.Code == "")
	b = append(b, `,"price":`...)
	b = appendFixed2(b, it.Price)
	b = appendJSONField(b, "unit", string(it.Unit), false)
	b = append(b, `,"quantity":`...)
	b = append(b, it.Quantity.String()...)
	b = append(b, `,"sum":`...)
	b = appendFixed2(b, it.Sum)
	b = appendJSONField(b, "vat_mode", string(it.VATMode), false)
	if !it.VATAmount.IsZero() {
		b = append(b, `,"vat_amount":`...)
		b = appendFixed2(b, it.VATAmount)
	}
	if !it.DiscountRate.IsZero() {
		b = append(b, `,"discount_rate":`...)
		b = append(b, it.DiscountRate.String()...)
	}
	if !it.DiscountAmount.IsZero() {
		b = append(b, `,"discount_amount":`...)
		b = appendFixed2(b, it.DiscountAmount)
	}
	if it.PaymentMethod != "" {
		b = appendJSONField(b, "payment_method", string(it.PaymentMethod), false)
	}
	if it.PaymentObject != "" {
		b = appendJSONField(b, "payment_object", string(it.PaymentObject), false)
	}
	return append(b, '}')
}

// appendJSONField appends "name":"value", preceded by a comma unless first.
func appendJSONField(b []byte, name, value string, first bool) []byte {
	if !first {
		b = append(b, ',')
	}
	b = append(b, '"')
	b = append(b, name...)
	b = append(b, `":`...)
	return appendJSONString(b, value)
}

// appendJSONString appends s, valid UTF-8, as a JSON string. Besides what
// JSON requires (", \ and control characters), it escapes < > & ' % + and
// U+2028/U+2029 as \u00XX: the JSON then survives HTML-entity decoding and
// URL decoding unchanged, whichever of them Life-Pay applies (§1).
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	for _, r := range s {
		switch {
		case r < 0x20 || r == '"' || r == '\\' || r == '<' || r == '>' || r == '&' ||
			r == '\'' || r == '%' || r == '+' || r == 0x7f || r == 0x2028 || r == 0x2029:
			b = append(b, '\\', 'u', upperHex[r>>12&15], upperHex[r>>8&15], upperHex[r>>4&15], upperHex[r&15])
		default:
			b = utf8.AppendRune(b, r)
		}
	}
	return append(b, '"')
}
