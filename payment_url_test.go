package robokassa

import (
	"errors"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// vectorReceipts are the Go receipts whose JSON gen_core_vectors.py wrote
// out by hand (R1, R2 there).
var vectorReceipts = map[string]*Receipt{
	`{"sno":"osn","items":[{"name":"Item A"`: {Sno: SnoOSN, Items: []ReceiptItem{
		{Name: "Item A", Quantity: dec("1"), Sum: dec("490"), Tax: TaxVAT22, PaymentMethod: ReceiptPaymentFull, PaymentObject: ObjectCommodity},
		{Name: "Item B", Quantity: dec("2"), Sum: dec("500.0"), Tax: TaxNone, PaymentMethod: ReceiptPaymentFull, PaymentObject: ObjectCommodity},
	}},
	`{"items":[{"name":"Чай`: {Items: []ReceiptItem{
		{Name: `Чай "Улун" 100 г/шт.`, Quantity: dec("1.500"), Sum: dec("150.5"), Tax: TaxVAT10, PaymentMethod: ReceiptPaymentFullPrepayment, PaymentObject: ObjectCommodity, NomenclatureCode: "010460\x1d21abc"},
		{Name: "Доставка ~ курьер", Quantity: dec("1"), Cost: decimal.NewNullDecimal(dec("99.5")), Tax: TaxVAT20, PaymentObject: ObjectService},
	}},
}

func vectorPayment(t *testing.T, v paymentVector) Payment {
	w := v.Wire
	p := Payment{
		OutSum: dec(w.OutSum), Description: w.Description, OutSumCurrency: w.OutSumCurrency, UserIP: w.UserIP,
		Culture: w.Culture, Encoding: w.Encoding, Email: w.Email, StepByStep: w.StepByStep,
		ResultURL2: w.ResultURL2, SuccessURL2: w.SuccessURL2, SuccessURL2Method: w.SuccessURL2Method,
		FailURL2: w.FailURL2, FailURL2Method: w.FailURL2Method, IncCurrLabel: w.IncCurrLabel,
		PaymentMethods: w.PaymentMethods, IsWithoutFreeSale: w.IsWithoutFreeSale, Recurring: w.Recurring,
		Token: w.Token, Shp: w.Shp,
	}
	if w.InvID != "" {
		id, err := strconv.ParseInt(w.InvID, 10, 64)
		require.NoError(t, err)
		p.InvID = id
	}
	if w.ExpirationDate != "" {
		ts, err := time.Parse(time.RFC3339, w.ExpirationDate)
		require.NoError(t, err)
		p.ExpirationDate = ts
	}
	if w.ReceiptJSON != "" {
		for prefix, r := range vectorReceipts {
			if strings.HasPrefix(w.ReceiptJSON, prefix) {
				p.Receipt = r
			}
		}
		require.NotNil(t, p.Receipt, "no Go receipt for %s", w.ReceiptJSON)
		var buf []byte
		require.Equal(t, w.ReceiptJSON, string(p.Receipt.appendJSON(buf)), "receipt JSON")
	}
	return p
}

func vectorClient(t *testing.T, alg HashAlgorithm, login, password string, test bool) *Client {
	cfg := Config{MerchantLogin: login, Algorithm: alg, Test: test, Password1: Secret(password), Password2: "unused"}
	if test {
		cfg.Password1, cfg.TestPassword1 = "production-password", Secret(password)
	}
	c, err := NewClient(cfg)
	require.NoError(t, err)
	return c
}

// TestPaymentVectors checks whole links, byte for byte, against URLs
// computed outside Go.
func TestPaymentVectors(t *testing.T) {
	payments, _ := loadCoreVectors(t)
	for _, v := range payments {
		t.Run(v.Name, func(t *testing.T) {
			c := vectorClient(t, v.Algorithm, v.Login, v.Password, v.Test)
			p := vectorPayment(t, v)
			var got string
			var err error
			if strings.Contains(v.URL, pathCoF) {
				got, err = c.CoFPaymentURL(p)
			} else {
				got, err = c.PaymentURL(p)
			}
			require.NoError(t, err)
			assert.Equal(t, v.URL, got)

			base, err := c.SignatureBase(p)
			require.NoError(t, err)
			assert.Equal(t, strings.Replace(v.Base, ":"+v.Password, ":[password]", 1), base)

			form, err := c.PaymentForm(p)
			require.NoError(t, err)
			want, err := url.ParseQuery(v.URL[strings.IndexByte(v.URL, '?')+1:])
			require.NoError(t, err)
			assert.Equal(t, want, form, "POST fields are the GET link's values")
			assert.Equal(t, v.Signature, form.Get("SignatureValue"))
		})
	}
}

// TestSharedVectorsThroughPaymentURL runs the shared signature vectors
// that a Payment can express through the public API.
func TestSharedVectorsThroughPaymentURL(t *testing.T) {
	for _, v := range loadSignatureVectors(t) {
		in := v.Inputs
		if in.ReceiptJSON != "" || !strings.Contains(in.OutSum, ".") {
			continue // receipts are covered by TestPaymentVectors; "5" is not a 2-decimal OutSum
		}
		t.Run(v.Name, func(t *testing.T) {
			c := vectorClient(t, v.Algorithm, in.MerchantLogin, in.Password, false)
			p := Payment{OutSum: dec(in.OutSum), StepByStep: in.StepByStep, ResultURL2: in.ResultURL2,
				SuccessURL2: in.SuccessURL2, SuccessURL2Method: in.SuccessURL2Method, FailURL2: in.FailURL2,
				FailURL2Method: in.FailURL2Method, Token: in.Token, OutSumCurrency: in.OutSumCurrency, UserIP: in.UserIP}
			if in.InvID != "" {
				p.InvID, _ = strconv.ParseInt(in.InvID, 10, 64)
			}
			for k, val := range in.Shp {
				if p.Shp == nil {
					p.Shp = map[string]string{}
				}
				p.Shp[strings.TrimPrefix(k, "Shp_")] = val
			}
			f, err := c.PaymentForm(p)
			require.NoError(t, err)
			assert.Equal(t, v.Signature, f.Get("SignatureValue"))
		})
	}
}

func TestPaymentURLShape(t *testing.T) {
	c := vectorClient(t, MD5, "demo", "password_1", false)
	p := Payment{OutSum: dec("990"), InvID: 12, Receipt: vectorReceipts[`{"sno":"osn","items":[{"name":"Item A"`],
		Shp: map[string]string{"note": "a b"}}
	link, err := c.PaymentURL(p)
	require.NoError(t, err)
	assert.Contains(t, link, "OutSum=990.00&", "OutSum rendered once with two decimals")
	assert.Contains(t, link, "Receipt=%257B%2522sno%2522", "receipt is encoded twice in a GET link")
	u, err := url.Parse(link)
	require.NoError(t, err)
	assert.Equal(t, "/Merchant/Index.aspx", u.Path)
	q := u.Query()
	assert.True(t, strings.HasPrefix(q.Get("Receipt"), "%7B%22sno%22"), "once-encoded after the transport decodes")
	assert.Equal(t, "a+b", q.Get("Shp_note"), "Shp value is sent encoded, as the official SDK does")
	assert.Empty(t, q.Get("IsTest"))
	assert.NotContains(t, link, "password_1")
}

func TestPaymentWithoutInvIDOmitsField(t *testing.T) {
	c := vectorClient(t, MD5, "demo", "password_1", false)
	f, err := c.PaymentForm(Payment{OutSum: dec("10")})
	require.NoError(t, err)
	_, present := f["InvId"]
	assert.False(t, present)
	base, err := c.SignatureBase(Payment{OutSum: dec("10")})
	require.NoError(t, err)
	assert.Equal(t, "demo:10.00::[password]", base)
}

func TestTestModeUsesTestPassword(t *testing.T) {
	c, err := NewClient(Config{MerchantLogin: "demo", Password1: "prod1", TestPassword1: "test1", Test: true})
	require.NoError(t, err)
	f, err := c.PaymentForm(Payment{OutSum: dec("990.00"), InvID: 12})
	require.NoError(t, err)
	assert.Equal(t, "1", f.Get("IsTest"))
	// md5("demo:990.00:12:test1"), computed with Python hashlib.
	assert.Equal(t, "629a4193f5fd822b85bfe0376f21daaf", f.Get("SignatureValue"))

	_, err = NewClient(Config{MerchantLogin: "demo", Password1: "prod1", Test: true})
	var ve *ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "Config.TestPassword1", ve.Field)
}

