package robokassa

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The expected tokens and envelopes come from testdata/refund_vectors.json,
// written by testdata/gen_refund_vectors.py (Python hashlib/hmac); every
// request a test server receives is also decoded and its HMAC or digest
// recomputed here with the standard library.

type refundItemInput struct {
	Name             string `json:"name"`
	Quantity         string `json:"quantity"`
	Sum              string `json:"sum"`
	Cost             string `json:"cost"`
	Tax              string `json:"tax"`
	PaymentMethod    string `json:"payment_method"`
	PaymentObject    string `json:"payment_object"`
	NomenclatureCode string `json:"nomenclature_code"`
}

func (in refundItemInput) item() ReceiptItem {
	it := ReceiptItem{
		Name: in.Name, Quantity: refundDec(in.Quantity), Tax: Tax(in.Tax),
		PaymentMethod: ReceiptPaymentMethod(in.PaymentMethod), PaymentObject: PaymentObject(in.PaymentObject),
		NomenclatureCode: in.NomenclatureCode,
	}
	if in.Sum != "" {
		it.Sum = refundDec(in.Sum)
	}
	if in.Cost != "" {
		it.Cost = decimal.NewNullDecimal(refundDec(in.Cost))
	}
	return it
}

type refundVector struct {
	Name      string `json:"name"`
	Password3 string `json:"password3"`
	Input     struct {
		OpKey string            `json:"op_key"`
		Sum   string            `json:"sum"`
		Items []refundItemInput `json:"items"`
	} `json:"input"`
	Header  string `json:"header"`
	Payload string `json:"payload"`
	Token   string `json:"token"`
	Body    string `json:"body"`
}

type fiscalVector struct {
	Name      string        `json:"name"`
	Kind      string        `json:"kind"`
	Algorithm HashAlgorithm `json:"algorithm"`
	Login     string        `json:"login"`
	Password1 string        `json:"password1"`
	Input     struct {
		ID       string            `json:"id"`
		OriginID int64             `json:"origin_id"`
		Sno      string            `json:"sno"`
		URL      string            `json:"url"`
		Total    string            `json:"total"`
		Items    []refundItemInput `json:"items"`
		Email    string            `json:"email"`
		Phone    string            `json:"phone"`
		Vats     []struct {
			Type string `json:"type"`
			Sum  string `json:"sum"`
		} `json:"vats"`
	} `json:"input"`
	JSON string `json:"json"`
	B    string `json:"b"`
	S    string `json:"s"`
	Body string `json:"body"`
}

func loadRefundVectors(t testing.TB) (refunds []refundVector, fiscals []fiscalVector) {
	var v struct {
		Refund []refundVector `json:"refund"`
		Fiscal []fiscalVector `json:"fiscal"`
	}
	b, err := os.ReadFile(filepath.Join("testdata", "refund_vectors.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &v))
	require.NotEmpty(t, v.Refund)
	require.NotEmpty(t, v.Fiscal)
	return v.Refund, v.Fiscal
}

func refundDec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func refundFixture(t testing.TB, name string) []byte {
	b, err := os.ReadFile(filepath.Join("testdata", "refund", name))
	require.NoError(t, err)
	return b
}

// refundServer is a fake services/fiscal host mounted under /base. It
// records what it received and answers with reply.
type refundServer struct {
	srv         *httptest.Server
	hits        atomic.Int32
	method      string
	path        string
	query       string
	contentType string
	body        []byte
}

// newRefundServer starts a server whose handler for every path under
// /base/ records the request and calls reply.
func newRefundServer(t *testing.T, reply func(w http.ResponseWriter, r *http.Request)) *refundServer {
	t.Helper()
	s := &refundServer{}
	mux := http.NewServeMux()
	mux.HandleFunc("/base/", func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		body, _ := io.ReadAll(r.Body)
		s.method, s.path, s.query, s.contentType, s.body = r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Get("Content-Type"), body
		reply(w, r)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("request outside /base: %s", r.URL.Path)
		http.NotFound(w, r)
	})
	s.srv = httptest.NewServer(mux)
	t.Cleanup(s.srv.Close)
	return s
}

// client returns a client whose every base URL is the server's /base.
func (s *refundServer) client(t testing.TB, cfg Config) *Client {
	t.Helper()
	if cfg.MerchantLogin == "" {
		cfg.MerchantLogin = "demo"
	}
	if cfg.Password1 == "" && !cfg.Test {
		cfg.Password1 = "password_1"
	}
	cfg.AuthURL, cfg.ServicesURL, cfg.FiscalURL = s.srv.URL+"/base", s.srv.URL+"/base", s.srv.URL+"/base"
	c, err := NewClient(cfg)
	require.NoError(t, err)
	return c
}

// replyFile answers with a recorded response and the given status.
func replyFile(t *testing.T, status int, path string) func(http.ResponseWriter, *http.Request) {
	b, err := os.ReadFile(filepath.Join("testdata", path))
	require.NoError(t, err)
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(status)
		_, _ = w.Write(b)
	}
}

