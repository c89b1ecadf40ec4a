package robokassa_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/url"

	"github.com/shopspring/decimal"

	"github.com/robokassa-go/robokassa"
)

func ExampleClient_PaymentURL() {
	client, err := robokassa.NewClient(robokassa.Config{
		MerchantLogin: "demo",
		Password1:     "password_1",
		Password2:     "password_2",
	})
	if err != nil {
		panic(err)
	}
	link, err := client.PaymentURL(robokassa.Payment{
		OutSum:      decimal.RequireFromString("990"),
		InvID:       12,
		Description: "Order #12",
		Shp:         map[string]string{"user": "alice", "order": "12"},
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(link)
	// Output:
	// https://auth.robokassa.ru/Merchant/Index.aspx?MerchantLogin=demo&OutSum=990.00&InvId=12&Description=Order+%2312&SignatureValue=75a409f203d1d88060fb8bb81e9cd0a5&Shp_order=12&Shp_user=alice
}

func ExampleClient_SignatureBase() {
	client, _ := robokassa.NewClient(robokassa.Config{MerchantLogin: "demo", Password1: "password_1"})
	base, err := client.SignatureBase(robokassa.Payment{
		OutSum:     decimal.RequireFromString("100"),
		InvID:      7,
		StepByStep: true,
		ResultURL2: "https://shop.example/robokassa/result2",
		Shp:        map[string]string{"order": "7"},
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(base)
	// Output:
	// demo:100.00:7:true:https://shop.example/robokassa/result2:[password]:Shp_order=7
}

func ExampleClient_PaymentURL_validation() {
	client, _ := robokassa.NewClient(robokassa.Config{MerchantLogin: "demo", Password1: "password_1"})
	_, err := client.PaymentURL(robokassa.Payment{OutSum: decimal.RequireFromString("10.005")})
	var ve *robokassa.ValidationError
	fmt.Println(errors.As(err, &ve), ve.Field)
	fmt.Println(err)
	// Output:
	// true OutSum
	// robokassa: invalid OutSum: must have at most 2 decimal places (no rounding is done)
}

func ExampleClient_VerifyResult() {
	client, _ := robokassa.NewClient(robokassa.Config{
		MerchantLogin: "demo",
		Password1:     "password_1",
		Password2:     "password_2",
	})
	// The form Robokassa posts to the ResultURL.
	form, _ := url.ParseQuery("OutSum=990.000000&InvId=12&Fee=0.000000&EMail=buyer%40example.com" +
		"&PaymentMethod=BankCard&IncCurrLabel=BankCardPSR&SignatureValue=56471DF356C976AB61F7BBB13FEC0D24" +
		"&Shp_order=12&Shp_user=alice")
	n, err := client.VerifyResult(form)
	if err != nil {
		panic(err)
	}
	fmt.Println(n.InvID, n.OutSum.StringFixed(2), n.Email, n.Shp["user"])

	form.Set("OutSum", "1.000000") // a forged amount
	_, err = client.VerifyResult(form)
	fmt.Println(err)
	// Output:
	// 12 990.00 buyer@example.com alice
	// robokassa: bad signature
}

func ExampleClient_ResultHandler() {
	client, _ := robokassa.NewClient(robokassa.Config{
		MerchantLogin: "demo",
		Password1:     "password_1",
		Password2:     "password_2",
	})
	markPaid := func(ctx context.Context, invID int64, amount decimal.Decimal) error { return nil }

	h, err := client.ResultHandler(func(ctx context.Context, n *robokassa.Notification) error {
		// Idempotent: Robokassa repeats the notification until it gets OK<InvId>.
		return markPaid(ctx, n.InvID, n.OutSum)
	})
	if err != nil {
		log.Fatal(err) // no Password #2, or no function: a configuration error
	}
	http.Handle("/robokassa/result", h)
}
