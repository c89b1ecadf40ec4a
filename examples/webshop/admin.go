package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/robokassa-go/robokassa"
)

// flashes are the admin page's messages after an action, by code: the
// redirect carries only the code and an InvId, never text.
var flashes = map[string]string{
	"refund-accepted":      "Refund of payment %d accepted by Robokassa.",
	"refund-refused":       "Robokassa refused the refund of payment %d: see its note.",
	"refund-unknown":       "The outcome of the refund of payment %d is unknown (no answer): check it in Robokassa's cabinet before trying again.",
	"refund-impossible":    "Payment %d cannot be refunded: see its note.",
	"refund-exists":        "Payment %d already has a refund.",
	"refund-checked":       "Refund state of payment %d updated.",
	"charge-accepted":      "Charge %d created: Robokassa will confirm it on ResultURL.",
	"charge-refused":       "Robokassa refused charge %d: see its note.",
	"charge-unknown":       "The outcome of charge %d is unknown (no answer): its ResultURL notification or OpStateExt will tell.",
	"charge-impossible":    "Subscription payment %d cannot be charged again: see the log.",
	"not-in-test-mode":     "Robokassa has no test mode for this: it is disabled while the shop runs in test mode (payment %d).",
	"unknown-payment":      "There is no payment %d.",
	"database-unavailable": "The database failed during the action on payment %d: see the log.",
}

// adminPage lists every payment with its state, and the refund and
// "charge now" buttons.
func (s *shop) adminPage(w http.ResponseWriter, r *http.Request) {
	ps, err := s.store.payments(r.Context(), "")
	if err != nil {
		s.log.Error("payments not read", "error", err)
		s.fail(w, http.StatusInternalServerError, "The shop could not read its database.")
		return
	}
	v := view{Title: "Admin", Payments: ps, AdminActions: !s.client.Test()}
	if f, ok := flashes[r.URL.Query().Get("msg")]; ok {
		if inv, ok := parseInvID(r.URL.Query().Get("inv")); ok {
			v.Flash = fmt.Sprintf(f, inv)
		}
	}
	s.render(w, http.StatusOK, "admin", v)
}

// adminForm reads the InvId an admin button posts.
func (s *shop) adminForm(w http.ResponseWriter, r *http.Request) (int64, bool) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBody)
	if err := r.ParseForm(); err != nil {
		s.fail(w, http.StatusBadRequest, "The form could not be read.")
		return 0, false
	}
	inv, ok := parseInvID(r.PostForm.Get("inv"))
	if !ok {
		s.fail(w, http.StatusBadRequest, "The form carries no payment number.")
	}
	return inv, ok
}

// backToAdmin redirects to the admin page with a flash message.
func backToAdmin(w http.ResponseWriter, r *http.Request, code string, inv int64) {
	q := url.Values{"msg": {code}, "inv": {strconv.FormatInt(inv, 10)}}
	http.Redirect(w, r, "/admin?"+q.Encode(), http.StatusSeeOther)
}

func (s *shop) refundAction(w http.ResponseWriter, r *http.Request) {
	if inv, ok := s.adminForm(w, r); ok {
		backToAdmin(w, r, s.refund(r.Context(), inv), inv)
	}
}

func (s *shop) chargeAction(w http.ResponseWriter, r *http.Request) {
	if inv, ok := s.adminForm(w, r); ok {
		code, shown := s.charge(r.Context(), inv)
		backToAdmin(w, r, code, shown)
	}
}

func (s *shop) refundStateAction(w http.ResponseWriter, r *http.Request) {
	if inv, ok := s.adminForm(w, r); ok {
		backToAdmin(w, r, s.checkRefund(r.Context(), inv), inv)
	}
}

// outcomeUnknown reports whether a money-moving call failed in a way
// that leaves its outcome unknown: no answer, a 5xx, or a 2xx answer that
// is neither an acceptance nor a refusal Robokassa explains. Errors from
// before the request was sent, 4xx answers and refusals with a code mean
// nothing happened.
func outcomeUnknown(err error) bool {
	var ae *robokassa.APIError
	if !errors.As(err, &ae) {
		return false
	}
	switch {
	case ae.Status == 0 || ae.Status >= 500:
		return true
	case ae.Status >= 400:
		return false
	}
	return ae.Code == ""
}

