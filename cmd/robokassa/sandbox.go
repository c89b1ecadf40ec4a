package main

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net"
	"strings"

	"github.com/robokassa-go/robokassa"
	"github.com/robokassa-go/robokassa/robokassatest"
)

const sandboxUsage = `usage: robokassa sandbox [-addr HOST:PORT] [-result-url URL] [-success-url URL] [-fail-url URL] [flags]

Runs Robokassa's emulator (package robokassatest) as a standalone server, like
stripe-mock: the payment page (Merchant/Index.aspx, with Pay and Decline
buttons), the ResultURL notification and the buyer's return to SuccessURL or
FailURL, OpStateExt and the other APIs the SDK calls. Point a shop at it with
ROBOKASSA_AUTH_URL (the SDK's Config.AuthURL, ServicesURL and FiscalURL).

The shop's credentials come from flags or the environment, as for the other
subcommands; whatever is missing is generated. Generated credentials ARE
printed at start, with the export lines a shop needs: they are random,
throwaway and good only for this local sandbox, the one exception to "a
password is never printed". Credentials from flags or the environment are
never printed.

A log line goes to standard error for every request and every notification
attempt. A refused ResultURL notification is retried once a minute for half
an hour, as Robokassa does (-fast-retries: five times within a third of a
second). SIGINT (Ctrl+C) or SIGTERM stops it gracefully.

Example:
  robokassa sandbox -result-url http://localhost:8080/robokassa/result \
    -success-url http://localhost:8080/paid -fail-url http://localhost:8080/failed
`

// sandbox runs the emulator until the context ends.
func (c *cli) sandbox(args []string) error {
	cmd := newCommand("sandbox", sandboxUsage)
	fs := cmd.fs
	cr := addCredentials(fs, credLogin|credPassword1|credPassword2|credTestPassword1|credTestPassword2|credPassword3|credAlgorithm, "")
	var sh robokassatest.Shop
	addr := fs.String("addr", "127.0.0.1:8089", "address to listen on (port 0: any free port)")
	fs.StringVar(&sh.ResultURL, "result-url", "", "the shop's ResultURL (empty: no notification)")
	fs.StringVar(&sh.ResultMethod, "result-method", "POST", "GET or POST")
	fs.StringVar(&sh.SuccessURL, "success-url", "", "the shop's SuccessURL (empty: the sandbox's own page)")
	fs.StringVar(&sh.SuccessMethod, "success-method", "GET", "GET or POST")
	fs.StringVar(&sh.FailURL, "fail-url", "", "the shop's FailURL (empty: the sandbox's own page)")
	fs.StringVar(&sh.FailMethod, "fail-method", "GET", "GET or POST")
	fs.BoolVar(&sh.NoRecurring, "no-recurring", false, "recurring payments not enabled for the shop (error 34)")
	fs.BoolVar(&sh.NoHold, "no-hold", false, "two-stage payments not enabled for the shop (error 64)")
	fast := fs.Bool("fast-retries", false, "retry a refused notification within a second instead of once a minute")
	rest, r, err := c.parseWithCredentials(cmd, cr, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usageError("unexpected argument %q (run \"robokassa sandbox -h\" for usage)", rest[0])
	}
	for _, m := range []*string{&sh.ResultMethod, &sh.SuccessMethod, &sh.FailMethod} {
		*m = strings.ToUpper(*m)
	}

	// Fill in what is missing; remember what was made up, to print it.
	var made []string // "NAME=value" export lines
	fill := func(p *string, env, value string) {
		if *p == "" {
			*p = value
			made = append(made, env+"="+value)
		}
	}
	fill(&r.login, "ROBOKASSA_LOGIN", "sandbox")
	fill(&r.password1, "ROBOKASSA_PASSWORD1", throwaway())
	fill(&r.password2, "ROBOKASSA_PASSWORD2", throwaway())
	fill(&r.testPassword1, "ROBOKASSA_TEST_PASSWORD1", throwaway())
	fill(&r.testPassword2, "ROBOKASSA_TEST_PASSWORD2", throwaway())
	fill(&r.password3, "ROBOKASSA_PASSWORD3", throwaway())
	sh.MerchantLogin = r.login
	sh.Password1, sh.Password2 = robokassa.Secret(r.password1), robokassa.Secret(r.password2)
	sh.TestPassword1, sh.TestPassword2 = robokassa.Secret(r.testPassword1), robokassa.Secret(r.testPassword2)
	sh.Password3 = robokassa.Secret(r.password3)
	sh.Algorithm = r.algorithm

	srv, err := newSandbox(sh)
	if err != nil {
		return usageError("%v", err)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		srv.Close()
		return usageError("-addr: %v", err)
	}
	srv.Listener.Close()
	srv.Listener = ln
	srv.Retries = robokassatest.RobokassaRetries
	if *fast {
		srv.Retries = robokassatest.FastRetries
	}
	srv.Logger = slog.New(slog.NewTextHandler(c.stderr, nil))
	srv.Start()
	defer srv.Close()

	w := c.stdout
	fmt.Fprintf(w, "Robokassa sandbox listening on %s\n", srv.URL)
	fmt.Fprintf(w, "shop %s, %s", sh.MerchantLogin, sh.Algorithm)
	for _, u := range [][3]string{{"ResultURL", sh.ResultURL, sh.ResultMethod}, {"SuccessURL", sh.SuccessURL, sh.SuccessMethod}, {"FailURL", sh.FailURL, sh.FailMethod}} {
		if u[1] != "" {
			fmt.Fprintf(w, ", %s %s %s", u[0], u[2], u[1])
		}
	}
	fmt.Fprintln(w)
	if len(made) > 0 {
		fmt.Fprintln(w, "Generated credentials (throwaway, good only for this sandbox):")
		for _, line := range made {
			fmt.Fprintf(w, "  export %s\n", line)
		}
	}
	fmt.Fprintln(w, "Point the shop and this command line at the sandbox:")
	fmt.Fprintf(w, "  export ROBOKASSA_AUTH_URL=%s\n", srv.URL)
	if sh.Algorithm != robokassa.MD5 {
		fmt.Fprintf(w, "  export ROBOKASSA_ALGORITHM=%s\n", sh.Algorithm)
	}
	fmt.Fprintln(w, "Stop it with Ctrl+C.")

	<-c.ctx.Done()
	fmt.Fprintln(w, "Robokassa sandbox stopping: ending deliveries in flight")
	srv.Close()
	fmt.Fprintln(w, "Robokassa sandbox stopped")
	return nil
}

// newSandbox builds an unstarted emulator for sh, which comes from the
// user's flags: a shop the emulator refuses is an input error, checked
// before NewUnstartedServer (which would panic, as on a broken test
// setup).
func newSandbox(sh robokassatest.Shop) (*robokassatest.Server, error) {
	if err := sh.Validate(); err != nil {
		return nil, err
	}
	return robokassatest.NewUnstartedServer(sh), nil
}

// throwaway returns a random password for a sandbox.
func throwaway() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