func TestPaymentValidation(t *testing.T) {
	c := vectorClient(t, MD5, "demo", "password_1", false)
	ok := func() Payment { return Payment{OutSum: dec("100"), InvID: 1} }
	item := func(sum string) ReceiptItem {
		return ReceiptItem{Name: "x", Quantity: dec("1"), Sum: dec(sum), Tax: TaxNone}
	}
	long := func(n int) string { return strings.Repeat("я", n) }
	cases := []struct {
		name  string
		edit  func(*Payment)
		field string
	}{
		{"zero sum", func(p *Payment) { p.OutSum = decimal.Zero }, "OutSum"},
		{"negative sum", func(p *Payment) { p.OutSum = dec("-1") }, "OutSum"},
		{"three decimals", func(p *Payment) { p.OutSum = dec("10.001") }, "OutSum"},
		{"negative InvID", func(p *Payment) { p.InvID = -1 }, "InvID"},
		{"description 101 runes", func(p *Payment) { p.Description = long(101) }, "Description"},
		{"description invalid utf-8", func(p *Payment) { p.Description = "\xff" }, "Description"},
		{"shp name with dash", func(p *Payment) { p.Shp = map[string]string{"a-b": "1"} }, `Shp["a-b"]`},
		{"shp name empty", func(p *Payment) { p.Shp = map[string]string{"": "1"} }, "Shp"},
		{"shp name cyrillic", func(p *Payment) { p.Shp = map[string]string{"заказ": "1"} }, `Shp["заказ"]`},
		{"culture de", func(p *Payment) { p.Culture = "de" }, "Culture"},
		{"encoding cp1251", func(p *Payment) { p.Encoding = "windows-1251" }, "Encoding"},
		{"currency lowercase", func(p *Payment) { p.OutSumCurrency = "usd" }, "OutSumCurrency"},
		{"user ip", func(p *Payment) { p.UserIP = "1.2.3" }, "UserIP"},
		{"email", func(p *Payment) { p.Email = "nobody" }, "Email"},
		{"inccurrlabel", func(p *Payment) { p.IncCurrLabel = "a&b" }, "IncCurrLabel"},
		{"empty payment method", func(p *Payment) { p.PaymentMethods = []string{""} }, "PaymentMethods[0]"},
		{"success url without method", func(p *Payment) { p.SuccessURL2 = "https://x.example/ok" }, "SuccessURL2Method"},
		{"success method without url", func(p *Payment) { p.SuccessURL2Method = "GET" }, "SuccessURL2"},
		{"fail method PUT", func(p *Payment) { p.FailURL2, p.FailURL2Method = "https://x.example/f", "PUT" }, "FailURL2Method"},
		{"fail method lowercase", func(p *Payment) { p.FailURL2, p.FailURL2Method = "https://x.example/f", "get" }, "FailURL2Method"},
		{"relative redirect", func(p *Payment) { p.SuccessURL2, p.SuccessURL2Method = "/ok", "GET" }, "SuccessURL2"},
		{"ftp redirect", func(p *Payment) { p.FailURL2, p.FailURL2Method = "ftp://x.example/f", "POST" }, "FailURL2"},
		{"relative result url 2", func(p *Payment) { p.ResultURL2 = "r2" }, "ResultURL2"},
		{"expiry in the past", func(p *Payment) { p.ExpirationDate = time.Now().Add(-time.Minute) }, "ExpirationDate"},
		{"description with a line break", func(p *Payment) { p.Description = "line\nbreak" }, "Description"},
		{"description with NUL", func(p *Payment) { p.Description = "a\x01b" }, "Description"},
		{"shp key with prefix", func(p *Payment) { p.Shp = map[string]string{"Shp_order": "1"} }, `Shp["Shp_order"]`},
		{"shp key with prefix, lower case", func(p *Payment) { p.Shp = map[string]string{"shp_order": "1"} }, `Shp["shp_order"]`},
		{"too many shp", func(p *Payment) {
			p.Shp = map[string]string{}
			for i := 0; i <= maxShp; i++ {
				p.Shp["k"+strconv.Itoa(i)] = "v"
			}
		}, "Shp"},
		{"token with control character", func(p *Payment) { p.Token = "a\x7fb" }, "Token"},
		{"token with recurring", func(p *Payment) { p.Token, p.Recurring = "t", true }, "Token"},
		{"token with hold", func(p *Payment) { p.Token, p.StepByStep = "t", true }, "Token"},
		{"empty receipt", func(p *Payment) { p.Receipt = &Receipt{} }, "Receipt.Items"},
		{"receipt does not add up", func(p *Payment) { p.Receipt = &Receipt{Items: []ReceiptItem{item("99.99")}} }, "Receipt.Items"},
		{"item name 129 runes", func(p *Payment) {
			it := item("100")
			it.Name = long(129)
			p.Receipt = &Receipt{Items: []ReceiptItem{it}}
		}, "Receipt.Items[0].Name"},
		{"item name empty", func(p *Payment) {
			it := item("100")
			it.Name = ""
			p.Receipt = &Receipt{Items: []ReceiptItem{it}}
		}, "Receipt.Items[0].Name"},
		{"item quantity 4 decimals", func(p *Payment) {
			it := item("100")
			it.Quantity = dec("0.0001")
			p.Receipt = &Receipt{Items: []ReceiptItem{it}}
		}, "Receipt.Items[0].Quantity"},
		{"item quantity 6 integer digits", func(p *Payment) {
			it := item("100")
			it.Quantity = dec("100000")
			p.Receipt = &Receipt{Items: []ReceiptItem{it}}
		}, "Receipt.Items[0].Quantity"},
		{"item quantity zero", func(p *Payment) {
			it := item("100")
			it.Quantity = decimal.Zero
			p.Receipt = &Receipt{Items: []ReceiptItem{it}}
		}, "Receipt.Items[0].Quantity"},
		{"item sum 3 decimals", func(p *Payment) { p.Receipt = &Receipt{Items: []ReceiptItem{item("99.995"), item("0.005")}} }, "Receipt.Items[0].Sum"},
		{"item sum 9 integer digits", func(p *Payment) {
			p.OutSum = dec("100000000")
			p.Receipt = &Receipt{Items: []ReceiptItem{item("100000000")}}
		}, "Receipt.Items[0].Sum"},
		{"item sum negative", func(p *Payment) { p.Receipt = &Receipt{Items: []ReceiptItem{item("101"), item("-1")}} }, "Receipt.Items[1].Sum"},
		{"item cost times quantity not kopecks", func(p *Payment) {
			it := item("0")
			it.Cost, it.Quantity = decimal.NewNullDecimal(dec("0.01")), dec("0.5")
			p.Receipt = &Receipt{Items: []ReceiptItem{it}}
		}, "Receipt.Items[0].Cost"},
		{"item without tax", func(p *Payment) {
			it := item("100")
			it.Tax = ""
			p.Receipt = &Receipt{Items: []ReceiptItem{it}}
		}, "Receipt.Items[0].Tax"},
		{"item tax with quote", func(p *Payment) {
			it := item("100")
			it.Tax = `vat"`
			p.Receipt = &Receipt{Items: []ReceiptItem{it}}
		}, "Receipt.Items[0].Tax"},
		{"nomenclature code with newline", func(p *Payment) {
			it := item("100")
			it.NomenclatureCode = "01\n"
			p.Receipt = &Receipt{Items: []ReceiptItem{it}}
		}, "Receipt.Items[0].NomenclatureCode"},
		{"nomenclature code 256 bytes", func(p *Payment) {
			it := item("100")
			it.NomenclatureCode = strings.Repeat("0", 256)
			p.Receipt = &Receipt{Items: []ReceiptItem{it}}
		}, "Receipt.Items[0].NomenclatureCode"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := ok()
			tc.edit(&p)
			link, err := c.PaymentURL(p)
			assert.Empty(t, link)
			var ve *ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tc.field, ve.Field)
			assert.NotEmpty(t, ve.Reason)
			assert.True(t, errors.Is(err, ErrInvalidParam))
			assert.True(t, strings.HasPrefix(err.Error(), "robokassa: "))
			assert.NotContains(t, err.Error(), "password_1")
			_, err = c.PaymentForm(p)
			assert.ErrorAs(t, err, &ve)
		})
	}
}

