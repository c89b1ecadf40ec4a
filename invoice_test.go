package robokassa

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"hash"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	//lint:ignore SA1019 Robokassa offers RIPEMD160 (spec §2); the test recomputes HMACs independently.
	"golang.org/x/crypto/ripemd160"
)

// --- known-answer vectors (testdata/gen_invoice_vectors.py) --------------

type invoicePayloadVector struct {
	Payload string                   `json:"payload"`
	Tokens  map[HashAlgorithm]string `json:"tokens"`
}

type invoiceVectorFile struct {
	Login     string `json:"login"`
	Password1 string `json:"password1"`
	JWT       []struct {
		Algorithm HashAlgorithm `json:"algorithm"`
		Header    string        `json:"header"`
		Payload   string        `json:"payload"`
		Key       string        `json:"key"`
		Token     string        `json:"token"`
	} `json:"jwt"`
	Create  invoicePayloadVector `json:"create"`
	Minimal invoicePayloadVector `json:"minimal"`
	Split   struct {
		Split string `json:"split"`
		invoicePayloadVector
	} `json:"split"`
	Deactivate  map[string]invoicePayloadVector `json:"deactivate"`
	List        invoicePayloadVector            `json:"list"`
	ListDefault invoicePayloadVector            `json:"list_default"`
}

func loadInvoiceVectors(t testing.TB) *invoiceVectorFile {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "invoice_vectors.json"))
	require.NoError(t, err)
	var v invoiceVectorFile
	require.NoError(t, json.Unmarshal(b, &v))
	require.NotEmpty(t, v.JWT)
	return &v
}

var invoiceAlgs = []HashAlgorithm{MD5, RIPEMD160, SHA1, SHA256, SHA384, SHA512}

// invoiceStdHash is the test's own table of hash constructors: the
// standard library and x/crypto directly, not the package's newHash.
var invoiceStdHash = map[HashAlgorithm]func() hash.Hash{
	MD5:       md5.New,
	RIPEMD160: ripemd160.New,
	SHA1:      sha1.New,
	SHA256:    sha256.New,
	SHA384:    sha512.New384,
	SHA512:    sha512.New,
}

func invoiceDec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// invoiceVectorInvoice is the Go side of the "create" vector: the script
// wrote its payload out by hand from these values.
func invoiceVectorInvoice(t *testing.T) Invoice {
	exp, err := time.Parse(time.RFC3339, "2099-12-31T23:59:59+03:00")
	require.NoError(t, err)
	return Invoice{
		Type:             InvoiceOneTime,
		InvID:            4512,
		OutSum:           invoiceDec("990"),
		Description:      "Заказ №4512",
		MerchantComments: "VIP & co <rush>",
		Culture:          "en",
		ExpirationDate:   exp,
		Sno:              SnoOSN,
		Items: []ReceiptItem{
			{Name: "Item A", Quantity: invoiceDec("1"), Sum: invoiceDec("490"), Tax: TaxVAT22, PaymentMethod: ReceiptPaymentFull, PaymentObject: ObjectCommodity},
			{Name: `Item "B"`, Quantity: invoiceDec("2"), Sum: invoiceDec("500.00"), Tax: TaxNone, PaymentMethod: ReceiptPaymentFull, PaymentObject: ObjectService, NomenclatureCode: "0104606203\x1d2101"},
		},
		Shp:               map[string]string{"order": "4512", "note": "a b+c"},
		SuccessURL2:       "https://shop.example/ok?order=4512&x=1",
		SuccessURL2Method: "GET",
		FailURL2:          "https://shop.example/fail",
		FailURL2Method:    "POST",
		ResultURL2:        "https://shop.example/jws",
		Email:             "buyer@example.com",
		IsWithoutFreeSale: true,
	}
}

// --- the fake Invoice API --------------------------------------------------

// invoiceRequest is one request the fake received, already checked.
type invoiceRequest struct {
	Op      string
	Token   string
	Payload []byte
}

type invoiceResponder func(w http.ResponseWriter, r *http.Request, attempt int)

func invoiceReply(status int, body string) invoiceResponder {
	return func(w http.ResponseWriter, _ *http.Request, _ int) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}

func invoiceReplyFile(t *testing.T, status int, name string) invoiceResponder {
	b, err := os.ReadFile(filepath.Join("testdata", "invoice", name))
	require.NoError(t, err)
	return invoiceReply(status, string(b))
}

// invoiceFake is an httptest server mounted under /base that checks every
// request as Robokassa would: POST, JSON content type, a JSON string
// literal body holding a JWT whose header and HMAC are right for the
// client's algorithm and key login:password1.
type invoiceFake struct {
	mu      sync.Mutex
	reqs    []invoiceRequest
	respond invoiceResponder
}

func (f *invoiceFake) requests() []invoiceRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]invoiceRequest(nil), f.reqs...)
}

const (
	invoiceTestLogin = "demo"
	invoiceTestPass1 = "password_1"
)

