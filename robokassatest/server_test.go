package robokassatest_test

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/robokassa-go/robokassa"
	"github.com/robokassa-go/robokassa/robokassatest"
)

// TestCloseEndsEveryGoroutine: after a busy life (pages, payments, a
// delivery waiting a minute for its retry, a delayed request in flight)
// Close returns with the goroutine count back where it was.
func TestCloseEndsEveryGoroutine(t *testing.T) {
	settle := func(limit int) int {
		n := runtime.NumGoroutine()
		for deadline := time.Now().Add(3 * time.Second); n > limit && time.Now().Before(deadline); {
			time.Sleep(10 * time.Millisecond)
			n = runtime.NumGoroutine()
		}
		return n
	}
	before := runtime.NumGoroutine()

	refusing := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "down", http.StatusServiceUnavailable)
	})}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go func() { _ = refusing.Serve(l) }()

	srv := robokassatest.NewUnstartedServer(robokassatest.Shop{MerchantLogin: "m", Password1: "p1", Password2: "p2",
		ResultURL: "http://" + l.Addr().String() + "/result"})
	srv.Retries = robokassatest.RobokassaRetries // a retry now waits a minute
	srv.Start()
	tr := &http.Transport{}
	hc := &http.Client{Transport: tr}
	cfg := srv.ClientConfig()
	cfg.HTTPClient = hc
	c, err := robokassa.NewClient(cfg)
	require.NoError(t, err)
	for i := int64(1); i <= 5; i++ {
		link, err := c.PaymentURL(robokassa.Payment{OutSum: dec("1"), InvID: i})
		require.NoError(t, err)
		resp, err := hc.Get(link)
		require.NoError(t, err)
		readAll(t, resp)
		require.NoError(t, srv.Pay(i))
	}
	srv.InjectFault(robokassatest.EndpointOpStateExt, robokassatest.Fault{Kind: robokassatest.FaultDelay, Delay: time.Hour})
	inFlight := make(chan struct{})
	go func() {
		defer close(inFlight)
		callCtx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_, _ = c.OpState(callCtx, 1) // held by the delay until Close
	}()
	time.Sleep(50 * time.Millisecond)
	assert.Greater(t, runtime.NumGoroutine(), before)

	start := time.Now()
	srv.Close()
	// Right as Close returns, no goroutine runs the server's code.
	for _, g := range strings.Split(stacks(), "\n\n") {
		assert.NotContains(t, g, "robokassatest.(*Server)", "a server goroutine outlived Close")
	}
	assert.Less(t, time.Since(start), 3*time.Second, "Close does not wait for the hour-long delay or the minute-long retries")
	<-inFlight
	tr.CloseIdleConnections()
	require.NoError(t, refusing.Close())
	assert.LessOrEqual(t, settle(before), before, "goroutines left after Close:\n%s", stacks())
	srv.Close() // twice is fine
}

func stacks() string {
	buf := make([]byte, 1<<20)
	return string(buf[:runtime.Stack(buf, true)])
}

func TestLifecycle(t *testing.T) {
	shop := robokassatest.Shop{MerchantLogin: "m", Password1: "p1", Password2: "p2"}
	t.Run("unstarted server closes", func(t *testing.T) {
		srv := robokassatest.NewUnstartedServer(shop)
		assert.Empty(t, srv.URL)
		srv.Close()
	})
	t.Run("a chosen listener", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		srv := robokassatest.NewUnstartedServer(shop)
		require.NoError(t, srv.Listener.Close())
		srv.Listener = l
		srv.Start()
		defer srv.Close()
		assert.Equal(t, "http://"+l.Addr().String(), srv.URL)
		assert.Panics(t, srv.Start, "started twice")
	})
	t.Run("Client before Start", func(t *testing.T) {
		srv := robokassatest.NewUnstartedServer(shop)
		defer srv.Close()
		assert.Panics(t, func() { srv.Client() })
	})
	t.Run("invalid shop", func(t *testing.T) {
		assert.PanicsWithValue(t, "robokassatest: Shop.Password1 is required", func() {
			robokassatest.NewServer(robokassatest.Shop{MerchantLogin: "m"})
		})
	})
	t.Run("configs", func(t *testing.T) {
		srv := robokassatest.NewServer(robokassatest.Shop{MerchantLogin: "m", Password1: "p1", Password2: "p2",
			TestPassword1: "t1", TestPassword2: "t2", Password3: "p3", Algorithm: robokassa.SHA512})
		defer srv.Close()
		cfg := srv.ClientConfig()
		assert.Equal(t, robokassa.Config{MerchantLogin: "m", Password1: "p1", Password2: "p2", TestPassword1: "t1",
			TestPassword2: "t2", Password3: "p3", Algorithm: robokassa.SHA512,
			AuthURL: srv.URL, ServicesURL: srv.URL, FiscalURL: srv.URL}, cfg)
		_, ok := srv.ShopConfig("other")
		assert.False(t, ok)
		require.NoError(t, srv.AddShop(robokassatest.Shop{MerchantLogin: "other", Password1: "o1", Password2: "o2"}))
		other, ok := srv.ShopConfig("other")
		require.True(t, ok)
		assert.Equal(t, robokassa.Secret("o1"), other.Password1)
		assert.Same(t, srv.Client(), srv.Client())
		assert.Equal(t, "m", srv.Client().MerchantLogin())
		assert.False(t, srv.Client().Test())

		// The second shop has its own operations and signatures.
		oc, err := robokassa.NewClient(other)
		require.NoError(t, err)
		link, err := oc.PaymentURL(robokassa.Payment{OutSum: dec("2"), InvID: 1})
		require.NoError(t, err)
		_, page := newBrowser(t).get(link)
		require.Equal(t, 0, pageCode(page))
		require.NoError(t, srv.Pay(1))
		op, _ := srv.Operation(1)
		assert.Equal(t, "other", op.MerchantLogin)
		st, err := oc.OpState(context.Background(), 1)
		require.NoError(t, err)
		assert.Equal(t, robokassa.StatePaid, st.State)
		_, err = srv.Client().OpState(context.Background(), 1)
		assert.ErrorIs(t, err, robokassa.ErrNotFound, "shop m has no InvId 1")
	})
}

