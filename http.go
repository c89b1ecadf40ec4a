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

// defaultTransport is shared by every Client built without
// Config.HTTPClient: one connection pool, bounded waits, and enough idle
// connections per host for a service polling OpStateExt from dozens of
// goroutines (the standard library keeps two).
var defaultTransport = &http.Transport{
	Proxy:                 http.ProxyFromEnvironment,
	DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
	ForceAttemptHTTP2:     true,
	MaxIdleConns:          256,
	MaxIdleConnsPerHost:   64,
	IdleConnTimeout:       90 * time.Second,
	TLSHandshakeTimeout:   10 * time.Second,
	ResponseHeaderTimeout: 20 * time.Second,
	ExpectContinueTimeout: time.Second,
}

// httpClient returns the client remote calls go through: hc (or one with
// the default transport) with redirects switched off. A redirect would
// re-send a signed form, a refund token or a fiscal envelope to whatever
// host Location names, or turn a money call into a body-less GET whose
// answer looks like success; a 3xx is an *APIError instead, whatever the
// caller's client would have done.
func httpClient(hc *http.Client) *http.Client {
	var c http.Client
	if hc != nil {
		c = *hc
	} else {
		c = http.Client{Transport: defaultTransport}
	}
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}

// defaultTimeout bounds a call of a client built without
// Config.HTTPClient whose context has no deadline of its own.
const defaultTimeout = 30 * time.Second

const (
	userAgent       = "robokassa-go/" + Version + " (+https://github.com/robokassa-go/robokassa)"
	maxResponseBody = 1 << 20 // 1 MiB
	maxErrorBody    = 512     // bytes of a body kept in an APIError

	retryAttempts = 4 // idempotent reads: first try plus three retries
	retryBase     = 200 * time.Millisecond
	retryMax      = 2 * time.Second
	// retryAfterMax caps a 429's Retry-After when the context has no
	// deadline; with one, a wait past the deadline is not started.
	retryAfterMax = time.Minute
)

// call is one remote request.
type call struct {
	op          string // name for errors, e.g. "OpStateExt"
	method      string // GET or POST
	url         string
	form        string // URL-encoded form: the POST body, or the GET query
	body        []byte // raw body (used when form is nil)
	contentType string

	// idempotent reads are retried on network errors, 5xx and 429
	// responses. Money-moving calls leave it false and are sent exactly
	// once.
	idempotent bool

	// sent are the signatures, tokens and envelopes the request carries:
	// an error built from the answer never contains them, whatever shape
	// an echo takes.
	sent []string
}

// reply is a 2xx answer to a call: its body, and what is needed to build
// an *APIError about it.
type reply struct {
	c      *Client
	op     string
	status int
	body   []byte
	sent   []string
}

// send makes the call and returns its 2xx answer. Every failure is an
// *APIError: a transport error (Err set, Status 0), a non-2xx status
// (3xx included: redirects are not followed; Message is the status text,
// or the answer's JSON "message" when it has one), or a body over 1 MiB.
func (c *Client) send(ctx context.Context, r call) (*reply, error) {
	attempts := 1
	if r.idempotent {
		attempts = retryAttempts
	}
	if _, ok := ctx.Deadline(); !ok && c.ownHTTP {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, defaultTimeout)
		defer cancel()
	}
	var lastErr *APIError
	var wait time.Duration
	for i := 0; i < attempts; i++ {
		if i > 0 {
			if err := sleep(ctx, wait); err != nil {
				// Keep the last answer (Status, Body) and say why we
				// stopped: errors.Is(err, context.DeadlineExceeded).
				lastErr.Err = errors.Join(lastErr.Err, err)
				return nil, lastErr
			}
		}
		wait = backoff(i + 1)
		body, resp, err := c.roundTrip(ctx, r)
		switch {
		case err != nil:
			lastErr = &APIError{Op: r.op, Err: err}
			if ctx.Err() != nil || errors.Is(err, errBodyTooLarge) {
				return nil, lastErr
			}
			continue
		case resp.StatusCode >= 200 && resp.StatusCode < 300:
			return &reply{c: c, op: r.op, status: resp.StatusCode, body: body, sent: r.sent}, nil
		}
		rp := reply{c: c, op: r.op, status: resp.StatusCode, body: body, sent: r.sent}
		msg := http.StatusText(resp.StatusCode)
		if m := jsonMessage(body); m != "" {
			msg = m // a JSON API's {"message": ...}: a bad token, a wrong password
		}
		lastErr = rp.apiError("", msg)
		switch {
		case resp.StatusCode == http.StatusTooManyRequests:
			d, ok := retryAfter(ctx, resp.Header.Get("Retry-After"))
			if !ok {
				return nil, lastErr
			}
			wait = max(wait, d)
		case resp.StatusCode < 500:
			return nil, lastErr
		}
	}
	return nil, lastErr
}

