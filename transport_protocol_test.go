package robokassa_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptrace"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/robokassa-go/robokassa"
	"github.com/robokassa-go/robokassa/robokassatest"
)

// The transport's once-only and retry rules, with the faults injected by
// the emulator (Server.InjectFault): a call that moves money or creates
// something is sent exactly once, whatever happens to it; a read is
// retried on a 5xx answer or a network error, never on an answer it
// cannot use, and never once its context is done. Faults the emulator
// cannot produce (4xx other than 404, a truncated or oversized body, a
// stalled body) are http_test.go's, against a generic misbehaving server.

// emuCall is one remote call of the SDK, set up against the emulator.
type emuCall struct {
	name  string
	ep    robokassatest.Endpoint
	money bool
	// prepare creates what the call acts on (a paid parent, a held
	// payment, an invoice, …), using n for fresh ids, and returns the
	// call and, for a money call, a report of whether it took effect on
	// the emulator.
	prepare func(t *testing.T, e *emulator, c *robokassa.Client, n int64) (do func(context.Context) error, done func() bool)
}

// testReceipt is a second receipt of 10.00 for the payment originID.
func testReceipt(id string, originID int64) robokassa.SecondReceipt {
	return robokassa.SecondReceipt{ID: id, OriginInvID: originID, URL: "https://shop.example", Total: d("10"),
		Email: "buyer@example.com", Items: []robokassa.ReceiptItem{{Name: "Item", Quantity: d("1"), Sum: d("10"), Tax: robokassa.TaxNone}}}
}

// opKeyOf is the OpKey of the emulator's operation.
func opKeyOf(t *testing.T, e *emulator, invID int64) string {
	t.Helper()
	op, ok := e.Operation(invID)
	require.True(t, ok)
	require.NotEmpty(t, op.OpKey)
	return op.OpKey
}

// invoiceByInvID finds an invoice in the list, as the emulator reports it.
func invoiceByInvID(t *testing.T, c *robokassa.Client, invID int64) (robokassa.InvoiceInfo, bool) {
	t.Helper()
	page, err := c.Invoices(bg(t), robokassa.InvoiceQuery{Keywords: strconv.FormatInt(invID, 10), PageSize: 1000})
	require.NoError(t, err)
	for _, inv := range page.Invoices {
		if inv.InvID == invID {
			return inv, true
		}
	}
	return robokassa.InvoiceInfo{}, false
}

