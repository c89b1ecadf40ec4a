package robokassa

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
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

// refundClient is a demo client with Password #3 pass3 (and Password #1
// password_1).
func refundClient(t testing.TB, pass3 string) *Client {
	t.Helper()
	c, err := NewClient(Config{MerchantLogin: "demo", Password1: "password_1", Password3: Secret(pass3)})
	require.NoError(t, err)
	return c
}

// refundBody builds the Refund/Create body as Refund and postJWT do: the
// payload, compact, signed HS256 with Password #3 alone, as a JSON string
// literal.
func (c *Client) refundBody(t *testing.T, r RefundRequest) (token, body string) {
	t.Helper()
	payload, err := r.payload()
	require.NoError(t, err)
	js, err := compactJSON(payload)
	require.NoError(t, err)
	token = signJWT("HS256", sha256.New, []byte(c.keys().pass3), js)
	return token, `"` + token + `"`
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

// TestRefundVectors builds the Refund/Create token and body without
// HTTP and compares them with the vectors byte for byte, decoding the
// token and recomputing its HMAC with the standard library. That Refund
// sends this body once, and the emulator accepts it, is
// TestRefundProtocolVectors's.
func TestRefundVectors(t *testing.T) {
	refunds, _ := loadRefundVectors(t)
	for _, v := range refunds {
		t.Run(v.Name, func(t *testing.T) {
			token, body := refundClient(t, v.Password3).refundBody(t, v.request())
			assert.Equal(t, v.Body, body, "body is the JWT as a JSON string literal")
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
	token, _ := refundClient(t, refunds[2].Password3).refundBody(t, refunds[2].request())
	_, payload := decodeRefundJWT(t, token, refunds[2].Password3)
	require.NoError(t, json.Unmarshal([]byte(payload), &p))
	assert.Equal(t, "1490.00", string(p.RefundSum))
	require.Len(t, p.InvoiceItems, 2)
	assert.Equal(t, "500.00", string(p.InvoiceItems[1].Cost))
	assert.Equal(t, "2", string(p.InvoiceItems[1].Quantity))
}

// TestRefundResponses reads recorded Refund/Create answers with the
// parser alone. The emulator's answers are TestRefundProtocol's.
func TestRefundResponses(t *testing.T) {
	tests := []struct {
		name     string
		file     string
		wantCode string
		wantMsg  string
		notFound bool
	}{
		{"not enough funds", "create_not_enough_funds.json", string(RefundCodeNotEnoughFunds), "less money left", false},
		{"operation not found", "create_operation_not_found.json", string(RefundCodeOperationNotFound), "no completed operation", true},
		{"already refunded", "create_already_refunded.json", string(RefundCodeAlreadyRefunded), "already been refunded", false},
		{"unknown message", "create_unknown_message.json", "RefundSumTooSmall", "refund rejected", false},
		{"no reason", "create_no_reason.json", "", "without a reason", false},
		{"success without id", "create_success_no_id.json", "", "malformed response: no requestId", false},
		{"garbage", "garbage.html", "", "malformed response", false},
		{"truncated json", "truncated.json", "", "malformed response", false},
	}
	c := refundClient(t, "pass3-Secret")
	t.Run("success", func(t *testing.T) {
		ticket, err := parseRefundCreate(c.replyOf("Refund", refundFixture(t, "create_success.json")))
		require.NoError(t, err)
		assert.Equal(t, "6f1c5f3e-3d2a-4b8e-9c6d-1a2b3c4d5e6f", ticket.RequestID)
	})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ticket, err := parseRefundCreate(c.replyOf("Refund", refundFixture(t, tt.file)))
			require.Error(t, err)
			assert.Nil(t, ticket)
			var ae *APIError
			require.ErrorAs(t, err, &ae)
			assert.Equal(t, "Refund", ae.Op)
			assert.Equal(t, http.StatusOK, ae.Status)
			assert.Equal(t, tt.wantCode, ae.Code)
			assert.Contains(t, ae.Message, tt.wantMsg)
			assert.Equal(t, tt.notFound, errors.Is(err, ErrNotFound))
			assert.True(t, strings.HasPrefix(err.Error(), "robokassa: Refund"), err.Error())
			assert.NotContains(t, err.Error(), "pass3-Secret")
		})
	}
}

// TestRefundHTTPErrors: a 4xx answer's JSON message becomes Message, or
// Code when it is a rejection code. The emulator's own 400 and 401 are
// TestRefundProtocol's; the recorded answers it does not give (a 400
// carrying a rejection code, the recorded 401 and 400, a 502) come from a
// generic server.
func TestRefundHTTPErrors(t *testing.T) {
	tests := []struct {
		name     string
		status   int
		file     string
		wantCode string
		wantMsg  string
		notFound bool
	}{
		{"http 401 with message", 401, "create_401.json", "", "Invalid token signature", false},
		{"http 400 with message", 400, "create_400.json", "", "OpKey is required", false},
		{"http 400 with rejection code", 400, "create_operation_not_found.json", string(RefundCodeOperationNotFound), "no completed operation", true},
		{"http 502 garbage", 502, "garbage.html", "", "Bad Gateway", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, s := newMisbehaving(t, Config{Password3: "pass3-Secret"}, text(tt.status, string(refundFixture(t, tt.file))))
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
			assert.EqualValues(t, 1, s.hits.Load())
		})
	}
}