func newInvoiceServer(t *testing.T, alg HashAlgorithm, respond invoiceResponder) (*Client, *invoiceFake) {
	t.Helper()
	f := &invoiceFake{respond: respond}
	mux := http.NewServeMux()
	mux.HandleFunc("/base/InvoiceServiceWebApi/api/", func(w http.ResponseWriter, r *http.Request) {
		op := strings.TrimPrefix(r.URL.Path, "/base/InvoiceServiceWebApi/api/")
		assert.Equal(t, http.MethodPost, r.Method)
		assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
		body, err := io.ReadAll(r.Body)
		assert.NoError(t, err)
		assert.True(t, len(body) > 1 && body[0] == '"' && body[len(body)-1] == '"', "body is not a JSON string literal: %q", body)
		var token string
		assert.NoError(t, json.Unmarshal(body, &token), "body is not a JSON string")
		payload := invoiceCheckJWT(t, token, alg, invoiceTestLogin+":"+invoiceTestPass1)
		f.mu.Lock()
		f.reqs = append(f.reqs, invoiceRequest{Op: op, Token: token, Payload: payload})
		n, respond := len(f.reqs), f.respond
		f.mu.Unlock()
		respond(w, r, n)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	c, err := NewClient(Config{
		MerchantLogin: invoiceTestLogin,
		Password1:     invoiceTestPass1,
		Password2:     "password_2",
		Algorithm:     alg,
		ServicesURL:   srv.URL + "/base",
	})
	require.NoError(t, err)
	return c, f
}

// invoiceCheckJWT decodes a JWT and checks it with the standard library:
// base64url without padding, header {"typ":"JWT","alg":<alg>}, and the
// signature HMAC-<alg>(key, header.payload). It returns the payload.
func invoiceCheckJWT(t *testing.T, token string, alg HashAlgorithm, key string) []byte {
	parts := strings.Split(token, ".")
	if !assert.Len(t, parts, 3, "JWT parts") {
		return nil
	}
	enc := base64.RawURLEncoding.Strict()
	hdr, err := enc.DecodeString(parts[0])
	assert.NoError(t, err, "header base64url")
	var h map[string]string
	assert.NoError(t, json.Unmarshal(hdr, &h), "header JSON")
	assert.Equal(t, map[string]string{"typ": "JWT", "alg": string(alg)}, h)
	payload, err := enc.DecodeString(parts[1])
	assert.NoError(t, err, "payload base64url")
	assert.True(t, json.Valid(payload), "payload is not JSON: %s", payload)
	mac := hmac.New(invoiceStdHash[alg], []byte(key))
	mac.Write([]byte(parts[0] + "." + parts[1]))
	assert.Equal(t, base64.RawURLEncoding.EncodeToString(mac.Sum(nil)), parts[2], "HMAC-%s signature", alg)
	return payload
}

// invoicePayloadMap decodes a payload keeping numbers as written.
func invoicePayloadMap(t *testing.T, payload []byte) map[string]any {
	d := json.NewDecoder(bytes.NewReader(payload))
	d.UseNumber()
	var m map[string]any
	require.NoError(t, d.Decode(&m))
	return m
}

// --- JWT ------------------------------------------------------------------

func TestInvoiceJWTVectors(t *testing.T) {
	v := loadInvoiceVectors(t)
	for _, jv := range v.JWT {
		t.Run(string(jv.Algorithm)+"/"+jv.Key[:20], func(t *testing.T) {
			got := signJWT(string(jv.Algorithm), jv.Algorithm.newHash(), []byte(jv.Key), []byte(jv.Payload))
			assert.Equal(t, jv.Token, got)
			head, _, _ := strings.Cut(got, ".")
			hdr, err := base64.RawURLEncoding.DecodeString(head)
			require.NoError(t, err)
			assert.Equal(t, jv.Header, string(hdr))
		})
	}
	// The header Robokassa's documentation prints for MD5 (spec §9.1).
	assert.True(t, strings.HasPrefix(v.JWT[0].Token, "eyJ0eXAiOiJKV1QiLCJhbGciOiJNRDUifQ."))
}

// --- CreateInvoice ----------------------------------------------------------

func TestCreateInvoiceVectors(t *testing.T) {
	v := loadInvoiceVectors(t)
	for _, alg := range invoiceAlgs {
		t.Run(string(alg), func(t *testing.T) {
			c, f := newInvoiceServer(t, alg, invoiceReplyFile(t, 200, "create_success.json"))
			link, err := c.CreateInvoice(context.Background(), invoiceVectorInvoice(t))
			require.NoError(t, err)
			assert.Equal(t, &InvoiceLink{
				ID:        "0f8fad5b-d9cb-469f-a165-70867728950e",
				InvID:     4512,
				URL:       "https://auth.robokassa.ru/merchant/Invoice/aBcD3fGh1jKlMn",
				EncodedID: "aBcD3fGh1jKlMn",
			}, link)
			reqs := f.requests()
			require.Len(t, reqs, 1)
			assert.Equal(t, "CreateInvoice", reqs[0].Op)
			assert.Equal(t, v.Create.Payload, string(reqs[0].Payload))
			assert.Equal(t, v.Create.Tokens[alg], reqs[0].Token)
		})
	}
}

func TestCreateInvoiceMinimal(t *testing.T) {
	v := loadInvoiceVectors(t)
	for _, alg := range invoiceAlgs {
		t.Run(string(alg), func(t *testing.T) {
			c, f := newInvoiceServer(t, alg, invoiceReplyFile(t, 200, "create_success_auto_invid.json"))
			link, err := c.CreateInvoice(context.Background(), Invoice{Type: InvoiceReusable, OutSum: invoiceDec("150.5")})
			require.NoError(t, err)
			assert.Equal(t, int64(1700000123), link.InvID, "invId given as a string")
			assert.Equal(t, "Zx81Qw0pLm", link.EncodedID)
			reqs := f.requests()
			require.Len(t, reqs, 1)
			assert.Equal(t, v.Minimal.Payload, string(reqs[0].Payload))
			assert.Equal(t, v.Minimal.Tokens[alg], reqs[0].Token)
		})
	}
}

// TestCreateInvoiceAdditionalParameters checks the flags that travel in
// AdditionalParameters and the payload's number formats.
func TestCreateInvoiceAdditionalParameters(t *testing.T) {
	c, f := newInvoiceServer(t, SHA256, invoiceReplyFile(t, 200, "create_success.json"))
	tests := []struct {
		name string
		inv  Invoice
		want map[string]any
	}{
		{"recurring", Invoice{Type: InvoiceOneTime, OutSum: invoiceDec("10"), Recurring: true},
			map[string]any{"Recurring": "true"}},
		{"hold", Invoice{Type: InvoiceOneTime, OutSum: invoiceDec("10"), StepByStep: true, ResultURL2: "https://shop.example/jws"},
			map[string]any{"StepByStep": "true", "ResultURL2": "https://shop.example/jws"}},
		{"saved card", Invoice{Type: InvoiceOneTime, OutSum: invoiceDec("10"), Token: "op-key-1"},
			map[string]any{"Token": "op-key-1"}},
		{"none", Invoice{Type: InvoiceOneTime, OutSum: invoiceDec("10")}, nil},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.CreateInvoice(context.Background(), tt.inv)
			require.NoError(t, err)
			reqs := f.requests()
			require.Len(t, reqs, i+1)
			m := invoicePayloadMap(t, reqs[i].Payload)
			assert.Equal(t, json.Number("10.00"), m["OutSum"])
			if tt.want == nil {
				assert.NotContains(t, m, "AdditionalParameters")
			} else {
				assert.Equal(t, tt.want, m["AdditionalParameters"])
			}
			assert.NotContains(t, m, "InvId", "zero InvId is omitted: Robokassa assigns one")
		})
	}
}

