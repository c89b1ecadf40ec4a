package robokassa_test

import (
	"bytes"
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
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	//lint:ignore SA1019 Robokassa offers RIPEMD160 (spec §2); the test recomputes HMACs independently.
	"golang.org/x/crypto/ripemd160"

	"github.com/robokassa-go/robokassa"
	"github.com/robokassa-go/robokassa/robokassatest"
)

var invoiceAlgs = []robokassa.HashAlgorithm{robokassa.MD5, robokassa.RIPEMD160, robokassa.SHA1, robokassa.SHA256, robokassa.SHA384, robokassa.SHA512}

// stdHMAC is the test's own table of hash constructors: the standard
// library and x/crypto directly.
var stdHMAC = map[robokassa.HashAlgorithm]func() hash.Hash{
	robokassa.MD5: md5.New, robokassa.RIPEMD160: ripemd160.New, robokassa.SHA1: sha1.New,
	robokassa.SHA256: sha256.New, robokassa.SHA384: sha512.New384, robokassa.SHA512: sha512.New,
}

// sentJWT reads a body the client sent to the Invoice or Refund API: a
// JSON string literal holding a JWT, whose header names alg and whose
// HMAC with key the standard library recomputes. It returns the token and
// its payload.
func sentJWT(t *testing.T, r sentRequest, alg string, newHash func() hash.Hash, key string) (string, []byte) {
	t.Helper()
	assert.Equal(t, http.MethodPost, r.Method)
	assert.Equal(t, "application/json", r.ContentType)
	require.True(t, len(r.Body) > 1 && r.Body[0] == '"' && r.Body[len(r.Body)-1] == '"', "body is not a JSON string literal: %q", r.Body)
	var token string
	require.NoError(t, json.Unmarshal(r.Body, &token))
	parts := strings.Split(token, ".")
	require.Len(t, parts, 3, "JWT parts")
	enc := base64.RawURLEncoding.Strict()
	hdr, err := enc.DecodeString(parts[0])
	require.NoError(t, err, "header base64url")
	var h map[string]string
	require.NoError(t, json.Unmarshal(hdr, &h), "header JSON")
	assert.Equal(t, map[string]string{"typ": "JWT", "alg": alg}, h)
	payload, err := enc.DecodeString(parts[1])
	require.NoError(t, err, "payload base64url")
	assert.True(t, json.Valid(payload), "payload is not JSON: %s", payload)
	mac := hmac.New(newHash, []byte(key))
	mac.Write([]byte(parts[0] + "." + parts[1]))
	assert.Equal(t, base64.RawURLEncoding.EncodeToString(mac.Sum(nil)), parts[2], "HMAC-%s signature", alg)
	return token, payload
}

// lastInvoiceCall is the last request sent to the Invoice API method op,
// checked as the Invoice API takes it (HMAC with the shop's algorithm,
// keyed login:password1).
func lastInvoiceCall(t *testing.T, e *emulator, op string, alg robokassa.HashAlgorithm, key string) (string, []byte) {
	t.Helper()
	sent := e.sent("/InvoiceServiceWebApi/api/" + op)
	require.NotEmpty(t, sent, "nothing sent to %s", op)
	r := sent[len(sent)-1]
	assert.Equal(t, "/InvoiceServiceWebApi/api/"+op, r.Path)
	if alg == "" {
		alg = robokassa.MD5
	}
	return sentJWT(t, r, string(alg), stdHMAC[alg], key)
}

// payloadMap decodes a payload keeping numbers as written.
func payloadMap(t *testing.T, payload []byte) map[string]any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	var m map[string]any
	require.NoError(t, dec.Decode(&m))
	return m
}

// vectorTokens are a vector's tokens by algorithm.
type vectorTokens struct {
	Tokens map[robokassa.HashAlgorithm]string `json:"tokens"`
}

type invoiceVectors struct {
	Login       string                  `json:"login"`
	Password1   string                  `json:"password1"`
	Create      vectorTokens            `json:"create"`
	Minimal     vectorTokens            `json:"minimal"`
	Split       vectorTokens            `json:"split"`
	List        vectorTokens            `json:"list"`
	ListDefault vectorTokens            `json:"list_default"`
	Deactivate  map[string]vectorTokens `json:"deactivate"`
}

var encodedIDRE = regexp.MustCompile(`^[0-9A-Za-z]{14}$`)

