package main

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// phpEncode is PHP's urlencode, which the protocol uses for Shp values and
// the receipt: url.QueryEscape with '~' as %7E.
func phpEncode(s string) string { return strings.ReplaceAll(url.QueryEscape(s), "~", "%7E") }

// linkArgs turns a signature vector's inputs into link flags.
func linkArgs(v signatureVector) []string {
	in := v.Inputs
	args := []string{"link", "-sum", in.OutSum, "-algorithm", v.Algorithm, "-login", in.MerchantLogin, "-password1", in.Password}
	if in.InvID != "" {
		args = append(args, "-inv", in.InvID)
	}
	for k, val := range in.Shp {
		args = append(args, "-shp", k+"="+val)
	}
	if in.StepByStep {
		args = append(args, "-step-by-step")
	}
	for flag, val := range map[string]string{
		"-result-url2": in.ResultURL2, "-token": in.Token, "-currency": in.OutSumCurrency, "-user-ip": in.UserIP,
		"-success-url2": in.SuccessURL2, "-success-url2-method": in.SuccessURL2Method,
		"-fail-url2": in.FailURL2, "-fail-url2-method": in.FailURL2Method,
	} {
		if val != "" {
			args = append(args, flag, val)
		}
	}
	return args
}

func TestLinkVectors(t *testing.T) {
	ran := 0
	for _, v := range loadVectors[signatureVector](t, "signatures.json") {
		if v.Inputs.ReceiptJSON != "" || !strings.Contains(v.Inputs.OutSum, ".") {
			// The SDK writes amounts with two decimals (490.00, 5.00);
			// these vectors sign other texts. TestLinkReceipt covers
			// receipts.
			continue
		}
		ran++
		t.Run(v.Name, func(t *testing.T) {
			r := runCLI(t, nil, "", append(linkArgs(v), "-explain")...)
			require.Equal(t, 0, r.code, r.stderr)
			link, rest, _ := strings.Cut(r.stdout, "\n")
			u, err := url.Parse(link)
			require.NoError(t, err)
			path := "/Merchant/Index.aspx"
			if v.Inputs.Token != "" {
				path = "/Merchant/Payment/CoFPayment"
			}
			assert.Equal(t, "https://auth.robokassa.ru"+path, u.Scheme+"://"+u.Host+u.Path)
			q := u.Query()
			assert.Equal(t, v.Signature, q.Get("SignatureValue"))
			assert.Equal(t, v.Inputs.MerchantLogin, q.Get("MerchantLogin"))
			assert.Equal(t, v.Inputs.OutSum, q.Get("OutSum"))
			assert.Equal(t, v.Inputs.InvID, q.Get("InvId"))
			for k, val := range v.Inputs.Shp {
				assert.Equal(t, phpEncode(val), q.Get(k), "the form carries the Shp value URL-encoded, as signed")
			}
			masked := strings.Replace(v.Base, v.Inputs.Password, "[password]", 1)
			assert.Contains(t, rest, "\n  "+masked+"\n", "-explain prints the masked base")
			assert.Contains(t, rest, "Password #1")
			assert.NotContains(t, r.stdout+r.stderr, v.Inputs.Password)
		})
	}
	require.Greater(t, ran, 5)
}

func TestLinkExplainParts(t *testing.T) {
	// Vector "hold with ResultUrl2".
	r := runCLI(t, demoEnv, "", "link", "-sum", "100.00", "-inv", "7", "-step-by-step",
		"-result-url2", "https://shop.example/robokassa/result2", "-algorithm", "sha256", "-shp", "order=7", "-explain")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "signed (SHA256, Password #1):\n  demo:100.00:7:true:https://shop.example/robokassa/result2:[password]:Shp_order=7\n")
	lines := strings.Split(r.stdout, "\n")
	var parts []string
	for i, l := range lines {
		if l == "parts:" {
			parts = lines[i+1:]
		}
	}
	require.GreaterOrEqual(t, len(parts), 6)
	for i, want := range [][]string{
		{"1", "MerchantLogin", "demo"},
		{"2", "OutSum", "100.00", "the", "same", "text", "is", "sent"},
		{"3", "InvId", "7"},
		{"4", "StepByStep", "true"},
		{"5", "ResultUrl2", "https://shop.example/robokassa/result2", "the", "raw", "URL"},
		{"6", "Password", "#1", "[password]", "never", "shown"},
		{"7", "Shp_order", "7", "after", "the", "password,", "sorted", "by", "name"},
	} {
		assert.Equal(t, want, strings.Fields(parts[i]), "part %d", i+1)
	}
}

