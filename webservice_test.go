package robokassa

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// wsAnswerOf reads a recorded answer of op with the parser alone, as
// callWebService does after the transport. The requests each method sends,
// and the emulator's answers, are webservice_protocol_test.go's.
func wsAnswerOf(t *testing.T, op, root, file string) (*wsAnswer, error) {
	t.Helper()
	return parseWebService(opStateClient(t, "password_2").replyOf(op, opStateFixture(t, file)), root)
}

func TestCurrencies(t *testing.T) {
	a, err := wsAnswerOf(t, "GetCurrencies", "CurrenciesList", "currencies.xml")
	require.NoError(t, err)
	groups, err := a.currencyGroups()
	require.NoError(t, err)

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
}

func TestPaymentMethods(t *testing.T) {
	a, err := wsAnswerOf(t, "GetPaymentMethods", "PaymentMethodsList", "payment_methods.xml")
	require.NoError(t, err)
	assert.Equal(t, []PaymentMethodInfo{
		{Code: "BankCard", Description: "Bank card"},
		{Code: "SBP", Description: "Faster Payments System"},
		{Code: "EMoney", Description: "E-money"},
	}, a.paymentMethods())
}

func TestRates(t *testing.T) {
	a, err := wsAnswerOf(t, "GetRates", "RatesList", "rates.xml")
	require.NoError(t, err)
	groups, err := a.rateGroups()
	require.NoError(t, err)
	require.Len(t, groups, 2)
	assert.Equal(t, "BankCard", groups[0].Code)
	require.Len(t, groups[0].Rates, 1)
	r := groups[0].Rates[0]
	assert.Equal(t, "BankCardPSR", r.Label)
	assert.True(t, opDec("1021.68").Equal(r.IncSum))
	assert.True(t, opDec("300000").Equal(r.MaxValue))
	require.Len(t, groups[1].Rates, 1)
	assert.True(t, opDec("990").Equal(groups[1].Rates[0].IncSum))
}

func TestCalcOutSum(t *testing.T) {
	a, err := wsAnswerOf(t, "CalcOutSumm", "CalcSummsResponseData", "calc_out_sum.xml")
	require.NoError(t, err)
	out, err := a.required("OutSum")
	require.NoError(t, err)
	assert.True(t, opDec("960.3").Equal(out), out.String())
}

func TestLimit(t *testing.T) {
	a, err := wsAnswerOf(t, "GetLimit", "LimitResponse", "limit.xml")
	require.NoError(t, err)
	limit, err := a.required("Limit")
	require.NoError(t, err)
	assert.True(t, opDec("600000").Equal(limit))
}

func TestWebServiceResultError(t *testing.T) {
	a, err := wsAnswerOf(t, "GetCurrencies", "CurrenciesList", "currencies_result_2.xml")
	assert.Nil(t, a)
	var api *APIError
	require.ErrorAs(t, err, &api)
	assert.Equal(t, "GetCurrencies", api.Op)
	assert.Equal(t, "2", api.Code)
	assert.Contains(t, api.Message, "shop not found or not active")
	assert.Contains(t, api.Message, "Магазин не найден")
	assert.False(t, errors.Is(err, ErrNotFound))
}

func TestWebServiceMalformed(t *testing.T) {
	tests := []struct {
		name     string
		op, root string
		file     string
		read     func(*wsAnswer) error
	}{
		{"calc without OutSum", "CalcOutSumm", "CalcSummsResponseData", "calc_no_outsum.xml",
			func(a *wsAnswer) error { _, err := a.required("OutSum"); return err }},
		{"limit wrong root", "GetLimit", "LimitResponse", "calc_out_sum.xml", nil},
		{"currencies garbage", "GetCurrencies", "CurrenciesList", "garbage.html", nil},
		{"methods truncated", "GetPaymentMethods", "PaymentMethodsList", "payment_methods_truncated.xml", nil},
		{"rates given currencies", "GetRates", "RatesList", "currencies.xml", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := wsAnswerOf(t, tt.op, tt.root, tt.file)
			if err == nil {
				require.NotNil(t, tt.read, "the answer parsed: %s needs reading", tt.file)
				err = tt.read(a)
			}
			var api *APIError
			require.ErrorAs(t, err, &api)
			assert.Equal(t, tt.op, api.Op)
			assert.True(t, strings.HasPrefix(api.Message, "malformed response"), api.Message)
			assert.True(t, api.Err != nil || len(api.Message) > len("malformed response"), "says why: %v", err)
		})
	}
}

func TestWebServiceBadNumber(t *testing.T) {
	body := []byte(`<CurrenciesList><Result><Code>0</Code></Result><Groups><Group Code="G"><Items><Currency Label="L" MinValue="1e3"/></Items></Group></Groups></CurrenciesList>`)
	a, err := parseWebService(opStateClient(t, "password_2").replyOf("GetCurrencies", body), "CurrenciesList")
	require.NoError(t, err)
	_, err = a.currencyGroups()
	var api *APIError
	require.ErrorAs(t, err, &api)
	assert.Contains(t, err.Error(), "malformed number in Currency/@MinValue")
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
