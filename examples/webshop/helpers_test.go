package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/robokassa-go/robokassa"
)

// testConfig is the shop's Robokassa configuration in the HTTP-level
// tests: production mode, MD5, with a test pair for the test-notification
// case.
func testConfig() robokassa.Config {
	return robokassa.Config{
		MerchantLogin: "demo-shop",
		Password1:     "pass-one",
		Password2:     "pass-two",
		Password3:     "pass-three",
		TestPassword1: "test-one",
		TestPassword2: "test-two",
	}
}

// logRecorder is a slog.Handler that keeps every record's message and
// attributes, for tests that count what the shop logged.
type logRecorder struct {
	mu    sync.Mutex
	lines []string
	attrs []slog.Attr // of the handler (With)
	root  *logRecorder
}

func (h *logRecorder) Enabled(context.Context, slog.Level) bool { return true }

func (h *logRecorder) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString(r.Message)
	for _, a := range h.attrs {
		b.WriteString(" " + a.String())
	}
	r.Attrs(func(a slog.Attr) bool {
		b.WriteString(" " + a.String())
		return true
	})
	root := h.rootOf()
	root.mu.Lock()
	root.lines = append(root.lines, b.String())
	root.mu.Unlock()
	return nil
}

func (h *logRecorder) WithAttrs(as []slog.Attr) slog.Handler {
	return &logRecorder{attrs: append(append([]slog.Attr(nil), h.attrs...), as...), root: h.rootOf()}
}

func (h *logRecorder) WithGroup(string) slog.Handler { return h }

func (h *logRecorder) rootOf() *logRecorder {
	if h.root != nil {
		return h.root
	}
	return h
}

// count returns how many lines start with msg.
func (h *logRecorder) count(msg string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, l := range h.lines {
		if strings.HasPrefix(l, msg) {
			n++
		}
	}
	return n
}

// all returns every line logged so far.
func (h *logRecorder) all() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return strings.Join(h.lines, "\n")
}

// newTestStore opens a fresh database in the test's directory.
func newTestStore(t *testing.T) *store {
	t.Helper()
	st, err := openStore(context.Background(), filepath.Join(t.TempDir(), "shop.db"))
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	return st
}

// testShop is a shop served by httptest, with its log.
type testShop struct {
	*shop
	srv *httptest.Server
	log *logRecorder
}

// newTestShop serves a shop with cfg's client on a fresh database.
func newTestShop(t *testing.T, cfg robokassa.Config, be backend) *testShop {
	t.Helper()
	if be.URL == "" {
		be.URL = robokassa.DefaultAuthURL
	}
	rec := &logRecorder{}
	logger := slog.New(rec)
	cfg.Logger = logger
	client, err := robokassa.NewClient(cfg)
	require.NoError(t, err)
	sh, err := newShop(client, newTestStore(t), logger, be, "")
	require.NoError(t, err)
	srv := httptest.NewServer(sh.routes())
	t.Cleanup(srv.Close)
	return &testShop{shop: sh, srv: srv, log: rec}
}

// browser is an HTTP client with a cookie jar, like a buyer's browser,
// that does not follow redirects.
func browser(t *testing.T) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// body reads and closes a response body.
func body(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return string(b)
}
