// Package robokassa is a client for the Robokassa payment service: it
// builds signed payment links and forms, verifies the notifications
// Robokassa sends back, and calls Robokassa's merchant APIs.
//
// Every signature the package computes follows one ordered builder, so the
// string signed is byte for byte the string sent; the protocol facts it
// relies on are cited by section of the project's protocol notes (§N).
//
// # Payment links
//
// A shop creates a pending order with a unique InvId (see [NewInvID]),
// builds a link with [Client.PaymentURL] (or POST fields with
// [Client.PaymentForm], or a ready button with [Client.PaymentButton]) and
// sends the buyer there. Money is [decimal.Decimal]; OutSum is rendered
// once with two decimals and that string is both signed and sent.
// Bad input gets a [*ValidationError] naming the field and the rule.
//
// # Notifications
//
// Robokassa calls the shop's ResultURL when the money arrived.
// [Client.ResultHandler] verifies it and answers "OK<InvId>" only after the
// shop's own function succeeded; [Client.VerifyResult] does the check alone.
// [Client.VerifySuccess] checks the buyer's SuccessURL redirect and
// [ParseFail] reads the (unsigned) FailURL redirect.
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
// capped at 1 MiB, failures as [*APIError] with signatures and passwords
// redacted. Reads are retried on network errors and 5xx with capped
// backoff; calls that move money never are.
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
// Passwords never appear in output: [Config] and [Client] redact them when
// formatted or logged, errors never contain them, and the package never
// logs. [Client.SignatureBase] shows a payment's base string with the
// password masked, for debugging "error 29".
package robokassa

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Version is the library version sent in the User-Agent header.
const Version = "0.1.0"

// Default base URLs (spec §1). A Kazakhstan shop uses the .kz hosts.
const (
	DefaultAuthURL     = "https://auth.robokassa.ru"
	DefaultServicesURL = "https://services.robokassa.ru"
	DefaultFiscalURL   = "https://ws.roboxchange.com"
)

// Config configures a [Client]. The zero value of every optional field is a
// sensible default. Passwords are redacted whenever a Config is formatted
// with fmt or logged with log/slog.
type Config struct {
	// MerchantLogin is the shop identifier. Required.
	MerchantLogin string

	// Password1 signs payment requests and verifies SuccessURL. Required.
	Password1 string
	// Password2 verifies ResultURL and signs OpStateExt. It may be empty
	// for a client that never verifies notifications.
	Password2 string
	// TestPassword1 and TestPassword2 are the test pair, used instead of
	// Password1 and Password2 when Test is true (spec §13).
	TestPassword1 string
	TestPassword2 string
	// Password3 keys the Refund API. Optional.
	Password3 string

	// Algorithm is the hash chosen in the shop's technical settings.
	// The zero value means MD5.
	Algorithm HashAlgorithm

	// Test sends IsTest=1 with payments and uses the test password pair.
	Test bool

	// HTTPClient makes remote calls. Nil means one shared client with
	// timeouts.
	HTTPClient *http.Client

	// AuthURL, ServicesURL and FiscalURL are the base URLs of Robokassa's
	// hosts; empty means DefaultAuthURL, DefaultServicesURL and
	// DefaultFiscalURL.
	AuthURL     string
	ServicesURL string
	FiscalURL   string
}

const redacted = "[redacted]"

func mask(s string) string {
	if s == "" {
		return ""
	}
	return redacted
}

// redact returns a copy of c with every password masked.
func (c Config) redact() redactedConfig {
	return redactedConfig{
		MerchantLogin: c.MerchantLogin,
		Password1:     mask(c.Password1),
		Password2:     mask(c.Password2),
		TestPassword1: mask(c.TestPassword1),
		TestPassword2: mask(c.TestPassword2),
		Password3:     mask(c.Password3),
		Algorithm:     c.Algorithm,
		Test:          c.Test,
		AuthURL:       c.AuthURL,
		ServicesURL:   c.ServicesURL,
		FiscalURL:     c.FiscalURL,
	}
}

// redactedConfig mirrors Config for printing; it has no methods, so fmt
// prints its fields plainly.
type redactedConfig struct {
	MerchantLogin string
	Password1     string
	Password2     string
	TestPassword1 string
	TestPassword2 string
	Password3     string
	Algorithm     HashAlgorithm
	Test          bool
	AuthURL       string
	ServicesURL   string
	FiscalURL     string
}

// String returns the config with passwords redacted.
func (c Config) String() string { return fmt.Sprintf("%+v", c.redact()) }

// GoString returns the config with passwords redacted.
func (c Config) GoString() string { return "robokassa.Config" + fmt.Sprintf("%+v", c.redact()) }

// Format implements [fmt.Formatter] so that every verb prints the config
// with passwords redacted.
func (c Config) Format(f fmt.State, verb rune) {
	formatRedacted(f, verb, "robokassa.Config", c.redact())
}

