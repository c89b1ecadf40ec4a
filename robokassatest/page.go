package robokassatest

import (
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"

	"github.com/robokassa-go/robokassa"
)

// Bounds on what a stranger can send the payment page.
const (
	maxPageBody   = 256 << 10 // a POSTed payment with a long receipt
	maxFormParams = 512
	maxEmail      = 254
)

// pageError is an error page: a payment-page error code (spec §12) and
// what exactly was wrong. base, for error 29, is the base string the
// emulator expected, with the password masked.
type pageError struct {
	code   int
	detail string
	base   string
}

// errorMeanings are the payment page's codes (spec §12), as the error
// page names them.
var errorMeanings = map[int]string{
	25: "shop not activated or wrong MerchantLogin",
	26: "shop not found",
	29: "invalid SignatureValue",
	30: "invalid invoice parameter",
	31: "invalid amount: OutSum missing, zero or malformed",
	33: "time allowed for payment expired",
	34: "recurring payments are not enabled for the shop",
	35: "invalid recurring payment parameters",
	40: "repeated payment of the same InvId",
	51: "invoice expired",
	52: "invoice already paid",
	53: "invoice not found",
	64: "holding is not enabled for the shop",
	65: "invalid holding parameters",
}

func errPage(code int, detail string) *pageError { return &pageError{code: code, detail: detail} }

// readForm reads a request's parameters (query, and a POSTed form),
// bounded in size and count.
func readForm(w http.ResponseWriter, r *http.Request, limit int64) (url.Values, *pageError) {
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	if err := r.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, errPage(30, "the request body is larger than "+strconv.FormatInt(limit, 10)+" bytes")
		}
		return nil, errPage(30, "the request is not a valid form or query string")
	}
	n := 0
	for _, vs := range r.Form {
		n += len(vs)
	}
	if n > maxFormParams {
		return nil, errPage(30, "the request has more than "+strconv.Itoa(maxFormParams)+" parameters")
	}
	return r.Form, nil
}

// checkDuplicates refuses a repeated parameter; only PaymentMethods may
// repeat (spec §3). A repeated signed value is how a forged amount slips
// past a reader that takes another copy than the signature check.
func checkDuplicates(form url.Values) *pageError {
	for k, vs := range form {
		if len(vs) > 1 && k != "PaymentMethods" {
			return errPage(30, "parameter "+strconv.Quote(truncate(k, 40))+" is repeated")
		}
	}
	return nil
}

// testFlag reads IsTest: "1" or "true" is test mode, "0", "false" or
// nothing production.
func testFlag(v string) (bool, *pageError) {
	switch strings.ToLower(v) {
	case "1", "true":
		return true, nil
	case "", "0", "false":
		return false, nil
	}
	return false, errPage(30, `IsTest must be "1" or absent`)
}

// password1 returns the password a request is checked with, and how the
// error page names it.
func (sh *shop) password1(test bool) (pass, name string) {
	if test {
		return string(sh.TestPassword1), "[test Password #1]"
	}
	return string(sh.Password1), "[Password #1]"
}

// checkSignature compares got (hex, either case) with the hash of base
// under the shop's algorithm in constant time.
func (sh *shop) checkSignature(base, got string) bool {
	want, _ := hex.DecodeString(Sign(robokassa.Config{Algorithm: sh.Algorithm}, base))
	raw, err := hex.DecodeString(got)
	return err == nil && subtle.ConstantTimeCompare(want, raw) == 1
}

// badSignature is error 29 with the expected base string, the password
// masked: the debugging aid Robokassa does not give.
func (sh *shop) badSignature(base, detail string) *pageError {
	alg := string(sh.Algorithm)
	if alg == "" {
		alg = "MD5"
	}
	return &pageError{code: 29, base: base, detail: detail + " The emulator expected the " + alg + " hash of the base string below."}
}

// isShpName reports whether k is a Shp_ parameter name (any letter case
// of the prefix) and returns whether the rest is [A-Za-z0-9_]+.
func isShpName(k string) (shp, valid bool) {
	if len(k) < 4 || !strings.EqualFold(k[:4], "shp_") {
		return false, false
	}
	rest := k[4:]
	for i := 0; i < len(rest); i++ {
		c := rest[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_') {
			return true, false
		}
	}
	return true, rest != ""
}