// TestInvoiceProtocolVectors: with the vectors' shop on the emulator, the
// SDK sends exactly the tokens computed in Python, and the emulator's own
// code accepts each.
func TestInvoiceProtocolVectors(t *testing.T) {
	b, err := os.ReadFile("testdata/invoice_vectors.json")
	require.NoError(t, err)
	var v invoiceVectors
	require.NoError(t, json.Unmarshal(b, &v))
	for _, vt := range []vectorTokens{v.Create, v.Minimal, v.Split, v.List, v.ListDefault, v.Deactivate["InvID"]} {
		require.Len(t, vt.Tokens, len(invoiceAlgs))
	}
	key := v.Login + ":" + v.Password1
	for _, alg := range invoiceAlgs {
		t.Run(string(alg), func(t *testing.T) {
			e := newEmulator(t, func(sh *robokassatest.Shop) {
				sh.MerchantLogin, sh.Password1, sh.Algorithm = v.Login, robokassa.Secret(v.Password1), alg
			})
			c := e.client(t)

			link, err := c.CreateInvoice(bg(t), robokassa.InvoiceVectorInvoice(t))
			require.NoError(t, err, "the emulator verified the token")
			token, _ := lastInvoiceCall(t, e, "CreateInvoice", alg, key)
			assert.Equal(t, v.Create.Tokens[alg], token)
			assert.Equal(t, int64(4512), link.InvID)
			assert.NotEmpty(t, link.ID)
			assert.Regexp(t, encodedIDRE, link.EncodedID)
			assert.Equal(t, e.URL+"/merchant/Invoice/"+link.EncodedID, link.URL)

			link, err = c.CreateInvoice(bg(t), robokassa.Invoice{Type: robokassa.InvoiceReusable, OutSum: d("150.5")})
			require.NoError(t, err)
			token, _ = lastInvoiceCall(t, e, "CreateInvoice", alg, key)
			assert.Equal(t, v.Minimal.Tokens[alg], token)
			assert.Positive(t, link.InvID, "Robokassa assigned the InvId")

			_, err = c.CreateInvoice(bg(t), robokassa.SplitVectorInvoice())
			require.NoError(t, err)
			token, _ = lastInvoiceCall(t, e, "CreateInvoice", alg, key)
			assert.Equal(t, v.Split.Tokens[alg], token)

			_, err = c.Invoices(bg(t), robokassa.InvoiceVectorQuery(t))
			require.NoError(t, err)
			token, _ = lastInvoiceCall(t, e, "GetInvoiceInformationList", alg, key)
			assert.Equal(t, v.List.Tokens[alg], token)
			_, err = c.Invoices(bg(t), robokassa.InvoiceQuery{})
			require.NoError(t, err)
			token, _ = lastInvoiceCall(t, e, "GetInvoiceInformationList", alg, key)
			assert.Equal(t, v.ListDefault.Tokens[alg], token)

			// The vectors' EncodedID and ID name no link of the emulator:
			// "Invoice not found" is its answer once the token verified.
			for _, name := range []string{"EncodedID", "ID", "InvID"} {
				ref := map[string]robokassa.InvoiceRef{
					"EncodedID": {EncodedID: "aBcD3fGh1jKlMn"},
					"ID":        {ID: "0f8fad5b-d9cb-469f-a165-70867728950e"},
					"InvID":     {InvID: 4512},
				}[name]
				err := c.DeactivateInvoice(bg(t), ref)
				if name == "InvID" {
					require.NoError(t, err)
				} else {
					ae := requireAPIError(t, err, "DeactivateInvoice")
					assert.Equal(t, "Invoice not found", ae.Message)
				}
				token, _ := lastInvoiceCall(t, e, "DeactivateInvoice", alg, key)
				assert.Equal(t, v.Deactivate[name].Tokens[alg], token, name)
			}
		})
	}
}