// refund returns a completed payment in full through the Refund API. The
// refund row is written first (at most one per payment). The Refund API
// needs the operation's OpKey, which Robokassa does not send on ResultURL:
// the shop asks OpStateExt for it here, which also confirms that
// Robokassa sees the operation as paid (state 100) before asking for the
// money back.
func (s *shop) refund(ctx context.Context, inv int64) string {
	log := s.log.With("inv_id", inv)
	if s.client.Test() {
		return "not-in-test-mode"
	}
	p, err := s.store.startRefund(ctx, inv)
	switch {
	case errors.Is(err, errUnknownPayment):
		return "unknown-payment"
	case errors.Is(err, errRefundExists):
		log.Warn("refund refused: already refunded")
		return "refund-exists"
	case errors.Is(err, errNotCompleted):
		log.Warn("refund refused: payment not completed")
		_ = s.store.setNote(ctx, inv, "refund refused: the payment is not completed")
		return "refund-impossible"
	case err != nil:
		log.Error("refund not recorded", "error", err)
		return "database-unavailable"
	}
	log.Info("refund requested", "amount", p.Amount.StringFixed(2))
	undo := func(note string) {
		if err := s.store.dropRefund(ctx, inv); err != nil {
			log.Error("refund row not removed", "error", err)
		}
		_ = s.store.setNote(ctx, inv, note)
	}
	st, err := s.client.OpState(ctx, inv)
	if err != nil {
		log.Warn("refund stopped: OpStateExt failed", "error", err)
		undo("refund not sent: OpStateExt failed: " + err.Error())
		return "refund-impossible"
	}
	if st.State != robokassa.StatePaid {
		log.Warn("refund stopped: Robokassa does not report the operation paid", "state", st.State.String())
		undo("refund not sent: Robokassa reports the operation " + st.State.String())
		return "refund-impossible"
	}
	req := robokassa.RefundRequest{OpKey: st.OpKey}
	if prod, ok := productByID(p.Product); ok {
		req.Items = receipt(prod, p.Amount).Items // the refund receipt
	}
	ticket, err := s.client.Refund(ctx, req)
	if err != nil {
		if outcomeUnknown(err) {
			log.Error("refund outcome unknown", "error", err)
			if err := s.store.setRefund(ctx, inv, "", refundUnknown); err != nil {
				log.Error("refund state not recorded", "error", err)
			}
			_ = s.store.setNote(ctx, inv, "refund outcome unknown: "+err.Error())
			return "refund-unknown"
		}
		log.Warn("refund refused by Robokassa", "error", err)
		undo("refund refused: " + err.Error())
		return "refund-refused"
	}
	log.Info("refund accepted", "request_id", ticket.RequestID)
	if err := s.store.setRefund(ctx, inv, ticket.RequestID, string(robokassa.RefundStateProcessing)); err != nil {
		log.Error("refund state not recorded", "error", err)
		return "database-unavailable"
	}
	_ = s.store.setNote(ctx, inv, "")
	s.refreshRefund(ctx, inv, ticket.RequestID)
	return "refund-accepted"
}

// checkRefund asks the Refund API for the state of a payment's refund.
func (s *shop) checkRefund(ctx context.Context, inv int64) string {
	p, err := s.store.payment(ctx, inv)
	switch {
	case errors.Is(err, errUnknownPayment):
		return "unknown-payment"
	case err != nil:
		s.log.Error("payment not read", "inv_id", inv, "error", err)
		return "database-unavailable"
	case p.RefundRequestID == "":
		return "refund-impossible"
	}
	s.refreshRefund(ctx, inv, p.RefundRequestID)
	return "refund-checked"
}

// refreshRefund records the refund's state as the Refund API reports it.
func (s *shop) refreshRefund(ctx context.Context, inv int64, requestID string) {
	log := s.log.With("inv_id", inv, "request_id", requestID)
	rs, err := s.client.RefundStatus(ctx, requestID)
	if err != nil {
		log.Warn("refund state not read", "error", err)
		return
	}
	if err := s.store.setRefund(ctx, inv, "", string(rs.State)); err != nil {
		log.Error("refund state not recorded", "error", err)
		return
	}
	log.Info("refund state", "state", string(rs.State), "amount", rs.Amount.String())
}

// charge charges the card of a completed subscription payment again: a
// new pending payment row (a new InvId), then Merchant/Recurring. Its
// "OK" only means the operation was created; the child is completed by
// its own ResultURL notification, like any payment. It returns the
// flash code and the InvId the flash names: the child's once it exists.
func (s *shop) charge(ctx context.Context, parent int64) (string, int64) {
	log := s.log.With("parent_inv_id", parent)
	if s.client.Test() {
		return "not-in-test-mode", parent
	}
	child, err := s.store.createCharge(ctx, parent)
	switch {
	case errors.Is(err, errUnknownPayment):
		return "unknown-payment", parent
	case errors.Is(err, errNotCompleted), errors.Is(err, errNotSubscription):
		log.Warn("charge refused", "reason", err.Error())
		return "charge-impossible", parent
	case err != nil:
		log.Error("charge not recorded", "error", err)
		return "database-unavailable", parent
	}
	log = log.With("inv_id", child.InvID)
	log.Info("recurring charge created", "order_id", child.OrderID, "amount", child.Amount.StringFixed(2))
	prod, ok := productByID(child.Product)
	if !ok {
		_ = s.store.markFailed(ctx, child.InvID, "the product is no longer sold")
		return "charge-refused", child.InvID
	}
	err = s.client.Recurring(ctx, robokassa.RecurringPayment{
		PreviousInvID: parent,
		InvID:         child.InvID,
		OutSum:        child.Amount,
		Description:   prod.Description,
		Receipt:       receipt(prod, child.Amount),
		Shp:           map[string]string{"order": strconv.FormatInt(child.OrderID, 10)},
	})
	if err != nil {
		if outcomeUnknown(err) {
			log.Error("recurring charge outcome unknown", "error", err)
			_ = s.store.setNote(ctx, child.InvID, "outcome unknown: "+err.Error())
			return "charge-unknown", child.InvID
		}
		log.Warn("recurring charge refused by Robokassa", "error", err)
		if err := s.store.markFailed(ctx, child.InvID, "refused: "+err.Error()); err != nil {
			log.Error("charge state not recorded", "error", err)
		}
		return "charge-refused", child.InvID
	}
	log.Info("recurring charge accepted; waiting for its ResultURL notification")
	return "charge-accepted", child.InvID
}
