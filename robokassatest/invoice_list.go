package robokassatest

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// GetInvoiceInformationList. Robokassa has not published its answer's
// schema (spec §9.1, L), so the emulator answers in the object shape of
// the fixtures package robokassa reads (testdata/invoice/list_object.json):
//
//	{"isSuccess":true,"message":null,"data":{"currentPage":1,"pageSize":10,"totalCount":2,
//	 "items":[{"id":"<guid>","invId":4512,"encodedId":"…","url":"…/merchant/Invoice/…",
//	   "invoiceType":"OneTime","status":"Paid"|"Expired"|"Notpaid","outSum":990.00,
//	   "description":"…","merchantComments":"…","createDate":"2025-01-15T10:30:00+03:00",
//	   "expirationDate":null|"…","paymentDate":null|"…","paymentMethod":null|"BankCard",
//	   "isActive":true}]}}
//
// Dates are ISO 8601 in Moscow time. A deactivated link is "Expired" with
// isActive false; a reusable link stays "Notpaid" however often it is
// paid (paymentDate is its last payment). Filters: InvoiceStatuses,
// InvoiceTypes, Keywords (a case-insensitive substring of the
// description, the staff comment, the InvId or the EncodedId), DateFrom
// and DateTo (the creation date, inclusive), SumFrom and SumTo,
// PaymentAliases (the method of the last payment). Newest first unless
// IsAscending. CurrentPage counts from 1 (default 1); PageSize defaults to
// 10 and is capped at 1000.

const maxInvoicePage = 1000

type invoiceListRequest struct {
	CurrentPage     int
	PageSize        int
	InvoiceStatuses []string
	Keywords        string
	DateFrom        string
	DateTo          string
	IsAscending     bool
	InvoiceTypes    []string
	PaymentAliases  []string
	SumFrom         json.Number
	SumTo           json.Number
}

type invoiceInfoJSON struct {
	ID               string      `json:"id"`
	InvID            int64       `json:"invId"`
	EncodedID        string      `json:"encodedId"`
	URL              string      `json:"url"`
	InvoiceType      string      `json:"invoiceType"`
	Status           string      `json:"status"`
	OutSum           json.Number `json:"outSum"`
	Description      string      `json:"description"`
	MerchantComments string      `json:"merchantComments"`
	CreateDate       string      `json:"createDate"`
	ExpirationDate   *string     `json:"expirationDate"`
	PaymentDate      *string     `json:"paymentDate"`
	PaymentMethod    *string     `json:"paymentMethod"`
	IsActive         bool        `json:"isActive"`
}

// invoiceFilter is a checked list request.
type invoiceFilter struct {
	statuses, types, aliases map[string]bool
	keywords                 string
	from, to                 time.Time
	sumFrom, sumTo           *string
}

func lowerSet(vs []string) map[string]bool {
	if len(vs) == 0 {
		return nil
	}
	m := make(map[string]bool, len(vs))
	for _, v := range vs {
		m[strings.ToLower(v)] = true
	}
	return m
}

