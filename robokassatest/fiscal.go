package robokassatest

import (
	"bytes"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/robokassa-go/robokassa"
)

// Second receipts (spec §9.3): POST RoboFiscal/Receipt/Attach and
// RoboFiscal/Receipt/Status with the body "B.S": B the JSON in base64url
// (standard base64 is accepted too) without padding, S the base64 of the
// hex digest of B followed by Password #1, with the shop's algorithm.
//
// Answers carry ResultCode as a string: Attach answers 0 (accepted) with
// the operation's OpKey; 3 when the operation already has its two
// receipts (the payment's and one second receipt); 1001 for a bad
// signature; 1000 for anything else wrong, with a description. Status
// answers 2 (registered) with the fiscal attributes, or 1000 "Чек не
// найден" for an unknown id.

type receiptKey struct {
	login, id string
}

// secondReceipt is an attached receipt.
type secondReceipt struct {
	id      string
	op      *operation
	number  int
	created time.Time
}

type fiscalAnswer struct {
	ResultCode              string            `json:"ResultCode"`
	ResultDescription       string            `json:"ResultDescription"`
	OpKey                   *string           `json:"OpKey"`
	Statuses                []json.RawMessage `json:"Statuses,omitempty"`
	FnNumber                string            `json:"FnNumber,omitempty"`
	FiscalDocumentNumber    string            `json:"FiscalDocumentNumber,omitempty"`
	FiscalDocumentAttribute string            `json:"FiscalDocumentAttribute,omitempty"`
	FiscalDate              string            `json:"FiscalDate,omitempty"`
	FiscalType              string            `json:"FiscalType,omitempty"`
}

func fiscalReply(w http.ResponseWriter, a fiscalAnswer) {
	b, _ := json.Marshal(a)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write(b)
}

func fiscalFail(w http.ResponseWriter, code int, desc string) {
	fiscalReply(w, fiscalAnswer{ResultCode: strconv.Itoa(code), ResultDescription: desc})
}

// decodeB64 reads base64url or standard base64, padded or not.
func decodeB64(s string) ([]byte, bool) {
	s = strings.TrimRight(s, "=")
	if b, err := base64.RawURLEncoding.DecodeString(s); err == nil {
		return b, true
	}
	b, err := base64.RawStdEncoding.DecodeString(s)
	return b, err == nil
}

// fiscalCall reads a "B.S" body, finds the shop by merchantId and checks
// S; it decodes the JSON into out and returns the shop, or writes the
// refusal and returns nil.
func (s *Server) fiscalCall(w http.ResponseWriter, r *http.Request, out any) *shop {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxPageBody))
	if err != nil {
		fiscalFail(w, 1000, "the request body is not readable or too large")
		return nil
	}
	b, sigText, found := strings.Cut(strings.TrimSpace(string(body)), ".")
	js, okB := decodeB64(b)
	sigHex, okS := decodeB64(sigText)
	var head struct {
		MerchantID string `json:"merchantId"`
	}
	if !found || !okB || !okS || json.Unmarshal(js, &head) != nil {
		fiscalFail(w, 1000, `the body must be "B.S": base64url JSON, a dot, base64 of the hex signature (spec §9.3)`)
		return nil
	}
	sh := s.shopByLogin(head.MerchantID)
	if sh == nil {
		fiscalFail(w, 1000, "Магазин не найден")
		return nil
	}
	want, _ := hex.DecodeString(Sign(robokassa.Config{Algorithm: sh.Algorithm}, b+string(sh.Password1)))
	got, err := hex.DecodeString(string(sigHex))
	if err != nil || subtle.ConstantTimeCompare(want, got) != 1 {
		fiscalFail(w, 1001, "bad signature: base64(hex(hash(B + Password1))) expected")
		return nil
	}
	d := json.NewDecoder(bytes.NewReader(js))
	d.UseNumber()
	if d.Decode(out) != nil {
		fiscalFail(w, 1000, "the receipt JSON does not match the schema")
		return nil
	}
	return sh
}

// idText reads an id sent as a JSON string or number.
func idText(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	return ""
}

type attachRequest struct {
	ID        json.RawMessage `json:"id"`
	OriginID  json.Number     `json:"originId"`
	Operation string          `json:"operation"`
	Total     json.Number     `json:"total"`
	Items     []struct {
		Name          string      `json:"name"`
		Quantity      json.Number `json:"quantity"`
		Sum           json.Number `json:"sum"`
		Cost          json.Number `json:"cost"`
		Tax           string      `json:"tax"`
		PaymentMethod string      `json:"payment_method"`
	} `json:"items"`
	Client struct {
		Email string `json:"email"`
		Phone string `json:"phone"`
	} `json:"client"`
	Payments []struct {
		Sum json.Number `json:"sum"`
	} `json:"payments"`
}

