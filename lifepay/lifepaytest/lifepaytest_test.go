package lifepaytest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/robokassa-go/robokassa/lifepay"
	"github.com/robokassa-go/robokassa/lifepay/lifepaytest"
)

type notificationVector struct {
	Host   string            `json:"host"`
	Path   string            `json:"path"`
	Fields map[string]string `json:"fields"`
	Secret string            `json:"secret"`
	Check  string            `json:"check"`
}

// loadVectors reads the package's known answers (computed outside Go).
func loadVectors(t *testing.T) (v1, v2 notificationVector) {
	t.Helper()
	raw, err := os.ReadFile("../testdata/lifepay.json")
	require.NoError(t, err)
	var all struct {
		V1 notificationVector `json:"v1_notification"`
		V2 notificationVector `json:"v2_notification"`
	}
	require.NoError(t, json.Unmarshal(raw, &all))
	require.NotEmpty(t, all.V1.Check)
	require.NotEmpty(t, all.V2.Check)
	return all.V1, all.V2
}

// vectorNotification is the notification the vectors describe.
func vectorNotification(f map[string]string) lifepay.Notification {
	return lifepay.Notification{
		TransactionID: f["tid"], Name: f["name"], Comment: f["comment"], PartnerID: f["partner_id"],
		ServiceID: f["service_id"], OrderID: f["order_id"], PaymentType: f["type"],
		Cost: decimal.RequireFromString(f["cost"]), IncomeTotal: decimal.RequireFromString(f["income_total"]),
		Income: decimal.RequireFromString(f["income"]), PartnerIncome: decimal.RequireFromString(f["partner_income"]),
		SystemIncome: decimal.RequireFromString(f["system_income"]), Command: lifepay.Command(f["command"]),
		Phone: f["phone_number"], Email: f["email"], ResultText: f["resultStr"], DateCreated: f["date_created"],
	}
}

func assertFields(t *testing.T, want map[string]string, got url.Values) {
	t.Helper()
	for k, v := range want {
		assert.Equal(t, v, got.Get(k), k)
	}
}

func TestNotificationFormVectors(t *testing.T) {
	v1, v2 := loadVectors(t)
	tests := []struct {
		name string
		cfg  lifepay.Config
		vec  notificationVector
		n    func(lifepay.Notification) lifepay.Notification
	}{
		{"2.0 by the config's default version", lifepay.Config{SecretKey: lifepay.Secret(v2.Secret),
			NotificationURL: "https://" + v2.Host + v2.Path}, v2, func(n lifepay.Notification) lifepay.Notification { return n }},
		{"2.0 with a port and upper-case host in the URL", lifepay.Config{SecretKey: lifepay.Secret(v2.Secret),
			NotificationURL: "https://SHOP.example:8443" + v2.Path}, v2, func(n lifepay.Notification) lifepay.Notification { return n }},
		{"1.0 by the config", lifepay.Config{Version: lifepay.V1, SecretKey: lifepay.Secret(v1.Secret)}, v1,
			func(n lifepay.Notification) lifepay.Notification { return n }},
		{"1.0 by the notification", lifepay.Config{SecretKey: lifepay.Secret(v1.Secret)}, v1,
			func(n lifepay.Notification) lifepay.Notification { n.Version = lifepay.V1; return n }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			form := lifepaytest.NotificationForm(tt.cfg, tt.n(vectorNotification(tt.vec.Fields)))
			assert.Equal(t, tt.vec.Check, form.Get("check"))
			assertFields(t, tt.vec.Fields, form)
			assert.Len(t, form, len(tt.vec.Fields)+1)
		})
	}
}

// TestNotificationFormExtra: extra fields are sent, and signed in 2.0.
func TestNotificationFormExtra(t *testing.T) {
	_, v2 := loadVectors(t)
	cfg := lifepay.Config{SecretKey: lifepay.Secret(v2.Secret), NotificationURL: "https://" + v2.Host + v2.Path}
	n := vectorNotification(v2.Fields)
	n.Extra = map[string]string{"recurrent_id": "R 1"}
	form := lifepaytest.NotificationForm(cfg, n)
	assert.Equal(t, "R 1", form.Get("recurrent_id"))
	assert.NotEqual(t, v2.Check, form.Get("check"), "the extra field is signed")
}

func TestNewNotificationRequest(t *testing.T) {
	_, v2 := loadVectors(t)
	cfg := lifepay.Config{SecretKey: lifepay.Secret(v2.Secret), NotificationURL: "https://" + v2.Host + v2.Path}
	r := lifepaytest.NewNotificationRequest(cfg, vectorNotification(v2.Fields))
	assert.Equal(t, http.MethodPost, r.Method)
	assert.Equal(t, cfg.NotificationURL, r.URL.String())
	assert.Equal(t, "application/x-www-form-urlencoded", r.Header.Get("Content-Type"))
	body, err := io.ReadAll(r.Body)
	require.NoError(t, err)
	form, err := url.ParseQuery(string(body))
	require.NoError(t, err)
	assert.Equal(t, v2.Check, form.Get("check"))
	assertFields(t, v2.Fields, form)
}

func TestSignVector(t *testing.T) {
	_, v2 := loadVectors(t)
	form := url.Values{}
	for k, v := range v2.Fields {
		form.Set(k, v)
	}
	form.Set("check", "ignored")
	form.Set("mac", "ignored")
	assert.Equal(t, v2.Check, lifepaytest.Sign(v2.Secret, "POST", v2.Host, v2.Path, form))
}

func TestNotificationFormPanicsWithoutURL(t *testing.T) {
	assert.Panics(t, func() {
		lifepaytest.NotificationForm(lifepay.Config{SecretKey: "k"}, lifepay.Notification{TransactionID: "1"})
	})
}
