package robokassatest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"

	"github.com/robokassa-go/robokassa"
)

// chargeBase is the signature of Recurring and hold Confirm (spec §5,
// §6): MerchantLogin:OutSum:InvoiceID[:Receipt]:Password1[:Shp_*].
// PreviousInvoiceID is not signed.
func chargeBase(form url.Values, password string) string {
	parts := []string{form.Get("MerchantLogin"), form.Get("OutSum"), form.Get("InvoiceID")}
	if r := form.Get("Receipt"); r != "" {
		parts = append(parts, r)
	}
	parts = append(parts, password)
	return strings.Join(append(parts, shpParts(form)...), ":")
}

// checkCharge reads what Recurring and Confirm share: the shop, the
// amount, the signature and InvoiceID. badID is the code of a bad
// InvoiceID (35 for Recurring, 65 for Confirm).
func (s *Server) checkCharge(form url.Values, badID int) (*shop, decimal.Decimal, int64, *pageError) {
	if perr := checkDuplicates(form); perr != nil {
		return nil, decimal.Decimal{}, 0, perr
	}
	sh := s.shopByLogin(form.Get("MerchantLogin"))
	if sh == nil {
		return nil, decimal.Decimal{}, 0, errPage(26, "no shop has this MerchantLogin")
	}
	sum, ok := parseSum(form.Get("OutSum"))
	if !ok || !sum.IsPositive() {
		return nil, decimal.Decimal{}, 0, errPage(31, "OutSum must be a number greater than zero with at most 2 decimal places")
	}
	if !sh.checkSignature(chargeBase(form, string(sh.Password1)), form.Get("SignatureValue")) {
		return nil, decimal.Decimal{}, 0, sh.badSignature(chargeBase(form, "[Password #1]"),
			"SignatureValue does not match MerchantLogin:OutSum:InvoiceID[:Receipt]:Password1[:Shp_*] (spec §5, §6).")
	}
	id, err := strconv.ParseInt(form.Get("InvoiceID"), 10, 64)
	if err != nil || id <= 0 {
		return nil, decimal.Decimal{}, 0, errPage(badID, "InvoiceID must be a number from 1 to 9223372036854775807")
	}
	return sh, sum, id, nil
}

// handleRecurring serves Merchant/Recurring (spec §5): a child charge of a
// paid parent marked Recurring. It answers "OK<InvoiceID>" and then sends
// the child's ResultURL notification; a refusal is an error page.
func (s *Server) handleRecurring(w http.ResponseWriter, r *http.Request) {
	form, perr := readForm(w, r, maxPageBody)
	var d *delivery
	var id int64
	if perr == nil {
		d, id, perr = s.recurring(form)
	}
	if perr != nil {
		s.errorPage(w, http.StatusOK, *perr)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("OK" + strconv.FormatInt(id, 10)))
	if d != nil {
		s.runLater(d)
	}
}

// recurring checks a child charge and makes it: the child is created and
// charged (5, then 100) at once.
func (s *Server) recurring(form url.Values) (*delivery, int64, *pageError) {
	for _, name := range []string{"IncCurrLabel", "ExpirationDate", "Recurring", "IsTest"} {
		if form.Has(name) {
			return nil, 0, errPage(35, name+" is not allowed in a recurring charge (spec §5)")
		}
	}
	sh, sum, id, perr := s.checkCharge(form, 35)
	if perr != nil {
		return nil, 0, perr
	}
	if sh.NoRecurring {
		return nil, 0, errPage(34, "recurring payments are not enabled for the shop")
	}
	prev, err := strconv.ParseInt(form.Get("PreviousInvoiceID"), 10, 64)
	if err != nil || prev <= 0 || prev == id {
		return nil, 0, errPage(35, "PreviousInvoiceID must be the InvId of the parent payment, not the new InvoiceID")
	}
	desc := form.Get("Description")
	if !utf8.ValidString(desc) || utf8.RuneCountInString(desc) > 100 {
		return nil, 0, errPage(30, "Description must be at most 100 characters of UTF-8")
	}
	receipt := form.Get("Receipt")
	var lines []ReceiptLine
	if receipt != "" {
		var total decimal.Decimal
		if lines, total, err = parseReceiptValue(receipt); err != nil {
			return nil, 0, errPage(30, err.Error())
		}
		if !total.Equal(sum) {
			return nil, 0, errPage(30, "the receipt's lines add up to "+total.StringFixed(2)+", but OutSum is "+sum.StringFixed(2))
		}
	}
	shp, perr := shpFields(form)
	if perr != nil {
		return nil, 0, perr
	}
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	parent := s.store.find(sh, prev, false)
	if parent == nil || !parent.recurring || parent.state != robokassa.StatePaid {
		return nil, 0, errPage(35, "PreviousInvoiceID "+strconv.FormatInt(prev, 10)+" is not a paid payment marked Recurring")
	}
	if old := s.store.find(sh, id, false); old != nil && old.moneyTaken() {
		return nil, 0, errPage(40, "InvoiceID "+strconv.FormatInt(id, 10)+" was already paid: every charge needs a new InvoiceID")
	}
	child := &operation{
		shop: sh, invID: id, outSum: sum, description: desc, email: parent.email, culture: parent.culture,
		label: parent.label, shp: shp, receipt: receipt, lines: lines, parent: prev,
		opKey: newOpKey(), rrn: newRRN(), created: now, source: "Recurring",
	}
	child.setState(robokassa.StateInitiated, now)
	child.setState(robokassa.StatePaid, now)
	s.store.add(child)
	d := resultDelivery(child)
	if d != nil {
		s.record(d)
	}
	return d, id, nil
}

