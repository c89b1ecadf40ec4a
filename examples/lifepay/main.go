// Command lifepay prints a signed Life-Pay payment link for a demo
// service and verifies a notification made the way Life-Pay makes it
// (by package lifepaytest). It runs offline: nothing is sent anywhere.
//
//	go run ./examples/lifepay
package main

import (
	"context"
	"fmt"
	"log"
	"net/http/httptest"
	"time"

	"github.com/shopspring/decimal"

	"github.com/robokassa-go/robokassa/lifepay"
	"github.com/robokassa-go/robokassa/lifepay/lifepaytest"
)

func main() {
	cfg := lifepay.Config{
		ServiceID:       "12345",
		SecretKey:       "demo-secret-key",
		NotificationURL: "https://shop.example/lifepay/notify", // as entered in Life-Pay's cabinet
	}
	client, err := lifepay.NewClient(cfg)
	if err != nil {
		log.Fatal(err)
	}

	// 1. A signed link for the buyer. The order id is fresh for every
	// attempt: Life-Pay refuses a second transaction with the same one.
	deadline := time.Date(2030, 1, 31, 21, 0, 0, 0, time.UTC) // sent as Moscow time, 2030-02-01T00:00
	link, err := client.PaymentURL(lifepay.Payment{
		Cost:           decimal.RequireFromString("425"),
		Name:           "Заказ 42: маракуя и кокос",
		Email:          "buyer@example.com",
		OrderID:        "order42try1",
		ExpirationDate: deadline,
		InvoiceData: &lifepay.Receipt{Items: []lifepay.ReceiptItem{
			{Name: "Маракуя", Unit: lifepay.UnitKilogram, Price: decimal.RequireFromString("340"),
				Quantity: decimal.NewFromInt(1), Sum: decimal.RequireFromString("340"), VATMode: lifepay.VATNone},
			{Name: "Кокос", Unit: lifepay.UnitPiece, Price: decimal.RequireFromString("85"),
				Quantity: decimal.NewFromInt(1), Sum: decimal.RequireFromString("85"), VATMode: lifepay.VATNone},
		}},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("Signed payment link (API 2.0, nothing is sent):")
	fmt.Println()
	fmt.Println(link)
	fmt.Println()

	// 2. Life-Pay's notification, as lifepaytest signs it, through the
	// handler a shop mounts at its notification URL.
	handler := client.NotificationHandler(func(_ context.Context, n *lifepay.Notification) error {
		fmt.Printf("verified notification: tid %s, order %s, command %s, cost %s\n",
			n.TransactionID, n.OrderID, n.Command, n.Cost.StringFixed(2))
		return nil // mark the order paid here (idempotently)
	})
	req := lifepaytest.NewNotificationRequest(cfg, lifepay.Notification{
		TransactionID: "3950000042", Command: lifepay.CommandSuccess, OrderID: "order42try1",
		ServiceID: "12345", Name: "Заказ 42: маракуя и кокос", Cost: decimal.RequireFromString("425"),
		Email: "buyer@example.com", ResultText: "Оплачен", DateCreated: "2030-01-31 23:10:00",
	})
	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, req)
	fmt.Printf("handler answered: %d %s\n", rec.Code, rec.Body.String())
	if rec.Code != 200 {
		log.Fatal("the notification was refused")
	}

	// 3. The same notification with its amount changed is refused.
	form := lifepaytest.NotificationForm(cfg, lifepay.Notification{
		TransactionID: "3950000042", Command: lifepay.CommandSuccess, OrderID: "order42try1",
		ServiceID: "12345", Cost: decimal.RequireFromString("425"),
	})
	form.Set("cost", "1.00")
	if _, err := client.VerifyNotification(form); err != nil {
		fmt.Println("tampered notification refused:", err)
	} else {
		log.Fatal("a tampered notification verified")
	}
}
