// Package lifepay is a client for Life-Pay's "Alba" payment page
// (partner.life-pay.ru/alba/input/, also run by RFI Bank): it builds
// signed payment links and forms and verifies the notifications Life-Pay
// sends back. It is a separate gateway from package robokassa and shares
// nothing with it but the [Secret] type.
//
// The protocol facts it relies on are cited by section (§N) of the
// project's Life-Pay notes, docs/lifepay.md.
//
// # Payment links
//
// Build a [Client] with [NewClient] from the service's id and secret key
// (API 2.0, the default) or its key and secret key (API 1.0, deprecated).
// [Client.PaymentURL] returns a GET link signed with METHOD GET;
// [Client.PaymentForm] returns the same fields for a POST to
// [Client.PaymentFormAction], signed with METHOD POST. Only the fields of
// a [Payment] that are set are sent, and the link's query is byte for
// byte the canonical query that was signed (§2). Money is
// [decimal.Decimal]; Cost is sent with exactly two decimals and never
// rounded. Bad input gets a [*ValidationError] naming the field and the
// rule. A payment may carry a 54-FZ [Receipt] as InvoiceData.
//
// # Notifications
//
// Life-Pay POSTs a form to the shop's notification URL when a payment
// ends (§4). [Client.NotificationHandler] verifies it and answers "OK"
// only after the shop's function returned nil; [Client.VerifyNotification]
// does the check alone. The notification's version picks the check, but
// never one weaker than the client's API version. Duplicated parameters
// are refused, input is bounded before any hashing, and the comparison
// takes constant time. Package lifepay/lifepaytest signs notifications
// for a shop's own tests.
//
// # Secrets
//
// The secret key is a [Secret]: [Config] and [Client] print and log it as
// "[redacted]", errors never contain it, and the handler's log lines carry
// neither it, nor a check value, nor a request body.
package lifepay
