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

func ExampleClient_CreateInvoice() {
	client, err := robokassa.NewClient(robokassa.Config{
		MerchantLogin: "demo",
		Password1:     "password_1",
		Algorithm:     robokassa.SHA256,
	})
	if err != nil {
		log.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	link, err := client.CreateInvoice(ctx, robokassa.Invoice{
		Type:           robokassa.InvoiceOneTime,
		InvID:          4512,
		OutSum:         decimal.RequireFromString("990"),
		Description:    "Order #4512",
		ExpirationDate: robokassa.DaysToPay(3),
		Sno:            robokassa.SnoOSN,
		Items: []robokassa.ReceiptItem{{
			Name:          "Tea, 100 g",
			Quantity:      decimal.NewFromInt(2),
			Sum:           decimal.RequireFromString("990"),
			Tax:           robokassa.TaxVAT22,
			PaymentMethod: robokassa.ReceiptPaymentFull,
			PaymentObject: robokassa.ObjectCommodity,
		}},
		Shp: map[string]string{"order": "4512"}, // comes back as Shp_order
	})
	var apiErr *robokassa.APIError
	switch {
	case errors.As(err, &apiErr):
		log.Fatalf("robokassa refused: %s", apiErr.Message)
	case err != nil:
		log.Fatal(err) // a *robokassa.ValidationError names the field
	}
	fmt.Println(link.URL) // send this to the buyer
	fmt.Println(link.ID, link.EncodedID)
}

func ExampleClient_CreateInvoice_split() {
	client, err := robokassa.NewClient(robokassa.Config{MerchantLogin: "market", Password1: "password_1"})
	if err != nil {
		log.Fatal(err)
	}
	// 700.00 paid once: 500.00 to the marketplace, 200.00 to a seller.
	link, err := client.CreateInvoice(context.Background(), robokassa.Invoice{
		Type:   robokassa.InvoiceOneTime,
		InvID:  500001,
		OutSum: decimal.RequireFromString("700"),
		Split: []robokassa.SplitPart{
			{MerchantLogin: "market", InvID: 500001, Amount: decimal.RequireFromString("500")},
			{MerchantLogin: "seller-42", Amount: decimal.RequireFromString("200")},
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(link.URL)
}

func ExampleClient_DeactivateInvoice() {
	client, err := robokassa.NewClient(robokassa.Config{MerchantLogin: "demo", Password1: "password_1"})
	if err != nil {
		log.Fatal(err)
	}
	// By the shop's InvId; a link from CreateInvoice also gives link.Ref().
	if err := client.DeactivateInvoice(context.Background(), robokassa.InvoiceRef{InvID: 4512}); err != nil {
		log.Fatal(err)
	}
}

func ExampleClient_Invoices() {
	client, err := robokassa.NewClient(robokassa.Config{MerchantLogin: "demo", Password1: "password_1"})
	if err != nil {
		log.Fatal(err)
	}
	q := robokassa.InvoiceQuery{
		States:   []robokassa.InvoiceState{robokassa.InvoiceStateNotPaid},
		DateFrom: time.Now().AddDate(0, -1, 0),
		DateTo:   time.Now(),
		PageSize: 50,
	}
	for q.CurrentPage = 1; ; q.CurrentPage++ {
		page, err := client.Invoices(context.Background(), q)
		if err != nil {
			log.Fatal(err)
		}
		for _, inv := range page.Invoices {
			fmt.Println(inv.InvID, inv.State, inv.OutSum.StringFixed(2), inv.URL)
		}
		if len(page.Invoices) < page.PageSize {
			break
		}
	}
}
