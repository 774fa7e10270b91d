#!/usr/bin/env python3
"""Differential check of FORMAT.md's rules: forge owner-signed documents and compare two verifiers' verdicts.

    CRMVAULT_PASSPHRASE=... forge_check.py VAULT CRMVAULT [WORD...]     (WORD: run only the cases it names)

VAULT must be an owner's vault with at least one snapshot entry of a `directory` snapshot (the passphrase opens
its owner signing key). Each case copies VAULT, appends one or more chain entries signed by the owner (and, where the
case needs it, a new manifest), then runs `crmvault_reader.py verify` and `CRMVAULT verify`. The expected verdict
is what FORMAT.md says; a line marked DIFFERS is a place where the document, the reader or crmvault is wrong.
"""

import copy
import ctypes
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import crmvault_reader as r  # noqa: E402

r._sodium.crypto_sign_detached.argtypes = [r._buf, ctypes.c_void_p, r._buf, r._u64, r._buf]


def sign(secret, domain, body):
    out = ctypes.create_string_buffer(64)
    message = domain.encode() + b"\n" + body
    r._sodium.crypto_sign_detached(out, None, message, len(message), secret)
    return out.raw


class Forge:
    def __init__(self, root, secret):
        self.root, self.secret = root, secret
        self.vault = r.Vault(root)
        self.vault.scan_layout()
        self.vault.load_config()
        self.vault.owner_key_bytes = r.safe_read(os.path.join(root, "keys", "owner.key"))
        self.vault.read_chain()
        audit = sorted(os.listdir(os.path.join(root, "audit"))) if os.path.isdir(os.path.join(root, "audit")) else []
        self.audit_count = len(audit)
        self.audit_head = "0" * 64
        if audit:
            body = open(os.path.join(root, "audit", audit[-1]), "rb").read().split(b"\n")[0]
            self.audit_head = hashlib.sha256(body).hexdigest()
        name, body, last = self.vault.entries[-1]
        self.previous = hashlib.sha256(body).hexdigest()
        self.sequence = last["sequence"] + 1
        self.last_time = last["time"]

    def base(self, kind):
        return {"version": 1, "vault": self.vault.config["vault"], "sequence": self.sequence,
                "previous": self.previous, "time": self.last_time, "signer": self.vault.owner, "type": kind,
                "auditCount": self.audit_count, "auditHead": self.audit_head}

    def append(self, entry, raw_body=None):
        body = raw_body if raw_body is not None else r.canonical(entry).encode()
        path = os.path.join(self.root, "chain", "%016d.entry" % self.sequence)
        with open(path, "wb") as f:
            f.write(body + b"\n" + sign(self.secret, "crmvault chain v1", body).hex().encode() + b"\n")
        self.previous = hashlib.sha256(body).hexdigest()
        self.sequence += 1

    def directory_snapshot(self):
        for _, _, v in self.vault.entries:
            if v["type"] == "snapshot":
                data = open(os.path.join(self.root, "snapshots", v["snapshot"] + ".manifest"), "rb").read()
                m = json.loads(data)
                if m["source"]["kind"] == "directory":
                    return v, m
        raise SystemExit("the vault needs a directory snapshot")

    def snapshot(self, manifest=None, raw=None, **overrides):
        """Append a snapshot entry for a (changed) manifest that claims no new pack."""
        data = raw if raw is not None else (r.canonical(manifest) + "\n").encode()
        sid = hashlib.sha256(data).hexdigest()
        open(os.path.join(self.root, "snapshots", sid + ".manifest"), "wb").write(data)
        m = json.loads(data)
        entry = self.base("snapshot")
        entry.update(snapshot=sid, packs=[], bytesStored=0, bytesIn=m.get("bytesIn", 0),
                     files=sum(1 for f in m.get("files", []) if f.get("type") == "file"),
                     root=r.merkle_root([bytes.fromhex(sid)]).hex())
        entry.update(overrides)
        self.append(entry)
        return sid


def manifest_case(change):
    def case(forge):
        _, m = forge.directory_snapshot()
        m = copy.deepcopy(m)
        change(m)
        forge.snapshot(m)
    return case


def first_file(m):
    return next(f for f in m["files"] if f["type"] == "file" and f["size"] > 0)


