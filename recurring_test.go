package robokassa

import (
	"crypto/md5"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

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

// merchantAssertForm checks that a form has exactly the fields of want,
// each once.
func merchantAssertForm(t *testing.T, want map[string]string, got url.Values) {
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

// merchantVectorClient is a client with the vector's login, Password #1
// and algorithm.
func merchantVectorClient(t *testing.T, v merchantVector) *Client {
	t.Helper()
	c, err := NewClient(Config{MerchantLogin: v.Login, Password1: Secret(v.Password), Algorithm: v.Algorithm})
	require.NoError(t, err)
	return c
}

// merchantClient is a demo client with the merchantPass passwords.
func merchantClient(t testing.TB) *Client {
	t.Helper()
	c, err := NewClient(Config{MerchantLogin: "demo", Password1: merchantPass1, Password2: merchantPass2, Password3: merchantPass3})
	require.NoError(t, err)
	return c
}

func merchantFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "merchant", name))
	require.NoError(t, err)
	return b
}

// TestRecurringVectors builds the Recurring form without HTTP and
// compares it with the vectors field by field, byte for byte. That the
// form reaches Robokassa as built, once, is TestRecurringProtocol's.
func TestRecurringVectors(t *testing.T) {
	for _, v := range loadMerchantVectors(t, "recurring") {
		t.Run(v.Name, func(t *testing.T) {
			c := merchantVectorClient(t, v)
			form, err := c.recurringForm(&RecurringPayment{
				PreviousInvID: v.PreviousInvoiceID,
				InvID:         v.InvoiceID,
				OutSum:        dec(v.OutSum),
				Description:   v.Description,
				Receipt:       v.receipt(t),
				Shp:           v.Shp,
			})
			require.NoError(t, err)
			merchantAssertForm(t, v.Form, form)
			assert.Equal(t, v.Signature, form.Get("SignatureValue"))
		})
	}
}

// TestRecurringPreviousInvoiceIDNotSigned changes only PreviousInvoiceID:
// the signature must not move (spec §5).
func TestRecurringPreviousInvoiceIDNotSigned(t *testing.T) {
	v := loadMerchantVectors(t, "recurring")[0]
	c := merchantVectorClient(t, v)
	for _, prev := range []int64{v.PreviousInvoiceID, v.PreviousInvoiceID + 1, 1} {
		form, err := c.recurringForm(&RecurringPayment{
			PreviousInvID: prev, InvID: v.InvoiceID, OutSum: dec(v.OutSum), Description: v.Description,
		})
		require.NoError(t, err)
		assert.Equal(t, strconv.FormatInt(prev, 10), form.Get("PreviousInvoiceID"))
		assert.Equal(t, v.Signature, form.Get("SignatureValue"))
	}
}

// TestRecurringSignatureStdlib recomputes one signature with crypto/md5
// directly from the spec's formula.
func TestRecurringSignatureStdlib(t *testing.T) {
	form, err := merchantClient(t).recurringForm(&RecurringPayment{
		PreviousInvID: 1, InvID: 77, OutSum: dec("5"),
		Receipt: &Receipt{Items: []ReceiptItem{{Name: "Item A", Quantity: dec("1"), Sum: dec("5"), Tax: TaxNone}}},
		Shp:     map[string]string{"b": "2 3", "a": "1"},
	})
	require.NoError(t, err)
	receipt := form.Get("Receipt")
	require.NotEmpty(t, receipt)
	want := merchantMD5("demo:5.00:77:" + receipt + ":" + merchantPass1 + ":Shp_a=1:Shp_b=2+3")
	assert.Equal(t, want, form.Get("SignatureValue"))
	assert.Equal(t, "2+3", form.Get("Shp_b"), "Shp values are sent as signed")
}

// TestRecurringResponses reads recorded answers with the parser alone.
// Refusals as the emulator gives them, and that each is one request,
// are TestRecurringProtocol's.
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
	c := merchantClient(t)
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			err := parseRecurring(c.replyOf("Recurring", merchantFixture(t, tt.file)))
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
