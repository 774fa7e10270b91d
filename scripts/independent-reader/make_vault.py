#!/usr/bin/env python3
"""Write a whole vault from FORMAT.md alone: init (config, owner key, entry 0) and one backup of a directory.

    CRMVAULT_PASSPHRASE=... make_vault.py EXPORT_DIR VAULT

The vault uses the smallest KDF limits §4.2 allows (opslimit 1, memlimit 8192), the default chunker, one pack of
blocks of at most `blockTarget` bytes, chunk lists for files of more than 256 chunks, and no audit log. Then run
`crmvault verify`, `crmvault verify --deep` and `crmvault restore` on it: they must accept it and restore the export.
Regular files and directories only (no symlinks).
"""

import ctypes
import datetime
import hashlib
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import crmvault_reader as r  # noqa: E402
import forge_check as fc  # noqa: E402
import pack_check as pc  # noqa: E402

r._sodium.crypto_box_keypair.argtypes = [r._buf, r._buf]

CHUNKER = {"algorithm": "fastcdc-gear64-v1", "alignment": "newline", "average": 2048, "maximum": 16384,
           "minimum": 512}
BLOCK_TARGET = 524288


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "xb") as f:
        f.write(data)


def signed(secret, domain, value):
    body = r.canonical(value).encode()
    return body, body + b"\n" + fc.sign(secret, domain, body).hex().encode() + b"\n"


def encrypt(key, nonce, plaintext, ad):
    out = ctypes.create_string_buffer(len(plaintext) + 16)
    n = r._u64(0)
    r._sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(out, ctypes.byref(n), plaintext, len(plaintext), ad, len(ad),
                                                         None, nonce, key)
    return out.raw


class Pack:
    def __init__(self, sealing_public):
        self.key = pc.random_bytes(32)
        sealed = ctypes.create_string_buffer(80)
        r._sodium.crypto_box_seal(sealed, self.key, 32, sealing_public)
        self.parts = [r.PACK_MAGIC, sealed.raw]
        self.pending = []

    def add(self, chunk_id, data):
        self.pending.append((chunk_id, data))
        if sum(len(d) for _, d in self.pending) >= BLOCK_TARGET:
            self.flush()

    def flush(self):
        if not self.pending:
            return
        frame = pc.zstd_frame(b"".join(d for _, d in self.pending))
        nonce = pc.random_bytes(24)
        header = nonce + struct.pack("<II", len(self.pending), len(frame) + 16) + b"".join(
            cid + struct.pack("<I", len(d)) for cid, d in self.pending)
        ciphertext = encrypt(self.key, nonce, frame, b"crmvault block v1\n" + header)
        self.parts += [struct.pack("<I", len(header)), header, ciphertext]
        self.pending = []