func TestCreateInvoiceItemCost(t *testing.T) {
	c, f := newInvoiceServer(t, MD5, invoiceReplyFile(t, 200, "create_success.json"))
	item := func(qty, sum, cost string) ReceiptItem {
		it := ReceiptItem{Name: "x", Quantity: invoiceDec(qty), Tax: TaxNone}
		if sum != "" {
			it.Sum = invoiceDec(sum)
		}
		if cost != "" {
			it.Cost = decimal.NewNullDecimal(invoiceDec(cost))
		}
		return it
	}
	tests := []struct {
		name                string
		it                  ReceiptItem
		outSum, qty, cost   string
		wantField, wantRule string
	}{
		{name: "sum divides", it: item("4", "100", ""), outSum: "100", qty: "4", cost: "25.00"},
		{name: "kopecks", it: item("3", "0.03", ""), outSum: "0.03", qty: "3", cost: "0.01"},
		{name: "fractional quantity", it: item("0.5", "1", ""), outSum: "1", qty: "0.5", cost: "2.00"},
		{name: "weight", it: item("1.250", "312.5", ""), outSum: "312.5", qty: "1.25", cost: "250.00"},
		{name: "cost only", it: item("3", "", "33.33"), outSum: "99.99", qty: "3", cost: "33.33"},
		{name: "cost and matching sum", it: item("2", "20", "10"), outSum: "20", qty: "2", cost: "10.00"},
		{name: "zero-sum line", it: item("1", "0", ""), outSum: "0.01", wantField: "Items", wantRule: "add up"},
		{name: "sum not divisible", it: item("3", "100", ""), outSum: "100", wantField: "Items[0].Cost", wantRule: "kopecks"},
		{name: "tiny quantity", it: item("0.003", "10", ""), outSum: "10", wantField: "Items[0].Cost", wantRule: "kopecks"},
		{name: "cost disagrees with sum", it: item("3", "100", "33.33"), outSum: "100", wantField: "Items[0].Cost", wantRule: "equal Sum"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(f.requests())
			_, err := c.CreateInvoice(context.Background(), Invoice{Type: InvoiceOneTime, OutSum: invoiceDec(tt.outSum), Items: []ReceiptItem{tt.it}})
			reqs := f.requests()
			if tt.wantField != "" {
				var ve *ValidationError
				require.ErrorAs(t, err, &ve)
				assert.Equal(t, tt.wantField, ve.Field)
				assert.Contains(t, ve.Reason, tt.wantRule)
				assert.Len(t, reqs, before, "nothing sent")
				return
			}
			require.NoError(t, err)
			require.Len(t, reqs, before+1)
			items := invoicePayloadMap(t, reqs[before].Payload)["InvoiceItems"].([]any)
			require.Len(t, items, 1)
			got := items[0].(map[string]any)
			assert.Equal(t, json.Number(tt.qty), got["Quantity"])
			assert.Equal(t, json.Number(tt.cost), got["Cost"])
			assert.NotContains(t, got, "Sum")
		})
	}
}

func TestCreateInvoiceResponses(t *testing.T) {
	tests := []struct {
		name    string
		status  int
		file    string
		link    *InvoiceLink
		apiErr  *APIError // Op, Status, Message checked
		msgPart string    // for malformed responses
	}{
		{name: "success", status: 200, file: "create_success.json",
			link: &InvoiceLink{ID: "0f8fad5b-d9cb-469f-a165-70867728950e", InvID: 4512, URL: "https://auth.robokassa.ru/merchant/Invoice/aBcD3fGh1jKlMn", EncodedID: "aBcD3fGh1jKlMn"}},
		{name: "refused with message", status: 200, file: "create_refused_message.json",
			apiErr: &APIError{Op: "CreateInvoice", Status: 200, Message: "Invoice with the same InvId already exists"}},
		{name: "refused with errorMessage", status: 200, file: "create_refused_errormessage.json",
			apiErr: &APIError{Op: "CreateInvoice", Status: 200, Message: "Неверная подпись запроса"}},
		{name: "http 401", status: 401, file: "create_http401.json",
			apiErr: &APIError{Op: "CreateInvoice", Status: 401, Message: "Authorization has been denied for this request."}},
		{name: "garbage", status: 200, file: "create_garbage.html", msgPart: "malformed response"},
		{name: "truncated", status: 200, file: "create_truncated.json", msgPart: "malformed response"},
		{name: "http 500", status: 500, file: "create_garbage.html",
			apiErr: &APIError{Op: "CreateInvoice", Status: 500, Message: "Internal Server Error"}},
		{name: "http 502", status: 502, file: "create_garbage.html",
			apiErr: &APIError{Op: "CreateInvoice", Status: 502, Message: "Bad Gateway"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, f := newInvoiceServer(t, SHA1, invoiceReplyFile(t, tt.status, tt.file))
			link, err := c.CreateInvoice(context.Background(), Invoice{Type: InvoiceOneTime, InvID: 4512, OutSum: invoiceDec("990")})
			assert.Len(t, f.requests(), 1, "CreateInvoice is sent exactly once")
			if tt.link != nil {
				require.NoError(t, err)
				assert.Equal(t, tt.link, link)
				return
			}
			assert.Nil(t, link)
			var ae *APIError
			require.ErrorAs(t, err, &ae)
			assert.True(t, strings.HasPrefix(err.Error(), "robokassa: CreateInvoice"), err.Error())
			if tt.apiErr != nil {
				assert.Equal(t, tt.apiErr.Op, ae.Op)
				assert.Equal(t, tt.apiErr.Status, ae.Status)
				assert.Equal(t, tt.apiErr.Message, ae.Message)
			} else {
				assert.Contains(t, ae.Message, tt.msgPart)
				assert.NotEmpty(t, ae.Body)
			}
		})
	}
}

