package lifepay_test

import (
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/robokassa-go/robokassa/lifepay"
)

const notifySecret = "s3cr3t ключ"

// v1Order is the order of the 1.0 notification check (§4).
var v1Order = []string{"tid", "name", "comment", "partner_id", "service_id", "order_id", "type", "cost",
	"income_total", "income", "partner_income", "system_income", "command",
	"phone_number", "email", "resultStr", "date_created", "version"}

func notificationFields() map[string]string {
	return map[string]string{
		"tid": "3950000001", "name": "Заказ 1", "comment": "", "partner_id": "77", "service_id": "12345",
		"order_id": "1001", "type": "spg", "cost": "100.50", "income_total": "100.50", "income": "97.50",
		"partner_income": "97.50", "system_income": "3.00", "command": "success", "phone_number": "74951234567",
		"email": "test@test.com", "resultStr": "Оплачен", "date_created": "2026-11-30 10:00:00", "version": "2.0",
	}
}

// signedV2 is a 2.0 notification for newV2's URL, signed by the formula.
func signedV2(fields map[string]string) url.Values {
	form := formOf(fields)
	form.Set("check", refV2(notifySecret, "POST", "shop.example", "/lifepay/notify", fields))
	return form
}

// signedV1 is a 1.0 notification signed by the formula.
func signedV1(fields map[string]string) url.Values {
	fields["version"] = "1.0"
	parts := make([]string, len(v1Order))
	for i, k := range v1Order {
		parts[i] = fields[k]
	}
	form := formOf(fields)
	form.Set("check", refMD5(notifySecret, parts...))
	return form
}

