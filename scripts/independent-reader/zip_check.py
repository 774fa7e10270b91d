#!/usr/bin/env python3
"""Check FORMAT.md §8's rules for zip members' times and modes against crmvault's backup.

    CRMVAULT_PASSPHRASE=... zip_check.py VAULT CRMVAULT

Writes a zip whose members carry an extended timestamp (0x5455), an NTFS time (0x000a), both, none, Unix or DOS
attributes, and a directory; backs it up into VAULT (owner) with label `zip-check`; compares each manifest entry
with what §8 says. Exit 1 on any difference.
"""

import calendar
import json
import os
import struct
import subprocess
import sys
import tempfile
import zipfile

DOS = (2020, 1, 2, 3, 4, 6)
DOS_SECONDS = calendar.timegm(DOS)
NTFS_TICKS = 1700000000 * 10 ** 7 + 1234567 + 116444736000000000


def ut(seconds):
    return struct.pack("<HHBi", 0x5455, 5, 1, seconds)


def ntfs(ticks):
    return struct.pack("<HHI", 0x000a, 32, 0) + struct.pack("<HHQQQ", 1, 24, ticks, 0, 0)


# name, made on Unix, external attributes, extra field, expected (type, mode, mtime, mtimeNanoseconds)
MEMBERS = [
    ("a-ut.txt", True, 0o100640 << 16, ut(1600000000), ("file", 0o640, 1600000000, 0)),
    ("b-ntfs.txt", True, 0o100600 << 16, ntfs(NTFS_TICKS), ("file", 0o600, 1700000000, 123456700)),
    ("c-dos.txt", True, 0o100644 << 16, b"", ("file", 0o644, DOS_SECONDS, 0)),
    ("d-windows.txt", False, 0x20, b"", ("file", 0o644, DOS_SECONDS, 0)),
    ("e-both.txt", True, 0o100644 << 16, ntfs(NTFS_TICKS) + ut(1500000000), ("file", 0o644, 1500000000, 0)),
    ("f-negative.txt", True, 0o104755 << 16, ut(-86400), ("file", 0o4755, -86400, 0)),
    ("g/", False, 0x10, b"", ("directory", 0o755, DOS_SECONDS, 0)),
]


def main(argv):
    if len(argv) != 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    vault, crmvault = argv
    with tempfile.TemporaryDirectory(prefix="zip-check-") as tmp:
        path = os.path.join(tmp, "probe.zip")
        with zipfile.ZipFile(path, "w") as zf:
            for name, unix, attr, extra, _ in MEMBERS:
                info = zipfile.ZipInfo(name, date_time=DOS)
                info.create_system, info.external_attr, info.extra = (3 if unix else 0), attr, extra
                zf.writestr(info, b"" if name.endswith("/") else ("data of %s\n" % name).encode())
        out = subprocess.run([crmvault, "backup", "--vault", vault, "--label", "zip-check", path],
                             stdout=subprocess.PIPE, text=True, check=True).stdout
    sid = out.split("snapshot ")[1].split()[0]
    manifest = json.load(open(os.path.join(vault, "snapshots", sid + ".manifest")))
    got = {e["path"]: (e["type"], e["mode"], e["mtime"], e["mtimeNanoseconds"]) for e in manifest["files"]}
    failures = 0
    for name, _, _, _, expected in MEMBERS:
        actual = got.get(name.rstrip("/"))
        failures += actual != expected
        print("%-16s expected %s got %s %s" % (name, expected, actual, "" if actual == expected else "DIFFERS"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
