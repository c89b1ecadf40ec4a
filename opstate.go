package robokassa

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// State is the state of an operation as OpStateExt reports it
// (spec §8).
type State int

// Operation states (spec §8).
const (
	// StateInitiated: the operation started, no money received yet.
	StateInitiated State = 5
	// StateCancelled: cancelled, no money received.
	StateCancelled State = 10
	// StateHeld: money held for a two-stage payment (spec §6), waiting for
	// the shop's Confirm or Cancel.
	StateHeld State = 20
	// StateCrediting: money received, being credited to the shop.
	StateCrediting State = 50
	// StateRefunded: money returned to the buyer; also a cancelled hold.
	StateRefunded State = 60
	// StateSuspended: stopped by Robokassa's security service or an
	// outage; it needs people, not polling.
	StateSuspended State = 80
	// StatePaid: credited to the shop and the notification sent.
	StatePaid State = 100
)

// String returns the state's name ("paid", "held", …), or "state(N)" for a
// code the spec does not list.
func (s State) String() string {
	switch s {
	case StateInitiated:
		return "initiated"
	case StateCancelled:
		return "cancelled"
	case StateHeld:
		return "held"
	case StateCrediting:
		return "crediting"
	case StateRefunded:
		return "refunded"
	case StateSuspended:
		return "suspended"
	case StatePaid:
		return "paid"
	}
	return "state(" + strconv.Itoa(int(s)) + ")"
}

// Final reports whether polling should stop at s: paid, cancelled,
// refunded and suspended are final. Suspended can in principle be
// resolved, but only by Robokassa's staff after a security stop, which no
// poll loop should wait for. Initiated, held (which waits for the shop's
// own Confirm or Cancel), crediting and unknown codes are not final.
func (s State) Final() bool {
	switch s {
	case StatePaid, StateCancelled, StateRefunded, StateSuspended:
		return true
	}
	return false
}

// OperationState is what Robokassa reports about one operation
// (OpStateExt, spec §8). Fields the response does not carry are zero.
type OperationState struct {
	// InvID is the shop's InvId the state was asked for.
	InvID int64
	State State
	// RequestDate is when the state was asked for and StateDate when the
	// operation entered State. Dates without an offset are read as Moscow
	// time (UTC+3).
	RequestDate time.Time
	StateDate   time.Time
	// IncCurrLabel is the payment option the buyer chose (a [Currency]
	// Label), IncSum the amount the buyer paid in it and IncAccount the
	// buyer's account, masked by Robokassa (a card as 123456******0987).
	IncCurrLabel string
	IncSum       decimal.Decimal
	IncAccount   string
	// PaymentMethod is the payment method used, e.g. {"BankCard", "Bank card"}.
	PaymentMethod PaymentMethodInfo
	// OutCurrLabel is the currency the shop is credited in and OutSum the
	// amount credited.
	OutCurrLabel string
	OutSum       decimal.Decimal
	// OpKey is Robokassa's operation key (used by some other APIs).
	OpKey string
	// BankCardRRN is the card payment's retrieval reference number.
	BankCardRRN string
	// Shp holds the user (Shp_) fields of the payment keyed by the name
	// after the prefix, values decoded by the same rule as
	// [Notification.Shp]; nil when there are none. [OperationState.RawShp]
	// has the values as reported.
	Shp map[string]string

	rawShp map[string]string
}

// RawShp returns the Shp fields with values exactly as Robokassa reported
// them, in a new map (see [Notification.RawShp]).
func (s *OperationState) RawShp() map[string]string { return rawShp(s.Shp, s.rawShp) }

// OpState asks Robokassa for the state of the operation with the shop's
// InvId invID (OpStateExt, spec §8). The request is a POST form signed
// with Password #2: Signature = hash(MerchantLogin:InvoiceID:Password2).
//
// Before sending anything it returns [ErrNotInTestMode] for a test-mode
// client (OpStateExt does not exist in test mode, spec §13),
// [ErrNoPassword2] when the client has no Password #2, and a
// [*ValidationError] when invID is not positive.
//
// Result code 3 (no such operation; also reported until the buyer submits
// payment details) is an error matching [ErrNotFound] that is also an
// [*APIError] under [errors.As]. Other non-zero codes are an [*APIError]
// with Code, the documented meaning and Robokassa's description. The call
// is a read: network errors and 5xx responses are retried.
func (c *Client) OpState(ctx context.Context, invID int64) (*OperationState, error) {
	if err := c.canOpState(invID); err != nil {
		return nil, err
	}
	id := strconv.FormatInt(invID, 10)
	sig := newSignature(c.login, id)
	sig.password = c.keys().pass2
	a, err := c.callWebService(ctx, "OpStateExt", "OperationStateResponse",
		"MerchantLogin", c.login, "InvoiceID", id, "Signature", sig.sign(c.alg))
	if err != nil {
		return nil, err
	}
	return a.operationState(invID)
}

// canOpState reports why OpStateExt cannot be sent, or nil.
func (c *Client) canOpState(invID int64) error {
	switch {
	case c.test:
		return notInTestMode("OpStateExt")
	case c.keys().pass2 == "":
		return ErrNoPassword2
	}
	return checkInvID("InvID", invID, true)
}

