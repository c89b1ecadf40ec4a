package robokassa

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const merchantHoldOK = `"success: true"`

func TestConfirmHoldVectors(t *testing.T) {
	for _, v := range loadMerchantVectors(t, "confirm") {
		t.Run(v.Name, func(t *testing.T) {
			c, s := newMerchantTestServer(t, Config{MerchantLogin: v.Login, Password1: Secret(v.Password), Algorithm: v.Algorithm},
				merchantText(200, merchantHoldOK))
			err := c.ConfirmHold(context.Background(), HoldCapture{
				InvID:   v.InvoiceID,
				OutSum:  dec(v.OutSum),
				Receipt: v.receipt(t),
				Shp:     v.Shp,
			})
			require.NoError(t, err)
			path, form := s.request(t, 0)
			assert.Equal(t, "/Merchant/Payment/Confirm", path)
			merchantAssertForm(t, v.Form, form)
			assert.Equal(t, v.Signature, form.Get("SignatureValue"))
			assert.EqualValues(t, 1, s.hits.Load())
		})
	}
}

func TestCancelHoldVectors(t *testing.T) {
	for _, v := range loadMerchantVectors(t, "cancel") {
		t.Run(v.Name, func(t *testing.T) {
			c, s := newMerchantTestServer(t, Config{MerchantLogin: v.Login, Password1: Secret(v.Password), Algorithm: v.Algorithm},
				merchantText(200, merchantHoldOK))
			require.NoError(t, c.CancelHold(context.Background(), v.InvoiceID))
			path, form := s.request(t, 0)
			assert.Equal(t, "/Merchant/Payment/Cancel", path)
			merchantAssertForm(t, v.Form, form)
			assert.Equal(t, v.Signature, form.Get("SignatureValue"))
			assert.EqualValues(t, 1, s.hits.Load())
		})
	}
}

// TestCancelHoldSignatureStdlib recomputes the Cancel signature, with its
// empty OutSum slot, with crypto/md5 directly.
func TestCancelHoldSignatureStdlib(t *testing.T) {
	c, s := newMerchantTestServer(t, Config{}, merchantText(200, merchantHoldOK))
	require.NoError(t, c.CancelHold(context.Background(), 123))
	_, form := s.request(t, 0)
	assert.Equal(t, merchantMD5("demo::123:"+merchantPass1), form.Get("SignatureValue"))
}

func TestHoldResponses(t *testing.T) {
	refused := "robokassa refused the request (success: false); check the operation's state with OpStateExt (Client.OpState)"
	tests := []struct {
		file    string
		ok      bool
		code    string
		message string
	}{
		{file: "hold_success_true.json", ok: true},
		{file: "hold_success_true_spaced.json", ok: true},
		{file: "hold_success_false.json", message: refused},
		{file: "hold_object.json", message: "unexpected response"},
		{file: "hold_unquoted.txt", message: "unexpected response"},
		{file: "hold_other_case.json", message: "unexpected response"},
		{file: "hold_error_65.json", code: "65", message: ErrorCodeBadHoldParams.Meaning()},
		{file: "recurring_ok.txt", message: "unexpected response"},
		{file: "recurring_garbage.html", message: "unexpected response"},
	}
	ops := []struct {
		name string
		call func(c *Client) error
	}{
		{"ConfirmHold", func(c *Client) error {
			return c.ConfirmHold(context.Background(), HoldCapture{InvID: 5, OutSum: dec("10")})
		}},
		{"CancelHold", func(c *Client) error { return c.CancelHold(context.Background(), 5) }},
	}
	for _, op := range ops {
		for _, tt := range tests {
			t.Run(op.name+"/"+tt.file, func(t *testing.T) {
				c, s := newMerchantTestServer(t, Config{}, merchantText(200, string(merchantFixture(t, tt.file))))
				err := op.call(c)
				assert.EqualValues(t, 1, s.hits.Load())
				if tt.ok {
					require.NoError(t, err)
					return
				}
				ae := merchantRequireAPIError(t, err, op.name)
				assert.Equal(t, http.StatusOK, ae.Status)
				assert.Equal(t, tt.code, ae.Code)
				assert.Equal(t, tt.message, ae.Message)
			})
		}
	}
}

func TestHoldFaultsSentOnce(t *testing.T) {
	faults := []struct {
		name  string
		reply func(t *testing.T, s *merchantTestServer) merchantReply
		is    error
	}{
		{"http 500", func(*testing.T, *merchantTestServer) merchantReply { return merchantText(500, merchantHoldOK) }, nil},
		{"http 502", func(*testing.T, *merchantTestServer) merchantReply { return merchantText(502, "") }, nil},
		{"garbage 200", func(*testing.T, *merchantTestServer) merchantReply { return merchantText(200, "\xff\xfe{") }, nil},
		{"truncated", func(t *testing.T, _ *merchantTestServer) merchantReply { return merchantTruncated(t) }, nil},
		{"10 MiB", func(*testing.T, *merchantTestServer) merchantReply { return merchantHuge }, errBodyTooLarge},
		{"dropped", func(t *testing.T, _ *merchantTestServer) merchantReply { return merchantDrop(t) }, nil},
		{"slow", func(_ *testing.T, s *merchantTestServer) merchantReply { return s.merchantSlow }, context.DeadlineExceeded},
	}
	ops := []struct {
		name string
		call func(ctx context.Context, c *Client) error
	}{
		{"ConfirmHold", func(ctx context.Context, c *Client) error {
			return c.ConfirmHold(ctx, HoldCapture{InvID: 5, OutSum: dec("10")})
		}},
		{"CancelHold", func(ctx context.Context, c *Client) error { return c.CancelHold(ctx, 5) }},
	}
	for _, op := range ops {
		for _, f := range faults {
			t.Run(op.name+"/"+f.name, func(t *testing.T) {
				var s *merchantTestServer
				c, s := newMerchantTestServer(t, Config{}, func(w http.ResponseWriter, r *http.Request, n int64) {
					f.reply(t, s)(w, r, n)
				})
				ctx, cancel := context.WithTimeout(context.Background(), merchantFaultDeadline(f.is))
				defer cancel()
				err := op.call(ctx, c)
				merchantRequireAPIError(t, err, op.name)
				if f.is != nil {
					assert.ErrorIs(t, err, f.is)
				}
				merchantAssertSentOnce(t, s, f.is)
			})
		}
	}
}

