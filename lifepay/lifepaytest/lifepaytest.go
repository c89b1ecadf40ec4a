// Package lifepaytest helps shops test their Life-Pay integration without
// Life-Pay: it builds notifications signed the way Life-Pay signs them, so
// a shop's own notification handler can be exercised with
// net/http/httptest.
//
// Its signing code is written independently of package lifepay (standard
// library only), so a test that signs here and verifies there checks one
// implementation against another.
package lifepaytest

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/robokassa-go/robokassa/lifepay"
)

// fieldOrder is the order a 1.0 notification's MD5 takes its fields in.
var fieldOrder = []string{
	"tid", "name", "comment", "partner_id", "service_id", "order_id", "type", "cost",
	"income_total", "income", "partner_income", "system_income", "command",
	"phone_number", "email", "resultStr", "date_created", "version",
}

// NotificationForm returns the form Life-Pay would POST for n, signed with
// cfg.SecretKey. The API version is n.Version, or cfg.Version when that is
// empty (the zero of which is 2.0). A 2.0 form is signed with METHOD POST
// over the host and path of cfg.NotificationURL and every field,
// n.Extra included; a 1.0 form signs its 18 standard fields, and n.Extra
// is sent unsigned. Amounts carry two decimals, as Life-Pay sends them.
//
// It panics when a 2.0 form is asked for and cfg.NotificationURL does not
// parse: that is a mistake in the test, not in the code under test.
func NotificationForm(cfg lifepay.Config, n lifepay.Notification) url.Values {
	version := n.Version
	if version == "" {
		version = cfg.Version
	}
	if version == "" {
		version = lifepay.V2
	}
	v := url.Values{}
	for k, val := range n.Extra {
		v.Set(k, val)
	}
	set := map[string]string{
		"tid": n.TransactionID, "name": n.Name, "comment": n.Comment,
		"partner_id": n.PartnerID, "service_id": n.ServiceID, "order_id": n.OrderID,
		"type": n.PaymentType, "cost": n.Cost.StringFixed(2),
		"income_total": n.IncomeTotal.StringFixed(2), "income": n.Income.StringFixed(2),
		"partner_income": n.PartnerIncome.StringFixed(2), "system_income": n.SystemIncome.StringFixed(2),
		"command": string(n.Command), "phone_number": n.Phone, "email": n.Email,
		"resultStr": n.ResultText, "date_created": n.DateCreated, "version": string(version),
	}
	for k, val := range set {
		v.Set(k, val)
	}
	secret := string(cfg.SecretKey)
	if version == lifepay.V1 {
		var b strings.Builder
		for _, k := range fieldOrder {
			b.WriteString(v.Get(k))
		}
		b.WriteString(secret)
		sum := md5.Sum([]byte(b.String()))
		v.Set("check", hex.EncodeToString(sum[:]))
		return v
	}
	u, err := url.Parse(cfg.NotificationURL)
	if err != nil || u.Host == "" {
		panic("lifepaytest: Config.NotificationURL must be an absolute URL to sign a 2.0 notification")
	}
	v.Set("check", Sign(secret, http.MethodPost, u.Hostname(), u.EscapedPath(), v))
	return v
}

// NewNotificationRequest returns a POST request to cfg.NotificationURL
// carrying [NotificationForm], ready for a handler's ServeHTTP.
func NewNotificationRequest(cfg lifepay.Config, n lifepay.Notification) *http.Request {
	body := NotificationForm(cfg, n).Encode()
	target := cfg.NotificationURL
	if target == "" {
		target = "/"
	}
	r, err := http.NewRequest(http.MethodPost, target, strings.NewReader(body))
	if err != nil {
		panic("lifepaytest: " + err.Error())
	}
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return r
}

// Sign returns the API 2.0 signature of params as Life-Pay computes it:
// base64 of HMAC-SHA256, keyed by secret, over METHOD, host (lower-cased,
// no port), path and the query of every parameter except check and mac,
// sorted by name, values percent-encoded per RFC 3986, joined by newlines.
func Sign(secret, method, host, path string, params url.Values) string {
	names := make([]string, 0, len(params))
	for k := range params {
		if k != "check" && k != "mac" && k != "check_gate_internal" {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	pairs := make([]string, len(names))
	for i, k := range names {
		pairs[i] = k + "=" + rfc3986(params.Get(k))
	}
	msg := method + "\n" + strings.ToLower(host) + "\n" + path + "\n" + strings.Join(pairs, "&")
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(msg))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// rfc3986 is url.QueryEscape with a space as %20: it leaves exactly
// A–Z a–z 0–9 - _ . ~ alone.
func rfc3986(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}
