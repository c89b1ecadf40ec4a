package main

import (
	"crypto/subtle"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strings"

	"github.com/robokassa-go/robokassa"
	"github.com/robokassa-go/robokassa/robokassatest"
)

const explainUsage = `usage: robokassa explain [-shp name=value]... [flags] [LINK | -]

The error-29 debugger. Given a payment link (or a POST form body) that
Robokassa refused with "error 29: invalid SignatureValue", as the only
argument or on standard input, and the shop's credentials, it recomputes the
signature the way Robokassa checks it (IsTest=1 selects the test Password #1)
and prints the base string it expects, password masked. When the link's
SignatureValue does not match, it tries the known mistakes, alone and in
pairs, and names the one that reproduces it, on one line "cause: KEYWORD":

  ok                      the signature is right: look elsewhere (shop not
                          activated, error 25/26, another parameter)
  receipt-not-encoded     Receipt signed (or sent) as raw JSON, not URL-encoded
  receipt-double-encoded  Receipt signed (or sent) URL-encoded twice
  test-password           signed with the test password, sent without IsTest=1
  live-password           sent with IsTest=1, signed with the production password
  algorithm=NAME          signed with another hash than the shop's setting
  shp-order               Shp pairs signed in another order (or before the password)
  shp-missing             Shp parameters sent but not signed
  shp-unsent              Shp parameters signed but not sent: name what the shop
                          signs with -shp name=value
  outsum-format           the signed OutSum text differs from the sent one (990 vs 990.00)
  invid-slot              InvId slot empty in one and 0 in the other, or left out
  modifier-order          modifiers signed in another order or after the password
  redirect-encoded        SuccessUrl2/FailUrl2/ResultUrl2 signed URL-encoded
                          (Robokassa signs them raw)
  wrong-login             the link's MerchantLogin is not the configured login
                          (-login or ROBOKASSA_LOGIN; without one it is not checked)
  wrong-password          no known mistake reproduces it: the password is wrong
                          (or the link was changed after signing)

A second mistake found with the first is printed as "also: KEYWORD".
Exit 0 for ok, 1 for any other cause.

Example:
  export ROBOKASSA_LOGIN=demo ROBOKASSA_PASSWORD1=... ROBOKASSA_TEST_PASSWORD1=...
  robokassa explain 'https://auth.robokassa.ru/Merchant/Index.aspx?MerchantLogin=demo&OutSum=990&InvId=12&SignatureValue=...'
`

// explain diagnoses a payment link's signature.
func (c *cli) explain(args []string) error {
	cmd := newCommand("explain", explainUsage)
	fs := cmd.fs
	cr := addCredentials(fs, credLogin|credPassword1|credTestPassword1|credAlgorithm, "")
	var shp shpFlag
	fs.Var(&shp, "shp", "a Shp_ parameter the shop signs, as name=value (repeatable): lets explain find shp-unsent")
	rest, r, err := c.parseWithCredentials(cmd, cr, args)
	if err != nil {
		return err
	}
	if r.password1 == "" && r.testPassword1 == "" {
		return needed(credPassword1, "explain needs the shop's Password #1 (or test Password #1 for a test link)")
	}
	in, err := c.readInput(rest, "payment link")
	if err != nil {
		return err
	}
	params, form, err := parseParams(in, "payment link")
	if err != nil {
		return err
	}
	e := &explainer{params: params, form: form, alg: r.algorithm, login: r.login, shp: shp}
	e.sent = form.Get("SignatureValue")
	switch {
	case form.Get("MerchantLogin") == "":
		return usageError("the payment link has no MerchantLogin")
	case e.sent == "":
		return usageError("the payment link has no SignatureValue")
	}
	// As the emulator reads it: "1" or "true" (any case) is test mode.
	switch strings.ToLower(form.Get("IsTest")) {
	case "1", "true":
		e.isTest = true
	}
	live := secret{r.password1, "Password #1", "live-password"}
	test := secret{r.testPassword1, "test Password #1", "test-password"}
	e.expected, e.other = live, test
	if e.isTest {
		e.expected, e.other = test, live
	}
	return e.run(c.stdout)
}

// secret is a password explain may try, with the cause it stands for when
// it is the wrong one.
type secret struct {
	value string
	name  string
	cause string
}

// explainer holds one link under diagnosis.
type explainer struct {
	params          []param    // as received, in order
	form            url.Values // the same, for lookups
	sent            string     // SignatureValue
	alg             robokassa.HashAlgorithm
	login           string // configured; "" = not checked
	isTest          bool
	expected, other secret
	shp             shpFlag // what the shop signs (-shp)
	combos          int     // every-order and every-subset variants still allowed (mistakes.go)
}

// variant is a base string a shop may have signed by mistake.
type variant struct {
	cause  string
	detail string
	base   func(pw string) string
}

