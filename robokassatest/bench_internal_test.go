package robokassatest

import (
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/robokassa-go/robokassa"
)

// BenchmarkOperationMemory measures the memory one operation keeps: the
// heap after 10,000 payment pages were opened (each creating an operation
// with a description, an e-mail and two Shp parameters), less the heap
// before, per operation, after a GC each time. The requests are built
// beforehand and are garbage by the second reading.
func BenchmarkOperationMemory(b *testing.B) {
	const ops = 10_000
	for b.Loop() {
		b.StopTimer()
		s := NewUnstartedServer(Shop{MerchantLogin: "demo", Password1: "p1", Password2: "p2"})
		s.URL = "http://robokassa.test"
		c, err := robokassa.NewClient(robokassa.Config{MerchantLogin: "demo", Password1: "p1", Password2: "p2", AuthURL: s.URL})
		if err != nil {
			b.Fatal(err)
		}
		links := make([]string, ops)
		for i := range links {
			links[i], err = c.PaymentURL(robokassa.Payment{
				OutSum: decimal.NewFromInt(int64(100 + i)), InvID: int64(i + 1), Description: "Order " + strconv.Itoa(i),
				Email: "buyer@example.com", Shp: map[string]string{"order": strconv.Itoa(i), "user": "alice"},
			})
			if err != nil {
				b.Fatal(err)
			}
		}
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		b.StartTimer()
		for _, link := range links {
			w := httptest.NewRecorder()
			s.ServeHTTP(w, httptest.NewRequest(http.MethodGet, link, nil))
			if w.Code != http.StatusOK {
				b.Fatal(w.Code)
			}
		}
		b.StopTimer()
		links = nil
		runtime.GC()
		runtime.ReadMemStats(&after)
		if got := len(s.Operations()); got != ops {
			b.Fatalf("%d operations", got)
		}
		b.ReportMetric(float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/ops, "B/operation")
		runtime.KeepAlive(s)
		s.Close()
		b.StartTimer()
	}
}
