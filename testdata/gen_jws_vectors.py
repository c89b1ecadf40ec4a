#!/usr/bin/env python3
"""Generate ResultUrl2 (JWS) test vectors, outside Go (spec §4.4).

Writes testdata/jws_vectors.json and the key files under testdata/jws/.
Needs python3 with the `cryptography` package (tested with 48.0). Every
run makes new RSA keys, so the signatures change; the payloads and the
expected results do not. The Go tests only read the output.

    python3 testdata/gen_jws_vectors.py
"""

import base64
import datetime
import hashlib
import hmac
import json
import os

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import NameOID

HERE = os.path.dirname(os.path.abspath(__file__))
LOGIN = "demo"


def b64u(b: bytes) -> str:
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def compact(obj) -> bytes:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()


def rs256(key, signing_input: bytes) -> bytes:
    return key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())


def jws(key, payload, header=None, raw_payload=None, sign=rs256) -> str:
    h = header if header is not None else {"typ": "JWT", "alg": "RS256"}
    hb = h if isinstance(h, bytes) else compact(h)
    pb = raw_payload if raw_payload is not None else compact(payload)
    si = (b64u(hb) + "." + b64u(pb)).encode()
    return si.decode() + "." + b64u(sign(key, si))


def self_signed(key, cn: str, sig_hash=hashes.SHA256()):
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    t0 = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(t0)
        .not_valid_after(t0 + datetime.timedelta(days=3650))
        .sign(key, sig_hash)
    )


def pem_cert(cert) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def payload(**data):
    header = data.pop("_header", None) or {
        "type": "PaymentStateNotification",
        "version": "1.0.0",
        "timestamp": "1690454980",
    }
    d = {
        "shop": LOGIN,
        "opKey": "14D2B521-4EAB-492A-9D91-00D12FF24D57-1NvHENLwgp",
        "invId": "1234829",
        "paymentMethod": "BankCard",
        "incSum": "10.00",
        "state": "OK",
    }
    for k, v in data.items():
        if v is None:
            d.pop(k, None)
        else:
            d[k] = v
    return {"header": header, "data": d}


