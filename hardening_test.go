package robokassa

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Regression tests for the defects of issue #7, each with its
// reproduction.

func md5Upper(s string) string {
	sum := md5.Sum([]byte(s))
	return strings.ToUpper(hex.EncodeToString(sum[:]))
}

// TestNotificationCannotBeRecut: ':' is not escaped in the signed string,
// so "&Shp_user=42" → ":Shp_user=42" moved a parameter into another's
// value with the signature intact. Such values and names are refused.
func TestNotificationCannotBeRecut(t *testing.T) {
	c := resultClient(t)
	sig := md5Upper("990.000000:12:password_2:Shp_order=12:Shp_user=42")
	genuine := "OutSum=990.000000&InvId=12&SignatureValue=" + sig + "&Shp_order=12&Shp_user=42"
	n, err := c.VerifyResult(mustForm(t, genuine))
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"order": "12", "user": "42"}, n.Shp)

	recut := strings.Replace(genuine, "&Shp_user=42", ":Shp_user=42", 1)
	require.Equal(t, "12:Shp_user=42", mustForm(t, recut).Get("Shp_order"), "the reproduction")
	_, err = c.VerifyResult(mustForm(t, recut))
	require.ErrorIs(t, err, ErrInvalidParam)
	assert.EqualError(t, err, `robokassa: invalid parameter "Shp_order"`)

	for _, value := range []string{"1:shp_x=2", "1:SHP_user=", "a:Shp_=b", ":Shp_a_b9=c"} {
		v := url.Values{"OutSum": {"1"}, "InvId": {"1"}, "SignatureValue": {"00"}, "Shp_a": {value}}
		_, err := c.VerifyResult(v)
		assert.ErrorIs(t, err, ErrInvalidParam, value)
	}
	for _, name := range []string{"Shp_a-b", "Shp_a:b", "Shp_заказ", "Shp_", "Shp_a=b"} {
		v := url.Values{"OutSum": {"1"}, "InvId": {"1"}, "SignatureValue": {"00"}, name: {"1"}}
		_, err := c.VerifyResult(v)
		assert.ErrorIs(t, err, ErrInvalidParam, name)
	}
	// Ordinary colons (times, URLs) keep working.
	for _, value := range []string{"10:30", "https://shop.example/a?b=c", "a:Shp", "x:Shp_y", ":Shp_-=1"} {
		base := "1.000000:5:password_2:Shp_note=" + value
		v := url.Values{"OutSum": {"1.000000"}, "InvId": {"5"}, "SignatureValue": {md5Upper(base)}, "Shp_note": {value}}
		n, err := c.VerifyResult(v)
		require.NoError(t, err, value)
		assert.Equal(t, value, n.RawShp()["note"])
	}
}

// TestImplausibleNotificationRefusedBeforeHashing: 20,000 Shp_ parameters
// used to cost seconds of CPU before the signature was rejected.
func TestImplausibleNotificationRefusedBeforeHashing(t *testing.T) {
	c := resultClient(t)
	v := url.Values{"OutSum": {"1"}, "InvId": {"1"}, "SignatureValue": {"00"}}
	for i := 0; i < 20000; i++ {
		v.Set("Shp_"+strconv.Itoa(i), "")
	}
	_, err := c.VerifyResult(v)
	require.ErrorIs(t, err, errTooManyParams)
	assert.ErrorIs(t, err, ErrInvalidParam)

	// At the limit, every alternative order is still tried (and fails).
	v = url.Values{"OutSum": {"1"}, "InvId": {"1"}, "SignatureValue": {"00"}}
	for i := 0; len(v) < maxNotificationParams; i++ {
		v.Set("Shp_"+strconv.Itoa(i), "x")
	}
	_, err = c.VerifyResult(v)
	assert.ErrorIs(t, err, ErrBadSignature)
}

