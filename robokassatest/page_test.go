package robokassatest_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/robokassa-go/robokassa"
	"github.com/robokassa-go/robokassa/robokassatest"
)

// pageServer is an MD5 shop "demo" (p1/p2, test pair t1/t2) and a shop
// "strict" with recurring payments and holds disabled.
func pageServer(t *testing.T) *robokassatest.Server {
	srv := robokassatest.NewServer(robokassatest.Shop{
		MerchantLogin: "demo", Password1: "p1", Password2: "p2", TestPassword1: "t1", TestPassword2: "t2",
	})
	t.Cleanup(srv.Close)
	require.NoError(t, srv.AddShop(robokassatest.Shop{
		MerchantLogin: "strict", Password1: "s1", Password2: "s2", NoRecurring: true, NoHold: true,
	}))
	return srv
}

func TestPaymentPageCodes(t *testing.T) {
	srv := pageServer(t)
	receipt := phpEncode(`{"items":[{"name":"Tea","quantity":2,"sum":10.00,"tax":"none"}]}`)
	badReceipt := phpEncode(`{"items":[{"name":"Tea","quantity":1,"sum":9.00,"tax":"none"}]}`)
	form := func(kv ...string) url.Values {
		v := url.Values{}
		for i := 0; i < len(kv); i += 2 {
			v.Add(kv[i], kv[i+1])
		}
		return v
	}
	tests := []struct {
		name string
		form url.Values
		base string // hashed with MD5 into SignatureValue; "" sends none
		code int    // 0: the payment page
	}{
		{"minimal", form("MerchantLogin", "demo", "OutSum", "10.00", "InvId", "1"), "demo:10.00:1:p1", 0},
		{"no InvId: empty slot", form("MerchantLogin", "demo", "OutSum", "10.00"), "demo:10.00::p1", 0},
		{"InvId 0: empty slot", form("MerchantLogin", "demo", "OutSum", "10.00", "InvId", "0"), "demo:10.00:0:p1", 0},
		{"uppercase hex", form("MerchantLogin", "demo", "OutSum", "10.00", "InvId", "2"), "UPPER:demo:10.00:2:p1", 0},
		{"receipt signed once-encoded", form("MerchantLogin", "demo", "OutSum", "10.00", "InvId", "3", "Receipt", receipt), "demo:10.00:3:" + receipt + ":p1", 0},
		{"Shp after the password, sorted", form("MerchantLogin", "demo", "OutSum", "10.00", "InvId", "4", "Shp_b", "2", "Shp_a", "x+y"), "demo:10.00:4:p1:Shp_a=x+y:Shp_b=2", 0},
		{"test pair with IsTest", form("MerchantLogin", "demo", "OutSum", "10.00", "InvId", "5", "IsTest", "1"), "demo:10.00:5:t1", 0},
		{"hold with ResultUrl2", form("MerchantLogin", "demo", "OutSum", "10.00", "InvId", "6", "StepByStep", "true", "ResultUrl2", "https://shop.example/r2"), "demo:10.00:6:true:https://shop.example/r2:p1", 0},
		{"redirects", form("MerchantLogin", "demo", "OutSum", "10.00", "InvId", "7", "SuccessUrl2", "https://s.example/ok", "SuccessUrl2Method", "GET", "FailUrl2", "https://s.example/f", "FailUrl2Method", "POST"), "demo:10.00:7:https://s.example/ok:GET:https://s.example/f:POST:p1", 0},
		{"recurring parent (not signed)", form("MerchantLogin", "demo", "OutSum", "10.00", "InvId", "8", "Recurring", "true"), "demo:10.00:8:p1", 0},

		{"26 unknown shop", form("MerchantLogin", "nobody", "OutSum", "10.00", "InvId", "1"), "nobody:10.00:1:p1", 26},
		{"26 no login", form("OutSum", "10.00", "InvId", "1"), ":10.00:1:p1", 26},
		{"29 wrong password", form("MerchantLogin", "demo", "OutSum", "10.00", "InvId", "1"), "demo:10.00:1:p2", 29},
		{"29 no signature", form("MerchantLogin", "demo", "OutSum", "10.00", "InvId", "1"), "", 29},
		{"29 Shp not signed", form("MerchantLogin", "demo", "OutSum", "10.00", "InvId", "1", "Shp_a", "1"), "demo:10.00:1:p1", 29},
		{"29 Shp before the password", form("MerchantLogin", "demo", "OutSum", "10.00", "InvId", "1", "Shp_a", "1"), "demo:10.00:1:Shp_a=1:p1", 29},
		{"29 Shp out of order", form("MerchantLogin", "demo", "OutSum", "10.00", "InvId", "1", "Shp_a", "1", "Shp_b", "2"), "demo:10.00:1:p1:Shp_b=2:Shp_a=1", 29},
		{"29 production password in test mode", form("MerchantLogin", "demo", "OutSum", "10.00", "InvId", "1", "IsTest", "1"), "demo:10.00:1:p1", 29},
		{"29 test password in production", form("MerchantLogin", "demo", "OutSum", "10.00", "InvId", "1"), "demo:10.00:1:t1", 29},
		{"29 receipt signed decoded", form("MerchantLogin", "demo", "OutSum", "10.00", "InvId", "1", "Receipt", receipt), `demo:10.00:1:{"items":[{"name":"Tea","quantity":2,"sum":10.00,"tax":"none"}]}:p1`, 29},
		{"29 modifiers out of order", form("MerchantLogin", "demo", "OutSum", "10.00", "InvId", "1", "StepByStep", "true", "ResultUrl2", "https://a.example/r"), "demo:10.00:1:https://a.example/r:true:p1", 29},
		{"31 no OutSum", form("MerchantLogin", "demo", "InvId", "1"), "demo::1:p1", 31},
		{"31 zero", form("MerchantLogin", "demo", "OutSum", "0.00", "InvId", "1"), "demo:0.00:1:p1", 31},
		{"31 three decimals", form("MerchantLogin", "demo", "OutSum", "10.005", "InvId", "1"), "demo:10.005:1:p1", 31},
		{"31 negative", form("MerchantLogin", "demo", "OutSum", "-1", "InvId", "1"), "demo:-1:1:p1", 31},
		{"31 exponent", form("MerchantLogin", "demo", "OutSum", "1e9", "InvId", "1"), "demo:1e9:1:p1", 31},
		{"30 InvId not a number", form("MerchantLogin", "demo", "OutSum", "10.00", "InvId", "x"), "demo:10.00:x:p1", 30},
		{"30 repeated OutSum", form("MerchantLogin", "demo", "OutSum", "10.00", "OutSum", "1.00", "InvId", "1"), "demo:10.00:1:p1", 30},
		{"30 description too long", form("MerchantLogin", "demo", "OutSum", "10.00", "InvId", "1", "Description", strings.Repeat("я", 101)), "demo:10.00:1:p1", 30},
		{"30 receipt does not add up", form("MerchantLogin", "demo", "OutSum", "10.00", "InvId", "1", "Receipt", badReceipt), "demo:10.00:1:" + badReceipt + ":p1", 30},
		{"30 receipt not JSON", form("MerchantLogin", "demo", "OutSum", "10.00", "InvId", "1", "Receipt", "nope"), "demo:10.00:1:nope:p1", 30},
		{"30 SuccessUrl2 without its method", form("MerchantLogin", "demo", "OutSum", "10.00", "InvId", "1", "SuccessUrl2", "https://s.example/ok"), "demo:10.00:1:https://s.example/ok:p1", 30},
		{"30 bad IsTest", form("MerchantLogin", "demo", "OutSum", "10.00", "InvId", "1", "IsTest", "yes"), "demo:10.00:1:p1", 30},
		{"30 currency", form("MerchantLogin", "demo", "OutSum", "10.00", "InvId", "1", "OutSumCurrency", "GBP"), "demo:10.00:1:GBP:p1", 30},
		{"33 expired", form("MerchantLogin", "demo", "OutSum", "10.00", "InvId", "1", "ExpirationDate", "2020-01-16T12:00:00+03:00"), "demo:10.00:1:p1", 33},
		{"34 recurring disabled", form("MerchantLogin", "strict", "OutSum", "10.00", "InvId", "1", "Recurring", "true"), "strict:10.00:1:s1", 34},
		{"64 hold disabled", form("MerchantLogin", "strict", "OutSum", "10.00", "InvId", "1", "StepByStep", "true"), "strict:10.00:1:true:s1", 64},
		{"65 StepByStep not the literal true", form("MerchantLogin", "demo", "OutSum", "10.00", "InvId", "1", "StepByStep", "1"), "demo:10.00:1:1:p1", 65},
		{"65 hold in test mode", form("MerchantLogin", "demo", "OutSum", "10.00", "InvId", "1", "StepByStep", "true", "IsTest", "1"), "demo:10.00:1:true:t1", 65},
		{"65 hold as a recurring parent", form("MerchantLogin", "demo", "OutSum", "10.00", "InvId", "1", "StepByStep", "true", "Recurring", "true"), "demo:10.00:1:true:p1", 65},
		{"30 unknown saved card", form("MerchantLogin", "demo", "OutSum", "10.00", "InvId", "1", "Token", "nope"), "demo:10.00:1:nope:p1", 30},
	}
	for _, tc := range tests {
		for _, method := range []string{http.MethodGet, http.MethodPost} {
			t.Run(tc.name+"/"+method, func(t *testing.T) {
				f := url.Values{}
				for k, vs := range tc.form {
					f[k] = append([]string(nil), vs...)
				}
				switch {
				case strings.HasPrefix(tc.base, "UPPER:"):
					f.Set("SignatureValue", strings.ToUpper(hexOf(robokassa.MD5, strings.TrimPrefix(tc.base, "UPPER:"))))
				case tc.base != "":
					signed(robokassa.MD5, f, tc.base)
				}
				var status int
				var body string
				if method == http.MethodGet {
					status, body = get(t, srv.URL+"/Merchant/Index.aspx", f)
				} else {
					status, body = post(t, srv.URL+"/Merchant/Index.aspx", f)
				}
				assert.Equal(t, http.StatusOK, status)
				assert.Equal(t, tc.code, pageCode(body), body)
			})
		}
	}
}