func TestPaymentValidationAccepts(t *testing.T) {
	c := vectorClient(t, MD5, "demo", "password_1", false)
	cases := map[string]Payment{
		"100 rune description":            {OutSum: dec("1"), Description: strings.Repeat("я", 100)},
		"trailing zeros are not decimals": {OutSum: dec("10.000000")},
		"max int64 InvID":                 {OutSum: dec("1"), InvID: 1<<63 - 1},
		"huge amount":                     {OutSum: dec("123456789012345678901234.5")},
		"128 rune item":                   {OutSum: dec("1"), Receipt: &Receipt{Items: []ReceiptItem{{Name: strings.Repeat("я", 128), Quantity: dec("99999.999"), Sum: dec("1"), Tax: TaxNone}}}},
		"receipt via cost":                {OutSum: dec("3.00"), Receipt: &Receipt{Items: []ReceiptItem{{Name: "x", Quantity: dec("3"), Cost: decimal.NewNullDecimal(dec("1")), Tax: TaxNone}}}},
		"both redirects":                  {OutSum: dec("1"), SuccessURL2: "http://x.example/ok", SuccessURL2Method: "POST", FailURL2: "https://x.example/f", FailURL2Method: "GET"},
		"recurring parent":                {OutSum: dec("1"), Recurring: true, InvID: 5},
		"ipv6":                            {OutSum: dec("1"), UserIP: "::1"},
		"upper-case encoding":             {OutSum: dec("1"), Encoding: "UTF-8"},
	}
	for name, p := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := c.PaymentURL(p)
			assert.NoError(t, err)
		})
	}
	link, err := c.PaymentURL(cases["huge amount"])
	require.NoError(t, err)
	assert.Contains(t, link, "OutSum=123456789012345678901234.50&")
}

