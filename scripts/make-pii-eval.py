#!/usr/bin/env python3
"""Builds a labelled PII evaluation set: synthetic values of every type, in many formats, planted into real
English and Chinese text from data/sample (package-sourced: Moby Dick, State of the Union addresses, Chinese
Linux kernel docs, classical Chinese poetry), plus decoys that look like PII but are not (order numbers, ISBNs,
timestamps, version strings, invalid card numbers, invalid ID / IBAN / SSN checksums, private IPs...).

Each output line: {"id", "lang", "text", "labels": [{"type", "value"}], "decoys": [{"kind", "value"}]}.
Evaluation matches by (type, exact value) within a document, so offsets are not needed.
Usage: scripts/make-pii-eval.py [OUT.jsonl] [DOCS] [SEED]   (defaults: /tmp/pii-eval.jsonl 2000 1)
"""
import base64, datetime, gzip, json, os, random, re, string, sys

OUT = sys.argv[1] if len(sys.argv) > 1 else "/tmp/pii-eval.jsonl"
DOCS = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
R = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 1)
SAMPLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "sample")

ALNUM = string.ascii_letters + string.digits
LOWER = string.ascii_lowercase


def digits(n): return "".join(R.choice(string.digits) for _ in range(n))
def chars(alphabet, n): return "".join(R.choice(alphabet) for _ in range(n))


# ------------------------------------------------------------------ base text (no '@' or URLs, so it holds no emails of its own)

def paragraphs(name, min_len, max_len):
    out = []
    for line in gzip.open(os.path.join(SAMPLE, name + ".jsonl.gz"), "rt", encoding="utf-8"):
        text = json.loads(line)["text"]
        for p in re.split(r"\n\s*\n", text):
            p = p.strip()
            if min_len <= len(p) <= max_len and "@" not in p and "://" not in p:
                out.append(p)
    return out


def chinese_prose():
    # Kernel-doc paragraphs that are mostly Chinese prose (not code, not tables).
    return [p for p in paragraphs("linux-doc-zh", 60, 600)
            if sum("\u4e00" <= c <= "\u9fff" for c in p) > len(p) * 0.4 and "::" not in p and "|" not in p]


ENGLISH = paragraphs("moby-dick", 200, 900) + paragraphs("sotu", 200, 900)
CHINESE = chinese_prose() + paragraphs("chinese-poetry", 40, 400)


# ------------------------------------------------------------------ checksums (mirrors of the rules, written independently)

def luhn_digit(payload):
    total, double = 0, True
    for ch in reversed(payload):
        d = int(ch)
        if double:
            d *= 2
            if d > 9: d -= 9
        total += d
        double = not double
    return str((10 - total % 10) % 10)


def iban_check(country, bban):
    s = bban + country + "00"
    n = int("".join(str(int(c, 36)) for c in s))
    return "%02d" % (98 - n % 97)


def cn_check(first17):
    w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return "10X98765432"[sum(int(a) * b for a, b in zip(first17, w)) % 11]


def group(s, sizes, sep):
    out, i = [], 0
    for n in sizes:
        out.append(s[i:i + n])
        i += n
    if i < len(s): out.append(s[i:])
    return sep.join(x for x in out if x)


# ------------------------------------------------------------------ planted values, many formats each

NAMES = ["john", "mary", "li.wei", "zhang_san", "anna-maria", "o.brien", "k.tanaka", "wangfang", "p.dubois", "s.mueller"]
# Not the reserved example.com/.net/.org (RFC 2606): those are sample values, planted below as decoys.
DOMAINS = ["riverbend-mail.com", "mail.lakeside.org", "corp.example.co.uk", "qq.com", "163.com", "uni-example.de", "example.cn", "post.example.fr"]
UNICODE_LOCAL = ["müller", "josé.garcía", "zoë", "søren", "пользователь", "δοκιμή", "राहुल", "françois.dupré"]
IDN_DOMAINS = ["bücher-welt.de", "пример.рф", "παράδειγμα.ελ", "xn--80ak6aa92e.xn--p1ai", "münchen-post.de", "correo-españa.es"]


