package robokassatest

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/robokassa-go/robokassa"
)

// Shop is one merchant account of the emulator: what Robokassa's cabinet
// holds for a shop (its technical settings). MerchantLogin, Password1 and
// Password2 are required.
type Shop struct {
	// MerchantLogin is the shop identifier, without surrounding spaces.
	MerchantLogin string
	// Password1 checks payment requests and signs the SuccessURL
	// redirect; Password2 signs ResultURL notifications and checks
	// OpStateExt (spec §1).
	Password1, Password2 robokassa.Secret
	// TestPassword1 and TestPassword2 are the test pair, used whenever a
	// request says IsTest=1 (spec §13). Optional: without them a
	// test-mode request gets error 29. Each must differ from its
	// production twin.
	TestPassword1, TestPassword2 robokassa.Secret
	// Password3 keys the Refund API (spec §9.2). Optional: without it
	// every refund request is refused as unauthorised.
	Password3 robokassa.Secret
	// Algorithm is the shop's hash algorithm (spec §2); "" means MD5.
	Algorithm robokassa.HashAlgorithm

	// ResultURL receives the server-to-server "paid" notification
	// (spec §4.1) by ResultMethod, "GET" or "POST" ("" means POST).
	// Empty: no notification is sent.
	ResultURL    string
	ResultMethod string
	// SuccessURL and FailURL are where the buyer's browser goes after
	// paying or declining (spec §4.2, §4.3), by SuccessMethod and
	// FailMethod, "GET" or "POST" ("" means GET). Empty: the emulator
	// shows its own page instead.
	SuccessURL    string
	SuccessMethod string
	FailURL       string
	FailMethod    string

	// NoRecurring disables recurring payments for the shop: a parent
	// payment or a child charge gets error 34.
	NoRecurring bool
	// NoHold disables two-stage payments: StepByStep, Confirm and Cancel
	// get error 64.
	NoHold bool
}

// Validate checks a shop the way the cabinet and package robokassa's
// NewClient would, so that ClientConfig always yields a usable client. It
// is the check [NewServer], [NewUnstartedServer] (which panic on a shop
// it refuses, as for any broken test setup) and [Server.AddShop] apply;
// call it first when the shop comes from a user. The error is a
// [*ShopError].
func (sh Shop) Validate() error { return sh.validate() }

func (sh *Shop) validate() error {
	switch {
	case sh.MerchantLogin == "":
		return &ShopError{"MerchantLogin", "is required"}
	case strings.TrimSpace(sh.MerchantLogin) != sh.MerchantLogin || strings.ContainsAny(sh.MerchantLogin, ":\x00\r\n"):
		return &ShopError{"MerchantLogin", "must not have surrounding spaces, ':' or control characters"}
	case sh.Password1 == "":
		return &ShopError{"Password1", "is required"}
	case sh.Password2 == "":
		return &ShopError{"Password2", "is required"}
	case sh.TestPassword1 != "" && sh.TestPassword1 == sh.Password1:
		return &ShopError{"TestPassword1", "must differ from Password1: the test pair is a separate pair"}
	case sh.TestPassword2 != "" && sh.TestPassword2 == sh.Password2:
		return &ShopError{"TestPassword2", "must differ from Password2: the test pair is a separate pair"}
	case (sh.TestPassword1 == "") != (sh.TestPassword2 == ""):
		return &ShopError{"TestPassword1", "and TestPassword2 are a pair: set both or neither"}
	}
	if _, ok := hashes[sh.Algorithm]; !ok {
		return &ShopError{"Algorithm", "must be one of MD5, RIPEMD160, SHA1, SHA256, SHA384, SHA512 or empty"}
	}
	for _, u := range []struct{ name, url, method string }{
		{"ResultURL", sh.ResultURL, sh.ResultMethod},
		{"SuccessURL", sh.SuccessURL, sh.SuccessMethod},
		{"FailURL", sh.FailURL, sh.FailMethod},
	} {
		if u.url != "" && !isAbsHTTP(u.url) {
			return &ShopError{u.name, "must be an absolute http or https URL"}
		}
		if u.method != "" && u.method != http.MethodGet && u.method != http.MethodPost {
			return &ShopError{strings.TrimSuffix(u.name, "URL") + "Method", `must be "GET", "POST" or empty`}
		}
	}
	return nil
}