func TestCoFRequiresToken(t *testing.T) {
	c := vectorClient(t, MD5, "demo", "password_1", false)
	_, err := c.CoFPaymentURL(Payment{OutSum: dec("1")})
	var ve *ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "Token", ve.Field)
}

func TestPaymentButtonEscapes(t *testing.T) {
	c := vectorClient(t, MD5, "demo", "password_1", false)
	html, err := c.PaymentButton(Payment{OutSum: dec("1"), InvID: 3, Description: `"><script>alert(1)</script>`,
		Shp: map[string]string{"x": `<b>`}}, `Pay <now>`)
	require.NoError(t, err)
	s := string(html)
	assert.NotContains(t, s, "<script>")
	assert.NotContains(t, s, "<now>")
	assert.Contains(t, s, `action="https://auth.robokassa.ru/Merchant/Index.aspx"`)
	assert.Contains(t, s, `method="POST"`)
	assert.Contains(t, s, `name="SignatureValue"`)
	assert.Contains(t, s, "&lt;script&gt;")
	assert.Contains(t, s, "Pay &lt;now&gt;")
	_, err = c.PaymentButton(Payment{}, "Pay")
	assert.ErrorIs(t, err, ErrInvalidParam)
}

func TestDescriptionNotSigned(t *testing.T) {
	c := vectorClient(t, MD5, "demo", "password_1", false)
	a, err := c.PaymentForm(Payment{OutSum: dec("1"), InvID: 1, Description: "a", Email: "a@b.c", Culture: "en",
		IncCurrLabel: "X", PaymentMethods: []string{"BankCard"}, ExpirationDate: time.Now().Add(time.Hour), IsWithoutFreeSale: true})
	require.NoError(t, err)
	b, err := c.PaymentForm(Payment{OutSum: dec("1"), InvID: 1})
	require.NoError(t, err)
	assert.Equal(t, a.Get("SignatureValue"), b.Get("SignatureValue"), "unsigned fields must not change the signature")
}

