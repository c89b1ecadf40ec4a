package lifepay_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/robokassa-go/robokassa/lifepay"
	"github.com/robokassa-go/robokassa/lifepay/lifepaytest"
)

// syncBuffer is a log sink safe for the handler's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var handlerCfg = lifepay.Config{
	ServiceID:       "12345",
	SecretKey:       notifySecret,
	NotificationURL: "https://shop.example/lifepay/notify",
}

func handlerClient(t *testing.T, logs *syncBuffer) *lifepay.Client {
	t.Helper()
	cfg := handlerCfg
	cfg.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, err := lifepay.NewClient(cfg)
	require.NoError(t, err)
	return c
}

func paidNotification() lifepay.Notification {
	return lifepay.Notification{
		TransactionID: "3950000001", Command: lifepay.CommandSuccess, OrderID: "1001", Name: "Заказ 1",
		ServiceID: "12345", PartnerID: "77", PaymentType: "spg", Cost: decimal.RequireFromString("100.50"),
		Email: "test@test.com", ResultText: "Оплачен", DateCreated: "2026-11-30 10:00:00",
	}
}

func TestNotificationHandlerAcknowledges(t *testing.T) {
	var logs syncBuffer
	c := handlerClient(t, &logs)
	var got *lifepay.Notification
	h := c.NotificationHandler(func(_ context.Context, n *lifepay.Notification) error {
		got = n
		return nil
	})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, lifepaytest.NewNotificationRequest(handlerCfg, paidNotification()))
	assert.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, "OK", rec.Body.String())
	assert.Equal(t, "text/plain; charset=utf-8", rec.Header().Get("Content-Type"))
	require.NotNil(t, got)
	assert.Equal(t, "1001", got.OrderID)
	assert.True(t, decimal.RequireFromString("100.5").Equal(got.Cost))
	assert.Empty(t, logs.String(), "an accepted notification logs nothing")
}

func TestNotificationHandlerCallbackFailure(t *testing.T) {
	tests := []struct {
		name string
		fn   func(context.Context, *lifepay.Notification) error
		log  string
	}{
		{"error", func(context.Context, *lifepay.Notification) error { return errors.New("database is down") }, "database is down"},
		{"panic", func(context.Context, *lifepay.Notification) error { panic("nil map write") }, "panic: nil map write"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs syncBuffer
			h := handlerClient(t, &logs).NotificationHandler(tt.fn)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, lifepaytest.NewNotificationRequest(handlerCfg, paidNotification()))
			assert.Equal(t, http.StatusInternalServerError, rec.Code, "Life-Pay should try again")
			assert.Equal(t, "internal error\n", rec.Body.String())
			assert.Contains(t, logs.String(), "level=ERROR")
			assert.Contains(t, logs.String(), tt.log)
			assert.Contains(t, logs.String(), "tid=3950000001")
		})
	}
}

func TestNotificationHandlerAbortHandlerPassesThrough(t *testing.T) {
	var logs syncBuffer
	h := handlerClient(t, &logs).NotificationHandler(func(context.Context, *lifepay.Notification) error {
		panic(http.ErrAbortHandler)
	})
	assert.PanicsWithValue(t, http.ErrAbortHandler, func() {
		h.ServeHTTP(httptest.NewRecorder(), lifepaytest.NewNotificationRequest(handlerCfg, paidNotification()))
	})
}