// TestCreateInvoiceFaults: transport failures are *APIError, and a
// CreateInvoice that may have reached Robokassa is never sent again.
func TestCreateInvoiceFaults(t *testing.T) {
	inv := Invoice{Type: InvoiceOneTime, OutSum: invoiceDec("990")}

	t.Run("connection cut", func(t *testing.T) {
		c, f := newInvoiceServer(t, MD5, func(w http.ResponseWriter, _ *http.Request, _ int) {
			conn, _, err := w.(http.Hijacker).Hijack()
			if assert.NoError(t, err) {
				_ = conn.Close()
			}
		})
		_, err := c.CreateInvoice(context.Background(), inv)
		var ae *APIError
		require.ErrorAs(t, err, &ae)
		assert.Equal(t, 0, ae.Status)
		assert.Error(t, ae.Err)
		assert.Len(t, f.requests(), 1)
	})

	t.Run("body cut short", func(t *testing.T) {
		c, f := newInvoiceServer(t, MD5, func(w http.ResponseWriter, _ *http.Request, _ int) {
			w.Header().Set("Content-Length", "500")
			w.WriteHeader(200)
			_, _ = io.WriteString(w, `{"id":"0f8fad5b","invId":1,"url":"https://auth`)
		})
		_, err := c.CreateInvoice(context.Background(), inv)
		var ae *APIError
		require.ErrorAs(t, err, &ae)
		assert.Error(t, ae.Err)
		assert.Len(t, f.requests(), 1)
	})

	t.Run("context cancelled while waiting", func(t *testing.T) {
		started, release := make(chan struct{}), make(chan struct{})
		c, f := newInvoiceServer(t, MD5, func(w http.ResponseWriter, r *http.Request, _ int) {
			close(started)
			select {
			case <-r.Context().Done():
			case <-release:
			}
		})
		t.Cleanup(func() { close(release) })
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go func() {
			<-started
			cancel()
		}()
		_, err := c.CreateInvoice(ctx, inv)
		require.ErrorIs(t, err, context.Canceled)
		var ae *APIError
		assert.ErrorAs(t, err, &ae)
		assert.Len(t, f.requests(), 1)
	})

	t.Run("deactivate not retried on 500", func(t *testing.T) {
		c, f := newInvoiceServer(t, MD5, invoiceReply(500, "oops"))
		err := c.DeactivateInvoice(context.Background(), InvoiceRef{InvID: 1})
		var ae *APIError
		require.ErrorAs(t, err, &ae)
		assert.Equal(t, 500, ae.Status)
		assert.Len(t, f.requests(), 1)
	})
}

func TestInvoiceTestMode(t *testing.T) {
	f := &invoiceFake{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.reqs = append(f.reqs, invoiceRequest{Op: r.URL.Path})
		f.mu.Unlock()
	}))
	t.Cleanup(srv.Close)
	c, err := NewClient(Config{MerchantLogin: "demo", Password1: "p1", TestPassword1: "t1", Test: true, ServicesURL: srv.URL + "/base"})
	require.NoError(t, err)
	ctx := context.Background()
	split := []SplitPart{{MerchantLogin: "demo", Amount: invoiceDec("10")}}
	calls := map[string]func() error{
		"create": func() error {
			_, err := c.CreateInvoice(ctx, Invoice{Type: InvoiceOneTime, OutSum: invoiceDec("10")})
			return err
		},
		"split": func() error {
			_, err := c.CreateInvoice(ctx, Invoice{Type: InvoiceOneTime, OutSum: invoiceDec("10"), Split: split})
			return err
		},
		"deactivate": func() error { return c.DeactivateInvoice(ctx, InvoiceRef{InvID: 1}) },
		"list": func() error {
			_, err := c.Invoices(ctx, InvoiceQuery{})
			return err
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			err := call()
			require.ErrorIs(t, err, ErrNotInTestMode)
			assert.True(t, strings.HasPrefix(err.Error(), "robokassa: "), err.Error())
		})
	}
	assert.Empty(t, f.requests(), "nothing sent in test mode")
}