// TestValidationMessages: a message names the rule a person needs.
func TestValidationMessages(t *testing.T) {
	c := vectorClient(t, MD5, "demo", "password_1", false)
	_, err := c.PaymentURL(Payment{OutSum: dec("100"), Receipt: &Receipt{Items: []ReceiptItem{
		{Name: "a", Quantity: dec("1"), Sum: dec("60"), Tax: TaxNone},
		{Name: "b", Quantity: dec("2"), Sum: dec("39.99"), Tax: TaxNone},
	}}})
	assert.EqualError(t, err, "robokassa: invalid Receipt.Items: line totals add up to 99.99, not to OutSum 100.00")
	_, err = c.PaymentURL(Payment{OutSum: dec("1"), Shp: map[string]string{"заказ": "1"}})
	assert.EqualError(t, err, `robokassa: invalid Shp["заказ"]: name must be Latin letters, digits and '_' only`)
	_, err = c.PaymentURL(Payment{OutSum: dec("1"), Shp: map[string]string{"Shp_order": "1"}})
	assert.EqualError(t, err, `robokassa: invalid Shp["Shp_order"]: name is given without the "Shp_" prefix, which the package adds`)
}

// TestRecurringParentMayCarryLabelAndExpiry: seed "recurring" forbids
// IncCurrLabel, ExpirationDate and Recurring on the child request only;
// the parent is an ordinary payment page request.
func TestRecurringParentMayCarryLabelAndExpiry(t *testing.T) {
	c := vectorClient(t, MD5, "demo", "password_1", false)
	f, err := c.PaymentForm(Payment{OutSum: dec("100"), InvID: 1, Recurring: true, IncCurrLabel: "BankCard",
		ExpirationDate: time.Now().Add(24 * time.Hour)})
	require.NoError(t, err)
	assert.Equal(t, "true", f.Get("Recurring"))
	assert.Equal(t, "BankCard", f.Get("IncCurrLabel"))
	assert.NotEmpty(t, f.Get("ExpirationDate"))
}

