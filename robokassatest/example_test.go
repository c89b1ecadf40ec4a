package robokassatest_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"

	"github.com/shopspring/decimal"

	"github.com/robokassa-go/robokassa"
	"github.com/robokassa-go/robokassa/robokassatest"
)

// exampleShop is a shop's own code under test: its ResultURL handler
// (the SDK's, with the shop's hook) and its database.
type exampleShop struct {
	mu   sync.Mutex
	paid map[int64]string // InvId → amount
}

func (s *exampleShop) markPaid(_ context.Context, n *robokassa.Notification) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.paid[n.InvID] = n.OutSum.StringFixed(2)
	return nil
}

// open is the buyer opening a payment link: the page creates the
// operation.
func open(link string) {
	resp, err := http.Get(link)
	if err != nil {
		panic(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
}

// The emulator stands between a shop's handler and the buyer: the shop's
// ResultURL gets a signed notification, and the shop's own database says
// the order is paid.
func ExampleNewServer() {
	db := &exampleShop{paid: map[int64]string{}}
	var result http.Handler
	shop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { result.ServeHTTP(w, r) }))
	defer shop.Close()

	srv := robokassatest.NewServer(robokassatest.Shop{
		MerchantLogin: "demo", Password1: "p1", Password2: "p2", Algorithm: robokassa.SHA256,
		ResultURL: shop.URL + "/robokassa/result",
	})
	defer srv.Close()

	client := srv.Client() // the shop's client, pointed at the emulator
	result, _ = client.ResultHandler(db.markPaid)

	link, _ := client.PaymentURL(robokassa.Payment{OutSum: decimal.RequireFromString("990"), InvID: 12})
	open(link)
	if err := srv.Pay(12); err != nil {
		fmt.Println(err)
	}
	fmt.Println("shop's database:", db.paid)
	op, _ := srv.Operation(12)
	fmt.Println("operation:", op.State)
	// Output:
	// shop's database: map[12:990.00]
	// operation: paid
}

// Pay presses Pay on the page the buyer opened: the ResultURL
// notification goes out before Pay returns, then the redirect to
// SuccessURL is followed.
func ExampleServer_Pay() {
	shop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		_, _ = io.WriteString(w, "OK"+r.Form.Get("InvId"))
	}))
	defer shop.Close()
	srv := robokassatest.NewServer(robokassatest.Shop{MerchantLogin: "demo", Password1: "p1", Password2: "p2",
		ResultURL: shop.URL + "/result", SuccessURL: shop.URL + "/success"})
	defer srv.Close()

	link, _ := srv.Client().PaymentURL(robokassa.Payment{OutSum: decimal.NewFromInt(5), InvID: 7})
	open(link)
	fmt.Println(srv.Pay(7))
	for _, d := range srv.Notifications() {
		fmt.Println(d.Kind, d.Method, d.OK)
	}
	// Output:
	// <nil>
	// ResultURL POST true
	// SuccessURL GET true
}

// Fail is the buyer declining: no notification, only the redirect to
// FailURL, unsigned.
func ExampleServer_Fail() {
	shop := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer shop.Close()
	srv := robokassatest.NewServer(robokassatest.Shop{MerchantLogin: "demo", Password1: "p1", Password2: "p2",
		ResultURL: shop.URL + "/result", FailURL: shop.URL + "/fail"})
	defer srv.Close()

	link, _ := srv.Client().PaymentURL(robokassa.Payment{OutSum: decimal.NewFromInt(5), InvID: 8})
	open(link)
	fmt.Println(srv.Fail(8))
	d := srv.Notifications()[0]
	fmt.Println(d.Kind, d.Form.Encode())
	op, _ := srv.Operation(8)
	fmt.Println(op.State, int(op.State))
	// Output:
	// <nil>
	// FailURL InvId=8&OutSum=5.00
	// cancelled 10
}

// Operation shows what OpStateExt reports, and what a test needs besides.
func ExampleServer_Operation() {
	srv := robokassatest.NewServer(robokassatest.Shop{MerchantLogin: "demo", Password1: "p1", Password2: "p2"})
	defer srv.Close()
	link, _ := srv.Client().PaymentURL(robokassa.Payment{
		OutSum: decimal.RequireFromString("1500.50"), InvID: 9, StepByStep: true,
		Shp: map[string]string{"order": "9"},
	})
	open(link)
	_ = srv.Pay(9)
	op, _ := srv.Operation(9)
	fmt.Println(op.State, op.OutSum, op.StepByStep, op.Shp["order"], op.PaymentMethod, op.Fee)
	// Output:
	// held 1500.5 true 9 BankCard 37.51
}