// LogValue implements [slog.LogValuer]: passwords are redacted.
func (c Config) LogValue() slog.Value {
	r := c.redact()
	return slog.GroupValue(
		slog.String("MerchantLogin", r.MerchantLogin),
		slog.String("Password1", r.Password1),
		slog.String("Password2", r.Password2),
		slog.String("TestPassword1", r.TestPassword1),
		slog.String("TestPassword2", r.TestPassword2),
		slog.String("Password3", r.Password3),
		slog.String("Algorithm", string(r.Algorithm)),
		slog.Bool("Test", r.Test),
	)
}

func formatRedacted(f fmt.State, verb rune, typeName string, v any) {
	switch {
	case verb == 'v' && f.Flag('#'):
		fmt.Fprintf(f, "%s%+v", typeName, v)
	case verb == 'v' && f.Flag('+'):
		fmt.Fprintf(f, "%+v", v)
	default:
		fmt.Fprintf(f, "%v", v)
	}
}

// Client builds and verifies Robokassa requests. Create one with
// [NewClient]; it is immutable and safe for concurrent use by many
// goroutines. Its passwords are redacted when it is formatted or logged.
type Client struct {
	login     string
	pass1     string // Password1, or TestPassword1 in test mode
	pass2     string // Password2, or TestPassword2 in test mode
	pass3     string
	alg       HashAlgorithm
	test      bool
	http      *http.Client
	authURL   string
	services  string
	fiscalURL string
	cfg       redactedConfig
}

// NewClient validates cfg and returns a client. It fails when
// MerchantLogin or the Password #1 in use (Password1, or TestPassword1 when
// Test is set) is missing, when Algorithm is unknown, or when a base URL is
// not an absolute http(s) URL.
func NewClient(cfg Config) (*Client, error) {
	if cfg.MerchantLogin == "" {
		return nil, invalid("Config.MerchantLogin", "is required")
	}
	alg := cfg.Algorithm
	if alg == "" {
		alg = MD5
	}
	if !alg.valid() {
		return nil, invalid("Config.Algorithm", "must be one of MD5, RIPEMD160, SHA1, SHA256, SHA384, SHA512")
	}
	c := &Client{
		login: cfg.MerchantLogin,
		pass1: cfg.Password1,
		pass2: cfg.Password2,
		pass3: cfg.Password3,
		alg:   alg,
		test:  cfg.Test,
		http:  cfg.HTTPClient,
		cfg:   cfg.redact(),
	}
	field1 := "Config.Password1"
	if cfg.Test {
		c.pass1, c.pass2, field1 = cfg.TestPassword1, cfg.TestPassword2, "Config.TestPassword1"
	}
	if c.pass1 == "" {
		return nil, invalid(field1, "is required")
	}
	if c.http == nil {
		c.http = defaultHTTPClient
	}
	var err error
	if c.authURL, err = baseURL("Config.AuthURL", cfg.AuthURL, DefaultAuthURL); err != nil {
		return nil, err
	}
	if c.services, err = baseURL("Config.ServicesURL", cfg.ServicesURL, DefaultServicesURL); err != nil {
		return nil, err
	}
	if c.fiscalURL, err = baseURL("Config.FiscalURL", cfg.FiscalURL, DefaultFiscalURL); err != nil {
		return nil, err
	}
	c.cfg.Algorithm, c.cfg.AuthURL, c.cfg.ServicesURL, c.cfg.FiscalURL = alg, c.authURL, c.services, c.fiscalURL
	return c, nil
}

func baseURL(field, s, def string) (string, error) {
	if s == "" {
		return def, nil
	}
	if !isAbsHTTP(s) {
		return "", invalid(field, "must be an absolute http or https URL")
	}
	return strings.TrimRight(s, "/"), nil
}

// isAbsHTTP reports whether s is an absolute http or https URL with a host.
func isAbsHTTP(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// moscow is Robokassa's time zone (UTC+3, no daylight saving since 2014):
// the zone of dates that carry no offset, and of DaysToPay. A fixed zone
// needs no tzdata.
var moscow = time.FixedZone("MSK", 3*60*60)

// MerchantLogin returns the shop identifier the client signs with.
func (c *Client) MerchantLogin() string { return c.login }

// Algorithm returns the hash algorithm the client signs with.
func (c *Client) Algorithm() HashAlgorithm { return c.alg }

// Test reports whether the client is in test mode.
func (c *Client) Test() bool { return c.test }

// String describes the client with passwords redacted.
func (c *Client) String() string { return "robokassa.Client" + fmt.Sprintf("%+v", c.cfg) }

// GoString describes the client with passwords redacted.
func (c *Client) GoString() string { return c.String() }

// Format implements [fmt.Formatter]: every verb prints the client with
// passwords redacted.
func (c *Client) Format(f fmt.State, verb rune) {
	formatRedacted(f, verb, "robokassa.Client", c.cfg)
}

// LogValue implements [slog.LogValuer]: passwords are redacted.
func (c *Client) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("MerchantLogin", c.login),
		slog.String("Algorithm", string(c.alg)),
		slog.Bool("Test", c.test),
	)
}