// TestRawShp: values that something other than this SDK left unencoded
// come back decoded in Shp and as received in RawShp.
func TestRawShp(t *testing.T) {
	c := resultClient(t)
	base := "1.000000:5:password_2:Shp_x=a+b%20c:Shp_y=plain"
	form := "OutSum=1.000000&InvId=5&SignatureValue=" + md5Upper(base) + "&Shp_x=a%2Bb%2520c&Shp_y=plain"
	n, err := c.VerifyResult(mustForm(t, form))
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"x": "a b c", "y": "plain"}, n.Shp)
	raw := n.RawShp()
	assert.Equal(t, map[string]string{"x": "a+b%20c", "y": "plain"}, raw)
	raw["x"] = "changed"
	assert.Equal(t, "a+b%20c", n.RawShp()["x"], "RawShp returns a copy")
	assert.Nil(t, (&Notification{}).RawShp())
}

// TestNewClientRefusesMisconfiguration: a test password equal to its
// production twin lets a test notification replayed without IsTest count
// as a real payment; a login with spaces never matches.
func TestNewClientRefusesMisconfiguration(t *testing.T) {
	for field, cfg := range map[string]Config{
		"Config.TestPassword1":  {MerchantLogin: "demo", Password1: "p1", TestPassword1: "p1"},
		"Config.TestPassword2":  {MerchantLogin: "demo", Password1: "p1", Password2: "p2", TestPassword1: "t1", TestPassword2: "p2", Test: true},
		"Config.MerchantLogin":  {MerchantLogin: " demo", Password1: "p1"},
		"Config.MerchantLogin ": {MerchantLogin: "demo\n", Password1: "p1"},
	} {
		_, err := NewClient(cfg)
		var ve *ValidationError
		require.ErrorAs(t, err, &ve, field)
		assert.Equal(t, strings.TrimSpace(field), ve.Field)
		assert.NotContains(t, err.Error(), "p1")
	}
}

// --- remote calls -----------------------------------------------------------

// remoteCalls is every call that reaches Robokassa, each with whether it
// moves money (sent once) or reads (retried).
func remoteCalls() []struct {
	name  string
	money bool
	call  func(context.Context, *Client) error
} {
	one := decimal.NewFromInt(1)
	return []struct {
		name  string
		money bool
		call  func(context.Context, *Client) error
	}{
		{"Recurring", true, func(ctx context.Context, c *Client) error {
			return c.Recurring(ctx, RecurringPayment{PreviousInvID: 1, InvID: 2, OutSum: one})
		}},
		{"ConfirmHold", true, func(ctx context.Context, c *Client) error {
			return c.ConfirmHold(ctx, HoldCapture{InvID: 2, OutSum: one})
		}},
		{"CancelHold", true, func(ctx context.Context, c *Client) error { return c.CancelHold(ctx, 2) }},
		{"CreateInvoice", true, func(ctx context.Context, c *Client) error {
			_, err := c.CreateInvoice(ctx, Invoice{Type: InvoiceOneTime, OutSum: one})
			return err
		}},
		{"DeactivateInvoice", true, func(ctx context.Context, c *Client) error {
			return c.DeactivateInvoice(ctx, InvoiceRef{InvID: 2})
		}},
		{"Refund", true, func(ctx context.Context, c *Client) error {
			_, err := c.Refund(ctx, RefundRequest{OpKey: "op-key"})
			return err
		}},
		{"AttachReceipt", true, func(ctx context.Context, c *Client) error {
			_, err := c.AttachReceipt(ctx, SecondReceipt{ID: "2", OriginInvID: 1, URL: "https://shop.example", Total: one,
				Items: []ReceiptItem{{Name: "a", Quantity: one, Sum: one, Tax: TaxNone}}, Email: "a@b.c"})
			return err
		}},
		{"OpStateExt", false, func(ctx context.Context, c *Client) error {
			_, err := c.OpState(ctx, 2)
			return err
		}},
		{"GetCurrencies", false, func(ctx context.Context, c *Client) error {
			_, err := c.Currencies(ctx, "")
			return err
		}},
		{"GetInvoiceInformationList", false, func(ctx context.Context, c *Client) error {
			_, err := c.Invoices(ctx, InvoiceQuery{})
			return err
		}},
		{"RefundStatus", false, func(ctx context.Context, c *Client) error {
			_, err := c.RefundStatus(ctx, "req-1")
			return err
		}},
		{"ReceiptStatus", false, func(ctx context.Context, c *Client) error {
			_, err := c.ReceiptStatus(ctx, "2")
			return err
		}},
	}
}

