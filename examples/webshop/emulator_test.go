package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/robokassa-go/robokassa"
	"github.com/robokassa-go/robokassa/robokassatest"
)

// These tests run the shop as main does, against the embedded emulator,
// over HTTP without a browser.

// order buys a product through the shop's pages and opens its payment
// link, as the buyer's browser would: the emulator then knows the
// operation. It returns the InvId.
func order(t *testing.T, a *app, b *http.Client, productID string) int64 {
	t.Helper()
	resp, err := b.PostForm(a.ShopURL+"/buy", url.Values{"product": {productID}})
	require.NoError(t, err)
	body(t, resp)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	loc := resp.Header.Get("Location")
	inv, err := strconv.ParseInt(strings.TrimPrefix(loc, "/order/"), 10, 64)
	require.NoError(t, err, loc)
	resp, err = b.Get(a.ShopURL + loc)
	require.NoError(t, err)
	m := payLinkPattern.FindStringSubmatch(body(t, resp))
	require.NotNil(t, m, "no payment link on the order page")
	resp, err = b.Get(htmlUnescape(m[1]))
	require.NoError(t, err)
	page := body(t, resp)
	require.Contains(t, page, `id="pay"`, "the emulator's payment page")
	return inv
}

// paid orders a product and pays it on the emulator.
func paid(t *testing.T, a *app, b *http.Client, productID string) int64 {
	t.Helper()
	inv := order(t, a, b, productID)
	require.NoError(t, a.Emulator.Pay(inv))
	p, err := a.store.payment(context.Background(), inv)
	require.NoError(t, err)
	require.Equal(t, stateCompleted, p.State, "ResultURL is notified before Pay returns")
	return inv
}

// adminAction presses an admin button and returns the flash code and the
// InvId it names.
func adminAction(t *testing.T, a *app, action string, inv int64) (string, int64) {
	t.Helper()
	resp, err := browser(t).PostForm(a.ShopURL+"/admin/"+action, url.Values{"inv": {strconv.FormatInt(inv, 10)}})
	require.NoError(t, err)
	body(t, resp)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	u, err := url.Parse(resp.Header.Get("Location"))
	require.NoError(t, err)
	shown, err := strconv.ParseInt(u.Query().Get("inv"), 10, 64)
	require.NoError(t, err)
	return u.Query().Get("msg"), shown
}

func row(t *testing.T, a *app, inv int64) payment {
	t.Helper()
	p, err := a.store.payment(context.Background(), inv)
	require.NoError(t, err)
	return p
}

func buyerBalance(t *testing.T, a *app, inv int64) string {
	t.Helper()
	b, err := a.store.balance(context.Background(), row(t, a, inv).Buyer, false)
	require.NoError(t, err)
	return b.StringFixed(2)
}

// TestEmbeddedRedeliveredNotifications: the emulator sends the same
// notification fifty times at once; every copy is acknowledged and the
// payment is completed once.
func TestEmbeddedRedeliveredNotifications(t *testing.T) {
	a, rec := startEmbedded(t)
	inv := paid(t, a, browser(t), "topup-100")
	require.NoError(t, a.Emulator.Redeliver(inv, 50))
	assert.Equal(t, 1, rec.count("payment completed"))
	assert.Equal(t, 50, rec.count("duplicate notification ignored"))
	acknowledged := 0
	for _, d := range a.Emulator.Notifications() {
		if d.Kind == "ResultURL" && d.InvID == inv && d.OK {
			acknowledged++
		}
	}
	assert.Equal(t, 51, acknowledged)
	assert.Equal(t, "100.00", buyerBalance(t, a, inv))
}

