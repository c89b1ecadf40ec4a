// Command paymentlinks creates a one-time and a reusable payment link with
// Robokassa's Invoice API and prints them.
//
// Run it as is and it talks to an in-process robokassatest.Server, the
// offline Robokassa, which checks the request's JWT with its own code,
// serves the links' payment page and lists the links, so it works
// offline:
//
//	go run ./examples/paymentlinks
//
// To create real links, set the shop's credentials (the Invoice API does
// not exist in test mode, so use the production Password #1):
//
//	ROBOKASSA_LOGIN=myshop ROBOKASSA_PASSWORD1=... [ROBOKASSA_ALGORITHM=SHA256] \
//	go run ./examples/paymentlinks
//
// Real links stay payable until they expire (three days here) or are
// deactivated with Client.DeactivateInvoice.
package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/shopspring/decimal"

	"github.com/robokassa-go/robokassa"
	"github.com/robokassa-go/robokassa/robokassatest"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "paymentlinks:", err)
		os.Exit(1)
	}
}

func run() error {
	cfg := robokassa.Config{
		MerchantLogin: os.Getenv("ROBOKASSA_LOGIN"),
		Password1:     robokassa.Secret(os.Getenv("ROBOKASSA_PASSWORD1")),
		Algorithm:     robokassa.HashAlgorithm(os.Getenv("ROBOKASSA_ALGORITHM")),
	}
	var emulator *robokassatest.Server
	if cfg.MerchantLogin == "" || cfg.Password1 == "" {
		emulator = robokassatest.NewServer(robokassatest.Shop{MerchantLogin: "demo", Password1: "password_1", Password2: "password_2"})
		defer emulator.Close()
		cfg = emulator.ClientConfig()
		fmt.Println("No ROBOKASSA_LOGIN/ROBOKASSA_PASSWORD1 set: using an in-process robokassatest.Server at", emulator.URL)
	}
	client, err := robokassa.NewClient(cfg)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	oneTime, err := client.CreateInvoice(ctx, robokassa.Invoice{
		Type:           robokassa.InvoiceOneTime,
		OutSum:         decimal.RequireFromString("990"),
		Description:    "Order: tea and delivery",
		ExpirationDate: robokassa.DaysToPay(3),
		Items: []robokassa.ReceiptItem{
			{Name: "Tea, 100 g", Quantity: decimal.NewFromInt(2), Sum: decimal.RequireFromString("890"),
				Tax: robokassa.TaxNone, PaymentMethod: robokassa.ReceiptPaymentFull, PaymentObject: robokassa.ObjectCommodity},
			{Name: "Delivery", Quantity: decimal.NewFromInt(1), Sum: decimal.RequireFromString("100"),
				Tax: robokassa.TaxNone, PaymentMethod: robokassa.ReceiptPaymentFull, PaymentObject: robokassa.ObjectService},
		},
		Shp: map[string]string{"source": "paymentlinks"},
	})
	if err != nil {
		return fmt.Errorf("one-time link: %w", err)
	}
	fmt.Printf("one-time link: %s (InvId %d, id %s)\n", oneTime.URL, oneTime.InvID, oneTime.ID)

	reusable, err := client.CreateInvoice(ctx, robokassa.Invoice{
		Type:        robokassa.InvoiceReusable,
		OutSum:      decimal.RequireFromString("300"),
		Description: "Donation",
	})
	if err != nil {
		return fmt.Errorf("reusable link: %w", err)
	}
	fmt.Printf("reusable link: %s (InvId %d, id %s)\n", reusable.URL, reusable.InvID, reusable.ID)
	if emulator == nil {
		return nil
	}

	// Offline, a buyer opens the one-time link and pays on the emulator's
	// page; the list then reports it paid.
	resp, err := http.Get(oneTime.URL)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err := emulator.Pay(oneTime.InvID); err != nil {
		return err
	}
	page, err := client.Invoices(ctx, robokassa.InvoiceQuery{IsAscending: true})
	if err != nil {
		return err
	}
	for _, inv := range page.Invoices {
		fmt.Printf("  %-8s %-9s %s  %s\n", inv.Type, inv.State, inv.OutSum.StringFixed(2), inv.Description)
	}
	return nil
}
