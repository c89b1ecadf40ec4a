package secret_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/robokassa-go/robokassa/internal/secret"
)

type holder struct {
	Name  string
	Pass  secret.String
	Inner struct{ Key secret.String }
	ptr   *secret.String
}

func TestSecretNeverPrints(t *testing.T) {
	const pw = "hunter2-very-secret"
	h := holder{Name: "shop", Pass: pw}
	h.Inner.Key = pw
	p := secret.String(pw)
	h.ptr = &p

	var outs []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%10s", "%-8v", "%d"} {
		outs = append(outs, fmt.Sprintf(verb, h), fmt.Sprintf(verb, &h), fmt.Sprintf(verb, p))
	}
	outs = append(outs, fmt.Sprint(p), fmt.Sprintln(h), p.String(), p.GoString())

	js, err := json.Marshal(h)
	require.NoError(t, err)
	outs = append(outs, string(js))
	x, err := xml.Marshal(h)
	require.NoError(t, err)
	outs = append(outs, string(x))

	for _, newHandler := range []func(*bytes.Buffer) slog.Handler{
		func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
		func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
	} {
		var b bytes.Buffer
		slog.New(newHandler(&b)).Info("x", "holder", h, "pass", p, "ptr", &h)
		outs = append(outs, b.String())
	}
	for _, out := range outs {
		assert.NotContains(t, out, "hunter2", out)
	}
	assert.Contains(t, string(js), `"Pass":"[redacted]"`)
	assert.Equal(t, "[redacted]", p.String())
	assert.Equal(t, `"[redacted]"`, fmt.Sprintf("%#v", p))
}

func TestEmptySecretPrintsEmpty(t *testing.T) {
	var s secret.String
	assert.Equal(t, "", fmt.Sprint(s))
	js, err := json.Marshal(s)
	require.NoError(t, err)
	assert.Equal(t, `""`, string(js))
}

func TestSecretDecodesAsString(t *testing.T) {
	var h struct{ Pass secret.String }
	require.NoError(t, json.Unmarshal([]byte(`{"Pass":"p1"}`), &h))
	assert.Equal(t, secret.String("p1"), h.Pass)
}
