package robokassa_test

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/robokassa-go/robokassa"
	"github.com/robokassa-go/robokassa/robokassatest"
)

// sentEnvelope reads the last request sent to a RoboFiscal path: a POST
// of "B.S", S recomputed here with the standard library (base64 of the
// lowercase hex digest of B + Password #1, spec §9.3). It returns the
// JSON inside B.
func sentEnvelope(t *testing.T, e *emulator, path string, alg robokassa.HashAlgorithm, pass1 string) (string, []byte) {
	t.Helper()
	sent := e.sent(path)
	require.NotEmpty(t, sent, "nothing sent to %s", path)
	r := sent[len(sent)-1]
	assert.Equal(t, http.MethodPost, r.Method)
	assert.Equal(t, path, r.Path)
	assert.Equal(t, "application/json", r.ContentType)
	b, s, ok := strings.Cut(string(r.Body), ".")
	require.True(t, ok, "body is B.S")
	assert.NotContains(t, string(r.Body), "=", "no padding")
	js, err := base64.RawURLEncoding.DecodeString(b)
	require.NoError(t, err, "B is base64url without padding")
	if alg == "" {
		alg = robokassa.MD5
	}
	h := stdHMAC[alg]()
	h.Write([]byte(b + pass1))
	assert.Equal(t, base64.RawStdEncoding.EncodeToString([]byte(hex.EncodeToString(h.Sum(nil)))), s,
		"S = base64(lowercase hex digest of B + Password1)")
	return string(js), r.Body
}

type fiscalProtocolVector struct {
	Name      string                  `json:"name"`
	Kind      string                  `json:"kind"`
	Algorithm robokassa.HashAlgorithm `json:"algorithm"`
	Login     string                  `json:"login"`
	Password1 string                  `json:"password1"`
	JSON      string                  `json:"json"`
	Body      string                  `json:"body"`
	Input     struct {
		ID       string `json:"id"`
		OriginID int64  `json:"origin_id"`
		Sno      string `json:"sno"`
		URL      string `json:"url"`
		Total    string `json:"total"`
		Items    []struct {
			Name, Quantity, Sum, Cost, Tax string
			PaymentMethod                  string `json:"payment_method"`
			PaymentObject                  string `json:"payment_object"`
			NomenclatureCode               string `json:"nomenclature_code"`
		} `json:"items"`
		Email, Phone string
		Vats         []struct{ Type, Sum string } `json:"vats"`
	} `json:"input"`
}

func (v fiscalProtocolVector) receipt() robokassa.SecondReceipt {
	in := v.Input
	r := robokassa.SecondReceipt{ID: in.ID, OriginInvID: in.OriginID, Sno: robokassa.Sno(in.Sno), URL: in.URL, Email: in.Email, Phone: in.Phone}
	if in.Total != "" {
		r.Total = d(in.Total)
	}
	for _, it := range in.Items {
		item := robokassa.ReceiptItem{Name: it.Name, Quantity: d(it.Quantity), Tax: robokassa.Tax(it.Tax),
			PaymentMethod: robokassa.ReceiptPaymentMethod(it.PaymentMethod), PaymentObject: robokassa.PaymentObject(it.PaymentObject),
			NomenclatureCode: it.NomenclatureCode}
		if it.Sum != "" {
			item.Sum = d(it.Sum)
		}
		if it.Cost != "" {
			item.Cost = decimal.NewNullDecimal(d(it.Cost))
		}
		r.Items = append(r.Items, item)
	}
	for _, vt := range in.Vats {
		r.VATs = append(r.VATs, robokassa.ReceiptVAT{Type: robokassa.Tax(vt.Type), Sum: d(vt.Sum)})
	}
	return r
}

