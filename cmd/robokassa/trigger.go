package main

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/robokassa-go/robokassa"
	"github.com/robokassa-go/robokassa/robokassatest"
)

const triggerUsage = `usage: robokassa trigger result|success|fail -to URL -sum AMOUNT -inv N [flags]

Sends the shop a notification as Robokassa would, signed by the emulator's
own code (package robokassatest), and checks the answer:

  result   the ResultURL notification, signed with Password #2: the shop must
           answer status 200 with the body OK<InvId>, exactly
  success  the buyer's SuccessURL redirect, signed with Password #1: any 2xx
           or 3xx answer is right
  fail     the buyer's FailURL redirect, unsigned: any 2xx or 3xx is right

It is sent as a POST form, or with -get as a GET query. -test sends IsTest=1
and signs with the test password. -repeat N sends the same notification N
times, one after the other, as Robokassa does when it gets no OK: a shop
must answer every copy the same way (its processing must be idempotent).
Exit 1 unless every answer was right.

Example:
  export ROBOKASSA_PASSWORD2=...
  robokassa trigger result -to http://localhost:8080/robokassa/result -sum 990 -inv 12 -shp order=12
`

// maxRepeat bounds -repeat.
const maxRepeat = 1000

// maxAnswer bounds what is read of the shop's answer.
const maxAnswer = 64 << 10

// trigger sends a signed notification to a shop.
func (c *cli) trigger(args []string) error {
	cmd := newCommand("trigger", triggerUsage)
	fs := cmd.fs
	cr := addCredentials(fs, credPassword1|credPassword2|credTestPassword1|credTestPassword2|credAlgorithm|credTest,
		"a test notification: sends IsTest=1, signs with the test password")
	var (
		to, sum, email, method, label, fee, culture string
		inv                                         int64
		get                                         bool
		repeat                                      int
		timeout                                     time.Duration
		shp                                         shpFlag
	)
	fs.StringVar(&to, "to", "", "the shop's URL (required)")
	fs.StringVar(&sum, "sum", "", "amount paid (OutSum) (required)")
	fs.Int64Var(&inv, "inv", 0, "the shop's invoice number (InvId) (required)")
	fs.Var(&shp, "shp", "a Shp_ parameter as name=value, as the payment link carried it (repeatable)")
	fs.StringVar(&fee, "fee", "0", "Robokassa's commission (Fee; result only)")
	fs.StringVar(&email, "email", "", "the buyer's e-mail (EMail; result only)")
	fs.StringVar(&method, "payment-method", "BankCard", "payment method (PaymentMethod; result only)")
	fs.StringVar(&label, "inc-curr-label", "BankCardPSR", "payment option (IncCurrLabel; result only)")
	fs.StringVar(&culture, "culture", "", "page language (Culture; success and fail only)")
	fs.BoolVar(&get, "get", false, "send a GET query instead of a POST form")
	fs.IntVar(&repeat, "repeat", 1, "send the same notification N times to check the shop's idempotency")
	fs.DurationVar(&timeout, "timeout", 10*time.Second, "how long to wait for each answer")
	rest, r, err := c.parseWithCredentials(cmd, cr, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return usageError("want one of result, success or fail (run \"robokassa trigger -h\" for usage)")
	}
	kind := rest[0]
	n := robokassa.Notification{InvID: inv, IsTest: r.test, Shp: shp.values}
	switch {
	case to == "":
		return usageError("-to is required")
	case !isHTTPURL(to):
		return usageError("-to: must be an absolute http or https URL")
	case sum == "":
		return usageError("-sum is required")
	case inv <= 0:
		return usageError("-inv is required and must be greater than zero")
	case repeat < 1 || repeat > maxRepeat:
		return usageError("-repeat: must be 1 to %d", maxRepeat)
	case timeout <= 0:
		return usageError("-timeout: must be positive")
	}
	if n.OutSum, err = amount(sum, 2); err != nil {
		return usageError("-sum: %v", err)
	}
	cfg := r.config()
	var form url.Values
	var wantOK bool
	switch kind {
	case "result":
		if n.Fee, err = amount(fee, 6); err != nil {
			return usageError("-fee: %v", err)
		}
		n.Email, n.PaymentMethod, n.IncCurrLabel = email, method, label
		switch {
		case !r.test && r.password2 == "":
			return needed(credPassword2, "a ResultURL notification is signed with Password #2")
		case r.test && r.testPassword2 == "":
			return needed(credTestPassword2, "a test ResultURL notification is signed with the test Password #2")
		}
		form, wantOK = robokassatest.ResultForm(cfg, n), true
	case "success", "fail":
		n.Culture = culture
		if kind == "success" {
			switch {
			case !r.test && r.password1 == "":
				return needed(credPassword1, "a SuccessURL redirect is signed with Password #1")
			case r.test && r.testPassword1 == "":
				return needed(credTestPassword1, "a test SuccessURL redirect is signed with the test Password #1")
			}
		}
		form = robokassatest.SuccessForm(cfg, n)
		if kind == "fail" {
			// FailURL carries what SuccessURL does, without a signature
			// (protocol §4.3).
			form.Del("SignatureValue")
		}
	default:
		return usageError("%q: want result, success or fail", kind)
	}
	return c.send(kind, to, form, get, repeat, timeout, wantOK, inv)
}

