package main

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// shop is an httptest stand-in for a shop's notification endpoint. It
// checks signatures with its own code (the documented formula, crypto/md5)
// and answers as answer says, recording every request.
type shop struct {
	t        *testing.T
	password string // "" = do not check the signature (FailURL)
	answer   func(n int, form url.Values, sigOK bool) (int, string)

	mu       sync.Mutex
	methods  []string
	forms    []url.Values
	sigOK    []bool
	rawQuery []string
}

func (s *shop) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	require.NoError(s.t, err)
	form, err := url.ParseQuery(string(body))
	require.NoError(s.t, err)
	if r.Method == http.MethodGet {
		form = r.URL.Query()
	} else {
		assert.Equal(s.t, "application/x-www-form-urlencoded", r.Header.Get("Content-Type"))
	}
	ok := s.password == "" || strings.EqualFold(form.Get("SignatureValue"), md5hex(notificationBase(form, s.password)))
	s.mu.Lock()
	n := len(s.forms)
	s.methods = append(s.methods, r.Method)
	s.forms = append(s.forms, form)
	s.sigOK = append(s.sigOK, ok)
	s.rawQuery = append(s.rawQuery, r.URL.RawQuery)
	s.mu.Unlock()
	status, text := s.answer(n, form, ok)
	if status >= 300 && status < 400 {
		w.Header().Set("Location", "/thanks")
	}
	w.WriteHeader(status)
	fmt.Fprint(w, text)
}

// notificationBase is OutSum:InvId:password[:Shp_* sorted by name], the
// documented notification signature (protocol §4.1, §4.2).
func notificationBase(form url.Values, password string) string {
	parts := []string{form.Get("OutSum"), form.Get("InvId"), password}
	var shp []string
	for k := range form {
		if strings.HasPrefix(k, "Shp_") {
			shp = append(shp, k+"="+form.Get(k))
		}
	}
	sort.Strings(shp)
	return strings.Join(append(parts, shp...), ":")
}

// okShop answers OK<InvId> to every correctly signed notification.
func okShop(form url.Values, sigOK bool) (int, string) {
	if !sigOK {
		return http.StatusBadRequest, "bad signature"
	}
	return http.StatusOK, "OK" + form.Get("InvId")
}

func newShop(t *testing.T, password string, answer func(n int, form url.Values, sigOK bool) (int, string)) (*shop, string) {
	s := &shop{t: t, password: password, answer: answer}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return s, srv.URL + "/robokassa/result"
}

func TestTriggerResult(t *testing.T) {
	s, to := newShop(t, "password_2", func(_ int, f url.Values, ok bool) (int, string) { return okShop(f, ok) })
	r := runCLI(t, demoEnv, "", "trigger", "result", "-to", to, "-sum", "990", "-inv", "12", "-shp", "order=12", "-shp", "note=a b",
		"-email", "buyer@example.com")
	require.Equal(t, 0, r.code, r.stdout+r.stderr)
	assert.Contains(t, r.stdout, "POST "+to+"\n")
	assert.Contains(t, r.stdout, `#1: 200 "OK12": right`)
	assert.Contains(t, r.stdout, "result: 1 of 1 answers right")
	require.Len(t, s.forms, 1)
	f := s.forms[0]
	assert.True(t, s.sigOK[0], "signed with Password #2 as the protocol says")
	assert.Equal(t, "POST", s.methods[0])
	assert.Equal(t, "990.000000", f.Get("OutSum"), "six decimals, as Robokassa sends")
	assert.Equal(t, "12", f.Get("InvId"))
	assert.Equal(t, "12", f.Get("Shp_order"))
	assert.Equal(t, "a+b", f.Get("Shp_note"), "Shp values come back as the SDK sent them, URL-encoded")
	assert.Equal(t, "buyer@example.com", f.Get("EMail"))
	assert.Equal(t, "BankCard", f.Get("PaymentMethod"))
	assert.Equal(t, "0.000000", f.Get("Fee"))
	assert.Empty(t, f.Get("IsTest"))
	assert.Equal(t, strings.ToUpper(f.Get("SignatureValue")), f.Get("SignatureValue"), "ResultURL hex is uppercase")
}

