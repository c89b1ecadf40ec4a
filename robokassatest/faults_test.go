package robokassatest_test

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/robokassa-go/robokassa"
	"github.com/robokassa-go/robokassa/robokassatest"
)

// requestCounter is a slog handler that counts the server's request
// lines by endpoint: how many times the SDK really called.
type requestCounter struct {
	mu    sync.Mutex
	calls map[string]int
	lines []string
}

func (c *requestCounter) Enabled(context.Context, slog.Level) bool { return true }
func (c *requestCounter) WithAttrs([]slog.Attr) slog.Handler       { return c }
func (c *requestCounter) WithGroup(string) slog.Handler            { return c }
func (c *requestCounter) Handle(_ context.Context, r slog.Record) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	line := r.Message
	r.Attrs(func(a slog.Attr) bool {
		line += " " + a.Key + "=" + a.Value.String()
		if r.Message == "robokassatest: request" && a.Key == "endpoint" {
			c.calls[a.Value.String()]++
		}
		return true
	})
	c.lines = append(c.lines, line)
	return nil
}

func (c *requestCounter) count(ep robokassatest.Endpoint) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.calls[string(ep)]
}

// paidWithCounter starts a shop and a server with a request counter and a
// paid recurring parent (InvId 1) and a held payment (InvId 2).
func paidWithCounter(t *testing.T) (*robokassatest.Server, *requestCounter, string) {
	counter := &requestCounter{calls: map[string]int{}}
	srv, shop := setupFull(t, nil, func(s *robokassatest.Server) { s.Logger = slog.New(counter) }, nil)
	c := srv.Client()
	link, err := c.PaymentURL(robokassa.Payment{OutSum: dec("100"), InvID: 1, Recurring: true})
	require.NoError(t, err)
	require.NoError(t, pageThenPay(t, srv, link))
	link = holdLink(t, srv, shop, 2, "100")
	require.NoError(t, pageThenPay(t, srv, link))
	op, _ := srv.Operation(1)
	return srv, counter, op.OpKey
}

// TestFaultsMoneyCallsSentOnce: under a 500 or a dropped connection, every
// call that moves money is sent exactly once; reads are retried and get
// through.
func TestFaultsMoneyCallsSentOnce(t *testing.T) {
	tests := []struct {
		name  string
		ep    robokassatest.Endpoint
		fault robokassatest.Fault
		call  func(c *robokassa.Client, opKey string) error
		calls int  // requests the server saw
		ok    bool // the call succeeds in the end
	}{
		{"Recurring 500", robokassatest.EndpointRecurring, robokassatest.Fault{Kind: robokassatest.Fault500},
			func(c *robokassa.Client, _ string) error {
				return c.Recurring(context.Background(), robokassa.RecurringPayment{PreviousInvID: 1, InvID: 10, OutSum: dec("1")})
			}, 1, false},
		{"Recurring drop", robokassatest.EndpointRecurring, robokassatest.Fault{Kind: robokassatest.FaultDrop},
			func(c *robokassa.Client, _ string) error {
				return c.Recurring(context.Background(), robokassa.RecurringPayment{PreviousInvID: 1, InvID: 11, OutSum: dec("1")})
			}, 1, false},
		{"Confirm 500", robokassatest.EndpointConfirm, robokassatest.Fault{Kind: robokassatest.Fault500},
			func(c *robokassa.Client, _ string) error {
				return c.ConfirmHold(context.Background(), robokassa.HoldCapture{InvID: 2, OutSum: dec("100")})
			}, 1, false},
		{"Cancel drop", robokassatest.EndpointCancel, robokassatest.Fault{Kind: robokassatest.FaultDrop},
			func(c *robokassa.Client, _ string) error { return c.CancelHold(context.Background(), 2) }, 1, false},
		{"CreateInvoice 500", robokassatest.EndpointInvoice, robokassatest.Fault{Kind: robokassatest.Fault500},
			func(c *robokassa.Client, _ string) error {
				_, err := c.CreateInvoice(context.Background(), robokassa.Invoice{Type: robokassa.InvoiceOneTime, OutSum: dec("5")})
				return err
			}, 1, false},
		{"Refund drop", robokassatest.EndpointRefund, robokassatest.Fault{Kind: robokassatest.FaultDrop},
			func(c *robokassa.Client, k string) error {
				_, err := c.Refund(context.Background(), robokassa.RefundRequest{OpKey: k, Sum: decimal.NewNullDecimal(dec("1"))})
				return err
			}, 1, false},
		{"AttachReceipt 500", robokassatest.EndpointReceiptAttach, robokassatest.Fault{Kind: robokassatest.Fault500},
			func(c *robokassa.Client, _ string) error {
				_, err := c.AttachReceipt(context.Background(), secondReceipt(1))
				return err
			}, 1, false},
		{"OpState retried past two 500s", robokassatest.EndpointOpStateExt, robokassatest.Fault{Kind: robokassatest.Fault500, Count: 2},
			func(c *robokassa.Client, _ string) error { _, err := c.OpState(context.Background(), 1); return err }, 3, true},
		{"OpState retried past a drop", robokassatest.EndpointOpStateExt, robokassatest.Fault{Kind: robokassatest.FaultDrop},
			func(c *robokassa.Client, _ string) error { _, err := c.OpState(context.Background(), 1); return err }, 2, true},
		{"Currencies retried past a 500", robokassatest.EndpointWebService, robokassatest.Fault{Kind: robokassatest.Fault500},
			func(c *robokassa.Client, _ string) error {
				_, err := c.Currencies(context.Background(), "en")
				return err
			}, 2, true},
		{"Invoices retried past a drop", robokassatest.EndpointInvoice, robokassatest.Fault{Kind: robokassatest.FaultDrop},
			func(c *robokassa.Client, _ string) error {
				_, err := c.Invoices(context.Background(), robokassa.InvoiceQuery{})
				return err
			}, 2, true},
		{"ReceiptStatus retried past a 500", robokassatest.EndpointReceiptStatus, robokassatest.Fault{Kind: robokassatest.Fault500},
			func(c *robokassa.Client, _ string) error {
				_, err := c.ReceiptStatus(context.Background(), "nope")
				if errors.Is(err, robokassa.ErrNotFound) {
					return nil // reached the server and got its answer
				}
				return err
			}, 2, true},
		{"garbage is not retried", robokassatest.EndpointWebService, robokassatest.Fault{Kind: robokassatest.FaultGarbage},
			func(c *robokassa.Client, _ string) error { _, err := c.Limit(context.Background()); return err }, 1, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv, counter, opKey := paidWithCounter(t)
			before := counter.count(tc.ep)
			srv.InjectFault(tc.ep, tc.fault)
			err := tc.call(srv.Client(), opKey)
			if tc.ok {
				assert.NoError(t, err)
			} else {
				var apiErr *robokassa.APIError
				assert.ErrorAs(t, err, &apiErr)
			}
			assert.Equal(t, tc.calls, counter.count(tc.ep)-before, "requests the server saw")
		})
	}
}

