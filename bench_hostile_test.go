package robokassa

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

// Benchmarks of issue #7: what hostile input costs, how link building
// scales with Shp pairs, and OpStateExt against a bare net/http POST.
// Each is measured beside its baseline in the same run; the README has
// the figures.

// shpNotification returns a ResultURL body with n empty Shp pairs (the
// shape of issue #7's reproduction: 5,000 of them fit in 64 KiB), signed
// with password_2 when valid, with a wrong signature otherwise.
func shpNotification(n int, valid bool) string {
	v := url.Values{"OutSum": {"990.000000"}, "InvId": {"12"}}
	names := make([]string, n)
	for i := range names {
		names[i] = "Shp_" + strconv.Itoa(i)
		v.Set(names[i], "")
	}
	sort.Strings(names)
	base := "990.000000:12:password_2"
	for _, k := range names {
		base += ":" + k + "=" + v.Get(k)
	}
	sig := strings.Repeat("0", 32)
	if valid {
		sum := md5.Sum([]byte(base))
		sig = strings.ToUpper(hex.EncodeToString(sum[:]))
	}
	v.Set("SignatureValue", sig)
	return v.Encode()
}

// BenchmarkHostileNotification: the ResultURL handler (parse, verify,
// answer) against url.ParseQuery of the same body, for 10 … 5,000 Shp
// pairs, valid and forged. Above 128 parameters a notification is
// refused before any hashing or sorting.
func BenchmarkHostileNotification(b *testing.B) {
	c, err := NewClient(Config{MerchantLogin: "demo", Password1: "password_1", Password2: "password_2",
		Logger: discardLogger()})
	if err != nil {
		b.Fatal(err)
	}
	h, err := c.ResultHandler(func(context.Context, *Notification) error { return nil })
	if err != nil {
		b.Fatal(err)
	}
	for _, n := range []int{10, 100, 1000, 5000} {
		for _, valid := range []bool{true, false} {
			body := shpNotification(n, valid)
			name := strconv.Itoa(n) + "/forged"
			if valid {
				name = strconv.Itoa(n) + "/valid"
			}
			b.Run(name+"/handler", func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(int64(len(body)))
				for b.Loop() {
					r, _ := http.NewRequest(http.MethodPost, "/result", strings.NewReader(body))
					r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
					h.ServeHTTP(discardResponse{}, r)
				}
			})
			b.Run(name+"/parsequery", func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(int64(len(body)))
				for b.Loop() {
					if _, err := url.ParseQuery(body); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkOtherShpOrders measures the fallback over Robokassa's other
// Shp orders on its own, without the parameter cap, to show it is
// O(n log n): it sorts twice and hashes twice.
func BenchmarkOtherShpOrders(b *testing.B) {
	c, err := NewClient(Config{MerchantLogin: "demo", Password1: "password_1", Password2: "password_2"})
	if err != nil {
		b.Fatal(err)
	}
	for _, n := range []int{10, 100, 1000, 5000} {
		pairs := make([]shpPair, n)
		for i := range pairs {
			pairs[i] = shpPair{"Shp_", "p" + strconv.Itoa(n-i), "v"}
		}
		sortShp(pairs)
		sig := newSignature("990.000000", "12")
		sig.password = "password_2"
		sig.shp = pairs
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if c.verifyOtherOrders(sig, "00") {
					b.Fatal("verified")
				}
			}
		})
	}
}

// referenceLink is a plain payment link with Shp pairs: sort.Slice,
// strings.Builder, url.QueryEscape, MD5 — the yardstick for how the SDK
// scales with Shp pairs.
func referenceLink(shp map[string]string) string {
	keys := make([]string, 0, len(shp))
	for k := range shp {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	var base strings.Builder
	base.WriteString("demo:990.00:12:password_1")
	for _, k := range keys {
		base.WriteString(":Shp_" + k + "=" + url.QueryEscape(shp[k]))
	}
	sum := md5.Sum([]byte(base.String()))
	var link strings.Builder
	link.WriteString("https://auth.robokassa.ru/Merchant/Index.aspx?MerchantLogin=demo&OutSum=990.00&InvId=12&SignatureValue=")
	link.WriteString(hex.EncodeToString(sum[:]))
	for _, k := range keys {
		link.WriteString("&Shp_" + k + "=" + url.QueryEscape(url.QueryEscape(shp[k])))
	}
	return link.String()
}

// BenchmarkPaymentURLShp: a link with 10 and 50 Shp pairs, beside the
// plain reference building the same link.
func BenchmarkPaymentURLShp(b *testing.B) {
	c, err := NewClient(Config{MerchantLogin: "demo", Password1: "password_1"})
	if err != nil {
		b.Fatal(err)
	}
	for _, n := range []int{10, 50} {
		shp := make(map[string]string, n)
		for i := 0; i < n; i++ {
			shp["param"+strconv.Itoa(i)] = "value " + strconv.Itoa(i)
		}
		p := Payment{OutSum: decimal.RequireFromString("990.00"), InvID: 12, Shp: shp}
		b.Run(strconv.Itoa(n)+"/sdk", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.PaymentURL(p); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(strconv.Itoa(n)+"/reference", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = referenceLink(shp)
			}
		})
	}
}

// BenchmarkOpState: the SDK's OpState against a bare net/http POST of a
// form to the same httptest server answering the same XML, sequentially
// and from 32 goroutines.
func BenchmarkOpState(b *testing.B) {
	answer, err := os.ReadFile("testdata/opstate/state_100.xml")
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
		_, _ = w.Write(answer)
	}))
	b.Cleanup(srv.Close)
	c, err := NewClient(Config{MerchantLogin: "demo", Password1: "password_1", Password2: "password_2", AuthURL: srv.URL})
	if err != nil {
		b.Fatal(err)
	}
	// Both are given the same context, with a deadline, as a polling
	// service's would have.
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	b.Cleanup(cancel)
	bare := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	target := srv.URL + webServicePath + "OpStateExt"
	barePost := func() error {
		form := url.Values{"MerchantLogin": {"demo"}, "InvoiceID": {"12"}, "Signature": {"0123456789abcdef0123456789abcdef"}}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, strings.NewReader(form.Encode()))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := bare.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		_, err = io.ReadAll(resp.Body)
		return err
	}
	sdk := func() error {
		_, err := c.OpState(ctx, 12)
		return err
	}
	for _, mode := range []struct {
		name string
		par  int
	}{{"sequential", 0}, {"parallel32", 32}} {
		for _, impl := range []struct {
			name string
			call func() error
		}{{"sdk", sdk}, {"bare", barePost}} {
			b.Run(mode.name+"/"+impl.name, func(b *testing.B) {
				b.ReportAllocs()
				if mode.par == 0 {
					for b.Loop() {
						if err := impl.call(); err != nil {
							b.Fatal(err)
						}
					}
					return
				}
				b.SetParallelism(mode.par)
				var once sync.Once
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						if err := impl.call(); err != nil {
							once.Do(func() { b.Error(err) })
							return
						}
					}
				})
			})
		}
	}
}

type discardResponse struct{}

func (discardResponse) Header() http.Header         { return http.Header{} }
func (discardResponse) Write(b []byte) (int, error) { return len(b), nil }
func (discardResponse) WriteHeader(int)             {}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }
