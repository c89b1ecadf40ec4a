package robokassa_test

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

// monthly is a one-line receipt of sum.
func monthly(sum string) *robokassa.Receipt {
	return &robokassa.Receipt{Sno: robokassa.SnoUSNIncome, Items: []robokassa.ReceiptItem{
		{Name: "Подписка, месяц", Quantity: d("1"), Sum: d(sum), Tax: robokassa.TaxNone,
			PaymentMethod: robokassa.ReceiptPaymentFull, PaymentObject: robokassa.ObjectService},
	}}
}

// TestRecurringProtocol: child charges of a paid parent marked Recurring,
// and every refusal the emulator gives (spec §5, §12).
func TestRecurringProtocol(t *testing.T) {
	e := newEmulator(t)
	c := e.client(t)
	e.pay(t, c, robokassa.Payment{OutSum: d("199"), InvID: 100, Recurring: true})

	t.Run("charge", func(t *testing.T) {
		before := e.hits(robokassatest.EndpointRecurring)
		shp := map[string]string{"user": "alice", "note": "abc 1 ~ä/", "order": "101"}
		err := c.Recurring(bg(t), robokassa.RecurringPayment{
			PreviousInvID: 100, InvID: 101, OutSum: d("199"), Description: "month 2", Receipt: monthly("199"), Shp: shp,
		})
		require.NoError(t, err)
		assert.Equal(t, before+1, e.hits(robokassatest.EndpointRecurring), "sent exactly once")
		op, ok := e.Operation(101)
		require.True(t, ok, "the emulator created the child charge")
		assert.Equal(t, robokassa.StatePaid, op.State)
		assert.Equal(t, int64(100), op.ParentInvID)
		assert.True(t, op.OutSum.Equal(d("199")), op.OutSum.String())
		assert.Equal(t, "month 2", op.Description)
		// Shp values are sent as signed: PHP's urlencode (spec §3.2).
		assert.Equal(t, map[string]string{"user": "alice", "note": phpEncode("abc 1 ~ä/"), "order": "101"}, op.Shp)
		assert.Equal(t, "abc+1+%7E%C3%A4%2F", op.Shp["note"])
		assert.Equal(t, "Recurring", op.Source)
		require.Len(t, op.Lines, 1)
		assert.Equal(t, "Подписка, месяц", op.Lines[0].Name)

		sent := e.sent("/Merchant/Recurring")
		require.NotEmpty(t, sent)
		last := sent[len(sent)-1]
		assert.Equal(t, http.MethodPost, last.Method)
		assert.Equal(t, "/Merchant/Recurring", last.Path)
		assert.Equal(t, "application/x-www-form-urlencoded", last.ContentType)
		assert.Empty(t, last.Query, "the signed form travels in the body")
	})

	t.Run("PreviousInvoiceID is not signed", func(t *testing.T) {
		// Two parents: the same charge, signed the same way, against
		// either of them is accepted (spec §5).
		e.pay(t, c, robokassa.Payment{OutSum: d("5"), InvID: 110, Recurring: true})
		for i, prev := range []int64{100, 110} {
			err := c.Recurring(bg(t), robokassa.RecurringPayment{PreviousInvID: prev, InvID: 111 + int64(i), OutSum: d("5")})
			require.NoError(t, err)
		}
		sent := e.sent("/Merchant/Recurring")
		require.GreaterOrEqual(t, len(sent), 2)
		a, b := formOf(t, sent[len(sent)-2].Body), formOf(t, sent[len(sent)-1].Body)
		assert.NotEqual(t, a.Get("PreviousInvoiceID"), b.Get("PreviousInvoiceID"))
		op, _ := e.Operation(112)
		assert.Equal(t, int64(110), op.ParentInvID)
	})

	t.Run("every algorithm", func(t *testing.T) {
		for _, alg := range []robokassa.HashAlgorithm{robokassa.MD5, robokassa.RIPEMD160, robokassa.SHA1, robokassa.SHA256, robokassa.SHA384, robokassa.SHA512} {
			t.Run(string(alg), func(t *testing.T) {
				sc := e.shopClient(t, robokassatest.Shop{MerchantLogin: "shop-" + string(alg), Password1: robokassa.Secret("p:1 ~x" + string(alg)),
					Password2: "p2", Algorithm: alg})
				e.pay(t, sc, robokassa.Payment{OutSum: d("250.50"), InvID: 9223372036854775806, Recurring: true})
				err := sc.Recurring(bg(t), robokassa.RecurringPayment{PreviousInvID: 9223372036854775806, InvID: 9223372036854775807,
					OutSum: d("250.50"), Receipt: monthly("250.50"), Shp: map[string]string{"a_b": "x y", "A": "Y"}})
				require.NoError(t, err, "the emulator verified the %s signature", alg)
			})
		}
	})

	// A second shop with recurring payments disabled.
	noRec := e.shopClient(t, robokassatest.Shop{MerchantLogin: "norec", Password1: "n1", Password2: "n2", NoRecurring: true})
	wrongPass := e.client(t, func(cfg *robokassa.Config) { cfg.Password1 = "not-the-password" })
	unknown := e.client(t, func(cfg *robokassa.Config) { cfg.MerchantLogin = "nobody" })
	e.pay(t, c, robokassa.Payment{OutSum: d("10"), InvID: 120})                   // paid, not Recurring
	e.open(t, c, robokassa.Payment{OutSum: d("10"), InvID: 121, Recurring: true}) // Recurring, not paid

	refusals := []struct {
		name string
		c    *robokassa.Client
		p    robokassa.RecurringPayment
		code robokassa.ErrorCode
	}{
		{"recurring not enabled", noRec, robokassa.RecurringPayment{PreviousInvID: 100, InvID: 130, OutSum: d("1")}, robokassa.ErrorCodeRecurringNotAllowed},
		{"no such parent", c, robokassa.RecurringPayment{PreviousInvID: 999, InvID: 131, OutSum: d("1")}, robokassa.ErrorCodeBadRecurringParams},
		{"parent not marked Recurring", c, robokassa.RecurringPayment{PreviousInvID: 120, InvID: 132, OutSum: d("1")}, robokassa.ErrorCodeBadRecurringParams},
		{"parent not paid", c, robokassa.RecurringPayment{PreviousInvID: 121, InvID: 133, OutSum: d("1")}, robokassa.ErrorCodeBadRecurringParams},
		{"InvID already paid", c, robokassa.RecurringPayment{PreviousInvID: 100, InvID: 101, OutSum: d("1")}, robokassa.ErrorCodeRepeatedInvID},
		{"wrong Password #1", wrongPass, robokassa.RecurringPayment{PreviousInvID: 100, InvID: 134, OutSum: d("1")}, robokassa.ErrorCodeBadSignature},
		{"unknown shop", unknown, robokassa.RecurringPayment{PreviousInvID: 100, InvID: 135, OutSum: d("1")}, robokassa.ErrorCodeShopNotFound},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			before := e.hits(robokassatest.EndpointRecurring)
			err := tt.c.Recurring(bg(t), tt.p)
			assert.Equal(t, before+1, e.hits(robokassatest.EndpointRecurring), "a refusal is an answer: sent once")
			ae := requireAPIError(t, err, "Recurring")
			assert.Equal(t, http.StatusOK, ae.Status, "Robokassa answers an error page with 200")
			assert.Equal(t, itoa(int(tt.code)), ae.Code)
			assert.Equal(t, tt.code.Meaning(), ae.Message)
			assert.NotEmpty(t, ae.Body)
			if tt.p.InvID != 101 {
				_, created := e.Operation(tt.p.InvID)
				assert.False(t, created, "a refused charge creates nothing")
			}
		})
	}

	t.Run("test mode is refused before sending", func(t *testing.T) {
		before := e.log.total()
		tc := e.client(t, func(cfg *robokassa.Config) { cfg.Test = true })
		err := tc.Recurring(bg(t), robokassa.RecurringPayment{PreviousInvID: 100, InvID: 140, OutSum: d("10")})
		assert.ErrorIs(t, err, robokassa.ErrNotInTestMode)
		assert.Equal(t, before, e.log.total(), "nothing sent")
	})
}