func emuCalls() []emuCall {
	stateIs := func(e *emulator, id int64, want robokassa.State) func() bool {
		return func() bool { op, ok := e.Operation(id); return ok && op.State == want }
	}
	return []emuCall{
		{"Recurring", robokassatest.EndpointRecurring, true, func(t *testing.T, e *emulator, c *robokassa.Client, n int64) (func(context.Context) error, func() bool) {
			e.pay(t, c, robokassa.Payment{OutSum: d("10"), InvID: n, Recurring: true})
			return func(ctx context.Context) error {
				return c.Recurring(ctx, robokassa.RecurringPayment{PreviousInvID: n, InvID: n + 1, OutSum: d("10")})
			}, stateIs(e, n+1, robokassa.StatePaid)
		}},
		{"ConfirmHold", robokassatest.EndpointConfirm, true, func(t *testing.T, e *emulator, c *robokassa.Client, n int64) (func(context.Context) error, func() bool) {
			e.pay(t, c, robokassa.Payment{OutSum: d("10"), InvID: n, StepByStep: true})
			return func(ctx context.Context) error {
				return c.ConfirmHold(ctx, robokassa.HoldCapture{InvID: n, OutSum: d("10")})
			}, stateIs(e, n, robokassa.StatePaid)
		}},
		{"CancelHold", robokassatest.EndpointCancel, true, func(t *testing.T, e *emulator, c *robokassa.Client, n int64) (func(context.Context) error, func() bool) {
			e.pay(t, c, robokassa.Payment{OutSum: d("10"), InvID: n, StepByStep: true})
			return func(ctx context.Context) error { return c.CancelHold(ctx, n) }, stateIs(e, n, robokassa.StateRefunded)
		}},
		{"CreateInvoice", robokassatest.EndpointInvoice, true, func(t *testing.T, e *emulator, c *robokassa.Client, n int64) (func(context.Context) error, func() bool) {
			return func(ctx context.Context) error {
					_, err := c.CreateInvoice(ctx, robokassa.Invoice{Type: robokassa.InvoiceOneTime, InvID: n, OutSum: d("10")})
					return err
				}, func() bool {
					_, ok := invoiceByInvID(t, c, n)
					return ok
				}
		}},
		{"DeactivateInvoice", robokassatest.EndpointInvoice, true, func(t *testing.T, e *emulator, c *robokassa.Client, n int64) (func(context.Context) error, func() bool) {
			_, err := c.CreateInvoice(bg(t), robokassa.Invoice{Type: robokassa.InvoiceOneTime, InvID: n, OutSum: d("10")})
			require.NoError(t, err)
			return func(ctx context.Context) error { return c.DeactivateInvoice(ctx, robokassa.InvoiceRef{InvID: n}) },
				func() bool {
					inv, ok := invoiceByInvID(t, c, n)
					return ok && inv.State == robokassa.InvoiceStateExpired
				}
		}},
		{"Refund", robokassatest.EndpointRefund, true, func(t *testing.T, e *emulator, c *robokassa.Client, n int64) (func(context.Context) error, func() bool) {
			e.pay(t, c, robokassa.Payment{OutSum: d("10"), InvID: n})
			key := opKeyOf(t, e, n)
			return func(ctx context.Context) error {
				_, err := c.Refund(ctx, robokassa.RefundRequest{OpKey: key})
				return err
			}, stateIs(e, n, robokassa.StateRefunded)
		}},
		{"AttachReceipt", robokassatest.EndpointReceiptAttach, true, func(t *testing.T, e *emulator, c *robokassa.Client, n int64) (func(context.Context) error, func() bool) {
			e.pay(t, c, robokassa.Payment{OutSum: d("10"), InvID: n})
			return func(ctx context.Context) error {
					_, err := c.AttachReceipt(ctx, testReceipt("r"+strconv.FormatInt(n, 10), n))
					return err
				}, func() bool {
					op, ok := e.Operation(n)
					return ok && op.SecondReceipts == 1
				}
		}},
		{"OpStateExt", robokassatest.EndpointOpStateExt, false, func(t *testing.T, e *emulator, c *robokassa.Client, n int64) (func(context.Context) error, func() bool) {
			e.pay(t, c, robokassa.Payment{OutSum: d("10"), InvID: n})
			return func(ctx context.Context) error {
				st, err := c.OpState(ctx, n)
				if err == nil {
					assert.Equal(t, robokassa.StatePaid, st.State)
				}
				return err
			}, nil
		}},
		{"GetCurrencies", robokassatest.EndpointWebService, false, func(t *testing.T, e *emulator, c *robokassa.Client, n int64) (func(context.Context) error, func() bool) {
			return func(ctx context.Context) error {
				g, err := c.Currencies(ctx, "")
				if err == nil {
					assert.NotEmpty(t, g)
				}
				return err
			}, nil
		}},
		{"GetLimit", robokassatest.EndpointWebService, false, func(t *testing.T, e *emulator, c *robokassa.Client, n int64) (func(context.Context) error, func() bool) {
			return func(ctx context.Context) error {
				limit, err := c.Limit(ctx)
				if err == nil {
					assert.True(t, d("600000").Equal(limit), limit.String())
				}
				return err
			}, nil
		}},
		{"GetInvoiceInformationList", robokassatest.EndpointInvoice, false, func(t *testing.T, e *emulator, c *robokassa.Client, n int64) (func(context.Context) error, func() bool) {
			return func(ctx context.Context) error {
				_, err := c.Invoices(ctx, robokassa.InvoiceQuery{})
				return err
			}, nil
		}},
		{"RefundStatus", robokassatest.EndpointRefundState, false, func(t *testing.T, e *emulator, c *robokassa.Client, n int64) (func(context.Context) error, func() bool) {
			e.pay(t, c, robokassa.Payment{OutSum: d("10"), InvID: n})
			ticket, err := c.Refund(bg(t), robokassa.RefundRequest{OpKey: opKeyOf(t, e, n)})
			require.NoError(t, err)
			return func(ctx context.Context) error {
				st, err := c.RefundStatus(ctx, ticket.RequestID)
				if err == nil {
					assert.Equal(t, robokassa.RefundStateFinished, st.State)
				}
				return err
			}, nil
		}},
		{"ReceiptStatus", robokassatest.EndpointReceiptStatus, false, func(t *testing.T, e *emulator, c *robokassa.Client, n int64) (func(context.Context) error, func() bool) {
			e.pay(t, c, robokassa.Payment{OutSum: d("10"), InvID: n})
			id := "r" + strconv.FormatInt(n, 10)
			_, err := c.AttachReceipt(bg(t), testReceipt(id, n))
			require.NoError(t, err)
			return func(ctx context.Context) error {
				st, err := c.ReceiptStatus(ctx, id)
				if err == nil {
					assert.Equal(t, robokassa.ReceiptCodeRegistered, st.Code)
				}
				return err
			}, nil
		}},
	}
}

