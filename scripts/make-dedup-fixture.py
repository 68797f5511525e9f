#!/usr/bin/env python3
"""Builds the near-duplicate fixture for dedup recall: held-out Debian text in English, Chinese and Thai, with planted
copies whose words/characters are edited at known rates, and the ground truth.

Sources (files owned by Debian packages; manpages-zh and gettext installed with apt-get when missing):
  en  English man pages (/usr/share/man/man1, man5, man8), rendered with man -l          (man-db, manpages)
  zh  Simplified Chinese man pages (/usr/share/man/zh_CN), rendered with man -l           (manpages-zh)
  th  Thai translations of programs (/usr/share/locale/th/LC_MESSAGES/*.mo), msgunfmt;  (gettext + the packages)
      every 12 translated messages of a catalogue make one document
Base documents are made distinct first: a document whose unit 5-grams overlap an earlier one's with Jaccard >= 0.3 is
left out, so every pair the truth does not name is a false pair. A unit is a run of non-space characters, except that
every Han, kana, Thai, Lao, Khmer or Myanmar character is a unit of its own.
Planted copies: for each language and edit rate (2, 5, 8 %), COPIES sources get one copy each in which that share of
the units is edited (half replaced by a unit drawn from the same language, a quarter deleted, a quarter preceded by an
inserted unit); the copy gets a new id and is written after all base documents.

Output: OUT/corpus.jsonl {"id","text"}, OUT/corpus.truth.jsonl {"id","source","kind"} (kind like "zh-2%"), OUT/stats.txt
Usage: scripts/make-dedup-fixture.py [OUT=dedup-fixture] [--seed 7] [--en 900] [--zh 500] [--copies 100]
Deterministic for a given seed and package versions.
"""
import argparse, glob, gzip, json, os, random, re, subprocess, sys
from concurrent.futures import ThreadPoolExecutor

ap = argparse.ArgumentParser()
ap.add_argument("out", nargs="?", default="dedup-fixture")
ap.add_argument("--seed", type=int, default=7)
ap.add_argument("--en", type=int, default=900, help="English base documents")
ap.add_argument("--zh", type=int, default=500, help="Chinese base documents")
ap.add_argument("--copies", type=int, default=100, help="planted copies per language and edit rate (Thai: a third)")
args = ap.parse_args()
rng = random.Random(args.seed)

need = [p for p, probe in (("manpages-zh", "/usr/share/man/zh_CN/man1/ls.1.gz"), ("gettext", "/usr/bin/msgunfmt"))
        if not os.path.exists(probe)]
if need:
    subprocess.run(["apt-get", "install", "-y", "--no-install-recommends", *need], check=True,
                   env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})

UNSPACED = "\u4e00-\u9fff\u3400-\u4dbf\uf900-\ufaff\u3040-\u30ff\u0e00-\u0e7f\u0e80-\u0eff\u1780-\u17ff\u1000-\u109f"
UNIT = re.compile(f"[{UNSPACED}][\u0e31\u0e34-\u0e3a\u0e47-\u0e4e\u0eb1\u0eb4-\u0ebc\u0ec8-\u0ecd\u17b6-\u17d3\u102b-\u103e]*|[^\\s{UNSPACED}]+")
CJK = re.compile(f"[{UNSPACED}]")


def render_man(path):
    try:  # a few pages send troff into a loop (zh_CN df.1 with groff 1.22): give each 30 s
        out = subprocess.run(["man", "-l", path], capture_output=True, timeout=30,
                             env={**os.environ, "MANWIDTH": "100", "LANG": "C.UTF-8", "MAN_KEEP_FORMATTING": ""})
    except subprocess.TimeoutExpired:
        return ""
    text = subprocess.run(["col", "-bx"], input=out.stdout, capture_output=True).stdout.decode("utf-8", "replace")
    lines = text.split("\n")[1:-2]  # drop the running header and footer
    return "\n".join(l.rstrip() for l in lines).strip()


def debian_files(pattern):
    """Files matching pattern that a Debian package owns (dpkg lists); google-cloud-cli (Google's repository, 16k
    near-identical gcloud pages) is left out."""
    owned = set()
    for lst in glob.glob("/var/lib/dpkg/info/*.list"):
        if not os.path.basename(lst).startswith("google-cloud"):
            owned.update(l.rstrip("\n") for l in open(lst, encoding="utf-8", errors="replace"))
    return sorted(f for f in glob.glob(pattern) if f in owned)


