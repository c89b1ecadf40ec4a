package robokassa

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestConfirmHoldVectors signs the Confirm form without HTTP, with the
// function ConfirmHold signs with and the wire struct it sends, and
// compares it with the vectors byte for byte. That ConfirmHold sends
// this form once, and the emulator's own code accepts its signature, is
// TestHoldProtocol's.
func TestConfirmHoldVectors(t *testing.T) {
	for _, v := range loadMerchantVectors(t, "confirm") {
		t.Run(v.Name, func(t *testing.T) {
			c := merchantVectorClient(t, v)
			sc, err := c.merchantSign(v.InvoiceID, dec(v.OutSum), v.receipt(t), v.Shp)
			require.NoError(t, err)
			assert.Equal(t, v.Signature, sc.signature)
			form, err := merchantValues(holdConfirmForm{
				MerchantLogin:  c.login,
				InvoiceID:      v.InvoiceID,
				OutSum:         sc.outSum,
				Receipt:        sc.receipt,
				SignatureValue: sc.signature,
			}, sc.shp)
			require.NoError(t, err)
			merchantAssertForm(t, v.Form, form)
		})
	}
}

// TestCancelHoldVectors builds the Cancel signature, with its empty
// OutSum slot, as CancelHold does, and compares it with the vectors.
func TestCancelHoldVectors(t *testing.T) {
	for _, v := range loadMerchantVectors(t, "cancel") {
		t.Run(v.Name, func(t *testing.T) {
			c := merchantVectorClient(t, v)
			s := newSignature(c.login, "", strconv.FormatInt(v.InvoiceID, 10))
			s.password = c.keys().pass1
			sig := s.sign(c.alg)
			assert.Equal(t, v.Signature, sig)
			form, err := merchantValues(holdCancelForm{MerchantLogin: c.login, InvoiceID: v.InvoiceID, SignatureValue: sig}, nil)
			require.NoError(t, err)
			merchantAssertForm(t, v.Form, form)
		})
	}
}

// TestCancelHoldSignatureStdlib recomputes the Cancel signature, with its
// empty OutSum slot, with crypto/md5 directly.
func TestCancelHoldSignatureStdlib(t *testing.T) {
	c := merchantClient(t)
	s := newSignature(c.login, "", "123")
	s.password = c.keys().pass1
	assert.Equal(t, merchantMD5("demo::123:"+merchantPass1), s.sign(c.alg))
}

// TestHoldResponses reads recorded answers of Confirm and Cancel with the
// parser alone; the emulator's answers are TestHoldProtocol's.
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
	c := merchantClient(t)
	for _, op := range []string{"ConfirmHold", "CancelHold"} {
		for _, tt := range tests {
			t.Run(op+"/"+tt.file, func(t *testing.T) {
				err := parseHold(c.replyOf(op, merchantFixture(t, tt.file)))
				if tt.ok {
					require.NoError(t, err)
					return
				}
				ae := merchantRequireAPIError(t, err, op)
				assert.Equal(t, http.StatusOK, ae.Status)
				assert.Equal(t, tt.code, ae.Code)
				assert.Equal(t, tt.message, ae.Message)
			})
		}
	}
}

func FuzzHoldResponse(f *testing.F) {
	for _, name := range []string{"hold_success_true.json", "hold_success_true_spaced.json", "hold_success_false.json",
		"hold_object.json", "hold_unquoted.txt", "hold_other_case.json", "hold_error_65.json", "recurring_garbage.html"} {
		f.Add(merchantFixture(f, name))
	}
	f.Add([]byte(`"success: \u0074rue"`))
	f.Add([]byte(`"success: true" "success: true"`))
	c := merchantClient(f)
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