// TestInvoiceProtocol: payment links from CreateInvoice lead to the
// emulator's payment page; they are paid, deactivated, expired and listed
// as the emulator keeps them (spec §9.1).
func TestInvoiceProtocol(t *testing.T) {
	e := newEmulator(t)
	c := e.client(t)
	key := emuLogin + ":" + emuPass1

	t.Run("one-time link, page, pay", func(t *testing.T) {
		before := e.hits(robokassatest.EndpointInvoice)
		link, err := c.CreateInvoice(bg(t), robokassa.Invoice{Type: robokassa.InvoiceOneTime, InvID: 700, OutSum: d("990"),
			Description: "Заказ №700", MerchantComments: "VIP & co <rush>",
			Items: []robokassa.ReceiptItem{
				{Name: "Item A", Quantity: d("1"), Sum: d("490"), Tax: robokassa.TaxVAT22},
				{Name: `Item "B"`, Quantity: d("2"), Sum: d("500"), Tax: robokassa.TaxNone},
			},
			Shp: map[string]string{"order": "700", "note": "a b+c"}})
		require.NoError(t, err)
		assert.Equal(t, before+1, e.hits(robokassatest.EndpointInvoice), "sent once")
		assert.Equal(t, int64(700), link.InvID)
		_, payload := lastInvoiceCall(t, e, "CreateInvoice", robokassa.MD5, key)
		m := payloadMap(t, payload)
		assert.Equal(t, json.Number("990.00"), m["OutSum"])
		assert.Equal(t, map[string]any{"shp_order": "700", "shp_note": "a+b%2Bc"}, m["UserFields"])

		code, page := e.visit(t, link.URL)
		require.Equal(t, 0, code, "the link leads to the payment page")
		assert.Contains(t, page, "990.00")
		require.NoError(t, e.Pay(700))
		op, ok := e.Operation(700)
		require.True(t, ok)
		assert.Equal(t, robokassa.StatePaid, op.State)
		assert.Equal(t, "Invoice", op.Source)
		assert.Equal(t, link.ID, op.InvoiceID)
		assert.True(t, op.OutSum.Equal(d("990")))
		assert.Len(t, op.Lines, 2)
		assert.Equal(t, "a+b%2Bc", op.Shp["note"], "Shp values as sent")
		assert.Equal(t, "InvoiceService.WebApi", op.Shp["interface"], "Robokassa adds Shp_interface")

		code, _ = e.visit(t, link.URL)
		assert.Equal(t, int(robokassa.ErrorCodeInvoiceAlreadyPaid), code)

		inv, ok := invoiceByInvID(t, c, 700)
		require.True(t, ok)
		assert.Equal(t, link.ID, inv.ID)
		assert.Equal(t, link.EncodedID, inv.EncodedID)
		assert.Equal(t, link.URL, inv.URL)
		assert.Equal(t, robokassa.InvoiceOneTime, inv.Type)
		assert.Equal(t, robokassa.InvoiceStatePaid, inv.State)
		assert.True(t, inv.OutSum.Equal(d("990")), inv.OutSum.String())
		assert.Equal(t, "Заказ №700", inv.Description)
		assert.WithinDuration(t, time.Now(), inv.CreatedAt, time.Minute)
		assert.WithinDuration(t, op.StateDate(), inv.PaidAt, time.Second)
		_, offset := inv.CreatedAt.Zone()
		assert.Equal(t, 3*3600, offset, "Moscow time")
	})

	t.Run("reusable link", func(t *testing.T) {
		link, err := c.CreateInvoice(bg(t), robokassa.Invoice{Type: robokassa.InvoiceReusable, OutSum: d("150.5"),
			ExpirationDate: robokassa.DaysToPay(3)})
		require.NoError(t, err)
		assert.Positive(t, link.InvID)
		for range 2 {
			code, _ := e.visit(t, link.URL)
			assert.Equal(t, 0, code, "a reusable link can be opened again")
		}
		inv, ok := invoiceByInvID(t, c, link.InvID)
		require.True(t, ok)
		assert.Equal(t, robokassa.InvoiceReusable, inv.Type)
		assert.Equal(t, robokassa.InvoiceStateNotPaid, inv.State)
		assert.WithinDuration(t, time.Now().AddDate(0, 0, 3), inv.ExpirationDate, time.Minute)
	})

	t.Run("deactivate", func(t *testing.T) {
		for i, name := range []string{"EncodedID", "ID", "InvID"} {
			id := int64(710 + i)
			link, err := c.CreateInvoice(bg(t), robokassa.Invoice{Type: robokassa.InvoiceOneTime, InvID: id, OutSum: d("10")})
			require.NoError(t, err)
			ref := map[string]robokassa.InvoiceRef{"EncodedID": {EncodedID: link.EncodedID}, "ID": {ID: link.ID}, "InvID": {InvID: id}}[name]
			before := e.hits(robokassatest.EndpointInvoice)
			require.NoError(t, c.DeactivateInvoice(bg(t), ref), name)
			assert.Equal(t, before+1, e.hits(robokassatest.EndpointInvoice), "sent once")
			code, _ := e.visit(t, link.URL)
			assert.Equal(t, int(robokassa.ErrorCodeInvoiceNotFound), code, "a deactivated link")
			inv, ok := invoiceByInvID(t, c, id)
			require.True(t, ok)
			assert.Equal(t, robokassa.InvoiceStateExpired, inv.State, name)
		}
		assert.Equal(t, robokassa.InvoiceRef{ID: "g"}, (&robokassa.InvoiceLink{ID: "g", EncodedID: "e", InvID: 1}).Ref())
	})

	t.Run("expired", func(t *testing.T) {
		link, err := c.CreateInvoice(bg(t), robokassa.Invoice{Type: robokassa.InvoiceOneTime, InvID: 720, OutSum: d("10")})
		require.NoError(t, err)
		require.NoError(t, e.Expire(720))
		code, _ := e.visit(t, link.URL)
		assert.Equal(t, int(robokassa.ErrorCodeInvoiceExpired), code)
		inv, ok := invoiceByInvID(t, c, 720)
		require.True(t, ok)
		assert.Equal(t, robokassa.InvoiceStateExpired, inv.State)
	})

	t.Run("list filters", func(t *testing.T) {
		page, err := c.Invoices(bg(t), robokassa.InvoiceQuery{States: []robokassa.InvoiceState{robokassa.InvoiceStatePaid}, PageSize: 50})
		require.NoError(t, err)
		require.Len(t, page.Invoices, 1, "only the paid link")
		assert.Equal(t, int64(700), page.Invoices[0].InvID)
		assert.Equal(t, 1, page.CurrentPage)
		assert.Equal(t, 50, page.PageSize)
		assert.Equal(t, 1, page.Total)
		page, err = c.Invoices(bg(t), robokassa.InvoiceQuery{Types: []robokassa.InvoiceType{robokassa.InvoiceReusable}})
		require.NoError(t, err)
		require.Len(t, page.Invoices, 1)
		assert.Equal(t, robokassa.InvoiceReusable, page.Invoices[0].Type)
		page, err = c.Invoices(bg(t), robokassa.InvoiceQuery{SumFrom: decimal.NewNullDecimal(d("100")), SumTo: decimal.NewNullDecimal(d("500")),
			CurrentPage: 1, PageSize: 10})
		require.NoError(t, err)
		require.Len(t, page.Invoices, 1, "only the reusable 150.50")
		assert.True(t, page.Invoices[0].OutSum.Equal(d("150.5")))
	})
}