def email():
    f = R.randrange(8)
    if f == 6: return f"{R.choice(UNICODE_LOCAL)}{R.randrange(1, 99)}@{R.choice(DOMAINS + IDN_DOMAINS)}"      # RFC 6531
    if f == 7: return f"{R.choice(NAMES)}@{R.choice(IDN_DOMAINS)}"                                         # IDN domain
    if f == 0: return f"{R.choice(NAMES)}@{R.choice(DOMAINS)}"
    if f == 1: return f"{R.choice(NAMES)}{R.randrange(1, 999)}@{R.choice(DOMAINS)}"
    if f == 2: return f"{R.choice(NAMES)}+{chars(LOWER, 4)}@{R.choice(DOMAINS)}"
    if f == 3: return f"{R.randrange(10000, 999999999)}@{R.choice(['qq.com', '163.com', '126.com'])}"
    if f == 4: return f"{chars(LOWER, 5).upper()}.{chars(LOWER, 6)}@{chars(LOWER, 7)}.{R.choice(['com', 'net', 'io', 'ORG'])}"
    return f"{chars(LOWER, 3)}_{chars(LOWER, 4)}@{chars(LOWER, 4)}-{chars(LOWER, 5)}.{R.choice(['de', 'fr', 'jp', 'com.cn'])}"


def public_ipv4():
    while True:
        a = [R.randrange(1, 224), R.randrange(256), R.randrange(256), R.randrange(1, 255)]
        if a[0] in (10, 127, 0) or a[0] == 100 and 64 <= a[1] < 128 or a[0] == 169 and a[1] == 254: continue
        if a[0] == 172 and 16 <= a[1] < 32 or a[0] == 192 and a[1] == 168: continue
        if a[0] == 192 and a[1] == 0 or a[0] == 198 and a[1] in (18, 19, 51) or a[0] == 203 and a[1] == 0: continue
        return ".".join(map(str, a))


def public_ipv6():
    h = [R.randrange(0x2000, 0x3fff)] + [R.randrange(0, 0x10000) for _ in range(7)]
    if h[0] == 0x2001 and h[1] == 0xdb8 or h[0] == 0x3fff: h[0] = 0x2a03
    f = R.randrange(4)
    if f == 0: s = ":".join("%x" % x for x in h)
    elif f == 1: s = ":".join("%x" % x for x in h[:3]) + "::" + "%x" % h[7]
    elif f == 2: s = ":".join("%04x" % x for x in h)
    else: s = ":".join("%x" % x for x in h[:2]) + "::" + ":".join("%x" % x for x in h[5:])
    return s.upper() if R.random() < 0.2 else s


def na_number():
    while True:
        a, b, c = f"{R.randrange(2, 10)}{R.randrange(9)}{R.randrange(10)}", f"{R.randrange(2, 10)}{digits(2)}", digits(4)
        if not (b == "555" and c.startswith("01")): return a, b, c          # 555-0100..0199 is fiction (a decoy below)


def not_drama(make):
    # Ofcom's drama ranges (020 7946 0xxx, ...) are sample values, planted as decoys instead.
    while True:
        v = make()
        if "7946 0" not in v: return v