// TestMoneyCallsSentOnceUnderFaults: a money call that meets a 500, a
// dropped connection (before or after the money moved) or garbage is an
// *APIError and reached Robokassa exactly once.
func TestMoneyCallsSentOnceUnderFaults(t *testing.T) {
	e := newEmulator(t)
	c := e.client(t)
	faults := []struct {
		kind   robokassatest.FaultKind
		status int  // APIError.Status
		done   bool // the emulator carried the request out
	}{
		{robokassatest.Fault500, http.StatusInternalServerError, false},
		{robokassatest.FaultDrop, 0, false},
		{robokassatest.FaultDropAfter, 0, true},
		{robokassatest.FaultGarbage, http.StatusOK, false},
	}
	n := int64(1000)
	for _, f := range faults {
		for _, call := range emuCalls() {
			if !call.money {
				continue
			}
			n += 10
			t.Run(f.kind.String()+"/"+call.name, func(t *testing.T) {
				do, done := call.prepare(t, e, c, n)
				before := e.hits(call.ep)
				e.InjectFault(call.ep, robokassatest.Fault{Kind: f.kind})
				err := do(bg(t))
				assert.Equal(t, before+1, e.hits(call.ep), "sent exactly once, never retried")
				ae := requireAPIError(t, err, call.name)
				assert.Equal(t, f.status, ae.Status)
				switch f.status {
				case 0:
					assert.Error(t, ae.Err, "a transport failure carries its cause")
				case http.StatusInternalServerError:
					assert.Equal(t, http.StatusText(f.status), ae.Message)
				}
				assert.Equal(t, f.done, done(), "the money moved exactly when the emulator carried the request out")
			})
		}
	}
}

// TestMoneyCallNotResentOnReusedConnection: a dropped keep-alive
// connection is where an HTTP client is tempted to resend; the money call
// still goes out once.
func TestMoneyCallNotResentOnReusedConnection(t *testing.T) {
	e := newEmulator(t)
	c := e.client(t)
	e.pay(t, c, robokassa.Payment{OutSum: d("10"), InvID: 1, Recurring: true})
	// Warm the connection with a read, then drop the charge on it.
	_, err := c.OpState(bg(t), 1)
	require.NoError(t, err)
	e.InjectFault(robokassatest.EndpointRecurring, robokassatest.Fault{Kind: robokassatest.FaultDrop})
	err = c.Recurring(bg(t), robokassa.RecurringPayment{PreviousInvID: 1, InvID: 2, OutSum: d("10")})
	requireAPIError(t, err, "Recurring")
	assert.Equal(t, 1, e.hits(robokassatest.EndpointRecurring), "exactly one attempt")
	assert.Equal(t, 1, e.hits(robokassatest.EndpointOpStateExt), "the warm-up")
}

// armed is one prepared call: its own emulator with a fault armed, the
// context to call it with, and, once run, its result.
type armed struct {
	name string
	call emuCall
	e    *emulator
	do   func(context.Context) error
	// ctx makes the call's context when the call starts: a deadline
	// runs from then, not from when the case was prepared.
	ctx    func() (context.Context, context.CancelFunc)
	before int // hits at call.ep before the call
	sent   int // recorded requests before the call
	err    error
	wrote  *atomic.Int32 // requests that went on the wire, when traced
}

