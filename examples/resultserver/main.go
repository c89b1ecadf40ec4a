// Command resultserver is a runnable net/http server with the three routes
// a Robokassa shop needs: ResultURL (the server-to-server "paid"
// notification), SuccessURL and FailURL (the buyer's browser coming back).
//
// With a shop's credentials in the environment it serves them for the
// real Robokassa:
//
//	ROBOKASSA_LOGIN=myshop ROBOKASSA_PASSWORD1=... ROBOKASSA_PASSWORD2=... [ADDR=127.0.0.1:8080] go run ./examples/resultserver
//
// Without them it runs offline against an in-process robokassatest.Server,
// the offline Robokassa: one buyer pays, another declines, and the shop's
// own routes handle what the emulator sends, then it exits:
//
//	go run ./examples/resultserver
//
// Add -serve to keep both running and pay in a real browser: it prints a
// payment link to the emulator's page.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"html/template"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/signal"
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

// routes are the shop's three Robokassa routes.
func routes(client *robokassa.Client, db *orders) (*http.ServeMux, error) {
	mux := http.NewServeMux()
	// ResultURL: verified, then acknowledged only after markPaid succeeded.
	result, err := client.ResultHandler(db.markPaid)
	if err != nil {
		return nil, err
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
		log.Printf("buyer back from paying order %d", n.InvID)
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
			log.Printf("buyer back from declining order %d", n.InvID)
			text = fmt.Sprintf("Order %d was not paid. You can try again.", n.InvID)
		}
		_ = page.Execute(w, map[string]string{"Title": "Payment not completed", "Text": text})
	})
	return mux, nil
}

func main() {
	serve := flag.Bool("serve", false, "offline: keep the shop and the emulator running for a browser")
	flag.Parse()
	log.SetFlags(0)
	addr := os.Getenv("ADDR")
	if addr == "" {
		addr = "127.0.0.1:8080"
	}
	if os.Getenv("ROBOKASSA_LOGIN") == "" {
		if err := offline(addr, *serve); err != nil {
			log.Fatal("resultserver: ", err)
		}
		return
	}
	client, err := robokassa.NewClient(robokassa.Config{
		MerchantLogin: os.Getenv("ROBOKASSA_LOGIN"),
		Password1:     robokassa.Secret(os.Getenv("ROBOKASSA_PASSWORD1")),
		Password2:     robokassa.Secret(os.Getenv("ROBOKASSA_PASSWORD2")),
		Algorithm:     robokassa.HashAlgorithm(os.Getenv("ROBOKASSA_ALGORITHM")),
	})
	if err != nil {
		log.Fatal(err)
	}
	mux, err := routes(client, &orders{paid: map[int64]decimal.Decimal{}})
	if err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	log.Printf("listening on http://%s (ResultURL /robokassa/result, SuccessURL /robokassa/success, FailURL /robokassa/fail)", addr)
	log.Fatal(srv.ListenAndServe())
}

// offline runs the shop against an in-process emulator: the emulator's
// shop settings point at the shop's routes, and the shop's client at the
// emulator.
func offline(addr string, serve bool) error {
	shop := httptest.NewUnstartedServer(nil)
	if serve {
		l, err := net.Listen("tcp", addr)
		if err != nil {
			return err
		}
		shop.Listener.Close()
		shop.Listener = l
	}
	base := "http://" + shop.Listener.Addr().String()
	emulator := robokassatest.NewServer(robokassatest.Shop{
		MerchantLogin: "demo", Password1: "password_1", Password2: "password_2",
		ResultURL:  base + "/robokassa/result",
		SuccessURL: base + "/robokassa/success",
		FailURL:    base + "/robokassa/fail",
	})
	defer emulator.Close()
	client := emulator.Client()
	db := &orders{paid: map[int64]decimal.Decimal{}}
	mux, err := routes(client, db)
	if err != nil {
		return err
	}
	shop.Config.Handler = mux
	shop.Start()
	defer shop.Close()
	log.Printf("no ROBOKASSA_LOGIN: the shop at %s, an in-process robokassatest.Server at %s", base, emulator.URL)

	if serve {
		link, err := client.PaymentURL(robokassa.Payment{OutSum: decimal.RequireFromString("990"), InvID: robokassa.NewInvID(), Description: "Order from the browser"})
		if err != nil {
			return err
		}
		log.Printf("open this link and press Pay or Decline; Ctrl-C to stop:\n%s", link)
		stop := make(chan os.Signal, 1)
		signal.Notify(stop, os.Interrupt)
		<-stop
		return nil
	}

	// One buyer pays order 12, another declines order 13: each opens the
	// link (the emulator's payment page) and presses a button.
	for _, o := range []struct {
		id  int64
		pay bool
	}{{12, true}, {13, false}} {
		link, err := client.PaymentURL(robokassa.Payment{OutSum: decimal.RequireFromString("990"), InvID: o.id,
			Shp: map[string]string{"order": fmt.Sprint(o.id)}})
		if err != nil {
			return err
		}
		resp, err := http.Get(link)
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if o.pay {
			err = emulator.Pay(o.id)
		} else {
			err = emulator.Fail(o.id)
		}
		if err != nil {
			return err
		}
	}
	for _, d := range emulator.Notifications() {
		log.Printf("emulator sent %s for invoice %d by %s: acknowledged %t", d.Kind, d.InvID, d.Method, d.OK)
	}
	db.mu.Lock()
	defer db.mu.Unlock()
	if _, ok := db.paid[12]; !ok || len(db.paid) != 1 {
		return errors.New("the shop's database should hold order 12 only")
	}
	log.Printf("the shop's database: %d paid order(s)", len(db.paid))
	return nil
}
