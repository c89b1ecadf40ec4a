package robokassatest_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/robokassa-go/robokassa"
	"github.com/robokassa-go/robokassa/robokassatest"
)

func TestFlowLinkPagePayNotifySuccess(t *testing.T) {
	srv, shop := setup(t, nil)
	c := srv.Client()
	link, err := c.PaymentURL(robokassa.Payment{
		OutSum: decimal.RequireFromString("990"), InvID: 12, Description: "Order 12",
		Email: "buyer@example.com", Shp: map[string]string{"order": "12", "note": "a b~"},
	})
	require.NoError(t, err)
	b := newBrowser(t)
	resp, page := b.get(link)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, page, `id="pay"`, page)
	f := paymentForm(t, page)
	resp, body := b.submit(srv.URL, f, "pay")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "thank you", body)
	n, ok := shop.paidOrder(12)
	require.True(t, ok)
	assert.Equal(t, "990", n.OutSum.String())
	assert.Equal(t, map[string]string{"order": "12", "note": "a b~"}, n.Shp)
	op, ok := srv.Operation(12)
	require.True(t, ok)
	assert.Equal(t, robokassa.StatePaid, op.State)
	notes := srv.Notifications()
	require.Len(t, notes, 2)
	assert.Equal(t, robokassatest.KindResultURL, notes[0].Kind)
	assert.True(t, notes[0].OK)
	assert.True(t, strings.HasPrefix(notes[0].Form.Get("OutSum"), "990.000000"))
}
