package robokassa_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/robokassa-go/robokassa"
	"github.com/robokassa-go/robokassa/robokassatest"
)

// maskedCard is how Robokassa shows a card number.
var maskedCard = regexp.MustCompile(`^[0-9]{6}\*{6}[0-9]{4}$`)

// TestOpStateProtocol: OpStateExt reports the state of an operation as it
// moves through the emulator (spec §8): created, declined, held, released,
// paid, refunded, crediting, suspended.
func TestOpStateProtocol(t *testing.T) {
	e := newEmulator(t)
	c := e.client(t)
	shp := map[string]string{"order": "12", "user": "alice"}

	// check asks OpStateExt for invID and compares the answer with the
	// emulator's own record of the operation.
	check := func(t *testing.T, invID int64, want robokassa.State) *robokassa.OperationState {
		t.Helper()
		before := e.hits(robokassatest.EndpointOpStateExt)
		st, err := c.OpState(bg(t), invID)
		require.NoError(t, err)
		assert.Equal(t, before+1, e.hits(robokassatest.EndpointOpStateExt))
		op, ok := e.Operation(invID)
		require.True(t, ok)
		assert.Equal(t, invID, st.InvID)
		assert.Equal(t, want, st.State)
		assert.Equal(t, want, op.State, "the emulator's record agrees")
		assert.True(t, st.IncSum.Equal(op.OutSum), "IncSum %s, the sum asked %s", st.IncSum, op.OutSum)
		assert.True(t, st.OutSum.Equal(op.OutSum.Sub(op.Fee)), "OutSum %s: the sum less the fee %s", st.OutSum, op.Fee)
		assert.Equal(t, op.IncCurrLabel, st.IncCurrLabel)
		assert.Equal(t, op.PaymentMethod, st.PaymentMethod.Code)
		assert.NotEmpty(t, st.PaymentMethod.Description)
		assert.Equal(t, op.OpKey, st.OpKey)
		assert.WithinDuration(t, op.StateDate(), st.StateDate, time.Microsecond, "StateDate: when it entered the state")
		assert.WithinDuration(t, time.Now(), st.RequestDate, time.Minute)
		_, offset := st.RequestDate.Zone()
		assert.Equal(t, 3*60*60, offset, "dates are Moscow time")
		return st
	}

	t.Run("created, then paid", func(t *testing.T) {
		e.open(t, c, robokassa.Payment{OutSum: d("990"), InvID: 12, Shp: shp})
		st := check(t, 12, robokassa.StateInitiated)
		assert.Equal(t, "initiated", st.State.String())
		assert.False(t, st.State.Final())
		assert.Equal(t, shp, st.Shp)
		assert.Empty(t, st.IncAccount, "no card before payment")

		require.NoError(t, e.Pay(12))
		st = check(t, 12, robokassa.StatePaid)
		assert.Equal(t, "paid", st.State.String())
		assert.True(t, st.State.Final())
		assert.Equal(t, shp, st.Shp)
		assert.Regexp(t, maskedCard, st.IncAccount)
		assert.NotEmpty(t, st.BankCardRRN)
		assert.Equal(t, "BNR", st.OutCurrLabel)
	})

	t.Run("declined", func(t *testing.T) {
		e.open(t, c, robokassa.Payment{OutSum: d("5"), InvID: 13})
		require.NoError(t, e.Fail(13))
		st := check(t, 13, robokassa.StateCancelled)
		assert.Equal(t, "cancelled", st.State.String())
		assert.True(t, st.State.Final())
		assert.Nil(t, st.Shp)
	})

	t.Run("held, then released", func(t *testing.T) {
		e.pay(t, c, robokassa.Payment{OutSum: d("100.50"), InvID: 14, StepByStep: true})
		st := check(t, 14, robokassa.StateHeld)
		assert.Equal(t, "held", st.State.String())
		assert.False(t, st.State.Final())
		require.NoError(t, c.CancelHold(bg(t), 14))
		st = check(t, 14, robokassa.StateRefunded)
		assert.Equal(t, "refunded", st.State.String())
		assert.True(t, st.State.Final())
	})

	t.Run("refunded in full", func(t *testing.T) {
		e.pay(t, c, robokassa.Payment{OutSum: d("10"), InvID: 15})
		_, err := c.Refund(bg(t), robokassa.RefundRequest{OpKey: opKeyOf(t, e, 15)})
		require.NoError(t, err)
		check(t, 15, robokassa.StateRefunded)
	})

	t.Run("crediting and suspended", func(t *testing.T) {
		e.pay(t, c, robokassa.Payment{OutSum: d("10"), InvID: 16})
		require.NoError(t, e.SetState(16, robokassa.StateCrediting))
		st := check(t, 16, robokassa.StateCrediting)
		assert.Equal(t, "crediting", st.State.String())
		assert.False(t, st.State.Final())
		require.NoError(t, e.SetState(16, robokassa.StateSuspended))
		st = check(t, 16, robokassa.StateSuspended)
		assert.Equal(t, "suspended", st.State.String())
		assert.True(t, st.State.Final())
	})

	t.Run("the request", func(t *testing.T) {
		sent := e.sent("/OpStateExt")
		require.NotEmpty(t, sent)
		r := sent[0]
		assert.Equal(t, http.MethodPost, r.Method)
		assert.Equal(t, "/Merchant/WebService/Service.asmx/OpStateExt", r.Path)
		assert.Equal(t, "application/x-www-form-urlencoded", r.ContentType)
		assert.Empty(t, r.Query, "the signature must not travel in the URL")
		form := formOf(t, r.Body)
		assert.Equal(t, []string{"InvoiceID", "MerchantLogin", "Signature"}, sortedKeys(form))
		assert.Empty(t, form.Get("SignatureValue"))
	})
}