// arm prepares call on an emulator of its own and arms fault on it.
func arm(t *testing.T, name string, call emuCall, fault robokassatest.Fault) *armed {
	t.Helper()
	e := newEmulator(t)
	do, _ := call.prepare(t, e, e.client(t), 10)
	a := &armed{name: name, call: call, e: e, do: do, before: e.hits(call.ep), sent: e.rec.len(),
		ctx: func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 30*time.Second)
		}}
	e.InjectFault(call.ep, fault)
	return a
}

// runOverlapped makes the calls at once, so that the waits they meet (the
// transport's backoff, the emulator's delays) overlap and the test takes
// the longest of them, not their sum.
func runOverlapped(cases []*armed) {
	var wg sync.WaitGroup
	for _, a := range cases {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := a.ctx()
			defer cancel()
			a.err = a.do(ctx)
		}()
	}
	wg.Wait()
}

// reads are the calls that only read.
func reads() []emuCall {
	var out []emuCall
	for _, c := range emuCalls() {
		if !c.money {
			out = append(out, c)
		}
	}
	return out
}

// TestReadsRetriedUnderFaults: a read that meets a 500 or a dropped
// connection (before or after the server did its work) is sent again, the
// same request, and succeeds; an answer it cannot use is not a reason to
// retry.
func TestReadsRetriedUnderFaults(t *testing.T) {
	var cases []*armed
	for _, kind := range []robokassatest.FaultKind{robokassatest.Fault500, robokassatest.FaultDrop, robokassatest.FaultDropAfter, robokassatest.FaultGarbage} {
		for _, call := range reads() {
			cases = append(cases, arm(t, kind.String()+"/"+call.name, call, robokassatest.Fault{Kind: kind}))
		}
	}
	runOverlapped(cases)
	for _, a := range cases {
		t.Run(a.name, func(t *testing.T) {
			e, ep := a.e, a.call.ep
			if strings.HasPrefix(a.name, robokassatest.FaultGarbage.String()) {
				ae := requireAPIError(t, a.err, a.call.name)
				assert.Equal(t, http.StatusOK, ae.Status)
				assert.Contains(t, ae.Message, "malformed response")
				assert.Equal(t, a.before+1, e.hits(ep), "a 200 answer is not retried")
				return
			}
			require.NoError(t, a.err)
			assert.Equal(t, a.before+2, e.hits(ep), "one retry")
			// The SDK resends, or for a GET on a reused connection
			// net/http does it first: either way the same request.
			sent := e.rec.since(a.sent)
			require.NotEmpty(t, sent)
			assert.LessOrEqual(t, len(sent), 2)
			for _, again := range sent[1:] {
				assert.Equal(t, sent[0], again, "the retry sends the same request")
			}
		})
	}
}

// TestReadsGiveUp: a read answered 500 every time is sent RetryAttempts
// times and then reported with the last status.
func TestReadsGiveUp(t *testing.T) {
	var cases []*armed
	for _, call := range reads() {
		cases = append(cases, arm(t, call.name, call, robokassatest.Fault{Kind: robokassatest.Fault500, Count: robokassa.RetryAttempts}))
	}
	runOverlapped(cases)
	for _, a := range cases {
		t.Run(a.name, func(t *testing.T) {
			ae := requireAPIError(t, a.err, a.call.name)
			assert.Equal(t, http.StatusInternalServerError, ae.Status)
			assert.Equal(t, a.before+robokassa.RetryAttempts, a.e.hits(a.call.ep))
		})
	}
}