func TestNotificationHandlerRefusals(t *testing.T) {
	valid := func() *http.Request { return lifepaytest.NewNotificationRequest(handlerCfg, paidNotification()) }
	validBody := func() string {
		return lifepaytest.NotificationForm(handlerCfg, paidNotification()).Encode()
	}
	forged := func() *http.Request {
		body := strings.Replace(validBody(), "cost=100.50", "cost=1.00", 1)
		require.NotEqual(t, validBody(), body)
		r := httptest.NewRequest(http.MethodPost, "/lifepay/notify", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return r
	}
	post := func(ct, body string) *http.Request {
		r := httptest.NewRequest(http.MethodPost, "/lifepay/notify", strings.NewReader(body))
		if ct != "" {
			r.Header.Set("Content-Type", ct)
		}
		return r
	}
	tests := []struct {
		name   string
		req    func() *http.Request
		status int
		body   string
		reason string
	}{
		{"GET", func() *http.Request {
			return httptest.NewRequest(http.MethodGet, "/lifepay/notify?"+validBody(), nil)
		}, http.StatusMethodNotAllowed, "method not allowed\n", "method GET not allowed"},
		{"odd method", func() *http.Request {
			r := valid()
			r.Method = "BREW\x00"
			return r
		}, http.StatusMethodNotAllowed, "method not allowed\n", "(non-standard)"},
		{"forged amount", forged, http.StatusBadRequest, "bad request\n", "bad signature"},
		{"JSON body", func() *http.Request { return post("application/json", `{"cost":"1"}`) }, http.StatusBadRequest, "bad request\n", "content type"},
		{"no content type", func() *http.Request { return post("", validBody()) }, http.StatusBadRequest, "bad request\n", "content type"},
		{"multipart", func() *http.Request { return post("multipart/form-data; boundary=x", "--x--") }, http.StatusBadRequest, "bad request\n", "content type"},
		{"body over 64 KiB", func() *http.Request {
			return post("application/x-www-form-urlencoded", validBody()+"&pad="+strings.Repeat("a", 64<<10))
		}, http.StatusBadRequest, "bad request\n", "too large"},
		{"too many parameters", func() *http.Request {
			return post("application/x-www-form-urlencoded", validBody()+strings.Repeat("&a", 64))
		}, http.StatusBadRequest, "bad request\n", "too large"},
		{"bad escape", func() *http.Request {
			return post("application/x-www-form-urlencoded", validBody()+"&x=%zz")
		}, http.StatusBadRequest, "bad request\n", "not a valid form"},
		{"duplicate", func() *http.Request {
			return post("application/x-www-form-urlencoded", validBody()+"&cost=1.00")
		}, http.StatusBadRequest, "bad request\n", `duplicate parameter \"cost\"`},
		{"charset parameter is fine but the check is not", func() *http.Request {
			return post("application/x-www-form-urlencoded; charset=UTF-8", "tid=1&check=AAAA&version=2.0")
		}, http.StatusBadRequest, "bad request\n", "bad signature"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs syncBuffer
			called := false
			h := handlerClient(t, &logs).NotificationHandler(func(context.Context, *lifepay.Notification) error {
				called = true
				return nil
			})
			req := tt.req()
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			assert.False(t, called, "the shop's function never sees a refused notification")
			assert.Equal(t, tt.status, rec.Code)
			assert.Equal(t, tt.body, rec.Body.String(), "a generic body that echoes nothing")
			if tt.status == http.StatusMethodNotAllowed {
				assert.Equal(t, "POST", rec.Header().Get("Allow"))
			}
			out := logs.String()
			assert.Contains(t, out, "level=WARN")
			assert.Contains(t, out, tt.reason)
			assert.Equal(t, 1, strings.Count(out, "\n"), "one line per refusal")
			for _, leak := range []string{notifySecret, "check=", "Оплачен", "100.50", "BREW"} {
				assert.NotContains(t, out, leak, "never the secret, the check or the body")
			}
		})
	}
}

// TestNotificationHandlerDefaultLogger: a nil Config.Logger means
// slog.Default().
func TestNotificationHandlerDefaultLogger(t *testing.T) {
	var logs syncBuffer
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&logs, nil)))
	t.Cleanup(func() { slog.SetDefault(prev) })
	c, err := lifepay.NewClient(handlerCfg)
	require.NoError(t, err)
	rec := httptest.NewRecorder()
	c.NotificationHandler(func(context.Context, *lifepay.Notification) error { return nil }).
		ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	assert.Equal(t, http.StatusMethodNotAllowed, rec.Code)
	assert.Contains(t, logs.String(), "notification refused")
}
