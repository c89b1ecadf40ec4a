package main

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"image/png"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/makiuchi-d/gozxing"
	zxqr "github.com/makiuchi-d/gozxing/qrcode"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/robokassa-go/robokassa"
	"github.com/robokassa-go/robokassa/robokassatest"
)

// pendingTopUp writes an order for a 500 ₽ top-up with InvId inv.
func pendingTopUp(t *testing.T, ts *testShop, buyer string, inv int64) payment {
	t.Helper()
	ts.store.newInvID = draws(inv)
	p, err := ts.store.createOrder(context.Background(), buyer, mustProduct(t, "topup-500"), false)
	require.NoError(t, err)
	return p
}

// notification is what Robokassa reports for p: its amount and its
// Shp_order.
func notification(p payment) robokassa.Notification {
	return robokassa.Notification{
		OutSum:        p.Amount,
		Fee:           decimal.RequireFromString("17.50"),
		InvID:         p.InvID,
		PaymentMethod: "BankCard",
		Shp:           map[string]string{"order": strconv.FormatInt(p.OrderID, 10)},
	}
}

func postForm(t *testing.T, target string, form url.Values) (int, string) {
	t.Helper()
	resp, err := http.PostForm(target, form)
	require.NoError(t, err)
	return resp.StatusCode, body(t, resp)
}

func balanceOf(t *testing.T, ts *testShop, buyer string) string {
	t.Helper()
	b, err := ts.store.balance(context.Background(), buyer, false)
	require.NoError(t, err)
	return b.StringFixed(2)
}

// TestConcurrentDuplicateNotificationsCompleteOnce: Robokassa repeats a
// notification until it is acknowledged, and may deliver copies at
// once. Fifty concurrent copies are all acknowledged, and the payment is
// completed exactly once.
func TestConcurrentDuplicateNotificationsCompleteOnce(t *testing.T) {
	const copies = 50
	cfg := testConfig()
	ts := newTestShop(t, cfg, backend{})
	p := pendingTopUp(t, ts, "buyer", 770001)
	form := robokassatest.ResultForm(cfg, notification(p))

	var wg sync.WaitGroup
	start := make(chan struct{})
	statuses := make([]int, copies)
	bodies := make([]string, copies)
	errs := make([]error, copies)
	for i := range copies {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			resp, err := http.PostForm(ts.srv.URL+pathResult, form)
			if err != nil {
				errs[i] = err
				return
			}
			statuses[i] = resp.StatusCode
			bodies[i] = body(t, resp)
		}()
	}
	close(start)
	wg.Wait()

	for i := range copies {
		require.NoError(t, errs[i])
		assert.Equal(t, http.StatusOK, statuses[i], "copy %d", i)
		assert.Equal(t, "OK770001", bodies[i], "copy %d", i)
	}
	assert.Equal(t, 1, ts.log.count("payment completed"), ts.log.all())
	assert.Equal(t, copies-1, ts.log.count("duplicate notification ignored"))
	got, err := ts.store.payment(context.Background(), p.InvID)
	require.NoError(t, err)
	assert.Equal(t, stateCompleted, got.State)
	assert.Equal(t, "500.00", balanceOf(t, ts, "buyer"))
}

