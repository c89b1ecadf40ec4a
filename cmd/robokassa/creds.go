package main

import (
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/robokassa-go/robokassa"
)

// credential names a credential a subcommand takes, as a bit.
type credential uint

const (
	credLogin credential = 1 << iota
	credPassword1
	credPassword2
	credTestPassword1
	credTestPassword2
	credPassword3
	credAlgorithm
	credTest
	credAuthURL
)

// credentialSpec is one credential's flag, variable and help.
type credentialSpec struct {
	bit  credential
	flag string
	env  string
	help string
}

var credentialSpecs = []credentialSpec{
	{credLogin, "login", "ROBOKASSA_LOGIN", "shop identifier (MerchantLogin)"},
	{credPassword1, "password1", "ROBOKASSA_PASSWORD1", "Password #1 (prefer the environment: a flag shows in the process list)"},
	{credPassword2, "password2", "ROBOKASSA_PASSWORD2", "Password #2"},
	{credTestPassword1, "test-password1", "ROBOKASSA_TEST_PASSWORD1", "test Password #1"},
	{credTestPassword2, "test-password2", "ROBOKASSA_TEST_PASSWORD2", "test Password #2"},
	{credPassword3, "password3", "ROBOKASSA_PASSWORD3", "Password #3 (Refund API)"},
	{credAlgorithm, "algorithm", "ROBOKASSA_ALGORITHM", "hash algorithm of the shop: MD5, RIPEMD160, SHA1, SHA256, SHA384 or SHA512 (default MD5)"},
	{credAuthURL, "auth-url", "ROBOKASSA_AUTH_URL", "base URL of the payment page and web service (default " + robokassa.DefaultAuthURL + "; a sandbox's URL)"},
}

// credentials holds the credential flags of one subcommand. Flag defaults
// are always empty: a default taken from the environment would print a
// password in -h.
type credentials struct {
	take   credential
	values map[credential]*string
	test   bool
}

// addCredentials registers the flags for the credentials in take.
// testHelp describes -test when take includes credTest.
func addCredentials(fs *flag.FlagSet, take credential, testHelp string) *credentials {
	cr := &credentials{take: take, values: map[credential]*string{}}
	for _, s := range credentialSpecs {
		if take&s.bit != 0 {
			cr.values[s.bit] = fs.String(s.flag, "", s.help+"; env "+s.env)
		}
	}
	if take&credTest != 0 {
		fs.BoolVar(&cr.test, "test", false, testHelp+"; env ROBOKASSA_TEST=1")
	}
	return cr
}

// resolved is the credentials after flags and environment are combined.
type resolved struct {
	login                        string
	password1, password2         string
	testPassword1, testPassword2 string
	password3                    string
	algorithm                    robokassa.HashAlgorithm
	test                         bool
	authURL                      string
}

// parseWithCredentials parses args as parse does, then resolves the
// credentials cr registered on cmd.
func (c *cli) parseWithCredentials(cmd *command, cr *credentials, args []string) ([]string, *resolved, error) {
	rest, err := c.parse(cmd, args)
	if err != nil {
		return nil, nil, err
	}
	r, err := c.resolve(cmd.fs, cr)
	if err != nil {
		return nil, nil, err
	}
	return rest, r, nil
}

// resolve combines the flags with the environment (a flag wins) and
// checks the algorithm, the test switch and the URL.
func (c *cli) resolve(fs *flag.FlagSet, cr *credentials) (*resolved, error) {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	get := func(s credentialSpec) string {
		p, ok := cr.values[s.bit]
		if !ok {
			return ""
		}
		if set[s.flag] {
			return *p
		}
		v, _ := c.env(s.env)
		return v
	}
	r := &resolved{}
	for _, s := range credentialSpecs {
		v := get(s)
		switch s.bit {
		case credLogin:
			r.login = v
		case credPassword1:
			r.password1 = v
		case credPassword2:
			r.password2 = v
		case credTestPassword1:
			r.testPassword1 = v
		case credTestPassword2:
			r.testPassword2 = v
		case credPassword3:
			r.password3 = v
		case credAlgorithm:
			alg, err := parseAlgorithm(v)
			if err != nil {
				return nil, err
			}
			r.algorithm = alg
		case credAuthURL:
			if v != "" {
				if !isHTTPURL(v) {
					return nil, usageError("-auth-url (or ROBOKASSA_AUTH_URL): must be an absolute http or https URL")
				}
			}
			r.authURL = strings.TrimRight(v, "/")
		}
	}
	if cr.take&credTest != 0 {
		r.test = cr.test
		if !set["test"] {
			if v, ok := c.env("ROBOKASSA_TEST"); ok && v != "" {
				b, err := strconv.ParseBool(v)
				if err != nil {
					return nil, usageError("ROBOKASSA_TEST: must be 1, 0, true or false")
				}
				r.test = b
			}
		}
	}
	return r, nil
}