// send delivers form repeat times and reports each answer.
func (c *cli) send(kind, to string, form url.Values, get bool, repeat int, timeout time.Duration, wantOK bool, inv int64) error {
	method, body, target := http.MethodPost, form.Encode(), to
	if get {
		method, body = http.MethodGet, ""
		u, _ := url.Parse(to) // checked by isHTTPURL
		q := u.Query()
		for k, vs := range form {
			q[k] = vs
		}
		u.RawQuery = q.Encode()
		target = u.String()
	}
	client := &http.Client{
		Timeout: timeout,
		// A redirect is the shop's answer: report it, do not follow it.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	want := "OK" + strconv.FormatInt(inv, 10)
	fmt.Fprintf(c.stdout, "%s %s\n", method, target)
	if body != "" {
		fmt.Fprintf(c.stdout, "  %s\n", body)
	}
	wrong := 0
	for i := 1; i <= repeat; i++ {
		status, answer, err := c.deliver(client, method, target, body)
		var verdict string
		switch {
		case err != nil:
			verdict = "no answer: " + err.Error()
		case wantOK && status == http.StatusOK && answer == want:
			verdict = "right"
		case wantOK:
			verdict = fmt.Sprintf("wrong: want status 200 and exactly %q", want)
		case status >= 200 && status < 400:
			verdict = "right"
		default:
			verdict = "wrong: want a 2xx or 3xx answer"
		}
		if verdict != "right" {
			wrong++
		}
		if err != nil {
			fmt.Fprintf(c.stdout, "#%d: %s\n", i, verdict)
		} else {
			fmt.Fprintf(c.stdout, "#%d: %d %s: %s\n", i, status, quoteAnswer(answer), verdict)
		}
	}
	if wrong > 0 {
		fmt.Fprintf(c.stdout, "%s: %d of %d answers wrong\n", kind, wrong, repeat)
		return checkFailed
	}
	fmt.Fprintf(c.stdout, "%s: %d of %d answers right\n", kind, repeat, repeat)
	return nil
}

// deliver sends one request and returns the status and the start of the
// answer.
func (c *cli) deliver(client *http.Client, method, target, body string) (int, string, error) {
	req, err := http.NewRequestWithContext(c.ctx, method, target, strings.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("User-Agent", "robokassa-cli/"+robokassa.Version)
	resp, err := client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return 0, "", fmt.Errorf("reading the answer: %w", err)
	}
	return resp.StatusCode, string(b), nil
}

// quoteAnswer quotes an answer, shortened to 200 bytes.
func quoteAnswer(s string) string {
	if len(s) > 200 {
		return strconv.Quote(s[:200]) + "…"
	}
	return strconv.Quote(s)
}

// amount parses a non-negative decimal amount with at most places
// decimals: the notification writes it with six, and nothing may be
// rounded on the way.
func amount(s string, places int32) (decimal.Decimal, error) {
	d, err := decimal.NewFromString(s)
	switch {
	case err != nil:
		return decimal.Decimal{}, fmt.Errorf("%q is not a number", s)
	case d.IsNegative():
		return decimal.Decimal{}, fmt.Errorf("must not be negative")
	case !d.Equal(d.Truncate(places)):
		return decimal.Decimal{}, fmt.Errorf("must have at most %d decimal places", places)
	}
	return d, nil
}
