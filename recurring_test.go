package robokassa

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// merchantVector is one case of testdata/merchant_vectors.json, computed
// outside Go by testdata/gen_merchant_vectors.py.
type merchantVector struct {
	Name              string            `json:"name"`
	Kind              string            `json:"kind"` // recurring, confirm or cancel
	Algorithm         HashAlgorithm     `json:"algorithm"`
	Login             string            `json:"login"`
	Password          string            `json:"password"`
	InvoiceID         int64             `json:"invoice_id"`
	PreviousInvoiceID int64             `json:"previous_invoice_id"`
	OutSum            string            `json:"out_sum"`
	Description       string            `json:"description"`
	Receipt           string            `json:"receipt"`
	ReceiptJSON       string            `json:"receipt_json"`
	Shp               map[string]string `json:"shp"`
	Base              string            `json:"base"`
	Signature         string            `json:"signature"`
	Form              map[string]string `json:"form"`
}

func loadMerchantVectors(t testing.TB, kind string) []merchantVector {
	t.Helper()
	var f struct{ Vectors []merchantVector }
	loadJSON(t, "testdata/merchant_vectors.json", &f)
	var out []merchantVector
	for _, v := range f.Vectors {
		if v.Kind == kind {
			out = append(out, v)
		}
	}
	require.NotEmpty(t, out, "no %s vectors", kind)
	return out
}

// merchantReceipts are the Go receipts whose JSON gen_merchant_vectors.py
// wrote out by hand, under the same keys.
var merchantReceipts = map[string]*Receipt{
	"month2": {Sno: SnoUSNIncome, Items: []ReceiptItem{
		{Name: "Подписка, месяц 2", Quantity: dec("1"), Sum: dec("199"), Tax: TaxNone, PaymentMethod: ReceiptPaymentFull, PaymentObject: ObjectService},
	}},
	"two_lines": {Items: []ReceiptItem{
		{Name: `Box "S" 10/20 ~ ok`, Quantity: dec("2"), Sum: dec("200.00"), Tax: TaxVAT22, PaymentMethod: ReceiptPaymentFull, PaymentObject: ObjectCommodity},
		{Name: "Доставка", Quantity: dec("1"), Sum: dec("50.5"), Tax: TaxVAT20, PaymentMethod: ReceiptPaymentFull, PaymentObject: ObjectService},
	}},
	"reduced": {Sno: SnoOSN, Items: []ReceiptItem{
		{Name: "Item A", Quantity: dec("1"), Sum: dec("150"), Tax: TaxVAT22, PaymentMethod: ReceiptPaymentFull, PaymentObject: ObjectCommodity},
	}},
}

// receipt returns the Go receipt of v, checking that it renders to
// the JSON the generator wrote.
func (v merchantVector) receipt(t *testing.T) *Receipt {
	t.Helper()
	if v.Receipt == "" {
		return nil
	}
	r, ok := merchantReceipts[v.Receipt]
	require.True(t, ok, "no Go receipt %q", v.Receipt)
	require.Equal(t, v.ReceiptJSON, string(r.appendJSON(nil)), "receipt JSON")
	return r
}

// merchantAssertForm checks that the server got exactly the fields of want.
func merchantAssertForm(t *testing.T, want map[string]string, got map[string][]string) {
	t.Helper()
	gotFlat := map[string]string{}
	for k, vs := range got {
		assert.Len(t, vs, 1, "field %s sent %d times", k, len(vs))
		gotFlat[k] = strings.Join(vs, ",")
	}
	assert.Equal(t, want, gotFlat)
}

// merchantMD5 is the lowercase hex MD5 of s, from the standard library.
func merchantMD5(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

func merchantFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "merchant", name))
	require.NoError(t, err)
	return b
}