// handleInvoiceList serves GetInvoiceInformationList.
func (s *Server) handleInvoiceList(w http.ResponseWriter, r *http.Request) {
	var req invoiceListRequest
	sh := s.invoiceCall(w, r, &req)
	if sh == nil {
		return
	}
	page, size := req.CurrentPage, req.PageSize
	if page <= 0 {
		page = 1
	}
	if size <= 0 {
		size = 10
	}
	size = min(size, maxInvoicePage)
	f := invoiceFilter{
		statuses: lowerSet(req.InvoiceStatuses), types: lowerSet(req.InvoiceTypes),
		aliases: lowerSet(req.PaymentAliases), keywords: strings.ToLower(req.Keywords),
	}
	for _, d := range []struct {
		text string
		dst  *time.Time
		name string
	}{{req.DateFrom, &f.from, "DateFrom"}, {req.DateTo, &f.to, "DateTo"}} {
		if d.text == "" {
			continue
		}
		t, ok := parseTime(d.text)
		if !ok {
			refuseInvoice(w, d.name+" must be an ISO 8601 date")
			return
		}
		*d.dst = t
	}
	for _, b := range []struct {
		n    json.Number
		dst  **string
		name string
	}{{req.SumFrom, &f.sumFrom, "SumFrom"}, {req.SumTo, &f.sumTo, "SumTo"}} {
		if b.n == "" {
			continue
		}
		if _, ok := parseSum(b.n.String()); !ok {
			refuseInvoice(w, b.name+" must be an amount")
			return
		}
		v := b.n.String()
		*b.dst = &v
	}
	now := time.Now()
	s.mu.Lock()
	var matched []invoiceInfoJSON
	for _, inv := range s.invoices.list {
		if inv.shop == sh && f.keep(inv, now) {
			matched = append(matched, s.invoiceInfo(inv, now))
		}
	}
	s.mu.Unlock()
	if !req.IsAscending { // the list is in creation order: newest first by default
		for i, j := 0, len(matched)-1; i < j; i, j = i+1, j-1 {
			matched[i], matched[j] = matched[j], matched[i]
		}
	}
	total := len(matched)
	start := min(total, (page-1)*size)
	if page-1 > total/size { // guard the multiplication against huge pages
		start = total
	}
	items := matched[start:min(total, start+size)]
	if items == nil {
		items = []invoiceInfoJSON{}
	}
	type listData struct {
		CurrentPage int               `json:"currentPage"`
		PageSize    int               `json:"pageSize"`
		TotalCount  int               `json:"totalCount"`
		Items       []invoiceInfoJSON `json:"items"`
	}
	invoiceReply(w, struct {
		IsSuccess bool     `json:"isSuccess"`
		Message   *string  `json:"message"`
		Data      listData `json:"data"`
	}{true, nil, listData{page, size, total, items}})
}

// keep applies the filter; the caller holds the lock.
func (f *invoiceFilter) keep(inv *invoice, now time.Time) bool {
	switch {
	case f.statuses != nil && !f.statuses[strings.ToLower(inv.status(now))],
		f.types != nil && !f.types[strings.ToLower(inv.typ)],
		f.aliases != nil && !f.aliases[strings.ToLower(inv.alias)],
		!f.from.IsZero() && inv.created.Before(f.from),
		!f.to.IsZero() && inv.created.After(f.to):
		return false
	}
	if f.sumFrom != nil {
		if from, _ := parseSum(*f.sumFrom); inv.outSum.LessThan(from) {
			return false
		}
	}
	if f.sumTo != nil {
		if to, _ := parseSum(*f.sumTo); inv.outSum.GreaterThan(to) {
			return false
		}
	}
	if f.keywords != "" {
		hay := strings.ToLower(inv.description + "\x00" + inv.comments + "\x00" + strconv.FormatInt(inv.invID, 10) + "\x00" + inv.encoded)
		if !strings.Contains(hay, f.keywords) {
			return false
		}
	}
	return true
}

// invoiceInfo describes a link; the caller holds the lock.
func (s *Server) invoiceInfo(inv *invoice, now time.Time) invoiceInfoJSON {
	date := func(t time.Time) *string {
		if t.IsZero() {
			return nil
		}
		v := t.In(moscow).Format(time.RFC3339)
		return &v
	}
	info := invoiceInfoJSON{
		ID: inv.id, InvID: inv.invID, EncodedID: inv.encoded, URL: s.URL + "/merchant/Invoice/" + inv.encoded,
		InvoiceType: inv.typ, Status: inv.status(now), OutSum: json.Number(inv.outSum.StringFixed(2)),
		Description: inv.description, MerchantComments: inv.comments, CreateDate: *date(inv.created),
		ExpirationDate: date(inv.expires), PaymentDate: date(inv.paidAt), IsActive: !inv.deactivated,
	}
	if inv.alias != "" {
		a := inv.alias
		info.PaymentMethod = &a
	}
	return info
}
