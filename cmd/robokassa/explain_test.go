package main

import (
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"hash"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/robokassa-go/robokassa"
	"github.com/robokassa-go/robokassa/robokassatest"
	//lint:ignore SA1019 Robokassa offers RIPEMD160; the test hashes it as a shop would.
	"golang.org/x/crypto/ripemd160"
)

// hexHash hashes base with the named algorithm, from the standard library
// (and x/crypto for RIPEMD160), as a shop's code would.
func hexHash(alg, base string) string {
	h := map[string]func() hash.Hash{
		"RIPEMD160": ripemd160.New, "SHA1": sha1.New, "SHA256": sha256.New,
		"SHA384": sha512.New384, "SHA512": sha512.New,
	}[alg]
	if h == nil {
		return md5hex(base)
	}
	d := h()
	d.Write([]byte(base))
	return hex.EncodeToString(d.Sum(nil))
}

// receiptJSON is a receipt as a shop sends it; receiptEnc the JSON
// URL-encoded once, the value the form must carry and the signature use.
const receiptJSON = `{"sno":"osn","items":[{"name":"Book","quantity":1,"sum":990.00,"tax":"none"}]}`

var receiptEnc = url.QueryEscape(receiptJSON)

// mistake is a payment link with a known mistake: its fields as
// Robokassa receives them (after one decoding), in link order, and the
// base string the shop signed by mistake, written out by hand.
type mistake struct {
	name   string
	fields [][2]string
	signed string // with the password in place
	alg    string // "" = MD5
	args   []string
	env    map[string]string
	cause  string
	also   string
	detail string // a phrase the explanation must contain
}

// link builds the mistaken link's query string: the fields in order,
// encoded once more as a GET link carries them, and the SignatureValue
// hashed here from the hand-written base.
func (m mistake) link() string {
	var parts []string
	for _, f := range m.fields {
		parts = append(parts, url.QueryEscape(f[0])+"="+url.QueryEscape(f[1]))
	}
	return strings.Join(append(parts, "SignatureValue="+hexHash(m.alg, m.signed)), "&")
}

func fields(kv ...string) [][2]string {
	var out [][2]string
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, [2]string{kv[i], kv[i+1]})
	}
	return out
}

