package robokassa

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"
)

// Notification is what Robokassa reports on ResultURL, SuccessURL or
// FailURL (spec §4). Fields a given notification does not carry are zero.
type Notification struct {
	// OutSum is the amount as received (ResultURL sends six decimals).
	OutSum decimal.Decimal
	// Fee is Robokassa's commission (ResultURL only).
	Fee   decimal.Decimal
	InvID int64
	// Email is the buyer's e-mail (the EMail parameter; ResultURL only).
	Email         string
	PaymentMethod string
	IncCurrLabel  string
	Culture       string
	// IsTest reports IsTest=1: a test payment, no money moved.
	IsTest bool
	// Shp holds every Shp_ parameter received, keyed by the name after the
	// prefix, with values decoded as spec §3.2 says: what the shop sent
	// comes back. It includes parameters Robokassa adds itself, such as
	// "interface" for payments through cabinet links.
	Shp map[string]string
}

// VerifyResult verifies a ResultURL notification (spec §4.1): form values
// as received by GET or POST, signed with Password #2. It rejects any
// repeated parameter ([ErrDuplicateParam]), a missing OutSum, InvId or
// SignatureValue ([ErrMissingParam]), a test notification sent to a
// production client ([ErrTestNotification]) and a wrong signature
// ([ErrBadSignature], which never says what mismatched). The comparison
// is constant-time and accepts either hex case; OutSum is hashed exactly
// as received and every received Shp_ parameter is included.
func (c *Client) VerifyResult(v url.Values) (*Notification, error) {
	if c.pass2 == "" {
		return nil, ErrNoPassword2
	}
	return c.verify(v, c.pass2)
}

// VerifySuccess verifies the buyer's SuccessURL redirect (spec §4.2),
// signed with Password #1. It is informational: mark an order paid only
// from [Client.VerifyResult] or [Client.ResultHandler].
func (c *Client) VerifySuccess(v url.Values) (*Notification, error) {
	return c.verify(v, c.pass1)
}

// ParseFail reads the FailURL redirect (spec §4.3). Robokassa does not
// sign it, so nothing in it can be trusted: use it only to show the buyer
// a page, never to change an order.
func ParseFail(v url.Values) (*Notification, error) {
	var shp [maxShpStack]shpPair
	r, pairs, err := scan(v, shp[:0])
	if err != nil {
		return nil, err
	}
	if r.invID == "" {
		return nil, missing("InvId")
	}
	return r.notification(pairs)
}

// received holds a notification's parameters as they arrived (after one
// form decoding).
type received struct {
	outSum, invID, signature, fee string
	email, method, label, culture string
	isTest                        bool
}

// scan reads a notification in one pass over the form: it rejects
// repeated parameters, picks out the known ones and collects the Shp_
// pairs (any letter case of the prefix, spec §3.3), sorted by name.
// Unknown parameters are ignored (spec §4.1).
//
// The pairs are returned apart from the other values: inside the struct,
// which the decoded Notification copies strings from, they would move the
// caller's stack array to the heap.
func scan(v url.Values, buf []shpPair) (received, []shpPair, error) {
	var r received
	for k, vs := range v {
		if len(vs) > 1 {
			return received{}, nil, duplicate(k)
		}
		if len(vs) == 0 {
			continue
		}
		switch val := vs[0]; k {
		case "OutSum":
			r.outSum = val
		case "InvId":
			r.invID = val
		case "SignatureValue":
			r.signature = val
		case "Fee":
			r.fee = val
		case "EMail":
			r.email = val
		case "PaymentMethod":
			r.method = val
		case "IncCurrLabel":
			r.label = val
		case "Culture":
			r.culture = val
		case "IsTest":
			r.isTest = val == "1"
		default:
			if len(k) > 4 && (k[0]|0x20) == 's' && (k[1]|0x20) == 'h' && (k[2]|0x20) == 'p' && k[3] == '_' {
				buf = append(buf, shpPair{k[:4], k[4:], val})
			}
		}
	}
	sortShp(buf)
	return r, buf, nil
}

func (c *Client) verify(v url.Values, password string) (*Notification, error) {
	var shp [maxShpStack]shpPair
	r, pairs, err := c.check(v, password, shp[:0])
	if err != nil {
		return nil, err
	}
	return r.notification(pairs)
}

// check is the verification without the decoding: duplicates, required
// parameters, test mode, signature. It returns what it read.
func (c *Client) check(v url.Values, password string, buf []shpPair) (received, []shpPair, error) {
	r, pairs, err := scan(v, buf)
	if err != nil {
		return received{}, nil, err
	}
	switch {
	case r.outSum == "":
		return received{}, nil, missing("OutSum")
	case r.invID == "":
		return received{}, nil, missing("InvId")
	case r.signature == "":
		return received{}, nil, missing("SignatureValue")
	}
	if r.isTest && !c.test {
		return received{}, nil, ErrTestNotification
	}
	sig := newSignature(r.outSum, r.invID)
	sig.password = password
	sig.shp = pairs
	if !sig.verify(c.alg, r.signature) && !c.verifyOtherOrders(sig, r.signature) {
		return received{}, nil, ErrBadSignature
	}
	return r, pairs, nil
}

