package robokassatest_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/robokassa-go/robokassa"
	"github.com/robokassa-go/robokassa/robokassatest"
)

// seedScriptURL is the seed's arbitrary-sum example (seed 002) against the
// emulator: login demo, Password #1 password_1, MD5, DefaultSum 10.00,
// InvoiceID 0, the seed's description and receipt, signed with the
// seed's formula md5("$login:$default_sum:$invid:$receipt:$password_1")
// where $receipt = urlencode(JSON) — and, as the seed's PHP writes it,
// the encoded receipt goes into the URL as is.
func seedScriptURL(base, defaultSum string, extra url.Values) string {
	receipt := phpEncode(`{"items":[{"name":"Пополнение счёта","quantity":1,"sum":` + defaultSum + `,"tax":"none"}]}`)
	sig := hexOf(robokassa.MD5, "demo:"+defaultSum+":0:"+receipt+":password_1")
	q := url.Values{"MerchantLogin": {"demo"}, "DefaultSum": {defaultSum}, "InvoiceID": {"0"},
		"Description": {"Техническая документация по ROBOKASSA"}, "SignatureValue": {sig}}
	for k, vs := range extra {
		q[k] = vs
	}
	return base + "/Merchant/PaymentForm/FormFLS.js?" + q.Encode() + "&Receipt=" + receipt
}

var documentWrite = regexp.MustCompile(`^document\.write\((".*")\);\n$`)

// scriptHTML runs the one thing the script does: it returns the HTML the
// script writes.
func scriptHTML(t *testing.T, js string) string {
	m := documentWrite.FindStringSubmatch(js)
	require.NotNil(t, m, "the script is one document.write of a string: %s", js)
	var html string
	require.NoError(t, json.Unmarshal([]byte(m[1]), &html))
	return html
}

func TestFlowFormFLSChangedSum(t *testing.T) {
	srv, shop := setup(t, func(s *robokassatest.Shop) {
		s.MerchantLogin, s.Password1, s.Algorithm = "demo", "password_1", robokassa.MD5
	})
	resp, err := http.Get(seedScriptURL(srv.URL, "10.00", url.Values{"Shp_user": {"alice"}}))
	require.NoError(t, err)
	js := readAll(t, resp)
	assert.Equal(t, "application/javascript; charset=utf-8", resp.Header.Get("Content-Type"))
	assert.Contains(t, js, "document.write(", "the script writes the form")
	// With Shp_user sent but not signed, the script says error 29.
	assert.Contains(t, scriptHTML(t, js), "error 29")

	resp, err = http.Get(seedScriptURL(srv.URL, "10.00", nil))
	require.NoError(t, err)
	html := scriptHTML(t, readAll(t, resp))
	require.NotContains(t, html, "error", html)
	forms := parseForms(t, html)
	require.Len(t, forms, 1)
	f := forms[0]
	assert.Equal(t, srv.URL+"/Merchant/PaymentForm/Submit", f.Action, "absolute: the form lives on the shop's page")
	assert.Equal(t, "10.00", f.Fields.Get("OutSum"), "pre-filled with DefaultSum")

	f.Fields.Set("OutSum", "25.50") // the buyer tops up more
	b := newBrowser(t)
	_, page := b.submit(srv.URL, f, "robokassa-pay")
	require.Equal(t, 0, pageCode(page), page)
	assert.Contains(t, page, "25.50")
	assert.Contains(t, page, "Пополнение счёта")
	id := invIDOf(t, page)
	assert.Positive(t, id, "Robokassa numbered the payment")
	_, body := b.submit(srv.URL, paymentForm(t, page), "pay")
	assert.Equal(t, "thank you", body)

	n, ok := shop.paidOrder(id)
	require.True(t, ok)
	assert.True(t, n.OutSum.Equal(dec("25.50")), "the notification carries the chosen sum: %s", n.OutSum)
	op, _ := srv.Operation(id)
	assert.Equal(t, "FormFLS", op.Source)
	require.Len(t, op.Lines, 1)
	assert.True(t, op.Lines[0].Sum.Equal(dec("25.50")), "a one-line receipt follows the sum")
}

