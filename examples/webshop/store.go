package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/robokassa-go/robokassa"
)

// schema is created on start. Money is stored in kopecks (INTEGER), so
// that the balance is an exact SUM in SQL, as the seed's get_user_balance
// computes it; Go converts with decimal.New(kopecks, -2), never a float.
const schema = `
CREATE TABLE IF NOT EXISTS orders (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	buyer      TEXT NOT NULL,
	product    TEXT NOT NULL,
	created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS orders_buyer ON orders(buyer);

-- One row per InvId sent to Robokassa, written before the buyer gets the
-- link. The primary key is the unique constraint that has the last word
-- on InvId uniqueness: a clash is redrawn, never overwritten.
CREATE TABLE IF NOT EXISTS payments (
	inv_id        INTEGER PRIMARY KEY CHECK (inv_id > 0),
	order_id      INTEGER NOT NULL REFERENCES orders(id),
	kind          TEXT    NOT NULL CHECK (kind IN ('topup', 'subscription', 'charge')),
	parent_inv_id INTEGER REFERENCES payments(inv_id),
	amount        INTEGER NOT NULL CHECK (amount > 0),
	state         TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'completed', 'failed')),
	test          INTEGER NOT NULL DEFAULT 0,
	note          TEXT    NOT NULL DEFAULT '',
	fee           TEXT    NOT NULL DEFAULT '',
	method        TEXT    NOT NULL DEFAULT '',
	created_at    TEXT    NOT NULL,
	completed_at  TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS payments_order ON payments(order_id);

-- At most one refund per payment (full refunds only).
CREATE TABLE IF NOT EXISTS refunds (
	inv_id     INTEGER PRIMARY KEY REFERENCES payments(inv_id),
	amount     INTEGER NOT NULL CHECK (amount > 0),
	request_id TEXT    NOT NULL DEFAULT '',
	state      TEXT    NOT NULL,
	created_at TEXT    NOT NULL,
	updated_at TEXT    NOT NULL
);
`

// Payment kinds.
const (
	kindTopUp        = "topup"        // a balance top-up pack
	kindSubscription = "subscription" // the recurring parent payment
	kindCharge       = "charge"       // a recurring child charge
)

// Payment states. A payment is completed only by a verified ResultURL
// notification; it fails only when Robokassa refused to create it.
const (
	statePending   = "pending"
	stateCompleted = "completed"
	stateFailed    = "failed"
)

// Refund states: requested (the row is written before the Refund API is
// called, so a second click cannot refund twice), the Refund API's own
// states (processing, finished, canceled), and unknown when the call's
// outcome could not be known (a network error or a 5xx answer).
const (
	refundRequested = "requested"
	refundUnknown   = "unknown"
)

// maxInvIDDraws bounds the redraws of a clashing InvId. With 63 random
// bits a single clash is already a one-in-billions event; several in a
// row mean the generator is broken, and the order is refused.
const maxInvIDDraws = 8

// Errors of the store. Each is wrapped with the InvId it concerns.
var (
	errUnknownPayment  = errors.New("webshop: no payment with this InvId")
	errNotCompleted    = errors.New("webshop: the payment is not completed")
	errRefundExists    = errors.New("webshop: the payment already has a refund")
	errNotSubscription = errors.New("webshop: not a subscription payment")
	errInvIDExhausted  = errors.New("webshop: could not draw an unused InvId")
)

// amountError refuses a notification whose amount differs from the
// payment row: the shop never completes a payment for a sum it did not
// ask.
type amountError struct {
	InvID int64
	Want  decimal.Decimal // the row's amount
	Got   decimal.Decimal // the notification's OutSum
}

func (e *amountError) Error() string {
	return fmt.Sprintf("webshop: InvId %d: notification amount %s differs from the payment's %s",
		e.InvID, e.Got.String(), e.Want.StringFixed(2))
}

// store is the shop's SQLite database. It is safe for concurrent use:
// every write runs in a transaction that SQLite begins IMMEDIATE (the
// _txlock DSN parameter), so writers are serialised by the database
// itself, across goroutines and processes.
type store struct {
	db *sql.DB
	// newInvID draws an InvId; robokassa.NewInvID except in tests.
	newInvID func() int64
	now      func() time.Time
}

// openStore opens (creating if needed) the SQLite database at path and
// creates the schema.
func openStore(ctx context.Context, path string) (*store, error) {
	q := url.Values{}
	q.Set("_txlock", "immediate")   // writers take the lock at BEGIN: no upgrade deadlocks
	q.Set("_busy_timeout", "10000") // ms a writer waits for another
	q.Set("_journal_mode", "WAL")   // readers do not block the writer
	q.Set("_synchronous", "NORMAL")
	q.Set("_foreign_keys", "1")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("webshop: open database: %w", err)
	}
	db.SetMaxOpenConns(8)
	if _, err := db.ExecContext(ctx, schema); err != nil {
		db.Close()
		return nil, fmt.Errorf("webshop: create schema in %s: %w", path, err)
	}
	return &store{db: db, newInvID: robokassa.NewInvID, now: time.Now}, nil
}