func TestLinkTestMode(t *testing.T) {
	r := runCLI(t, with(demoEnv, "ROBOKASSA_TEST", "1"), "", "link", "-sum", "990", "-inv", "12")
	require.Equal(t, 0, r.code, r.stderr)
	u, err := url.Parse(strings.TrimSpace(r.stdout))
	require.NoError(t, err)
	assert.Equal(t, "1", u.Query().Get("IsTest"))
	assert.Equal(t, md5hex("demo:990.00:12:test_password_1"), u.Query().Get("SignatureValue"), "signed with the test Password #1")

	r = runCLI(t, demoEnv, "", "link", "-sum", "990", "-inv", "12", "-test")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "IsTest=1")

	r = runCLI(t, with(demoEnv, "ROBOKASSA_TEST_PASSWORD1", ""), "", "link", "-sum", "990", "-test")
	assert.Equal(t, 2, r.code)
	assert.Contains(t, r.stderr, "give -test-password1 or set ROBOKASSA_TEST_PASSWORD1")
}

func TestLinkReceipt(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "receipt.json")
	require.NoError(t, os.WriteFile(file, []byte(`{
  "sno": "osn",
  "items": [
    {"name": "Book ~ 1", "quantity": 1, "sum": 490, "tax": "vat22", "payment_method": "full_payment", "payment_object": "commodity"},
    {"name": "Pen", "quantity": 2, "cost": 250.00, "tax": "none", "nomenclature_code": "0104"}
  ]
}`), 0o600))
	// The compact JSON the protocol asks for (§11), written by hand: sum
	// with two decimals, cost instead of sum for the line that gave cost.
	const js = `{"sno":"osn","items":[{"name":"Book ~ 1","quantity":1,"sum":490.00,"tax":"vat22","payment_method":"full_payment","payment_object":"commodity"},` +
		`{"name":"Pen","quantity":2,"cost":250.00,"tax":"none","nomenclature_code":"0104"}]}`
	encoded := phpEncode(js)

	r := runCLI(t, demoEnv, "", "link", "-sum", "990", "-inv", "12", "-receipt", file, "-shp", "order=12")
	require.Equal(t, 0, r.code, r.stderr)
	u, err := url.Parse(strings.TrimSpace(r.stdout))
	require.NoError(t, err)
	q := u.Query()
	assert.Equal(t, encoded, q.Get("Receipt"), "the form carries the JSON URL-encoded once")
	assert.Contains(t, u.RawQuery, "Receipt="+url.QueryEscape(encoded)+"&", "the GET link carries it twice")
	assert.Equal(t, md5hex("demo:990.00:12:"+encoded+":password_1:Shp_order=12"), q.Get("SignatureValue"))

	// The same receipt on standard input.
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	r2 := runCLI(t, demoEnv, string(data), "link", "-sum", "990", "-inv", "12", "-receipt", "-", "-shp", "order=12")
	require.Equal(t, 0, r2.code, r2.stderr)
	assert.Equal(t, r.stdout, r2.stdout)

	for _, tc := range []struct {
		name, json, want string
	}{
		{"unknown field", `{"items":[{"name":"A","quantity":1,"summ":990,"tax":"none"}]}`, `unknown field "summ"`},
		{"not json", `items: A`, "not receipt JSON"},
		{"no quantity", `{"items":[{"name":"A","sum":990,"tax":"none"}]}`, "items[0].quantity: is required"},
		{"no sum nor cost", `{"items":[{"name":"A","quantity":1,"tax":"none"}]}`, "items[0].sum: is required when cost is absent"},
		{"not adding up", `{"items":[{"name":"A","quantity":1,"sum":900,"tax":"none"}]}`, "line totals add up to 900.00, not to OutSum 990.00"},
		{"three decimals", `{"items":[{"name":"A","quantity":1,"sum":989.999,"tax":"none"},{"name":"B","quantity":1,"sum":0.001,"tax":"none"}]}`, "Receipt.Items[0].Sum"},
		{"no tax", `{"items":[{"name":"A","quantity":1,"sum":990}]}`, "Receipt.Items[0].Tax: is required"},
		{"two values", `{"items":[]} {}`, "more than one JSON value"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runCLI(t, demoEnv, tc.json, "link", "-sum", "990", "-receipt", "-")
			assert.Equal(t, 2, r.code)
			assert.Contains(t, r.stderr, tc.want)
			assert.Empty(t, r.stdout)
		})
	}
	r = runCLI(t, demoEnv, "", "link", "-sum", "990", "-receipt", filepath.Join(dir, "missing.json"))
	assert.Equal(t, 2, r.code)
	assert.Contains(t, r.stderr, "-receipt")
}

