package robokassa

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func callbackClient(t *testing.T, v callbackVector) *Client {
	cfg := Config{MerchantLogin: "demo", Algorithm: v.Algorithm, Password1: Secret(v.Password), Password2: Secret(v.Password)}
	if strings.Contains(v.Body, "IsTest=1") {
		// The production pair differs: only the test pair may verify it.
		cfg.Test, cfg.TestPassword1, cfg.TestPassword2 = true, Secret(v.Password), Secret(v.Password)
		cfg.Password1, cfg.Password2 = "production-1", "production-2"
	}
	c, err := NewClient(cfg)
	require.NoError(t, err)
	return c
}

func TestCallbackVectors(t *testing.T) {
	shared := loadCallbackVectors(t)
	_, core := loadCoreVectors(t)
	for _, v := range append(shared, core...) {
		t.Run(v.Name, func(t *testing.T) {
			form, err := url.ParseQuery(v.Body)
			require.NoError(t, err)
			c := callbackClient(t, v)
			verify := c.VerifyResult
			if v.Kind == "success" {
				verify = c.VerifySuccess
			}
			n, err := verify(form)
			if v.Expect == "ok" {
				require.NoError(t, err)
				assert.Equal(t, form.Get("InvId"), itoa(n.InvID))
				assert.True(t, n.OutSum.Equal(dec(form.Get("OutSum"))))
				return
			}
			assert.Nil(t, n)
			want := map[string]error{"bad_signature": ErrBadSignature, "missing_param": ErrMissingParam, "": ErrBadSignature}
			expect := ""
			if v.ExpectError != nil {
				expect = *v.ExpectError
			}
			assert.ErrorIs(t, err, want[expect])
		})
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func resultClient(t *testing.T) *Client {
	c, err := NewClient(Config{MerchantLogin: "demo", Password1: "password_1", Password2: "password_2"})
	require.NoError(t, err)
	return c
}

// goodResult is the first shared callback vector, known to verify.
const goodResult = "OutSum=990.000000&InvId=12&Fee=0.000000&EMail=buyer%40example.com&PaymentMethod=BankCard&IncCurrLabel=BankCardPSR&SignatureValue=56471DF356C976AB61F7BBB13FEC0D24&Shp_order=12&Shp_user=alice"

func mustForm(t *testing.T, s string) url.Values {
	v, err := url.ParseQuery(s)
	require.NoError(t, err)
	return v
}

func TestVerifyResultFields(t *testing.T) {
	n, err := resultClient(t).VerifyResult(mustForm(t, goodResult))
	require.NoError(t, err)
	assert.Equal(t, int64(12), n.InvID)
	assert.True(t, n.OutSum.Equal(dec("990")))
	assert.True(t, n.Fee.IsZero())
	assert.Equal(t, "buyer@example.com", n.Email)
	assert.Equal(t, "BankCard", n.PaymentMethod)
	assert.Equal(t, "BankCardPSR", n.IncCurrLabel)
	assert.False(t, n.IsTest)
	assert.Equal(t, map[string]string{"order": "12", "user": "alice"}, n.Shp)
}

func TestVerifyResultShpDecoded(t *testing.T) {
	_, core := loadCoreVectors(t)
	for _, v := range core {
		if v.Name != "encoded Shp value comes back decoded" {
			continue
		}
		n, err := callbackClient(t, v).VerifyResult(mustForm(t, v.Body))
		require.NoError(t, err)
		assert.Equal(t, map[string]string{"order": "abc 1", "t": "~tilde~"}, n.Shp)
		return
	}
	t.Fatal("vector not found")
}

func TestVerifyResultRejects(t *testing.T) {
	c := resultClient(t)
	cases := []struct {
		name string
		edit func(url.Values)
		want error
	}{
		{"duplicate OutSum", func(v url.Values) { v["OutSum"] = append(v["OutSum"], "1.000000") }, ErrDuplicateParam},
		{"duplicate signature", func(v url.Values) { v["SignatureValue"] = append(v["SignatureValue"], "x") }, ErrDuplicateParam},
		{"duplicate Shp", func(v url.Values) { v["Shp_order"] = append(v["Shp_order"], "13") }, ErrDuplicateParam},
		{"duplicate unknown", func(v url.Values) { v["Foo"] = []string{"a", "b"} }, ErrDuplicateParam},
		{"missing OutSum", func(v url.Values) { v.Del("OutSum") }, ErrMissingParam},
		{"missing InvId", func(v url.Values) { v.Del("InvId") }, ErrMissingParam},
		{"empty signature", func(v url.Values) { v.Set("SignatureValue", "") }, ErrMissingParam},
		{"reformatted OutSum", func(v url.Values) { v.Set("OutSum", "990.00") }, ErrBadSignature},
		{"other InvId", func(v url.Values) { v.Set("InvId", "13") }, ErrBadSignature},
		{"Shp added", func(v url.Values) { v.Set("Shp_extra", "1") }, ErrBadSignature},
		{"Shp removed", func(v url.Values) { v.Del("Shp_user") }, ErrBadSignature},
		{"Shp changed", func(v url.Values) { v.Set("Shp_user", "bob") }, ErrBadSignature},
		{"truncated signature", func(v url.Values) { v.Set("SignatureValue", v.Get("SignatureValue")[:31]) }, ErrBadSignature},
		{"test notification in production", func(v url.Values) { v.Set("IsTest", "1") }, ErrTestNotification},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := mustForm(t, goodResult)
			tc.edit(v)
			n, err := c.VerifyResult(v)
			assert.Nil(t, n)
			require.ErrorIs(t, err, tc.want)
			assert.True(t, strings.HasPrefix(err.Error(), "robokassa: "))
			assert.NotContains(t, err.Error(), "password_2")
			assert.NotContains(t, err.Error(), "990.000000:12", "never a base string")
		})
	}
}

