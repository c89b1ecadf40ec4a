package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/robokassa-go/robokassa"
	"github.com/robokassa-go/robokassa/robokassatest"
)

// options are the command line's flags.
type options struct {
	addr string
	db   string
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	fs := flag.NewFlagSet("webshop", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	fs.StringVar(&o.addr, "addr", "127.0.0.1:8080", "address the shop listens on")
	fs.StringVar(&o.db, "db", "webshop.db", "SQLite database file (created if missing)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("webshop: unexpected argument %q", fs.Arg(0))
	}
	return o, nil
}

// run starts the shop, prints where to open it, and serves until ctx is
// done; then it shuts down gracefully. It returns the exit code.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	o, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	a, err := start(ctx, o, getenv, logger)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	a.describe(stdout)
	select {
	case <-ctx.Done():
	case err = <-a.served:
		logger.Error("server stopped", "error", err)
	}
	logger.Info("shutting down")
	if cerr := a.Close(); cerr != nil && err == nil {
		err = cerr
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	return 0
}

// app is a running shop: its HTTP server, its database and, in the
// embedded default, its Robokassa emulator.
type app struct {
	ShopURL string
	DBPath  string
	Backend backend
	// Emulator is the embedded Robokassa (nil with the real one).
	Emulator *robokassatest.Server
	srv      *http.Server
	store    *store
	served   chan error
	log      *slog.Logger
}

// start opens the database, chooses Robokassa (the emulator or the real
// one, from the environment), and starts serving.
func start(ctx context.Context, o options, getenv func(string) string, logger *slog.Logger) (*app, error) {
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return nil, fmt.Errorf("webshop: listen on %s: %w", o.addr, err)
	}
	a := &app{ShopURL: baseURL(ln.Addr()), DBPath: o.db, served: make(chan error, 1), log: logger}
	fail := func(err error) (*app, error) {
		ln.Close()
		a.closeAll()
		return nil, err
	}
	var cfg robokassa.Config
	var adminPassword robokassa.Secret
	if getenv("ROBOKASSA_LOGIN") == "" {
		a.Emulator = embedded(a.ShopURL, logger)
		cfg = a.Emulator.ClientConfig()
		a.Backend = backend{Embedded: true, URL: a.Emulator.URL}
	} else if cfg, adminPassword, a.Backend, err = realRobokassa(getenv); err != nil {
		return fail(err)
	}
	cfg.Logger = logger // the SDK's account of every notification it refuses
	client, err := robokassa.NewClient(cfg)
	if err != nil {
		return fail(fmt.Errorf("webshop: %w", err))
	}
	if a.store, err = openStore(ctx, o.db); err != nil {
		return fail(err)
	}
	sh, err := newShop(client, a.store, logger, a.Backend, adminPassword)
	if err != nil {
		return fail(err)
	}
	a.srv = &http.Server{
		Handler:           sh.routes(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      2 * time.Minute, // an admin action waits for Robokassa
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	go func() { a.served <- a.srv.Serve(ln) }()
	logger.Info("shop started", "url", a.ShopURL, "db", o.db, "robokassa", a.Backend.URL, "embedded", a.Backend.Embedded, "test", a.Backend.Test, "client", client)
	return a, nil
}

// describe prints where to open the shop.
func (a *app) describe(w io.Writer) {
	fmt.Fprintf(w, "Demo shop:  %s/   (open it in a browser)\n", a.ShopURL)
	fmt.Fprintf(w, "Admin page: %s/admin\n", a.ShopURL)
	switch {
	case a.Backend.Embedded:
		fmt.Fprintf(w, "Robokassa:  %s   (the embedded emulator: offline, no money moves)\n", a.Backend.URL)
	default:
		mode := "production"
		if a.Backend.Test {
			mode = "test mode"
		}
		fmt.Fprintf(w, "Robokassa:  %s   (%s)\n", a.Backend.URL, mode)
		fmt.Fprintf(w, "In Robokassa's technical settings, with this shop's public address:\n")
		fmt.Fprintf(w, "  Result URL  %s%s (POST)\n  Success URL %s%s (GET)\n  Fail URL    %s%s (GET)\n",
			a.ShopURL, pathResult, a.ShopURL, pathSuccess, a.ShopURL, pathFail)
	}
	fmt.Fprintf(w, "Database:   %s\n", a.DBPath)
	fmt.Fprintln(w, "Press Ctrl+C to stop.")
}

// Close shuts the shop down: the emulator first (its notifications in
// flight still reach the shop), then the HTTP server, waiting for the
// requests in progress, then the database.
func (a *app) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if a.Emulator != nil {
		a.Emulator.Close()
		a.Emulator = nil
	}
	var err error
	if a.srv != nil {
		err = a.srv.Shutdown(ctx)
	}
	return errors.Join(err, a.closeAll())
}

func (a *app) closeAll() error {
	if a.Emulator != nil {
		a.Emulator.Close()
		a.Emulator = nil
	}
	if a.store != nil {
		err := a.store.Close()
		a.store = nil
		return err
	}
	return nil
}

// baseURL is the shop's URL for a listener address; an unspecified host
// (":8080") is reached on the loopback address.
func baseURL(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return "http://" + addr.String()
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// realRobokassa reads the real Robokassa's credentials from the
// environment.
func realRobokassa(getenv func(string) string) (robokassa.Config, robokassa.Secret, backend, error) {
	cfg := robokassa.Config{
		MerchantLogin: getenv("ROBOKASSA_LOGIN"),
		Password1:     robokassa.Secret(getenv("ROBOKASSA_PASSWORD1")),
		Password2:     robokassa.Secret(getenv("ROBOKASSA_PASSWORD2")),
		Password3:     robokassa.Secret(getenv("ROBOKASSA_PASSWORD3")),
		TestPassword1: robokassa.Secret(getenv("ROBOKASSA_TEST_PASSWORD1")),
		TestPassword2: robokassa.Secret(getenv("ROBOKASSA_TEST_PASSWORD2")),
		Algorithm:     robokassa.HashAlgorithm(strings.ToUpper(getenv("ROBOKASSA_ALGORITHM"))),
	}
	switch getenv("ROBOKASSA_TEST") {
	case "", "0":
	case "1":
		cfg.Test = true
	default:
		return cfg, "", backend{}, errors.New("webshop: ROBOKASSA_TEST must be 1 (test mode) or 0")
	}
	need := []string{"ROBOKASSA_PASSWORD1", "ROBOKASSA_PASSWORD2"}
	if cfg.Test {
		need = []string{"ROBOKASSA_TEST_PASSWORD1", "ROBOKASSA_TEST_PASSWORD2"}
	}
	admin := robokassa.Secret(getenv("WEBSHOP_ADMIN_PASSWORD"))
	if !cfg.Test {
		need = append(need, "WEBSHOP_ADMIN_PASSWORD") // the admin page moves real money
	}
	var missing []string
	for _, name := range need {
		if getenv(name) == "" {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return cfg, "", backend{}, fmt.Errorf("webshop: ROBOKASSA_LOGIN is set, so these are needed too: %s", strings.Join(missing, ", "))
	}
	return cfg, admin, backend{URL: robokassa.DefaultAuthURL, Test: cfg.Test}, nil
}
