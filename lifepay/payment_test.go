package lifepay_test

import (
	"encoding/json"
	"errors"
	"html"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/robokassa-go/robokassa/lifepay"
)

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func validPayment() lifepay.Payment {
	return lifepay.Payment{Cost: dec("100.50"), Name: "Заказ 1"}
}

func validItem() lifepay.ReceiptItem {
	return lifepay.ReceiptItem{Name: "Кокос", Price: dec("85"), Unit: lifepay.UnitPiece,
		Quantity: dec("1"), Sum: dec("85"), VATMode: lifepay.VATNone}
}

func TestPaymentValidation(t *testing.T) {
	c := newV2(t)
	msk := time.FixedZone("MSK", 3*3600)
	tests := []struct {
		name   string
		modify func(p *lifepay.Payment)
		field  string
		reason string
	}{
		{"zero cost", func(p *lifepay.Payment) { p.Cost = decimal.Zero }, "Cost", "greater than zero"},
		{"negative cost", func(p *lifepay.Payment) { p.Cost = dec("-1") }, "Cost", "greater than zero"},
		{"three decimals are not rounded", func(p *lifepay.Payment) { p.Cost = dec("10.005") }, "Cost", "at most 2 decimal places"},
		{"tiny fraction", func(p *lifepay.Payment) { p.Cost = decimal.New(1, -1000000) }, "Cost", "at most 2 decimal places"},
		{"huge cost", func(p *lifepay.Payment) { p.Cost = decimal.New(1, 1000000) }, "Cost", "at most 12 digits"},
		{"13 integer digits", func(p *lifepay.Payment) { p.Cost = dec("1000000000000") }, "Cost", "at most 12 digits"},
		{"name required", func(p *lifepay.Payment) { p.Name = "" }, "Name", "is required"},
		{"blank name", func(p *lifepay.Payment) { p.Name = " \t" }, "Name", "is required"},
		{"name of 129 characters", func(p *lifepay.Payment) { p.Name = strings.Repeat("ж", 129) }, "Name", "at most 128 characters"},
		{"name not UTF-8", func(p *lifepay.Payment) { p.Name = "a\xff" }, "Name", "valid UTF-8"},
		{"email", func(p *lifepay.Payment) { p.Email = "not an email" }, "Email", "e-mail"},
		{"email without domain", func(p *lifepay.Payment) { p.Email = "a@" }, "Email", "e-mail"},
		{"phone with plus", func(p *lifepay.Payment) { p.Phone = "+74951234567" }, "Phone", "digits"},
		{"phone too long", func(p *lifepay.Payment) { p.Phone = strings.Repeat("7", 16) }, "Phone", "digits"},
		{"order_id of 65", func(p *lifepay.Payment) { p.OrderID = strings.Repeat("a", 65) }, "OrderID", "at most 64"},
		{"order_id cyrillic", func(p *lifepay.Payment) { p.OrderID = "заказ1" }, "OrderID", "Latin letters and digits"},
		{"order_id dash", func(p *lifepay.Payment) { p.OrderID = "A-1" }, "OrderID", "Latin letters and digits"},
		{"recurring needs 6", func(p *lifepay.Payment) { p.Recurring, p.Email, p.OrderID = true, "a@b.c", "12345" }, "OrderID", "at least 6"},
		{"recurring needs order_id", func(p *lifepay.Payment) { p.Recurring, p.Email = true, "a@b.c" }, "OrderID", "at least 6"},
		{"recurring needs email", func(p *lifepay.Payment) { p.Recurring, p.OrderID = true, "123456" }, "Email", "required for a recurring"},
		{"comment of 513", func(p *lifepay.Payment) { p.Comment = strings.Repeat("я", 513) }, "Comment", "at most 512 characters"},
		{"success URL relative", func(p *lifepay.Payment) { p.SuccessURL = "/ok" }, "SuccessURL", "http://"},
		{"success URL ftp", func(p *lifepay.Payment) { p.SuccessURL = "ftp://x/ok" }, "SuccessURL", "http://"},
		{"success URL upper-case scheme", func(p *lifepay.Payment) { p.SuccessURL = "HTTPS://x/ok" }, "SuccessURL", "http://"},
		{"error URL without host", func(p *lifepay.Payment) { p.ErrorURL = "https://" }, "ErrorURL", "absolute"},
		{"error URL with control", func(p *lifepay.Payment) { p.ErrorURL = "https://x/\n" }, "ErrorURL", "absolute"},
		{"expiration with seconds", func(p *lifepay.Payment) { p.ExpirationDate = time.Date(2030, 1, 1, 10, 0, 30, 0, msk) }, "ExpirationDate", "whole minute"},
		{"expiration with nanoseconds", func(p *lifepay.Payment) { p.ExpirationDate = time.Date(2030, 1, 1, 10, 0, 0, 1, msk) }, "ExpirationDate", "whole minute"},
		{"expiration year 10000", func(p *lifepay.Payment) { p.ExpirationDate = time.Date(9999, 12, 31, 23, 0, 0, 0, time.UTC) }, "ExpirationDate", "years 1 to 9999"},
		{"target serial control", func(p *lifepay.Payment) { p.TargetSerial = "1\r\n2" }, "TargetSerial", "control"},
		{"custom field empty key", func(p *lifepay.Payment) { p.CustomFields = map[string]string{"": "x"} }, "CustomFields", "non-empty"},
		{"custom field bad value", func(p *lifepay.Payment) { p.CustomFields = map[string]string{"k": "\xff"} }, "CustomFields[k]", "UTF-8"},
		{"receipt without items", func(p *lifepay.Payment) { p.InvoiceData = &lifepay.Receipt{} }, "InvoiceData.Items", "1 to 100"},
		{"receipt of 101 items", func(p *lifepay.Payment) {
			items := make([]lifepay.ReceiptItem, 101)
			for i := range items {
				items[i] = validItem()
			}
			p.InvoiceData = &lifepay.Receipt{Items: items}
		}, "InvoiceData.Items", "1 to 100"},
		{"receipt item name", func(p *lifepay.Payment) {
			it := validItem()
			it.Name = ""
			p.InvoiceData = &lifepay.Receipt{Items: []lifepay.ReceiptItem{validItem(), it}}
		}, "InvoiceData.Items[1].Name", "is required"},
		{"receipt negative price", func(p *lifepay.Payment) {
			it := validItem()
			it.Price = dec("-0.01")
			p.InvoiceData = &lifepay.Receipt{Items: []lifepay.ReceiptItem{it}}
		}, "InvoiceData.Items[0].Price", "not be negative"},
		{"receipt sum three decimals", func(p *lifepay.Payment) {
			it := validItem()
			it.Sum = dec("1.001")
			p.InvoiceData = &lifepay.Receipt{Items: []lifepay.ReceiptItem{it}}
		}, "InvoiceData.Items[0].Sum", "at most 2 decimal places"},
		{"receipt zero quantity", func(p *lifepay.Payment) {
			it := validItem()
			it.Quantity = decimal.Zero
			p.InvoiceData = &lifepay.Receipt{Items: []lifepay.ReceiptItem{it}}
		}, "InvoiceData.Items[0].Quantity", "greater than zero"},
		{"receipt quantity 7 decimals", func(p *lifepay.Payment) {
			it := validItem()
			it.Quantity = dec("0.0000001")
			p.InvoiceData = &lifepay.Receipt{Items: []lifepay.ReceiptItem{it}}
		}, "InvoiceData.Items[0].Quantity", "at most 6 decimal places"},
		{"receipt unit missing", func(p *lifepay.Payment) {
			it := validItem()
			it.Unit = ""
			p.InvoiceData = &lifepay.Receipt{Items: []lifepay.ReceiptItem{it}}
		}, "InvoiceData.Items[0].Unit", "is required"},
		{"receipt vat mode odd", func(p *lifepay.Payment) {
			it := validItem()
			it.VATMode = "VAT 20%"
			p.InvoiceData = &lifepay.Receipt{Items: []lifepay.ReceiptItem{it}}
		}, "InvoiceData.Items[0].VATMode", "lower-case"},
		{"receipt discount over 100%", func(p *lifepay.Payment) {
			it := validItem()
			it.DiscountRate = dec("100.01")
			p.InvoiceData = &lifepay.Receipt{Items: []lifepay.ReceiptItem{it}}
		}, "InvoiceData.Items[0].DiscountRate", "at most 100"},
		{"receipt vat total negative", func(p *lifepay.Payment) {
			p.InvoiceData = &lifepay.Receipt{Items: []lifepay.ReceiptItem{validItem()}, VATTotal: dec("-1")}
		}, "InvoiceData.VATTotal", "greater than zero"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := validPayment()
			tt.modify(&p)
			for _, build := range []func() error{
				func() error { _, err := c.PaymentURL(p); return err },
				func() error { _, err := c.PaymentForm(p); return err },
			} {
				err := build()
				require.Error(t, err)
				assert.ErrorIs(t, err, lifepay.ErrInvalidParam)
				var ve *lifepay.ValidationError
				require.True(t, errors.As(err, &ve))
				assert.Equal(t, tt.field, ve.Field)
				assert.Contains(t, ve.Reason, tt.reason)
				assert.True(t, strings.HasPrefix(err.Error(), "lifepay: invalid "+tt.field+": "), err.Error())
			}
		})
	}
}

