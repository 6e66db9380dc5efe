#!/usr/bin/env python3
"""Regenerates tests/fuzz/corpus/: every examples/**/*.toml, plus the manifests and .env texts
written as C++ string literals in tests/manifest/*_test.cpp (adjacent literals joined), one file
each, named by content hash. Run from the repository root; the output is committed."""
import glob
import hashlib
import os
import re

LITERAL = re.compile(r'"((?:[^"\\\n]|\\.)*)"')
RUN = re.compile(r'(?:"(?:[^"\\\n]|\\.)*"\s*)+')
ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "'": "'", "0": "\0"}


def decode(body):
    out, i = [], 0
    while i < len(body):
        c = body[i]
        if c == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            if nxt == "x":
                digits = re.match(r"[0-9A-Fa-f]+", body[i + 2:]).group(0)
                out.append(chr(int(digits, 16)))
                i += 2 + len(digits)
                continue
            out.append(ESCAPES.get(nxt, nxt))
            i += 2
            continue
        out.append(c)
        i += 1
    return "".join(out)


def texts_in(path):
    source = open(path, encoding="utf-8").read()
    for run in RUN.finditer(source):
        text = "".join(decode(m.group(1)) for m in LITERAL.finditer(run.group(0)))
        if "\n" in text and ("=" in text or "[" in text) and ": error:" not in text:
            yield text


def main():
    out_dir = "tests/fuzz/corpus"
    os.makedirs(out_dir, exist_ok=True)
    seeds = [open(p, encoding="utf-8").read()
             for p in sorted(glob.glob("examples/**/*.toml", recursive=True))]
    for path in sorted(glob.glob("tests/manifest/*_test.cpp")):
        seeds.extend(texts_in(path))
    for text in seeds:
        data = text.encode("latin-1" if all(ord(c) < 256 for c in text) else "utf-8",
                           errors="surrogateescape")
        name = hashlib.sha1(data).hexdigest()[:16]
        with open(os.path.join(out_dir, name), "wb") as f:
            f.write(data)
    print(f"{len(set(seeds))} seeds in {out_dir}")


if __name__ == "__main__":
    main()
