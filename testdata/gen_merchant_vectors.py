#!/usr/bin/env python3
"""Known-answer vectors for the merchant calls (Recurring, hold Confirm and
Cancel), computed outside Go from shared/spec/protocol.md §5 and §6:

    Recurring: SignatureValue = hash("MerchantLogin:OutSum:InvoiceID[:Receipt]:Password1[:Shp_*]")
               (PreviousInvoiceID is sent but NOT signed)
    Confirm:   SignatureValue = hash("MerchantLogin:OutSum:InvoiceID[:Receipt]:Password1[:Shp_*]")
    Cancel:    SignatureValue = hash("MerchantLogin::InvoiceID:Password1")  (empty OutSum slot)

Receipt is the compact JSON written out by hand (spec §11), PHP-urlencoded
once: that string is both signed and the form value (spec §3.2). Shp values
are PHP-urlencoded, signed and sent; pairs are sorted by full name (§3.3).

"form" is what the server reads after one ordinary form decoding.

Run: python3 testdata/gen_merchant_vectors.py > testdata/merchant_vectors.json
Only the Python standard library is used (RIPEMD160 needs an OpenSSL that
still offers it to hashlib).
"""
import hashlib, json, urllib.parse

ALGS = {"MD5": "md5", "RIPEMD160": "ripemd160", "SHA1": "sha1",
        "SHA256": "sha256", "SHA384": "sha384", "SHA512": "sha512"}


def h(alg, s):
    return hashlib.new(ALGS[alg], s.encode("utf-8")).hexdigest()


def php_urlencode(s):
    # PHP urlencode: all but A-Za-z0-9-_. encoded, space -> '+', uppercase hex.
    return urllib.parse.quote_plus(s, safe="").replace("~", "%7E")


# Receipts, by hand, as spec §11 describes the compact JSON. The Go test
# holds the matching Receipt values under the same keys.
RECEIPTS = {
    "month2": '{"sno":"usn_income","items":[{"name":"Подписка, месяц 2","quantity":1,"sum":199.00,"tax":"none","payment_method":"full_payment","payment_object":"service"}]}',
    "two_lines": '{"items":[{"name":"Box \\"S\\" 10/20 ~ ok","quantity":2,"sum":200.00,"tax":"vat22","payment_method":"full_payment","payment_object":"commodity"},{"name":"Доставка","quantity":1,"sum":50.50,"tax":"vat20","payment_method":"full_payment","payment_object":"service"}]}',
    "reduced": '{"sno":"osn","items":[{"name":"Item A","quantity":1,"sum":150.00,"tax":"vat22","payment_method":"full_payment","payment_object":"commodity"}]}',
}


def shp_pairs(shp):
    return sorted(("Shp_" + k, php_urlencode(v)) for k, v in shp.items())


def charge(kind, name, alg, login, pw, inv, out_sum, prev=None, description="", receipt=None, shp=None):
    """Recurring (kind "recurring", prev set) or hold Confirm (kind "confirm")."""
    shp = shp or {}
    enc_receipt = php_urlencode(RECEIPTS[receipt]) if receipt else ""
    pairs = shp_pairs(shp)
    parts = [login, out_sum, str(inv)]
    if enc_receipt:
        parts.append(enc_receipt)
    parts.append(pw)
    parts += [k + "=" + v for k, v in pairs]
    base = ":".join(parts)
    sig = h(alg, base)
    form = {"MerchantLogin": login, "InvoiceID": str(inv), "OutSum": out_sum, "SignatureValue": sig}
    if kind == "recurring":
        form["PreviousInvoiceID"] = str(prev)
    if description:
        form["Description"] = description
    if enc_receipt:
        form["Receipt"] = enc_receipt
    for k, v in pairs:
        form[k] = v
    return {"name": name, "kind": kind, "algorithm": alg, "login": login, "password": pw,
            "invoice_id": inv, "previous_invoice_id": prev or 0, "out_sum": out_sum,
            "description": description, "receipt": receipt or "",
            "receipt_json": RECEIPTS[receipt] if receipt else "", "shp": shp,
            "base": base, "signature": sig, "form": form}


def cancel(name, alg, login, pw, inv):
    base = "%s::%d:%s" % (login, inv, pw)
    sig = h(alg, base)
    return {"name": name, "kind": "cancel", "algorithm": alg, "login": login, "password": pw,
            "invoice_id": inv, "previous_invoice_id": 0, "out_sum": "", "description": "",
            "receipt": "", "receipt_json": "", "shp": {}, "base": base, "signature": sig,
            "form": {"MerchantLogin": login, "InvoiceID": str(inv), "SignatureValue": sig}}


vectors = [
    charge("recurring", "recurring plain md5", "MD5", "demo", "password_1", 200002, "199.00", prev=100,
           description="Subscription, month 2"),
    charge("recurring", "recurring receipt and shp sha256", "SHA256", "demo", "password_1", 200003, "199.00",
           prev=100, description="Подписка", receipt="month2",
           shp={"user": "alice", "note": "abc 1 ~ä/", "order": "200003"}),
    charge("recurring", "recurring two-line receipt ripemd160", "RIPEMD160", "shop-1", "p:1 ~x", 9223372036854775807,
           "250.50", prev=9223372036854775806, receipt="two_lines"),
    charge("recurring", "recurring shp only sha1", "SHA1", "demo", "password_1", 7, "0.01", prev=6,
           shp={"a_b": "x", "A": "Y"}),
    charge("recurring", "recurring sha384", "SHA384", "demo", "пароль1", 42, "1000000.00", prev=41),
    charge("recurring", "recurring sha512 receipt", "SHA512", "demo", "password_1", 43, "199.00", prev=41,
           receipt="month2", description="x" * 100),
    charge("confirm", "confirm plain md5", "MD5", "demo", "password_1", 500, "990.00"),
    charge("confirm", "confirm reduced receipt and shp sha256", "SHA256", "demo", "password_1", 501, "150.00",
           receipt="reduced", shp={"order": "501", "note": "a b"}),
    charge("confirm", "confirm sha512 shp", "SHA512", "shop-1", "p:1 ~x", 9223372036854775807, "12.30",
           shp={"z": "1"}),
    cancel("cancel md5", "MD5", "demo", "password_1", 500),
    cancel("cancel sha256", "SHA256", "demo", "password_1", 501),
    cancel("cancel ripemd160 max id", "RIPEMD160", "shop-1", "p:1 ~x", 9223372036854775807),
    cancel("cancel sha1", "SHA1", "demo", "пароль1", 1),
]

print(json.dumps({"about": "generated by gen_merchant_vectors.py; see its docstring", "vectors": vectors},
                 ensure_ascii=False, indent=1))
