package robokassa

import (
	"crypto/md5"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// opStateFixture reads a recorded Service.asmx response from
// testdata/opstate.
func opStateFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "opstate", name))
	require.NoError(t, err)
	return b
}

// opStateClient is a demo client with Password #2, as OpStateExt needs.
func opStateClient(t testing.TB, pass2 string) *Client {
	t.Helper()
	c, err := NewClient(Config{MerchantLogin: "demo", Password1: "password_1", Password2: Secret(pass2)})
	require.NoError(t, err)
	return c
}

// opStateOf reads an OpStateExt answer with the parsers alone, as OpState
// does after the transport.
func opStateOf(rp *reply, invID int64) (*OperationState, error) {
	a, err := parseWebService(rp, "OperationStateResponse")
	if err != nil {
		return nil, err
	}
	return a.operationState(invID)
}

type opStateVector struct {
	Name      string        `json:"name"`
	Algorithm HashAlgorithm `json:"algorithm"`
	Login     string        `json:"login"`
	Password2 string        `json:"password2"`
	InvoiceID int64         `json:"invoice_id"`
	Base      string        `json:"base"`
	Signature string        `json:"signature"`
}

// TestOpStateSignatureVectors builds the OpStateExt request as OpState
// does, without HTTP, and compares it with signatures computed in Python
// (testdata/gen_opstate_vectors.py). That the emulator's own code accepts
// it is TestOpStateProtocol's.
func TestOpStateSignatureVectors(t *testing.T) {
	var vectors []opStateVector
	loadJSON(t, "testdata/opstate_vectors.json", &vectors)
	require.GreaterOrEqual(t, len(vectors), 6)
	for _, v := range vectors {
		t.Run(v.Name, func(t *testing.T) {
			c, err := NewClient(Config{MerchantLogin: v.Login, Password1: "p1", Password2: Secret(v.Password2), Algorithm: v.Algorithm})
			require.NoError(t, err)
			id := strconv.FormatInt(v.InvoiceID, 10)
			sig := newSignature(c.login, id)
			sig.password = c.keys().pass2
			signature := sig.sign(c.alg)
			assert.Equal(t, v.Signature, signature)
			body, sent := formBody("MerchantLogin", c.login, "InvoiceID", id, "Signature", signature)
			assert.Equal(t, v.Signature, sent, "the signature is kept out of errors")
			form, err := url.ParseQuery(body)
			require.NoError(t, err)
			assert.Equal(t, url.Values{
				"MerchantLogin": {v.Login},
				"InvoiceID":     {id},
				"Signature":     {v.Signature},
			}, form)
		})
	}
}

// TestOpStateSignatureStdlib recomputes the MD5 signature with crypto/md5.
func TestOpStateSignatureStdlib(t *testing.T) {
	c := opStateClient(t, "password_2")
	sig := newSignature(c.login, "42")
	sig.password = c.keys().pass2
	sum := md5.Sum([]byte("demo:42:password_2"))
	assert.Equal(t, hex.EncodeToString(sum[:]), sig.sign(c.alg))
}