func TestAddShopRules(t *testing.T) {
	srv := robokassatest.NewServer(robokassatest.Shop{MerchantLogin: "m", Password1: "p1", Password2: "p2"})
	defer srv.Close()
	ok := robokassatest.Shop{MerchantLogin: "x", Password1: "a", Password2: "b"}
	tests := []struct {
		name, field, reason string
		edit                func(*robokassatest.Shop)
	}{
		{"login taken", "MerchantLogin", "taken by another shop", func(s *robokassatest.Shop) { s.MerchantLogin = "m" }},
		{"no login", "MerchantLogin", "is required", func(s *robokassatest.Shop) { s.MerchantLogin = "" }},
		{"spaces", "MerchantLogin", "surrounding spaces", func(s *robokassatest.Shop) { s.MerchantLogin = " x" }},
		{"no Password1", "Password1", "is required", func(s *robokassatest.Shop) { s.Password1 = "" }},
		{"no Password2", "Password2", "is required", func(s *robokassatest.Shop) { s.Password2 = "" }},
		{"test pair equals production", "TestPassword1", "must differ", func(s *robokassatest.Shop) { s.TestPassword1, s.TestPassword2 = "a", "t2" }},
		{"half a test pair", "TestPassword1", "a pair", func(s *robokassatest.Shop) { s.TestPassword1 = "t1" }},
		{"algorithm", "Algorithm", "must be one of", func(s *robokassatest.Shop) { s.Algorithm = "CRC32" }},
		{"relative URL", "ResultURL", "absolute", func(s *robokassatest.Shop) { s.ResultURL = "/result" }},
		{"method", "SuccessMethod", `"GET", "POST"`, func(s *robokassatest.Shop) { s.SuccessMethod = "PUT" }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := ok
			tc.edit(&s)
			err := srv.AddShop(s)
			var se *robokassatest.ShopError
			require.ErrorAs(t, err, &se)
			assert.Equal(t, tc.field, se.Field)
			assert.Contains(t, se.Reason, tc.reason)
			assert.Equal(t, "robokassatest: Shop."+tc.field+" "+se.Reason, err.Error())
			assert.NotContains(t, err.Error(), "a\"", "no password in the message")
			if tc.name != "login taken" { // the one rule that needs a server
				assert.Equal(t, err, s.Validate(), "Validate applies the same rule")
				assert.Panics(t, func() { robokassatest.NewUnstartedServer(s) })
			}
		})
	}
	require.NoError(t, ok.Validate())
	require.NoError(t, srv.AddShop(ok))
}

// syncBuffer is a log destination safe for concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestLogHasNoSecrets: a line per request and per attempt, without a
// password, a signature or a query string.
func TestLogHasNoSecrets(t *testing.T) {
	var buf syncBuffer
	srv, _ := setupFull(t, func(s *robokassatest.Shop) {
		s.Password1, s.Password2, s.Password3 = "secret-one", "secret-two", "secret-three"
	}, func(s *robokassatest.Server) { s.Logger = slog.New(slog.NewTextHandler(&buf, nil)) }, nil)
	c := srv.Client()
	link, err := c.PaymentURL(robokassa.Payment{OutSum: dec("5"), InvID: 7, Shp: map[string]string{"order": "7"}})
	require.NoError(t, err)
	_, body := payInBrowser(t, srv, link, "pay")
	require.Equal(t, "thank you", body)
	st, err := c.OpState(context.Background(), 7)
	require.NoError(t, err)
	_, err = c.Refund(context.Background(), robokassa.RefundRequest{OpKey: st.OpKey})
	require.NoError(t, err)

	out := buf.String()
	assert.Contains(t, out, "robokassatest: request")
	assert.Contains(t, out, "robokassatest: notification")
	assert.Contains(t, out, "endpoint=Index.aspx")
	assert.Contains(t, out, "kind=ResultURL")
	for _, secret := range []string{"secret-one", "secret-two", "secret-three", "SignatureValue", "?", "eyJ"} {
		assert.NotContains(t, out, secret)
	}
	sig := srv.Notifications()[0].Form.Get("SignatureValue")
	require.NotEmpty(t, sig)
	assert.NotContains(t, out, sig)
}
