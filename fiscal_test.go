package robokassa

import (
	"context"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"hash"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	//lint:ignore SA1019 Robokassa offers RIPEMD160 (spec §2); the tests recompute it independently.
	"golang.org/x/crypto/ripemd160"
)

// fiscalHashes is an independent table of the shop algorithms, used to
// recompute envelope signatures in tests.
var fiscalHashes = map[HashAlgorithm]func() hash.Hash{
	MD5: md5.New, SHA1: sha1.New, SHA256: sha256.New, SHA384: sha512.New384, SHA512: sha512.New, RIPEMD160: ripemd160.New,
}

// checkFiscalEnvelope decodes a "B.S" body, recomputes S with the standard
// library and returns the JSON inside B.
func checkFiscalEnvelope(t *testing.T, body []byte, alg HashAlgorithm, password1 string) string {
	t.Helper()
	b, s, ok := strings.Cut(string(body), ".")
	require.True(t, ok, "body is B.S")
	assert.NotContains(t, string(body), "=", "no padding")
	js, err := base64.RawURLEncoding.DecodeString(b)
	require.NoError(t, err, "B is base64url without padding")
	h := fiscalHashes[alg]()
	h.Write([]byte(b + password1))
	want := base64.RawStdEncoding.EncodeToString([]byte(hex.EncodeToString(h.Sum(nil))))
	assert.Equal(t, want, s, "S = base64(lowercase hex digest of B + Password1)")
	return string(js)
}

func (v fiscalVector) receipt() SecondReceipt {
	in := v.Input
	r := SecondReceipt{ID: in.ID, OriginInvID: in.OriginID, Sno: Sno(in.Sno), URL: in.URL, Email: in.Email, Phone: in.Phone}
	if in.Total != "" {
		r.Total = refundDec(in.Total)
	}
	for _, it := range in.Items {
		r.Items = append(r.Items, it.item())
	}
	for _, vt := range in.Vats {
		r.VATs = append(r.VATs, ReceiptVAT{Type: Tax(vt.Type), Sum: refundDec(vt.Sum)})
	}
	return r
}

func TestFiscalVectors(t *testing.T) {
	_, fiscals := loadRefundVectors(t)
	for _, v := range fiscals {
		t.Run(v.Name, func(t *testing.T) {
			s := newRefundServer(t, replyFile(t, http.StatusOK, "fiscal/attach_0.json"))
			c := s.client(t, Config{MerchantLogin: v.Login, Password1: Secret(v.Password1), Algorithm: v.Algorithm})
			var err error
			switch v.Kind {
			case "attach":
				var res *ReceiptResult
				res, err = c.AttachReceipt(context.Background(), v.receipt())
				if err == nil {
					assert.Equal(t, ReceiptCodeAccepted, res.Code)
				}
				assert.Equal(t, "/base/RoboFiscal/Receipt/Attach", s.path)
			case "status":
				_, err = c.ReceiptStatus(context.Background(), v.Input.ID)
				assert.Equal(t, "/base/RoboFiscal/Receipt/Status", s.path)
			default:
				t.Fatalf("unknown kind %q", v.Kind)
			}
			require.NoError(t, err)
			assert.Equal(t, int32(1), s.hits.Load())
			assert.Equal(t, http.MethodPost, s.method)
			assert.Equal(t, "application/json", s.contentType)
			assert.Equal(t, v.Body, string(s.body))
			assert.Equal(t, v.JSON, checkFiscalEnvelope(t, s.body, v.Algorithm, v.Password1))
		})
	}
}

func TestFiscalEnvelopeEveryAlgorithm(t *testing.T) {
	for alg := range fiscalHashes {
		t.Run(string(alg), func(t *testing.T) {
			s := newRefundServer(t, replyFile(t, http.StatusOK, "fiscal/status_2.json"))
			c := s.client(t, Config{Password1: "pw+/=1", Algorithm: alg})
			_, err := c.ReceiptStatus(context.Background(), "receipt-9")
			require.NoError(t, err)
			assert.Equal(t, `{"merchantId":"demo","id":"receipt-9"}`, checkFiscalEnvelope(t, s.body, alg, "pw+/=1"))
		})
	}
}

