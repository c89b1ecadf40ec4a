package robokassa

import (
	"bytes"
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"
)

// InvoiceQuery filters [Client.Invoices] (GetInvoiceInformationList,
// spec §9.1). The zero value asks for the first page of every link.
type InvoiceQuery struct {
	// States keeps links in these states; empty means all.
	States []InvoiceState
	// Types keeps links of these types; empty means all.
	Types []InvoiceType
	// DateFrom and DateTo bound the creation date; zero means unbounded.
	// Sent as ISO 8601 with the time's own offset.
	DateFrom, DateTo time.Time
	// SumFrom and SumTo bound the amount (at most 2 decimal places).
	SumFrom, SumTo decimal.NullDecimal
	// Keywords searches the links' text.
	Keywords string
	// CurrentPage counts from 1; zero means 1.
	CurrentPage int
	// PageSize is the number of links per page; zero means 10.
	PageSize int
	// IsAscending sorts oldest first.
	IsAscending bool
	// PaymentAliases keeps links paid with these methods (labels such as
	// "BankCard").
	PaymentAliases []string
}

// InvoicePage is one page of [Client.Invoices].
//
// Robokassa has not published the response schema (spec §9.1, L), so it
// is read tolerantly, in the two shapes seen: the list as the whole body,
// or {"isSuccess":…,"data":{"currentPage":…,"pageSize":…,"totalCount":…,
// "items":[…]}}. Field names match in any letter case, numbers may be
// JSON numbers or strings, unknown fields are ignored and each entry is
// kept whole in [InvoiceInfo.Raw].
type InvoicePage struct {
	Invoices []InvoiceInfo
	// CurrentPage and PageSize are as Robokassa reported them, or as
	// requested when it did not.
	CurrentPage int
	PageSize    int
	// Total is the number of matching links when Robokassa reports it
	// (totalCount), else 0. To read every page without it, stop at a page
	// shorter than PageSize.
	Total int
}

// InvoiceInfo is one payment link in an [InvoicePage] (spec §9.1, schema
// unconfirmed). Fields Robokassa
// did not send, or sent in a form not recognised, are zero; Raw always
// holds the entry as received.
//
// Accepted names (any letter case), as the two shapes seen carry them: ID
// id, guid; InvID invId, invoiceId; EncodedID encodedId (else the last
// segment of URL); URL url, link; Type invoiceType; State status,
// invoiceStatus; OutSum outSum, sum; CreatedAt createDate, creationDate;
// ExpirationDate expirationDate, expireDate; PaidAt paymentDate. Times are
// RFC 3339, or without an offset (Moscow time, UTC+3), or
// "dd.mm.yyyy hh:mm:ss" (Moscow time), or the .NET "/Date(ms±hhmm)/"
// form.
type InvoiceInfo struct {
	ID             string
	InvID          int64
	EncodedID      string
	URL            string
	Type           InvoiceType
	State          InvoiceState
	OutSum         decimal.Decimal
	Description    string
	CreatedAt      time.Time
	ExpirationDate time.Time
	PaidAt         time.Time
	Raw            json.RawMessage
}

// Invoices lists payment links (POST
// ServicesURL/InvoiceServiceWebApi/api/GetInvoiceInformationList,
// spec §9.1). It is a read, so network errors and 5xx responses are
// retried with backoff. See [InvoicePage] for how the response is read.
// A test-mode client gets [ErrNotInTestMode] (spec §13).
func (c *Client) Invoices(ctx context.Context, q InvoiceQuery) (*InvoicePage, error) {
	if c.test {
		return nil, notInTestMode(opInvoiceList)
	}
	w, err := c.invoiceListRequest(&q)
	if err != nil {
		return nil, err
	}
	payload, err := compactJSON(w)
	if err != nil {
		return nil, err
	}
	rp, err := c.invoiceCall(ctx, opInvoiceList, payload, true)
	if err != nil {
		return nil, err
	}
	return parseInvoicePage(rp, w.CurrentPage, w.PageSize)
}

type invoiceListWire struct {
	MerchantLogin   string         `json:"MerchantLogin"`
	CurrentPage     int            `json:"CurrentPage"`
	PageSize        int            `json:"PageSize"`
	InvoiceStatuses []InvoiceState `json:"InvoiceStatuses,omitempty"`
	Keywords        string         `json:"Keywords,omitempty"`
	DateFrom        string         `json:"DateFrom,omitempty"`
	DateTo          string         `json:"DateTo,omitempty"`
	IsAscending     bool           `json:"IsAscending"`
	InvoiceTypes    []InvoiceType  `json:"InvoiceTypes,omitempty"`
	PaymentAliases  []string       `json:"PaymentAliases,omitempty"`
	SumFrom         json.Number    `json:"SumFrom,omitempty"`
	SumTo           json.Number    `json:"SumTo,omitempty"`
}

