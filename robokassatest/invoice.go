package robokassatest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"

	"github.com/robokassa-go/robokassa"
)

// The Invoice API (spec §9.1): POST
// InvoiceServiceWebApi/api/{CreateInvoice,DeactivateInvoice,GetInvoiceInformationList},
// the body a JWT as a JSON string literal, HMAC with the shop's algorithm
// keyed MerchantLogin:Password1. Every answer is HTTP 200 with an
// isSuccess flag; a refusal carries "message".
//
// A link, GET merchant/Invoice/<EncodedID>, leads to the same payment page
// as Index.aspx: error 53 when it is unknown or deactivated, 51 when it
// expired, 52 when a one-time link was paid. A one-time link's payment
// has the invoice's InvId; each payment of a reusable link gets an InvId
// of its own (assigned, as Robokassa assigns them). Robokassa adds
// Shp_interface=InvoiceService.WebApi to their notifications, and so does
// the emulator (spec §3.3).

// invoice is a payment link; the server's mutex guards it.
type invoice struct {
	id, encoded string
	shop        *shop
	typ         string // "OneTime" or "Reusable"
	invID       int64
	outSum      decimal.Decimal
	description string
	comments    string
	culture     string
	shp         []shpField
	lines       []ReceiptLine
	success2    redirect
	fail2       redirect
	expires     time.Time
	created     time.Time
	recurring   bool
	stepByStep  bool
	token       string
	resultURL2  string
	email       string
	deactivated bool
	expired     bool // by Server.Expire
	paid        bool // a one-time link was paid
	paidAt      time.Time
	alias       string // PaymentMethod of the last payment
}

// invoiceStore holds the links of every shop.
type invoiceStore struct {
	list      []*invoice
	byEncoded map[string]*invoice
	byInv     map[int64]*invoice // the latest link with the InvId
}

func newInvoiceStore() invoiceStore {
	return invoiceStore{byEncoded: make(map[string]*invoice), byInv: make(map[int64]*invoice)}
}

func (st *invoiceStore) byInvID(id int64) *invoice { return st.byInv[id] }

func (st *invoiceStore) add(inv *invoice) {
	st.list = append(st.list, inv)
	st.byEncoded[inv.encoded] = inv
	st.byInv[inv.invID] = inv
}

// status is the link's state as GetInvoiceInformationList reports it.
func (inv *invoice) status(now time.Time) string {
	switch {
	case inv.paid:
		return string(robokassa.InvoiceStatePaid)
	case inv.deactivated || inv.expired || !inv.expires.IsZero() && !now.Before(inv.expires):
		return string(robokassa.InvoiceStateExpired)
	}
	return string(robokassa.InvoiceStateNotPaid)
}

// newEncodedID returns a link's last path segment: 14 letters and digits.
func newEncodedID() string {
	const alnum = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	b := randomBytes(14)
	for i := range b {
		b[i] = alnum[int(b[i])%len(alnum)]
	}
	return string(b)
}

// invoiceReply writes an Invoice API answer.
func invoiceReply(w http.ResponseWriter, v any) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write(b.Bytes())
}

type invoiceRefusal struct {
	IsSuccess bool   `json:"isSuccess"`
	Message   string `json:"message"`
}

func refuseInvoice(w http.ResponseWriter, msg string) { invoiceReply(w, invoiceRefusal{false, msg}) }

// invoiceCall reads and verifies an Invoice API request: it returns the
// shop and the payload, or writes the refusal and returns nil.
func (s *Server) invoiceCall(w http.ResponseWriter, r *http.Request, out any) *shop {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxJWT+16))
	if err != nil {
		refuseInvoice(w, "the request body is not readable or too large")
		return nil
	}
	header, payload, sig, signed, err := jwtParts(jsonStringBody(body))
	if err != nil {
		refuseInvoice(w, "the body must be a JWT as a JSON string (spec §9.1): "+err.Error())
		return nil
	}
	var login struct{ MerchantLogin string }
	if json.Unmarshal(payload, &login) != nil {
		refuseInvoice(w, "the JWT payload is not a JSON object")
		return nil
	}
	sh := s.shopByLogin(login.MerchantLogin)
	if sh == nil {
		refuseInvoice(w, "shop not found")
		return nil
	}
	if err := verifyInvoiceJWT(sh, header, signed, sig); err != nil {
		refuseInvoice(w, "invalid signature: "+err.Error()+" (HMAC-"+algName(sh.Algorithm)+" keyed MerchantLogin:Password1 expected)")
		return nil
	}
	d := json.NewDecoder(bytes.NewReader(payload))
	d.UseNumber()
	if err := d.Decode(out); err != nil {
		refuseInvoice(w, "the JWT payload does not match the request's schema")
		return nil
	}
	return sh
}

