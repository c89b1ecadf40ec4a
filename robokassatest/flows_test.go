package robokassatest_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/robokassa-go/robokassa"
	"github.com/robokassa-go/robokassa/robokassatest"
)

// End-to-end flows: the SDK's client makes the links and the API calls,
// a browser (browser_test.go) opens the pages and presses the buttons,
// the emulator notifies the test shop, whose own handlers verify with the
// SDK. Expected values are the inputs the test chose.

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// payInBrowser opens a link and presses Pay; it returns the final answer.
func payInBrowser(t *testing.T, srv *robokassatest.Server, link, button string) (*http.Response, string) {
	b := newBrowser(t)
	resp, page := b.get(link)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, 0, pageCode(page), page)
	return b.submit(srv.URL, paymentForm(t, page), button)
}

func TestFlowPay(t *testing.T) {
	srv, shop := setup(t, nil)
	c := srv.Client()
	link, err := c.PaymentURL(robokassa.Payment{
		OutSum: dec("990"), InvID: 12, Description: "Order 12", Email: "buyer@example.com",
		Receipt: &robokassa.Receipt{Items: []robokassa.ReceiptItem{
			{Name: "Чай", Quantity: decimal.NewFromInt(2), Sum: dec("890"), Tax: robokassa.TaxNone},
			{Name: "Delivery", Quantity: decimal.NewFromInt(1), Sum: dec("100"), Tax: robokassa.TaxNone},
		}},
		Shp: map[string]string{"order": "12", "note": "a b~&"},
	})
	require.NoError(t, err)

	b := newBrowser(t)
	resp, page := b.get(link)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	for _, want := range []string{"Payment to demo", "990.00", "Order 12", "Чай", "Delivery", `id="decline"`} {
		assert.Contains(t, page, want)
	}
	assert.NotContains(t, page, `id="test-mode"`)
	resp, body := b.submit(srv.URL, paymentForm(t, page), "pay")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "thank you", body, "the browser reached the shop's SuccessURL, which verified it")

	n, ok := shop.paidOrder(12)
	require.True(t, ok, "the shop's ResultURL handler recorded the payment")
	assert.True(t, n.OutSum.Equal(dec("990")))
	assert.True(t, n.Fee.Equal(dec("24.75")), "2.5%% of 990 for a bank card: %s", n.Fee)
	assert.Equal(t, "buyer@example.com", n.Email)
	assert.Equal(t, "BankCard", n.PaymentMethod)
	assert.Equal(t, "BankCardPSR", n.IncCurrLabel)
	assert.Equal(t, map[string]string{"order": "12", "note": "a b~&"}, n.Shp)

	notes := srv.Notifications()
	require.Len(t, notes, 2)
	assert.Equal(t, robokassatest.KindResultURL, notes[0].Kind)
	assert.Equal(t, http.MethodPost, notes[0].Method)
	assert.Equal(t, "990.000000", notes[0].Form.Get("OutSum"))
	assert.Equal(t, "24.750000", notes[0].Form.Get("Fee"))
	assert.True(t, notes[0].OK)
	require.Len(t, notes[0].Attempts, 1)
	assert.Equal(t, "OK12", notes[0].Attempts[0].Body)
	assert.Equal(t, robokassatest.KindSuccessURL, notes[1].Kind)
	assert.True(t, notes[1].Browser)

	st, err := c.OpState(ctx(t), 12)
	require.NoError(t, err)
	assert.Equal(t, robokassa.StatePaid, st.State)
	assert.True(t, st.IncSum.Equal(dec("990")))
	assert.True(t, st.OutSum.Equal(dec("965.25")), "990 less the fee: %s", st.OutSum)
	assert.Equal(t, map[string]string{"order": "12", "note": "a b~&"}, st.Shp)
	op, ok := srv.Operation(12)
	require.True(t, ok)
	assert.Equal(t, st.OpKey, op.OpKey)
	assert.Len(t, op.Lines, 2)
	require.Len(t, op.History, 2)
	assert.Equal(t, robokassa.StateInitiated, op.History[0].State)

	// The same InvId cannot be paid twice.
	_, page = b.get(link)
	assert.Equal(t, 40, pageCode(page))
}

