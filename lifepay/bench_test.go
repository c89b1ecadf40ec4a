package lifepay_test

import (
	"testing"

	"github.com/shopspring/decimal"

	"github.com/robokassa-go/robokassa/lifepay"
	"github.com/robokassa-go/robokassa/lifepay/lifepaytest"
)

var benchCfg = lifepay.Config{ServiceID: "12345", SecretKey: "secret", NotificationURL: "https://shop.example/lifepay/notify"}

// BenchmarkPaymentURL: a link with e-mail, order id, comment and a
// two-line receipt.
func BenchmarkPaymentURL(b *testing.B) {
	c, err := lifepay.NewClient(benchCfg)
	if err != nil {
		b.Fatal(err)
	}
	p := lifepay.Payment{
		Cost: decimal.RequireFromString("425"), Name: "Заказ 42", Email: "buyer@example.com",
		OrderID: "order42", Comment: "two items",
		InvoiceData: &lifepay.Receipt{Items: []lifepay.ReceiptItem{
			{Name: "Маракуя", Unit: lifepay.UnitKilogram, Price: decimal.RequireFromString("340"),
				Quantity: decimal.NewFromInt(1), Sum: decimal.RequireFromString("340"), VATMode: lifepay.VATNone},
			{Name: "Кокос", Unit: lifepay.UnitPiece, Price: decimal.RequireFromString("85"),
				Quantity: decimal.NewFromInt(1), Sum: decimal.RequireFromString("85"), VATMode: lifepay.VATNone},
		}},
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.PaymentURL(p); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyNotification: a 2.0 notification of the 18 standard
// fields, verified and decoded.
func BenchmarkVerifyNotification(b *testing.B) {
	c, err := lifepay.NewClient(benchCfg)
	if err != nil {
		b.Fatal(err)
	}
	form := lifepaytest.NotificationForm(benchCfg, lifepay.Notification{
		TransactionID: "3950000001", Name: "Заказ 1", PartnerID: "77", ServiceID: "12345", OrderID: "1001",
		PaymentType: "spg", Cost: decimal.RequireFromString("100.50"), Command: lifepay.CommandSuccess,
		Phone: "74951234567", Email: "test@test.com", ResultText: "Оплачен", DateCreated: "2026-11-30 10:00:00",
	})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.VerifyNotification(form); err != nil {
			b.Fatal(err)
		}
	}
}