// TestError29ShowsTheExpectedBase: the page says what it expected to be
// signed, with the password masked, never the password.
func TestError29ShowsTheExpectedBase(t *testing.T) {
	srv := pageServer(t)
	f := url.Values{"MerchantLogin": {"demo"}, "OutSum": {"10.00"}, "InvId": {"1"}, "Shp_b": {"2"}, "Shp_a": {"1"}, "IsTest": {"1"}}
	signed(robokassa.MD5, f, "demo:10.00:1:p1:Shp_a=1:Shp_b=2") // production password in test mode
	_, body := post(t, srv.URL+"/Merchant/Index.aspx", f)
	require.Equal(t, 29, pageCode(body))
	assert.Contains(t, body, `<code id="base">demo:10.00:1:[test Password #1]:Shp_a=1:Shp_b=2</code>`)
	assert.Contains(t, body, "production passwords in test mode")
	assert.NotContains(t, body, ":t1")
	assert.NotContains(t, body, ":p1")
}

// TestPaymentVectors: every payment vector of testdata/signatures.json
// (computed in Python) passes the emulator's signature check.
func TestPaymentVectors(t *testing.T) {
	raw, err := os.ReadFile("testdata/signatures.json")
	require.NoError(t, err)
	var file struct {
		Vectors []struct {
			Name, Algorithm, Signature string
			Inputs                     struct {
				MerchantLogin     string            `json:"merchant_login"`
				OutSum            string            `json:"out_sum"`
				InvID             string            `json:"inv_id"`
				ReceiptJSON       string            `json:"receipt_json"`
				StepByStep        bool              `json:"step_by_step"`
				ResultURL2        string            `json:"result_url2"`
				SuccessURL2       string            `json:"success_url2"`
				SuccessURL2Method string            `json:"success_url2_method"`
				FailURL2          string            `json:"fail_url2"`
				FailURL2Method    string            `json:"fail_url2_method"`
				Token             string            `json:"token"`
				OutSumCurrency    string            `json:"out_sum_currency"`
				UserIP            string            `json:"user_ip"`
				Password          string            `json:"password"`
				Shp               map[string]string `json:"shp"`
			}
		}
	}
	require.NoError(t, json.Unmarshal(raw, &file))
	require.NotEmpty(t, file.Vectors)
	for _, v := range file.Vectors {
		t.Run(v.Name, func(t *testing.T) {
			in := v.Inputs
			srv := robokassatest.NewServer(robokassatest.Shop{MerchantLogin: in.MerchantLogin, Password1: robokassa.Secret(in.Password),
				Password2: "other", Algorithm: robokassa.HashAlgorithm(v.Algorithm)})
			defer srv.Close()
			f := url.Values{"MerchantLogin": {in.MerchantLogin}, "OutSum": {in.OutSum}, "SignatureValue": {v.Signature}}
			set := func(k, val string) {
				if val != "" {
					f.Set(k, val)
				}
			}
			set("InvId", in.InvID)
			if in.ReceiptJSON != "" {
				f.Set("Receipt", phpEncode(in.ReceiptJSON))
			}
			if in.StepByStep {
				f.Set("StepByStep", "true")
			}
			set("ResultUrl2", in.ResultURL2)
			set("SuccessUrl2", in.SuccessURL2)
			set("SuccessUrl2Method", in.SuccessURL2Method)
			set("FailUrl2", in.FailURL2)
			set("FailUrl2Method", in.FailURL2Method)
			set("Token", in.Token)
			set("OutSumCurrency", in.OutSumCurrency)
			set("UserIp", in.UserIP)
			for k, val := range in.Shp {
				f.Set(k, phpEncode(val))
			}
			_, body := post(t, srv.URL+"/Merchant/Index.aspx", f)
			code := pageCode(body)
			assert.NotEqual(t, 29, code, "the signature computed in Python must verify")
			// Where the vector's data itself breaks a rule, the emulator
			// says which: an unknown saved card, a receipt that does
			// not add up to OutSum.
			switch {
			case in.Token != "":
				assert.Equal(t, 30, code)
			case in.ReceiptJSON != "" && in.OutSum != "990.00":
				assert.Equal(t, 30, code)
			default:
				assert.Equal(t, 0, code, body)
			}
		})
	}
}