// Close closes the database.
func (s *store) Close() error { return s.db.Close() }

// payment is a payment row with its order and refund.
type payment struct {
	InvID       int64
	OrderID     int64
	Buyer       string
	Product     string
	Kind        string
	ParentInvID int64 // a charge: its subscription payment
	Amount      decimal.Decimal
	State       string
	Test        bool
	Note        string
	Fee         string
	Method      string
	CreatedAt   time.Time
	CompletedAt time.Time
	// RefundState is "" when the payment has no refund.
	RefundState     string
	RefundRequestID string
}

// kopecks converts an amount with at most two decimals to kopecks, and
// refuses anything else rather than round it.
func kopecks(d decimal.Decimal) (int64, error) {
	k := d.Shift(2)
	if !k.IsInteger() || k.Sign() <= 0 || !k.LessThan(decimal.New(1, 15)) {
		return 0, fmt.Errorf("webshop: amount %s must be positive with at most two decimals", d.String())
	}
	return k.IntPart(), nil
}

func rubles(k int64) decimal.Decimal { return decimal.New(k, -2) }

// stampFormat is UTC with a fixed number of digits, so that stamps sort
// as strings.
const stampFormat = "2006-01-02T15:04:05.000000Z"

func (s *store) stamp() string { return s.now().UTC().Format(stampFormat) }

// isUniqueViolation reports whether err is SQLite refusing a row that
// breaks a PRIMARY KEY or UNIQUE constraint.
func isUniqueViolation(err error) bool {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	return se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY || se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE
}

