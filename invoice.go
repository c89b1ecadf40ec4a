package robokassa

import (
	"bytes"
	"context"
	"encoding/json"
	"net/url"
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
		return nil, notInTestMode(opCreateInvoice)
	}
	payload, err := c.invoicePayload(&inv)
	if err != nil {
		return nil, err
	}
	rp, err := c.invoiceCall(ctx, opCreateInvoice, payload, false)
	if err != nil {
		return nil, err
	}
	link, err := parseInvoiceLink(rp)
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
		return notInTestMode(opDeactivate)
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
	rp, err := c.invoiceCall(ctx, opDeactivate, payload, false)
	if err != nil {
		return err
	}
	return parseInvoiceAck(rp)
}

// invoiceCall signs payload as the Invoice API's JWT (the shop's
// algorithm, keyed MerchantLogin:Password1, spec §9.1) and posts it.
func (c *Client) invoiceCall(ctx context.Context, op string, payload []byte, idempotent bool) (*reply, error) {
	token := signJWT(string(c.alg), c.alg.newHash(), []byte(c.login+":"+c.keys().pass1), payload)
	return c.postJWT(ctx, op, c.services+invoiceAPIPath+op, token, idempotent)
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
	if err := checkInvID("InvID", inv.InvID, false); err != nil {
		return err
	}
	if err := checkDescription(inv.Description); err != nil {
		return err
	}
	if !utf8.ValidString(inv.MerchantComments) {
		return invalid("MerchantComments", "must be valid UTF-8")
	}
	if err := checkCulture(inv.Culture); err != nil {
		return err
	}
	if err := checkExpiration(inv.ExpirationDate, now); err != nil {
		return err
	}
	if !isToken(string(inv.Sno)) {
		return invalid("Sno", tokenRule)
	}
	if inv.Email != "" {
		if err := checkEmail("Email", inv.Email); err != nil {
			return err
		}
	}
	if err := checkResultURL2(inv.ResultURL2); err != nil {
		return err
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
	if err := checkToken(inv.Token, inv.Recurring, inv.StepByStep); err != nil {
		return err
	}
	if err := checkShp("Shp", inv.Shp); err != nil {
		return err
	}
	if len(inv.Items) > 0 {
		if err := (&Receipt{Items: inv.Items}).checkTotal("", inv.OutSum, "OutSum"); err != nil {
			return err
		}
	}
	for i := range inv.Items { // validated: Quantity is positive
		if _, err := inv.Items[i].unitCost(); err != nil {
			err.Field = "Items[" + strconv.Itoa(i) + "]." + err.Field
			return err
		}
	}
	return validateSplit(inv.Split, inv.OutSum)
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

// --- responses -----------------------------------------------------------

// invoiceEnvelope is the flag and messages every Invoice API answer may
// carry. Field names match in any letter case.
type invoiceEnvelope struct {
	IsSuccess    jsonFlag `json:"isSuccess"`
	Message      jsonText `json:"message"`
	ErrorMessage jsonText `json:"errorMessage"`
}

func (e *invoiceEnvelope) message() string {
	if e.Message.s != "" {
		return e.Message.s
	}
	return e.ErrorMessage.s
}

// refused is Robokassa's {"isSuccess":false} answer as an *APIError.
func (e *invoiceEnvelope) refused(rp *reply) error {
	msg := e.message()
	if msg == "" {
		msg = "request refused without a message"
	}
	return rp.apiError("", msg)
}

// parseInvoiceLink reads a CreateInvoice answer (spec §9.1):
// {"id","invId","url","isSuccess":true}, or isSuccess false with message
// or errorMessage.
func parseInvoiceLink(rp *reply) (*InvoiceLink, error) {
	var r struct {
		invoiceEnvelope
		ID    jsonText `json:"id"`
		InvID jsonText `json:"invId"`
		URL   jsonText `json:"url"`
	}
	if !isJSONObject(rp.body) || json.Unmarshal(rp.body, &r) != nil {
		return nil, rp.malformed("not a JSON object", nil)
	}
	switch {
	case !r.IsSuccess.set && r.message() != "", r.IsSuccess.set && !r.IsSuccess.v:
		return nil, r.refused(rp)
	case !r.IsSuccess.set:
		return nil, rp.malformed("no isSuccess flag", nil)
	}
	link := &InvoiceLink{ID: r.ID.s, URL: r.URL.s}
	link.InvID, _ = r.InvID.digits()
	if !isAbsHTTP(link.URL) {
		return nil, rp.malformed("no absolute url", nil)
	}
	if link.EncodedID = invoiceEncodedID(link.URL); link.EncodedID == "" {
		return nil, rp.malformed("url has no invoice id", nil)
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

// parseInvoiceAck reads an answer that only reports success.
func parseInvoiceAck(rp *reply) error {
	var e invoiceEnvelope
	if !isJSONObject(rp.body) || json.Unmarshal(rp.body, &e) != nil {
		return rp.malformed("not a JSON object", nil)
	}
	switch {
	case e.IsSuccess.set && e.IsSuccess.v:
		return nil
	case e.IsSuccess.set || e.message() != "":
		return e.refused(rp)
	}
	return rp.malformed("no isSuccess flag", nil)
}

func isJSONObject(b []byte) bool {
	b = bytes.TrimSpace(b)
	return len(b) > 0 && b[0] == '{'
}
