package robokassa_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/robokassa-go/robokassa"
	"github.com/robokassa-go/robokassa/robokassatest"
)

// The protocol tests: every remote call of the SDK against
// robokassatest.Server, whose signing and checking code is its own, not
// the SDK's, so the two implementations test each other. Expected values
// are what the test chose (the sums, ids and Shp it sent), what the
// emulator documents (its codes and catalogue), or what it reports of its
// own state (Server.Operation) — never what the SDK computed.

// Credentials of the emulator's default shop.
const (
	emuLogin = "demo"
	emuPass1 = "Secret-Pass-1"
	emuPass2 = "Secret-Pass-2"
	emuPass3 = "Secret-Pass-3"
	emuTest1 = "Secret-Test-1"
	emuTest2 = "Secret-Test-2"
)

// emulator is a robokassatest.Server for one test function, with what the
// tests read back: every request it served (through its Logger) and every
// request the client sent (through a recording transport).
type emulator struct {
	*robokassatest.Server
	log       *requestLog
	rec       *recorder
	transport *http.Transport
}

// newEmulator starts a server whose first shop is demo with every
// password set, edited by mods, and stops it when the test ends.
func newEmulator(t *testing.T, mods ...func(*robokassatest.Shop)) *emulator {
	t.Helper()
	shop := robokassatest.Shop{
		MerchantLogin: emuLogin, Password1: emuPass1, Password2: emuPass2, Password3: emuPass3,
		TestPassword1: emuTest1, TestPassword2: emuTest2,
	}
	for _, m := range mods {
		m(&shop)
	}
	srv := robokassatest.NewUnstartedServer(shop)
	e := &emulator{Server: srv, log: &requestLog{}, transport: &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 16}}
	e.rec = &recorder{base: e.transport}
	srv.Logger = slog.New(e.log)
	srv.Start()
	t.Cleanup(e.transport.CloseIdleConnections)
	t.Cleanup(srv.Close)
	return e
}

// config returns the Config of the shop with login (the first shop when
// login is ""), its HTTPClient the recording transport.
func (e *emulator) config(t *testing.T, login string) robokassa.Config {
	t.Helper()
	cfg := e.ClientConfig()
	if login != "" {
		var ok bool
		cfg, ok = e.ShopConfig(login)
		require.True(t, ok, "no shop %q", login)
	}
	cfg.HTTPClient = &http.Client{Transport: e.rec}
	return cfg
}

// client returns a client of the first shop, its Config edited by mods.
func (e *emulator) client(t *testing.T, mods ...func(*robokassa.Config)) *robokassa.Client {
	t.Helper()
	cfg := e.config(t, "")
	for _, m := range mods {
		m(&cfg)
	}
	c, err := robokassa.NewClient(cfg)
	require.NoError(t, err)
	return c
}

// shopClient adds a shop to the server and returns its client.
func (e *emulator) shopClient(t *testing.T, sh robokassatest.Shop) *robokassa.Client {
	t.Helper()
	require.NoError(t, e.AddShop(sh))
	c, err := robokassa.NewClient(e.config(t, sh.MerchantLogin))
	require.NoError(t, err)
	return c
}

// open shows the payment page of p as a buyer's browser would: the
// operation is created (state 5). The page must be a payment page, not an
// error page.
func (e *emulator) open(t *testing.T, c *robokassa.Client, p robokassa.Payment) {
	t.Helper()
	link, err := c.PaymentURL(p)
	require.NoError(t, err)
	code, page := e.visit(t, link)
	require.Equal(t, 0, code, "an error page: %.400s", page)
}

// visit GETs a link and returns the error code of the page it shows (0
// for a payment page) and the page.
func (e *emulator) visit(t *testing.T, link string) (int, string) {
	t.Helper()
	resp, err := (&http.Client{Transport: e.transport, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}).Get(link)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	page := string(b)
	if m := pageErrorRE.FindStringSubmatch(page); m != nil {
		n := 0
		for _, d := range m[1] {
			n = n*10 + int(d-'0')
		}
		return n, page
	}
	require.Contains(t, page, `id="pay"`, "neither a payment page nor an error page")
	return 0, page
}

