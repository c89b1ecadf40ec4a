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
	"net/http"
	"os"
	"path/filepath"
	"strings"
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

// --- requests without HTTP ------------------------------------------------

// invoiceClient is a client of the vectors' shop (demo / password_1) with
// the algorithm alg.
func invoiceClient(t testing.TB, alg HashAlgorithm) *Client {
	t.Helper()
	c, err := NewClient(Config{MerchantLogin: invoiceTestLogin, Password1: invoiceTestPass1, Password2: "password_2", Algorithm: alg})
	require.NoError(t, err)
	return c
}

// invoiceToken signs payload as invoiceCall does: the shop's algorithm,
// keyed MerchantLogin:Password1 (spec §9.1).
func (c *Client) invoiceToken(payload []byte) string {
	return signJWT(string(c.alg), c.alg.newHash(), []byte(c.login+":"+c.keys().pass1), payload)
}

const (
	invoiceTestLogin = "demo"
	invoiceTestPass1 = "password_1"
)

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

// invoiceFixture reads a recorded Invoice API answer.
func invoiceFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "invoice", name))
	require.NoError(t, err)
	return b
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

// TestCreateInvoiceVectors builds the CreateInvoice payload and token
// without HTTP and compares them with the vectors byte for byte. That
// CreateInvoice sends this token once, and the emulator accepts it, is
// TestInvoiceProtocolVectors's.
func TestCreateInvoiceVectors(t *testing.T) {
	v := loadInvoiceVectors(t)
	for _, alg := range invoiceAlgs {
		t.Run(string(alg), func(t *testing.T) {
			c := invoiceClient(t, alg)
			inv := invoiceVectorInvoice(t)
			payload, err := c.invoicePayload(&inv)
			require.NoError(t, err)
			assert.Equal(t, v.Create.Payload, string(payload))
			token := c.invoiceToken(payload)
			assert.Equal(t, v.Create.Tokens[alg], token)
			assert.Equal(t, string(payload), string(invoiceCheckJWT(t, token, alg, invoiceTestLogin+":"+invoiceTestPass1)))
		})
	}
}

func TestCreateInvoiceMinimal(t *testing.T) {
	v := loadInvoiceVectors(t)
	for _, alg := range invoiceAlgs {
		t.Run(string(alg), func(t *testing.T) {
			c := invoiceClient(t, alg)
			payload, err := c.invoicePayload(&Invoice{Type: InvoiceReusable, OutSum: invoiceDec("150.5")})
			require.NoError(t, err)
			assert.Equal(t, v.Minimal.Payload, string(payload))
			assert.Equal(t, v.Minimal.Tokens[alg], c.invoiceToken(payload))
		})
	}
}