func TestExpirationDateHasOffset(t *testing.T) {
	c := vectorClient(t, MD5, "demo", "password_1", false)
	f, err := c.PaymentForm(Payment{OutSum: dec("1"), ExpirationDate: time.Date(2129, 1, 16, 9, 0, 0, 0, time.UTC)})
	require.NoError(t, err)
	assert.Equal(t, "2129-01-16T09:00:00+00:00", f.Get("ExpirationDate"))
}

func TestNewClientValidation(t *testing.T) {
	cases := []struct {
		cfg   Config
		field string
	}{
		{Config{Password1: "p"}, "Config.MerchantLogin"},
		{Config{MerchantLogin: "m"}, "Config.Password1"},
		{Config{MerchantLogin: "m", Password1: "p", Algorithm: "sha256"}, "Config.Algorithm"},
		{Config{MerchantLogin: "m", Password1: "p", Algorithm: "GOST"}, "Config.Algorithm"},
		{Config{MerchantLogin: "m", Password1: "p", AuthURL: "auth.robokassa.kz"}, "Config.AuthURL"},
		{Config{MerchantLogin: "m", Password1: "p", ServicesURL: "ftp://x"}, "Config.ServicesURL"},
		{Config{MerchantLogin: "m", Password1: "p", FiscalURL: "/x"}, "Config.FiscalURL"},
	}
	for _, tc := range cases {
		t.Run(tc.field, func(t *testing.T) {
			c, err := NewClient(tc.cfg)
			assert.Nil(t, c)
			var ve *ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tc.field, ve.Field)
			assert.NotContains(t, err.Error(), `"p"`)
		})
	}
	c, err := NewClient(Config{MerchantLogin: "m", Password1: "p"})
	require.NoError(t, err)
	assert.Equal(t, MD5, c.Algorithm(), "zero value means MD5")
	c, err = NewClient(Config{MerchantLogin: "m", Password1: "p", AuthURL: "https://auth.robokassa.kz/"})
	require.NoError(t, err)
	assert.Equal(t, "https://auth.robokassa.kz/Merchant/Index.aspx", c.PaymentFormAction())
}
