// Command robokassa is a command line for Robokassa integrations: it
// builds payment links, verifies notifications, finds the cause of the
// payment page's "error 29: invalid SignatureValue", sends signed
// notifications to a shop, runs a local sandbox of Robokassa and asks for
// an operation's state.
//
// Install it with
//
//	go install github.com/robokassa-go/robokassa/cmd/robokassa@latest
//
// and run "robokassa -h" for the subcommands, "robokassa SUBCOMMAND -h"
// for one of them. Credentials come from flags or from the environment:
// ROBOKASSA_LOGIN, ROBOKASSA_PASSWORD1, ROBOKASSA_PASSWORD2,
// ROBOKASSA_TEST_PASSWORD1, ROBOKASSA_TEST_PASSWORD2, ROBOKASSA_PASSWORD3,
// ROBOKASSA_ALGORITHM, ROBOKASSA_TEST=1 and ROBOKASSA_AUTH_URL. A
// password is never printed.
//
// Exit status: 0 success, 1 the check failed (a bad signature, a wrong
// answer, a refused notification), 2 a usage or input error. Asking for
// help with -h is not an error: it prints the usage on standard output and
// exits 0.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

func main() { os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) }

// run is the whole program: args without the program name, and the three
// standard streams. It returns the exit status. The environment is read
// through os.LookupEnv; SIGINT and SIGTERM cancel the context a long
// running subcommand (sandbox) waits on.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	c := &cli{ctx: ctx, env: os.LookupEnv, stdin: stdin, stdout: stdout, stderr: stderr}
	return c.main(args)
}

// cli is one invocation: where it reads the environment and its streams.
// Tests build one with a map for the environment, so they never see the
// developer's own ROBOKASSA_ variables.
type cli struct {
	ctx    context.Context
	env    func(string) (string, bool)
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

// subcommand is one verb of the command line.
type subcommand struct {
	name    string
	summary string
	run     func(c *cli, args []string) error
}

// subcommands lists the verbs in the order the help shows them.
var subcommands = []subcommand{
	{"link", "build a signed payment link or HTML form (-explain: the signed string, part by part)", (*cli).link},
	{"verify", "verify a ResultURL notification or a SuccessURL redirect (-success)", (*cli).verify},
	{"explain", "find why the payment page answered \"error 29: invalid SignatureValue\"", (*cli).explain},
	{"trigger", "send a signed result, success or fail notification to a shop", (*cli).trigger},
	{"sandbox", "run a local Robokassa emulator for a shop to talk to", (*cli).sandbox},
	{"state", "ask for an operation's state (OpStateExt)", (*cli).state},
	{"qr", "render a payment link as a QR code (PNG or terminal)", (*cli).qrCode},
}

const overview = `robokassa: a command line for Robokassa integrations.

usage: robokassa SUBCOMMAND [flags] [args]

Subcommands:
%s
Run "robokassa SUBCOMMAND -h" for a subcommand's flags and an example.

Credentials come from flags or the environment: ROBOKASSA_LOGIN,
ROBOKASSA_PASSWORD1, ROBOKASSA_PASSWORD2, ROBOKASSA_TEST_PASSWORD1,
ROBOKASSA_TEST_PASSWORD2, ROBOKASSA_PASSWORD3, ROBOKASSA_ALGORITHM,
ROBOKASSA_TEST=1, ROBOKASSA_AUTH_URL. A flag wins over the environment.
Passwords are never printed (the sandbox's generated, throwaway ones
excepted).

Exit status: 0 success, 1 the check failed, 2 a usage or input error.
`

func (c *cli) printOverview(w io.Writer) {
	var b strings.Builder
	for _, s := range subcommands {
		fmt.Fprintf(&b, "  %-8s %s\n", s.name, s.summary)
	}
	fmt.Fprintf(w, overview, b.String())
}

// main dispatches to a subcommand and turns its error into an exit status.
func (c *cli) main(args []string) int {
	if len(args) == 0 {
		c.printOverview(c.stderr)
		return 2
	}
	name := args[0]
	switch name {
	case "-h", "-help", "--help", "help":
		if name == "help" && len(args) > 1 {
			return c.main([]string{args[1], "-h"})
		}
		c.printOverview(c.stdout)
		return 0
	}
	for _, s := range subcommands {
		if s.name == name {
			return c.exit(name, s.run(c, args[1:]))
		}
	}
	fmt.Fprintf(c.stderr, "robokassa: unknown subcommand %q; run \"robokassa -h\" for the list\n", name)
	return 2
}

// exit reports err on stderr and returns the exit status it stands for.
func (c *cli) exit(name string, err error) int {
	if err == nil || errors.Is(err, errHelp) {
		return 0
	}
	var e *exitError
	if !errors.As(err, &e) {
		e = &exitError{code: 2, err: err}
	}
	if e.err != nil {
		fmt.Fprintf(c.stderr, "robokassa %s: %v\n", name, e.err)
	}
	return e.code
}

// exitError is an error with the exit status it stands for.
type exitError struct {
	code int
	err  error // nil when the subcommand has already said everything
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// usageError is a usage or input error: exit status 2.
func usageError(format string, args ...any) error {
	return &exitError{code: 2, err: fmt.Errorf(format, args...)}
}

// inputError wraps an error from the SDK about the user's input: exit 2.
func inputError(err error) error { return &exitError{code: 2, err: err} }

// checkFailed is a failed check whose account is already printed: exit 1.
var checkFailed error = &exitError{code: 1}

// errHelp means -h was asked for and the usage printed: exit 0.
var errHelp = errors.New("help requested")

// command describes one subcommand's flags for parsing and for -h.
type command struct {
	name  string
	usage string // synopsis, description and example; the flags follow
	fs    *flag.FlagSet
}

func newCommand(name, usage string) *command {
	fs := flag.NewFlagSet("robokassa "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return &command{name: name, usage: usage, fs: fs}
}

// printUsage writes the usage text and the flag defaults to w.
func (cmd *command) printUsage(w io.Writer) {
	fmt.Fprint(w, cmd.usage)
	fmt.Fprintln(w, "\nFlags:")
	cmd.fs.SetOutput(w)
	cmd.fs.PrintDefaults()
	cmd.fs.SetOutput(io.Discard)
}

// parse parses args, flags and positional arguments in any order
// ("robokassa trigger result -to URL" as well as "-to URL result"); after
// "--" everything is positional. -h prints the usage on stdout and
// returns errHelp.
func (c *cli) parse(cmd *command, args []string) ([]string, error) {
	var positional []string
	for {
		err := cmd.fs.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			cmd.printUsage(c.stdout)
			return nil, errHelp
		}
		if err != nil {
			return nil, usageError("%v (run \"robokassa %s -h\" for usage)", err, cmd.name)
		}
		rest := cmd.fs.Args()
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			return append(positional, rest...), nil
		}
		if len(rest) == 0 {
			return positional, nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}
