package robokassa_test

import (
	"fmt"
	"log"
	"net/url"
	"os"

	"github.com/shopspring/decimal"

	"github.com/robokassa-go/robokassa"
)

func ExampleNewClient() {
	client, err := robokassa.NewClient(robokassa.Config{
		MerchantLogin: "demo",
		Password1:     robokassa.Secret(os.Getenv("ROBOKASSA_PASSWORD1")), // from the environment, never from code
		Password2:     "password_2",
		Algorithm:     robokassa.SHA256, // as chosen in the shop's technical settings
	})
	fmt.Println(err)

	client, err = robokassa.NewClient(robokassa.Config{MerchantLogin: "demo", Password1: "password_1", Algorithm: robokassa.SHA256})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(client)                                   // passwords never print
	fmt.Printf("%+v\n", robokassa.Config{Password1: "x"}) // nor in a Config
	// Output:
	// robokassa: invalid Config.Password1: is required
	// robokassa.Client{MerchantLogin:demo Algorithm:SHA256 Test:false AuthURL:https://auth.robokassa.ru ServicesURL:https://services.robokassa.ru FiscalURL:https://ws.roboxchange.com}
	// {MerchantLogin: Password1:[redacted] Password2: TestPassword1: TestPassword2: Password3: Algorithm: Test:false HTTPClient:<nil> Logger:<nil> AuthURL: ServicesURL: FiscalURL:}
}

func ExampleNewInvID() {
	// Draw the InvId, store the pending order under a unique constraint,
	// and draw again on the (rare) conflict; then build the link.
	invID := robokassa.NewInvID()
	fmt.Println(invID > 0)
	// Output:
	// true
}

func ExampleClient_PaymentForm() {
	client, _ := robokassa.NewClient(robokassa.Config{MerchantLogin: "demo", Password1: "password_1"})
	form, err := client.PaymentForm(robokassa.Payment{
		OutSum: decimal.RequireFromString("8.96"),
		InvID:  12345,
		Receipt: &robokassa.Receipt{Items: []robokassa.ReceiptItem{{
			Name: "product", Quantity: decimal.NewFromInt(1), Sum: decimal.RequireFromString("8.96"), Tax: robokassa.TaxNone,
		}}},
		Shp: map[string]string{"item": "digital"},
	})
	if err != nil {
		log.Fatal(err)
	}
	// POST these fields to client.PaymentFormAction(): the receipt is the
	// URL-encoded JSON, exactly as signed.
	fmt.Println(client.PaymentFormAction())
	fmt.Println(form.Get("Receipt"))
	fmt.Println(form.Get("SignatureValue"))
	// Output:
	// https://auth.robokassa.ru/Merchant/Index.aspx
	// %7B%22items%22%3A%5B%7B%22name%22%3A%22product%22%2C%22quantity%22%3A1%2C%22sum%22%3A8.96%2C%22tax%22%3A%22none%22%7D%5D%7D
	// 757911f053d03875455867f5b14cf819
}

func ExampleClient_PaymentButton() {
	client, _ := robokassa.NewClient(robokassa.Config{MerchantLogin: "demo", Password1: "password_1"})
	button, err := client.PaymentButton(robokassa.Payment{
		OutSum:      decimal.RequireFromString("990"),
		InvID:       12,
		Description: "Оплата заказа №12",
	}, "Pay")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(button)
	// Output:
	// <form action="https://auth.robokassa.ru/Merchant/Index.aspx" method="POST" accept-charset="UTF-8"><input type="hidden" name="MerchantLogin" value="demo"><input type="hidden" name="OutSum" value="990.00"><input type="hidden" name="InvId" value="12"><input type="hidden" name="Description" value="Оплата заказа №12"><input type="hidden" name="SignatureValue" value="6c9d6eb96b82e643b343c26a85349a37"><button type="submit">Pay</button></form>
}

func ExampleClient_CoFPaymentURL() {
	client, _ := robokassa.NewClient(robokassa.Config{MerchantLogin: "demo", Password1: "password_1"})
	// Token is the OpKey of an earlier payment with the buyer's card.
	link, err := client.CoFPaymentURL(robokassa.Payment{
		OutSum: decimal.RequireFromString("199"),
		InvID:  13,
		Token:  "a5bd4b08-1d3e-4c2d-9c6b-6ff0a9c0e7d1",
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(link)
	_, err = client.CoFPaymentURL(robokassa.Payment{OutSum: decimal.RequireFromString("199")})
	fmt.Println(err)
	// Output:
	// https://auth.robokassa.ru/Merchant/Payment/CoFPayment?MerchantLogin=demo&OutSum=199.00&InvId=13&SignatureValue=be52a03bc29c50161a61e8a6de1e461e&Token=a5bd4b08-1d3e-4c2d-9c6b-6ff0a9c0e7d1
	// robokassa: invalid Token: is required for a saved-card payment
}

func ExampleClient_VerifySuccess() {
	client, _ := robokassa.NewClient(robokassa.Config{MerchantLogin: "demo", Password1: "password_1"})
	// The buyer's browser comes back to SuccessURL with these fields
	// (signed with Password #1). Show a thank-you page; the order is paid
	// when the ResultURL notification says so.
	form, _ := url.ParseQuery("OutSum=990.00&InvId=12&SignatureValue=7c1316b24fc1a1b539a225c37040126c&Culture=ru")
	n, err := client.VerifySuccess(form)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(n.InvID, n.OutSum, n.Culture)
	// Output:
	// 12 990 ru
}

func ExampleParseFail() {
	// FailURL is not signed: use it to show the buyer a page, never to
	// change an order.
	n, err := robokassa.ParseFail(url.Values{"OutSum": {"990.00"}, "InvId": {"12"}, "Culture": {"en"}, "Shp_order": {"12"}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(n.InvID, n.Shp["order"], n.Culture)
	// Output:
	// 12 12 en
}

func ExampleClient_SumForm() {
	client, _ := robokassa.NewClient(robokassa.Config{MerchantLogin: "demo", Password1: "password_1"})
	script, err := client.SumForm(robokassa.SumForm{
		DefaultSum:  decimal.RequireFromString("500"),
		Description: "Top-up",
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(script)
	// Output:
	// <script src="https://auth.robokassa.ru/Merchant/PaymentForm/FormFLS.js?MerchantLogin=demo&amp;DefaultSum=500.00&amp;InvoiceID=0&amp;Description=Top-up&amp;SignatureValue=04e2674cd9292fa05bcd4c356c4d2685"></script>
}