func TestTriggerWrongAnswers(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
		body   string
		want   string
	}{
		{"OK without InvId", 200, "OK", `#1: 200 "OK": wrong: want status 200 and exactly "OK12"`},
		{"trailing newline", 200, "OK12\n", `#1: 200 "OK12\n": wrong`},
		{"another InvId", 200, "OK13", `"OK13": wrong`},
		{"error status", 500, "OK12", `#1: 500 "OK12": wrong`},
		{"refused", 400, "bad signature", `#1: 400 "bad signature": wrong`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, to := newShop(t, "password_2", func(int, url.Values, bool) (int, string) { return tc.status, tc.body })
			r := runCLI(t, demoEnv, "", "trigger", "result", "-to", to, "-sum", "990", "-inv", "12")
			assert.Equal(t, 1, r.code)
			assert.Contains(t, r.stdout, tc.want)
			assert.Contains(t, r.stdout, "result: 1 of 1 answers wrong")
		})
	}
}

func TestTriggerRepeatFindsANonIdempotentShop(t *testing.T) {
	// Marks the order paid on the first notification and then refuses the
	// repeats: Robokassa would keep retrying.
	s, to := newShop(t, "password_2", func(n int, f url.Values, ok bool) (int, string) {
		if n > 0 {
			return http.StatusConflict, "order already paid"
		}
		return okShop(f, ok)
	})
	r := runCLI(t, demoEnv, "", "trigger", "-repeat", "3", "result", "-to", to, "-sum", "990.5", "-inv", "12")
	assert.Equal(t, 1, r.code)
	assert.Contains(t, r.stdout, `#1: 200 "OK12": right`)
	assert.Contains(t, r.stdout, `#2: 409 "order already paid": wrong`)
	assert.Contains(t, r.stdout, `#3: 409 "order already paid": wrong`)
	assert.Contains(t, r.stdout, "result: 2 of 3 answers wrong")
	require.Len(t, s.forms, 3)
	assert.Equal(t, s.forms[0], s.forms[2], "the same notification every time")

	_, to = newShop(t, "password_2", func(_ int, f url.Values, ok bool) (int, string) { return okShop(f, ok) })
	r = runCLI(t, demoEnv, "", "trigger", "result", "-repeat", "3", "-to", to, "-sum", "990.5", "-inv", "12")
	assert.Equal(t, 0, r.code, r.stdout)
	assert.Contains(t, r.stdout, "result: 3 of 3 answers right")
}

func TestTriggerGet(t *testing.T) {
	s, to := newShop(t, "password_2", func(_ int, f url.Values, ok bool) (int, string) { return okShop(f, ok) })
	r := runCLI(t, demoEnv, "", "trigger", "result", "-get", "-to", to+"?shop=1", "-sum", "990", "-inv", "12", "-shp", "order=12")
	require.Equal(t, 0, r.code, r.stdout+r.stderr)
	require.Len(t, s.forms, 1)
	assert.Equal(t, "GET", s.methods[0])
	assert.True(t, s.sigOK[0])
	assert.Equal(t, "1", s.forms[0].Get("shop"), "the URL's own query is kept")
	assert.Contains(t, s.rawQuery[0], "OutSum=990.000000")
	assert.Contains(t, r.stdout, "GET "+to+"?")
}

func TestTriggerTestMode(t *testing.T) {
	s, to := newShop(t, "test_password_2", func(_ int, f url.Values, ok bool) (int, string) { return okShop(f, ok) })
	r := runCLI(t, demoEnv, "", "trigger", "result", "-test", "-to", to, "-sum", "990", "-inv", "12")
	require.Equal(t, 0, r.code, r.stdout+r.stderr)
	assert.True(t, s.sigOK[0], "signed with the test Password #2")
	assert.Equal(t, "1", s.forms[0].Get("IsTest"))

	r = runCLI(t, with(demoEnv, "ROBOKASSA_TEST_PASSWORD2", ""), "", "trigger", "result", "-test", "-to", to, "-sum", "990", "-inv", "12")
	assert.Equal(t, 2, r.code)
	assert.Contains(t, r.stderr, "give -test-password2 or set ROBOKASSA_TEST_PASSWORD2")
}

