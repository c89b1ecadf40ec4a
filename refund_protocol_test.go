package robokassa_test

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/robokassa-go/robokassa"
	"github.com/robokassa-go/robokassa/robokassatest"
)

var guidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// lastRefund is the last Refund/Create request, its JWT checked with the
// standard library (HS256 keyed by Password #3 alone, spec §9.2).
func lastRefund(t *testing.T, e *emulator, pass3 string) (string, []byte) {
	t.Helper()
	sent := e.sent("/RefundService/Refund/Create")
	require.NotEmpty(t, sent)
	r := sent[len(sent)-1]
	assert.Equal(t, "/RefundService/Refund/Create", r.Path)
	return sentJWT(t, r, "HS256", sha256.New, pass3)
}

type refundProtocolVector struct {
	Name      string `json:"name"`
	Password3 string `json:"password3"`
	Body      string `json:"body"`
	Input     struct {
		OpKey string `json:"op_key"`
		Sum   string `json:"sum"`
		Items []struct {
			Name, Quantity, Sum, Cost, Tax string
			PaymentMethod                  string `json:"payment_method"`
			PaymentObject                  string `json:"payment_object"`
		} `json:"items"`
	} `json:"input"`
}

func (v refundProtocolVector) request() robokassa.RefundRequest {
	r := robokassa.RefundRequest{OpKey: v.Input.OpKey}
	if v.Input.Sum != "" {
		r.Sum = decimal.NewNullDecimal(d(v.Input.Sum))
	}
	for _, in := range v.Input.Items {
		it := robokassa.ReceiptItem{Name: in.Name, Quantity: d(in.Quantity), Tax: robokassa.Tax(in.Tax),
			PaymentMethod: robokassa.ReceiptPaymentMethod(in.PaymentMethod), PaymentObject: robokassa.PaymentObject(in.PaymentObject)}
		if in.Sum != "" {
			it.Sum = d(in.Sum)
		}
		if in.Cost != "" {
			it.Cost = decimal.NewNullDecimal(d(in.Cost))
		}
		r.Items = append(r.Items, it)
	}
	return r
}

// TestRefundProtocolVectors: with each vector's Password #3 on the
// emulator, the SDK sends exactly the body computed in Python, and the
// emulator's own JWT code accepts it: the vectors' OpKeys name no payment
// of the emulator, which it says only once the token verified (a bad one
// is a 401).
func TestRefundProtocolVectors(t *testing.T) {
	b, err := os.ReadFile("testdata/refund_vectors.json")
	require.NoError(t, err)
	var v struct {
		Refund []refundProtocolVector `json:"refund"`
	}
	require.NoError(t, json.Unmarshal(b, &v))
	require.NotEmpty(t, v.Refund)
	for _, rv := range v.Refund {
		t.Run(rv.Name, func(t *testing.T) {
			e := newEmulator(t, func(sh *robokassatest.Shop) { sh.Password3 = robokassa.Secret(rv.Password3) })
			c := e.client(t)
			ticket, err := c.Refund(bg(t), rv.request())
			assert.Nil(t, ticket)
			ae := requireAPIError(t, err, "Refund")
			assert.Equal(t, http.StatusOK, ae.Status, "the token verified")
			assert.Equal(t, string(robokassa.RefundCodeOperationNotFound), ae.Code)
			assert.ErrorIs(t, err, robokassa.ErrNotFound)
			sent := e.sent("/RefundService/Refund/Create")
			require.Len(t, sent, 1)
			assert.Equal(t, rv.Body, string(sent[0].Body))
		})
	}
}