// checkAttach checks a second receipt's content; it returns what is wrong.
func (req *attachRequest) check() (id string, origin int64, desc string) {
	id = idText(req.ID)
	origin, err := strconv.ParseInt(req.OriginID.String(), 10, 64)
	total, okT := parseSum(req.Total.String())
	switch {
	case id == "":
		return "", 0, "id is required"
	case err != nil || origin <= 0:
		return "", 0, "originId must be the InvId of the paid operation"
	case id == req.OriginID.String():
		return "", 0, "id must differ from originId"
	case req.Operation != "sell":
		return "", 0, `operation must be "sell"`
	case !okT || !total.IsPositive():
		return "", 0, "total must be an amount greater than zero"
	case len(req.Items) == 0 || len(req.Items) > maxReceiptItems:
		return "", 0, "items must hold 1 to 256 lines"
	case req.Client.Email == "" && req.Client.Phone == "":
		return "", 0, "client needs an email or a phone"
	}
	lines, paid := decimal.Zero, decimal.Zero
	for i, it := range req.Items {
		q, okQ := parseDecimal(it.Quantity.String(), 3, 5)
		sum, okS := parseDecimal(it.Sum.String(), 2, 8)
		if it.Sum == "" { // a line by unit price: sum = cost × quantity (spec §11)
			var cost decimal.Decimal
			cost, okS = parseDecimal(it.Cost.String(), 2, 8)
			sum = cost.Mul(q)
		}
		if it.Name == "" || it.Tax == "" || !okQ || !q.IsPositive() || !okS || it.PaymentMethod != "full_payment" {
			return "", 0, "items[" + strconv.Itoa(i) + "] needs name, tax, quantity, sum or cost, and payment_method full_payment"
		}
		lines = lines.Add(sum)
	}
	for _, p := range req.Payments {
		sum, ok := parseSum(p.Sum.String())
		if !ok {
			return "", 0, "payments[].sum must be an amount"
		}
		paid = paid.Add(sum)
	}
	if !lines.Equal(total) || !paid.Equal(total) {
		return "", 0, "items and payments must add up to total"
	}
	return id, origin, ""
}

// handleReceiptAttach serves Receipt/Attach.
func (s *Server) handleReceiptAttach(w http.ResponseWriter, r *http.Request) {
	var req attachRequest
	sh := s.fiscalCall(w, r, &req)
	if sh == nil {
		return
	}
	id, origin, desc := req.check()
	if desc != "" {
		fiscalFail(w, 1000, desc)
		return
	}
	s.mu.Lock()
	op := s.store.find(sh, origin, false)
	key := receiptKey{sh.MerchantLogin, id}
	var code int
	switch {
	case op == nil || op.state != robokassa.StatePaid:
		code, desc = 1000, "Операция не найдена: originId must be a paid operation"
	case s.receipts[key] != nil:
		code, desc = 1000, "a receipt with this id already exists"
	case op.receipts >= 1:
		code, desc = 3, "Ошибка регистрации чека: превышено число чеков по операции"
	default:
		op.receipts++
		s.receipts[key] = &secondReceipt{id: id, op: op, number: len(s.receipts) + 1, created: time.Now()}
	}
	var opKey string
	if op != nil {
		opKey = op.opKey
	}
	s.mu.Unlock()
	if code != 0 {
		fiscalFail(w, code, desc)
		return
	}
	fiscalReply(w, fiscalAnswer{ResultCode: "0", ResultDescription: "ok", OpKey: &opKey})
}

// handleReceiptStatus serves Receipt/Status.
func (s *Server) handleReceiptStatus(w http.ResponseWriter, r *http.Request) {
	var req struct {
		ID json.RawMessage `json:"id"`
	}
	sh := s.fiscalCall(w, r, &req)
	if sh == nil {
		return
	}
	s.mu.Lock()
	rc := s.receipts[receiptKey{sh.MerchantLogin, idText(req.ID)}]
	var a fiscalAnswer
	if rc != nil {
		at := rc.created.In(moscow)
		opKey := rc.op.opKey
		a = fiscalAnswer{
			ResultCode: "2", ResultDescription: "Чек зарегистрирован", OpKey: &opKey,
			Statuses: []json.RawMessage{
				json.RawMessage(`{"Code":"1","Date":"` + at.Format("2006-01-02T15:04:05") + `"}`),
				json.RawMessage(`{"Code":"2","Date":"` + at.Add(time.Second).Format("2006-01-02T15:04:05") + `"}`),
			},
			FnNumber:                "9999078900012345",
			FiscalDocumentNumber:    strconv.Itoa(rc.number),
			FiscalDocumentAttribute: strconv.Itoa(3000000000 + rc.number),
			FiscalDate:              at.Add(time.Second).Format("2006-01-02T15:04:05"),
			FiscalType:              "Income",
		}
	}
	s.mu.Unlock()
	if rc == nil {
		fiscalFail(w, 1000, "Чек не найден")
		return
	}
	fiscalReply(w, a)
}
