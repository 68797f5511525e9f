#!/usr/bin/env python3
"""Agreement of DataFlow's quality decisions with datatrove's, per document.

usage: compare.py REF.jsonl OURS.jsonl [--diffs N]
REF: datatrove's decisions ({"id","keep","reason"}, from decisions.py); OURS: DataFlow's (from the quality bench's
`decisions` mode). Prints: documents, keep/drop agreement %, reason agreement % (over documents both drop), and
with --diffs N up to N disagreeing ids with both reasons. Reasons are compared after mapping datatrove's names to
DataFlow's (gopher_short_doc -> gopher_quality.too_few_words, ...)."""
import json, sys

REASONS = {  # datatrove reason -> DataFlow reason
    "dup_para_frac": "gopher_repetition.dup_para_frac", "dup_para_char_frac": "gopher_repetition.dup_para_char_frac",
    "dup_line_frac": "gopher_repetition.dup_line_frac", "dup_line_char_frac": "gopher_repetition.dup_line_char_frac",
    **{f"top_{n}_gram": f"gopher_repetition.top_{n}_gram" for n in range(1, 65)},
    **{f"duplicated_{n}_n_grams": f"gopher_repetition.duplicated_{n}_n_grams" for n in range(1, 65)},
    "gopher_short_doc": "gopher_quality.too_few_words", "gopher_long_doc": "gopher_quality.too_many_words",
    "gopher_below_avg_threshold": "gopher_quality.mean_word_length_low", "gopher_above_avg_threshold": "gopher_quality.mean_word_length_high",
    "gopher_too_many_hashes": "gopher_quality.hash_ratio", "gopher_too_many_ellipsis": "gopher_quality.ellipsis_ratio",
    "gopher_too_many_bullets": "gopher_quality.bullet_lines", "gopher_too_many_end_ellipsis": "gopher_quality.ellipsis_lines",
    "gopher_below_alpha_threshold": "gopher_quality.alpha_words", "gopher_enough_stop_words": "gopher_quality.stop_words",
    "lorem_ipsum": "c4.lorem_ipsum", "curly_bracket": "c4.curly_bracket", "too_few_sentences": "c4.too_few_sentences",
    "line_punct_ratio": "fineweb.line_punct_ratio", "short_line_ratio": "fineweb.short_line_ratio",
    "char_dup_ratio": "fineweb.char_dup_ratio", "list_ratio": "fineweb.list_ratio", "empty": "fineweb.empty",
}

def load(path):
    return {str(d["id"]): d for d in map(json.loads, open(path, encoding="utf-8"))}

ref, ours = load(sys.argv[1]), load(sys.argv[2])
show = int(sys.argv[sys.argv.index("--diffs") + 1]) if "--diffs" in sys.argv else 0
missing = set(ref) ^ set(ours)
if missing:
    sys.exit(f"{len(missing)} ids are in one file only, e.g. {sorted(missing)[:3]}")
agree = both_drop = same_reason = 0
diffs = []
for id_, r in ref.items():
    o = ours[id_]
    if r["keep"] == o["keep"]:
        agree += 1
        if not r["keep"]:
            both_drop += 1
            same_reason += REASONS.get(r["reason"], r["reason"]) == o["reason"]
    else:
        diffs.append((id_, r["reason"], o["reason"]))
n = len(ref)
kept_ref = sum(r["keep"] for r in ref.values()); kept_ours = sum(o["keep"] for o in ours.values())
print(json.dumps({"docs": n, "agree": agree, "agree_pct": round(100 * agree / n, 2), "kept_datatrove": kept_ref, "kept_dataflow": kept_ours,
                  "both_drop": both_drop, "reason_agree_pct": round(100 * same_reason / both_drop, 2) if both_drop else None}))
for d in diffs[:show]:
    print("  diff", json.dumps({"id": d[0], "datatrove": d[1] or "keep", "dataflow": d[2] or "keep"}, ensure_ascii=False))
