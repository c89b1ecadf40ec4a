package main

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/robokassa-go/robokassa/robokassatest"
)

// This file lists the mistakes explain searches for: each a base string
// a shop may have signed instead of the one Robokassa checks. Right bases
// come from robokassatest.PaymentBase; a mistake is either PaymentBase of
// an altered form (a value signed in another text) or a rearrangement of
// its parts (layout.go).

// maxPermuted bounds the groups whose every order is tried (6! = 720).
const maxPermuted = 6

// maxSubsets bounds the Shp parameters whose every subset is tried.
const maxSubsets = 8

// maxHashed bounds the bytes the search hashes, whatever the link: the
// every-order and every-subset variants are tried only while their count
// times the base string's length (and the few algorithm and password
// combinations each is tried with) stays under it. A link of a kilobyte
// gets them all; a link with a 300 KB receipt gets the named ones.
const maxHashed = 64 << 20

// variants returns the mistakes that apply to the link, most common first
// within each kind.
func (e *explainer) variants() []variant {
	var vs []variant
	e.combos = maxHashed / (4 * (len(robokassatest.PaymentBase(e.form, "")) + 64))
	fromForm := func(cause, detail string, f url.Values) {
		vs = append(vs, variant{cause, detail, func(pw string) string { return robokassatest.PaymentBase(f, pw) }})
	}
	fromParts := func(cause, detail string, parts []part) {
		vs = append(vs, variant{cause, detail, func(pw string) string { return render(parts, pw) }})
	}
	e.receiptMistakes(fromForm)
	e.redirectMistakes(fromForm)
	e.shpSetMistakes(fromForm)
	e.outSumMistakes(fromForm)
	e.invIDMistakes(fromForm)
	if parts, ok := layoutOf(e.form); ok {
		e.orderMistakes(parts, fromParts)
	}
	return vs
}

type addForm func(cause, detail string, f url.Values)

// receiptMistakes: the Receipt signed with one URL encoding less or more
// than the form carries. Which keyword applies depends on which side is
// off the right count (JSON encoded once).
func (e *explainer) receiptMistakes(add addForm) {
	rc := e.form.Get("Receipt")
	if rc == "" {
		return
	}
	sent := encodings(rc)
	try := func(signedValue string, signed int) {
		cause := "receipt-double-encoded"
		if signed == 0 || sent == 0 {
			cause = "receipt-not-encoded"
		}
		detail := fmt.Sprintf("The Receipt was signed %s; the form carries it %s. Robokassa hashes what the form carries, and expects the JSON URL-encoded once in both (twice in a GET link).",
			timesEncoded(signed), timesEncoded(sent))
		add(cause, detail, cloneWith(e.form, map[string]string{"Receipt": signedValue}))
	}
	if raw, err := url.QueryUnescape(rc); err == nil && raw != rc {
		try(raw, sent-1)
	}
	enc := phpURLEncode(rc)
	try(enc, sent+1)
	if alt := url.QueryEscape(rc); alt != enc {
		try(alt, sent+1)
	}
}

// timesEncoded describes a count of URL encodings of the receipt JSON.
func timesEncoded(n int) string {
	switch {
	case n < 0:
		return "in a form that is not URL-encoded JSON"
	case n == 0:
		return "as raw JSON"
	case n == 1:
		return "URL-encoded once"
	case n == 2:
		return "URL-encoded twice"
	}
	return fmt.Sprintf("URL-encoded %d times", n)
}

// redirectMistakes: a per-payment URL signed URL-encoded.
func (e *explainer) redirectMistakes(add addForm) {
	var present []string
	for _, name := range []string{"ResultUrl2", "SuccessUrl2", "FailUrl2"} {
		if e.form.Get(name) != "" {
			present = append(present, name)
		}
	}
	encoded := func(names []string) url.Values {
		set := map[string]string{}
		for _, n := range names {
			set[n] = phpURLEncode(e.form.Get(n))
		}
		return cloneWith(e.form, set)
	}
	for _, n := range present {
		add("redirect-encoded", n+" was signed URL-encoded; Robokassa signs it raw, as the form carries it.", encoded([]string{n}))
	}
	if len(present) > 1 {
		add("redirect-encoded", strings.Join(present, ", ")+" were signed URL-encoded; Robokassa signs them raw, as the form carries them.", encoded(present))
	}
}