var hardenedConfig = Config{MerchantLogin: "demo", Password1: "Pass-One-1", Password2: "Pass-Two-2",
	TestPassword1: "Test-One-1", TestPassword2: "Test-Two-2", Password3: "Pass-Three-3"}

func hardenedClient(t *testing.T, base string, hc *http.Client) *Client {
	cfg := hardenedConfig
	cfg.AuthURL, cfg.ServicesURL, cfg.FiscalURL, cfg.HTTPClient = base, base, base, hc
	c, err := NewClient(cfg)
	require.NoError(t, err)
	return c
}

// TestRemoteCallsNeverFollowRedirects: a 307 used to re-POST a signed
// form, a refund JWT or a fiscal envelope to whatever host Location
// named, and a 302 turned a money call into a body-less GET taken as
// success. Any 3xx is an *APIError, also with the caller's HTTPClient.
func TestRemoteCallsNeverFollowRedirects(t *testing.T) {
	var elsewhere atomic.Int64
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		elsewhere.Add(1)
		_, _ = w.Write([]byte(`OK2`))
	}))
	t.Cleanup(other.Close)
	for _, status := range []int{http.StatusMovedPermanently, http.StatusFound, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		var hits atomic.Int64
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			hits.Add(1)
			http.Redirect(w, r, other.URL+"/steal", status)
		}))
		t.Cleanup(srv.Close)
		for _, hc := range []*http.Client{nil, {Timeout: 5 * time.Second}, {CheckRedirect: func(*http.Request, []*http.Request) error { return nil }}} {
			c := hardenedClient(t, srv.URL, hc)
			for _, rc := range remoteCalls() {
				hits.Store(0)
				err := rc.call(context.Background(), c)
				var ae *APIError
				require.ErrorAs(t, err, &ae, "%s %d", rc.name, status)
				assert.Equal(t, status, ae.Status, rc.name)
				assert.EqualValues(t, 1, hits.Load(), "%s: a 3xx is not retried", rc.name)
			}
		}
	}
	assert.Zero(t, elsewhere.Load(), "nothing reached the host Location named")
}

// TestReadsRetriedOn429: reads honour Retry-After within the context's
// deadline; money-moving calls are still sent once.
func TestReadsRetriedOn429(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Retry-After", "0")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	t.Cleanup(srv.Close)
	c := hardenedClient(t, srv.URL, nil)
	for _, rc := range remoteCalls() {
		hits.Store(0)
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		err := rc.call(ctx, c)
		cancel()
		var ae *APIError
		require.ErrorAs(t, err, &ae, rc.name)
		assert.Equal(t, http.StatusTooManyRequests, ae.Status)
		want := int64(retryAttempts)
		if rc.money {
			want = 1
		}
		assert.Equal(t, want, hits.Load(), rc.name)
	}

	// A Retry-After past the deadline is not waited for.
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	t.Cleanup(slow.Close)
	hits.Store(0)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	start := time.Now()
	_, err := hardenedClient(t, slow.URL, nil).OpState(ctx, 2)
	require.Error(t, err)
	assert.EqualValues(t, 1, hits.Load())
	assert.Less(t, time.Since(start), 5*time.Second)
}