func TestFlowDecline(t *testing.T) {
	srv, shop := setup(t, nil)
	link, err := srv.Client().PaymentURL(robokassa.Payment{OutSum: dec("5"), InvID: 3, Shp: map[string]string{"order": "3"}})
	require.NoError(t, err)
	_, body := payInBrowser(t, srv, link, "decline")
	assert.Equal(t, "not paid", body)
	_, paid := shop.paidOrder(3)
	assert.False(t, paid)
	_, fails := shop.redirects()
	require.Len(t, fails, 1)
	assert.Equal(t, int64(3), fails[0].InvID)
	assert.Equal(t, map[string]string{"order": "3"}, fails[0].Shp)
	op, _ := srv.Operation(3)
	assert.Equal(t, robokassa.StateCancelled, op.State)
	for _, d := range srv.Notifications() {
		assert.NotEqual(t, robokassatest.KindResultURL, d.Kind, "no ResultURL after a decline")
	}
	// A declined InvId may be paid on a second try.
	require.NoError(t, pageThenPay(t, srv, link))
	_, paid = shop.paidOrder(3)
	assert.True(t, paid)
}

// pageThenPay opens a link (creating the operation) and pays it with
// Server.Pay.
func pageThenPay(t *testing.T, srv *robokassatest.Server, link string) error {
	_, page := newBrowser(t).get(link)
	require.Equal(t, 0, pageCode(page), page)
	id := invIDOf(t, page)
	return srv.Pay(id)
}

func TestFlowServerPayAndFail(t *testing.T) {
	srv, shop := setup(t, func(s *robokassatest.Shop) {
		s.ResultMethod, s.SuccessMethod, s.FailMethod = http.MethodGet, http.MethodPost, http.MethodPost
	})
	c := srv.Client()
	for _, id := range []int64{21, 22} {
		link, err := c.PaymentURL(robokassa.Payment{OutSum: dec("15.50"), InvID: id})
		require.NoError(t, err)
		_, page := newBrowser(t).get(link)
		require.Equal(t, 0, pageCode(page))
	}
	require.NoError(t, srv.Pay(21))
	require.NoError(t, srv.Fail(22))
	var se *robokassatest.StateError
	require.ErrorAs(t, srv.Pay(22), &se, "a declined payment waits for no one")
	assert.Equal(t, robokassatest.StateError{InvID: 22, State: robokassa.StateCancelled}, *se)
	assert.ErrorIs(t, srv.Pay(99), robokassatest.ErrNoOperation)
	assert.ErrorIs(t, srv.Fail(99), robokassatest.ErrNoOperation)
	assert.ErrorIs(t, srv.SetState(99, robokassa.StatePaid), robokassatest.ErrNoOperation)
	assert.ErrorIs(t, srv.SetState(21, 0), robokassatest.ErrInvalidArgument)
	require.NoError(t, srv.SetState(21, robokassa.StateSuspended))
	st, err := srv.Client().OpState(ctx(t), 21)
	require.NoError(t, err)
	assert.Equal(t, robokassa.StateSuspended, st.State)

	_, ok := shop.paidOrder(21)
	assert.True(t, ok)
	successes, fails := shop.redirects()
	require.Len(t, successes, 1)
	require.Len(t, fails, 1)
	notes := srv.Notifications()
	require.Len(t, notes, 3)
	assert.Equal(t, []string{robokassatest.KindResultURL, robokassatest.KindSuccessURL, robokassatest.KindFailURL},
		[]string{notes[0].Kind, notes[1].Kind, notes[2].Kind})
	assert.Equal(t, http.MethodGet, notes[0].Method)
	assert.Equal(t, http.MethodPost, notes[1].Method)
	for _, d := range notes {
		assert.True(t, d.OK, d.Kind)
		assert.False(t, d.Browser)
	}
	assert.Empty(t, notes[2].Form.Get("SignatureValue"), "FailURL is unsigned")
}

// TestFlowPOSTRedirectInBrowser: with SuccessMethod POST the page answers
// an auto-submitting form, which a browser without JavaScript submits
// with its button.
func TestFlowPOSTRedirectInBrowser(t *testing.T) {
	srv, shop := setup(t, func(s *robokassatest.Shop) { s.SuccessMethod = http.MethodPost })
	link, err := srv.Client().PaymentURL(robokassa.Payment{OutSum: dec("1"), InvID: 8})
	require.NoError(t, err)
	b := newBrowser(t)
	_, page := b.get(link)
	_, redirect := b.submit(srv.URL, paymentForm(t, page), "pay")
	forms := parseForms(t, redirect)
	require.Len(t, forms, 1)
	assert.Contains(t, forms[0].Buttons, "continue")
	assert.Contains(t, redirect, "<script>", "inline script submits it with JavaScript")
	_, body := b.submit(srv.URL, forms[0], "continue")
	assert.Equal(t, "thank you", body)
	successes, _ := shop.redirects()
	require.Len(t, successes, 1)
}

