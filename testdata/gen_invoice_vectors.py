#!/usr/bin/env python3
"""Known-answer vectors for the Invoice API (payment links) and split
payments, computed outside Go from the rules of shared/spec/protocol.md
§9.1, §10 and §11.

Run: python3 testdata/gen_invoice_vectors.py > testdata/invoice_vectors.json

The JWT is HMAC-<ALG> over base64url(header) + "." + base64url(payload),
key MerchantLogin + ":" + Password1, base64url without padding (§9.1).
Payloads are written out by hand, field by field, as the spec describes
them (numbers as JSON numbers with two decimals for money, UTF-8 as is);
string literals go through json.dumps so escaping is Python's, not Go's.
Only the standard library is used. Where hashlib lacks RIPEMD-160 (some
OpenSSL 3 builds), a pure-Python RIPEMD-160 below is used instead; when
hashlib has it, the two are checked against each other.
"""
import base64
import hashlib
import hmac
import json
import struct
import sys

LOGIN = "demo"
PASSWORD1 = "password_1"
ALGS = ["MD5", "RIPEMD160", "SHA1", "SHA256", "SHA384", "SHA512"]
HASHLIB = {"MD5": "md5", "SHA1": "sha1", "SHA256": "sha256", "SHA384": "sha384", "SHA512": "sha512"}


# --- RIPEMD-160 (Dobbertin, Bosselaers, Preneel 1996), pure Python --------

_RL = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
       7, 4, 13, 1, 10, 6, 15, 3, 12, 0, 9, 5, 2, 14, 11, 8,
       3, 10, 14, 4, 9, 15, 8, 1, 2, 7, 0, 6, 13, 11, 5, 12,
       1, 9, 11, 10, 0, 8, 12, 4, 13, 3, 7, 15, 14, 5, 6, 2,
       4, 0, 5, 9, 7, 12, 2, 10, 14, 1, 3, 8, 11, 6, 15, 13]
_RR = [5, 14, 7, 0, 9, 2, 11, 4, 13, 6, 15, 8, 1, 10, 3, 12,
       6, 11, 3, 7, 0, 13, 5, 10, 14, 15, 8, 12, 4, 9, 1, 2,
       15, 5, 1, 3, 7, 14, 6, 9, 11, 8, 12, 2, 10, 0, 4, 13,
       8, 6, 4, 1, 3, 11, 15, 0, 5, 12, 2, 13, 9, 7, 10, 14,
       12, 15, 10, 4, 1, 5, 8, 7, 6, 2, 13, 14, 0, 3, 9, 11]
_SL = [11, 14, 15, 12, 5, 8, 7, 9, 11, 13, 14, 15, 6, 7, 9, 8,
       7, 6, 8, 13, 11, 9, 7, 15, 7, 12, 15, 9, 11, 7, 13, 12,
       11, 13, 6, 7, 14, 9, 13, 15, 14, 8, 13, 6, 5, 12, 7, 5,
       11, 12, 14, 15, 14, 15, 9, 8, 9, 14, 5, 6, 8, 6, 5, 12,
       9, 15, 5, 11, 6, 8, 13, 12, 5, 12, 13, 14, 11, 8, 5, 6]
_SR = [8, 9, 9, 11, 13, 15, 15, 5, 7, 7, 8, 11, 14, 14, 12, 6,
       9, 13, 15, 7, 12, 8, 9, 11, 7, 7, 12, 7, 6, 15, 13, 11,
       9, 7, 15, 11, 8, 6, 6, 14, 12, 13, 5, 14, 13, 13, 7, 5,
       15, 5, 8, 11, 14, 14, 6, 14, 6, 9, 12, 9, 12, 5, 15, 8,
       8, 5, 12, 9, 12, 5, 14, 6, 8, 13, 6, 5, 15, 13, 11, 11]
_KL = [0x00000000, 0x5A827999, 0x6ED9EBA1, 0x8F1BBCDC, 0xA953FD4E]
_KR = [0x50A28BE6, 0x5C4DD124, 0x6D703EF3, 0x7A6D76E9, 0x00000000]
_M = 0xFFFFFFFF


def _f(j, x, y, z):
    if j < 16:
        return x ^ y ^ z
    if j < 32:
        return (x & y) | (~x & z)
    if j < 48:
        return (x | ~y) ^ z
    if j < 64:
        return (x & z) | (y & ~z)
    return x ^ (y | ~z)


