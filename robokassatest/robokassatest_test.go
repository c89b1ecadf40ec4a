package robokassatest_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
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
