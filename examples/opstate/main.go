// Command opstate asks Robokassa for the state of one invoice
// (OpStateExt) and lists the shop's payment methods (GetPaymentMethods).
//
// Run it as is and it talks to an in-process fake of Robokassa's XML web
// service, so it works offline:
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
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/robokassa-go/robokassa"
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
		srv := httptest.NewServer(fakeService("demo", "password_2"))
		defer srv.Close()
		cfg = robokassa.Config{MerchantLogin: "demo", Password1: "password_1", Password2: "password_2", AuthURL: srv.URL}
		invoiceID = 12
		fmt.Println("No ROBOKASSA_LOGIN set: asking an in-process fake Service.asmx at", srv.URL)
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

// fakeService answers OpStateExt and GetPaymentMethods the way Robokassa's
// Service.asmx does. It checks the MD5 signature itself, independently of
// the SDK, and answers result code 1 when it does not match.
func fakeService(login, password2 string) http.Handler {
	mux := http.NewServeMux()
	const base = "/Merchant/WebService/Service.asmx/"
	mux.HandleFunc(base+"OpStateExt", func(w http.ResponseWriter, r *http.Request) {
		sum := md5.Sum([]byte(r.FormValue("MerchantLogin") + ":" + r.FormValue("InvoiceID") + ":" + password2))
		if r.FormValue("MerchantLogin") != login || !strings.EqualFold(r.FormValue("Signature"), hex.EncodeToString(sum[:])) {
			writeXML(w, `<OperationStateResponse xmlns="http://merchant.roboxchange.com/WebService/"><Result><Code>1</Code><Description>Invalid signature</Description></Result></OperationStateResponse>`)
			return
		}
		writeXML(w, `<OperationStateResponse xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://merchant.roboxchange.com/WebService/">
  <Result><Code>0</Code></Result>
  <State>
    <Code>100</Code>
    <RequestDate>`+time.Now().Format("2006-01-02T15:04:05.0000000-07:00")+`</RequestDate>
    <StateDate>2024-03-15T14:30:12.1234567+03:00</StateDate>
  </State>
  <Info xsi:type="OperationInfoExt">
    <IncCurrLabel>BankCardPSR</IncCurrLabel>
    <IncSum>990.000000</IncSum>
    <IncAccount>220012******3456</IncAccount>
    <PaymentMethod><Code>BankCard</Code><Description>Bank card</Description></PaymentMethod>
    <OutCurrLabel>BNR</OutCurrLabel>
    <OutSum>965.250000</OutSum>
    <OpKey>00000000-0000-0000-0000-000000000000-0000000000</OpKey>
  </Info>
  <UserField><Field><Name>Shp_order</Name><Value>12</Value></Field></UserField>
</OperationStateResponse>`)
	})
	mux.HandleFunc(base+"GetPaymentMethods", func(w http.ResponseWriter, r *http.Request) {
		writeXML(w, `<PaymentMethodsList xmlns="http://merchant.roboxchange.com/WebService/">
  <Result><Code>0</Code></Result>
  <Methods>
    <Method Code="BankCard" Description="Bank card" />
    <Method Code="SBP" Description="Faster Payments System" />
  </Methods>
</PaymentMethodsList>`)
	})
	return mux
}

func writeXML(w http.ResponseWriter, body string) {
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	_, _ = fmt.Fprint(w, `<?xml version="1.0" encoding="utf-8"?>`+"\n"+body)
}
