package robokassatest_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/robokassa-go/robokassa"
	"github.com/robokassa-go/robokassa/robokassatest"
)

// Table tests of the remote APIs with raw requests, signed in the test
// from the documented formulas (MD5 shop "demo", p1/p2/p3).

// apiServer has a paid recurring parent (InvId 1), a held payment (2), a
// test payment (3) and a real and a test payment sharing InvId 4.
func apiServer(t *testing.T, edit func(*robokassatest.Shop)) *robokassatest.Server {
	sh := robokassatest.Shop{MerchantLogin: "demo", Password1: "p1", Password2: "p2", TestPassword1: "t1", TestPassword2: "t2", Password3: "p3"}
	if edit != nil {
		edit(&sh)
	}
	srv := robokassatest.NewServer(sh)
	t.Cleanup(srv.Close)
	open := func(f url.Values, base string) {
		_, body := post(t, srv.URL+"/Merchant/Index.aspx", signed(sh.Algorithm, f, base))
		require.Equal(t, 0, pageCode(body), body)
	}
	parent := url.Values{"MerchantLogin": {"demo"}, "OutSum": {"100.00"}, "InvId": {"1"}, "Recurring": {"true"}}
	if sh.NoRecurring {
		parent.Del("Recurring")
	}
	open(parent, "demo:100.00:1:p1")
	open(url.Values{"MerchantLogin": {"demo"}, "OutSum": {"100.00"}, "InvId": {"3"}, "IsTest": {"1"}}, "demo:100.00:3:t1")
	open(url.Values{"MerchantLogin": {"demo"}, "OutSum": {"100.00"}, "InvId": {"4"}}, "demo:100.00:4:p1")
	open(url.Values{"MerchantLogin": {"demo"}, "OutSum": {"100.00"}, "InvId": {"4"}, "IsTest": {"1"}}, "demo:100.00:4:t1")
	require.NoError(t, srv.Pay(1))
	if !sh.NoHold {
		open(url.Values{"MerchantLogin": {"demo"}, "OutSum": {"100.00"}, "InvId": {"2"}, "StepByStep": {"true"}}, "demo:100.00:2:true:p1")
		require.NoError(t, srv.Pay(2))
	}
	return srv
}

func TestRecurringCodes(t *testing.T) {
	srv := apiServer(t, nil)
	tests := []struct {
		name string
		form url.Values
		base string
		want string // "OK<id>" or the error code on the page
	}{
		{"ok", url.Values{"MerchantLogin": {"demo"}, "InvoiceID": {"10"}, "PreviousInvoiceID": {"1"}, "OutSum": {"5.00"}}, "demo:5.00:10:p1", "OK10"},
		{"PreviousInvoiceID not signed", url.Values{"MerchantLogin": {"demo"}, "InvoiceID": {"11"}, "PreviousInvoiceID": {"1"}, "OutSum": {"5.00"}}, "demo:5.00:11:1:p1", "29"},
		{"Shp after the password", url.Values{"MerchantLogin": {"demo"}, "InvoiceID": {"12"}, "PreviousInvoiceID": {"1"}, "OutSum": {"5.00"}, "Shp_a": {"1"}}, "demo:5.00:12:p1:Shp_a=1", "OK12"},
		{"unknown shop", url.Values{"MerchantLogin": {"x"}, "InvoiceID": {"13"}, "PreviousInvoiceID": {"1"}, "OutSum": {"5.00"}}, "x:5.00:13:p1", "26"},
		{"no sum", url.Values{"MerchantLogin": {"demo"}, "InvoiceID": {"14"}, "PreviousInvoiceID": {"1"}}, "demo::14:p1", "31"},
		{"reused InvoiceID", url.Values{"MerchantLogin": {"demo"}, "InvoiceID": {"1"}, "PreviousInvoiceID": {"1"}, "OutSum": {"5.00"}}, "demo:5.00:1:p1", "35"},
		{"InvoiceID of a paid payment", url.Values{"MerchantLogin": {"demo"}, "InvoiceID": {"10"}, "PreviousInvoiceID": {"1"}, "OutSum": {"5.00"}}, "demo:5.00:10:p1", "40"},
		{"no parent", url.Values{"MerchantLogin": {"demo"}, "InvoiceID": {"15"}, "OutSum": {"5.00"}}, "demo:5.00:15:p1", "35"},
		{"parent not recurring", url.Values{"MerchantLogin": {"demo"}, "InvoiceID": {"16"}, "PreviousInvoiceID": {"2"}, "OutSum": {"5.00"}}, "demo:5.00:16:p1", "35"},
		{"test parent", url.Values{"MerchantLogin": {"demo"}, "InvoiceID": {"17"}, "PreviousInvoiceID": {"3"}, "OutSum": {"5.00"}}, "demo:5.00:17:p1", "35"},
		{"IsTest not allowed", url.Values{"MerchantLogin": {"demo"}, "InvoiceID": {"18"}, "PreviousInvoiceID": {"1"}, "OutSum": {"5.00"}, "IsTest": {"1"}}, "demo:5.00:18:p1", "35"},
		{"bad InvoiceID", url.Values{"MerchantLogin": {"demo"}, "InvoiceID": {"0"}, "PreviousInvoiceID": {"1"}, "OutSum": {"5.00"}}, "demo:5.00:0:p1", "35"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, body := post(t, srv.URL+"/Merchant/Recurring", signed(robokassa.MD5, tc.form, tc.base))
			assert.Equal(t, http.StatusOK, status)
			if strings.HasPrefix(tc.want, "OK") {
				assert.Equal(t, tc.want, body)
			} else {
				assert.Contains(t, body, `id="error">error `+tc.want+"<")
			}
		})
	}
	noRec := apiServer(t, func(s *robokassatest.Shop) { s.NoRecurring = true; s.MerchantLogin = "demo" })
	_, body := post(t, noRec.URL+"/Merchant/Recurring", signed(robokassa.MD5,
		url.Values{"MerchantLogin": {"demo"}, "InvoiceID": {"10"}, "PreviousInvoiceID": {"1"}, "OutSum": {"5.00"}}, "demo:5.00:10:p1"))
	assert.Equal(t, 34, pageCode(body))
}

