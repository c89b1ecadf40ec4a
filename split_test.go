package robokassa

import (
	"encoding/json"
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

// TestSplitVector builds the split invoice's payload and token without
// HTTP and compares them with the vector. That the emulator takes it is
// TestSplitProtocol's.
func TestSplitVector(t *testing.T) {
	v := loadInvoiceVectors(t)
	inv := splitVectorInvoice()
	assert.Equal(t, v.Split.Split, string(appendSplitJSON(nil, inv.Split)))
	for _, alg := range invoiceAlgs {
		t.Run(string(alg), func(t *testing.T) {
			c := invoiceClient(t, alg)
			inv := splitVectorInvoice()
			payload, err := c.invoicePayload(&inv)
			require.NoError(t, err)
			assert.Equal(t, v.Split.Payload, string(payload))
			assert.Equal(t, v.Split.Tokens[alg], c.invoiceToken(payload))

			// The receiving side sees a JSON string holding the parts.
			var p struct{ AdditionalParameters map[string]string }
			require.NoError(t, json.Unmarshal(payload, &p))
			var parts []map[string]any
			require.NoError(t, json.Unmarshal([]byte(p.AdditionalParameters["Split"]), &parts))
			require.Len(t, parts, 2)
			assert.Equal(t, "partner", parts[1]["id"])
			assert.NotContains(t, parts[1], "InvoiceId")
			assert.NotContains(t, parts[1], "receipt")
		})
	}
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