// TestInvoiceProtocolRefusals: every refusal the emulator gives is an
// *APIError with its message, answered with 200 and sent once.
func TestInvoiceProtocolRefusals(t *testing.T) {
	e := newEmulator(t)
	c := e.client(t)
	_, err := c.CreateInvoice(bg(t), robokassa.Invoice{Type: robokassa.InvoiceOneTime, InvID: 800, OutSum: d("10")})
	require.NoError(t, err)
	noRec := e.shopClient(t, robokassatest.Shop{MerchantLogin: "norec", Password1: "n1", Password2: "n2", NoRecurring: true, NoHold: true})
	wrongPass := e.client(t, func(cfg *robokassa.Config) { cfg.Password1 = "not-the-password" })
	wrongAlg := e.client(t, func(cfg *robokassa.Config) { cfg.Algorithm = robokassa.SHA512 })
	unknown := e.client(t, func(cfg *robokassa.Config) { cfg.MerchantLogin = "nobody" })
	create := func(c *robokassa.Client, inv robokassa.Invoice) func() error {
		return func() error {
			link, err := c.CreateInvoice(bg(t), inv)
			assert.Nil(t, link)
			return err
		}
	}
	one := robokassa.Invoice{Type: robokassa.InvoiceOneTime, OutSum: d("10")}
	tests := []struct {
		name, op string
		call     func() error
		message  string // prefix of APIError.Message
	}{
		{"same InvId", "CreateInvoice", create(c, robokassa.Invoice{Type: robokassa.InvoiceOneTime, InvID: 800, OutSum: d("10")}),
			"Invoice with the same InvId already exists"},
		{"wrong Password #1", "CreateInvoice", create(wrongPass, one), "invalid signature"},
		{"wrong algorithm", "CreateInvoice", create(wrongAlg, one), "invalid signature"},
		{"unknown shop", "CreateInvoice", create(unknown, one), "shop not found"},
		{"recurring not enabled", "CreateInvoice", create(noRec, robokassa.Invoice{Type: robokassa.InvoiceOneTime, OutSum: d("10"), Recurring: true}),
			"recurring payments are not enabled for the shop (error 34)"},
		{"hold not enabled", "CreateInvoice", create(noRec, robokassa.Invoice{Type: robokassa.InvoiceOneTime, OutSum: d("10"), StepByStep: true}),
			"holding is not enabled for the shop (error 64)"},
		{"deactivate unknown", "DeactivateInvoice", func() error {
			return c.DeactivateInvoice(bg(t), robokassa.InvoiceRef{InvID: 999})
		}, "Invoice not found"},
		{"deactivate, wrong Password #1", "DeactivateInvoice", func() error {
			return wrongPass.DeactivateInvoice(bg(t), robokassa.InvoiceRef{InvID: 800})
		}, "invalid signature"},
		{"list, wrong Password #1", "GetInvoiceInformationList", func() error {
			page, err := wrongPass.Invoices(bg(t), robokassa.InvoiceQuery{})
			assert.Nil(t, page)
			return err
		}, "invalid signature"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := e.hits(robokassatest.EndpointInvoice)
			err := tt.call()
			assert.Equal(t, before+1, e.hits(robokassatest.EndpointInvoice), "sent once: a refusal is an answer")
			ae := requireAPIError(t, err, tt.op)
			assert.Equal(t, http.StatusOK, ae.Status)
			assert.True(t, strings.HasPrefix(ae.Message, tt.message), "message %q", ae.Message)
			assert.NotContains(t, err.Error(), emuPass1)
		})
	}
	inv, ok := invoiceByInvID(t, c, 800)
	require.True(t, ok)
	assert.Equal(t, robokassa.InvoiceStateNotPaid, inv.State, "the refusals changed nothing")
}