func TestPaymentPageBounds(t *testing.T) {
	srv := pageServer(t)
	t.Run("body over 256 KiB", func(t *testing.T) {
		status, body := post(t, srv.URL+"/Merchant/Index.aspx", url.Values{"Description": {strings.Repeat("x", 300<<10)}})
		assert.Equal(t, http.StatusOK, status)
		assert.Equal(t, 30, pageCode(body))
	})
	t.Run("too many parameters", func(t *testing.T) {
		f := url.Values{}
		for i := 0; i < 600; i++ {
			f.Set("p"+strings.Repeat("x", i%7)+string(rune('a'+i%26))+string(rune('a'+i/26)), "1")
		}
		_, body := post(t, srv.URL+"/Merchant/Index.aspx", f)
		assert.Equal(t, 30, pageCode(body))
	})
	t.Run("method", func(t *testing.T) {
		req, err := http.NewRequest(http.MethodPut, srv.URL+"/Merchant/Index.aspx", nil)
		require.NoError(t, err)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		body := readAll(t, resp)
		assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
		assert.Equal(t, "GET, POST", resp.Header.Get("Allow"))
		assert.Equal(t, 30, pageCode(body))
	})
	t.Run("paths ignore letter case", func(t *testing.T) {
		f := signed(robokassa.MD5, url.Values{"MerchantLogin": {"demo"}, "OutSum": {"1.00"}, "InvId": {"77"}}, "demo:1.00:77:p1")
		_, body := get(t, srv.URL+"/merchant/index.aspx", f)
		assert.Equal(t, 0, pageCode(body))
	})
	t.Run("unknown path", func(t *testing.T) {
		resp, err := http.Get(srv.URL + "/Merchant/Nothing")
		require.NoError(t, err)
		readAll(t, resp)
		assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	})
}
