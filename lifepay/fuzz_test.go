package lifepay_test

import (
	"context"
	"log/slog"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/robokassa-go/robokassa/lifepay"
	"github.com/robokassa-go/robokassa/lifepay/lifepaytest"
)

// Seeds for both targets live in testdata/fuzz/<Target>/.

var fuzzV2Cfg = lifepay.Config{ServiceID: "12345", SecretKey: "secret", NotificationURL: "https://shop.example/lifepay/notify"}
var fuzzV1Cfg = lifepay.Config{Version: lifepay.V1, Key: "k", SecretKey: "secret", ServiceID: "12345"}

// fuzzStandard is every field lifepaytest signs for both versions.
var fuzzStandard = []string{"tid", "name", "comment", "partner_id", "service_id", "order_id", "type", "cost",
	"income_total", "income", "partner_income", "system_income", "command",
	"phone_number", "email", "resultStr", "date_created", "version"}

func fuzzNameOK(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-_.~", c) >= 0) {
			return false
		}
	}
	for _, f := range append(fuzzStandard, "check", "mac", "check_gate_internal") {
		if s == f {
			return false
		}
	}
	return true
}

// FuzzVerifyNotification: arbitrary forms never panic either client; a
// notification signed by lifepaytest (an independent implementation)
// always verifies, in both versions; changing one byte of any signed
// value is always refused.
func FuzzVerifyNotification(f *testing.F) {
	v1, err := lifepay.NewClient(fuzzV1Cfg)
	require.NoError(f, err)
	v2, err := lifepay.NewClient(fuzzV2Cfg)
	require.NoError(f, err)
	f.Fuzz(func(t *testing.T, body string, cents int64, tid, name, command, extraName, extraValue string, useV1 bool, at uint16, b byte) {
		if form, err := url.ParseQuery(body); err == nil {
			_, _ = v1.VerifyNotification(form) // must not panic
			_, _ = v2.VerifyNotification(form)
		}
		if tid == "" || command == "" {
			return
		}
		n := lifepay.Notification{TransactionID: tid, Name: name, Command: lifepay.Command(command),
			ServiceID: "12345", Cost: decimal.New(cents, -2), Income: decimal.New(cents/2, -2)}
		cfg, c := fuzzV2Cfg, v2
		if useV1 {
			cfg, c = fuzzV1Cfg, v1
		}
		if fuzzNameOK(extraName) {
			n.Extra = map[string]string{extraName: extraValue}
		}
		form := lifepaytest.NotificationForm(cfg, n)
		got, err := c.VerifyNotification(form)
		size := 0
		for k, vs := range form {
			size += len(k) + len(vs[0])
		}
		if size > 64<<10 {
			require.ErrorIs(t, err, lifepay.ErrTooLarge)
			return
		}
		require.NoError(t, err, "a signed notification verifies")
		require.Equal(t, tid, got.TransactionID)
		require.Equal(t, name, got.Name)
		require.True(t, n.Cost.Equal(got.Cost))
		if !useV1 && n.Extra != nil {
			require.Equal(t, n.Extra, got.Extra)
		}

		// One byte of one signed value changes.
		signed := append([]string{"check"}, fuzzStandard...)
		if !useV1 && n.Extra != nil {
			signed = append(signed, extraName)
		}
		key := signed[int(at)%len(signed)]
		val := form.Get(key)
		if val == "" {
			return
		}
		i := int(at) % len(val)
		if val[i] == b || useV1 && key == "check" && strings.EqualFold(val[i:i+1], string([]byte{b})) {
			return // not a change (hex case is not significant)
		}
		mutated := val[:i] + string([]byte{b}) + val[i+1:]
		form.Set(key, mutated)
		_, err = c.VerifyNotification(form)
		require.Error(t, err, "changed %s %q → %q must be refused", key, val, mutated)
	})
}

// FuzzNotificationHandler: any method, content type and body; the
// handler never panics, answers only 200, 400 or 405 with a generic body
// that echoes nothing, calls the shop's function only for a verified
// notification, and accepts every signed one that is POSTed as a form.
func FuzzNotificationHandler(f *testing.F) {
	cfg := fuzzV2Cfg
	cfg.Logger = slog.New(slog.DiscardHandler)
	c, err := lifepay.NewClient(cfg)
	require.NoError(f, err)
	f.Fuzz(func(t *testing.T, method, contentType, body string, sign bool, tid, name string) {
		if sign {
			if tid == "" {
				tid = "1"
			}
			body = lifepaytest.NotificationForm(fuzzV2Cfg, lifepay.Notification{
				TransactionID: tid, Name: name, Command: lifepay.CommandSuccess, ServiceID: "12345",
			}).Encode()
		}
		req, err := http.NewRequest(http.MethodPost, "https://shop.example/lifepay/notify", strings.NewReader(body))
		require.NoError(t, err)
		req.Method = method
		req.Header.Set("Content-Type", contentType)

		var called *lifepay.Notification
		h := c.NotificationHandler(func(_ context.Context, n *lifepay.Notification) error {
			called = n
			return nil
		})
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)

		switch rec.Code {
		case http.StatusOK:
			require.NotNil(t, called)
			require.Equal(t, "OK", rec.Body.String())
		case http.StatusBadRequest:
			require.Nil(t, called)
			require.Equal(t, "bad request\n", rec.Body.String())
		case http.StatusMethodNotAllowed:
			require.Nil(t, called)
			require.NotEqual(t, http.MethodPost, method)
			require.Equal(t, "method not allowed\n", rec.Body.String())
		default:
			t.Fatalf("unexpected status %d", rec.Code)
		}
		mt, _, mtErr := mime.ParseMediaType(contentType)
		formPost := method == http.MethodPost && mtErr == nil && mt == "application/x-www-form-urlencoded"
		if sign && formPost && len(body) <= 64<<10 && strings.Count(body, "&") < 64 {
			require.Equal(t, http.StatusOK, rec.Code, "a signed notification is accepted")
			require.Equal(t, tid, called.TransactionID)
		}
		if rec.Code == http.StatusOK {
			require.True(t, formPost)
		}
	})
}