// invoiceListRequest validates q and returns the request it describes.
func (c *Client) invoiceListRequest(q *InvoiceQuery) (*invoiceListWire, error) {
	w := &invoiceListWire{
		MerchantLogin:   c.login,
		CurrentPage:     q.CurrentPage,
		PageSize:        q.PageSize,
		InvoiceStatuses: q.States,
		Keywords:        q.Keywords,
		IsAscending:     q.IsAscending,
		InvoiceTypes:    q.Types,
		PaymentAliases:  q.PaymentAliases,
	}
	switch {
	case q.CurrentPage < 0:
		return nil, invalid("CurrentPage", "must not be negative")
	case q.CurrentPage == 0:
		w.CurrentPage = 1
	}
	switch {
	case q.PageSize < 0:
		return nil, invalid("PageSize", "must not be negative")
	case q.PageSize == 0:
		w.PageSize = invoicePageSize
	}
	for i, s := range q.States {
		if s != InvoiceStatePaid && s != InvoiceStateExpired && s != InvoiceStateNotPaid {
			return nil, invalid("Statuses["+strconv.Itoa(i)+"]", `must be "Paid", "Expired" or "Notpaid"`)
		}
	}
	for i, t := range q.Types {
		if t != InvoiceOneTime && t != InvoiceReusable {
			return nil, invalid("Types["+strconv.Itoa(i)+"]", `must be "OneTime" or "Reusable"`)
		}
	}
	if err := checkLabels("PaymentAliases", q.PaymentAliases); err != nil {
		return nil, err
	}
	if !utf8.ValidString(q.Keywords) {
		return nil, invalid("Keywords", "must be valid UTF-8")
	}
	if !q.DateFrom.IsZero() && !q.DateTo.IsZero() && q.DateTo.Before(q.DateFrom) {
		return nil, invalid("DateTo", "must not be before DateFrom")
	}
	if !q.DateFrom.IsZero() {
		w.DateFrom = q.DateFrom.Format(isoOffset)
	}
	if !q.DateTo.IsZero() {
		w.DateTo = q.DateTo.Format(isoOffset)
	}
	if q.SumFrom.Valid {
		if err := checkAmount("SumFrom", q.SumFrom.Decimal, true, 0); err != nil {
			return nil, err
		}
		w.SumFrom = json.Number(formatOutSum(q.SumFrom.Decimal))
	}
	if q.SumTo.Valid {
		if err := checkAmount("SumTo", q.SumTo.Decimal, true, 0); err != nil {
			return nil, err
		}
		if q.SumFrom.Valid && q.SumTo.Decimal.LessThan(q.SumFrom.Decimal) {
			return nil, invalid("SumTo", "must not be less than SumFrom")
		}
		w.SumTo = json.Number(formatOutSum(q.SumTo.Decimal))
	}
	return w, nil
}

// --- the answer ----------------------------------------------------------

// invoiceListReply is the object shape of the list answer; the other shape
// is the bare array of entries.
type invoiceListReply struct {
	invoiceEnvelope
	Data *struct {
		CurrentPage jsonText          `json:"currentPage"`
		PageSize    jsonText          `json:"pageSize"`
		TotalCount  jsonText          `json:"totalCount"`
		Items       []json.RawMessage `json:"items"`
	} `json:"data"`
}

// parseInvoicePage reads a GetInvoiceInformationList answer; see
// InvoicePage for what is accepted. page and size are the values sent.
func parseInvoicePage(rp *reply, page, size int) (*InvoicePage, error) {
	b := bytes.TrimSpace(rp.body)
	p := &InvoicePage{CurrentPage: page, PageSize: size}
	var items []json.RawMessage
	switch {
	case len(b) > 0 && b[0] == '[':
		if json.Unmarshal(b, &items) != nil {
			return nil, rp.malformed("not valid JSON", nil)
		}
	case len(b) > 0 && b[0] == '{':
		var r invoiceListReply
		if json.Unmarshal(b, &r) != nil {
			return nil, rp.malformed("not valid JSON", nil)
		}
		switch {
		case r.IsSuccess.set && !r.IsSuccess.v, r.Data == nil && r.message() != "":
			return nil, r.refused(rp)
		case r.Data == nil:
			return nil, rp.malformed("no list of invoices", nil)
		}
		items = r.Data.Items
		if v, ok := r.Data.TotalCount.digits(); ok && v < 1<<31 {
			p.Total = int(v)
		}
		if v, ok := r.Data.CurrentPage.digits(); ok && v > 0 && v < 1<<31 {
			p.CurrentPage = int(v)
		}
		if v, ok := r.Data.PageSize.digits(); ok && v > 0 && v < 1<<31 {
			p.PageSize = int(v)
		}
	default:
		return nil, rp.malformed("not a JSON object or array", nil)
	}
	p.Invoices = make([]InvoiceInfo, 0, len(items))
	for _, raw := range items {
		info, err := parseInvoiceInfo(raw)
		if err != nil {
			return nil, rp.malformed("an invoice is not a JSON object", nil)
		}
		p.Invoices = append(p.Invoices, info)
	}
	return p, nil
}