// decodeRefundJWT splits a token, checks its HS256 signature with the
// standard library and returns the decoded header and payload.
func decodeRefundJWT(t *testing.T, token, key string) (header, payload string) {
	t.Helper()
	parts := strings.Split(token, ".")
	require.Len(t, parts, 3)
	for _, p := range parts {
		require.NotContains(t, p, "=", "base64url without padding")
	}
	h, err := base64.RawURLEncoding.DecodeString(parts[0])
	require.NoError(t, err)
	p, err := base64.RawURLEncoding.DecodeString(parts[1])
	require.NoError(t, err)
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	require.NoError(t, err)
	mac := hmac.New(sha256.New, []byte(key))
	mac.Write([]byte(parts[0] + "." + parts[1]))
	assert.True(t, hmac.Equal(mac.Sum(nil), sig), "HMAC-SHA256 with Password #3")
	return string(h), string(p)
}

func (v refundVector) request() RefundRequest {
	r := RefundRequest{OpKey: v.Input.OpKey}
	if v.Input.Sum != "" {
		r.Sum = decimal.NewNullDecimal(refundDec(v.Input.Sum))
	}
	for _, in := range v.Input.Items {
		r.Items = append(r.Items, in.item())
	}
	return r
}

func TestRefundVectors(t *testing.T) {
	refunds, _ := loadRefundVectors(t)
	for _, v := range refunds {
		t.Run(v.Name, func(t *testing.T) {
			s := newRefundServer(t, replyFile(t, http.StatusOK, "refund/create_success.json"))
			c := s.client(t, Config{Password3: Secret(v.Password3)})
			ticket, err := c.Refund(context.Background(), v.request())
			require.NoError(t, err)
			assert.Equal(t, "6f1c5f3e-3d2a-4b8e-9c6d-1a2b3c4d5e6f", ticket.RequestID)

			assert.Equal(t, int32(1), s.hits.Load())
			assert.Equal(t, http.MethodPost, s.method)
			assert.Equal(t, "/base/RefundService/Refund/Create", s.path)
			assert.Equal(t, "application/json", s.contentType)
			assert.Equal(t, v.Body, string(s.body), "body is the JWT as a JSON string literal")

			var token string
			require.NoError(t, json.Unmarshal(s.body, &token))
			assert.Equal(t, v.Token, token)
			header, payload := decodeRefundJWT(t, token, v.Password3)
			assert.Equal(t, v.Header, header)
			assert.Equal(t, v.Payload, payload)
			var hdr map[string]string
			require.NoError(t, json.Unmarshal([]byte(header), &hdr))
			assert.Equal(t, map[string]string{"alg": "HS256", "typ": "JWT"}, hdr)
		})
	}
}

func TestRefundPayloadNumbersAreJSONNumbers(t *testing.T) {
	refunds, _ := loadRefundVectors(t)
	var p struct {
		RefundSum    json.RawMessage
		InvoiceItems []struct{ Quantity, Cost json.RawMessage }
	}
	require.NoError(t, json.Unmarshal([]byte(refunds[2].Payload), &p))
	s := newRefundServer(t, replyFile(t, http.StatusOK, "refund/create_success.json"))
	_, err := s.client(t, Config{Password3: Secret(refunds[2].Password3)}).Refund(context.Background(), refunds[2].request())
	require.NoError(t, err)
	var token string
	require.NoError(t, json.Unmarshal(s.body, &token))
	_, payload := decodeRefundJWT(t, token, refunds[2].Password3)
	require.NoError(t, json.Unmarshal([]byte(payload), &p))
	assert.Equal(t, "1490.00", string(p.RefundSum))
	require.Len(t, p.InvoiceItems, 2)
	assert.Equal(t, "500.00", string(p.InvoiceItems[1].Cost))
	assert.Equal(t, "2", string(p.InvoiceItems[1].Quantity))
}