func TestHoldCodes(t *testing.T) {
	srv := apiServer(t, nil)
	var answer string
	hold := func(path string, form url.Values, base string) string {
		_, body := post(t, srv.URL+path, signed(robokassa.MD5, form, base))
		require.NoError(t, json.Unmarshal([]byte(body), &answer), "a JSON string literal: %s", body)
		return answer
	}
	confirm := func(inv, sum string) url.Values {
		return url.Values{"MerchantLogin": {"demo"}, "InvoiceID": {inv}, "OutSum": {sum}}
	}
	assert.Equal(t, "error 29", hold("/Merchant/Payment/Confirm", confirm("2", "50.00"), "demo:50.00:2:p2"))
	assert.Equal(t, "error 26", hold("/Merchant/Payment/Confirm", url.Values{"MerchantLogin": {"x"}, "InvoiceID": {"2"}, "OutSum": {"50.00"}}, "x:50.00:2:p1"))
	assert.Equal(t, "error 65", hold("/Merchant/Payment/Confirm", confirm("2", "100.01"), "demo:100.01:2:p1"), "the amount only goes down")
	assert.Equal(t, "success: false", hold("/Merchant/Payment/Confirm", confirm("1", "50.00"), "demo:50.00:1:p1"), "not held")
	assert.Equal(t, "success: false", hold("/Merchant/Payment/Cancel", url.Values{"MerchantLogin": {"demo"}, "InvoiceID": {"1"}}, "demo::1:p1"))
	assert.Equal(t, "error 29", hold("/Merchant/Payment/Cancel", url.Values{"MerchantLogin": {"demo"}, "InvoiceID": {"2"}, "OutSum": {"100.00"}}, "demo:100.00:2:p1"), "the OutSum slot is empty")
	assert.Equal(t, "success: true", hold("/Merchant/Payment/Confirm", confirm("2", "60.00"), "demo:60.00:2:p1"))
	op, _ := srv.Operation(2)
	assert.Equal(t, robokassa.StatePaid, op.State)
	assert.True(t, op.OutSum.Equal(dec("60")))

	noHold := apiServer(t, func(s *robokassatest.Shop) { s.NoHold = true })
	_, body := post(t, noHold.URL+"/Merchant/Payment/Cancel", signed(robokassa.MD5, url.Values{"MerchantLogin": {"demo"}, "InvoiceID": {"2"}}, "demo::2:p1"))
	assert.Equal(t, `"error 64"`, body)
}

