package lifepay

import (
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/shopspring/decimal"
)

// Command says what a notification reports (§4).
type Command string

// Commands Life-Pay sends. Any other value is kept as received.
const (
	CommandProcess         Command = "process"
	CommandSuccess         Command = "success"
	CommandCancel          Command = "cancel"
	CommandRecurrentCancel Command = "recurrent_cancel"
	CommandRecurrentExpire Command = "recurrent_expire"
	CommandRefund          Command = "refund"
	// CommandFundsBlocked reports a hold: the money is blocked on the
	// buyer's card, not yet taken.
	CommandFundsBlocked Command = "funds_blocked"
	CommandDone         Command = "done"
)

// Known reports whether c is one of the commands the package names.
func (c Command) Known() bool {
	switch c {
	case CommandProcess, CommandSuccess, CommandCancel, CommandRecurrentCancel,
		CommandRecurrentExpire, CommandRefund, CommandFundsBlocked, CommandDone:
		return true
	}
	return false
}

// Notification is what Life-Pay reports to the shop's notification URL
// (§4), verified. Fields a notification does not carry are zero.
type Notification struct {
	// Version is the API version the notification was signed under.
	Version APIVersion
	// TransactionID is Life-Pay's transaction number (tid).
	TransactionID string
	// Command says what happened; compare with [CommandSuccess] etc.
	Command Command
	// OrderID is the shop's order number from the payment (order_id).
	OrderID string
	// Name and Comment are the payment's, as the shop sent them.
	Name    string
	Comment string
	// PartnerID and ServiceID identify the shop's account and service.
	PartnerID string
	ServiceID string
	// PaymentType is how the buyer paid (type), e.g. "spg" for a card.
	PaymentType string
	// Cost is the payment's amount. Compare it with the order's total
	// before fulfilling the order.
	Cost decimal.Decimal
	// IncomeTotal, Income, PartnerIncome and SystemIncome are Life-Pay's
	// accounting of the payment (income_total, income, partner_income,
	// system_income); the seeds do not define them (§4).
	IncomeTotal   decimal.Decimal
	Income        decimal.Decimal
	PartnerIncome decimal.Decimal
	SystemIncome  decimal.Decimal
	// Phone and Email are the buyer's (phone_number, email).
	Phone string
	Email string
	// ResultText is Life-Pay's description of the outcome (resultStr),
	// e.g. "Оплачен".
	ResultText string
	// DateCreated is when the transaction was created, as received
	// ("2026-11-30 10:00:00"); [Notification.Created] parses it.
	DateCreated string
	// Extra holds every other field of a 2.0 notification, all of them
	// covered by its signature. A 1.0 notification signs only the 18
	// fields above, so its other fields are not reported.
	Extra map[string]string
}

// dateCreatedLayout is the format of date_created (§4).
const dateCreatedLayout = "2006-01-02 15:04:05"

// Created parses DateCreated as Moscow time (§4).
func (n *Notification) Created() (time.Time, error) {
	t, err := time.ParseInLocation(dateCreatedLayout, n.DateCreated, moscow)
	if err != nil {
		return time.Time{}, malformed("date_created")
	}
	return t, nil
}

// v1Fields are the fields a 1.0 notification's MD5 covers, in order (§4).
var v1Fields = [...]string{
	"tid", "name", "comment", "partner_id", "service_id", "order_id", "type", "cost",
	"income_total", "income", "partner_income", "system_income", "command",
	"phone_number", "email", "resultStr", "date_created", "version",
}

// Bounds on a notification, checked before any hashing (§4).
const (
	// maxParams is the most parameters a notification may have: Life-Pay
	// sends 19, and a few more may come with recurring payments.
	maxParams = 64
	// maxNotificationBytes caps the names and values of a notification
	// together, and a notification request's body.
	maxNotificationBytes = 64 << 10
)