func TestExplainCauses(t *testing.T) {
	head := fields("MerchantLogin", "demo", "OutSum", "990.00", "InvId", "12")
	plus := func(more ...string) [][2]string { return append(append([][2]string{}, head...), fields(more...)...) }
	for _, m := range []mistake{
		{name: "ok", fields: plus("Shp_order", "12"), signed: "demo:990.00:12:password_1:Shp_order=12", cause: "ok", detail: "The signature is right"},
		{name: "ok in test mode", fields: plus("IsTest", "1"), signed: "demo:990.00:12:test_password_1", cause: "ok"},
		{name: "IsTest=true is test mode too", fields: plus("IsTest", "true"), signed: "demo:990.00:12:test_password_1", cause: "ok"},
		{name: "receipt signed raw", fields: plus("Receipt", receiptEnc), signed: "demo:990.00:12:" + receiptJSON + ":password_1",
			cause: "receipt-not-encoded", detail: "The Receipt was signed as raw JSON; the form carries it URL-encoded once"},
		{name: "receipt sent raw", fields: plus("Receipt", receiptJSON), signed: "demo:990.00:12:" + receiptEnc + ":password_1",
			cause: "receipt-not-encoded", detail: "signed URL-encoded once; the form carries it as raw JSON"},
		{name: "receipt signed twice encoded", fields: plus("Receipt", receiptEnc), signed: "demo:990.00:12:" + url.QueryEscape(receiptEnc) + ":password_1",
			cause: "receipt-double-encoded", detail: "signed URL-encoded twice; the form carries it URL-encoded once"},
		{name: "receipt sent twice encoded", fields: plus("Receipt", url.QueryEscape(receiptEnc)), signed: "demo:990.00:12:" + receiptEnc + ":password_1",
			cause: "receipt-double-encoded", detail: "the form carries it URL-encoded twice"},
		{name: "test password without IsTest", fields: head, signed: "demo:990.00:12:test_password_1", cause: "test-password", detail: "sent without IsTest=1"},
		{name: "live password with IsTest", fields: plus("IsTest", "1"), signed: "demo:990.00:12:password_1", cause: "live-password", detail: "signed with the production Password #1"},
		{name: "SHA256 for an MD5 shop", fields: head, signed: "demo:990.00:12:password_1", alg: "SHA256", cause: "algorithm=SHA256", detail: "It was signed with SHA256; the shop's setting"},
		{name: "MD5 for a SHA512 shop", fields: head, signed: "demo:990.00:12:password_1", args: []string{"-algorithm", "SHA512"}, cause: "algorithm=MD5"},
		{name: "SHA1 for a RIPEMD160 shop", fields: head, signed: "demo:990.00:12:password_1", alg: "SHA1", args: []string{"-algorithm", "ripemd160"}, cause: "algorithm=SHA1"},
		{name: "RIPEMD160 for a SHA1 shop", fields: head, signed: "demo:990.00:12:password_1", alg: "RIPEMD160", args: []string{"-algorithm", "SHA1"}, cause: "algorithm=RIPEMD160"},
		{name: "SHA384 for an MD5 shop", fields: head, signed: "demo:990.00:12:password_1", alg: "SHA384", cause: "algorithm=SHA384"},
		{name: "Shp in link order", fields: plus("Shp_user", "alice", "Shp_order", "12"), signed: "demo:990.00:12:password_1:Shp_user=alice:Shp_order=12",
			cause: "shp-order", detail: "signed in the order Shp_user, Shp_order (the link's order); Robokassa sorts them by name: Shp_order, Shp_user"},
		{name: "Shp by name=value", fields: plus("Shp_item", "a", "Shp_item2", "b"), signed: "demo:990.00:12:password_1:Shp_item2=b:Shp_item=a",
			cause: "shp-order", detail: "(sorted by name=value)"},
		{name: "Shp in any order", fields: plus("Shp_c", "3", "Shp_a", "1", "Shp_b", "2"), signed: "demo:990.00:12:password_1:Shp_b=2:Shp_c=3:Shp_a=1",
			cause: "shp-order", detail: "Shp_b, Shp_c, Shp_a"},
		{name: "Shp before the password", fields: plus("Shp_order", "12"), signed: "demo:990.00:12:Shp_order=12:password_1",
			cause: "shp-order", detail: "signed before the password"},
		{name: "Shp sent, none signed", fields: plus("Shp_order", "12", "Shp_user", "alice"), signed: "demo:990.00:12:password_1",
			cause: "shp-missing", detail: "Shp_order, Shp_user were sent but not signed"},
		{name: "one Shp not signed", fields: plus("Shp_order", "12", "Shp_user", "alice"), signed: "demo:990.00:12:password_1:Shp_order=12",
			cause: "shp-missing", detail: "Shp_user was sent but not signed"},
		{name: "Shp signed, not sent", fields: plus("Shp_order", "12"), signed: "demo:990.00:12:password_1:Shp_coupon=SPRING+25:Shp_order=12",
			args: []string{"-shp", "coupon=SPRING 25", "-shp", "order=12"}, cause: "shp-unsent", detail: "Shp_coupon=SPRING+25 is signed but not sent"},
		{name: "Shp signed raw, not sent", fields: head, signed: "demo:990.00:12:password_1:Shp_coupon=SPRING 25",
			args: []string{"-shp", "Shp_coupon=SPRING 25"}, cause: "shp-unsent", detail: "Shp_coupon=SPRING 25 is signed but not sent"},
		{name: "OutSum without decimals", fields: head, signed: "demo:990:12:password_1", cause: "outsum-format", detail: `OutSum was signed as "990" but sent as "990.00"`},
		{name: "OutSum with a comma", fields: head, signed: "demo:990,00:12:password_1", cause: "outsum-format", detail: `signed as "990,00"`},
		{name: "OutSum with decimals", fields: fields("MerchantLogin", "demo", "OutSum", "990", "InvId", "12"), signed: "demo:990.00:12:password_1", cause: "outsum-format"},
		{name: "InvId absent, signed 0", fields: fields("MerchantLogin", "demo", "OutSum", "990.00"), signed: "demo:990.00:0:password_1", cause: "invid-slot", detail: "signed as 0"},
		{name: "InvId 0, signed empty", fields: fields("MerchantLogin", "demo", "OutSum", "990.00", "InvId", "0"), signed: "demo:990.00::password_1", cause: "invid-slot", detail: "signed empty"},
		{name: "InvId slot left out", fields: fields("MerchantLogin", "demo", "OutSum", "990.00"), signed: "demo:990.00:password_1", cause: "invid-slot", detail: "left out"},
		{name: "modifiers in link order", fields: plus("SuccessUrl2", "https://shop.example/ok", "SuccessUrl2Method", "GET", "Receipt", receiptEnc),
			signed: "demo:990.00:12:https://shop.example/ok:GET:" + receiptEnc + ":password_1",
			cause:  "modifier-order", detail: "SuccessUrl2, SuccessUrl2Method, Receipt (the link's order); Robokassa's order is Receipt, SuccessUrl2, SuccessUrl2Method"},
		{name: "method before URL", fields: plus("FailUrl2", "https://shop.example/fail", "FailUrl2Method", "POST"),
			signed: "demo:990.00:12:POST:https://shop.example/fail:password_1", cause: "modifier-order"},
		{name: "modifier after the password", fields: plus("StepByStep", "true", "Shp_order", "12"), signed: "demo:990.00:12:password_1:true:Shp_order=12",
			cause: "modifier-order", detail: "(StepByStep) were signed after the password"},
		{name: "modifier after the Shp pairs", fields: plus("Token", "op-key-1", "Shp_order", "12"), signed: "demo:990.00:12:password_1:Shp_order=12:op-key-1",
			cause: "modifier-order", detail: "after the Shp pairs"},
		{name: "SuccessUrl2 signed encoded", fields: plus("SuccessUrl2", "https://shop.example/ok?a=1", "SuccessUrl2Method", "GET"),
			signed: "demo:990.00:12:" + url.QueryEscape("https://shop.example/ok?a=1") + ":GET:password_1",
			cause:  "redirect-encoded", detail: "SuccessUrl2 was signed URL-encoded; Robokassa signs it raw"},
		{name: "all redirects signed encoded", fields: plus("ResultUrl2", "https://shop.example/r2", "FailUrl2", "https://shop.example/fail", "FailUrl2Method", "GET"),
			signed: "demo:990.00:12:" + url.QueryEscape("https://shop.example/r2") + ":" + url.QueryEscape("https://shop.example/fail") + ":GET:password_1",
			cause:  "redirect-encoded", detail: "ResultUrl2, FailUrl2 were signed URL-encoded"},
		{name: "wrong password", fields: head, signed: "demo:990.00:12:password_one", cause: "wrong-password", detail: "No known mistake reproduces the SignatureValue"},
		{name: "wrong login, signed for the shop", fields: fields("MerchantLogin", "dem0", "OutSum", "990.00", "InvId", "12"), signed: "demo:990.00:12:password_1",
			cause: "wrong-login", detail: `The link names the shop "dem0"; the credentials given are for "demo"`},
		{name: "wrong login, signed for the other", fields: fields("MerchantLogin", "other", "OutSum", "990.00", "InvId", "12"), signed: "other:990.00:12:password_1",
			cause: "wrong-login", detail: `It is signed for "other" with these passwords`},
		{name: "two mistakes", fields: plus("IsTest", "1", "Shp_user", "alice", "Shp_order", "12"), signed: "demo:990.00:12:password_1:Shp_user=alice:Shp_order=12",
			cause: "live-password", also: "shp-order"},
		{name: "algorithm and order", fields: plus("Shp_user", "alice", "Shp_order", "12"), signed: "demo:990.00:12:password_1:Shp_user=alice:Shp_order=12",
			alg: "SHA256", cause: "algorithm=SHA256", also: "shp-order"},
	} {
		t.Run(m.name, func(t *testing.T) {
			env := demoEnv
			if m.env != nil {
				env = m.env
			}
			r := runCLI(t, env, "", append(append([]string{"explain"}, m.args...), m.link())...)
			assert.Contains(t, r.stdout, "\ncause: "+m.cause+"\n", r.stdout+r.stderr)
			if m.also != "" {
				assert.Contains(t, r.stdout, "\nalso: "+m.also+"\n")
			} else {
				assert.NotContains(t, r.stdout, "\nalso: ")
			}
			assert.Contains(t, r.stdout, m.detail)
			want := 1
			if m.cause == "ok" {
				want = 0
			}
			assert.Equal(t, want, r.code)
			assert.Empty(t, r.stderr)
			if m.cause != "ok" && m.cause != "wrong-password" {
				// What the link was signed over, password masked.
				for _, pw := range []string{"test_password_1", "password_1"} {
					m.signed = strings.Replace(m.signed, pw, "[password]", 1)
				}
				assert.Contains(t, r.stdout, "\nsigned:    "+m.signed+"\n")
			}
			assert.NotContains(t, r.stdout, "password_1")

			// The premise, checked against the emulator's payment page:
			// every mistake is refused, the right link is not.
			page := emulatorPage(t, m)
			switch m.cause {
			case "ok":
				assert.Contains(t, page, `id="pay"`, "the emulator shows the payment page")
			case "wrong-login":
				assert.Contains(t, page, `id="error"`, "the emulator refuses the link")
			default:
				assert.Contains(t, page, `<h1 class="error" id="error">error 29</h1>`, "the emulator answers error 29")
			}
		})
	}
}

