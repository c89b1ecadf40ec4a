// Command paymentlinks creates a one-time and a reusable payment link with
// Robokassa's Invoice API and prints them.
//
// Run it as is and it talks to an in-process fake of the Invoice API, so
// it works offline:
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
	"crypto/hmac"
	"crypto/md5"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/shopspring/decimal"

	"github.com/robokassa-go/robokassa"
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
	if cfg.MerchantLogin == "" || cfg.Password1 == "" {
		srv := httptest.NewServer(fakeInvoiceAPI("demo", "password_1"))
		defer srv.Close()
		cfg = robokassa.Config{MerchantLogin: "demo", Password1: "password_1", ServicesURL: srv.URL}
		fmt.Println("No ROBOKASSA_LOGIN/ROBOKASSA_PASSWORD1 set: using an in-process fake Invoice API at", srv.URL)
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
	return nil
}

// fakeInvoiceAPI answers CreateInvoice as Robokassa does, after checking
// the request's JWT (HMAC-MD5 with key login:password1, spec §9.1).
func fakeInvoiceAPI(login, password1 string) http.Handler {
	var mu sync.Mutex
	next := int64(1000)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		var token string
		if r.URL.Path != "/InvoiceServiceWebApi/api/CreateInvoice" || json.NewDecoder(r.Body).Decode(&token) != nil {
			http.Error(w, `{"message":"not found"}`, http.StatusNotFound)
			return
		}
		parts := strings.Split(token, ".")
		mac := hmac.New(md5.New, []byte(login+":"+password1))
		if len(parts) == 3 {
			mac.Write([]byte(parts[0] + "." + parts[1]))
		}
		var req struct {
			InvId       int64
			InvoiceType string
		}
		payload, _ := base64.RawURLEncoding.DecodeString(parts[min(1, len(parts)-1)])
		if len(parts) != 3 || base64.RawURLEncoding.EncodeToString(mac.Sum(nil)) != parts[2] || json.Unmarshal(payload, &req) != nil {
			_ = json.NewEncoder(w).Encode(map[string]any{"isSuccess": false, "message": "invalid signature"})
			return
		}
		mu.Lock()
		if req.InvId == 0 {
			next++
			req.InvId = next
		}
		mu.Unlock()
		encoded := base64.RawURLEncoding.EncodeToString([]byte(fmt.Sprintf("%s-%d", req.InvoiceType, req.InvId)))
		_ = json.NewEncoder(w).Encode(map[string]any{
			"id":        fmt.Sprintf("00000000-0000-4000-8000-%012d", req.InvId),
			"invId":     req.InvId,
			"url":       "http://" + r.Host + "/merchant/Invoice/" + encoded, // a fake link, on the fake host
			"isSuccess": true,
		})
	})
}
