package robokassa

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCurrencies(t *testing.T) {
	tests := []struct {
		lang, wantLang string
	}{{"", "ru"}, {"ru", "ru"}, {"en", "en"}}
	for _, tt := range tests {
		t.Run("lang="+tt.lang, func(t *testing.T) {
			c, ws := newOpStateServer(t, Config{}, fixtureReply(t, "currencies.xml"))
			groups, err := c.Currencies(context.Background(), tt.lang)
			require.NoError(t, err)
			reqs := ws.requests()
			require.Len(t, reqs, 1)
			assert.Equal(t, http.MethodPost, reqs[0].Method)
			assert.Equal(t, "GetCurrencies", reqs[0].Op)
			assert.Equal(t, url.Values{"MerchantLogin": {"demo"}, "Language": {tt.wantLang}}, reqs[0].Form)

			require.Len(t, groups, 2)
			assert.Equal(t, "BankCard", groups[0].Code)
			assert.Equal(t, "Банковская карта", groups[0].Description)
			require.Len(t, groups[0].Currencies, 2)
			card := groups[0].Currencies[0]
			assert.Equal(t, "BankCardPSR", card.Label)
			assert.Equal(t, "BankCard", card.Alias)
			assert.Equal(t, "Банковская карта", card.Name)
			assert.True(t, opDec("1").Equal(card.MinValue))
			assert.True(t, opDec("300000").Equal(card.MaxValue))
			yp := groups[0].Currencies[1]
			assert.True(t, opDec("10").Equal(yp.MinValue))
			assert.True(t, yp.MaxValue.IsZero(), "absent MaxValue is zero")
			require.Len(t, groups[1].Currencies, 1)
			sbp := groups[1].Currencies[0]
			assert.Equal(t, "SBPPSR", sbp.Label)
			assert.True(t, sbp.MinValue.IsZero())
			assert.True(t, sbp.MaxValue.IsZero())
		})
	}
}

func TestPaymentMethods(t *testing.T) {
	c, ws := newOpStateServer(t, Config{}, fixtureReply(t, "payment_methods.xml"))
	methods, err := c.PaymentMethods(context.Background(), "en")
	require.NoError(t, err)
	assert.Equal(t, []PaymentMethodInfo{
		{Code: "BankCard", Description: "Bank card"},
		{Code: "SBP", Description: "Faster Payments System"},
		{Code: "EMoney", Description: "E-money"},
	}, methods)
	reqs := ws.requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, "GetPaymentMethods", reqs[0].Op)
	assert.Equal(t, url.Values{"MerchantLogin": {"demo"}, "Language": {"en"}}, reqs[0].Form)
}

func TestRates(t *testing.T) {
	tests := []struct {
		name, label string
		outSum      decimal.Decimal
		wantOutSum  string
	}{
		{"all options", "", opDec("990"), "990.00"},
		{"one option", "BankCardPSR", opDec("990.5"), "990.50"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, ws := newOpStateServer(t, Config{}, fixtureReply(t, "rates.xml"))
			groups, err := c.Rates(context.Background(), tt.label, tt.outSum, "")
			require.NoError(t, err)
			reqs := ws.requests()
			require.Len(t, reqs, 1)
			assert.Equal(t, "GetRates", reqs[0].Op)
			assert.Equal(t, url.Values{
				"MerchantLogin": {"demo"},
				"IncCurrLabel":  {tt.label}, // sent even when empty: asmx wants every parameter
				"OutSum":        {tt.wantOutSum},
				"Language":      {"ru"},
			}, reqs[0].Form)

			require.Len(t, groups, 2)
			assert.Equal(t, "BankCard", groups[0].Code)
			require.Len(t, groups[0].Rates, 1)
			r := groups[0].Rates[0]
			assert.Equal(t, "BankCardPSR", r.Label)
			assert.True(t, opDec("1021.68").Equal(r.IncSum))
			assert.True(t, opDec("300000").Equal(r.MaxValue))
			require.Len(t, groups[1].Rates, 1)
			assert.True(t, opDec("990").Equal(groups[1].Rates[0].IncSum))
		})
	}
}