func fiscalTestReceipt() SecondReceipt {
	return SecondReceipt{
		ID: "15", OriginInvID: 13, URL: "https://shop.example", Total: refundDec("100"), Email: "buyer@example.com",
		Items: []ReceiptItem{{Name: "Item", Quantity: refundDec("1"), Sum: refundDec("100"), Tax: TaxNone}},
	}
}

func TestAttachReceiptResultCodes(t *testing.T) {
	tests := []struct {
		file    string
		code    ReceiptCode
		failure bool
		msg     string
	}{
		{"attach_0.json", ReceiptCodeAccepted, false, ""},
		{"attach_1.json", ReceiptCodeWaiting, false, ""},
		{"attach_2.json", ReceiptCodeRegistered, false, ""},
		{"attach_3.json", ReceiptCodeFailed, true, "превышено число чеков"},
		{"attach_1000.json", ReceiptCodeInternalError, true, "Внутренняя ошибка"},
		{"attach_1001.json", ReceiptCodeBadSignature, true, "bad signature"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			s := newRefundServer(t, replyFile(t, http.StatusOK, "fiscal/"+tt.file))
			res, err := s.client(t, Config{}).AttachReceipt(context.Background(), fiscalTestReceipt())
			assert.Equal(t, int32(1), s.hits.Load())
			if !tt.failure {
				require.NoError(t, err)
				assert.Equal(t, tt.code, res.Code)
				assert.Equal(t, "0D6C3B52-77C5-4A27-9E58-8B2E6D7F1A90", res.OpKey)
				assert.NotEmpty(t, res.Description)
				return
			}
			assert.Nil(t, res)
			var ae *APIError
			require.ErrorAs(t, err, &ae)
			assert.Equal(t, "AttachReceipt", ae.Op)
			assert.Equal(t, strconv.Itoa(int(tt.code)), ae.Code)
			assert.Contains(t, ae.Message, tt.msg)
			assert.False(t, errors.Is(err, ErrNotFound))
		})
	}
}

func TestReceiptStatusResultCodes(t *testing.T) {
	t.Run("registered", func(t *testing.T) {
		s := newRefundServer(t, replyFile(t, http.StatusOK, "fiscal/status_2.json"))
		res, err := s.client(t, Config{}).ReceiptStatus(context.Background(), "14")
		require.NoError(t, err)
		assert.Equal(t, ReceiptCodeRegistered, res.Code)
		assert.Equal(t, "Чек зарегистрирован", res.Description)
		assert.Equal(t, "0D6C3B52-77C5-4A27-9E58-8B2E6D7F1A90", res.OpKey)
		assert.Equal(t, "9999078900012345", res.FnNumber)
		assert.Equal(t, "1234", res.FiscalDocumentNumber)
		assert.Equal(t, "3456789012", res.FiscalDocumentAttribute)
		assert.Equal(t, "2024-05-01T12:34:56", res.FiscalDate)
		assert.Equal(t, "Income", res.FiscalType)
		require.Len(t, res.Statuses, 2)
		assert.JSONEq(t, `{"Code":"2","Date":"2024-05-01T12:34:56"}`, string(res.Statuses[1]))
	})
	t.Run("numeric Code and Description", func(t *testing.T) {
		s := newRefundServer(t, replyFile(t, http.StatusOK, "fiscal/status_2_code_numeric.json"))
		res, err := s.client(t, Config{}).ReceiptStatus(context.Background(), "14")
		require.NoError(t, err)
		assert.Equal(t, ReceiptCodeRegistered, res.Code)
		assert.Equal(t, "Чек зарегистрирован", res.Description)
		assert.Equal(t, "9999078900012345", res.FnNumber)
		assert.Equal(t, "1", res.FiscalType)
		assert.Nil(t, res.Statuses)
	})
	tests := []struct {
		file     string
		code     ReceiptCode
		failure  bool
		notFound bool
		statuses int
	}{
		{"status_1.json", ReceiptCodeWaiting, false, false, 1},
		{"status_3.json", ReceiptCodeFailed, false, false, 1},
		{"status_1000.json", ReceiptCodeInternalError, true, false, 0},
		{"status_1000_not_found.json", ReceiptCodeInternalError, true, true, 0},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			s := newRefundServer(t, replyFile(t, http.StatusOK, "fiscal/"+tt.file))
			res, err := s.client(t, Config{}).ReceiptStatus(context.Background(), "14")
			if !tt.failure {
				require.NoError(t, err)
				assert.Equal(t, tt.code, res.Code)
				assert.Len(t, res.Statuses, tt.statuses)
				return
			}
			assert.Nil(t, res)
			var ae *APIError
			require.ErrorAs(t, err, &ae)
			assert.Equal(t, "ReceiptStatus", ae.Op)
			assert.Equal(t, strconv.Itoa(int(tt.code)), ae.Code)
			assert.Equal(t, tt.notFound, errors.Is(err, ErrNotFound))
		})
	}
}

