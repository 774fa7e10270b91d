#!/usr/bin/env python3
"""Tamper with copies of a vault and check that the independent reader's verify (and, if given, crmvault's) fails.

    tamper_check.py VAULT [CRMVAULT]

Each case copies VAULT into a temporary directory, changes one thing, and runs `crmvault_reader.py verify`
(and `CRMVAULT verify --vault COPY` when CRMVAULT is given). A case passes when every verifier exits 1 (0 for the
leftover cases).
The intact copy must pass (exit 0) first. Exit 0 when every case passes.
"""

import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
READER = os.path.join(HERE, "crmvault_reader.py")


def files(root, folder):
    found = []
    for base, _, names in os.walk(os.path.join(root, folder)):
        found += [os.path.join(base, n) for n in names]
    return sorted(found)


def flip(path, at=None):
    data = bytearray(open(path, "rb").read())
    i = len(data) // 2 if at is None else at % len(data)
    data[i] ^= 0x01
    open(path, "wb").write(bytes(data))


def case_pack(v):
    flip(files(v, "packs")[0])


def case_pack_stray(v):
    open(files(v, "packs")[0], "ab").write(b"\0")


def case_manifest(v):
    flip(files(v, "snapshots")[0])


def case_chain_body(v):
    flip(files(v, "chain")[1], 40)


def case_chain_signature(v):
    flip(files(v, "chain")[1], -10)


def case_chain_signature_uppercase(v):
    path = files(v, "chain")[-1]
    body, sig, _ = open(path, "rb").read().split(b"\n")
    open(path, "wb").write(body + b"\n" + sig.upper() + b"\n")


def case_chain_gap(v):
    os.unlink(files(v, "chain")[1])


def case_index_record(v):
    flip(files(v, "index")[0], 50)


def case_index_seal(v):
    path = files(v, "index")[0]
    data = open(path, "rb").read()
    open(path, "wb").write(data[:-96])


def case_index_missing(v):
    os.unlink(files(v, "index")[0])


def case_unknown_file(v):
    open(os.path.join(v, "notes.txt"), "w").write("x")


def case_symlink(v):
    pack = files(v, "packs")[0]
    os.symlink("/etc/passwd", os.path.join(os.path.dirname(pack), os.path.basename(pack)[:2] + "0" * 62 + ".pack"))


def case_wrong_folder(v):
    pack = files(v, "packs")[0]
    name = os.path.basename(pack)
    other = "00" if name[:2] != "00" else "01"
    os.makedirs(os.path.join(v, "packs", other), exist_ok=True)
    os.rename(pack, os.path.join(v, "packs", other, name))


def case_audit(v):
    entries = files(v, "audit")
    if not entries:
        return "skipped: no audit log"
    flip(entries[0], 30)


def case_audit_truncated(v):
    """Drop the newest audit entry a chain entry recorded (and those after it)."""
    counts = [int(open(path, "rb").read().split(b'"auditCount":')[1].split(b",")[0]) for path in files(v, "chain")]
    if max(counts) < 1:
        return "skipped: no chain entry recorded an audit entry"
    for path in files(v, "audit")[max(counts) - 1:]:
        os.unlink(path)


def case_owner_key(v):
    flip(os.path.join(v, "keys", "owner.key"), 30)


def case_config(v):
    flip(os.path.join(v, "config"), 20)


def case_stray_manifest(v):
    open(os.path.join(v, "snapshots", "ab" * 32 + ".manifest"), "w").write("{}\n")


def case_leftovers_of_a_lost_entry(v):
    """The newest entry lost: its pack, index and manifest are leftovers (§9 rules 1 and 3), not problems."""
    entries = files(v, "chain")
    last = open(entries[-1], "rb").read()
    if b'"type":"snapshot"' not in last or b'"packs":[]' in last:
        return "skipped: the newest entry claims no pack"
    os.unlink(entries[-1])
    return EXPECT_OK


def case_tmp_file(v):
    os.makedirs(os.path.join(v, "tmp"), exist_ok=True)
    open(os.path.join(v, "tmp", "0123456789abcdef.tmp"), "w").write("partial")
    return EXPECT_OK


EXPECT_OK = "expect-ok"
CASES = [(name[5:], fn) for name, fn in sorted(globals().items()) if name.startswith("case_")]


def run(cmd):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True).returncode


def verifiers(copy, crmvault):
    codes = {"reader": run([sys.executable, READER, "verify", copy])}
    if crmvault:
        codes["crmvault"] = run([crmvault, "verify", "--vault", copy])
    return codes


def main(argv):
    if len(argv) not in (1, 2):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    vault, crmvault = argv[0], (argv[1] if len(argv) == 2 else None)
    failures = 0
    with tempfile.TemporaryDirectory(prefix="tamper-") as tmp:
        copy = os.path.join(tmp, "vault")
        shutil.copytree(vault, copy, symlinks=True)
        intact = verifiers(copy, crmvault)
        print("intact: %s" % intact)
        if any(intact.values()):
            return 1
        for name, fn in CASES:
            shutil.rmtree(copy)
            shutil.copytree(vault, copy, symlinks=True)
            note = fn(copy)
            expected = 0 if note == EXPECT_OK else 1
            if note and note != EXPECT_OK:
                print("%-28s %s" % (name, note))
                continue
            codes = verifiers(copy, crmvault)
            ok = all(code == expected for code in codes.values())
            failures += not ok
            print("%-28s %s %s" % (name, "ok" if ok else "FAILED", codes))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