func TestCalcOutSum(t *testing.T) {
	c, ws := newOpStateServer(t, Config{}, fixtureReply(t, "calc_out_sum.xml"))
	out, err := c.CalcOutSum(context.Background(), "BankCardPSR", opDec("1000"))
	require.NoError(t, err)
	assert.True(t, opDec("960.3").Equal(out), out.String())
	reqs := ws.requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, "CalcOutSumm", reqs[0].Op)
	assert.Equal(t, url.Values{"MerchantLogin": {"demo"}, "IncCurrLabel": {"BankCardPSR"}, "IncSum": {"1000.00"}}, reqs[0].Form)
}

func TestLimit(t *testing.T) {
	c, ws := newOpStateServer(t, Config{}, fixtureReply(t, "limit.xml"))
	limit, err := c.Limit(context.Background())
	require.NoError(t, err)
	assert.True(t, opDec("600000").Equal(limit))
	reqs := ws.requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, "GetLimit", reqs[0].Op)
	assert.Equal(t, url.Values{"MerchantLogin": {"demo"}}, reqs[0].Form)
}

func TestWebServiceValidation(t *testing.T) {
	tests := []struct {
		name  string
		call  func(*Client) error
		field string
	}{
		{"currencies language", func(c *Client) error { _, err := c.Currencies(context.Background(), "de"); return err }, "culture"},
		{"currencies language case", func(c *Client) error { _, err := c.Currencies(context.Background(), "EN"); return err }, "culture"},
		{"methods language", func(c *Client) error { _, err := c.PaymentMethods(context.Background(), "kk"); return err }, "culture"},
		{"rates language", func(c *Client) error { _, err := c.Rates(context.Background(), "", opDec("1"), "fr"); return err }, "culture"},
		{"rates zero", func(c *Client) error { _, err := c.Rates(context.Background(), "", decimal.Zero, ""); return err }, "OutSum"},
		{"rates negative", func(c *Client) error { _, err := c.Rates(context.Background(), "", opDec("-1"), ""); return err }, "OutSum"},
		{"rates three places", func(c *Client) error { _, err := c.Rates(context.Background(), "", opDec("1.005"), ""); return err }, "OutSum"},
		{"calc no label", func(c *Client) error { _, err := c.CalcOutSum(context.Background(), "", opDec("1")); return err }, "IncCurrLabel"},
		{"calc zero", func(c *Client) error {
			_, err := c.CalcOutSum(context.Background(), "BankCardPSR", decimal.Zero)
			return err
		}, "IncSum"},
		{"calc three places", func(c *Client) error {
			_, err := c.CalcOutSum(context.Background(), "BankCardPSR", opDec("0.001"))
			return err
		}, "IncSum"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, ws := newOpStateServer(t, Config{}, fixtureReply(t, "currencies.xml"))
			err := tt.call(c)
			var ve *ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tt.field, ve.Field)
			assert.ErrorIs(t, err, ErrInvalidParam)
			assert.Empty(t, ws.requests())
		})
	}
}

func TestWebServiceResultError(t *testing.T) {
	c, ws := newOpStateServer(t, Config{}, fixtureReply(t, "currencies_result_2.xml"))
	groups, err := c.Currencies(context.Background(), "")
	assert.Nil(t, groups)
	var api *APIError
	require.ErrorAs(t, err, &api)
	assert.Equal(t, "GetCurrencies", api.Op)
	assert.Equal(t, "2", api.Code)
	assert.Contains(t, api.Message, "shop not found or not active")
	assert.Contains(t, api.Message, "Магазин не найден")
	assert.False(t, errors.Is(err, ErrNotFound))
	assert.Len(t, ws.requests(), 1)
}

