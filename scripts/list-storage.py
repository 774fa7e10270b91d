#!/usr/bin/env python3
"""What other ways of storing chunk lists would store, replayed on a kept benchmark vault's real chunk ids.

    B=.build/release/crmvault-bench
    $B --scale 20000 --months 12 --tools crmvault --inputs directories --work W --reuse --keep
    CRMVAULT_PASSPHRASE='bench passphrase' $B --dump-list-ids W/directories/crmvault-vault ids.txt
    scripts/list-storage.py ids.txt [MIN,BITS,MAX ...]

Input: one line per snapshot and chunk-listed file, `number path id,id,...` (hex). Prints per later month the share of
ids that are new for their path, where in the file they are, then for each id-cut rule (a list chunk ends after its
MAX-th id, or after an id from its MIN-th on whose first byte has its BITS low bits clear) the bytes a vault would
add: list chunks not stored before (their bytes plus 88 bytes of block header and index each) and 67 manifest bytes
per list chunk (its quoted hex id and comma) every month. Last, a list delta-encoded against the same path in the
previous snapshot: 32 bytes per new id plus 8 per run of ids copied from the previous list.
"""
import sys
from collections import Counter, defaultdict

PER_STORED_CHUNK = 36 + 52  # block header entry (FORMAT §6) + index record (§7)
PER_MANIFEST_ID = 67        # "hex", in the manifest's `list`


def load(path):
    months = defaultdict(dict)
    for line in open(path):
        number, name, ids = line.rstrip("\n").split(" ", 2)
        months[int(number)][name] = [bytes.fromhex(x) for x in ids.split(",")]
    return [months[n] for n in sorted(months)]


def cut(ids, minimum, bits, maximum):
    chunks, current, mask = [], [], (1 << bits) - 1
    for x in ids:
        current.append(x)
        if len(current) >= maximum or (len(current) >= minimum and x[0] & mask == 0):
            chunks.append(b"".join(current))
            current = []
    if current:
        chunks.append(b"".join(current))
    return chunks


def id_cut_cost(months, rule):
    seen, per_month = set(), []
    for files in months:
        cost = 0
        for ids in files.values():
            chunks = cut(ids, *rule)
            cost += PER_MANIFEST_ID * len(chunks)
            for chunk in chunks:
                if chunk not in seen:
                    seen.add(chunk)
                    cost += len(chunk) + PER_STORED_CHUNK
        per_month.append(cost)
    return per_month


def delta_cost(previous, ids):
    where = {x: i for i, x in enumerate(previous)}
    last, runs, new = -2, 0, 0
    for x in ids:
        j = where.get(x)
        if j is None:
            new, last = new + 1, -2
            continue
        if j != last + 1:
            runs += 1
        last = j
    return 32 * new + 8 * runs + 8


def main():
    months = load(sys.argv[1])
    rules = [tuple(map(int, a.split(","))) for a in sys.argv[2:]]
    rules = rules or [(16, 6, 512), (8, 2, 64), (12, 3, 128), (256, 8, 2048)]
    for m in range(1, len(months)):
        new = total = 0
        tenths = Counter()
        for name, ids in months[m].items():
            before = set(months[m - 1].get(name, []))
            for i, x in enumerate(ids):
                if x not in before:
                    new += 1
                    tenths[10 * i // len(ids)] += 1
            total += len(ids)
        print(f"month {m + 1}: {total} ids, {new / total:.3f} new; new ids by tenth of the file: "
              + " ".join(str(tenths[t]) for t in range(10)))
    later = len(months) - 1
    for rule in rules:
        costs = id_cut_cost(months, rule)
        print(f"id-cut {rule}: month 1 {costs[0] / 1e6:.3f} MB, "
              f"later months {sum(costs[1:]) / later / 1e6:.3f} MB each, "
              f"all {sum(costs) / 1e6:.2f} MB")
    full = sum(32 * len(ids) for files in months[1:] for ids in files.values())
    delta = sum(delta_cost(months[m - 1].get(name, []), ids)
                for m in range(1, len(months)) for name, ids in months[m].items())
    print(f"delta lists, months 2…: {delta / later / 1e6:.3f} MB each "
          f"instead of {full / later / 1e6:.3f} MB of whole lists "
          f"({(full - delta) / 1e6:.2f} MB less in all, before per-chunk metadata)")


if __name__ == "__main__":
    main()
