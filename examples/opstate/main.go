// Command opstate asks Robokassa for the state of one invoice
// (OpStateExt) and lists the shop's payment methods (GetPaymentMethods).
//
// Run it as is and it talks to an in-process robokassatest.Server, the
// offline Robokassa, on which a buyer has just paid invoice 12, so it
// works offline:
//
//	go run ./examples/opstate
//
// To ask the real Robokassa, set the shop's credentials and an invoice:
//
//	ROBOKASSA_LOGIN=myshop ROBOKASSA_PASSWORD1=... ROBOKASSA_PASSWORD2=... \
//	ROBOKASSA_INVOICE_ID=12 [ROBOKASSA_ALGORITHM=SHA256] go run ./examples/opstate
//
// OpStateExt does not exist in test mode, so use the production passwords.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/robokassa-go/robokassa"
	"github.com/robokassa-go/robokassa/robokassatest"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "opstate:", err)
		os.Exit(1)
	}
}

func run() error {
	cfg, invoiceID, err := configFromEnv()
	if err != nil {
		return err
	}
	if cfg.MerchantLogin == "" {
		srv := robokassatest.NewServer(robokassatest.Shop{MerchantLogin: "demo", Password1: "password_1", Password2: "password_2"})
		defer srv.Close()
		cfg, invoiceID = srv.ClientConfig(), 12
		if err := payOffline(srv, invoiceID); err != nil {
			return err
		}
		fmt.Println("No ROBOKASSA_LOGIN set: asking an in-process robokassatest.Server at", srv.URL)
	}
	client, err := robokassa.NewClient(cfg)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	st, err := client.OpState(ctx, invoiceID)
	switch {
	case errors.Is(err, robokassa.ErrNotFound):
		fmt.Printf("Invoice %d: not found (or the buyer has not submitted payment details yet)\n", invoiceID)
	case err != nil:
		return err
	default:
		fmt.Printf("Invoice %d: %s (code %d, final: %t) since %s\n",
			st.InvID, st.State, int(st.State), st.State.Final(), st.StateDate.Format(time.RFC3339))
		fmt.Printf("  buyer paid %s %s with %s (%s), account %s\n",
			st.IncSum.StringFixed(2), st.IncCurrLabel, st.PaymentMethod.Code, st.PaymentMethod.Description, st.IncAccount)
		fmt.Printf("  shop receives %s %s\n", st.OutSum.StringFixed(2), st.OutCurrLabel)
		for name, value := range st.Shp {
			fmt.Printf("  %s = %s\n", name, value)
		}
	}

	methods, err := client.PaymentMethods(ctx, "en")
	if err != nil {
		return err
	}
	fmt.Println("Payment methods:")
	for _, m := range methods {
		fmt.Printf("  %-10s %s\n", m.Code, m.Description)
	}
	return nil
}

// configFromEnv reads the real shop's settings. An empty MerchantLogin
// means "use the fake".
func configFromEnv() (robokassa.Config, int64, error) {
	login := os.Getenv("ROBOKASSA_LOGIN")
	if login == "" {
		return robokassa.Config{}, 0, nil
	}
	cfg := robokassa.Config{
		MerchantLogin: login,
		Password1:     robokassa.Secret(os.Getenv("ROBOKASSA_PASSWORD1")),
		Password2:     robokassa.Secret(os.Getenv("ROBOKASSA_PASSWORD2")),
		Algorithm:     robokassa.HashAlgorithm(strings.ToUpper(os.Getenv("ROBOKASSA_ALGORITHM"))),
	}
	var missing []string
	for _, name := range []string{"ROBOKASSA_PASSWORD1", "ROBOKASSA_PASSWORD2", "ROBOKASSA_INVOICE_ID"} {
		if os.Getenv(name) == "" {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return cfg, 0, fmt.Errorf("ROBOKASSA_LOGIN is set, so these are needed too: %s", strings.Join(missing, ", "))
	}
	id, err := strconv.ParseInt(os.Getenv("ROBOKASSA_INVOICE_ID"), 10, 64)
	if err != nil || id <= 0 {
		return cfg, 0, errors.New("ROBOKASSA_INVOICE_ID must be a positive integer")
	}
	return cfg, id, nil
}

// payOffline has a buyer pay invoice id on the emulator: the shop makes
// the link, the buyer opens it and presses Pay.
func payOffline(srv *robokassatest.Server, id int64) error {
	link, err := srv.Client().PaymentURL(robokassa.Payment{
		OutSum: decimal.RequireFromString("990"), InvID: id, Description: "Order 12",
		Shp: map[string]string{"order": "12"},
	})
	if err != nil {
		return err
	}
	resp, err := http.Get(link)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return srv.Pay(id)
}
