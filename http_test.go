package robokassa

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// misbehaving is a generic misbehaving HTTP server for the transport's
// tests: it answers every path through reply (a 400, a truncated or 10 MiB
// body, a stall, an echo) and records what it got. It knows nothing of
// Robokassa: what Robokassa answers, and the faults robokassatest.Server
// can inject (500, dropped connections, delays, garbage), are the
// protocol tests' (transport_protocol_test.go and the *_protocol_test.go
// files).
type misbehaving struct {
	srv     *httptest.Server
	hits    atomic.Int64
	release chan struct{} // closed at cleanup: unblocks slow handlers

	mu       sync.Mutex
	bodies   []string
	agents   []string
	ctypes   []string
	formErrs []error
}

// misbehavior answers the hit-th request (counting from 1).
type misbehavior func(w http.ResponseWriter, r *http.Request, hit int64)

const (
	merchantPass1 = "Secret-Pass-1"
	merchantPass2 = "Secret-Pass-2"
	merchantPass3 = "Secret-Pass-3"
)

// newMisbehaving starts a server and a client pointed at it (every base
// URL). cfg supplies the passwords (each unset one: its merchantPass
// constant); the login is demo unless cfg says otherwise.
func newMisbehaving(t *testing.T, cfg Config, reply misbehavior) (*Client, *misbehaving) {
	t.Helper()
	s := &misbehaving{release: make(chan struct{})}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := s.hits.Add(1)
		body, err := io.ReadAll(r.Body)
		r.Body = io.NopCloser(strings.NewReader(string(body)))
		if err == nil {
			err = r.ParseForm()
		}
		s.mu.Lock()
		s.bodies = append(s.bodies, string(body))
		s.agents = append(s.agents, r.UserAgent())
		s.ctypes = append(s.ctypes, r.Header.Get("Content-Type"))
		s.formErrs = append(s.formErrs, err)
		s.mu.Unlock()
		reply(w, r, n)
	}))
	t.Cleanup(s.srv.Close)
	t.Cleanup(func() { close(s.release) }) // runs first: cleanups are LIFO

	if cfg.MerchantLogin == "" {
		cfg.MerchantLogin = "demo"
	}
	for _, p := range []struct {
		field *Secret
		value Secret
	}{{&cfg.Password1, merchantPass1}, {&cfg.Password2, merchantPass2}, {&cfg.Password3, merchantPass3}} {
		if *p.field == "" {
			*p.field = p.value
		}
	}
	cfg.AuthURL, cfg.ServicesURL, cfg.FiscalURL = s.srv.URL, s.srv.URL, s.srv.URL
	cfg.HTTPClient = s.srv.Client()
	c, err := NewClient(cfg)
	require.NoError(t, err)
	return c, s
}

// text answers with status and body.
func text(status int, body string) misbehavior {
	return func(w http.ResponseWriter, _ *http.Request, _ int64) {
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}

// hijack takes the connection from the server and hands it to f, which
// writes what it likes; the connection is closed afterwards.
func hijack(t *testing.T, w http.ResponseWriter, f func(bw *bufio.ReadWriter)) {
	hj, ok := w.(http.Hijacker)
	if !assert.True(t, ok, "response writer cannot hijack") {
		return
	}
	conn, bw, err := hj.Hijack()
	if !assert.NoError(t, err) {
		return
	}
	defer conn.Close()
	if f != nil {
		f(bw)
		_ = bw.Flush()
	}
}

// truncated promises a 100-byte body, sends 3 bytes and closes.
func truncated(t *testing.T) misbehavior {
	return func(w http.ResponseWriter, _ *http.Request, _ int64) {
		hijack(t, w, func(bw *bufio.ReadWriter) {
			_, _ = bw.WriteString("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\nOK1")
		})
	}
}

const tenMiB = 10 << 20

// huge sends a 10 MiB body until the client goes away.
func huge(w http.ResponseWriter, _ *http.Request, _ int64) {
	w.Header().Set("Content-Length", "10485760")
	w.WriteHeader(http.StatusOK)
	chunk := []byte(strings.Repeat("OK", 16<<10)) // 32 KiB
	for sent := 0; sent < tenMiB; sent += len(chunk) {
		if _, err := w.Write(chunk); err != nil {
			return
		}
	}
}

// slowDeadline bounds calls to the stalling handler below.
const slowDeadline = 200 * time.Millisecond

// slowBody sends the headers and the start of a body, then stalls.
func (s *misbehaving) slowBody(w http.ResponseWriter, r *http.Request, _ int64) {
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, "OK")
	w.(http.Flusher).Flush()
	select {
	case <-r.Context().Done():
	case <-s.release:
	}
}