def man_docs(pattern, limit, min_chars, want_cjk):
    files = debian_files(pattern)
    rng.shuffle(files)
    files = files[: limit * 3 // 2]
    with ThreadPoolExecutor(4) as pool:
        texts = list(pool.map(render_man, files))
    docs = []
    for f, t in zip(files, texts):
        if len(t) < min_chars:
            continue
        if want_cjk and len(CJK.findall(t)) < 0.15 * len(t):
            continue
        docs.append((os.path.basename(f).split(".gz")[0], t))
    return docs


def thai_docs():
    docs = []
    for mo in sorted(glob.glob("/usr/share/locale/th/LC_MESSAGES/*.mo")):
        po = subprocess.run(["msgunfmt", mo], capture_output=True).stdout.decode("utf-8", "replace")
        msgs, cur, in_str = [], [], False
        for line in po.split("\n"):
            if line.startswith("msgstr"):
                in_str, cur = True, [line.split(" ", 1)[1]]
            elif in_str and line.startswith('"'):
                cur.append(line)
            else:
                if in_str and cur:
                    s = "".join(json.loads(x) for x in cur if x.startswith('"'))
                    if len(CJK.findall(s)) > 5:
                        msgs.append(s.strip())
                in_str, cur = False, []
        for i in range(0, len(msgs) - 11, 12):
            docs.append((f"{os.path.basename(mo)[:-3]}#{i // 12}", "\n".join(msgs[i:i + 12])))
    return docs


def units(text):
    return [m.group(0).lower() for m in UNIT.finditer(text)]


def shingles(text, n=5):
    u = units(text)
    return {tuple(u[i:i + n]) for i in range(max(1, len(u) - n + 1))}


def distinct(docs, lang):
    """Leaves out documents that are near copies (Jaccard >= 0.3) of one kept before, with an inverted index."""
    kept, sets, index = [], [], {}
    for doc_id, text in docs:
        s = shingles(text)
        counts = {}
        for g in s:
            for j in index.get(g, ()):
                counts[j] = counts.get(j, 0) + 1
        if any(c / (len(s) + len(sets[j]) - c) >= 0.3 for j, c in counts.items()):
            continue
        for g in s:
            index.setdefault(g, []).append(len(sets))
        sets.append(s)
        kept.append((f"{lang}/{doc_id}", text))
    return kept


def edit(text, rate, pool):
    """Edits `rate` of the units of text: replace (1/2), delete (1/4), insert before (1/4); spacing is kept."""
    spans = [m.span() for m in UNIT.finditer(text)]
    k = max(1, round(rate * len(spans)))
    chosen = set(rng.sample(range(len(spans)), k))
    out, last = [], 0
    for i, (a, b) in enumerate(spans):
        out.append(text[last:a])
        word = text[a:b]
        if i in chosen:
            op = rng.random()
            if op < 0.5:
                word = rng.choice(pool)
            elif op < 0.75:
                word = ""
            else:
                sep = "" if CJK.match(word) else " "
                word = rng.choice(pool) + sep + word
        out.append(word)
        last = b
    out.append(text[last:])
    return "".join(out)


langs = {
    "en": distinct(man_docs("/usr/share/man/man[158]/*.gz", args.en, 1500, False), "en")[: args.en],
    "zh": distinct(man_docs("/usr/share/man/zh_CN/man*/*.gz", args.zh, 800, True), "zh")[: args.zh],
    "th": distinct(thai_docs(), "th"),
}
os.makedirs(args.out, exist_ok=True)
truth, planted = [], []
for lang, docs in langs.items():
    pool = [u for _, t in docs for u in UNIT.findall(t) if (CJK.match(u) is not None) == (lang != "en")]
    copies = args.copies if lang != "th" else args.copies // 3
    sources = rng.sample(range(len(docs)), min(len(docs), 3 * copies))
    for r, rate in enumerate((0.02, 0.05, 0.08)):
        for s in sources[r * copies:(r + 1) * copies]:
            src_id, text = docs[s]
            copy_id = f"{src_id}~{int(rate * 100)}"
            planted.append((copy_id, edit(text, rate, pool)))
            truth.append({"id": copy_id, "source": src_id, "kind": f"{lang}-{int(rate * 100)}%"})
with open(os.path.join(args.out, "corpus.jsonl"), "w", encoding="utf-8") as f:
    for doc_id, text in [d for docs in langs.values() for d in docs] + planted:
        f.write(json.dumps({"id": doc_id, "text": text}, ensure_ascii=False) + "\n")
with open(os.path.join(args.out, "corpus.truth.jsonl"), "w", encoding="utf-8") as f:
    for t in truth:
        f.write(json.dumps(t) + "\n")
stats = " ".join(f"{lang}: {len(docs)} base" for lang, docs in langs.items()) + f", {len(planted)} planted"
open(os.path.join(args.out, "stats.txt"), "w").write(stats + "\n")
print(stats, "->", args.out)
