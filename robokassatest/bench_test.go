package robokassatest_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/robokassa-go/robokassa"
	"github.com/robokassa-go/robokassa/robokassatest"
)

// inputValue returns the value of the hidden input named name, as a
// browser's form parser finds it, or "".
func inputValue(page, name string) string {
	marker := `name="` + name + `" value="`
	i := strings.Index(page, marker)
	if i < 0 {
		return ""
	}
	rest := page[i+len(marker):]
	if j := strings.IndexByte(rest, '"'); j >= 0 {
		return rest[:j]
	}
	return ""
}

// BenchmarkPayFlow measures the whole pay flow — link → page → Pay →
// ResultURL notification verified and acknowledged by the shop's
// handler → the redirect answered — three HTTP round trips, beside a bare
// net/http loop making the same three round trips to a handler that
// answers "OK", interleaved in the same run. It reports both rates and
// their ratio (the goal is ≥ 0.5).
func BenchmarkPayFlow(b *testing.B) {
	var result http.Handler
	shop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { result.ServeHTTP(w, r) }))
	defer shop.Close()
	srv := robokassatest.NewServer(robokassatest.Shop{MerchantLogin: "demo", Password1: "p1", Password2: "p2",
		Algorithm: robokassa.SHA256, ResultURL: shop.URL + "/result", SuccessURL: shop.URL + "/success"})
	defer srv.Close()
	client := srv.Client()
	result, _ = client.ResultHandler(func(context.Context, *robokassa.Notification) error { return nil })
	bare := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "OK") }))
	defer bare.Close()

	tr := &http.Transport{MaxIdleConnsPerHost: 16}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	fetch := func(resp *http.Response, err error) string {
		if err != nil {
			b.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return string(body)
	}
	sum := decimal.RequireFromString("990")
	var flows, bares, pageT, payT time.Duration
	n, id := 0, int64(0)
	for b.Loop() {
		start := time.Now()
		id++
		link, err := client.PaymentURL(robokassa.Payment{OutSum: sum, InvID: id, Shp: map[string]string{"order": "x"}})
		if err != nil {
			b.Fatal(err)
		}
		t0 := time.Now()
		page := fetch(hc.Get(link))
		pageT += time.Since(t0)
		op, t := inputValue(page, "op"), inputValue(page, "t")
		if op == "" || t == "" {
			b.Fatalf("no form on the page: %.300s", page)
		}
		t0 = time.Now()
		resp, err := hc.PostForm(srv.URL+"/Merchant/Emulator/Submit", url.Values{"op": {op}, "t": {t}, "action": {"pay"}})
		fetch(resp, err)
		payT += time.Since(t0)
		if resp.StatusCode != http.StatusFound || !strings.HasPrefix(resp.Header.Get("Location"), shop.URL+"/success?") {
			b.Fatalf("pay answered %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		flows += time.Since(start)

		start = time.Now()
		for range 3 {
			fetch(hc.Get(bare.URL))
		}
		bares += time.Since(start)
		n++
	}
	if d := srv.Notifications(); !d[len(d)-2].OK {
		b.Fatal("the last notification was not acknowledged")
	}
	flowRate, bareRate := float64(n)/flows.Seconds(), float64(n)/bares.Seconds()
	b.ReportMetric(flowRate, "flows/s")
	b.ReportMetric(bareRate, "bare-flows/s")
	b.ReportMetric(flowRate/bareRate, "ratio")
	b.ReportMetric(float64(pageT.Microseconds())/float64(n), "page-us")
	b.ReportMetric(float64(payT.Microseconds())/float64(n), "pay-us")
	b.ReportMetric(float64(bares.Microseconds())/float64(n)/3, "bare-rt-us")
}