func TestVerifyNotificationRefusals(t *testing.T) {
	v2 := newV2(t)
	v1, err := lifepay.NewClient(lifepay.Config{Version: lifepay.V1, Key: "k", SecretKey: notifySecret})
	require.NoError(t, err)
	v2NoURL, err := lifepay.NewClient(lifepay.Config{ServiceID: "12345", SecretKey: notifySecret})
	require.NoError(t, err)
	v1Service, err := lifepay.NewClient(lifepay.Config{Version: lifepay.V1, Key: "k", SecretKey: notifySecret, ServiceID: "999"})
	require.NoError(t, err)

	many := signedV2(notificationFields())
	for i := 0; len(many) <= 64; i++ {
		many.Set("x"+strconv.Itoa(i), "")
	}
	big := notificationFields()
	big["comment"] = strings.Repeat("я", 32<<10) // 64 KiB of UTF-8

	tests := []struct {
		name   string
		client *lifepay.Client
		form   func() url.Values
		want   error
	}{
		{"1.0 notification to a 2.0 client, correctly signed", v2, func() url.Values { return signedV1(notificationFields()) }, lifepay.ErrVersionNotAccepted},
		{"no version means 1.0", v2, func() url.Values {
			f := signedV2(notificationFields())
			f.Del("version")
			return f
		}, lifepay.ErrVersionNotAccepted},
		{"unknown version", v2, func() url.Values {
			f := notificationFields()
			f["version"] = "3.0"
			return signedV2(f)
		}, lifepay.ErrInvalidParam},
		{"2.0 notification without a notification URL", v2NoURL, func() url.Values { return signedV2(notificationFields()) }, lifepay.ErrNoNotificationURL},
		{"2.0 notification to a 1.0 client without URL", v1, func() url.Values { return signedV2(notificationFields()) }, lifepay.ErrNoNotificationURL},
		{"missing check", v2, func() url.Values {
			f := signedV2(notificationFields())
			f.Del("check")
			return f
		}, lifepay.ErrMissingParam},
		{"empty check", v2, func() url.Values {
			f := signedV2(notificationFields())
			f.Set("check", "")
			return f
		}, lifepay.ErrMissingParam},
		{"duplicate cost", v2, func() url.Values {
			f := signedV2(notificationFields())
			f.Add("cost", "1.00")
			return f
		}, lifepay.ErrDuplicateParam},
		{"duplicate check", v2, func() url.Values {
			f := signedV2(notificationFields())
			f.Add("check", f.Get("check"))
			return f
		}, lifepay.ErrDuplicateParam},
		{"too many parameters", v2, func() url.Values { return many }, lifepay.ErrTooLarge},
		{"too many bytes", v2, func() url.Values { return signedV2(big) }, lifepay.ErrTooLarge},
		{"name with '='", v2, func() url.Values {
			f := notificationFields()
			f["a=b"] = "c"
			return signedV2(f)
		}, lifepay.ErrInvalidParam},
		{"name with '&'", v2, func() url.Values {
			f := notificationFields()
			f["a&b"] = "c"
			return signedV2(f)
		}, lifepay.ErrInvalidParam},
		{"empty name", v2, func() url.Values {
			f := notificationFields()
			f[""] = "c"
			return signedV2(f)
		}, lifepay.ErrInvalidParam},
		{"name of 65 bytes", v2, func() url.Values {
			f := notificationFields()
			f[strings.Repeat("n", 65)] = "c"
			return signedV2(f)
		}, lifepay.ErrInvalidParam},
		{"check not base64", v2, func() url.Values {
			f := signedV2(notificationFields())
			f.Set("check", "!!!!")
			return f
		}, lifepay.ErrBadSignature},
		{"check without padding", v2, func() url.Values {
			f := signedV2(notificationFields())
			f.Set("check", strings.TrimRight(f.Get("check"), "="))
			return f
		}, lifepay.ErrBadSignature},
		{"1.0 check too short", v1, func() url.Values {
			f := signedV1(notificationFields())
			f.Set("check", f.Get("check")[:31])
			return f
		}, lifepay.ErrBadSignature},
		{"1.0 check not hex", v1, func() url.Values {
			f := signedV1(notificationFields())
			f.Set("check", "zz"+f.Get("check")[2:])
			return f
		}, lifepay.ErrBadSignature},
		{"wrong secret", v2, func() url.Values {
			fields := notificationFields()
			f := formOf(fields)
			f.Set("check", refV2("other", "POST", "shop.example", "/lifepay/notify", fields))
			return f
		}, lifepay.ErrBadSignature},
		{"signed as GET", v2, func() url.Values {
			fields := notificationFields()
			f := formOf(fields)
			f.Set("check", refV2(notifySecret, "GET", "shop.example", "/lifepay/notify", fields))
			return f
		}, lifepay.ErrBadSignature},
		{"field added after signing", v2, func() url.Values {
			f := signedV2(notificationFields())
			f.Set("refund", "1")
			return f
		}, lifepay.ErrBadSignature},
		{"field removed after signing", v2, func() url.Values {
			f := signedV2(notificationFields())
			f.Del("comment")
			return f
		}, lifepay.ErrBadSignature},
		{"missing tid", v2, func() url.Values {
			f := notificationFields()
			delete(f, "tid")
			return signedV2(f)
		}, lifepay.ErrMissingParam},
		{"missing command", v2, func() url.Values {
			f := notificationFields()
			f["command"] = ""
			return signedV2(f)
		}, lifepay.ErrMissingParam},
		{"another service", newV2(t), func() url.Values {
			f := notificationFields()
			f["service_id"] = "54321"
			return signedV2(f)
		}, lifepay.ErrWrongService},
		{"1.0 bytes slid between service_id and order_id", v1Service, func() url.Values {
			f := notificationFields()
			f["service_id"], f["order_id"] = "999", "1"
			form := signedV1(f)
			form.Set("service_id", "9991")
			form.Set("order_id", "")
			return form // same MD5, but the service check refuses it
		}, lifepay.ErrWrongService},
		{"amount with comma", v2, func() url.Values {
			f := notificationFields()
			f["cost"] = "100,50"
			return signedV2(f)
		}, lifepay.ErrInvalidParam},
		{"amount with exponent", v2, func() url.Values {
			f := notificationFields()
			f["income"] = "1e3"
			return signedV2(f)
		}, lifepay.ErrInvalidParam},
		{"amount with spaces", v2, func() url.Values {
			f := notificationFields()
			f["system_income"] = " 3.00"
			return signedV2(f)
		}, lifepay.ErrInvalidParam},
		{"amount ending in a dot", v2, func() url.Values {
			f := notificationFields()
			f["partner_income"] = "3."
			return signedV2(f)
		}, lifepay.ErrInvalidParam},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			form := tt.form()
			n, err := tt.client.VerifyNotification(form)
			assert.Nil(t, n)
			require.ErrorIs(t, err, tt.want)
			msg := err.Error()
			assert.True(t, strings.HasPrefix(msg, "lifepay: "), msg)
			for _, secretish := range []string{notifySecret, form.Get("check"), "Оплачен", "100.50", "3950000001"} {
				if secretish != "" {
					assert.NotContains(t, msg, secretish, "the error repeats nothing of the request's values")
				}
			}
		})
	}
}

