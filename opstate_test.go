package robokassa

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
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

// wsTestRequest is one request the fake Service.asmx received.
type wsTestRequest struct {
	Method      string
	Op          string
	ContentType string
	Query       string
	Form        url.Values
}

// wsTestServer is a fake Service.asmx mounted under /base.
type wsTestServer struct {
	mu   sync.Mutex
	reqs []wsTestRequest
}

func (s *wsTestServer) requests() []wsTestRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]wsTestRequest(nil), s.reqs...)
}

// wsReplyFunc answers the n-th request (from 0) to method op.
type wsReplyFunc func(n int, op string, form url.Values) (status int, body []byte)

// newOpStateServer starts a fake Service.asmx under srv.URL+"/base" and
// returns a client pointed at it. cfg.MerchantLogin defaults to "demo",
// Password1 and Password2 to "password_1" and "password_2".
func newOpStateServer(t *testing.T, cfg Config, reply wsReplyFunc) (*Client, *wsTestServer) {
	t.Helper()
	ws := &wsTestServer{}
	mux := http.NewServeMux()
	mux.HandleFunc("/base/Merchant/WebService/Service.asmx/", func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			http.Error(w, "bad form", http.StatusBadRequest)
			return
		}
		op := path.Base(r.URL.Path)
		ws.mu.Lock()
		n := len(ws.reqs)
		ws.reqs = append(ws.reqs, wsTestRequest{r.Method, op, r.Header.Get("Content-Type"), r.URL.RawQuery, r.PostForm})
		ws.mu.Unlock()
		status, body := reply(n, op, r.PostForm)
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
		w.WriteHeader(status)
		_, _ = w.Write(body)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	if cfg.MerchantLogin == "" {
		cfg.MerchantLogin = "demo"
	}
	if cfg.Password1 == "" {
		cfg.Password1 = "password_1"
	}
	if cfg.Password2 == "" && !cfg.Test {
		cfg.Password2 = "password_2"
	}
	cfg.AuthURL = srv.URL + "/base"
	c, err := NewClient(cfg)
	require.NoError(t, err)
	return c, ws
}