// pollFirst and pollMax bound the wait between two polls of AwaitPaid.
const (
	pollFirst = time.Second
	pollMax   = 30 * time.Second
)

// AwaitPaid polls [Client.OpState] until the operation reaches a final
// state (see [State.Final]) or ctx ends. The first poll is immediate;
// the waits between polls grow 1s, 2s, 4s, … up to 30s. Bound the wait
// with a context deadline.
//
// It returns:
//   - the state and nil once the operation is paid (StatePaid; crediting,
//     50, is not enough);
//   - the state and an error matching [ErrNotPaid] when it is cancelled,
//     refunded or suspended;
//   - the last state seen (nil if none) and an error wrapping ctx.Err()
//     when ctx ends first;
//   - the last state seen and the error for any OpState failure other
//     than [ErrNotFound], which only means the buyer has not submitted
//     payment details yet and keeps it polling. The transport has already
//     retried network errors and 5xx responses by then; call AwaitPaid
//     again to resume.
//
// A held two-stage payment (StateHeld) keeps it polling until the shop
// confirms or cancels the hold; a shop that wants to stop at the hold
// polls [Client.OpState] itself. Like OpState, it is not available in test
// mode ([ErrNotInTestMode]).
func (c *Client) AwaitPaid(ctx context.Context, invID int64) (*OperationState, error) {
	return c.awaitPaid(ctx, invID, sleep)
}

// awaitPaid is AwaitPaid with the wait between polls supplied, so tests
// need not sleep.
func (c *Client) awaitPaid(ctx context.Context, invID int64, wait func(context.Context, time.Duration) error) (*OperationState, error) {
	if err := c.canOpState(invID); err != nil {
		return nil, err
	}
	var last *OperationState
	for n := 1; ; n++ {
		st, err := c.OpState(ctx, invID)
		switch {
		case err == nil:
			last = st
			if st.State == StatePaid {
				return st, nil
			}
			if st.State.Final() {
				return st, fmt.Errorf("%w: invoice %d is %s", ErrNotPaid, invID, st.State)
			}
		case ctx.Err() != nil:
			// reported below
		case !errors.Is(err, ErrNotFound):
			return last, err
		}
		if ctx.Err() == nil {
			_ = wait(ctx, pollDelay(n))
		}
		if err := ctx.Err(); err != nil {
			return last, fmt.Errorf("robokassa: waiting for invoice %d to be paid: %w", invID, err)
		}
	}
}

// pollDelay returns the wait after the n-th poll (n ≥ 1): pollFirst
// doubled each time, capped at pollMax.
func pollDelay(n int) time.Duration {
	if n > 16 {
		return pollMax
	}
	d := pollFirst << (n - 1)
	if d > pollMax || d <= 0 {
		d = pollMax
	}
	return d
}

// operationState reads OperationStateResponse (spec §8): State, Info and
// the user fields, which come in UserField or UserFields.
func (a *wsAnswer) operationState(invID int64) (*OperationState, error) {
	d := a.doc
	state, info := d.child(0, "State"), d.child(0, "Info")
	code, ok := parseDigits(d.text(d.child(state, "Code")))
	if !ok || code <= 0 || code > 1<<31-1 {
		return nil, a.rp.malformed("no valid State/Code", nil)
	}
	method := d.child(info, "PaymentMethod")
	st := &OperationState{
		InvID:        invID,
		State:        State(code),
		IncCurrLabel: d.text(d.child(info, "IncCurrLabel")),
		IncAccount:   d.text(d.child(info, "IncAccount")),
		PaymentMethod: PaymentMethodInfo{
			Code:        d.text(d.child(method, "Code")),
			Description: d.rawText(d.child(method, "Description")),
		},
		OutCurrLabel: d.text(d.child(info, "OutCurrLabel")),
		OpKey:        d.text(d.child(info, "OpKey")),
		BankCardRRN:  d.text(d.child(info, "BankCardRRN")),
	}
	var err error
	if st.RequestDate, err = a.time(d.child(state, "RequestDate"), "State/RequestDate"); err != nil {
		return nil, err
	}
	if st.StateDate, err = a.time(d.child(state, "StateDate"), "State/StateDate"); err != nil {
		return nil, err
	}
	if st.IncSum, err = a.decimal(d.text(d.child(info, "IncSum")), "Info/IncSum"); err != nil {
		return nil, err
	}
	if st.OutSum, err = a.decimal(d.text(d.child(info, "OutSum")), "Info/OutSum"); err != nil {
		return nil, err
	}
	var pairs []shpPair
	for _, list := range []string{"UserField", "UserFields"} {
		for _, f := range d.children(d.child(0, list), "Field") {
			name := d.text(d.child(f, "Name"))
			if len(name) > 4 && strings.EqualFold(name[:4], "shp_") {
				name = name[4:]
			}
			pairs = append(pairs, shpPair{name: name, value: d.rawText(d.child(f, "Value"))})
		}
	}
	st.Shp, st.rawShp = shpMaps(pairs)
	return st, nil
}