// transportCall is a POST form to /op.
func transportCall(c *Client, idempotent bool) call {
	return call{
		op:         "TestOp",
		method:     http.MethodPost,
		url:        c.authURL + "/op",
		form:       url.Values{"MerchantLogin": {c.login}, "SignatureValue": {"0123456789abcdef0123456789abcdef"}}.Encode(),
		idempotent: idempotent,
	}
}

// merchantRequireAPIError asserts err is an *APIError for op and returns it.
func merchantRequireAPIError(t *testing.T, err error, op string) *APIError {
	t.Helper()
	require.Error(t, err)
	var ae *APIError
	require.True(t, errors.As(err, &ae), "not an *APIError: %T %v", err, err)
	assert.Equal(t, op, ae.Op)
	assert.True(t, strings.HasPrefix(err.Error(), "robokassa: "), err.Error())
	return ae
}

// TestTransportFaults: the faults the emulator cannot produce (a 4xx
// other than 404, a body cut short, a body past the cap) are each an
// *APIError, and a non-idempotent call meets them once. A 500 and a
// dropped connection are TestMoneyCallsSentOnceUnderFaults's.
func TestTransportFaults(t *testing.T) {
	type fault struct {
		name   string
		reply  func(t *testing.T) misbehavior
		status int   // APIError.Status wanted
		is     error // errors.Is target, if any
	}
	faults := []fault{
		{name: "http 400", status: 400,
			reply: func(*testing.T) misbehavior { return text(400, "bad") }},
		{name: "http 503", status: 503,
			reply: func(*testing.T) misbehavior { return text(503, "busy") }},
		{name: "truncated body", is: io.ErrUnexpectedEOF, reply: truncated},
		{name: "10 MiB body", is: errBodyTooLarge,
			reply: func(*testing.T) misbehavior { return huge }},
	}
	for _, f := range faults {
		t.Run(f.name, func(t *testing.T) {
			c, s := newMisbehaving(t, Config{}, f.reply(t))
			body, err := c.do(context.Background(), transportCall(c, false))
			assert.Nil(t, body)
			ae := merchantRequireAPIError(t, err, "TestOp")
			assert.Equal(t, f.status, ae.Status)
			if f.status == 0 {
				assert.Error(t, ae.Err, "a transport failure carries its cause")
			} else {
				assert.Equal(t, http.StatusText(f.status), ae.Message)
			}
			if f.is != nil {
				assert.ErrorIs(t, err, f.is)
			}
			assert.EqualValues(t, 1, s.hits.Load(), "a non-idempotent call is sent exactly once")
		})
	}
}

// TestMoneyCallsSentOnceUnderTransportFaults runs every money-moving call
// into the faults above: each is an *APIError and went out once. The
// emulator's faults are TestMoneyCallsSentOnceUnderFaults's.
func TestMoneyCallsSentOnceUnderTransportFaults(t *testing.T) {
	faults := []struct {
		name  string
		reply func(t *testing.T) misbehavior
		is    error
	}{
		{"http 502", func(*testing.T) misbehavior { return text(502, "") }, nil},
		{"http 503 saying OK", func(*testing.T) misbehavior { return text(503, "OK2") }, nil},
		{"truncated", truncated, io.ErrUnexpectedEOF},
		{"10 MiB", func(*testing.T) misbehavior { return huge }, errBodyTooLarge},
	}
	for _, rc := range remoteCalls() {
		if !rc.money {
			continue
		}
		for _, f := range faults {
			t.Run(rc.name+"/"+f.name, func(t *testing.T) {
				c, s := newMisbehaving(t, Config{}, f.reply(t))
				err := rc.call(context.Background(), c)
				merchantRequireAPIError(t, err, rc.name)
				if f.is != nil {
					assert.ErrorIs(t, err, f.is)
				}
				assert.EqualValues(t, 1, s.hits.Load(), "sent exactly once, never retried")
			})
		}
	}
}