func TestFlowRecurringSeries(t *testing.T) {
	srv, shop := setup(t, nil)
	c := srv.Client()
	link, err := c.PaymentURL(robokassa.Payment{OutSum: dec("199"), InvID: 100, Recurring: true, Email: "sub@example.com"})
	require.NoError(t, err)
	_, body := payInBrowser(t, srv, link, "pay")
	require.Equal(t, "thank you", body)

	for i, id := range []int64{101, 102, 103} {
		err := c.Recurring(ctx(t), robokassa.RecurringPayment{PreviousInvID: 100, InvID: id, OutSum: dec("199"),
			Description: "month", Shp: map[string]string{"month": string(rune('1' + i))}})
		require.NoError(t, err)
	}
	require.NoError(t, srv.Wait(ctx(t)), "the children's notifications follow the answers")
	for i, id := range []int64{101, 102, 103} {
		n, ok := shop.paidOrder(id)
		require.True(t, ok, "child %d notified", id)
		assert.Equal(t, string(rune('1'+i)), n.Shp["month"])
		assert.Equal(t, "sub@example.com", n.Email)
		op, _ := srv.Operation(id)
		assert.Equal(t, int64(100), op.ParentInvID)
		assert.Equal(t, "Recurring", op.Source)
		st, err := c.OpState(ctx(t), id)
		require.NoError(t, err)
		assert.Equal(t, robokassa.StatePaid, st.State)
	}

	var apiErr *robokassa.APIError
	err = c.Recurring(ctx(t), robokassa.RecurringPayment{PreviousInvID: 100, InvID: 101, OutSum: dec("199")})
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "40", apiErr.Code, "a reused InvoiceID")
	err = c.Recurring(ctx(t), robokassa.RecurringPayment{PreviousInvID: 101, InvID: 104, OutSum: dec("199")})
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "35", apiErr.Code, "a child is no parent")
	err = c.Recurring(ctx(t), robokassa.RecurringPayment{PreviousInvID: 999, InvID: 105, OutSum: dec("199")})
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "35", apiErr.Code, "no such parent")
}

func TestFlowRecurringDisabled(t *testing.T) {
	srv, _ := setup(t, func(s *robokassatest.Shop) { s.NoRecurring = true })
	err := srv.Client().Recurring(ctx(t), robokassa.RecurringPayment{PreviousInvID: 1, InvID: 2, OutSum: dec("1")})
	var apiErr *robokassa.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "34", apiErr.Code)
}

// holdLink makes a StepByStep link whose ResultUrl2 is the test shop's.
func holdLink(t *testing.T, srv *robokassatest.Server, shop *testShop, id int64, sum string) string {
	link, err := srv.Client().PaymentURL(robokassa.Payment{
		OutSum: dec(sum), InvID: id, StepByStep: true, ResultURL2: shop.URL + "/result2",
		Receipt: &robokassa.Receipt{Items: []robokassa.ReceiptItem{
			{Name: "Tent", Quantity: decimal.NewFromInt(1), Sum: dec(sum), Tax: robokassa.TaxNone},
		}},
	})
	require.NoError(t, err)
	return link
}

func TestFlowHoldThenCapture(t *testing.T) {
	srv, shop := setup(t, nil)
	c := srv.Client()
	_, body := payInBrowser(t, srv, holdLink(t, srv, shop, 50, "1500.50"), "pay")
	require.Equal(t, "thank you", body)

	states := shop.resultURL2()
	require.Len(t, states, 1, "the hold is reported on ResultUrl2 only")
	assert.Equal(t, robokassa.NotificationStateHold, states[0].State)
	assert.Equal(t, int64(50), states[0].InvID)
	assert.True(t, states[0].IncSum.Equal(dec("1500.50")))
	_, paid := shop.paidOrder(50)
	assert.False(t, paid, "no ResultURL for a hold")
	st, err := c.OpState(ctx(t), 50)
	require.NoError(t, err)
	assert.Equal(t, robokassa.StateHeld, st.State)
	assert.Equal(t, states[0].OpKey, st.OpKey)

	var apiErr *robokassa.APIError
	err = c.ConfirmHold(ctx(t), robokassa.HoldCapture{InvID: 50, OutSum: dec("1600")})
	require.ErrorAs(t, err, &apiErr, "the amount may only go down")
	assert.Equal(t, "65", apiErr.Code)

	require.NoError(t, c.ConfirmHold(ctx(t), robokassa.HoldCapture{InvID: 50, OutSum: dec("1000"),
		Receipt: &robokassa.Receipt{Items: []robokassa.ReceiptItem{{Name: "Tent", Quantity: decimal.NewFromInt(1), Sum: dec("1000"), Tax: robokassa.TaxNone}}}}))
	require.NoError(t, srv.Wait(ctx(t)))
	n, paid := shop.paidOrder(50)
	require.True(t, paid, "the capture is notified on ResultURL")
	assert.True(t, n.OutSum.Equal(dec("1000")))
	states = shop.resultURL2()
	require.Len(t, states, 2)
	assert.Equal(t, robokassa.NotificationStateOK, states[1].State)
	st, err = c.OpState(ctx(t), 50)
	require.NoError(t, err)
	assert.Equal(t, robokassa.StatePaid, st.State)
	assert.True(t, st.IncSum.Equal(dec("1000")))

	err = c.ConfirmHold(ctx(t), robokassa.HoldCapture{InvID: 50, OutSum: dec("1000")})
	require.ErrorAs(t, err, &apiErr, "captured already")
	assert.Contains(t, apiErr.Message, "success: false")
}

