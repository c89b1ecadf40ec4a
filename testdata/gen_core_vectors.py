#!/usr/bin/env python3
"""Known-answer vectors for the core (payment links and notifications),
computed outside Go from the rules of shared/spec/protocol.md §3–4.

Run: python3 testdata/gen_core_vectors.py > testdata/core_vectors.json
Only the Python standard library is used; the expected receipt JSON is
written out by hand as spec §11 describes it.
"""
import hashlib, json, urllib.parse

ALGS = {"MD5": "md5", "SHA1": "sha1", "SHA256": "sha256", "SHA384": "sha384", "SHA512": "sha512"}

def h(alg, s):
    return hashlib.new(ALGS[alg], s.encode()).hexdigest()

def php_urlencode(s):
    # PHP urlencode: all but A-Za-z0-9-_. encoded, space -> '+', uppercase hex.
    return urllib.parse.quote_plus(s, safe="").replace("~", "%7E")

def payment(name, alg, login, pw, p, test=False, path="/Merchant/Index.aspx"):
    """p: dict of wire values (already the strings sent). Returns the vector."""
    out_sum, inv = p["OutSum"], p.get("InvId", "")
    receipt = php_urlencode(p["ReceiptJSON"]) if "ReceiptJSON" in p else ""
    mods = [p.get("OutSumCurrency", ""), p.get("UserIp", ""), receipt,
            "true" if p.get("StepByStep") else "", p.get("ResultUrl2", ""),
            p.get("SuccessUrl2", ""), p.get("SuccessUrl2Method", ""),
            p.get("FailUrl2", ""), p.get("FailUrl2Method", ""), p.get("Token", "")]
    shp = sorted(("Shp_" + k, php_urlencode(v)) for k, v in p.get("Shp", {}).items())
    base = ":".join([login, out_sum, inv] + [m for m in mods if m] + [pw] + [k + "=" + v for k, v in shp])
    sig = h(alg, base)
    fields = [("MerchantLogin", login), ("OutSum", out_sum)]
    if inv:
        fields.append(("InvId", inv))
    def opt(k, v):
        if v:
            fields.append((k, v))
    opt("Description", p.get("Description", ""))
    opt("SignatureValue", sig)
    opt("OutSumCurrency", p.get("OutSumCurrency", ""))
    opt("UserIp", p.get("UserIp", ""))
    opt("IncCurrLabel", p.get("IncCurrLabel", ""))
    for m in p.get("PaymentMethods", []):
        opt("PaymentMethods", m)
    opt("Culture", p.get("Culture", ""))
    opt("Encoding", p.get("Encoding", ""))
    opt("Email", p.get("Email", ""))
    opt("ExpirationDate", p.get("ExpirationDate", ""))
    opt("Receipt", receipt)
    opt("StepByStep", "true" if p.get("StepByStep") else "")
    for k in ("ResultUrl2", "SuccessUrl2", "SuccessUrl2Method", "FailUrl2", "FailUrl2Method", "Token"):
        opt(k, p.get(k, ""))
    opt("Recurring", "true" if p.get("Recurring") else "")
    opt("IsTest", "1" if test else "")
    opt("IsWithoutFreeSale", "true" if p.get("IsWithoutFreeSale") else "")
    fields += shp
    url = "https://auth.robokassa.ru" + path + "?" + "&".join(k + "=" + php_urlencode(v) for k, v in fields)
    return {"name": name, "algorithm": alg, "login": login, "password": pw, "test": test,
            "wire": p, "base": base, "signature": sig, "url": url}

R1 = '{"sno":"osn","items":[{"name":"Item A","quantity":1,"sum":490.00,"tax":"vat22","payment_method":"full_payment","payment_object":"commodity"},{"name":"Item B","quantity":2,"sum":500.00,"tax":"none","payment_method":"full_payment","payment_object":"commodity"}]}'
R2 = '{"items":[{"name":"Чай \\"Улун\\" 100 г/шт.","quantity":1.5,"sum":150.50,"tax":"vat10","payment_method":"full_prepayment","payment_object":"commodity","nomenclature_code":"010460\\u001d21abc"},{"name":"Доставка ~ курьер","quantity":1,"cost":99.50,"tax":"vat20","payment_object":"service"}]}'