// TestCreateInvoiceAdditionalParameters checks the flags that travel in
// AdditionalParameters and the payload's number formats.
func TestCreateInvoiceAdditionalParameters(t *testing.T) {
	c := invoiceClient(t, SHA256)
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
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			payload, err := c.invoicePayload(&tt.inv)
			require.NoError(t, err)
			m := invoicePayloadMap(t, payload)
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

// TestCreateInvoiceItemCost: a line goes out as a unit price (Cost) and a
// quantity; a line whose Sum does not divide into kopecks is refused.
// That a refused invoice is never sent is TestInvoiceValidationSendsNothing's.
func TestCreateInvoiceItemCost(t *testing.T) {
	c := invoiceClient(t, MD5)
	for _, tt := range invoiceItemCostCases() {
		t.Run(tt.name, func(t *testing.T) {
			payload, err := c.invoicePayload(&Invoice{Type: InvoiceOneTime, OutSum: invoiceDec(tt.outSum), Items: []ReceiptItem{tt.it}})
			if tt.wantField != "" {
				var ve *ValidationError
				require.ErrorAs(t, err, &ve)
				assert.Equal(t, tt.wantField, ve.Field)
				assert.Contains(t, ve.Reason, tt.wantRule)
				assert.Nil(t, payload)
				return
			}
			require.NoError(t, err)
			items := invoicePayloadMap(t, payload)["InvoiceItems"].([]any)
			require.Len(t, items, 1)
			got := items[0].(map[string]any)
			assert.Equal(t, json.Number(tt.qty), got["Quantity"])
			assert.Equal(t, json.Number(tt.cost), got["Cost"])
			assert.NotContains(t, got, "Sum")
		})
	}
}

type invoiceItemCostCase struct {
	name                string
	it                  ReceiptItem
	outSum, qty, cost   string
	wantField, wantRule string
}

func invoiceItemCostCases() []invoiceItemCostCase {
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
	return []invoiceItemCostCase{
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
}

// TestCreateInvoiceResponses reads recorded answers with the parser alone.
func TestCreateInvoiceResponses(t *testing.T) {
	tests := []struct {
		name    string
		file    string
		link    *InvoiceLink
		message string // APIError.Message, for a refusal
		msgPart string // for malformed responses
	}{
		{name: "success", file: "create_success.json",
			link: &InvoiceLink{ID: "0f8fad5b-d9cb-469f-a165-70867728950e", InvID: 4512, URL: "https://auth.robokassa.ru/merchant/Invoice/aBcD3fGh1jKlMn", EncodedID: "aBcD3fGh1jKlMn"}},
		{name: "success, invId as a string", file: "create_success_auto_invid.json",
			link: &InvoiceLink{ID: "", InvID: 1700000123, EncodedID: "Zx81Qw0pLm"}},
		{name: "refused with message", file: "create_refused_message.json", message: "Invoice with the same InvId already exists"},
		{name: "refused with errorMessage", file: "create_refused_errormessage.json", message: "Неверная подпись запроса"},
		{name: "garbage", file: "create_garbage.html", msgPart: "malformed response"},
		{name: "truncated", file: "create_truncated.json", msgPart: "malformed response"},
	}
	c := invoiceClient(t, SHA1)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			link, err := parseInvoiceLink(c.replyOf("CreateInvoice", invoiceFixture(t, tt.file)))
			if tt.link != nil {
				require.NoError(t, err)
				if tt.link.ID == "" { // only what the case is about
					assert.Equal(t, tt.link.InvID, link.InvID, "invId given as a string")
					assert.Equal(t, tt.link.EncodedID, link.EncodedID)
					return
				}
				assert.Equal(t, tt.link, link)
				return
			}
			assert.Nil(t, link)
			var ae *APIError
			require.ErrorAs(t, err, &ae)
			assert.True(t, strings.HasPrefix(err.Error(), "robokassa: CreateInvoice"), err.Error())
			assert.Equal(t, "CreateInvoice", ae.Op)
			assert.Equal(t, http.StatusOK, ae.Status)
			if tt.message != "" {
				assert.Equal(t, tt.message, ae.Message)
			} else {
				assert.Contains(t, ae.Message, tt.msgPart)
				assert.NotEmpty(t, ae.Body)
			}
		})
	}
}

// TestCreateInvoiceHTTPErrors: a non-2xx answer is an *APIError with the
// status and, when the body is JSON, its message. The emulator answers the
// Invoice API with 200 (a 500 is TestMoneyCallsSentOnceUnderFaults's), so
// the recorded 401 and a 502 come from a generic server.
func TestCreateInvoiceHTTPErrors(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
		msg    string
	}{
		{"http 401", 401, string(invoiceFixture(t, "create_http401.json")), "Authorization has been denied for this request."},
		{"http 502", 502, string(invoiceFixture(t, "create_garbage.html")), "Bad Gateway"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, s := newMisbehaving(t, Config{}, text(tt.status, tt.body))
			link, err := c.CreateInvoice(context.Background(), Invoice{Type: InvoiceOneTime, InvID: 4512, OutSum: invoiceDec("990")})
			assert.EqualValues(t, 1, s.hits.Load(), "CreateInvoice is sent exactly once")
			assert.Nil(t, link)
			var ae *APIError
			require.ErrorAs(t, err, &ae)
			assert.True(t, strings.HasPrefix(err.Error(), "robokassa: CreateInvoice"), err.Error())
			assert.Equal(t, "CreateInvoice", ae.Op)
			assert.Equal(t, tt.status, ae.Status)
			assert.Equal(t, tt.msg, ae.Message)
		})
	}
}

func TestInvoiceSecretsNotLeaked(t *testing.T) {
	// An answer that echoes the key back in its refusal.
	c := invoiceClient(t, MD5)
	_, err := parseInvoiceLink(c.replyOf("CreateInvoice", []byte(`{"isSuccess":false,"message":"bad key demo:password_1"}`)))
	var ae *APIError
	require.ErrorAs(t, err, &ae)
	assert.NotContains(t, err.Error(), invoiceTestPass1)
	assert.NotContains(t, ae.Body, invoiceTestPass1)
	assert.NotContains(t, ae.Message, invoiceTestPass1)
}

// --- DeactivateInvoice --------------------------------------------------------

// invoiceDeactivateRefs are the refs of the deactivate vectors, by name.
var invoiceDeactivateRefs = map[string]InvoiceRef{
	"EncodedID": {EncodedID: "aBcD3fGh1jKlMn"},
	"ID":        {ID: "0f8fad5b-d9cb-469f-a165-70867728950e"},
	"InvID":     {InvID: 4512},
}