func TestInvoiceValidation(t *testing.T) {
	c, f := newInvoiceServer(t, MD5, invoiceReplyFile(t, 200, "create_success.json"))
	valid := func() Invoice {
		return Invoice{
			Type:   InvoiceOneTime,
			OutSum: invoiceDec("990"),
			Items: []ReceiptItem{
				{Name: "A", Quantity: invoiceDec("1"), Sum: invoiceDec("490"), Tax: TaxNone},
				{Name: "B", Quantity: invoiceDec("2"), Sum: invoiceDec("500"), Tax: TaxNone},
			},
		}
	}
	tests := []struct {
		name   string
		mutate func(*Invoice)
		field  string
	}{
		{"type missing", func(i *Invoice) { i.Type = "" }, "Type"},
		{"type unknown", func(i *Invoice) { i.Type = "Once" }, "Type"},
		{"type wrong case", func(i *Invoice) { i.Type = "onetime" }, "Type"},
		{"sum zero", func(i *Invoice) { i.OutSum = decimal.Zero; i.Items = nil }, "OutSum"},
		{"sum negative", func(i *Invoice) { i.OutSum = invoiceDec("-1"); i.Items = nil }, "OutSum"},
		{"sum three decimals", func(i *Invoice) { i.OutSum = invoiceDec("1.005"); i.Items = nil }, "OutSum"},
		{"invid negative", func(i *Invoice) { i.InvID = -1 }, "InvID"},
		{"description too long", func(i *Invoice) { i.Description = strings.Repeat("я", 101) }, "Description"},
		{"description not utf-8", func(i *Invoice) { i.Description = "\xff" }, "Description"},
		{"comments not utf-8", func(i *Invoice) { i.MerchantComments = "\xfe" }, "MerchantComments"},
		{"culture", func(i *Invoice) { i.Culture = "de" }, "Culture"},
		{"expired", func(i *Invoice) { i.ExpirationDate = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC) }, "ExpirationDate"},
		{"expires now", func(i *Invoice) { i.ExpirationDate = DaysToPay(0) }, "ExpirationDate"},
		{"sno", func(i *Invoice) { i.Sno = "OSN" }, "Sno"},
		{"email", func(i *Invoice) { i.Email = "nobody" }, "Email"},
		{"result url relative", func(i *Invoice) { i.ResultURL2 = "/jws" }, "ResultURL2"},
		{"success url without method", func(i *Invoice) { i.SuccessURL2 = "https://shop.example/ok" }, "SuccessURL2Method"},
		{"success method without url", func(i *Invoice) { i.SuccessURL2Method = "GET" }, "SuccessURL2"},
		{"fail method", func(i *Invoice) { i.FailURL2, i.FailURL2Method = "https://shop.example/f", "PUT" }, "FailURL2Method"},
		{"fail url relative", func(i *Invoice) { i.FailURL2, i.FailURL2Method = "fail", "GET" }, "FailURL2"},
		{"hold on reusable", func(i *Invoice) { i.Type, i.StepByStep = InvoiceReusable, true }, "StepByStep"},
		{"token and recurring", func(i *Invoice) { i.Token, i.Recurring = "k", true }, "Token"},
		{"token and hold", func(i *Invoice) { i.Token, i.StepByStep = "k", true }, "Token"},
		{"token control", func(i *Invoice) { i.Token = "a\nb" }, "Token"},
		{"user field name", func(i *Invoice) { i.Shp = map[string]string{"bad-name": "x"} }, `Shp["bad-name"]`},
		{"user field empty name", func(i *Invoice) { i.Shp = map[string]string{"": "x"} }, "Shp"},
		{"user field prefixed", func(i *Invoice) { i.Shp = map[string]string{"Shp_order": "x"} }, `Shp["Shp_order"]`},
		{"user field value", func(i *Invoice) { i.Shp = map[string]string{"order": "\xff"} }, `Shp["order"]`},
		{"item name", func(i *Invoice) { i.Items[0].Name = "" }, "Items[0].Name"},
		{"item tax", func(i *Invoice) { i.Items[1].Tax = "" }, "Items[1].Tax"},
		{"item quantity", func(i *Invoice) { i.Items[1].Quantity = decimal.Zero }, "Items[1].Quantity"},
		{"item sum places", func(i *Invoice) { i.Items[1].Sum = invoiceDec("500.001") }, "Items[1].Sum"},
		{"item code", func(i *Invoice) { i.Items[0].NomenclatureCode = "é" }, "Items[0].NomenclatureCode"},
		{"items total", func(i *Invoice) { i.OutSum = invoiceDec("989.99") }, "Items"},
		{"split total", func(i *Invoice) { i.Split = []SplitPart{{MerchantLogin: "a", Amount: invoiceDec("1")}} }, "Split"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv := valid()
			tt.mutate(&inv)
			link, err := c.CreateInvoice(context.Background(), inv)
			assert.Nil(t, link)
			require.ErrorIs(t, err, ErrInvalidParam)
			var ve *ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tt.field, ve.Field)
			assert.True(t, strings.HasPrefix(err.Error(), "robokassa: invalid "), err.Error())
			assert.Equal(t, strings.ToLower(err.Error()[:10]), err.Error()[:10])
		})
	}
	assert.Empty(t, f.requests(), "invalid invoices are never sent")

	t.Run("valid edge values", func(t *testing.T) {
		inv := valid()
		inv.Description = strings.Repeat("я", 100)
		inv.ExpirationDate = DaysToPay(1)
		inv.Shp = map[string]string{"Order_2": "~ x"}
		_, err := c.CreateInvoice(context.Background(), inv)
		require.NoError(t, err)
		reqs := f.requests()
		require.Len(t, reqs, 1)
		m := invoicePayloadMap(t, reqs[0].Payload)
		assert.Equal(t, map[string]any{"shp_Order_2": "%7E+x"}, m["UserFields"])
		assert.True(t, strings.HasSuffix(m["ExpirationDate"].(string), "+03:00"))
	})
}

func TestInvoiceSecretsNotLeaked(t *testing.T) {
	// A server that echoes the key back in its refusal.
	c, _ := newInvoiceServer(t, MD5, invoiceReply(200, `{"isSuccess":false,"message":"bad key demo:password_1"}`))
	_, err := c.CreateInvoice(context.Background(), Invoice{Type: InvoiceOneTime, OutSum: invoiceDec("1")})
	var ae *APIError
	require.ErrorAs(t, err, &ae)
	assert.NotContains(t, err.Error(), invoiceTestPass1)
	assert.NotContains(t, ae.Body, invoiceTestPass1)
	assert.NotContains(t, ae.Message, invoiceTestPass1)
}

// --- DeactivateInvoice --------------------------------------------------------

func TestDeactivateInvoice(t *testing.T) {
	v := loadInvoiceVectors(t)
	refs := map[string]InvoiceRef{
		"EncodedID": {EncodedID: "aBcD3fGh1jKlMn"},
		"ID":        {ID: "0f8fad5b-d9cb-469f-a165-70867728950e"},
		"InvID":     {InvID: 4512},
	}
	for name, ref := range refs {
		for _, alg := range []HashAlgorithm{MD5, RIPEMD160, SHA512} {
			t.Run(name+"/"+string(alg), func(t *testing.T) {
				c, f := newInvoiceServer(t, alg, invoiceReplyFile(t, 200, "deactivate_success.json"))
				require.NoError(t, c.DeactivateInvoice(context.Background(), ref))
				reqs := f.requests()
				require.Len(t, reqs, 1)
				assert.Equal(t, "DeactivateInvoice", reqs[0].Op)
				assert.Equal(t, v.Deactivate[name].Payload, string(reqs[0].Payload))
				assert.Equal(t, v.Deactivate[name].Tokens[alg], reqs[0].Token)
			})
		}
	}

	t.Run("invalid refs", func(t *testing.T) {
		c, f := newInvoiceServer(t, MD5, invoiceReplyFile(t, 200, "deactivate_success.json"))
		for _, tt := range []struct {
			ref   InvoiceRef
			field string
		}{
			{InvoiceRef{}, "InvoiceRef"},
			{InvoiceRef{ID: "x", InvID: 1}, "InvoiceRef"},
			{InvoiceRef{EncodedID: "x", ID: "y"}, "InvoiceRef"},
			{InvoiceRef{InvID: -1}, "InvoiceRef.InvID"},
			{InvoiceRef{EncodedID: "a/b"}, "InvoiceRef.EncodedID"},
			{InvoiceRef{ID: "a b"}, "InvoiceRef.ID"},
			{InvoiceRef{ID: strings.Repeat("a", 201)}, "InvoiceRef.ID"},
		} {
			var ve *ValidationError
			require.ErrorAs(t, c.DeactivateInvoice(context.Background(), tt.ref), &ve, "%+v", tt.ref)
			assert.Equal(t, tt.field, ve.Field, "%+v", tt.ref)
		}
		assert.Empty(t, f.requests())
	})

	for _, tt := range []struct {
		name, body, msg string
	}{
		{"refused", "deactivate_refused.json", "Invoice not found"},
		{"garbage", "create_garbage.html", "malformed response: not a JSON object"},
		{"no flag", "", "malformed response: no isSuccess flag"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			reply := invoiceReply(200, "{}")
			if tt.body != "" {
				reply = invoiceReplyFile(t, 200, tt.body)
			}
			c, _ := newInvoiceServer(t, MD5, reply)
			err := c.DeactivateInvoice(context.Background(), InvoiceRef{InvID: 1})
			var ae *APIError
			require.ErrorAs(t, err, &ae)
			assert.Equal(t, "DeactivateInvoice", ae.Op)
			assert.Equal(t, tt.msg, ae.Message)
		})
	}
}