func opDec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func TestOpStateParses(t *testing.T) {
	msk := time.FixedZone("", 3*60*60)
	tests := []struct {
		file string
		want OperationState
	}{
		{
			file: "paid_ns.xml", // default namespace, UserField, 7 fractional digits with offset
			want: OperationState{
				InvID:         12,
				State:         StatePaid,
				RequestDate:   time.Date(2019, 11, 13, 10, 21, 22, 50002900, msk),
				StateDate:     time.Date(2019, 11, 13, 10, 20, 54, 683333300, msk),
				IncCurrLabel:  "BankCardPSR",
				IncSum:        opDec("990"),
				IncAccount:    "123456******0987",
				PaymentMethod: PaymentMethodInfo{Code: "BankCard", Description: "Банковской картой"},
				OutCurrLabel:  "BNR",
				OutSum:        opDec("965.25"),
				OpKey:         "1F2E3D4C-0000-4A5B-9C8D-0123456789AB-1573629654",
				BankCardRRN:   "931712345678",
				Shp:           map[string]string{"order": "12", "user": "alice & bob"},
			},
		},
		{
			file: "held_nons.xml", // no namespace, UserFields, dates without offset = Moscow
			want: OperationState{
				InvID:         12,
				State:         StateHeld,
				RequestDate:   time.Date(2024, 3, 15, 11, 30, 12, 123456700, time.UTC),
				StateDate:     time.Date(2024, 3, 15, 11, 29, 59, 0, time.UTC),
				IncCurrLabel:  "BankCardPSR",
				IncSum:        opDec("100.5"),
				IncAccount:    "220012******3456",
				PaymentMethod: PaymentMethodInfo{Code: "BankCard", Description: "Bank card"},
				OutCurrLabel:  "BNR",
				OutSum:        opDec("100.5"),
				OpKey:         "op-key-held",
				Shp:           map[string]string{"item": "tea"},
			},
		},
		{
			file: "paid_prefixed.xml", // another namespace behind a prefix, UTC dates
			want: OperationState{
				InvID:         12,
				State:         StatePaid,
				RequestDate:   time.Date(2024, 3, 15, 11, 30, 12, 123000000, time.UTC),
				StateDate:     time.Date(2024, 3, 15, 11, 30, 0, 0, time.UTC),
				IncCurrLabel:  "SBPPSR",
				IncSum:        opDec("1"),
				PaymentMethod: PaymentMethodInfo{Code: "SBP", Description: "SBP"},
				OutCurrLabel:  "BNR",
				OutSum:        opDec("0.97"),
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got, err := opStateOf(opStateClient(t, "password_2").replyOf("OpStateExt", opStateFixture(t, tt.file)), 12)
			require.NoError(t, err)
			require.NotNil(t, got)
			assert.True(t, tt.want.RequestDate.Equal(got.RequestDate), "RequestDate %v", got.RequestDate)
			assert.True(t, tt.want.StateDate.Equal(got.StateDate), "StateDate %v", got.StateDate)
			assert.True(t, tt.want.IncSum.Equal(got.IncSum), "IncSum %v", got.IncSum)
			assert.True(t, tt.want.OutSum.Equal(got.OutSum), "OutSum %v", got.OutSum)
			// Dates and decimals compared above; the rest field by field.
			tt.want.RequestDate, tt.want.StateDate = got.RequestDate, got.StateDate
			tt.want.IncSum, tt.want.OutSum = got.IncSum, got.OutSum
			assert.Equal(t, tt.want, *got)
		})
	}
}

func TestOpStateDateWithoutOffsetIsMoscow(t *testing.T) {
	got, err := opStateOf(opStateClient(t, "password_2").replyOf("OpStateExt", opStateFixture(t, "held_nons.xml")), 1)
	require.NoError(t, err)
	_, offset := got.RequestDate.Zone()
	assert.Equal(t, 3*60*60, offset)
	assert.Equal(t, "2024-03-15T14:30:12.1234567+03:00", got.RequestDate.Format(time.RFC3339Nano))
}

func TestOpStateEachState(t *testing.T) {
	tests := []struct {
		code  State
		name  string
		final bool
	}{
		{StateInitiated, "initiated", false},
		{StateCancelled, "cancelled", true},
		{StateHeld, "held", false},
		{StateCrediting, "crediting", false},
		{StateRefunded, "refunded", true},
		{StateSuspended, "suspended", true},
		{StatePaid, "paid", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := "state_" + strconv.Itoa(int(tt.code)) + ".xml"
			got, err := opStateOf(opStateClient(t, "password_2").replyOf("OpStateExt", opStateFixture(t, file)), 7)
			require.NoError(t, err)
			assert.Equal(t, tt.code, got.State)
			assert.Equal(t, tt.name, got.State.String())
			assert.Equal(t, tt.final, got.State.Final())
			assert.True(t, opDec("990").Equal(got.OutSum))
			assert.Nil(t, got.Shp)
		})
	}
}

func TestStateCodeUnknown(t *testing.T) {
	assert.Equal(t, "state(42)", State(42).String())
	assert.False(t, State(42).Final())
	assert.Equal(t, "state(0)", State(0).String())
}

func TestOpStateResultCodes(t *testing.T) {
	tests := []struct {
		file     string
		code     string
		meaning  string
		desc     string
		notFound bool
	}{
		{"result_1.xml", "1", "bad signature", "Неверная подпись", false},
		{"result_2.xml", "2", "shop not found or not active", "Shop not found", false},
		{"result_3.xml", "3", "operation not found", "Операция не найдена", true},
		{"result_4.xml", "4", "two operations share this InvoiceID", "Found two operations with the same InvoiceID", false},
		{"result_1000.xml", "1000", "internal Robokassa error", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			st, err := opStateOf(opStateClient(t, "password_2").replyOf("OpStateExt", opStateFixture(t, tt.file)), 12)
			require.Error(t, err)
			assert.Nil(t, st)
			assert.Equal(t, tt.notFound, errors.Is(err, ErrNotFound))
			var api *APIError
			require.ErrorAs(t, err, &api)
			assert.Equal(t, "OpStateExt", api.Op)
			assert.Equal(t, tt.code, api.Code)
			assert.Contains(t, api.Message, tt.meaning)
			assert.Contains(t, api.Message, tt.desc)
			assert.True(t, strings.HasPrefix(err.Error(), "robokassa: OpStateExt"), err.Error())
			assert.NotEmpty(t, api.Body)
		})
	}
}

