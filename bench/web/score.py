"""Word-level precision, recall and F1 of extracted text against reference text, per page and overall.
Words: lower-cased runs of Unicode letters and digits (\\w+ without '_'); bags of words (multisets), so a word counts
as often as it appears in both. Overall figures are micro-averaged (sums over pages); the mean of per-page F1 too.
usage: /usr/bin/python3 score.py PAGES_TSV OUT_DIR NAME... [--per-page]"""
import collections, os, re, sys

WORD = re.compile(r"[^\W_]+")
args = [a for a in sys.argv[1:] if not a.startswith("--")]
pages = [l.rstrip("\n").split("\t") for l in open(args[0], encoding="utf-8")]
out, names = args[1], args[2:]

def bag(text):
    return collections.Counter(w.lower() for w in WORD.findall(text))

refs = [bag(open(p[2], encoding="utf-8").read()) for p in pages]
print(f"{'extractor':<12} {'pages':>5} {'precision':>9} {'recall':>7} {'F1':>6} {'mean page F1':>12}")
for name in names:
    hit = got = want = 0
    f1s = []
    for i, ref in enumerate(refs):
        path = os.path.join(out, name, f"{i}.txt")
        ext = bag(open(path, encoding="utf-8").read()) if os.path.exists(path) else collections.Counter()
        h = sum((ext & ref).values()); g = sum(ext.values()); w = sum(ref.values())
        hit += h; got += g; want += w
        p = h / g if g else 0.0; r = h / w if w else 0.0
        f1s.append(2 * p * r / (p + r) if p + r else 0.0)
        if "--per-page" in sys.argv:
            print(f"  {name:<12} {os.path.basename(pages[i][1]):<40} P {p:.3f} R {r:.3f} F1 {f1s[-1]:.3f}")
    p = hit / got if got else 0.0; r = hit / want if want else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    print(f"{name:<12} {len(refs):>5} {p:>9.3f} {r:>7.3f} {f1:>6.3f} {sum(f1s) / len(f1s):>12.3f}")
