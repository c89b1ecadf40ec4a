package robokassatest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/robokassa-go/robokassa"
)

// Delivery kinds.
const (
	KindResultURL  = "ResultURL"
	KindResultURL2 = "ResultUrl2"
	KindSuccessURL = "SuccessURL"
	KindFailURL    = "FailURL"
)

// Delivery is one notification or redirect the server sent, with every
// attempt at it.
type Delivery struct {
	// Kind is KindResultURL, KindResultURL2, KindSuccessURL or
	// KindFailURL (the last two also for SuccessUrl2 and FailUrl2).
	Kind   string
	InvID  int64
	URL    string
	Method string
	// Form is what was sent; a ResultUrl2 notification carries the JWS
	// in Body instead.
	Form url.Values
	Body string
	// Attempts are the tries, in order. A redirect handed to a real
	// browser (Browser true) has none: the emulator does not see it
	// followed.
	Attempts []Attempt
	// OK reports that it was acknowledged: "OK<InvId>" with status 200
	// for ResultURL, any 2xx for ResultUrl2, any 2xx or 3xx for a
	// redirect the emulator followed.
	OK bool
	// Browser reports a redirect sent to the buyer's browser by the
	// payment page rather than followed by [Server.Pay] or [Server.Fail].
	Browser bool
}

// Attempt is one try at a delivery.
type Attempt struct {
	At time.Time
	// Status is the HTTP status, 0 when no answer came.
	Status int
	// Body is the start of the answer (at most 256 bytes).
	Body string
	// Err says why no answer came.
	Err string
}

// delivery is the server's record of a Delivery; the server's mutex
// guards attempts and ok.
type delivery struct {
	Delivery
	done bool
}

// maxAnswer is how much of an answer is read; answerExcerpt how much is
// kept.
const (
	maxAnswer     = 1 << 10
	answerExcerpt = 256
)

// maxResultURL2Retries bounds ResultUrl2's retries (spec §4.4).
const maxResultURL2Retries = 5

// hop is where the buyer's browser goes next; url "" means nowhere (the
// emulator's own page).
type hop struct {
	kind   string
	invID  int64
	url    string
	method string
	form   url.Values
	paid   bool
}

// record adds a delivery to the log, in order; the caller holds the lock.
func (s *Server) record(d *delivery) {
	s.log = append(s.log, d)
	if !d.Browser {
		if s.pending == 0 {
			s.idle = make(chan struct{})
		}
		s.pending++
	} else {
		d.done = true
	}
}

// finish marks a delivery as having no more attempts coming.
func (s *Server) finish(d *delivery) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if d.done {
		return
	}
	d.done = true
	if s.pending--; s.pending == 0 {
		close(s.idle)
	}
}

// Notifications returns every notification and redirect the server has
// sent, in the order they were first sent, each with its attempts so far.
func (s *Server) Notifications() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Delivery, len(s.log))
	for i, d := range s.log {
		c := d.Delivery
		c.Form = cloneValues(d.Form)
		c.Attempts = append([]Attempt(nil), d.Attempts...)
		out[i] = c
	}
	return out
}

