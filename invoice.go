package robokassa

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"
)

// InvoiceType is the kind of payment link the Invoice API creates
// (spec §9.1).
type InvoiceType string

// Invoice types (spec §9.1).
const (
	// InvoiceOneTime is a link that is paid once.
	InvoiceOneTime InvoiceType = "OneTime"
	// InvoiceReusable is a link that any number of buyers can pay.
	InvoiceReusable InvoiceType = "Reusable"
)

// InvoiceState is the state of a payment link, as [Client.Invoices]
// filters and reports it (spec §9.1).
type InvoiceState string

// Invoice statuses (spec §9.1). The cabinet calls [InvoiceStateNotPaid]
// "waiting".
const (
	InvoiceStatePaid    InvoiceState = "Paid"
	InvoiceStateExpired InvoiceState = "Expired"
	InvoiceStateNotPaid InvoiceState = "Notpaid"
)

// Invoice is a payment link to create with [Client.CreateInvoice]
// (the Invoice API, spec §9.1). Type and OutSum are required.
//
// Nothing in an Invoice is signed field by field: the whole request is one
// JWT keyed with MerchantLogin:Password1, so the ordered-signature rules
// of payment links (spec §3.1) do not apply here.
type Invoice struct {
	// Type is InvoiceOneTime or InvoiceReusable. Required.
	Type InvoiceType
	// InvID is the shop's invoice number. Zero lets Robokassa assign one
	// (returned in [InvoiceLink.InvID]).
	InvID int64
	// OutSum is the amount, greater than zero with at most 2 decimal
	// places; sent as a JSON number with two decimals.
	OutSum decimal.Decimal
	// Description is shown to the buyer: at most 100 characters.
	Description string
	// MerchantComments is a note for the shop's staff, not shown to the
	// buyer.
	MerchantComments string
	// Culture is the page language, "ru" or "en"; empty sends "ru", as
	// Robokassa's own SDK does.
	Culture string
	// ExpirationDate is the deadline for paying; zero means Robokassa's
	// default. It must be in the future and is sent as ISO 8601 with the
	// time's own offset. [DaysToPay] computes one.
	ExpirationDate time.Time
	// Items are the receipt lines (54-FZ, spec §11); when given they must
	// add up to OutSum. The Invoice API takes a unit price, so each line
	// is sent with Cost = item.Cost when set (and then Cost × Quantity
	// must equal Sum if Sum is set too), otherwise Cost = Sum / Quantity,
	// which must be a whole number of kopecks.
	Items []ReceiptItem
	// Sno is the shop's tax system for the receipt; empty when the shop
	// has only one.
	Sno Sno
	// Shp are user parameters returned in the notifications, keyed
	// by the name after the prefix, as [Payment.Shp] is: {"order": "12"}
	// is sent as "shp_order". Names are [A-Za-z0-9_]+ without the prefix;
	// values are URL-encoded as for Payment.Shp (spec §3.2), so
	// [Notification.Shp] hands back the original value.
	Shp map[string]string
	// SuccessURL2 and SuccessURL2Method override the success redirect
	// (both or neither; method GET or POST).
	SuccessURL2       string
	SuccessURL2Method string
	// FailURL2 and FailURL2Method override the fail redirect (both or
	// neither).
	FailURL2       string
	FailURL2Method string

	// The fields below travel in AdditionalParameters (spec §9.1).

	// Recurring marks the payment as the parent of a recurring series
	// (spec §5).
	Recurring bool
	// StepByStep makes it a two-stage payment (hold, spec §6). Only a
	// one-time invoice can be held.
	StepByStep bool
	// Token is a saved-card token (spec §7); not with Recurring or
	// StepByStep.
	Token string
	// ResultURL2 receives the JWS notification of spec §4.4.
	ResultURL2 string
	// Email prefills the buyer's e-mail.
	Email string
	// Split divides the payment between shops (spec §10); see
	// [SplitPart].
	Split []SplitPart

	// IsWithoutFreeSale asks Robokassa not to issue a "free sale"
	// receipt.
	IsWithoutFreeSale bool
}

// InvoiceLink is a payment link created by [Client.CreateInvoice]
// (spec §9.1).
type InvoiceLink struct {
	// ID is Robokassa's identifier of the invoice (a GUID).
	ID string
	// InvID is the invoice number: the one sent, or the one Robokassa
	// assigned.
	InvID int64
	// URL is the link to send the buyer to.
	URL string
	// EncodedID is the last path segment of URL.
	EncodedID string
}

// Ref returns a reference to the link for [Client.DeactivateInvoice]
// (spec §9.1): by ID when Robokassa returned one, else by EncodedID.
func (l *InvoiceLink) Ref() InvoiceRef {
	if l.ID != "" {
		return InvoiceRef{ID: l.ID}
	}
	return InvoiceRef{EncodedID: l.EncodedID}
}

