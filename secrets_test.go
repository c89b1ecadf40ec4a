package robokassa

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var secretConfig = Config{
	MerchantLogin: "demo", Password1: "SECRET-one", Password2: "SECRET-two",
	TestPassword1: "SECRET-test-one", TestPassword2: "SECRET-test-two", Password3: "SECRET-three",
}

func TestSecretsNeverPrinted(t *testing.T) {
	c, err := NewClient(secretConfig)
	require.NoError(t, err)
	cfg := secretConfig
	var logged bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logged, nil))
	type settings struct { // a Config inside the shop's own struct
		Shop      string
		Robokassa Config
	}
	logger.Info("cfg", "config", cfg, "client", c, "nested", settings{"tea", cfg}, "nestedptr", &settings{"tea", cfg})
	slog.New(slog.NewTextHandler(&logged, nil)).Info("cfg", "config", cfg, "client", c, "ptr", &cfg, "nested", settings{"tea", cfg})

	js, err := json.Marshal(cfg)
	require.NoError(t, err)
	nested, err := json.Marshal(settings{"tea", cfg})
	require.NoError(t, err)
	outputs := map[string]string{"slog": logged.String(), "json": string(js), "json nested": string(nested)}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
		outputs["config "+verb] = fmt.Sprintf(verb, cfg)
		outputs["config ptr "+verb] = fmt.Sprintf(verb, &cfg)
		outputs["client "+verb] = fmt.Sprintf(verb, c)
		outputs["client value "+verb] = fmt.Sprintf(verb, *c)
		outputs["in struct "+verb] = fmt.Sprintf(verb, struct {
			C Config
			K *Client
			V Client
		}{cfg, c, *c})
	}
	outputs["String"] = c.String()
	for name, out := range outputs {
		assert.NotContains(t, out, "SECRET", name)
	}
	assert.Contains(t, fmt.Sprintf("%+v", cfg), "MerchantLogin:demo")
	assert.Contains(t, fmt.Sprintf("%+v", cfg), "Password1:[redacted]")
	assert.Contains(t, logged.String(), `"MerchantLogin":"demo"`)
	assert.Contains(t, string(js), `"Password1":"[redacted]"`)
	assert.NotContains(t, string(js), "HTTPClient", "an *http.Client cannot be marshalled: it is left out")
}

func TestErrorsCarryNoSecrets(t *testing.T) {
	c, err := NewClient(secretConfig)
	require.NoError(t, err)
	var errs []error
	_, e := c.PaymentURL(Payment{OutSum: dec("-1")})
	errs = append(errs, e)
	_, e = c.VerifyResult(mustForm(t, goodResult))
	errs = append(errs, e)
	body := []byte(`SignatureValue=ABCDEF&Password1=SECRET-one&x=1 {"Signature":"abc","password":"SECRET-one"} <Signature>abc</Signature> SECRET-two SECRET-three "eyJhbGciOiJIUzI1NiJ9.eyJPcEtleSI6IngifQ.c2lnbmF0dXJl"`)
	errs = append(errs, (&reply{c: c, op: "Op", status: 500, body: body}).apiError("1", "bad"))
	for _, e := range errs {
		require.Error(t, e)
		assert.NotContains(t, e.Error(), "SECRET")
	}
	var ae *APIError
	require.True(t, errors.As(errs[2], &ae))
	assert.NotContains(t, ae.Body, "SECRET")
	assert.NotContains(t, ae.Body, "ABCDEF")
	assert.NotContains(t, ae.Body, `"abc"`)
	assert.NotContains(t, ae.Body, ">abc<")
	assert.NotContains(t, ae.Body, "eyJ", "a token could be replayed")
	assert.Contains(t, ae.Body, "x=1")
	long := c.redactBody([]byte(strings.Repeat("a", 4096)))
	assert.Less(t, len(long), 600)
}

func TestErrorCodeMeanings(t *testing.T) {
	assert.Contains(t, ErrorCodeBadSignature.String(), "error 29: invalid SignatureValue")
	assert.Equal(t, "repeated payment of the same InvId", ErrorCode(40).Meaning())
	assert.Equal(t, "internal Robokassa error", ErrorCode(500).Meaning())
	assert.Contains(t, ErrorCode(23).Meaning(), "test parameters")
	assert.Equal(t, "unknown error code", ErrorCode(99).Meaning())
	for _, c := range []ErrorCode{25, 26, 29, 30, 31, 33, 34, 35, 40, 41, 51, 52, 53, 64, 65, 20, 21, 22, 24, 27, 28, 32, 36, 37, 43} {
		assert.NotEqual(t, "unknown error code", c.Meaning(), "code %d", c)
	}
}