// isHTTPURL reports whether s is an absolute http or https URL.
func isHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// parseAlgorithm reads an algorithm name in any letter case; empty means MD5.
func parseAlgorithm(s string) (robokassa.HashAlgorithm, error) {
	if s == "" {
		return robokassa.MD5, nil
	}
	alg := robokassa.HashAlgorithm(strings.ToUpper(strings.TrimSpace(s)))
	for _, a := range algorithms {
		if a == alg {
			return a, nil
		}
	}
	return "", usageError("-algorithm (or ROBOKASSA_ALGORITHM): %q is not one of MD5, RIPEMD160, SHA1, SHA256, SHA384, SHA512", s)
}

// algorithms are the six hashes a shop can choose, in the order Robokassa
// lists them.
var algorithms = []robokassa.HashAlgorithm{
	robokassa.MD5, robokassa.RIPEMD160, robokassa.SHA1,
	robokassa.SHA256, robokassa.SHA384, robokassa.SHA512,
}

// config returns the SDK configuration of the credentials.
func (r *resolved) config() robokassa.Config {
	return robokassa.Config{
		MerchantLogin: r.login,
		Password1:     robokassa.Secret(r.password1),
		Password2:     robokassa.Secret(r.password2),
		TestPassword1: robokassa.Secret(r.testPassword1),
		TestPassword2: robokassa.Secret(r.testPassword2),
		Password3:     robokassa.Secret(r.password3),
		Algorithm:     r.algorithm,
		Test:          r.test,
		AuthURL:       r.authURL,
	}
}

// placeholder returns a random value for a credential the SDK requires but
// the subcommand never uses (the login and Password #1 of a client that
// only verifies ResultURL or asks for a state). It is never printed and
// never signs anything sent.
func placeholder() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return "unused-" + hex.EncodeToString(b[:])
}

// needed reports a missing credential as a usage error naming its flag
// and variable, never a value.
func needed(bit credential, why string) error {
	for _, s := range credentialSpecs {
		if s.bit == bit {
			return usageError("%s: give -%s or set %s", why, s.flag, s.env)
		}
	}
	return usageError("%s", why)
}

// shpFlag collects repeatable -shp name=value flags in the order given.
// A leading "Shp_" in the name (any letter case) is dropped, so both
// "-shp order=12" and "-shp Shp_order=12" mean the parameter Shp_order.
type shpFlag struct {
	names  []string
	values map[string]string
}

func (f *shpFlag) String() string { return strings.Join(f.names, ",") }

func (f *shpFlag) Set(s string) error {
	name, value, ok := strings.Cut(s, "=")
	if len(name) > 4 && strings.EqualFold(name[:4], "shp_") {
		name = name[4:]
	}
	if !ok || name == "" {
		return fmt.Errorf("want name=value, as in -shp order=12")
	}
	if _, dup := f.values[name]; dup {
		return fmt.Errorf("parameter Shp_%s given twice", name)
	}
	if f.values == nil {
		f.values = map[string]string{}
	}
	f.names = append(f.names, name)
	f.values[name] = value
	return nil
}

// stringsFlag collects a repeatable string flag.
type stringsFlag []string

func (f *stringsFlag) String() string     { return strings.Join(*f, ",") }
func (f *stringsFlag) Set(s string) error { *f = append(*f, s); return nil }