// TestFiscalProtocolVectors: with each vector's shop on the emulator and
// the receipt's payment paid, the SDK sends exactly the envelope computed
// in Python, and the emulator's own code accepts its signature.
func TestFiscalProtocolVectors(t *testing.T) {
	b, err := os.ReadFile("testdata/refund_vectors.json")
	require.NoError(t, err)
	var v struct {
		Fiscal []fiscalProtocolVector `json:"fiscal"`
	}
	require.NoError(t, json.Unmarshal(b, &v))
	require.NotEmpty(t, v.Fiscal)
	for _, fv := range v.Fiscal {
		t.Run(fv.Name, func(t *testing.T) {
			e := newEmulator(t, func(sh *robokassatest.Shop) {
				sh.MerchantLogin, sh.Password1, sh.Algorithm = fv.Login, robokassa.Secret(fv.Password1), fv.Algorithm
			})
			c := e.client(t)
			switch fv.Kind {
			case "attach":
				e.pay(t, c, robokassa.Payment{OutSum: d(fv.Input.Total), InvID: fv.Input.OriginID})
				res, err := c.AttachReceipt(bg(t), fv.receipt())
				require.NoError(t, err) // lines by sum or by cost (spec §11)
				assert.Equal(t, robokassa.ReceiptCodeAccepted, res.Code)
				js, body := sentEnvelope(t, e, "/RoboFiscal/Receipt/Attach", fv.Algorithm, fv.Password1)
				assert.Equal(t, fv.JSON, js)
				assert.Equal(t, fv.Body, string(body))
			case "status":
				e.pay(t, c, robokassa.Payment{OutSum: d("100"), InvID: 13})
				_, err := c.AttachReceipt(bg(t), robokassa.SecondReceipt{ID: fv.Input.ID, OriginInvID: 13, URL: "https://shop.example/",
					Total: d("100"), Email: "test@test.ru", Items: []robokassa.ReceiptItem{{Name: "Товар", Quantity: d("1"), Sum: d("100"), Tax: robokassa.TaxNone}}})
				require.NoError(t, err)
				st, err := c.ReceiptStatus(bg(t), fv.Input.ID)
				require.NoError(t, err)
				assert.Equal(t, robokassa.ReceiptCodeRegistered, st.Code)
				js, body := sentEnvelope(t, e, "/RoboFiscal/Receipt/Status", fv.Algorithm, fv.Password1)
				assert.Equal(t, fv.JSON, js)
				assert.Equal(t, fv.Body, string(body))
			default:
				t.Fatalf("unknown kind %q", fv.Kind)
			}
		})
	}
}

// secondReceipt is a second receipt of 100.00 for the payment 13.
func secondReceipt(id string) robokassa.SecondReceipt {
	return robokassa.SecondReceipt{
		ID: id, OriginInvID: 13, URL: "https://shop.example", Total: d("100"), Email: "buyer@example.com",
		Items: []robokassa.ReceiptItem{{Name: "Item", Quantity: d("1"), Sum: d("100"), Tax: robokassa.TaxNone}},
	}
}