// InvoiceRef names one payment link for [Client.DeactivateInvoice]
// (spec §9.1). Exactly one field must be set.
type InvoiceRef struct {
	// EncodedID is the last path segment of the link.
	EncodedID string
	// ID is Robokassa's GUID of the invoice.
	ID string
	// InvID is the shop's invoice number.
	InvID int64
}

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
// is read tolerantly: the list may be the whole body or sit under a field
// (invoices, items, data, result, list, value, rows, records, or the only
// array of objects), one level deep at most; field names match in any
// letter case; numbers may be JSON numbers or strings; unknown fields are
// ignored and each entry is kept whole in [InvoiceInfo.Raw].
type InvoicePage struct {
	Invoices []InvoiceInfo
	// CurrentPage and PageSize are as Robokassa reported them, or as
	// requested when it did not.
	CurrentPage int
	PageSize    int
	// Total is the number of matching links when Robokassa reports it
	// (totalCount, total, count, …), else 0. To read every page without
	// it, stop at a page shorter than PageSize.
	Total int
}

// InvoiceInfo is one payment link in an [InvoicePage] (spec §9.1, schema
// unconfirmed). Fields Robokassa
// did not send, or sent in a form not recognised, are zero; Raw always
// holds the entry as received.
//
// Accepted names (any letter case): ID id, guid; InvID invId, invoiceId;
// EncodedID encodedId (else the last segment of URL); URL url, link,
// invoiceUrl, paymentUrl; Type invoiceType, type; Status invoiceStatus,
// status, state; OutSum outSum, sum, amount; CreatedAt createDate,
// creationDate, createdAt, created, date; ExpirationDate expirationDate,
// expireDate, expiresAt; PaidAt paymentDate, paidDate, paidAt. Times are
// RFC 3339, or without an offset (read as Moscow time, UTC+3), or
// dd.mm.yyyy, or the .NET "/Date(ms)/" form.
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

// DaysToPay returns the deadline n calendar days from now, in Moscow time
// (UTC+3, Robokassa's zone), to the second: a value for
// [Invoice.ExpirationDate], which goes out as e.g.
// "2029-01-16T12:00:00+03:00" (spec §3, §9.1). n must be at least 1 for
// [Client.CreateInvoice] to accept the result.
func DaysToPay(n int) time.Time {
	return time.Now().In(moscow).AddDate(0, 0, n).Truncate(time.Second)
}

// Invoice API operations, under Config.ServicesURL (spec §9.1).
const (
	invoiceAPIPath   = "/InvoiceServiceWebApi/api/"
	opCreateInvoice  = "CreateInvoice"
	opDeactivate     = "DeactivateInvoice"
	opInvoiceList    = "GetInvoiceInformationList"
	invoiceUserField = "shp_"
	invoicePageSize  = 10
)

// CreateInvoice creates a payment link with the Invoice API
// (POST ServicesURL/InvoiceServiceWebApi/api/CreateInvoice, spec §9.1):
// the request is a JWT, HMAC-signed with the shop's algorithm and the key
// MerchantLogin:Password1, sent as a JSON string.
//
// Every field is checked first; bad input gives a [*ValidationError] and
// nothing is sent. The call is sent exactly once, never retried: creating
// twice makes two links. Robokassa's refusal ({"isSuccess":false}) and
// any unusable response are an [*APIError] carrying Robokassa's message.
// A test-mode client gets [ErrNotInTestMode]: the Invoice API, and with it
// split payments, does not exist in test mode (spec §13).
func (c *Client) CreateInvoice(ctx context.Context, inv Invoice) (*InvoiceLink, error) {
	if c.test {
		return nil, invoiceTestMode(opCreateInvoice)
	}
	payload, err := c.invoicePayload(&inv)
	if err != nil {
		return nil, err
	}
	body, err := c.invoiceCall(ctx, opCreateInvoice, payload, false)
	if err != nil {
		return nil, err
	}
	link, err := c.parseInvoiceLink(body)
	if err != nil {
		return nil, err
	}
	if link.InvID == 0 {
		link.InvID = inv.InvID
	}
	return link, nil
}

// DeactivateInvoice disables a payment link so it can no longer be paid
// (POST ServicesURL/InvoiceServiceWebApi/api/DeactivateInvoice,
// spec §9.1). ref names the link by exactly one of EncodedID, ID or InvID.
//
// Success needs {"isSuccess":true} in the response; a refusal or any
// other body is an [*APIError]. The call is not retried. A test-mode
// client gets [ErrNotInTestMode] (spec §13).
func (c *Client) DeactivateInvoice(ctx context.Context, ref InvoiceRef) error {
	if c.test {
		return invoiceTestMode(opDeactivate)
	}
	if err := ref.validate(); err != nil {
		return err
	}
	payload, err := compactJSON(invoiceDeactivateWire{
		MerchantLogin: c.login,
		EncodedID:     ref.EncodedID,
		ID:            ref.ID,
		InvID:         ref.InvID,
	})
	if err != nil {
		return err
	}
	body, err := c.invoiceCall(ctx, opDeactivate, payload, false)
	if err != nil {
		return err
	}
	return c.parseInvoiceAck(opDeactivate, body)
}