type opStateProtocolVector struct {
	Name      string                  `json:"name"`
	Algorithm robokassa.HashAlgorithm `json:"algorithm"`
	Login     string                  `json:"login"`
	Password2 string                  `json:"password2"`
	InvoiceID int64                   `json:"invoice_id"`
	Signature string                  `json:"signature"`
}

// TestOpStateProtocolVectors: for each Python vector, a shop with its
// credentials; the SDK sends the vector's signature, and the emulator's
// own code accepts it.
func TestOpStateProtocolVectors(t *testing.T) {
	b, err := os.ReadFile("testdata/opstate_vectors.json")
	require.NoError(t, err)
	var vectors []opStateProtocolVector
	require.NoError(t, json.Unmarshal(b, &vectors))
	require.GreaterOrEqual(t, len(vectors), 6)
	for _, v := range vectors {
		t.Run(v.Name, func(t *testing.T) {
			e := newEmulator(t, func(sh *robokassatest.Shop) {
				sh.MerchantLogin, sh.Password2, sh.Algorithm = v.Login, robokassa.Secret(v.Password2), v.Algorithm
			})
			c := e.client(t)
			e.open(t, c, robokassa.Payment{OutSum: d("1"), InvID: v.InvoiceID})
			st, err := c.OpState(bg(t), v.InvoiceID)
			require.NoError(t, err, "the emulator accepted the signature")
			assert.Equal(t, v.InvoiceID, st.InvID)
			assert.Equal(t, robokassa.StateInitiated, st.State)
			sent := e.sent("/OpStateExt")
			require.Len(t, sent, 1)
			assert.Equal(t, url.Values{
				"MerchantLogin": {v.Login},
				"InvoiceID":     {strconv.FormatInt(v.InvoiceID, 10)},
				"Signature":     {v.Signature},
			}, formOf(t, sent[0].Body))
		})
	}
}

// TestOpStateProtocolResultCodes: every non-zero result code the emulator
// gives is an *APIError with the code, its meaning and Robokassa's
// description; code 3 also matches ErrNotFound. A result code is an
// answer, not a reason to retry.
func TestOpStateProtocolResultCodes(t *testing.T) {
	e := newEmulator(t)
	c := e.client(t)
	// InvId 40: a test payment and a real one share it.
	e.open(t, c, robokassa.Payment{OutSum: d("1"), InvID: 40})
	e.open(t, e.client(t, func(cfg *robokassa.Config) { cfg.Test = true }), robokassa.Payment{OutSum: d("1"), InvID: 40})
	e.open(t, c, robokassa.Payment{OutSum: d("1"), InvID: 41})

	tests := []struct {
		name     string
		c        *robokassa.Client
		invID    int64
		code     robokassa.WebServiceCode
		notFound bool
	}{
		{"wrong Password #2", e.client(t, func(cfg *robokassa.Config) { cfg.Password2 = "not-the-password" }), 41, robokassa.WebServiceCodeBadSignature, false},
		{"wrong algorithm", e.client(t, func(cfg *robokassa.Config) { cfg.Algorithm = robokassa.SHA256 }), 41, robokassa.WebServiceCodeBadSignature, false},
		{"unknown shop", e.client(t, func(cfg *robokassa.Config) { cfg.MerchantLogin = "nobody" }), 41, robokassa.WebServiceCodeShopNotFound, false},
		{"no such operation", c, 42, robokassa.WebServiceCodeNotFound, true},
		{"a test and a real operation", c, 40, robokassa.WebServiceCodeDuplicate, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := e.hits(robokassatest.EndpointOpStateExt)
			st, err := tt.c.OpState(bg(t), tt.invID)
			assert.Nil(t, st)
			assert.Equal(t, before+1, e.hits(robokassatest.EndpointOpStateExt), "a result code is an answer, not a reason to retry")
			ae := requireAPIError(t, err, "OpStateExt")
			assert.Equal(t, http.StatusOK, ae.Status)
			assert.Equal(t, strconv.Itoa(int(tt.code)), ae.Code)
			assert.Contains(t, ae.Message, tt.code.Meaning())
			assert.Greater(t, len(ae.Message), len(tt.code.Meaning()), "with Robokassa's description: %q", ae.Message)
			assert.Equal(t, tt.notFound, errors.Is(err, robokassa.ErrNotFound))
			assert.NotEmpty(t, ae.Body)
		})
	}
}