// TestNotificationRefusals: nothing but a genuine notification for a
// known payment, for its amount, completes it; a refused one is never
// acknowledged with OK<InvId>.
func TestNotificationRefusals(t *testing.T) {
	cfg := testConfig()
	forger := cfg
	forger.Password2 = "guessed"

	tests := []struct {
		name    string
		form    func(p payment) url.Values
		status  int
		logLine string
	}{
		{
			name: "wrong amount",
			form: func(p payment) url.Values {
				n := notification(p)
				n.OutSum = decimal.RequireFromString("5.00")
				return robokassatest.ResultForm(cfg, n)
			},
			status:  http.StatusInternalServerError,
			logLine: "notification refused: amount differs from the payment",
		},
		{
			name:    "forged: signed with another password",
			form:    func(p payment) url.Values { return robokassatest.ResultForm(forger, notification(p)) },
			status:  http.StatusBadRequest,
			logLine: "robokassa: notification refused",
		},
		{
			name: "forged: amount changed after signing",
			form: func(p payment) url.Values {
				n := notification(p)
				n.OutSum = decimal.RequireFromString("5.00")
				v := robokassatest.ResultForm(cfg, n)
				v.Set("SignatureValue", robokassatest.ResultForm(cfg, notification(p)).Get("SignatureValue"))
				return v
			},
			status:  http.StatusBadRequest,
			logLine: "robokassa: notification refused",
		},
		{
			name: "forged: two amounts",
			form: func(p payment) url.Values {
				v := robokassatest.ResultForm(cfg, notification(p))
				v.Add("OutSum", "5.000000")
				return v
			},
			status:  http.StatusBadRequest,
			logLine: "robokassa: notification refused",
		},
		{
			name: "unknown InvId",
			form: func(p payment) url.Values {
				n := notification(p)
				n.InvID = p.InvID + 1
				return robokassatest.ResultForm(cfg, n)
			},
			status:  http.StatusInternalServerError,
			logLine: "notification refused: unknown InvId",
		},
		{
			name: "a test payment sent to the production shop",
			form: func(p payment) url.Values {
				n := notification(p)
				n.IsTest = true
				return robokassatest.ResultForm(cfg, n)
			},
			status:  http.StatusBadRequest,
			logLine: "robokassa: notification refused",
		},
		{
			name: "another order's Shp_order",
			form: func(p payment) url.Values {
				n := notification(p)
				n.Shp = map[string]string{"order": strconv.FormatInt(p.OrderID+1, 10)}
				return robokassatest.ResultForm(cfg, n)
			},
			status:  http.StatusInternalServerError,
			logLine: "notification not processed",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := newTestShop(t, cfg, backend{})
			p := pendingTopUp(t, ts, "buyer", 880001)
			status, text := postForm(t, ts.srv.URL+pathResult, tt.form(p))
			assert.Equal(t, tt.status, status)
			assert.NotContains(t, text, "OK")
			assert.Equal(t, 1, ts.log.count(tt.logLine), ts.log.all())
			assert.Zero(t, ts.log.count("payment completed"))
			got, err := ts.store.payment(context.Background(), p.InvID)
			require.NoError(t, err)
			assert.Equal(t, statePending, got.State)
			assert.Equal(t, "0.00", balanceOf(t, ts, "buyer"))
			assert.NotContains(t, ts.log.all(), "pass-two", "no password in the log")
		})
	}
}

// TestNotificationByGET: Robokassa may be set to notify by GET.
func TestNotificationByGET(t *testing.T) {
	cfg := testConfig()
	ts := newTestShop(t, cfg, backend{})
	p := pendingTopUp(t, ts, "buyer", 990001)
	resp, err := http.Get(ts.srv.URL + pathResult + "?" + robokassatest.ResultForm(cfg, notification(p)).Encode())
	require.NoError(t, err)
	assert.Equal(t, "OK990001", body(t, resp))
	assert.Equal(t, "500.00", balanceOf(t, ts, "buyer"))
}

var payLinkPattern = regexp.MustCompile(`id="pay-link" href="([^"]+)"`)

// buyThroughPages buys a product as a browser does: the catalogue, the
// buy button, the order page. It returns the order page's body and the
// payment link on it.
func buyThroughPages(t *testing.T, ts *testShop, b *http.Client, productID string) (inv int64, page, link string) {
	t.Helper()
	resp, err := b.Get(ts.srv.URL + "/")
	require.NoError(t, err)
	require.Contains(t, body(t, resp), `id="buy-`+productID+`"`)
	resp, err = b.PostForm(ts.srv.URL+"/buy", url.Values{"product": {productID}})
	require.NoError(t, err)
	body(t, resp)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	loc := resp.Header.Get("Location")
	require.True(t, strings.HasPrefix(loc, "/order/"), loc)
	inv, err = strconv.ParseInt(strings.TrimPrefix(loc, "/order/"), 10, 64)
	require.NoError(t, err)
	resp, err = b.Get(ts.srv.URL + loc)
	require.NoError(t, err)
	page = body(t, resp)
	require.Equal(t, http.StatusOK, resp.StatusCode, page)
	if m := payLinkPattern.FindStringSubmatch(page); m != nil {
		link = htmlUnescape(m[1])
	}
	return inv, page, link
}