// Invoices lists payment links (POST
// ServicesURL/InvoiceServiceWebApi/api/GetInvoiceInformationList,
// spec §9.1). It is a read, so network errors and 5xx responses are
// retried with backoff. See [InvoicePage] for how the response is read.
// A test-mode client gets [ErrNotInTestMode] (spec §13).
func (c *Client) Invoices(ctx context.Context, q InvoiceQuery) (*InvoicePage, error) {
	if c.test {
		return nil, invoiceTestMode(opInvoiceList)
	}
	w, err := c.invoiceListRequest(&q)
	if err != nil {
		return nil, err
	}
	payload, err := compactJSON(w)
	if err != nil {
		return nil, err
	}
	body, err := c.invoiceCall(ctx, opInvoiceList, payload, true)
	if err != nil {
		return nil, err
	}
	return c.parseInvoicePage(body, w.CurrentPage, w.PageSize)
}

func invoiceTestMode(op string) error {
	return fmt.Errorf("%w (%s: the invoice api, spec §13)", ErrNotInTestMode, op)
}

// invoiceCall signs payload as the Invoice API's JWT and posts it as a
// JSON string literal.
func (c *Client) invoiceCall(ctx context.Context, op string, payload []byte, idempotent bool) ([]byte, error) {
	token := signJWT(string(c.alg), c.alg.newHash(), []byte(c.login+":"+c.keys().pass1), payload)
	// A JWT is base64url and dots: it needs no escaping inside quotes.
	body := make([]byte, 0, len(token)+2)
	body = append(body, '"')
	body = append(body, token...)
	body = append(body, '"')
	b, err := c.do(ctx, call{
		op:          op,
		method:      http.MethodPost,
		url:         c.services + invoiceAPIPath + op,
		body:        body,
		contentType: "application/json",
		idempotent:  idempotent,
	})
	if err != nil {
		var ae *APIError
		if errors.As(err, &ae) && ae.Status >= 400 {
			// A 400/401 usually carries {"message": "..."}: surface it.
			if msg := invoiceMessage([]byte(ae.Body)); msg != "" {
				ae.Message = msg
			}
		}
		return nil, err
	}
	return b, nil
}

// Wire structs: field order is the order on the wire.

type invoiceWire struct {
	MerchantLogin        string               `json:"MerchantLogin"`
	InvoiceType          InvoiceType          `json:"InvoiceType"`
	Culture              string               `json:"Culture"`
	InvID                int64                `json:"InvId,omitempty"`
	OutSum               json.Number          `json:"OutSum"`
	Description          string               `json:"Description,omitempty"`
	MerchantComments     string               `json:"MerchantComments,omitempty"`
	UserFields           map[string]string    `json:"UserFields,omitempty"`
	InvoiceItems         []unitPriceItem      `json:"InvoiceItems,omitempty"`
	SuccessURL2Data      *invoiceRedirectWire `json:"SuccessUrl2Data,omitempty"`
	FailURL2Data         *invoiceRedirectWire `json:"FailUrl2Data,omitempty"`
	ExpirationDate       string               `json:"ExpirationDate,omitempty"`
	Sno                  Sno                  `json:"Sno,omitempty"`
	IsWithoutFreeSale    bool                 `json:"IsWithoutFreeSale,omitempty"`
	AdditionalParameters map[string]string    `json:"AdditionalParameters,omitempty"`
}

type invoiceRedirectWire struct {
	URL    string `json:"Url"`
	Method string `json:"Method"`
}