// TestOpStateRefusesBeforeSending: test mode, no Password #2 and a bad
// InvID are refused without a request.
func TestOpStateRefusesBeforeSending(t *testing.T) {
	e := newEmulator(t)
	tests := []struct {
		name string
		c    *robokassa.Client
		id   int64
		want error
	}{
		{"test mode", e.client(t, func(cfg *robokassa.Config) { cfg.Test = true }), 12, robokassa.ErrNotInTestMode},
		{"no password 2", e.client(t, func(cfg *robokassa.Config) { cfg.Password2 = "" }), 12, robokassa.ErrNoPassword2},
		{"zero id", e.client(t), 0, robokassa.ErrInvalidParam},
		{"negative id", e.client(t), -5, robokassa.ErrInvalidParam},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, err := tt.c.OpState(bg(t), tt.id)
			assert.Nil(t, st)
			assert.ErrorIs(t, err, tt.want)
			if tt.want == robokassa.ErrInvalidParam {
				requireValidation(t, err, "InvID")
			}
		})
	}
	assert.Zero(t, e.log.total(), "nothing sent")
}

// recordWaits is a wait function for AwaitPaidWith that records the
// delays asked for and then runs step, which moves the operation on.
func recordWaits(waits *[]time.Duration, step func(n int)) func(context.Context, time.Duration) error {
	return func(ctx context.Context, d time.Duration) error {
		*waits = append(*waits, d)
		if step != nil {
			step(len(*waits))
		}
		return ctx.Err()
	}
}