func TestHoldRefusesTestMode(t *testing.T) {
	c, s := newMerchantTestServer(t, Config{Password1: "p1", TestPassword1: "t1", Test: true}, merchantText(200, merchantHoldOK))
	assert.ErrorIs(t, c.ConfirmHold(context.Background(), HoldCapture{InvID: 5, OutSum: dec("10")}), ErrNotInTestMode)
	assert.ErrorIs(t, c.CancelHold(context.Background(), 5), ErrNotInTestMode)
	assert.Zero(t, s.hits.Load())
}

func TestConfirmHoldValidation(t *testing.T) {
	ok := func() HoldCapture {
		return HoldCapture{InvID: 501, OutSum: dec("150"), Receipt: merchantReceipts["reduced"],
			Shp: map[string]string{"order": "501"}}
	}
	tests := []struct {
		name  string
		edit  func(h *HoldCapture)
		field string
	}{
		{"zero InvoiceID", func(h *HoldCapture) { h.InvID = 0 }, "InvID"},
		{"negative InvoiceID", func(h *HoldCapture) { h.InvID = -1 }, "InvID"},
		{"zero OutSum", func(h *HoldCapture) { h.OutSum = decimal.Zero; h.Receipt = nil }, "OutSum"},
		{"negative OutSum", func(h *HoldCapture) { h.OutSum = dec("-150"); h.Receipt = nil }, "OutSum"},
		{"three decimals", func(h *HoldCapture) { h.OutSum = dec("150.001"); h.Receipt = nil }, "OutSum"},
		{"receipt does not add up", func(h *HoldCapture) { h.OutSum = dec("149.99") }, "Receipt.Items"},
		{"empty receipt", func(h *HoldCapture) { h.Receipt = &Receipt{} }, "Receipt.Items"},
		{"bad receipt item", func(h *HoldCapture) {
			h.Receipt = &Receipt{Items: []ReceiptItem{{Name: "", Quantity: dec("1"), Sum: dec("150"), Tax: TaxNone}}}
		}, "Receipt.Items[0].Name"},
		{"bad Shp name", func(h *HoldCapture) { h.Shp = map[string]string{"x y": "1"} }, `Shp["x y"]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, s := newMerchantTestServer(t, Config{}, merchantText(200, merchantHoldOK))
			h := ok()
			tt.edit(&h)
			err := c.ConfirmHold(context.Background(), h)
			var ve *ValidationError
			require.True(t, errors.As(err, &ve), "not a *ValidationError: %v", err)
			assert.Equal(t, tt.field, ve.Field)
			assert.ErrorIs(t, err, ErrInvalidParam)
			assert.Zero(t, s.hits.Load(), "nothing is sent for bad input")
		})
	}
}

func TestCancelHoldValidation(t *testing.T) {
	for _, id := range []int64{0, -1, -1 << 63} {
		t.Run(strconv.FormatInt(id, 10), func(t *testing.T) {
			c, s := newMerchantTestServer(t, Config{}, merchantText(200, merchantHoldOK))
			err := c.CancelHold(context.Background(), id)
			var ve *ValidationError
			require.True(t, errors.As(err, &ve), "not a *ValidationError: %v", err)
			assert.Equal(t, "InvID", ve.Field)
			assert.Zero(t, s.hits.Load())
		})
	}
}

func FuzzHoldResponse(f *testing.F) {
	for _, name := range []string{"hold_success_true.json", "hold_success_true_spaced.json", "hold_success_false.json",
		"hold_object.json", "hold_unquoted.txt", "hold_other_case.json", "hold_error_65.json", "recurring_garbage.html"} {
		f.Add(merchantFixture(f, name))
	}
	f.Add([]byte(`"success: \u0074rue"`))
	f.Add([]byte(`"success: true" "success: true"`))
	c, err := NewClient(Config{MerchantLogin: "demo", Password1: merchantPass1})
	require.NoError(f, err)
	f.Fuzz(func(t *testing.T, body []byte) {
		err := parseHold(c.replyOf("ConfirmHold", body))
		var s string
		decoded := json.Unmarshal(body, &s) == nil
		if err == nil {
			// Accepted only for a JSON string that says exactly that.
			assert.True(t, decoded, "accepted %q", body)
			assert.Equal(t, "success: true", s)
			return
		}
		var ae *APIError
		require.True(t, errors.As(err, &ae))
		assert.Equal(t, "ConfirmHold", ae.Op)
		assert.Equal(t, http.StatusOK, ae.Status)
		assert.False(t, decoded && s == "success: true", "refused %q", body)
		if decoded && s == "success: false" {
			assert.True(t, strings.HasPrefix(ae.Message, "robokassa refused the request"))
		}
	})
}
