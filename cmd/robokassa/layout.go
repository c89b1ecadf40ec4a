package main

import (
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/robokassa-go/robokassa/robokassatest"
)

// This file takes the payment signature apart into labelled parts without
// a copy of its rule: robokassatest.PaymentBase (what Robokassa hashes) is
// run over a form whose values are unique markers, and the markers' order
// in its output is the layout. explain rearranges the parts to reproduce
// a shop's mistakes; link -explain prints them.

// headFields are the leading slots of a payment signature, present even
// when empty. Only absent ones need naming here: PaymentBase decides the
// rest, and layoutOf checks the result against it.
var headFields = []string{"MerchantLogin", "OutSum", "InvId"}

// partKind tells the parts of a signature apart.
type partKind int

const (
	kindHead     partKind = iota // MerchantLogin, OutSum, InvId
	kindModifier                 // a signed optional field (Receipt, Token, …)
	kindPassword                 // the password
	kindShp                      // a Shp_ pair
)

// part is one ':'-separated part of a signature base.
type part struct {
	kind   partKind
	field  string // the form field; "" for the password
	prefix string // "Shp_order=" for a Shp pair, "" otherwise
	value  string // as received
}

// text returns the part as hashed, with pw in the password's place.
func (p part) text(pw string) string {
	if p.kind == kindPassword {
		return pw
	}
	return p.prefix + p.value
}

// render joins parts into a base string with pw as the password.
func render(parts []part, pw string) string {
	var b strings.Builder
	for i, p := range parts {
		if i > 0 {
			b.WriteByte(':')
		}
		b.WriteString(p.text(pw))
	}
	return b.String()
}

// isShp reports whether name is a Shp_ parameter (any letter case of the
// prefix).
func isShp(name string) bool { return len(name) > 4 && strings.EqualFold(name[:4], "shp_") }

const passwordMarker = "\x00password\x00"

// layoutOf returns the parts of the base string robokassatest.PaymentBase
// builds from form, in its order, grouped as head, modifiers, password,
// Shp pairs. ok is false when the form cannot be taken apart (a field
// name with ':' or a value with NUL) or when the parts, joined again, do
// not give PaymentBase's string.
func layoutOf(form url.Values) (parts []part, ok bool) {
	names := make([]string, 0, len(form))
	for k := range form {
		names = append(names, k)
	}
	slices.Sort(names)
	marked := url.Values{}
	field := map[string]string{} // marker → field
	mark := func(i int, k string) {
		m := "\x00" + strconv.Itoa(i) + "\x00"
		marked.Set(k, m)
		field[m] = k
	}
	for i, k := range names {
		v := form.Get(k)
		if strings.ContainsAny(k, ":\x00") || strings.Contains(v, "\x00") {
			return nil, false
		}
		if v != "" || isShp(k) || slices.Contains(headFields, k) {
			mark(i, k)
		}
	}
	for i, k := range headFields {
		if _, present := form[k]; !present {
			mark(len(names)+i, k)
		}
	}
	for tok := range strings.SplitSeq(robokassatest.PaymentBase(marked, passwordMarker), ":") {
		i := strings.IndexByte(tok, 0)
		if i < 0 || tok[len(tok)-1] != 0 {
			return nil, false
		}
		m, prefix := tok[i:], tok[:i]
		if m == passwordMarker {
			parts = append(parts, part{kind: kindPassword, prefix: prefix})
			continue
		}
		k, known := field[m]
		if !known {
			return nil, false
		}
		p := part{kind: kindModifier, field: k, prefix: prefix, value: form.Get(k)}
		switch {
		case slices.Contains(headFields, k):
			p.kind = kindHead
		case isShp(k):
			p.kind = kindShp
		}
		parts = append(parts, p)
	}
	if !slices.IsSortedFunc(parts, func(a, b part) int { return int(a.kind) - int(b.kind) }) {
		return nil, false
	}
	const probe = "\x01probe\x01"
	if render(parts, probe) != robokassatest.PaymentBase(form, probe) {
		return nil, false
	}
	return parts, true
}

// groups splits a layout into its four groups.
func groups(parts []part) (head, mods, pw, shp []part) {
	for _, p := range parts {
		switch p.kind {
		case kindHead:
			head = append(head, p)
		case kindModifier:
			mods = append(mods, p)
		case kindPassword:
			pw = append(pw, p)
		case kindShp:
			shp = append(shp, p)
		}
	}
	return head, mods, pw, shp
}

// concat joins part lists into a new one.
func concat(lists ...[]part) []part {
	var out []part
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

// fieldNames lists the parts' field names ("Shp_order", "Receipt").
func fieldNames(parts []part) string {
	names := make([]string, len(parts))
	for i, p := range parts {
		names[i] = p.field
	}
	return strings.Join(names, ", ")
}

// permutations calls yield with every ordering of p except p itself
// (Heap's algorithm on a copy), until yield returns false.
func permutations(p []part, yield func([]part) bool) {
	a := slices.Clone(p)
	c := make([]int, len(a))
	for i := 1; i < len(a); {
		if c[i] < i {
			if i%2 == 0 {
				a[0], a[i] = a[i], a[0]
			} else {
				a[c[i]], a[i] = a[i], a[c[i]]
			}
			if !yield(slices.Clone(a)) {
				return
			}
			c[i]++
			i = 1
		} else {
			c[i] = 0
			i++
		}
	}
}
