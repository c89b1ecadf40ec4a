package robokassatest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/robokassa-go/robokassa"
)

// Operation is a payment as the emulator holds it: what OpStateExt
// reports, plus what a test needs to check. [Server.Operation] returns a
// copy; changing it changes nothing on the server.
//
// States move as Robokassa's do (spec §8): 5 when the payment page is
// shown (or a recurring charge is created), 10 when the buyer declines or
// it expires unpaid, 20 when a StepByStep payment is held, 60 when a hold
// is cancelled or the whole amount refunded, 100 when paid, captured or
// charged. A partial refund leaves 100 and grows Refunded. 50 and 80 are
// reached only through [Server.SetState].
type Operation struct {
	MerchantLogin string
	InvID         int64
	// State is the OpStateExt state code.
	State robokassa.State
	// OutSum is the sum asked (after a capture: the captured sum).
	OutSum decimal.Decimal
	// Currency is the OutSumCurrency of the request ("" = roubles).
	Currency    string
	Description string
	// IsTest reports a test-mode payment (IsTest=1): no money moves, and
	// its InvId may be used again.
	IsTest bool
	// Recurring marks the parent of a recurring series; ParentInvID is
	// set on a child charge.
	Recurring   bool
	ParentInvID int64
	// StepByStep marks a two-stage payment (hold).
	StepByStep bool
	// Token is the saved card charged (the OpKey of an earlier payment).
	Token string
	// OpKey is Robokassa's operation key (refunds and saved-card payments
	// use it).
	OpKey string
	// Email is the buyer's e-mail (the request's, or what the buyer typed
	// on the page).
	Email   string
	Culture string
	// IncCurrLabel is the payment option used (or preselected, before
	// payment) and PaymentMethod its method, e.g. "BankCard".
	IncCurrLabel  string
	PaymentMethod string
	// Fee is Robokassa's commission: the payment option's rate (see the
	// package documentation) times OutSum, to the kopeck.
	Fee decimal.Decimal
	// Shp holds the Shp_ parameters as received, keyed by the name after
	// the prefix.
	Shp map[string]string
	// Receipt is the Receipt value as received (URL-encoded JSON), "" if
	// none; Lines are its lines as the page showed them.
	Receipt string
	Lines   []ReceiptLine
	// ResultURL2, SuccessURL2 and FailURL2 (with their methods) are the
	// per-payment addresses of the request.
	ResultURL2        string
	SuccessURL2       string
	SuccessURL2Method string
	FailURL2          string
	FailURL2Method    string
	// Refunded is the total refunded so far.
	Refunded decimal.Decimal
	// Expired reports an operation that expired unpaid ([Server.Expire]
	// or its ExpirationDate).
	Expired bool
	// Source is where it was created: "Index.aspx", "CoFPayment",
	// "FormFLS", "Invoice" or "Recurring".
	Source string
	// InvoiceID is the Invoice API's id of the link it was paid through.
	InvoiceID string
	// SecondReceipts counts the receipts attached with RoboFiscal.
	SecondReceipts int
	// CreatedAt is when it was created and History every state it
	// entered, in order (the first is 5).
	CreatedAt time.Time
	History   []StateChange
}

// StateChange is one entry of [Operation.History].
type StateChange struct {
	State robokassa.State
	At    time.Time
}

// StateDate returns when the operation entered its current state.
func (o *Operation) StateDate() time.Time {
	if len(o.History) == 0 {
		return o.CreatedAt
	}
	return o.History[len(o.History)-1].At
}

// ReceiptLine is one line of a receipt as the payment page shows it.
type ReceiptLine struct {
	Name     string
	Quantity decimal.Decimal
	// Sum is the line total (Cost × Quantity when only a unit price was
	// given).
	Sum decimal.Decimal
	Tax string
}

// shpField is a Shp_ parameter as received: Name with its prefix, in the
// letter case it came in.
type shpField struct{ name, value string }

// operation is the server's record of one payment. The server's mutex
// guards every field.
type operation struct {
	seq         int // 1-based position in store.all
	shop        *shop
	invID       int64
	test        bool
	state       robokassa.State
	outSum      decimal.Decimal
	currency    string
	description string
	email       string
	culture     string
	label       string // IncCurrLabel
	shp         []shpField
	receipt     string
	lines       []ReceiptLine
	recurring   bool
	parent      int64
	stepByStep  bool
	token       string
	resultURL2  string
	success2    redirect
	fail2       redirect
	opKey       string
	rrn         string
	refunded    decimal.Decimal
	created     time.Time
	history     []StateChange
	expires     time.Time // zero: no deadline
	expired     bool
	source      string
	invoice     *invoice
	receipts    int
	notified    bool // a ResultURL notification was sent
}

