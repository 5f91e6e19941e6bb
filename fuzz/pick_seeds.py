#!/usr/bin/env python3
"""Picks the seeds of one cargo-fuzz target (fuzz/seeds/<target>/) from its grown corpus by
the coverage of our own code only.

libFuzzer's own minimisation (-merge=1, cargo fuzz cmin) keeps every input that adds any
feature anywhere: an edge in serde_json's number parser, a hit count, a compared value. That
kept thousands of inputs per target. Here only the edges whose code lies in our crates
(crates/tokenkeeper-*/) count:

1. the fuzz binary runs every input once: libFuzzer's -set_cover_merge=1 with
   -merge_control_file writes every input's features to that file (each feature below
   8 x the number of edges is 8 x the edge's index in the binary's PC table + a hit-count
   bucket);
2. this script reads the PC table (the ELF section __sancov_pcs) and asks llvm-symbolizer for
   each edge's source file (its innermost inlined frame): the edges in crates/tokenkeeper-*/
   are ours, those of the standard library, serde_json and other dependencies are not, even
   where they were inlined into our functions;
3. a greedy set cover: take the input that covers the most of our edges not yet covered
   (ties: the smaller input, then the name), until every edge of ours the inputs reach is
   covered, then drop any chosen input the others make redundant; if that is fewer than --min inputs, add the inputs that bring the most new
   (edge of ours, hit-count bucket) pairs until there are --min.

Usage: pick_seeds.py BINARY CONTROL_FILE OUT_DIR [--min N] [--max N]
scripts/fuzz.sh --reseed runs the merge and then this; it prints one line of figures.
OUT_DIR's files are replaced by the chosen inputs, each named by its SHA-1 as libFuzzer does.
"""

import argparse
import hashlib
import os
import re
import shutil
import struct
import subprocess
import sys

OURS = re.compile(r"(^|/)crates/tokenkeeper-[^/]+/")


