#!/usr/bin/env python3
"""Seed corpus from Tests/Vectors/*.json: every string that is itself JSON (the vectors'
`input_wire` frames, expected canonical strings, wrapped chunks…), and every object and array
found in the vectors, serialized compactly. Usage: seed-corpus.py VECTOR_DIR OUT_DIR"""
import hashlib, json, os, sys

vectors, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
seeds = set()

def walk(value):
    if isinstance(value, str):
        try:
            json.loads(value)
            seeds.add(value.encode("utf-8", "surrogatepass"))
        except ValueError:
            pass
    elif isinstance(value, dict):
        seeds.add(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8", "surrogatepass"))
        for v in value.values():
            walk(v)
    elif isinstance(value, list):
        seeds.add(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8", "surrogatepass"))
        for v in value:
            walk(v)

for name in sorted(os.listdir(vectors)):
    if name.endswith(".json"):
        with open(os.path.join(vectors, name), "rb") as f:
            raw = f.read()
        walk(json.loads(raw))

for seed in seeds:
    if len(seed) <= 65536:
        with open(os.path.join(out, "vec-" + hashlib.sha1(seed).hexdigest()[:16]), "wb") as f:
            f.write(seed)
print(len(seeds))
