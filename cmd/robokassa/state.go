package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/shopspring/decimal"

	"github.com/robokassa-go/robokassa"
)

const stateUsage = `usage: robokassa state [flags] INVID

Asks Robokassa (or a sandbox, with -auth-url) for the state of the operation
with the shop's InvId (OpStateExt, signed with Password #2) and prints it as a
table: state, amounts, payment method, Shp parameters. OpStateExt does not
exist in Robokassa's test mode: a test payment is not found.

Exit 1 when the operation is not found (Robokassa also says so until the
buyer submits payment details) or the call fails.

Example:
  export ROBOKASSA_LOGIN=demo ROBOKASSA_PASSWORD2=...
  robokassa state 12
  robokassa state -auth-url http://127.0.0.1:8089 12
`

// state prints an operation's state.
func (c *cli) state(args []string) error {
	cmd := newCommand("state", stateUsage)
	fs := cmd.fs
	cr := addCredentials(fs, credLogin|credPassword2|credAlgorithm|credAuthURL, "")
	inv := fs.Int64("inv", 0, "the shop's invoice number (InvId), instead of the argument")
	timeout := fs.Duration("timeout", 30*time.Second, "how long to wait, retries included")
	rest, r, err := c.parseWithCredentials(cmd, cr, args)
	if err != nil {
		return err
	}
	switch {
	case len(rest) > 1:
		return usageError("want one INVID, got %d arguments", len(rest))
	case len(rest) == 1 && *inv != 0:
		return usageError("give the InvId once: as -inv or as the argument")
	case len(rest) == 1:
		if *inv, err = strconv.ParseInt(rest[0], 10, 64); err != nil {
			return usageError("INVID: %q is not a number", rest[0])
		}
	}
	if *inv <= 0 {
		return usageError("an InvId greater than zero is required (run \"robokassa state -h\" for usage)")
	}
	if *timeout <= 0 {
		return usageError("-timeout: must be positive")
	}
	switch {
	case r.login == "":
		return needed(credLogin, "the shop's login is required")
	case r.password2 == "":
		return needed(credPassword2, "OpStateExt is signed with Password #2")
	}
	cfg := r.config()
	cfg.Password1 = robokassa.Secret(placeholder()) // required by NewClient, unused by OpStateExt
	client, err := robokassa.NewClient(cfg)
	if err != nil {
		return inputError(err)
	}
	ctx, cancel := context.WithTimeout(c.ctx, *timeout)
	defer cancel()
	st, err := client.OpState(ctx, *inv)
	switch {
	case errors.Is(err, robokassa.ErrNotFound):
		fmt.Fprintf(c.stdout, "InvId %d: not found (%v)\n", *inv, err)
		fmt.Fprintln(c.stdout, "Robokassa reports this until the buyer submits payment details, and for test payments.")
		return checkFailed
	case err != nil:
		fmt.Fprintf(c.stdout, "InvId %d: %v\n", *inv, err)
		return checkFailed
	}
	printState(c.stdout, st)
	return nil
}

// printState writes an operation's state as a two-column table.
func printState(w io.Writer, st *robokassa.OperationState) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	row := func(name, value string) {
		if value != "" {
			fmt.Fprintf(tw, "%s\t%s\n", name, value)
		}
	}
	row("InvId", strconv.FormatInt(st.InvID, 10))
	state := fmt.Sprintf("%d %s", int(st.State), st.State)
	if st.State.Final() {
		state += " (final)"
	}
	row("state", state)
	row("since", formatTime(st.StateDate))
	row("asked at", formatTime(st.RequestDate))
	row("paid", amountWith(st.IncSum, st.IncCurrLabel))
	row("credited", amountWith(st.OutSum, st.OutCurrLabel))
	method := st.PaymentMethod.Code
	if d := st.PaymentMethod.Description; d != "" {
		method += " (" + d + ")"
	}
	row("method", method)
	row("account", st.IncAccount)
	row("OpKey", st.OpKey)
	row("RRN", st.BankCardRRN)
	writeShp(tw, st.Shp, st.RawShp(), "reported")
	tw.Flush()
}

// amountWith writes an amount with its currency label: two decimals when
// that rounds nothing, every digit otherwise.
func amountWith(d decimal.Decimal, label string) string {
	if d.IsZero() && label == "" {
		return ""
	}
	s := d.String()
	if d.Equal(d.Truncate(2)) {
		s = d.StringFixed(2)
	}
	if label != "" {
		s += " " + label
	}
	return s
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("2006-01-02 15:04:05 -07:00")
}