func TestVerifyResultBadSignatureSaysNothing(t *testing.T) {
	c := resultClient(t)
	v := mustForm(t, goodResult)
	v.Set("OutSum", "1.000000")
	_, err1 := c.VerifyResult(v)
	v = mustForm(t, goodResult)
	v.Set("Shp_user", "bob")
	_, err2 := c.VerifyResult(v)
	require.Error(t, err1)
	assert.Equal(t, err1.Error(), err2.Error(), "a mismatch never says which part")
}

func TestVerifyResultNeedsPassword2(t *testing.T) {
	c, err := NewClient(Config{MerchantLogin: "demo", Password1: "p1"})
	require.NoError(t, err)
	_, err = c.VerifyResult(mustForm(t, goodResult))
	assert.ErrorIs(t, err, ErrNoPassword2)
}

func TestVerifySuccessUsesPassword1(t *testing.T) {
	c := resultClient(t)
	// The ResultURL form is signed with Password #2, so SuccessURL's
	// Password #1 check must refuse it.
	_, err := c.VerifySuccess(mustForm(t, goodResult))
	assert.ErrorIs(t, err, ErrBadSignature)
}

func TestParseFail(t *testing.T) {
	n, err := ParseFail(mustForm(t, "OutSum=10.00&InvId=7&Culture=ru&Shp_order=a+b"))
	require.NoError(t, err)
	assert.Equal(t, int64(7), n.InvID)
	assert.True(t, n.OutSum.Equal(dec("10")))
	assert.Equal(t, "ru", n.Culture)
	assert.Equal(t, map[string]string{"order": "a b"}, n.Shp)

	_, err = ParseFail(mustForm(t, "OutSum=10.00"))
	assert.ErrorIs(t, err, ErrMissingParam)
	_, err = ParseFail(mustForm(t, "InvId=7&InvId=8"))
	assert.ErrorIs(t, err, ErrDuplicateParam)
	_, err = ParseFail(mustForm(t, "InvId=x"))
	assert.ErrorIs(t, err, ErrInvalidParam)
	_, err = ParseFail(mustForm(t, "InvId=1&OutSum=1e3"))
	assert.ErrorIs(t, err, ErrInvalidParam)
}

func TestParseAmount(t *testing.T) {
	for _, s := range []string{"0", "990.000000", "1.5", "123456789012345678901234567890.123456"} {
		d, err := parseAmount(s)
		require.NoError(t, err, s)
		assert.True(t, d.Equal(dec(s)), s)
	}
	for _, s := range []string{"", ".", "1.", ".5", "-1", "+1", "1e3", "1,5", " 1", "1..2", "NaN"} {
		_, err := parseAmount(s)
		assert.Error(t, err, "%q", s)
	}
}