func htmlUnescape(s string) string {
	return strings.NewReplacer("&amp;", "&", "&#43;", "+", "&quot;", `"`, "&#39;", "'", "&lt;", "<", "&gt;", ">").Replace(s)
}

// TestPaymentLink: the order row is written before the link exists, and
// the link carries the sum, the InvId, a 54-FZ receipt and Shp_order,
// signed MerchantLogin:OutSum:InvId:Receipt:Password1:Shp_order=… (spec
// §3.1), recomputed here with crypto/md5.
func TestPaymentLink(t *testing.T) {
	tests := []struct {
		product     string
		outSum      string
		receipt     string
		description string
		recurring   bool
	}{
		{
			product:     "topup-500",
			outSum:      "500.00",
			receipt:     `{"sno":"usn_income","items":[{"name":"Top-up 500 ₽","quantity":1,"sum":500.00,"tax":"none","payment_method":"advance","payment_object":"payment"}]}`,
			description: "Balance top-up: 500 RUB",
		},
		{
			product:     "monthly",
			outSum:      "299.00",
			receipt:     `{"sno":"usn_income","items":[{"name":"Monthly subscription","quantity":1,"sum":299.00,"tax":"none","payment_method":"full_prepayment","payment_object":"service"}]}`,
			description: "Monthly subscription",
			recurring:   true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.product, func(t *testing.T) {
			cfg := testConfig()
			ts := newTestShop(t, cfg, backend{})
			inv, page, link := buyThroughPages(t, ts, browser(t), tt.product)
			assert.Contains(t, page, `id="state" class="state-pending">pending`)
			require.NotEmpty(t, link)

			row, err := ts.store.payment(context.Background(), inv)
			require.NoError(t, err)
			assert.Equal(t, statePending, row.State)

			u, err := url.Parse(link)
			require.NoError(t, err)
			assert.Equal(t, "/Merchant/Index.aspx", u.Path)
			q := u.Query()
			assert.Equal(t, "demo-shop", q.Get("MerchantLogin"))
			assert.Equal(t, tt.outSum, q.Get("OutSum"))
			assert.Equal(t, strconv.FormatInt(inv, 10), q.Get("InvId"))
			assert.Equal(t, tt.description, q.Get("Description"))
			assert.Equal(t, strconv.FormatInt(row.OrderID, 10), q.Get("Shp_order"))
			assert.Empty(t, q.Get("IsTest"))
			if tt.recurring {
				assert.Equal(t, "true", q.Get("Recurring"))
			} else {
				assert.Empty(t, q.Get("Recurring"))
			}
			receiptField := q.Get("Receipt") // the JSON URL-encoded once (spec §3.2)
			json, err := url.QueryUnescape(receiptField)
			require.NoError(t, err)
			assert.JSONEq(t, tt.receipt, json)
			assert.Equal(t, tt.receipt, json, "compact, numbers as numbers, Cyrillic and ₽ as is")

			base := strings.Join([]string{"demo-shop", tt.outSum, strconv.FormatInt(inv, 10), receiptField, "pass-one", "Shp_order=" + strconv.FormatInt(row.OrderID, 10)}, ":")
			sum := md5.Sum([]byte(base))
			assert.True(t, strings.EqualFold(hex.EncodeToString(sum[:]), q.Get("SignatureValue")), "signature of %s", base)
			assert.Equal(t, 1, ts.log.count("order created"))
			assert.Equal(t, 1, ts.log.count("payment link built"))

			// The QR code next to the button is the same link, byte for
			// byte, read back by an independent decoder.
			assert.Equal(t, link, decodeQR(t, page))
		})
	}
}