// emulatorPage opens the mistake's link on a robokassatest.Server whose
// shop has the test's credentials and algorithm, and returns the page.
func emulatorPage(t *testing.T, m mistake) string {
	t.Helper()
	alg := robokassa.MD5
	for i, a := range m.args {
		if a == "-algorithm" {
			alg = robokassa.HashAlgorithm(strings.ToUpper(m.args[i+1]))
		}
	}
	srv := robokassatest.NewServer(robokassatest.Shop{
		MerchantLogin: "demo", Password1: "password_1", Password2: "password_2",
		TestPassword1: "test_password_1", TestPassword2: "test_password_2", Algorithm: alg,
	})
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/Merchant/Index.aspx?" + m.link())
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return string(body)
}

func TestExplainExpectedBase(t *testing.T) {
	// Every payment vector: the link signed as the vector says is ok, and
	// explain prints the vector's base with the password masked.
	for _, v := range loadVectors[signatureVector](t, "signatures.json") {
		t.Run(v.Name, func(t *testing.T) {
			in := v.Inputs
			q := url.Values{"MerchantLogin": {in.MerchantLogin}, "OutSum": {in.OutSum}, "SignatureValue": {v.Signature}}
			if in.InvID != "" {
				q.Set("InvId", in.InvID)
			}
			for k, val := range in.Shp {
				q.Set(k, phpEncode(val))
			}
			if in.ReceiptJSON != "" {
				q.Set("Receipt", phpEncode(in.ReceiptJSON))
			}
			if in.StepByStep {
				q.Set("StepByStep", "true")
			}
			for k, val := range map[string]string{
				"ResultUrl2": in.ResultURL2, "Token": in.Token, "OutSumCurrency": in.OutSumCurrency, "UserIp": in.UserIP,
				"SuccessUrl2": in.SuccessURL2, "SuccessUrl2Method": in.SuccessURL2Method,
				"FailUrl2": in.FailURL2, "FailUrl2Method": in.FailURL2Method,
			} {
				if val != "" {
					q.Set(k, val)
				}
			}
			env := map[string]string{"ROBOKASSA_PASSWORD1": in.Password, "ROBOKASSA_ALGORITHM": v.Algorithm}
			// As a whole URL, as a POST body on standard input.
			for _, r := range []result{
				runCLI(t, env, "", "explain", "https://auth.robokassa.ru/Merchant/Index.aspx?"+q.Encode()),
				runCLI(t, env, q.Encode(), "explain"),
			} {
				require.Equal(t, 0, r.code, r.stdout+r.stderr)
				assert.Contains(t, r.stdout, "\ncause: ok\n")
				masked := strings.Replace(v.Base, in.Password, "[password]", 1)
				assert.Contains(t, r.stdout, "\nexpected:  "+masked+"\n")
				assert.Contains(t, r.stdout, v.Signature+" sent, "+v.Algorithm+" "+v.Signature+" expected")
			}
		})
	}
}