// verifyOtherOrders retries a failed check with the two other Shp_ orders
// Robokassa's own code uses (spec §3.3): case-insensitive by name, and by
// the whole "name=value" string. Each still needs the password, so nothing
// is weakened. It only runs when the documented order failed.
func (c *Client) verifyOtherOrders(sig signature, got string) bool {
	if len(sig.shp) < 2 {
		return false
	}
	byName := sig.shp
	alt := make([]shpPair, len(byName))
	copy(alt, byName)
	insertionSort(alt, func(a, b shpPair) bool { return strings.ToLower(a.name) < strings.ToLower(b.name) })
	sig.shp = alt
	if !equalOrder(alt, byName) && sig.verify(c.alg, got) {
		return true
	}
	copy(alt, byName)
	insertionSort(alt, func(a, b shpPair) bool {
		return a.prefix+a.name+"="+a.value < b.prefix+b.name+"="+b.value
	})
	return !equalOrder(alt, byName) && sig.verify(c.alg, got)
}

func insertionSort(p []shpPair, less func(a, b shpPair) bool) {
	for i := 1; i < len(p); i++ {
		for j := i; j > 0 && less(p[j], p[j-1]); j-- {
			p[j], p[j-1] = p[j-1], p[j]
		}
	}
}

func equalOrder(a, b []shpPair) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// notification decodes the typed fields of a notification whose
// signature (if any) has been checked, with its Shp pairs.
func (r received) notification(shp []shpPair) (*Notification, error) {
	n := &Notification{
		Email:         r.email,
		PaymentMethod: r.method,
		IncCurrLabel:  r.label,
		Culture:       r.culture,
		IsTest:        r.isTest,
	}
	var err error
	if n.InvID, err = strconv.ParseInt(r.invID, 10, 64); err != nil || n.InvID < 0 {
		return nil, malformed("InvId")
	}
	if r.outSum != "" {
		if n.OutSum, err = parseAmount(r.outSum); err != nil {
			return nil, malformed("OutSum")
		}
	}
	if r.fee != "" {
		if n.Fee, err = parseAmount(r.fee); err != nil {
			return nil, malformed("Fee")
		}
	}
	n.Shp = shpMap(shp)
	return n, nil
}

// shpMap returns the Shp pairs keyed by name with values decoded (spec
// §3.2), or nil when there are none.
func shpMap(pairs []shpPair) map[string]string {
	if len(pairs) == 0 {
		return nil
	}
	m := make(map[string]string, len(pairs))
	for _, p := range pairs {
		m[p.name] = shpValue(p.value)
	}
	return m
}

// shpValue undoes the SDK's own encoding of a Shp value (spec §3.2): the
// notification carries "abc+1" for "abc 1". A value that is not valid
// URL encoding (sent by something else) is returned as received.
func shpValue(s string) string {
	if strings.IndexByte(s, '%') < 0 && strings.IndexByte(s, '+') < 0 {
		return s
	}
	if d, err := url.QueryUnescape(s); err == nil {
		return d
	}
	return s
}

// parseAmount parses a plain decimal amount: digits with an optional
// fraction, no sign, exponent or spaces. Up to 18 digits it builds the
// decimal directly (a zero costs no allocation); longer ones go through
// decimal's own parser.
func parseAmount(s string) (decimal.Decimal, error) {
	var coef int64
	digits, frac, dot := 0, 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '.' && !dot && i > 0 && i < len(s)-1:
			dot = true
		case c < '0' || c > '9':
			return decimal.Decimal{}, ErrInvalidParam
		default:
			coef = coef*10 + int64(c-'0')
			digits++
			if dot {
				frac++
			}
		}
	}
	switch {
	case digits == 0:
		return decimal.Decimal{}, ErrInvalidParam
	case digits > 18:
		// Cloned because decimal keeps its input in error messages, and a
		// kept input would move the caller's scratch space to the heap.
		return decimal.NewFromString(strings.Clone(s))
	case coef == 0:
		return decimal.Decimal{}, nil
	}
	return decimal.New(coef, -int32(frac)), nil
}

// maxNotificationBody caps a notification request body (64 KiB).
const maxNotificationBody = 64 << 10

// ResultHandler returns an http.Handler for the ResultURL (spec §4.1). It
// accepts GET and POST, caps the body at 64 KiB, verifies the
// notification with [Client.VerifyResult] and calls fn. Only when fn
// returns nil does it answer 200 "OK<InvId>", which tells Robokassa to
// stop retrying; fn must therefore be idempotent (Robokassa repeats a
// notification until it is acknowledged). A bad or forged request gets
// 400 and an error from fn gets 500, both with a generic body that echoes
// nothing from the request.
func (c *Client) ResultHandler(fn func(context.Context, *Notification) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, ok := c.readNotification(w, r, c.VerifyResult)
		if !ok {
			return
		}
		if err := fn(r.Context(), n); err != nil {
			plain(w, http.StatusInternalServerError, "internal error\n")
			return
		}
		plain(w, http.StatusOK, "OK"+strconv.FormatInt(n.InvID, 10))
	})
}

// readNotification parses a GET or POST notification request, at most 64
// KiB, and verifies it. On failure it has answered the request.
func (c *Client) readNotification(w http.ResponseWriter, r *http.Request, verify func(url.Values) (*Notification, error)) (*Notification, bool) {
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST")
		plain(w, http.StatusMethodNotAllowed, "method not allowed\n")
		return nil, false
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxNotificationBody)
	if err := r.ParseForm(); err != nil {
		plain(w, http.StatusBadRequest, "bad request\n")
		return nil, false
	}
	n, err := verify(r.Form)
	if err != nil {
		plain(w, http.StatusBadRequest, "bad request\n")
		return nil, false
	}
	return n, true
}

func plain(w http.ResponseWriter, status int, body string) {
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}