func TestWebServiceMalformed(t *testing.T) {
	tests := []struct {
		name string
		file string
		call func(*Client) error
	}{
		{"calc without OutSum", "calc_no_outsum.xml", func(c *Client) error { _, err := c.CalcOutSum(context.Background(), "X", opDec("1")); return err }},
		{"limit wrong root", "calc_out_sum.xml", func(c *Client) error { _, err := c.Limit(context.Background()); return err }},
		{"currencies garbage", "garbage.html", func(c *Client) error { _, err := c.Currencies(context.Background(), ""); return err }},
		{"methods truncated", "payment_methods_truncated.xml", func(c *Client) error { _, err := c.PaymentMethods(context.Background(), ""); return err }},
		{"rates given currencies", "currencies.xml", func(c *Client) error { _, err := c.Rates(context.Background(), "", opDec("1"), ""); return err }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := newOpStateServer(t, Config{}, fixtureReply(t, tt.file))
			err := tt.call(c)
			var api *APIError
			require.ErrorAs(t, err, &api)
			assert.True(t, strings.HasPrefix(api.Message, "malformed response"), api.Message)
			assert.True(t, api.Err != nil || len(api.Message) > len("malformed response"), "says why: %v", err)
		})
	}
}

func TestWebServiceBadNumber(t *testing.T) {
	body := []byte(`<CurrenciesList><Result><Code>0</Code></Result><Groups><Group Code="G"><Items><Currency Label="L" MinValue="1e3"/></Items></Group></Groups></CurrenciesList>`)
	c, _ := newOpStateServer(t, Config{}, func(int, string, url.Values) (int, []byte) { return http.StatusOK, body })
	_, err := c.Currencies(context.Background(), "")
	var api *APIError
	require.ErrorAs(t, err, &api)
	assert.Contains(t, err.Error(), "malformed number in Currency/@MinValue")
}

func TestWebServiceRetriesServerError(t *testing.T) {
	limit := opStateFixture(t, "limit.xml")
	c, ws := newOpStateServer(t, Config{}, func(n int, _ string, _ url.Values) (int, []byte) {
		if n == 0 {
			return http.StatusInternalServerError, []byte("System.InvalidOperationException")
		}
		return http.StatusOK, limit
	})
	got, err := c.Limit(context.Background())
	require.NoError(t, err)
	assert.True(t, opDec("600000").Equal(got))
	assert.Len(t, ws.requests(), 2)
}

// FuzzWebServiceResponse feeds arbitrary bodies to every web-service
// parser: no panic, failures are *APIError, decimals are never negative.
func FuzzWebServiceResponse(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "opstate", "*"))
	require.NoError(f, err)
	for _, p := range files {
		b, err := os.ReadFile(p)
		require.NoError(f, err)
		f.Add(b)
	}
	c, err := NewClient(Config{MerchantLogin: "demo", Password1: "password_1"})
	require.NoError(f, err)
	f.Fuzz(func(t *testing.T, body []byte) {
		answer := func(op, root string) *wsAnswer {
			a, err := parseWebService(c.replyOf(op, body), root)
			if err != nil {
				var api *APIError
				require.ErrorAs(t, err, &api)
				require.True(t, strings.HasPrefix(err.Error(), "robokassa: "+op))
				return nil
			}
			return a
		}
		failed := func(err error) bool {
			if err != nil {
				var api *APIError
				require.ErrorAs(t, err, &api)
				require.True(t, strings.HasPrefix(api.Message, "malformed response"), api.Message)
			}
			return err != nil
		}
		if a := answer("GetCurrencies", "CurrenciesList"); a != nil {
			groups, err := a.currencyGroups()
			if !failed(err) {
				for _, g := range groups {
					for _, cur := range g.Currencies {
						require.False(t, cur.MinValue.IsNegative() || cur.MaxValue.IsNegative())
					}
				}
			}
		}
		if a := answer("GetRates", "RatesList"); a != nil {
			groups, err := a.rateGroups()
			if !failed(err) {
				for _, g := range groups {
					for _, r := range g.Rates {
						require.False(t, r.IncSum.IsNegative())
					}
				}
			}
		}
		if a := answer("GetPaymentMethods", "PaymentMethodsList"); a != nil {
			_ = a.paymentMethods()
		}
		for _, root := range []struct{ op, root, name string }{
			{"CalcOutSumm", "CalcSummsResponseData", "OutSum"}, {"GetLimit", "LimitResponse", "Limit"},
		} {
			if a := answer(root.op, root.root); a != nil {
				d, err := a.required(root.name)
				if !failed(err) {
					require.False(t, d.IsNegative())
				}
			}
		}
	})
}