func TestResultHandler(t *testing.T) {
	c := resultClient(t)
	var calls int
	var got *Notification
	fail := false
	h, err := c.ResultHandler(func(ctx context.Context, n *Notification) error {
		calls++
		got = n
		if fail {
			return errors.New("db down: secret detail")
		}
		return nil
	})
	require.NoError(t, err)
	do := func(r *http.Request) (*http.Response, string) {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		res := w.Result()
		b, _ := io.ReadAll(res.Body)
		return res, string(b)
	}
	post := func(body string) *http.Request {
		r := httptest.NewRequest(http.MethodPost, "/robokassa/result", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return r
	}

	t.Run("POST ok", func(t *testing.T) {
		calls = 0
		res, body := do(post(goodResult))
		assert.Equal(t, http.StatusOK, res.StatusCode)
		assert.Equal(t, "OK12", body)
		assert.Equal(t, 1, calls)
		assert.Equal(t, int64(12), got.InvID)
	})
	t.Run("GET ok", func(t *testing.T) {
		calls = 0
		res, body := do(httptest.NewRequest(http.MethodGet, "/robokassa/result?"+goodResult, nil))
		assert.Equal(t, http.StatusOK, res.StatusCode)
		assert.Equal(t, "OK12", body)
		assert.Equal(t, 1, calls)
	})
	t.Run("handler error is 500 and not acknowledged", func(t *testing.T) {
		fail, calls = true, 0
		defer func() { fail = false }()
		res, body := do(post(goodResult))
		assert.Equal(t, http.StatusInternalServerError, res.StatusCode)
		assert.NotContains(t, body, "OK")
		assert.NotContains(t, body, "secret")
		assert.Equal(t, 1, calls)
	})
	t.Run("forged is 400, fn not called, nothing echoed", func(t *testing.T) {
		calls = 0
		forged := strings.Replace(goodResult, "OutSum=990.000000", "OutSum=1.000000", 1) + "&Shp_evil=%3Cscript%3E"
		res, body := do(post(forged))
		assert.Equal(t, http.StatusBadRequest, res.StatusCode)
		assert.Equal(t, 0, calls)
		assert.NotContains(t, body, "script")
		assert.NotContains(t, body, "1.000000")
	})
	t.Run("duplicate across query and body is 400", func(t *testing.T) {
		calls = 0
		r := post(goodResult)
		r.URL.RawQuery = "OutSum=1.000000"
		res, _ := do(r)
		assert.Equal(t, http.StatusBadRequest, res.StatusCode)
		assert.Equal(t, 0, calls)
	})
	t.Run("method not allowed", func(t *testing.T) {
		res, _ := do(httptest.NewRequest(http.MethodPut, "/robokassa/result", strings.NewReader(goodResult)))
		assert.Equal(t, http.StatusMethodNotAllowed, res.StatusCode)
		assert.Equal(t, "GET, POST", res.Header.Get("Allow"))
	})
	t.Run("body over 64 KiB is 400", func(t *testing.T) {
		calls = 0
		res, _ := do(post(goodResult + "&pad=" + strings.Repeat("a", 64<<10)))
		assert.Equal(t, http.StatusBadRequest, res.StatusCode)
		assert.Equal(t, 0, calls)
	})
}

// BenchmarkVerifyResultParts splits BenchmarkVerifyResult (same callback)
// into the verification proper and the decoding into a Notification, whose
// decimal OutSum and Shp map the API requires.
func BenchmarkVerifyResultParts(b *testing.B) {
	c, err := NewClient(Config{MerchantLogin: "demo", Password1: "password_1", Password2: "password_2"})
	require.NoError(b, err)
	v, err := url.ParseQuery(goodResult)
	require.NoError(b, err)
	b.Run("check", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var shp [maxShpStack]shpPair
			if _, _, err := c.check(v, c.keys().pass2, shp[:0]); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("decode", func(b *testing.B) {
		var shp [maxShpStack]shpPair
		r, pairs, err := c.check(v, c.keys().pass2, shp[:0])
		require.NoError(b, err)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := r.notification(pairs); err != nil {
				b.Fatal(err)
			}
		}
	})
}
