#!/usr/bin/env python3
"""Known-answer vectors for the OpStateExt request signature, computed
outside Go from shared/spec/protocol.md §8:

    Signature = hash("MerchantLogin:InvoiceID:Password2"), lowercase hex.

Run: python3 testdata/gen_opstate_vectors.py > testdata/opstate_vectors.json
Only the Python standard library is used (RIPEMD160 needs an OpenSSL that
still offers it to hashlib).
"""
import hashlib, json

ALGS = {"MD5": "md5", "RIPEMD160": "ripemd160", "SHA1": "sha1",
        "SHA256": "sha256", "SHA384": "sha384", "SHA512": "sha512"}

CASES = [
    # name, algorithm, login, password2, invoice id
    ("md5_basic", "MD5", "demo", "password_2", 12),
    ("ripemd160_basic", "RIPEMD160", "demo", "password_2", 12),
    ("sha1_basic", "SHA1", "demo", "password_2", 12),
    ("sha256_basic", "SHA256", "demo", "password_2", 12),
    ("sha384_basic", "SHA384", "demo", "password_2", 12),
    ("sha512_basic", "SHA512", "demo", "password_2", 12),
    ("md5_large_id", "MD5", "shop.example", "Z8fL6Iuz", 7814822027),
    ("sha256_max_int64", "SHA256", "my-shop_01", "p@ss:word", 2**63 - 1),
    ("sha512_id_1", "SHA512", "demo", "пароль2", 1),
]

def vector(name, alg, login, pw, inv):
    base = "%s:%d:%s" % (login, inv, pw)
    return {"name": name, "algorithm": alg, "login": login, "password2": pw,
            "invoice_id": inv, "base": base,
            "signature": hashlib.new(ALGS[alg], base.encode("utf-8")).hexdigest()}

print(json.dumps([vector(*c) for c in CASES], ensure_ascii=False, indent=2))
