package lifepay

import (
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/robokassa-go/robokassa/internal/secret"
)

// Secret is a string that never prints: fmt, JSON, text encoders and
// log/slog all show "[redacted]" (or nothing, when it is empty). Convert
// it with string(s) only where the secret itself is needed.
type Secret = secret.String

// APIVersion is a Life-Pay API version (§1).
type APIVersion string

// API versions.
const (
	// V1 is API 1.0 (deprecated): the service key is sent as `key` and
	// requests are signed with MD5 (§3).
	V1 APIVersion = "1.0"
	// V2 is API 2.0: `service_id` and `version=2.0` are sent and requests
	// are signed with HMAC-SHA256 (§2). The zero Config.Version means V2.
	V2 APIVersion = "2.0"
)

// DefaultBaseURL is where Life-Pay's payment page lives (§1).
const DefaultBaseURL = "https://partner.life-pay.ru"

// inputPath is the payment-initialisation path under the base URL (§1).
const inputPath = "/alba/input/"

// Config configures a [Client]. The zero value of every optional field is
// a sensible default. SecretKey is a [Secret]: a Config prints and logs
// with the key redacted.
type Config struct {
	// ServiceID is the service's numeric id (service_id). Required for
	// API 2.0. When set, it is also the only service_id a notification
	// may carry, in either version.
	ServiceID string
	// Key is the service key sent as `key` under API 1.0. Required for
	// V1, unused by V2. It appears in every API 1.0 link, so it is not a
	// secret.
	Key string
	// SecretKey is the service's secret key: it signs links and verifies
	// notifications in both versions. Required.
	SecretKey Secret
	// Version is the API version of the service; the zero value means V2.
	Version APIVersion
	// NotificationURL is the notification address exactly as entered in
	// Life-Pay's cabinet. Its host and path are part of every 2.0
	// notification's signature (§4); a client without it refuses 2.0
	// notifications with [ErrNoNotificationURL].
	NotificationURL string
	// BaseURL is Life-Pay's address; empty means DefaultBaseURL.
	BaseURL string
	// Logger receives the notification handler's account of what it
	// refused (at Warn) and of failed or panicking callbacks (at Error).
	// Nil means slog.Default(). Nothing logged contains the secret key,
	// a check value or a request body.
	Logger *slog.Logger
}

// Client builds signed Life-Pay payment links and forms and verifies
// Life-Pay's notifications. Create one with [NewClient]; it is immutable
// and safe for concurrent use by many goroutines. Its secret key is
// redacted when it is formatted or logged.
type Client struct {
	version   APIVersion
	serviceID string
	key       string
	// secret is a closure so that no reflection-based printer, fmt
	// included, can reach the key in a Client value.
	secret     func() Secret
	inputURL   string // base URL + /alba/input/
	inputHost  string
	inputPath  string
	notifyURL  string
	notifyHost string
	notifyPath string
	logger     *slog.Logger
}

// NewClient validates cfg and returns a client. It fails with a
// [*ValidationError] when SecretKey is missing, when Version is unknown,
// when API 2.0 lacks ServiceID or API 1.0 lacks Key, when ServiceID is not
// digits, or when BaseURL or NotificationURL is not an absolute http(s)
// URL.
func NewClient(cfg Config) (*Client, error) {
	secretKey := cfg.SecretKey
	c := &Client{version: cfg.Version, serviceID: cfg.ServiceID, key: cfg.Key, secret: func() Secret { return secretKey }, logger: cfg.Logger}
	if c.version == "" {
		c.version = V2
	}
	if c.version != V1 && c.version != V2 {
		return nil, invalid("Config.Version", `must be lifepay.V1 ("1.0") or lifepay.V2 ("2.0")`)
	}
	if secretKey == "" {
		return nil, invalid("Config.SecretKey", "is required")
	}
	if c.version == V2 && c.serviceID == "" {
		return nil, invalid("Config.ServiceID", "is required for API 2.0")
	}
	if c.serviceID != "" && !allDigits(c.serviceID) {
		return nil, invalid("Config.ServiceID", "must be digits")
	}
	if c.version == V1 && c.key == "" {
		return nil, invalid("Config.Key", "is required for API 1.0")
	}
	if strings.ContainsFunc(c.key, isControl) {
		return nil, invalid("Config.Key", "must not contain control characters")
	}
	base := cfg.BaseURL
	if base == "" {
		base = DefaultBaseURL
	}
	u, err := absHTTP(base)
	if err != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, invalid("Config.BaseURL", "must be an absolute http or https URL without query or fragment")
	}
	base = strings.TrimRight(base, "/")
	c.inputURL = base + inputPath
	c.inputHost = strings.ToLower(u.Hostname())
	c.inputPath = strings.TrimRight(u.EscapedPath(), "/") + inputPath
	if cfg.NotificationURL != "" {
		n, err := absHTTP(cfg.NotificationURL)
		if err != nil || n.Fragment != "" {
			return nil, invalid("Config.NotificationURL", "must be an absolute http or https URL without fragment")
		}
		c.notifyURL = cfg.NotificationURL
		c.notifyHost = strings.ToLower(n.Hostname())
		c.notifyPath = n.EscapedPath()
	}
	if c.logger == nil {
		c.logger = slog.Default()
	}
	return c, nil
}

// absHTTP parses s as an absolute http or https URL with a host.
func absHTTP(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil {
		return nil, err
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Hostname() == "" || u.User != nil {
		return nil, ErrInvalidParam
	}
	return u, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// moscow is Life-Pay's time zone (UTC+3, no daylight saving since 2014):
// the zone of expiration_date and date_created (§1, §4). A fixed zone
// needs no tzdata.
var moscow = time.FixedZone("MSK", 3*60*60)

// Version returns the API version the client signs with.
func (c *Client) Version() APIVersion { return c.version }

// PaymentFormAction is the URL a payment form posts to (§1).
func (c *Client) PaymentFormAction() string { return c.inputURL }

// view is what a Client prints as: no secret key, only whether one is set.
type view struct {
	Version         APIVersion
	ServiceID       string
	Key             string
	SecretKey       Secret
	BaseURL         string
	NotificationURL string
}

func (c *Client) view() view {
	return view{c.version, c.serviceID, c.key, c.secret(), strings.TrimSuffix(c.inputURL, inputPath), c.notifyURL}
}

// String describes the client with the secret key redacted.
func (c *Client) String() string { return fmt.Sprintf("lifepay.Client%+v", c.view()) }

// GoString describes the client with the secret key redacted.
func (c *Client) GoString() string { return c.String() }

// Format implements [fmt.Formatter]: every verb prints [Client.String].
func (c *Client) Format(f fmt.State, _ rune) { fmt.Fprint(f, c.String()) }

// LogValue implements [slog.LogValuer]: the secret key is redacted.
func (c *Client) LogValue() slog.Value {
	v := c.view()
	return slog.GroupValue(
		slog.String("Version", string(v.Version)),
		slog.String("ServiceID", v.ServiceID),
		slog.String("Key", v.Key),
		slog.Any("SecretKey", v.SecretKey),
		slog.String("BaseURL", v.BaseURL),
		slog.String("NotificationURL", v.NotificationURL),
	)
}