// opState is what the tests read of OperationStateResponse.
type opState struct {
	Result struct{ Code int }
	State  struct{ Code int }
	Info   struct {
		IncSum, OutSum, OpKey, IncAccount string
		PaymentMethod                     struct{ Code string }
	}
}

func TestOpStateExtCodes(t *testing.T) {
	srv := apiServer(t, nil)
	tests := []struct {
		name        string
		login, inv  string
		base        string
		code, state int
	}{
		{"paid", "demo", "1", "demo:1:p2", 0, 100},
		{"held", "demo", "2", "demo:2:p2", 0, 20},
		{"test payment, page shown", "demo", "3", "demo:3:p2", 0, 5},
		{"a test and a real one", "demo", "4", "demo:4:p2", 4, 0},
		{"not found", "demo", "99", "demo:99:p2", 3, 0},
		{"signed with Password #1", "demo", "1", "demo:1:p1", 1, 0},
		{"unknown shop", "x", "1", "x:1:p2", 2, 0},
	}
	for _, tc := range tests {
		for _, method := range []string{http.MethodGet, http.MethodPost} {
			t.Run(tc.name+"/"+method, func(t *testing.T) {
				q := url.Values{"MerchantLogin": {tc.login}, "InvoiceID": {tc.inv}, "Signature": {hexOf(robokassa.MD5, tc.base)}}
				var body string
				if method == http.MethodGet {
					_, body = get(t, srv.URL+"/Merchant/WebService/Service.asmx/OpStateExt", q)
				} else {
					_, body = post(t, srv.URL+"/Merchant/WebService/Service.asmx/OpStateExt", q)
				}
				var r opState
				require.NoError(t, xml.Unmarshal([]byte(body), &r), body)
				assert.Equal(t, tc.code, r.Result.Code)
				assert.Equal(t, tc.state, r.State.Code)
			})
		}
	}
	_, body := post(t, srv.URL+"/Merchant/WebService/Service.asmx/OpStateExt",
		url.Values{"MerchantLogin": {"demo"}, "InvoiceID": {"1"}, "Signature": {hexOf(robokassa.MD5, "demo:1:p2")}})
	var r opState
	require.NoError(t, xml.Unmarshal([]byte(body), &r))
	assert.Equal(t, "100.000000", r.Info.IncSum)
	assert.Equal(t, "97.500000", r.Info.OutSum, "less 2.5%")
	assert.Equal(t, "BankCard", r.Info.PaymentMethod.Code)
	assert.Equal(t, "220012******3456", r.Info.IncAccount)
	assert.Contains(t, body, `xmlns="http://merchant.roboxchange.com/WebService/"`)
}

