package robokassa

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// merchantTestServer is an httptest server mounted under /base that
// records every request it gets and answers through reply.
type merchantTestServer struct {
	srv     *httptest.Server
	hits    atomic.Int64
	release chan struct{} // closed at cleanup: unblocks slow handlers

	mu       sync.Mutex
	paths    []string
	forms    []url.Values
	agents   []string
	ctypes   []string
	formErrs []error
}

// merchantReply answers the hit-th request (counting from 1).
type merchantReply func(w http.ResponseWriter, r *http.Request, hit int64)

const (
	merchantPass1 = "Secret-Pass-1"
	merchantPass2 = "Secret-Pass-2"
	merchantPass3 = "Secret-Pass-3"
)

// newMerchantTestServer starts a server and a client pointed at it. cfg
// supplies the login, passwords and algorithm (zero: demo / the
// merchantPass constants / MD5); AuthURL and HTTPClient are set here.
func newMerchantTestServer(t *testing.T, cfg Config, reply merchantReply) (*Client, *merchantTestServer) {
	t.Helper()
	s := &merchantTestServer{release: make(chan struct{})}
	mux := http.NewServeMux()
	mux.HandleFunc("/base/", func(w http.ResponseWriter, r *http.Request) {
		n := s.hits.Add(1)
		err := r.ParseForm()
		s.mu.Lock()
		s.paths = append(s.paths, strings.TrimPrefix(r.URL.Path, "/base"))
		s.forms = append(s.forms, r.PostForm)
		s.agents = append(s.agents, r.UserAgent())
		s.ctypes = append(s.ctypes, r.Header.Get("Content-Type"))
		s.formErrs = append(s.formErrs, err)
		s.mu.Unlock()
		reply(w, r, n)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("request outside /base: %s", r.URL.Path)
		http.NotFound(w, r)
	})
	s.srv = httptest.NewServer(mux)
	t.Cleanup(s.srv.Close)
	t.Cleanup(func() { close(s.release) }) // runs first: cleanups are LIFO

	if cfg.MerchantLogin == "" {
		cfg.MerchantLogin = "demo"
	}
	if cfg.Password1 == "" {
		cfg.Password1, cfg.Password2, cfg.Password3 = merchantPass1, merchantPass2, merchantPass3
	}
	cfg.AuthURL = s.srv.URL + "/base"
	cfg.HTTPClient = s.srv.Client()
	c, err := NewClient(cfg)
	require.NoError(t, err)
	return c, s
}

// request returns the i-th recorded request's path and form.
func (s *merchantTestServer) request(t *testing.T, i int) (string, url.Values) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	require.Greater(t, len(s.forms), i, "request %d was not received", i)
	require.NoError(t, s.formErrs[i])
	return s.paths[i], s.forms[i]
}