// TestPaymentBoundaries: the largest values each rule allows are sent as
// they are.
func TestPaymentBoundaries(t *testing.T) {
	c := newV2(t)
	p := lifepay.Payment{
		Cost:    dec("999999999999.99"),
		Name:    strings.Repeat("ж", 128),
		Comment: strings.Repeat("я", 512),
		OrderID: strings.Repeat("Z", 64),
		Phone:   strings.Repeat("7", 15),
		InvoiceData: &lifepay.Receipt{Items: []lifepay.ReceiptItem{{Name: "x", Price: dec("0"), Unit: "custom_unit_1",
			Quantity: dec("0.000001"), Sum: dec("0"), VATMode: "vat5", DiscountRate: dec("100")}}},
	}
	form, err := c.PaymentForm(p)
	require.NoError(t, err)
	assert.Equal(t, "999999999999.99", form.Get("cost"))
	assert.Equal(t, p.Name, form.Get("name"))
	assert.Equal(t, p.Comment, form.Get("comment"))
	assert.Equal(t, p.OrderID, form.Get("order_id"))
	assert.Equal(t, `{"items":[{"name":"x","price":0.00,"unit":"custom_unit_1","quantity":0.000001,"sum":0.00,"vat_mode":"vat5","discount_rate":100}]}`,
		form.Get("invoice_data"))
	assert.NotContains(t, form, "recurrent_type")

	// Trailing zeros beyond two decimals are not a third decimal.
	p = validPayment()
	p.Cost = dec("10.500000")
	form, err = c.PaymentForm(p)
	require.NoError(t, err)
	assert.Equal(t, "10.50", form.Get("cost"))
}

