package robokassatest_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/robokassa-go/robokassa"
	"github.com/robokassa-go/robokassa/robokassatest"
)

func TestNotificationRetriedUntilOK(t *testing.T) {
	srv, shop := setup(t, nil)
	shop.mu.Lock()
	shop.refuse = 2 // the shop's database is down for two attempts
	shop.mu.Unlock()
	link, err := srv.Client().PaymentURL(robokassa.Payment{OutSum: dec("10"), InvID: 5})
	require.NoError(t, err)
	require.NoError(t, pageThenPay(t, srv, link))
	require.NoError(t, srv.Wait(ctx(t)))
	d := srv.Notifications()[0]
	require.Equal(t, robokassatest.KindResultURL, d.Kind)
	assert.True(t, d.OK)
	require.Len(t, d.Attempts, 3)
	assert.Equal(t, http.StatusInternalServerError, d.Attempts[0].Status)
	assert.Equal(t, http.StatusOK, d.Attempts[2].Status)
	assert.Equal(t, "OK5", d.Attempts[2].Body)
	gap := d.Attempts[1].At.Sub(d.Attempts[0].At)
	assert.GreaterOrEqual(t, gap, robokassatest.FastRetries[0], "waits follow the schedule")
	_, ok := shop.paidOrder(5)
	assert.True(t, ok)
}

// ackServer answers ResultURL with a fixed status and body and counts the
// calls, at most one at a time or several, as they come.
type ackServer struct {
	*httptest.Server
	calls, inFlight, maxInFlight atomic.Int32
	forms                        chan url.Values
}

func newAckServer(t *testing.T, status int, body string, hold time.Duration) *ackServer {
	a := &ackServer{forms: make(chan url.Values, 64)}
	a.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := a.inFlight.Add(1)
		defer a.inFlight.Add(-1)
		for {
			m := a.maxInFlight.Load()
			if n <= m || a.maxInFlight.CompareAndSwap(m, n) {
				break
			}
		}
		a.calls.Add(1)
		_ = r.ParseForm()
		a.forms <- r.Form
		time.Sleep(hold)
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(a.Close)
	return a
}

// payOnce makes a page for InvId id on srv and pays it.
func payOnce(t *testing.T, srv *robokassatest.Server, id int64, shp map[string]string) {
	link, err := srv.Client().PaymentURL(robokassa.Payment{OutSum: dec("990"), InvID: id, Shp: shp})
	require.NoError(t, err)
	require.NoError(t, pageThenPay(t, srv, link))
}

func TestNotificationAcknowledgement(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
		ok     bool
	}{
		{"OK<InvId>", 200, "OK7", true},
		{"a newline is not OK", 200, "OK7\n", false},
		{"another InvId", 200, "OK8", false},
		{"lower case", 200, "ok7", false},
		{"OK with status 500", 500, "OK7", false},
		{"empty", 200, "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := newAckServer(t, tc.status, tc.body, 0)
			srv := robokassatest.NewUnstartedServer(robokassatest.Shop{MerchantLogin: "m", Password1: "p1", Password2: "p2", ResultURL: a.URL})
			srv.Retries = []time.Duration{time.Millisecond, time.Millisecond}
			srv.Start()
			defer srv.Close()
			payOnce(t, srv, 7, nil)
			require.NoError(t, srv.Wait(ctx(t)))
			d := srv.Notifications()[0]
			assert.Equal(t, tc.ok, d.OK)
			want := 3 // 1 + len(Retries): bounded
			if tc.ok {
				want = 1
			}
			assert.Len(t, d.Attempts, want)
			assert.EqualValues(t, want, a.calls.Load())
		})
	}
}

// TestResultNotificationKnownAnswer: the emulator's ResultURL signature
// for a payment equals the one computed in Python for the same values
// (testdata/callbacks.json, "result, six-decimal OutSum, uppercase hex").
func TestResultNotificationKnownAnswer(t *testing.T) {
	raw, err := os.ReadFile("testdata/callbacks.json")
	require.NoError(t, err)
	var file struct {
		Vectors []struct{ Name, Body string }
	}
	require.NoError(t, json.Unmarshal(raw, &file))
	var want url.Values
	for _, v := range file.Vectors {
		if v.Name == "result, six-decimal OutSum, uppercase hex" {
			want, err = url.ParseQuery(v.Body)
			require.NoError(t, err)
		}
	}
	require.NotNil(t, want)

	a := newAckServer(t, 200, "OK12", 0)
	srv := robokassatest.NewServer(robokassatest.Shop{MerchantLogin: "demo", Password1: "password_1", Password2: "password_2", ResultURL: a.URL})
	defer srv.Close()
	payOnce(t, srv, 12, map[string]string{"order": "12", "user": "alice"})
	got := <-a.forms
	for _, k := range []string{"OutSum", "InvId", "SignatureValue", "Shp_order", "Shp_user", "PaymentMethod", "IncCurrLabel"} {
		assert.Equal(t, want.Get(k), got.Get(k), k)
	}
	assert.Equal(t, "24.750000", got.Get("Fee"), "2.5% of 990, six decimals")
	assert.Empty(t, got.Get("IsTest"))
}

