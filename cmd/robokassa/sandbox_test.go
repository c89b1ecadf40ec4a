package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/robokassa-go/robokassa"
)

// running is a command line started in the background.
type running struct {
	stdout, stderr *syncBuffer
	cancel         context.CancelFunc
	done           chan int
}

// start runs the command line in a goroutine until stop; its context
// stands in for SIGINT and SIGTERM.
func start(t *testing.T, env map[string]string, args ...string) *running {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{stdout: &syncBuffer{}, stderr: &syncBuffer{}, cancel: cancel, done: make(chan int, 1)}
	c := &cli{
		ctx:    ctx,
		env:    func(k string) (string, bool) { v, ok := env[k]; return v, ok },
		stdin:  strings.NewReader(""),
		stdout: r.stdout,
		stderr: r.stderr,
	}
	go func() { r.done <- c.main(args) }()
	t.Cleanup(func() { r.stop(t) })
	return r
}

// stop cancels the context and returns the exit status.
func (r *running) stop(t *testing.T) int {
	r.cancel()
	select {
	case code := <-r.done:
		r.done <- code // for a second stop
		return code
	case <-time.After(10 * time.Second):
		t.Fatal("the sandbox did not stop within 10s of its context ending")
		return -1
	}
}

// waitFor polls the output until re matches it and returns the match's
// groups.
func (r *running) waitFor(t *testing.T, buf *syncBuffer, re *regexp.Regexp) []string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if m := re.FindStringSubmatch(buf.String()); m != nil {
			return m
		}
		select {
		case code := <-r.done:
			r.done <- code
			t.Fatalf("exited with %d before printing %s:\n%s\n%s", code, re, r.stdout.String(), r.stderr.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	t.Fatalf("no %s in:\n%s", re, buf.String())
	return nil
}

var listening = regexp.MustCompile(`Robokassa sandbox listening on (http://127\.0\.0\.1:\d+)\n`)

// exports reads the "export NAME=value" lines the sandbox printed.
func exports(out string) map[string]string {
	env := map[string]string{}
	for _, m := range regexp.MustCompile(`(?m)^  export (ROBOKASSA_\w+)=(\S+)$`).FindAllStringSubmatch(out, -1) {
		env[m[1]] = m[2]
	}
	return env
}

// paidShop is the shop's ResultURL, served by the SDK's own handler.
type paidShop struct {
	mu   sync.Mutex
	paid []*robokassa.Notification
}

func (s *paidShop) handler(t *testing.T, client *robokassa.Client) http.Handler {
	h, err := client.ResultHandler(func(_ context.Context, n *robokassa.Notification) error {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.paid = append(s.paid, n)
		return nil
	})
	require.NoError(t, err)
	return h
}

// payOnPage opens a payment link and presses Pay, as a browser would
// (the page's form: op, t, action=pay), and returns where it ended.
func payOnPage(t *testing.T, link, action string) (*http.Response, string) {
	t.Helper()
	resp, err := http.Get(link)
	require.NoError(t, err)
	page, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	require.Contains(t, string(page), `id="pay"`, string(page))
	field := func(name string) string {
		m := regexp.MustCompile(`name="` + name + `" value="([^"]*)"`).FindStringSubmatch(string(page))
		require.NotNil(t, m, "no %s on the page", name)
		return m[1]
	}
	formAction := regexp.MustCompile(`<form method="post" action="([^"]*)"`).FindStringSubmatch(string(page))
	require.NotNil(t, formAction)
	target, err := resp.Request.URL.Parse(formAction[1])
	require.NoError(t, err)
	resp, err = http.PostForm(target.String(), url.Values{"op": {field("op")}, "t": {field("t")}, "action": {action}})
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	return resp, string(body)
}

func TestSandboxWithTheSDKAsClient(t *testing.T) {
	// The shop: ResultURL through the SDK, SuccessURL a plain page.
	var shop paidShop
	var client *robokassa.Client
	mux := http.NewServeMux()
	shopSrv := httptest.NewServer(mux)
	t.Cleanup(shopSrv.Close)
	mux.HandleFunc("/paid", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "thank you") })

	sb := start(t, nil, "sandbox", "-addr", "127.0.0.1:0", "-fast-retries",
		"-result-url", shopSrv.URL+"/result", "-success-url", shopSrv.URL+"/paid", "-algorithm", "sha256")
	base := sb.waitFor(t, sb.stdout, listening)[1]
	out := sb.stdout.String()
	env := exports(out)
	assert.Equal(t, base, env["ROBOKASSA_AUTH_URL"])
	assert.Equal(t, "SHA256", env["ROBOKASSA_ALGORITHM"])
	assert.Equal(t, "sandbox", env["ROBOKASSA_LOGIN"])
	for _, k := range []string{"ROBOKASSA_PASSWORD1", "ROBOKASSA_PASSWORD2", "ROBOKASSA_TEST_PASSWORD1", "ROBOKASSA_TEST_PASSWORD2", "ROBOKASSA_PASSWORD3"} {
		assert.Regexp(t, `^[0-9a-f]{24}$`, env[k], "%s is generated and printed", k)
	}
	assert.Contains(t, out, "Generated credentials (throwaway, good only for this sandbox):")
	assert.Contains(t, out, "ResultURL POST "+shopSrv.URL+"/result")

	// The shop's SDK client, configured from the printed lines.
	var err error
	client, err = robokassa.NewClient(robokassa.Config{
		MerchantLogin: env["ROBOKASSA_LOGIN"],
		Password1:     robokassa.Secret(env["ROBOKASSA_PASSWORD1"]),
		Password2:     robokassa.Secret(env["ROBOKASSA_PASSWORD2"]),
		Algorithm:     robokassa.HashAlgorithm(env["ROBOKASSA_ALGORITHM"]),
		AuthURL:       env["ROBOKASSA_AUTH_URL"],
		ServicesURL:   env["ROBOKASSA_AUTH_URL"],
		FiscalURL:     env["ROBOKASSA_AUTH_URL"],
	})
	require.NoError(t, err)
	mux.Handle("/result", shop.handler(t, client))

	link, err := client.PaymentURL(robokassa.Payment{OutSum: decimal.RequireFromString("990"), InvID: 12, Description: "Order 12", Shp: map[string]string{"order": "12"}})
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(link, base+"/Merchant/Index.aspx?"))
	resp, body := payOnPage(t, link, "pay")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "thank you", body, "the buyer is sent to SuccessURL")

	shop.mu.Lock()
	require.Len(t, shop.paid, 1, "ResultURL was notified before the buyer came back")
	n := shop.paid[0]
	shop.mu.Unlock()
	assert.Equal(t, int64(12), n.InvID)
	assert.True(t, decimal.RequireFromString("990").Equal(n.OutSum))
	assert.Equal(t, map[string]string{"order": "12"}, n.Shp)

	// OpStateExt through the SDK and through the state subcommand.
	st, err := client.OpState(context.Background(), 12)
	require.NoError(t, err)
	assert.Equal(t, robokassa.StatePaid, st.State)
	r := runCLI(t, env, "", "state", "12")
	require.Equal(t, 0, r.code, r.stdout+r.stderr)
	assert.Regexp(t, `(?m)^state\s+100 paid \(final\)$`, r.stdout)
	assert.Regexp(t, `(?m)^Shp_order\s+12$`, r.stdout)

	// trigger against the same shop, signed with the printed passwords.
	r = runCLI(t, env, "", "trigger", "result", "-to", shopSrv.URL+"/result", "-sum", "990", "-inv", "12", "-shp", "order=12", "-repeat", "2")
	assert.Equal(t, 0, r.code, r.stdout+r.stderr)

	// A broken link, explained: the sandbox answers error 29, explain names the cause.
	broken, err := client.PaymentURL(robokassa.Payment{OutSum: decimal.RequireFromString("5"), InvID: 13, Shp: map[string]string{"b": "2", "a": "1"}})
	require.NoError(t, err)
	broken = strings.Replace(broken, "Shp_a=1&Shp_b=2", "Shp_a=1", 1)
	resp, err = http.Get(broken)
	require.NoError(t, err)
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Contains(t, string(page), "error 29")
	r = runCLI(t, env, "", "explain", "-shp", "b=2", broken)
	assert.Equal(t, 1, r.code)
	assert.Contains(t, r.stdout, "\ncause: shp-unsent\n", r.stdout)

	// The log: a line per request and per notification attempt.
	log := sb.stderr.String()
	assert.Contains(t, log, "/Merchant/Index.aspx")
	assert.Contains(t, log, "notification")

	// Graceful shutdown when the context ends (SIGINT or SIGTERM in main).
	assert.Equal(t, 0, sb.stop(t))
	assert.Contains(t, sb.stdout.String(), "Robokassa sandbox stopped")
	_, err = http.Get(base + "/Merchant/Index.aspx")
	assert.Error(t, err, "nothing listens after the stop")
}