// shpSetMistakes: Shp parameters sent but not signed, or (named with
// -shp) signed but not sent.
func (e *explainer) shpSetMistakes(add addForm) {
	var sent []string
	for _, p := range e.params {
		if isShp(p.name) && !slices.Contains(sent, p.name) {
			sent = append(sent, p.name)
		}
	}
	slices.Sort(sent)
	unsigned := func(names []string) {
		verb := " was"
		if len(names) > 1 {
			verb = " were"
		}
		add("shp-missing", strings.Join(names, ", ")+verb+" sent but not signed: Robokassa signs every Shp_ parameter it receives.",
			cloneWith(e.form, nil, names...))
	}
	if len(sent) > 0 {
		unsigned(sent)
	}
	if len(sent) > 1 && len(sent) <= maxSubsets {
		// Every proper subset, smallest first.
		for size := 1; size < len(sent); size++ {
			for mask := 1; mask < 1<<len(sent); mask++ {
				if popcount(mask) != size || !e.spend() {
					continue
				}
				var names []string
				for i, n := range sent {
					if mask&(1<<i) != 0 {
						names = append(names, n)
					}
				}
				unsigned(names)
			}
		}
	}

	var extra []string
	for _, n := range e.shp.names {
		if !slices.ContainsFunc(sent, func(s string) bool { return strings.EqualFold(s, "Shp_"+n) }) {
			extra = append(extra, n)
		}
	}
	signedToo := func(names []string, encode bool) {
		set := map[string]string{}
		var shown []string
		for _, n := range names {
			v := e.shp.values[n]
			if encode {
				v = phpURLEncode(v)
			}
			set["Shp_"+n] = v
			shown = append(shown, "Shp_"+n+"="+v)
		}
		verb := " is"
		if len(names) > 1 {
			verb = " are"
		}
		add("shp-unsent", strings.Join(shown, ", ")+verb+" signed but not sent: Robokassa signs only the Shp_ parameters it receives; send "+pronoun(len(names))+" with the link.",
			cloneWith(e.form, set))
	}
	for _, encode := range []bool{true, false} {
		if len(extra) > 0 {
			signedToo(extra, encode)
		}
		if len(extra) > 1 {
			for _, n := range extra {
				signedToo([]string{n}, encode)
			}
		}
	}
}

func pronoun(n int) string {
	if n == 1 {
		return "it"
	}
	return "them"
}

func popcount(x int) int {
	n := 0
	for ; x != 0; x &= x - 1 {
		n++
	}
	return n
}

// outSumMistakes: OutSum signed in another text than the one sent.
func (e *explainer) outSumMistakes(add addForm) {
	sent := e.form.Get("OutSum")
	d, err := decimal.NewFromString(sent)
	if err != nil {
		return
	}
	var texts []string
	for places := int32(0); places <= 6; places++ {
		if t := d.StringFixed(places); sameNumber(d, t) {
			texts = append(texts, t)
		}
	}
	texts = append(texts, d.String())
	for _, t := range slices.Clone(texts) {
		texts = append(texts, strings.Replace(t, ".", ",", 1))
	}
	var seen []string
	for _, t := range texts {
		if t == sent || slices.Contains(seen, t) {
			continue
		}
		seen = append(seen, t)
		add("outsum-format", fmt.Sprintf("OutSum was signed as %q but sent as %q: the signed text must be the sent text, byte for byte.", t, sent),
			cloneWith(e.form, map[string]string{"OutSum": t}))
	}
}

// invIDMistakes: the InvId slot signed as 0 when empty, or empty when 0.
// (Leaving the slot out is an order mistake, in orderMistakes.)
func (e *explainer) invIDMistakes(add addForm) {
	switch e.form.Get("InvId") {
	case "":
		add("invid-slot", "The InvId slot was signed as 0, but the link sends no InvId: the slot is then empty (login:sum::…).",
			cloneWith(e.form, map[string]string{"InvId": "0"}))
	case "0":
		add("invid-slot", "The link sends InvId=0 but the InvId slot was signed empty: Robokassa signs the 0 it receives (or send no InvId).",
			cloneWith(e.form, map[string]string{"InvId": ""}))
	}
}

