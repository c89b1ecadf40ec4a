#!/usr/bin/python3
"""Known-answer vectors for package qr, computed outside Go.

The module matrices come from Project Nayuki's reference QR encoder for
Python (Debian package python3-qrcodegen 1.8.0), used as its documentation
says: QrCode.encode_text(text, Ecc.MEDIUM), which keeps level M as the floor
and raises the level while the data still fits the same version, and picks
the mask by the standard's penalty rules. Text that is not ASCII is encoded
as an ECI segment (assignment 26, UTF-8) followed by its UTF-8 bytes.

The terminal renderings are derived here from those matrices by the rules
written in qr/doc.go: a 4-module quiet zone on every side, one more light
row at the bottom when the row count is odd, two module rows per line.

Run (Debian's python3, which sees the package):
    apt-get install python3-qrcodegen
    /usr/bin/python3 qr/testdata/gen_qr_vectors.py > qr/testdata/qr_vectors.json
"""
import json
import urllib.parse

from qrcodegen import QrCode, QrSegment, DataTooLongError

QUIET = 4


def long_link():
    # A checkout link with a 54-FZ receipt, the way Robokassa's PHP samples
    # build one: the receipt JSON URL-encoded once for the signature and
    # once more as a query value. The signature is a placeholder.
    receipt = ('{"sno":"osn","items":['
               '{"name":"Чай «Ассам», 100 г","quantity":2,"sum":990,'
               '"payment_method":"full_payment","payment_object":"commodity","tax":"vat22"},'
               '{"name":"Чайник, 600 мл","quantity":1,"sum":1450,'
               '"payment_method":"full_payment","payment_object":"commodity","tax":"vat22"},'
               '{"name":"Доставка","quantity":1,"sum":350,'
               '"payment_method":"full_payment","payment_object":"service","tax":"vat22"}]}')
    twice = urllib.parse.quote_plus(urllib.parse.quote_plus(receipt, safe=""), safe="")
    desc = urllib.parse.quote_plus("Оплата заказа №4512", safe="")
    return ("https://auth.robokassa.ru/Merchant/Index.aspx?MerchantLogin=demo-shop"
            "&OutSum=2790.00&InvId=4512&Description=" + desc +
            "&SignatureValue=9dd4e461268c8034f5c8564e155c67a6&Culture=ru"
            "&Email=buyer%40example.com&Shp_order=4512&Receipt=" + twice + "&IsTest=1")


def encode(text):
    if text.isascii():
        return QrCode.encode_text(text, QrCode.Ecc.MEDIUM)
    segs = [QrSegment.make_eci(26), QrSegment.make_bytes(text.encode("utf-8"))]
    return QrCode.encode_segments(segs, QrCode.Ecc.MEDIUM)


def light(q, x, y):
    n = q.get_size()
    if 0 <= x < n and 0 <= y < n:
        return not q.get_module(x, y)
    return True


def terminal(q, ink_is_light):
    n = q.get_size()
    side = n + 2 * QUIET
    rows = side + side % 2
    glyph = {(True, True): "\u2588", (True, False): "\u2580",
             (False, True): "\u2584", (False, False): " "}
    out = []
    for r in range(0, rows, 2):
        line = []
        for c in range(side):
            x, y = c - QUIET, r - QUIET
            top = light(q, x, y)
            bottom = True if r + 1 >= side else light(q, x, y + 1)
            if not ink_is_light:
                top, bottom = not top, not bottom
            line.append(glyph[(top, bottom)])
        out.append("".join(line) + "\n")
    return "".join(out)


def row_hex(q, y):
    # Row y, dark = 1, leftmost module in the most significant bit, padded
    # with zero bits to whole hex digits.
    n = q.get_size()
    bits = "".join("1" if q.get_module(x, y) else "0" for x in range(n))
    bits += "0" * (-n % 4)
    return "".join("%x" % int(bits[i:i + 4], 2) for i in range(0, len(bits), 4))


ECC = {QrCode.Ecc.LOW: "L", QrCode.Ecc.MEDIUM: "M", QrCode.Ecc.QUARTILE: "Q", QrCode.Ecc.HIGH: "H"}

cases = [
    ("short link", "https://robokassa.ru"),
    ("payment link", "https://auth.robokassa.ru/Merchant/Index.aspx?MerchantLogin=demo"
                     "&OutSum=990.00&InvId=12&Description=Order+12"
                     "&SignatureValue=8a50b8d86ed28921edfc371cff6e156f&IsTest=1"),
    ("digits only", "79991234567"),
    ("alphanumeric only", "HTTPS://ROBOKASSA.RU/PAY/4512"),
    ("cyrillic, eci utf-8", "https://auth.robokassa.ru/?Description=Оплата заказа №12"),
    ("receipt link", long_link()),
    ("byte capacity at level M", "a" * 2331),
    ("alphanumeric capacity at level M", "A" * 3391),
    ("numeric capacity at level M", "7" * 5596),
    ("utf-8 capacity at level M", "Ж" * 1165),
]

too_long = [
    ("one byte past capacity", "a" * 2332),
    ("one alphanumeric past capacity", "A" * 3392),
    ("one digit past capacity", "7" * 5597),
    ("one utf-8 byte past capacity", "Ж" * 1165 + "a"),
]

vectors = []
for name, text in cases:
    q = encode(text)
    n = q.get_size()
    v = {
        "name": name,
        "text": text,
        "version": q.get_version(),
        "ecc": ECC[q.get_error_correction_level()],
        "mask": q.get_mask(),
        "size": n,
        "modules": [row_hex(q, y) for y in range(n)],
    }
    if q.get_version() <= 31:  # the capacity cases are checked by matrix alone
        v["text_dark_terminal"] = terminal(q, True)
        v["text_light_terminal"] = terminal(q, False)
    vectors.append(v)
for name, text in too_long:
    try:
        encode(text)
    except DataTooLongError:
        vectors.append({"name": name, "text": text, "too_long": True})
    else:
        raise SystemExit(name + ": expected DataTooLongError")

json.dump({"generator": "python3-qrcodegen 1.8.0 (Nayuki), gen_qr_vectors.py",
           "quiet_zone": QUIET, "vectors": vectors}, __import__("sys").stdout,
          ensure_ascii=False, indent=1)
print()
