package robokassa

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"
)

// Fuzz targets for what an anonymous caller reaches: the two notification
// handlers over HTTP, and every parser of a remote answer (an attacker
// between the shop and Robokassa, or a misbehaving proxy, writes those).

// FuzzResultHandler: any method, content type, query and body. The
// handler never panics, answers only 200 "OK<InvId>" (after calling the
// shop exactly once, for a form that verifies), 400 or 405, echoes
// nothing, and logs no password the request did not itself contain.
func FuzzResultHandler(f *testing.F) {
	f.Add("POST", "application/x-www-form-urlencoded", "", []byte(goodResult))
	f.Add("GET", "", goodResult, []byte{})
	f.Add("POST", "application/x-www-form-urlencoded", "OutSum=1.000000", []byte(goodResult))
	f.Add("POST", "multipart/form-data; boundary=x", "", []byte("--x\r\nContent-Disposition: form-data; name=\"OutSum\"\r\n\r\n1\r\n--x--\r\n"))
	f.Add("PUT", "text/plain", "a=%zz", []byte("\x00\xff"))
	// The two reproductions of issue #7 are in testdata/fuzz/FuzzResultHandler:
	// a re-cut genuine notification and 5,000 empty Shp_ parameters.

	var logged bytes.Buffer
	c, err := NewClient(Config{MerchantLogin: "demo", Password1: "password_1", Password2: "password_2",
		Logger: slog.New(slog.NewTextHandler(&logged, nil))})
	require.NoError(f, err)
	var calls atomic.Int64
	var got atomic.Pointer[Notification]
	h, err := c.ResultHandler(func(_ context.Context, n *Notification) error {
		calls.Add(1)
		got.Store(n)
		return nil
	})
	require.NoError(f, err)

	f.Fuzz(func(t *testing.T, method, contentType, query string, body []byte) {
		if _, err := url.Parse("/result?" + query); err != nil || !validMethod(method) || strings.ContainsAny(query, " #") {
			return // httptest.NewRequest panics on such a request line
		}
		r := httptest.NewRequest(method, "/result?"+query, bytes.NewReader(body))
		if contentType != "" {
			r.Header.Set("Content-Type", contentType)
		}
		logged.Reset()
		calls.Store(0)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		answer := w.Body.String()
		switch w.Code {
		case http.StatusOK:
			require.EqualValues(t, 1, calls.Load())
			n := got.Load()
			require.Equal(t, "OK"+strconv.FormatInt(n.InvID, 10), answer)
		case http.StatusBadRequest:
			require.Equal(t, "bad request\n", answer)
		case http.StatusMethodNotAllowed:
			require.Equal(t, "method not allowed\n", answer)
		default:
			t.Fatalf("status %d", w.Code)
		}
		if w.Code != http.StatusOK {
			require.Zero(t, calls.Load(), "the shop is called only for a verified notification")
		}
		request := query + string(body)
		for _, p := range []string{"password_1", "password_2"} {
			if !strings.Contains(request, p) {
				require.NotContains(t, logged.String(), p)
			}
		}
		require.LessOrEqual(t, logged.Len(), 2048, "a log line is bounded")
	})
}