// shpFields returns the form's Shp_ parameters sorted by name in byte
// order (spec §3.3), checking their names.
func shpFields(form url.Values) ([]shpField, *pageError) {
	var out []shpField
	for _, k := range sortedKeys(form) {
		shp, valid := isShpName(k)
		if !shp {
			continue
		}
		if !valid {
			return nil, errPage(30, "Shp_ parameter names are Shp_ followed by letters, digits and '_' (spec §3.3)")
		}
		out = append(out, shpField{k, form.Get(k)})
	}
	return out, nil
}

// payment is a validated payment request, ready to become an operation.
type payment struct {
	shop        *shop
	test        bool
	invID       int64 // 0: Robokassa assigns one
	outSum      decimal.Decimal
	currency    string
	description string
	email       string
	culture     string
	label       string
	shp         []shpField
	receipt     string
	lines       []ReceiptLine
	recurring   bool
	stepByStep  bool
	token       string
	resultURL2  string
	success2    redirect
	fail2       redirect
	expires     time.Time
	source      string
	invoice     *invoice
}

// checkPayment checks a payment-page request as Robokassa does (spec §3,
// §7, §12) and returns the payment or the error page. CoF requests
// (source "CoFPayment") need a Token.
func (s *Server) checkPayment(form url.Values, source string) (*payment, *pageError) {
	if perr := checkDuplicates(form); perr != nil {
		return nil, perr
	}
	sh := s.shopByLogin(form.Get("MerchantLogin"))
	if sh == nil {
		return nil, errPage(26, "no shop has this MerchantLogin")
	}
	test, perr := testFlag(form.Get("IsTest"))
	if perr != nil {
		return nil, perr
	}
	p := &payment{shop: sh, test: test, source: source}
	var ok bool
	if p.outSum, ok = parseSum(form.Get("OutSum")); !ok || !p.outSum.IsPositive() {
		return nil, errPage(31, "OutSum must be a number greater than zero with at most 2 decimal places, such as 990.00")
	}
	pass, masked := sh.password1(test)
	if test && pass == "" {
		return nil, sh.badSignature(PaymentBase(form, masked), "IsTest=1, but the shop has no test passwords.")
	}
	if !sh.checkSignature(PaymentBase(form, pass), form.Get("SignatureValue")) {
		detail := "SignatureValue does not match."
		if test {
			detail += " IsTest=1: the request must be signed with the test Password #1 (production passwords in test mode give error 29)."
		}
		return nil, sh.badSignature(PaymentBase(form, masked), detail)
	}
	if perr := p.readFields(form); perr != nil {
		return nil, perr
	}
	if perr := s.checkModes(p, form, source); perr != nil {
		return nil, perr
	}
	return p, nil
}

// readFields reads and checks the fields of a signed request.
func (p *payment) readFields(form url.Values) *pageError {
	if v := form.Get("InvId"); v != "" && v != "0" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return errPage(30, "InvId must be a number from 1 to 9223372036854775807")
		}
		p.invID = id
	}
	p.description = form.Get("Description")
	if !utf8.ValidString(p.description) || utf8.RuneCountInString(p.description) > 100 {
		return errPage(30, "Description must be at most 100 characters of UTF-8")
	}
	switch p.currency = form.Get("OutSumCurrency"); p.currency {
	case "", "USD", "EUR", "KZT":
	default:
		return errPage(30, "OutSumCurrency must be USD, EUR or KZT")
	}
	if p.email = strings.TrimSpace(form.Get("Email")); len(p.email) > maxEmail {
		return errPage(30, "Email is too long")
	}
	if c := form.Get("Culture"); c == "ru" || c == "en" {
		p.culture = c
	}
	p.label = catalogue[0].label
	if l := form.Get("IncCurrLabel"); knownMethod(l) {
		p.label = methodOf(l).label
	}
	for _, m := range form["PaymentMethods"] { // they win over IncCurrLabel
		if knownMethod(m) {
			p.label = methodOf(m).label
			break
		}
	}
	if v := form.Get("ExpirationDate"); v != "" {
		t, ok := parseTime(v)
		if !ok {
			return errPage(30, "ExpirationDate must be ISO 8601, e.g. 2029-01-16T12:00:00+03:00")
		}
		if !t.After(time.Now()) {
			return errPage(33, "ExpirationDate "+v+" has passed")
		}
		p.expires = t
	}
	if p.receipt = form.Get("Receipt"); p.receipt != "" {
		lines, total, err := parseReceiptValue(p.receipt)
		if err != nil {
			return errPage(30, err.Error())
		}
		if !total.Equal(p.outSum) {
			return errPage(30, "the receipt's lines add up to "+total.StringFixed(2)+", but OutSum is "+p.outSum.StringFixed(2)+" (spec §11)")
		}
		p.lines = lines
	}
	if v := form.Get("ResultUrl2"); v != "" {
		if !isAbsHTTP(v) {
			return errPage(30, "ResultUrl2 must be an absolute http or https URL")
		}
		p.resultURL2 = v
	}
	var perr *pageError
	if p.success2, perr = readRedirect(form, "SuccessUrl2"); perr != nil {
		return perr
	}
	if p.fail2, perr = readRedirect(form, "FailUrl2"); perr != nil {
		return perr
	}
	p.shp, perr = shpFields(form)
	return perr
}