// isAbsHTTP reports whether s is an absolute http or https URL with a host.
func isAbsHTTP(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// FastRetries is the default notification schedule of [NewServer]: five
// further attempts 10, 20, 40, 80 and 160 ms apart, all within a third
// of a second, so a test sees a refused notification repeated without
// waiting.
var FastRetries = []time.Duration{
	10 * time.Millisecond, 20 * time.Millisecond, 40 * time.Millisecond,
	80 * time.Millisecond, 160 * time.Millisecond,
}

// RobokassaRetries is a schedule like Robokassa's own (a real log showed
// about one attempt a minute, spec §4.1): thirty further attempts one
// minute apart, so a notification is tried 31 times within half an hour
// and then given up. Use it for a standalone emulator a person watches.
var RobokassaRetries = func() []time.Duration {
	r := make([]time.Duration, 30)
	for i := range r {
		r[i] = time.Minute
	}
	return r
}()

// Server is an offline Robokassa: the payment page, the notifications and
// every API package robokassa calls, with state, on a local address. It is
// to Robokassa what [httptest.Server] is to net/http: start one per test
// with [NewServer], point a client at it with [Server.ClientConfig] or
// [Server.Client], and Close it.
//
// A Server is safe for concurrent use. It keeps no global state: two
// servers share nothing.
type Server struct {
	// URL is the base URL after Start, e.g. "http://127.0.0.1:41234":
	// AuthURL, ServicesURL and FiscalURL of a client all point here.
	URL string
	// Listener is where the server listens. As with httptest, replace it
	// before Start to serve on a chosen address.
	Listener net.Listener
	// Retries are the waits before the 2nd, 3rd, … ResultURL attempt; its
	// length bounds the attempts (1 + len(Retries)). ResultUrl2 uses the
	// same waits, at most five of them (spec §4.4). Set it before Start;
	// NewServer sets [FastRetries].
	Retries []time.Duration
	// Logger receives a line per request and per notification attempt,
	// never with a password, a signature or a query string. Nil means no
	// logging.
	Logger *slog.Logger

	http      *http.Server
	transport *http.Transport // for notifications and Client(), closed at Close
	hc        *http.Client    // follows no redirects: a browser's hop is recorded, not chased
	ctx       context.Context // cancelled by Close: ends deliveries and delays
	cancel    context.CancelFunc
	wg        sync.WaitGroup // every goroutine the server starts
	retries   []time.Duration
	routes    map[string]route
	keyOnce   sync.Once
	key       *rsa.PrivateKey

	connMu      sync.Mutex
	conns       map[net.Conn]http.ConnState
	connsClosed bool
	connWG      sync.WaitGroup

	mu        sync.Mutex
	started   bool
	closed    bool
	shops     []*shop
	byLogin   map[string]*shop
	store     store
	log       []*delivery
	pending   int           // deliveries in flight or waiting for a retry
	idle      chan struct{} // closed when pending drops to zero
	faults    map[Endpoint][]Fault
	client    *robokassa.Client
	pageMAC   []byte // keys the payment page's form tokens
	invoices  invoiceStore
	refunds   map[string]*refund
	receipts  map[receiptKey]*secondReceipt
	nextInvID int64
}

// shop is a Shop as the server holds it.
type shop struct {
	Shop
	resultMethod, successMethod, failMethod string
}

// NewServer starts and returns a server with one shop, as
// [httptest.NewServer] does. It panics, as httptest does when it cannot
// listen, when sh is invalid (see [Server.AddShop]): a test setup error.
// The caller must Close it.
func NewServer(sh Shop) *Server {
	s := NewUnstartedServer(sh)
	s.Start()
	return s
}

// NewUnstartedServer returns a server with one shop that is not yet
// listening: set Listener, Retries or Logger, then Start it. It panics
// when sh is invalid (see [Server.AddShop]).
func NewUnstartedServer(sh Shop) *Server {
	if err := sh.validate(); err != nil {
		panic(err.Error()) // before a listener is opened
	}
	s := &Server{
		Listener: newLocalListener(),
		Retries:  append([]time.Duration(nil), FastRetries...),
		byLogin:  make(map[string]*shop),
		faults:   make(map[Endpoint][]Fault),
		refunds:  make(map[string]*refund),
		receipts: make(map[receiptKey]*secondReceipt),
		store:    newStore(),
		conns:    make(map[net.Conn]http.ConnState),
		invoices: newInvoiceStore(),
		pageMAC:  randomBytes(32),
		// Robokassa-assigned InvIds start far above what shops usually
		// pick, so they rarely meet a shop's own numbers (they are
		// checked anyway).
		nextInvID: 100_000_000,
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.routes = s.newRoutes()
	if err := s.AddShop(sh); err != nil {
		panic(err.Error())
	}
	return s
}

func newLocalListener() net.Listener {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		if l, err = net.Listen("tcp6", "[::1]:0"); err != nil {
			panic("robokassatest: failed to listen on a port: " + err.Error())
		}
	}
	return l
}

// Start starts a server from NewUnstartedServer. It panics if the server
// was already started.
func (s *Server) Start() {
	s.mu.Lock()
	if s.started {
		s.mu.Unlock()
		panic("robokassatest: Server already started")
	}
	s.started = true
	s.retries = append([]time.Duration(nil), s.Retries...)
	s.mu.Unlock()

	s.transport = &http.Transport{
		Proxy:               nil, // localhost, never through a proxy
		MaxIdleConnsPerHost: 64,
		IdleConnTimeout:     30 * time.Second,
	}
	s.hc = &http.Client{
		Transport:     s.transport,
		Timeout:       notifyTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	s.URL = "http://" + s.Listener.Addr().String()
	s.http = &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		MaxHeaderBytes:    maxHeaderBytes,
		BaseContext:       func(net.Listener) context.Context { return s.ctx },
		ConnState:         s.connState,
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		_ = s.http.Serve(s.Listener) // ends with ErrServerClosed at Close
	}()
}

// notifyTimeout bounds one notification attempt or redirect.
const notifyTimeout = 10 * time.Second

// maxHeaderBytes bounds a request's header, the GET link included: a
// receipt makes links long, so it is larger than a form body needs.
const maxHeaderBytes = 256 << 10

// Close shuts the server down: it stops listening, ends every request in
// progress, cancels notifications waiting for a retry and returns when
// every goroutine the server started has ended. It may be called more
// than once.
func (s *Server) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	started := s.started
	s.mu.Unlock()

	s.cancel() // ends delays, deliveries and their retries
	if started {
		// As httptest does: no new connections, idle ones closed now,
		// busy ones after their request; then wait for each to end.
		s.http.SetKeepAlivesEnabled(false)
		_ = s.Listener.Close()
		s.connMu.Lock()
		s.connsClosed = true
		for c, st := range s.conns {
			if st == http.StateIdle || st == http.StateNew {
				_ = c.Close()
			}
		}
		s.connMu.Unlock()
		s.connWG.Wait()
	} else {
		_ = s.Listener.Close()
	}
	s.wg.Wait()
	if s.transport != nil {
		s.transport.CloseIdleConnections()
	}
}