// TestFiscalProtocol: a second receipt attached to a paid operation, its
// status, and every refusal the emulator gives (spec §9.3).
func TestFiscalProtocol(t *testing.T) {
	e := newEmulator(t)
	c := e.client(t)
	e.pay(t, c, robokassa.Payment{OutSum: d("100"), InvID: 13})
	op, _ := e.Operation(13)

	t.Run("attach", func(t *testing.T) {
		r := secondReceipt("15")
		r.Phone = "+79991234567"
		res, err := c.AttachReceipt(bg(t), r)
		require.NoError(t, err)
		assert.Equal(t, robokassa.ReceiptCodeAccepted, res.Code)
		assert.Equal(t, op.OpKey, res.OpKey)
		assert.NotEmpty(t, res.Description)
		assert.Equal(t, 1, e.hits(robokassatest.EndpointReceiptAttach))
		after, _ := e.Operation(13)
		assert.Equal(t, 1, after.SecondReceipts)
		js, _ := sentEnvelope(t, e, "/RoboFiscal/Receipt/Attach", "", emuPass1)
		var doc struct {
			ID       json.RawMessage `json:"id"`
			OriginID json.RawMessage `json:"originId"`
			Client   map[string]string
		}
		require.NoError(t, json.Unmarshal([]byte(js), &doc))
		assert.Equal(t, `"15"`, string(doc.ID))
		assert.Equal(t, `13`, string(doc.OriginID))
		assert.Equal(t, map[string]string{"email": "buyer@example.com", "phone": "+79991234567"}, doc.Client)
	})

	t.Run("status", func(t *testing.T) {
		st, err := c.ReceiptStatus(bg(t), "15")
		require.NoError(t, err)
		assert.Equal(t, robokassa.ReceiptCodeRegistered, st.Code)
		assert.Equal(t, "Чек зарегистрирован", st.Description)
		assert.Equal(t, op.OpKey, st.OpKey)
		assert.NotEmpty(t, st.FnNumber)
		assert.NotEmpty(t, st.FiscalDocumentNumber)
		assert.NotEmpty(t, st.FiscalDocumentAttribute)
		assert.NotEmpty(t, st.FiscalDate)
		assert.Equal(t, "Income", st.FiscalType)
		require.Len(t, st.Statuses, 2)
		assert.Contains(t, string(st.Statuses[1]), `"Code":"2"`)
		js, _ := sentEnvelope(t, e, "/RoboFiscal/Receipt/Status", "", emuPass1)
		assert.Equal(t, `{"merchantId":"demo","id":"15"}`, js)
	})

	t.Run("every algorithm", func(t *testing.T) {
		e := newEmulator(t)
		for _, alg := range invoiceAlgs {
			t.Run(string(alg), func(t *testing.T) {
				login := "fiscal-" + string(alg)
				pass1 := "pw+/=1" + string(alg)
				sc := e.shopClient(t, robokassatest.Shop{MerchantLogin: login, Password1: robokassa.Secret(pass1), Password2: "p2", Algorithm: alg})
				e.pay(t, sc, robokassa.Payment{OutSum: d("100"), InvID: 13})
				res, err := sc.AttachReceipt(bg(t), secondReceipt("receipt-9"))
				require.NoError(t, err, "the emulator verified the %s envelope", alg)
				assert.Equal(t, robokassa.ReceiptCodeAccepted, res.Code)
				st, err := sc.ReceiptStatus(bg(t), "receipt-9")
				require.NoError(t, err)
				assert.Equal(t, robokassa.ReceiptCodeRegistered, st.Code)
				js, _ := sentEnvelope(t, e, "/RoboFiscal/Receipt/Status", alg, pass1)
				assert.Equal(t, `{"merchantId":"`+login+`","id":"receipt-9"}`, js)
			})
		}
	})

	wrongPass := e.client(t, func(cfg *robokassa.Config) { cfg.Password1 = "not-the-password" })
	tests := []struct {
		name     string
		op       string
		call     func() error
		code     robokassa.ReceiptCode
		msg      string
		notFound bool
	}{
		{"a third receipt", "AttachReceipt", func() error {
			_, err := c.AttachReceipt(bg(t), secondReceipt("16"))
			return err
		}, robokassa.ReceiptCodeFailed, "превышено число чеков", false},
		{"no paid operation", "AttachReceipt", func() error {
			r := secondReceipt("17")
			r.OriginInvID = 99
			_, err := c.AttachReceipt(bg(t), r)
			return err
		}, robokassa.ReceiptCodeInternalError, "Операция не найдена", false},
		{"wrong Password #1", "AttachReceipt", func() error {
			_, err := wrongPass.AttachReceipt(bg(t), secondReceipt("18"))
			return err
		}, robokassa.ReceiptCodeBadSignature, "bad signature", false},
		{"status, wrong Password #1", "ReceiptStatus", func() error {
			_, err := wrongPass.ReceiptStatus(bg(t), "15")
			return err
		}, robokassa.ReceiptCodeBadSignature, "bad signature", false},
		{"status of an unknown receipt", "ReceiptStatus", func() error {
			_, err := c.ReceiptStatus(bg(t), "99")
			return err
		}, robokassa.ReceiptCodeInternalError, "не найден", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ep := robokassatest.EndpointReceiptAttach
			if tt.op == "ReceiptStatus" {
				ep = robokassatest.EndpointReceiptStatus
			}
			before := e.hits(ep)
			err := tt.call()
			assert.Equal(t, before+1, e.hits(ep), "a result code is an answer: sent once")
			ae := requireAPIError(t, err, tt.op)
			assert.Equal(t, http.StatusOK, ae.Status)
			assert.Equal(t, strconv.Itoa(int(tt.code)), ae.Code)
			assert.Contains(t, ae.Message, tt.msg)
			assert.Equal(t, tt.notFound, errors.Is(err, robokassa.ErrNotFound))
			assert.NotContains(t, err.Error(), "not-the-password")
		})
	}
	after, _ := e.Operation(13)
	assert.Equal(t, 1, after.SecondReceipts, "the refusals attached nothing")
}

