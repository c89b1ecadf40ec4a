package robokassatest_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/robokassa-go/robokassa"
	"github.com/robokassa-go/robokassa/robokassatest"
)

// fuzzPaths are the pages a buyer's browser can reach.
var fuzzPaths = []string{
	"/Merchant/Index.aspx", "/Merchant/Payment/CoFPayment", "/Merchant/Emulator/Submit",
	"/Merchant/PaymentForm/Submit", "/merchant/Invoice/x",
}

// FuzzPaymentPage: whatever a stranger sends the payment pages — any
// method, query, body and content type — the server does not panic and
// answers an HTML page: the payment page (with its Pay button) or an
// error page (with its code).
func FuzzPaymentPage(f *testing.F) {
	valid := url.Values{"MerchantLogin": {"demo"}, "OutSum": {"10.00"}, "InvId": {"1"}}
	signed(robokassa.MD5, valid, "demo:10.00:1:p1")
	receipt := url.Values{"MerchantLogin": {"demo"}, "OutSum": {"10.00"}, "Receipt": {phpEncode(`{"items":[{"name":"a","quantity":1,"sum":10,"tax":"none"}]}`)}}
	signed(robokassa.MD5, receipt, "demo:10.00::"+receipt.Get("Receipt")+":p1")
	f.Add("GET", uint8(0), valid.Encode(), "", "")
	f.Add("POST", uint8(0), "", receipt.Encode(), "application/x-www-form-urlencoded")
	f.Add("POST", uint8(1), "Token=x&"+valid.Encode(), "", "")
	f.Add("POST", uint8(2), "", "op=1&t=00&action=pay", "application/x-www-form-urlencoded")
	f.Add("POST", uint8(3), "DefaultSum=1&OutSum=1e999999", "", "")
	f.Add("GET", uint8(4), "", "", "")
	f.Add("PUT", uint8(0), "OutSum=%zz", "%%%", "multipart/form-data; boundary=x")
	f.Add("POST", uint8(0), "", "Receipt=%7B%22items%22%3A%5B%7B%22quantity%22%3A1e99999999%7D%5D%7D&OutSum=1", "application/x-www-form-urlencoded")
	srv := robokassatest.NewServer(robokassatest.Shop{MerchantLogin: "demo", Password1: "p1", Password2: "p2", TestPassword1: "t1", TestPassword2: "t2"})
	f.Cleanup(srv.Close)
	f.Fuzz(func(t *testing.T, method string, path uint8, query, body, contentType string) {
		u, err := url.Parse(fuzzPaths[int(path)%len(fuzzPaths)])
		if err != nil {
			t.Fatal(err)
		}
		u.RawQuery = query
		req := &http.Request{Method: method, URL: u, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(body)),
			ContentLength: int64(len(body)), Host: "robokassa.test"}
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		req = req.WithContext(t.Context())
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, req)
		page := w.Body.String()
		if ct := w.Header().Get("Content-Type"); ct != "text/html; charset=utf-8" {
			t.Fatalf("status %d, Content-Type %q, body %.200q", w.Code, ct, page)
		}
		if code := pageCode(page); code < 0 {
			t.Fatalf("status %d: neither a payment page nor an error page: %.300q", w.Code, page)
		}
		if w.Code != http.StatusOK && w.Code != http.StatusMethodNotAllowed {
			t.Fatalf("status %d", w.Code)
		}
	})
}
