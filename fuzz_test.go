package robokassa_test

import (
	"net/url"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/robokassa-go/robokassa"
	"github.com/robokassa-go/robokassa/robokassatest"
)

var fuzzCfg = robokassa.Config{MerchantLogin: "demo", Password1: "password_1", Password2: "password_2", Algorithm: robokassa.SHA256}

func fuzzClient(t testing.TB) *robokassa.Client {
	c, err := robokassa.NewClient(fuzzCfg)
	require.NoError(t, err)
	return c
}

// FuzzVerifyResult: arbitrary notification bodies never panic; a form
// signed the way Robokassa signs (by robokassatest, an independent
// implementation) always verifies; changing any single byte of a signed
// value is always rejected.
func FuzzVerifyResult(f *testing.F) {
	f.Add("OutSum=990.000000&InvId=12&SignatureValue=AB&Shp_a=1", "990.000000", int64(12), "order", "abc 1", uint16(0), byte('x'))
	f.Add("InvId=1&InvId=2", "1", int64(1), "a_b", "~tilde~", uint16(7), byte('0'))
	f.Add("", "0.01", int64(0), "x", "", uint16(300), byte('%'))
	c := fuzzClient(f)
	f.Fuzz(func(t *testing.T, body, sum string, invID int64, shpName, shpValue string, at uint16, b byte) {
		if v, err := url.ParseQuery(body); err == nil {
			_, _ = c.VerifyResult(v) // must not panic
			_, _ = c.VerifySuccess(v)
			_, _ = robokassa.ParseFail(v)
		}
		amount, err := decimal.NewFromString(sum)
		if err != nil || amount.IsNegative() || invID < 0 || shpName == "" || strings.ContainsFunc(shpName, notNameByte) {
			return
		}
		if len(amount.StringFixed(6)) > 40 {
			// An amount of more than 40 characters is refused as
			// malformed after the signature check, whoever signed it:
			// no decimal that long is parsed (it is 10^33 roubles).
			_, err := c.VerifyResult(robokassatest.ResultForm(fuzzCfg, robokassa.Notification{OutSum: amount, InvID: invID}))
			require.ErrorIs(t, err, robokassa.ErrInvalidParam)
			return
		}
		n := robokassa.Notification{OutSum: amount, InvID: invID, Shp: map[string]string{shpName: shpValue}}
		form := robokassatest.ResultForm(fuzzCfg, n)
		got, err := c.VerifyResult(form)
		require.NoError(t, err, "a signed form must verify")
		require.Equal(t, invID, got.InvID)

		// One byte of one signed value changes.
		signed := []string{"OutSum", "InvId", "SignatureValue", "Shp_" + shpName}
		key := signed[int(at)%len(signed)]
		val := form.Get(key)
		if val == "" {
			return
		}
		i := int(at) % len(val)
		if val[i] == b || key == "SignatureValue" && strings.EqualFold(val[i:i+1], string(b)) {
			return // not a change (hex case is not significant)
		}
		mutated := val[:i] + string([]byte{b}) + val[i+1:]
		form.Set(key, mutated)
		_, err = c.VerifyResult(form)
		require.Error(t, err, "changed %s %q → %q must be rejected", key, val, mutated)
	})
}

func notNameByte(r rune) bool {
	return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_')
}

// FuzzPaymentURL: building never panics, and every link it returns
// verifies with an independent check of its signature.
func FuzzPaymentURL(f *testing.F) {
	f.Add(int64(99000), int64(12), "Order #12", "order", "12", "Item A", int64(1000), true)
	f.Add(int64(1), int64(0), "", "a", "a b ~/", "Чай", int64(1500), false)
	f.Add(int64(-5), int64(-1), strings.Repeat("x", 101), "bad-name", "", "", int64(0), true)
	c := fuzzClient(f)
	f.Fuzz(func(t *testing.T, cents, invID int64, desc, shpName, shpValue, itemName string, milliQty int64, withReceipt bool) {
		p := robokassa.Payment{OutSum: decimal.New(cents, -2), InvID: invID, Description: desc,
			Shp: map[string]string{shpName: shpValue}}
		if withReceipt {
			p.Receipt = &robokassa.Receipt{Items: []robokassa.ReceiptItem{{
				Name: itemName, Quantity: decimal.New(milliQty, -3), Sum: p.OutSum, Tax: robokassa.TaxNone}}}
		}
		link, err := c.PaymentURL(p)
		if err != nil {
			var ve *robokassa.ValidationError
			require.ErrorAs(t, err, &ve)
			require.Empty(t, link)
			return
		}
		u, err := url.Parse(link)
		require.NoError(t, err)
		q := u.Query()
		for k, v := range q {
			require.Len(t, v, 1, "parameter %s repeated", k)
		}
		parts := []string{q.Get("MerchantLogin"), q.Get("OutSum"), q.Get("InvId")}
		if r := q.Get("Receipt"); r != "" {
			parts = append(parts, r)
		}
		parts = append(parts, string(fuzzCfg.Password1))
		var shp []string
		for k := range q {
			if strings.HasPrefix(k, "Shp_") {
				shp = append(shp, k)
			}
		}
		sort.Strings(shp)
		for _, k := range shp {
			parts = append(parts, k+"="+q.Get(k))
		}
		want := strings.ToLower(robokassatest.Sign(fuzzCfg, strings.Join(parts, ":")))
		require.Equal(t, want, q.Get("SignatureValue"))
		require.Equal(t, decimal.New(cents, -2).StringFixed(2), q.Get("OutSum"))
		if invID != 0 {
			require.Equal(t, strconv.FormatInt(invID, 10), q.Get("InvId"))
		}
		if p.Receipt != nil {
			// The value Robokassa reads is the once-encoded JSON.
			js, err := url.QueryUnescape(q.Get("Receipt"))
			require.NoError(t, err)
			require.True(t, strings.HasPrefix(js, `{"items":[{"name":`), js)
		}
	})
}