// VerifyNotification verifies a notification from Life-Pay (§4): form
// values as received by POST. The notification's version field picks the
// check — 2.0 (HMAC-SHA256 over every field, with METHOD POST and the
// host and path of Config.NotificationURL) or 1.0 (MD5 over 18 fields) —
// but never a weaker one than the client's: a 2.0 client refuses 1.0
// notifications ([ErrVersionNotAccepted]).
//
// Before any hashing it refuses a notification of more than 64
// parameters or 64 KiB ([ErrTooLarge]), a repeated parameter
// ([ErrDuplicateParam]), a parameter name that is not 1 to 64 bytes of
// A–Z a–z 0–9 - _ . ~ ([ErrInvalidParam]) and a missing check
// ([ErrMissingParam]). A wrong check gives [ErrBadSignature], which never
// says what mismatched; the comparison takes constant time and accepts
// either hex case for 1.0.
// After the check it requires tid and command, parses the amounts, and
// refuses a service_id other than Config.ServiceID ([ErrWrongService]).
func (c *Client) VerifyNotification(form url.Values) (*Notification, error) {
	if len(form) > maxParams {
		return nil, ErrTooLarge
	}
	params := make([]param, 0, len(form))
	size := 0
	for k, vs := range form {
		if size += len(k); size > maxNotificationBytes {
			return nil, ErrTooLarge
		}
		if !validName(k) {
			return nil, errBadName
		}
		switch len(vs) {
		case 0:
			continue
		case 1:
		default:
			return nil, duplicate(k)
		}
		if size += len(vs[0]); size > maxNotificationBytes {
			return nil, ErrTooLarge
		}
		params = append(params, param{k, vs[0]})
	}
	check := form.Get("check")
	if check == "" {
		return nil, missing("check")
	}
	var version APIVersion
	switch v := form.Get("version"); v {
	case "", string(V1):
		version = V1
	case string(V2):
		version = V2
	default:
		return nil, malformed("version")
	}
	if version == V1 && c.version != V1 {
		return nil, ErrVersionNotAccepted
	}
	if version == V2 && c.notifyURL == "" {
		return nil, ErrNoNotificationURL
	}

	var ok bool
	if version == V2 {
		sortParams(params)
		ok = verifyV2(c.secret(), http.MethodPost, c.notifyHost, c.notifyPath, params, check)
	} else {
		var parts [len(v1Fields)]string
		for i, name := range v1Fields {
			parts[i] = form.Get(name)
		}
		ok = verifyV1(c.secret(), check, parts[:]...)
	}
	if !ok {
		return nil, ErrBadSignature
	}
	return c.decode(version, form, params)
}

// errBadName refuses a parameter name outside the unreserved set without
// repeating it: the name is the sender's and could be anything.
var errBadName = fmt.Errorf("%w: a name that is not 1 to 64 bytes of A-Z a-z 0-9 - _ . ~", ErrInvalidParam)

// maxNameLen bounds a notification parameter name (Life-Pay's longest is
// 14 bytes), which also bounds what an error may quote of it.
const maxNameLen = 64

// validName reports whether a notification parameter name is 1 to 64
// RFC 3986 unreserved bytes, so that the canonical query of §2 cannot be
// read two ways.
func validName(s string) bool {
	if s == "" || len(s) > maxNameLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !unreserved(s[i]) {
			return false
		}
	}
	return true
}

// decode builds the Notification of a verified form.
func (c *Client) decode(version APIVersion, form url.Values, params []param) (*Notification, error) {
	get := form.Get
	n := &Notification{
		Version:       version,
		TransactionID: get("tid"),
		Command:       Command(get("command")),
		OrderID:       get("order_id"),
		Name:          get("name"),
		Comment:       get("comment"),
		PartnerID:     get("partner_id"),
		ServiceID:     get("service_id"),
		PaymentType:   get("type"),
		Phone:         get("phone_number"),
		Email:         get("email"),
		ResultText:    get("resultStr"),
		DateCreated:   get("date_created"),
	}
	if n.TransactionID == "" {
		return nil, missing("tid")
	}
	if n.Command == "" {
		return nil, missing("command")
	}
	if c.serviceID != "" && n.ServiceID != c.serviceID {
		return nil, ErrWrongService
	}
	for _, a := range [...]struct {
		name string
		dst  *decimal.Decimal
	}{
		{"cost", &n.Cost}, {"income_total", &n.IncomeTotal}, {"income", &n.Income},
		{"partner_income", &n.PartnerIncome}, {"system_income", &n.SystemIncome},
	} {
		d, err := parseAmount(get(a.name))
		if err != nil {
			return nil, malformed(a.name)
		}
		*a.dst = d
	}
	if version == V2 {
		for _, kv := range params {
			if !known(kv.name) {
				if n.Extra == nil {
					n.Extra = make(map[string]string)
				}
				n.Extra[kv.name] = kv.value
			}
		}
	}
	return n, nil
}

// known reports the fields Notification has a place for, and the
// signature parameters.
func known(name string) bool {
	for _, f := range v1Fields {
		if f == name {
			return true
		}
	}
	return excludedFromSignature(name)
}

// parseAmount parses a notification amount: empty is zero; otherwise an
// optional '-', digits, and an optional fraction. No exponent, sign '+',
// spaces or comma: a value Life-Pay did not write that way is refused
// rather than guessed at.
func parseAmount(s string) (decimal.Decimal, error) {
	if s == "" {
		return decimal.Decimal{}, nil
	}
	digits, dot := 0, -1
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '-' && i == 0:
		case c == '.' && dot < 0 && digits > 0:
			dot = i
		case '0' <= c && c <= '9':
			digits++
		default:
			return decimal.Decimal{}, ErrInvalidParam
		}
	}
	if digits == 0 || dot == len(s)-1 || len(s) > 40 {
		return decimal.Decimal{}, ErrInvalidParam
	}
	return decimal.NewFromString(s)
}
