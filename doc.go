// Package robokassa is a client for the Robokassa payment service: it
// builds signed payment links and forms, verifies the notifications
// Robokassa sends back, and calls Robokassa's merchant APIs.
//
// Every signature the package computes follows one ordered builder, so the
// string signed is byte for byte the string sent; the protocol facts it
// relies on are cited as "spec §N", a section of the protocol notes in the
// repository's docs/protocol.md.
//
// Around the package: robokassatest is an offline, stateful Robokassa for
// a shop's tests (the payment page, notifications, every API, faults on
// demand); cmd/robokassa a command line that signs, verifies, explains an
// "error 29" and runs that emulator as a sandbox; qr draws a payment link
// as a QR code; lifepay is the Life-Pay gateway.
//
// # Payment links
//
// A shop creates a pending order with a unique InvId (see [NewInvID]),
// builds a link with [Client.PaymentURL] (or POST fields with
// [Client.PaymentForm], or a ready button with [Client.PaymentButton]) and
// sends the buyer there. Money is [decimal.Decimal]; OutSum is rendered
// once with two decimals and that string is both signed and sent.
// Bad input gets a [*ValidationError] naming the field and the rule.
// [Client.SumForm] is the widget in which the buyer types the sum (a
// top-up).
//
// # Notifications
//
// Robokassa calls the shop's ResultURL when the money arrived.
// [Client.ResultHandler] verifies it and answers "OK<InvId>" only after the
// shop's own function succeeded, logging every refusal through
// Config.Logger; [Client.VerifyResult] does the check alone.
// [Client.VerifySuccess] checks the buyer's SuccessURL redirect and
// [ParseFail] reads the (unsigned) FailURL redirect. Hostile input costs
// little: a notification is bounded in size and parameters, and every
// step before the signature check is O(n log n).
//
// # Recurring payments and holds
//
// [Client.Recurring] charges a child payment of a recurring series whose
// parent was paid with Payment.Recurring set; [Client.ConfirmHold] and
// [Client.CancelHold] capture or release a two-stage (StepByStep) payment;
// [Client.CoFPaymentURL] charges a saved card. Calls that move money are
// sent exactly once and never retried; Robokassa's acceptance means the
// operation was created, not completed — the outcome arrives on ResultURL
// or from OpStateExt.
//
// # Payment state
//
// [Client.OpState] asks Robokassa for the state of an invoice (OpStateExt,
// signed with Password #2) and [Client.AwaitPaid] polls it with capped
// backoff until the invoice is paid, ends otherwise ([ErrNotPaid]) or the
// context ends: the reconciliation path when a notification was lost.
// [Client.Currencies], [Client.PaymentMethods], [Client.Rates],
// [Client.CalcOutSum] and [Client.Limit] read the same XML web service.
//
// # ResultUrl2 notifications
//
// Robokassa also POSTs an RS256-signed JWS to a payment's ResultUrl2: it
// is the only notice of a successful hold and it carries the OpKey. Load
// Robokassa's certificate with [ParseResultURL2Key], then mount
// [Client.ResultURL2Handler] or call [Client.VerifyResultURL2]. Only RS256
// with the key you supplied is accepted, and only for your own shop.
//
// # Invoice API and split payments
//
// [Client.CreateInvoice] creates a hosted payment link, one-time or
// reusable; [Client.DeactivateInvoice] disables one and [Client.Invoices]
// lists them. Requests are JWTs signed with the shop's algorithm and
// MerchantLogin:Password1. An invoice with Split parts divides one payment
// between shops.
//
// # Refunds and receipts
//
// [Client.Refund] returns money of a completed payment, in full or in
// part, with a JWT keyed by Password #3, and [Client.RefundStatus] follows
// the request. [Client.AttachReceipt] issues the final receipt after a
// prepayment and [Client.ReceiptStatus] reports its registration.
//
// # Remote calls
//
// Every network call takes a context first and goes through one transport:
// Config.HTTPClient or a shared client with timeouts, response bodies
// capped at 1 MiB, redirects never followed, failures as [*APIError] with
// every password and everything the call sent redacted. Reads are retried
// on network errors, 5xx and 429 with capped backoff; calls that move
// money never are.
//
// # Test mode
//
// Config.Test sends IsTest=1 and uses the test password pair everywhere.
// Calls Robokassa offers no test mode for return [ErrNotInTestMode]
// without sending anything. A production client refuses test
// notifications with [ErrTestNotification].
//
// # Secrets
//
// Passwords are of type [Secret], which prints "[redacted]" on every path
// (fmt, JSON, text encoders, slog), wherever a [Config] sits; a [Client]
// keeps them where no printer reaches; errors never contain them. The
// only logging is the handlers' account of what they refused.
// [Client.SignatureBase] shows a payment's base string with the password
// masked, for debugging "error 29".
package robokassa