// TestTransportIdempotentRetries: a read whose answer is cut short, or
// comes with a 5xx status other than the emulator's 500, is sent again,
// the same request each time.
func TestTransportIdempotentRetries(t *testing.T) {
	tests := []struct {
		name  string
		fail  func(t *testing.T) misbehavior
		fails int64
	}{
		{"503 twice", func(*testing.T) misbehavior { return text(503, "busy") }, 2},
		{"truncated body", truncated, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, s := newMisbehaving(t, Config{}, func(w http.ResponseWriter, r *http.Request, n int64) {
				if n <= tt.fails {
					tt.fail(t)(w, r, n)
					return
				}
				_, _ = io.WriteString(w, "fine")
			})
			body, err := c.do(context.Background(), transportCall(c, true))
			require.NoError(t, err)
			assert.Equal(t, "fine", string(body))
			assert.Equal(t, tt.fails+1, s.hits.Load())
			s.mu.Lock()
			defer s.mu.Unlock()
			for _, b := range s.bodies[1:] {
				assert.Equal(t, s.bodies[0], b, "the retry sends the same form")
			}
		})
	}
}

// TestTransportGatewayErrorGivesUp: 502 every time is tried RetryAttempts
// times (the emulator's 500 is TestReadsGiveUp's).
func TestTransportGatewayErrorGivesUp(t *testing.T) {
	c, s := newMisbehaving(t, Config{}, text(502, "down"))
	_, err := c.do(context.Background(), transportCall(c, true))
	ae := merchantRequireAPIError(t, err, "TestOp")
	assert.Equal(t, 502, ae.Status)
	assert.EqualValues(t, retryAttempts, s.hits.Load())
}

func TestTransportClientErrorNotRetried(t *testing.T) {
	c, s := newMisbehaving(t, Config{}, text(400, "no"))
	_, err := c.do(context.Background(), transportCall(c, true))
	ae := merchantRequireAPIError(t, err, "TestOp")
	assert.Equal(t, 400, ae.Status)
	assert.EqualValues(t, 1, s.hits.Load())
}

// merchantCountingTransport counts the response body bytes its caller reads.
type merchantCountingTransport struct {
	base http.RoundTripper
	read *atomic.Int64
}

type merchantCountingBody struct {
	io.ReadCloser
	read *atomic.Int64
}

func (b merchantCountingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.read.Add(int64(n))
	return n, err
}

func (t merchantCountingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(r)
	if err == nil {
		resp.Body = merchantCountingBody{resp.Body, t.read}
	}
	return resp, err
}

func TestTransportBodyCap(t *testing.T) {
	tests := []struct {
		name       string
		size       int
		idempotent bool
		ok         bool
	}{
		{"exactly 1 MiB is accepted", maxResponseBody, false, true},
		{"1 MiB + 1 byte is refused", maxResponseBody + 1, false, false},
		{"10 MiB is refused", tenMiB, false, false},
		{"10 MiB is refused without a retry", tenMiB, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, s := newMisbehaving(t, Config{}, func(w http.ResponseWriter, _ *http.Request, _ int64) {
				w.Header().Set("Content-Length", itoa(int64(tt.size)))
				chunk := []byte(strings.Repeat("x", 32<<10))
				for left := tt.size; left > 0; left -= len(chunk) {
					if _, err := w.Write(chunk[:min(left, len(chunk))]); err != nil {
						return
					}
				}
			})
			var read atomic.Int64
			c.http = &http.Client{Transport: merchantCountingTransport{s.srv.Client().Transport, &read}}
			body, err := c.do(context.Background(), transportCall(c, tt.idempotent))
			if tt.ok {
				require.NoError(t, err)
				assert.Len(t, body, tt.size)
				return
			}
			ae := merchantRequireAPIError(t, err, "TestOp")
			assert.ErrorIs(t, err, errBodyTooLarge)
			assert.Contains(t, ae.Error(), "1 MiB")
			assert.LessOrEqual(t, read.Load(), int64(maxResponseBody+1), "read past the cap")
			assert.EqualValues(t, 1, s.hits.Load())
		})
	}
}

// TestTransportDeadline: a body that stalls after its first bytes is not
// waited for past the deadline, and not retried. An answer that never
// comes is TestCallsStopAtDeadline's (the emulator's FaultDelay).
func TestTransportDeadline(t *testing.T) {
	for _, idempotent := range []bool{false, true} {
		t.Run("body stalls, idempotent "+strconv.FormatBool(idempotent), func(t *testing.T) {
			var s *misbehaving
			c, s := newMisbehaving(t, Config{}, func(w http.ResponseWriter, r *http.Request, n int64) {
				s.slowBody(w, r, n)
			})
			ctx, cancel := context.WithTimeout(context.Background(), slowDeadline)
			defer cancel()
			_, err := c.do(ctx, transportCall(c, idempotent))
			merchantRequireAPIError(t, err, "TestOp")
			assert.ErrorIs(t, err, context.DeadlineExceeded)
			// At most: on a loaded machine the deadline may pass before the
			// request is even sent.
			assert.LessOrEqual(t, s.hits.Load(), int64(1), "no retry once the context is done")
		})
	}
}

