#!/usr/bin/env python3
"""Write packs from FORMAT.md §6-§8 alone and see whether crmvault reads them as the document says.

    CRMVAULT_PASSPHRASE=... pack_check.py VAULT CRMVAULT

Each case copies VAULT (an owner's vault with a `directory` snapshot) and adds, as the owner, a pack holding one
chunk of a new file `zz-forged.txt`, its sealed index, a manifest (the directory snapshot plus that file) and the
snapshot entry claiming the pack. The well-formed case must pass keyless and deep verify and restore byte for byte
with both crmvault and this reader; the others break one rule of §6's zstd frame, which only a key holder can see:
deep verify and both restores must refuse the file.
"""

import copy
import ctypes
import hashlib
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import crmvault_reader as r  # noqa: E402
import forge_check as fc  # noqa: E402

r._sodium.crypto_box_seal.argtypes = [r._buf, r._buf, r._u64, r._buf]
r._sodium.crypto_aead_xchacha20poly1305_ietf_encrypt.argtypes = [
    r._buf, ctypes.POINTER(r._u64), r._buf, r._u64, r._buf, r._u64, ctypes.c_void_p, r._buf, r._buf]
r._sodium.randombytes_buf.argtypes = [r._buf, r._size]
r._zstd.ZSTD_createCCtx.restype = ctypes.c_void_p
r._zstd.ZSTD_CCtx_setParameter.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int]
r._zstd.ZSTD_compress2.argtypes = [ctypes.c_void_p, ctypes.c_void_p, r._size, r._buf, r._size]
r._zstd.ZSTD_compress2.restype = r._size
r._zstd.ZSTD_freeCCtx.argtypes = [ctypes.c_void_p]
ZSTD_C_COMPRESSION_LEVEL, ZSTD_C_CONTENT_SIZE_FLAG = 100, 200

DATA = bytes(range(32, 127)) * 3 + b"\n"     # 286 bytes: at most `minimum`, so one chunk (§5)


def random_bytes(n):
    out = ctypes.create_string_buffer(n)
    r._sodium.randombytes_buf(out, n)
    return out.raw


def zstd_frame(data, level=3, content_size=True):
    cctx = r._zstd.ZSTD_createCCtx()
    r._zstd.ZSTD_CCtx_setParameter(cctx, ZSTD_C_COMPRESSION_LEVEL, level)
    r._zstd.ZSTD_CCtx_setParameter(cctx, ZSTD_C_CONTENT_SIZE_FLAG, 1 if content_size else 0)
    out = ctypes.create_string_buffer(len(data) + 1024)
    n = r._zstd.ZSTD_compress2(cctx, out, len(out), data, len(data))
    r._zstd.ZSTD_freeCCtx(cctx)
    assert not r._zstd.ZSTD_isError(n)
    return out.raw[:n]


def build_pack(sealing_public, chunk_id, frame, size):
    key, nonce = random_bytes(32), random_bytes(24)
    sealed = ctypes.create_string_buffer(80)
    r._sodium.crypto_box_seal(sealed, key, 32, sealing_public)
    header = nonce + struct.pack("<II", 1, len(frame) + 16) + chunk_id + struct.pack("<I", size)
    ad = b"crmvault block v1\n" + header
    ct = ctypes.create_string_buffer(len(frame) + 16)
    ct_len = r._u64(0)
    r._sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(ct, ctypes.byref(ct_len), frame, len(frame), ad, len(ad),
                                                         None, nonce, key)
    return r.PACK_MAGIC + sealed.raw + struct.pack("<I", len(header)) + header + ct.raw


def write_pack(forge, owner, chunk_id, frame, size):
    pack = build_pack(owner.sealing_public, chunk_id, frame, size)
    name = hashlib.sha256(pack).hexdigest()
    os.makedirs(os.path.join(forge.root, "packs", name[:2]), exist_ok=True)
    os.makedirs(os.path.join(forge.root, "index", name[:2]), exist_ok=True)
    open(os.path.join(forge.root, "packs", name[:2], name + ".pack"), "wb").write(pack)
    _, blocks = r.parse_pack(pack)
    body = r.index_body(bytes.fromhex(name), blocks)
    seal = bytes.fromhex(forge.vault.owner) + fc.sign(forge.secret, "crmvault pack v1", hashlib.sha256(body).digest())
    open(os.path.join(forge.root, "index", name[:2], name + ".index"), "wb").write(body + seal)
    return name, len(pack)


