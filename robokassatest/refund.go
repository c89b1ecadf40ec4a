package robokassatest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/robokassa-go/robokassa"
)

// The Refund API (spec §9.2): POST RefundService/Refund/Create, the body a
// JWT (a JSON string literal, or bare) signed HS256, HS384 or HS512 with
// Password #3 alone; GET RefundService/Refund/GetState?id=<requestId>.
//
// Only a paid operation (state 100) can be refunded. A partial refund
// keeps it at 100 and grows Operation.Refunded; the refund that brings
// Refunded to the whole OutSum moves it to 60. Refunds complete at once:
// GetState answers "finished" with the amount. Refusals: 401 {"message":
// "Invalid token signature"} when no shop's Password #3 verifies the
// token, 400 {"message": …} for a malformed payload, and 200
// {"success":false,"message":…} with OperationNotFound (no paid
// operation has the OpKey), AlreadyRefunded (refunded in full) or
// NotEnoughOperationFunds (more than what is left).

// refund is one accepted refund request.
type refund struct {
	id     string
	op     *operation
	amount decimal.Decimal
}

type refundRequest struct {
	OpKey        string
	RefundSum    json.Number
	InvoiceItems []struct {
		Name     string
		Quantity json.Number
		Cost     json.Number
		Tax      string
	}
}

func refundJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

type refundMessage struct {
	Message string `json:"message"`
}

type refundCreated struct {
	Success   bool    `json:"success"`
	Message   *string `json:"message"`
	RequestID *string `json:"requestId"`
}

func refundRefused(w http.ResponseWriter, code robokassa.RefundCode) {
	msg := string(code)
	refundJSON(w, http.StatusOK, refundCreated{false, &msg, nil})
}

// handleRefund serves Refund/Create.
func (s *Server) handleRefund(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxJWT+16))
	if err != nil {
		refundJSON(w, http.StatusBadRequest, refundMessage{"the request body is not readable or too large"})
		return
	}
	header, payload, sig, signed, err := jwtParts(jsonStringBody(body))
	if err != nil {
		refundJSON(w, http.StatusBadRequest, refundMessage{"Invalid token: " + err.Error()})
		return
	}
	var req refundRequest
	d := json.NewDecoder(bytes.NewReader(payload))
	d.UseNumber()
	if d.Decode(&req) != nil {
		refundJSON(w, http.StatusBadRequest, refundMessage{"the token's payload is not a refund request"})
		return
	}
	if req.OpKey == "" {
		refundJSON(w, http.StatusBadRequest, refundMessage{"OpKey is required"})
		return
	}
	var sum decimal.Decimal
	partial := req.RefundSum != ""
	if partial {
		var ok bool
		if sum, ok = parseSum(req.RefundSum.String()); !ok || !sum.IsPositive() {
			refundJSON(w, http.StatusBadRequest, refundMessage{"RefundSum must be an amount greater than zero with at most 2 decimal places"})
			return
		}
	}
	items, msg := refundItems(&req)
	if msg != "" {
		refundJSON(w, http.StatusBadRequest, refundMessage{msg})
		return
	}

	s.mu.Lock()
	op := s.store.byOpKey[req.OpKey]
	var code robokassa.RefundCode
	authorised := op != nil && verifyRefundJWT(string(op.shop.Password3), header, signed, sig) == nil
	if op == nil {
		// No operation to take the key from: the token must still be
		// one of the server's shops' before it learns anything.
		for _, sh := range s.shops {
			if verifyRefundJWT(string(sh.Password3), header, signed, sig) == nil {
				authorised = true
			}
		}
	}
	switch {
	case !authorised:
	case op == nil || op.test:
		code = robokassa.RefundCodeOperationNotFound
	case op.state == robokassa.StateRefunded && op.refunded.Equal(op.outSum):
		code = robokassa.RefundCodeAlreadyRefunded
	case op.state != robokassa.StatePaid:
		code = robokassa.RefundCodeOperationNotFound
	default:
		remaining := op.outSum.Sub(op.refunded)
		if !partial {
			sum = remaining
		}
		switch {
		case sum.GreaterThan(remaining):
			code = robokassa.RefundCodeNotEnoughFunds
		case items.IsPositive() && !items.Equal(sum):
			s.mu.Unlock()
			refundJSON(w, http.StatusBadRequest, refundMessage{"InvoiceItems add up to " + items.StringFixed(2) + ", not the refund's " + sum.StringFixed(2)})
			return
		}
	}
	var id string
	if authorised && code == "" {
		op.refunded = op.refunded.Add(sum)
		if op.refunded.Equal(op.outSum) {
			op.setState(robokassa.StateRefunded, time.Now())
		}
		id = newGUID()
		s.refunds[id] = &refund{id: id, op: op, amount: sum}
	}
	s.mu.Unlock()
	switch {
	case !authorised:
		refundJSON(w, http.StatusUnauthorized, refundMessage{"Invalid token signature"})
	case code != "":
		refundRefused(w, code)
	default:
		refundJSON(w, http.StatusOK, refundCreated{true, nil, &id})
	}
}

// refundItems checks InvoiceItems and returns their total (zero when
// there are none).
func refundItems(req *refundRequest) (decimal.Decimal, string) {
	if len(req.InvoiceItems) > maxReceiptItems {
		return decimal.Zero, "too many InvoiceItems"
	}
	total := decimal.Zero
	for i, it := range req.InvoiceItems {
		q, okQ := parseDecimal(it.Quantity.String(), 3, 5)
		cost, okC := parseDecimal(it.Cost.String(), 2, 8)
		if it.Name == "" || it.Tax == "" || !okQ || !q.IsPositive() || !okC {
			return decimal.Zero, "InvoiceItems[" + strconv.Itoa(i) + "] needs Name, Tax, a positive Quantity and a Cost"
		}
		total = total.Add(cost.Mul(q))
	}
	return total, ""
}

// handleRefundState serves Refund/GetState.
func (s *Server) handleRefundState(w http.ResponseWriter, r *http.Request) {
	form, perr := readForm(w, r, 4<<10)
	id := ""
	if perr == nil {
		id = strings.ToLower(form.Get("id"))
	}
	s.mu.Lock()
	rf := s.refunds[id]
	var amount string
	if rf != nil {
		amount = rf.amount.StringFixed(6)
	}
	s.mu.Unlock()
	if rf == nil {
		refundJSON(w, http.StatusOK, refundMessage{"Id is invalid or request id does not exist"})
		return
	}
	refundJSON(w, http.StatusOK, struct {
		RequestID string      `json:"requestId"`
		Amount    json.Number `json:"amount"`
		Label     string      `json:"label"`
	}{rf.id, json.Number(amount), string(robokassa.RefundStateFinished)})
}