// TestSuccessPageIsInformational: the SuccessURL is checked and shown,
// never trusted to complete a payment; the balance shows once the
// ResultURL notification has completed it.
func TestSuccessPageIsInformational(t *testing.T) {
	cfg := testConfig()
	ts := newTestShop(t, cfg, backend{})
	b := browser(t)
	inv, _, _ := buyThroughPages(t, ts, b, "topup-500")
	p, err := ts.store.payment(context.Background(), inv)
	require.NoError(t, err)
	success := robokassatest.SuccessForm(cfg, notification(p))

	resp, err := b.Get(ts.srv.URL + pathSuccess + "?" + success.Encode())
	require.NoError(t, err)
	page := body(t, resp)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, page, `class="state-pending">pending`)
	assert.Contains(t, page, `id="waiting"`)
	assert.Contains(t, page, `http-equiv="refresh"`)
	got, err := ts.store.payment(context.Background(), inv)
	require.NoError(t, err)
	assert.Equal(t, statePending, got.State, "a SuccessURL never completes a payment")

	forged := robokassatest.SuccessForm(robokassa.Config{Password1: "guessed"}, notification(p))
	resp, err = b.Get(ts.srv.URL + pathSuccess + "?" + forged.Encode())
	require.NoError(t, err)
	page = body(t, resp)
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.Contains(t, page, "could not be verified")
	assert.Equal(t, 1, ts.log.count("success redirect refused"))

	status, text := postForm(t, ts.srv.URL+pathResult, robokassatest.ResultForm(cfg, notification(p)))
	require.Equal(t, http.StatusOK, status, text)
	resp, err = b.PostForm(ts.srv.URL+pathSuccess, success) // SuccessURL by POST
	require.NoError(t, err)
	page = body(t, resp)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, page, `class="state-completed">completed`)
	assert.Contains(t, page, `id="balance">500.00 ₽`)
	assert.NotContains(t, page, `http-equiv="refresh"`)

	// Another browser sees the payment's state, not the buyer's balance.
	resp, err = browser(t).Get(ts.srv.URL + pathSuccess + "?" + success.Encode())
	require.NoError(t, err)
	page = body(t, resp)
	assert.Contains(t, page, `class="state-completed">completed`)
	assert.NotContains(t, page, `id="balance"`)
}

// TestFailPageChangesNothing: the FailURL is unsigned, so it only shows
// a page.
func TestFailPageChangesNothing(t *testing.T) {
	cfg := testConfig()
	ts := newTestShop(t, cfg, backend{})
	b := browser(t)
	inv, _, _ := buyThroughPages(t, ts, b, "topup-100")
	resp, err := b.Get(ts.srv.URL + pathFail + "?OutSum=100.00&InvId=" + strconv.FormatInt(inv, 10) + "&Culture=en")
	require.NoError(t, err)
	page := body(t, resp)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, page, "Payment not completed")
	assert.Contains(t, page, `id="retry"`)
	got, err := ts.store.payment(context.Background(), inv)
	require.NoError(t, err)
	assert.Equal(t, statePending, got.State)

	resp, err = b.Get(ts.srv.URL + pathFail + "?InvId=x")
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.NotContains(t, body(t, resp), `id="retry"`)
}

// TestOrderPageIsTheBuyers: another browser cannot see an order.
func TestOrderPageIsTheBuyers(t *testing.T) {
	ts := newTestShop(t, testConfig(), backend{})
	inv, _, _ := buyThroughPages(t, ts, browser(t), "topup-100")
	resp, err := browser(t).Get(ts.srv.URL + "/order/" + strconv.FormatInt(inv, 10))
	require.NoError(t, err)
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	assert.NotContains(t, body(t, resp), "pay-link")
}

