package robokassa

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/robokassa-go/robokassa/internal/secret"
)

// Version is the library version sent in the User-Agent header.
const Version = "0.1.0"

// Default base URLs (spec §1). A Kazakhstan shop uses the .kz hosts.
const (
	DefaultAuthURL     = "https://auth.robokassa.ru"
	DefaultServicesURL = "https://services.robokassa.ru"
	DefaultFiscalURL   = "https://ws.roboxchange.com"
)

// Secret is a password: a string that prints as "[redacted]" (or nothing
// when empty) on every path — fmt with any verb, encoding/json, text
// encoders and log/slog — wherever it sits, so a Config can be printed,
// marshalled or logged whole. Convert a string with Secret(s).
type Secret = secret.String

// Config configures a [Client]. The zero value of every optional field is a
// sensible default. Passwords are of type [Secret]: printing, marshalling
// or logging a Config never shows them.
type Config struct {
	// MerchantLogin is the shop identifier. Required, without surrounding
	// spaces.
	MerchantLogin string

	// Password1 signs payment requests and verifies SuccessURL. Required.
	Password1 Secret
	// Password2 verifies ResultURL and signs OpStateExt. It may be empty
	// for a client that never verifies notifications.
	Password2 Secret
	// TestPassword1 and TestPassword2 are the test pair, used instead of
	// Password1 and Password2 when Test is true (spec §13). Each must
	// differ from its production twin: with equal passwords a test
	// notification replayed without IsTest would verify as a real payment.
	TestPassword1 Secret
	TestPassword2 Secret
	// Password3 keys the Refund API. Optional.
	Password3 Secret

	// Algorithm is the hash chosen in the shop's technical settings.
	// The zero value means MD5.
	Algorithm HashAlgorithm

	// Test sends IsTest=1 with payments and uses the test password pair.
	Test bool

	// HTTPClient makes remote calls. Nil means one shared transport with
	// connect, TLS and header timeouts, and a 30-second bound on each call
	// whose context has no deadline of its own. Redirects are never
	// followed, whatever its CheckRedirect says: a 3xx answer is an
	// [*APIError].
	HTTPClient *http.Client `json:"-"`

	// Logger receives the handlers' account of every notification they
	// refuse (at Warn) and of a panic in the shop's callback (at Error),
	// never with a password, a signature or a raw body. Nil means
	// [slog.Default].
	Logger *slog.Logger `json:"-"`

	// AuthURL, ServicesURL and FiscalURL are the base URLs of Robokassa's
	// hosts; empty means DefaultAuthURL, DefaultServicesURL and
	// DefaultFiscalURL.
	AuthURL     string
	ServicesURL string
	FiscalURL   string
}

// Client builds and verifies Robokassa requests. Create one with
// [NewClient]; it is immutable and safe for concurrent use by many
// goroutines. It never prints its passwords: they are held in a closure
// that fmt and other reflection-based printers cannot look into, and
// String and LogValue describe the client without them.
type Client struct {
	login string
	// keys is a closure so that no reflection-based printer, fmt
	// included, can reach the passwords in a Client value.
	keys      func() *keys
	alg       HashAlgorithm
	test      bool
	http      *http.Client
	ownHTTP   bool // http is the default client: send bounds each call
	logger    *slog.Logger
	authURL   string
	services  string
	fiscalURL string
}

// keys are the passwords a client signs with.
type keys struct {
	pass1 string // Password1, or TestPassword1 in test mode
	pass2 string // Password2, or TestPassword2 in test mode
	pass3 string
	// all holds every password of the Config, the unused pair too: none
	// of them may survive in an error built from a remote answer.
	all []string
}

// NewClient validates cfg and returns a client. It fails when
// MerchantLogin is missing or has surrounding spaces, when the Password
// #1 in use (Password1, or TestPassword1 when Test is set) is missing,
// when a test password equals its production twin, when Algorithm is
// unknown, or when a base URL is not an absolute http(s) URL.
func NewClient(cfg Config) (*Client, error) {
	switch {
	case cfg.MerchantLogin == "":
		return nil, invalid("Config.MerchantLogin", "is required")
	case strings.TrimSpace(cfg.MerchantLogin) != cfg.MerchantLogin:
		return nil, invalid("Config.MerchantLogin", "must not have surrounding spaces")
	case cfg.TestPassword1 != "" && cfg.TestPassword1 == cfg.Password1:
		return nil, invalid("Config.TestPassword1", "must differ from Password1: the test pair is a separate pair of passwords")
	case cfg.TestPassword2 != "" && cfg.TestPassword2 == cfg.Password2:
		return nil, invalid("Config.TestPassword2", "must differ from Password2: with equal passwords a test notification would verify as a real payment")
	}
	alg := cfg.Algorithm
	if alg == "" {
		alg = MD5
	}
	if !alg.valid() {
		return nil, invalid("Config.Algorithm", "must be one of MD5, RIPEMD160, SHA1, SHA256, SHA384, SHA512")
	}
	k := &keys{pass1: string(cfg.Password1), pass2: string(cfg.Password2), pass3: string(cfg.Password3)}
	field1 := "Config.Password1"
	if cfg.Test {
		k.pass1, k.pass2, field1 = string(cfg.TestPassword1), string(cfg.TestPassword2), "Config.TestPassword1"
	}
	if k.pass1 == "" {
		return nil, invalid(field1, "is required")
	}
	for _, p := range []Secret{cfg.Password1, cfg.Password2, cfg.TestPassword1, cfg.TestPassword2, cfg.Password3} {
		if p != "" {
			k.all = append(k.all, string(p))
		}
	}
	c := &Client{
		login:   cfg.MerchantLogin,
		keys:    func() *keys { return k },
		alg:     alg,
		test:    cfg.Test,
		http:    httpClient(cfg.HTTPClient),
		ownHTTP: cfg.HTTPClient == nil,
		logger:  cfg.Logger,
	}
	if c.logger == nil {
		c.logger = slog.Default()
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

// MerchantLogin returns the shop identifier the client signs with.
func (c *Client) MerchantLogin() string { return c.login }

// Algorithm returns the hash algorithm the client signs with.
func (c *Client) Algorithm() HashAlgorithm { return c.alg }

// Test reports whether the client is in test mode.
func (c *Client) Test() bool { return c.test }

// String describes the client without its passwords.
func (c *Client) String() string {
	return fmt.Sprintf("robokassa.Client{MerchantLogin:%s Algorithm:%s Test:%t AuthURL:%s ServicesURL:%s FiscalURL:%s}",
		c.login, c.alg, c.test, c.authURL, c.services, c.fiscalURL)
}

// LogValue implements [slog.LogValuer]: the client without its passwords.
func (c *Client) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("MerchantLogin", c.login),
		slog.String("Algorithm", string(c.alg)),
		slog.Bool("Test", c.test),
	)
}
