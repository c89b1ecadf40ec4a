// Command recurring walks through a recurring series (spec §5): it prints
// the link of the parent payment (a Payment with Recurring set) and then
// charges a child payment with Client.Recurring, without the buyer.
//
// Run it as is and it talks to an in-process robokassatest.Server, the
// offline Robokassa: the buyer pays the parent on its page, the child
// charge is checked with the emulator's own signing code, and the child's
// ResultURL notification reaches an in-process shop:
//
//	go run ./examples/recurring
//
// With a shop's credentials it prints a real parent link; pay it, then run
// it again with that payment's InvId to charge a child for real (this
// moves money; recurring payments have no test mode):
//
//	ROBOKASSA_LOGIN=myshop ROBOKASSA_PASSWORD1=... [ROBOKASSA_ALGORITHM=SHA256] \
//	[ROBOKASSA_PREVIOUS_INVOICE_ID=12] [ROBOKASSA_OUT_SUM=10.00] go run ./examples/recurring
package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"time"

	"github.com/shopspring/decimal"

	"github.com/robokassa-go/robokassa"
	"github.com/robokassa-go/robokassa/robokassatest"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "recurring:", err)
		os.Exit(1)
	}
}

func run() error {
	cfg := robokassa.Config{
		MerchantLogin: os.Getenv("ROBOKASSA_LOGIN"),
		Password1:     robokassa.Secret(os.Getenv("ROBOKASSA_PASSWORD1")),
		Algorithm:     robokassa.HashAlgorithm(os.Getenv("ROBOKASSA_ALGORITHM")),
	}
	amount := decimal.RequireFromString("199.00")
	if s := os.Getenv("ROBOKASSA_OUT_SUM"); s != "" {
		var err error
		if amount, err = decimal.NewFromString(s); err != nil {
			return fmt.Errorf("ROBOKASSA_OUT_SUM: %w", err)
		}
	}
	var parentID int64
	if s := os.Getenv("ROBOKASSA_PREVIOUS_INVOICE_ID"); s != "" {
		var err error
		if parentID, err = strconv.ParseInt(s, 10, 64); err != nil {
			return fmt.Errorf("ROBOKASSA_PREVIOUS_INVOICE_ID: %w", err)
		}
	}

	offline := cfg.MerchantLogin == "" || cfg.Password1 == ""
	var emulator *robokassatest.Server
	if offline {
		// The shop's ResultURL: acknowledges what it is told, after
		// checking the signature with the SDK.
		var result http.Handler
		shop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { result.ServeHTTP(w, r) }))
		defer shop.Close()
		emulator = robokassatest.NewServer(robokassatest.Shop{
			MerchantLogin: "demo", Password1: "password_1", Password2: "password_2",
			ResultURL: shop.URL + "/robokassa/result",
		})
		defer emulator.Close()
		cfg = emulator.ClientConfig()
		c, err := robokassa.NewClient(cfg)
		if err != nil {
			return err
		}
		result, err = c.ResultHandler(func(_ context.Context, n *robokassa.Notification) error {
			fmt.Printf("   shop: ResultURL says invoice %d paid %s (%s)\n", n.InvID, n.OutSum.StringFixed(2), n.Shp["plan"])
			return nil
		})
		if err != nil {
			return err
		}
		fmt.Println("No ROBOKASSA_LOGIN / ROBOKASSA_PASSWORD1 set: using an in-process robokassatest.Server at", emulator.URL)
	}
	client, err := robokassa.NewClient(cfg)
	if err != nil {
		return err
	}

	// 1. The parent: an ordinary payment marked Recurring. The buyer pays
	// it on Robokassa's page; its InvId is what later charges refer to.
	if parentID == 0 {
		parentID = robokassa.NewInvID()
		link, err := client.PaymentURL(robokassa.Payment{
			OutSum:      amount,
			InvID:       parentID,
			Description: "Subscription, month 1",
			Recurring:   true,
		})
		if err != nil {
			return err
		}
		fmt.Printf("1. Parent payment (InvId %d), for the buyer to pay:\n   %s\n", parentID, link)
		if !offline {
			fmt.Println("Pay it, then run again with ROBOKASSA_PREVIOUS_INVOICE_ID set to charge a child payment.")
			return nil
		}
		// Offline, the buyer opens the link and presses Pay on the
		// emulator's page.
		resp, err := http.Get(link)
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err := emulator.Pay(parentID); err != nil {
			return err
		}
		fmt.Println("   (offline: the buyer paid it on the emulator's page)")
	}

	// 2. A child charge, made by the shop alone. Sent exactly once: after
	// an error, check the operation before charging again with a new id.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	childID := robokassa.NewInvID()
	fmt.Printf("2. Charging %s with InvoiceID %d on parent %d\n", amount.StringFixed(2), childID, parentID)
	err = client.Recurring(ctx, robokassa.RecurringPayment{
		PreviousInvID: parentID,
		InvID:         childID,
		OutSum:        amount,
		Description:   "Subscription, month 2",
		Shp:           map[string]string{"plan": "monthly"},
	})
	if err != nil {
		return err
	}
	fmt.Printf("   accepted: invoice %d. The result arrives on ResultURL (or ask OpStateExt).\n", childID)
	if offline {
		if err := emulator.Wait(ctx); err != nil { // the child's notification follows the answer
			return err
		}
		op, _ := emulator.Operation(childID)
		fmt.Printf("3. The emulator's record of the child: %s (state %d), parent %d\n", op.State, int(op.State), op.ParentInvID)
	}
	return nil
}