// merchantText answers with status and body.
func merchantText(status int, body string) merchantReply {
	return func(w http.ResponseWriter, _ *http.Request, _ int64) {
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}

// merchantHijack takes the connection from the server and hands it to f,
// which writes what it likes; the connection is closed afterwards.
func merchantHijack(t *testing.T, w http.ResponseWriter, f func(bw *bufio.ReadWriter)) {
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

// merchantDrop closes the connection without an answer.
func merchantDrop(t *testing.T) merchantReply {
	return func(w http.ResponseWriter, _ *http.Request, _ int64) { merchantHijack(t, w, nil) }
}

// merchantTruncated promises a 100-byte body, sends 3 bytes and closes.
func merchantTruncated(t *testing.T) merchantReply {
	return func(w http.ResponseWriter, _ *http.Request, _ int64) {
		merchantHijack(t, w, func(bw *bufio.ReadWriter) {
			_, _ = bw.WriteString("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\nOK1")
		})
	}
}

const merchantTenMiB = 10 << 20

// merchantHuge sends a 10 MiB body until the client goes away.
func merchantHuge(w http.ResponseWriter, _ *http.Request, _ int64) {
	w.Header().Set("Content-Length", "10485760")
	w.WriteHeader(http.StatusOK)
	chunk := []byte(strings.Repeat("OK", 16<<10)) // 32 KiB
	for sent := 0; sent < merchantTenMiB; sent += len(chunk) {
		if _, err := w.Write(chunk); err != nil {
			return
		}
	}
}

// merchantSlowDeadline bounds calls to the slow handlers below.
const merchantSlowDeadline = 200 * time.Millisecond

// merchantSlow answers nothing until the client gives up (or the test
// ends).
func (s *merchantTestServer) merchantSlow(w http.ResponseWriter, r *http.Request, _ int64) {
	select {
	case <-r.Context().Done():
	case <-s.release:
	}
}

// merchantSlowBody sends the headers and the start of a body, then stalls.
func (s *merchantTestServer) merchantSlowBody(w http.ResponseWriter, r *http.Request, _ int64) {
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, "OK")
	w.(http.Flusher).Flush()
	select {
	case <-r.Context().Done():
	case <-s.release:
	}
}

// merchantTransportCall is a POST form to /base/op.
func merchantTransportCall(c *Client, idempotent bool) call {
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

func TestTransportFaults(t *testing.T) {
	type fault struct {
		name   string
		reply  func(t *testing.T, s *merchantTestServer) merchantReply
		status int   // APIError.Status wanted
		is     error // errors.Is target, if any
	}
	faults := []fault{
		{name: "http 500", status: 500,
			reply: func(*testing.T, *merchantTestServer) merchantReply { return merchantText(500, "boom") }},
		{name: "http 400", status: 400,
			reply: func(*testing.T, *merchantTestServer) merchantReply { return merchantText(400, "bad") }},
		{name: "truncated body", is: io.ErrUnexpectedEOF,
			reply: func(t *testing.T, _ *merchantTestServer) merchantReply { return merchantTruncated(t) }},
		{name: "10 MiB body", is: errBodyTooLarge,
			reply: func(*testing.T, *merchantTestServer) merchantReply { return merchantHuge }},
		{name: "dropped connection",
			reply: func(t *testing.T, _ *merchantTestServer) merchantReply { return merchantDrop(t) }},
	}
	for _, f := range faults {
		t.Run(f.name, func(t *testing.T) {
			var s *merchantTestServer
			c, s := newMerchantTestServer(t, Config{}, func(w http.ResponseWriter, r *http.Request, n int64) {
				f.reply(t, s)(w, r, n)
			})
			body, err := c.do(context.Background(), merchantTransportCall(c, false))
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

func TestTransportNonIdempotentOnReusedConnection(t *testing.T) {
	// A dropped keep-alive connection is where an HTTP client is tempted
	// to resend: the money-moving POST must still go out once.
	var s *merchantTestServer
	c, s := newMerchantTestServer(t, Config{}, func(w http.ResponseWriter, r *http.Request, n int64) {
		if n == 1 {
			_, _ = io.WriteString(w, "warm")
			return
		}
		merchantDrop(t)(w, r, n)
	})
	body, err := c.do(context.Background(), merchantTransportCall(c, true))
	require.NoError(t, err)
	require.Equal(t, "warm", string(body))
	_, err = c.do(context.Background(), merchantTransportCall(c, false))
	merchantRequireAPIError(t, err, "TestOp")
	assert.EqualValues(t, 2, s.hits.Load(), "warm-up plus exactly one attempt")
}

func TestTransportIdempotentRetries(t *testing.T) {
	tests := []struct {
		name  string
		fail  func(t *testing.T) merchantReply
		fails int64
	}{
		{"5xx twice", func(*testing.T) merchantReply { return merchantText(503, "busy") }, 2},
		{"dropped connection", merchantDrop, 1},
		{"truncated body", merchantTruncated, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, s := newMerchantTestServer(t, Config{}, func(w http.ResponseWriter, r *http.Request, n int64) {
				if n <= tt.fails {
					tt.fail(t)(w, r, n)
					return
				}
				_, _ = io.WriteString(w, "fine")
			})
			body, err := c.do(context.Background(), merchantTransportCall(c, true))
			require.NoError(t, err)
			assert.Equal(t, "fine", string(body))
			assert.Equal(t, tt.fails+1, s.hits.Load())
		})
	}
}

func TestTransportIdempotentGivesUp(t *testing.T) {
	c, s := newMerchantTestServer(t, Config{}, merchantText(502, "down"))
	_, err := c.do(context.Background(), merchantTransportCall(c, true))
	ae := merchantRequireAPIError(t, err, "TestOp")
	assert.Equal(t, 502, ae.Status)
	assert.EqualValues(t, retryAttempts, s.hits.Load())
}

func TestTransportClientErrorNotRetried(t *testing.T) {
	c, s := newMerchantTestServer(t, Config{}, merchantText(404, "no"))
	_, err := c.do(context.Background(), merchantTransportCall(c, true))
	ae := merchantRequireAPIError(t, err, "TestOp")
	assert.Equal(t, 404, ae.Status)
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
		{"10 MiB is refused", merchantTenMiB, false, false},
		{"10 MiB is refused without a retry", merchantTenMiB, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, s := newMerchantTestServer(t, Config{}, func(w http.ResponseWriter, _ *http.Request, _ int64) {
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
			body, err := c.do(context.Background(), merchantTransportCall(c, tt.idempotent))
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

func TestTransportDeadline(t *testing.T) {
	tests := []struct {
		name       string
		slow       func(s *merchantTestServer) merchantReply
		idempotent bool
	}{
		{"no answer", func(s *merchantTestServer) merchantReply { return s.merchantSlow }, false},
		{"no answer, idempotent", func(s *merchantTestServer) merchantReply { return s.merchantSlow }, true},
		{"body stalls", func(s *merchantTestServer) merchantReply { return s.merchantSlowBody }, false},
		{"body stalls, idempotent", func(s *merchantTestServer) merchantReply { return s.merchantSlowBody }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s *merchantTestServer
			c, s := newMerchantTestServer(t, Config{}, func(w http.ResponseWriter, r *http.Request, n int64) {
				tt.slow(s)(w, r, n)
			})
			ctx, cancel := context.WithTimeout(context.Background(), merchantSlowDeadline)
			defer cancel()
			_, err := c.do(ctx, merchantTransportCall(c, tt.idempotent))
			merchantRequireAPIError(t, err, "TestOp")
			assert.ErrorIs(t, err, context.DeadlineExceeded)
			// At most: on a loaded machine the deadline may pass before the
			// request is even sent.
			assert.LessOrEqual(t, s.hits.Load(), int64(1), "no retry once the context is done")
		})
	}
}

// merchantCancelAtEOF cancels a context once a response body has been read to
// its end: the answer arrives whole, and the context is over right after.
type merchantCancelAtEOF struct {
	base   http.RoundTripper
	cancel context.CancelFunc
}

type merchantCancelAtEOFBody struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b merchantCancelAtEOFBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err == io.EOF {
		b.cancel()
	}
	return n, err
}

func (t merchantCancelAtEOF) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(r)
	if err == nil {
		resp.Body = merchantCancelAtEOFBody{resp.Body, t.cancel}
	}
	return resp, err
}

func TestTransportContextEndsDuringBackoff(t *testing.T) {
	// The server answers 503 and the caller's context ends before the
	// retry: the transport stops waiting and says why, keeping the answer.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c, s := newMerchantTestServer(t, Config{}, merchantText(http.StatusServiceUnavailable, "busy"))
	c.http = &http.Client{Transport: merchantCancelAtEOF{s.srv.Client().Transport, cancel}}
	_, err := c.do(ctx, merchantTransportCall(c, true))
	ae := merchantRequireAPIError(t, err, "TestOp")
	assert.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, http.StatusServiceUnavailable, ae.Status, "the last answer is kept")
	assert.EqualValues(t, 1, s.hits.Load())
}

func TestTransportContextAlreadyDone(t *testing.T) {
	c, s := newMerchantTestServer(t, Config{}, merchantText(200, "OK"))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.do(ctx, merchantTransportCall(c, true))
	merchantRequireAPIError(t, err, "TestOp")
	assert.ErrorIs(t, err, context.Canceled)
	assert.Zero(t, s.hits.Load())
}

func TestTransportHeaders(t *testing.T) {
	c, s := newMerchantTestServer(t, Config{}, merchantText(200, "OK"))
	_, err := c.do(context.Background(), merchantTransportCall(c, false))
	require.NoError(t, err)
	s.mu.Lock()
	defer s.mu.Unlock()
	require.Len(t, s.agents, 1)
	assert.Contains(t, s.agents[0], "robokassa-go/"+Version, "User-Agent names the library and version")
	assert.Equal(t, "application/x-www-form-urlencoded", s.ctypes[0])
}

func TestTransportErrorBodyRedacted(t *testing.T) {
	const sig = "0123456789abcdef0123456789abcdef" // what merchantTransportCall sends
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
			c, _ := newMerchantTestServer(t, Config{Password1: merchantPass1, Password2: merchantPass2, Password3: pass3},
				func(w http.ResponseWriter, r *http.Request, _ int64) {
					w.WriteHeader(http.StatusInternalServerError)
					_, _ = io.WriteString(w, tt.body(r))
				})
			_, err := c.do(context.Background(), merchantTransportCall(c, false))
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
	c, _ := newMerchantTestServer(t, Config{}, merchantText(500, body))
	_, err := c.do(context.Background(), merchantTransportCall(c, false))
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