// TestEmbeddedRefund: the admin's refund button, with the outcomes a
// money-moving call can have.
func TestEmbeddedRefund(t *testing.T) {
	t.Run("accepted, then refused as a second refund", func(t *testing.T) {
		a, rec := startEmbedded(t)
		inv := paid(t, a, browser(t), "topup-500")
		require.Equal(t, "500.00", buyerBalance(t, a, inv))

		code, shown := adminAction(t, a, "refund", inv)
		assert.Equal(t, "refund-accepted", code)
		assert.Equal(t, inv, shown)
		p := row(t, a, inv)
		assert.Contains(t, []string{"processing", "finished"}, p.RefundState)
		assert.NotEmpty(t, p.RefundRequestID)
		assert.Equal(t, "0.00", buyerBalance(t, a, inv))
		op, ok := a.Emulator.Operation(inv)
		require.True(t, ok)
		assert.Equal(t, "500.00", op.Refunded.StringFixed(2))

		code, _ = adminAction(t, a, "refund", inv)
		assert.Equal(t, "refund-exists", code)
		code, _ = adminAction(t, a, "refund-state", inv)
		assert.Equal(t, "refund-checked", code)
		assert.Equal(t, "finished", row(t, a, inv).RefundState)
		assert.Equal(t, 1, rec.count("refund accepted"))
	})

	t.Run("a pending payment", func(t *testing.T) {
		a, _ := startEmbedded(t)
		inv := order(t, a, browser(t), "topup-500")
		code, _ := adminAction(t, a, "refund", inv)
		assert.Equal(t, "refund-impossible", code)
		assert.Empty(t, row(t, a, inv).RefundState)
	})

	t.Run("already refunded elsewhere (the cabinet)", func(t *testing.T) {
		a, _ := startEmbedded(t)
		inv := paid(t, a, browser(t), "topup-500")
		op, ok := a.Emulator.Operation(inv)
		require.True(t, ok)
		_, err := a.Emulator.Client().Refund(context.Background(), robokassa.RefundRequest{OpKey: op.OpKey})
		require.NoError(t, err)
		code, _ := adminAction(t, a, "refund", inv)
		assert.Equal(t, "refund-impossible", code, "OpStateExt no longer reports it paid")
		p := row(t, a, inv)
		assert.Empty(t, p.RefundState, "nothing was sent: the refund row is gone")
		assert.Contains(t, p.Note, "refunded")
	})

	t.Run("OpStateExt unavailable", func(t *testing.T) {
		a, _ := startEmbedded(t)
		inv := paid(t, a, browser(t), "topup-500")
		a.Emulator.InjectFault(robokassatest.EndpointOpStateExt, robokassatest.Fault{Kind: robokassatest.Fault500, Count: 4})
		code, _ := adminAction(t, a, "refund", inv)
		assert.Equal(t, "refund-impossible", code)
		p := row(t, a, inv)
		assert.Empty(t, p.RefundState)
		assert.Contains(t, p.Note, "OpStateExt failed")
		op, _ := a.Emulator.Operation(inv)
		assert.True(t, op.Refunded.IsZero())
		code, _ = adminAction(t, a, "refund", inv)
		assert.Equal(t, "refund-accepted", code, "and it can be asked again")
	})

	for _, kind := range []robokassatest.FaultKind{robokassatest.Fault500, robokassatest.FaultDrop, robokassatest.FaultDropAfter, robokassatest.FaultGarbage} {
		t.Run("outcome unknown: "+kind.String(), func(t *testing.T) {
			a, rec := startEmbedded(t)
			inv := paid(t, a, browser(t), "topup-500")
			a.Emulator.InjectFault(robokassatest.EndpointRefund, robokassatest.Fault{Kind: kind})
			code, _ := adminAction(t, a, "refund", inv)
			assert.Equal(t, "refund-unknown", code)
			p := row(t, a, inv)
			assert.Equal(t, refundUnknown, p.RefundState)
			assert.Contains(t, p.Note, "refund outcome unknown")
			assert.Equal(t, "0.00", buyerBalance(t, a, inv), "money that may be on its way back is not spendable")
			code, _ = adminAction(t, a, "refund", inv)
			assert.Equal(t, "refund-exists", code, "never sent twice")
			assert.Equal(t, 1, rec.count("refund outcome unknown"))
		})
	}
}