def _rol(x, n):
    x &= _M
    return ((x << n) | (x >> (32 - n))) & _M


def ripemd160_py(msg):
    h = [0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0]
    data = msg + b"\x80" + b"\x00" * ((55 - len(msg)) % 64) + struct.pack("<Q", 8 * len(msg))
    for off in range(0, len(data), 64):
        x = struct.unpack("<16I", data[off:off + 64])
        al, bl, cl, dl, el = h
        ar, br, cr, dr, er = h
        for j in range(80):
            t = _rol(al + (_f(j, bl, cl, dl) & _M) + x[_RL[j]] + _KL[j // 16], _SL[j]) + el
            al, el, dl, cl, bl = el, dl, _rol(cl, 10), bl, t & _M
            t = _rol(ar + (_f(79 - j, br, cr, dr) & _M) + x[_RR[j]] + _KR[j // 16], _SR[j]) + er
            ar, er, dr, cr, br = er, dr, _rol(cr, 10), br, t & _M
        t = (h[1] + cl + dr) & _M
        h[1] = (h[2] + dl + er) & _M
        h[2] = (h[3] + el + ar) & _M
        h[3] = (h[4] + al + br) & _M
        h[4] = (h[0] + bl + cr) & _M
        h[0] = t
    return struct.pack("<5I", *h)


def hmac_manual(digest, block, key, msg):
    """RFC 2104 HMAC over a plain digest function."""
    if len(key) > block:
        key = digest(key)
    key = key.ljust(block, b"\x00")
    inner = digest(bytes(k ^ 0x36 for k in key) + msg)
    return digest(bytes(k ^ 0x5C for k in key) + inner)


def _hashlib_has_ripemd():
    try:
        hashlib.new("ripemd160", b"")
        return True
    except ValueError:
        return False


# Self-checks: the published RIPEMD-160 test vectors, and agreement with
# hashlib and the hmac module where they are available.
assert ripemd160_py(b"").hex() == "9c1185a5c5e9fc54612808977ee8f548b2258d31"
assert ripemd160_py(b"abc").hex() == "8eb208f7e05d987a9b044a8e98c6b087f15a0bfc"
assert ripemd160_py(b"a" * 1000).hex() == hashlib.new("ripemd160", b"a" * 1000).hexdigest() if _hashlib_has_ripemd() else True
assert hmac_manual(lambda b: hashlib.md5(b).digest(), 64, b"k" * 70, b"m") == hmac.new(b"k" * 70, b"m", "md5").digest()


def mac(alg, key, msg):
    if alg == "RIPEMD160":
        if _hashlib_has_ripemd():
            got = hmac.new(key, msg, "ripemd160").digest()
            assert got == hmac_manual(ripemd160_py, 64, key, msg)
            return got
        return hmac_manual(ripemd160_py, 64, key, msg)
    return hmac.new(key, msg, HASHLIB[alg]).digest()


def b64url(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def header(alg):
    return '{"typ":"JWT","alg":"' + alg + '"}'


def token(alg, key, payload):
    signing = b64url(header(alg).encode()) + "." + b64url(payload.encode())
    return signing + "." + b64url(mac(alg, key.encode(), signing.encode()))


def js(s):
    """A JSON string literal: UTF-8 as is, quotes and controls escaped."""
    return json.dumps(s, ensure_ascii=False)


def tokens(payload, key=LOGIN + ":" + PASSWORD1):
    return {alg: token(alg, key, payload) for alg in ALGS}


# --- plain JWT vectors: a given header + payload + key -> token -----------

DOCS_PAYLOAD = ('{"MerchantLogin":"robo-demo-test","InvoiceType":"OneTime","Culture":"ru",'
                '"InvId":null,"OutSum":1,"Description":"as"}')
LONG_KEY = "robo-demo-test:" + "p" * 150  # longer than every HMAC block
jwt_vectors = []
for key in ("robo-demo-test:password_1", LONG_KEY):
    for alg in ALGS:
        jwt_vectors.append({"algorithm": alg, "header": header(alg), "payload": DOCS_PAYLOAD,
                            "key": key, "token": token(alg, key, DOCS_PAYLOAD)})

# --- CreateInvoice: every field (spec §9.1) -------------------------------
# Item B: Sum 500.00 for Quantity 2 becomes the unit price Cost 250.00.
# UserFields {"order": "4512", "note": "a b+c"} go out as shp_<name> with
# values PHP-urlencoded, as Payment.Shp values are (spec §3.2).
create_payload = (
    '{"MerchantLogin":"demo","InvoiceType":"OneTime","Culture":"en","InvId":4512,"OutSum":990.00,'
    '"Description":' + js("Заказ №4512") + ','
    '"MerchantComments":' + js("VIP & co <rush>") + ','
    '"UserFields":{"shp_note":"a+b%2Bc","shp_order":"4512"},'
    '"InvoiceItems":['
    '{"Name":"Item A","Quantity":1,"Cost":490.00,"Tax":"vat22","PaymentMethod":"full_payment","PaymentObject":"commodity"},'
    '{"Name":' + js('Item "B"') + ',"Quantity":2,"Cost":250.00,"Tax":"none","PaymentMethod":"full_payment",'
    '"PaymentObject":"service","NomenclatureCode":' + js("0104606203\x1d2101") + '}],'
    '"SuccessUrl2Data":{"Url":' + js("https://shop.example/ok?order=4512&x=1") + ',"Method":"GET"},'
    '"FailUrl2Data":{"Url":"https://shop.example/fail","Method":"POST"},'
    '"ExpirationDate":"2099-12-31T23:59:59+03:00","Sno":"osn","IsWithoutFreeSale":true,'
    '"AdditionalParameters":{"Email":"buyer@example.com","ResultURL2":"https://shop.example/jws"}}'
)
json.loads(create_payload)  # well-formed

# A reusable link with only the required fields: InvId omitted (auto),
# Culture defaulted to "ru".
minimal_payload = '{"MerchantLogin":"demo","InvoiceType":"Reusable","Culture":"ru","OutSum":150.50}'

# --- split payment (spec §10): AdditionalParameters.Split is a JSON string
split_json = (
    '[{"id":"demo","InvoiceId":500001,"amount":500.00,"receipt":{"sno":"osn","items":['
    '{"name":"Master item","quantity":1,"sum":500.00,"tax":"vat20","payment_method":"full_payment",'
    '"payment_object":"commodity"}]}},{"id":"partner","amount":200.00}]'
)
json.loads(split_json)
split_payload = (
    '{"MerchantLogin":"demo","InvoiceType":"OneTime","Culture":"ru","InvId":500001,"OutSum":700.00,'
    '"Description":"Split order","AdditionalParameters":{"Email":"buyer@example.com","Split":' + js(split_json) + '}}'
)
json.loads(split_payload)

# --- DeactivateInvoice and GetInvoiceInformationList requests ------------
deactivate_payloads = {
    "EncodedID": '{"MerchantLogin":"demo","EncodedId":"aBcD3fGh1jKlMn"}',
    "ID": '{"MerchantLogin":"demo","Id":"0f8fad5b-d9cb-469f-a165-70867728950e"}',
    "InvID": '{"MerchantLogin":"demo","InvId":4512}',
}
list_payload = (
    '{"MerchantLogin":"demo","CurrentPage":2,"PageSize":50,"InvoiceStatuses":["Paid","Notpaid"],'
    '"Keywords":' + js("Заказ") + ',"DateFrom":"2025-01-01T00:00:00+03:00","DateTo":"2025-01-31T23:59:59+03:00",'
    '"IsAscending":true,"InvoiceTypes":["OneTime"],"PaymentAliases":["BankCard","SBP"],"SumFrom":1.00,"SumTo":10000.00}'
)
list_default_payload = '{"MerchantLogin":"demo","CurrentPage":1,"PageSize":10,"IsAscending":false}'

out = {
    "comment": "generated by testdata/gen_invoice_vectors.py; do not edit",
    "login": LOGIN,
    "password1": PASSWORD1,
    "ripemd160_source": "hashlib" if _hashlib_has_ripemd() else "pure-python",
    "jwt": jwt_vectors,
    "create": {"payload": create_payload, "tokens": tokens(create_payload)},
    "minimal": {"payload": minimal_payload, "tokens": tokens(minimal_payload)},
    "split": {"split": split_json, "payload": split_payload, "tokens": tokens(split_payload)},
    "deactivate": {k: {"payload": p, "tokens": tokens(p)} for k, p in deactivate_payloads.items()},
    "list": {"payload": list_payload, "tokens": tokens(list_payload)},
    "list_default": {"payload": list_default_payload, "tokens": tokens(list_default_payload)},
}
json.dump(out, sys.stdout, ensure_ascii=False, indent=1)
sys.stdout.write("\n")
