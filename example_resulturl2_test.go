package robokassa_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"os"
	"time"

	"github.com/robokassa-go/robokassa"
)

func ExampleParseResultURL2Key() {
	// jwtsign.cer, downloaded from Robokassa's documentation and shipped
	// with the shop's configuration (here a test certificate).
	cert, err := os.ReadFile("testdata/jws/jwtsign_test.cer")
	if err != nil {
		log.Fatal(err)
	}
	key, err := robokassa.ParseResultURL2Key(cert)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("RSA key,", key.N.BitLen(), "bits")
	// Output: RSA key, 2048 bits
}

func ExampleClient_VerifyResultURL2() {
	client, err := robokassa.NewClient(robokassa.Config{MerchantLogin: "demo", Password1: "password_1"})
	if err != nil {
		log.Fatal(err)
	}
	cert, err := os.ReadFile("testdata/jws/jwtsign_test.cer")
	if err != nil {
		log.Fatal(err)
	}
	key, err := robokassa.ParseResultURL2Key(cert)
	if err != nil {
		log.Fatal(err)
	}
	// The body Robokassa POSTed to the ResultUrl2: a compact JWS.
	body, err := os.ReadFile("testdata/jws/notification_ok.jws")
	if err != nil {
		log.Fatal(err)
	}
	n, err := client.VerifyResultURL2(body, key)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(n.InvID, n.IncSum.StringFixed(2), n.State, n.PaymentMethod)
	fmt.Println(n.OpKey)
	fmt.Println(n.Timestamp.Format(time.RFC3339))

	// Flip one character of the signature: rejected.
	body[len(body)-5] ^= 1
	_, err = client.VerifyResultURL2(body, key)
	fmt.Println(err)
	// Output:
	// 1234829 10.00 OK BankCard
	// 14D2B521-4EAB-492A-9D91-00D12FF24D57-1NvHENLwgp
	// 2023-07-27T10:49:40Z
	// robokassa: bad signature
}

func ExampleClient_ResultURL2Handler() {
	client, err := robokassa.NewClient(robokassa.Config{MerchantLogin: "demo", Password1: "password_1"})
	if err != nil {
		log.Fatal(err)
	}
	cert, err := os.ReadFile("/etc/shop/robokassa-jwtsign.cer")
	if err != nil {
		log.Fatal(err)
	}
	key, err := robokassa.ParseResultURL2Key(cert)
	if err != nil {
		log.Fatal(err)
	}
	markPaid := func(ctx context.Context, invID int64, opKey string) error { return nil }
	markHeld := func(ctx context.Context, invID int64, opKey string) error { return nil }

	h, err := client.ResultURL2Handler(key,
		func(ctx context.Context, n *robokassa.PaymentStateNotification) error {
			// Idempotent: Robokassa repeats the notification until it
			// gets a 2xx, which is sent only after this returns nil.
			switch n.State {
			case robokassa.NotificationStateOK:
				return markPaid(ctx, n.InvID, n.OpKey)
			case robokassa.NotificationStateHold:
				// Confirm or cancel the hold later (spec §6).
				return markHeld(ctx, n.InvID, n.OpKey)
			default:
				// A state this version does not know: not money received.
				return nil
			}
		})
	if err != nil {
		log.Fatal(err)
	}
	http.Handle("/robokassa/result2", h)
}