// TestCallsStopAtDeadline: an answer that comes after the caller's
// deadline, or after it cancelled, is not waited for, and nothing is
// retried once the context is done.
func TestCallsStopAtDeadline(t *testing.T) {
	var cases []*armed
	for _, call := range emuCalls() {
		for _, cancelled := range []bool{false, true} {
			name := "deadline/" + call.name
			if cancelled {
				name = "cancelled/" + call.name
			}
			// The emulator answers after the delay, or when it closes; a
			// client that gave up never reads the answer.
			a := arm(t, name, call, robokassatest.Fault{Kind: robokassatest.FaultDelay, Delay: 300 * time.Millisecond})
			a.wrote = new(atomic.Int32)
			a.ctx = func() (context.Context, context.CancelFunc) {
				timeout := 100 * time.Millisecond
				if cancelled {
					timeout = 30 * time.Second // the cancel ends it
				}
				ctx, cancel := context.WithTimeout(context.Background(), timeout)
				// wrote counts the requests that went on the wire whole;
				// when cancelled, the context ends right after the first.
				return httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{WroteRequest: func(w httptrace.WroteRequestInfo) {
					if w.Err == nil {
						a.wrote.Add(1)
					}
					if cancelled && w.Err == nil {
						cancel()
					}
				}}), cancel
			}
			cases = append(cases, a)
		}
	}
	runOverlapped(cases)
	for _, a := range cases {
		t.Run(a.name, func(t *testing.T) {
			requireAPIError(t, a.err, a.call.name)
			if strings.HasPrefix(a.name, "cancelled/") {
				assert.ErrorIs(t, a.err, context.Canceled)
				require.EqualValues(t, 1, a.wrote.Load(), "the request went on the wire")
			} else {
				assert.ErrorIs(t, a.err, context.DeadlineExceeded)
			}
			// On a loaded machine the deadline may pass before the request
			// is even sent; one that was sent reaches the emulator, which
			// carries it out after its delay.
			sent := int(a.wrote.Load())
			assert.LessOrEqual(t, sent, 1, "no retry once the context is done")
			a.e.waitHits(t, a.call.ep, a.before+sent)
			a.e.settle()
			assert.Equal(t, a.before+sent, a.e.hits(a.call.ep), "sent at most once, never again")
		})
	}
}

// TestClientErrorNotRetried: a 4xx answer to a read is final. The
// emulator answers 404 for a path it does not serve.
func TestClientErrorNotRetried(t *testing.T) {
	e := newEmulator(t)
	c := e.client(t, func(cfg *robokassa.Config) { cfg.AuthURL = e.URL + "/nowhere" })
	_, err := c.OpState(bg(t), 12)
	ae := requireAPIError(t, err, "OpStateExt")
	assert.Equal(t, http.StatusNotFound, ae.Status)
	assert.Equal(t, 1, e.log.total())
}

// cancelAtEOF cancels a context once a response body has been read to its
// end: the answer arrives whole, and the context is over right after.
type cancelAtEOF struct {
	base   http.RoundTripper
	cancel context.CancelFunc
}

type cancelAtEOFBody struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b cancelAtEOFBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err == io.EOF {
		b.cancel()
	}
	return n, err
}

func (t cancelAtEOF) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(r)
	if err == nil {
		resp.Body = cancelAtEOFBody{resp.Body, t.cancel}
	}
	return resp, err
}

// TestContextEndsDuringBackoff: the emulator answers 500 and the caller's
// context ends before the retry: the transport stops waiting and says
// why, keeping the answer.
func TestContextEndsDuringBackoff(t *testing.T) {
	e := newEmulator(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c := e.client(t, func(cfg *robokassa.Config) {
		cfg.HTTPClient = &http.Client{Transport: cancelAtEOF{e.rec, cancel}}
	})
	e.InjectFault(robokassatest.EndpointOpStateExt, robokassatest.Fault{Kind: robokassatest.Fault500, Count: robokassa.RetryAttempts})
	_, err := c.OpState(ctx, 12)
	ae := requireAPIError(t, err, "OpStateExt")
	assert.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, http.StatusInternalServerError, ae.Status, "the last answer is kept")
	assert.Equal(t, 1, e.hits(robokassatest.EndpointOpStateExt))
}

// TestContextAlreadyDone: nothing is sent with a context that has ended.
func TestContextAlreadyDone(t *testing.T) {
	e := newEmulator(t)
	c := e.client(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, call := range emuCalls() {
		t.Run(call.name, func(t *testing.T) {
			do, _ := call.prepare(t, e, c, 100+int64(len(e.Operations()))*10)
			before := e.log.total()
			err := do(ctx)
			requireAPIError(t, err, call.name)
			assert.ErrorIs(t, err, context.Canceled)
			assert.Equal(t, before, e.log.total(), "nothing sent")
		})
	}
}