func TestInvoiceLinkRef(t *testing.T) {
	assert.Equal(t, InvoiceRef{ID: "g"}, (&InvoiceLink{ID: "g", EncodedID: "e", InvID: 1}).Ref())
	assert.Equal(t, InvoiceRef{EncodedID: "e"}, (&InvoiceLink{EncodedID: "e", InvID: 1}).Ref())
}

// --- Invoices (GetInvoiceInformationList) --------------------------------------

func TestInvoicesRequest(t *testing.T) {
	v := loadInvoiceVectors(t)
	from, err := time.Parse(time.RFC3339, "2025-01-01T00:00:00+03:00")
	require.NoError(t, err)
	to, err := time.Parse(time.RFC3339, "2025-01-31T23:59:59+03:00")
	require.NoError(t, err)
	q := InvoiceQuery{
		States:         []InvoiceState{InvoiceStatePaid, InvoiceStateNotPaid},
		Types:          []InvoiceType{InvoiceOneTime},
		DateFrom:       from,
		DateTo:         to,
		SumFrom:        decimal.NewNullDecimal(invoiceDec("1")),
		SumTo:          decimal.NewNullDecimal(invoiceDec("10000")),
		Keywords:       "Заказ",
		CurrentPage:    2,
		PageSize:       50,
		IsAscending:    true,
		PaymentAliases: []string{"BankCard", "SBP"},
	}
	for _, alg := range invoiceAlgs {
		t.Run(string(alg), func(t *testing.T) {
			c, f := newInvoiceServer(t, alg, invoiceReplyFile(t, 200, "list_array.json"))
			_, err := c.Invoices(context.Background(), q)
			require.NoError(t, err)
			_, err = c.Invoices(context.Background(), InvoiceQuery{})
			require.NoError(t, err)
			reqs := f.requests()
			require.Len(t, reqs, 2)
			assert.Equal(t, "GetInvoiceInformationList", reqs[0].Op)
			assert.Equal(t, v.List.Payload, string(reqs[0].Payload))
			assert.Equal(t, v.List.Tokens[alg], reqs[0].Token)
			assert.Equal(t, v.ListDefault.Payload, string(reqs[1].Payload))
			assert.Equal(t, v.ListDefault.Tokens[alg], reqs[1].Token)
		})
	}
}

func TestInvoicesValidation(t *testing.T) {
	c, f := newInvoiceServer(t, MD5, invoiceReplyFile(t, 200, "list_array.json"))
	day := time.Date(2025, 1, 2, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		q     InvoiceQuery
		field string
	}{
		{"page", InvoiceQuery{CurrentPage: -1}, "CurrentPage"},
		{"size", InvoiceQuery{PageSize: -1}, "PageSize"},
		{"status case", InvoiceQuery{States: []InvoiceState{"paid"}}, "Statuses[0]"},
		{"type", InvoiceQuery{Types: []InvoiceType{InvoiceOneTime, "Once"}}, "Types[1]"},
		{"alias empty", InvoiceQuery{PaymentAliases: []string{""}}, "PaymentAliases[0]"},
		{"alias chars", InvoiceQuery{PaymentAliases: []string{"Bank Card"}}, "PaymentAliases[0]"},
		{"keywords", InvoiceQuery{Keywords: "\xff"}, "Keywords"},
		{"dates reversed", InvoiceQuery{DateFrom: day, DateTo: day.Add(-time.Second)}, "DateTo"},
		{"sum places", InvoiceQuery{SumFrom: decimal.NewNullDecimal(invoiceDec("1.001"))}, "SumFrom"},
		{"sum negative", InvoiceQuery{SumTo: decimal.NewNullDecimal(invoiceDec("-1"))}, "SumTo"},
		{"sums reversed", InvoiceQuery{SumFrom: decimal.NewNullDecimal(invoiceDec("2")), SumTo: decimal.NewNullDecimal(invoiceDec("1"))}, "SumTo"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page, err := c.Invoices(context.Background(), tt.q)
			assert.Nil(t, page)
			var ve *ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tt.field, ve.Field)
		})
	}
	assert.Empty(t, f.requests())
}