// TestInvoiceTestModeSendsNothing: the Invoice API, and with it split
// payments, has no test mode (spec §13).
func TestInvoiceTestModeSendsNothing(t *testing.T) {
	e := newEmulator(t)
	c := e.client(t, func(cfg *robokassa.Config) { cfg.Test = true })
	split := []robokassa.SplitPart{{MerchantLogin: emuLogin, Amount: d("10")}}
	calls := map[string]func() error{
		"CreateInvoice": func() error {
			_, err := c.CreateInvoice(bg(t), robokassa.Invoice{Type: robokassa.InvoiceOneTime, OutSum: d("10")})
			return err
		},
		"CreateInvoice split": func() error {
			_, err := c.CreateInvoice(bg(t), robokassa.Invoice{Type: robokassa.InvoiceOneTime, OutSum: d("10"), Split: split})
			return err
		},
		"DeactivateInvoice": func() error { return c.DeactivateInvoice(bg(t), robokassa.InvoiceRef{InvID: 1}) },
		"GetInvoiceInformationList": func() error {
			_, err := c.Invoices(bg(t), robokassa.InvoiceQuery{})
			return err
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			err := call()
			require.ErrorIs(t, err, robokassa.ErrNotInTestMode)
			assert.True(t, strings.HasPrefix(err.Error(), "robokassa: "), err.Error())
			assert.Contains(t, err.Error(), strings.Fields(name)[0])
		})
	}
	assert.Zero(t, e.log.total(), "nothing sent in test mode")
}

