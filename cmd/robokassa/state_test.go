package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// webService is an httptest stand-in for Robokassa's Service.asmx: it
// answers OpStateExt with a recorded response (testdata/opstate, copied
// from the SDK's fixtures) when the request carries the signature the
// protocol documents.
func webService(t *testing.T, signature, fixture string) (url string, calls *int) {
	body, err := os.ReadFile("testdata/opstate/" + fixture)
	require.NoError(t, err)
	var mu sync.Mutex
	n := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		n++
		mu.Unlock()
		assert.Equal(t, "/Merchant/WebService/Service.asmx/OpStateExt", r.URL.Path)
		require.NoError(t, r.ParseForm())
		assert.Equal(t, "demo", r.PostForm.Get("MerchantLogin"))
		assert.Equal(t, "12", r.PostForm.Get("InvoiceID"))
		if !strings.EqualFold(r.PostForm.Get("Signature"), signature) {
			w.Write([]byte(`<?xml version="1.0"?><OperationStateResponse><Result><Code>1</Code><Description>bad signature</Description></Result></OperationStateResponse>`))
			return
		}
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
		w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, &n
}

func TestState(t *testing.T) {
	// OpStateExt vector md5_basic: demo:12:password_2.
	url, _ := webService(t, "700a3ea3d41e9811ded6225ae651150a", "paid_ns.xml")
	r := runCLI(t, with(demoEnv, "ROBOKASSA_PASSWORD1", ""), "", "state", "-auth-url", url, "12")
	require.Equal(t, 0, r.code, r.stdout+r.stderr)
	rows := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		name, value, _ := strings.Cut(l, "  ")
		rows[strings.TrimSpace(name)] = strings.TrimSpace(value)
	}
	assert.Equal(t, map[string]string{
		"InvId":     "12",
		"state":     "100 paid (final)",
		"since":     "2019-11-13 10:20:54 +03:00",
		"asked at":  "2019-11-13 10:21:22 +03:00",
		"paid":      "990.00 BankCardPSR",
		"credited":  "965.25 BNR",
		"method":    "BankCard (Банковской картой)",
		"account":   "123456******0987",
		"OpKey":     "1F2E3D4C-0000-4A5B-9C8D-0123456789AB-1573629654",
		"RRN":       "931712345678",
		"Shp_order": "12",
		"Shp_user":  "alice & bob",
	}, rows)
}

func TestStateHeldWithSHA256(t *testing.T) {
	// OpStateExt vector sha256_basic.
	url, _ := webService(t, "24132e7013b296a4e3b9b2e71b5aeb5b0bbf8f41e29be5f7a2100e55a9699046", "state_20.xml")
	r := runCLI(t, with(demoEnv, "ROBOKASSA_AUTH_URL", url, "ROBOKASSA_ALGORITHM", "SHA256"), "", "state", "-inv", "12")
	require.Equal(t, 0, r.code, r.stdout+r.stderr)
	assert.Regexp(t, `(?m)^state\s+20 held$`, r.stdout)
	assert.Regexp(t, `(?m)^asked at\s+2024-03-15 14:30:12 \+03:00$`, r.stdout)
	assert.NotContains(t, r.stdout, "Shp_")
}

func TestStateNotFoundAndErrors(t *testing.T) {
	url, _ := webService(t, "700a3ea3d41e9811ded6225ae651150a", "result_3.xml")
	r := runCLI(t, demoEnv, "", "state", "-auth-url", url, "12")
	assert.Equal(t, 1, r.code)
	assert.Contains(t, r.stdout, "InvId 12: not found (robokassa: OpStateExt: http 200: code 3:")
	assert.Contains(t, r.stdout, "until the buyer submits payment details")

	url, calls := webService(t, "not the signature", "paid_ns.xml")
	r = runCLI(t, demoEnv, "", "state", "-auth-url", url, "12")
	assert.Equal(t, 1, r.code)
	assert.Contains(t, r.stdout, "code 1")
	assert.Equal(t, 1, *calls)

	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close()
	r = runCLI(t, demoEnv, "", "state", "-auth-url", srv.URL, "-timeout", "2s", "12")
	assert.Equal(t, 1, r.code)
	assert.Contains(t, r.stdout, "InvId 12: robokassa: OpStateExt")

	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"no InvId", demoEnv, nil, "an InvId greater than zero is required"},
		{"not a number", demoEnv, []string{"twelve"}, `INVID: "twelve" is not a number`},
		{"twice", demoEnv, []string{"-inv", "12", "12"}, "give the InvId once"},
		{"two", demoEnv, []string{"12", "13"}, "want one INVID, got 2 arguments"},
		{"no password #2", with(demoEnv, "ROBOKASSA_PASSWORD2", ""), []string{"12"}, "give -password2 or set ROBOKASSA_PASSWORD2"},
		{"no login", with(demoEnv, "ROBOKASSA_LOGIN", ""), []string{"12"}, "give -login or set ROBOKASSA_LOGIN"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runCLI(t, tc.env, "", append([]string{"state"}, tc.args...)...)
			assert.Equal(t, 2, r.code, r.stdout)
			assert.Contains(t, r.stderr, tc.want)
		})
	}
}
