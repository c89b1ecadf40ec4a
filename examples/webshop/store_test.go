package main

import (
	"context"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func mustProduct(t *testing.T, id string) product {
	t.Helper()
	p, ok := productByID(id)
	require.True(t, ok, id)
	return p
}

// draws returns an InvId generator that hands out ids in order.
func draws(ids ...int64) func() int64 {
	i := 0
	return func() int64 {
		id := ids[min(i, len(ids)-1)]
		i++
		return id
	}
}

func countRows(t *testing.T, st *store, table string) int {
	t.Helper()
	var n int
	require.NoError(t, st.db.QueryRow(`SELECT COUNT(*) FROM `+table).Scan(&n))
	return n
}

// TestInvIDRedrawOnConflict: the unique constraint has the last word. An
// InvId that is already taken makes the insert fail, and the store draws
// again; it gives up (and leaves nothing behind) only after
// maxInvIDDraws clashes in a row.
func TestInvIDRedrawOnConflict(t *testing.T) {
	ctx := context.Background()
	st := newTestStore(t)
	pack := mustProduct(t, "topup-100")

	st.newInvID = draws(1111)
	first, err := st.createOrder(ctx, "buyer-a", pack, false)
	require.NoError(t, err)
	require.Equal(t, int64(1111), first.InvID)

	t.Run("redraw", func(t *testing.T) {
		st.newInvID = draws(1111, 1111, 2222)
		p, err := st.createOrder(ctx, "buyer-b", pack, false)
		require.NoError(t, err)
		assert.Equal(t, int64(2222), p.InvID)
		assert.Equal(t, "buyer-b", p.Buyer)
		assert.Equal(t, statePending, p.State)
		// The first row is untouched.
		again, err := st.payment(ctx, 1111)
		require.NoError(t, err)
		assert.Equal(t, "buyer-a", again.Buyer)
	})

	t.Run("exhausted", func(t *testing.T) {
		orders := countRows(t, st, "orders")
		st.newInvID = draws(1111) // always taken
		_, err := st.createOrder(ctx, "buyer-c", pack, false)
		require.ErrorIs(t, err, errInvIDExhausted)
		assert.Equal(t, orders, countRows(t, st, "orders"), "the order was rolled back with its payment")
	})

	t.Run("charge redraws too", func(t *testing.T) {
		st.newInvID = draws(3333)
		sub, err := st.createOrder(ctx, "buyer-d", mustProduct(t, "monthly"), false)
		require.NoError(t, err)
		_, _, _, err = st.complete(ctx, completion{InvID: 3333, OutSum: decimal.RequireFromString("299")})
		require.NoError(t, err)
		st.newInvID = draws(1111, 2222, 3333, 4444)
		child, err := st.createCharge(ctx, sub.InvID)
		require.NoError(t, err)
		assert.Equal(t, int64(4444), child.InvID)
		assert.Equal(t, int64(3333), child.ParentInvID)
		assert.Equal(t, kindCharge, child.Kind)
		assert.Equal(t, sub.OrderID, child.OrderID)
		assert.Equal(t, "299.00", child.Amount.StringFixed(2))
	})
}

// TestComplete covers the state machine of one payment row.
func TestComplete(t *testing.T) {
	ctx := context.Background()
	st := newTestStore(t)
	st.newInvID = draws(42)
	p, err := st.createOrder(ctx, "buyer", mustProduct(t, "topup-500"), false)
	require.NoError(t, err)

	tests := []struct {
		name    string
		c       completion
		want    outcome
		wantErr bool
	}{
		{"unknown InvId", completion{InvID: 43, OutSum: decimal.RequireFromString("500")}, 0, true},
		{"amount lower", completion{InvID: 42, OutSum: decimal.RequireFromString("499.99")}, 0, true},
		{"amount with a fraction of a kopeck", completion{InvID: 42, OutSum: decimal.RequireFromString("500.000001")}, 0, true},
		{"another order", completion{InvID: 42, OutSum: decimal.RequireFromString("500"), OrderID: p.OrderID + 1}, 0, true},
		{"first", completion{InvID: 42, OutSum: decimal.RequireFromString("500.000000"), Fee: decimal.RequireFromString("17.5"), Method: "BankCard"}, completedNow, false},
		{"repeat", completion{InvID: 42, OutSum: decimal.RequireFromString("500.00")}, duplicate, false},
		{"repeat with a wrong amount is still refused", completion{InvID: 42, OutSum: decimal.RequireFromString("5")}, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, _, _, err := st.complete(ctx, tt.c)
			if tt.wantErr {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, out)
		})
	}
	got, err := st.payment(ctx, 42)
	require.NoError(t, err)
	assert.Equal(t, stateCompleted, got.State)
	assert.Equal(t, "17.5", got.Fee)
	assert.Equal(t, "BankCard", got.Method)
	assert.False(t, got.CompletedAt.IsZero())
}