func TestRecurringVectors(t *testing.T) {
	for _, v := range loadMerchantVectors(t, "recurring") {
		t.Run(v.Name, func(t *testing.T) {
			c, s := newMerchantTestServer(t, Config{MerchantLogin: v.Login, Password1: Secret(v.Password), Algorithm: v.Algorithm},
				func(w http.ResponseWriter, r *http.Request, _ int64) {
					_, _ = w.Write([]byte("OK" + r.PostForm.Get("InvoiceID")))
				})
			err := c.Recurring(context.Background(), RecurringPayment{
				PreviousInvID: v.PreviousInvoiceID,
				InvID:         v.InvoiceID,
				OutSum:        dec(v.OutSum),
				Description:   v.Description,
				Receipt:       v.receipt(t),
				Shp:           v.Shp,
			})
			require.NoError(t, err)
			path, form := s.request(t, 0)
			assert.Equal(t, "/Merchant/Recurring", path)
			merchantAssertForm(t, v.Form, form)
			assert.Equal(t, v.Signature, form.Get("SignatureValue"))
			assert.EqualValues(t, 1, s.hits.Load())
		})
	}
}

// TestRecurringPreviousInvoiceIDNotSigned changes only PreviousInvoiceID:
// the signature must not move (spec §5).
func TestRecurringPreviousInvoiceIDNotSigned(t *testing.T) {
	v := loadMerchantVectors(t, "recurring")[0]
	c, s := newMerchantTestServer(t, Config{MerchantLogin: v.Login, Password1: Secret(v.Password), Algorithm: v.Algorithm},
		merchantText(200, "OK"+strconv.FormatInt(v.InvoiceID, 10)))
	for _, prev := range []int64{v.PreviousInvoiceID, v.PreviousInvoiceID + 1, 1} {
		err := c.Recurring(context.Background(), RecurringPayment{
			PreviousInvID: prev, InvID: v.InvoiceID, OutSum: dec(v.OutSum), Description: v.Description,
		})
		require.NoError(t, err)
	}
	for i := 0; i < 3; i++ {
		_, form := s.request(t, i)
		assert.Equal(t, v.Signature, form.Get("SignatureValue"))
	}
}

// TestRecurringSignatureStdlib recomputes one signature with crypto/md5
// directly from the spec's formula.
func TestRecurringSignatureStdlib(t *testing.T) {
	c, s := newMerchantTestServer(t, Config{}, merchantText(200, "OK77"))
	err := c.Recurring(context.Background(), RecurringPayment{
		PreviousInvID: 1, InvID: 77, OutSum: dec("5"),
		Receipt: &Receipt{Items: []ReceiptItem{{Name: "Item A", Quantity: dec("1"), Sum: dec("5"), Tax: TaxNone}}},
		Shp:     map[string]string{"b": "2 3", "a": "1"},
	})
	require.NoError(t, err)
	_, form := s.request(t, 0)
	receipt := form.Get("Receipt")
	require.NotEmpty(t, receipt)
	want := merchantMD5("demo:5.00:77:" + receipt + ":" + merchantPass1 + ":Shp_a=1:Shp_b=2+3")
	assert.Equal(t, want, form.Get("SignatureValue"))
	assert.Equal(t, "2+3", form.Get("Shp_b"), "Shp values are sent as signed")
}