// Wait blocks until no notification is being sent or waiting for a
// retry (each was acknowledged, or its attempts ran out), or ctx ends.
// Notifications that API calls cause (a recurring charge, a captured
// hold) are sent after the call has been answered, as Robokassa sends
// them: Wait for them before checking the shop's records.
func (s *Server) Wait(ctx context.Context) error {
	s.mu.Lock()
	if s.pending == 0 {
		s.mu.Unlock()
		return nil
	}
	idle := s.idle
	s.mu.Unlock()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func cloneValues(v url.Values) url.Values {
	if v == nil {
		return nil
	}
	c := make(url.Values, len(v))
	for k, vs := range v {
		c[k] = append([]string(nil), vs...)
	}
	return c
}

// resultForm is the ResultURL notification of op (spec §4.1): OutSum and
// Fee with six decimals, every Shp_ exactly as received, signed with
// Password #2 (the test one in test mode). No EMail in test mode
// (spec §13). The caller holds the lock.
func resultNotification(op *operation) url.Values {
	v := url.Values{}
	v.Set("OutSum", op.outSum.StringFixed(6))
	v.Set("InvId", strconv.FormatInt(op.invID, 10))
	v.Set("Fee", op.fee().StringFixed(6))
	if op.email != "" && !op.test {
		v.Set("EMail", op.email)
	}
	m := methodOf(op.label)
	v.Set("PaymentMethod", m.alias)
	v.Set("IncCurrLabel", m.label)
	if op.test {
		v.Set("IsTest", "1")
	}
	for _, f := range op.shp {
		v.Set(f.name, f.value)
	}
	pass := op.shop.Password2
	if op.test {
		pass = op.shop.TestPassword2
	}
	v.Set("SignatureValue", Sign(robokassa.Config{Algorithm: op.shop.Algorithm}, base(v, string(pass))))
	return v
}

// successRedirect is the SuccessURL redirect (spec §4.2), signed with
// Password #1 (the test one in test mode), lower-case hex as Robokassa
// has been seen to send it. SuccessUrl2 gets the same parameters.
func successRedirect(op *operation) url.Values {
	v := redirectBase(op)
	if op.test {
		v.Set("IsTest", "1")
	}
	pass, _ := op.shop.password1(op.test)
	v.Set("SignatureValue", strings.ToLower(Sign(robokassa.Config{Algorithm: op.shop.Algorithm}, base(v, pass))))
	return v
}

// redirectBase holds what both redirects carry: OutSum, InvId, Culture
// and the Shp_ parameters. FailURL carries only this (spec §4.3).
func redirectBase(op *operation) url.Values {
	v := url.Values{}
	v.Set("OutSum", op.outSum.StringFixed(2))
	v.Set("InvId", strconv.FormatInt(op.invID, 10))
	if op.culture != "" {
		v.Set("Culture", op.culture)
	}
	for _, f := range op.shp {
		v.Set(f.name, f.value)
	}
	return v
}

// resultDelivery builds op's ResultURL notification, or nil when the shop
// has no ResultURL. The caller holds the lock and records it.
func resultDelivery(op *operation) *delivery {
	if op.shop.ResultURL == "" {
		return nil
	}
	op.notified = true
	return &delivery{Delivery: Delivery{
		Kind: KindResultURL, InvID: op.invID, URL: op.shop.ResultURL,
		Method: op.shop.resultMethod, Form: resultNotification(op),
	}}
}

// resultURL2Delivery builds op's ResultUrl2 notification in state "OK" or
// "HOLD", or nil when the payment asked for none or is a test (spec §4.4).
func (s *Server) resultURL2Delivery(op *operation, state string) *delivery {
	if op.resultURL2 == "" || op.test {
		return nil
	}
	return &delivery{Delivery: Delivery{
		Kind: KindResultURL2, InvID: op.invID, URL: op.resultURL2, Method: http.MethodPost,
		Body: s.signResultURL2(op, state),
	}}
}

// pay is the buyer pressing Pay on op's page with a payment option and an
// e-mail: paid (100) or, for StepByStep, held (20). The ResultURL
// notification (not for a hold) and the ResultUrl2 one get their first
// attempt before pay returns. With browser false the redirect is
// followed as a browser would; otherwise it is returned for the page to
// send.
func (s *Server) pay(op *operation, label, email string, browser bool) (hop, error) {
	now := time.Now()
	s.mu.Lock()
	if !op.awaiting(now) {
		err := &StateError{InvID: op.invID, State: op.state, Expired: op.expired || !op.expires.IsZero() && !now.Before(op.expires)}
		s.mu.Unlock()
		return hop{}, err
	}
	if knownMethod(label) {
		op.label = methodOf(label).label
	}
	if email != "" {
		op.email = email
	}
	op.rrn = newRRN()
	var notes []*delivery
	if op.stepByStep {
		op.setState(robokassa.StateHeld, now)
		notes = append(notes, s.resultURL2Delivery(op, "HOLD"))
	} else {
		op.setState(robokassa.StatePaid, now)
		notes = append(notes, resultDelivery(op), s.resultURL2Delivery(op, "OK"))
	}
	if inv := op.invoice; inv != nil {
		inv.alias, inv.paidAt = methodOf(op.label).alias, now
		inv.paid = inv.paid || inv.typ == string(robokassa.InvoiceOneTime)
	}
	h := hop{kind: KindSuccessURL, invID: op.invID, url: op.shop.SuccessURL, method: op.shop.successMethod, paid: true}
	if op.success2.url != "" {
		h.url, h.method = op.success2.url, op.success2.method
	}
	if h.url != "" {
		h.form = successRedirect(op)
	}
	for _, d := range notes {
		if d != nil {
			s.record(d)
		}
	}
	s.mu.Unlock()
	for _, d := range notes {
		if d != nil {
			s.run(d)
		}
	}
	return h, s.follow(h, browser)
}

// decline is the buyer pressing Decline: state 10, no notification, the
// FailURL redirect (unsigned, spec §4.3).
func (s *Server) decline(op *operation, browser bool) (hop, error) {
	now := time.Now()
	s.mu.Lock()
	if !op.awaiting(now) {
		err := &StateError{InvID: op.invID, State: op.state, Expired: op.expired}
		s.mu.Unlock()
		return hop{}, err
	}
	op.setState(robokassa.StateCancelled, now)
	h := hop{kind: KindFailURL, invID: op.invID, url: op.shop.FailURL, method: op.shop.failMethod}
	if op.fail2.url != "" {
		h.url, h.method = op.fail2.url, op.fail2.method
	}
	if h.url != "" {
		h.form = redirectBase(op)
	}
	s.mu.Unlock()
	return h, s.follow(h, browser)
}

// follow records a redirect and, unless a real browser takes it, follows
// it once as a browser would: GET with the query, or POST with the form.
func (s *Server) follow(h hop, browser bool) error {
	if h.url == "" {
		return nil
	}
	d := &delivery{Delivery: Delivery{Kind: h.kind, InvID: h.invID, URL: h.url, Method: h.method, Form: h.form, Browser: browser}}
	s.mu.Lock()
	s.record(d)
	s.mu.Unlock()
	if !browser {
		s.attempt(d)
		s.finish(d)
	}
	return nil
}

// payable finds the operation a buyer would pay or decline by InvId.
func (s *Server) payable(invID int64) (*operation, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	op := s.store.latest(invID, func(o *operation) bool { return o.state == robokassa.StateInitiated })
	if op == nil {
		if any := s.store.latest(invID, nil); any != nil {
			return nil, &StateError{InvID: invID, State: any.state, Expired: any.expired}
		}
		return nil, fmt.Errorf("%w: no operation with InvId %d (open the payment page first)", ErrNoOperation, invID)
	}
	return op, nil
}

// Pay is the buyer pressing Pay on the page of the operation with the
// InvId (the most recent one waiting for payment): it becomes paid (100),
// or held (20) for StepByStep. The ResultURL notification (none for a
// hold: spec §6) and the ResultUrl2 one get their first attempt before
// Pay returns, further attempts follow the Retries schedule; then the
// redirect to SuccessURL (or SuccessUrl2) is followed as a browser would.
// How each was answered is in [Server.Notifications]: Pay reports only
// an operation that is missing, expired or not waiting for payment.
func (s *Server) Pay(invID int64) error {
	op, err := s.payable(invID)
	if err != nil {
		return err
	}
	_, err = s.pay(op, "", "", false)
	return err
}

// Fail is the buyer pressing Decline on the page of the operation with
// the InvId: it becomes cancelled (10), no ResultURL notification is
// sent, and the redirect to FailURL (or FailUrl2) is followed as a
// browser would.
func (s *Server) Fail(invID int64) error {
	op, err := s.payable(invID)
	if err != nil {
		return err
	}
	_, err = s.decline(op, false)
	return err
}

// Redeliver sends the ResultURL notification of the most recent notified
// operation with the InvId again: copies of it at once, released
// together so they reach the shop concurrently. It returns once each has
// had its first attempt; unacknowledged ones are retried on the Retries
// schedule. A shop's handler must stay idempotent under this.
func (s *Server) Redeliver(invID int64, copies int) error {
	if copies < 1 {
		return fmt.Errorf("%w: Redeliver needs at least one copy, got %d", ErrInvalidArgument, copies)
	}
	s.mu.Lock()
	op := s.store.latest(invID, func(o *operation) bool { return o.notified })
	if op == nil || op.shop.ResultURL == "" {
		s.mu.Unlock()
		return fmt.Errorf("%w: no ResultURL notification was sent for InvId %d", ErrNoOperation, invID)
	}
	ds := make([]*delivery, copies)
	for i := range ds {
		ds[i] = resultDelivery(op)
		s.record(ds[i])
	}
	s.mu.Unlock()
	start := make(chan struct{})
	var first sync.WaitGroup
	first.Add(len(ds))
	for _, d := range ds {
		if !s.spawn(func() {
			<-start
			ok := s.attempt(d)
			first.Done()
			if ok {
				s.finish(d)
			} else {
				s.retryLoop(d)
			}
		}) {
			first.Done()
			s.finish(d)
		}
	}
	close(start)
	first.Wait()
	return nil
}

// run makes a delivery's first attempt in the caller's goroutine and, if
// it was not acknowledged, its retries in the background.
func (s *Server) run(d *delivery) {
	if s.attempt(d) {
		s.finish(d)
		return
	}
	if !s.spawn(func() { s.retryLoop(d) }) {
		s.finish(d)
	}
}

// retryLoop makes a delivery's further attempts on the Retries schedule
// (at most five for ResultUrl2), until one is acknowledged, the schedule
// runs out or the server closes.
func (s *Server) retryLoop(d *delivery) {
	defer s.finish(d)
	waits := s.retries
	if d.Kind == KindResultURL2 && len(waits) > maxResultURL2Retries {
		waits = waits[:maxResultURL2Retries]
	}
	for _, wait := range waits {
		if !s.sleep(s.ctx, wait) || s.attempt(d) {
			return
		}
	}
}

// runLater sends d entirely in the background: the notifications an API
// call causes go out after its answer.
func (s *Server) runLater(d *delivery) {
	if !s.spawn(func() { s.run(d) }) {
		s.finish(d)
	}
}

// attempt tries a delivery once, records the answer and reports whether
// it was acknowledged.
func (s *Server) attempt(d *delivery) bool {
	a := Attempt{At: time.Now()}
	ok := false
	req, err := d.request(s.ctx)
	if err == nil {
		var resp *http.Response
		if resp, err = s.hc.Do(req); err == nil {
			body, _ := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // lets the connection be reused
			resp.Body.Close()
			a.Status = resp.StatusCode
			a.Body = string(body[:min(len(body), answerExcerpt)])
			ok = d.acknowledged(resp.StatusCode, body)
		}
	}
	if err != nil {
		a.Err = redactURLError(err)
	}
	s.mu.Lock()
	d.Attempts = append(d.Attempts, a)
	d.OK = d.OK || ok
	n := len(d.Attempts)
	s.mu.Unlock()
	if s.Logger != nil {
		s.logf("robokassatest: notification", "kind", d.Kind, "inv_id", d.InvID, "url", stripQuery(d.URL),
			"method", d.Method, "attempt", n, "status", a.Status, "ok", ok, "error", a.Err)
	}
	return ok
}

// request builds the HTTP request of one attempt.
func (d *delivery) request(ctx context.Context) (*http.Request, error) {
	switch {
	case d.Kind == KindResultURL2:
		r, err := http.NewRequestWithContext(ctx, http.MethodPost, d.URL, strings.NewReader(d.Body))
		if err == nil {
			r.Header.Set("Content-Type", "text/plain; charset=utf-8")
		}
		return r, err
	case d.Method == http.MethodGet:
		return http.NewRequestWithContext(ctx, http.MethodGet, withQuery(d.URL, d.Form), nil)
	}
	r, err := http.NewRequestWithContext(ctx, http.MethodPost, d.URL, strings.NewReader(d.Form.Encode()))
	if err == nil {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	return r, err
}

// acknowledged applies the delivery kind's rule to an answer.
func (d *delivery) acknowledged(status int, body []byte) bool {
	switch d.Kind {
	case KindResultURL:
		return status == http.StatusOK && string(body) == "OK"+strconv.FormatInt(d.InvID, 10)
	case KindResultURL2:
		return status >= 200 && status < 300
	}
	return status >= 200 && status < 400
}

// redactURLError describes a failed attempt without the query string,
// which carries the signature.
func redactURLError(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Op + " " + stripQuery(ue.URL) + ": " + ue.Err.Error()
	}
	return err.Error()
}

func stripQuery(u string) string {
	if i := strings.IndexByte(u, '?'); i >= 0 {
		return u[:i]
	}
	return u
}