// TestRecurringValidationSendsNothing: bad input is a *ValidationError
// naming the field, and nothing reaches Robokassa.
func TestRecurringValidationSendsNothing(t *testing.T) {
	e := newEmulator(t)
	c := e.client(t)
	ok := func() robokassa.RecurringPayment {
		return robokassa.RecurringPayment{PreviousInvID: 1, InvID: 2, OutSum: d("199"), Description: "month 2",
			Receipt: monthly("199"), Shp: map[string]string{"user": "alice"}}
	}
	tests := []struct {
		name  string
		edit  func(p *robokassa.RecurringPayment)
		field string
	}{
		{"zero InvoiceID", func(p *robokassa.RecurringPayment) { p.InvID = 0 }, "InvID"},
		{"negative InvoiceID", func(p *robokassa.RecurringPayment) { p.InvID = -2 }, "InvID"},
		{"zero PreviousInvoiceID", func(p *robokassa.RecurringPayment) { p.PreviousInvID = 0 }, "PreviousInvID"},
		{"negative PreviousInvoiceID", func(p *robokassa.RecurringPayment) { p.PreviousInvID = -1 }, "PreviousInvID"},
		{"same ids", func(p *robokassa.RecurringPayment) { p.InvID = p.PreviousInvID }, "InvID"},
		{"zero OutSum", func(p *robokassa.RecurringPayment) { p.OutSum = decimal.Zero; p.Receipt = nil }, "OutSum"},
		{"negative OutSum", func(p *robokassa.RecurringPayment) { p.OutSum = d("-1"); p.Receipt = nil }, "OutSum"},
		{"three decimals", func(p *robokassa.RecurringPayment) { p.OutSum = d("199.001"); p.Receipt = nil }, "OutSum"},
		{"long description", func(p *robokassa.RecurringPayment) { p.Description = strings.Repeat("я", 101) }, "Description"},
		{"invalid UTF-8 description", func(p *robokassa.RecurringPayment) { p.Description = "a\xffb" }, "Description"},
		{"empty receipt", func(p *robokassa.RecurringPayment) { p.Receipt = &robokassa.Receipt{} }, "Receipt.Items"},
		{"bad receipt item", func(p *robokassa.RecurringPayment) {
			p.Receipt = &robokassa.Receipt{Items: []robokassa.ReceiptItem{{Name: "x", Quantity: d("1"), Sum: d("199")}}}
		}, "Receipt.Items[0].Tax"},
		{"receipt does not add up", func(p *robokassa.RecurringPayment) { p.OutSum = d("200") }, "Receipt.Items"},
		{"bad Shp name", func(p *robokassa.RecurringPayment) { p.Shp = map[string]string{"a-b": "1"} }, `Shp["a-b"]`},
		{"empty Shp name", func(p *robokassa.RecurringPayment) { p.Shp = map[string]string{"": "1"} }, "Shp"},
		{"invalid UTF-8 Shp value", func(p *robokassa.RecurringPayment) { p.Shp = map[string]string{"a": "\xff"} }, `Shp["a"]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := ok()
			tt.edit(&p)
			err := c.Recurring(bg(t), p)
			requireValidation(t, err, tt.field)
			assert.NotContains(t, err.Error(), emuPass1)
		})
	}
	assert.Zero(t, e.log.total(), "nothing is sent for bad input")

	t.Run("valid edge values reach Robokassa", func(t *testing.T) {
		e.pay(t, c, robokassa.Payment{OutSum: d("199"), InvID: 1, Recurring: true})
		p := ok()
		p.Description = strings.Repeat("я", 100)
		require.NoError(t, c.Recurring(bg(t), p))
		assert.Equal(t, 1, e.hits(robokassatest.EndpointRecurring))
		op, _ := e.Operation(2)
		assert.Equal(t, strings.Repeat("я", 100), op.Description)
	})
}

// TestMerchantProtocolVectors: with each Python vector's shop on the
// emulator (and the parent paid, or the payment held), Recurring,
// ConfirmHold and CancelHold send exactly the vector's form, and the
// emulator's own code accepts it.
func TestMerchantProtocolVectors(t *testing.T) {
	for _, kind := range []string{"recurring", "confirm", "cancel"} {
		for _, v := range robokassa.LoadMerchantVectors(t, kind) {
			t.Run(v.Name, func(t *testing.T) {
				e := newEmulator(t, func(sh *robokassatest.Shop) {
					sh.MerchantLogin, sh.Password1, sh.Algorithm = v.Login, robokassa.Secret(v.Password), v.Algorithm
				})
				c := e.client(t)
				var err error
				path := "/Merchant/Recurring"
				switch kind {
				case "recurring":
					e.pay(t, c, robokassa.Payment{OutSum: d("1"), InvID: v.PreviousInvoiceID, Recurring: true})
					err = c.Recurring(bg(t), robokassa.RecurringPayment{PreviousInvID: v.PreviousInvoiceID, InvID: v.InvoiceID,
						OutSum: d(v.OutSum), Description: v.Description, Receipt: v.GoReceipt(t), Shp: v.Shp})
				case "confirm":
					path = "/Merchant/Payment/Confirm"
					e.pay(t, c, robokassa.Payment{OutSum: d(v.OutSum), InvID: v.InvoiceID, StepByStep: true})
					err = c.ConfirmHold(bg(t), robokassa.HoldCapture{InvID: v.InvoiceID, OutSum: d(v.OutSum), Receipt: v.GoReceipt(t), Shp: v.Shp})
				case "cancel":
					path = "/Merchant/Payment/Cancel"
					e.pay(t, c, robokassa.Payment{OutSum: d("1"), InvID: v.InvoiceID, StepByStep: true})
					err = c.CancelHold(bg(t), v.InvoiceID)
				}
				require.NoError(t, err, "the emulator verified the signature")
				sent := e.sent(path)
				require.Len(t, sent, 1)
				assert.Equal(t, path, sent[0].Path)
				got := map[string]string{}
				for k, vs := range formOf(t, sent[0].Body) {
					assert.Len(t, vs, 1, "field %s sent %d times", k, len(vs))
					got[k] = vs[0]
				}
				assert.Equal(t, v.Form, got)
				assert.Equal(t, v.Signature, got["SignatureValue"])
			})
		}
	}
}
