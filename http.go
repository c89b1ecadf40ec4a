package robokassa

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/robokassa-go/robokassa/internal/secret"
)

// defaultHTTPClient is shared by every Client built without
// Config.HTTPClient: one transport, one connection pool, bounded waits.
var defaultHTTPClient = &http.Client{
	Timeout: 30 * time.Second,
	Transport: &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   10,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: 20 * time.Second,
		ExpectContinueTimeout: time.Second,
	},
}

const (
	userAgent       = "robokassa-go/" + Version + " (+https://github.com/robokassa-go/robokassa)"
	maxResponseBody = 1 << 20 // 1 MiB
	maxErrorBody    = 512     // bytes of a body kept in an APIError

	retryAttempts = 4 // idempotent reads: first try plus three retries
	retryBase     = 200 * time.Millisecond
	retryMax      = 2 * time.Second
)

// call is one remote request.
type call struct {
	op          string // name for errors, e.g. "OpStateExt"
	method      string // GET or POST
	url         string
	form        url.Values // POST form body, or GET query when method is GET
	body        []byte     // raw body (used when form is nil)
	contentType string

	// idempotent reads are retried on network errors and 5xx responses.
	// Money-moving calls leave it false and are sent exactly once.
	idempotent bool
}

// do sends c and returns the body of a 2xx response. Every failure is an
// *APIError: a transport error (Err set, Status 0), a non-2xx status, or
// a body over 1 MiB.
func (c *Client) do(ctx context.Context, r call) ([]byte, error) {
	attempts := 1
	if r.idempotent {
		attempts = retryAttempts
	}
	var lastErr *APIError
	for i := 0; i < attempts; i++ {
		if i > 0 {
			if err := sleep(ctx, backoff(i)); err != nil {
				// Keep the last answer (Status, Body) and say why we
				// stopped: errors.Is(err, context.DeadlineExceeded).
				lastErr.Err = errors.Join(lastErr.Err, err)
				return nil, lastErr
			}
		}
		body, status, err := c.roundTrip(ctx, r)
		if err == nil && status >= 200 && status < 300 {
			return body, nil
		}
		if err != nil {
			lastErr = &APIError{Op: r.op, Err: err}
			if ctx.Err() != nil || errors.Is(err, errBodyTooLarge) {
				return nil, lastErr
			}
			continue
		}
		lastErr = c.apiError(r.op, status, "", http.StatusText(status), body)
		if status < 500 {
			return nil, lastErr
		}
	}
	return nil, lastErr
}

var errBodyTooLarge = errors.New("response body exceeds 1 MiB")

func (c *Client) roundTrip(ctx context.Context, r call) ([]byte, int, error) {
	var body io.Reader
	target := r.url
	contentType := r.contentType
	switch {
	case r.form != nil && r.method == http.MethodGet:
		target += "?" + r.form.Encode()
	case r.form != nil:
		body = strings.NewReader(r.form.Encode())
		contentType = "application/x-www-form-urlencoded"
	case r.body != nil:
		body = bytes.NewReader(r.body)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, target, body)
	if err != nil {
		return nil, 0, err
	}
	req.Header.Set("User-Agent", userAgent)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, 0, redactURLError(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBody+1))
	if err != nil {
		return nil, 0, err
	}
	if len(b) > maxResponseBody {
		return nil, 0, errBodyTooLarge
	}
	return b, resp.StatusCode, nil
}

// redactURLError removes query strings (which may carry signatures) from
// the URL inside a *url.Error.
func redactURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		if i := strings.IndexByte(ue.URL, '?'); i >= 0 {
			cp := *ue
			cp.URL = ue.URL[:i] + "?[secret.Redacted]"
			return &cp
		}
	}
	return err
}

func backoff(attempt int) time.Duration {
	d := retryBase << (attempt - 1)
	if d > retryMax || d <= 0 {
		d = retryMax
	}
	return d
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// apiError builds an *APIError whose Body is a short, secret.Redacted excerpt.
func (c *Client) apiError(op string, status int, code, message string, body []byte) *APIError {
	return &APIError{Op: op, Status: status, Code: code, Message: message, Body: c.redactBody(body)}
}

var secretPatterns = []*regexp.Regexp{
	// form or query: SignatureValue=..., Signature=..., Password1=...
	regexp.MustCompile(`(?i)((?:signaturevalue|signature|password\w*)=)[^&\s"'<]*`),
	// JSON: "SignatureValue":"...", "password":"..."
	regexp.MustCompile(`(?i)("(?:signaturevalue|signature|password\w*)"\s*:\s*)"[^"]*"`),
	// XML: <Signature>...</Signature>
	regexp.MustCompile(`(?i)(<(?:\w+:)?(?:signaturevalue|signature|password\w*)>)[^<]*`),
	// A JWT echoed back (a refund request token could be replayed).
	regexp.MustCompile(`eyJ[\w-]*\.[\w-]*\.[\w-]+`),
	// A hex digest in any other shape of echo ("signature ABC…",
	// map[SignatureValue:[…]], value="…"): every ':'-joined signature is
	// 32 to 128 hex digits.
	regexp.MustCompile(`[0-9A-Fa-f]{32,}`),
}

// redactBody returns at most maxErrorBody bytes of b with signatures and
// the client's passwords removed.
func (c *Client) redactBody(b []byte) string {
	// Only the start is kept, so only the start is secret.Redacted: a 1 MiB
	// garbage page costs no 1 MiB of regular-expression work. The margin
	// keeps a secret that straddles the excerpt's end whole while it is
	// secret.Redacted.
	s := string(b[:min(len(b), 8*maxErrorBody)])
	for _, p := range c.keys().all {
		if len(p) >= 4 {
			// as is, and as a form, query or path would carry it
			for _, v := range [...]string{p, urlEncode(p), url.QueryEscape(p), url.PathEscape(p)} {
				s = strings.ReplaceAll(s, v, secret.Redacted)
			}
		}
	}
	s = secretPatterns[0].ReplaceAllString(s, "${1}"+secret.Redacted)
	s = secretPatterns[1].ReplaceAllString(s, `${1}"`+secret.Redacted+`"`)
	s = secretPatterns[2].ReplaceAllString(s, "${1}"+secret.Redacted)
	s = secretPatterns[3].ReplaceAllString(s, secret.Redacted)
	s = secretPatterns[4].ReplaceAllString(s, secret.Redacted)
	s = strings.ToValidUTF8(s, "\uFFFD") // before the cut: it can lengthen s
	if len(s) > maxErrorBody {
		cut := maxErrorBody
		for cut > 0 && !utf8.RuneStart(s[cut]) { // never split a UTF-8 sequence
			cut--
		}
		s = s[:cut] + "…(" + strconv.Itoa(len(b)) + " bytes)"
	}
	return s
}