// TestPaymentOnlySetFieldsSent: a minimal payment sends exactly the
// identity, cost and name.
func TestPaymentOnlySetFieldsSent(t *testing.T) {
	c := newV2(t)
	form, err := c.PaymentForm(validPayment())
	require.NoError(t, err)
	var names []string
	for k := range form {
		names = append(names, k)
	}
	assert.ElementsMatch(t, []string{"service_id", "version", "cost", "name", "check"}, names)
}

// TestExpirationDateZone: the deadline is written in Moscow time whatever
// zone it was given in (§1).
func TestExpirationDateZone(t *testing.T) {
	c := newV2(t)
	tests := []struct {
		name string
		at   time.Time
		want string
	}{
		{"UTC", time.Date(2022, 11, 1, 13, 40, 0, 0, time.UTC), "2022-11-01T16:40"},
		{"Moscow", time.Date(2022, 11, 1, 16, 40, 0, 0, time.FixedZone("MSK", 3*3600)), "2022-11-01T16:40"},
		{"Vladivostok, crossing midnight", time.Date(2022, 11, 2, 0, 10, 0, 0, time.FixedZone("VLAT", 10*3600)), "2022-11-01T17:10"},
		{"half-hour zone", time.Date(2022, 11, 1, 19, 10, 0, 0, time.FixedZone("IST", 5*3600+1800)), "2022-11-01T16:40"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := validPayment()
			p.ExpirationDate = tt.at
			form, err := c.PaymentForm(p)
			require.NoError(t, err)
			assert.Equal(t, tt.want, form.Get("expiration_date"))
		})
	}
}

