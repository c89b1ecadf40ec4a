package main

import (
	"io"
	"net/url"
	"strings"
)

// maxInput bounds what verify and explain read (an argument or stdin):
// a payment link with a large receipt is a few kilobytes.
const maxInput = 1 << 20

// maxParams bounds the parameters of one link or notification.
const maxParams = 1000

// readInput returns the one positional argument, or standard input when
// there is none or it is "-". what names the input in errors.
func (c *cli) readInput(args []string, what string) (string, error) {
	if len(args) > 1 {
		return "", usageError("want one %s, got %d arguments (quote a link: its & would end the shell command)", what, len(args))
	}
	if len(args) == 1 && args[0] != "-" {
		if len(args[0]) > maxInput {
			return "", usageError("the %s is longer than %d bytes", what, maxInput)
		}
		return args[0], nil
	}
	b, err := io.ReadAll(io.LimitReader(c.stdin, maxInput+1))
	if err != nil {
		return "", usageError("reading the %s from standard input: %v", what, err)
	}
	if len(b) > maxInput {
		return "", usageError("the %s on standard input is longer than %d bytes", what, maxInput)
	}
	return string(b), nil
}

// param is one parameter as received: name and value after one form
// decoding.
type param struct{ name, value string }

// parseParams reads a whole URL, a query string (with or without the
// leading '?') or a form body, and decodes its parameters once, keeping
// their order (explain needs it: a shop may have signed in link order).
// Input that starts with "http://", "https://" or "/" is a URL; anything
// else is a query string or form body.
func parseParams(s, what string) ([]param, url.Values, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil, usageError("the %s is empty", what)
	}
	lower := strings.ToLower(s)
	if strings.HasPrefix(lower, "http://") || strings.HasPrefix(lower, "https://") || strings.HasPrefix(s, "/") {
		u, err := url.Parse(s)
		if err != nil {
			return nil, nil, usageError("the %s is not a valid URL: %v", what, err)
		}
		if u.RawQuery == "" {
			return nil, nil, usageError("the %s has no query string", what)
		}
		s = u.RawQuery
	}
	s = strings.TrimPrefix(s, "?")
	var params []param
	form := url.Values{}
	for kv := range strings.SplitSeq(s, "&") {
		if kv == "" {
			continue
		}
		if len(params) == maxParams {
			return nil, nil, usageError("the %s has more than %d parameters", what, maxParams)
		}
		k, v, _ := strings.Cut(kv, "=")
		name, err1 := url.QueryUnescape(k)
		value, err2 := url.QueryUnescape(v)
		if err1 != nil || err2 != nil {
			return nil, nil, usageError("the %s has a parameter that is not valid URL encoding: %.40q", what, kv)
		}
		params = append(params, param{name, value})
		form.Add(name, value)
	}
	if len(params) == 0 {
		return nil, nil, usageError("the %s has no parameters", what)
	}
	return params, form, nil
}
