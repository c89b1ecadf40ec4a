package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/shopspring/decimal"

	"github.com/robokassa-go/robokassa"
	"github.com/robokassa-go/robokassa/robokassatest"
)

const linkUsage = `usage: robokassa link -sum AMOUNT [-inv N] [-desc TEXT] [-shp name=value]... [flags]

Prints a signed payment link to Robokassa's payment page (Merchant/Index.aspx,
or Merchant/Payment/CoFPayment with -token), built by the SDK's
Client.PaymentURL. With -form it prints an HTML form that posts the payment
instead; with -explain it also prints the string the signature is computed
over, password masked, part by part. -test sends IsTest=1 and signs with the
test Password #1.

-receipt FILE reads Robokassa's receipt JSON ("-" for standard input):
  {"sno":"osn","items":[{"name":"Book","quantity":1,"sum":990,"tax":"none",
    "payment_method":"full_payment","payment_object":"commodity"}]}
(an item takes name, quantity, sum or cost, tax, payment_method,
payment_object, nomenclature_code). Its lines must add up to -sum.

Example:
  export ROBOKASSA_LOGIN=demo ROBOKASSA_PASSWORD1=...
  robokassa link -sum 990 -inv 12 -desc "Order 12" -shp order=12 -explain
`

// link builds a payment link or form.
func (c *cli) link(args []string) error {
	cmd := newCommand("link", linkUsage)
	fs := cmd.fs
	cr := addCredentials(fs, credLogin|credPassword1|credTestPassword1|credAlgorithm|credTest|credAuthURL,
		"a test payment: sends IsTest=1, signs with the test Password #1")
	var (
		sum, desc, email, culture, encoding, currency, userIP, label string
		receipt, expires, resultURL2, successURL2, successMethod     string
		failURL2, failMethod, token, buttonLabel                     string
		inv                                                          int64
		stepByStep, recurring, noFreeSale, form, explain             bool
		shp                                                          shpFlag
		methods                                                      stringsFlag
	)
	fs.StringVar(&sum, "sum", "", "amount (OutSum), at most 2 decimals, e.g. 990 or 990.50 (required)")
	fs.Int64Var(&inv, "inv", 0, "the shop's invoice number (InvId); 0 lets Robokassa assign one")
	fs.StringVar(&desc, "desc", "", "description shown to the buyer, at most 100 characters")
	fs.Var(&shp, "shp", "a Shp_ parameter as name=value (repeatable)")
	fs.StringVar(&receipt, "receipt", "", "file with the receipt JSON (\"-\": standard input)")
	fs.StringVar(&email, "email", "", "the buyer's e-mail (Email)")
	fs.StringVar(&culture, "culture", "", "page language: ru or en (Culture)")
	fs.StringVar(&encoding, "encoding", "", "request encoding: utf-8 (Encoding)")
	fs.StringVar(&currency, "currency", "", "OutSum is in this currency: USD, EUR or KZT (OutSumCurrency, signed)")
	fs.StringVar(&userIP, "user-ip", "", "the buyer's IP address (UserIp, signed)")
	fs.StringVar(&label, "inc-curr-label", "", "preselected payment method label (IncCurrLabel)")
	fs.Var(&methods, "payment-method", "a payment method offered (PaymentMethods, repeatable)")
	fs.StringVar(&expires, "expires", "", "deadline for paying, RFC 3339, e.g. 2029-01-16T12:00:00+03:00 (ExpirationDate)")
	fs.BoolVar(&stepByStep, "step-by-step", false, "two-stage payment: hold the money (StepByStep, signed)")
	fs.StringVar(&resultURL2, "result-url2", "", "URL for the JWS notification (ResultUrl2, signed)")
	fs.StringVar(&successURL2, "success-url2", "", "success redirect for this payment (SuccessUrl2, signed)")
	fs.StringVar(&successMethod, "success-url2-method", "", "GET or POST (SuccessUrl2Method, signed)")
	fs.StringVar(&failURL2, "fail-url2", "", "fail redirect for this payment (FailUrl2, signed)")
	fs.StringVar(&failMethod, "fail-url2-method", "", "GET or POST (FailUrl2Method, signed)")
	fs.StringVar(&token, "token", "", "saved-card token, the OpKey of an earlier payment: a CoFPayment link (Token, signed)")
	fs.BoolVar(&recurring, "recurring", false, "the parent payment of a recurring series (Recurring)")
	fs.BoolVar(&noFreeSale, "without-free-sale", false, "no automatic \"free sale\" receipt (IsWithoutFreeSale)")
	fs.BoolVar(&form, "form", false, "print an HTML form that posts the payment instead of a link")
	fs.StringVar(&buttonLabel, "label", "Pay", "the -form button's label")
	fs.BoolVar(&explain, "explain", false, "also print the signed string, password masked, part by part")
	rest, r, err := c.parseWithCredentials(cmd, cr, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usageError("unexpected argument %q (run \"robokassa link -h\" for usage)", rest[0])
	}
	switch {
	case r.login == "":
		return needed(credLogin, "the shop's login is required")
	case !r.test && r.password1 == "":
		return needed(credPassword1, "Password #1 signs the link")
	case r.test && r.testPassword1 == "":
		return needed(credTestPassword1, "a -test link is signed with the test Password #1")
	case sum == "":
		return usageError("-sum is required")
	case form && token != "":
		return usageError("-form posts to Index.aspx; a saved-card payment (-token) is a CoFPayment link")
	}
	cfg := r.config()
	if !r.test {
		// The test pair plays no part in a production link; leaving it out
		// keeps NewClient from refusing an unrelated pair.
		cfg.TestPassword1, cfg.TestPassword2 = "", ""
	}
	client, err := robokassa.NewClient(cfg)
	if err != nil {
		return inputError(err)
	}
	p := robokassa.Payment{
		InvID: inv, Description: desc, Email: email, Culture: culture, Encoding: encoding,
		IncCurrLabel: label, PaymentMethods: methods, OutSumCurrency: currency, UserIP: userIP,
		StepByStep: stepByStep, ResultURL2: resultURL2, SuccessURL2: successURL2,
		SuccessURL2Method: successMethod, FailURL2: failURL2, FailURL2Method: failMethod,
		Token: token, Recurring: recurring, IsWithoutFreeSale: noFreeSale, Shp: shp.values,
	}
	if p.OutSum, err = decimal.NewFromString(sum); err != nil {
		return usageError("-sum: %q is not a number", sum)
	}
	if expires != "" {
		if p.ExpirationDate, err = time.Parse(time.RFC3339, expires); err != nil {
			return usageError("-expires: want RFC 3339 such as 2029-01-16T12:00:00+03:00")
		}
	}
	if receipt != "" {
		if p.Receipt, err = c.readReceipt(receipt); err != nil {
			return err
		}
	}
	switch {
	case form:
		html, err := client.PaymentButton(p, buttonLabel)
		if err != nil {
			return inputError(err)
		}
		fmt.Fprintln(c.stdout, html)
	case token != "":
		link, err := client.CoFPaymentURL(p)
		if err != nil {
			return inputError(err)
		}
		fmt.Fprintln(c.stdout, link)
	default:
		link, err := client.PaymentURL(p)
		if err != nil {
			return inputError(err)
		}
		fmt.Fprintln(c.stdout, link)
	}
	if !explain {
		return nil
	}
	return explainLink(c.stdout, client, p)
}