// TestFiscalSendsNothing: test mode and bad input are refused before
// anything is sent.
func TestFiscalSendsNothing(t *testing.T) {
	e := newEmulator(t)
	tc := e.client(t, func(cfg *robokassa.Config) { cfg.Test = true })
	_, err := tc.AttachReceipt(bg(t), secondReceipt("15"))
	assert.ErrorIs(t, err, robokassa.ErrNotInTestMode)
	_, err = tc.ReceiptStatus(bg(t), "14")
	assert.ErrorIs(t, err, robokassa.ErrNotInTestMode)

	c := e.client(t)
	type sr = robokassa.SecondReceipt
	tests := []struct {
		name  string
		mod   func(*sr)
		field string
	}{
		{"no id", func(r *sr) { r.ID = "" }, "SecondReceipt.ID"},
		{"id with space", func(r *sr) { r.ID = "1 5" }, "SecondReceipt.ID"},
		{"id equals origin", func(r *sr) { r.ID = "13" }, "SecondReceipt.ID"},
		{"id equals origin with zeros", func(r *sr) { r.ID = "0013" }, "SecondReceipt.ID"},
		{"no origin", func(r *sr) { r.OriginInvID = 0 }, "SecondReceipt.OriginInvID"},
		{"negative origin", func(r *sr) { r.OriginInvID = -13 }, "SecondReceipt.OriginInvID"},
		{"bad sno", func(r *sr) { r.Sno = "OSN" }, "SecondReceipt.Sno"},
		{"no url", func(r *sr) { r.URL = "" }, "SecondReceipt.URL"},
		{"relative url", func(r *sr) { r.URL = "/shop" }, "SecondReceipt.URL"},
		{"zero total", func(r *sr) { r.Total = decimal.Zero }, "SecondReceipt.Total"},
		{"three decimals", func(r *sr) { r.Total = d("100.001") }, "SecondReceipt.Total"},
		{"nine integer digits", func(r *sr) { r.Total = d("100000000") }, "SecondReceipt.Total"},
		{"no items", func(r *sr) { r.Items = nil }, "SecondReceipt.Items"},
		{"bad item", func(r *sr) { r.Items[0].Name = strings.Repeat("я", 129) }, "SecondReceipt.Items[0].Name"},
		{"prepayment line", func(r *sr) { r.Items[0].PaymentMethod = robokassa.ReceiptPaymentFullPrepayment }, "SecondReceipt.Items[0].PaymentMethod"},
		{"lines do not add up", func(r *sr) { r.Total = d("99.99") }, "SecondReceipt.Items"},
		{"no contact", func(r *sr) { r.Email = "" }, "SecondReceipt.Email"},
		{"bad email", func(r *sr) { r.Email = "buyer at example.com" }, "SecondReceipt.Email"},
		{"email with space", func(r *sr) { r.Email = "a b@example.com" }, "SecondReceipt.Email"},
		{"formatted phone", func(r *sr) { r.Phone = "+7 (999) 123-45-67" }, "SecondReceipt.Phone"},
		{"short phone", func(r *sr) { r.Phone = "12345" }, "SecondReceipt.Phone"},
		{"vat without type", func(r *sr) { r.VATs = []robokassa.ReceiptVAT{{Sum: d("1")}} }, "SecondReceipt.VATs[0].Type"},
		{"negative vat", func(r *sr) { r.VATs = []robokassa.ReceiptVAT{{Type: robokassa.TaxVAT20, Sum: d("-1")}} }, "SecondReceipt.VATs[0].Sum"},
		{"vat three decimals", func(r *sr) { r.VATs = []robokassa.ReceiptVAT{{Type: robokassa.TaxVAT20, Sum: d("1.001")}} }, "SecondReceipt.VATs[0].Sum"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := secondReceipt("15")
			tt.mod(&r)
			res, err := c.AttachReceipt(bg(t), r)
			assert.Nil(t, res)
			requireValidation(t, err, tt.field)
		})
	}
	t.Run("status without id", func(t *testing.T) {
		_, err := c.ReceiptStatus(bg(t), "")
		requireValidation(t, err, "id")
	})
	assert.Zero(t, e.log.total(), "nothing sent")
}