// TestWebServiceCatalogue checks the documented catalogue; expected
// amounts are worked out by hand from its rates.
func TestWebServiceCatalogue(t *testing.T) {
	srv := apiServer(t, nil)
	c := srv.Client()
	groups, err := c.Currencies(ctx(t), "en")
	require.NoError(t, err)
	require.Len(t, groups, 2)
	assert.Equal(t, "BankCard", groups[0].Code)
	assert.Equal(t, []string{"BankCardPSR", "YandexPayPSR"}, []string{groups[0].Currencies[0].Label, groups[0].Currencies[1].Label})
	assert.Equal(t, "Bank card", groups[0].Currencies[0].Name)
	assert.True(t, groups[0].Currencies[0].MaxValue.Equal(dec("300000")))
	assert.Equal(t, "SBPPSR", groups[1].Currencies[0].Label)
	ru, err := c.Currencies(ctx(t), "ru")
	require.NoError(t, err)
	assert.Equal(t, "Банковская карта", ru[0].Description)

	methods, err := c.PaymentMethods(ctx(t), "en")
	require.NoError(t, err)
	assert.Equal(t, []robokassa.PaymentMethodInfo{{Code: "BankCard", Description: "Bank card"},
		{Code: "YandexPay", Description: "Yandex Pay"}, {Code: "SBP", Description: "Faster Payments System"}}, methods)

	// 1000 at 2.5%: 975.00; at 1%: 990.00.
	out, err := c.CalcOutSum(ctx(t), "BankCardPSR", dec("1000"))
	require.NoError(t, err)
	assert.Equal(t, "975", out.String())
	out, err = c.CalcOutSum(ctx(t), "SBPPSR", dec("1000"))
	require.NoError(t, err)
	assert.Equal(t, "990", out.String())
	var apiErr *robokassa.APIError
	_, err = c.CalcOutSum(ctx(t), "Nope", dec("1000"))
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "1000", apiErr.Code)

	// For the shop to receive 975: 975 / 0.975 = 1000.00 by card,
	// 975 / 0.99 = 984.848… → 984.85 by SBP, 975 / 0.97 = 1005.154… → 1005.16.
	rates, err := c.Rates(ctx(t), "", dec("975"), "en")
	require.NoError(t, err)
	got := map[string]string{}
	for _, g := range rates {
		for _, r := range g.Rates {
			got[r.Label] = r.IncSum.StringFixed(2)
		}
	}
	assert.Equal(t, map[string]string{"BankCardPSR": "1000.00", "SBPPSR": "984.85", "YandexPayPSR": "1005.16"}, got)
	one, err := c.Rates(ctx(t), "SBPPSR", dec("975"), "en")
	require.NoError(t, err)
	require.Len(t, one, 1)
	require.Len(t, one[0].Rates, 1)

	limit, err := c.Limit(ctx(t))
	require.NoError(t, err)
	assert.Equal(t, "600000", limit.String())

	cfg := srv.ClientConfig()
	cfg.MerchantLogin = "nobody"
	stranger, err := robokassa.NewClient(cfg)
	require.NoError(t, err)
	_, err = stranger.Limit(ctx(t))
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "2", apiErr.Code)
}

// jwt makes a compact JWS with the standard library.
func jwt(header, payload string, sign func([]byte) []byte) string {
	enc := base64.RawURLEncoding
	signing := enc.EncodeToString([]byte(header)) + "." + enc.EncodeToString([]byte(payload))
	return signing + "." + enc.EncodeToString(sign([]byte(signing)))
}

func postJSON(t *testing.T, target, body string) (int, map[string]any) {
	resp, err := http.Post(target, "application/json", strings.NewReader(body))
	require.NoError(t, err)
	raw := readAll(t, resp)
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(raw), &m), raw)
	return resp.StatusCode, m
}

func TestInvoiceAPIAuth(t *testing.T) {
	srv := apiServer(t, func(s *robokassatest.Shop) { s.Algorithm = robokassa.SHA256 })
	create := srv.URL + "/InvoiceServiceWebApi/api/CreateInvoice"
	payload := `{"MerchantLogin":"demo","InvoiceType":"OneTime","InvId":700,"OutSum":10.00,"Description":"x"}`
	hs := func(key string) func([]byte) []byte {
		return func(b []byte) []byte { m := hmac.New(sha256.New, []byte(key)); m.Write(b); return m.Sum(nil) }
	}
	quote := func(s string) string { b, _ := json.Marshal(s); return string(b) }
	tests := []struct {
		name, body string
		ok         bool
		message    string
	}{
		{"wrong key", quote(jwt(`{"typ":"JWT","alg":"SHA256"}`, payload, hs("demo:p2"))), false, "invalid signature"},
		{"key is the password alone", quote(jwt(`{"typ":"JWT","alg":"SHA256"}`, payload, hs("p1"))), false, "invalid signature"},
		{"JOSE alg name", quote(jwt(`{"typ":"JWT","alg":"HS256"}`, payload, hs("demo:p1"))), false, "alg"},
		{"alg none", quote(jwt(`{"typ":"JWT","alg":"none"}`, payload, func([]byte) []byte { return nil })), false, "alg"},
		{"not a JWT", `"hello"`, false, "JWT"},
		{"unknown shop", quote(jwt(`{"typ":"JWT","alg":"SHA256"}`, strings.Replace(payload, `"demo"`, `"x"`, 1), hs("x:p1"))), false, "shop not found"},
		{"ok", quote(jwt(`{"typ":"JWT","alg":"SHA256"}`, payload, hs("demo:p1"))), true, ""},
		{"bare token", jwt(`{"typ":"JWT","alg":"SHA256"}`, strings.Replace(payload, "700", "701", 1), hs("demo:p1")), true, ""},
		{"InvId taken", quote(jwt(`{"typ":"JWT","alg":"SHA256"}`, payload, hs("demo:p1"))), false, "already exists"},
		{"items must add up", quote(jwt(`{"typ":"JWT","alg":"SHA256"}`, `{"MerchantLogin":"demo","InvoiceType":"OneTime","OutSum":10.00,"InvoiceItems":[{"Name":"a","Quantity":1,"Cost":9.00,"Tax":"none"}]}`, hs("demo:p1"))), false, "add up"},
		{"type", quote(jwt(`{"typ":"JWT","alg":"SHA256"}`, `{"MerchantLogin":"demo","InvoiceType":"Monthly","OutSum":10.00}`, hs("demo:p1"))), false, "InvoiceType"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, m := postJSON(t, create, tc.body)
			assert.Equal(t, http.StatusOK, status, "always 200: check the flag")
			assert.Equal(t, tc.ok, m["isSuccess"])
			if tc.ok {
				assert.True(t, strings.HasPrefix(m["url"].(string), srv.URL+"/merchant/Invoice/"))
			} else {
				assert.Contains(t, m["message"], tc.message)
			}
		})
	}
}

