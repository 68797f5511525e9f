#!/usr/bin/env python3
"""datatrove's FineWeb rule chain without language ID, the chain of DataFlow's `english` preset:
GopherRepetitionFilter -> GopherQualityFilter -> C4QualityFilter(filter_no_terminal_punct=False) -> FineWebQualityFilter,
first drop wins, C4's line removal passed on to FineWeb (as in datatrove's FineWeb pipeline). Same output as
/work/shared/peers/datatrove/decisions.py. usage: $DT_PY chain.py IN.jsonl > decisions.jsonl (env of env.sh)"""
import json, sys
from datatrove.data import Document
from datatrove.pipeline.filters import C4QualityFilter, FineWebQualityFilter, GopherQualityFilter, GopherRepetitionFilter
from datatrove.utils.word_tokenizers import NLTKTokenizer

tok = NLTKTokenizer("english")
chain = [GopherRepetitionFilter(language=tok), GopherQualityFilter(language=tok),
         C4QualityFilter(filter_no_terminal_punct=False, language=tok), FineWebQualityFilter(language=tok)]
for line in open(sys.argv[1], encoding="utf-8"):
    d = json.loads(line)
    doc = Document(text=d["text"], id=str(d["id"]), metadata={})
    keep, reason = True, None
    for f in chain:
        r = f.filter(doc)
        ok, why = (r if isinstance(r, tuple) else (r, None))
        if not ok:
            keep, reason = False, why or type(f).__name__
            break
    print(json.dumps({"id": d["id"], "keep": keep, "reason": reason}, ensure_ascii=False))