// Hold answers are JSON string literals (spec §6).
const (
	holdAccepted = "success: true"
	holdRefused  = "success: false"
)

// holdAnswer writes a JSON string literal: "success: true", "success:
// false" or "error N" (the form package robokassa reads a code from).
func holdAnswer(w http.ResponseWriter, s string) {
	b, _ := json.Marshal(s)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write(b)
}

func holdError(w http.ResponseWriter, perr *pageError) {
	holdAnswer(w, "error "+strconv.Itoa(perr.code))
}

// handleConfirm serves Merchant/Payment/Confirm (spec §6): the held
// payment is captured (100) with an amount and receipt that may only go
// down, and its ResultURL (and ResultUrl2 "OK") notification follows the
// answer. "success: false" when InvoiceID is not a held payment; error 65
// when the amount or receipt goes up.
func (s *Server) handleConfirm(w http.ResponseWriter, r *http.Request) {
	form, perr := readForm(w, r, maxPageBody)
	if perr != nil {
		holdError(w, perr)
		return
	}
	sh, sum, id, perr := s.checkCharge(form, 65)
	if perr != nil {
		holdError(w, perr)
		return
	}
	if sh.NoHold {
		holdError(w, errPage(64, ""))
		return
	}
	var lines []ReceiptLine
	var total decimal.Decimal
	receipt := form.Get("Receipt")
	if receipt != "" {
		var err error
		if lines, total, err = parseReceiptValue(receipt); err != nil || !total.Equal(sum) {
			holdError(w, errPage(65, ""))
			return
		}
	}
	s.mu.Lock()
	op := s.store.find(sh, id, false)
	if op == nil || op.state != robokassa.StateHeld {
		s.mu.Unlock()
		holdAnswer(w, holdRefused)
		return
	}
	held := op.outSum
	if len(op.lines) > 0 {
		held = sumLines(op.lines)
	}
	if sum.GreaterThan(op.outSum) || (receipt != "" && total.GreaterThan(held)) {
		s.mu.Unlock()
		holdError(w, errPage(65, "")) // the amount and the receipt may only go down
		return
	}
	op.outSum = sum
	if receipt != "" {
		op.receipt, op.lines = receipt, lines
	}
	op.setState(robokassa.StatePaid, time.Now())
	var notes []*delivery
	for _, d := range []*delivery{resultDelivery(op), s.resultURL2Delivery(op, "OK")} {
		if d != nil {
			s.record(d)
			notes = append(notes, d)
		}
	}
	s.mu.Unlock()
	holdAnswer(w, holdAccepted)
	for _, d := range notes {
		s.runLater(d)
	}
}

func sumLines(lines []ReceiptLine) decimal.Decimal {
	t := decimal.Zero
	for _, l := range lines {
		t = t.Add(l.Sum)
	}
	return t
}

// handleCancel serves Merchant/Payment/Cancel (spec §6), signed
// MerchantLogin::InvoiceID:Password1 (the OutSum slot empty): the hold is
// released (60). "success: false" when InvoiceID is not a held payment.
func (s *Server) handleCancel(w http.ResponseWriter, r *http.Request) {
	form, perr := readForm(w, r, 16<<10)
	if perr == nil {
		perr = checkDuplicates(form)
	}
	if perr != nil {
		holdError(w, perr)
		return
	}
	sh := s.shopByLogin(form.Get("MerchantLogin"))
	if sh == nil {
		holdError(w, errPage(26, ""))
		return
	}
	base := func(pass string) string { return form.Get("MerchantLogin") + "::" + form.Get("InvoiceID") + ":" + pass }
	if !sh.checkSignature(base(string(sh.Password1)), form.Get("SignatureValue")) {
		holdError(w, errPage(29, ""))
		return
	}
	if sh.NoHold {
		holdError(w, errPage(64, ""))
		return
	}
	id, err := strconv.ParseInt(form.Get("InvoiceID"), 10, 64)
	if err != nil || id <= 0 {
		holdError(w, errPage(65, ""))
		return
	}
	answer := holdRefused
	s.mu.Lock()
	if op := s.store.find(sh, id, false); op != nil && op.state == robokassa.StateHeld {
		op.setState(robokassa.StateRefunded, time.Now())
		answer = holdAccepted
	}
	s.mu.Unlock()
	holdAnswer(w, answer)
}