func TestRefundResponses(t *testing.T) {
	tests := []struct {
		name     string
		status   int
		file     string
		wantCode string
		wantMsg  string
		notFound bool
	}{
		{"not enough funds", 200, "create_not_enough_funds.json", string(RefundCodeNotEnoughFunds), "less money left", false},
		{"operation not found", 200, "create_operation_not_found.json", string(RefundCodeOperationNotFound), "no completed operation", true},
		{"already refunded", 200, "create_already_refunded.json", string(RefundCodeAlreadyRefunded), "already been refunded", false},
		{"unknown message", 200, "create_unknown_message.json", "RefundSumTooSmall", "refund rejected", false},
		{"no reason", 200, "create_no_reason.json", "", "without a reason", false},
		{"success without id", 200, "create_success_no_id.json", "", "malformed response: no requestId", false},
		{"http 401 with message", 401, "create_401.json", "", "Invalid token signature", false},
		{"http 400 with message", 400, "create_400.json", "", "OpKey is required", false},
		{"http 400 with rejection code", 400, "create_operation_not_found.json", string(RefundCodeOperationNotFound), "no completed operation", true},
		{"garbage", 200, "garbage.html", "", "malformed response", false},
		{"truncated json", 200, "truncated.json", "", "malformed response", false},
		{"http 502 garbage", 502, "garbage.html", "", "Bad Gateway", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newRefundServer(t, replyFile(t, tt.status, "refund/"+tt.file))
			c := s.client(t, Config{Password3: "pass3-Secret"})
			ticket, err := c.Refund(context.Background(), RefundRequest{OpKey: "op-1"})
			require.Error(t, err)
			assert.Nil(t, ticket)
			var ae *APIError
			require.ErrorAs(t, err, &ae)
			assert.Equal(t, "Refund", ae.Op)
			assert.Equal(t, tt.status, ae.Status)
			assert.Equal(t, tt.wantCode, ae.Code)
			assert.Contains(t, ae.Message, tt.wantMsg)
			assert.Equal(t, tt.notFound, errors.Is(err, ErrNotFound))
			assert.True(t, strings.HasPrefix(err.Error(), "robokassa: Refund"), err.Error())
			assert.NotContains(t, err.Error(), "pass3-Secret")
			assert.Equal(t, int32(1), s.hits.Load())
		})
	}
}

func TestRefundErrorsRedactPassword(t *testing.T) {
	for _, status := range []int{200, 401} {
		s := newRefundServer(t, func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(status)
			_, _ = io.WriteString(w, `{"success":false,"message":"bad key pass3-Secret"}`)
		})
		_, err := s.client(t, Config{Password3: "pass3-Secret"}).Refund(context.Background(), RefundRequest{OpKey: "op-1"})
		var ae *APIError
		require.ErrorAs(t, err, &ae)
		assert.NotContains(t, err.Error(), "pass3-Secret", "status %d", status)
		assert.NotContains(t, ae.Body, "pass3-Secret", "status %d", status)
		assert.NotContains(t, ae.Code, "pass3-Secret", "status %d", status)
	}
}

