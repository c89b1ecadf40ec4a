// Command resultserver is a runnable net/http server with the three routes
// a Robokassa shop needs: ResultURL (the server-to-server "paid"
// notification), SuccessURL and FailURL (the buyer's browser coming back).
//
//	ROBOKASSA_LOGIN=demo ROBOKASSA_PASSWORD1=... ROBOKASSA_PASSWORD2=... go run ./examples/resultserver
//
// Without credentials in the environment it starts with demo credentials
// and prints a curl command that posts a correctly signed test
// notification to it.
package main

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"log"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/shopspring/decimal"

	"github.com/robokassa-go/robokassa"
	"github.com/robokassa-go/robokassa/robokassatest"
)

// orders is a stand-in for the shop's database.
type orders struct {
	mu   sync.Mutex
	paid map[int64]decimal.Decimal
}

// markPaid is idempotent: Robokassa repeats a notification until it gets
// "OK<InvId>", so the same InvId may arrive more than once.
func (o *orders) markPaid(_ context.Context, n *robokassa.Notification) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if prev, ok := o.paid[n.InvID]; ok {
		if !prev.Equal(n.OutSum) {
			return errors.New("amount differs from the first notification")
		}
		return nil
	}
	o.paid[n.InvID] = n.OutSum
	log.Printf("order %d paid: %s (fee %s, method %s)", n.InvID, n.OutSum.StringFixed(2), n.Fee.StringFixed(2), n.PaymentMethod)
	return nil
}

var page = template.Must(template.New("page").Parse(`<!doctype html><title>{{.Title}}</title><h1>{{.Title}}</h1><p>{{.Text}}</p>`))

func main() {
	cfg := robokassa.Config{
		MerchantLogin: os.Getenv("ROBOKASSA_LOGIN"),
		Password1:     robokassa.Secret(os.Getenv("ROBOKASSA_PASSWORD1")),
		Password2:     robokassa.Secret(os.Getenv("ROBOKASSA_PASSWORD2")),
		Algorithm:     robokassa.HashAlgorithm(os.Getenv("ROBOKASSA_ALGORITHM")),
	}
	demo := cfg.MerchantLogin == ""
	if demo {
		cfg.MerchantLogin, cfg.Password1, cfg.Password2 = "demo", "password_1", "password_2"
	}
	client, err := robokassa.NewClient(cfg)
	if err != nil {
		log.Fatal(err)
	}
	db := &orders{paid: map[int64]decimal.Decimal{}}

	mux := http.NewServeMux()
	// ResultURL: verified, then acknowledged only after markPaid succeeded.
	result, err := client.ResultHandler(db.markPaid)
	if err != nil {
		log.Fatal(err)
	}
	mux.Handle("/robokassa/result", result)
	// SuccessURL: the buyer is back. Informational only: the order is paid
	// when the ResultURL notification says so.
	mux.HandleFunc("/robokassa/success", func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		n, err := client.VerifySuccess(r.Form)
		if err != nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		_ = page.Execute(w, map[string]string{"Title": "Thank you", "Text": fmt.Sprintf("Order %d: we will e-mail you once the payment is confirmed.", n.InvID)})
	})
	// FailURL: unsigned, so it only chooses what page to show.
	mux.HandleFunc("/robokassa/fail", func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		text := "The payment did not go through. You can try again."
		if n, err := robokassa.ParseFail(r.Form); err == nil {
			text = fmt.Sprintf("Order %d was not paid. You can try again.", n.InvID)
		}
		_ = page.Execute(w, map[string]string{"Title": "Payment not completed", "Text": text})
	})

	addr := os.Getenv("ADDR")
	if addr == "" {
		addr = "127.0.0.1:8080"
	}
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	log.Printf("listening on http://%s (ResultURL /robokassa/result, SuccessURL /robokassa/success, FailURL /robokassa/fail)", addr)
	if demo {
		form := robokassatest.ResultForm(cfg, robokassa.Notification{
			OutSum: decimal.RequireFromString("990"), InvID: 12, Email: "buyer@example.com",
			PaymentMethod: "BankCard", Shp: map[string]string{"order": "12"},
		})
		log.Printf("demo credentials; try: curl -d '%s' http://%s/robokassa/result", form.Encode(), addr)
	}
	log.Fatal(srv.ListenAndServe())
}
