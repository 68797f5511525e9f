"""readability-lxml (Debian python3-readability) over PAGES_TSV: writes OUT_DIR/readability/N.txt, prints MB/CPU-s.
usage: /usr/bin/python3 readability_peer.py PAGES_TSV OUT_DIR [REPEAT]"""
import os, sys, time
import lxml.html
from readability import Document

pages = [l.rstrip("\n").split("\t") for l in open(sys.argv[1], encoding="utf-8")]
out = os.path.join(sys.argv[2], "readability")
repeat = int(sys.argv[3]) if len(sys.argv) > 3 else 1
os.makedirs(out, exist_ok=True)
htmls = [open(p[1], encoding="utf-8").read() for p in pages]
mb = sum(len(h.encode("utf-8")) for h in htmls) / 1e6

def run(html, url):
    summary = Document(html, url=url).summary(html_partial=True)
    return lxml.html.fromstring(summary).text_content() if summary.strip() else ""

for i, (p, h) in enumerate(zip(pages, htmls)):
    open(os.path.join(out, f"{i}.txt"), "w", encoding="utf-8").write(run(h, p[0]))
cpu = time.process_time(); wall = time.time()
for _ in range(repeat):
    for p, h in zip(pages, htmls): run(h, p[0])
seconds = time.process_time() - cpu
print(f"readability\t{len(pages) * repeat} pages\t{mb * repeat:.1f} MB HTML\t{time.time() - wall:.2f} s wall\t{seconds:.2f} CPU-s\t{mb * repeat / seconds:.2f} MB/CPU-s")