# (name, expected exit code of a verifier that follows FORMAT.md, case)
CASES = [
    ("label-with-DEL-literal", 0, manifest_case(lambda m: m.update(label="a\x7fb"))),
    ("label-with-U+2028-literal", 0, manifest_case(lambda m: m.update(label="a\u2028b"))),
    ("label-with-control-escaped", 0, manifest_case(lambda m: m.update(label="a\x01b"))),
    ("time-30-february", 1, manifest_case(lambda m: m.update(time="2026-02-30T00:00:00Z"))),
    ("time-lowercase-z", 1, manifest_case(lambda m: m.update(time="2026-02-03T00:00:00z"))),
    ("origin-default", 1, manifest_case(lambda m: m["source"].update(origin="default"))),
    ("origin-empty", 1, manifest_case(lambda m: m["source"].update(origin=""))),
    ("unknown-manifest-key", 1, manifest_case(lambda m: m.update(extra="x"))),
    ("integer-2^53", 1, manifest_case(lambda m: first_file(m).update(mtime=2 ** 53))),
    ("mtime-negative", 0, manifest_case(lambda m: first_file(m).update(mtime=-5))),
    ("path-dot-component", 1, manifest_case(lambda m: first_file(m).update(path="./" + first_file(m)["path"]))),
    ("mode-4096", 1, manifest_case(lambda m: first_file(m).update(mode=4096))),
    ("pack-named-by-no-file", 1, manifest_case(lambda m: [f.update(packs=[]) for f in m["files"]
                                                          if f["type"] == "file"] and None)),
    ("bytesIn-off-by-one", 1, manifest_case(lambda m: m.update(bytesIn=m["bytesIn"] + 1))),
    ("sealed-not-empty", 1, manifest_case(lambda m: m.update(sealed="00"))),
    ("digest-uppercase", 1, manifest_case(lambda m: first_file(m).update(digest=first_file(m)["digest"].upper()))),
]


def case(name, expected):
    def register(fn):
        CASES.append((name, expected, fn))
        return fn
    return register


@case("manifest-not-canonical-spaces", 1)
def _(forge):
    _, m = forge.directory_snapshot()
    forge.snapshot(raw=(json.dumps(m, sort_keys=True) + "\n").encode())


@case("manifest-escaped-slash", 1)
def _(forge):
    _, m = forge.directory_snapshot()
    m = copy.deepcopy(m)
    m["label"] = "a/b"
    forge.snapshot(raw=(r.canonical(m).replace("a/b", "a\\/b") + "\n").encode())


@case("same-snapshot-twice", None)
def _(forge):
    entry, m = forge.directory_snapshot()
    forge.snapshot(m)


def relabeled_case(label, **forge_state):
    """A new snapshot entry (for the directory manifest relabeled) written with the given Forge state."""
    def case(forge):
        _, m = forge.directory_snapshot()
        m = copy.deepcopy(m)
        m["label"] = label
        for key, value in forge_state.items():
            setattr(forge, key, value)
        forge.snapshot(m)
    return case


CASES += [("audit-count-goes-down", None, relabeled_case("audit-down", audit_count=0, audit_head="0" * 64)),
          ("entry-time-before-previous", None, relabeled_case("time-back", last_time="2001-01-01T00:00:00Z"))]


@case("writer-name-empty", None)
def _(forge):
    e = forge.base("authorize-writer")
    e.update(writer="ab" * 32, name="")
    forge.append(e)


@case("writer-name-control", 0)
def _(forge):
    e = forge.base("authorize-writer")
    e.update(writer="cd" * 32, name="evil\x1b[31m")
    forge.append(e)


def drill_case(result, version):
    def case(forge):
        entry, _ = forge.directory_snapshot()
        e = forge.base("drill")
        e.update(snapshot=entry["snapshot"], drill={
            "result": result, "objects": [], "files": 0, "checks": 1, "warnings": 0, "failures": ["x"],
            "milliseconds": {"build": 0, "checks": 0, "restore": 0, "total": 0}, "crmvaultVersion": version})
        forge.append(e)
    return case


CASES += [("drill-pass-with-failures", 1, drill_case("pass", "x")), ("drill-minimal", 0, drill_case("fail", ""))]


@case("snapshot-packs-not-in-manifest", 1)
def _(forge):
    _, m = forge.directory_snapshot()
    m = copy.deepcopy(m)
    m["label"] = "claims"
    forge.snapshot(m, packs=["ee" * 32], bytesStored=0)


@case("entry-files-wrong", 1)
def _(forge):
    _, m = forge.directory_snapshot()
    m = copy.deepcopy(m)
    m["label"] = "files"
    forge.snapshot(m, files=99)


@case("time-year-0000", 1)
def _(forge):
    _, m = forge.directory_snapshot()
    m = copy.deepcopy(m)
    m["time"] = "0000-01-01T00:00:00Z"
    forge.snapshot(m)


r._sodium.crypto_sign_keypair.argtypes = [r._buf, r._buf]


def new_writer(forge, name):
    public, secret = ctypes.create_string_buffer(32), ctypes.create_string_buffer(64)
    r._sodium.crypto_sign_keypair(public, secret)
    e = forge.base("authorize-writer")
    e.update(writer=public.raw.hex(), name=name)
    forge.append(e)
    return public.raw, secret.raw


def append_audit(forge, public, secret):
    audit = os.path.join(forge.root, "audit")
    os.makedirs(audit, exist_ok=True)
    body = r.canonical({"event": {"arguments": ["x"], "host": "h", "operation": "backup", "outcome": "ok",
                                  "time": "2026-11-29T00:00:00Z", "user": "u"},
                        "previous": forge.audit_head, "sequence": forge.audit_count, "signer": public.hex(),
                        "vault": forge.vault.config["vault"], "version": 1}).encode()
    with open(os.path.join(audit, "%016d.entry" % forge.audit_count), "wb") as f:
        f.write(body + b"\n" + sign(secret, "crmvault audit v1", body).hex().encode() + b"\n")