def pc_table(binary):
    """The PCs of the binary's sanitizer-coverage edges, in libFuzzer's order (ELF64, LE)."""
    with open(binary, "rb") as f:
        elf = f.read()
    if elf[:4] != b"\x7fELF" or elf[4] != 2 or elf[5] != 1:
        sys.exit(f"{binary}: not a 64-bit little-endian ELF file")
    (shoff,) = struct.unpack_from("<Q", elf, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", elf, 0x3A)
    sections = []
    for i in range(shnum):
        name, kind, _flags, addr, offset, size = struct.unpack_from(
            "<IIQQQQ", elf, shoff + i * shentsize
        )
        sections.append((name, kind, addr, offset, size))
    strtab = sections[shstrndx][3]

    def name_of(section):
        start = strtab + section[0]
        return elf[start : elf.index(b"\0", start)].decode()

    pcs = next((s for s in sections if name_of(s) == "__sancov_pcs"), None)
    if pcs is None:
        sys.exit(f"{binary}: no __sancov_pcs section (not a cargo-fuzz build?)")
    _, _, addr, offset, size = pcs
    # Entries are (PC, flags). In a position-independent executable the PCs are filled in at
    # load time by R_X86_64_RELATIVE relocations (type 8), whose addend is the PC.
    relocated = {}
    for section in sections:
        if section[1] == 4:  # SHT_RELA
            for at in range(section[3], section[3] + section[4], 24):
                r_offset, r_info, r_addend = struct.unpack_from("<QQq", elf, at)
                if r_info & 0xFFFFFFFF == 8 and addr <= r_offset < addr + size:
                    relocated[r_offset] = r_addend
    table = []
    for i in range(size // 16):
        (raw,) = struct.unpack_from("<Q", elf, offset + 16 * i)
        table.append(relocated.get(addr + 16 * i, raw))
    return table


def source_files(binary, pcs):
    """The source file of each PC's innermost frame, from llvm-symbolizer."""
    symbolizer = shutil.which("llvm-symbolizer") or sys.exit(
        "llvm-symbolizer is needed (apt install llvm)"
    )
    out = subprocess.run(
        [symbolizer, f"--obj={binary}", "--functions=none", "--inlines"],
        input="".join(f"0x{pc:x}\n" for pc in pcs),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    # One block per address, frames innermost first, blocks separated by an empty line.
    blocks = out.split("\n\n")
    files = []
    for block in blocks[: len(pcs)]:
        first = block.strip().split("\n")[0]
        files.append(first.rsplit(":", 2)[0])
    if len(files) != len(pcs):
        sys.exit("llvm-symbolizer answered for fewer addresses than asked")
    return files


def control_file(path):
    """The inputs of a merge's control file, and for each input index its features."""
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        lines = f.read().split("\n")
    count = int(lines[0])
    names = lines[2 : 2 + count]
    features = {}
    for line in lines[2 + count :]:
        if line.startswith("FT "):
            parts = line.split()
            features[int(parts[1])] = [int(x) for x in parts[2:]]
    return names, features


def greedy_cover(sets, size, names, chosen=()):
    """Adds to `chosen` the inputs that cover most of what the chosen ones do not, until the
    union of all `sets` is covered."""
    chosen = list(chosen)
    covered = set().union(*(sets[i] for i in chosen))
    reached = set().union(*sets.values())
    while covered != reached:
        best = max(
            (i for i in sets if i not in chosen),
            key=lambda i: (len(sets[i] - covered), -size[i], names[i]),
        )
        chosen.append(best)
        covered |= sets[best]
    return chosen, reached


def prune(chosen, sets):
    """Drops, last chosen first, every input whose part the others cover all the same."""
    for i in reversed(chosen[:]):
        others = [j for j in chosen if j != i]
        if others and sets[i] <= set().union(*(sets[j] for j in others)):
            chosen = others
    return chosen


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument(
        "control", help="control file of -set_cover_merge=1 (with counters)"
    )
    ap.add_argument("out")
    ap.add_argument("--min", type=int, default=10)
    ap.add_argument("--max", type=int, default=150)
    args = ap.parse_args()

    pcs = pc_table(args.binary)
    ours = {i for i, f in enumerate(source_files(args.binary, pcs)) if OURS.search(f)}
    names, features = control_file(args.control)
    # The same input may be in the corpus and in the seeds: read each content once.
    data, seen = {}, set()
    for i in sorted(features):
        with open(names[i], "rb") as f:
            content = f.read()
        if content not in seen:
            seen.add(content)
            data[i] = content
    features = {i: fs for i, fs in features.items() if i in data}
    size = {i: len(data[i]) for i in features}
    # Features past 8 x the edges are libFuzzer's stack-depth feature: not coverage.
    buckets = {
        i: {f for f in fs if f < 8 * len(pcs) and f // 8 in ours}
        for i, fs in features.items()
    }
    edges = {i: {f // 8 for f in fs} for i, fs in buckets.items()}

    chosen, reached = greedy_cover(edges, size, names)
    chosen = prune(chosen, edges)
    cover_len = len(chosen)
    if len(chosen) < args.min:
        # Too few: the inputs that add the most (edge, hit-count bucket) pairs of ours.
        more, _ = greedy_cover(buckets, size, names, chosen)
        rest = sorted(
            (i for i in features if i not in more), key=lambda i: (size[i], names[i])
        )
        chosen = (more + rest)[: args.min]
    if len(chosen) > args.max:
        sys.exit(f"{len(chosen)} inputs are needed to cover our edges, more than --max")

    os.makedirs(args.out, exist_ok=True)
    for old in os.listdir(args.out):
        os.remove(os.path.join(args.out, old))
    for i in chosen:
        with open(os.path.join(args.out, hashlib.sha1(data[i]).hexdigest()), "wb") as f:
            f.write(data[i])
    more = len(chosen) - cover_len
    print(
        f"{len(data)} inputs reach {len(reached)} of our {len(ours)} edges (of {len(pcs)} "
        f"instrumented): {cover_len} seeds cover them"
        + (f", {more} more for hit counts" if more > 0 else "")
    )


if __name__ == "__main__":
    main()