// TestRemoteErrorsCarryNoSecret: a server that echoes the request back,
// in every shape (raw, URL-decoded, inside XML or JSON that fails to
// decode), never gets a password of the Config (the test pair too) or a
// signature, token or envelope the client sent into an error.
func TestRemoteErrorsCarryNoSecret(t *testing.T) {
	var sent atomic.Value
	sent.Store("")
	for _, shape := range []struct {
		name   string
		status int
		echo   func(body []byte, r *http.Request) []byte
	}{
		{"raw 400", 400, func(b []byte, r *http.Request) []byte { return append(b, r.URL.RawQuery...) }},
		{"decoded 500", 500, func(b []byte, r *http.Request) []byte {
			d, _ := url.QueryUnescape(string(b) + r.URL.RawQuery)
			return []byte(d)
		}},
		{"xml name 200", 200, func(b []byte, r *http.Request) []byte {
			v, _ := url.ParseQuery(string(b) + r.URL.RawQuery)
			var s []byte
			for _, vs := range v {
				for _, x := range vs {
					s = append(s, "<"+x+">"...)
				}
			}
			return append([]byte(`<?xml version="1.0"?><`), s...)
		}},
		{"json 200", 200, func(b []byte, r *http.Request) []byte {
			return append(append([]byte(`{"success":`), bytes.Trim(b, `"`)...), '}')
		}},
		{"json message 401", 401, func(b []byte, r *http.Request) []byte {
			m, _ := json.Marshal(map[string]string{"message": string(b) + r.URL.RawQuery})
			return m
		}},
		{"plain 200", 200, func(b []byte, r *http.Request) []byte { return append([]byte("error 29: "), b...) }},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			sent.Store(string(b) + "&" + r.URL.RawQuery)
			w.WriteHeader(shape.status)
			_, _ = w.Write(shape.echo(b, r))
		}))
		t.Cleanup(srv.Close)
		c := hardenedClient(t, srv.URL, nil)
		for _, rc := range remoteCalls() {
			err := rc.call(context.Background(), c)
			require.Error(t, err, "%s %s", shape.name, rc.name)
			msg := err.Error()
			var ae *APIError
			require.ErrorAs(t, err, &ae)
			all := msg + ae.Body + ae.Message
			for _, p := range []string{"Pass-One-1", "Pass-Two-2", "Test-One-1", "Test-Two-2", "Pass-Three-3"} {
				assert.NotContains(t, all, p, "%s %s", shape.name, rc.name)
			}
			for _, s := range sentSecrets(sent.Load().(string)) {
				assert.NotContains(t, all, s, "%s %s: a sent signature survived", shape.name, rc.name)
			}
		}
	}
}

// sentSecrets picks what proves the shop's identity out of a request as
// the test server saw it: signatures, a JWT, the fiscal envelope's S.
func sentSecrets(req string) []string {
	var out []string
	body, query, _ := strings.Cut(req, "&")
	for _, part := range []string{body, query} {
		if v, err := url.ParseQuery(part); err == nil {
			for _, k := range []string{"SignatureValue", "Signature"} {
				if s := v.Get(k); len(s) >= 8 {
					out = append(out, s)
				}
			}
		}
	}
	tok := strings.Trim(body, `"`)
	if strings.Count(tok, ".") == 2 && strings.HasPrefix(tok, "eyJ") {
		out = append(out, tok, tok[strings.LastIndexByte(tok, '.')+1:])
	}
	if strings.Count(tok, ".") == 1 { // the fiscal envelope B.S
		out = append(out, tok[strings.IndexByte(tok, '.')+1:])
	}
	return out
}

// --- handlers ---------------------------------------------------------------

// TestHandlersFailWhereBuilt: a handler that could only ever answer 400
// (no Password #2) or 500 (no function, no usable key) is an error when
// it is built.
func TestHandlersFailWhereBuilt(t *testing.T) {
	fn := func(context.Context, *Notification) error { return nil }
	noPass2, err := NewClient(Config{MerchantLogin: "demo", Password1: "p1"})
	require.NoError(t, err)
	_, err = noPass2.ResultHandler(fn)
	assert.ErrorIs(t, err, ErrNoPassword2)
	_, err = resultClient(t).ResultHandler(nil)
	assert.ErrorIs(t, err, ErrInvalidParam)

	key, _, _ := resultURL2TestKeys(t)
	fn2 := func(context.Context, *PaymentStateNotification) error { return nil }
	_, err = resultClient(t).ResultURL2Handler(nil, fn2)
	assert.ErrorIs(t, err, ErrInvalidParam)
	_, err = resultClient(t).ResultURL2Handler(&key.PublicKey, nil)
	assert.ErrorIs(t, err, ErrInvalidParam)
}