// retryAfter reads a 429's Retry-After (seconds or an HTTP date) and says
// whether waiting that long still ends before ctx does.
func retryAfter(ctx context.Context, h string) (time.Duration, bool) {
	var d time.Duration
	if secs, err := strconv.Atoi(strings.TrimSpace(h)); err == nil && secs >= 0 {
		d = time.Duration(secs) * time.Second
	} else if t, err := http.ParseTime(h); err == nil {
		d = time.Until(t)
	}
	d = max(d, 0)
	if deadline, ok := ctx.Deadline(); ok {
		return d, time.Now().Add(d).Before(deadline)
	}
	return min(d, retryAfterMax), d <= retryAfterMax
}

var errBodyTooLarge = errors.New("response body exceeds 1 MiB")

func (c *Client) roundTrip(ctx context.Context, r call) ([]byte, *http.Response, error) {
	var body io.Reader
	target := r.url
	contentType := r.contentType
	switch {
	case r.form != "" && r.method == http.MethodGet:
		target += "?" + r.form
	case r.form != "":
		body = strings.NewReader(r.form)
		contentType = "application/x-www-form-urlencoded"
	case r.body != nil:
		body = bytes.NewReader(r.body)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, target, body)
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("User-Agent", userAgent)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, nil, redactURLError(err)
	}
	defer resp.Body.Close()
	b, err := readBody(resp)
	if err != nil {
		return nil, nil, err
	}
	return b, resp, nil
}

// readBody reads at most maxResponseBody bytes of the answer, in one
// allocation when the length is announced.
func readBody(resp *http.Response) ([]byte, error) {
	if n := resp.ContentLength; n > maxResponseBody {
		return nil, errBodyTooLarge
	} else if n >= 0 {
		b := make([]byte, n)
		if _, err := io.ReadFull(resp.Body, b); err != nil {
			return nil, err
		}
		return b, nil
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBody+1))
	if err == nil && len(b) > maxResponseBody {
		err = errBodyTooLarge
	}
	return b, err
}

// redactURLError removes query strings (which may carry signatures) from
// the URL inside a *url.Error.
func redactURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		if i := strings.IndexByte(ue.URL, '?'); i >= 0 {
			cp := *ue
			cp.URL = ue.URL[:i] + "?[redacted]"
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

// apiError builds the *APIError for this answer: Code and Message as
// given (Message is redacted too: it may quote the body), Body a short
// redacted excerpt.
func (rp *reply) apiError(code, message string) *APIError {
	return &APIError{Op: rp.op, Status: rp.status, Code: code, Message: rp.redact([]byte(message)), Body: rp.redact(rp.body)}
}

// malformed is the one constructor of "the answer cannot be used": why
// names what is missing or wrong; err, a decoder's error, is kept only as
// redacted text (decoders quote their input: "invalid XML name:
// 0d82ab…").
func (rp *reply) malformed(why string, err error) *APIError {
	msg := "malformed response"
	if why != "" {
		msg += ": " + why
	}
	ae := rp.apiError("", msg)
	if err != nil {
		ae.Err = errors.New(rp.redact([]byte(err.Error())))
	}
	return ae
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

// redact returns at most maxErrorBody bytes of b with the client's
// passwords (the unused pair too), everything this call sent that proves
// the shop's identity, and anything shaped like a signature removed.
func (rp *reply) redact(b []byte) string { return rp.c.redactBody(b, rp.sent...) }

// redactBody is redact for a client without a call (sent: extra secrets).
func (c *Client) redactBody(b []byte, sent ...string) string {
	// Only the start is kept, so only the start is redacted: a 1 MiB
	// garbage page costs no 1 MiB of regular-expression work. The margin
	// keeps a secret that straddles the excerpt's end whole while it is
	// redacted.
	s := string(b[:min(len(b), 8*maxErrorBody)])
	for _, p := range append(c.keys().all, sent...) {
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