payments = [
    payment("plain link", "MD5", "demo", "password_1",
            {"OutSum": "990.00", "InvId": "12", "Description": "Order #12"}),
    payment("no InvId, currency and ip, sha256", "SHA256", "demo", "password_1",
            {"OutSum": "10.00", "OutSumCurrency": "USD", "UserIp": "127.0.0.1", "Description": "Тест"}),
    payment("receipt and shp", "MD5", "demo", "password_1",
            {"OutSum": "990.00", "InvId": "12", "Description": "Order #12", "ReceiptJSON": R1,
             "Shp": {"user": "alice", "order": "12"}}),
    payment("cyrillic receipt, escapes, cost line", "SHA512", "shop-1", "p:1",
            {"OutSum": "250.00", "InvId": "9223372036854775807", "ReceiptJSON": R2,
             "Shp": {"note": "abc 1 ~ä/", "a_b": "x"}, "Culture": "ru", "Encoding": "utf-8",
             "Email": "buyer+1@example.com"}),
    payment("every modifier, test mode", "SHA1", "demo", "test_1",
            {"OutSum": "100.00", "InvId": "7", "OutSumCurrency": "EUR", "UserIp": "2001:db8::1",
             "StepByStep": True, "ResultUrl2": "https://shop.example/r2?x=1&y=2",
             "SuccessUrl2": "https://shop.example/ok", "SuccessUrl2Method": "GET",
             "FailUrl2": "https://shop.example/fail", "FailUrl2Method": "POST",
             "IncCurrLabel": "BankCardPSR", "PaymentMethods": ["BankCard", "SBP"],
             "ExpirationDate": "2029-01-16T12:00:00+03:00", "IsWithoutFreeSale": True,
             "Shp": {"order": "7"}}, test=True),
    payment("empty Shp value is signed and sent", "MD5", "demo", "password_1",
            {"OutSum": "990.00", "InvId": "12", "Shp": {"note": "", "order": "12"}}),
    payment("recurring parent", "MD5", "demo", "password_1",
            {"OutSum": "199.00", "InvId": "100", "Description": "Subscription", "Recurring": True}),
    payment("saved card", "SHA256", "demo", "password_1",
            {"OutSum": "11.00", "InvId": "5", "Token": "op-key-1", "ResultUrl2": "https://shop.example/r2"},
            path="/Merchant/Payment/CoFPayment"),
]

def callback(name, alg, pw, fields, shp_order, expect, upper=True, client_pw=None):
    """fields: list of (k, v) as received (after one form decoding);
    shp_order: the Shp names in the order the signer used; pw signs it,
    client_pw (default pw) is the password the verifying client holds."""
    d = dict(fields)
    base = ":".join([d["OutSum"], d["InvId"], pw] + [k + "=" + d[k] for k in shp_order])
    sig = h(alg, base)
    sig = sig.upper() if upper else sig
    body = urllib.parse.urlencode(fields + [("SignatureValue", sig)])
    return {"name": name, "kind": "result", "algorithm": alg, "password": client_pw or pw, "signed_with": pw,
            "body": body, "base": base, "expect": expect,
            "expect_error": None if expect == "ok" else "bad_signature"}

callbacks = [
    callback("PHP SDK order: name=value sort puts Shp_item2 first", "MD5", "password_2",
             [("OutSum", "10.000000"), ("InvId", "5"), ("Shp_item", "a"), ("Shp_item2", "b")],
             ["Shp_item2", "Shp_item"], "ok"),
    callback("CMS order: case-insensitive by name", "SHA256", "password_2",
             [("OutSum", "10.000000"), ("InvId", "5"), ("Shp_B", "1"), ("Shp_a", "2")],
             ["Shp_a", "Shp_B"], "ok"),
    callback("encoded Shp value comes back decoded", "MD5", "password_2",
             [("OutSum", "5.000000"), ("InvId", "9"), ("Shp_order", "abc+1"), ("Shp_t", "%7Etilde%7E")],
             ["Shp_order", "Shp_t"], "ok"),
    callback("test notification signed with the test password", "MD5", "test_2",
             [("OutSum", "10.000000"), ("InvId", "3"), ("IsTest", "1")], [], "ok"),
    callback("signed with password 1 on ResultURL", "MD5", "password_1",
             [("OutSum", "10.000000"), ("InvId", "3")], [], "reject", client_pw="password_2"),
    callback("Shp parameter dropped from the signature", "MD5", "password_2",
             [("OutSum", "10.000000"), ("InvId", "3"), ("Shp_interface", "link")], [], "reject"),
    callback("lowercase shp_ prefix is a Shp parameter", "MD5", "password_2",
             [("OutSum", "10.000000"), ("InvId", "3"), ("shp_order", "3")], ["shp_order"], "ok"),
    callback("ripemd-free sha384 with lowercase hex", "SHA384", "password_2",
             [("OutSum", "1.500000"), ("InvId", "77"), ("Shp_x", "y")], ["Shp_x"], "ok", upper=False),
]

print(json.dumps({"about": "generated by gen_core_vectors.py; see its docstring",
                  "payments": payments, "callbacks": callbacks}, ensure_ascii=False, indent=1))