// TestOpStateErrorsCarryNoSecrets: an answer that echoes the request
// back (a hostile or broken server) gets neither Password #2 nor the
// signature sent into the error. The parsers see the reply as OpState's
// transport hands it over, with the signature it sent.
func TestOpStateErrorsCarryNoSecrets(t *testing.T) {
	const pass2 = "s3cret-password-2"
	sum := md5.Sum([]byte("demo:12:" + pass2))
	sig := hex.EncodeToString(sum[:])
	c := opStateClient(t, pass2)
	for _, file := range []string{"result_1.xml", "garbage.html", "truncated.xml"} {
		t.Run(file, func(t *testing.T) {
			body := append(opStateFixture(t, file), []byte("<Signature>"+sig+"</Signature> "+pass2)...)
			_, err := opStateOf(&reply{c: c, op: "OpStateExt", status: http.StatusOK, body: body, sent: []string{sig}}, 12)
			require.Error(t, err)
			var api *APIError
			require.ErrorAs(t, err, &api)
			for _, s := range []string{err.Error(), api.Body, api.Message} {
				assert.NotContains(t, s, pass2)
				assert.NotContains(t, s, sig)
			}
		})
	}
}

func TestOpStateMalformed(t *testing.T) {
	tests := []struct {
		name string
		body []byte
	}{
		{"garbage html", opStateFixture(t, "garbage.html")},
		{"not xml", opStateFixture(t, "not_xml.txt")},
		{"truncated", opStateFixture(t, "truncated.xml")},
		{"empty", nil},
		{"wrong root", opStateFixture(t, "currencies.xml")},
		{"bad date", opStateFixture(t, "bad_date.xml")},
		{"bad sum", opStateFixture(t, "bad_sum.xml")},
		{"no state", opStateFixture(t, "no_state.xml")},
		{"no result", opStateFixture(t, "no_result.xml")},
		{"non-numeric code", []byte(`<OperationStateResponse><Result><Code>zero</Code></Result><State><Code>100</Code></State></OperationStateResponse>`)},
		{"non-numeric state", []byte(`<OperationStateResponse><Result><Code>0</Code></Result><State><Code>paid</Code></State></OperationStateResponse>`)},
		{"foreign charset", []byte(`<?xml version="1.0" encoding="windows-1251"?><OperationStateResponse/>`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, err := opStateOf(opStateClient(t, "password_2").replyOf("OpStateExt", tt.body), 12)
			assert.Nil(t, st)
			var api *APIError
			require.ErrorAs(t, err, &api)
			assert.True(t, strings.HasPrefix(api.Message, "malformed response"), api.Message)
			assert.True(t, api.Err != nil || len(api.Message) > len("malformed response"), "says why: %v", err)
			assert.False(t, errors.Is(err, ErrNotFound))
			assert.True(t, strings.HasPrefix(err.Error(), "robokassa: OpStateExt: "), err.Error())
		})
	}
}

func TestPollDelay(t *testing.T) {
	tests := []struct {
		n    int
		want time.Duration
	}{
		{1, time.Second}, {2, 2 * time.Second}, {3, 4 * time.Second}, {4, 8 * time.Second},
		{5, 16 * time.Second}, {6, 30 * time.Second}, {7, 30 * time.Second}, {64, 30 * time.Second}, {1 << 20, 30 * time.Second},
	}
	for _, tt := range tests {
		t.Run(strconv.Itoa(tt.n), func(t *testing.T) {
			assert.Equal(t, tt.want, pollDelay(tt.n))
		})
	}
}

// FuzzOpStateResponse feeds arbitrary bodies to the OpStateExt parser: no
// panic; success means a positive state; failure is an *APIError.
func FuzzOpStateResponse(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "opstate", "*"))
	require.NoError(f, err)
	for _, p := range files {
		b, err := os.ReadFile(p)
		require.NoError(f, err)
		f.Add(b)
	}
	c, err := NewClient(Config{MerchantLogin: "demo", Password1: "password_1", Password2: "password_2"})
	require.NoError(f, err)
	f.Fuzz(func(t *testing.T, body []byte) {
		a, err := parseWebService(c.replyOf("OpStateExt", body), "OperationStateResponse")
		var st *OperationState
		if err == nil {
			st, err = a.operationState(1)
		}
		if err != nil {
			var api *APIError
			require.ErrorAs(t, err, &api)
			require.True(t, strings.HasPrefix(err.Error(), "robokassa: OpStateExt"))
			require.LessOrEqual(t, len(api.Body), maxErrorBody+64)
			return
		}
		require.NotNil(t, st)
		require.Greater(t, int(st.State), 0)
		require.False(t, st.IncSum.IsNegative())
		require.False(t, st.OutSum.IsNegative())
	})
}