func TestFiscalMalformedAnswers(t *testing.T) {
	for _, file := range []string{"garbage.txt", "no_code.json"} {
		t.Run(file, func(t *testing.T) {
			s := newRefundServer(t, replyFile(t, http.StatusOK, "fiscal/"+file))
			c := s.client(t, Config{})
			_, err := c.AttachReceipt(context.Background(), fiscalTestReceipt())
			var ae *APIError
			require.ErrorAs(t, err, &ae)
			assert.Contains(t, ae.Message, "malformed response")
			_, err = c.ReceiptStatus(context.Background(), "14")
			require.ErrorAs(t, err, &ae)
			assert.Contains(t, ae.Message, "malformed response")
		})
	}
}

func TestFiscalFaults(t *testing.T) {
	t.Run("attach 500 is not retried", func(t *testing.T) {
		s := newRefundServer(t, replyFile(t, http.StatusInternalServerError, "fiscal/garbage.txt"))
		_, err := s.client(t, Config{}).AttachReceipt(context.Background(), fiscalTestReceipt())
		var ae *APIError
		require.ErrorAs(t, err, &ae)
		assert.Equal(t, 500, ae.Status)
		assert.Equal(t, int32(1), s.hits.Load())
	})
	t.Run("status 500 is retried", func(t *testing.T) {
		s := newRefundServer(t, replyFile(t, http.StatusInternalServerError, "fiscal/garbage.txt"))
		_, err := s.client(t, Config{}).ReceiptStatus(context.Background(), "14")
		var ae *APIError
		require.ErrorAs(t, err, &ae)
		assert.Equal(t, 500, ae.Status)
		assert.Equal(t, int32(retryAttempts), s.hits.Load())
	})
	t.Run("attach truncated body", func(t *testing.T) {
		s := newRefundServer(t, truncatedReply)
		_, err := s.client(t, Config{}).AttachReceipt(context.Background(), fiscalTestReceipt())
		var ae *APIError
		require.ErrorAs(t, err, &ae)
		assert.Error(t, ae.Err)
		assert.Equal(t, int32(1), s.hits.Load())
	})
	t.Run("attach canceled context", func(t *testing.T) {
		started := make(chan struct{})
		s := newRefundServer(t, blockingReply(started))
		ctx, cancel := context.WithCancel(context.Background())
		go func() { <-started; cancel() }()
		_, err := s.client(t, Config{}).AttachReceipt(ctx, fiscalTestReceipt())
		assert.ErrorIs(t, err, context.Canceled)
		assert.Equal(t, int32(1), s.hits.Load())
	})
	t.Run("errors carry no password", func(t *testing.T) {
		s := newRefundServer(t, func(w http.ResponseWriter, _ *http.Request) {
			_, _ = w.Write([]byte(`{"ResultCode":"1000","ResultDescription":"bad password SECRET-pw1"}`))
		})
		_, err := s.client(t, Config{Password1: "SECRET-pw1"}).AttachReceipt(context.Background(), fiscalTestReceipt())
		var ae *APIError
		require.ErrorAs(t, err, &ae)
		assert.NotContains(t, err.Error(), "SECRET")
		assert.NotContains(t, ae.Body, "SECRET")
	})
}

func TestFiscalRefusesTestMode(t *testing.T) {
	s := newRefundServer(t, func(http.ResponseWriter, *http.Request) { t.Error("request sent") })
	c := s.client(t, Config{Test: true, TestPassword1: "t1"})
	_, err := c.AttachReceipt(context.Background(), fiscalTestReceipt())
	assert.ErrorIs(t, err, ErrNotInTestMode)
	_, err = c.ReceiptStatus(context.Background(), "14")
	assert.ErrorIs(t, err, ErrNotInTestMode)
	assert.Equal(t, int32(0), s.hits.Load())
}

