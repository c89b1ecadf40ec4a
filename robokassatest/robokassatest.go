// Package robokassatest is an offline Robokassa for a shop's tests: a
// stateful emulator of the payment page, the notifications and every API
// package robokassa calls, on a local address. It is to Robokassa what
// net/http/httptest is to net/http.
//
//	srv := robokassatest.NewServer(robokassatest.Shop{
//		MerchantLogin: "demo", Password1: "p1", Password2: "p2",
//		TestPassword1: "t1", TestPassword2: "t2", Password3: "p3",
//		Algorithm:  robokassa.SHA256,
//		ResultURL:  shop.URL + "/robokassa/result", // the shop under test
//		SuccessURL: shop.URL + "/ok",
//		FailURL:    shop.URL + "/fail",
//	})
//	defer srv.Close()
//	client := srv.Client()                     // or robokassa.NewClient(srv.ClientConfig())
//	link, _ := client.PaymentURL(payment)      // the shop makes a link
//	http.Get(link)                             // the buyer opens it: the operation exists (state 5)
//	srv.Pay(payment.InvID)                     // the buyer pays: ResultURL is notified, SuccessURL followed
//	op, _ := srv.Operation(payment.InvID)      // op.State == robokassa.StatePaid
//
// Nothing leaves the machine, no human clicks, no public ResultURL is
// needed, and outcomes can be forced: a decline ([Server.Fail]), an expiry
// ([Server.Expire]), a notification delivered twice at once
// ([Server.Redeliver]), a 500, a dropped connection, a delay or garbage
// from any endpoint ([Server.InjectFault]).
//
// # The payment page
//
// GET or POST /Merchant/Index.aspx and /Merchant/Payment/CoFPayment check a
// request as Robokassa does (spec §3, §7, §12) and answer an HTML error page
// naming the code and its meaning: 26 unknown shop, 29 bad signature, 30 bad
// parameter, 31 bad sum, 33 expired, 34 recurring payments not enabled, 40
// InvId already paid (test payments do not count), 64 holds not enabled, 65
// bad hold parameters. For 29 the page shows the base string the emulator
// expected, with the password masked — the debugging aid Robokassa does not
// give. IsTest=1 selects the test password pair. A valid request creates the
// operation and shows a page with the shop, the sum, the description, the
// receipt's lines, a test-mode banner, the payment options and two buttons,
// Pay (id "pay") and Decline (id "decline"), in a form that posts to
// /Merchant/Emulator/Submit. The pages load nothing from the internet and
// work without JavaScript. After Pay or Decline the browser goes to
// SuccessURL or FailURL (or the payment's SuccessUrl2 or FailUrl2): a 302
// for GET, an auto-submitting form with a visible button for POST.
//
// GET /Merchant/PaymentForm/FormFLS.js is the arbitrary-sum widget (spec
// §3.4): its signature is MerchantLogin:DefaultSum:InvoiceID[:Receipt]:
// Password#1[:Shp_*], and the script writes a form in which the buyer may
// change the sum; the payment, and its notification, carry the sum chosen
// (a one-line receipt follows it).
//
// # Notifications
//
// On payment the shop's ResultURL gets the notification of spec §4.1 by the
// shop's method: OutSum and Fee with six decimals, EMail (not in test mode),
// PaymentMethod, IncCurrLabel, IsTest=1 in test mode and every Shp_
// parameter exactly as received, signed with Password #2 (the test one in
// test mode). The first attempt is made before [Server.Pay] returns; further
// attempts follow [Server.Retries] until the answer is exactly "OK<InvId>"
// with status 200: [FastRetries] (five, within a third of a second) by
// default, [RobokassaRetries] (thirty, a minute apart) for a standalone
// emulator. SuccessURL is signed with Password #1; FailURL is not signed.
// ResultUrl2, when the payment asked for it, gets a compact RS256 JWS (spec
// §4.4) — "HOLD" for a hold, "OK" for a payment or a capture — never in test
// mode; [Server.ResultURL2Key] verifies it. Notifications caused by an API
// call (a recurring charge, a captured hold) are sent after the call is
// answered: [Server.Wait] waits for them. [Server.Notifications] lists
// every notification and redirect with each attempt's answer.
//
// # Operations
//
// An operation moves through the OpStateExt states (spec §8): 5 when its
// page is shown, 10 when declined or expired unpaid, 20 when a StepByStep
// payment is held, 100 when paid, captured or charged, 60 when a hold is
// cancelled or the whole sum refunded; a partial refund leaves 100 and
// grows [Operation.Refunded]. 50 and 80 are reached with [Server.SetState].
// OpStateExt reports an operation from the moment its page is shown, and
// result code 4 when a test and a real payment share an InvId.
//
// Robokassa's commission, reported as Fee and deducted from OpStateExt's
// OutSum, is the payment option's rate times the sum, rounded half away
// from zero to the kopeck. The XML web service answers from this fixed
// catalogue (GetCurrencies, GetPaymentMethods):
//
//	Label         Alias      Group     Name (en)               Min     Max        Rate
//	BankCardPSR   BankCard   BankCard  Bank card               1.00    300000.00  2.5%
//	YandexPayPSR  YandexPay  BankCard  Yandex Pay              10.00   300000.00  3%
//	SBPPSR        SBP        SBP       Faster Payments System  1.00    1000000.00 1%
//
// The first is preselected unless IncCurrLabel or PaymentMethods names
// another. CalcOutSumm answers IncSum less the commission; GetRates the
// IncSum that leaves the shop OutSum, OutSum / (1 − rate) rounded up to the
// kopeck; GetLimit 600000.00. Every payment is made with the card
// 220012******3456.
//
// # The remote APIs
//
// Recurring (spec §5) charges children of a paid parent marked Recurring
// and answers "OK<InvoiceID>". Hold Confirm and Cancel (spec §6) answer the
// JSON strings "success: true" or "success: false" (no held payment with
// that InvoiceID), or "error N" (26, 29, 64, and 65 when the amount or the
// receipt would go up). Saved-card payments take as Token the OpKey of a
// paid operation. The Invoice API (spec §9.1) checks its JWT with the
// shop's algorithm and MerchantLogin:Password1; its links,
// /merchant/Invoice/<EncodedID>, lead to the same payment page (51 expired,
// 52 a one-time link paid, 53 unknown or deactivated) and add
// Shp_interface=InvoiceService.WebApi to the notifications, as Robokassa
// does. The Refund API (spec §9.2) takes an HS256 JWT keyed by Password #3;
// refunds complete at once. Second receipts (spec §9.3) check the B.S
// envelope; an operation takes one second receipt. The files of each API
// document their answers, GetInvoiceInformationList's schema included.
//
// Every request is checked, and every notification signed, with this
// package's own code — hashes, PHP-style URL encoding, HMAC JWTs, the RS256
// JWS, the fiscal envelope — written from the protocol notes apart from
// package robokassa, whose types it uses. The two implementations test each
// other.
//
// # Signing helpers
//
// Without a server, [ResultForm], [SuccessForm] and [NewResultRequest] sign
// a notification as Robokassa does, so a shop's handler can be exercised
// with httptest; [Sign] and [PaymentBase] expose the hashing.
package robokassatest

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/robokassa-go/robokassa"
)