func TestTransportHeaders(t *testing.T) {
	c, s := newMisbehaving(t, Config{}, text(200, "OK"))
	_, err := c.do(context.Background(), transportCall(c, false))
	require.NoError(t, err)
	s.mu.Lock()
	defer s.mu.Unlock()
	require.Len(t, s.agents, 1)
	assert.Contains(t, s.agents[0], "robokassa-go/"+Version, "User-Agent names the library and version")
	assert.Equal(t, "application/x-www-form-urlencoded", s.ctypes[0])
}

func TestTransportErrorBodyRedacted(t *testing.T) {
	const sig = "0123456789abcdef0123456789abcdef" // what transportCall sends
	const sig512 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08" +
		"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
	const pass3 = "p@ss word/1"
	secrets := []string{sig, strings.ToUpper(sig), sig512, merchantPass1, merchantPass2,
		pass3, url.QueryEscape(pass3), url.PathEscape(pass3), urlEncode(pass3)}
	tests := []struct {
		name string
		body func(r *http.Request) string
	}{
		{"form echo", func(r *http.Request) string { return r.PostForm.Encode() }},
		{"form echo with passwords", func(*http.Request) string {
			return url.Values{"SignatureValue": {sig}, "Password1": {merchantPass1}, "Password3": {pass3}}.Encode()
		}},
		{"json", func(*http.Request) string {
			return `{"SignatureValue": "` + sig + `", "password": "` + merchantPass2 + `"}`
		}},
		{"json array", func(*http.Request) string { return `{"SignatureValue":["` + sig + `"]}` }},
		{"xml", func(*http.Request) string {
			return `<r><Signature>` + sig512 + `</Signature><SignatureValue>` + sig + `</SignatureValue></r>`
		}},
		{"free text", func(*http.Request) string {
			return "error 29: signature " + strings.ToUpper(sig) + " does not match; expected " + sig512
		}},
		{"html form echo", func(*http.Request) string {
			return `<form><input type="hidden" name="SignatureValue" value="` + sig + `"></form>`
		}},
		{"header-like", func(*http.Request) string { return "SignatureValue: " + sig }},
		{"go map dump", func(r *http.Request) string { return "got map[SignatureValue:[" + sig + "]]" }},
		{"raw passwords", func(*http.Request) string {
			return merchantPass1 + " " + merchantPass2 + " " + pass3
		}},
		{"encoded password", func(*http.Request) string {
			return "pw=" + url.QueryEscape(pass3) + " " + urlEncode(pass3) + " " + url.PathEscape(pass3)
		}},
		{"after 512 bytes", func(*http.Request) string { return strings.Repeat(".", 600) + sig + merchantPass1 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := newMisbehaving(t, Config{Password1: merchantPass1, Password2: merchantPass2, Password3: pass3},
				func(w http.ResponseWriter, r *http.Request, _ int64) {
					w.WriteHeader(http.StatusInternalServerError)
					_, _ = io.WriteString(w, tt.body(r))
				})
			_, err := c.do(context.Background(), transportCall(c, false))
			ae := merchantRequireAPIError(t, err, "TestOp")
			assert.NotEmpty(t, ae.Body)
			for _, secret := range secrets {
				assert.NotContains(t, ae.Body, secret)
				assert.NotContains(t, err.Error(), secret)
			}
		})
	}
}

func TestTransportErrorBodyTruncatedToValidUTF8(t *testing.T) {
	// One ASCII byte, then two-byte runes: byte 512 falls inside a rune.
	body := "x" + strings.Repeat("ж", 400)
	c, _ := newMisbehaving(t, Config{}, text(500, body))
	_, err := c.do(context.Background(), transportCall(c, false))
	ae := merchantRequireAPIError(t, err, "TestOp")
	assert.LessOrEqual(t, len(ae.Body), maxErrorBody+32)
	assert.True(t, utf8.ValidString(ae.Body), "Body is cut inside a UTF-8 sequence: %q", ae.Body[len(ae.Body)-20:])
}

// do is send for the transport tests, which look at the body alone.
func (c *Client) do(ctx context.Context, r call) ([]byte, error) {
	rp, err := c.send(ctx, r)
	if err != nil {
		return nil, err
	}
	return rp.body, nil
}

// replyOf wraps body as a 200 answer to op, for the parsers' tests.
func (c *Client) replyOf(op string, body []byte) *reply {
	return &reply{c: c, op: op, status: http.StatusOK, body: body}
}