def main(argv):
    if len(argv) != 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    export, vault = argv
    passphrase = os.environb[b"CRMVAULT_PASSPHRASE"]
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    sign_pk, sign_sk = ctypes.create_string_buffer(32), ctypes.create_string_buffer(64)
    r._sodium.crypto_sign_keypair(sign_pk, sign_sk)
    box_pk, box_sk = ctypes.create_string_buffer(32), ctypes.create_string_buffer(32)
    r._sodium.crypto_box_keypair(box_pk, box_sk)
    chunk_id_key, digest_key, chunker_key = (pc.random_bytes(32) for _ in range(3))
    vault_id = pc.random_bytes(16).hex()
    os.makedirs(vault)

    # §4.2 owner key
    salt, nonce = pc.random_bytes(16), pc.random_bytes(24)
    key_doc = {"cipher": "xchacha20poly1305-ietf", "ciphertext": "",
               "kdf": {"algorithm": "argon2id13", "memlimit": 8192, "opslimit": 1, "salt": salt.hex()},
               "nonce": nonce.hex(), "sealingKey": box_pk.raw.hex(), "signingKey": sign_pk.raw.hex(),
               "vault": vault_id, "version": 1}
    ad = r.canonical(key_doc).encode()
    bundle = sign_sk.raw + box_sk.raw + chunk_id_key + digest_key + chunker_key
    key = r.pwhash(passphrase, salt, 1, 8192)
    key_doc["ciphertext"] = encrypt(key, nonce, bundle, ad).hex()
    owner_key = (r.canonical(key_doc) + "\n").encode()
    write(os.path.join(vault, "keys", "owner.key"), owner_key)

    # §4.1 config and §9 entry 0
    config = {"blockTarget": BLOCK_TARGET, "chunker": CHUNKER, "compression": {"algorithm": "zstd", "level": 3},
              "created": now, "ownerKeyFile": hashlib.sha256(owner_key).hexdigest(),
              "ownerSealingKey": box_pk.raw.hex(), "ownerSigningKey": sign_pk.raw.hex(), "packTarget": 16 << 20,
              "vault": vault_id, "version": 1}
    config_body, config_file = signed(sign_sk.raw, "crmvault config v1", config)
    write(os.path.join(vault, "config"), config_file)
    common = {"auditCount": 0, "auditHead": "0" * 64, "signer": sign_pk.raw.hex(), "time": now, "vault": vault_id,
              "version": 1}
    init = dict(common, config=hashlib.sha256(config_body).hexdigest(), previous="0" * 64, sequence=0, type="init")
    init_body, init_file = signed(sign_sk.raw, "crmvault chain v1", init)
    write(os.path.join(vault, "chain", "%016d.entry" % 0), init_file)

    # §5-§8 one backup
    gear = r.gear_table(chunker_key)
    pack = Pack(box_pk.raw)
    stored = set()
    prefixes = {}         # first 8 bytes -> the distinct ids stored that begin with them
    written_short = set()

    def store(data):
        ids = []
        start = 0
        for length in r.chunk_lengths(data, CHUNKER, gear):
            piece = data[start:start + length]
            start += length
            cid = r.chunk_id(chunk_id_key, piece)
            if cid not in stored:
                stored.add(cid)
                prefixes.setdefault(cid[:8], set()).add(cid)
                pack.add(cid, piece)
            ids.append(cid)
        return ids

    def chunk_list(ids):
        """§8: a short reference (the first 8 bytes) where they are not zero and begin no other id stored so far,
        else a full one (8 zero bytes, then the id)."""
        out = []
        for cid in ids:
            if cid[:8] != bytes(8) and prefixes[cid[:8]] == {cid}:
                written_short.add(cid)
                out.append(cid[:8])
            else:
                out.append(bytes(8) + cid)
        return b"".join(out)

    entries = []
    for base, dirs, names in os.walk(export):
        dirs.sort()
        for name in dirs + names:
            path = os.path.join(base, name)
            rel = os.path.relpath(path, export)
            st = os.lstat(path)
            entry = {"mode": st.st_mode & 0o7777, "mtime": st.st_mtime_ns // 10 ** 9,
                     "mtimeNanoseconds": st.st_mtime_ns % 10 ** 9, "path": rel}
            if os.path.isdir(path):
                entry["type"] = "directory"
            else:
                data = open(path, "rb").read()
                ids = store(data)
                if len(ids) > 256:
                    content = {"count": len(ids), "list": [x.hex() for x in store(chunk_list(ids))]}
                else:
                    content = {"chunks": [x.hex() for x in ids]}
                digest = r.blake2b_256(digest_key, b"crmvault file digest v1\n" + struct.pack("<Q", len(data)) +
                                       b"".join(ids))
                entry.update(type="file", size=len(data), content=content, digest=digest.hex(),
                             packs=[0] if data else [])
            entries.append(entry)
    pack.flush()
    pack_bytes = b"".join(pack.parts)
    pack_name = hashlib.sha256(pack_bytes).hexdigest()
    write(os.path.join(vault, "packs", pack_name[:2], pack_name + ".pack"), pack_bytes)
    _, blocks = r.parse_pack(pack_bytes)
    body = r.index_body(bytes.fromhex(pack_name), blocks)
    write(os.path.join(vault, "index", pack_name[:2], pack_name + ".index"),
          body + sign_pk.raw + fc.sign(sign_sk.raw, "crmvault pack v1", hashlib.sha256(body).digest()))
    entries.sort(key=lambda e: e["path"].encode())
    files = [e for e in entries if e["type"] == "file"]
    manifest = {"bytesIn": sum(e["size"] for e in files), "files": entries, "label": now[:7], "packs": [pack_name],
                "sealed": "", "source": {"kind": "directory", "name": os.path.basename(os.path.abspath(export))},
                "time": now, "vault": vault_id, "version": 1}
    # an id written short before a later chunk came to begin with the same 8 bytes
    resolve = sorted(cid.hex() for cid in written_short if len(prefixes[cid[:8]]) > 1)
    if resolve:
        manifest["resolve"] = resolve
    manifest_file = (r.canonical(manifest) + "\n").encode()
    sid = hashlib.sha256(manifest_file).hexdigest()
    write(os.path.join(vault, "snapshots", sid + ".manifest"), manifest_file)
    entry = dict(common, bytesIn=manifest["bytesIn"], bytesStored=len(pack_bytes), files=len(files),
                 packs=[pack_name], previous=hashlib.sha256(init_body).hexdigest(),
                 root=r.merkle_root([bytes.fromhex(sid), bytes.fromhex(pack_name)]).hex(), sequence=1,
                 snapshot=sid, type="snapshot")
    write(os.path.join(vault, "chain", "%016d.entry" % 1), signed(sign_sk.raw, "crmvault chain v1", entry)[1])
    print("vault %s: snapshot %s, %d files, pack %s (%d bytes, %d blocks)"
          % (vault_id, sid, len(files), pack_name, len(pack_bytes), len(blocks)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