// TestRefundErrorsRedactPassword: an answer that echoes Password #3 gets
// it into no error, with a 200 or a 401.
func TestRefundErrorsRedactPassword(t *testing.T) {
	for _, status := range []int{200, 401} {
		c, _ := newMisbehaving(t, Config{Password3: "pass3-Secret"}, text(status, `{"success":false,"message":"bad key pass3-Secret"}`))
		_, err := c.Refund(context.Background(), RefundRequest{OpKey: "op-1"})
		var ae *APIError
		require.ErrorAs(t, err, &ae)
		assert.NotContains(t, err.Error(), "pass3-Secret", "status %d", status)
		assert.NotContains(t, ae.Body, "pass3-Secret", "status %d", status)
		assert.NotContains(t, ae.Code, "pass3-Secret", "status %d", status)
	}
}

// TestRefundState reads recorded Refund/GetState answers with the parser
// alone; the request it sends, and the emulator's answers, are
// TestRefundProtocol's.
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
	c := refundClient(t, "")
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			st, err := parseRefundState(c.replyOf("RefundStatus", refundFixture(t, tt.file)), id)
			require.NoError(t, err)
			assert.Equal(t, tt.state, st.State)
			assert.True(t, st.Amount.Equal(refundDec(tt.amount)), st.Amount.String())
			assert.True(t, strings.EqualFold(id, st.RequestID))
		})
	}
}

func TestRefundStateErrors(t *testing.T) {
	const id = "6f1c5f3e-3d2a-4b8e-9c6d-1a2b3c4d5e6f"
	tests := []struct {
		name     string
		file     string
		wantMsg  string
		notFound bool
	}{
		{"unknown id", "state_unknown.json", "request id does not exist", true},
		{"answer for another id", "state_other_id.json", "another request id", false},
		{"negative amount", "state_negative.json", "amount", false},
		{"garbage", "garbage.html", "malformed response", false},
	}
	c := refundClient(t, "")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, err := parseRefundState(c.replyOf("RefundStatus", refundFixture(t, tt.file)), id)
			assert.Nil(t, st)
			var ae *APIError
			require.ErrorAs(t, err, &ae)
			assert.Equal(t, "RefundStatus", ae.Op)
			assert.Contains(t, ae.Message, tt.wantMsg)
			assert.Equal(t, tt.notFound, errors.Is(err, ErrNotFound))
		})
	}
	// A 4xx answer, which the emulator does not give for GetState.
	for _, tt := range []struct {
		name     string
		status   int
		file     string
		wantMsg  string
		notFound bool
	}{
		{"unknown id as 400", 400, "state_unknown.json", "request id does not exist", true},
		{"http 401", 401, "create_401.json", "Invalid token signature", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, s := newMisbehaving(t, Config{}, text(tt.status, string(refundFixture(t, tt.file))))
			st, err := c.RefundStatus(context.Background(), id)
			assert.Nil(t, st)
			var ae *APIError
			require.ErrorAs(t, err, &ae)
			assert.Equal(t, "RefundStatus", ae.Op)
			assert.Contains(t, ae.Message, tt.wantMsg)
			assert.Equal(t, tt.notFound, errors.Is(err, ErrNotFound))
			assert.EqualValues(t, 1, s.hits.Load(), "a 4xx is not retried")
		})
	}
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
	c := refundClient(f, "pass3-Secret")
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
