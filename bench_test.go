package robokassa_test

import (
	"net/url"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/robokassa-go/robokassa"
)

// The benchmark scenario is the one the project's comparison with a plain
// hand-written reference measures:
// OutSum 990.00, InvId 12, a description, two Shp parameters and a
// two-item receipt; a ResultURL callback with six-decimal OutSum, two Shp
// and an uppercase MD5 signature.

func benchClient(b *testing.B) *robokassa.Client {
	c, err := robokassa.NewClient(robokassa.Config{MerchantLogin: "demo", Password1: "password_1", Password2: "password_2"})
	if err != nil {
		b.Fatal(err)
	}
	return c
}

func BenchmarkPaymentURL(b *testing.B) {
	c := benchClient(b)
	p := robokassa.Payment{
		OutSum: decimal.RequireFromString("990.00"), InvID: 12, Description: "Order #12",
		Receipt: &robokassa.Receipt{Items: []robokassa.ReceiptItem{
			{Name: "Item A", Quantity: decimal.NewFromInt(1), Sum: decimal.RequireFromString("490.00"), Tax: robokassa.TaxNone},
			{Name: "Item B", Quantity: decimal.NewFromInt(2), Sum: decimal.RequireFromString("500.00"), Tax: robokassa.TaxNone},
		}},
		Shp: map[string]string{"user": "alice", "order": "12"},
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.PaymentURL(p); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyResult(b *testing.B) {
	c := benchClient(b)
	v, err := url.ParseQuery("OutSum=990.000000&InvId=12&Fee=0.000000&EMail=buyer%40example.com" +
		"&PaymentMethod=BankCard&IncCurrLabel=BankCardPSR&SignatureValue=56471DF356C976AB61F7BBB13FEC0D24" +
		"&Shp_order=12&Shp_user=alice")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.VerifyResult(v); err != nil {
			b.Fatal(err)
		}
	}
}