// createInvoiceRequest is CreateInvoice's payload (spec §9.1).
type createInvoiceRequest struct {
	InvoiceType      string
	Culture          string
	InvID            json.Number `json:"InvId"`
	OutSum           json.Number
	Description      string
	MerchantComments string
	UserFields       map[string]string
	InvoiceItems     []struct {
		Name     string
		Quantity json.Number
		Cost     json.Number
		Tax      string
	}
	SuccessURL2Data      *struct{ URL, Method string } `json:"SuccessUrl2Data"`
	FailURL2Data         *struct{ URL, Method string } `json:"FailUrl2Data"`
	ExpirationDate       string
	AdditionalParameters map[string]string
}

// handleCreateInvoice serves CreateInvoice.
func (s *Server) handleCreateInvoice(w http.ResponseWriter, r *http.Request) {
	var req createInvoiceRequest
	sh := s.invoiceCall(w, r, &req)
	if sh == nil {
		return
	}
	inv, msg := newInvoice(sh, &req)
	if msg != "" {
		refuseInvoice(w, msg)
		return
	}
	s.mu.Lock()
	if inv.invID == 0 {
		inv.invID = s.assignInvID(sh)
	} else if old := s.invoices.byInv[inv.invID]; (old != nil && old.shop == sh) || s.store.find(sh, inv.invID, false) != nil {
		s.mu.Unlock()
		refuseInvoice(w, "Invoice with the same InvId already exists")
		return
	}
	s.invoices.add(inv)
	s.mu.Unlock()
	invoiceReply(w, struct {
		ID        string `json:"id"`
		InvID     int64  `json:"invId"`
		URL       string `json:"url"`
		IsSuccess bool   `json:"isSuccess"`
	}{inv.id, inv.invID, s.URL + "/merchant/Invoice/" + inv.encoded, true})
}

// newInvoice checks a CreateInvoice payload; msg says what is wrong.
func newInvoice(sh *shop, req *createInvoiceRequest) (inv *invoice, msg string) {
	now := time.Now()
	inv = &invoice{id: newGUID(), encoded: newEncodedID(), shop: sh, created: now,
		description: req.Description, comments: req.MerchantComments, culture: req.Culture}
	switch strings.ToLower(req.InvoiceType) {
	case "onetime":
		inv.typ = string(robokassa.InvoiceOneTime)
	case "reusable":
		inv.typ = string(robokassa.InvoiceReusable)
	default:
		return nil, `InvoiceType must be "OneTime" or "Reusable"`
	}
	var ok bool
	if inv.outSum, ok = parseSum(req.OutSum.String()); !ok || !inv.outSum.IsPositive() {
		return nil, "OutSum must be an amount greater than zero with at most 2 decimal places"
	}
	if v := req.InvID.String(); v != "" && v != "0" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return nil, "InvId must be a positive integer"
		}
		inv.invID = id
	}
	if !utf8.ValidString(inv.description) || utf8.RuneCountInString(inv.description) > 100 {
		return nil, "Description must be at most 100 characters"
	}
	if inv.culture != "" && inv.culture != "ru" && inv.culture != "en" {
		return nil, `Culture must be "ru" or "en"`
	}
	for _, k := range sortedKeys(req.UserFields) {
		if shp, valid := isShpName(k); !shp || !valid {
			return nil, "UserFields names are shp_ followed by letters, digits and '_'"
		}
		inv.shp = append(inv.shp, shpField{k, req.UserFields[k]})
	}
	if len(req.InvoiceItems) > maxReceiptItems {
		return nil, "too many InvoiceItems"
	}
	total := decimal.Zero
	for i, it := range req.InvoiceItems {
		q, okQ := parseDecimal(it.Quantity.String(), 3, 5)
		cost, okC := parseDecimal(it.Cost.String(), 2, 8)
		if it.Name == "" || it.Tax == "" || !okQ || !q.IsPositive() || !okC {
			return nil, "InvoiceItems[" + strconv.Itoa(i) + "] needs Name, Tax, a positive Quantity and a Cost"
		}
		inv.lines = append(inv.lines, ReceiptLine{Name: it.Name, Quantity: q, Sum: cost.Mul(q), Tax: it.Tax})
		total = total.Add(cost.Mul(q))
	}
	if len(inv.lines) > 0 && !total.Equal(inv.outSum) {
		return nil, "InvoiceItems add up to " + total.StringFixed(2) + ", not OutSum " + inv.outSum.StringFixed(2)
	}
	var perr string
	if inv.success2, perr = invoiceRedirect("SuccessUrl2Data", req.SuccessURL2Data); perr != "" {
		return nil, perr
	}
	if inv.fail2, perr = invoiceRedirect("FailUrl2Data", req.FailURL2Data); perr != "" {
		return nil, perr
	}
	if req.ExpirationDate != "" {
		t, ok := parseTime(req.ExpirationDate)
		if !ok || !t.After(now) {
			return nil, "ExpirationDate must be a date in the future"
		}
		inv.expires = t
	}
	return inv, inv.additional(req.AdditionalParameters)
}