func TestInvoicesResponses(t *testing.T) {
	msk := time.FixedZone("", 3*3600)
	t.Run("array at top level", func(t *testing.T) {
		c, _ := newInvoiceServer(t, SHA384, invoiceReplyFile(t, 200, "list_array.json"))
		page, err := c.Invoices(context.Background(), InvoiceQuery{PageSize: 20})
		require.NoError(t, err)
		assert.Equal(t, 1, page.CurrentPage)
		assert.Equal(t, 20, page.PageSize)
		assert.Equal(t, 0, page.Total)
		require.Len(t, page.Invoices, 2)
		a, b := page.Invoices[0], page.Invoices[1]
		assert.Equal(t, "0f8fad5b-d9cb-469f-a165-70867728950e", a.ID)
		assert.Equal(t, int64(4512), a.InvID)
		assert.Equal(t, "aBcD3fGh1jKlMn", a.EncodedID)
		assert.Equal(t, "https://auth.robokassa.ru/merchant/Invoice/aBcD3fGh1jKlMn", a.URL)
		assert.Equal(t, InvoiceOneTime, a.Type)
		assert.Equal(t, InvoiceStatePaid, a.State)
		assert.Equal(t, "990", a.OutSum.String())
		assert.Equal(t, "Заказ №4512", a.Description)
		assert.True(t, a.CreatedAt.Equal(time.Date(2025, 1, 15, 10, 30, 0, 0, msk)), a.CreatedAt.String())
		assert.True(t, a.ExpirationDate.Equal(time.Date(2025, 1, 18, 10, 30, 0, 0, msk)), a.ExpirationDate.String())
		assert.True(t, a.PaidAt.Equal(time.Date(2025, 1, 15, 10, 41, 7, 123e6, msk)), a.PaidAt.String())
		assert.Contains(t, string(a.Raw), `"merchantComments":"VIP"`)
		assert.Equal(t, "Zx81Qw0pLm", b.EncodedID, "derived from the url")
		assert.Equal(t, InvoiceReusable, b.Type)
		assert.Equal(t, InvoiceStateNotPaid, b.State)
		assert.Equal(t, "150.5", b.OutSum.String(), "sum given as a string")
		assert.True(t, b.CreatedAt.Equal(time.Date(2025, 1, 16, 9, 0, 0, 0, msk)), "no offset: Moscow time, got %s", b.CreatedAt)
		assert.True(t, b.ExpirationDate.IsZero())
	})

	t.Run("list under a field", func(t *testing.T) {
		c, _ := newInvoiceServer(t, SHA256, invoiceReplyFile(t, 200, "list_object.json"))
		page, err := c.Invoices(context.Background(), InvoiceQuery{CurrentPage: 2, PageSize: 50})
		require.NoError(t, err)
		assert.Equal(t, 2, page.CurrentPage)
		assert.Equal(t, 50, page.PageSize)
		assert.Equal(t, 51, page.Total)
		require.Len(t, page.Invoices, 1)
		a := page.Invoices[0]
		assert.Equal(t, "5d0b6c2e-4a1f-4c8e-9d3b-2f1e0a9b8c7d", a.ID)
		assert.Equal(t, int64(4600), a.InvID)
		assert.Equal(t, "https://auth.robokassa.ru/merchant/Invoice/Qq9Ww8Ee7", a.URL)
		assert.Equal(t, "Qq9Ww8Ee7", a.EncodedID)
		assert.Equal(t, InvoiceOneTime, a.Type)
		assert.Equal(t, InvoiceStateExpired, a.State)
		assert.Equal(t, "1000", a.OutSum.String())
		assert.True(t, a.CreatedAt.Equal(time.Date(2025, 1, 16, 9, 0, 0, 0, msk)), a.CreatedAt.String())
		assert.True(t, a.ExpirationDate.Equal(time.Date(2025, 1, 18, 12, 0, 0, 0, msk)), a.ExpirationDate.String())
	})

	t.Run("refused", func(t *testing.T) {
		c, _ := newInvoiceServer(t, MD5, invoiceReplyFile(t, 200, "list_refused.json"))
		_, err := c.Invoices(context.Background(), InvoiceQuery{})
		var ae *APIError
		require.ErrorAs(t, err, &ae)
		assert.Equal(t, "GetInvoiceInformationList", ae.Op)
		assert.Equal(t, "Внутренняя ошибка сервиса", ae.Message)
	})

	t.Run("retried after 500", func(t *testing.T) {
		ok := invoiceReplyFile(t, 200, "list_array.json")
		c, f := newInvoiceServer(t, MD5, func(w http.ResponseWriter, r *http.Request, n int) {
			if n == 1 {
				invoiceReply(500, "busy")(w, r, n)
				return
			}
			ok(w, r, n)
		})
		page, err := c.Invoices(context.Background(), InvoiceQuery{})
		require.NoError(t, err)
		assert.Len(t, page.Invoices, 2)
		assert.Len(t, f.requests(), 2, "a read is retried")
	})

	t.Run("retried after a cut connection", func(t *testing.T) {
		ok := invoiceReplyFile(t, 200, "list_array.json")
		c, f := newInvoiceServer(t, MD5, func(w http.ResponseWriter, r *http.Request, n int) {
			if n == 1 {
				conn, _, err := w.(http.Hijacker).Hijack()
				if assert.NoError(t, err) {
					_ = conn.Close()
				}
				return
			}
			ok(w, r, n)
		})
		_, err := c.Invoices(context.Background(), InvoiceQuery{})
		require.NoError(t, err)
		assert.Len(t, f.requests(), 2)
	})

	t.Run("garbage", func(t *testing.T) {
		c, _ := newInvoiceServer(t, MD5, invoiceReplyFile(t, 200, "create_garbage.html"))
		_, err := c.Invoices(context.Background(), InvoiceQuery{})
		var ae *APIError
		require.ErrorAs(t, err, &ae)
		assert.Contains(t, ae.Message, "malformed response")
	})
}

func TestParseInvoicePageShapes(t *testing.T) {
	c, err := NewClient(Config{MerchantLogin: "demo", Password1: "password_1"})
	require.NoError(t, err)
	tests := []struct {
		name  string
		body  string
		n     int    // invoices, when no error
		total int    // reported total
		err   string // APIError message, when an error
	}{
		{name: "empty array", body: " [] ", n: 0},
		{name: "data with items", body: `{"isSuccess":true,"data":{"items":[{"id":"a"}],"totalCount":"7"}}`, n: 1, total: 7},
		{name: "data, names in any case", body: `{"IsSuccess":"True","DATA":{"Items":[{"Id":"a"},{"id":"b"}],"TotalCount":2}}`, n: 2, total: 2},
		{name: "data without items", body: `{"isSuccess":true,"data":{"items":null}}`, n: 0},
		{name: "list under another name", body: `{"invoices":[{"id":"a"}]}`, err: "malformed response: no list of invoices"},
		{name: "bare message", body: `{"Message":"An error has occurred."}`, err: "An error has occurred."},
		{name: "refused without message", body: `{"isSuccess":false}`, err: "request refused without a message"},
		{name: "empty object", body: `{}`, err: "malformed response: no list of invoices"},
		{name: "entries not objects", body: `[1,2]`, err: "malformed response: an invoice is not a JSON object"},
		{name: "string", body: `"ok"`, err: "malformed response: not a JSON object or array"},
		{name: "invalid json", body: `{"data":[`, err: "malformed response: not valid JSON"},
		{name: "items is an object", body: `{"data":{"items":{"x":1}}}`, err: "malformed response: not valid JSON"},
		{name: "empty body", body: ``, err: "malformed response: not a JSON object or array"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page, err := parseInvoicePage(c.replyOf("GetInvoiceInformationList", []byte(tt.body)), 1, 10)
			if tt.err != "" {
				var ae *APIError
				require.ErrorAs(t, err, &ae)
				assert.Equal(t, tt.err, ae.Message)
				return
			}
			require.NoError(t, err)
			assert.Len(t, page.Invoices, tt.n)
			assert.Equal(t, tt.total, page.Total)
		})
	}
}

