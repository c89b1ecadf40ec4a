package main

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The known-answer vectors in testdata/ were computed outside Go (Python
// hashlib) from the protocol's formulas: signatures.json (payment links)
// and callbacks.json (ResultURL and SuccessURL bodies).

// result is what one run of the command line produced.
type result struct {
	code           int
	stdout, stderr string
}

// demoEnv is the environment most tests run with: the vectors' login and
// passwords, and a test pair.
var demoEnv = map[string]string{
	"ROBOKASSA_LOGIN":          "demo",
	"ROBOKASSA_PASSWORD1":      "password_1",
	"ROBOKASSA_PASSWORD2":      "password_2",
	"ROBOKASSA_TEST_PASSWORD1": "test_password_1",
	"ROBOKASSA_TEST_PASSWORD2": "test_password_2",
}

// with returns a copy of env with the given changes ("" deletes).
func with(env map[string]string, kv ...string) map[string]string {
	out := map[string]string{}
	for k, v := range env {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			delete(out, kv[i])
		} else {
			out[kv[i]] = kv[i+1]
		}
	}
	return out
}

// runCLI runs the command line as main would, with env as the whole
// environment and stdin as standard input.
func runCLI(t *testing.T, env map[string]string, stdin string, args ...string) result {
	t.Helper()
	return runCLIContext(t, context.Background(), env, stdin, args...)
}

func runCLIContext(t *testing.T, ctx context.Context, env map[string]string, stdin string, args ...string) result {
	t.Helper()
	var stdout, stderr syncBuffer
	c := &cli{
		ctx:    ctx,
		env:    func(k string) (string, bool) { v, ok := env[k]; return v, ok },
		stdin:  strings.NewReader(stdin),
		stdout: &stdout,
		stderr: &stderr,
	}
	code := c.main(args)
	return result{code, stdout.String(), stderr.String()}
}

// syncBuffer is a bytes.Buffer safe for a writer and a reader in two
// goroutines (the sandbox writes while its test reads).
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// md5hex is the documented MD5 signature, computed with the standard
// library in the test.
func md5hex(base string) string {
	s := md5.Sum([]byte(base))
	return hex.EncodeToString(s[:])
}

type signatureVector struct {
	Name      string `json:"name"`
	Algorithm string `json:"algorithm"`
	Inputs    struct {
		MerchantLogin     string            `json:"merchant_login"`
		OutSum            string            `json:"out_sum"`
		InvID             string            `json:"inv_id"`
		Password          string            `json:"password"`
		Shp               map[string]string `json:"shp"`
		ReceiptJSON       string            `json:"receipt_json"`
		StepByStep        bool              `json:"step_by_step"`
		ResultURL2        string            `json:"result_url2"`
		SuccessURL2       string            `json:"success_url2"`
		SuccessURL2Method string            `json:"success_url2_method"`
		FailURL2          string            `json:"fail_url2"`
		FailURL2Method    string            `json:"fail_url2_method"`
		Token             string            `json:"token"`
		OutSumCurrency    string            `json:"out_sum_currency"`
		UserIP            string            `json:"user_ip"`
	} `json:"inputs"`
	Base      string `json:"base"`
	Signature string `json:"signature"`
}

type callbackVector struct {
	Name      string `json:"name"`
	Kind      string `json:"kind"`
	Algorithm string `json:"algorithm"`
	Password  string `json:"password"`
	Body      string `json:"body"`
	Base      string `json:"base"`
	Expect    string `json:"expect"`
}

func loadVectors[T any](t *testing.T, file string) []T {
	t.Helper()
	data, err := os.ReadFile("testdata/" + file)
	require.NoError(t, err)
	var doc struct{ Vectors []T }
	require.NoError(t, json.Unmarshal(data, &doc))
	require.NotEmpty(t, doc.Vectors)
	return doc.Vectors
}

func TestUsage(t *testing.T) {
	for _, sub := range subcommandNames() {
		t.Run(sub, func(t *testing.T) {
			r := runCLI(t, demoEnv, "", sub, "-h")
			assert.Equal(t, 0, r.code, "-h asks for help: not an error")
			assert.Contains(t, r.stdout, "usage: robokassa "+sub)
			assert.Contains(t, r.stdout, "Example:")
			assert.Contains(t, r.stdout, "Flags:")
			assert.Empty(t, r.stderr)

			r = runCLI(t, demoEnv, "", "help", sub)
			assert.Equal(t, 0, r.code)
			assert.Contains(t, r.stdout, "usage: robokassa "+sub)

			r = runCLI(t, demoEnv, "", sub, "-no-such-flag")
			assert.Equal(t, 2, r.code)
			assert.Contains(t, r.stderr, "flag provided but not defined: -no-such-flag")
			assert.Empty(t, r.stdout)
		})
	}
	t.Run("overview", func(t *testing.T) {
		r := runCLI(t, demoEnv, "", "-h")
		assert.Equal(t, 0, r.code)
		for _, sub := range subcommandNames() {
			assert.Contains(t, r.stdout, "  "+sub+" ")
		}
		r = runCLI(t, demoEnv, "")
		assert.Equal(t, 2, r.code, "no subcommand is a usage error")
		assert.Contains(t, r.stderr, "usage: robokassa SUBCOMMAND")
		r = runCLI(t, demoEnv, "", "frobnicate")
		assert.Equal(t, 2, r.code)
		assert.Contains(t, r.stderr, `unknown subcommand "frobnicate"`)
	})
}

// TestRunReadsTheEnvironment drives run itself, the function main calls,
// with the process environment set by the test.
func TestRunReadsTheEnvironment(t *testing.T) {
	t.Setenv("ROBOKASSA_LOGIN", "demo")
	t.Setenv("ROBOKASSA_PASSWORD1", "password_1")
	t.Setenv("ROBOKASSA_TEST", "")
	t.Setenv("ROBOKASSA_ALGORITHM", "")
	t.Setenv("ROBOKASSA_AUTH_URL", "")
	var stdout, stderr bytes.Buffer
	code := run([]string{"link", "-sum", "990.00", "-inv", "12"}, strings.NewReader(""), &stdout, &stderr)
	require.Equal(t, 0, code, stderr.String())
	// Vector "basic MD5": demo:990.00:12:password_1.
	assert.Contains(t, stdout.String(), "SignatureValue=6c9d6eb96b82e643b343c26a85349a37")
}

func subcommandNames() []string {
	var names []string
	for _, s := range subcommands {
		names = append(names, s.name)
	}
	return names
}