type invoiceDeactivateWire struct {
	MerchantLogin string `json:"MerchantLogin"`
	EncodedID     string `json:"EncodedId,omitempty"`
	ID            string `json:"Id,omitempty"`
	InvID         int64  `json:"InvId,omitempty"`
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

// invoicePayload validates inv and returns the CreateInvoice payload.
func (c *Client) invoicePayload(inv *Invoice) ([]byte, error) {
	if err := inv.validate(time.Now()); err != nil {
		return nil, err
	}
	w := invoiceWire{
		MerchantLogin:     c.login,
		InvoiceType:       inv.Type,
		Culture:           inv.Culture,
		InvID:             inv.InvID,
		OutSum:            json.Number(formatOutSum(inv.OutSum)),
		Description:       inv.Description,
		MerchantComments:  inv.MerchantComments,
		Sno:               inv.Sno,
		IsWithoutFreeSale: inv.IsWithoutFreeSale,
	}
	if w.Culture == "" {
		w.Culture = "ru"
	}
	if len(inv.Shp) > 0 {
		w.UserFields = make(map[string]string, len(inv.Shp))
		for k, v := range inv.Shp {
			w.UserFields[invoiceUserField+k] = urlEncode(v)
		}
	}
	for i := range inv.Items {
		it := &inv.Items[i]
		cost, _ := it.unitCost() // validated above
		w.InvoiceItems = append(w.InvoiceItems, it.unitPriceWire(cost))
	}
	if inv.SuccessURL2 != "" {
		w.SuccessURL2Data = &invoiceRedirectWire{inv.SuccessURL2, inv.SuccessURL2Method}
	}
	if inv.FailURL2 != "" {
		w.FailURL2Data = &invoiceRedirectWire{inv.FailURL2, inv.FailURL2Method}
	}
	if !inv.ExpirationDate.IsZero() {
		w.ExpirationDate = inv.ExpirationDate.Format(isoOffset)
	}
	add := func(k, v string) {
		if v == "" {
			return
		}
		if w.AdditionalParameters == nil {
			w.AdditionalParameters = make(map[string]string)
		}
		w.AdditionalParameters[k] = v
	}
	if inv.Recurring {
		add("Recurring", "true")
	}
	if inv.StepByStep {
		add("StepByStep", "true")
	}
	add("Token", inv.Token)
	add("ResultURL2", inv.ResultURL2)
	add("Email", inv.Email)
	if len(inv.Split) > 0 {
		add("Split", string(appendSplitJSON(nil, inv.Split)))
	}
	return compactJSON(w)
}

// validate checks every rule of spec §9.1, §10 and §11 that can be
// checked before Robokassa sees the request.
func (inv *Invoice) validate(now time.Time) error {
	switch inv.Type {
	case InvoiceOneTime, InvoiceReusable:
	case "":
		return invalid("Type", "is required: InvoiceOneTime or InvoiceReusable")
	default:
		return invalid("Type", `must be "OneTime" or "Reusable"`)
	}
	if err := checkAmount("OutSum", inv.OutSum, false, 0); err != nil {
		return err
	}
	if inv.InvID < 0 {
		return invalid("InvID", "must not be negative")
	}
	if err := checkDescription(inv.Description); err != nil {
		return err
	}
	if !utf8.ValidString(inv.MerchantComments) {
		return invalid("MerchantComments", "must be valid UTF-8")
	}
	if inv.Culture != "" && inv.Culture != "ru" && inv.Culture != "en" {
		return invalid("Culture", `must be "ru", "en" or empty`)
	}
	if !inv.ExpirationDate.IsZero() && !inv.ExpirationDate.After(now) {
		return invalid("ExpirationDate", "must be in the future")
	}
	if !isToken(string(inv.Sno)) {
		return invalid("Sno", tokenRule)
	}
	if inv.Email != "" && (!strings.Contains(inv.Email, "@") || strings.ContainsAny(inv.Email, " \t\r\n")) {
		return invalid("Email", "must be an e-mail address")
	}
	if inv.ResultURL2 != "" && !isAbsHTTP(inv.ResultURL2) {
		return invalid("ResultURL2", "must be an absolute http or https URL")
	}
	if err := checkRedirect("SuccessURL2", inv.SuccessURL2, inv.SuccessURL2Method); err != nil {
		return err
	}
	if err := checkRedirect("FailURL2", inv.FailURL2, inv.FailURL2Method); err != nil {
		return err
	}
	if inv.StepByStep && inv.Type != InvoiceOneTime {
		return invalid("StepByStep", "requires a one-time invoice (a hold is taken once, spec §6)")
	}
	if inv.Token != "" && inv.Recurring {
		return invalid("Token", "cannot be combined with Recurring (spec §7)")
	}
	if inv.Token != "" && inv.StepByStep {
		return invalid("Token", "cannot be combined with StepByStep (spec §7)")
	}
	if strings.ContainsAny(inv.Token, "\x00\r\n") || !utf8.ValidString(inv.Token) {
		return invalid("Token", "must not contain control characters")
	}
	if err := checkUserFields(inv.Shp); err != nil {
		return err
	}
	for i := range inv.Items {
		it := &inv.Items[i]
		_, _, err := it.validate()
		if err == nil {
			_, err = it.unitCost()
		}
		if err != nil {
			err.Field = "Items[" + strconv.Itoa(i) + "]." + err.Field
			return err
		}
	}
	if len(inv.Items) > 0 && !(&Receipt{Items: inv.Items}).sumsTo(inv.OutSum) {
		return invalid("Items", "line totals must add up to OutSum")
	}
	return validateSplit(inv.Split, inv.OutSum)
}

// checkUserFields validates UserFields names: [A-Za-z0-9_]+, given
// without the "shp_" prefix the package adds.
func checkUserFields(m map[string]string) error {
	for k, v := range m {
		if err := checkShpPair("UserFields", k, v); err != nil {
			return err
		}
		if len(k) >= 4 && strings.EqualFold(k[:4], invoiceUserField) {
			return invalid("UserFields["+strconv.Quote(k)+"]", `name is given without the "shp_" prefix, which is added`)
		}
	}
	return nil
}

// validate checks that exactly one reference is set and well formed.
func (r *InvoiceRef) validate() error {
	if r.InvID < 0 {
		return invalid("InvoiceRef.InvID", "must be greater than zero")
	}
	n := 0
	for _, set := range []bool{r.EncodedID != "", r.ID != "", r.InvID != 0} {
		if set {
			n++
		}
	}
	switch {
	case n == 0:
		return invalid("InvoiceRef", "one of EncodedID, ID or InvID is required")
	case n > 1:
		return invalid("InvoiceRef", "exactly one of EncodedID, ID or InvID must be set")
	}
	if err := checkInvoiceKey("InvoiceRef.EncodedID", r.EncodedID); err != nil {
		return err
	}
	return checkInvoiceKey("InvoiceRef.ID", r.ID)
}

// checkInvoiceKey accepts empty or printable ASCII without spaces or
// '/', at most 200 bytes: an identifier Robokassa issued.
func checkInvoiceKey(field, s string) error {
	if len(s) > 200 {
		return invalid(field, "must be at most 200 characters")
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c > '~' || c == '/' {
			return invalid(field, "must be printable ASCII without spaces or '/'")
		}
	}
	return nil
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
	for i, a := range q.PaymentAliases {
		field := "PaymentAliases[" + strconv.Itoa(i) + "]"
		if a == "" {
			return nil, invalid(field, "must not be empty")
		}
		if err := checkLabel(field, a); err != nil {
			return nil, err
		}
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

// --- responses -----------------------------------------------------------

// invoiceEnvelope is the flag and messages every Invoice API response may
// carry. Field names match in any letter case.
type invoiceEnvelope struct {
	IsSuccess    *flexBool  `json:"isSuccess"`
	Message      flexString `json:"message"`
	ErrorMessage flexString `json:"errorMessage"`
}

func (e *invoiceEnvelope) message() string {
	if e.Message != "" {
		return string(e.Message)
	}
	return string(e.ErrorMessage)
}

// invoiceMessage returns the message of a JSON error body, or "".
func invoiceMessage(body []byte) string {
	var e invoiceEnvelope
	if json.Unmarshal(body, &e) != nil {
		return ""
	}
	return e.message()
}

// invoiceRefused is Robokassa's {"isSuccess":false} answer as an *APIError.
func (c *Client) invoiceRefused(op string, e *invoiceEnvelope, body []byte) error {
	msg := c.redactBody([]byte(e.message())) // it could echo a secret back
	if msg == "" {
		msg = "request refused without a message"
	}
	return c.apiError(op, http.StatusOK, "", msg, body)
}

// invoiceMalformed is a 2xx response that cannot be read.
func (c *Client) invoiceMalformed(op, why string, body []byte) error {
	return c.apiError(op, http.StatusOK, "", "malformed response: "+why, body)
}

// parseInvoiceLink reads a CreateInvoice response (spec §9.1):
// {"id","invId","url","isSuccess":true}, or isSuccess false with message
// or errorMessage.
func (c *Client) parseInvoiceLink(body []byte) (*InvoiceLink, error) {
	var r struct {
		invoiceEnvelope
		ID    flexString `json:"id"`
		InvID flexInt    `json:"invId"`
		URL   flexString `json:"url"`
	}
	if !invoiceIsObject(body) || json.Unmarshal(body, &r) != nil {
		return nil, c.invoiceMalformed(opCreateInvoice, "not a JSON object", body)
	}
	switch {
	case r.IsSuccess == nil:
		if r.message() != "" {
			return nil, c.invoiceRefused(opCreateInvoice, &r.invoiceEnvelope, body)
		}
		return nil, c.invoiceMalformed(opCreateInvoice, "no isSuccess flag", body)
	case !bool(*r.IsSuccess):
		return nil, c.invoiceRefused(opCreateInvoice, &r.invoiceEnvelope, body)
	}
	link := &InvoiceLink{ID: string(r.ID), InvID: r.InvID.v, URL: string(r.URL)}
	if !isAbsHTTP(link.URL) {
		return nil, c.invoiceMalformed(opCreateInvoice, "no absolute url", body)
	}
	if link.EncodedID = invoiceEncodedID(link.URL); link.EncodedID == "" {
		return nil, c.invoiceMalformed(opCreateInvoice, "url has no invoice id", body)
	}
	return link, nil
}

// invoiceEncodedID returns the last path segment of a link, or "".
func invoiceEncodedID(link string) string {
	u, err := url.Parse(link)
	if err != nil {
		return ""
	}
	p := strings.TrimRight(u.Path, "/")
	return p[strings.LastIndexByte(p, '/')+1:]
}

// parseInvoiceAck reads a response that only reports success.
func (c *Client) parseInvoiceAck(op string, body []byte) error {
	var e invoiceEnvelope
	if !invoiceIsObject(body) || json.Unmarshal(body, &e) != nil {
		return c.invoiceMalformed(op, "not a JSON object", body)
	}
	switch {
	case e.IsSuccess != nil && bool(*e.IsSuccess):
		return nil
	case e.IsSuccess != nil || e.message() != "":
		return c.invoiceRefused(op, &e, body)
	}
	return c.invoiceMalformed(op, "no isSuccess flag", body)
}

func invoiceIsObject(b []byte) bool {
	b = bytes.TrimSpace(b)
	return len(b) > 0 && b[0] == '{'
}

// Names, lower case, under which a list of invoices may sit, in the order
// they are tried; and the names of the page counters.
var (
	invoiceListNames  = []string{"invoices", "invoiceinformationlist", "invoicelist", "items", "data", "result", "list", "value", "rows", "records"}
	invoiceTotalNames = []string{"totalcount", "total", "count", "totalitems", "totalrecords", "totalinvoices"}
	invoicePageNames  = []string{"currentpage", "page", "pagenumber"}
	invoiceSizeNames  = []string{"pagesize", "size"}
)

// parseInvoicePage reads a GetInvoiceInformationList response; see
// InvoicePage for what is accepted. page and size are the values sent.
func (c *Client) parseInvoicePage(body []byte, page, size int) (*InvoicePage, error) {
	b := bytes.TrimSpace(body)
	p := &InvoicePage{CurrentPage: page, PageSize: size}
	var list json.RawMessage
	switch {
	case len(b) > 0 && b[0] == '[':
		list = b
	case len(b) > 0 && b[0] == '{':
		var obj map[string]json.RawMessage
		var env invoiceEnvelope
		if json.Unmarshal(b, &obj) != nil || json.Unmarshal(b, &env) != nil {
			return nil, c.invoiceMalformed(opInvoiceList, "not valid JSON", body)
		}
		fields := invoiceLowerKeys(obj)
		var container map[string]json.RawMessage
		var found bool
		list, container, found = invoiceFindList(fields, 0)
		switch {
		case env.IsSuccess != nil && !bool(*env.IsSuccess):
			return nil, c.invoiceRefused(opInvoiceList, &env, body)
		case !found && env.IsSuccess == nil && env.message() != "":
			return nil, c.invoiceRefused(opInvoiceList, &env, body)
		case !found && env.IsSuccess == nil:
			return nil, c.invoiceMalformed(opInvoiceList, "no list of invoices", body)
		}
		for _, m := range []map[string]json.RawMessage{fields, container} {
			if v, ok := invoiceIntField(m, invoiceTotalNames); ok && v >= 0 {
				p.Total = int(v)
			}
			if v, ok := invoiceIntField(m, invoicePageNames); ok && v > 0 {
				p.CurrentPage = int(v)
			}
			if v, ok := invoiceIntField(m, invoiceSizeNames); ok && v > 0 {
				p.PageSize = int(v)
			}
		}
	default:
		return nil, c.invoiceMalformed(opInvoiceList, "not a JSON object or array", body)
	}
	var items []json.RawMessage
	if len(list) > 0 {
		if err := json.Unmarshal(list, &items); err != nil {
			return nil, c.invoiceMalformed(opInvoiceList, "the list of invoices is not an array", body)
		}
	}
	p.Invoices = make([]InvoiceInfo, 0, len(items))
	for _, raw := range items {
		if !invoiceIsObject(raw) {
			return nil, c.invoiceMalformed(opInvoiceList, "an invoice is not a JSON object", body)
		}
		info, err := parseInvoiceInfo(raw)
		if err != nil {
			return nil, c.invoiceMalformed(opInvoiceList, "an invoice is not a JSON object", body)
		}
		p.Invoices = append(p.Invoices, info)
	}
	return p, nil
}

// invoiceLowerKeys returns obj keyed by lower-case names; of names equal
// but for case, the first in byte order wins (deterministic).
func invoiceLowerKeys(obj map[string]json.RawMessage) map[string]json.RawMessage {
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make(map[string]json.RawMessage, len(obj))
	for _, k := range keys {
		lk := strings.ToLower(k)
		if _, dup := out[lk]; !dup {
			out[lk] = obj[k]
		}
	}
	return out
}

// invoiceFindList finds the list of invoices in an object: under a known
// name (an array, null, or an object holding it one level down), else the
// only field holding an array of objects. It returns the list and the
// object it was found in.
func invoiceFindList(fields map[string]json.RawMessage, depth int) (json.RawMessage, map[string]json.RawMessage, bool) {
	for _, name := range invoiceListNames {
		v, ok := fields[name]
		if !ok {
			continue
		}
		v = bytes.TrimSpace(v)
		switch {
		case len(v) > 0 && v[0] == '[':
			return v, fields, true
		case string(v) == "null":
			return nil, fields, true
		case len(v) > 0 && v[0] == '{' && depth == 0:
			var inner map[string]json.RawMessage
			if json.Unmarshal(v, &inner) == nil {
				if l, cont, ok := invoiceFindList(invoiceLowerKeys(inner), depth+1); ok {
					return l, cont, true
				}
			}
		}
	}
	var only json.RawMessage
	n := 0
	for _, v := range fields {
		v = bytes.TrimSpace(v)
		if len(v) > 1 && v[0] == '[' && invoiceIsObject(v[1:]) {
			only = v
			n++
		}
	}
	if n == 1 {
		return only, fields, true
	}
	return nil, nil, false
}

func invoiceIntField(m map[string]json.RawMessage, names []string) (int64, bool) {
	for _, name := range names {
		if v, ok := m[name]; ok {
			var f flexInt
			if json.Unmarshal(v, &f) == nil && f.ok {
				return f.v, true
			}
		}
	}
	return 0, false
}

// parseInvoiceInfo reads one entry of the list; see InvoiceInfo for the
// names accepted.
func parseInvoiceInfo(raw json.RawMessage) (InvoiceInfo, error) {
	var w struct {
		ID             flexString `json:"id"`
		GUID           flexString `json:"guid"`
		InvID          flexInt    `json:"invId"`
		InvoiceID      flexInt    `json:"invoiceId"`
		EncodedID      flexString `json:"encodedId"`
		URL            flexString `json:"url"`
		Link           flexString `json:"link"`
		InvoiceURL     flexString `json:"invoiceUrl"`
		PaymentURL     flexString `json:"paymentUrl"`
		InvoiceType    flexString `json:"invoiceType"`
		Type           flexString `json:"type"`
		InvoiceStatus  flexString `json:"invoiceStatus"`
		Status         flexString `json:"status"`
		State          flexString `json:"state"`
		OutSum         flexAmount `json:"outSum"`
		Sum            flexAmount `json:"sum"`
		Amount         flexAmount `json:"amount"`
		Description    flexString `json:"description"`
		CreateDate     flexString `json:"createDate"`
		CreationDate   flexString `json:"creationDate"`
		CreatedAt      flexString `json:"createdAt"`
		Created        flexString `json:"created"`
		Date           flexString `json:"date"`
		ExpirationDate flexString `json:"expirationDate"`
		ExpireDate     flexString `json:"expireDate"`
		ExpiresAt      flexString `json:"expiresAt"`
		PaymentDate    flexString `json:"paymentDate"`
		PaidDate       flexString `json:"paidDate"`
		PaidAt         flexString `json:"paidAt"`
	}
	if err := json.Unmarshal(raw, &w); err != nil {
		return InvoiceInfo{}, err
	}
	info := InvoiceInfo{
		ID:          firstString(w.ID, w.GUID),
		EncodedID:   string(w.EncodedID),
		URL:         firstString(w.URL, w.Link, w.InvoiceURL, w.PaymentURL),
		Type:        invoiceTypeOf(firstString(w.InvoiceType, w.Type)),
		State:       invoiceStatusOf(firstString(w.InvoiceStatus, w.Status, w.State)),
		Description: string(w.Description),
		Raw:         append(json.RawMessage(nil), raw...),
	}
	info.InvID = w.InvID.v
	if !w.InvID.ok {
		info.InvID = w.InvoiceID.v
	}
	for _, a := range []flexAmount{w.OutSum, w.Sum, w.Amount} {
		if a.ok {
			info.OutSum = a.d
			break
		}
	}
	if info.EncodedID == "" && isAbsHTTP(info.URL) {
		info.EncodedID = invoiceEncodedID(info.URL)
	}
	info.CreatedAt = parseInvoiceTime(firstString(w.CreateDate, w.CreationDate, w.CreatedAt, w.Created, w.Date))
	info.ExpirationDate = parseInvoiceTime(firstString(w.ExpirationDate, w.ExpireDate, w.ExpiresAt))
	info.PaidAt = parseInvoiceTime(firstString(w.PaymentDate, w.PaidDate, w.PaidAt))
	return info, nil
}

func firstString(v ...flexString) string {
	for _, s := range v {
		if s != "" {
			return string(s)
		}
	}
	return ""
}

// invoiceTypeOf maps a reported type to a constant in any letter case;
// an unknown value is kept as received.
func invoiceTypeOf(s string) InvoiceType {
	switch strings.ToLower(strings.ReplaceAll(s, "_", "")) {
	case "onetime":
		return InvoiceOneTime
	case "reusable":
		return InvoiceReusable
	}
	return InvoiceType(s)
}

// invoiceStatusOf maps a reported status to a constant in any letter case
// ("waiting", the cabinet's word, and "unpaid" mean Notpaid); an unknown
// value is kept as received.
func invoiceStatusOf(s string) InvoiceState {
	switch strings.ToLower(strings.ReplaceAll(s, "_", "")) {
	case "paid":
		return InvoiceStatePaid
	case "expired":
		return InvoiceStateExpired
	case "notpaid", "unpaid", "waiting":
		return InvoiceStateNotPaid
	}
	return InvoiceState(s)
}

// invoiceTimeLayouts are tried in order; those without an offset are read
// in Moscow time. A fractional second is accepted after any seconds field.
var invoiceTimeLayouts = []string{
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05",
	"2006-01-02",
	"02.01.2006 15:04:05",
	"02.01.2006",
}

// parseInvoiceTime reads a time Robokassa reported; zero if unrecognised.
func parseInvoiceTime(s string) time.Time {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 64 {
		return time.Time{}
	}
	if ms, ok := strings.CutPrefix(s, "/Date("); ok {
		// .NET JSON dates: /Date(1700000000000)/ or /Date(1700000000000+0300)/.
		ms, ok = strings.CutSuffix(ms, ")/")
		if i := strings.IndexAny(ms[min(1, len(ms)):], "+-"); i >= 0 {
			ms = ms[:i+1]
		}
		if v, err := strconv.ParseInt(ms, 10, 64); ok && err == nil {
			return time.UnixMilli(v).In(moscow)
		}
		return time.Time{}
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t
	}
	for _, layout := range invoiceTimeLayouts {
		if t, err := time.ParseInLocation(layout, s, moscow); err == nil {
			return t
		}
	}
	return time.Time{}
}

// --- tolerant JSON scalars: they never fail, so one odd field cannot sink
// a whole response; what they cannot read stays zero. ---------------------

// flexString reads a string, or a number or boolean as its literal text.
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	switch {
	case len(b) == 0 || b[0] == '{' || b[0] == '[' || string(b) == "null":
	case b[0] == '"':
		var s string
		if json.Unmarshal(b, &s) == nil {
			*f = flexString(s)
		}
	default:
		*f = flexString(b)
	}
	return nil
}

// flexBool reads true/false, "true"/"false" in any case, or 1/0.
type flexBool bool

func (f *flexBool) UnmarshalJSON(b []byte) error {
	var s flexString
	_ = s.UnmarshalJSON(b)
	switch strings.ToLower(strings.TrimSpace(string(s))) {
	case "true", "1":
		*f = true
	default:
		*f = false
	}
	return nil
}

// flexInt reads an integer given as a number or a string ("12", "12.0").
type flexInt struct {
	v  int64
	ok bool
}

func (f *flexInt) UnmarshalJSON(b []byte) error {
	var s flexString
	_ = s.UnmarshalJSON(b)
	t := strings.TrimSpace(string(s))
	if i := strings.IndexByte(t, '.'); i >= 0 && strings.Trim(t[i+1:], "0") == "" {
		t = t[:i]
	}
	if v, err := strconv.ParseInt(t, 10, 64); err == nil {
		*f = flexInt{v, true}
	}
	return nil
}

// flexAmount reads a plain decimal given as a number or a string: an
// optional minus, digits, an optional fraction; no exponent (a huge one
// would make later arithmetic explode), at most 40 characters.
type flexAmount struct {
	d  decimal.Decimal
	ok bool
}

func (f *flexAmount) UnmarshalJSON(b []byte) error {
	var s flexString
	_ = s.UnmarshalJSON(b)
	t := strings.TrimSpace(string(s))
	if len(t) == 0 || len(t) > 40 {
		return nil
	}
	digits, dot := 0, false
	for i := 0; i < len(t); i++ {
		switch c := t[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '-' && i == 0:
		case c == '.' && !dot:
			dot = true
		default:
			return nil
		}
	}
	if digits == 0 {
		return nil
	}
	if d, err := decimal.NewFromString(t); err == nil {
		*f = flexAmount{d, true}
	}
	return nil
}