func TestLinkForm(t *testing.T) {
	// Vector "Shp pairs after the password, sorted by name".
	r := runCLI(t, demoEnv, "", "link", "-sum", "990.00", "-inv", "12", "-shp", "user=alice", "-shp", "Shp_order=12",
		"-desc", `Book "Go" <2nd>`, "-form", "-label", "Pay now")
	require.Equal(t, 0, r.code, r.stderr)
	out := r.stdout
	assert.True(t, strings.HasPrefix(out, `<form action="https://auth.robokassa.ru/Merchant/Index.aspx" method="POST"`), out)
	assert.Contains(t, out, `<input type="hidden" name="SignatureValue" value="75a409f203d1d88060fb8bb81e9cd0a5">`)
	assert.Contains(t, out, `<input type="hidden" name="Shp_order" value="12">`)
	assert.Contains(t, out, `value="Book &#34;Go&#34; &lt;2nd&gt;"`, "values are HTML-escaped")
	assert.Contains(t, out, `<button type="submit">Pay now</button></form>`)
}

func TestLinkModifiersAndOptions(t *testing.T) {
	r := runCLI(t, demoEnv, "", "link", "-sum", "10", "-token", "op-key-1", "-recurring")
	require.Equal(t, 2, r.code, "a saved-card payment cannot start a recurring series: the SDK refuses it")
	assert.Contains(t, r.stderr, "robokassa link: robokassa: invalid Token: cannot be combined with Recurring")

	r = runCLI(t, demoEnv, "", "link", "-sum", "10", "-desc", "Top-up", "-email", "buyer@example.com", "-culture", "en",
		"-encoding", "utf-8", "-payment-method", "BankCard", "-payment-method", "SBP",
		"-expires", "2029-01-16T12:00:00+03:00", "-without-free-sale", "-auth-url", "http://127.0.0.1:9/")
	require.Equal(t, 0, r.code, r.stderr)
	u, err := url.Parse(strings.TrimSpace(r.stdout))
	require.NoError(t, err)
	assert.Equal(t, "http://127.0.0.1:9/Merchant/Index.aspx", u.Scheme+"://"+u.Host+u.Path, "-auth-url points the link elsewhere")
	q := u.Query()
	assert.Equal(t, []string{"BankCard", "SBP"}, q["PaymentMethods"])
	assert.Equal(t, "2029-01-16T12:00:00+03:00", q.Get("ExpirationDate"))
	assert.Equal(t, "true", q.Get("IsWithoutFreeSale"))
	assert.Equal(t, "en", q.Get("Culture"))
	assert.Equal(t, "", q.Get("InvId"))
	// Vector "no InvId keeps an empty slot" (demo:10.00::password_1).
	assert.Equal(t, "fe58bde65a3d09d1d46a425b65f627ad", q.Get("SignatureValue"))

	r = runCLI(t, with(demoEnv, "ROBOKASSA_AUTH_URL", "http://127.0.0.1:9"), "", "link", "-sum", "10", "-recurring")
	require.Equal(t, 0, r.code, r.stderr)
	assert.True(t, strings.HasPrefix(r.stdout, "http://127.0.0.1:9/Merchant/Index.aspx?"), "ROBOKASSA_AUTH_URL too")
	assert.Contains(t, r.stdout, "&Recurring=true")
}

func TestLinkErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"no sum", demoEnv, []string{}, "-sum is required"},
		{"sum not a number", demoEnv, []string{"-sum", "ten"}, `-sum: "ten" is not a number`},
		{"three decimals", demoEnv, []string{"-sum", "1.005"}, "invalid OutSum"},
		{"zero", demoEnv, []string{"-sum", "0"}, "invalid OutSum"},
		{"no login", with(demoEnv, "ROBOKASSA_LOGIN", ""), []string{"-sum", "1"}, "give -login or set ROBOKASSA_LOGIN"},
		{"login with a space", with(demoEnv, "ROBOKASSA_LOGIN", "demo "), []string{"-sum", "1"}, "invalid Config.MerchantLogin: must not have surrounding spaces"},
		{"no password", with(demoEnv, "ROBOKASSA_PASSWORD1", ""), []string{"-sum", "1"}, "give -password1 or set ROBOKASSA_PASSWORD1"},
		{"bad algorithm", with(demoEnv, "ROBOKASSA_ALGORITHM", "SHA3"), []string{"-sum", "1"}, `"SHA3" is not one of MD5`},
		{"bad test switch", with(demoEnv, "ROBOKASSA_TEST", "yes"), []string{"-sum", "1"}, "ROBOKASSA_TEST: must be 1, 0, true or false"},
		{"bad auth url", demoEnv, []string{"-sum", "1", "-auth-url", "auth.robokassa.ru"}, "-auth-url (or ROBOKASSA_AUTH_URL): must be an absolute"},
		{"bad shp flag", demoEnv, []string{"-sum", "1", "-shp", "order"}, "want name=value"},
		{"bad shp name", demoEnv, []string{"-sum", "1", "-shp", "or-der=1"}, `invalid Shp["or-der"]`},
		{"shp twice", demoEnv, []string{"-sum", "1", "-shp", "a=1", "-shp", "Shp_a=2"}, "parameter Shp_a given twice"},
		{"long description", demoEnv, []string{"-sum", "1", "-desc", strings.Repeat("я", 101)}, "invalid Description: must be at most 100 characters"},
		{"bad expiry", demoEnv, []string{"-sum", "1", "-expires", "tomorrow"}, "-expires: want RFC 3339"},
		{"form with token", demoEnv, []string{"-sum", "1", "-token", "k", "-form"}, "-form posts to Index.aspx"},
		{"argument", demoEnv, []string{"-sum", "1", "extra"}, `unexpected argument "extra"`},
		{"equal passwords", with(demoEnv, "ROBOKASSA_TEST_PASSWORD1", "password_1"), []string{"-sum", "1", "-test"}, "invalid Config.TestPassword1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runCLI(t, tc.env, "", append([]string{"link"}, tc.args...)...)
			assert.Equal(t, 2, r.code)
			assert.Contains(t, r.stderr, tc.want)
			assert.Empty(t, r.stdout)
		})
	}
}

func TestFlagsWinOverEnvironment(t *testing.T) {
	r := runCLI(t, with(demoEnv, "ROBOKASSA_LOGIN", "other", "ROBOKASSA_PASSWORD1", "wrong", "ROBOKASSA_ALGORITHM", "SHA512"), "",
		"link", "-login", "demo", "-password1", "password_1", "-algorithm", "md5", "-sum", "990.00", "-inv", "12")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "SignatureValue=6c9d6eb96b82e643b343c26a85349a37") // vector "basic MD5"

	r = runCLI(t, with(demoEnv, "ROBOKASSA_TEST", "1"), "", "link", "-test=false", "-sum", "990.00", "-inv", "12")
	require.Equal(t, 0, r.code, r.stderr)
	assert.NotContains(t, r.stdout, "IsTest")
}