// Notifications lists every notification and redirect with its attempts:
// here a shop that fails twice before it acknowledges.
func ExampleServer_Notifications() {
	var mu sync.Mutex
	calls := 0
	shop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if calls++; calls < 3 {
			http.Error(w, "database down", http.StatusInternalServerError)
			return
		}
		_, _ = io.WriteString(w, "OK3")
	}))
	defer shop.Close()
	srv := robokassatest.NewServer(robokassatest.Shop{MerchantLogin: "demo", Password1: "p1", Password2: "p2", ResultURL: shop.URL})
	defer srv.Close()

	link, _ := srv.Client().PaymentURL(robokassa.Payment{OutSum: decimal.NewFromInt(1), InvID: 3})
	open(link)
	_ = srv.Pay(3)
	_ = srv.Wait(context.Background()) // the retries follow FastRetries
	d := srv.Notifications()[0]
	for _, a := range d.Attempts {
		fmt.Println(a.Status, strings.TrimSpace(a.Body))
	}
	fmt.Println("acknowledged:", d.OK)
	// Output:
	// 500 database down
	// 500 database down
	// 200 OK3
	// acknowledged: true
}

// ResultForm signs a notification as Robokassa would, for a handler test
// without a server.
func ExampleResultForm() {
	cfg := robokassa.Config{MerchantLogin: "demo", Password1: "password_1", Password2: "password_2"}
	form := robokassatest.ResultForm(cfg, robokassa.Notification{
		OutSum: decimal.RequireFromString("990"), InvID: 12, Shp: map[string]string{"order": "12", "user": "alice"},
	})
	fmt.Println(form.Get("OutSum"), form.Get("SignatureValue"))
	// Output: 990.000000 56471DF356C976AB61F7BBB13FEC0D24
}

// SuccessForm is the SuccessURL redirect, signed with Password #1.
func ExampleSuccessForm() {
	cfg := robokassa.Config{MerchantLogin: "demo", Password1: "password_1", Password2: "password_2"}
	form := robokassatest.SuccessForm(cfg, robokassa.Notification{OutSum: decimal.NewFromInt(4710), InvID: 63, Culture: "ru"})
	fmt.Println(form.Encode())
	// Output: Culture=ru&InvId=63&OutSum=4710.00&SignatureValue=054bbaca7ac7eb0bbd4939dcd5239434
}

// NewResultRequest drives a ResultURL handler directly.
func ExampleNewResultRequest() {
	cfg := robokassa.Config{MerchantLogin: "demo", Password1: "p1", Password2: "p2"}
	client, _ := robokassa.NewClient(cfg)
	h, _ := client.ResultHandler(func(context.Context, *robokassa.Notification) error { return nil })
	w := httptest.NewRecorder()
	h.ServeHTTP(w, robokassatest.NewResultRequest(cfg, "/result", robokassa.Notification{OutSum: decimal.NewFromInt(5), InvID: 7}))
	fmt.Println(w.Code, w.Body.String())
	// Output: 200 OK7
}

// Sign hashes a base string with the shop's algorithm, in upper case as
// Robokassa sends it.
func ExampleSign() {
	fmt.Println(robokassatest.Sign(robokassa.Config{}, "demo:990.00:12:password_1"))
	fmt.Println(robokassatest.Sign(robokassa.Config{Algorithm: robokassa.SHA1}, "demo:990.00:12:password_1"))
	// Output:
	// 6C9D6EB96B82E643B343C26A85349A37
	// 2983D701DC8D3ADAA38CAAA3741A24B54D40F537
}

// PaymentBase shows what a payment request's signature covers: what the
// error 29 page shows, with the password masked.
func ExamplePaymentBase() {
	form := url.Values{
		"MerchantLogin": {"demo"}, "OutSum": {"100.00"}, "InvId": {"7"}, "StepByStep": {"true"},
		"ResultUrl2": {"https://shop.example/robokassa/result2"}, "Shp_order": {"7"}, "Description": {"not signed"},
	}
	fmt.Println(robokassatest.PaymentBase(form, "[password]"))
	// Output: demo:100.00:7:true:https://shop.example/robokassa/result2:[password]:Shp_order=7
}
