#!/usr/bin/env python3
"""Deals the first MB megabytes of a JSONL(.gz) corpus into N JSONL shards of near-equal size (the data-stage benchmark input)."""
import gzip, json, sys

source, out_dir, megabytes, shards = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
opener = gzip.open if source.endswith(".gz") else open
files = [open(f"{out_dir}/part-{i:03d}.jsonl", "w", encoding="utf-8") for i in range(shards)]
sizes = [0] * shards
budget = megabytes * 1e6
with opener(source, "rt", encoding="utf-8") as lines:
    for line in lines:
        doc = json.loads(line)
        text = doc["text"]
        # Books are split into ~200 kB documents so shards can be balanced and tasks stay short.
        for start in range(0, len(text), 200_000):
            if sum(sizes) >= budget:
                break
            target = sizes.index(min(sizes))
            piece = {"id": f"{doc['id']}#{start}", "text": text[start:start + 200_000]}
            encoded = json.dumps(piece, ensure_ascii=False)
            files[target].write(encoded + "\n")
            sizes[target] += len(encoded.encode("utf-8"))
        if sum(sizes) >= budget:
            break
for f in files:
    f.close()
print(f"{shards} shards, {sum(sizes) / 1e6:.1f} MB", file=sys.stderr)