// TestHandlerLogsRefusals: with a wrong password orders used to stay
// unpaid while nobody was told. Every refusal is logged at Warn with the
// reason, the InvId when numeric, the remote address and the mode; a
// panic in the shop's function is recovered, logged at Error and
// answered 500. No password, signature or raw body reaches the log.
func TestHandlerLogsRefusals(t *testing.T) {
	var logged bytes.Buffer
	cfg := Config{MerchantLogin: "demo", Password1: "password_1", Password2: "password_2",
		Logger: slog.New(slog.NewJSONHandler(&logged, nil))}
	c, err := NewClient(cfg)
	require.NoError(t, err)
	panicky := false
	h, err := c.ResultHandler(func(ctx context.Context, n *Notification) error {
		if panicky {
			panic("nil map in the shop's code")
		}
		if n.InvID == 12 {
			return errors.New("database is down")
		}
		return nil
	})
	require.NoError(t, err)
	serve := func(method, body string) (int, map[string]any) {
		logged.Reset()
		r := httptest.NewRequest(method, "/result", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.RemoteAddr = "185.59.216.65:4242"
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		var line map[string]any
		if logged.Len() > 0 {
			require.NoError(t, json.Unmarshal(logged.Bytes(), &line), logged.String())
		}
		return w.Code, line
	}
	forged := strings.Replace(goodResult, "OutSum=990.000000", "OutSum=1.000000", 1)
	tests := []struct {
		name, method, body string
		status             int
		level, reason      string
		invID              string
	}{
		{"bad signature", "POST", forged, 400, "WARN", "bad signature", "12"},
		{"duplicate parameter", "POST", goodResult + "&OutSum=1", 400, "WARN", `duplicate parameter "OutSum"`, "12"},
		{"test notification in production", "POST", goodResult + "&IsTest=1", 400, "WARN", "test-mode notification", "12"},
		{"missing InvId", "POST", "OutSum=1&SignatureValue=00", 400, "WARN", `missing parameter "InvId"`, ""},
		{"InvId not a number", "POST", "OutSum=1&InvId=%3Cscript%3E&SignatureValue=00", 400, "WARN", "bad signature", ""},
		{"method", "PUT", goodResult, 405, "WARN", `method "PUT" not allowed`, ""},
		{"body too large", "POST", goodResult + "&x=" + strings.Repeat("a", maxNotificationBody), 400, "WARN", "body larger than", ""},
		{"shop's error", "POST", goodResult, 500, "WARN", "the shop's handler failed: database is down", "12"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, line := serve(tt.method, tt.body)
			assert.Equal(t, tt.status, status)
			require.NotNil(t, line, "a refusal is logged")
			assert.Equal(t, tt.level, line["level"])
			assert.Contains(t, line["reason"], tt.reason)
			assert.Equal(t, "185.59.216.65:4242", line["remote_addr"])
			assert.Equal(t, "production", line["mode"])
			assert.Equal(t, "ResultURL", line["handler"])
			if tt.invID != "" {
				assert.Equal(t, tt.invID, line["inv_id"])
			} else {
				assert.NotContains(t, line, "inv_id")
			}
			raw, _ := json.Marshal(line)
			for _, secret := range []string{"password_2", "56471DF356C976AB61F7BBB13FEC0D24", "buyer@example.com", "script"} {
				assert.NotContains(t, string(raw), secret)
			}
		})
	}
	t.Run("panic", func(t *testing.T) {
		panicky = true
		defer func() { panicky = false }()
		status, line := serve("POST", strings.Replace(goodResult, "InvId=12", "InvId=12", 1))
		assert.Equal(t, http.StatusInternalServerError, status)
		require.NotNil(t, line)
		assert.Equal(t, "ERROR", line["level"])
		assert.Contains(t, line["reason"], "nil map in the shop's code")
	})
	t.Run("accepted is not logged", func(t *testing.T) {
		sig := md5Upper("990.000000:13:password_2")
		status, line := serve("POST", "OutSum=990.000000&InvId=13&SignatureValue="+sig)
		assert.Equal(t, http.StatusOK, status)
		assert.Nil(t, line)
	})
}