// TestCrossSiteFormsRefused: the shop's own forms refuse a cross-site
// POST; Robokassa's addresses do not.
func TestCrossSiteFormsRefused(t *testing.T) {
	cfg := testConfig()
	ts := newTestShop(t, cfg, backend{})
	for _, path := range []string{"/buy", "/admin/refund", "/admin/charge"} {
		t.Run(path, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodPost, ts.srv.URL+path, strings.NewReader("product=topup-100&inv=1"))
			require.NoError(t, err)
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Sec-Fetch-Site", "cross-site")
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			body(t, resp)
			assert.Equal(t, http.StatusForbidden, resp.StatusCode)
		})
	}
	p := pendingTopUp(t, ts, "buyer", 660001)
	req, err := http.NewRequest(http.MethodPost, ts.srv.URL+pathResult, strings.NewReader(robokassatest.ResultForm(cfg, notification(p)).Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	assert.Equal(t, "OK660001", body(t, resp))
}

// TestAdminPassword: with a password, the admin page needs it.
func TestAdminPassword(t *testing.T) {
	ts := newTestShop(t, testConfig(), backend{})
	ts.adminPassword = "s3cret"
	tests := []struct {
		name       string
		user, pass string
		want       int
	}{
		{"none", "", "", http.StatusUnauthorized},
		{"wrong password", "admin", "guess", http.StatusUnauthorized},
		{"wrong user", "root", "s3cret", http.StatusUnauthorized},
		{"right", "admin", "s3cret", http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodGet, ts.srv.URL+"/admin", nil)
			require.NoError(t, err)
			if tt.user != "" {
				req.SetBasicAuth(tt.user, tt.pass)
			}
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			body(t, resp)
			assert.Equal(t, tt.want, resp.StatusCode)
		})
	}
}

// TestAdminInTestMode: Robokassa has no test mode for refunds and
// recurring charges; the admin page says so and the shop sends nothing.
func TestAdminInTestMode(t *testing.T) {
	cfg := testConfig()
	cfg.Test = true
	ts := newTestShop(t, cfg, backend{URL: robokassa.DefaultAuthURL, Test: true})
	resp, err := http.Get(ts.srv.URL + "/admin")
	require.NoError(t, err)
	page := body(t, resp)
	assert.Contains(t, page, `id="test-mode"`)
	assert.Contains(t, page, "test mode")
	assert.Equal(t, "not-in-test-mode", ts.refund(context.Background(), 1))
	code, _ := ts.charge(context.Background(), 1)
	assert.Equal(t, "not-in-test-mode", code)
}

// TestOutcomeUnknown: which failures of a money-moving call leave its
// outcome unknown.
func TestOutcomeUnknown(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"refused before sending", robokassa.ErrNotInTestMode, false},
		{"validation", &robokassa.ValidationError{Field: "OutSum", Reason: "must be positive"}, false},
		{"no answer", &robokassa.APIError{Op: "Refund", Err: context.DeadlineExceeded}, true},
		{"5xx", &robokassa.APIError{Op: "Refund", Status: 502}, true},
		{"4xx", &robokassa.APIError{Op: "Refund", Status: 401, Message: "bad token"}, false},
		{"refusal with a code", &robokassa.APIError{Op: "Recurring", Status: 200, Code: "35"}, false},
		{"unreadable 2xx", &robokassa.APIError{Op: "Recurring", Status: 200, Message: "unexpected response"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, outcomeUnknown(tt.err))
		})
	}
}

var qrPattern = regexp.MustCompile(`id="pay-qr" src="data:image/png;base64,([^"]+)"`)

// decodeQR reads the payment QR code of an order page with gozxing, a
// decoder independent of the encoder.
func decodeQR(t *testing.T, page string) string {
	t.Helper()
	m := qrPattern.FindStringSubmatch(page)
	require.NotNil(t, m, "no QR code on the page")
	raw, err := base64.StdEncoding.DecodeString(htmlUnescape(m[1]))
	require.NoError(t, err)
	img, err := png.Decode(bytes.NewReader(raw))
	require.NoError(t, err)
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	require.NoError(t, err)
	res, err := zxqr.NewQRCodeReader().Decode(bmp, nil)
	require.NoError(t, err)
	return res.GetText()
}
