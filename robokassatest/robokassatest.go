// Package robokassatest helps shops test their Robokassa integration
// without Robokassa: it signs notifications the way Robokassa does, so a
// shop's own ResultURL handler can be exercised with httptest, as
// net/http/httptest is to net/http.
//
// Its hashing is written independently of package robokassa, so a test
// that signs here and verifies there checks one implementation against
// another.
package robokassatest

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/robokassa-go/robokassa"
)

// ResultForm returns the form Robokassa would send to the ResultURL for
// n. It carries IsTest=1 exactly when n.IsTest, and is signed as
// Robokassa signs it: with the test Password #2 then, with Password #2
// otherwise, whatever cfg.Test says — so a test that forgets IsTest fails
// as it would against Robokassa. OutSum and Fee carry six decimals, as
// Robokassa sends them; Shp values are encoded as the SDK sent them.
func ResultForm(cfg robokassa.Config, n robokassa.Notification) url.Values {
	pass := cfg.Password2
	if n.IsTest {
		pass = cfg.TestPassword2
	}
	v := form(n, 6)
	v.Set("Fee", n.Fee.StringFixed(6))
	if n.Email != "" {
		v.Set("EMail", n.Email)
	}
	if n.PaymentMethod != "" {
		v.Set("PaymentMethod", n.PaymentMethod)
	}
	if n.IncCurrLabel != "" {
		v.Set("IncCurrLabel", n.IncCurrLabel)
	}
	v.Set("SignatureValue", Sign(cfg, base(v, string(pass))))
	return v
}

// SuccessForm returns the form of the SuccessURL redirect for n, signed
// with Password #1, or the test Password #1 when n.IsTest (which also
// adds IsTest=1), as [ResultForm] chooses.
func SuccessForm(cfg robokassa.Config, n robokassa.Notification) url.Values {
	pass := cfg.Password1
	if n.IsTest {
		pass = cfg.TestPassword1
	}
	v := form(n, 2)
	if n.Culture != "" {
		v.Set("Culture", n.Culture)
	}
	v.Set("SignatureValue", strings.ToLower(Sign(cfg, base(v, string(pass)))))
	return v
}

// NewResultRequest returns a POST request to target carrying
// [ResultForm], ready for a handler's ServeHTTP.
func NewResultRequest(cfg robokassa.Config, target string, n robokassa.Notification) *http.Request {
	body := ResultForm(cfg, n).Encode()
	r, err := http.NewRequest(http.MethodPost, target, strings.NewReader(body))
	if err != nil {
		panic("robokassatest: " + err.Error())
	}
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return r
}

func form(n robokassa.Notification, places int32) url.Values {
	v := url.Values{}
	v.Set("OutSum", n.OutSum.StringFixed(places))
	v.Set("InvId", strconv.FormatInt(n.InvID, 10))
	if n.IsTest {
		v.Set("IsTest", "1")
	}
	for k, val := range n.Shp {
		v.Set("Shp_"+k, phpURLEncode(val))
	}
	return v
}