func TestFlowHoldThenCancel(t *testing.T) {
	srv, shop := setup(t, nil)
	c := srv.Client()
	_, page := newBrowser(t).get(holdLink(t, srv, shop, 60, "300"))
	require.Equal(t, 0, pageCode(page))
	assert.Contains(t, page, "Two-stage payment")
	require.NoError(t, srv.Pay(60))
	require.Len(t, shop.resultURL2(), 1)

	require.NoError(t, c.CancelHold(ctx(t), 60))
	st, err := c.OpState(ctx(t), 60)
	require.NoError(t, err)
	assert.Equal(t, robokassa.StateRefunded, st.State)
	var apiErr *robokassa.APIError
	require.ErrorAs(t, c.CancelHold(ctx(t), 60), &apiErr, "released already")
	require.ErrorAs(t, c.ConfirmHold(ctx(t), robokassa.HoldCapture{InvID: 60, OutSum: dec("300")}), &apiErr)
	_, paid := shop.paidOrder(60)
	assert.False(t, paid)
}

func TestFlowHoldDisabled(t *testing.T) {
	srv, _ := setup(t, func(s *robokassatest.Shop) { s.NoHold = true })
	var apiErr *robokassa.APIError
	require.ErrorAs(t, srv.Client().CancelHold(ctx(t), 1), &apiErr)
	assert.Equal(t, "64", apiErr.Code)
	require.ErrorAs(t, srv.Client().ConfirmHold(ctx(t), robokassa.HoldCapture{InvID: 1, OutSum: dec("1")}), &apiErr)
	assert.Equal(t, "64", apiErr.Code)
}

