package robokassatest_test

import (
	"encoding/base64"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/robokassa-go/robokassa"
)

// envelope is the "B.S" body of spec §9.3, built with the standard
// library: B = base64url(JSON) without padding, S = base64(hex(hash(B +
// Password1))) without padding.
func envelope(js, password string, enc *base64.Encoding) string {
	b := enc.EncodeToString([]byte(js))
	return b + "." + base64.RawStdEncoding.EncodeToString([]byte(hexOf(robokassa.MD5, b+password)))
}

func TestReceiptCodes(t *testing.T) {
	srv := apiServer(t, nil)
	attach := srv.URL + "/RoboFiscal/Receipt/Attach"
	receipt := func(id, origin string) string {
		return `{"merchantId":"demo","id":` + id + `,"originId":` + origin + `,"operation":"sell","url":"https://shop.example","total":100.00,` +
			`"items":[{"name":"Чай","quantity":1,"sum":100.00,"tax":"none","payment_method":"full_payment"}],` +
			`"client":{"email":"b@example.com"},"payments":[{"type":2,"sum":100.00}],"vats":[{"type":"none","sum":0}]}`
	}
	tests := []struct {
		name, body string
		code       string
	}{
		{"wrong password", envelope(receipt(`"r1"`, "1"), "p2", base64.RawURLEncoding), "1001"},
		{"unknown shop", envelope(`{"merchantId":"x","id":"r1"}`, "p1", base64.RawURLEncoding), "1000"},
		{"not B.S", "garbage", "1000"},
		{"id equals originId", envelope(receipt(`"1"`, "1"), "p1", base64.RawURLEncoding), "1000"},
		{"held, not paid", envelope(receipt(`"r2"`, "2"), "p1", base64.RawURLEncoding), "1000"},
		{"accepted", envelope(receipt(`"r1"`, "1"), "p1", base64.RawURLEncoding), "0"},
		{"same id again", envelope(receipt(`"r1"`, "1"), "p1", base64.RawURLEncoding), "1000"},
		{"a third receipt", envelope(receipt(`14`, "1"), "p1", base64.RawStdEncoding), "3"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, m := postJSON(t, attach, tc.body)
			assert.Equal(t, tc.code, m["ResultCode"], m)
		})
	}
	paid, _ := srv.Operation(1)
	assert.Equal(t, 1, paid.SecondReceipts)

	_, m := postJSON(t, srv.URL+"/RoboFiscal/Receipt/Status", envelope(`{"merchantId":"demo","id":"r1"}`, "p1", base64.RawURLEncoding))
	assert.Equal(t, "2", m["ResultCode"])
	assert.Equal(t, paid.OpKey, m["OpKey"])
	_, m = postJSON(t, srv.URL+"/RoboFiscal/Receipt/Status", envelope(`{"merchantId":"demo","id":"nope"}`, "p1", base64.RawURLEncoding))
	assert.Equal(t, "1000", m["ResultCode"])
}

// TestFlowSecondReceipt: the SDK attaches a receipt to a paid payment and
// reads its status; a third is refused.
func TestFlowSecondReceipt(t *testing.T) {
	srv := apiServer(t, nil)
	c := srv.Client()
	res, err := c.AttachReceipt(ctx(t), secondReceipt(1))
	require.NoError(t, err)
	assert.Equal(t, robokassa.ReceiptCodeAccepted, res.Code)
	paid, _ := srv.Operation(1)
	assert.Equal(t, paid.OpKey, res.OpKey)
	st, err := c.ReceiptStatus(ctx(t), "r-1")
	require.NoError(t, err)
	assert.Equal(t, robokassa.ReceiptCodeRegistered, st.Code)
	assert.Len(t, st.Statuses, 2)
	assert.NotEmpty(t, st.FnNumber)
	third := secondReceipt(1)
	third.ID = "r-3"
	_, err = c.AttachReceipt(ctx(t), third)
	var apiErr *robokassa.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "3", apiErr.Code)
	_, err = c.ReceiptStatus(ctx(t), "r-3")
	assert.ErrorIs(t, err, robokassa.ErrNotFound)
}