// TestAwaitPaidProtocol polls the emulator while the test moves the
// operation on between two polls.
func TestAwaitPaidProtocol(t *testing.T) {
	e := newEmulator(t)
	c := e.client(t)
	testMode := e.client(t, func(cfg *robokassa.Config) { cfg.Test = true })
	tests := []struct {
		name      string
		setup     func(t *testing.T, id int64)        // before the first poll
		step      func(t *testing.T, id int64, n int) // after the n-th poll
		wantState robokassa.State                     // 0: no state returned
		wantErr   error                               // nil: success; &APIError{}: an *APIError
		wantHits  int
	}{
		{"not found, not found, held, crediting, paid", nil, func(t *testing.T, id int64, n int) {
			switch n {
			case 2: // the buyer pays: held
				e.pay(t, c, robokassa.Payment{OutSum: d("10"), InvID: id, StepByStep: true})
			case 3:
				require.NoError(t, e.SetState(id, robokassa.StateCrediting))
			case 4: // crediting is over (the emulator reaches 50 only by SetState)
				require.NoError(t, e.SetState(id, robokassa.StatePaid))
			}
		}, robokassa.StatePaid, nil, 5},
		{"paid at once", func(t *testing.T, id int64) {
			e.pay(t, c, robokassa.Payment{OutSum: d("10"), InvID: id})
		}, nil, robokassa.StatePaid, nil, 1},
		{"cancelled", func(t *testing.T, id int64) {
			e.open(t, c, robokassa.Payment{OutSum: d("10"), InvID: id})
		}, func(t *testing.T, id int64, _ int) { require.NoError(t, e.Fail(id)) }, robokassa.StateCancelled, robokassa.ErrNotPaid, 2},
		{"refunded", nil, func(t *testing.T, id int64, _ int) {
			e.pay(t, c, robokassa.Payment{OutSum: d("10"), InvID: id})
			_, err := c.Refund(bg(t), robokassa.RefundRequest{OpKey: opKeyOf(t, e, id)})
			require.NoError(t, err)
		}, robokassa.StateRefunded, robokassa.ErrNotPaid, 2},
		{"suspended", func(t *testing.T, id int64) {
			e.pay(t, c, robokassa.Payment{OutSum: d("10"), InvID: id})
			require.NoError(t, e.SetState(id, robokassa.StateSuspended))
		}, nil, robokassa.StateSuspended, robokassa.ErrNotPaid, 1},
		{"other result code stops", func(t *testing.T, id int64) {
			e.open(t, c, robokassa.Payment{OutSum: d("10"), InvID: id})
		}, func(t *testing.T, id int64, _ int) {
			// A test payment with the same InvId: result code 4.
			e.open(t, testMode, robokassa.Payment{OutSum: d("10"), InvID: id})
		}, robokassa.StateInitiated, &robokassa.APIError{}, 2},
		{"malformed stops", nil, func(t *testing.T, id int64, _ int) {
			e.InjectFault(robokassatest.EndpointOpStateExt, robokassatest.Fault{Kind: robokassatest.FaultGarbage})
		}, 0, &robokassa.APIError{}, 2},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := int64(100 + i)
			if tt.setup != nil {
				tt.setup(t, id)
			}
			var waits []time.Duration
			var step func(int)
			if tt.step != nil {
				step = func(n int) { tt.step(t, id, n) }
			}
			before := e.hits(robokassatest.EndpointOpStateExt)
			st, err := c.AwaitPaidWith(bg(t), id, recordWaits(&waits, step))
			switch want := tt.wantErr.(type) {
			case nil:
				require.NoError(t, err)
			case *robokassa.APIError:
				require.ErrorAs(t, err, &want)
				assert.NotErrorIs(t, err, robokassa.ErrNotPaid)
			default:
				require.ErrorIs(t, err, want)
			}
			if tt.wantState == 0 {
				assert.Nil(t, st)
			} else {
				require.NotNil(t, st)
				assert.Equal(t, tt.wantState, st.State)
				assert.Equal(t, id, st.InvID)
			}
			assert.Equal(t, before+tt.wantHits, e.hits(robokassatest.EndpointOpStateExt))
			require.Len(t, waits, tt.wantHits-1)
			for i, d := range waits {
				assert.Equal(t, robokassa.PollDelay(i+1), d)
			}
		})
	}
}

func TestAwaitPaidProtocolContext(t *testing.T) {
	e := newEmulator(t)
	c := e.client(t)
	e.open(t, c, robokassa.Payment{OutSum: d("10"), InvID: 12})

	t.Run("cancelled while polling", func(t *testing.T) {
		before := e.hits(robokassatest.EndpointOpStateExt)
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
		st, err := c.AwaitPaidWith(ctx, 12, wait)
		require.ErrorIs(t, err, context.Canceled)
		assert.Contains(t, err.Error(), "robokassa: waiting for invoice 12")
		require.NotNil(t, st, "the last state seen comes back")
		assert.Equal(t, robokassa.StateInitiated, st.State)
		assert.Equal(t, before+3, e.hits(robokassatest.EndpointOpStateExt))
	})

	t.Run("already done", func(t *testing.T) {
		before := e.log.total()
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		st, err := c.AwaitPaid(ctx, 12)
		assert.Nil(t, st)
		assert.ErrorIs(t, err, context.Canceled)
		assert.NotErrorIs(t, err, robokassa.ErrNotPaid)
		assert.Equal(t, before, e.log.total(), "nothing sent")
	})

	t.Run("deadline during the wait", func(t *testing.T) {
		before := e.hits(robokassatest.EndpointOpStateExt)
		// No operation 13: the real 1s wait after the first poll is cut
		// short by the deadline.
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		st, err := c.AwaitPaid(ctx, 13)
		assert.Nil(t, st, "the buyer had not submitted details: no state seen")
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Equal(t, before+1, e.hits(robokassatest.EndpointOpStateExt))
	})

	t.Run("test mode", func(t *testing.T) {
		before := e.log.total()
		tc := e.client(t, func(cfg *robokassa.Config) { cfg.Test = true })
		ctx, cancel := context.WithCancel(context.Background())
		cancel() // the refusal wins over the ended context: no request could be sent anyway
		var waits []time.Duration
		st, err := tc.AwaitPaidWith(ctx, 12, recordWaits(&waits, nil))
		assert.Nil(t, st)
		assert.ErrorIs(t, err, robokassa.ErrNotInTestMode)
		assert.Empty(t, waits)
		assert.Equal(t, before, e.log.total(), "nothing sent")
	})
}