func TestFlowInvoiceLink(t *testing.T) {
	srv, shop := setup(t, nil)
	c := srv.Client()
	link, err := c.CreateInvoice(ctx(t), robokassa.Invoice{
		Type: robokassa.InvoiceOneTime, InvID: 4512, OutSum: dec("990"), Description: "Заказ 4512",
		MerchantComments: "VIP", ExpirationDate: robokassa.DaysToPay(3),
		Items: []robokassa.ReceiptItem{{Name: "Tea", Quantity: decimal.NewFromInt(2), Sum: dec("990"), Tax: robokassa.TaxNone}},
		Shp:   map[string]string{"order": "4512"},
	})
	require.NoError(t, err)
	assert.Equal(t, int64(4512), link.InvID)
	assert.True(t, strings.HasPrefix(link.URL, srv.URL+"/merchant/Invoice/"))

	_, body := payInBrowser(t, srv, link.URL, "pay")
	require.Equal(t, "thank you", body)
	n, ok := shop.paidOrder(4512)
	require.True(t, ok, "the notification verifies with Robokassa's own Shp_interface in it")
	assert.Equal(t, "InvoiceService.WebApi", n.Shp["interface"])
	assert.Equal(t, "4512", n.Shp["order"])

	_, page := newBrowser(t).get(link.URL)
	assert.Equal(t, 52, pageCode(page), "a one-time link is paid once")

	reusable, err := c.CreateInvoice(ctx(t), robokassa.Invoice{Type: robokassa.InvoiceReusable, OutSum: dec("300"), Description: "Donation"})
	require.NoError(t, err)
	for i := 0; i < 2; i++ {
		_, body := payInBrowser(t, srv, reusable.URL, "pay")
		require.Equal(t, "thank you", body)
	}
	require.NoError(t, c.DeactivateInvoice(ctx(t), reusable.Ref()))
	_, page = newBrowser(t).get(reusable.URL)
	assert.Equal(t, 53, pageCode(page))
	_, page = newBrowser(t).get(srv.URL + "/merchant/Invoice/nothing")
	assert.Equal(t, 53, pageCode(page))

	all, err := c.Invoices(ctx(t), robokassa.InvoiceQuery{IsAscending: true})
	require.NoError(t, err)
	require.Len(t, all.Invoices, 2)
	assert.Equal(t, 2, all.Total)
	assert.Equal(t, robokassa.InvoiceStatePaid, all.Invoices[0].State)
	assert.Equal(t, int64(4512), all.Invoices[0].InvID)
	assert.True(t, all.Invoices[0].OutSum.Equal(dec("990")))
	assert.False(t, all.Invoices[0].PaidAt.IsZero())
	assert.Equal(t, robokassa.InvoiceStateExpired, all.Invoices[1].State, "deactivated")
	paid, err := c.Invoices(ctx(t), robokassa.InvoiceQuery{States: []robokassa.InvoiceState{robokassa.InvoiceStatePaid}})
	require.NoError(t, err)
	require.Len(t, paid.Invoices, 1)
	assert.Equal(t, link.ID, paid.Invoices[0].ID)

	var apiErr *robokassa.APIError
	_, err = c.CreateInvoice(ctx(t), robokassa.Invoice{Type: robokassa.InvoiceOneTime, InvID: 4512, OutSum: dec("1")})
	require.ErrorAs(t, err, &apiErr)
	assert.Contains(t, apiErr.Message, "already exists")
	require.ErrorAs(t, c.DeactivateInvoice(ctx(t), robokassa.InvoiceRef{EncodedID: "unknown"}), &apiErr)
}

func TestFlowRefunds(t *testing.T) {
	srv, _ := setup(t, nil)
	c := srv.Client()
	link, err := c.PaymentURL(robokassa.Payment{OutSum: dec("1000"), InvID: 70})
	require.NoError(t, err)
	require.NoError(t, pageThenPay(t, srv, link))
	st, err := c.OpState(ctx(t), 70)
	require.NoError(t, err)

	ticket, err := c.Refund(ctx(t), robokassa.RefundRequest{OpKey: st.OpKey, Sum: decimal.NewNullDecimal(dec("250.50"))})
	require.NoError(t, err)
	status, err := c.RefundStatus(ctx(t), ticket.RequestID)
	require.NoError(t, err)
	assert.Equal(t, robokassa.RefundStateFinished, status.State)
	assert.True(t, status.Amount.Equal(dec("250.50")))
	op, _ := srv.Operation(70)
	assert.Equal(t, robokassa.StatePaid, op.State, "a partial refund leaves the payment paid")
	assert.True(t, op.Refunded.Equal(dec("250.50")))

	var apiErr *robokassa.APIError
	_, err = c.Refund(ctx(t), robokassa.RefundRequest{OpKey: st.OpKey, Sum: decimal.NewNullDecimal(dec("800"))})
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, string(robokassa.RefundCodeNotEnoughFunds), apiErr.Code)

	ticket, err = c.Refund(ctx(t), robokassa.RefundRequest{OpKey: st.OpKey}) // the rest
	require.NoError(t, err)
	status, err = c.RefundStatus(ctx(t), ticket.RequestID)
	require.NoError(t, err)
	assert.True(t, status.Amount.Equal(dec("749.50")))
	st, err = c.OpState(ctx(t), 70)
	require.NoError(t, err)
	assert.Equal(t, robokassa.StateRefunded, st.State)

	_, err = c.Refund(ctx(t), robokassa.RefundRequest{OpKey: st.OpKey})
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, string(robokassa.RefundCodeAlreadyRefunded), apiErr.Code)
	_, err = c.Refund(ctx(t), robokassa.RefundRequest{OpKey: "no-such-key"})
	assert.ErrorIs(t, err, robokassa.ErrNotFound)
	_, err = c.RefundStatus(ctx(t), "00000000-0000-0000-0000-000000000000")
	assert.ErrorIs(t, err, robokassa.ErrNotFound)

	cfg := srv.ClientConfig()
	cfg.Password3 = "wrong"
	wrong, err := robokassa.NewClient(cfg)
	require.NoError(t, err)
	_, err = wrong.Refund(ctx(t), robokassa.RefundRequest{OpKey: st.OpKey})
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusUnauthorized, apiErr.Status)
}