func TestRefundValidation(t *testing.T) {
	item := func(mod func(*ReceiptItem)) ReceiptItem {
		it := ReceiptItem{Name: "Item", Quantity: refundDec("1"), Sum: refundDec("100"), Tax: TaxNone}
		if mod != nil {
			mod(&it)
		}
		return it
	}
	sum := func(s string) decimal.NullDecimal { return decimal.NewNullDecimal(refundDec(s)) }
	tests := []struct {
		name  string
		req   RefundRequest
		field string
	}{
		{"no OpKey", RefundRequest{}, "RefundRequest.OpKey"},
		{"OpKey with space", RefundRequest{OpKey: "op 1"}, "RefundRequest.OpKey"},
		{"OpKey with newline", RefundRequest{OpKey: "op\n1"}, "RefundRequest.OpKey"},
		{"zero sum", RefundRequest{OpKey: "op", Sum: sum("0")}, "RefundRequest.Sum"},
		{"negative sum", RefundRequest{OpKey: "op", Sum: sum("-1")}, "RefundRequest.Sum"},
		{"three decimals", RefundRequest{OpKey: "op", Sum: sum("1.005")}, "RefundRequest.Sum"},
		{"empty item name", RefundRequest{OpKey: "op", Items: []ReceiptItem{item(func(it *ReceiptItem) { it.Name = "" })}}, "RefundRequest.Items[0].Name"},
		{"no tax", RefundRequest{OpKey: "op", Items: []ReceiptItem{item(nil), item(func(it *ReceiptItem) { it.Tax = "" })}}, "RefundRequest.Items[1].Tax"},
		{"zero quantity", RefundRequest{OpKey: "op", Items: []ReceiptItem{item(func(it *ReceiptItem) { it.Quantity = decimal.Zero })}}, "RefundRequest.Items[0].Quantity"},
		{"sum not divisible", RefundRequest{OpKey: "op", Items: []ReceiptItem{item(func(it *ReceiptItem) { it.Quantity = refundDec("3") })}}, "RefundRequest.Items[0].Cost"},
		{"cost disagrees with sum", RefundRequest{OpKey: "op", Items: []ReceiptItem{item(func(it *ReceiptItem) { it.Cost = decimal.NewNullDecimal(refundDec("99")) })}}, "RefundRequest.Items[0].Cost"},
		{"nomenclature code", RefundRequest{OpKey: "op", Items: []ReceiptItem{item(func(it *ReceiptItem) { it.NomenclatureCode = "0462" })}}, "RefundRequest.Items[0].NomenclatureCode"},
		{"items do not add up", RefundRequest{OpKey: "op", Sum: sum("150"), Items: []ReceiptItem{item(nil)}}, "RefundRequest.Items"},
	}
	s := newRefundServer(t, func(http.ResponseWriter, *http.Request) { t.Error("request sent for invalid input") })
	c := s.client(t, Config{Password3: "pass3-Secret"})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ticket, err := c.Refund(context.Background(), tt.req)
			assert.Nil(t, ticket)
			var ve *ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tt.field, ve.Field)
			assert.ErrorIs(t, err, ErrInvalidParam)
			assert.True(t, strings.HasPrefix(err.Error(), "robokassa: invalid "), err.Error())
		})
	}
	assert.Equal(t, int32(0), s.hits.Load())
}

func TestRefundAccepts(t *testing.T) {
	tests := []struct {
		name string
		req  RefundRequest
	}{
		{"items without sum", RefundRequest{OpKey: "op", Items: []ReceiptItem{{Name: "a", Quantity: refundDec("3"), Sum: refundDec("100.02"), Tax: TaxNone}}}},
		{"cost only", RefundRequest{OpKey: "op", Sum: decimal.NewNullDecimal(refundDec("30")), Items: []ReceiptItem{{Name: "a", Quantity: refundDec("3"), Cost: decimal.NewNullDecimal(refundDec("10")), Tax: TaxVAT20}}}},
		{"sum with trailing zeros", RefundRequest{OpKey: "op", Sum: decimal.NewNullDecimal(refundDec("10.000"))}},
		{"empty items slice", RefundRequest{OpKey: "op", Items: []ReceiptItem{}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newRefundServer(t, replyFile(t, http.StatusOK, "refund/create_success.json"))
			_, err := s.client(t, Config{Password3: "k3"}).Refund(context.Background(), tt.req)
			require.NoError(t, err)
			assert.Equal(t, int32(1), s.hits.Load())
		})
	}
}

