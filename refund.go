package robokassa

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"
)

// Refund API paths under Config.ServicesURL (spec §9.2).
const (
	pathRefundCreate = "/RefundService/Refund/Create"
	pathRefundState  = "/RefundService/Refund/GetState"
)

// RefundRequest asks Robokassa to return money of a completed payment
// (spec §9.2). Only OpKey is required.
type RefundRequest struct {
	// OpKey identifies the paid operation: the OpKey that OpStateExt
	// reports. Only completed operations (state 100) can be refunded.
	OpKey string
	// Sum is the amount to return, greater than zero with at most 2
	// decimal places. Unset (Valid false) means a full refund.
	Sum decimal.NullDecimal
	// Items are the receipt lines being refunded, for the refund receipt.
	// Each is validated as a receipt line (spec §11). The Refund API
	// carries a unit price (Cost) per line, so a line needs Cost, or a Sum
	// that divides by Quantity into whole kopecks; when both are set they
	// must agree (Cost × Quantity = Sum). NomenclatureCode is not part of
	// the Refund API and must be empty. When Sum is also set, the line
	// totals must add up to it.
	Items []ReceiptItem
}

// RefundTicket is Robokassa's acknowledgement of a refund request
// (spec §9.2). The refund itself completes later: poll [Client.RefundStatus] with RequestID.
type RefundTicket struct {
	// RequestID is the refund request's GUID.
	RequestID string
}

// RefundState is the state of a refund request (spec §9.2). The type is
// open: a state Robokassa adds later is passed through as is.
type RefundState string

// Refund request states.
const (
	RefundStateFinished   RefundState = "finished"
	RefundStateProcessing RefundState = "processing"
	RefundStateCanceled   RefundState = "canceled"
)

// RefundStatus is the answer of [Client.RefundStatus] (spec §9.2).
type RefundStatus struct {
	RequestID string
	State     RefundState
	// Amount is the amount of the refund as Robokassa reports it (it
	// sends six decimals: 1.000000). Zero when the response omits it.
	Amount decimal.Decimal
}

// refundNotFoundMessage is what GetState answers for an unknown request id.
const refundNotFoundMessage = "request id does not exist"

// refundPayload is the JWT payload of Refund/Create (spec §9.2).
type refundPayload struct {
	OpKey        string          `json:"OpKey"`
	RefundSum    json.Number     `json:"RefundSum,omitempty"`
	InvoiceItems []unitPriceItem `json:"InvoiceItems,omitempty"`
}

// refundCreateResponse is Refund/Create's answer; pointers tell an absent
// field from a zero one.
type refundCreateResponse struct {
	Success   *bool   `json:"success"`
	Message   *string `json:"message"`
	RequestID *string `json:"requestId"`
}

// refundStateResponse is Refund/GetState's answer.
type refundStateResponse struct {
	RequestID *string  `json:"requestId"`
	Amount    jsonText `json:"amount"`
	Label     *string  `json:"label"`
	Message   *string  `json:"message"`
}

// Refund asks Robokassa to refund a completed payment, in full or in part
// (spec §9.2). The request is a JWT signed with HMAC-SHA256 and Password
// #3 alone; a client built without Password3 returns [ErrNoPassword3] and
// sends nothing. It is sent exactly once, never retried: a refund moves
// money, so after a network error or a 5xx answer check
// [Client.RefundStatus] or the cabinet before trying again.
//
// Robokassa lists no test mode for the Refund API (spec §13) and a test
// payment moved no money, so a test-mode client returns
// [ErrNotInTestMode] without sending anything.
//
// A rejection ("success": false) is an [*APIError] whose Code is
// Robokassa's message (see [RefundCodeNotEnoughFunds] and its siblings)
// and whose Message explains it; [RefundCodeOperationNotFound] also
// matches [ErrNotFound]. An HTTP 400 or 401 answer (bad JWT, wrong
// Password #3) is an [*APIError] carrying Robokassa's message.
func (c *Client) Refund(ctx context.Context, r RefundRequest) (*RefundTicket, error) {
	if c.test {
		return nil, notInTestMode("Refund")
	}
	if c.keys().pass3 == "" {
		return nil, ErrNoPassword3
	}
	payload, err := r.payload()
	if err != nil {
		return nil, err
	}
	js, err := compactJSON(payload)
	if err != nil {
		return nil, err
	}
	token := signJWT("HS256", sha256.New, []byte(c.keys().pass3), js)
	rp, err := c.postJWT(ctx, "Refund", c.services+pathRefundCreate, token, false)
	if err != nil {
		return nil, refundHTTPError(err)
	}
	return parseRefundCreate(rp)
}

// RefundStatus reports the state of a refund request (spec §9.2): GET
// Refund/GetState?id=requestID. It needs no password and works in test
// mode too. It is retried on network errors and 5xx answers. An unknown
// request id is an [*APIError] matching [ErrNotFound].
func (c *Client) RefundStatus(ctx context.Context, requestID string) (*RefundStatus, error) {
	if err := checkIssuedID("requestID", requestID); err != nil {
		return nil, err
	}
	rp, err := c.send(ctx, call{
		op:         "RefundStatus",
		method:     http.MethodGet,
		url:        c.services + pathRefundState,
		form:       "id=" + url.QueryEscape(requestID),
		idempotent: true,
	})
	if err != nil {
		return nil, refundHTTPError(err)
	}
	return parseRefundState(rp, requestID)
}