// readRedirect reads a per-payment redirect and its method: both or
// neither, an absolute http(s) URL, GET or POST.
func readRedirect(form url.Values, name string) (redirect, *pageError) {
	u, m := form.Get(name), form.Get(name+"Method")
	switch {
	case u == "" && m == "":
		return redirect{}, nil
	case u == "" || m == "":
		return redirect{}, errPage(30, name+" and "+name+"Method go together")
	case m != http.MethodGet && m != http.MethodPost:
		return redirect{}, errPage(30, name+"Method must be GET or POST")
	case !isAbsHTTP(u):
		return redirect{}, errPage(30, name+" must be an absolute http or https URL")
	}
	return redirect{u, m}, nil
}

// checkModes checks recurring, hold and saved-card rules (spec §5–§7).
func (s *Server) checkModes(p *payment, form url.Values, source string) *pageError {
	switch v := form.Get("Recurring"); strings.ToLower(v) {
	case "":
	case "true":
		p.recurring = true
		if p.shop.NoRecurring {
			return errPage(34, "Recurring=true, but recurring payments are not enabled for the shop")
		}
	default:
		return errPage(30, `Recurring must be "true" or absent`)
	}
	switch v := form.Get("StepByStep"); {
	case v == "":
	case p.shop.NoHold:
		return errPage(64, "StepByStep is set, but holding is not enabled for the shop")
	case v != "true":
		return errPage(65, `StepByStep must be the literal "true" (spec §6)`)
	case p.test:
		return errPage(65, "holds do not exist in test mode (spec §13)")
	case p.recurring:
		return errPage(65, "a hold cannot be the parent of a recurring series")
	default:
		p.stepByStep = true
	}
	p.token = form.Get("Token")
	switch {
	case p.token == "" && source == "CoFPayment":
		return errPage(30, "a saved-card payment needs Token, the OpKey of an earlier payment (spec §7)")
	case p.token == "":
		return nil
	case p.stepByStep:
		return errPage(65, "Token cannot be combined with StepByStep (spec §7)")
	case p.recurring:
		return errPage(30, "Token cannot be combined with Recurring (spec §7)")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if card := s.store.byOpKey[p.token]; card == nil || card.shop != p.shop || card.test || card.state != robokassa.StatePaid {
		return errPage(30, "Token is not the OpKey of a paid payment of this shop (spec §7)")
	}
	return nil
}

// parseTime reads ISO 8601 with an offset, or without one as Moscow time
// (UTC+3), with or without seconds.
func parseTime(v string) (time.Time, bool) {
	if len(v) > 64 {
		return time.Time{}, false
	}
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t, true
	}
	for _, layout := range []string{"2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, v, moscow); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// moscow is Robokassa's time zone (UTC+3, no daylight saving).
var moscow = time.FixedZone("MSK", 3*60*60)

// createOperation turns a checked payment into an operation (state 5):
// error 40 when a real payment with the InvId already took money, 33 when
// it expired. An unpaid operation with the same InvId, or a test one, is
// replaced.
func (s *Server) createOperation(p *payment) (*operation, *pageError) {
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if p.invID == 0 {
		p.invID = s.assignInvID(p.shop)
	} else if old := s.store.find(p.shop, p.invID, p.test); old != nil && !p.test {
		switch {
		case old.moneyTaken():
			return nil, errPage(40, "InvId "+strconv.FormatInt(p.invID, 10)+" was already paid: every payment needs a new InvId")
		case old.expired:
			return nil, errPage(33, "the payment with InvId "+strconv.FormatInt(p.invID, 10)+" expired")
		}
	}
	op := &operation{
		shop: p.shop, invID: p.invID, test: p.test, outSum: p.outSum, currency: p.currency,
		description: p.description, email: p.email, culture: p.culture, label: p.label,
		shp: p.shp, receipt: p.receipt, lines: p.lines, recurring: p.recurring,
		stepByStep: p.stepByStep, token: p.token, resultURL2: p.resultURL2,
		success2: p.success2, fail2: p.fail2, expires: p.expires, source: p.source,
		invoice: p.invoice, opKey: newOpKey(), created: now,
	}
	op.setState(robokassa.StateInitiated, now)
	s.store.add(op)
	return op, nil
}

// handleIndex serves Merchant/Index.aspx (spec §3).
func (s *Server) handleIndex(w http.ResponseWriter, r *http.Request) {
	s.paymentRequest(w, r, "Index.aspx")
}

// handleCoF serves Merchant/Payment/CoFPayment (spec §7).
func (s *Server) handleCoF(w http.ResponseWriter, r *http.Request) {
	s.paymentRequest(w, r, "CoFPayment")
}

func (s *Server) paymentRequest(w http.ResponseWriter, r *http.Request, source string) {
	form, perr := readForm(w, r, maxPageBody)
	if perr == nil {
		var p *payment
		if p, perr = s.checkPayment(form, source); perr == nil {
			var op *operation
			if op, perr = s.createOperation(p); perr == nil {
				s.showPage(w, op)
				return
			}
		}
	}
	s.errorPage(w, http.StatusOK, *perr)
}

// handleSubmit serves the page's Pay and Decline buttons.
func (s *Server) handleSubmit(w http.ResponseWriter, r *http.Request) {
	form, perr := readForm(w, r, 16<<10)
	if perr != nil {
		s.errorPage(w, http.StatusOK, *perr)
		return
	}
	s.mu.Lock()
	op, err := s.opByPage(form.Get("op"), form.Get("t"))
	current := err == nil && s.store.find(op.shop, op.invID, op.test) == op
	s.mu.Unlock()
	if !current {
		s.errorPage(w, http.StatusOK, pageError{code: 30, detail: "this payment page is unknown or was replaced by a newer one"})
		return
	}
	email := strings.TrimSpace(form.Get("Email"))
	if len(email) > maxEmail {
		email = ""
	}
	var h hop
	switch form.Get("action") {
	case "pay":
		h, err = s.pay(op, form.Get("IncCurrLabel"), email, true)
	case "decline":
		h, err = s.decline(op, true)
	default:
		s.errorPage(w, http.StatusOK, pageError{code: 30, detail: "press Pay or Decline"})
		return
	}
	if err != nil {
		s.errorPage(w, http.StatusOK, *stateError(err))
		return
	}
	s.sendBrowser(w, r, h)
}

// stateError turns a refusal of pay or decline into an error page.
func stateError(err error) *pageError {
	var se *StateError
	if errors.As(err, &se) && se.Expired {
		return errPage(33, se.Error())
	}
	return errPage(40, err.Error())
}

// sendBrowser hands the buyer's browser its next hop: a 302 for GET, an
// auto-submitting form for POST, or the emulator's own page when the shop
// set no address.
func (s *Server) sendBrowser(w http.ResponseWriter, r *http.Request, h hop) {
	switch {
	case h.url == "":
		s.donePage(w, h)
	case h.method == http.MethodPost:
		s.postPage(w, h)
	default:
		http.Redirect(w, r, withQuery(h.url, h.form), http.StatusFound)
	}
}

// withQuery appends a query to u, after any query u has.
func withQuery(u string, v url.Values) string {
	if len(v) == 0 {
		return u
	}
	sep := "?"
	if strings.Contains(u, "?") {
		sep = "&"
	}
	return u + sep + v.Encode()
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