// orderMistakes: parts of a right base string in a wrong place.
func (e *explainer) orderMistakes(parts []part, add func(cause, detail string, parts []part)) {
	head, mods, pw, shp := groups(parts)
	right := fieldNames(shp)

	// Shp pairs in another order, named orders first.
	if len(shp) > 1 {
		seen := map[string]bool{right: true}
		try := func(how string, order []part) {
			key := fieldNames(order)
			if seen[key] {
				return
			}
			seen[key] = true
			add("shp-order", fmt.Sprintf("The Shp pairs were signed in the order %s%s; Robokassa sorts them by name: %s.", key, how, right),
				concat(head, mods, pw, order))
		}
		try(" (the link's order)", e.linkOrder(shp))
		try(" (sorted by name=value)", sortedBy(shp, func(p part) string { return p.prefix + p.value }))
		try(" (sorted by name, ignoring case)", sortedBy(shp, func(p part) string { return strings.ToLower(p.field) }))
		if len(shp) <= maxPermuted {
			permutations(shp, func(order []part) bool { try("", order); return e.spend() })
		}
	}
	if len(shp) > 0 {
		add("shp-order", "The Shp pairs were signed before the password; Robokassa puts them after it.", concat(head, mods, shp, pw))
	}

	// Modifiers in another order or after the password.
	if len(mods) > 1 {
		seen := map[string]bool{fieldNames(mods): true}
		try := func(how string, order []part) {
			key := fieldNames(order)
			if seen[key] {
				return
			}
			seen[key] = true
			add("modifier-order", fmt.Sprintf("The modifiers were signed in the order %s%s; Robokassa's order is %s.", key, how, fieldNames(mods)),
				concat(head, order, pw, shp))
		}
		try(" (the link's order)", e.linkOrder(mods))
		if len(mods) <= maxPermuted {
			permutations(mods, func(order []part) bool { try("", order); return e.spend() })
		}
	}
	if len(mods) > 0 {
		add("modifier-order", fmt.Sprintf("The modifiers (%s) were signed after the password; Robokassa puts them before it.", fieldNames(mods)),
			concat(head, pw, mods, shp))
		if len(shp) > 0 {
			add("modifier-order", fmt.Sprintf("The modifiers (%s) were signed after the Shp pairs; Robokassa puts them before the password.", fieldNames(mods)),
				concat(head, pw, shp, mods))
		}
	}

	// The InvId slot left out.
	var noInv []part
	for _, p := range parts {
		if p.field != "InvId" {
			noInv = append(noInv, p)
		}
	}
	if len(noInv) < len(parts) {
		add("invid-slot", "The InvId slot was left out of the signature; it is always there, empty when the link sends no InvId.", noInv)
	}
}

// spend takes one every-order or every-subset variant from the budget
// and reports whether there was one.
func (e *explainer) spend() bool {
	if e.combos <= 0 {
		return false
	}
	e.combos--
	return true
}

// linkOrder returns parts in the order their fields appear in the link.
func (e *explainer) linkOrder(parts []part) []part {
	pos := func(field string) int {
		return slices.IndexFunc(e.params, func(p param) bool { return p.name == field })
	}
	out := slices.Clone(parts)
	slices.SortStableFunc(out, func(a, b part) int { return pos(a.field) - pos(b.field) })
	return out
}

// sortedBy returns parts sorted by key.
func sortedBy(parts []part, key func(part) string) []part {
	out := slices.Clone(parts)
	slices.SortStableFunc(out, func(a, b part) int { return strings.Compare(key(a), key(b)) })
	return out
}

// sameNumber reports whether text is the number d exactly.
func sameNumber(d decimal.Decimal, text string) bool {
	t, err := decimal.NewFromString(text)
	return err == nil && t.Equal(d)
}