func TestNotificationByGET(t *testing.T) {
	var query atomic.Value
	shop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		query.Store(r.Method + " " + r.URL.RawQuery)
		_, _ = io.WriteString(w, "OK3")
	}))
	defer shop.Close()
	srv := robokassatest.NewServer(robokassatest.Shop{MerchantLogin: "m", Password1: "p1", Password2: "p2",
		ResultURL: shop.URL + "/result?shop=1", ResultMethod: http.MethodGet})
	defer srv.Close()
	payOnce(t, srv, 3, nil)
	got := query.Load().(string)
	assert.True(t, strings.HasPrefix(got, "GET shop=1&"), got)
	assert.Contains(t, got, "InvId=3")
	assert.True(t, srv.Notifications()[0].OK)
}

func TestRedeliverConcurrently(t *testing.T) {
	a := newAckServer(t, 200, "OK40", 50*time.Millisecond)
	srv := robokassatest.NewServer(robokassatest.Shop{MerchantLogin: "m", Password1: "p1", Password2: "p2", ResultURL: a.URL})
	defer srv.Close()
	assert.ErrorIs(t, srv.Redeliver(40, 2), robokassatest.ErrNoOperation, "nothing was notified yet")
	payOnce(t, srv, 40, nil)
	require.NoError(t, srv.Redeliver(40, 6))
	assert.EqualValues(t, 7, a.calls.Load())
	assert.GreaterOrEqual(t, a.maxInFlight.Load(), int32(2), "the copies arrived at the same time")
	notes := srv.Notifications()
	require.Len(t, notes, 7)
	first := notes[0].Form
	for _, d := range notes {
		assert.True(t, d.OK)
		assert.Equal(t, first, d.Form, "the same notification, byte for byte")
	}
	assert.ErrorIs(t, srv.Redeliver(40, 0), robokassatest.ErrInvalidArgument)
}

// TestShopHandlerUnderConcurrentDuplicates: the SDK's ResultHandler and a
// shop's idempotent hook record one payment however many copies arrive.
func TestShopHandlerUnderConcurrentDuplicates(t *testing.T) {
	srv, shop := setup(t, nil)
	payOnce(t, srv, 41, nil)
	require.NoError(t, srv.Redeliver(41, 10))
	require.NoError(t, srv.Wait(ctx(t)))
	shop.mu.Lock()
	defer shop.mu.Unlock()
	assert.Equal(t, 11, shop.calls)
	assert.Len(t, shop.paid, 1)
}

// TestWaitHonoursContext: with a Robokassa-like schedule a refused
// notification keeps waiting; Wait gives up with the context, and Close
// ends the waiting delivery at once.
func TestWaitHonoursContext(t *testing.T) {
	a := newAckServer(t, 500, "no", 0)
	srv := robokassatest.NewUnstartedServer(robokassatest.Shop{MerchantLogin: "m", Password1: "p1", Password2: "p2", ResultURL: a.URL})
	srv.Retries = robokassatest.RobokassaRetries
	srv.Start()
	payOnce(t, srv, 9, nil)
	c, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	assert.ErrorIs(t, srv.Wait(c), context.DeadlineExceeded)
	start := time.Now()
	srv.Close()
	assert.Less(t, time.Since(start), 5*time.Second)
	assert.Len(t, srv.Notifications()[0].Attempts, 1)
	require.NoError(t, srv.Wait(context.Background()), "nothing in flight after Close")
}

func TestRetrySchedules(t *testing.T) {
	var fast time.Duration
	for _, d := range robokassatest.FastRetries {
		fast += d
	}
	assert.Less(t, fast, time.Second, "FastRetries: within well under a second")
	assert.Len(t, robokassatest.RobokassaRetries, 30)
	for _, d := range robokassatest.RobokassaRetries {
		assert.Equal(t, time.Minute, d)
	}
}

func TestNoResultURLNoNotification(t *testing.T) {
	srv := robokassatest.NewServer(robokassatest.Shop{MerchantLogin: "m", Password1: "p1", Password2: "p2"})
	defer srv.Close()
	link, err := srv.Client().PaymentURL(robokassa.Payment{OutSum: dec("1"), InvID: 1})
	require.NoError(t, err)
	_, done := payInBrowser(t, srv, link, "pay")
	assert.Contains(t, done, "Payment completed", "the emulator's own page: the shop set no SuccessURL")
	assert.Empty(t, srv.Notifications())
	op, _ := srv.Operation(1)
	assert.Equal(t, robokassa.StatePaid, op.State)
}

// TestConcurrentPayments drives many buyers at once (run with -race).
func TestConcurrentPayments(t *testing.T) {
	srv, shop := setup(t, nil)
	c := srv.Client()
	var wg sync.WaitGroup
	for i := int64(1); i <= 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			link, err := c.PaymentURL(robokassa.Payment{OutSum: dec("3"), InvID: i})
			assert.NoError(t, err)
			resp, err := http.Get(link)
			if !assert.NoError(t, err) {
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			assert.NoError(t, srv.Pay(i))
			_, err = c.OpState(context.Background(), i)
			assert.NoError(t, err)
		}()
	}
	wg.Wait()
	shop.mu.Lock()
	defer shop.mu.Unlock()
	assert.Len(t, shop.paid, 20)
	assert.Len(t, srv.Operations(), 20)
}