// TestInvoiceValidationSendsNothing: an invalid invoice, reference, query
// or split is a *ValidationError naming the field, and is never sent.
func TestInvoiceValidationSendsNothing(t *testing.T) {
	e := newEmulator(t)
	c := e.client(t)
	valid := func() robokassa.Invoice {
		return robokassa.Invoice{
			Type:   robokassa.InvoiceOneTime,
			OutSum: d("990"),
			Items: []robokassa.ReceiptItem{
				{Name: "A", Quantity: d("1"), Sum: d("490"), Tax: robokassa.TaxNone},
				{Name: "B", Quantity: d("2"), Sum: d("500"), Tax: robokassa.TaxNone},
			},
		}
	}
	invoices := []struct {
		name   string
		mutate func(*robokassa.Invoice)
		field  string
	}{
		{"type missing", func(i *robokassa.Invoice) { i.Type = "" }, "Type"},
		{"type unknown", func(i *robokassa.Invoice) { i.Type = "Once" }, "Type"},
		{"type wrong case", func(i *robokassa.Invoice) { i.Type = "onetime" }, "Type"},
		{"sum zero", func(i *robokassa.Invoice) { i.OutSum = decimal.Zero; i.Items = nil }, "OutSum"},
		{"sum negative", func(i *robokassa.Invoice) { i.OutSum = d("-1"); i.Items = nil }, "OutSum"},
		{"sum three decimals", func(i *robokassa.Invoice) { i.OutSum = d("1.005"); i.Items = nil }, "OutSum"},
		{"invid negative", func(i *robokassa.Invoice) { i.InvID = -1 }, "InvID"},
		{"description too long", func(i *robokassa.Invoice) { i.Description = strings.Repeat("я", 101) }, "Description"},
		{"description not utf-8", func(i *robokassa.Invoice) { i.Description = "\xff" }, "Description"},
		{"comments not utf-8", func(i *robokassa.Invoice) { i.MerchantComments = "\xfe" }, "MerchantComments"},
		{"culture", func(i *robokassa.Invoice) { i.Culture = "de" }, "Culture"},
		{"expired", func(i *robokassa.Invoice) { i.ExpirationDate = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC) }, "ExpirationDate"},
		{"expires now", func(i *robokassa.Invoice) { i.ExpirationDate = robokassa.DaysToPay(0) }, "ExpirationDate"},
		{"sno", func(i *robokassa.Invoice) { i.Sno = "OSN" }, "Sno"},
		{"email", func(i *robokassa.Invoice) { i.Email = "nobody" }, "Email"},
		{"result url relative", func(i *robokassa.Invoice) { i.ResultURL2 = "/jws" }, "ResultURL2"},
		{"success url without method", func(i *robokassa.Invoice) { i.SuccessURL2 = "https://shop.example/ok" }, "SuccessURL2Method"},
		{"success method without url", func(i *robokassa.Invoice) { i.SuccessURL2Method = "GET" }, "SuccessURL2"},
		{"fail method", func(i *robokassa.Invoice) { i.FailURL2, i.FailURL2Method = "https://shop.example/f", "PUT" }, "FailURL2Method"},
		{"fail url relative", func(i *robokassa.Invoice) { i.FailURL2, i.FailURL2Method = "fail", "GET" }, "FailURL2"},
		{"hold on reusable", func(i *robokassa.Invoice) { i.Type, i.StepByStep = robokassa.InvoiceReusable, true }, "StepByStep"},
		{"token and recurring", func(i *robokassa.Invoice) { i.Token, i.Recurring = "k", true }, "Token"},
		{"token and hold", func(i *robokassa.Invoice) { i.Token, i.StepByStep = "k", true }, "Token"},
		{"token control", func(i *robokassa.Invoice) { i.Token = "a\nb" }, "Token"},
		{"user field name", func(i *robokassa.Invoice) { i.Shp = map[string]string{"bad-name": "x"} }, `Shp["bad-name"]`},
		{"user field empty name", func(i *robokassa.Invoice) { i.Shp = map[string]string{"": "x"} }, "Shp"},
		{"user field prefixed", func(i *robokassa.Invoice) { i.Shp = map[string]string{"Shp_order": "x"} }, `Shp["Shp_order"]`},
		{"user field value", func(i *robokassa.Invoice) { i.Shp = map[string]string{"order": "\xff"} }, `Shp["order"]`},
		{"item name", func(i *robokassa.Invoice) { i.Items[0].Name = "" }, "Items[0].Name"},
		{"item tax", func(i *robokassa.Invoice) { i.Items[1].Tax = "" }, "Items[1].Tax"},
		{"item quantity", func(i *robokassa.Invoice) { i.Items[1].Quantity = decimal.Zero }, "Items[1].Quantity"},
		{"item sum places", func(i *robokassa.Invoice) { i.Items[1].Sum = d("500.001") }, "Items[1].Sum"},
		{"item code", func(i *robokassa.Invoice) { i.Items[0].NomenclatureCode = "é" }, "Items[0].NomenclatureCode"},
		{"items total", func(i *robokassa.Invoice) { i.OutSum = d("989.99") }, "Items"},
		{"split total", func(i *robokassa.Invoice) {
			i.Split = []robokassa.SplitPart{{MerchantLogin: "a", Amount: d("1")}}
		}, "Split"},
		{"item sum not divisible", func(i *robokassa.Invoice) {
			i.OutSum, i.Items = d("100"), []robokassa.ReceiptItem{{Name: "x", Quantity: d("3"), Sum: d("100"), Tax: robokassa.TaxNone}}
		}, "Items[0].Cost"},
		{"item cost disagrees with sum", func(i *robokassa.Invoice) {
			i.OutSum, i.Items = d("100"), []robokassa.ReceiptItem{{Name: "x", Quantity: d("3"), Sum: d("100"),
				Cost: decimal.NewNullDecimal(d("33.33")), Tax: robokassa.TaxNone}}
		}, "Items[0].Cost"},
	}
	for _, tt := range invoices {
		t.Run(tt.name, func(t *testing.T) {
			inv := valid()
			tt.mutate(&inv)
			link, err := c.CreateInvoice(bg(t), inv)
			assert.Nil(t, link)
			requireValidation(t, err, tt.field)
			assert.Equal(t, strings.ToLower(err.Error()[:10]), err.Error()[:10])
		})
	}
	for _, tt := range []struct {
		ref   robokassa.InvoiceRef
		field string
	}{
		{robokassa.InvoiceRef{}, "InvoiceRef"},
		{robokassa.InvoiceRef{ID: "x", InvID: 1}, "InvoiceRef"},
		{robokassa.InvoiceRef{EncodedID: "x", ID: "y"}, "InvoiceRef"},
		{robokassa.InvoiceRef{InvID: -1}, "InvoiceRef.InvID"},
		{robokassa.InvoiceRef{EncodedID: "a/b"}, "InvoiceRef.EncodedID"},
		{robokassa.InvoiceRef{ID: "a b"}, "InvoiceRef.ID"},
		{robokassa.InvoiceRef{ID: strings.Repeat("a", 201)}, "InvoiceRef.ID"},
	} {
		t.Run("deactivate "+tt.field, func(t *testing.T) {
			requireValidation(t, c.DeactivateInvoice(bg(t), tt.ref), tt.field)
		})
	}
	day := time.Date(2025, 1, 2, 0, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		name  string
		q     robokassa.InvoiceQuery
		field string
	}{
		{"page", robokassa.InvoiceQuery{CurrentPage: -1}, "CurrentPage"},
		{"size", robokassa.InvoiceQuery{PageSize: -1}, "PageSize"},
		{"status case", robokassa.InvoiceQuery{States: []robokassa.InvoiceState{"paid"}}, "Statuses[0]"},
		{"type", robokassa.InvoiceQuery{Types: []robokassa.InvoiceType{robokassa.InvoiceOneTime, "Once"}}, "Types[1]"},
		{"alias empty", robokassa.InvoiceQuery{PaymentAliases: []string{""}}, "PaymentAliases[0]"},
		{"alias chars", robokassa.InvoiceQuery{PaymentAliases: []string{"Bank Card"}}, "PaymentAliases[0]"},
		{"keywords", robokassa.InvoiceQuery{Keywords: "\xff"}, "Keywords"},
		{"dates reversed", robokassa.InvoiceQuery{DateFrom: day, DateTo: day.Add(-time.Second)}, "DateTo"},
		{"sum places", robokassa.InvoiceQuery{SumFrom: decimal.NewNullDecimal(d("1.001"))}, "SumFrom"},
		{"sum negative", robokassa.InvoiceQuery{SumTo: decimal.NewNullDecimal(d("-1"))}, "SumTo"},
		{"sums reversed", robokassa.InvoiceQuery{SumFrom: decimal.NewNullDecimal(d("2")), SumTo: decimal.NewNullDecimal(d("1"))}, "SumTo"},
	} {
		t.Run("list "+tt.name, func(t *testing.T) {
			page, err := c.Invoices(bg(t), tt.q)
			assert.Nil(t, page)
			requireValidation(t, err, tt.field)
		})
	}
	for _, tt := range splitCases() {
		t.Run("split "+tt.name, func(t *testing.T) {
			inv := robokassa.SplitVectorInvoice()
			// Fresh receipt per case: the mutations write through the pointer.
			r := *inv.Split[0].Receipt
			r.Items = append([]robokassa.ReceiptItem(nil), r.Items...)
			inv.Split[0].Receipt = &r
			tt.mutate(&inv)
			_, err := c.CreateInvoice(bg(t), inv)
			ve := requireValidation(t, err, tt.field)
			assert.Contains(t, ve.Reason, tt.rule)
		})
	}
	assert.Zero(t, e.log.total(), "nothing invalid is ever sent")

	t.Run("valid edge values reach Robokassa", func(t *testing.T) {
		inv := valid()
		inv.Description = strings.Repeat("я", 100)
		inv.ExpirationDate = robokassa.DaysToPay(1)
		inv.Shp = map[string]string{"Order_2": "~ x"}
		_, err := c.CreateInvoice(bg(t), inv)
		require.NoError(t, err)
		assert.Equal(t, 1, e.hits(robokassatest.EndpointInvoice))
		_, payload := lastInvoiceCall(t, e, "CreateInvoice", robokassa.MD5, emuLogin+":"+emuPass1)
		m := payloadMap(t, payload)
		assert.Equal(t, map[string]any{"shp_Order_2": "%7E+x"}, m["UserFields"])
		assert.True(t, strings.HasSuffix(m["ExpirationDate"].(string), "+03:00"))
	})
}

