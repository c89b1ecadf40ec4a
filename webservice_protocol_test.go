package robokassa_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/robokassa-go/robokassa"
	"github.com/robokassa-go/robokassa/robokassatest"
)

// The emulator's fixed catalogue (robokassatest/money.go): a bank card
// (2.5 %, 1 to 300000), Yandex Pay in the same group (3 %, 10 to 300000)
// and the Faster Payments System (1 %, 1 to 1000000); a limit of 600000.
// Expected sums are recomputed here from those rates: GetRates answers
// OutSum / (1 − rate) rounded up to the kopeck, CalcOutSumm IncSum less
// IncSum × rate.

// lastSent is the form of the last request sent to the web-service
// method op, checked to be a POST form in the body.
func lastSent(t *testing.T, e *emulator, op string) url.Values {
	t.Helper()
	sent := e.sent("/" + op)
	require.NotEmpty(t, sent, "nothing sent to %s", op)
	r := sent[len(sent)-1]
	assert.Equal(t, http.MethodPost, r.Method)
	assert.Equal(t, "/Merchant/WebService/Service.asmx/"+op, r.Path)
	assert.Equal(t, "application/x-www-form-urlencoded", r.ContentType)
	assert.Empty(t, r.Query)
	return formOf(t, r.Body)
}

func TestWebServiceProtocol(t *testing.T) {
	e := newEmulator(t)
	c := e.client(t)

	t.Run("GetCurrencies", func(t *testing.T) {
		tests := []struct {
			lang, wantLang     string
			card, group, other string
		}{
			{"", "ru", "Банковская карта", "СБП", "Система быстрых платежей"},
			{"ru", "ru", "Банковская карта", "СБП", "Система быстрых платежей"},
			{"en", "en", "Bank card", "Faster Payments System", "Faster Payments System"},
		}
		for _, tt := range tests {
			t.Run("lang="+tt.lang, func(t *testing.T) {
				groups, err := c.Currencies(bg(t), tt.lang)
				require.NoError(t, err)
				assert.Equal(t, url.Values{"MerchantLogin": {emuLogin}, "Language": {tt.wantLang}}, lastSent(t, e, "GetCurrencies"))

				require.Len(t, groups, 2)
				assert.Equal(t, "BankCard", groups[0].Code)
				assert.Equal(t, tt.card, groups[0].Description)
				require.Len(t, groups[0].Currencies, 2)
				card := groups[0].Currencies[0]
				assert.Equal(t, "BankCardPSR", card.Label)
				assert.Equal(t, "BankCard", card.Alias)
				assert.Equal(t, tt.card, card.Name)
				assert.True(t, d("1").Equal(card.MinValue), card.MinValue.String())
				assert.True(t, d("300000").Equal(card.MaxValue), card.MaxValue.String())
				yp := groups[0].Currencies[1]
				assert.Equal(t, "YandexPayPSR", yp.Label)
				assert.True(t, d("10").Equal(yp.MinValue))
				assert.Equal(t, "SBP", groups[1].Code)
				assert.Equal(t, tt.group, groups[1].Description)
				require.Len(t, groups[1].Currencies, 1)
				sbp := groups[1].Currencies[0]
				assert.Equal(t, "SBPPSR", sbp.Label)
				assert.Equal(t, tt.other, sbp.Name)
				assert.True(t, d("1000000").Equal(sbp.MaxValue))
			})
		}
	})

	t.Run("GetPaymentMethods", func(t *testing.T) {
		methods, err := c.PaymentMethods(bg(t), "en")
		require.NoError(t, err)
		assert.Equal(t, []robokassa.PaymentMethodInfo{
			{Code: "BankCard", Description: "Bank card"},
			{Code: "YandexPay", Description: "Yandex Pay"},
			{Code: "SBP", Description: "Faster Payments System"},
		}, methods)
		assert.Equal(t, url.Values{"MerchantLogin": {emuLogin}, "Language": {"en"}}, lastSent(t, e, "GetPaymentMethods"))
	})

	t.Run("GetRates", func(t *testing.T) {
		tests := []struct {
			name, label string
			outSum      decimal.Decimal
			wantOutSum  string
			want        map[string]string // label → IncSum
		}{
			{"all options", "", d("990"), "990.00",
				map[string]string{"BankCardPSR": "1015.39", "YandexPayPSR": "1020.62", "SBPPSR": "1000"}},
			{"one option", "BankCardPSR", d("990.5"), "990.50", map[string]string{"BankCardPSR": "1015.90"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				groups, err := c.Rates(bg(t), tt.label, tt.outSum, "")
				require.NoError(t, err)
				assert.Equal(t, url.Values{
					"MerchantLogin": {emuLogin},
					"IncCurrLabel":  {tt.label}, // sent even when empty: asmx wants every parameter
					"OutSum":        {tt.wantOutSum},
					"Language":      {"ru"},
				}, lastSent(t, e, "GetRates"))
				got := map[string]string{}
				for _, g := range groups {
					for _, r := range g.Rates {
						want, ok := tt.want[r.Label]
						if assert.True(t, ok, "unexpected option %s", r.Label) {
							assert.True(t, d(want).Equal(r.IncSum), "%s: IncSum %s, want %s", r.Label, r.IncSum, want)
						}
						got[r.Label] = r.IncSum.String()
					}
				}
				assert.Len(t, got, len(tt.want))
				assert.Equal(t, "BankCard", groups[0].Code)
				assert.True(t, d("300000").Equal(groups[0].Rates[0].MaxValue))
			})
		}
	})

	t.Run("CalcOutSumm", func(t *testing.T) {
		out, err := c.CalcOutSum(bg(t), "BankCardPSR", d("1000"))
		require.NoError(t, err)
		assert.True(t, d("975").Equal(out), "1000 less 2.5%%: %s", out)
		assert.Equal(t, url.Values{"MerchantLogin": {emuLogin}, "IncCurrLabel": {"BankCardPSR"}, "IncSum": {"1000.00"}},
			lastSent(t, e, "CalcOutSumm"))
	})

	t.Run("GetLimit", func(t *testing.T) {
		limit, err := c.Limit(bg(t))
		require.NoError(t, err)
		assert.True(t, d("600000").Equal(limit), limit.String())
		assert.Equal(t, url.Values{"MerchantLogin": {emuLogin}}, lastSent(t, e, "GetLimit"))
	})
}

