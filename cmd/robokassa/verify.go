package main

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"text/tabwriter"

	"github.com/robokassa-go/robokassa"
)

const verifyUsage = `usage: robokassa verify [-success] [flags] [NOTIFICATION | -]

Verifies a notification as the shop's handler should: a ResultURL
notification (signed with Password #2), or with -success the buyer's
SuccessURL redirect (signed with Password #1). NOTIFICATION is a query
string, a form body or a whole URL, as the only argument or on standard
input. It prints the notification and the answer the shop must give
ResultURL (OK<InvId>), or why it is refused (exit 1).

A notification with IsTest=1 is refused unless -test (or ROBOKASSA_TEST=1)
says the shop is in test mode: then the test passwords verify it.

Example:
  export ROBOKASSA_PASSWORD2=...
  robokassa verify 'OutSum=990.000000&InvId=12&SignatureValue=...&Shp_order=12'
  pbpaste | robokassa verify -success -
`

// verify checks a ResultURL notification or SuccessURL redirect.
func (c *cli) verify(args []string) error {
	cmd := newCommand("verify", verifyUsage)
	fs := cmd.fs
	cr := addCredentials(fs, credPassword1|credPassword2|credTestPassword1|credTestPassword2|credAlgorithm|credTest,
		"the shop is in test mode: accept IsTest=1 and verify with the test passwords")
	success := fs.Bool("success", false, "verify a SuccessURL redirect (Password #1) instead of a ResultURL notification (Password #2)")
	rest, r, err := c.parseWithCredentials(cmd, cr, args)
	if err != nil {
		return err
	}
	// The password that verifies is required; the SDK's client also wants
	// a login and a Password #1 it will not use here: placeholders.
	r.login = placeholder()
	switch {
	case *success && !r.test && r.password1 == "":
		return needed(credPassword1, "a SuccessURL redirect is verified with Password #1")
	case *success && r.test && r.testPassword1 == "":
		return needed(credTestPassword1, "in test mode a SuccessURL redirect is verified with the test Password #1")
	case !*success && !r.test && r.password2 == "":
		return needed(credPassword2, "a ResultURL notification is verified with Password #2")
	case !*success && r.test && r.testPassword2 == "":
		return needed(credTestPassword2, "in test mode a ResultURL notification is verified with the test Password #2")
	}
	cfg := r.config()
	if r.test && cfg.TestPassword1 == "" {
		cfg.TestPassword1 = robokassa.Secret(placeholder())
	}
	if !r.test && cfg.Password1 == "" {
		cfg.Password1 = robokassa.Secret(placeholder())
	}
	client, err := robokassa.NewClient(cfg)
	if err != nil {
		return inputError(err)
	}
	in, err := c.readInput(rest, "notification")
	if err != nil {
		return err
	}
	_, form, err := parseParams(in, "notification")
	if err != nil {
		return err
	}
	kind, verify := "ResultURL", client.VerifyResult
	if *success {
		kind, verify = "SuccessURL", client.VerifySuccess
	}
	n, err := verify(form)
	if err != nil {
		fmt.Fprintf(c.stdout, "%s notification refused: %v\n", kind, err)
		if errors.Is(err, robokassa.ErrTestNotification) {
			fmt.Fprintln(c.stdout, "It carries IsTest=1; if the shop is in test mode, give -test (or ROBOKASSA_TEST=1) and the test passwords.")
		}
		return checkFailed
	}
	tw := tabwriter.NewWriter(c.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "%s notification: signature ok (%s)\n", kind, client.Algorithm())
	fmt.Fprintf(tw, "InvId\t%d\n", n.InvID)
	fmt.Fprintf(tw, "OutSum\t%s\n", form.Get("OutSum"))
	if v := form.Get("Fee"); v != "" {
		fmt.Fprintf(tw, "Fee\t%s\n", v)
	}
	for _, f := range [][2]string{{"EMail", n.Email}, {"PaymentMethod", n.PaymentMethod}, {"IncCurrLabel", n.IncCurrLabel}, {"Culture", n.Culture}} {
		if f[1] != "" {
			fmt.Fprintf(tw, "%s\t%s\n", f[0], f[1])
		}
	}
	test := "no"
	if n.IsTest {
		test = "yes (IsTest=1: no money moved)"
	}
	fmt.Fprintf(tw, "test\t%s\n", test)
	writeShp(tw, n.Shp, n.RawShp(), "received")
	if !*success {
		fmt.Fprintf(tw, "answer\tOK%d\t(exactly this body, status 200, once the order is marked paid)\n", n.InvID)
	} else {
		fmt.Fprintln(tw, "note\tSuccessURL is informational: mark the order paid from ResultURL only")
	}
	return tw.Flush()
}

// writeShp writes one table row per Shp parameter, sorted by name: the
// value decoded as the SDK hands it back and, when decoding changed it,
// the value as it came ("received" or "reported").
func writeShp(w io.Writer, shp, raw map[string]string, came string) {
	names := make([]string, 0, len(shp))
	for k := range shp {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		if raw[k] != shp[k] {
			fmt.Fprintf(w, "Shp_%s\t%s\t(%s %s)\n", k, shp[k], came, raw[k])
		} else {
			fmt.Fprintf(w, "Shp_%s\t%s\n", k, shp[k])
		}
	}
}