type splitCase struct {
	name   string
	mutate func(*robokassa.Invoice)
	field  string
	rule   string
}

func splitCases() []splitCase {
	return []splitCase{
		{"parts short of OutSum", func(i *robokassa.Invoice) { i.Split[1].Amount = d("199.99") }, "Split", "not to OutSum"},
		{"parts over OutSum", func(i *robokassa.Invoice) { i.OutSum = d("699") }, "Split", "not to OutSum"},
		{"login missing", func(i *robokassa.Invoice) { i.Split[1].MerchantLogin = "" }, "Split[1].MerchantLogin", "required"},
		{"login with space", func(i *robokassa.Invoice) { i.Split[0].MerchantLogin = "de mo" }, "Split[0].MerchantLogin", "spaces"},
		{"login control", func(i *robokassa.Invoice) { i.Split[0].MerchantLogin = "demo\x00" }, "Split[0].MerchantLogin", "control"},
		{"invid negative", func(i *robokassa.Invoice) { i.Split[1].InvID = -5 }, "Split[1].InvID", "negative"},
		{"amount zero", func(i *robokassa.Invoice) {
			i.Split[1].Amount = decimal.Zero
			i.OutSum = d("500")
		}, "Split[1].Amount", "greater than zero"},
		{"amount places", func(i *robokassa.Invoice) { i.Split[1].Amount = d("200.001") }, "Split[1].Amount", "decimal places"},
		{"receipt empty", func(i *robokassa.Invoice) { i.Split[1].Receipt = &robokassa.Receipt{} }, "Split[1].Receipt.Items", "at least one"},
		{"receipt item invalid", func(i *robokassa.Invoice) { i.Split[0].Receipt.Items[0].Tax = "" }, "Split[0].Receipt.Items[0].Tax", "required"},
		{"receipt total", func(i *robokassa.Invoice) { i.Split[0].Receipt.Items[0].Sum = d("499") }, "Split[0].Receipt.Items", "Amount"},
	}
}

// TestSplitProtocol: a split invoice reaches the emulator with its parts
// as a JSON string in AdditionalParameters, and its link is paid as any.
func TestSplitProtocol(t *testing.T) {
	e := newEmulator(t)
	c := e.client(t)
	link, err := c.CreateInvoice(bg(t), robokassa.SplitVectorInvoice())
	require.NoError(t, err)
	assert.Equal(t, int64(500001), link.InvID)
	_, payload := lastInvoiceCall(t, e, "CreateInvoice", robokassa.MD5, emuLogin+":"+emuPass1)
	var p struct{ AdditionalParameters map[string]string }
	require.NoError(t, json.Unmarshal(payload, &p))
	var parts []map[string]any
	require.NoError(t, json.Unmarshal([]byte(p.AdditionalParameters["Split"]), &parts))
	require.Len(t, parts, 2)
	assert.Equal(t, emuLogin, parts[0]["id"])
	assert.Equal(t, "partner", parts[1]["id"])
	code, _ := e.visit(t, link.URL)
	require.Equal(t, 0, code)
	require.NoError(t, e.Pay(500001))
	assert.Equal(t, robokassa.StatePaid, e.state(t, 500001))
}