// TestBalance: the balance is the buyer's completed top-ups, less the
// refunds of top-ups not cancelled, in the shop's mode.
func TestBalance(t *testing.T) {
	ctx := context.Background()
	st := newTestStore(t)
	next := int64(100)
	st.newInvID = func() int64 { next++; return next }
	pay := func(buyer, id string, test bool, complete bool) payment {
		t.Helper()
		p, err := st.createOrder(ctx, buyer, mustProduct(t, id), test)
		require.NoError(t, err)
		if complete {
			_, p, _, err = st.complete(ctx, completion{InvID: p.InvID, OutSum: p.Amount})
			require.NoError(t, err)
		}
		return p
	}
	balance := func(buyer string, test bool) string {
		t.Helper()
		b, err := st.balance(ctx, buyer, test)
		require.NoError(t, err)
		return b.StringFixed(2)
	}

	assert.Equal(t, "0.00", balance("alice", false), "no payments")
	pay("alice", "topup-100", false, true)
	refunded := pay("alice", "topup-500", false, true)
	pay("alice", "topup-1000", false, false) // pending: not counted
	pay("alice", "monthly", false, true)     // a subscription is not balance
	pay("alice", "topup-500", true, true)    // a test payment, in a production shop
	pay("bob", "topup-100", false, true)     // someone else's
	assert.Equal(t, "600.00", balance("alice", false))
	assert.Equal(t, "500.00", balance("alice", true), "a test-mode shop counts only test payments")

	_, err := st.startRefund(ctx, refunded.InvID)
	require.NoError(t, err)
	assert.Equal(t, "100.00", balance("alice", false), "a requested refund counts at once")
	require.NoError(t, st.setRefund(ctx, refunded.InvID, "req-1", "canceled"))
	assert.Equal(t, "600.00", balance("alice", false), "a cancelled refund gives the money back to the balance")
	require.NoError(t, st.setRefund(ctx, refunded.InvID, "", "finished"))
	assert.Equal(t, "100.00", balance("alice", false))
	got, err := st.payment(ctx, refunded.InvID)
	require.NoError(t, err)
	assert.Equal(t, "req-1", got.RefundRequestID, "an empty request id keeps the recorded one")
	assert.Equal(t, "100.00", balance("bob", false))
}

// TestStartRefundOnce: a payment gets at most one refund, and only when
// completed; a refused refund can be dropped and asked again.
func TestStartRefundOnce(t *testing.T) {
	ctx := context.Background()
	st := newTestStore(t)
	st.newInvID = draws(7)
	p, err := st.createOrder(ctx, "buyer", mustProduct(t, "topup-100"), false)
	require.NoError(t, err)

	_, err = st.startRefund(ctx, p.InvID)
	require.ErrorIs(t, err, errNotCompleted)
	_, err = st.startRefund(ctx, 8)
	require.ErrorIs(t, err, errUnknownPayment)

	_, _, _, err = st.complete(ctx, completion{InvID: p.InvID, OutSum: p.Amount})
	require.NoError(t, err)
	r, err := st.startRefund(ctx, p.InvID)
	require.NoError(t, err)
	assert.Equal(t, refundRequested, r.RefundState)
	_, err = st.startRefund(ctx, p.InvID)
	require.ErrorIs(t, err, errRefundExists)

	require.NoError(t, st.dropRefund(ctx, p.InvID))
	_, err = st.startRefund(ctx, p.InvID)
	require.NoError(t, err, "a dropped refund can be asked again")
	require.NoError(t, st.setRefund(ctx, p.InvID, "req", "processing"))
	require.NoError(t, st.dropRefund(ctx, p.InvID))
	_, err = st.startRefund(ctx, p.InvID)
	require.ErrorIs(t, err, errRefundExists, "only a refund that was never accepted can be dropped")
}

// TestCreateChargeNeedsCompletedSubscription: "charge now" only on a
// completed subscription payment.
func TestCreateChargeNeedsCompletedSubscription(t *testing.T) {
	ctx := context.Background()
	st := newTestStore(t)
	st.newInvID = draws(1, 2, 3)
	sub, err := st.createOrder(ctx, "buyer", mustProduct(t, "monthly"), false)
	require.NoError(t, err)
	pack, err := st.createOrder(ctx, "buyer", mustProduct(t, "topup-100"), false)
	require.NoError(t, err)
	_, err = st.createCharge(ctx, sub.InvID)
	assert.ErrorIs(t, err, errNotCompleted)
	_, _, _, err = st.complete(ctx, completion{InvID: pack.InvID, OutSum: pack.Amount})
	require.NoError(t, err)
	_, err = st.createCharge(ctx, pack.InvID)
	assert.ErrorIs(t, err, errNotSubscription)
	_, err = st.createCharge(ctx, 99)
	assert.ErrorIs(t, err, errUnknownPayment)
}

// TestKopecks: amounts convert exactly or not at all.
func TestKopecks(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"500", 50000, true},
		{"0.01", 1, true},
		{"299.00", 29900, true},
		{"1.005", 0, false},
		{"0", 0, false},
		{"-1", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			k, err := kopecks(decimal.RequireFromString(tt.in))
			if !tt.ok {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, k)
		})
	}
}
