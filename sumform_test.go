package robokassa_test

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	stdhtml "html"
	"net/url"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/robokassa-go/robokassa"
)

// phpURLEncode is PHP's urlencode, as the seed's example calls it:
// url.QueryEscape with '~' encoded too.
func phpURLEncode(s string) string { return strings.ReplaceAll(url.QueryEscape(s), "~", "%7E") }

// TestSumFormSeedExample checks the arbitrary-sum script URL against the
// seed's own PHP example (seed 002, "Форма с произвольной суммой"):
// login demo, Password #1 password_1, DefaultSum 10.00, InvoiceID 0, its
// description and receipt, MD5. The expected signature is computed here
// from the seed's formula md5("$login:$default_sum:$invid:$receipt:$password_1")
// with $receipt = urlencode(json), not by the code under test.
func TestSumFormSeedExample(t *testing.T) {
	const description = "Техническая документация по ROBOKASSA"
	const receiptJSON = `{"items":[{"name":"Пополнение счёта","quantity":1,"sum":10.00,"tax":"none"}]}`
	receipt := phpURLEncode(receiptJSON)
	sum := md5.Sum([]byte("demo:10.00:0:" + receipt + ":password_1"))
	wantSig := hex.EncodeToString(sum[:])

	c, err := robokassa.NewClient(robokassa.Config{MerchantLogin: "demo", Password1: "password_1"})
	require.NoError(t, err)
	form := robokassa.SumForm{
		DefaultSum:  decimal.RequireFromString("10.00"),
		Description: description,
		Receipt: &robokassa.Receipt{Items: []robokassa.ReceiptItem{{
			Name: "Пополнение счёта", Quantity: decimal.NewFromInt(1), Sum: decimal.RequireFromString("10.00"), Tax: robokassa.TaxNone,
		}}},
	}
	got, err := c.SumFormScriptURL(form)
	require.NoError(t, err)
	assert.Equal(t, "https://auth.robokassa.ru/Merchant/PaymentForm/FormFLS.js?MerchantLogin=demo&DefaultSum=10.00&InvoiceID=0"+
		"&Description="+phpURLEncode(description)+"&Receipt="+receipt+"&SignatureValue="+wantSig, got)

	html, err := c.SumForm(form)
	require.NoError(t, err)
	src, ok := strings.CutPrefix(string(html), `<script src="`)
	require.True(t, ok, html)
	src, ok = strings.CutSuffix(src, `"></script>`)
	require.True(t, ok, html)
	assert.NotContains(t, src, "&D", "every & is escaped in the attribute")
	assert.Equal(t, got, stdhtml.UnescapeString(src), "the browser reads the same URL")
}

// TestSumFormSlots: without a receipt its slot is left out; a non-zero
// InvID is signed as given; Shp pairs follow the password; test mode
// signs with the test Password #1 and sends IsTest=1.
func TestSumFormSlots(t *testing.T) {
	c, err := robokassa.NewClient(robokassa.Config{MerchantLogin: "shop", Password1: "p1", TestPassword1: "t1", Test: true,
		Algorithm: robokassa.SHA256})
	require.NoError(t, err)
	got, err := c.SumFormScriptURL(robokassa.SumForm{DefaultSum: decimal.RequireFromString("250"), InvID: 77, Culture: "en",
		Shp: map[string]string{"user": "a b", "plan": "top-up"}})
	require.NoError(t, err)
	u, err := url.Parse(got)
	require.NoError(t, err)
	raw := u.RawQuery
	assert.Contains(t, raw, "&IsTest=1")
	assert.Contains(t, raw, "&Culture=en")
	assert.Contains(t, raw, "&Shp_plan=top-up&Shp_user=a+b")
	assert.NotContains(t, raw, "Receipt=")
	q := u.Query()
	h := sha256Hex("shop:250.00:77:t1:Shp_plan=top-up:Shp_user=a+b")
	assert.Equal(t, h, q.Get("SignatureValue"))
}

func TestSumFormValidation(t *testing.T) {
	c, err := robokassa.NewClient(robokassa.Config{MerchantLogin: "demo", Password1: "password_1"})
	require.NoError(t, err)
	one := decimal.NewFromInt(1)
	for name, f := range map[string]robokassa.SumForm{
		"DefaultSum": {DefaultSum: decimal.Zero},
		"InvID":      {DefaultSum: one, InvID: -1},
		"Culture":    {DefaultSum: one, Culture: "de"},
		"Receipt.Items": {DefaultSum: one, Receipt: &robokassa.Receipt{Items: []robokassa.ReceiptItem{{
			Name: "x", Quantity: one, Sum: decimal.NewFromInt(2), Tax: robokassa.TaxNone}}}},
		`Shp["a-b"]`: {DefaultSum: one, Shp: map[string]string{"a-b": "1"}},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := c.SumFormScriptURL(f)
			var ve *robokassa.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, name, ve.Field)
		})
	}
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}