// pageErrorRE finds the code of the emulator's error page.
var pageErrorRE = regexp.MustCompile(`id="error">error ([0-9]+)<`)

// pay opens the page of p and pays: state 100, or 20 (held) for
// StepByStep.
func (e *emulator) pay(t *testing.T, c *robokassa.Client, p robokassa.Payment) {
	t.Helper()
	e.open(t, c, p)
	require.NoError(t, e.Pay(p.InvID))
	want := robokassa.StatePaid
	if p.StepByStep {
		want = robokassa.StateHeld
	}
	require.Equal(t, want, e.state(t, p.InvID))
}

// state is the emulator's own record of the operation's state.
func (e *emulator) state(t *testing.T, invID int64) robokassa.State {
	t.Helper()
	op, ok := e.Operation(invID)
	require.True(t, ok, "no operation %d", invID)
	return op.State
}

// hits is how many requests the server served at ep (failed ones too).
func (e *emulator) hits(ep robokassatest.Endpoint) int { return e.log.count(ep) }

// waitHits waits until the server has served n requests at ep: a request
// on the wire may reach it after the client gave up on it.
func (e *emulator) waitHits(t *testing.T, ep robokassatest.Endpoint, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for e.hits(ep) < n && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	require.GreaterOrEqual(t, e.hits(ep), n, "the request sent never reached the emulator")
}

// settle closes the server, which returns once every request in flight
// has been answered: a request the client gave up on is then counted
// too. The emulator cannot be used afterwards.
func (e *emulator) settle() { e.Close() }

// requestLog is a slog.Handler that keeps the emulator's line per
// request ("robokassatest: request", with its endpoint and status).
type requestLog struct {
	mu      sync.Mutex
	entries []served
}

// served is one request the emulator answered.
type served struct {
	endpoint robokassatest.Endpoint
	path     string
	status   int64
	fault    string
}

func (l *requestLog) Enabled(context.Context, slog.Level) bool { return true }
func (l *requestLog) WithAttrs([]slog.Attr) slog.Handler       { return l }
func (l *requestLog) WithGroup(string) slog.Handler            { return l }

func (l *requestLog) Handle(_ context.Context, r slog.Record) error {
	if r.Message != "robokassatest: request" {
		return nil
	}
	var s served
	r.Attrs(func(a slog.Attr) bool {
		switch a.Key {
		case "endpoint":
			s.endpoint = robokassatest.Endpoint(a.Value.String())
		case "path":
			s.path = a.Value.String()
		case "status":
			s.status = a.Value.Int64()
		case "fault":
			s.fault = a.Value.String()
		}
		return true
	})
	l.mu.Lock()
	l.entries = append(l.entries, s)
	l.mu.Unlock()
	return nil
}

func (l *requestLog) count(ep robokassatest.Endpoint) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, s := range l.entries {
		if s.endpoint == ep {
			n++
		}
	}
	return n
}

// total is every request served, at any path.
func (l *requestLog) total() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.entries)
}

// recorder is an http.RoundTripper that keeps what the client sent and
// passes it on unchanged.
type recorder struct {
	base http.RoundTripper
	mu   sync.Mutex
	reqs []sentRequest
}

// sentRequest is one request as the client sent it.
type sentRequest struct {
	Method, Path, Query, ContentType, UserAgent string
	Body                                        []byte
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	s := sentRequest{Method: req.Method, Path: req.URL.Path, Query: req.URL.RawQuery,
		ContentType: req.Header.Get("Content-Type"), UserAgent: req.Header.Get("User-Agent")}
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		_ = req.Body.Close()
		if err != nil {
			return nil, err
		}
		s.Body = b
		req.Body = io.NopCloser(bytes.NewReader(b))
	}
	r.mu.Lock()
	r.reqs = append(r.reqs, s)
	r.mu.Unlock()
	return r.base.RoundTrip(req)
}