func TestRefundRefusesWithoutSending(t *testing.T) {
	s := newRefundServer(t, func(http.ResponseWriter, *http.Request) { t.Error("request sent") })
	tests := []struct {
		name string
		cfg  Config
		want error
	}{
		{"no password 3", Config{}, ErrNoPassword3},
		{"test mode", Config{Test: true, TestPassword1: "t1", Password3: "k3"}, ErrNotInTestMode},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.client(t, tt.cfg).Refund(context.Background(), RefundRequest{OpKey: "op"})
			assert.ErrorIs(t, err, tt.want)
		})
	}
	assert.Equal(t, int32(0), s.hits.Load())
}

// truncatedReply promises more bytes than it sends.
func truncatedReply(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Length", "200")
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, `{"success":true,"requ`)
}

// blockingReply signals started and waits for the client to give up.
func blockingReply(started chan<- struct{}) func(http.ResponseWriter, *http.Request) {
	var once atomic.Bool
	return func(_ http.ResponseWriter, r *http.Request) {
		if once.CompareAndSwap(false, true) {
			close(started)
		}
		<-r.Context().Done()
	}
}

func TestRefundFaults(t *testing.T) {
	t.Run("500 is not retried", func(t *testing.T) {
		s := newRefundServer(t, replyFile(t, http.StatusInternalServerError, "refund/garbage.html"))
		_, err := s.client(t, Config{Password3: "k3"}).Refund(context.Background(), RefundRequest{OpKey: "op"})
		var ae *APIError
		require.ErrorAs(t, err, &ae)
		assert.Equal(t, 500, ae.Status)
		assert.Equal(t, int32(1), s.hits.Load())
	})
	t.Run("truncated body", func(t *testing.T) {
		s := newRefundServer(t, truncatedReply)
		_, err := s.client(t, Config{Password3: "k3"}).Refund(context.Background(), RefundRequest{OpKey: "op"})
		var ae *APIError
		require.ErrorAs(t, err, &ae)
		assert.Error(t, ae.Err)
		assert.Equal(t, int32(1), s.hits.Load())
	})
	t.Run("canceled context", func(t *testing.T) {
		started := make(chan struct{})
		s := newRefundServer(t, blockingReply(started))
		ctx, cancel := context.WithCancel(context.Background())
		go func() { <-started; cancel() }()
		_, err := s.client(t, Config{Password3: "k3"}).Refund(ctx, RefundRequest{OpKey: "op"})
		var ae *APIError
		require.ErrorAs(t, err, &ae)
		assert.ErrorIs(t, err, context.Canceled)
		assert.Equal(t, int32(1), s.hits.Load())
	})
}

func TestRefundState(t *testing.T) {
	const id = "6f1c5f3e-3d2a-4b8e-9c6d-1a2b3c4d5e6f"
	tests := []struct {
		file   string
		state  RefundState
		amount string
	}{
		{"state_finished.json", RefundStateFinished, "1"},
		{"state_processing.json", RefundStateProcessing, "250.5"},
		{"state_canceled.json", RefundStateCanceled, "99.99"},
		{"state_new_label.json", "partially_finished", "1.5"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			s := newRefundServer(t, replyFile(t, http.StatusOK, "refund/"+tt.file))
			st, err := s.client(t, Config{}).RefundStatus(context.Background(), id)
			require.NoError(t, err)
			assert.Equal(t, tt.state, st.State)
			assert.True(t, st.Amount.Equal(refundDec(tt.amount)), st.Amount.String())
			assert.True(t, strings.EqualFold(id, st.RequestID))
			assert.Equal(t, http.MethodGet, s.method)
			assert.Equal(t, "/base/RefundService/Refund/GetState", s.path)
			assert.Equal(t, "id="+id, s.query)
			assert.Empty(t, s.body)
		})
	}
}

func TestRefundStateTestModeAllowed(t *testing.T) {
	s := newRefundServer(t, replyFile(t, http.StatusOK, "refund/state_finished.json"))
	st, err := s.client(t, Config{Test: true, TestPassword1: "t1"}).RefundStatus(context.Background(), "6f1c5f3e-3d2a-4b8e-9c6d-1a2b3c4d5e6f")
	require.NoError(t, err)
	assert.Equal(t, RefundStateFinished, st.State)
}