func TestTriggerSuccessAndFail(t *testing.T) {
	for _, tc := range []struct {
		kind     string
		password string
		status   int
		code     int
	}{
		{"success", "password_1", http.StatusFound, 0},
		{"success", "password_1", http.StatusOK, 0},
		{"success", "password_1", http.StatusNotFound, 1},
		{"fail", "", http.StatusSeeOther, 0},
		{"fail", "", http.StatusInternalServerError, 1},
	} {
		t.Run(fmt.Sprintf("%s %d", tc.kind, tc.status), func(t *testing.T) {
			s, to := newShop(t, tc.password, func(int, url.Values, bool) (int, string) { return tc.status, "<html>" })
			r := runCLI(t, demoEnv, "", "trigger", tc.kind, "-to", to, "-sum", "990", "-inv", "12", "-shp", "order=12", "-culture", "ru")
			assert.Equal(t, tc.code, r.code, r.stdout+r.stderr)
			require.Len(t, s.forms, 1, "a redirect answer is reported, not followed")
			f := s.forms[0]
			assert.Equal(t, "990.00", f.Get("OutSum"))
			assert.Equal(t, "12", f.Get("InvId"))
			assert.Equal(t, "12", f.Get("Shp_order"))
			assert.Equal(t, "ru", f.Get("Culture"))
			if tc.kind == "success" {
				assert.True(t, s.sigOK[0], "signed with Password #1")
			} else {
				assert.NotContains(t, f, "SignatureValue", "FailURL is not signed")
			}
			assert.NotContains(t, f, "Fee")
		})
	}
}

func TestTriggerNoAnswer(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	to := srv.URL
	srv.Close()
	r := runCLI(t, demoEnv, "", "trigger", "result", "-to", to, "-sum", "990", "-inv", "12")
	assert.Equal(t, 1, r.code)
	assert.Contains(t, r.stdout, "#1: no answer: ")
}

func TestTriggerUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"no kind", demoEnv, []string{"-to", "http://x", "-sum", "1", "-inv", "1"}, "want one of result, success or fail"},
		{"bad kind", demoEnv, []string{"refund", "-to", "http://x", "-sum", "1", "-inv", "1"}, `"refund": want result, success or fail`},
		{"no to", demoEnv, []string{"result", "-sum", "1", "-inv", "1"}, "-to is required"},
		{"relative to", demoEnv, []string{"result", "-to", "/result", "-sum", "1", "-inv", "1"}, "-to: must be an absolute"},
		{"no sum", demoEnv, []string{"result", "-to", "http://x", "-inv", "1"}, "-sum is required"},
		{"sum rounds", demoEnv, []string{"result", "-to", "http://x", "-sum", "1.001", "-inv", "1"}, "-sum: must have at most 2 decimal places"},
		{"negative sum", demoEnv, []string{"result", "-to", "http://x", "-sum", "-1", "-inv", "1"}, "-sum: must not be negative"},
		{"fee rounds", demoEnv, []string{"result", "-to", "http://x", "-sum", "1", "-inv", "1", "-fee", "0.0000001"}, "-fee: must have at most 6 decimal places"},
		{"no inv", demoEnv, []string{"result", "-to", "http://x", "-sum", "1"}, "-inv is required"},
		{"repeat 0", demoEnv, []string{"result", "-to", "http://x", "-sum", "1", "-inv", "1", "-repeat", "0"}, "-repeat: must be 1 to 1000"},
		{"no password #2", with(demoEnv, "ROBOKASSA_PASSWORD2", ""), []string{"result", "-to", "http://x", "-sum", "1", "-inv", "1"}, "give -password2 or set ROBOKASSA_PASSWORD2"},
		{"no password #1", with(demoEnv, "ROBOKASSA_PASSWORD1", ""), []string{"success", "-to", "http://x", "-sum", "1", "-inv", "1"}, "give -password1 or set ROBOKASSA_PASSWORD1"},
		{"bad algorithm", with(demoEnv, "ROBOKASSA_ALGORITHM", "GOST"), []string{"result", "-to", "http://x", "-sum", "1", "-inv", "1"}, `"GOST" is not one of`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runCLI(t, tc.env, "", append([]string{"trigger"}, tc.args...)...)
			assert.Equal(t, 2, r.code, r.stdout)
			assert.Contains(t, r.stderr, tc.want)
		})
	}
}