def phone():
    f = R.randrange(34)
    a, b, c = na_number()
    m = f"1{R.choice('3456789')}{digits(9)}"
    if f == 0: return f"+1{a}{b}{c}"
    if f == 1: return f"+1 {a}-{b}-{c}"
    if f == 2: return f"+1 ({a}) {b}-{c}"
    if f == 3: return f"({a}) {b}-{c}"
    if f == 4: return f"{a}-{b}-{c}"
    if f == 5: return f"{a}.{b}.{c}"
    if f == 6: return f"1-{a}-{b}-{c}"
    if f == 7: return not_drama(lambda: f"+44 20 7{digits(3)} {digits(4)}")
    if f == 8: return f"+44 7{digits(3)} {digits(6)}"
    if f == 9: return f"+49 30 {R.randrange(2, 10)}{digits(7)}"
    if f == 10: return f"+33 {R.randrange(1, 8)} {digits(2)} {digits(2)} {digits(2)} {digits(2)}"
    if f == 11: return f"+86 {m[:3]} {m[3:7]} {m[7:]}"
    if f == 12: return f"+86{m}"
    if f == 13: return m
    if f == 14: return f"{m[:3]}-{m[3:7]}-{m[7:]}"
    if f == 15: return f"{m[:3]} {m[3:7]} {m[7:]}"
    if f == 16: return f"{R.choice(['010', '021', '020'])}-{R.randrange(2, 10)}{digits(7)}"
    if f == 17: return f"{R.choice(['0755', '0571', '0512'])}-{R.randrange(2, 10)}{digits(6)}"
    if f == 18: return f"（{R.choice(['010', '021'])}）{R.randrange(2, 10)}{digits(7)}"
    if f == 19: return not_drama(lambda: f"020 7{digits(3)} {digits(4)}")
    if f == 20: return f"0{R.randrange(1, 7)} {R.randrange(2, 10)}{digits(1)} {digits(2)} {digits(2)} {digits(2)}"
    if f == 21: return f"030/{R.randrange(2, 10)}{digits(7)}"
    # National formats by numbering plan (docs/pii.md): UK (Ofcom), DE (BNetzA), FR (ARCEP), AU (ACMA), IN (DoT).
    if f == 22: return f"07{R.choice('45789')}{digits(2)} {R.randrange(1, 10)}{digits(5)}"                    # UK mobile 5-6
    if f == 23: return f"01{R.choice('2345689')}{digits(2)} {R.randrange(2, 10)}{digits(5)}"                  # UK 01xxx 5-6
    if f == 24: return f"01{R.randrange(2, 10)}1 {R.randrange(2, 10)}{digits(2)} {digits(4)}"                 # UK 01x1 4-3-4
    if f == 25: return f"0{R.choice(['221', '89', '40', '69', '711'])} {R.randrange(2, 10)}{digits(6)}"      # DE landline
    if f == 26: return f"01{R.choice('567')}{digits(1)} {R.randrange(2, 10)}{digits(7)}"                      # DE mobile
    if f == 27: return f"0{R.randrange(1, 7)}.{R.randrange(2, 10)}{digits(1)}.{digits(2)}.{digits(2)}.{digits(2)}"  # FR, dots
    if f == 28: return f"0{R.choice('2378')} {R.randrange(8, 10)}{digits(3)} {digits(4)}"                     # AU geographic
    if f == 29: return f"04{digits(2)} {digits(3)} {digits(3)}"                                               # AU mobile
    if f == 30: return f"{R.choice(['1300', '1800'])} {digits(3)} {digits(3)}"                                # AU local rate / freecall
    if f == 31: return f"{R.randrange(6, 10)}{digits(4)} {digits(5)}"                                         # IN mobile
    if f == 32: return f"0{R.choice(['44', '80', '22', '11'])} {R.randrange(2, 10)}{digits(3)} {digits(4)}"  # IN landline 3-4-4
    return f"0{R.choice(['422', '821', '484'])} {R.randrange(2, 10)}{digits(6)}"                             # IN landline 4-7


CARD_PREFIXES = [("4", 16), ("4", 13), ("51", 16), ("55", 16), ("2221", 16), ("2720", 16), ("34", 15), ("37", 15),
                 ("6011", 16), ("65", 16), ("3530", 16), ("62", 16), ("62", 19), ("36", 14), ("300", 14)]


def card_number(valid=True):
    prefix, n = R.choice(CARD_PREFIXES)
    payload = prefix + digits(n - len(prefix) - 1)
    check = luhn_digit(payload)
    if not valid: check = str((int(check) + R.randrange(1, 10)) % 10)
    return payload + check


def card(valid=True):
    s = card_number(valid)
    f = R.randrange(3)
    if f == 0: return s
    sep = " " if f == 1 else "-"
    if len(s) == 15: return group(s, [4, 6, 5], sep)
    if len(s) == 14: return group(s, [4, 6, 4], sep)
    return group(s, [4, 4, 4, 4], sep)


IBAN_SHAPES = {"DE": "n18", "FR": "n23", "ES": "n20", "IT": "a1n22", "NL": "a4n10", "GB": "a4n14", "CH": "n17", "PL": "n24", "BE": "n12", "AT": "n16"}


def iban(valid=True):
    country = R.choice(list(IBAN_SHAPES))
    shape = IBAN_SHAPES[country]
    bban = ""
    for kind, count in re.findall(r"([an])(\d+)", shape):
        bban += chars(string.ascii_uppercase, int(count)) if kind == "a" else digits(int(count))
    check = iban_check(country, bban)
    if not valid: check = "%02d" % ((int(check) + R.randrange(1, 90)) % 100)
    s = country + check + bban
    f = R.random()
    if f < 0.4: return s
    if f < 0.8: return group(s, [4] * 9, " ")
    return group(s.lower(), [4] * 9, " ")                                            # lower case, grouped


REGIONS = ["110101", "110105", "310104", "440305", "510107", "330106", "420111", "610113", "120104", "500103"]


