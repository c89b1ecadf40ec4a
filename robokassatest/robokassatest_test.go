package robokassatest_test

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/robokassa-go/robokassa"
	"github.com/robokassa-go/robokassa/robokassatest"
)

func TestSignMatchesKnownVector(t *testing.T) {
	// From shared/vectors/callbacks.json (Python hashlib).
	cfg := robokassa.Config{Algorithm: robokassa.MD5}
	assert.Equal(t, "56471DF356C976AB61F7BBB13FEC0D24", robokassatest.Sign(cfg, "990.000000:12:password_2:Shp_order=12:Shp_user=alice"))
}

func TestResultFormVerifies(t *testing.T) {
	for _, alg := range []robokassa.HashAlgorithm{"", robokassa.MD5, robokassa.RIPEMD160, robokassa.SHA1, robokassa.SHA256, robokassa.SHA384, robokassa.SHA512} {
		for _, test := range []bool{false, true} {
			cfg := robokassa.Config{MerchantLogin: "demo", Password1: "p1", Password2: "p2", TestPassword1: "t1", TestPassword2: "t2", Algorithm: alg, Test: test}
			c, err := robokassa.NewClient(cfg)
			require.NoError(t, err)
			n := robokassa.Notification{OutSum: decimal.RequireFromString("990.5"), InvID: 42, IsTest: test, Email: "a@b.c",
				Shp: map[string]string{"note": "a b ~", "order": "42"}}
			got, err := c.VerifyResult(robokassatest.ResultForm(cfg, n))
			require.NoError(t, err, "%s test=%v", alg, test)
			assert.Equal(t, n.Shp, got.Shp)
			assert.Equal(t, int64(42), got.InvID)
			_, err = c.VerifySuccess(robokassatest.SuccessForm(cfg, n))
			require.NoError(t, err)
		}
	}
}

// TestResultFormSignsByIsTest: the password pair follows n.IsTest, as
// Robokassa's does, so a test-mode shop that forgets IsTest sees the bad
// signature Robokassa would cause, and a production shop refuses a test
// notification.
func TestResultFormSignsByIsTest(t *testing.T) {
	cfg := robokassa.Config{MerchantLogin: "demo", Password1: "p1", Password2: "p2", TestPassword1: "t1", TestPassword2: "t2", Test: true}
	testClient, err := robokassa.NewClient(cfg)
	require.NoError(t, err)
	n := robokassa.Notification{OutSum: decimal.NewFromInt(5), InvID: 7}

	form := robokassatest.ResultForm(cfg, n)
	assert.Empty(t, form.Get("IsTest"))
	assert.Equal(t, robokassatest.Sign(cfg, "5.000000:7:p2"), form.Get("SignatureValue"), "production pair without IsTest")
	_, err = testClient.VerifyResult(form)
	assert.ErrorIs(t, err, robokassa.ErrBadSignature)

	n.IsTest = true
	form = robokassatest.ResultForm(cfg, n)
	assert.Equal(t, "1", form.Get("IsTest"))
	assert.Equal(t, robokassatest.Sign(cfg, "5.000000:7:t2"), form.Get("SignatureValue"), "test pair with IsTest")
	_, err = testClient.VerifyResult(form)
	require.NoError(t, err)

	prodCfg := cfg
	prodCfg.Test = false
	prod, err := robokassa.NewClient(prodCfg)
	require.NoError(t, err)
	_, err = prod.VerifyResult(robokassatest.ResultForm(prodCfg, n))
	assert.ErrorIs(t, err, robokassa.ErrTestNotification)
	n.IsTest = false
	_, err = prod.VerifyResult(robokassatest.ResultForm(prodCfg, n))
	require.NoError(t, err)
}

func TestNewResultRequestDrivesHandler(t *testing.T) {
	cfg := robokassa.Config{MerchantLogin: "demo", Password1: "p1", Password2: "p2"}
	c, err := robokassa.NewClient(cfg)
	require.NoError(t, err)
	var paid int64
	h, err := c.ResultHandler(func(_ context.Context, n *robokassa.Notification) error { paid = n.InvID; return nil })
	require.NoError(t, err)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, robokassatest.NewResultRequest(cfg, "/result", robokassa.Notification{OutSum: decimal.NewFromInt(5), InvID: 7}))
	body, _ := io.ReadAll(w.Result().Body)
	assert.Equal(t, http.StatusOK, w.Code)
	assert.Equal(t, "OK7", string(body))
	assert.Equal(t, int64(7), paid)
}

// TestPaymentBase checks the emulator's own base string against
// links pinned byte for byte by testdata/core_vectors.json (computed in
// Python) and the documented examples.
func TestPaymentBase(t *testing.T) {
	form := url.Values{
		"MerchantLogin": {"demo"}, "OutSum": {"990.00"}, "InvId": {"12"},
		"Receipt": {"%7B%22items%22%3A%5B%5D%7D"}, "StepByStep": {"true"}, "ResultUrl2": {"https://a/r2"},
		"SuccessUrl2": {"https://a/ok"}, "SuccessUrl2Method": {"GET"}, "FailUrl2": {"https://a/f"}, "FailUrl2Method": {"POST"},
		"Shp_b": {"2"}, "Shp_a": {"1"}, "shp_Z": {"z"}, "Description": {"not signed"}, "IsTest": {"1"}, "Recurring": {"true"},
	}
	assert.Equal(t, "demo:990.00:12:%7B%22items%22%3A%5B%5D%7D:true:https://a/r2:https://a/ok:GET:https://a/f:POST:[password]:Shp_a=1:Shp_b=2:shp_Z=z",
		robokassatest.PaymentBase(form, "[password]"))
	// No InvId: the slot stays, empty.
	assert.Equal(t, "demo:5.00::p1", robokassatest.PaymentBase(url.Values{"MerchantLogin": {"demo"}, "OutSum": {"5.00"}}, "p1"))
	// The seed's button example (MD5 of demo:990.00:12:password_1).
	base := robokassatest.PaymentBase(url.Values{"MerchantLogin": {"demo"}, "OutSum": {"990.00"}, "InvId": {"12"}}, "password_1")
	assert.Equal(t, "demo:990.00:12:password_1", base)
	sum := md5.Sum([]byte(base))
	assert.Equal(t, strings.ToUpper(hex.EncodeToString(sum[:])), robokassatest.Sign(robokassa.Config{}, base))
}