def add_forged_file(forge, owner, frame, extra_packs=0):
    """zz-forged.txt in a new pack; with extra_packs, as many more files (other bytes) in packs of their own."""
    _, m = forge.directory_snapshot()
    m = copy.deepcopy(m)
    new = []
    for j in range(1 + extra_packs):
        data = DATA if j == 0 else DATA[:-1] + bytes([48 + j]) + b"\n"
        chunk_id = r.chunk_id(owner.chunk_id_key, data)
        name, size = write_pack(forge, owner, chunk_id, frame if j == 0 else zstd_frame(data), len(data))
        new.append((name, size, data, chunk_id, "zz-forged.txt" if j == 0 else "zz-forged-%d.txt" % j))
    old = m["packs"]
    m["packs"] = sorted(old + [x[0] for x in new])
    for f in m["files"]:
        if f["type"] == "file":
            f["packs"] = sorted(m["packs"].index(old[i]) for i in f["packs"])
    for name, _, data, chunk_id, path in new:
        digest = r.blake2b_256(owner.file_digest_key,
                               b"crmvault file digest v1\n" + struct.pack("<Q", len(data)) + chunk_id)
        fc.add_entry(m, {"content": {"chunks": [chunk_id.hex()]}, "digest": digest.hex(), "mode": 420, "mtime": 0,
                         "mtimeNanoseconds": 0, "packs": [m["packs"].index(name)], "path": path,
                         "size": len(data), "type": "file"})
        m["bytesIn"] += len(data)
    sid = hashlib.sha256((r.canonical(m) + "\n").encode()).hexdigest()
    claimed = sorted(x[0] for x in new)
    return forge.snapshot(m, packs=claimed, bytesStored=sum(x[1] for x in new),
                          root=r.merkle_root([bytes.fromhex(x) for x in [sid] + claimed]).hex())


CASES = [
    ("well-formed-level-3", 0, lambda: zstd_frame(DATA, 3)),
    ("two-packs-one-entry", 0, lambda: zstd_frame(DATA, 3)),        # a Merkle root over 3 leaves
    ("three-packs-one-entry", 0, lambda: zstd_frame(DATA, 3)),      # over 4
    ("four-packs-one-entry", 0, lambda: zstd_frame(DATA, 3)),       # and over 5
    ("well-formed-level-19", 0, lambda: zstd_frame(DATA, 19)),
    ("frame-without-content-size", 1, lambda: zstd_frame(DATA, 3, content_size=False)),
    ("two-frames", 1, lambda: zstd_frame(DATA[:100]) + zstd_frame(DATA[100:])),
    ("skippable-frame-first", 1, lambda: b"\x50\x2a\x4d\x18" + struct.pack("<I", 4) + b"abcd" + zstd_frame(DATA)),
    ("byte-after-frame", 1, lambda: zstd_frame(DATA) + b"\0"),
]


def run(cmd, env=None):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    return p.returncode, [x for x in p.stdout.splitlines() if "zz-forged" in x or "rror" in x][:2]


def main(argv):
    if len(argv) != 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    vault, crmvault = argv
    owner = r.Owner(r.Vault(vault).verify(), os.environb[b"CRMVAULT_PASSPHRASE"])
    differs = 0
    with tempfile.TemporaryDirectory(prefix="packs-") as tmp:
        for name, expected, make in CASES:
            root = os.path.join(tmp, name)
            shutil.copytree(vault, root)
            extra = {"two-packs-one-entry": 1, "three-packs-one-entry": 2, "four-packs-one-entry": 3}.get(name, 0)
            sid = add_forged_file(fc.Forge(root, owner.signing_secret), owner, make(), extra)
            keyless = (run([sys.executable, r.__file__, "verify", root])[0],
                       run([crmvault, "verify", "--vault", root])[0])
            deep, deep_lines = run([crmvault, "verify", "--deep", "--vault", root])
            mine_to, theirs_to = os.path.join(tmp, name + "-mine"), os.path.join(tmp, name + "-theirs")
            mine, mine_lines = run([sys.executable, r.__file__, "restore", root, sid, mine_to])
            theirs, their_lines = run([crmvault, "restore", "--vault", root, "--to", theirs_to, sid[:16]])
            same = subprocess.run(["diff", "-r", mine_to, theirs_to], stdout=subprocess.DEVNULL).returncode == 0
            content = open(os.path.join(mine_to, "zz-forged.txt"), "rb").read() == DATA if expected == 0 else None
            ok = keyless == (0, 0) and deep == expected and mine == expected and theirs == expected and \
                (expected == 1 or (same and content))
            differs += not ok
            print("%-28s keyless %s deep %d restore reader %d crmvault %d same %s %s"
                  % (name, keyless, deep, mine, theirs, same, "" if ok else "DIFFERS"))
            if not ok:
                for line in deep_lines + mine_lines + their_lines:
                    print("    " + line[:220])
    return 1 if differs else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