def cn_id(valid=True):
    date = datetime.date(1950, 1, 1) + datetime.timedelta(days=R.randrange(22000))
    first17 = R.choice(REGIONS) + date.strftime("%Y%m%d") + digits(3)
    check = cn_check(first17)
    if not valid: check = R.choice([c for c in "0123456789X" if c != check])
    return first17 + check


def ssn(valid=True):
    if valid:
        area = R.randrange(1, 900)
        while area == 666: area = R.randrange(1, 900)
        g, s = R.randrange(1, 100), R.randrange(1, 10000)
    else:
        area, g, s = R.choice([(0, R.randrange(1, 100), R.randrange(1, 10000)), (666, R.randrange(1, 100), R.randrange(1, 10000)),
                              (R.randrange(900, 1000), R.randrange(1, 100), R.randrange(1, 10000)), (R.randrange(1, 666), 0, R.randrange(1, 10000)),
                              (R.randrange(1, 666), R.randrange(1, 100), 0)])
    sep = "-" if R.random() < 0.8 else " "
    return f"{area:03d}{sep}{g:02d}{sep}{s:04d}"


def b64url(obj):
    return base64.urlsafe_b64encode(json.dumps(obj, separators=(",", ":")).encode()).rstrip(b"=").decode()


def secret(kind):
    if kind == "aws_access_key": return R.choice(["AKIA", "ASIA"]) + chars(string.ascii_uppercase + "234567", 16)
    if kind == "github_token":
        if R.random() < 0.2: return "github_pat_" + chars(ALNUM, 22) + "_" + chars(ALNUM, 59)
        return R.choice(["ghp_", "gho_", "ghu_", "ghs_", "ghr_"]) + chars(ALNUM, 36)
    if kind == "gitlab_token": return "glpat-" + chars(ALNUM + "_-", 20)
    if kind == "slack_token":
        f = R.randrange(3)
        if f == 0: return f"xoxb-{digits(12)}-{digits(13)}-{chars(ALNUM, 24)}"
        if f == 1: return f"xoxp-{digits(12)}-{digits(12)}-{digits(13)}-{chars('0123456789abcdef', 32)}"
        return f"https://hooks.slack.com/services/T{chars(string.ascii_uppercase + string.digits, 8)}/B{chars(string.ascii_uppercase + string.digits, 10)}/{chars(ALNUM, 24)}"
    if kind == "private_key":
        label = R.choice(["RSA PRIVATE KEY", "EC PRIVATE KEY", "PRIVATE KEY", "OPENSSH PRIVATE KEY", "ENCRYPTED PRIVATE KEY"])
        body = "\n".join(chars(ALNUM + "+/", 64) for _ in range(R.randrange(2, 6))) + "\n" + chars(ALNUM + "+/", 20) + "=="
        return f"-----BEGIN {label}-----\n{body}\n-----END {label}-----"
    if kind == "jwt":
        header = b64url({"alg": R.choice(["HS256", "RS256", "ES256"]), "typ": "JWT"})
        payload = b64url({"sub": digits(8), "name": R.choice(NAMES), "iat": 1600000000 + R.randrange(10 ** 8)})
        return f"{header}.{payload}.{chars(ALNUM + '_-', 43)}"
    raise ValueError(kind)


def url_password():
    user = R.choice(["admin", "root", "deploy", "app_user", "svc-backup"])
    pw = chars(ALNUM + "!$%^*_-", R.randrange(8, 20))
    scheme = R.choice(["postgres", "mysql", "https", "ftp", "mongodb+srv", "amqp"])
    host = R.choice(["db.internal.example", "10.0.3.7", "mq.example.net:5672", "files.example.org"])
    value = f"{user}:{pw}"
    return value, f"{scheme}://{value}@{host}/{chars(LOWER, 5)}"


TYPES = ["email", "ipv4", "ipv6", "phone", "payment_card", "iban", "cn_resident_id", "us_ssn", "aws_access_key",
         "github_token", "gitlab_token", "slack_token", "private_key", "jwt", "url_password"]