// TestEmbeddedChargeNow: the admin's "charge now" button on a
// subscription.
func TestEmbeddedChargeNow(t *testing.T) {
	t.Run("accepted, completed by its own notification", func(t *testing.T) {
		a, rec := startEmbedded(t)
		parent := paid(t, a, browser(t), "monthly")
		code, child := adminAction(t, a, "charge", parent)
		require.Equal(t, "charge-accepted", code, rec.all())
		require.NotEqual(t, parent, child)
		require.Eventually(t, func() bool { return row(t, a, child).State == stateCompleted }, 5*time.Second, 20*time.Millisecond)
		p := row(t, a, child)
		assert.Equal(t, kindCharge, p.Kind)
		assert.Equal(t, parent, p.ParentInvID)
		assert.Equal(t, "299.00", p.Amount.StringFixed(2))
		op, ok := a.Emulator.Operation(child)
		require.True(t, ok)
		assert.Equal(t, parent, op.ParentInvID)
		assert.Equal(t, map[string]string{"order": strconv.FormatInt(p.OrderID, 10)}, op.Shp)
		assert.NotEmpty(t, op.Receipt, "the charge carries its receipt")
		assert.Equal(t, "0.00", buyerBalance(t, a, child), "a subscription is not balance")
	})

	t.Run("refused: the parent was refunded", func(t *testing.T) {
		a, _ := startEmbedded(t)
		parent := paid(t, a, browser(t), "monthly")
		code, _ := adminAction(t, a, "refund", parent)
		require.Equal(t, "refund-accepted", code)
		code, child := adminAction(t, a, "charge", parent)
		assert.Equal(t, "charge-refused", code)
		p := row(t, a, child)
		assert.Equal(t, stateFailed, p.State)
		assert.Contains(t, p.Note, "refused: robokassa: Recurring")
	})

	t.Run("not a subscription", func(t *testing.T) {
		a, _ := startEmbedded(t)
		inv := paid(t, a, browser(t), "topup-100")
		code, shown := adminAction(t, a, "charge", inv)
		assert.Equal(t, "charge-impossible", code)
		assert.Equal(t, inv, shown)
	})

	for _, kind := range []robokassatest.FaultKind{robokassatest.Fault500, robokassatest.FaultDrop, robokassatest.FaultGarbage} {
		t.Run("outcome unknown: "+kind.String(), func(t *testing.T) {
			a, _ := startEmbedded(t)
			parent := paid(t, a, browser(t), "monthly")
			a.Emulator.InjectFault(robokassatest.EndpointRecurring, robokassatest.Fault{Kind: kind})
			code, child := adminAction(t, a, "charge", parent)
			assert.Equal(t, "charge-unknown", code)
			p := row(t, a, child)
			assert.Equal(t, statePending, p.State, "its notification, if any, will complete it")
			assert.Contains(t, p.Note, "outcome unknown")
		})
	}
}

// syncBuffer is a bytes.Buffer safe for a writer and a reader in two
// goroutines.
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

// TestRun: the command prints both URLs, serves, and shuts down on
// cancellation (SIGINT and SIGTERM cancel main's context).
func TestRun(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	db := filepath.Join(t.TempDir(), "shop.db")
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-db", db}, func(string) string { return "" }, &stdout, &stderr)
	}()
	require.Eventually(t, func() bool { return strings.Contains(stdout.String(), "Press Ctrl+C") }, 10*time.Second, 10*time.Millisecond, stderr.String())
	out := stdout.String()
	shopURL := field(t, out, "Demo shop:")
	emuURL := field(t, out, "Robokassa:")
	assert.Contains(t, out, "the embedded emulator")
	assert.Contains(t, out, "Database:   "+db)

	resp, err := http.Get(shopURL)
	require.NoError(t, err)
	assert.Contains(t, body(t, resp), "embedded emulator at "+emuURL)
	resp, err = http.Get(emuURL + "/Merchant/Index.aspx")
	require.NoError(t, err)
	body(t, resp)
	assert.Equal(t, http.StatusOK, resp.StatusCode, "the emulator answers (with its error page)")

	cancel()
	select {
	case code := <-done:
		assert.Equal(t, 0, code, stderr.String())
	case <-time.After(15 * time.Second):
		t.Fatal("run did not return after cancellation")
	}
	assert.Contains(t, stderr.String(), "shutting down")
	_, err = http.Get(shopURL)
	assert.Error(t, err, "the shop no longer listens")
}

