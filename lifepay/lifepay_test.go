package lifepay_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/robokassa-go/robokassa/lifepay"
)

func TestNewClientValidation(t *testing.T) {
	tests := []struct {
		name   string
		cfg    lifepay.Config
		field  string
		reason string
	}{
		{"secret required", lifepay.Config{ServiceID: "1"}, "Config.SecretKey", "is required"},
		{"2.0 needs service id", lifepay.Config{SecretKey: "k"}, "Config.ServiceID", "required for API 2.0"},
		{"service id digits", lifepay.Config{ServiceID: "12a", SecretKey: "k"}, "Config.ServiceID", "digits"},
		{"1.0 needs key", lifepay.Config{Version: lifepay.V1, SecretKey: "k"}, "Config.Key", "required for API 1.0"},
		{"1.0 needs secret", lifepay.Config{Version: lifepay.V1, Key: "x"}, "Config.SecretKey", "is required"},
		{"key with newline", lifepay.Config{Version: lifepay.V1, Key: "x\n", SecretKey: "k"}, "Config.Key", "control"},
		{"unknown version", lifepay.Config{Version: "3.0", ServiceID: "1", SecretKey: "k"}, "Config.Version", "V1"},
		{"base URL relative", lifepay.Config{ServiceID: "1", SecretKey: "k", BaseURL: "partner.life-pay.ru"}, "Config.BaseURL", "absolute"},
		{"base URL with query", lifepay.Config{ServiceID: "1", SecretKey: "k", BaseURL: "https://x/?a=1"}, "Config.BaseURL", "without query"},
		{"base URL ftp", lifepay.Config{ServiceID: "1", SecretKey: "k", BaseURL: "ftp://x"}, "Config.BaseURL", "http"},
		{"notification URL relative", lifepay.Config{ServiceID: "1", SecretKey: "k", NotificationURL: "/notify"}, "Config.NotificationURL", "absolute"},
		{"notification URL with user", lifepay.Config{ServiceID: "1", SecretKey: "k", NotificationURL: "https://u:p@x/n"}, "Config.NotificationURL", "absolute"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := lifepay.NewClient(tt.cfg)
			assert.Nil(t, c)
			require.ErrorIs(t, err, lifepay.ErrInvalidParam)
			var ve *lifepay.ValidationError
			require.True(t, errors.As(err, &ve))
			assert.Equal(t, tt.field, ve.Field)
			assert.Contains(t, ve.Reason, tt.reason)
		})
	}
}

func TestNewClientDefaults(t *testing.T) {
	c, err := lifepay.NewClient(lifepay.Config{ServiceID: "1", SecretKey: "k"})
	require.NoError(t, err)
	assert.Equal(t, lifepay.V2, c.Version())
	assert.Equal(t, "https://partner.life-pay.ru/alba/input/", c.PaymentFormAction())
}

// TestSecretsNeverPrinted: the secret key appears in no formatting of a
// Config or Client: fmt verbs, JSON, slog text and JSON.
func TestSecretsNeverPrinted(t *testing.T) {
	const key = "very-secret-key"
	cfg := lifepay.Config{ServiceID: "12345", Key: "public-key", SecretKey: key, NotificationURL: "https://shop.example/n"}
	c, err := lifepay.NewClient(cfg)
	require.NoError(t, err)

	var outs []string
	for _, v := range []any{cfg, &cfg, c} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%T"} {
			outs = append(outs, fmt.Sprintf(verb, v))
		}
		j, err := json.Marshal(v)
		if err == nil {
			outs = append(outs, string(j))
		}
		for _, h := range []func(*bytes.Buffer) slog.Handler{
			func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
			func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
		} {
			var b bytes.Buffer
			slog.New(h(&b)).Info("x", "value", v)
			outs = append(outs, b.String())
		}
	}
	outs = append(outs, c.String(), c.GoString())
	for _, o := range outs {
		assert.NotContains(t, o, key)
		assert.NotContains(t, o, fmt.Sprintf("%x", key))
	}
	assert.Contains(t, c.String(), "[redacted]")
	assert.Contains(t, c.String(), "12345")
	assert.Equal(t, "lifepay.Client{Version:2.0 ServiceID:12345 Key:public-key SecretKey:[redacted] BaseURL:https://partner.life-pay.ru NotificationURL:https://shop.example/n}", c.String())
}