def planted(kind):
    """Returns (value, text to insert)."""
    if kind == "email": v = email()
    elif kind == "ipv4":
        v = public_ipv4()
        f = R.randrange(4)
        return v, [v, f"{v}:{R.randrange(1, 65535)}", f"http://{v}/index.html", f"[{v}]"][f]
    elif kind == "ipv6":
        v = public_ipv6()
        return v, v if R.random() < 0.7 else f"[{v}]:{R.randrange(1, 65535)}"
    elif kind == "phone": v = phone()
    elif kind == "payment_card": v = card()
    elif kind == "iban":
        v = iban()
        if R.random() < 0.15:
            v = v.replace(" ", "").lower()
            return v, f"IBAN {v}"                                                    # compact lower case needs the word
    elif kind == "us_ssn" and R.random() < 0.25:
        v = ssn().replace("-", "").replace(" ", "")
        return v, R.choice([f"SSN {v}", f"SSN: {v}", f"social security number {v}"])    # no separators: only after a context word
    elif kind == "cn_resident_id": v = cn_id()
    elif kind == "us_ssn": v = ssn()
    elif kind == "url_password": return url_password()
    else: v = secret(kind)
    return v, v


# ------------------------------------------------------------------ decoys

def decoy():
    k = R.randrange(25)
    if k == 0: return "order_number", f"订单号{R.randrange(2015, 2026)}{R.randrange(1, 13):02d}{R.randrange(1, 29):02d}{digits(8)}"
    if k == 1: return "order_number", f"Order #{chars(string.ascii_uppercase, 1)}-{R.randrange(2015, 2026)}-{digits(6)}"
    if k == 2: return "order_number", f"SO-{R.randrange(2015, 2026)}-{digits(6)}"
    if k == 3:
        core = "978" + digits(9)
        s = sum(int(c) * (1 if i % 2 == 0 else 3) for i, c in enumerate(core))
        isbn = core + str((10 - s % 10) % 10)
        return "isbn", R.choice([f"ISBN {isbn}", f"ISBN {isbn[:3]}-{isbn[3]}-{isbn[4:6]}-{isbn[6:12]}-{isbn[12]}"])
    if k == 4:
        core = digits(9)
        s = sum(int(c) * (10 - i) for i, c in enumerate(core))
        chk = (11 - s % 11) % 11
        isbn = core + ("X" if chk == 10 else str(chk))
        return "isbn", f"ISBN {isbn[0]}-{isbn[1:4]}-{isbn[4:9]}-{isbn[9]}"
    if k == 5:
        t = datetime.datetime(2000, 1, 1) + datetime.timedelta(seconds=R.randrange(10 ** 9))
        return "timestamp", R.choice([t.strftime("%Y-%m-%d %H:%M:%S"), t.strftime("%Y-%m-%dT%H:%M:%SZ"), t.strftime("%Y/%m/%d"),
                                      t.strftime("%d.%m.%Y %H:%M"), t.strftime("%H:%M:%S")])
    if k == 6: return "timestamp", str(R.randrange(946684800, 1900000000)) + ("" if R.random() < 0.5 else digits(3))
    if k == 7: return "version", R.choice([f"v{R.randrange(10)}.{R.randrange(30)}.{R.randrange(100)}", f"{R.randrange(1, 20)}.{R.randrange(10)}.{R.randrange(20000)}.{R.randrange(10)}",
                                            f"version {R.randrange(1, 9)}.{R.randrange(10)}.{R.randrange(10)}-beta{R.randrange(5)}", f"Python {R.randrange(2, 4)}.{R.randrange(13)}.{R.randrange(10)}",
                                            f"v{R.randrange(10)}.{R.randrange(10)}.{R.randrange(10)}.{R.randrange(10)}"])
    if k == 8: return "invalid_card", card(valid=False)
    if k == 9: return "invalid_cn_id", cn_id(valid=False)
    if k == 10: return "invalid_iban", iban(valid=False)
    if k == 11: return "invalid_ssn", ssn(valid=False)
    if k == 12: return "private_ip", R.choice([f"192.168.{R.randrange(256)}.{R.randrange(1, 255)}", f"10.{R.randrange(256)}.{R.randrange(256)}.{R.randrange(1, 255)}",
                                                "127.0.0.1", "::1", f"fe80::{R.randrange(1, 0xffff):x}", f"172.{R.randrange(16, 32)}.{R.randrange(256)}.{R.randrange(1, 255)}"])
    if k == 13: return "money", f"${R.randrange(1, 999)},{digits(3)},{digits(3)}.{digits(2)}"
    if k == 14: return "not_email", R.choice([f"icon@{R.randrange(2, 4)}x.png", f"@{chars(LOWER, 7)}", f"{chars(LOWER, 5)}@localhost", f"npm i @types/{chars(LOWER, 5)}@{R.randrange(10)}.{R.randrange(10)}.{R.randrange(10)}"])
    if k == 15: return "hash", R.choice([chars("0123456789abcdef", 40), f"{chars('0123456789abcdef', 8)}-{chars('0123456789abcdef', 4)}-4{chars('0123456789abcdef', 3)}-a{chars('0123456789abcdef', 3)}-{chars('0123456789abcdef', 12)}"])
    if k == 16: return "not_secret", R.choice(["AKIA" + chars(string.ascii_uppercase, 10), "ghp_" + chars(ALNUM, 12), "eyJhbGciOi", "xoxb-123", "-----BEGIN CERTIFICATE-----"])
    if k == 17: return "number", R.choice([f"{R.randrange(1, 100)} {digits(3)} {digits(3)}", f"{R.randrange(1000, 2100)} {R.randrange(1000, 2100)}", f"{R.randrange(10)}.{digits(12)}"])
    if k == 18: return "invalid_card", card_number(valid=False)
    if k == 19: return "url", f"https://{chars(LOWER, 6)}.example.com:{R.randrange(1, 65535)}/{chars(LOWER, 4)}?id={digits(6)}"
    if k == 20: return "invalid_cn_id", R.choice(REGIONS) + f"{R.randrange(1950, 2010)}1332" + digits(3) + "1"
    if k == 22: return "sample_value", R.choice([
        f"{R.choice(NAMES)}@{R.choice(['example.com', 'example.org', 'mail.example.net', 'shop.test'])}",      # RFC 2606 / 6761
        f"({R.randrange(2, 10)}{R.randrange(9)}{R.randrange(10)}) 555-01{digits(2)}",                           # NANP fiction
        f"020 7946 0{digits(3)}", f"01632 960{digits(3)}", f"07700 900{digits(3)}", f"0161 496 0{digits(3)}",   # Ofcom drama
        "4111 1111 1111 1111", "5555555555554444", "378282246310005",                                             # test cards
        "078-05-1120", "219-09-9999", "DE89 3704 0044 0532 0130 00", "GB82WEST12345698765432", "AKIAIOSFODNN7EXAMPLE"])
    if k == 23: return "bare_nine_digits", R.choice([f"order {R.randrange(100000000, 999999999)}", f"ref. {R.randrange(100000000, 999999999)}"])
    if k == 24: return "id_like_iban", R.choice(["de", "gb", "fr", "nl"]) + digits(2) + chars(LOWER + string.digits, 18)
    return "time", f"{R.randrange(24):02d}:{R.randrange(60):02d}"