// redirect is a per-payment address with its method.
type redirect struct{ url, method string }

// store holds every operation. Lookups by InvId scan a short slice: an
// InvId is shared only by a test and a real payment, or by shops.
type store struct {
	all     []*operation
	byInv   map[int64][]*operation
	byOpKey map[string]*operation
}

func newStore() store {
	return store{byInv: make(map[int64][]*operation), byOpKey: make(map[string]*operation)}
}

// add records op, replacing an earlier operation of the same shop, InvId
// and mode (an unpaid one the buyer left, or a test payment).
func (st *store) add(op *operation) {
	op.seq = len(st.all) + 1
	st.all = append(st.all, op)
	list := st.byInv[op.invID]
	for i, o := range list {
		if o.shop == op.shop && o.test == op.test {
			list = append(list[:i:i], list[i+1:]...)
			break
		}
	}
	st.byInv[op.invID] = append(list, op)
	st.byOpKey[op.opKey] = op
}

// find returns the operation of a shop with an InvId in a mode, or nil.
func (st *store) find(sh *shop, invID int64, test bool) *operation {
	for _, o := range st.byInv[invID] {
		if o.shop == sh && o.test == test {
			return o
		}
	}
	return nil
}

// latest returns the most recent operation with the InvId, of any shop
// and mode, for which keep is true; nil when none is.
func (st *store) latest(invID int64, keep func(*operation) bool) *operation {
	var best *operation
	for _, o := range st.byInv[invID] {
		if (keep == nil || keep(o)) && (best == nil || o.seq > best.seq) {
			best = o
		}
	}
	return best
}

// setState moves op to a state and records it; the caller holds the lock.
func (op *operation) setState(st robokassa.State, now time.Time) {
	op.state = st
	op.history = append(op.history, StateChange{st, now})
}

// moneyTaken reports whether the operation received money (held, paid,
// refunded, suspended): its InvId cannot be paid again (error 40).
func (op *operation) moneyTaken() bool {
	switch op.state {
	case robokassa.StateInitiated, robokassa.StateCancelled:
		return false
	}
	return true
}

// awaiting reports whether the buyer can still pay.
func (op *operation) awaiting(now time.Time) bool {
	return op.state == robokassa.StateInitiated && !op.expired && (op.expires.IsZero() || now.Before(op.expires))
}

// fee is Robokassa's commission for the operation's payment option.
func (op *operation) fee() decimal.Decimal {
	return methodOf(op.label).fee(op.outSum)
}

// snapshot returns the exported copy of op.
func (op *operation) snapshot() Operation {
	o := Operation{
		MerchantLogin:     op.shop.MerchantLogin,
		InvID:             op.invID,
		State:             op.state,
		OutSum:            op.outSum,
		Currency:          op.currency,
		Description:       op.description,
		IsTest:            op.test,
		Recurring:         op.recurring,
		ParentInvID:       op.parent,
		StepByStep:        op.stepByStep,
		Token:             op.token,
		OpKey:             op.opKey,
		Email:             op.email,
		Culture:           op.culture,
		IncCurrLabel:      op.label,
		PaymentMethod:     methodOf(op.label).alias,
		Fee:               op.fee(),
		Receipt:           op.receipt,
		Lines:             append([]ReceiptLine(nil), op.lines...),
		ResultURL2:        op.resultURL2,
		SuccessURL2:       op.success2.url,
		SuccessURL2Method: op.success2.method,
		FailURL2:          op.fail2.url,
		FailURL2Method:    op.fail2.method,
		Refunded:          op.refunded,
		Expired:           op.expired,
		Source:            op.source,
		SecondReceipts:    op.receipts,
		CreatedAt:         op.created,
		History:           append([]StateChange(nil), op.history...),
	}
	if op.invoice != nil {
		o.InvoiceID = op.invoice.id
	}
	if len(op.shp) > 0 {
		o.Shp = make(map[string]string, len(op.shp))
		for _, f := range op.shp {
			o.Shp[f.name[4:]] = f.value
		}
	}
	return o
}