func TestSecondReceiptValidation(t *testing.T) {
	tests := []struct {
		name  string
		mod   func(*SecondReceipt)
		field string
	}{
		{"no id", func(r *SecondReceipt) { r.ID = "" }, "SecondReceipt.ID"},
		{"id with space", func(r *SecondReceipt) { r.ID = "1 5" }, "SecondReceipt.ID"},
		{"id equals origin", func(r *SecondReceipt) { r.ID = "13" }, "SecondReceipt.ID"},
		{"id equals origin with zeros", func(r *SecondReceipt) { r.ID = "0013" }, "SecondReceipt.ID"},
		{"no origin", func(r *SecondReceipt) { r.OriginInvID = 0 }, "SecondReceipt.OriginInvID"},
		{"negative origin", func(r *SecondReceipt) { r.OriginInvID = -13 }, "SecondReceipt.OriginInvID"},
		{"bad sno", func(r *SecondReceipt) { r.Sno = "OSN" }, "SecondReceipt.Sno"},
		{"no url", func(r *SecondReceipt) { r.URL = "" }, "SecondReceipt.URL"},
		{"relative url", func(r *SecondReceipt) { r.URL = "/shop" }, "SecondReceipt.URL"},
		{"zero total", func(r *SecondReceipt) { r.Total = decimal.Zero }, "SecondReceipt.Total"},
		{"three decimals", func(r *SecondReceipt) { r.Total = refundDec("100.001") }, "SecondReceipt.Total"},
		{"nine integer digits", func(r *SecondReceipt) { r.Total = refundDec("100000000") }, "SecondReceipt.Total"},
		{"no items", func(r *SecondReceipt) { r.Items = nil }, "SecondReceipt.Items"},
		{"bad item", func(r *SecondReceipt) { r.Items[0].Name = strings.Repeat("я", 129) }, "SecondReceipt.Items[0].Name"},
		{"prepayment line", func(r *SecondReceipt) { r.Items[0].PaymentMethod = ReceiptPaymentFullPrepayment }, "SecondReceipt.Items[0].PaymentMethod"},
		{"lines do not add up", func(r *SecondReceipt) { r.Total = refundDec("99.99") }, "SecondReceipt.Items"},
		{"no contact", func(r *SecondReceipt) { r.Email = "" }, "SecondReceipt.Email"},
		{"bad email", func(r *SecondReceipt) { r.Email = "buyer at example.com" }, "SecondReceipt.Email"},
		{"email with space", func(r *SecondReceipt) { r.Email = "a b@example.com" }, "SecondReceipt.Email"},
		{"formatted phone", func(r *SecondReceipt) { r.Phone = "+7 (999) 123-45-67" }, "SecondReceipt.Phone"},
		{"short phone", func(r *SecondReceipt) { r.Phone = "12345" }, "SecondReceipt.Phone"},
		{"vat without type", func(r *SecondReceipt) { r.VATs = []ReceiptVAT{{Sum: refundDec("1")}} }, "SecondReceipt.VATs[0].Type"},
		{"negative vat", func(r *SecondReceipt) { r.VATs = []ReceiptVAT{{Type: TaxVAT20, Sum: refundDec("-1")}} }, "SecondReceipt.VATs[0].Sum"},
		{"vat three decimals", func(r *SecondReceipt) { r.VATs = []ReceiptVAT{{Type: TaxVAT20, Sum: refundDec("1.001")}} }, "SecondReceipt.VATs[0].Sum"},
	}
	s := newRefundServer(t, func(http.ResponseWriter, *http.Request) { t.Error("request sent for invalid input") })
	c := s.client(t, Config{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := fiscalTestReceipt()
			tt.mod(&r)
			res, err := c.AttachReceipt(context.Background(), r)
			assert.Nil(t, res)
			var ve *ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tt.field, ve.Field)
		})
	}
	t.Run("status without id", func(t *testing.T) {
		_, err := c.ReceiptStatus(context.Background(), "")
		var ve *ValidationError
		require.ErrorAs(t, err, &ve)
		assert.Equal(t, "id", ve.Field)
	})
	assert.Equal(t, int32(0), s.hits.Load())
}