// TestWebServiceProtocolResultCodes: a non-zero result code is an
// *APIError with the code and its meaning, answered once.
func TestWebServiceProtocolResultCodes(t *testing.T) {
	e := newEmulator(t)
	c := e.client(t)
	unknown := e.client(t, func(cfg *robokassa.Config) { cfg.MerchantLogin = "nobody" })
	tests := []struct {
		op   string
		call func() error
		code robokassa.WebServiceCode
	}{
		{"GetCurrencies", func() error { _, err := unknown.Currencies(bg(t), ""); return err }, robokassa.WebServiceCodeShopNotFound},
		{"GetPaymentMethods", func() error { _, err := unknown.PaymentMethods(bg(t), ""); return err }, robokassa.WebServiceCodeShopNotFound},
		{"GetRates", func() error { _, err := unknown.Rates(bg(t), "", d("1"), ""); return err }, robokassa.WebServiceCodeShopNotFound},
		{"CalcOutSumm", func() error { _, err := unknown.CalcOutSum(bg(t), "BankCardPSR", d("1")); return err }, robokassa.WebServiceCodeShopNotFound},
		{"GetLimit", func() error { _, err := unknown.Limit(bg(t)); return err }, robokassa.WebServiceCodeShopNotFound},
		{"GetRates", func() error { _, err := c.Rates(bg(t), "NoSuchPSR", d("1"), ""); return err }, robokassa.WebServiceCodeInternalError},
		{"CalcOutSumm", func() error { _, err := c.CalcOutSum(bg(t), "NoSuchPSR", d("1")); return err }, robokassa.WebServiceCodeInternalError},
	}
	for _, tt := range tests {
		t.Run(tt.op+"/"+strconv.Itoa(int(tt.code)), func(t *testing.T) {
			before := e.hits(robokassatest.EndpointWebService)
			err := tt.call()
			assert.Equal(t, before+1, e.hits(robokassatest.EndpointWebService), "a result code is an answer, not a reason to retry")
			ae := requireAPIError(t, err, tt.op)
			assert.Equal(t, strconv.Itoa(int(tt.code)), ae.Code)
			assert.Contains(t, ae.Message, tt.code.Meaning())
			assert.NotErrorIs(t, err, robokassa.ErrNotFound)
		})
	}
}

// TestWebServiceValidationSendsNothing: bad input is a *ValidationError
// naming the field, and nothing is sent.
func TestWebServiceValidationSendsNothing(t *testing.T) {
	e := newEmulator(t)
	c := e.client(t)
	ctx := context.Background()
	tests := []struct {
		name  string
		call  func() error
		field string
	}{
		{"currencies language", func() error { _, err := c.Currencies(ctx, "de"); return err }, "culture"},
		{"currencies language case", func() error { _, err := c.Currencies(ctx, "EN"); return err }, "culture"},
		{"methods language", func() error { _, err := c.PaymentMethods(ctx, "kk"); return err }, "culture"},
		{"rates language", func() error { _, err := c.Rates(ctx, "", d("1"), "fr"); return err }, "culture"},
		{"rates zero", func() error { _, err := c.Rates(ctx, "", decimal.Zero, ""); return err }, "OutSum"},
		{"rates negative", func() error { _, err := c.Rates(ctx, "", d("-1"), ""); return err }, "OutSum"},
		{"rates three places", func() error { _, err := c.Rates(ctx, "", d("1.005"), ""); return err }, "OutSum"},
		{"calc no label", func() error { _, err := c.CalcOutSum(ctx, "", d("1")); return err }, "IncCurrLabel"},
		{"calc zero", func() error { _, err := c.CalcOutSum(ctx, "BankCardPSR", decimal.Zero); return err }, "IncSum"},
		{"calc three places", func() error { _, err := c.CalcOutSum(ctx, "BankCardPSR", d("0.001")); return err }, "IncSum"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			requireValidation(t, tt.call(), tt.field)
		})
	}
	assert.Zero(t, e.log.total(), "nothing sent")
}