func TestRecurringResponses(t *testing.T) {
	tests := []struct {
		file    string
		id      int64  // accepted, with this id
		code    string // refused, with this code
		message string // refused, with this message
	}{
		{file: "recurring_ok.txt", id: 200002},
		{file: "recurring_ok_plus.txt", id: 200002},
		{file: "recurring_ok_lower.txt", id: 200002},
		{file: "recurring_code_34.txt", code: "34", message: ErrorCodeRecurringNotAllowed.Meaning()},
		{file: "recurring_error_35.txt", code: "35", message: ErrorCodeBadRecurringParams.Meaning()},
		{file: "recurring_error_page.html", code: "40", message: ErrorCodeRepeatedInvID.Meaning()},
		{file: "recurring_garbage.html", message: "unexpected response"},
		{file: "recurring_ok_no_id.txt", message: "unexpected response"},
		{file: "recurring_ok_overflow.txt", message: "unexpected response"},
		{file: "hold_success_true.json", message: "unexpected response"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			c, s := newMerchantTestServer(t, Config{}, merchantText(200, string(merchantFixture(t, tt.file))))
			err := c.Recurring(context.Background(), RecurringPayment{PreviousInvID: 1, InvID: 200002, OutSum: dec("1")})
			assert.EqualValues(t, 1, s.hits.Load())
			if tt.id != 0 {
				require.NoError(t, err)
				return
			}
			ae := merchantRequireAPIError(t, err, "Recurring")
			assert.Equal(t, http.StatusOK, ae.Status)
			assert.Equal(t, tt.code, ae.Code)
			assert.Equal(t, tt.message, ae.Message)
			assert.NotEmpty(t, ae.Body)
		})
	}
}

func TestRecurringBodies(t *testing.T) {
	c, err := NewClient(Config{MerchantLogin: "demo", Password1: merchantPass1})
	require.NoError(t, err)
	tests := []struct {
		body string
		id   int64
		code string
	}{
		{body: "OK1", id: 1},
		{body: "Ok+9223372036854775807", id: 1<<63 - 1},
		{body: "\t OK007 \n", id: 7},
		{body: "OK0"},
		{body: "OK-5"},
		{body: "OK 5"},
		{body: "OK5 OK6"},
		{body: "OK++5"},
		{body: "OK5\nOK6"},
		{body: "NOTOK5"},
		{body: ""},
		{body: "29", code: "29"},
		{body: " 500 ", code: "500"},
		{body: "ERROR #41", code: "41"},
		{body: "error code 64", code: "64"},
		{body: `{"ErrorCode":34,"Message":"x"}`, code: "34"},
		{body: `{"error_code":"35"}`, code: "35"},
		{body: "<Result><ErrorCode>29</ErrorCode></Result>", code: "29"},
		{body: "ErrorCode=31&x=1", code: "31"},
		{body: "Ошибка 33", code: "33"},
		{body: "terror 12"},
		{body: "12345"},
		{body: "order 12 failed"},
	}
	for _, tt := range tests {
		t.Run(strconv.Quote(tt.body), func(t *testing.T) {
			err := parseRecurring(c.replyOf("Recurring", []byte(tt.body)))
			if tt.id != 0 {
				require.NoError(t, err)
				return
			}
			ae := merchantRequireAPIError(t, err, "Recurring")
			assert.Equal(t, tt.code, ae.Code)
			if tt.code != "" {
				n, _ := strconv.Atoi(tt.code)
				assert.Equal(t, ErrorCode(n).Meaning(), ae.Message)
			}
		})
	}
}

// TestRecurringFaultsSentOnce runs the transport's faults through
// Recurring: each is an *APIError and the charge went out once.
func TestRecurringFaultsSentOnce(t *testing.T) {
	faults := []struct {
		name  string
		reply func(t *testing.T, s *merchantTestServer) merchantReply
		is    error
	}{
		{"http 500", func(*testing.T, *merchantTestServer) merchantReply { return merchantText(500, "OK1") }, nil},
		{"http 503", func(*testing.T, *merchantTestServer) merchantReply { return merchantText(503, "") }, nil},
		{"garbage 200", func(*testing.T, *merchantTestServer) merchantReply {
			return merchantText(200, "<html>\x00\xff garbage</html>")
		}, nil},
		{"truncated", func(t *testing.T, _ *merchantTestServer) merchantReply { return merchantTruncated(t) }, nil},
		{"10 MiB", func(*testing.T, *merchantTestServer) merchantReply { return merchantHuge }, errBodyTooLarge},
		{"dropped", func(t *testing.T, _ *merchantTestServer) merchantReply { return merchantDrop(t) }, nil},
		{"slow", func(_ *testing.T, s *merchantTestServer) merchantReply { return s.merchantSlow }, context.DeadlineExceeded},
	}
	for _, f := range faults {
		t.Run(f.name, func(t *testing.T) {
			var s *merchantTestServer
			c, s := newMerchantTestServer(t, Config{}, func(w http.ResponseWriter, r *http.Request, n int64) {
				f.reply(t, s)(w, r, n)
			})
			ctx, cancel := context.WithTimeout(context.Background(), merchantFaultDeadline(f.is))
			defer cancel()
			err := c.Recurring(ctx, RecurringPayment{PreviousInvID: 1, InvID: 2, OutSum: dec("10")})
			merchantRequireAPIError(t, err, "Recurring")
			if f.is != nil {
				assert.ErrorIs(t, err, f.is)
			}
			merchantAssertSentOnce(t, s, f.is)
		})
	}
}