// TestRefundProtocol: full and partial refunds move the emulator's
// operation (spec §9.2), GetState reports them, and every refusal the
// emulator gives is an *APIError.
func TestRefundProtocol(t *testing.T) {
	e := newEmulator(t)
	c := e.client(t)

	t.Run("full refund", func(t *testing.T) {
		e.pay(t, c, robokassa.Payment{OutSum: d("990"), InvID: 1})
		key := opKeyOf(t, e, 1)
		ticket, err := c.Refund(bg(t), robokassa.RefundRequest{OpKey: key})
		require.NoError(t, err)
		assert.Regexp(t, guidRE, ticket.RequestID)
		assert.Equal(t, 1, e.hits(robokassatest.EndpointRefund))
		_, payload := lastRefund(t, e, emuPass3)
		assert.Equal(t, `{"OpKey":"`+key+`"}`, string(payload), "a full refund has no RefundSum")
		op, _ := e.Operation(1)
		assert.Equal(t, robokassa.StateRefunded, op.State)
		assert.True(t, op.Refunded.Equal(d("990")), op.Refunded.String())

		st, err := c.RefundStatus(bg(t), ticket.RequestID)
		require.NoError(t, err)
		assert.Equal(t, robokassa.RefundStateFinished, st.State)
		assert.True(t, st.Amount.Equal(d("990")), st.Amount.String())
		assert.True(t, strings.EqualFold(ticket.RequestID, st.RequestID))
		sent := e.sent("/RefundService/Refund/GetState")
		require.Len(t, sent, 1)
		assert.Equal(t, http.MethodGet, sent[0].Method)
		assert.Equal(t, "/RefundService/Refund/GetState", sent[0].Path)
		assert.Equal(t, "id="+ticket.RequestID, sent[0].Query)
		assert.Empty(t, sent[0].Body)
	})

	t.Run("partial refunds", func(t *testing.T) {
		e.pay(t, c, robokassa.Payment{OutSum: d("1000"), InvID: 2})
		key := opKeyOf(t, e, 2)
		_, err := c.Refund(bg(t), robokassa.RefundRequest{OpKey: key, Sum: decimal.NewNullDecimal(d("100.5"))})
		require.NoError(t, err)
		_, payload := lastRefund(t, e, emuPass3)
		var p struct{ RefundSum json.RawMessage }
		require.NoError(t, json.Unmarshal(payload, &p))
		assert.Equal(t, "100.50", string(p.RefundSum), "a JSON number with two decimals")
		op, _ := e.Operation(2)
		assert.Equal(t, robokassa.StatePaid, op.State, "a partial refund leaves it paid")
		assert.True(t, op.Refunded.Equal(d("100.5")))

		_, err = c.Refund(bg(t), robokassa.RefundRequest{OpKey: key, Sum: decimal.NewNullDecimal(d("899.5")), Items: []robokassa.ReceiptItem{
			{Name: "Товар «А»", Quantity: d("1"), Sum: d("499.5"), Tax: robokassa.TaxVAT20},
			{Name: "Item B & <co>", Quantity: d("2"), Cost: decimal.NewNullDecimal(d("200")), Tax: robokassa.TaxNone},
		}})
		require.NoError(t, err)
		op, _ = e.Operation(2)
		assert.Equal(t, robokassa.StateRefunded, op.State, "the rest refunded")
	})

	t.Run("accepted shapes", func(t *testing.T) {
		tests := []struct {
			name string
			paid string
			req  func(key string) robokassa.RefundRequest
		}{
			{"items without sum", "100.02", func(key string) robokassa.RefundRequest {
				return robokassa.RefundRequest{OpKey: key, Items: []robokassa.ReceiptItem{{Name: "a", Quantity: d("3"), Sum: d("100.02"), Tax: robokassa.TaxNone}}}
			}},
			{"cost only", "30", func(key string) robokassa.RefundRequest {
				return robokassa.RefundRequest{OpKey: key, Sum: decimal.NewNullDecimal(d("30")), Items: []robokassa.ReceiptItem{
					{Name: "a", Quantity: d("3"), Cost: decimal.NewNullDecimal(d("10")), Tax: robokassa.TaxVAT20}}}
			}},
			{"sum with trailing zeros", "10", func(key string) robokassa.RefundRequest {
				return robokassa.RefundRequest{OpKey: key, Sum: decimal.NewNullDecimal(d("10.000"))}
			}},
			{"empty items slice", "10", func(key string) robokassa.RefundRequest {
				return robokassa.RefundRequest{OpKey: key, Items: []robokassa.ReceiptItem{}}
			}},
		}
		for i, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				id := int64(10 + i)
				e.pay(t, c, robokassa.Payment{OutSum: d(tt.paid), InvID: id})
				before := e.hits(robokassatest.EndpointRefund)
				_, err := c.Refund(bg(t), tt.req(opKeyOf(t, e, id)))
				require.NoError(t, err)
				assert.Equal(t, before+1, e.hits(robokassatest.EndpointRefund))
				assert.Equal(t, robokassa.StateRefunded, e.state(t, id), "refunded in full")
			})
		}
	})

	// Refusals.
	e.pay(t, c, robokassa.Payment{OutSum: d("50"), InvID: 20})
	e.open(t, c, robokassa.Payment{OutSum: d("50"), InvID: 21}) // not paid
	key20, key21, key1 := opKeyOf(t, e, 20), opKeyOf(t, e, 21), opKeyOf(t, e, 1)
	wrongPass := e.client(t, func(cfg *robokassa.Config) { cfg.Password3 = "not-the-password" })
	tests := []struct {
		name     string
		c        *robokassa.Client
		req      robokassa.RefundRequest
		status   int
		code     robokassa.RefundCode
		message  string
		notFound bool
	}{
		{"more than left", c, robokassa.RefundRequest{OpKey: key20, Sum: decimal.NewNullDecimal(d("50.01"))}, 200,
			robokassa.RefundCodeNotEnoughFunds, robokassa.RefundCodeNotEnoughFunds.Meaning(), false},
		{"already refunded", c, robokassa.RefundRequest{OpKey: key1}, 200,
			robokassa.RefundCodeAlreadyRefunded, robokassa.RefundCodeAlreadyRefunded.Meaning(), false},
		{"unknown OpKey", c, robokassa.RefundRequest{OpKey: "no-such-key"}, 200,
			robokassa.RefundCodeOperationNotFound, robokassa.RefundCodeOperationNotFound.Meaning(), true},
		{"not paid", c, robokassa.RefundRequest{OpKey: key21}, 200,
			robokassa.RefundCodeOperationNotFound, robokassa.RefundCodeOperationNotFound.Meaning(), true},
		{"wrong Password #3", wrongPass, robokassa.RefundRequest{OpKey: key20}, 401, "", "Invalid token signature", false},
		{"items not the refund", c, robokassa.RefundRequest{OpKey: key20, Items: []robokassa.ReceiptItem{
			{Name: "a", Quantity: d("1"), Sum: d("10"), Tax: robokassa.TaxNone}}}, 400, "", "InvoiceItems add up to 10.00", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := e.hits(robokassatest.EndpointRefund)
			ticket, err := tt.c.Refund(bg(t), tt.req)
			assert.Nil(t, ticket)
			assert.Equal(t, before+1, e.hits(robokassatest.EndpointRefund), "sent once")
			ae := requireAPIError(t, err, "Refund")
			assert.Equal(t, tt.status, ae.Status)
			assert.Equal(t, string(tt.code), ae.Code)
			assert.Contains(t, ae.Message, tt.message)
			assert.Equal(t, tt.notFound, errors.Is(err, robokassa.ErrNotFound))
			for _, p := range []string{emuPass3, "not-the-password"} {
				assert.NotContains(t, err.Error(), p)
				assert.NotContains(t, ae.Body, p)
			}
		})
	}
	assert.Equal(t, robokassa.StatePaid, e.state(t, 20), "the refusals moved no money")

	t.Run("unknown request id", func(t *testing.T) {
		before := e.hits(robokassatest.EndpointRefundState)
		st, err := c.RefundStatus(bg(t), "6f1c5f3e-3d2a-4b8e-9c6d-1a2b3c4d5e6f")
		assert.Nil(t, st)
		ae := requireAPIError(t, err, "RefundStatus")
		assert.Contains(t, ae.Message, "request id does not exist")
		assert.ErrorIs(t, err, robokassa.ErrNotFound)
		assert.Equal(t, before+1, e.hits(robokassatest.EndpointRefundState))
	})

	t.Run("GetState works in test mode", func(t *testing.T) {
		ticket, err := c.Refund(bg(t), robokassa.RefundRequest{OpKey: key20, Sum: decimal.NewNullDecimal(d("1"))})
		require.NoError(t, err)
		tc := e.client(t, func(cfg *robokassa.Config) { cfg.Test = true })
		st, err := tc.RefundStatus(bg(t), ticket.RequestID)
		require.NoError(t, err)
		assert.Equal(t, robokassa.RefundStateFinished, st.State)
		assert.True(t, st.Amount.Equal(d("1")))
	})
}

