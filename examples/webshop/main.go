// Command webshop is a small, complete web shop that takes payments
// through Robokassa: the runnable model of the flow a real shop follows.
//
//	go run -C examples/webshop .
//
// It sells balance top-ups and a monthly subscription. An order and its
// pending payment row are written to SQLite first, under a fresh InvId;
// then the buyer gets a signed payment link with a 54-FZ receipt; the
// ResultURL notification completes the payment once, whatever the number
// of repeats; the balance is the sum of completed top-ups. An admin page
// lists the payments, refunds them (Refund API) and charges
// subscriptions again (Merchant/Recurring).
//
// With no ROBOKASSA_LOGIN in the environment the shop starts Robokassa's
// emulator (robokassatest.Server) in the same process, wired to its own
// ResultURL, SuccessURL and FailURL, and works offline. With
// ROBOKASSA_LOGIN it talks to the real Robokassa:
//
//	ROBOKASSA_LOGIN         the shop's MerchantLogin
//	ROBOKASSA_PASSWORD1     Password #1 (production)
//	ROBOKASSA_PASSWORD2     Password #2 (production)
//	ROBOKASSA_PASSWORD3     Password #3 (the Refund API; optional)
//	ROBOKASSA_ALGORITHM     the hash of the technical settings (default MD5)
//	ROBOKASSA_TEST=1        test mode: IsTest=1 and the test password pair,
//	ROBOKASSA_TEST_PASSWORD1, ROBOKASSA_TEST_PASSWORD2
//	WEBSHOP_ADMIN_PASSWORD  basic-auth password of /admin (user "admin"),
//	                        required in production
//
// Flags: -addr (default 127.0.0.1:8080) and -db (default webshop.db in the
// working directory). SIGINT or SIGTERM shuts it down gracefully.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