func TestRefundAPIAuth(t *testing.T) {
	srv := apiServer(t, nil)
	op, _ := srv.Operation(1)
	target := srv.URL + "/RefundService/Refund/Create"
	hs := func(key string) func([]byte) []byte {
		return func(b []byte) []byte { m := hmac.New(sha256.New, []byte(key)); m.Write(b); return m.Sum(nil) }
	}
	quote := func(s string) string { b, _ := json.Marshal(s); return string(b) }
	head := `{"alg":"HS256","typ":"JWT"}`
	tests := []struct {
		name, body string
		status     int
		field      string
		want       any
	}{
		{"keyed login:Password3", quote(jwt(head, `{"OpKey":"`+op.OpKey+`"}`, hs("demo:p3"))), 401, "message", "Invalid token signature"},
		{"keyed Password1", quote(jwt(head, `{"OpKey":"`+op.OpKey+`"}`, hs("p1"))), 401, "message", "Invalid token signature"},
		{"no OpKey", quote(jwt(head, `{"RefundSum":1}`, hs("p3"))), 400, "message", "OpKey is required"},
		{"bad sum", quote(jwt(head, `{"OpKey":"`+op.OpKey+`","RefundSum":0.001}`, hs("p3"))), 400, "message", "RefundSum must be an amount greater than zero with at most 2 decimal places"},
		{"unknown OpKey, a shop's key", quote(jwt(head, `{"OpKey":"nope"}`, hs("p3"))), 200, "message", "OperationNotFound"},
		{"unknown OpKey, no shop's key", quote(jwt(head, `{"OpKey":"nope"}`, hs("zzz"))), 401, "message", "Invalid token signature"},
		{"a held payment is not refundable", "", 200, "message", "OperationNotFound"},
		{"partial", quote(jwt(head, `{"OpKey":"`+op.OpKey+`","RefundSum":10.00}`, hs("p3"))), 200, "success", true},
		{"too much", quote(jwt(head, `{"OpKey":"`+op.OpKey+`","RefundSum":90.01}`, hs("p3"))), 200, "message", "NotEnoughOperationFunds"},
		{"rest, HS512", quote(jwt(`{"alg":"HS512","typ":"JWT"}`, `{"OpKey":"`+op.OpKey+`"}`, func(b []byte) []byte {
			m := hmac.New(sha512.New, []byte("p3"))
			m.Write(b)
			return m.Sum(nil)
		})), 200, "success", true},
		{"again", quote(jwt(head, `{"OpKey":"`+op.OpKey+`"}`, hs("p3"))), 200, "message", "AlreadyRefunded"},
	}
	held, _ := srv.Operation(2)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			body := tc.body
			if body == "" {
				body = quote(jwt(head, `{"OpKey":"`+held.OpKey+`"}`, hs("p3")))
			}
			status, m := postJSON(t, target, body)
			assert.Equal(t, tc.status, status)
			assert.Equal(t, tc.want, m[tc.field])
		})
	}
	paid, _ := srv.Operation(1)
	assert.Equal(t, robokassa.StateRefunded, paid.State)
	assert.True(t, paid.Refunded.Equal(dec("100")))
}
