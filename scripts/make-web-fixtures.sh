#!/usr/bin/env bash
# Builds web-archive fixtures from real pages: Debian's python3-doc HTML served on 127.0.0.1 and fetched by
# `wget --warc-file` (a real WARC writer). Deterministic for a given python3-doc version.
#   scripts/make-web-fixtures.sh OUT_DIR [PAGES]
# Writes to OUT_DIR:
#   python-docs.warc.gz      PAGES library pages + a 404 + a stylesheet + an image, one gzip member per record (wget's default)
#   python-docs.warc         the same crawl uncompressed (--no-warc-compression)
#   whole-file.warc.gz       python-docs.warc gzipped as one member
#   truncated.warc.gz        python-docs.warc.gz cut at 60 % of its bytes
#   bad-header.warc          python-docs.warc with the 3rd response record's Content-Length made unreadable
#   python-docs.arc.gz       the crawl's responses as ARC v1 records (converted from the WARC by this script)
#   python-docs.warc.wet.gz  a WET file (Common Crawl's text form): one `conversion` record per page, holding the page's
#                            reStructuredText source as its text (gzip per record)
#   pages.tsv                url <TAB> path of the page's HTML <TAB> path of its reStructuredText source (_sources/*.rst.txt)
# Installs python3-doc and wget with apt when missing (root).
set -euo pipefail
out=${1:?usage: make-web-fixtures.sh OUT_DIR [PAGES]}
pages=${2:-40}
docroot=/usr/share/doc/python3-doc/html
if [[ ! -d $docroot/library ]] || ! command -v wget >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq python3-doc wget >/dev/null
fi
docroot=$(readlink -f "$docroot")
mkdir -p "$out"
out=$(cd "$out" && pwd)
py=/usr/bin/python3

# A free port, then a static server over the documentation.
port=$($py -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
$py -m http.server "$port" --bind 127.0.0.1 --directory "$docroot" >/dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 50); do $py -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/')" 2>/dev/null && break; sleep 0.1; done

base="http://127.0.0.1:$port"
: > "$out/pages.tsv"
: > "$out/urls.txt"
# Library pages that have a source file, in name order.
(cd "$docroot" && ls library/*.html) | while read -r page; do
  src="_sources/${page%.html}.rst.txt"
  [[ -f $docroot/$src ]] || continue
  printf '%s\t%s\t%s\n' "$base/$page" "$docroot/$page" "$docroot/$src"
done > "$out/all-pages.tsv"
head -n "$pages" "$out/all-pages.tsv" > "$out/pages.tsv"
rm -f "$out/all-pages.tsv"
cut -f1 "$out/pages.tsv" > "$out/urls.txt"
{ echo "$base/library/no-such-page.html"; echo "$base/_static/pydoctheme.css"; echo "$base/_static/py.svg"; } >> "$out/urls.txt"

rm -f "$out"/python-docs.warc* "$out"/*.cdx
(cd "$out" && wget -q -i urls.txt --warc-file=python-docs --no-warc-keep-log -O /dev/null || true)
(cd "$out" && wget -q -i urls.txt --warc-file=python-docs-plain --no-warc-compression --no-warc-keep-log -O /dev/null || true)
mv "$out/python-docs-plain.warc" "$out/python-docs.warc"

gzip -c -n "$out/python-docs.warc" > "$out/whole-file.warc.gz"
size=$(stat -c %s "$out/python-docs.warc.gz")
head -c $((size * 6 / 10)) "$out/python-docs.warc.gz" > "$out/truncated.warc.gz"

$py - "$out" <<'EOF'
import gzip, re, sys
out = sys.argv[1]
data = open(f"{out}/python-docs.warc", "rb").read()
# bad-header.warc: the third response record's Content-Length made unreadable
count = 0
def spoil(m):
    global count
    count += 1
    return m.group(0).replace(b"Content-Length: ", b"Content-Length: x") if count == 3 else m.group(0)
spoiled = re.sub(rb"WARC-Type: response\r\n(?:[^\r\n]+\r\n)*?Content-Length: \d+", spoil, data)
open(f"{out}/bad-header.warc", "wb").write(spoiled)
# python-docs.arc.gz: ARC v1 (a filedesc record, then "URL IP DATE TYPE LENGTH" + the HTTP response) per response record
records, pos = [], 0
while True:
    start = data.find(b"WARC/1.", pos)
    if start < 0: break
    head_end = data.index(b"\r\n\r\n", start)
    head = data[start:head_end].decode()
    fields = dict(l.split(": ", 1) for l in head.split("\r\n")[1:])
    length = int(fields["Content-Length"])
    block = data[head_end + 4: head_end + 4 + length]
    pos = head_end + 4 + length
    if fields.get("WARC-Type") == "response":
        date = re.sub(r"[^0-9]", "", fields["WARC-Date"])[:14]
        http_type = re.search(rb"(?im)^content-type: *([^;\r\n ]+)", block)
        ctype = http_type.group(1).decode() if http_type else "unknown"
        records.append((fields["WARC-Target-URI"].strip("<>"), fields.get("WARC-IP-Address", "127.0.0.1"), date, ctype, block))
with gzip.GzipFile(f"{out}/python-docs.arc.gz", "wb", mtime=0) as arc:
    desc = b"1 0 DataFlow fixtures\nURL IP-address Archive-date Content-type Archive-length\n"
    arc.write(b"filedesc://python-docs.arc 0.0.0.0 %s text/plain %d\n" % (records[0][2].encode(), len(desc)) + desc + b"\n")
    for url, ip, date, ctype, block in records:
        arc.write(f"{url} {ip} {date} {ctype} {len(block)}\n".encode() + block + b"\n")
EOF
$py - "$out" <<'EOF'
import gzip, io, sys, uuid
out = sys.argv[1]
with open(f"{out}/python-docs.warc.wet.gz", "wb") as wet:
    for n, line in enumerate(open(f"{out}/pages.tsv", encoding="utf-8")):
        url, _, source = line.rstrip("\n").split("\t")
        text = open(source, "rb").read()
        head = (f"WARC/1.0\r\nWARC-Type: conversion\r\nWARC-Target-URI: {url}\r\nWARC-Date: 2024-01-01T00:00:{n % 60:02d}Z\r\n"
                f"WARC-Record-ID: <urn:uuid:{uuid.UUID(int=n + 1)}>\r\nContent-Type: text/plain\r\nContent-Length: {len(text)}\r\n\r\n").encode()
        member = io.BytesIO()
        with gzip.GzipFile(fileobj=member, mode="wb", mtime=0) as z:
            z.write(head + text + b"\r\n\r\n")
        wet.write(member.getvalue())
EOF
rm -f "$out/urls.txt"
echo "web fixtures in $out: $(wc -l < "$out/pages.tsv") pages"