// connState tracks the server's connections so that Close can end them
// and wait for their goroutines, as httptest.Server does.
func (s *Server) connState(c net.Conn, st http.ConnState) {
	s.connMu.Lock()
	defer s.connMu.Unlock()
	switch st {
	case http.StateNew:
		s.conns[c] = st
		s.connWG.Add(1)
		if s.connsClosed {
			_ = c.Close()
		}
	case http.StateActive:
		if _, ok := s.conns[c]; ok {
			s.conns[c] = st
		}
	case http.StateIdle:
		if _, ok := s.conns[c]; ok {
			s.conns[c] = st
		}
		if s.connsClosed {
			_ = c.Close()
		}
	case http.StateHijacked, http.StateClosed:
		if _, ok := s.conns[c]; ok {
			delete(s.conns, c)
			s.connWG.Done()
		}
	}
}

// AddShop adds a further merchant login to the server. It fails with a
// [*ShopError] when
// MerchantLogin is missing or taken, Password1 or Password2 is missing,
// a test password equals its production twin or comes without its pair,
// Algorithm is unknown, a URL is not absolute http(s) or a method is
// neither GET nor POST.
func (s *Server) AddShop(sh Shop) error {
	if err := sh.validate(); err != nil {
		return err
	}
	v := &shop{Shop: sh, resultMethod: sh.ResultMethod, successMethod: sh.SuccessMethod, failMethod: sh.FailMethod}
	if v.resultMethod == "" {
		v.resultMethod = http.MethodPost
	}
	if v.successMethod == "" {
		v.successMethod = http.MethodGet
	}
	if v.failMethod == "" {
		v.failMethod = http.MethodGet
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.byLogin[sh.MerchantLogin]; dup {
		return &ShopError{"MerchantLogin", "is taken by another shop of this server"}
	}
	s.shops = append(s.shops, v)
	s.byLogin[sh.MerchantLogin] = v
	return nil
}

// ClientConfig returns a robokassa.Config for the first shop (production
// mode) with AuthURL, ServicesURL and FiscalURL set to s.URL. Set Test on
// it for a test-mode client.
func (s *Server) ClientConfig() robokassa.Config {
	cfg, _ := s.ShopConfig(s.firstShop().MerchantLogin)
	return cfg
}

// ShopConfig returns the robokassa.Config of the shop with the given
// login, as ClientConfig does, and whether the shop exists.
func (s *Server) ShopConfig(login string) (robokassa.Config, bool) {
	s.mu.Lock()
	sh := s.byLogin[login]
	s.mu.Unlock()
	if sh == nil {
		return robokassa.Config{}, false
	}
	return robokassa.Config{
		MerchantLogin: sh.MerchantLogin,
		Password1:     sh.Password1,
		Password2:     sh.Password2,
		TestPassword1: sh.TestPassword1,
		TestPassword2: sh.TestPassword2,
		Password3:     sh.Password3,
		Algorithm:     sh.Algorithm,
		AuthURL:       s.URL,
		ServicesURL:   s.URL,
		FiscalURL:     s.URL,
	}, true
}

// Client returns a ready client for the first shop in production mode,
// built from [Server.ClientConfig], whose connections are closed by
// Close. It panics if the server has not been started.
func (s *Server) Client() *robokassa.Client {
	s.mu.Lock()
	c, started := s.client, s.started
	s.mu.Unlock()
	if c != nil {
		return c
	}
	if !started {
		panic("robokassatest: Client called before Start")
	}
	cfg := s.ClientConfig()
	cfg.HTTPClient = &http.Client{Transport: s.transport, Timeout: 30 * time.Second}
	c, err := robokassa.NewClient(cfg)
	if err != nil { // cannot happen: AddShop checked what NewClient checks
		panic("robokassatest: " + err.Error())
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.client == nil {
		s.client = c
	}
	return s.client
}

func (s *Server) firstShop() *shop {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.shops[0]
}

// shopByLogin returns the shop or nil.
func (s *Server) shopByLogin(login string) *shop {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.byLogin[login]
}

// resultURL2Key returns the server's RS256 key, generated on first use
// (a 2048-bit key takes a moment, and most tests never need it).
func (s *Server) resultURL2Key() *rsa.PrivateKey {
	s.keyOnce.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic("robokassatest: generating the ResultUrl2 key: " + err.Error())
		}
		s.key = k
	})
	return s.key
}

// ResultURL2Key returns the public key that verifies the server's
// ResultUrl2 notifications: pass it to robokassa's Client.VerifyResultURL2
// or Client.ResultURL2Handler. The server generates the key (RSA, 2048
// bits) the first time it is needed.
func (s *Server) ResultURL2Key() *rsa.PublicKey { return &s.resultURL2Key().PublicKey }

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return b
}

// logf writes one log line when a Logger is set.
func (s *Server) logf(msg string, attrs ...any) {
	if s.Logger != nil {
		s.Logger.Info(msg, attrs...)
	}
}

// spawn runs fn in a goroutine that Close waits for. It reports false,
// and runs nothing, once the server is closing.
func (s *Server) spawn(fn func()) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		fn()
	}()
	return true
}

// sleep waits d, or less when the server closes; it reports whether the
// whole wait passed.
func (s *Server) sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	case <-s.ctx.Done():
		return false
	}
}