// explainLink prints the masked base string of p part by part: the SDK's
// own view (Client.SignatureBase) and, labelled, the parts Robokassa
// hashes from the form the SDK sends (robokassatest.PaymentBase). The two
// are independent implementations; a difference between them is a bug
// that would give error 29, and fails the command.
func explainLink(w io.Writer, client *robokassa.Client, p robokassa.Payment) error {
	base, err := client.SignatureBase(p)
	if err != nil {
		return inputError(err)
	}
	form, err := client.PaymentForm(p)
	if err != nil {
		return inputError(err)
	}
	pw := "Password #1"
	if client.Test() {
		pw = "test Password #1"
	}
	fmt.Fprintf(w, "\nsigned (%s, %s):\n  %s\n", client.Algorithm(), pw, base)
	if want := robokassatest.PaymentBase(form, "[password]"); want != base {
		fmt.Fprintf(w, "\nRobokassa would hash instead:\n  %s\nThe SDK and the emulator disagree: please report this.\n", want)
		return checkFailed
	}
	parts, ok := layoutOf(form)
	if !ok {
		return nil
	}
	fmt.Fprintln(w, "\nparts:")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for i, pt := range parts {
		name, value := pt.field, pt.value
		if pt.kind == kindPassword {
			name, value = pw, "[password]"
		}
		if value == "" {
			value = "(empty)"
		}
		if note := partNote(pt); note != "" {
			fmt.Fprintf(tw, "  %d\t%s\t%s\t%s\n", i+1, name, value, note)
		} else {
			fmt.Fprintf(tw, "  %d\t%s\t%s\n", i+1, name, value)
		}
	}
	tw.Flush()
	return nil
}

// partNote says why a part is written as it is.
func partNote(p part) string {
	switch {
	case p.field == "InvId" && p.value == "":
		return "empty slot: Robokassa assigns the InvId"
	case p.field == "OutSum":
		return "the same text is sent"
	case p.field == "Receipt":
		return "the JSON URL-encoded once, as the form carries it"
	case p.kind == kindPassword:
		return "never shown"
	case p.kind == kindShp:
		return "after the password, sorted by name"
	case strings.HasSuffix(p.field, "Url2"):
		return "the raw URL"
	}
	return ""
}