func TestAttachReceiptDefaultsAndCallerData(t *testing.T) {
	s := newRefundServer(t, replyFile(t, http.StatusOK, "fiscal/attach_0.json"))
	c := s.client(t, Config{})
	r := fiscalTestReceipt()
	r.Phone = "+79991234567"
	_, err := c.AttachReceipt(context.Background(), r)
	require.NoError(t, err)
	assert.Empty(t, r.Items[0].PaymentMethod, "the caller's items are not modified")
	var doc struct {
		ID       json.RawMessage `json:"id"`
		OriginID json.RawMessage `json:"originId"`
		Total    json.RawMessage `json:"total"`
		Items    []map[string]any
		Client   map[string]string
		Payments []map[string]json.RawMessage
		Vats     []map[string]json.RawMessage
	}
	require.NoError(t, json.Unmarshal([]byte(checkFiscalEnvelope(t, s.body, MD5, "password_1")), &doc))
	assert.Equal(t, `"15"`, string(doc.ID))
	assert.Equal(t, `13`, string(doc.OriginID))
	assert.Equal(t, `100.00`, string(doc.Total))
	assert.Equal(t, "full_payment", doc.Items[0]["payment_method"])
	assert.Equal(t, map[string]string{"email": "buyer@example.com", "phone": "+79991234567"}, doc.Client)
	assert.Equal(t, []map[string]json.RawMessage{{"type": json.RawMessage(`2`), "sum": json.RawMessage(`100.00`)}}, doc.Payments)
	assert.Equal(t, []map[string]json.RawMessage{{"type": json.RawMessage(`"none"`), "sum": json.RawMessage(`0`)}}, doc.Vats)
}

func TestReceiptCodeString(t *testing.T) {
	tests := map[ReceiptCode]string{
		ReceiptCodeAccepted: "accepted", ReceiptCodeWaiting: "waiting", ReceiptCodeRegistered: "registered", ReceiptCodeFailed: "failed",
		ReceiptCodeInternalError: "internal error", ReceiptCodeBadSignature: "bad signature", 7: "unknown receipt code",
	}
	for code, want := range tests {
		t.Run(want, func(t *testing.T) {
			assert.Equal(t, want, code.Meaning())
			assert.Equal(t, "receipt code "+strconv.Itoa(int(code))+": "+want, code.String())
		})
	}
}

// TestCodeListsOneShape checks every code list answers Meaning and String
// the same way: documented codes have a meaning, unknown ones say so.
func TestCodeListsOneShape(t *testing.T) {
	assert.Equal(t, "shop not found", ErrorCodeShopNotFound.Meaning())
	assert.Equal(t, "error 26: shop not found", ErrorCodeShopNotFound.String())
	assert.Equal(t, "unknown error code", ErrorCode(99).Meaning())
	assert.Equal(t, "internal Robokassa error", ErrorCode(500).Meaning())
	assert.Equal(t, "result code 2: shop not found or not active", WebServiceCodeShopNotFound.String())
	assert.Equal(t, "unknown result code", WebServiceCode(7).Meaning())
	assert.Equal(t, "AlreadyRefunded: the operation has already been refunded", RefundCodeAlreadyRefunded.String())
	assert.Equal(t, "", RefundCode("SomethingNew").Meaning())
	assert.Equal(t, "SomethingNew", RefundCode("SomethingNew").String())
}

func FuzzReceiptResponse(f *testing.F) {
	entries, err := os.ReadDir(filepath.Join("testdata", "fiscal"))
	require.NoError(f, err)
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join("testdata", "fiscal", e.Name()))
		require.NoError(f, err)
		f.Add(b)
	}
	f.Add([]byte(`{"ResultCode":"99999999999999999999"}`))
	f.Add([]byte(`{"Code":" 2 ","Statuses":"x","FnNumber":true}`))
	c, err := NewClient(Config{MerchantLogin: "demo", Password1: "password_1"})
	require.NoError(f, err)
	f.Fuzz(func(t *testing.T, body []byte) {
		res, err := parseReceipt(c.replyOf("ReceiptStatus", body))
		require.Equal(t, err != nil, res == nil, "exactly one of result and error")
		if err != nil {
			var ae *APIError
			require.ErrorAs(t, err, &ae)
			assert.LessOrEqual(t, len(ae.Body), maxErrorBody+32)
			return
		}
		assert.GreaterOrEqual(t, int(res.Code), 0)
		for _, s := range res.Statuses {
			assert.True(t, json.Valid(s), "every status is JSON")
		}
	})
}