func TestFlowSavedCard(t *testing.T) {
	srv, shop := setup(t, nil)
	c := srv.Client()
	link, err := c.PaymentURL(robokassa.Payment{OutSum: dec("10"), InvID: 80})
	require.NoError(t, err)
	require.NoError(t, pageThenPay(t, srv, link))
	st, err := c.OpState(ctx(t), 80)
	require.NoError(t, err)

	cof, err := c.CoFPaymentURL(robokassa.Payment{OutSum: dec("25"), InvID: 81, Token: st.OpKey})
	require.NoError(t, err)
	assert.Contains(t, cof, "/Merchant/Payment/CoFPayment?")
	b := newBrowser(t)
	_, page := b.get(cof)
	require.Equal(t, 0, pageCode(page), page)
	assert.Contains(t, page, `id="saved-card"`)
	_, body := b.submit(srv.URL, paymentForm(t, page), "pay")
	assert.Equal(t, "thank you", body)
	_, ok := shop.paidOrder(81)
	assert.True(t, ok)
	op, _ := srv.Operation(81)
	assert.Equal(t, st.OpKey, op.Token)

	bad, err := c.CoFPaymentURL(robokassa.Payment{OutSum: dec("25"), InvID: 82, Token: "not-a-key"})
	require.NoError(t, err)
	_, page = newBrowser(t).get(bad)
	assert.Equal(t, 30, pageCode(page))
}

// TestFlowTestMode: a test-mode shop pays with the test pair and gets a
// test notification; the same client with production passwords in test
// mode gets error 29.
func TestFlowTestMode(t *testing.T) {
	srv, shop := setupCfg(t, nil, func(cfg *robokassa.Config) { cfg.Test = true })
	cfg := srv.ClientConfig()
	cfg.Test = true
	c, err := robokassa.NewClient(cfg)
	require.NoError(t, err)
	link, err := c.PaymentURL(robokassa.Payment{OutSum: dec("10"), InvID: 90, Email: "t@example.com"})
	require.NoError(t, err)
	b := newBrowser(t)
	_, page := b.get(link)
	require.Equal(t, 0, pageCode(page), page)
	assert.Contains(t, page, `id="test-mode"`)
	_, body := b.submit(srv.URL, paymentForm(t, page), "pay")
	assert.Equal(t, "thank you", body)
	n, ok := shop.paidOrder(90)
	require.True(t, ok)
	assert.True(t, n.IsTest)
	assert.Empty(t, n.Email, "no EMail in test mode (spec §13)")

	// A test payment does not use up its InvId.
	_, page = newBrowser(t).get(link)
	assert.Equal(t, 0, pageCode(page))

	// Production passwords in test mode: error 29.
	prodAsTest := robokassa.Config{MerchantLogin: cfg.MerchantLogin, TestPassword1: cfg.Password1, Algorithm: cfg.Algorithm, Test: true, AuthURL: srv.URL}
	pc, err := robokassa.NewClient(prodAsTest)
	require.NoError(t, err)
	link, err = pc.PaymentURL(robokassa.Payment{OutSum: dec("10"), InvID: 91})
	require.NoError(t, err)
	_, page = newBrowser(t).get(link)
	assert.Equal(t, 29, pageCode(page))
	assert.Contains(t, page, "demo:10.00:91:[test Password #1]")
}

func TestFlowExpire(t *testing.T) {
	srv, _ := setup(t, nil)
	c := srv.Client()
	link, err := c.PaymentURL(robokassa.Payment{OutSum: dec("10"), InvID: 95})
	require.NoError(t, err)
	b := newBrowser(t)
	_, page := b.get(link)
	require.Equal(t, 0, pageCode(page))
	require.NoError(t, srv.Expire(95))
	var se *robokassatest.StateError
	require.ErrorAs(t, srv.Pay(95), &se)
	assert.True(t, se.Expired)
	_, body := b.submit(srv.URL, paymentForm(t, page), "pay")
	assert.Equal(t, 33, pageCode(body), "the open page answers 33")
	_, page = newBrowser(t).get(link)
	assert.Equal(t, 33, pageCode(page), "so does the link")
	st, err := c.OpState(ctx(t), 95)
	require.NoError(t, err)
	assert.Equal(t, robokassa.StateCancelled, st.State)
	assert.ErrorIs(t, srv.Expire(95), robokassatest.ErrNoOperation, "nothing left to expire")
}