// len is how many requests were sent so far.
func (r *recorder) len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.reqs)
}

// since returns the requests sent after the first n.
func (r *recorder) since(n int) []sentRequest {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]sentRequest(nil), r.reqs[n:]...)
}

// sent returns the requests sent so far whose path ends with suffix
// (letter case ignored).
func (e *emulator) sent(suffix string) []sentRequest {
	e.rec.mu.Lock()
	defer e.rec.mu.Unlock()
	var out []sentRequest
	for _, s := range e.rec.reqs {
		if strings.HasSuffix(strings.ToLower(s.Path), strings.ToLower(suffix)) {
			out = append(out, s)
		}
	}
	return out
}

// requireAPIError asserts err is an *APIError of op and returns it.
func requireAPIError(t *testing.T, err error, op string) *robokassa.APIError {
	t.Helper()
	require.Error(t, err)
	var ae *robokassa.APIError
	require.True(t, errors.As(err, &ae), "not an *APIError: %T %v", err, err)
	assert.Equal(t, op, ae.Op)
	assert.True(t, strings.HasPrefix(err.Error(), "robokassa: "+op), err.Error())
	return ae
}

// requireValidation asserts err is a *ValidationError for field.
func requireValidation(t *testing.T, err error, field string) *robokassa.ValidationError {
	t.Helper()
	var ve *robokassa.ValidationError
	require.True(t, errors.As(err, &ve), "not a *ValidationError: %v", err)
	assert.Equal(t, field, ve.Field)
	assert.ErrorIs(t, err, robokassa.ErrInvalidParam)
	assert.True(t, strings.HasPrefix(err.Error(), "robokassa: invalid "), err.Error())
	return ve
}

// bg is a context for one call of a protocol test.
func bg(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// formOf parses a sent form body.
func formOf(t *testing.T, body []byte) url.Values {
	t.Helper()
	v, err := url.ParseQuery(string(body))
	require.NoError(t, err)
	return v
}

func itoa(n int) string { return strconv.Itoa(n) }

// phpEncode is PHP's urlencode, how Shp values are signed and sent (spec
// §3.2): url.QueryEscape, and '~' as %7E.
func phpEncode(s string) string { return strings.ReplaceAll(url.QueryEscape(s), "~", "%7E") }

// sortedKeys returns a form's names in order.
func sortedKeys(v url.Values) []string {
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// TestRequestLogCounts checks the counting the protocol tests rely on:
// "nothing sent" is only meaningful if every request is seen. Each call
// below is counted once at its endpoint, a fault too, and an unknown path
// in the total.
func TestRequestLogCounts(t *testing.T) {
	e := newEmulator(t)
	c := e.client(t)
	require.Zero(t, e.log.total())
	_, err := c.Limit(bg(t))
	require.NoError(t, err)
	assert.Equal(t, 1, e.hits(robokassatest.EndpointWebService))
	_, err = c.OpState(bg(t), 1)
	require.ErrorIs(t, err, robokassa.ErrNotFound)
	assert.Equal(t, 1, e.hits(robokassatest.EndpointOpStateExt))
	e.InjectFault(robokassatest.EndpointRecurring, robokassatest.Fault{Kind: robokassatest.FaultDrop})
	assert.Error(t, c.Recurring(bg(t), robokassa.RecurringPayment{PreviousInvID: 1, InvID: 2, OutSum: d("1")}))
	assert.Equal(t, 1, e.hits(robokassatest.EndpointRecurring), "a dropped connection is counted")
	nowhere := e.client(t, func(cfg *robokassa.Config) { cfg.AuthURL = e.URL + "/nowhere" })
	_, err = nowhere.Limit(bg(t))
	assert.Error(t, err)
	assert.Equal(t, 4, e.log.total())
	assert.Len(t, e.sent(""), 4, "the client sent as many")
}
