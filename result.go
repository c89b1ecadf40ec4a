package robokassa

import (
	"fmt"
	"maps"
	"net/url"
	"slices"
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
	// prefix, with values decoded once more as spec §3.2 says: what the
	// shop gave [Payment.Shp] comes back. It includes parameters Robokassa
	// adds itself, such as "interface" for payments through cabinet links.
	// Use it for links this SDK built; [Notification.RawShp] has the
	// values as received.
	Shp map[string]string

	// rawShp holds, as received, the Shp values that decoding changed.
	rawShp map[string]string
}

// RawShp returns the Shp parameters with values exactly as received (and
// as signed), in a new map. Use it when the link was made by something
// else (Robokassa's cabinet, another library) that did not URL-encode its
// Shp values: [Notification.Shp] would decode "a+b%20c" to "a b c".
func (n *Notification) RawShp() map[string]string { return rawShp(n.Shp, n.rawShp) }

// VerifyResult verifies a ResultURL notification (spec §4.1): form values
// as received by GET or POST, signed with Password #2. It rejects any
// repeated parameter ([ErrDuplicateParam]), a missing OutSum, InvId or
// SignatureValue ([ErrMissingParam]), a test notification sent to a
// production client ([ErrTestNotification]) and a wrong signature
// ([ErrBadSignature], which never says what mismatched). The comparison
// is constant-time and accepts either hex case; OutSum is hashed exactly
// as received and every received Shp_ parameter is included.
func (c *Client) VerifyResult(v url.Values) (*Notification, error) {
	if c.keys().pass2 == "" {
		return nil, ErrNoPassword2
	}
	return c.verify(v, c.keys().pass2)
}

// VerifySuccess verifies the buyer's SuccessURL redirect (spec §4.2),
// signed with Password #1. It is informational: mark an order paid only
// from [Client.VerifyResult] or [Client.ResultHandler].
func (c *Client) VerifySuccess(v url.Values) (*Notification, error) {
	return c.verify(v, c.keys().pass1)
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

// maxNotificationParams is the most parameters a notification may carry:
// Robokassa sends nine of its own, so this leaves a hundred-odd Shp_
// pairs (see maxShp). A request with more is refused before anything is
// hashed or sorted.
const maxNotificationParams = 128

// maxShp is the most Shp_ parameters a payment may carry, so that the
// notification that comes back fits maxNotificationParams.
const maxShp = 100

// errTooManyParams refuses an implausible notification before any work.
var errTooManyParams = fmt.Errorf("%w: more than %d parameters", ErrInvalidParam, maxNotificationParams)

// scan reads a notification in one pass over the form: it rejects
// implausibly many parameters, repeated parameters and Shp_ pairs that
// could be re-cut (see checkReceivedShp), picks out the known parameters
// and collects the Shp_ pairs (any letter case of the prefix, spec §3.3),
// sorted by name. Unknown parameters are ignored (spec §4.1). Its cost is
// O(n log n) in the number of parameters, and n is capped.
//
// The pairs are returned apart from the other values: inside the struct,
// which the decoded Notification copies strings from, they would move the
// caller's stack array to the heap.
func scan(v url.Values, buf []shpPair) (received, []shpPair, error) {
	var r received
	if len(v) > maxNotificationParams {
		return received{}, nil, errTooManyParams
	}
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
			if len(k) >= 4 && (k[0]|0x20) == 's' && (k[1]|0x20) == 'h' && (k[2]|0x20) == 'p' && k[3] == '_' {
				if err := checkReceivedShp(k, val); err != nil {
					return received{}, nil, err
				}
				buf = append(buf, shpPair{k[:4], k[4:], val})
			}
		}
	}
	sortShp(buf)
	return r, buf, nil
}

// checkReceivedShp refuses a Shp_ pair whose signed form "Shp_name=value"
// could be cut differently and still hash the same (spec §3.3): the parts
// of the signed string are joined by ':' unescaped, so a name outside
// [A-Za-z0-9_], or a value holding ":Shp_<name>=" in any letter case,
// could turn "&Shp_user=42" into part of another value with the
// signature intact. The SDK itself never sends either: it URL-encodes
// every value, so ':' goes out as %3A. Values with ordinary colons (times,
// URLs) pass.
func checkReceivedShp(k, v string) error {
	if !isShpName(k[4:]) {
		return malformed(k)
	}
	for i := strings.IndexByte(v, ':'); i >= 0 && i+5 <= len(v); i = nextColon(v, i) {
		if (v[i+1]|0x20) != 's' || (v[i+2]|0x20) != 'h' || (v[i+3]|0x20) != 'p' || v[i+4] != '_' {
			continue
		}
		j := i + 5
		for j < len(v) && isShpNameByte(v[j]) {
			j++
		}
		if j < len(v) && v[j] == '=' {
			return malformed(k)
		}
	}
	return nil
}

// nextColon returns the index of the next ':' in v after i, or -1.
func nextColon(v string, i int) int {
	if k := strings.IndexByte(v[i+1:], ':'); k >= 0 {
		return i + 1 + k
	}
	return -1
}

// isShpName reports whether s is a Shp_ parameter name after the prefix:
// one or more of [A-Za-z0-9_] (spec §3.3).
func isShpName(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isShpNameByte(s[i]) {
			return false
		}
	}
	return s != ""
}

func isShpNameByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_'
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
// is weakened. It only runs when the documented order failed, and it is
// O(n log n): each sort key is built once, not per comparison.
func (c *Client) verifyOtherOrders(sig signature, got string) bool {
	byName := sig.shp
	if len(byName) < 2 {
		return false
	}
	type keyed struct {
		key string
		p   shpPair
	}
	alt := make([]keyed, len(byName))
	pairs := make([]shpPair, len(byName))
	sig.shp = pairs
	for _, key := range [...]func(p shpPair) string{
		func(p shpPair) string { return strings.ToLower(p.name) },
		func(p shpPair) string { return p.prefix + p.name + "=" + p.value },
	} {
		for i, p := range byName {
			alt[i] = keyed{key(p), p}
		}
		slices.SortStableFunc(alt, func(a, b keyed) int { return strings.Compare(a.key, b.key) })
		for i := range alt {
			pairs[i] = alt[i].p
		}
		if !slices.Equal(pairs, byName) && sig.verify(c.alg, got) {
			return true
		}
	}
	return false
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
	n.Shp, n.rawShp = shpMaps(shp)
	return n, nil
}

// shpMaps is the one decoding rule of Shp parameters, wherever they come
// back (notifications, OpStateExt): it returns the pairs keyed by name
// without the prefix, values decoded (spec §3.2), and, as received, the
// values decoding changed (nil when none did, which is the common case
// and costs nothing). Both are nil when there are no pairs.
func shpMaps(pairs []shpPair) (decoded, changed map[string]string) {
	if len(pairs) == 0 {
		return nil, nil
	}
	decoded = make(map[string]string, len(pairs))
	for _, p := range pairs {
		d := shpValue(p.value)
		decoded[p.name] = d
		if d != p.value {
			if changed == nil {
				changed = make(map[string]string)
			}
			changed[p.name] = p.value
		}
	}
	return decoded, changed
}

// rawShp rebuilds the values as received from the decoded map and the
// values decoding changed.
func rawShp(decoded, changed map[string]string) map[string]string {
	if decoded == nil {
		return nil
	}
	m := maps.Clone(decoded)
	maps.Copy(m, changed)
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
