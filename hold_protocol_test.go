package robokassa_test

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/robokassa-go/robokassa"
	"github.com/robokassa-go/robokassa/robokassatest"
)

// heldReceipt is a one-line receipt of sum.
func heldReceipt(sum string) *robokassa.Receipt {
	return &robokassa.Receipt{Sno: robokassa.SnoOSN, Items: []robokassa.ReceiptItem{
		{Name: "Item A", Quantity: d("1"), Sum: d(sum), Tax: robokassa.TaxVAT22,
			PaymentMethod: robokassa.ReceiptPaymentFull, PaymentObject: robokassa.ObjectCommodity},
	}}
}

// TestHoldProtocol: a held two-stage payment captured (amount and receipt
// only going down) or released, and every refusal the emulator gives
// (spec §6, §12).
func TestHoldProtocol(t *testing.T) {
	e := newEmulator(t)
	c := e.client(t)
	hold := func(t *testing.T, id int64, sum string) {
		e.pay(t, c, robokassa.Payment{OutSum: d(sum), InvID: id, StepByStep: true, Receipt: heldReceipt(sum)})
	}

	t.Run("capture less than held", func(t *testing.T) {
		hold(t, 500, "150")
		err := c.ConfirmHold(bg(t), robokassa.HoldCapture{InvID: 500, OutSum: d("120.50"), Receipt: heldReceipt("120.50"),
			Shp: map[string]string{"order": "500", "note": "a b"}})
		require.NoError(t, err)
		assert.Equal(t, 1, e.hits(robokassatest.EndpointConfirm))
		op, _ := e.Operation(500)
		assert.Equal(t, robokassa.StatePaid, op.State, "captured")
		assert.True(t, op.OutSum.Equal(d("120.50")), op.OutSum.String())
		require.Len(t, op.Lines, 1)
		assert.True(t, op.Lines[0].Sum.Equal(d("120.50")))

		sent := e.sent("/Merchant/Payment/Confirm")
		require.Len(t, sent, 1)
		assert.Equal(t, http.MethodPost, sent[0].Method)
		assert.Equal(t, "/Merchant/Payment/Confirm", sent[0].Path)
		assert.Equal(t, "application/x-www-form-urlencoded", sent[0].ContentType)
		form := formOf(t, sent[0].Body)
		assert.Equal(t, "120.50", form.Get("OutSum"))
		assert.Equal(t, "a+b", form.Get("Shp_note"), "Shp values are sent as signed")
	})

	t.Run("release", func(t *testing.T) {
		hold(t, 501, "99.99")
		require.NoError(t, c.CancelHold(bg(t), 501))
		assert.Equal(t, 1, e.hits(robokassatest.EndpointCancel))
		assert.Equal(t, robokassa.StateRefunded, e.state(t, 501), "a released hold is 60")
		sent := e.sent("/Merchant/Payment/Cancel")
		require.Len(t, sent, 1)
		assert.Equal(t, "/Merchant/Payment/Cancel", sent[0].Path)
		form := formOf(t, sent[0].Body)
		assert.Equal(t, []string{"InvoiceID", "MerchantLogin", "SignatureValue"}, sortedKeys(form), "no OutSum")
	})

	t.Run("every algorithm", func(t *testing.T) {
		for i, alg := range []robokassa.HashAlgorithm{robokassa.MD5, robokassa.RIPEMD160, robokassa.SHA1, robokassa.SHA256, robokassa.SHA384, robokassa.SHA512} {
			t.Run(string(alg), func(t *testing.T) {
				sc := e.shopClient(t, robokassatest.Shop{MerchantLogin: "hold-" + string(alg), Password1: "пароль1:" + robokassa.Secret(alg),
					Password2: "p2", Algorithm: alg})
				confirmed, cancelled := int64(9223372036854775807-2*i), int64(1+2*i)
				e.pay(t, sc, robokassa.Payment{OutSum: d("12.30"), InvID: confirmed, StepByStep: true})
				e.pay(t, sc, robokassa.Payment{OutSum: d("12.30"), InvID: cancelled, StepByStep: true})
				require.NoError(t, sc.ConfirmHold(bg(t), robokassa.HoldCapture{InvID: confirmed, OutSum: d("12.30"),
					Shp: map[string]string{"z": "1"}}), "the emulator verified the %s signature", alg)
				require.NoError(t, sc.CancelHold(bg(t), cancelled), "the emulator verified the %s signature", alg)
			})
		}
	})

	refusedFalse := "robokassa refused the request (success: false); check the operation's state with OpStateExt (Client.OpState)"
	noHold := e.shopClient(t, robokassatest.Shop{MerchantLogin: "nohold", Password1: "n1", Password2: "n2", NoHold: true})
	wrongPass := e.client(t, func(cfg *robokassa.Config) { cfg.Password1 = "not-the-password" })
	unknown := e.client(t, func(cfg *robokassa.Config) { cfg.MerchantLogin = "nobody" })
	hold(t, 510, "100")
	e.pay(t, c, robokassa.Payment{OutSum: d("100"), InvID: 511}) // paid at once, never held

	tests := []struct {
		name    string
		op      string
		call    func() error
		code    string // "" for success: false
		message string
	}{
		{"confirm more than held", "ConfirmHold", func() error {
			return c.ConfirmHold(bg(t), robokassa.HoldCapture{InvID: 510, OutSum: d("100.01")})
		}, "65", robokassa.ErrorCodeBadHoldParams.Meaning()},
		{"confirm a payment not held", "ConfirmHold", func() error {
			return c.ConfirmHold(bg(t), robokassa.HoldCapture{InvID: 511, OutSum: d("100")})
		}, "", refusedFalse},
		{"cancel a payment not held", "CancelHold", func() error { return c.CancelHold(bg(t), 511) }, "", refusedFalse},
		{"cancel an unknown payment", "CancelHold", func() error { return c.CancelHold(bg(t), 999) }, "", refusedFalse},
		{"confirm, holds disabled", "ConfirmHold", func() error {
			return noHold.ConfirmHold(bg(t), robokassa.HoldCapture{InvID: 510, OutSum: d("1")})
		}, "64", robokassa.ErrorCodeHoldNotAllowed.Meaning()},
		{"cancel, holds disabled", "CancelHold", func() error { return noHold.CancelHold(bg(t), 510) }, "64", robokassa.ErrorCodeHoldNotAllowed.Meaning()},
		{"confirm, wrong Password #1", "ConfirmHold", func() error {
			return wrongPass.ConfirmHold(bg(t), robokassa.HoldCapture{InvID: 510, OutSum: d("1")})
		}, "29", robokassa.ErrorCodeBadSignature.Meaning()},
		{"cancel, wrong Password #1", "CancelHold", func() error { return wrongPass.CancelHold(bg(t), 510) }, "29", robokassa.ErrorCodeBadSignature.Meaning()},
		{"confirm, unknown shop", "ConfirmHold", func() error {
			return unknown.ConfirmHold(bg(t), robokassa.HoldCapture{InvID: 510, OutSum: d("1")})
		}, "26", robokassa.ErrorCodeShopNotFound.Meaning()},
		{"cancel, unknown shop", "CancelHold", func() error { return unknown.CancelHold(bg(t), 510) }, "26", robokassa.ErrorCodeShopNotFound.Meaning()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ep := robokassatest.EndpointConfirm
			if tt.op == "CancelHold" {
				ep = robokassatest.EndpointCancel
			}
			before := e.hits(ep)
			err := tt.call()
			assert.Equal(t, before+1, e.hits(ep), "sent once")
			ae := requireAPIError(t, err, tt.op)
			assert.Equal(t, http.StatusOK, ae.Status)
			assert.Equal(t, tt.code, ae.Code)
			if tt.message != "" {
				assert.Equal(t, tt.message, ae.Message)
			}
			assert.Equal(t, robokassa.StateHeld, e.state(t, 510), "a refusal leaves the hold as it was")
		})
	}

	t.Run("test mode is refused before sending", func(t *testing.T) {
		before := e.log.total()
		tc := e.client(t, func(cfg *robokassa.Config) { cfg.Test = true })
		assert.ErrorIs(t, tc.ConfirmHold(bg(t), robokassa.HoldCapture{InvID: 510, OutSum: d("10")}), robokassa.ErrNotInTestMode)
		assert.ErrorIs(t, tc.CancelHold(bg(t), 510), robokassa.ErrNotInTestMode)
		assert.Equal(t, before, e.log.total(), "nothing sent")
	})
}