// additional reads AdditionalParameters.
func (inv *invoice) additional(p map[string]string) string {
	for k, v := range p {
		switch strings.ToLower(k) {
		case "recurring":
			inv.recurring = strings.EqualFold(v, "true")
			if inv.recurring && inv.shop.NoRecurring {
				return "recurring payments are not enabled for the shop (error 34)"
			}
		case "stepbystep":
			inv.stepByStep = strings.EqualFold(v, "true")
			if inv.stepByStep && inv.shop.NoHold {
				return "holding is not enabled for the shop (error 64)"
			}
			if inv.stepByStep && inv.typ != string(robokassa.InvoiceOneTime) {
				return "StepByStep needs a one-time invoice"
			}
		case "token":
			inv.token = v
		case "resulturl2":
			if !isAbsHTTP(v) {
				return "ResultURL2 must be an absolute http or https URL"
			}
			inv.resultURL2 = v
		case "email":
			inv.email = v
		}
	}
	return ""
}

func invoiceRedirect(name string, d *struct{ URL, Method string }) (redirect, string) {
	if d == nil || d.URL == "" {
		return redirect{}, ""
	}
	if !isAbsHTTP(d.URL) || (d.Method != http.MethodGet && d.Method != http.MethodPost) {
		return redirect{}, name + " needs an absolute http(s) Url and Method GET or POST"
	}
	return redirect{d.URL, d.Method}, ""
}

// handleInvoicePage serves a payment link: the payment page, or 51, 52,
// 53.
func (s *Server) handleInvoicePage(w http.ResponseWriter, r *http.Request) {
	encoded := strings.TrimSuffix(r.URL.Path[len(prefixInvoicePage):], "/")
	now := time.Now()
	s.mu.Lock()
	inv := s.invoices.byEncoded[encoded]
	var perr *pageError
	switch {
	case inv == nil || inv.deactivated:
		perr = errPage(53, "no active payment link has this address")
	case inv.paid:
		perr = errPage(52, "this one-time link was paid")
	case inv.status(now) == string(robokassa.InvoiceStateExpired):
		perr = errPage(51, "this link expired")
	}
	var op *operation
	if perr == nil && inv.typ == string(robokassa.InvoiceOneTime) {
		if o := s.store.find(inv.shop, inv.invID, false); o != nil && o.invoice == inv && o.awaiting(now) {
			op = o // the buyer came back to the same link
		}
	}
	var p *payment
	if perr == nil && op == nil {
		p = inv.payment()
	}
	s.mu.Unlock()
	if perr == nil && op == nil {
		op, perr = s.createOperation(p)
	}
	if perr != nil {
		s.errorPage(w, http.StatusOK, *perr)
		return
	}
	s.showPage(w, op)
}

// payment is the payment a visit to the link starts; the caller holds the
// lock.
func (inv *invoice) payment() *payment {
	p := &payment{
		shop: inv.shop, outSum: inv.outSum, description: inv.description, email: inv.email,
		culture: inv.culture, label: catalogue[0].label, lines: inv.lines, recurring: inv.recurring,
		stepByStep: inv.stepByStep, token: inv.token, resultURL2: inv.resultURL2,
		success2: inv.success2, fail2: inv.fail2, expires: inv.expires, source: "Invoice", invoice: inv,
	}
	if inv.typ == string(robokassa.InvoiceOneTime) {
		p.invID = inv.invID
	}
	p.shp = append([]shpField{{"Shp_interface", "InvoiceService.WebApi"}}, inv.shp...)
	sort.Slice(p.shp, func(i, j int) bool { return p.shp[i].name < p.shp[j].name })
	return p
}

// handleDeactivateInvoice serves DeactivateInvoice: by EncodedId, Id or
// InvId.
func (s *Server) handleDeactivateInvoice(w http.ResponseWriter, r *http.Request) {
	var req struct {
		EncodedID string      `json:"EncodedId"`
		ID        string      `json:"Id"`
		InvID     json.Number `json:"InvId"`
	}
	sh := s.invoiceCall(w, r, &req)
	if sh == nil {
		return
	}
	id, _ := strconv.ParseInt(req.InvID.String(), 10, 64)
	s.mu.Lock()
	var found *invoice
	for _, inv := range s.invoices.list {
		if inv.shop == sh && (req.EncodedID != "" && inv.encoded == req.EncodedID ||
			req.ID != "" && strings.EqualFold(inv.id, req.ID) || id > 0 && inv.invID == id) {
			found = inv
		}
	}
	if found != nil {
		found.deactivated = true
	}
	s.mu.Unlock()
	if found == nil {
		refuseInvoice(w, "Invoice not found")
		return
	}
	invoiceReply(w, struct {
		IsSuccess bool    `json:"isSuccess"`
		Message   *string `json:"message"`
	}{true, nil})
}