func validMethod(m string) bool {
	if m == "" {
		return false
	}
	for i := 0; i < len(m); i++ {
		if c := m[i]; !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// FuzzResultURL2Handler: any method and body. Only a token signed with
// the key and naming the shop reaches the shop's function.
func FuzzResultURL2Handler(f *testing.F) {
	priv, other, _ := resultURL2TestKeys(f)
	good := signResultURL2(f, priv, resultURL2Header, resultURL2Payload(f, nil))
	f.Add("POST", []byte(good))
	f.Add("POST", []byte(signResultURL2(f, other, resultURL2Header, resultURL2Payload(f, nil))))
	f.Add("POST", []byte(signResultURL2(f, priv, `{"alg":"none"}`, resultURL2Payload(f, nil))))
	f.Add("POST", []byte(signResultURL2(f, priv, resultURL2Header, resultURL2Payload(f, map[string]any{"shop": "other"}))))
	f.Add("GET", []byte{})
	f.Add("POST", []byte("e30.e30.e30"))
	c := resultURL2Client(f)
	var calls atomic.Int64
	h, err := c.ResultURL2Handler(&priv.PublicKey, func(_ context.Context, n *PaymentStateNotification) error {
		calls.Add(1)
		if n.Shop != "demo" {
			panic("a notification for another shop reached the shop")
		}
		return nil
	})
	require.NoError(f, err)
	f.Fuzz(func(t *testing.T, method string, body []byte) {
		if !validMethod(method) {
			return
		}
		calls.Store(0)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(method, "/result2", bytes.NewReader(body)))
		switch w.Code {
		case http.StatusOK:
			require.EqualValues(t, 1, calls.Load())
			_, err := c.VerifyResultURL2(resultURL2Token(body), &priv.PublicKey)
			require.NoError(t, err)
		case http.StatusBadRequest, http.StatusMethodNotAllowed:
			require.Zero(t, calls.Load())
		default:
			t.Fatalf("status %d", w.Code)
		}
	})
}

// FuzzRemoteEchoes runs every parser of a remote answer over arbitrary
// bodies, as if the body came back for a request that sent a signature, a
// token and an envelope: an error never contains a password of the
// Config (the test pair too) or anything the call sent, whatever shape
// the echo takes.
func FuzzRemoteEchoes(f *testing.F) {
	const sig = "0d82ab6f1c5f3e3d2a4b8e9c6d1a2b3c"
	const jwt = "eyJhbGciOiJIUzI1NiJ9.eyJPcEtleSI6InNlY3JldCJ9.c2lnbmF0dXJlLXRoYXQtd2FzLXNlbnQ"
	const envelopeS = "MGQ4MmFiNmYxYzVmM2UzZDJhNGI4ZTljNmQxYTJiM2M"
	for _, b := range []string{
		`<OperationStateResponse><Result><Code>1</Code><Description>bad Signature ` + sig + `</Description></Result></OperationStateResponse>`,
		`<?xml version="1.0"?><` + sig + `>`,
		`{"success":false,"message":"` + jwt + `"}`,
		`{"isSuccess":false,"message":"\u0050ass-One-1 Test-Two-2"}`,
		`{"ResultCode":"1000","ResultDescription":"` + envelopeS + `"}`,
		`Error 29: Pass-One-1 ` + url.QueryEscape("Pass-Three-3"),
		`"success: ` + sig + `"`,
		`[{"id":"` + envelopeS + `"}]`,
	} {
		f.Add(b, uint8(0))
	}
	c, err := NewClient(hardenedConfig)
	require.NoError(f, err)
	sent := []string{sig, jwt, envelopeS}
	parsers := []func(rp *reply) error{
		parseRecurring, parseHold, parseInvoiceAck,
		func(rp *reply) error { _, err := parseInvoiceLink(rp); return err },
		func(rp *reply) error { _, err := parseInvoicePage(rp, 1, 10); return err },
		func(rp *reply) error { _, err := parseRefundCreate(rp); return err },
		func(rp *reply) error { _, err := parseRefundState(rp, "req"); return err },
		func(rp *reply) error {
			r, err := parseReceipt(rp)
			if err == nil && r.Code.requestFailed() {
				return rp.receiptError(&r.ReceiptResult)
			}
			return err
		},
		func(rp *reply) error {
			a, err := parseWebService(rp, "OperationStateResponse")
			if err == nil {
				_, err = a.operationState(1)
			}
			return err
		},
		func(rp *reply) error {
			a, err := parseWebService(rp, "CurrenciesList")
			if err == nil {
				_, err = a.currencyGroups()
			}
			return err
		},
	}
	f.Fuzz(func(t *testing.T, body string, which uint8) {
		parse := parsers[int(which)%len(parsers)]
		err := parse(&reply{c: c, op: "Op", status: http.StatusOK, body: []byte(body), sent: sent})
		if err == nil {
			return
		}
		var ae *APIError
		require.ErrorAs(t, err, &ae)
		out := err.Error() + "\x00" + ae.Body + "\x00" + ae.Message
		for _, s := range append([]string{"Pass-One-1", "Pass-Two-2", "Test-One-1", "Test-Two-2", "Pass-Three-3"}, sent...) {
			require.NotContains(t, out, s)
		}
		require.LessOrEqual(t, len(ae.Body), maxErrorBody+32)
	})
}
