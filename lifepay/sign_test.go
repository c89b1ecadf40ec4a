package lifepay_test

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/robokassa-go/robokassa/lifepay"
)

// The helpers below recompute the signatures from the formulas of
// docs/lifepay.md with the standard library only; they share no code with
// the package (or with lifepaytest, which uses url.QueryEscape).

// pct percent-encodes s byte by byte: A–Z a–z 0–9 - _ . ~ kept, the rest
// %XY in upper case (§2).
func pct(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || strings.IndexByte("-_.~", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// canonicalQuery is §2's canonical query of params (check and mac left out).
func canonicalQuery(params map[string]string) string {
	var names []string
	for k := range params {
		if k != "check" && k != "mac" {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	pairs := make([]string, len(names))
	for i, k := range names {
		pairs[i] = k + "=" + pct(params[k])
	}
	return strings.Join(pairs, "&")
}

// refV2 is §2: base64(HMAC-SHA256(secret, METHOD\nhost\npath\ncanonical)).
func refV2(secret, method, host, path string, params map[string]string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(method + "\n" + host + "\n" + path + "\n" + canonicalQuery(params)))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// refMD5 is §3 and §4's 1.0 check: md5 hex of the parts and the secret.
func refMD5(secret string, parts ...string) string {
	sum := md5.Sum([]byte(strings.Join(parts, "") + secret))
	return hex.EncodeToString(sum[:])
}

func newV2(t *testing.T) *lifepay.Client {
	t.Helper()
	c, err := lifepay.NewClient(lifepay.Config{
		ServiceID:       "12345",
		SecretKey:       "s3cr3t ключ",
		NotificationURL: "https://Shop.Example:8443/lifepay/notify",
	})
	require.NoError(t, err)
	return c
}

// TestPaymentURLRecomputed builds links for varied payments and checks
// each against the formula recomputed here, with the expected wire values
// written out by hand.
func TestPaymentURLRecomputed(t *testing.T) {
	c := newV2(t)
	deadline := time.Date(2030, 1, 2, 21, 5, 0, 0, time.UTC) // 00:05 next day in Moscow
	tests := []struct {
		name string
		p    lifepay.Payment
		want map[string]string
	}{
		{
			name: "cyrillic, spaces and tilde",
			p: lifepay.Payment{Cost: decimal.RequireFromString("7"), Name: "Чай ~ с мятой (2 шт.)",
				Comment: "a+b=c & d/e?f", OrderID: "abcXYZ9"},
			want: map[string]string{"cost": "7.00", "name": "Чай ~ с мятой (2 шт.)",
				"comment": "a+b=c & d/e?f", "order_id": "abcXYZ9"},
		},
		{
			name: "every optional field",
			p: lifepay.Payment{Cost: decimal.RequireFromString("1234.5"), Name: "Заказ №212",
				Email: "buyer+tag@example.com", Phone: "74951234567", OrderID: "100001",
				Comment: "внутреннее", TargetSerial: "199031000707",
				CustomFields: map[string]string{"b": "2 + 2%", "a": "Ω"},
				SuccessURL:   "https://shop.example/ok?x=1&y=~", ErrorURL: "http://shop.example/fail",
				ExpirationDate: deadline, Recurring: true,
				InvoiceData: &lifepay.Receipt{Items: []lifepay.ReceiptItem{{
					Name: `Маракуя "A&B"`, Price: decimal.RequireFromString("340"), Unit: lifepay.UnitKilogram,
					Quantity: decimal.RequireFromString("1.500"), Sum: decimal.RequireFromString("510"),
					VATMode: lifepay.VATNone,
				}}}},
			want: map[string]string{
				"cost": "1234.50", "name": "Заказ №212", "email": "buyer+tag@example.com",
				"phone_number": "74951234567", "order_id": "100001", "comment": "внутреннее",
				"target_serial": "199031000707",
				"custom_fields": `{"a":"Ω","b":"2 \u002B 2\u0025"}`,
				"url_success":   "https://shop.example/ok?x=1&y=~", "url_error": "http://shop.example/fail",
				"expiration_date": "2030-01-03T00:05", "recurrent_type": "first",
				"invoice_data": `{"items":[{"name":"Маракуя \u0022A\u0026B\u0022","price":340.00,"unit":"kg","quantity":1.5,"sum":510.00,"vat_mode":"none"}]}`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.want["service_id"] = "12345"
			tt.want["version"] = "2.0"
			link, err := c.PaymentURL(tt.p)
			require.NoError(t, err)

			check := refV2("s3cr3t ключ", "GET", "partner.life-pay.ru", "/alba/input/", tt.want)
			assert.Equal(t, "https://partner.life-pay.ru/alba/input/?"+canonicalQuery(tt.want)+"&check="+pct(check), link,
				"the link is the signed canonical query, byte for byte")

			form, err := c.PaymentForm(tt.p)
			require.NoError(t, err)
			assert.Equal(t, refV2("s3cr3t ключ", "POST", "partner.life-pay.ru", "/alba/input/", tt.want), form.Get("check"))
			form.Del("check")
			assert.Len(t, form, len(tt.want))
			for k, v := range tt.want {
				assert.Equal(t, v, form.Get(k), k)
			}
		})
	}
}

// TestPaymentURLBaseURL: the host is signed in lower case without its
// port, and a base path comes before /alba/input/.
func TestPaymentURLBaseURL(t *testing.T) {
	c, err := lifepay.NewClient(lifepay.Config{ServiceID: "1", SecretKey: "k", BaseURL: "http://LOCALHOST:8080/prefix/"})
	require.NoError(t, err)
	link, err := c.PaymentURL(lifepay.Payment{Cost: decimal.NewFromInt(1), Name: "x"})
	require.NoError(t, err)
	want := map[string]string{"cost": "1.00", "name": "x", "service_id": "1", "version": "2.0"}
	check := refV2("k", "GET", "localhost", "/prefix/alba/input/", want)
	assert.Equal(t, "http://LOCALHOST:8080/prefix/alba/input/?"+canonicalQuery(want)+"&check="+pct(check), link)
	assert.Equal(t, "http://LOCALHOST:8080/prefix/alba/input/", c.PaymentFormAction())
}

// TestPaymentURLV1Recomputed: the 1.0 check covers key, cost, name, email,
// order_id, comment and an empty payment_type, whatever else is sent.
func TestPaymentURLV1Recomputed(t *testing.T) {
	c, err := lifepay.NewClient(lifepay.Config{Version: lifepay.V1, Key: "8IR+noSk/M=", SecretKey: "секрет"})
	require.NoError(t, err)
	p := lifepay.Payment{Cost: decimal.RequireFromString("99.9"), Name: "Книга ~ 1", Email: "a@b.c",
		OrderID: "A1", Comment: "без сдачи", Phone: "79990001122"}
	link, err := c.PaymentURL(p)
	require.NoError(t, err)
	want := map[string]string{"key": "8IR+noSk/M=", "cost": "99.90", "name": "Книга ~ 1", "email": "a@b.c",
		"order_id": "A1", "comment": "без сдачи", "phone_number": "79990001122"}
	check := refMD5("секрет", "8IR+noSk/M=", "99.90", "Книга ~ 1", "a@b.c", "A1", "без сдачи", "")
	assert.Equal(t, "https://partner.life-pay.ru/alba/input/?"+canonicalQuery(want)+"&check="+check, link)
}

// TestVerifyNotificationRecomputed verifies 2.0 notifications signed here
// by the formula: Cyrillic, spaces, '~', empty values and extra fields,
// over the host (lower case, no port) and path of the notification URL.
func TestVerifyNotificationRecomputed(t *testing.T) {
	c := newV2(t)
	base := map[string]string{
		"tid": "3950000002", "name": "Подписка ~ месяц", "comment": "", "partner_id": "77",
		"service_id": "12345", "order_id": "", "type": "spg", "cost": "200.00",
		"income_total": "200.00", "income": "195.00", "partner_income": "195.00", "system_income": "5.00",
		"command": "recurrent_expire", "phone_number": "", "email": "a b@c.d", "resultStr": "Истёк",
		"date_created": "2026-12-31 23:59:59", "version": "2.0",
	}
	tests := []struct {
		name  string
		extra map[string]string
	}{
		{"standard fields", nil},
		{"extra fields are signed and reported", map[string]string{"recurrent_id": "R~1 2", "x.y-z_": "",
			"mac": "ignored by the signature"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fields := map[string]string{}
			for k, v := range base {
				fields[k] = v
			}
			for k, v := range tt.extra {
				fields[k] = v
			}
			form := formOf(fields)
			form.Set("check", refV2("s3cr3t ключ", "POST", "shop.example", "/lifepay/notify", fields))
			n, err := c.VerifyNotification(form)
			require.NoError(t, err)
			assert.Equal(t, lifepay.CommandRecurrentExpire, n.Command)
			assert.Equal(t, "a b@c.d", n.Email)
			if tt.extra == nil {
				assert.Nil(t, n.Extra)
			} else {
				assert.Equal(t, map[string]string{"recurrent_id": "R~1 2", "x.y-z_": ""}, n.Extra)
			}

			// Signed with the port, or another path, it is refused.
			form.Set("check", refV2("s3cr3t ключ", "POST", "shop.example:8443", "/lifepay/notify", fields))
			_, err = c.VerifyNotification(form)
			assert.ErrorIs(t, err, lifepay.ErrBadSignature)
			form.Set("check", refV2("s3cr3t ключ", "POST", "shop.example", "/lifepay/notify/", fields))
			_, err = c.VerifyNotification(form)
			assert.ErrorIs(t, err, lifepay.ErrBadSignature)
		})
	}
}

// TestVerifyNotificationV1Recomputed: the 1.0 check is the MD5 of the 18
// fields in order and the secret; fields it does not cover are dropped.
func TestVerifyNotificationV1Recomputed(t *testing.T) {
	c, err := lifepay.NewClient(lifepay.Config{Version: lifepay.V1, Key: "k", SecretKey: "секрет"})
	require.NoError(t, err)
	order := []string{"tid", "name", "comment", "partner_id", "service_id", "order_id", "type", "cost",
		"income_total", "income", "partner_income", "system_income", "command",
		"phone_number", "email", "resultStr", "date_created", "version"}
	fields := map[string]string{"tid": "1", "name": "Имя ~ x", "cost": "10.00", "command": "refund",
		"version": "1.0", "service_id": "9"}
	parts := make([]string, len(order))
	for i, k := range order {
		parts[i] = fields[k]
	}
	form := formOf(fields)
	form.Set("unsigned_extra", "anything")
	form.Set("check", refMD5("секрет", parts...))
	n, err := c.VerifyNotification(form)
	require.NoError(t, err)
	assert.Equal(t, lifepay.CommandRefund, n.Command)
	assert.Equal(t, "9", n.ServiceID)
	assert.Nil(t, n.Extra, "1.0 does not sign extra fields, so they are not reported")
	assert.True(t, decimal.RequireFromString("10").Equal(n.Cost))

	// Without a version field the notification is 1.0 too.
	form.Del("version")
	parts[len(parts)-1] = ""
	form.Set("check", refMD5("секрет", parts...))
	n, err = c.VerifyNotification(form)
	require.NoError(t, err)
	assert.Equal(t, lifepay.V1, n.Version)
}

// TestEscapeAgainstNetURL: the package's encoding agrees with the
// standard library's RFC 3986 query escaping for every byte.
func TestEscapeAgainstNetURL(t *testing.T) {
	var all strings.Builder
	for b := 0; b < 256; b++ {
		all.WriteByte(byte(b))
	}
	s := all.String() + "Ёжик ~ в тумане"
	c := newV2(t)
	fields := map[string]string{"tid": "1", "command": "success", "service_id": "12345", "version": "2.0", "comment": s}
	form := formOf(fields)
	form.Set("check", refV2("s3cr3t ключ", "POST", "shop.example", "/lifepay/notify", fields))
	_, err := c.VerifyNotification(form)
	require.NoError(t, err)
	require.Equal(t, strings.ReplaceAll(url.QueryEscape(s), "+", "%20"), pct(s), "the test's own encoder is RFC 3986")
}