func secondReceipt(origin int64) robokassa.SecondReceipt {
	return robokassa.SecondReceipt{
		ID: "r-" + decimal.NewFromInt(origin).String(), OriginInvID: origin, URL: "https://shop.example", Total: dec("100"),
		Email: "b@example.com",
		Items: []robokassa.ReceiptItem{{Name: "Tea", Quantity: decimal.NewFromInt(1), Sum: dec("100"), Tax: robokassa.TaxNone}},
	}
}

// TestFaultDelayPastDeadline: the client gives up, the server still does
// the work, as a real one would: the reason to check before repeating.
func TestFaultDelayPastDeadline(t *testing.T) {
	srv, _, _ := paidWithCounter(t)
	srv.InjectFault(robokassatest.EndpointRecurring, robokassatest.Fault{Kind: robokassatest.FaultDelay, Delay: 300 * time.Millisecond})
	c, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err := srv.Client().Recurring(c, robokassa.RecurringPayment{PreviousInvID: 1, InvID: 20, OutSum: dec("1")})
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.Eventually(t, func() bool {
		op, ok := srv.Operation(20)
		return ok && op.State == robokassa.StatePaid
	}, 5*time.Second, 10*time.Millisecond, "the charge went through after the client left")
}

// TestFaultDropAfter: the money moved, the answer was lost.
func TestFaultDropAfter(t *testing.T) {
	srv, _, opKey := paidWithCounter(t)
	srv.InjectFault(robokassatest.EndpointRefund, robokassatest.Fault{Kind: robokassatest.FaultDropAfter})
	_, err := srv.Client().Refund(context.Background(), robokassa.RefundRequest{OpKey: opKey, Sum: decimal.NewNullDecimal(dec("30"))})
	require.Error(t, err)
	op, _ := srv.Operation(1)
	assert.True(t, op.Refunded.Equal(dec("30")), "refunded although the client saw an error")
}

// TestFaultCount: a fault lasts Count calls, then the endpoint behaves;
// faults armed for one endpoint are used in order.
func TestFaultCount(t *testing.T) {
	srv, counter, _ := paidWithCounter(t)
	srv.InjectFault(robokassatest.EndpointWebService, robokassatest.Fault{Kind: robokassatest.FaultGarbage, Count: 2})
	srv.InjectFault(robokassatest.EndpointWebService, robokassatest.Fault{Kind: robokassatest.Fault500})
	c := srv.Client()
	for i := 0; i < 2; i++ {
		_, err := c.Limit(context.Background())
		assert.Error(t, err, "garbage %d", i)
	}
	limit, err := c.Limit(context.Background()) // a 500, retried, then the answer
	require.NoError(t, err)
	assert.True(t, limit.Equal(dec("600000")))
	assert.Equal(t, 4, counter.count(robokassatest.EndpointWebService))
	for _, k := range []robokassatest.FaultKind{robokassatest.Fault500, robokassatest.FaultDrop, robokassatest.FaultDelay,
		robokassatest.FaultGarbage, robokassatest.FaultDropAfter, 0} {
		assert.NotEmpty(t, k.String())
	}
}