// ResultForm returns the form Robokassa would send to the ResultURL for
// n. It carries IsTest=1 exactly when n.IsTest, and is signed as
// Robokassa signs it: with the test Password #2 then, with Password #2
// otherwise, whatever cfg.Test says — so a test that forgets IsTest fails
// as it would against Robokassa. OutSum and Fee carry six decimals, as
// Robokassa sends them; Shp values are encoded as the SDK sent them.
func ResultForm(cfg robokassa.Config, n robokassa.Notification) url.Values {
	pass := cfg.Password2
	if n.IsTest {
		pass = cfg.TestPassword2
	}
	v := form(n, 6)
	v.Set("Fee", n.Fee.StringFixed(6))
	if n.Email != "" {
		v.Set("EMail", n.Email)
	}
	if n.PaymentMethod != "" {
		v.Set("PaymentMethod", n.PaymentMethod)
	}
	if n.IncCurrLabel != "" {
		v.Set("IncCurrLabel", n.IncCurrLabel)
	}
	v.Set("SignatureValue", Sign(cfg, base(v, string(pass))))
	return v
}

// SuccessForm returns the form of the SuccessURL redirect for n, signed
// with Password #1, or the test Password #1 when n.IsTest (which also
// adds IsTest=1), as [ResultForm] chooses.
func SuccessForm(cfg robokassa.Config, n robokassa.Notification) url.Values {
	pass := cfg.Password1
	if n.IsTest {
		pass = cfg.TestPassword1
	}
	v := form(n, 2)
	if n.Culture != "" {
		v.Set("Culture", n.Culture)
	}
	v.Set("SignatureValue", strings.ToLower(Sign(cfg, base(v, string(pass)))))
	return v
}

// NewResultRequest returns a POST request to target carrying
// [ResultForm], ready for a handler's ServeHTTP.
func NewResultRequest(cfg robokassa.Config, target string, n robokassa.Notification) *http.Request {
	body := ResultForm(cfg, n).Encode()
	r, err := http.NewRequest(http.MethodPost, target, strings.NewReader(body))
	if err != nil {
		panic("robokassatest: " + err.Error())
	}
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return r
}

func form(n robokassa.Notification, places int32) url.Values {
	v := url.Values{}
	v.Set("OutSum", n.OutSum.StringFixed(places))
	v.Set("InvId", strconv.FormatInt(n.InvID, 10))
	if n.IsTest {
		v.Set("IsTest", "1")
	}
	for k, val := range n.Shp {
		v.Set("Shp_"+k, phpURLEncode(val))
	}
	return v
}