// payload validates r and builds the JWT payload.
func (r *RefundRequest) payload() (*refundPayload, error) {
	if err := checkIssuedID("RefundRequest.OpKey", r.OpKey); err != nil {
		return nil, err
	}
	p := &refundPayload{OpKey: r.OpKey}
	if r.Sum.Valid {
		if err := checkAmount("RefundRequest.Sum", r.Sum.Decimal, false, 0); err != nil {
			return nil, err
		}
		p.RefundSum = json.Number(appendFixed(nil, r.Sum.Decimal, 2))
	}
	if len(r.Items) == 0 {
		return p, nil
	}
	rc := Receipt{Items: r.Items}
	if r.Sum.Valid {
		if err := rc.checkTotal("RefundRequest", r.Sum.Decimal, "Sum"); err != nil {
			return nil, err
		}
	} else if err := rc.validate("RefundRequest"); err != nil {
		return nil, err
	}
	p.InvoiceItems = make([]unitPriceItem, len(r.Items))
	for i := range r.Items {
		it := &r.Items[i]
		field := "RefundRequest.Items[" + strconv.Itoa(i) + "]."
		if it.NomenclatureCode != "" {
			return nil, invalid(field+"NomenclatureCode", "is not carried by the Refund API (spec §9.2); leave it empty")
		}
		cost, err := it.unitCost()
		if err != nil {
			err.Field = field + err.Field
			return nil, err
		}
		p.InvoiceItems[i] = it.unitPriceWire(cost)
	}
	return p, nil
}

// refundHTTPError reads a 4xx answer's message ({"message": ...},
// spec §9.2; send put it in Message) as a rejection code when it is one.
func refundHTTPError(err error) error {
	var ae *APIError
	if errors.As(err, &ae) && ae.Status >= 400 && ae.Status < 500 && ae.Message != http.StatusText(ae.Status) {
		setRefundMessage(ae, ae.Message, "")
	}
	return err
}

// setRefundMessage fills Code and Message of ae from a Refund API message
// (already redacted: it came from the network). A known rejection code
// becomes Code with its meaning as Message; other text becomes Message,
// or, with a fallback, Code with the fallback as Message.
func setRefundMessage(ae *APIError, msg, fallback string) {
	switch meaning := RefundCode(msg).Meaning(); {
	case meaning != "":
		ae.Code, ae.Message = msg, meaning
	case fallback != "":
		ae.Code, ae.Message = msg, fallback
	default:
		ae.Message = msg
	}
	if RefundCode(msg) == RefundCodeOperationNotFound || strings.Contains(strings.ToLower(msg), refundNotFoundMessage) {
		ae.kind = ErrNotFound
	}
}

// parseRefundCreate reads Refund/Create's answer.
func parseRefundCreate(rp *reply) (*RefundTicket, error) {
	var r refundCreateResponse
	if err := json.Unmarshal(rp.body, &r); err != nil {
		return nil, rp.malformed("not a JSON object", err)
	}
	switch {
	case r.Success == nil:
		return nil, rp.malformed("no success flag", nil)
	case !*r.Success:
		ae := rp.apiError("", "refund rejected without a reason")
		if r.Message != nil && *r.Message != "" {
			setRefundMessage(ae, rp.redact([]byte(*r.Message)), "refund rejected")
		}
		return nil, ae
	case r.RequestID == nil || *r.RequestID == "":
		return nil, rp.malformed("no requestId", nil)
	}
	return &RefundTicket{RequestID: *r.RequestID}, nil
}

// parseRefundState reads Refund/GetState's answer for requestID.
func parseRefundState(rp *reply, requestID string) (*RefundStatus, error) {
	var r refundStateResponse
	if err := json.Unmarshal(rp.body, &r); err != nil {
		return nil, rp.malformed("not a JSON object", err)
	}
	if r.RequestID == nil || *r.RequestID == "" {
		if r.Message != nil && *r.Message != "" {
			ae := rp.apiError("", "")
			setRefundMessage(ae, rp.redact([]byte(*r.Message)), "")
			return nil, ae
		}
		return nil, rp.malformed("no requestId", nil)
	}
	if !strings.EqualFold(*r.RequestID, requestID) {
		return nil, rp.malformed("answer is for another request id", nil)
	}
	if r.Label == nil || *r.Label == "" {
		return nil, rp.malformed("no label", nil)
	}
	st := &RefundStatus{RequestID: *r.RequestID, State: RefundState(*r.Label)}
	if r.Amount.bad || r.Amount.s != "" {
		amount, ok := r.Amount.amount()
		if !ok {
			return nil, rp.malformed("amount is not a non-negative decimal", nil)
		}
		st.Amount = amount
	}
	return st, nil
}