// merchantFaultDeadline is the context deadline of a fault test: short
// for the slow server (is == context.DeadlineExceeded), ample otherwise.
func merchantFaultDeadline(is error) time.Duration {
	if errors.Is(is, context.DeadlineExceeded) {
		return merchantSlowDeadline
	}
	return 30 * time.Second
}

// merchantAssertSentOnce checks a money-moving call reached the server
// once. Against the slow server the deadline may pass before the request
// is sent on a loaded machine, so there it checks at most once.
func merchantAssertSentOnce(t *testing.T, s *merchantTestServer, is error) {
	t.Helper()
	if errors.Is(is, context.DeadlineExceeded) {
		assert.LessOrEqual(t, s.hits.Load(), int64(1), "never retried")
		return
	}
	assert.EqualValues(t, 1, s.hits.Load(), "sent exactly once, never retried")
}

func TestRecurringRefusesTestMode(t *testing.T) {
	c, s := newMerchantTestServer(t, Config{Password1: "p1", TestPassword1: "t1", Test: true}, merchantText(200, "OK2"))
	err := c.Recurring(context.Background(), RecurringPayment{PreviousInvID: 1, InvID: 2, OutSum: dec("10")})
	assert.ErrorIs(t, err, ErrNotInTestMode)
	assert.Zero(t, s.hits.Load())
}