// TestHoldValidationSendsNothing: bad input is a *ValidationError naming
// the field, and nothing reaches Robokassa.
func TestHoldValidationSendsNothing(t *testing.T) {
	e := newEmulator(t)
	c := e.client(t)
	ok := func() robokassa.HoldCapture {
		return robokassa.HoldCapture{InvID: 501, OutSum: d("150"), Receipt: heldReceipt("150"),
			Shp: map[string]string{"order": "501"}}
	}
	tests := []struct {
		name  string
		edit  func(h *robokassa.HoldCapture)
		field string
	}{
		{"zero InvoiceID", func(h *robokassa.HoldCapture) { h.InvID = 0 }, "InvID"},
		{"negative InvoiceID", func(h *robokassa.HoldCapture) { h.InvID = -1 }, "InvID"},
		{"zero OutSum", func(h *robokassa.HoldCapture) { h.OutSum = decimal.Zero; h.Receipt = nil }, "OutSum"},
		{"negative OutSum", func(h *robokassa.HoldCapture) { h.OutSum = d("-150"); h.Receipt = nil }, "OutSum"},
		{"three decimals", func(h *robokassa.HoldCapture) { h.OutSum = d("150.001"); h.Receipt = nil }, "OutSum"},
		{"receipt does not add up", func(h *robokassa.HoldCapture) { h.OutSum = d("149.99") }, "Receipt.Items"},
		{"empty receipt", func(h *robokassa.HoldCapture) { h.Receipt = &robokassa.Receipt{} }, "Receipt.Items"},
		{"bad receipt item", func(h *robokassa.HoldCapture) {
			h.Receipt = &robokassa.Receipt{Items: []robokassa.ReceiptItem{{Name: "", Quantity: d("1"), Sum: d("150"), Tax: robokassa.TaxNone}}}
		}, "Receipt.Items[0].Name"},
		{"bad Shp name", func(h *robokassa.HoldCapture) { h.Shp = map[string]string{"x y": "1"} }, `Shp["x y"]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := ok()
			tt.edit(&h)
			requireValidation(t, c.ConfirmHold(bg(t), h), tt.field)
		})
	}
	for _, id := range []int64{0, -1, -1 << 63} {
		t.Run("cancel "+strconv.FormatInt(id, 10), func(t *testing.T) {
			requireValidation(t, c.CancelHold(bg(t), id), "InvID")
		})
	}
	assert.Zero(t, e.log.total(), "nothing is sent for bad input")
}
