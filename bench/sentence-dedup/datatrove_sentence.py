#!/usr/bin/env python3
"""datatrove side of the sentence-dedup bench (run from source: ../shared/peers/datatrove/setup.sh, then source env.sh).

usage: datatrove_sentence.py INPUT_JSONL OUT_DIR

SentenceDedupSignature -> SentenceFindDedups -> JsonlReader + SentenceDedupFilter -> JsonlWriter, datatrove 0.10's
defaults (SentDedupConfig: 3 sentences, split_sentences, min_doc_words 50, min_num_sentences 3, xxhash64), English
NLTK tokenizer (Punkt model from make-punkt.py), LocalPipelineExecutor(tasks=1, workers=1), the three stages one after
the other in this one process. Kept documents go to OUT_DIR/out/00000.jsonl. The input file must be alone in its folder
(Debian's fsspec breaks datatrove's glob). Prints 'RESULT {json}' with datatrove's own counts.
"""
import json
import os
import sys
import time

t0 = time.time()
inp, out = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])

import fsspec_compat  # noqa: E402,F401  (peers shims/: old-fsspec glob fix)
from datatrove.executor.local import LocalPipelineExecutor  # noqa: E402
from datatrove.pipeline.dedup.sentence_dedup import (  # noqa: E402
    SentDedupConfig,
    SentenceDedupFilter,
    SentenceDedupSignature,
    SentenceFindDedups,
)
from datatrove.pipeline.readers import JsonlReader  # noqa: E402
from datatrove.pipeline.writers import JsonlWriter  # noqa: E402
from datatrove.utils.word_tokenizers import NLTKTokenizer  # noqa: E402

# datatrove's English default is spaCy, not installable here: its own NLTK tokenizer, as the peers' pipelines.py uses
tokenizer = NLTKTokenizer("english")

in_dir, in_name = os.path.split(inp)
others = [f for f in os.listdir(in_dir) if f != in_name]
assert not others, f"{in_dir} must hold only {in_name}, also has {others}"
os.makedirs(out, exist_ok=True)
cfg = SentDedupConfig()
sig, dups = os.path.join(out, "sigs"), os.path.join(out, "dups")


def run(name, pipeline):
    LocalPipelineExecutor(pipeline=pipeline, tasks=1, workers=1, logging_dir=os.path.join(out, "logs", name)).run()
    with open(os.path.join(out, "logs", name, "stats.json")) as f:
        return json.load(f)


run("1-signatures", [JsonlReader(in_dir, recursive=False), SentenceDedupSignature(output_folder=sig, config=cfg, language=tokenizer)])
run("2-find", [SentenceFindDedups(data_folder=sig, output_folder=dups, config=cfg)])
st = run("3-filter", [JsonlReader(in_dir, recursive=False), SentenceDedupFilter(data_folder=dups, config=cfg, language=tokenizer),
                      JsonlWriter(os.path.join(out, "out"), output_filename="00000.jsonl", compression=None)])
res = {"config": str(cfg)}
for s in st:
    for k in ("total", "forwarded", "dropped", "removed_sentences", "original_sentences"):
        v = s["stats"].get(k)
        if v is not None:
            res[f'{s["name"]}.{k}'] = v.get("total", v.get("n")) if isinstance(v, dict) else v
res["seconds_in_process"] = round(time.time() - t0, 3)
print("RESULT " + json.dumps(res))
