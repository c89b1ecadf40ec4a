// Package secret holds the one type both gateways use for credentials: a
// string that never prints. Secrecy is a property of the value, not of the
// code that prints it, so a password stays hidden in fmt output, JSON,
// XML, YAML or text encodings and log/slog records, whatever struct it
// sits in.
package secret

import (
	"fmt"
	"log/slog"
)

// Redacted is what a non-empty secret prints as.
const Redacted = "[redacted]"

// String is a secret string: a password or key. Every formatting path
// prints [Redacted] (or nothing, when it is empty, so that a missing
// secret stays visible). Convert it with string(s) only where the secret
// itself is needed: to sign.
type String string

func (s String) masked() string {
	if s == "" {
		return ""
	}
	return Redacted
}

// String returns [Redacted], or "" for an empty secret.
func (s String) String() string { return s.masked() }

// GoString returns the masked value quoted, for %#v.
func (s String) GoString() string { return fmt.Sprintf("%q", s.masked()) }

// Format implements [fmt.Formatter]: every verb prints the masked value
// (%q and %#v quote it).
func (s String) Format(f fmt.State, verb rune) {
	switch {
	case verb == 'q' || verb == 'v' && f.Flag('#'):
		fmt.Fprintf(f, "%q", s.masked())
	default:
		fmt.Fprint(f, s.masked())
	}
}

// MarshalJSON encodes the masked value.
func (s String) MarshalJSON() ([]byte, error) { return []byte(`"` + s.masked() + `"`), nil }

// MarshalText encodes the masked value (XML, YAML and text encoders).
func (s String) MarshalText() ([]byte, error) { return []byte(s.masked()), nil }

// LogValue implements [slog.LogValuer].
func (s String) LogValue() slog.Value { return slog.StringValue(s.masked()) }
