package lifepay_test

import (
	"encoding/json"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/robokassa-go/robokassa/lifepay"
)

// vectors mirrors testdata/lifepay.json: known answers computed outside Go
// (Python hmac/hashlib) from docs/lifepay.md §2–§4.
type vectors struct {
	V2LinkGet      linkVector         `json:"v2_link_get"`
	V2LinkPost     linkVector         `json:"v2_link_post"`
	V1Link         v1LinkVector       `json:"v1_link"`
	V1Notification notificationVector `json:"v1_notification"`
	V2Notification notificationVector `json:"v2_notification"`
}

type linkVector struct {
	Method string            `json:"method"`
	Host   string            `json:"host"`
	Path   string            `json:"path"`
	Params map[string]string `json:"params"`
	Secret string            `json:"secret"`
	Check  string            `json:"check"`
	String string            `json:"string"`
}

type v1LinkVector struct {
	Fields map[string]string `json:"fields"`
	String string            `json:"string"`
	Check  string            `json:"check"`
}

type notificationVector struct {
	Host   string            `json:"host"`
	Path   string            `json:"path"`
	Fields map[string]string `json:"fields"`
	Order  []string          `json:"order"`
	Secret string            `json:"secret"`
	Check  string            `json:"check"`
}

func loadVectors(t *testing.T) vectors {
	t.Helper()
	raw, err := os.ReadFile("testdata/lifepay.json")
	require.NoError(t, err)
	var v vectors
	require.NoError(t, json.Unmarshal(raw, &v))
	require.NotEmpty(t, v.V2LinkGet.Check)
	require.NotEmpty(t, v.V2LinkPost.Check)
	require.NotEmpty(t, v.V1Link.Check)
	require.NotEmpty(t, v.V1Notification.Check)
	require.NotEmpty(t, v.V2Notification.Check)
	return v
}

// vectorPayment is the payment every link vector describes.
func vectorPayment(t *testing.T, params map[string]string) lifepay.Payment {
	t.Helper()
	return lifepay.Payment{
		Cost:    decimal.RequireFromString(params["cost"]),
		Name:    params["name"],
		Email:   params["email"],
		OrderID: params["order_id"],
	}
}

// queryParams splits a link's query into its parameters, refusing any
// repeated one.
func queryParams(t *testing.T, link string) map[string]string {
	t.Helper()
	u, err := url.Parse(link)
	require.NoError(t, err)
	q, err := url.ParseQuery(u.RawQuery)
	require.NoError(t, err)
	out := map[string]string{}
	for k, vs := range q {
		require.Len(t, vs, 1, "parameter %s sent twice", k)
		out[k] = vs[0]
	}
	return out
}

func TestVectorV2LinkGet(t *testing.T) {
	v := loadVectors(t).V2LinkGet
	lines := strings.Split(v.String, "\n")
	require.Len(t, lines, 4)
	require.Equal(t, []string{"GET", "partner.life-pay.ru", "/alba/input/"}, lines[:3])

	c, err := lifepay.NewClient(lifepay.Config{ServiceID: v.Params["service_id"], SecretKey: lifepay.Secret(v.Secret)})
	require.NoError(t, err)
	link, err := c.PaymentURL(vectorPayment(t, v.Params))
	require.NoError(t, err)

	// The link's query is the signed canonical query, then the check.
	want := "https://" + v.Host + v.Path + "?" + lines[3] + "&check=" + url.QueryEscape(v.Check)
	assert.Equal(t, want, link)

	got := queryParams(t, link)
	assert.Equal(t, v.Check, got["check"])
	delete(got, "check")
	assert.Equal(t, v.Params, got)
}

func TestVectorV2LinkPost(t *testing.T) {
	v := loadVectors(t).V2LinkPost
	require.Equal(t, "POST", v.Method)
	c, err := lifepay.NewClient(lifepay.Config{ServiceID: v.Params["service_id"], SecretKey: lifepay.Secret(v.Secret)})
	require.NoError(t, err)
	form, err := c.PaymentForm(vectorPayment(t, v.Params))
	require.NoError(t, err)

	assert.Equal(t, v.Check, form.Get("check"))
	form.Del("check")
	got := map[string]string{}
	for k := range form {
		got[k] = form.Get(k)
	}
	assert.Equal(t, v.Params, got)
	assert.Equal(t, "https://"+v.Host+v.Path, c.PaymentFormAction())
}