func TestParseInvoiceFields(t *testing.T) {
	tests := []struct {
		raw  string
		want InvoiceInfo
	}{
		{`{"ID":"a","InvID":" 12 ","Status":"WAITING","invoiceType":"ONETIME","sum":"10.50"}`,
			InvoiceInfo{ID: "a", InvID: 12, State: InvoiceStateNotPaid, Type: InvoiceOneTime, OutSum: invoiceDec("10.5")}},
		{`{"invoiceId":"not-a-number","status":3,"sum":1e400,"url":"https://x.example/a/b/"}`,
			InvoiceInfo{State: "3", URL: "https://x.example/a/b/", EncodedID: "b"}},
		{`{"invId":12.0,"invoiceStatus":"Cancelled","outSum":-5,"description":{"x":1}}`,
			InvoiceInfo{State: "Cancelled"}},
		{`{"invId":1.5,"outSum":"","url":"not a url"}`,
			InvoiceInfo{URL: "not a url"}},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			got, err := parseInvoiceInfo(json.RawMessage(tt.raw))
			require.NoError(t, err)
			tt.want.Raw = json.RawMessage(tt.raw)
			assert.True(t, tt.want.OutSum.Equal(got.OutSum), "OutSum %s", got.OutSum)
			tt.want.OutSum = got.OutSum
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestParseInvoiceTime(t *testing.T) {
	msk := time.FixedZone("", 3*3600)
	tests := []struct {
		in   string
		want time.Time
	}{
		{"2025-01-15T10:30:00+03:00", time.Date(2025, 1, 15, 10, 30, 0, 0, msk)},
		{"2025-01-15T07:30:00Z", time.Date(2025, 1, 15, 10, 30, 0, 0, msk)},
		{"2025-01-15T10:30:00.1234567", time.Date(2025, 1, 15, 10, 30, 0, 123456700, msk)},
		{"15.01.2025 10:30:00", time.Date(2025, 1, 15, 10, 30, 0, 0, msk)},
		{"2025-01-15 10:30:00", time.Time{}},
		{"15.01.2025", time.Time{}},
		{"/Date(1736926200000)/", time.Date(2025, 1, 15, 10, 30, 0, 0, msk)},
		{"/Date(1736926200000+0300)/", time.Date(2025, 1, 15, 10, 30, 0, 0, msk)},
		{"/Date(-1000)/", time.Date(1970, 1, 1, 2, 59, 59, 0, msk)},
		{"/Date()/", time.Time{}},
		{"/Date(", time.Time{}},
		{"tomorrow", time.Time{}},
		{"", time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got := parseInvoiceTime(tt.in)
			assert.True(t, tt.want.Equal(got), "got %s, want %s", got, tt.want)
		})
	}
}

func TestDaysToPay(t *testing.T) {
	before := time.Now()
	got := DaysToPay(3)
	after := time.Now()
	_, offset := got.Zone()
	assert.Equal(t, 3*3600, offset, "Moscow time")
	assert.False(t, got.Before(before.AddDate(0, 0, 3).Truncate(time.Second)))
	assert.False(t, got.After(after.AddDate(0, 0, 3)))
	assert.Equal(t, 0, got.Nanosecond())
	assert.True(t, strings.HasSuffix(got.Format(isoOffset), "+03:00"))
}

// --- fuzzing what Robokassa sends ----------------------------------------------

func invoiceFuzzSeeds(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "invoice", "*"))
	require.NoError(f, err)
	require.NotEmpty(f, files)
	for _, name := range files {
		b, err := os.ReadFile(name)
		require.NoError(f, err)
		f.Add(b)
	}
	for _, s := range []string{``, `null`, `[]`, `{}`, `[{}]`, `{"data":{"data":[{}]}}`, `{"isSuccess":true,"url":"https://a.b/"}`,
		`{"isSuccess":1,"url":"http://h/x","invId":"9223372036854775808"}`, `[{"sum":"-0.0","createDate":"/Date(-)/"}]`} {
		f.Add([]byte(s))
	}
}

func FuzzInvoiceLinkResponse(f *testing.F) {
	invoiceFuzzSeeds(f)
	c, err := NewClient(Config{MerchantLogin: "demo", Password1: "password_1"})
	require.NoError(f, err)
	f.Fuzz(func(t *testing.T, body []byte) {
		link, err := parseInvoiceLink(c.replyOf("CreateInvoice", body))
		if err != nil {
			var ae *APIError
			require.ErrorAs(t, err, &ae)
			require.Nil(t, link)
			require.LessOrEqual(t, len(ae.Body), maxErrorBody+40)
		} else {
			require.True(t, isAbsHTTP(link.URL), link.URL)
			require.NotEmpty(t, link.EncodedID)
			require.NotContains(t, link.EncodedID, "/")
		}
		if err := parseInvoiceAck(c.replyOf("DeactivateInvoice", body)); err != nil {
			var ae *APIError
			require.ErrorAs(t, err, &ae)
		}
	})
}

func FuzzInvoiceListResponse(f *testing.F) {
	invoiceFuzzSeeds(f)
	c, err := NewClient(Config{MerchantLogin: "demo", Password1: "password_1"})
	require.NoError(f, err)
	f.Fuzz(func(t *testing.T, body []byte) {
		page, err := parseInvoicePage(c.replyOf("GetInvoiceInformationList", body), 3, 25)
		if err != nil {
			var ae *APIError
			require.ErrorAs(t, err, &ae)
			require.Nil(t, page)
			return
		}
		require.Positive(t, page.CurrentPage)
		require.Positive(t, page.PageSize)
		require.GreaterOrEqual(t, page.Total, 0)
		for _, inv := range page.Invoices {
			require.True(t, json.Valid(inv.Raw))
			_ = inv.OutSum.String() // finite: no exponent bombs get through
			if inv.EncodedID != "" && inv.URL != "" && isAbsHTTP(inv.URL) {
				require.NotContains(t, inv.EncodedID, "/")
			}
		}
	})
}
