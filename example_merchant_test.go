package robokassa_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/shopspring/decimal"

	"github.com/robokassa-go/robokassa"
)

func ExampleClient_Recurring() {
	client, err := robokassa.NewClient(robokassa.Config{
		MerchantLogin: "demo",
		Password1:     "password_1",
		Password2:     "password_2",
	})
	if err != nil {
		log.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	// The parent was paid through a link built with Payment{Recurring: true, InvID: 100}.
	err = client.Recurring(ctx, robokassa.RecurringPayment{
		PreviousInvID: 100,
		InvID:         robokassa.NewInvID(), // a new InvId for every charge
		OutSum:        decimal.RequireFromString("199.00"),
		Description:   "Subscription, month 2",
		Shp:           map[string]string{"user": "alice"},
	})
	var apiErr *robokassa.APIError
	switch {
	case errors.As(err, &apiErr) && apiErr.Code != "":
		// e.g. code 34: recurring payments are not enabled for the shop
		log.Fatalf("refused: code %s: %s", apiErr.Code, apiErr.Message)
	case err != nil:
		// Never retried: the charge may exist. Check it (OpStateExt)
		// before charging again with a new InvID.
		log.Fatal(err)
	}
	// Created, not yet paid: the result arrives on ResultURL.
	fmt.Println("charge accepted")
}

func ExampleClient_ConfirmHold() {
	client, err := robokassa.NewClient(robokassa.Config{MerchantLogin: "demo", Password1: "password_1"})
	if err != nil {
		log.Fatal(err)
	}
	// The payment was started with Payment{StepByStep: true, InvID: 12,
	// OutSum: 990} and is held. Capture less than was held: the receipt
	// goes down with the amount.
	err = client.ConfirmHold(context.Background(), robokassa.HoldCapture{
		InvID:  12,
		OutSum: decimal.RequireFromString("890.00"),
		Receipt: &robokassa.Receipt{Items: []robokassa.ReceiptItem{{
			Name:          "Item A",
			Quantity:      decimal.NewFromInt(1),
			Sum:           decimal.RequireFromString("890.00"),
			Tax:           robokassa.TaxVAT22,
			PaymentMethod: robokassa.ReceiptPaymentFull,
			PaymentObject: robokassa.ObjectCommodity,
		}}},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("capture accepted; OpStateExt reports state 100 once it is done")
}

func ExampleClient_CancelHold() {
	client, err := robokassa.NewClient(robokassa.Config{MerchantLogin: "demo", Password1: "password_1"})
	if err != nil {
		log.Fatal(err)
	}
	if err := client.CancelHold(context.Background(), 12); err != nil {
		log.Fatal(err)
	}
	fmt.Println("release accepted; OpStateExt reports state 60 once it is done")
}
