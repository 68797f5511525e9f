#!/usr/bin/env python3
"""Builds the quality tests' committed fixtures from Debian-package text (deterministic: sorted choices, gzip mtime 0).

  kept-text.jsonl.gz       files as written, for the "kept text is the input, byte for byte" tests: code with
                           indentation and tabs, TSV, CRLF files, trailing spaces, man page sources, /etc files.
                           {"id": path, "text": file content}
  langid-manpages.jsonl.gz translated man pages rendered to text (man -l), several per language; "lang" is the
                           language of the package directory (/usr/share/man/LANG), an independent label. Pages
                           with more than 20 % of their 6-word runs in the English page (partial translations)
                           are left out, so the label is the language of the text.
                           {"id": "LANG/page", "text": ..., "lang": ISO 639-1}

Needs: apt-get install man-db groff-base manpages manpages-fr manpages-de manpages-pl manpages-es manpages-it
       manpages-ja manpages-zh manpages-ru manpages-pt-br manpages-nl manpages-tr manpages-sv manpages-cs
       manpages-fi manpages-hu manpages-uk manpages-vi manpages-id manpages-ro manpages-da
       (Debian ships no Tagalog man pages or documentation, so Tagalog is not in the set.)
Usage: scripts/make-text-fixtures.py [OUT_DIR]   (default tests/DataFlow.Tests/Fixtures)
"""
import glob, gzip, io, json, os, re, subprocess, sys

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "tests", "DataFlow.Tests", "Fixtures")

# Files as written; each brings one of: code indentation, tabs, TSV, CRLF, trailing spaces, roff source.
KEPT_FILES = [
    "/usr/share/doc/python3-colorama/examples/demo09.py",      # CRLF, indented Python
    "/usr/share/doc/liblerc4/NOTICE",                           # CRLF prose
    "/usr/share/zoneinfo/zone1970.tab",                         # TSV with comment header
    "/usr/share/zoneinfo/iso3166.tab",                          # TSV
    "/usr/share/doc/libevent-dev/examples/http-server.c",       # C, tab indentation
    "/usr/share/doc/libevent-dev/examples/Makefile.sample",     # Makefile tabs
    "/usr/share/doc/bc/examples/primes.b",                      # indented bc code
    "/usr/share/doc/apt/examples/configure-index",              # nested config, trailing spaces
    "/usr/share/doc/adduser/examples/adduser.conf",             # commented config
    "/usr/share/doc/gnupg/examples/pwpattern.list",             # tabs, trailing spaces
    "/etc/services",                                            # tab-separated table
    "/etc/protocols",                                           # tab-separated table
    "/usr/share/man/man1/ls.1.gz",                              # roff source
    "/usr/share/man/man5/passwd.5.gz",                          # roff source
]

# Directory under /usr/share/man -> ISO 639-1 code.
LANGS = {
    "": "en", "fr": "fr", "de": "de", "pl": "pl", "es": "es", "it": "it", "ja": "ja", "zh_CN": "zh", "ru": "ru",
    "pt_BR": "pt", "nl": "nl", "tr": "tr", "sv": "sv", "cs": "cs", "fi": "fi", "hu": "hu", "uk": "uk", "vi": "vi",
    "id": "id", "ro": "ro", "da": "da", "ko": "ko",
}
PER_LANGUAGE = 6
UNTRANSLATED = 0.2   # a page with more than this fraction of its 6-word runs in the English page is left out
MIN_CHARS, MAX_CHARS = 2500, 8000


def read(path):
    data = open(path, "rb").read()
    if path.endswith(".gz"):
        data = gzip.decompress(data)
    return data.decode("utf-8")


def render(path, cut=True):
    env = dict(os.environ, LANG="C.UTF-8", LC_ALL="C.UTF-8", MANWIDTH="90", MAN_KEEP_FORMATTING="")
    out = subprocess.run(["man", "-E", "UTF-8", "-l", path], env=env, capture_output=True, check=True).stdout
    text = subprocess.run(["col", "-bx"], input=out, capture_output=True, check=True).stdout.decode("utf-8")
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    if cut and len(text) > MAX_CHARS:   # cut at a paragraph break so no document ends mid-sentence
        cut = text.rfind("\n\n", 0, MAX_CHARS)
        text = text[: cut if cut > MAX_CHARS // 2 else MAX_CHARS]
    return text


def untranslated(text, path):
    """Fraction of the page's 6-word shingles found in the English page of the same name (0 when none); words,
    not lines, so the translation's different line wrapping does not hide untranslated paragraphs."""
    name = os.path.basename(path)
    section = os.path.basename(os.path.dirname(path))
    english = os.path.join("/usr/share/man", section, name)
    if not os.path.exists(english):
        return 0.0
    try:
        original = shingles(render(english, cut=False))
    except (subprocess.CalledProcessError, UnicodeDecodeError):
        return 0.0
    mine = shingles(text)
    return len(mine & original) / max(1, len(mine))


def shingles(text, n=6):
    words = text.split()
    return {" ".join(words[i:i + n]) for i in range(len(words) - n + 1)}


def write(name, records):
    os.makedirs(OUT, exist_ok=True)
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0) as gz:
        for r in records:
            gz.write((json.dumps(r, ensure_ascii=False) + "\n").encode("utf-8"))
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(buf.getvalue())
    print(f"{name}: {len(records)} documents, {len(buf.getvalue()):,} bytes")


def main():
    kept = [{"id": p, "text": read(p)} for p in KEPT_FILES if os.path.exists(p)]
    write("kept-text.jsonl.gz", kept)

    pages, seen = [], set()
    for directory, code in LANGS.items():
        root = os.path.join("/usr/share/man", directory)
        files = sorted(f for s in ("1", "5", "7", "8") for f in glob.glob(os.path.join(root, f"man{s}", "*.gz")))
        chosen = 0
        for f in files:
            try:
                text = render(f)
            except (subprocess.CalledProcessError, UnicodeDecodeError):
                continue
            if len(text) < MIN_CHARS or text in seen:   # aliases (atq, atrm -> at) render the same page
                continue
            if directory and untranslated(text, f) > UNTRANSLATED:   # the label must be the text's language
                continue
            seen.add(text)
            pages.append({"id": f"{directory or 'en'}/{os.path.basename(f)[:-3]}", "text": text, "lang": code})
            chosen += 1
            if chosen == PER_LANGUAGE:
                break
        print(f"  {code}: {chosen} pages from {root}", file=sys.stderr)
    write("langid-manpages.jsonl.gz", pages)


if __name__ == "__main__":
    main()