func TestExplainNotes(t *testing.T) {
	m := mistake{fields: fields("MerchantLogin", "demo", "OutSum", "1.00", "Receipt", receiptJSON, "IsTest", "yes",
		"SuccessUrl2", url.QueryEscape("https://shop.example/ok"), "SuccessUrl2Method", "GET")}
	m.signed = "demo:1.00::" + receiptJSON + ":" + url.QueryEscape("https://shop.example/ok") + ":GET:password_1"
	r := runCLI(t, demoEnv, "", "explain", m.link())
	assert.Equal(t, 0, r.code, r.stdout+r.stderr)
	assert.Contains(t, r.stdout, "note: the Receipt arrives as raw JSON")
	assert.Contains(t, r.stdout, "note: SuccessUrl2 does not arrive as an absolute URL")
	assert.Contains(t, r.stdout, `note: IsTest="yes" is neither 1 nor 0`)
}

func TestExplainUsageErrors(t *testing.T) {
	head := "MerchantLogin=demo&OutSum=1.00&InvId=1"
	for _, tc := range []struct {
		name string
		env  map[string]string
		in   string
		want string
	}{
		{"no passwords", map[string]string{"ROBOKASSA_LOGIN": "demo"}, head + "&SignatureValue=00", "give -password1 or set ROBOKASSA_PASSWORD1"},
		{"no signature", demoEnv, head, "the payment link has no SignatureValue"},
		{"no login", demoEnv, "OutSum=1.00&SignatureValue=00", "the payment link has no MerchantLogin"},
		{"empty", demoEnv, "", "the payment link is empty"},
		// A test link, only the production password given, and no
		// mistake with it: the test password is needed to say more.
		{"test link without test password", with(demoEnv, "ROBOKASSA_TEST_PASSWORD1", ""), head + "&IsTest=1&SignatureValue=" + md5hex("x"), "explain needs the test Password #1: give -test-password1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runCLI(t, tc.env, tc.in, "explain")
			assert.Equal(t, 2, r.code, r.stdout)
			assert.Contains(t, r.stderr, tc.want)
		})
	}
	// With only the production password, a test link signed with it is
	// still diagnosed.
	r := runCLI(t, with(demoEnv, "ROBOKASSA_TEST_PASSWORD1", ""), head+"&IsTest=1&SignatureValue="+md5hex("demo:1.00:1:password_1"), "explain")
	assert.Equal(t, 1, r.code)
	assert.Contains(t, r.stdout, "\ncause: live-password\n")
	assert.Contains(t, r.stdout, "(cannot compute: no test Password #1 given)")
}

func TestExplainWithoutLoginSkipsTheLoginCheck(t *testing.T) {
	m := mistake{fields: fields("MerchantLogin", "other", "OutSum", "1.00"), signed: "other:1.00::password_1"}
	r := runCLI(t, with(demoEnv, "ROBOKASSA_LOGIN", ""), "", "explain", m.link())
	assert.Equal(t, 0, r.code, r.stdout)
	assert.Contains(t, r.stdout, "\ncause: ok\n")
}