// invoiceEntry is one entry of the list, in the names the two shapes seen
// use (encoding/json matches them in any letter case).
type invoiceEntry struct {
	ID             jsonText `json:"id"`
	GUID           jsonText `json:"guid"`
	InvID          jsonText `json:"invId"`
	InvoiceID      jsonText `json:"invoiceId"`
	EncodedID      jsonText `json:"encodedId"`
	URL            jsonText `json:"url"`
	Link           jsonText `json:"link"`
	InvoiceType    jsonText `json:"invoiceType"`
	Status         jsonText `json:"status"`
	InvoiceStatus  jsonText `json:"invoiceStatus"`
	OutSum         jsonText `json:"outSum"`
	Sum            jsonText `json:"sum"`
	Description    jsonText `json:"description"`
	CreateDate     jsonText `json:"createDate"`
	CreationDate   jsonText `json:"creationDate"`
	ExpirationDate jsonText `json:"expirationDate"`
	ExpireDate     jsonText `json:"expireDate"`
	PaymentDate    jsonText `json:"paymentDate"`
}

// parseInvoiceInfo reads one entry tolerantly: what it cannot read stays
// zero; Raw keeps the entry whole.
func parseInvoiceInfo(raw json.RawMessage) (InvoiceInfo, error) {
	if !isJSONObject(raw) {
		return InvoiceInfo{}, errNotObject
	}
	var w invoiceEntry
	if err := json.Unmarshal(raw, &w); err != nil {
		return InvoiceInfo{}, err
	}
	info := InvoiceInfo{
		ID:          either(w.ID, w.GUID).s,
		EncodedID:   w.EncodedID.s,
		URL:         either(w.URL, w.Link).s,
		Type:        invoiceTypeOf(w.InvoiceType.s),
		State:       invoiceStateOf(either(w.Status, w.InvoiceStatus).s),
		Description: w.Description.s,
		Raw:         bytes.Clone(raw),
	}
	info.InvID, _ = either(w.InvID, w.InvoiceID).digits()
	info.OutSum, _ = either(w.OutSum, w.Sum).amount()
	if info.EncodedID == "" && isAbsHTTP(info.URL) {
		info.EncodedID = invoiceEncodedID(info.URL)
	}
	info.CreatedAt = parseInvoiceTime(either(w.CreateDate, w.CreationDate).s)
	info.ExpirationDate = parseInvoiceTime(either(w.ExpirationDate, w.ExpireDate).s)
	info.PaidAt = parseInvoiceTime(w.PaymentDate.s)
	return info, nil
}

// either returns the first of two names a field goes by that is present.
func either(a, b jsonText) jsonText {
	if a.s != "" || a.bad {
		return a
	}
	return b
}

// invoiceTypeOf maps a reported type to a constant in any letter case;
// an unknown value is kept as received.
func invoiceTypeOf(s string) InvoiceType {
	switch strings.ToLower(s) {
	case "onetime":
		return InvoiceOneTime
	case "reusable":
		return InvoiceReusable
	}
	return InvoiceType(s)
}

// invoiceStateOf maps a reported state to a constant in any letter case
// ("waiting", the cabinet's word, means Notpaid); an unknown value is
// kept as received.
func invoiceStateOf(s string) InvoiceState {
	switch strings.ToLower(s) {
	case "paid":
		return InvoiceStatePaid
	case "expired":
		return InvoiceStateExpired
	case "notpaid", "waiting":
		return InvoiceStateNotPaid
	}
	return InvoiceState(s)
}

// parseInvoiceTime reads a time in the list: the .NET "/Date(ms±hhmm)/"
// form, or what parseTime reads, or "dd.mm.yyyy hh:mm:ss" in Moscow time;
// zero if unrecognised.
func parseInvoiceTime(s string) time.Time {
	if ms, ok := strings.CutPrefix(s, "/Date("); ok {
		ms, ok = strings.CutSuffix(ms, ")/")
		if i := strings.IndexAny(ms, "+-"); i > 0 {
			ms = ms[:i] // the offset only says how to show it
		}
		if v, err := strconv.ParseInt(ms, 10, 64); ok && err == nil {
			return time.UnixMilli(v).In(moscow)
		}
		return time.Time{}
	}
	t, _ := parseTime(s, "02.01.2006 15:04:05")
	return t
}
