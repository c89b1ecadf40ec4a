package lifepay_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"net/url"

	"github.com/shopspring/decimal"

	"github.com/robokassa-go/robokassa/lifepay"
	"github.com/robokassa-go/robokassa/lifepay/lifepaytest"
)

// The signatures printed below are the known answers of
// testdata/lifepay.json, computed outside Go.

func ExampleNewClient() {
	client, err := lifepay.NewClient(lifepay.Config{
		ServiceID: "12345",
		SecretKey: "secret", // API 2.0, the default
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(client) // the secret key never prints

	_, err = lifepay.NewClient(lifepay.Config{ServiceID: "12345"})
	fmt.Println(err)
	// Output:
	// lifepay.Client{Version:2.0 ServiceID:12345 Key: SecretKey:[redacted] BaseURL:https://partner.life-pay.ru NotificationURL:}
	// lifepay: invalid Config.SecretKey: is required
}

func ExampleClient_PaymentURL() {
	client, err := lifepay.NewClient(lifepay.Config{ServiceID: "12345", SecretKey: "secret"})
	if err != nil {
		panic(err)
	}
	link, err := client.PaymentURL(lifepay.Payment{
		Cost:    decimal.RequireFromString("100.50"),
		Name:    "Заказ 1",
		Email:   "test@test.com",
		OrderID: "1001",
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(link)
	// Output:
	// https://partner.life-pay.ru/alba/input/?cost=100.50&email=test%40test.com&name=%D0%97%D0%B0%D0%BA%D0%B0%D0%B7%201&order_id=1001&service_id=12345&version=2.0&check=64A1zvPRJFk2AB7IKnq%2FJTNK8u8SQS%2Ff%2BTJZMBXmfs4%3D
}

func ExampleClient_PaymentURL_validation() {
	client, _ := lifepay.NewClient(lifepay.Config{ServiceID: "12345", SecretKey: "secret"})
	_, err := client.PaymentURL(lifepay.Payment{Cost: decimal.RequireFromString("10.005"), Name: "x"})
	fmt.Println(err)
	// Output:
	// lifepay: invalid Cost: must have at most 2 decimal places; nothing is rounded
}

func ExampleClient_PaymentForm() {
	client, err := lifepay.NewClient(lifepay.Config{ServiceID: "12345", SecretKey: "secret"})
	if err != nil {
		panic(err)
	}
	form, err := client.PaymentForm(lifepay.Payment{
		Cost:    decimal.RequireFromString("100.50"),
		Name:    "Заказ 1",
		Email:   "test@test.com",
		OrderID: "1001",
	})
	if err != nil {
		panic(err)
	}
	// Render form as hidden inputs of <form method="POST" action="…">.
	fmt.Println(client.PaymentFormAction())
	fmt.Println(form.Get("check"))
	// Output:
	// https://partner.life-pay.ru/alba/input/
	// q5o/vN4yKqH/BLVIup/AGkyxxQqX96jMIGn7G9WVamo=
}

func ExampleClient_PaymentForm_receipt() {
	client, _ := lifepay.NewClient(lifepay.Config{ServiceID: "12345", SecretKey: "secret"})
	form, err := client.PaymentForm(lifepay.Payment{
		Cost: decimal.RequireFromString("425"),
		Name: "Заказ 7",
		InvoiceData: &lifepay.Receipt{Items: []lifepay.ReceiptItem{
			{Name: "Маракуя", Unit: lifepay.UnitKilogram, Price: decimal.RequireFromString("340"),
				Quantity: decimal.RequireFromString("1"), Sum: decimal.RequireFromString("340"), VATMode: lifepay.VATNone},
			{Name: "Кокос", Unit: lifepay.UnitPiece, Price: decimal.RequireFromString("85"),
				Quantity: decimal.RequireFromString("1"), Sum: decimal.RequireFromString("85"), VATMode: lifepay.VATNone},
		}},
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(form.Get("invoice_data"))
	// Output:
	// {"items":[{"name":"Маракуя","price":340.00,"unit":"kg","quantity":1,"sum":340.00,"vat_mode":"none"},{"name":"Кокос","price":85.00,"unit":"piece","quantity":1,"sum":85.00,"vat_mode":"none"}]}
}

// exampleNotification is the 2.0 notification of testdata/lifepay.json,
// as Life-Pay POSTs it.
func exampleNotification() url.Values {
	form, err := url.ParseQuery("tid=3950000001&name=%D0%97%D0%B0%D0%BA%D0%B0%D0%B7+1&comment=&partner_id=77" +
		"&service_id=12345&order_id=1001&type=spg&cost=100.50&income_total=100.50&income=97.50" +
		"&partner_income=97.50&system_income=3.00&command=success&phone_number=74951234567" +
		"&email=test%40test.com&resultStr=%D0%9E%D0%BF%D0%BB%D0%B0%D1%87%D0%B5%D0%BD" +
		"&date_created=2026-11-30+10%3A00%3A00&version=2.0&check=wGmlybaoyEGqot%2Bc90Vcztcg4%2B0i2OmujK0AuaH54II%3D")
	if err != nil {
		panic(err)
	}
	return form
}

func ExampleClient_VerifyNotification() {
	client, err := lifepay.NewClient(lifepay.Config{
		ServiceID:       "12345",
		SecretKey:       "secret",
		NotificationURL: "https://shop.example/lifepay/notify", // as entered in Life-Pay's cabinet
	})
	if err != nil {
		panic(err)
	}
	form := exampleNotification()
	n, err := client.VerifyNotification(form)
	if err != nil {
		panic(err)
	}
	fmt.Println(n.Command, n.OrderID, n.Cost, n.TransactionID)

	form.Set("cost", "1.00") // tampered
	_, err = client.VerifyNotification(form)
	fmt.Println(err)
	// Output:
	// success 1001 100.5 3950000001
	// lifepay: bad signature
}

func ExampleClient_NotificationHandler() {
	cfg := lifepay.Config{
		ServiceID:       "12345",
		SecretKey:       "secret",
		NotificationURL: "https://shop.example/lifepay/notify",
	}
	client, err := lifepay.NewClient(cfg)
	if err != nil {
		panic(err)
	}
	h := client.NotificationHandler(func(ctx context.Context, n *lifepay.Notification) error {
		if n.Command == lifepay.CommandSuccess {
			fmt.Println("paid:", n.OrderID, n.Cost) // mark the order paid; must be idempotent
		}
		return nil // only now does Life-Pay get "OK"
	})
	// http.Handle("/lifepay/notify", h) in a real shop; here a request
	// signed by lifepaytest stands in for Life-Pay.
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, lifepaytest.NewNotificationRequest(cfg, lifepay.Notification{
		TransactionID: "3950000001", Command: lifepay.CommandSuccess, OrderID: "1001",
		ServiceID: "12345", Cost: decimal.RequireFromString("100.50"),
	}))
	fmt.Println(rec.Code, rec.Body.String())
	// Output:
	// paid: 1001 100.5
	// 200 OK
}
