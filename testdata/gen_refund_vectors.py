#!/usr/bin/env python3
"""Known-answer vectors for the Refund API (spec §9.2) and the second
receipt service (spec §9.3), computed outside Go.

Run: python3 testdata/gen_refund_vectors.py > testdata/refund_vectors.json
Only the Python standard library is used. The expected JSON documents are
written out by hand, field by field, as the spec describes them; this
script only encodes and signs them.

Refund: JWT = b64url(header) "." b64url(payload) "." b64url(HMAC-SHA256(
Password3, first two parts)), no padding; the request body is the JWT as
a JSON string literal. The header is the one the SDK writes,
{"typ":"JWT","alg":"HS256"} (member order does not matter to Robokassa:
the signature covers the encoded bytes).

Second receipt: body = B "." S, B = b64url(JSON) without '=', S =
base64(lowercase hex digest of (B + Password1)) without '='.
"""
import base64, hashlib, hmac, json, sys

ALGS = {"MD5": "md5", "SHA1": "sha1", "SHA256": "sha256", "SHA384": "sha384", "SHA512": "sha512"}


def b64url(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def jwt(key, payload):
    header = '{"typ":"JWT","alg":"HS256"}'
    signing = b64url(header.encode()) + "." + b64url(payload.encode())
    mac = hmac.new(key.encode(), signing.encode(), hashlib.sha256).digest()
    return header, signing + "." + b64url(mac)


def refund(name, password3, inputs, payload):
    json.loads(payload)  # the hand-written payload must be valid JSON
    header, token = jwt(password3, payload)
    return {"name": name, "password3": password3, "input": inputs,
            "header": header, "payload": payload, "token": token,
            "body": json.dumps(token)}


def envelope(alg, password1, doc):
    json.loads(doc)
    b = b64url(doc.encode())
    digest = hashlib.new(ALGS[alg], (b + password1).encode()).hexdigest()
    s = base64.b64encode(digest.encode()).rstrip(b"=").decode()
    return b, s


def fiscal(name, kind, alg, login, password1, inputs, doc):
    b, s = envelope(alg, password1, doc)
    return {"name": name, "kind": kind, "algorithm": alg, "login": login,
            "password1": password1, "input": inputs, "json": doc,
            "b": b, "s": s, "body": b + "." + s}


OPKEY = "C2F1D5A4-9E61-4B7B-8E0E-2A1C7F0B3D11"
P3 = "pass3-Secret"

refunds = [
    refund("full refund", P3, {"op_key": OPKEY}, '{"OpKey":"' + OPKEY + '"}'),
    refund("partial refund", P3, {"op_key": OPKEY, "sum": "100.5"},
           '{"OpKey":"' + OPKEY + '","RefundSum":100.50}'),
    refund("partial refund with items", P3,
           {"op_key": OPKEY, "sum": "1490",
            "items": [
                {"name": "Товар «А»", "quantity": "1", "sum": "490", "tax": "vat20",
                 "payment_method": "full_payment", "payment_object": "commodity"},
                {"name": "Item B & <co>", "quantity": "2", "cost": "500", "tax": "none"},
            ]},
           '{"OpKey":"' + OPKEY + '","RefundSum":1490.00,"InvoiceItems":['
           '{"Name":"Товар «А»","Quantity":1,"Cost":490.00,"Tax":"vat20","PaymentMethod":"full_payment","PaymentObject":"commodity"},'
           '{"Name":"Item B & <co>","Quantity":2,"Cost":500.00,"Tax":"none"}]}'),
    refund("full refund with fractional quantities", "другой-пароль",
           {"op_key": "op-42",
            "items": [
                {"name": "Сыр", "quantity": "1.5", "sum": "15", "tax": "vat10",
                 "payment_method": "full_payment", "payment_object": "commodity"},
                {"name": "Tea \"Earl\"", "quantity": "0.250", "sum": "2.50", "cost": "10.00", "tax": "vat22",
                 "payment_object": "commodity"},
            ]},
           '{"OpKey":"op-42","InvoiceItems":['
           '{"Name":"Сыр","Quantity":1.5,"Cost":10.00,"Tax":"vat10","PaymentMethod":"full_payment","PaymentObject":"commodity"},'
           '{"Name":"Tea \\"Earl\\"","Quantity":0.25,"Cost":10.00,"Tax":"vat22","PaymentObject":"commodity"}]}'),
]

ATTACH1 = {"id": "14", "origin_id": 13, "sno": "osn", "url": "https://shop.example/", "total": "100",
           "items": [{"name": "Товар", "quantity": "1", "sum": "100", "tax": "none",
                      "payment_object": "commodity", "nomenclature_code": "04620034587217"}],
           "email": "test@test.ru", "phone": "71234567890"}
ATTACH1_JSON = ('{"merchantId":"demo","id":"14","originId":13,"operation":"sell","sno":"osn",'
                '"url":"https://shop.example/","total":100.00,"items":[{"name":"Товар","quantity":1,'
                '"sum":100.00,"tax":"none","payment_method":"full_payment","payment_object":"commodity",'
                '"nomenclature_code":"04620034587217"}],"client":{"email":"test@test.ru","phone":"71234567890"},'
                '"payments":[{"type":2,"sum":100.00}],"vats":[{"type":"none","sum":0}]}')

ATTACH2 = {"id": "order-77-final", "origin_id": 77, "url": "http://shop.example/path?a=1&b=2", "total": "1100.5",
           "items": [{"name": "Doors & <Windows>", "quantity": "2", "cost": "500.25", "tax": "vat20",
                      "payment_method": "full_payment", "payment_object": "commodity"},
                     {"name": "Доставка", "quantity": "1", "sum": "100", "tax": "vat20", "payment_object": "service"}],
           "phone": "+77011234567",
           "vats": [{"type": "vat20", "sum": "183.42"}]}
ATTACH2_JSON = ('{"merchantId":"shop_kz","id":"order-77-final","originId":77,"operation":"sell",'
                '"url":"http://shop.example/path?a=1&b=2","total":1100.50,"items":['
                '{"name":"Doors & <Windows>","quantity":2,"cost":500.25,"tax":"vat20","payment_method":"full_payment","payment_object":"commodity"},'
                '{"name":"Доставка","quantity":1,"sum":100.00,"tax":"vat20","payment_method":"full_payment","payment_object":"service"}],'
                '"client":{"phone":"+77011234567"},"payments":[{"type":2,"sum":1100.50}],"vats":[{"type":"vat20","sum":183.42}]}')

fiscals = []
for alg in ["MD5", "SHA1", "SHA256", "SHA384", "SHA512"]:
    fiscals.append(fiscal("attach " + alg, "attach", alg, "demo", "password_1", ATTACH1, ATTACH1_JSON))
fiscals.append(fiscal("attach no sno, cost lines, own vats", "attach", "SHA256", "shop_kz", "пароль#1", ATTACH2, ATTACH2_JSON))
for alg in ["MD5", "SHA512"]:
    fiscals.append(fiscal("status " + alg, "status", alg, "demo", "password_1", {"id": "14"},
                          '{"merchantId":"demo","id":"14"}'))

json.dump({"refund": refunds, "fiscal": fiscals}, sys.stdout, ensure_ascii=False, indent=1)
sys.stdout.write("\n")
