#!/usr/bin/env bash
# Builds labelled text for fastText classifier tests from Debian-package text, in fastText's format
# ("__label__X text", one example per line, whitespace runs collapsed, every line ending in a newline).
#   scripts/make-classifier-fixtures.sh OUT_DIR [PAGES_PER_LANGUAGE]
# Writes to OUT_DIR:
#   lang.train, lang.test        language labels: paragraphs of the man pages of Debian's manpages (en) and
#                                manpages-{de,fr,es,nl,pl,sv,cs,ja,ru,hu,fi} packages, rendered with `man -l`;
#                                pages sorted by path, every fifth page goes to test (no page is in both)
#   doctype.train, doctype.test  document-type labels from /usr/share/doc: changelog (changelog.Debian.gz
#                                entries), copyright (paragraphs of copyright files), readme (README* paragraphs);
#                                packages sorted by name, every fifth package goes to test
# Deterministic for a given set of installed packages. Installs the manpages-* packages with apt when missing (root).
set -euo pipefail
out=${1:?usage: make-classifier-fixtures.sh OUT_DIR [PAGES_PER_LANGUAGE]}
pages=${2:-24}
langs=(de fr es nl pl sv cs ja ru hu fi)
missing=()
for l in "${langs[@]}"; do dpkg -s "manpages-$l" >/dev/null 2>&1 || missing+=("manpages-$l"); done
dpkg -s manpages >/dev/null 2>&1 || missing+=(manpages)
if ((${#missing[@]})); then
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${missing[@]}" man-db >/dev/null
fi
mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# One rendered page per file: $work/pages/LANG/NNNN.txt (rendered in parallel: man is slow to start).
for pkg in manpages "${langs[@]/#/manpages-}"; do
  lang=${pkg#manpages-}; [[ $pkg == manpages ]] && lang=en
  mkdir -p "$work/pages/$lang"
  n=0
  while read -r page && ((n < pages)); do
    [[ -f $page && ! -L $page ]] || continue
    # A page that only includes another (.so) renders as nothing useful: skip it.
    zcat -f "$page" | head -c 200 | grep -q '^\.so ' && continue
    printf '%s\t%s\n' "$page" "$work/pages/$lang/$(printf %04d $n).txt"
    n=$((n + 1))
  done < <(dpkg -L "$pkg" | grep -E '/man/([a-z_A-Z]+/)?man[0-9]/[^/]+\.gz$' | LC_ALL=C sort)
done >"$work/pages.tsv"
tr '\t' '\n' <"$work/pages.tsv" | xargs -d '\n' -n 2 -P 4 sh -c 'MANWIDTH=2000 man -E UTF-8 -l "$0" >"$1" 2>/dev/null || true'

/usr/bin/python3 - "$work" "$out" <<'PY'
import gzip, os, re, sys
work, out = sys.argv[1], sys.argv[2]

def paragraphs(text, min_words=6):
    """Blank-line separated blocks, whitespace collapsed; blocks of at least min_words words."""
    for block in re.split(r"\n\s*\n", text):
        words = block.split()
        if len(words) >= min_words and "</s>" not in block:
            yield " ".join(words)

def write(name, rows):
    with open(os.path.join(out, name), "w", encoding="utf-8", newline="\n") as f:
        for label, text in rows:
            f.write(f"__label__{label} {text}\n")

train, test = [], []
for lang in sorted(os.listdir(os.path.join(work, "pages"))):
    folder = os.path.join(work, "pages", lang)
    for i, page in enumerate(sorted(os.listdir(folder))):
        with open(os.path.join(folder, page), encoding="utf-8", errors="replace") as f:
            lines = f.read().splitlines()
        # Drop the running header and footer lines of the rendered page.
        body = "\n".join(lines[1:-1])
        # At most 25 paragraphs a page, so that a few long pages do not outweigh a language.
        (test if i % 5 == 4 else train).extend((lang, p) for p in list(paragraphs(body))[:25])
write("lang.train", train)
write("lang.test", test)

def read(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8", errors="replace") as f:
        return f.read()

doc = "/usr/share/doc"
train, test = [], []
for i, pkg in enumerate(sorted(os.listdir(doc))):
    folder = os.path.join(doc, pkg)
    if not os.path.isdir(folder) or os.path.islink(folder):
        continue
    rows = []
    changelog = os.path.join(folder, "changelog.Debian.gz")
    if os.path.isfile(changelog):
        # One entry: the lines between a "pkg (version) dist; urgency" header and its " -- maintainer" trailer.
        for entry in re.findall(r"^\S.*?\n(.*?)\n -- ", read(changelog), flags=re.S | re.M)[:3]:
            rows += [("changelog", p) for p in paragraphs(entry)]
    copyright = os.path.join(folder, "copyright")
    if os.path.isfile(copyright):
        rows += [("copyright", p) for p in list(paragraphs(read(copyright)))[:6]]
    for name in sorted(os.listdir(folder)):
        if name.startswith("README") and os.path.isfile(os.path.join(folder, name)):
            rows += [("readme", p) for p in list(paragraphs(read(os.path.join(folder, name))))[:6]]
            break
    (test if i % 5 == 4 else train).extend(rows)
write("doctype.train", train)
write("doctype.test", test)
PY
wc -l "$out"/*.train "$out"/*.test >&2