// insertPayment writes a pending payment row under a fresh InvId, in tx.
// It does not look for a free InvId first: it inserts, and when the
// primary key refuses the row (a clash, or a concurrent writer that drew
// the same number) it draws again.
func (s *store) insertPayment(ctx context.Context, tx *sql.Tx, orderID int64, kind string, parent int64, amount int64, test bool) (int64, error) {
	var parentArg any
	if parent != 0 {
		parentArg = parent
	}
	for range maxInvIDDraws {
		id := s.newInvID()
		_, err := tx.ExecContext(ctx,
			`INSERT INTO payments (inv_id, order_id, kind, parent_inv_id, amount, test, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			id, orderID, kind, parentArg, amount, test, s.stamp())
		if err == nil {
			return id, nil
		}
		if !isUniqueViolation(err) {
			return 0, fmt.Errorf("webshop: insert payment: %w", err)
		}
	}
	return 0, errInvIDExhausted
}

// createOrder writes an order and its pending payment row in one
// transaction, before any link exists, and returns the payment.
func (s *store) createOrder(ctx context.Context, buyer string, p product, test bool) (payment, error) {
	amount, err := kopecks(p.Price)
	if err != nil {
		return payment{}, err
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return payment{}, fmt.Errorf("webshop: begin: %w", err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `INSERT INTO orders (buyer, product, created_at) VALUES (?, ?, ?)`, buyer, p.ID, s.stamp())
	if err != nil {
		return payment{}, fmt.Errorf("webshop: insert order: %w", err)
	}
	orderID, err := res.LastInsertId()
	if err != nil {
		return payment{}, err
	}
	invID, err := s.insertPayment(ctx, tx, orderID, p.Kind, 0, amount, test)
	if err != nil {
		return payment{}, err
	}
	if err := tx.Commit(); err != nil {
		return payment{}, fmt.Errorf("webshop: commit order: %w", err)
	}
	return s.payment(ctx, invID)
}

// createCharge writes the pending row of a recurring child charge of the
// completed subscription payment parent, for the parent's amount.
func (s *store) createCharge(ctx context.Context, parent int64) (payment, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return payment{}, fmt.Errorf("webshop: begin: %w", err)
	}
	defer tx.Rollback()
	var orderID, amount int64
	var kind, state string
	var test bool
	err = tx.QueryRowContext(ctx, `SELECT order_id, kind, amount, state, test FROM payments WHERE inv_id = ?`, parent).
		Scan(&orderID, &kind, &amount, &state, &test)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return payment{}, fmt.Errorf("%w: %d", errUnknownPayment, parent)
	case err != nil:
		return payment{}, err
	case kind != kindSubscription:
		return payment{}, fmt.Errorf("%w: %d", errNotSubscription, parent)
	case state != stateCompleted:
		return payment{}, fmt.Errorf("%w: %d", errNotCompleted, parent)
	}
	invID, err := s.insertPayment(ctx, tx, orderID, kindCharge, parent, amount, test)
	if err != nil {
		return payment{}, err
	}
	if err := tx.Commit(); err != nil {
		return payment{}, fmt.Errorf("webshop: commit charge: %w", err)
	}
	return s.payment(ctx, invID)
}

// outcome is what a notification did to its payment.
type outcome int

const (
	completedNow outcome = iota + 1 // the payment was pending (or failed) and is now completed
	duplicate                       // the payment was already completed: nothing changed
)

// completion is what a verified ResultURL notification says.
type completion struct {
	InvID  int64
	OutSum decimal.Decimal
	Fee    decimal.Decimal
	Method string
	// OrderID is the Shp_order the notification carried, 0 if none.
	OrderID int64
}

// complete marks a payment completed, once: in one transaction it reads
// the row, refuses an unknown InvId, an amount other than the row's or a
// different order, and moves the row from pending (or failed) to
// completed. A repeat, sequential or concurrent, finds the row completed
// and changes nothing (duplicate). The previous state is returned too.
func (s *store) complete(ctx context.Context, c completion) (outcome, payment, string, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, payment{}, "", fmt.Errorf("webshop: begin: %w", err)
	}
	defer tx.Rollback()
	var amount, orderID int64
	var state string
	err = tx.QueryRowContext(ctx, `SELECT amount, order_id, state FROM payments WHERE inv_id = ?`, c.InvID).Scan(&amount, &orderID, &state)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return 0, payment{}, "", fmt.Errorf("%w: %d", errUnknownPayment, c.InvID)
	case err != nil:
		return 0, payment{}, "", err
	case !c.OutSum.Equal(rubles(amount)):
		return 0, payment{}, state, &amountError{InvID: c.InvID, Want: rubles(amount), Got: c.OutSum}
	case c.OrderID != 0 && c.OrderID != orderID:
		return 0, payment{}, state, fmt.Errorf("webshop: InvId %d: Shp_order %d is not the payment's order %d", c.InvID, c.OrderID, orderID)
	}
	out := duplicate
	if state != stateCompleted {
		out = completedNow
		_, err = tx.ExecContext(ctx,
			`UPDATE payments SET state = ?, completed_at = ?, fee = ?, method = ? WHERE inv_id = ? AND state <> ?`,
			stateCompleted, s.stamp(), c.Fee.String(), truncate(c.Method, 64), c.InvID, stateCompleted)
		if err != nil {
			return 0, payment{}, state, fmt.Errorf("webshop: complete payment: %w", err)
		}
	}
	// Read back inside the transaction: a second connection could wait
	// behind writers that themselves wait for this transaction's lock.
	p, err := readPayment(ctx, tx, c.InvID)
	if err != nil {
		return 0, payment{}, state, err
	}
	if err := tx.Commit(); err != nil {
		return 0, payment{}, state, fmt.Errorf("webshop: commit completion: %w", err)
	}
	return out, p, state, nil
}

// markFailed records that Robokassa refused to create a payment (a
// recurring charge it answered with an error code).
func (s *store) markFailed(ctx context.Context, invID int64, note string) error {
	_, err := s.db.ExecContext(ctx, `UPDATE payments SET state = ?, note = ? WHERE inv_id = ? AND state = ?`,
		stateFailed, truncate(note, 300), invID, statePending)
	return err
}

// setNote records a remark on a payment (an unknown outcome, say).
func (s *store) setNote(ctx context.Context, invID int64, note string) error {
	_, err := s.db.ExecContext(ctx, `UPDATE payments SET note = ? WHERE inv_id = ?`, truncate(note, 300), invID)
	return err
}

// startRefund writes the refund row of a completed payment, in state
// requested, before the Refund API is called: the primary key makes a
// second request for the same payment fail here (errRefundExists), so a
// double click, or two admins, cannot refund twice.
func (s *store) startRefund(ctx context.Context, invID int64) (payment, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return payment{}, fmt.Errorf("webshop: begin: %w", err)
	}
	defer tx.Rollback()
	var amount int64
	var state string
	err = tx.QueryRowContext(ctx, `SELECT amount, state FROM payments WHERE inv_id = ?`, invID).Scan(&amount, &state)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return payment{}, fmt.Errorf("%w: %d", errUnknownPayment, invID)
	case err != nil:
		return payment{}, err
	case state != stateCompleted:
		return payment{}, fmt.Errorf("%w: %d", errNotCompleted, invID)
	}
	now := s.stamp()
	_, err = tx.ExecContext(ctx, `INSERT INTO refunds (inv_id, amount, state, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`,
		invID, amount, refundRequested, now, now)
	if isUniqueViolation(err) {
		return payment{}, fmt.Errorf("%w: %d", errRefundExists, invID)
	}
	if err != nil {
		return payment{}, fmt.Errorf("webshop: insert refund: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return payment{}, fmt.Errorf("webshop: commit refund: %w", err)
	}
	return s.payment(ctx, invID)
}

// setRefund records the Refund API's answer: the request id (kept when
// empty) and the state.
func (s *store) setRefund(ctx context.Context, invID int64, requestID, state string) error {
	_, err := s.db.ExecContext(ctx,
		`UPDATE refunds SET request_id = CASE WHEN ? = '' THEN request_id ELSE ? END, state = ?, updated_at = ? WHERE inv_id = ?`,
		requestID, requestID, truncate(state, 32), s.stamp(), invID)
	return err
}

// dropRefund deletes a refund row that Robokassa refused, or that was
// never sent: nothing happened, and the admin may try again.
func (s *store) dropRefund(ctx context.Context, invID int64) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM refunds WHERE inv_id = ? AND state = ?`, invID, refundRequested)
	return err
}

// balance is what the buyer has: the sum of their completed top-ups,
// minus the refunds of top-ups that were not cancelled (a refund counts
// from the moment it is requested, so money on its way back cannot be
// spent). Subscription payments buy the subscription, not balance. Only
// payments made in the given mode count: test payments moved no money.
func (s *store) balance(ctx context.Context, buyer string, test bool) (decimal.Decimal, error) {
	var k int64
	err := s.db.QueryRowContext(ctx, `
SELECT
	COALESCE((SELECT SUM(p.amount) FROM payments p JOIN orders o ON o.id = p.order_id
	          WHERE o.buyer = ? AND p.kind = 'topup' AND p.state = 'completed' AND p.test = ?), 0)
	-
	COALESCE((SELECT SUM(r.amount) FROM refunds r JOIN payments p ON p.inv_id = r.inv_id JOIN orders o ON o.id = p.order_id
	          WHERE o.buyer = ? AND p.kind = 'topup' AND p.test = ? AND r.state <> 'canceled'), 0)`,
		buyer, test, buyer, test).Scan(&k)
	if err != nil {
		return decimal.Decimal{}, fmt.Errorf("webshop: balance: %w", err)
	}
	return rubles(k), nil
}

const paymentColumns = `p.inv_id, p.order_id, o.buyer, o.product, p.kind, COALESCE(p.parent_inv_id, 0), p.amount, p.state, p.test,
	p.note, p.fee, p.method, p.created_at, p.completed_at, COALESCE(r.state, ''), COALESCE(r.request_id, '')`

const paymentFrom = ` FROM payments p JOIN orders o ON o.id = p.order_id LEFT JOIN refunds r ON r.inv_id = p.inv_id`

func scanPayment(row interface{ Scan(...any) error }) (payment, error) {
	var p payment
	var amount int64
	var created, completed string
	err := row.Scan(&p.InvID, &p.OrderID, &p.Buyer, &p.Product, &p.Kind, &p.ParentInvID, &amount, &p.State, &p.Test,
		&p.Note, &p.Fee, &p.Method, &created, &completed, &p.RefundState, &p.RefundRequestID)
	if err != nil {
		return payment{}, err
	}
	p.Amount = rubles(amount)
	p.CreatedAt, _ = time.Parse(stampFormat, created)
	if completed != "" {
		p.CompletedAt, _ = time.Parse(stampFormat, completed)
	}
	return p, nil
}

// payment returns one payment.
func (s *store) payment(ctx context.Context, invID int64) (payment, error) {
	return readPayment(ctx, s.db, invID)
}

// querier is a *sql.DB or a *sql.Tx.
type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func readPayment(ctx context.Context, q querier, invID int64) (payment, error) {
	p, err := scanPayment(q.QueryRowContext(ctx, `SELECT `+paymentColumns+paymentFrom+` WHERE p.inv_id = ?`, invID))
	if errors.Is(err, sql.ErrNoRows) {
		return payment{}, fmt.Errorf("%w: %d", errUnknownPayment, invID)
	}
	return p, err
}

// maxListed bounds the payments a page lists.
const maxListed = 500

// payments lists payments, newest first: the buyer's, or everyone's when
// buyer is "".
func (s *store) payments(ctx context.Context, buyer string) ([]payment, error) {
	q := `SELECT ` + paymentColumns + paymentFrom
	var args []any
	if buyer != "" {
		q += ` WHERE o.buyer = ?`
		args = append(args, buyer)
	}
	q += ` ORDER BY p.created_at DESC, p.inv_id LIMIT ` + fmt.Sprint(maxListed)
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("webshop: list payments: %w", err)
	}
	defer rows.Close()
	var out []payment
	for rows.Next() {
		p, err := scanPayment(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// truncate shortens s to at most n bytes without cutting a character.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
