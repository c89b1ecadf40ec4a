// Command recurring walks through a recurring series (spec §5): it prints
// the link of the parent payment (a Payment with Recurring set) and then
// charges a child payment with Client.Recurring, without the buyer.
//
// Run it as is and it talks to an in-process fake of Robokassa that checks
// the signature with its own MD5 code and answers OK<InvoiceID>, so it
// works offline:
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
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/robokassa-go/robokassa"
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
	if offline {
		srv := httptest.NewServer(fakeRobokassa("demo", "password_1"))
		defer srv.Close()
		cfg = robokassa.Config{MerchantLogin: "demo", Password1: "password_1", AuthURL: srv.URL}
		fmt.Println("No ROBOKASSA_LOGIN / ROBOKASSA_PASSWORD1 set: using an in-process fake Robokassa at", srv.URL)
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
		fmt.Println("   (offline: pretend the buyer paid it)")
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
	return nil
}

// fakeRobokassa answers Merchant/Recurring as spec §5 describes, checking
// the signature with its own code (not the SDK's): MD5 of
// MerchantLogin:OutSum:InvoiceID[:Receipt]:Password1[:Shp_* sorted by name].
func fakeRobokassa(login, password1 string) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /Merchant/Recurring", func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			http.Error(w, "bad form", http.StatusBadRequest)
			return
		}
		f := r.PostForm
		parts := []string{f.Get("MerchantLogin"), f.Get("OutSum"), f.Get("InvoiceID")}
		if receipt := f.Get("Receipt"); receipt != "" {
			parts = append(parts, receipt)
		}
		parts = append(parts, password1)
		var names []string
		for name := range f {
			if strings.HasPrefix(strings.ToLower(name), "shp_") {
				names = append(names, name)
			}
		}
		sort.Strings(names)
		for _, name := range names {
			parts = append(parts, name+"="+f.Get(name))
		}
		sum := md5.Sum([]byte(strings.Join(parts, ":")))
		switch {
		case f.Get("MerchantLogin") != login:
			fmt.Fprint(w, "26") // shop not found
		case !strings.EqualFold(hex.EncodeToString(sum[:]), f.Get("SignatureValue")):
			fmt.Fprint(w, "29") // bad signature
		case f.Get("PreviousInvoiceID") == "" || f.Get("PreviousInvoiceID") == f.Get("InvoiceID"):
			fmt.Fprint(w, "35") // bad recurring parameters
		default:
			fmt.Printf("   fake Robokassa: signature checks out for InvoiceID %s\n", f.Get("InvoiceID"))
			fmt.Fprint(w, "OK"+f.Get("InvoiceID"))
		}
	})
	return mux
}