EN_TEMPLATES = ["Contact: {}.", "You can reach me at {} any time.", "Details ({}) were on file.", "The record read {} and nothing else.", "Send it to {}, please."]
ZH_TEMPLATES = ["联系方式：{}。", "请拨打{}咨询。", "他的资料是{}，请核对。", "（{}）", "账号{}已登记"]


def insert(text, snippets, zh):
    # Insert each snippet at a sentence boundary of the base text.
    cuts = [m.end() for m in re.finditer(r"[.!?。！？；]\s*" if zh else r"[.!?;]\s+", text)] or [len(text)]
    for s in snippets:
        pos = R.choice(cuts + [0, len(text)])
        template = R.choice(ZH_TEMPLATES if zh else EN_TEMPLATES)
        glue = "" if zh else " "
        text = text[:pos] + glue + template.format(s) + glue + text[pos:]
        cuts = [c + len(template.format(s)) + 2 * len(glue) if c >= pos else c for c in cuts]
    return text


def main():
    with open(OUT, "w", encoding="utf-8") as out:
        for d in range(DOCS):
            zh = d % 2 == 1
            base = R.choice(CHINESE if zh else ENGLISH)
            labels, snippets, decoys = [], [], []
            for _ in range(R.randrange(1, 4)):
                kind = TYPES[(d * 3 + len(labels)) % len(TYPES)] if R.random() < 0.7 else R.choice(TYPES)
                value, shown = planted(kind)
                labels.append({"type": kind, "value": value})
                snippets.append(shown)
            for _ in range(R.randrange(1, 4)):
                kind, value = decoy()
                decoys.append({"kind": kind, "value": value})
                snippets.append(value)
            R.shuffle(snippets)
            out.write(json.dumps({"id": f"pii-eval-{d:05d}", "lang": "zh" if zh else "en", "text": insert(base, snippets, zh),
                                  "labels": labels, "decoys": decoys}, ensure_ascii=False) + "\n")
    print(f"{OUT}: {DOCS} documents from {len(ENGLISH)} English and {len(CHINESE)} Chinese paragraphs", file=sys.stderr)


if __name__ == "__main__":
    main()