// finding is the outcome of a search.
type finding struct {
	causes  []string
	details []string
	signed  string // the base the link was signed over, password masked
}

func (e *explainer) run(w io.Writer) error {
	f := e.form
	mode := "no IsTest: a production payment, checked with Password #1"
	if e.isTest {
		mode = "IsTest=1: a test payment, checked with the test Password #1"
	}
	inv := f.Get("InvId")
	if _, ok := f["InvId"]; !ok {
		inv = "(none)"
	}
	fmt.Fprintf(w, "link:      MerchantLogin=%s OutSum=%s InvId=%s, %s\n", f.Get("MerchantLogin"), f.Get("OutSum"), inv, mode)
	fmt.Fprintf(w, "expected:  %s\n", robokassatest.PaymentBase(f, "[password]"))
	want := "(cannot compute: no " + e.expected.name + " given)"
	if e.expected.value != "" {
		want = strings.ToLower(e.sign(e.alg, robokassatest.PaymentBase(f, e.expected.value)))
	}
	fmt.Fprintf(w, "signature: %s sent, %s %s expected\n", e.sent, e.alg, want)

	var fd *finding
	if e.login != "" && e.login != f.Get("MerchantLogin") {
		fd = e.wrongLogin()
	} else {
		fd = e.search()
	}
	if fd == nil {
		if e.expected.value == "" {
			fmt.Fprintln(w, "No known mistake with the "+e.other.name+" reproduces the signature.")
			return needed(map[bool]credential{true: credTestPassword1, false: credPassword1}[e.isTest],
				"to check this link with the password Robokassa uses, explain needs the "+e.expected.name)
		}
		fd = &finding{causes: []string{"wrong-password"}, details: []string{
			"No known mistake reproduces the SignatureValue: the " + e.expected.name + " differs from the shop's,",
			"or the link was changed after it was signed.",
		}}
		if len(e.shp.names) == 0 {
			fd.details = append(fd.details, "If the shop signs Shp parameters the link does not carry, name them with -shp name=value.")
		}
	}
	fmt.Fprintf(w, "cause: %s\n", fd.causes[0])
	for _, also := range fd.causes[1:] {
		fmt.Fprintf(w, "also: %s\n", also)
	}
	for _, d := range fd.details {
		fmt.Fprintf(w, "  %s\n", d)
	}
	if fd.signed != "" {
		fmt.Fprintf(w, "signed:    %s\n", fd.signed)
	}
	for _, n := range e.notes() {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	if fd.causes[0] != "ok" {
		return checkFailed
	}
	return nil
}

// sign returns the uppercase hex signature of base with alg, by the
// emulator's own hashing.
func (e *explainer) sign(alg robokassa.HashAlgorithm, base string) string {
	return robokassatest.Sign(robokassa.Config{Algorithm: alg}, base)
}

// matches reports, in constant time, whether the link's signature is the
// hash of base with alg (hex in either case).
func (e *explainer) matches(alg robokassa.HashAlgorithm, base string) bool {
	got := e.sign(alg, base)
	if len(got) != len(e.sent) {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(got), []byte(strings.ToUpper(e.sent))) == 1
}

// wrongLogin explains a link whose MerchantLogin is not the configured
// one: Robokassa checks it with the passwords of the shop it names.
func (e *explainer) wrongLogin() *finding {
	linkLogin := e.form.Get("MerchantLogin")
	fd := &finding{causes: []string{"wrong-login"}, details: []string{
		fmt.Sprintf("The link names the shop %q; the credentials given are for %q.", linkLogin, e.login),
	}}
	if e.expected.value == "" {
		return fd
	}
	fixed := cloneWith(e.form, map[string]string{"MerchantLogin": e.login})
	switch {
	case e.matches(e.alg, robokassatest.PaymentBase(fixed, e.expected.value)):
		fd.details = append(fd.details, fmt.Sprintf("It was signed for %q: MerchantLogin was changed or mistyped after signing.", e.login))
		fd.signed = robokassatest.PaymentBase(fixed, "[password]")
	case e.matches(e.alg, robokassatest.PaymentBase(e.form, e.expected.value)):
		fd.details = append(fd.details, fmt.Sprintf("It is signed for %q with these passwords, but Robokassa checks it with the passwords of %q.", linkLogin, linkLogin))
		fd.signed = robokassatest.PaymentBase(e.form, "[password]")
	}
	return fd
}

// search tries the known mistakes: the right link first, then each
// mistake alone, then each pair of mistakes along different axes
// (password, algorithm, base string).
func (e *explainer) search() *finding {
	var algs []robokassa.HashAlgorithm // the shop's first, then those of the sent length
	for _, a := range append([]robokassa.HashAlgorithm{e.alg}, algorithms...) {
		if !slices.Contains(algs, a) && len(e.sign(a, "")) == len(e.sent) {
			algs = append(algs, a)
		}
	}
	var pws []secret
	for _, s := range []secret{e.expected, e.other} {
		if s.value != "" {
			pws = append(pws, s)
		}
	}
	none := variant{base: func(pw string) string { return robokassatest.PaymentBase(e.form, pw) }}
	try := func(a robokassa.HashAlgorithm, pw secret, v variant) *finding {
		if !e.matches(a, v.base(pw.value)) {
			return nil
		}
		fd := &finding{signed: v.base("[password]")}
		if pw != e.expected {
			fd.causes = append(fd.causes, pw.cause)
			if pw.cause == "test-password" {
				fd.details = append(fd.details, "It was signed with the test Password #1 but sent without IsTest=1: add IsTest=1, or sign with Password #1.")
			} else {
				fd.details = append(fd.details, "It was sent with IsTest=1 but signed with the production Password #1: a test payment is signed with the test Password #1.")
			}
		}
		if a != e.alg {
			fd.causes = append(fd.causes, "algorithm="+string(a))
			fd.details = append(fd.details, fmt.Sprintf("It was signed with %s; the shop's setting (-algorithm or ROBOKASSA_ALGORITHM) is %s. Robokassa hashes with the shop's setting.", a, e.alg))
		}
		if v.cause != "" {
			fd.causes = append(fd.causes, v.cause)
			fd.details = append(fd.details, v.detail)
		}
		if len(fd.causes) == 0 {
			fd.causes, fd.signed = []string{"ok"}, ""
			fd.details = []string{
				"The signature is right: Robokassa's check passes with these credentials.",
				"Look elsewhere: is the shop activated (error 25/26)? Is this the failing link? Does Robokassa know",
				"the same passwords (re-save them in the technical settings)? A test link needs the test passwords.",
			}
		}
		return fd
	}
	candidates := append([]variant{none}, e.variants()...)
	for level := 0; level <= 2; level++ {
		for _, a := range algs {
			for _, pw := range pws {
				for _, v := range candidates {
					if mistakes(a != e.alg, pw != e.expected, v.cause != "") != level {
						continue
					}
					if fd := try(a, pw, v); fd != nil {
						return fd
					}
				}
			}
		}
	}
	return nil
}

// mistakes counts the true flags.
func mistakes(flags ...bool) int {
	n := 0
	for _, f := range flags {
		if f {
			n++
		}
	}
	return n
}

// cloneWith returns a copy of form with the given fields set ("" deletes)
// and the named fields deleted.
func cloneWith(form url.Values, set map[string]string, del ...string) url.Values {
	out := make(url.Values, len(form)+len(set))
	for k, v := range form {
		out[k] = slices.Clone(v)
	}
	for k, v := range set {
		out.Set(k, v)
	}
	for _, k := range del {
		delete(out, k)
	}
	return out
}

// phpURLEncode is how a PHP shop URL-encodes (urlencode): url.QueryEscape
// with '~' encoded too. It makes the double-encoding mistakes.
func phpURLEncode(s string) string { return strings.ReplaceAll(url.QueryEscape(s), "~", "%7E") }

// notes points out what is odd in a link whatever its signature says.
func (e *explainer) notes() []string {
	var notes []string
	if rc := e.form.Get("Receipt"); rc != "" {
		switch n := encodings(rc); {
		case n == 0:
			notes = append(notes, "the Receipt arrives as raw JSON: Robokassa expects it URL-encoded once in the form (twice in a GET link)")
		case n >= 2:
			notes = append(notes, fmt.Sprintf("the Receipt arrives URL-encoded %d times: Robokassa expects it encoded once in the form (twice in a GET link)", n))
		case n < 0:
			notes = append(notes, "the Receipt is not URL-encoded JSON")
		}
	}
	for _, name := range []string{"ResultUrl2", "SuccessUrl2", "FailUrl2"} {
		if v := e.form.Get(name); v != "" && !isHTTPURL(v) {
			notes = append(notes, name+" does not arrive as an absolute URL: it was URL-encoded once too often in the link")
		}
	}
	switch v := strings.ToLower(e.form.Get("IsTest")); v {
	case "", "0", "1", "false", "true":
	default:
		notes = append(notes, fmt.Sprintf("IsTest=%q is neither 1 nor 0: the emulator refuses it with error 30; explain read it as production", e.form.Get("IsTest")))
	}
	return notes
}

// encodings returns how many times s must be URL-decoded to give JSON
// (0: it is JSON), or -1 when it does not become JSON within three.
func encodings(s string) int {
	for n := 0; n <= 3; n++ {
		if t := strings.TrimSpace(s); strings.HasPrefix(t, "{") || strings.HasPrefix(t, "[") {
			return n
		}
		d, err := url.QueryUnescape(s)
		if err != nil || d == s {
			return -1
		}
		s = d
	}
	return -1
}