func TestRecurringValidation(t *testing.T) {
	ok := func() RecurringPayment {
		return RecurringPayment{PreviousInvID: 1, InvID: 2, OutSum: dec("199"), Description: "month 2",
			Receipt: merchantReceipts["month2"], Shp: map[string]string{"user": "alice"}}
	}
	tests := []struct {
		name  string
		edit  func(p *RecurringPayment)
		field string
	}{
		{"zero InvoiceID", func(p *RecurringPayment) { p.InvID = 0 }, "InvID"},
		{"negative InvoiceID", func(p *RecurringPayment) { p.InvID = -2 }, "InvID"},
		{"zero PreviousInvoiceID", func(p *RecurringPayment) { p.PreviousInvID = 0 }, "PreviousInvID"},
		{"negative PreviousInvoiceID", func(p *RecurringPayment) { p.PreviousInvID = -1 }, "PreviousInvID"},
		{"same ids", func(p *RecurringPayment) { p.InvID = p.PreviousInvID }, "InvID"},
		{"zero OutSum", func(p *RecurringPayment) { p.OutSum = decimal.Zero; p.Receipt = nil }, "OutSum"},
		{"negative OutSum", func(p *RecurringPayment) { p.OutSum = dec("-1"); p.Receipt = nil }, "OutSum"},
		{"three decimals", func(p *RecurringPayment) { p.OutSum = dec("199.001"); p.Receipt = nil }, "OutSum"},
		{"long description", func(p *RecurringPayment) { p.Description = strings.Repeat("я", 101) }, "Description"},
		{"invalid UTF-8 description", func(p *RecurringPayment) { p.Description = "a\xffb" }, "Description"},
		{"empty receipt", func(p *RecurringPayment) { p.Receipt = &Receipt{} }, "Receipt.Items"},
		{"bad receipt item", func(p *RecurringPayment) {
			p.Receipt = &Receipt{Items: []ReceiptItem{{Name: "x", Quantity: dec("1"), Sum: dec("199")}}}
		}, "Receipt.Items[0].Tax"},
		{"receipt does not add up", func(p *RecurringPayment) { p.OutSum = dec("200") }, "Receipt.Items"},
		{"bad Shp name", func(p *RecurringPayment) { p.Shp = map[string]string{"a-b": "1"} }, `Shp["a-b"]`},
		{"empty Shp name", func(p *RecurringPayment) { p.Shp = map[string]string{"": "1"} }, "Shp"},
		{"invalid UTF-8 Shp value", func(p *RecurringPayment) { p.Shp = map[string]string{"a": "\xff"} }, `Shp["a"]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, s := newMerchantTestServer(t, Config{}, merchantText(200, "OK2"))
			p := ok()
			tt.edit(&p)
			err := c.Recurring(context.Background(), p)
			var ve *ValidationError
			require.True(t, errors.As(err, &ve), "not a *ValidationError: %v", err)
			assert.Equal(t, tt.field, ve.Field)
			assert.ErrorIs(t, err, ErrInvalidParam)
			assert.True(t, strings.HasPrefix(err.Error(), "robokassa: invalid "), err.Error())
			assert.NotContains(t, err.Error(), merchantPass1)
			assert.Zero(t, s.hits.Load(), "nothing is sent for bad input")
		})
	}
	t.Run("valid", func(t *testing.T) {
		c, s := newMerchantTestServer(t, Config{}, merchantText(200, "OK2"))
		p := ok()
		p.Description = strings.Repeat("я", 100)
		err := c.Recurring(context.Background(), p)
		require.NoError(t, err)
		assert.EqualValues(t, 1, s.hits.Load())
	})
}

// merchantRecurringOKBody is an independent reading of the accepted answer: "OK",
// an optional "+", digits, nothing else, after trimming whitespace.
var merchantRecurringOKBody = regexp.MustCompile(`^(?i:ok)\+?[0-9]+$`)

func FuzzRecurringResponse(f *testing.F) {
	for _, name := range []string{"recurring_ok.txt", "recurring_ok_plus.txt", "recurring_ok_lower.txt",
		"recurring_code_34.txt", "recurring_error_35.txt", "recurring_error_page.html", "recurring_garbage.html",
		"recurring_ok_no_id.txt", "recurring_ok_overflow.txt"} {
		f.Add(merchantFixture(f, name))
	}
	f.Add([]byte("OK+0"))
	f.Add([]byte("error 9999"))
	c, err := NewClient(Config{MerchantLogin: "demo", Password1: merchantPass1})
	require.NoError(f, err)
	f.Fuzz(func(t *testing.T, body []byte) {
		err := parseRecurring(c.replyOf("Recurring", body))
		trimmed := strings.TrimSpace(string(body))
		if err == nil {
			assert.True(t, merchantRecurringOKBody.MatchString(trimmed), "accepted %q", body)
			digits := strings.TrimLeft(trimmed[2:], "+")
			n, perr := strconv.ParseInt(digits, 10, 64)
			require.NoError(t, perr)
			assert.Positive(t, n)
			return
		}
		var ae *APIError
		require.True(t, errors.As(err, &ae))
		assert.Equal(t, "Recurring", ae.Op)
		assert.Equal(t, http.StatusOK, ae.Status)
		assert.LessOrEqual(t, utf8.RuneCountInString(ae.Body), maxErrorBody+32)
		if ae.Code != "" {
			n, cerr := strconv.Atoi(ae.Code)
			require.NoError(t, cerr, "code %q", ae.Code)
			assert.Equal(t, ErrorCode(n).Meaning(), ae.Message)
		} else {
			assert.Equal(t, "unexpected response", ae.Message)
		}
	})
}