func TestFormFLSCodes(t *testing.T) {
	srv := robokassatest.NewServer(robokassatest.Shop{MerchantLogin: "demo", Password1: "password_1", Password2: "p2"})
	defer srv.Close()
	script := func(u string) string {
		resp, err := http.Get(u)
		require.NoError(t, err)
		return scriptHTML(t, readAll(t, resp))
	}
	ok := seedScriptURL(srv.URL, "10.00", nil)
	assert.Contains(t, script(ok), `id="robokassa-pay"`)
	tampered := strings.Replace(ok, "DefaultSum=10.00", "DefaultSum=1.00", 1)
	html := script(tampered)
	assert.Contains(t, html, "error 29")
	assert.Contains(t, html, "demo:1.00:0:%7B%22items%22", "the expected base, receipt encoded once")
	assert.Contains(t, html, "[Password #1]")
	assert.NotContains(t, html, "password_1")
	assert.Contains(t, script(strings.Replace(ok, "MerchantLogin=demo", "MerchantLogin=nobody", 1)), "error 26")

	// Without a receipt its slot is left out: login:DefaultSum:InvoiceID:Password1.
	q := url.Values{"MerchantLogin": {"demo"}, "DefaultSum": {"5.00"}, "InvoiceID": {"7"}}
	signed(robokassa.MD5, q, "demo:5.00:7:password_1")
	html = script(srv.URL + "/Merchant/PaymentForm/FormFLS.js?" + q.Encode())
	require.Contains(t, html, `id="robokassa-pay"`, html)
	f := parseForms(t, html)[0]
	for _, sum := range []string{"0", "-5", "abc", "1.234"} {
		f.Fields.Set("OutSum", sum)
		_, page := newBrowser(t).submit(srv.URL, f, "robokassa-pay")
		assert.Equal(t, 31, pageCode(page), sum)
	}
	f.Fields.Set("OutSum", "7,50") // a comma, as a Russian keyboard types it
	_, page := newBrowser(t).submit(srv.URL, f, "robokassa-pay")
	require.Equal(t, 0, pageCode(page))
	assert.Equal(t, int64(7), invIDOf(t, page))
	assert.Contains(t, page, "7.50")
}

// TestFlowSumFormFromSDK: the SDK's SumFormScriptURL (receipt and Shp
// values standing in the URL as signed) against the emulator's widget,
// through a changed sum to the shop's verified notification.
func TestFlowSumFormFromSDK(t *testing.T) {
	for _, test := range []bool{false, true} {
		t.Run(map[bool]string{false: "production", true: "test mode"}[test], func(t *testing.T) {
			srv, shop := setupCfg(t, nil, func(c *robokassa.Config) { c.Test = test })
			cfg := srv.ClientConfig()
			cfg.Test = test
			c, err := robokassa.NewClient(cfg)
			require.NoError(t, err)
			src, err := c.SumFormScriptURL(robokassa.SumForm{
				DefaultSum: dec("100"), Description: "Пополнение счёта", Culture: "ru",
				Receipt: &robokassa.Receipt{Items: []robokassa.ReceiptItem{
					{Name: "Пополнение счёта", Quantity: dec("1"), Sum: dec("100"), Tax: robokassa.TaxNone},
				}},
				Shp: map[string]string{"note": "a b~&=", "user": "alice"},
			})
			require.NoError(t, err)
			resp, err := http.Get(src)
			require.NoError(t, err)
			html := scriptHTML(t, readAll(t, resp))
			require.NotContains(t, html, "error", html)
			f := parseForms(t, html)[0]
			f.Fields.Set("OutSum", "250")
			b := newBrowser(t)
			_, page := b.submit(srv.URL, f, "robokassa-pay")
			require.Equal(t, 0, pageCode(page), page)
			id := invIDOf(t, page)
			_, body := b.submit(srv.URL, paymentForm(t, page), "pay")
			assert.Equal(t, "thank you", body)
			n, ok := shop.paidOrder(id)
			require.True(t, ok)
			assert.True(t, n.OutSum.Equal(dec("250")))
			assert.Equal(t, test, n.IsTest)
			assert.Equal(t, map[string]string{"note": "a b~&=", "user": "alice"}, n.Shp, "Shp values come back as the shop gave them")
		})
	}
}
