package lifepaytest_test

import (
	"context"
	"fmt"
	"net/http/httptest"

	"github.com/shopspring/decimal"

	"github.com/robokassa-go/robokassa/lifepay"
	"github.com/robokassa-go/robokassa/lifepay/lifepaytest"
)

// The notification of these examples is the 2.0 known answer of
// lifepay/testdata/lifepay.json, computed outside Go.
func exampleNotification() lifepay.Notification {
	return lifepay.Notification{
		TransactionID: "3950000001", Name: "Заказ 1", PartnerID: "77", ServiceID: "12345",
		OrderID: "1001", PaymentType: "spg", Cost: decimal.RequireFromString("100.50"),
		IncomeTotal: decimal.RequireFromString("100.50"), Income: decimal.RequireFromString("97.50"),
		PartnerIncome: decimal.RequireFromString("97.50"), SystemIncome: decimal.RequireFromString("3.00"),
		Command: lifepay.CommandSuccess, Phone: "74951234567", Email: "test@test.com",
		ResultText: "Оплачен", DateCreated: "2026-11-30 10:00:00",
	}
}

func ExampleNotificationForm() {
	cfg := lifepay.Config{
		ServiceID:       "12345",
		SecretKey:       "secret",
		NotificationURL: "https://shop.example/lifepay/notify",
	}
	form := lifepaytest.NotificationForm(cfg, exampleNotification())
	fmt.Println(form.Get("version"), form.Get("cost"), form.Get("check"))
	// Output:
	// 2.0 100.50 wGmlybaoyEGqot+c90Vcztcg4+0i2OmujK0AuaH54II=
}

func ExampleNotificationForm_v1() {
	cfg := lifepay.Config{Version: lifepay.V1, Key: "service-key", SecretKey: "secret"}
	form := lifepaytest.NotificationForm(cfg, exampleNotification())
	fmt.Println(form.Get("version"), form.Get("check"))
	// Output:
	// 1.0 9c254db81e1ee7808a4d37d4bab9497b
}

func ExampleNewNotificationRequest() {
	cfg := lifepay.Config{
		ServiceID:       "12345",
		SecretKey:       "secret",
		NotificationURL: "https://shop.example/lifepay/notify",
	}
	client, err := lifepay.NewClient(cfg)
	if err != nil {
		panic(err)
	}
	shopHandler := client.NotificationHandler(func(_ context.Context, n *lifepay.Notification) error {
		fmt.Println("order", n.OrderID, "command", n.Command)
		return nil
	})

	rec := httptest.NewRecorder()
	shopHandler.ServeHTTP(rec, lifepaytest.NewNotificationRequest(cfg, exampleNotification()))
	fmt.Println(rec.Code, rec.Body.String())
	// Output:
	// order 1001 command success
	// 200 OK
}
