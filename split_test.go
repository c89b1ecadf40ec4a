package robokassa

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// splitVectorInvoice is the Go side of the "split" vector of
// gen_invoice_vectors.py.
func splitVectorInvoice() Invoice {
	return Invoice{
		Type:        InvoiceOneTime,
		InvID:       500001,
		OutSum:      invoiceDec("700"),
		Description: "Split order",
		Email:       "buyer@example.com",
		Split: []SplitPart{
			{MerchantLogin: "demo", InvID: 500001, Amount: invoiceDec("500"), Receipt: &Receipt{Sno: SnoOSN, Items: []ReceiptItem{
				{Name: "Master item", Quantity: invoiceDec("1"), Sum: invoiceDec("500"), Tax: TaxVAT20, PaymentMethod: ReceiptPaymentFull, PaymentObject: ObjectCommodity},
			}}},
			{MerchantLogin: "partner", Amount: invoiceDec("200.00")},
		},
	}
}

func TestSplitVector(t *testing.T) {
	v := loadInvoiceVectors(t)
	inv := splitVectorInvoice()
	assert.Equal(t, v.Split.Split, string(appendSplitJSON(nil, inv.Split)))
	for _, alg := range invoiceAlgs {
		t.Run(string(alg), func(t *testing.T) {
			c, f := newInvoiceServer(t, alg, invoiceReplyFile(t, 200, "create_success.json"))
			_, err := c.CreateInvoice(context.Background(), inv)
			require.NoError(t, err)
			reqs := f.requests()
			require.Len(t, reqs, 1)
			assert.Equal(t, v.Split.Payload, string(reqs[0].Payload))
			assert.Equal(t, v.Split.Tokens[alg], reqs[0].Token)

			// The receiving side sees a JSON string holding the parts.
			var p struct{ AdditionalParameters map[string]string }
			require.NoError(t, json.Unmarshal(reqs[0].Payload, &p))
			var parts []map[string]any
			require.NoError(t, json.Unmarshal([]byte(p.AdditionalParameters["Split"]), &parts))
			require.Len(t, parts, 2)
			assert.Equal(t, "partner", parts[1]["id"])
			assert.NotContains(t, parts[1], "InvoiceId")
			assert.NotContains(t, parts[1], "receipt")
		})
	}
}

func TestSplitValidation(t *testing.T) {
	c, f := newInvoiceServer(t, MD5, invoiceReplyFile(t, 200, "create_success.json"))
	tests := []struct {
		name   string
		mutate func(*Invoice)
		field  string
		rule   string
	}{
		{"parts short of OutSum", func(i *Invoice) { i.Split[1].Amount = invoiceDec("199.99") }, "Split", "not to OutSum"},
		{"parts over OutSum", func(i *Invoice) { i.OutSum = invoiceDec("699") }, "Split", "not to OutSum"},
		{"login missing", func(i *Invoice) { i.Split[1].MerchantLogin = "" }, "Split[1].MerchantLogin", "required"},
		{"login with space", func(i *Invoice) { i.Split[0].MerchantLogin = "de mo" }, "Split[0].MerchantLogin", "spaces"},
		{"login control", func(i *Invoice) { i.Split[0].MerchantLogin = "demo\x00" }, "Split[0].MerchantLogin", "control"},
		{"invid negative", func(i *Invoice) { i.Split[1].InvID = -5 }, "Split[1].InvID", "negative"},
		{"amount zero", func(i *Invoice) {
			i.Split[1].Amount = decimal.Zero
			i.OutSum = invoiceDec("500")
		}, "Split[1].Amount", "greater than zero"},
		{"amount places", func(i *Invoice) { i.Split[1].Amount = invoiceDec("200.001") }, "Split[1].Amount", "decimal places"},
		{"receipt empty", func(i *Invoice) { i.Split[1].Receipt = &Receipt{} }, "Split[1].Receipt.Items", "at least one"},
		{"receipt item invalid", func(i *Invoice) { i.Split[0].Receipt.Items[0].Tax = "" }, "Split[0].Receipt.Items[0].Tax", "required"},
		{"receipt total", func(i *Invoice) { i.Split[0].Receipt.Items[0].Sum = invoiceDec("499") }, "Split[0].Receipt.Items", "Amount"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv := splitVectorInvoice()
			// Fresh receipt per case: the mutations write through the pointer.
			r := *inv.Split[0].Receipt
			r.Items = append([]ReceiptItem(nil), r.Items...)
			inv.Split[0].Receipt = &r
			tt.mutate(&inv)
			_, err := c.CreateInvoice(context.Background(), inv)
			require.ErrorIs(t, err, ErrInvalidParam)
			var ve *ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tt.field, ve.Field)
			assert.Contains(t, ve.Reason, tt.rule)
		})
	}
	assert.Empty(t, f.requests(), "an invalid split is never sent")
}

func TestSplitJSON(t *testing.T) {
	tests := []struct {
		name  string
		parts []SplitPart
		want  string
	}{
		{"single", []SplitPart{{MerchantLogin: "shop", Amount: invoiceDec("1")}}, `[{"id":"shop","amount":1.00}]`},
		{"escaped login", []SplitPart{{MerchantLogin: `a"b\c`, InvID: 9223372036854775807, Amount: invoiceDec("0.1")}},
			`[{"id":"a\"b\\c","InvoiceId":9223372036854775807,"amount":0.10}]`},
		{"receipt with cost", []SplitPart{{MerchantLogin: "m", Amount: invoiceDec("3"), Receipt: &Receipt{Items: []ReceiptItem{
			{Name: "Чай", Quantity: invoiceDec("2"), Cost: decimal.NewNullDecimal(invoiceDec("1.5")), Tax: TaxNone},
		}}}}, `[{"id":"m","amount":3.00,"receipt":{"items":[{"name":"Чай","quantity":2,"cost":1.50,"tax":"none"}]}}]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(appendSplitJSON(nil, tt.parts))
			assert.Equal(t, tt.want, got)
			assert.True(t, json.Valid([]byte(got)))
			total := decimal.Zero
			for _, p := range tt.parts {
				total = total.Add(p.Amount)
			}
			assert.NoError(t, validateSplit(tt.parts, total))
		})
	}
	assert.NoError(t, validateSplit(nil, invoiceDec("1")), "no split, nothing to check")
}

func TestSplitTestMode(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		t.Error("a split was sent in test mode")
	}))
	t.Cleanup(srv.Close)
	c, err := NewClient(Config{MerchantLogin: "demo", Password1: "p1", TestPassword1: "t1", Test: true, ServicesURL: srv.URL + "/base"})
	require.NoError(t, err)
	_, err = c.CreateInvoice(context.Background(), splitVectorInvoice())
	require.ErrorIs(t, err, ErrNotInTestMode)
	assert.True(t, strings.Contains(err.Error(), "CreateInvoice"), err.Error())
}