// field returns the first word after label on its line of out.
func field(t *testing.T, out, label string) string {
	t.Helper()
	for _, line := range strings.Split(out, "\n") {
		if rest, ok := strings.CutPrefix(line, label); ok {
			if f := strings.Fields(rest); len(f) > 0 {
				return strings.TrimSuffix(f[0], "/")
			}
		}
	}
	t.Fatalf("no %q line in:\n%s", label, out)
	return ""
}

// TestRunFlags: bad flags and incomplete credentials stop the command
// with a message naming what is missing, and no secret.
func TestRunFlags(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		code int
		want string
	}{
		{"unknown flag", []string{"-nope"}, nil, 2, "flag provided but not defined"},
		{"stray argument", []string{"extra"}, nil, 2, `unexpected argument "extra"`},
		{"production without passwords", []string{"-addr", "127.0.0.1:0"},
			map[string]string{"ROBOKASSA_LOGIN": "shop", "ROBOKASSA_PASSWORD1": "p1-secret"}, 1,
			"ROBOKASSA_PASSWORD2, WEBSHOP_ADMIN_PASSWORD"},
		{"test mode needs the test pair", []string{"-addr", "127.0.0.1:0"},
			map[string]string{"ROBOKASSA_LOGIN": "shop", "ROBOKASSA_TEST": "1", "ROBOKASSA_PASSWORD1": "p1-secret", "ROBOKASSA_PASSWORD2": "p2-secret"}, 1,
			"ROBOKASSA_TEST_PASSWORD1, ROBOKASSA_TEST_PASSWORD2"},
		{"bad test flag", []string{"-addr", "127.0.0.1:0"}, map[string]string{"ROBOKASSA_LOGIN": "shop", "ROBOKASSA_TEST": "yes"}, 1, "ROBOKASSA_TEST must be 1"},
		{"bad algorithm", []string{"-addr", "127.0.0.1:0"},
			map[string]string{"ROBOKASSA_LOGIN": "shop", "ROBOKASSA_TEST": "1", "ROBOKASSA_TEST_PASSWORD1": "t1-secret", "ROBOKASSA_TEST_PASSWORD2": "t2-secret", "ROBOKASSA_ALGORITHM": "CRC32"}, 1,
			"Config.Algorithm"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr syncBuffer
			args := append([]string{"-db", filepath.Join(t.TempDir(), "shop.db")}, tt.args...)
			code := run(context.Background(), args, func(k string) string { return tt.env[k] }, &stdout, &stderr)
			assert.Equal(t, tt.code, code)
			assert.Contains(t, stderr.String(), tt.want)
			for _, v := range tt.env {
				if strings.Contains(v, "secret") {
					assert.NotContains(t, stderr.String()+stdout.String(), v)
				}
			}
		})
	}
}

// TestEmbeddedSuccessWithoutResult: if the ResultURL notification has
// not arrived when the buyer comes back, the success page says so and
// reloads the order page, which shows the payment once it is completed.
func TestEmbeddedSuccessWithoutResult(t *testing.T) {
	a, _ := startEmbedded(t)
	b := browser(t)
	inv := order(t, a, b, "topup-500")
	cfg := a.Emulator.ClientConfig()
	n := robokassa.Notification{OutSum: decimal.RequireFromString("500"), InvID: inv, Shp: map[string]string{"order": strconv.FormatInt(row(t, a, inv).OrderID, 10)}}
	resp, err := b.Get(a.ShopURL + pathSuccess + "?" + robokassatest.SuccessForm(cfg, n).Encode())
	require.NoError(t, err)
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Contains(t, string(page), `id="waiting"`)
	assert.Contains(t, string(page), `url=/order/`+strconv.FormatInt(inv, 10))
}