// fixtureReply answers every request with the named fixtures in turn,
// repeating the last one.
func fixtureReply(t *testing.T, names ...string) wsReplyFunc {
	bodies := make([][]byte, len(names))
	for i, n := range names {
		bodies[i] = opStateFixture(t, n)
	}
	return func(n int, _ string, _ url.Values) (int, []byte) {
		if n >= len(bodies) {
			n = len(bodies) - 1
		}
		return http.StatusOK, bodies[n]
	}
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

// TestOpStateSignatureVectors checks the OpStateExt request against
// signatures computed in Python (testdata/gen_opstate_vectors.py).
func TestOpStateSignatureVectors(t *testing.T) {
	var vectors []opStateVector
	loadJSON(t, "testdata/opstate_vectors.json", &vectors)
	require.GreaterOrEqual(t, len(vectors), 6)
	for _, v := range vectors {
		t.Run(v.Name, func(t *testing.T) {
			cfg := Config{MerchantLogin: v.Login, Password2: Secret(v.Password2), Algorithm: v.Algorithm}
			c, ws := newOpStateServer(t, cfg, fixtureReply(t, "paid_ns.xml"))
			st, err := c.OpState(context.Background(), v.InvoiceID)
			require.NoError(t, err)
			assert.Equal(t, v.InvoiceID, st.InvID)

			reqs := ws.requests()
			require.Len(t, reqs, 1)
			r := reqs[0]
			assert.Equal(t, http.MethodPost, r.Method)
			assert.Equal(t, "OpStateExt", r.Op)
			assert.Equal(t, "application/x-www-form-urlencoded", r.ContentType)
			assert.Empty(t, r.Query, "the signature must not travel in the URL")
			assert.Equal(t, url.Values{
				"MerchantLogin": {v.Login},
				"InvoiceID":     {strconv.FormatInt(v.InvoiceID, 10)},
				"Signature":     {v.Signature},
			}, r.Form)
		})
	}
}

// TestOpStateSignatureStdlib recomputes the MD5 signature with crypto/md5.
func TestOpStateSignatureStdlib(t *testing.T) {
	c, ws := newOpStateServer(t, Config{}, fixtureReply(t, "paid_ns.xml"))
	_, err := c.OpState(context.Background(), 42)
	require.NoError(t, err)
	sum := md5.Sum([]byte("demo:42:password_2"))
	reqs := ws.requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, hex.EncodeToString(sum[:]), reqs[0].Form.Get("Signature"))
	assert.Empty(t, reqs[0].Form.Get("SignatureValue"))
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
			c, _ := newOpStateServer(t, Config{}, fixtureReply(t, tt.file))
			got, err := c.OpState(context.Background(), 12)
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
	c, _ := newOpStateServer(t, Config{}, fixtureReply(t, "held_nons.xml"))
	got, err := c.OpState(context.Background(), 1)
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
			c, _ := newOpStateServer(t, Config{}, fixtureReply(t, file))
			got, err := c.OpState(context.Background(), 7)
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
			c, ws := newOpStateServer(t, Config{}, fixtureReply(t, tt.file))
			st, err := c.OpState(context.Background(), 12)
			require.Error(t, err)
			assert.Nil(t, st)
			assert.Len(t, ws.requests(), 1, "a result code is an answer, not a reason to retry")
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

func TestOpStateErrorsCarryNoSecrets(t *testing.T) {
	const pass2 = "s3cret-password-2"
	sum := md5.Sum([]byte("demo:12:" + pass2))
	sig := hex.EncodeToString(sum[:])
	for _, file := range []string{"result_1.xml", "garbage.html", "truncated.xml"} {
		t.Run(file, func(t *testing.T) {
			echo := func(n int, op string, form url.Values) (int, []byte) {
				// A hostile or broken server echoing the request back.
				return http.StatusOK, append(opStateFixture(t, file), []byte("<Signature>"+form.Get("Signature")+"</Signature> "+pass2)...)
			}
			c, _ := newOpStateServer(t, Config{Password2: pass2}, echo)
			_, err := c.OpState(context.Background(), 12)
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
			c, _ := newOpStateServer(t, Config{}, func(int, string, url.Values) (int, []byte) { return http.StatusOK, tt.body })
			st, err := c.OpState(context.Background(), 12)
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

func TestOpStateRefusesBeforeSending(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		id   int64
		want error
	}{
		{"test mode", Config{Test: true, TestPassword1: "t1", TestPassword2: "t2"}, 12, ErrNotInTestMode},
		{"no password 2", Config{}, 12, ErrNoPassword2},
		{"zero id", Config{}, 0, ErrInvalidParam},
		{"negative id", Config{}, -5, ErrInvalidParam},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, ws := newOpStateServer(t, tt.cfg, fixtureReply(t, "paid_ns.xml"))
			if tt.want == ErrNoPassword2 {
				// newOpStateServer fills in Password2: build a client without it.
				var err error
				c, err = NewClient(Config{MerchantLogin: "demo", Password1: "password_1", AuthURL: c.authURL})
				require.NoError(t, err)
			}
			st, err := c.OpState(context.Background(), tt.id)
			assert.Nil(t, st)
			assert.ErrorIs(t, err, tt.want)
			if tt.want == ErrInvalidParam {
				var ve *ValidationError
				require.ErrorAs(t, err, &ve)
				assert.Equal(t, "InvID", ve.Field)
			}
			assert.Empty(t, ws.requests())
		})
	}
}

func TestOpStateRetriesServerError(t *testing.T) {
	paid := opStateFixture(t, "paid_ns.xml")
	c, ws := newOpStateServer(t, Config{}, func(n int, _ string, _ url.Values) (int, []byte) {
		if n == 0 {
			return http.StatusServiceUnavailable, []byte("busy")
		}
		return http.StatusOK, paid
	})
	st, err := c.OpState(context.Background(), 12)
	require.NoError(t, err)
	assert.Equal(t, StatePaid, st.State)
	reqs := ws.requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, reqs[0].Form, reqs[1].Form, "the retry sends the same signed form")
}

func TestOpStateClientErrorNotRetried(t *testing.T) {
	c, ws := newOpStateServer(t, Config{}, func(int, string, url.Values) (int, []byte) {
		return http.StatusBadRequest, []byte("bad request")
	})
	_, err := c.OpState(context.Background(), 12)
	var api *APIError
	require.ErrorAs(t, err, &api)
	assert.Equal(t, http.StatusBadRequest, api.Status)
	assert.Len(t, ws.requests(), 1)
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

// recordWaits is a wait function for awaitPaid that returns at once and
// records the delays asked for.
func recordWaits(waits *[]time.Duration) func(context.Context, time.Duration) error {
	return func(ctx context.Context, d time.Duration) error {
		*waits = append(*waits, d)
		return ctx.Err()
	}
}

func TestAwaitPaid(t *testing.T) {
	tests := []struct {
		name      string
		fixtures  []string
		wantState State // 0: no state returned
		wantErr   error // nil: success
		wantHits  int
	}{
		{"not found, held, crediting, paid", []string{"result_3.xml", "result_3.xml", "held_nons.xml", "state_50.xml", "state_100.xml"}, StatePaid, nil, 5},
		{"paid at once", []string{"paid_ns.xml"}, StatePaid, nil, 1},
		{"cancelled", []string{"state_5.xml", "state_10.xml"}, StateCancelled, ErrNotPaid, 2},
		{"refunded", []string{"result_3.xml", "state_60.xml"}, StateRefunded, ErrNotPaid, 2},
		{"suspended", []string{"state_80.xml"}, StateSuspended, ErrNotPaid, 1},
		{"other result code stops", []string{"state_5.xml", "result_1.xml"}, StateInitiated, &APIError{}, 2},
		{"malformed stops", []string{"result_3.xml", "garbage.html"}, 0, &APIError{}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, ws := newOpStateServer(t, Config{}, fixtureReply(t, tt.fixtures...))
			var waits []time.Duration
			st, err := c.awaitPaid(context.Background(), 12, recordWaits(&waits))
			switch want := tt.wantErr.(type) {
			case nil:
				require.NoError(t, err)
			case *APIError:
				require.ErrorAs(t, err, &want)
				assert.NotErrorIs(t, err, ErrNotPaid)
			default:
				require.ErrorIs(t, err, want)
			}
			if tt.wantState == 0 {
				assert.Nil(t, st)
			} else {
				require.NotNil(t, st)
				assert.Equal(t, tt.wantState, st.State)
				assert.Equal(t, int64(12), st.InvID)
			}
			assert.Len(t, ws.requests(), tt.wantHits)
			require.Len(t, waits, tt.wantHits-1)
			for i, d := range waits {
				assert.Equal(t, pollDelay(i+1), d)
			}
		})
	}
}

func TestAwaitPaidContextCancelled(t *testing.T) {
	c, ws := newOpStateServer(t, Config{}, fixtureReply(t, "state_5.xml"))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	calls := 0
	wait := func(ctx context.Context, _ time.Duration) error {
		calls++
		if calls == 3 {
			cancel()
		}
		return ctx.Err()
	}
	st, err := c.awaitPaid(ctx, 12, wait)
	require.ErrorIs(t, err, context.Canceled)
	assert.Contains(t, err.Error(), "robokassa: waiting for invoice 12")
	require.NotNil(t, st, "the last state seen comes back")
	assert.Equal(t, StateInitiated, st.State)
	assert.Len(t, ws.requests(), 3)
}

func TestAwaitPaidContextAlreadyDone(t *testing.T) {
	c, _ := newOpStateServer(t, Config{}, fixtureReply(t, "state_100.xml"))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	st, err := c.AwaitPaid(ctx, 12)
	assert.Nil(t, st)
	assert.ErrorIs(t, err, context.Canceled)
	assert.NotErrorIs(t, err, ErrNotPaid)
}

func TestAwaitPaidDeadlineDuringWait(t *testing.T) {
	c, ws := newOpStateServer(t, Config{}, fixtureReply(t, "result_3.xml", "state_5.xml"))
	// The real 1s wait after the first poll is cut short by the deadline.
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	st, err := c.AwaitPaid(ctx, 12)
	assert.Nil(t, st, "the buyer had not submitted details: no state seen")
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Len(t, ws.requests(), 1)
}

func TestAwaitPaidRefusesTestMode(t *testing.T) {
	c, ws := newOpStateServer(t, Config{Test: true, TestPassword1: "t1", TestPassword2: "t2"}, fixtureReply(t, "paid_ns.xml"))
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // the refusal wins over the ended context: no request could be sent anyway
	var waits []time.Duration
	st, err := c.awaitPaid(ctx, 12, recordWaits(&waits))
	assert.Nil(t, st)
	assert.ErrorIs(t, err, ErrNotInTestMode)
	assert.Empty(t, waits)
	assert.Empty(t, ws.requests())
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
