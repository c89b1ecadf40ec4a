package robokassatest

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"hash"
	"net/url"
	"sort"
	"strings"

	//lint:ignore SA1019 Robokassa offers RIPEMD160.
	"golang.org/x/crypto/ripemd160"

	"github.com/robokassa-go/robokassa"
)

// This file is the emulator's own signing code, written apart from
// package robokassa (which it tests) from the protocol notes
// (docs/protocol.md §2, §3.1, §4).

var hashes = map[robokassa.HashAlgorithm]func() hash.Hash{
	"":                  md5.New,
	robokassa.MD5:       md5.New,
	robokassa.RIPEMD160: ripemd160.New,
	robokassa.SHA1:      sha1.New,
	robokassa.SHA256:    sha256.New,
	robokassa.SHA384:    sha512.New384,
	robokassa.SHA512:    sha512.New,
}

// Sign returns the uppercase hex hash of base with cfg's algorithm, as
// Robokassa sends it on ResultURL.
func Sign(cfg robokassa.Config, base string) string {
	newHash, ok := hashes[cfg.Algorithm]
	if !ok {
		panic("robokassatest: unknown algorithm " + string(cfg.Algorithm))
	}
	h := newHash()
	h.Write([]byte(base))
	return strings.ToUpper(hex.EncodeToString(h.Sum(nil)))
}

// PaymentBase returns the string Robokassa hashes to check a payment
// request (Index.aspx or CoFPayment, §3.1) that arrived as form (values
// after one form decoding, exactly as received), with password in the
// password's place: pass "[password]" for a view that can be shown.
//
//	MerchantLogin:OutSum:InvId[:OutSumCurrency][:UserIp][:Receipt][:StepByStep][:ResultUrl2][:SuccessUrl2:SuccessUrl2Method][:FailUrl2:FailUrl2Method][:Token]:password[:Shp_*]
//
// The InvId slot is always present (empty when InvId is absent), each
// modifier only when present, and the Shp_ parameters (any letter case of
// the prefix) follow the password sorted by name in byte order.
func PaymentBase(form url.Values, password string) string {
	parts := []string{form.Get("MerchantLogin"), form.Get("OutSum"), form.Get("InvId")}
	for _, name := range []string{"OutSumCurrency", "UserIp", "Receipt", "StepByStep", "ResultUrl2",
		"SuccessUrl2", "SuccessUrl2Method", "FailUrl2", "FailUrl2Method", "Token"} {
		if v := form.Get(name); v != "" {
			parts = append(parts, v)
		}
	}
	parts = append(parts, password)
	return strings.Join(append(parts, shpParts(form)...), ":")
}

// shpParts returns the Shp_ parameters of form as "Shp_name=value",
// sorted by name in byte order (§3.3).
func shpParts(form url.Values) []string {
	var names []string
	for k := range form {
		if len(k) > 4 && strings.EqualFold(k[:4], "shp_") {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	parts := make([]string, len(names))
	for i, k := range names {
		parts[i] = k + "=" + form.Get(k)
	}
	return parts
}

// base is OutSum:InvId:password[:Shp_name=value sorted by name], the
// notification signature (§4.1, §4.2).
func base(v url.Values, pass string) string {
	return strings.Join(append([]string{v.Get("OutSum"), v.Get("InvId"), pass}, shpParts(v)...), ":")
}

// phpURLEncode is url.QueryEscape plus '~' → %7E, PHP's urlencode.
func phpURLEncode(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "~", "%7E")
}