def main():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    small = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    eckey = ec.generate_private_key(ec.SECP256R1())

    pub = key.public_key()
    cert = self_signed(key, "ROBOKASSA test")
    spki_pem = pub.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    spki_der = pub.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    pkcs1_pem = pub.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.PKCS1)
    cert_der = cert.public_bytes(serialization.Encoding.DER)

    keys = {
        "modulus_hex": format(pub.public_numbers().n, "x"),
        "exponent": pub.public_numbers().e,
        "cert_pem": pem_cert(cert),
        "cert_der_b64": base64.b64encode(cert_der).decode(),
        "spki_pem": spki_pem.decode(),
        "spki_der_b64": base64.b64encode(spki_der).decode(),
        "pkcs1_pem": pkcs1_pem.decode(),
        # A PEM bundle whose first block is not a key: it is skipped.
        "bundle_pem": "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n" + pem_cert(cert),
        "other_spki_pem": other.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode(),
        "small_cert_pem": pem_cert(self_signed(small, "too small")),
        "ec_cert_pem": pem_cert(self_signed(eckey, "not rsa")),
    }

    want_ok = {
        "shop": LOGIN,
        "opKey": "14D2B521-4EAB-492A-9D91-00D12FF24D57-1NvHENLwgp",
        "invId": 1234829,
        "paymentMethod": "BankCard",
        "incSum": "10.00",
        "state": "OK",
        "timestamp": 1690454980,
        "type": "PaymentStateNotification",
        "version": "1.0.0",
    }

    vectors = []

    def add(name, token, expect, want=None, field=None):
        v = {"name": name, "token": token, "expect": expect}
        if want is not None:
            v["want"] = want
        if field is not None:
            v["field"] = field
        vectors.append(v)

    good = jws(key, payload())
    add("ok", good, "ok", want_ok)
    add("hold", jws(key, payload(state="HOLD", invId="77", incSum="1500.5")), "ok",
        dict(want_ok, state="HOLD", invId=77, incSum="1500.5"))
    add("numbers instead of strings",
        jws(key, payload(invId=1234829, incSum=10.5,
                         _header={"type": "PaymentStateNotification", "version": "1.0.0", "timestamp": 1690454980})),
        "ok", dict(want_ok, incSum="10.5"))
    add("unknown state kept", jws(key, payload(state="REFUNDED")), "ok", dict(want_ok, state="REFUNDED"))
    add("header without typ", jws(key, payload(), header={"alg": "RS256"}), "ok", want_ok)
    add("no timestamp", jws(key, payload(_header={"type": "PaymentStateNotification", "version": "1.0.0"})),
        "ok", dict(want_ok, timestamp=0))
    add("no opKey and paymentMethod", jws(key, payload(opKey=None, paymentMethod=None)), "ok",
        dict(want_ok, opKey="", paymentMethod=""))
    add("unknown fields ignored", jws(key, {**payload(), "extra": {"a": [1, 2]}}), "ok", want_ok)
    add("six decimals", jws(key, payload(incSum="10.000000")), "ok", dict(want_ok, incSum="10.000000"))

    # Signature and format failures: ErrBadSignature.
    add("wrong key", jws(other, payload()), "bad_signature")
    h, p, s = good.split(".")
    hdr_none = b64u(compact({"typ": "JWT", "alg": "none"}))
    add("alg none, empty signature", hdr_none + "." + p + ".", "bad_signature")
    add("alg none, good signature bytes", hdr_none + "." + p + "." + s, "bad_signature")

    def hs256(secret):
        return lambda _k, si: hmac.new(secret, si, hashlib.sha256).digest()

    add("alg HS256 keyed with the public key PEM",
        jws(None, payload(), header={"typ": "JWT", "alg": "HS256"}, sign=hs256(spki_pem)), "bad_signature")
    add("alg HS256 keyed with the public key DER",
        jws(None, payload(), header={"typ": "JWT", "alg": "HS256"}, sign=hs256(spki_der)), "bad_signature")
    add("alg HS256 keyed with the certificate PEM",
        jws(None, payload(), header={"typ": "JWT", "alg": "HS256"}, sign=hs256(keys["cert_pem"].encode())),
        "bad_signature")
    add("alg RS384 with the right key",
        jws(key, payload(), header={"typ": "JWT", "alg": "RS384"},
            sign=lambda k, si: k.sign(si, padding.PKCS1v15(), hashes.SHA384())), "bad_signature")
    add("alg PS256 with the right key",
        jws(key, payload(), header={"typ": "JWT", "alg": "PS256"},
            sign=lambda k, si: k.sign(si, padding.PSS(padding.MGF1(hashes.SHA256()), 32), hashes.SHA256())),
        "bad_signature")
    add("alg rs256 lowercase", jws(key, payload(), header={"typ": "JWT", "alg": "rs256"}), "bad_signature")
    add("alg name in other case", jws(key, payload(), header={"typ": "JWT", "ALG": "RS256"}), "bad_signature")
    add("alg missing", jws(key, payload(), header={"typ": "JWT"}), "bad_signature")
    add("crit header", jws(key, payload(), header={"alg": "RS256", "crit": ["exp"], "exp": 1}), "bad_signature")
    add("embedded attacker jwk",
        jws(other, payload(), header={"alg": "RS256", "jwk": {"kty": "RSA", "n": b64u(
            other.public_key().public_numbers().n.to_bytes(256, "big")), "e": "AQAB"}}), "bad_signature")
    add("header not json", b64u(b"RS256") + "." + p + "." + s, "bad_signature")
    add("header json array", jws(key, payload(), header=b'["RS256"]'), "bad_signature")

    evil = b64u(compact(payload(incSum="1000000.00")))
    add("tampered payload", h + "." + evil + "." + s, "bad_signature")
    add("tampered header", b64u(compact({"alg": "RS256", "typ": "JWT"})) + "." + p + "." + s, "bad_signature")
    add("signature truncated", h + "." + p + "." + s[:-2], "bad_signature")
    # 256 bytes encode to 342 characters whose last 4 bits are zero; set
    # one of them: the bytes decode the same, but the encoding is not
    # canonical and must be refused.
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    assert len(s) % 4 == 2
    add("non-canonical signature encoding", h + "." + p + "." + s[:-1] + alphabet[alphabet.index(s[-1]) ^ 1],
        "bad_signature")
    add("signature padded", h + "." + p + "." + s + "==", "bad_signature")
    add("payload padded", h + "." + p + "=" * (-len(p) % 4 or 4) + "." + s, "bad_signature")
    std = s.replace("-", "+").replace("_", "/")
    if std != s:
        add("standard base64 alphabet", h + "." + p + "." + std, "bad_signature")
    add("two parts", h + "." + p, "bad_signature")
    add("four parts", good + "." + s, "bad_signature")
    add("empty", "", "bad_signature")
    add("dots only", "..", "bad_signature")
    add("empty signature part", h + "." + p + ".", "bad_signature")
    add("trailing newline", good + "\n", "bad_signature")
    add("embedded newline", h + "." + p[:10] + "\n" + p[10:] + "." + s, "bad_signature")
    add("JSON-quoted token", json.dumps(good), "bad_signature")

    # Genuinely signed but unacceptable payloads.
    add("wrong shop", jws(key, payload(shop="other-shop")), "invalid_param", field="data.shop")
    add("shop differs in case", jws(key, payload(shop="Demo")), "invalid_param", field="data.shop")
    add("missing shop", jws(key, payload(shop=None)), "missing_param", field="data.shop")
    add("wrong type", jws(key, payload(_header={"type": "RefundNotification", "version": "1.0.0",
                                                 "timestamp": "1"})), "invalid_param", field="header.type")
    add("missing type", jws(key, payload(_header={"version": "1.0.0"})), "missing_param", field="header.type")
    add("missing invId", jws(key, payload(invId=None)), "missing_param", field="data.invId")
    add("missing incSum", jws(key, payload(incSum=None)), "missing_param", field="data.incSum")
    add("missing state", jws(key, payload(state=None)), "missing_param", field="data.state")
    add("negative incSum", jws(key, payload(incSum="-10.00")), "invalid_param", field="data.incSum")
    add("exponent incSum", jws(key, None, raw_payload=compact(payload(incSum="@")).replace(b'"@"', b"1e3")),
        "invalid_param", field="data.incSum")
    add("comma incSum", jws(key, payload(incSum="10,00")), "invalid_param", field="data.incSum")
    add("fractional invId", jws(key, payload(invId=12.5)), "invalid_param", field="data.invId")
    add("signed invId", jws(key, payload(invId="+12")), "invalid_param", field="data.invId")
    add("boolean state", jws(key, payload(state=True)), "invalid_param", field="data.state")
    add("bad timestamp", jws(key, payload(_header={"type": "PaymentStateNotification", "version": "1.0.0",
                                                   "timestamp": "2023-07-27"})),
        "invalid_param", field="header.timestamp")
    add("payload not an object", jws(key, None, raw_payload=b'"hello"'), "invalid_param", field="JWS payload")

    out = {
        "comment": "Generated by testdata/gen_jws_vectors.py with python cryptography; do not edit. Spec §4.4.",
        "login": LOGIN,
        "keys": keys,
        "tokens": vectors,
    }
    with open(os.path.join(HERE, "jws_vectors.json"), "w") as f:
        json.dump(out, f, indent=1, ensure_ascii=False)
        f.write("\n")

    # Files for the godoc example: a certificate as Robokassa publishes
    # it (jwtsign.cer) and a notification body.
    os.makedirs(os.path.join(HERE, "jws"), exist_ok=True)
    with open(os.path.join(HERE, "jws", "jwtsign_test.cer"), "w") as f:
        f.write(keys["cert_pem"])
    with open(os.path.join(HERE, "jws", "notification_ok.jws"), "w") as f:
        f.write(good)


if __name__ == "__main__":
    main()