func TestSandboxCredentialsFromTheEnvironmentAreNotPrinted(t *testing.T) {
	env := map[string]string{
		"ROBOKASSA_LOGIN": "myshop", "ROBOKASSA_PASSWORD1": "Leak1-p4ssw0rd-a", "ROBOKASSA_PASSWORD2": "Leak2-p4ssw0rd-b",
	}
	sb := start(t, env, "sandbox", "-addr", "127.0.0.1:0")
	sb.waitFor(t, sb.stdout, listening)
	out := sb.stdout.String()
	printed := exports(out)
	assert.NotContains(t, printed, "ROBOKASSA_LOGIN")
	assert.NotContains(t, printed, "ROBOKASSA_PASSWORD1")
	assert.NotContains(t, printed, "ROBOKASSA_PASSWORD2")
	assert.Contains(t, printed, "ROBOKASSA_TEST_PASSWORD1", "the missing ones are generated")
	assert.Contains(t, out, "shop myshop, MD5")
	assert.NotContains(t, out, "ROBOKASSA_ALGORITHM", "MD5 is the default")
	assert.Equal(t, 0, sb.stop(t))
	assert.NotContains(t, sb.stdout.String()+sb.stderr.String(), "p4ssw0rd")
}

func TestSandboxUsageErrors(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer taken.Close()
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"address in use", []string{"-addr", taken.Addr().String()}, "-addr: listen tcp"},
		{"bad address", []string{"-addr", "nowhere"}, "-addr: "},
		{"relative URL", []string{"-addr", "127.0.0.1:0", "-result-url", "/result"}, "Shop.ResultURL must be an absolute http or https URL"},
		{"bad method", []string{"-addr", "127.0.0.1:0", "-result-method", "PUT"}, `Shop.ResultMethod must be "GET", "POST"`},
		{"argument", []string{"now"}, `unexpected argument "now"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runCLI(t, nil, "", append([]string{"sandbox"}, tc.args...)...)
			assert.Equal(t, 2, r.code, r.stdout)
			assert.Contains(t, r.stderr, tc.want)
		})
	}
}

// sandboxSession runs a sandbox with env, pays a link on it and stops it,
// returning everything it printed.
func sandboxSession(t *testing.T, env map[string]string) result {
	sb := start(t, env, "sandbox", "-addr", "127.0.0.1:0", "-fast-retries", "-result-url", "http://127.0.0.1:1/result")
	base := sb.waitFor(t, sb.stdout, listening)[1]
	r := runCLI(t, with(env, "ROBOKASSA_AUTH_URL", base), "", "link", "-sum", "990", "-inv", "12")
	require.Equal(t, 0, r.code, r.stderr)
	payOnPage(t, strings.TrimSpace(r.stdout), "pay")
	sb.waitFor(t, sb.stderr, regexp.MustCompile(`notification`))
	code := sb.stop(t)
	return result{code, sb.stdout.String(), sb.stderr.String()}
}