// TestDeactivateInvoice builds the DeactivateInvoice payload as
// DeactivateInvoice does, from its wire struct, and compares it and its
// token with the vectors; the answers go through parseInvoiceAck. That
// the emulator takes the token, and refusals of bad refs before sending,
// are TestInvoiceProtocolVectors's and TestInvoiceValidationSendsNothing's.
func TestDeactivateInvoice(t *testing.T) {
	v := loadInvoiceVectors(t)
	for name, ref := range invoiceDeactivateRefs {
		for _, alg := range []HashAlgorithm{MD5, RIPEMD160, SHA512} {
			t.Run(name+"/"+string(alg), func(t *testing.T) {
				c := invoiceClient(t, alg)
				require.NoError(t, ref.validate())
				payload, err := compactJSON(invoiceDeactivateWire{MerchantLogin: c.login, EncodedID: ref.EncodedID, ID: ref.ID, InvID: ref.InvID})
				require.NoError(t, err)
				assert.Equal(t, v.Deactivate[name].Payload, string(payload))
				assert.Equal(t, v.Deactivate[name].Tokens[alg], c.invoiceToken(payload))
			})
		}
	}

	c := invoiceClient(t, MD5)
	t.Run("success", func(t *testing.T) {
		require.NoError(t, parseInvoiceAck(c.replyOf("DeactivateInvoice", invoiceFixture(t, "deactivate_success.json"))))
	})
	for _, tt := range []struct {
		name, body, msg string
	}{
		{"refused", "deactivate_refused.json", "Invoice not found"},
		{"garbage", "create_garbage.html", "malformed response: not a JSON object"},
		{"no flag", "", "malformed response: no isSuccess flag"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			body := []byte("{}")
			if tt.body != "" {
				body = invoiceFixture(t, tt.body)
			}
			err := parseInvoiceAck(c.replyOf("DeactivateInvoice", body))
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

// invoiceVectorQuery is the Go side of the "list" vector.
func invoiceVectorQuery(t testing.TB) InvoiceQuery {
	from, err := time.Parse(time.RFC3339, "2025-01-01T00:00:00+03:00")
	require.NoError(t, err)
	to, err := time.Parse(time.RFC3339, "2025-01-31T23:59:59+03:00")
	require.NoError(t, err)
	return InvoiceQuery{
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
}

// invoiceListPayload builds the list request as Invoices does.
func (c *Client) invoiceListPayload(t *testing.T, q InvoiceQuery) []byte {
	t.Helper()
	w, err := c.invoiceListRequest(&q)
	require.NoError(t, err)
	payload, err := compactJSON(w)
	require.NoError(t, err)
	return payload
}

func TestInvoicesRequest(t *testing.T) {
	v := loadInvoiceVectors(t)
	q := invoiceVectorQuery(t)
	for _, alg := range invoiceAlgs {
		t.Run(string(alg), func(t *testing.T) {
			c := invoiceClient(t, alg)
			payload := c.invoiceListPayload(t, q)
			assert.Equal(t, v.List.Payload, string(payload))
			assert.Equal(t, v.List.Tokens[alg], c.invoiceToken(payload))
			payload = c.invoiceListPayload(t, InvoiceQuery{})
			assert.Equal(t, v.ListDefault.Payload, string(payload))
			assert.Equal(t, v.ListDefault.Tokens[alg], c.invoiceToken(payload))
		})
	}
}

// TestInvoicesResponses reads recorded lists with the parser alone, for
// the page the request asked for. The emulator's lists, and retries, are
// the protocol tests'.
func TestInvoicesResponses(t *testing.T) {
	msk := time.FixedZone("", 3*3600)
	c := invoiceClient(t, MD5)
	page := func(t *testing.T, q InvoiceQuery, file string) (*InvoicePage, error) {
		w, err := c.invoiceListRequest(&q)
		require.NoError(t, err)
		return parseInvoicePage(c.replyOf("GetInvoiceInformationList", invoiceFixture(t, file)), w.CurrentPage, w.PageSize)
	}
	t.Run("array at top level", func(t *testing.T) {
		page, err := page(t, InvoiceQuery{PageSize: 20}, "list_array.json")
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
		page, err := page(t, InvoiceQuery{CurrentPage: 2, PageSize: 50}, "list_object.json")
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
		_, err := page(t, InvoiceQuery{}, "list_refused.json")
		var ae *APIError
		require.ErrorAs(t, err, &ae)
		assert.Equal(t, "GetInvoiceInformationList", ae.Op)
		assert.Equal(t, "Внутренняя ошибка сервиса", ae.Message)
	})

	t.Run("garbage", func(t *testing.T) {
		_, err := page(t, InvoiceQuery{}, "create_garbage.html")
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