func TestRefundStateErrors(t *testing.T) {
	const id = "6f1c5f3e-3d2a-4b8e-9c6d-1a2b3c4d5e6f"
	tests := []struct {
		name     string
		status   int
		file     string
		wantMsg  string
		notFound bool
		hits     int32
	}{
		{"unknown id", 200, "state_unknown.json", "request id does not exist", true, 1},
		{"unknown id as 400", 400, "state_unknown.json", "request id does not exist", true, 1},
		{"http 401", 401, "create_401.json", "Invalid token signature", false, 1},
		{"answer for another id", 200, "state_other_id.json", "another request id", false, 1},
		{"negative amount", 200, "state_negative.json", "amount", false, 1},
		{"garbage", 200, "garbage.html", "malformed response", false, 1},
		{"5xx is retried", 503, "garbage.html", "Service Unavailable", false, retryAttempts},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newRefundServer(t, replyFile(t, tt.status, "refund/"+tt.file))
			st, err := s.client(t, Config{}).RefundStatus(context.Background(), id)
			assert.Nil(t, st)
			var ae *APIError
			require.ErrorAs(t, err, &ae)
			assert.Equal(t, "RefundStatus", ae.Op)
			assert.Contains(t, ae.Message, tt.wantMsg)
			assert.Equal(t, tt.notFound, errors.Is(err, ErrNotFound))
			assert.Equal(t, tt.hits, s.hits.Load())
		})
	}
	t.Run("empty id", func(t *testing.T) {
		s := newRefundServer(t, func(http.ResponseWriter, *http.Request) { t.Error("request sent") })
		_, err := s.client(t, Config{}).RefundStatus(context.Background(), "")
		var ve *ValidationError
		require.ErrorAs(t, err, &ve)
		assert.Equal(t, "requestID", ve.Field)
	})
	t.Run("canceled context", func(t *testing.T) {
		started := make(chan struct{})
		s := newRefundServer(t, blockingReply(started))
		ctx, cancel := context.WithCancel(context.Background())
		go func() { <-started; cancel() }()
		_, err := s.client(t, Config{}).RefundStatus(ctx, id)
		assert.ErrorIs(t, err, context.Canceled)
		assert.Equal(t, int32(1), s.hits.Load())
	})
}

func refundFuzzSeeds(f *testing.F) {
	entries, err := os.ReadDir(filepath.Join("testdata", "refund"))
	require.NoError(f, err)
	for _, e := range entries {
		f.Add(refundFixture(f, e.Name()))
	}
	f.Add([]byte(`null`))
	f.Add([]byte(`{"success":true,"requestId":""}`))
	f.Add([]byte(`{"requestId":"x","amount":1e999999999,"label":"finished"}`))
}

func FuzzRefundResponses(f *testing.F) {
	refundFuzzSeeds(f)
	c, err := NewClient(Config{MerchantLogin: "demo", Password1: "password_1", Password3: "pass3-Secret"})
	require.NoError(f, err)
	f.Fuzz(func(t *testing.T, body []byte) {
		ticket, err := parseRefundCreate(c.replyOf("Refund", body))
		checkRefundFuzzError(t, err, ticket == nil)
		if ticket != nil {
			assert.NotEmpty(t, ticket.RequestID)
		}
		st, err := parseRefundState(c.replyOf("RefundStatus", body), "6f1c5f3e-3d2a-4b8e-9c6d-1a2b3c4d5e6f")
		checkRefundFuzzError(t, err, st == nil)
		if st != nil {
			assert.NotEmpty(t, st.State)
			assert.False(t, st.Amount.IsNegative())
			assert.LessOrEqual(t, len(st.Amount.String()), 41)
		}
	})
}

// checkRefundFuzzError asserts that exactly one of result and error is
// set and that an error is a short *APIError.
func checkRefundFuzzError(t *testing.T, err error, noResult bool) {
	t.Helper()
	require.Equal(t, err != nil, noResult, "exactly one of result and error")
	if err == nil {
		return
	}
	var ae *APIError
	require.ErrorAs(t, err, &ae)
	assert.LessOrEqual(t, len(ae.Body), maxErrorBody+32)
	assert.LessOrEqual(t, len(ae.Message), 2*maxErrorBody)
	assert.NotContains(t, err.Error(), "pass3-Secret")
}