func TestVectorV1Link(t *testing.T) {
	v := loadVectors(t).V1Link
	f := v.Fields
	require.Equal(t, f["key"]+f["cost"]+f["name"]+f["email"]+f["order_id"]+f["comment"]+f["payment_type"]+f["secret"], v.String)
	require.Empty(t, f["comment"])
	require.Empty(t, f["payment_type"])

	c, err := lifepay.NewClient(lifepay.Config{Version: lifepay.V1, Key: f["key"], SecretKey: lifepay.Secret(f["secret"])})
	require.NoError(t, err)
	p := vectorPayment(t, f)

	link, err := c.PaymentURL(p)
	require.NoError(t, err)
	got := queryParams(t, link)
	assert.Equal(t, map[string]string{
		"key": f["key"], "cost": f["cost"], "name": f["name"], "email": f["email"],
		"order_id": f["order_id"], "check": v.Check,
	}, got, "API 1.0 sends key, no version or service_id")

	form, err := c.PaymentForm(p)
	require.NoError(t, err)
	assert.Equal(t, v.Check, form.Get("check"), "the MD5 check does not depend on the method")
}

func TestVectorV1Notification(t *testing.T) {
	v := loadVectors(t).V1Notification
	c, err := lifepay.NewClient(lifepay.Config{Version: lifepay.V1, Key: "k", SecretKey: lifepay.Secret(v.Secret), ServiceID: v.Fields["service_id"]})
	require.NoError(t, err)

	for _, check := range []string{v.Check, strings.ToUpper(v.Check)} {
		form := formOf(v.Fields)
		form.Set("check", check)
		n, err := c.VerifyNotification(form)
		require.NoError(t, err, "check %s", check)
		assertVectorNotification(t, v.Fields, n)
		assert.Equal(t, lifepay.V1, n.Version)
	}
}

func TestVectorV2Notification(t *testing.T) {
	v := loadVectors(t).V2Notification
	c, err := lifepay.NewClient(lifepay.Config{
		ServiceID:       v.Fields["service_id"],
		SecretKey:       lifepay.Secret(v.Secret),
		NotificationURL: "https://" + v.Host + v.Path,
	})
	require.NoError(t, err)
	form := formOf(v.Fields)
	form.Set("check", v.Check)
	n, err := c.VerifyNotification(form)
	require.NoError(t, err)
	assertVectorNotification(t, v.Fields, n)
	assert.Equal(t, lifepay.V2, n.Version)
	assert.Nil(t, n.Extra)
}

func formOf(fields map[string]string) url.Values {
	form := url.Values{}
	for k, val := range fields {
		form.Set(k, val)
	}
	return form
}

// assertVectorNotification checks every decoded field against the
// vector's wire values.
func assertVectorNotification(t *testing.T, f map[string]string, n *lifepay.Notification) {
	t.Helper()
	assert.Equal(t, f["tid"], n.TransactionID)
	assert.Equal(t, lifepay.Command(f["command"]), n.Command)
	assert.Equal(t, f["order_id"], n.OrderID)
	assert.Equal(t, f["name"], n.Name)
	assert.Equal(t, f["comment"], n.Comment)
	assert.Equal(t, f["partner_id"], n.PartnerID)
	assert.Equal(t, f["service_id"], n.ServiceID)
	assert.Equal(t, f["type"], n.PaymentType)
	assert.Equal(t, f["phone_number"], n.Phone)
	assert.Equal(t, f["email"], n.Email)
	assert.Equal(t, f["resultStr"], n.ResultText)
	assert.Equal(t, f["date_created"], n.DateCreated)
	for name, d := range map[string]decimal.Decimal{
		"cost": n.Cost, "income_total": n.IncomeTotal, "income": n.Income,
		"partner_income": n.PartnerIncome, "system_income": n.SystemIncome,
	} {
		assert.True(t, decimal.RequireFromString(f[name]).Equal(d), "%s: %s", name, d)
	}
}
