// Command paymentlink prints a signed test-mode payment link for a demo
// shop, with its signature base string explained part by part. It runs
// offline: nothing is sent anywhere.
//
//	go run ./examples/paymentlink
package main

import (
	"fmt"
	"log"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/robokassa-go/robokassa"
)

func main() {
	client, err := robokassa.NewClient(robokassa.Config{
		MerchantLogin: "demo",
		Password1:     "password_1", // production pair: unused in test mode
		Password2:     "password_2",
		TestPassword1: "test_password_1",
		TestPassword2: "test_password_2",
		Test:          true, // IsTest=1 and the test password pair
	})
	if err != nil {
		log.Fatal(err)
	}

	payment := robokassa.Payment{
		OutSum:      decimal.RequireFromString("990"),
		InvID:       12,
		Description: "Order #12: tea and a mug",
		Receipt: &robokassa.Receipt{
			Sno: robokassa.SnoUSNIncome,
			Items: []robokassa.ReceiptItem{
				{Name: "Чай улун, 100 г", Quantity: decimal.NewFromInt(1), Sum: decimal.RequireFromString("490"),
					Tax: robokassa.TaxNone, PaymentMethod: robokassa.ReceiptPaymentFull, PaymentObject: robokassa.ObjectCommodity},
				{Name: "Кружка", Quantity: decimal.NewFromInt(2), Sum: decimal.RequireFromString("500"),
					Tax: robokassa.TaxNone, PaymentMethod: robokassa.ReceiptPaymentFull, PaymentObject: robokassa.ObjectCommodity},
			},
		},
		Shp: map[string]string{"order": "12", "user": "alice"},
	}

	link, err := client.PaymentURL(payment)
	if err != nil {
		log.Fatal(err)
	}
	base, err := client.SignatureBase(payment)
	if err != nil {
		log.Fatal(err)
	}

	fmt.Println("Signed test-mode payment link (demo shop, nothing is sent):")
	fmt.Println()
	fmt.Println(link)
	fmt.Println()
	fmt.Println("Signature base string, password masked (MD5 of it is SignatureValue):")
	fmt.Println()
	fmt.Println(base)
	fmt.Println()
	fmt.Println("Part by part (fields joined by ':'):")
	explain := []string{
		"MerchantLogin",
		"OutSum, rendered once with two decimals; the same string is sent",
		"InvId (an empty slot when Robokassa should assign one)",
		"Receipt JSON, URL-encoded once; the GET link carries it encoded twice",
		"Password #1 (the test one, since IsTest=1)",
	}
	parts := strings.Split(base, ":")
	for i, part := range parts {
		what := "Shp_ parameter: after the password, sorted by name, value URL-encoded"
		if i < len(explain) {
			what = explain[i]
		}
		if len(part) > 40 {
			part = part[:37] + "..."
		}
		fmt.Printf("  %-40s  %s\n", part, what)
	}
	fmt.Println()
	fmt.Println("If the payment page says \"error 29\", compare this string with what")
	fmt.Println("Robokassa expects: login, passwords of the right pair, Shp_ names and order.")
}