// TestVerifyNotificationMutations: changing any single signed value is
// refused with ErrBadSignature, in both versions.
func TestVerifyNotificationMutations(t *testing.T) {
	v2 := newV2(t)
	v1, err := lifepay.NewClient(lifepay.Config{Version: lifepay.V1, Key: "k", SecretKey: notifySecret})
	require.NoError(t, err)
	for _, version := range []string{"1.0", "2.0"} {
		for _, name := range v1Order {
			if name == "version" {
				continue
			}
			t.Run(version+"/"+name, func(t *testing.T) {
				c, sign := v2, signedV2
				if version == "1.0" {
					c, sign = v1, signedV1
				}
				form := sign(notificationFields())
				_, err := c.VerifyNotification(form)
				require.NoError(t, err, "the unchanged notification verifies")
				form.Set(name, form.Get(name)+"0")
				_, err = c.VerifyNotification(form)
				assert.ErrorIs(t, err, lifepay.ErrBadSignature)
			})
		}
	}
}

// TestV1ClientAcceptsV2: a 1.0 client with a notification URL accepts a
// 2.0 notification, which is signed with the same key by the stronger
// method (§4).
func TestV1ClientAcceptsV2(t *testing.T) {
	c, err := lifepay.NewClient(lifepay.Config{Version: lifepay.V1, Key: "k", SecretKey: notifySecret,
		NotificationURL: "https://shop.example/lifepay/notify"})
	require.NoError(t, err)
	n, err := c.VerifyNotification(signedV2(notificationFields()))
	require.NoError(t, err)
	assert.Equal(t, lifepay.V2, n.Version)
	n, err = c.VerifyNotification(signedV1(notificationFields()))
	require.NoError(t, err)
	assert.Equal(t, lifepay.V1, n.Version)
}

func TestNotificationDecoding(t *testing.T) {
	c := newV2(t)
	tests := []struct {
		name   string
		change map[string]string
		check  func(t *testing.T, n *lifepay.Notification)
	}{
		{"unknown command kept", map[string]string{"command": "partial_refund"}, func(t *testing.T, n *lifepay.Notification) {
			assert.Equal(t, lifepay.Command("partial_refund"), n.Command)
			assert.False(t, n.Command.Known())
		}},
		{"known command", map[string]string{"command": "funds_blocked"}, func(t *testing.T, n *lifepay.Notification) {
			assert.Equal(t, lifepay.CommandFundsBlocked, n.Command)
			assert.True(t, n.Command.Known())
		}},
		{"empty amounts are zero", map[string]string{"income": "", "partner_income": ""}, func(t *testing.T, n *lifepay.Notification) {
			assert.True(t, n.Income.IsZero())
			assert.True(t, n.PartnerIncome.IsZero())
		}},
		{"negative and long amounts as received", map[string]string{"cost": "-100.5", "income_total": "123456789012345678901234.125"}, func(t *testing.T, n *lifepay.Notification) {
			assert.True(t, decimal.RequireFromString("-100.5").Equal(n.Cost))
			assert.Equal(t, "123456789012345678901234.125", n.IncomeTotal.String())
		}},
		{"created in Moscow time", nil, func(t *testing.T, n *lifepay.Notification) {
			at, err := n.Created()
			require.NoError(t, err)
			assert.True(t, at.Equal(time.Date(2026, 11, 30, 7, 0, 0, 0, time.UTC)), at.String())
		}},
		{"unparsable date kept as received", map[string]string{"date_created": "30.11.2026"}, func(t *testing.T, n *lifepay.Notification) {
			assert.Equal(t, "30.11.2026", n.DateCreated)
			_, err := n.Created()
			assert.ErrorIs(t, err, lifepay.ErrInvalidParam)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := notificationFields()
			for k, v := range tt.change {
				f[k] = v
			}
			n, err := c.VerifyNotification(signedV2(f))
			require.NoError(t, err)
			tt.check(t, n)
		})
	}
}