def reseal(forge, pack, secret, public):
    path = os.path.join(forge.root, "index", pack[:2], pack + ".index")
    body = open(path, "rb").read()[:-96]
    seal = public + sign(secret, "crmvault pack v1", hashlib.sha256(body).digest())[:64]
    open(path, "wb").write(body + seal)


@case("audit-by-authorized-writer", 0)
def _(forge):
    append_audit(forge, *new_writer(forge, "auditing-writer"))


@case("audit-by-unknown-key", 1)
def _(forge):
    public, secret = ctypes.create_string_buffer(32), ctypes.create_string_buffer(64)
    r._sodium.crypto_sign_keypair(public, secret)
    append_audit(forge, public.raw, secret.raw)


@case("index-of-owner-pack-sealed-by-other-writer", 1)
def _(forge):
    public, secret = new_writer(forge, "other-writer")
    pack = next(p for p, k in forge.vault.claimer.items() if k == forge.vault.owner)
    reseal(forge, pack, secret, public)


@case("index-of-writer-pack-resealed-by-owner", 0)
def _(forge):
    owner_public = bytes.fromhex(forge.vault.owner)
    packs = [p for p, k in forge.vault.claimer.items() if k != forge.vault.owner]
    if packs:
        reseal(forge, packs[0], forge.secret, owner_public)


def add_entry(m, entry):
    m["files"].append(entry)
    m["files"].sort(key=lambda f: f["path"].encode())


@case("file-is-parent-of-another", 1)
def _(forge):
    _, m = forge.directory_snapshot()
    m = copy.deepcopy(m)
    f = first_file(m)
    add_entry(m, {"mode": 420, "mtime": 0, "mtimeNanoseconds": 0, "path": f["path"] + "/x", "type": "directory"})
    forge.snapshot(m)


@case("symlink-absolute-target", 0)
def _(forge):
    _, m = forge.directory_snapshot()
    m = copy.deepcopy(m)
    add_entry(m, {"mode": 511, "mtime": 0, "mtimeNanoseconds": 0, "path": "zz-abs", "target": "/etc/passwd",
                  "type": "symlink"})
    forge.snapshot(m)


@case("symlink-mode-not-777", 1)
def _(forge):
    _, m = forge.directory_snapshot()
    m = copy.deepcopy(m)
    add_entry(m, {"mode": 420, "mtime": 0, "mtimeNanoseconds": 0, "path": "zz-l", "target": "a", "type": "symlink"})
    forge.snapshot(m)


@case("directory-with-size", 1)
def _(forge):
    _, m = forge.directory_snapshot()
    m = copy.deepcopy(m)
    add_entry(m, {"mode": 493, "mtime": 0, "mtimeNanoseconds": 0, "path": "zz-d", "size": 0, "type": "directory"})
    forge.snapshot(m)


@case("chunk-list-form-for-few-chunks", 1)
def _(forge):
    _, m = forge.directory_snapshot()
    m = copy.deepcopy(m)
    f = next(f for f in m["files"] if f["type"] == "file" and len(f["content"].get("chunks", [])) >= 2)
    ids = f["content"]["chunks"]
    f["content"] = {"count": len(ids), "list": ids[:1]}     # count <= 256: the list form is not allowed
    forge.snapshot(m)


@case("empty-file-with-chunks-key", 0)
def _(forge):
    _, m = forge.directory_snapshot()
    m = copy.deepcopy(m)
    add_entry(m, {"content": {"chunks": []}, "digest": "00" * 32, "mode": 420, "mtime": 0, "mtimeNanoseconds": 0,
                  "packs": [], "path": "zz-empty", "size": 0, "type": "file"})
    forge.snapshot(m)


def run(cmd):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = [x for x in p.stdout.splitlines() if "PROBLEM" in x or "break" in x or "rror" in x or "WARN" in x]
    return p.returncode, lines[:2]


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    vault, crmvault = argv[:2]
    owner = r.Owner(r.Vault(vault).verify(), os.environb[b"CRMVAULT_PASSPHRASE"])
    secret = owner.signing_secret
    differs = 0
    with tempfile.TemporaryDirectory(prefix="forge-") as tmp:
        for name, expected, fn in CASES:
            if argv[2:] and not any(word in name for word in argv[2:]):
                continue
            root = os.path.join(tmp, name)
            shutil.copytree(vault, root)
            fn(Forge(root, secret))
            mine, mine_lines = run([sys.executable, r.__file__, "verify", root])
            theirs, their_lines = run([crmvault, "verify", "--vault", root])
            agree = mine == theirs and (expected is None or mine == expected)
            differs += not agree
            print("%-34s expected %-4s reader %d crmvault %d %s" % (name, expected, mine, theirs,
                                                                  "" if agree else "DIFFERS"))
            if not agree or expected is None:
                for line in mine_lines + their_lines:
                    print("    " + line[:220])
    return 1 if differs else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