// TestReceiptJSON: invoice_data is compact JSON in the table's field
// order; money has two decimals; quantities and rates their shortest form;
// optional fields only when set; strings escape what HTML and URL
// decoding would change.
func TestReceiptJSON(t *testing.T) {
	c := newV2(t)
	p := validPayment()
	p.InvoiceData = &lifepay.Receipt{
		VATTotal: dec("14.17"),
		Items: []lifepay.ReceiptItem{
			{Code: "21321312122", Name: "Маракуя", Unit: lifepay.UnitKilogram, Price: dec("340"), Quantity: dec("0.250"),
				Sum: dec("85.0"), VATMode: lifepay.VAT20, VATAmount: dec("14.17"), DiscountRate: dec("5.50"),
				DiscountAmount: dec("4.7"), PaymentMethod: lifepay.PaymentFull, PaymentObject: lifepay.ObjectCommodity},
			{Name: "<b>'10%'</b> & \"+\"\n\u2028\x7f", Unit: lifepay.UnitService, Price: dec("0.01"), Quantity: dec("3"),
				Sum: dec("0.03"), VATMode: lifepay.VATNone},
		},
	}
	form, err := c.PaymentForm(p)
	require.NoError(t, err)
	assert.Equal(t,
		`{"items":[`+
			`{"code":"21321312122","name":"Маракуя","price":340.00,"unit":"kg","quantity":0.25,"sum":85.00,"vat_mode":"vat20",`+
			`"vat_amount":14.17,"discount_rate":5.5,"discount_amount":4.70,"payment_method":"full_payment","payment_object":"commodity"},`+
			`{"name":"\u003Cb\u003E\u002710\u0025\u0027\u003C/b\u003E \u0026 \u0022\u002B\u0022\u000A\u2028\u007F","price":0.01,"unit":"service","quantity":3,"sum":0.03,"vat_mode":"none"}`+
			`],"vat_total":14.17}`,
		form.Get("invoice_data"))

	assertDecodingInvariant(t, form.Get("invoice_data"))
}

// TestCustomFieldsJSON: custom_fields is a JSON object with keys in byte
// order, unchanged by URL decoding (§1).
func TestCustomFieldsJSON(t *testing.T) {
	c := newV2(t)
	p := validPayment()
	p.CustomFields = map[string]string{"z": "1+1=2", "a b": "100% & <ok>", "ю": `\\`}
	form, err := c.PaymentForm(p)
	require.NoError(t, err)
	want := `{"a b":"100\u0025 \u0026 \u003Cok\u003E","z":"1\u002B1=2","ю":"\u005C\u005C"}`
	assert.Equal(t, want, form.Get("custom_fields"))
	assertDecodingInvariant(t, form.Get("custom_fields"))
	var back map[string]string
	require.NoError(t, json.Unmarshal([]byte(want), &back))
	assert.Equal(t, p.CustomFields, back)
}

// assertDecodingInvariant: the value is valid JSON that neither URL
// decoding nor HTML-entity decoding changes (§1).
func assertDecodingInvariant(t *testing.T, v string) {
	t.Helper()
	assert.True(t, json.Valid([]byte(v)), "valid JSON")
	u, err := url.QueryUnescape(v)
	require.NoError(t, err)
	assert.Equal(t, v, u, "URL decoding changes nothing")
	p, err := url.PathUnescape(v)
	require.NoError(t, err)
	assert.Equal(t, v, p, "raw URL decoding changes nothing")
	assert.Equal(t, v, html.UnescapeString(v), "HTML-entity decoding changes nothing")
}
