package robokassa_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/robokassa-go/robokassa"
	"github.com/robokassa-go/robokassa/robokassatest"
)

// shop2 is a shop's ResultUrl2 endpoint: the SDK's ResultURL2Handler on
// an httptest server, recording what it accepted.
type shop2 struct {
	srv *httptest.Server
	mu  sync.Mutex
	got []*robokassa.PaymentStateNotification
}

func newShop2(t *testing.T, c *robokassa.Client, key *rsa.PublicKey) *shop2 {
	t.Helper()
	s := &shop2{}
	h, err := c.ResultURL2Handler(key, func(ctx context.Context, n *robokassa.PaymentStateNotification) error {
		assert.NotNil(t, ctx)
		s.mu.Lock()
		s.got = append(s.got, n)
		s.mu.Unlock()
		return nil
	})
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.Handle("/robokassa/result2", h)
	s.srv = httptest.NewServer(mux)
	t.Cleanup(s.srv.Close)
	return s
}

func (s *shop2) accepted() []*robokassa.PaymentStateNotification {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*robokassa.PaymentStateNotification(nil), s.got...)
}

// resultURL2Deliveries are the emulator's ResultUrl2 notifications.
func resultURL2Deliveries(e *emulator) []robokassatest.Delivery {
	var out []robokassatest.Delivery
	for _, d := range e.Notifications() {
		if d.Kind == robokassatest.KindResultURL2 {
			out = append(out, d)
		}
	}
	return out
}

// TestResultURL2Protocol: the emulator signs ResultUrl2 notifications
// (RS256, spec §4.4) with a key of its own; the SDK's handler verifies
// them with the emulator's public key, and the emulator sees them
// acknowledged. A handler holding another key refuses every attempt.
func TestResultURL2Protocol(t *testing.T) {
	e := newEmulator(t)
	// The handler's account of what it refused goes nowhere.
	c := e.client(t, func(cfg *robokassa.Config) { cfg.Logger = slog.New(slog.DiscardHandler) })
	shop := newShop2(t, c, e.ResultURL2Key())
	result2 := shop.srv.URL + "/robokassa/result2"

	e.pay(t, c, robokassa.Payment{OutSum: d("10"), InvID: 12, StepByStep: true, ResultURL2: result2})
	require.NoError(t, e.Wait(bg(t)))
	require.NoError(t, c.ConfirmHold(bg(t), robokassa.HoldCapture{InvID: 12, OutSum: d("10")}))
	require.NoError(t, e.Wait(bg(t)), "the capture's notification follows the answer")
	e.pay(t, c, robokassa.Payment{OutSum: d("990.50"), InvID: 13, ResultURL2: result2})
	require.NoError(t, e.Wait(bg(t)))

	op12, _ := e.Operation(12)
	op13, _ := e.Operation(13)
	got := shop.accepted()
	require.Len(t, got, 3, "held, captured, paid")
	for i, want := range []struct {
		op    robokassatest.Operation
		state string
		sum   string
	}{{op12, "HOLD", "10"}, {op12, "OK", "10"}, {op13, "OK", "990.50"}} {
		n := got[i]
		assert.Equal(t, "PaymentStateNotification", n.Type)
		assert.Equal(t, emuLogin, n.Shop)
		assert.Equal(t, want.op.InvID, n.InvID)
		assert.Equal(t, want.op.OpKey, n.OpKey)
		assert.Equal(t, robokassa.NotificationState(want.state), n.State)
		assert.True(t, n.IncSum.Equal(d(want.sum)), "IncSum %s", n.IncSum)
		assert.Equal(t, want.op.PaymentMethod, n.PaymentMethod)
	}

	deliveries := resultURL2Deliveries(e)
	require.Len(t, deliveries, 3)
	for _, dl := range deliveries {
		assert.True(t, dl.OK, "acknowledged")
		require.Len(t, dl.Attempts, 1)
		assert.Equal(t, http.StatusOK, dl.Attempts[0].Status)
		assert.Equal(t, "OK", dl.Attempts[0].Body)
		n, err := c.VerifyResultURL2([]byte(dl.Body), e.ResultURL2Key())
		require.NoError(t, err, "the body the emulator sent verifies on its own")
		assert.Equal(t, dl.InvID, n.InvID)
	}

	t.Run("another key", func(t *testing.T) {
		forger, err := rsa.GenerateKey(rand.Reader, 2048)
		require.NoError(t, err)
		other := newShop2(t, c, &forger.PublicKey)
		e.pay(t, c, robokassa.Payment{OutSum: d("5"), InvID: 14, ResultURL2: other.srv.URL + "/robokassa/result2"})
		require.NoError(t, e.Wait(bg(t)))
		assert.Empty(t, other.accepted(), "nothing signed with the emulator's key verifies with another")
		var d14 *robokassatest.Delivery
		for _, dl := range resultURL2Deliveries(e) {
			if dl.InvID == 14 {
				d14 = &dl
			}
		}
		require.NotNil(t, d14)
		assert.False(t, d14.OK)
		require.NotEmpty(t, d14.Attempts)
		for _, a := range d14.Attempts {
			assert.Equal(t, http.StatusBadRequest, a.Status, "refused, and refused again on every retry")
		}
	})
}