// Operation returns the operation with the InvId (the most recent one when
// several shops, or a test and a real payment, share it) and whether
// there is one.
func (s *Server) Operation(invID int64) (Operation, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	op := s.store.latest(invID, nil)
	if op == nil {
		return Operation{}, false
	}
	return op.snapshot(), true
}

// Operations returns every operation in the order created. An operation
// that replaced an unpaid or test one with the same InvId is listed
// after it; both are listed.
func (s *Server) Operations() []Operation {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Operation, len(s.store.all))
	for i, op := range s.store.all {
		out[i] = op.snapshot()
	}
	return out
}

// SetState forces the state of the most recent operation with the InvId,
// without notifying anyone: for instance 50 (crediting) or 80
// (suspended), which nothing else reaches, to test a poller.
func (s *Server) SetState(invID int64, state robokassa.State) error {
	if state <= 0 {
		return fmt.Errorf("%w: state %d is not a state code", ErrInvalidArgument, state)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	op := s.store.latest(invID, nil)
	if op == nil {
		return fmt.Errorf("%w: no operation with InvId %d", ErrNoOperation, invID)
	}
	op.setState(state, time.Now())
	return nil
}

// Expire makes the unpaid operation with the InvId expire: it moves to 10
// (cancelled, money not received) and its page, or its link opened again,
// answers error 33. A held payment expires as a hold does after seven
// days: released, state 60. An unpaid Invoice API link with that InvId
// expires too (error 51).
func (s *Server) Expire(invID int64) error {
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	found := false
	if inv := s.invoices.byInvID(invID); inv != nil && !inv.paid {
		inv.expired = true
		found = true
	}
	op := s.store.latest(invID, func(o *operation) bool {
		return o.state == robokassa.StateInitiated || o.state == robokassa.StateHeld
	})
	if op != nil {
		if op.state == robokassa.StateHeld {
			op.setState(robokassa.StateRefunded, now)
		} else {
			op.expired = true
			op.setState(robokassa.StateCancelled, now)
		}
		found = true
	}
	if !found {
		return fmt.Errorf("%w: no unpaid operation or invoice with InvId %d", ErrNoOperation, invID)
	}
	return nil
}

// newOpKey returns an operation key shaped like Robokassa's: a GUID and a
// suffix of ten letters and digits.
func newOpKey() string {
	b := randomBytes(26)
	h := strings.ToUpper(hex.EncodeToString(b[:16]))
	const alnum = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	suffix := make([]byte, 10)
	for i := range suffix {
		suffix[i] = alnum[int(b[16+i])%len(alnum)]
	}
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32] + "-" + string(suffix)
}

// newGUID returns a random lower-case GUID (version 4).
func newGUID() string {
	b := randomBytes(16)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// newRRN returns a 12-digit retrieval reference number.
func newRRN() string {
	b := randomBytes(12)
	d := make([]byte, 12)
	for i := range d {
		d[i] = '0' + b[i]%10
	}
	return string(d)
}

// assignInvID returns an InvId Robokassa would assign the shop: one no
// operation of the shop uses. The caller holds the lock.
func (s *Server) assignInvID(sh *shop) int64 {
	for {
		s.nextInvID++
		id := s.nextInvID
		if s.store.find(sh, id, false) == nil && s.store.find(sh, id, true) == nil && s.invoices.byInvID(id) == nil {
			return id
		}
	}
}

// pageToken is the unguessable token of an operation's payment page
// form: an HMAC of its sequence number under a key of the server's.
func (s *Server) pageToken(seq int) string {
	m := hmac.New(sha256.New, s.pageMAC)
	m.Write([]byte(strconv.Itoa(seq)))
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// opByPage returns the operation a page form names, checking its token
// in constant time; the caller holds the lock.
func (s *Server) opByPage(seqText, token string) (*operation, error) {
	seq, err := strconv.Atoi(seqText)
	if err != nil || seq < 1 || seq > len(s.store.all) {
		return nil, errors.New("no such payment")
	}
	want, _ := hex.DecodeString(s.pageToken(seq))
	got, err := hex.DecodeString(token)
	if err != nil || !hmac.Equal(want, got) {
		return nil, errors.New("no such payment")
	}
	return s.store.all[seq-1], nil
}