// TestRefundSendsNothing: test mode, no Password #3 and bad input are
// refused before anything is sent.
func TestRefundSendsNothing(t *testing.T) {
	e := newEmulator(t)
	c := e.client(t)
	for _, tt := range []struct {
		name string
		c    *robokassa.Client
		want error
	}{
		{"no password 3", e.client(t, func(cfg *robokassa.Config) { cfg.Password3 = "" }), robokassa.ErrNoPassword3},
		{"test mode", e.client(t, func(cfg *robokassa.Config) { cfg.Test = true }), robokassa.ErrNotInTestMode},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.c.Refund(bg(t), robokassa.RefundRequest{OpKey: "op"})
			assert.ErrorIs(t, err, tt.want)
		})
	}

	item := func(mod func(*robokassa.ReceiptItem)) robokassa.ReceiptItem {
		it := robokassa.ReceiptItem{Name: "Item", Quantity: d("1"), Sum: d("100"), Tax: robokassa.TaxNone}
		if mod != nil {
			mod(&it)
		}
		return it
	}
	sum := func(s string) decimal.NullDecimal { return decimal.NewNullDecimal(d(s)) }
	type rr = robokassa.RefundRequest
	type ri = robokassa.ReceiptItem
	tests := []struct {
		name  string
		req   rr
		field string
	}{
		{"no OpKey", rr{}, "RefundRequest.OpKey"},
		{"OpKey with space", rr{OpKey: "op 1"}, "RefundRequest.OpKey"},
		{"OpKey with newline", rr{OpKey: "op\n1"}, "RefundRequest.OpKey"},
		{"zero sum", rr{OpKey: "op", Sum: sum("0")}, "RefundRequest.Sum"},
		{"negative sum", rr{OpKey: "op", Sum: sum("-1")}, "RefundRequest.Sum"},
		{"three decimals", rr{OpKey: "op", Sum: sum("1.005")}, "RefundRequest.Sum"},
		{"empty item name", rr{OpKey: "op", Items: []ri{item(func(it *ri) { it.Name = "" })}}, "RefundRequest.Items[0].Name"},
		{"no tax", rr{OpKey: "op", Items: []ri{item(nil), item(func(it *ri) { it.Tax = "" })}}, "RefundRequest.Items[1].Tax"},
		{"zero quantity", rr{OpKey: "op", Items: []ri{item(func(it *ri) { it.Quantity = decimal.Zero })}}, "RefundRequest.Items[0].Quantity"},
		{"sum not divisible", rr{OpKey: "op", Items: []ri{item(func(it *ri) { it.Quantity = d("3") })}}, "RefundRequest.Items[0].Cost"},
		{"cost disagrees with sum", rr{OpKey: "op", Items: []ri{item(func(it *ri) { it.Cost = decimal.NewNullDecimal(d("99")) })}}, "RefundRequest.Items[0].Cost"},
		{"nomenclature code", rr{OpKey: "op", Items: []ri{item(func(it *ri) { it.NomenclatureCode = "0462" })}}, "RefundRequest.Items[0].NomenclatureCode"},
		{"items do not add up", rr{OpKey: "op", Sum: sum("150"), Items: []ri{item(nil)}}, "RefundRequest.Items"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ticket, err := c.Refund(bg(t), tt.req)
			assert.Nil(t, ticket)
			requireValidation(t, err, tt.field)
		})
	}
	t.Run("status without id", func(t *testing.T) {
		_, err := c.RefundStatus(bg(t), "")
		requireValidation(t, err, "requestID")
	})
	assert.Zero(t, e.log.total(), "nothing sent")
}
