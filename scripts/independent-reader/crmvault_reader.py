#!/usr/bin/env python3
"""An independent reader of crmvault vaults, written from docs/FORMAT.md alone.

    crmvault_reader.py verify VAULT [--trust FINGERPRINT] [--checkpoint FILE]...
                                                         keyless checks (exit 0 ok, 1 problems, 2 usage)
    crmvault_reader.py restore VAULT SNAPSHOT TARGET [--check-chunking]
                                                         owner restore; passphrase in $CRMVAULT_PASSPHRASE;
                                                         --check-chunking re-cuts every file with §5 and compares

Standard library plus libsodium and libzstd through ctypes. See README.md for what it checks.
"""

import ctypes
import datetime
import hashlib
import hmac
import json
import os
import re
import stat
import struct
import sys

# ---------------------------------------------------------------- C libraries

_sodium = ctypes.CDLL("libsodium.so.23")
_zstd = ctypes.CDLL("libzstd.so.1")
if _sodium.sodium_init() < 0:
    raise SystemExit("libsodium failed to initialise")

_u64 = ctypes.c_ulonglong
_size = ctypes.c_size_t
_buf = ctypes.c_char_p
_sodium.crypto_sign_verify_detached.argtypes = [_buf, _buf, _u64, _buf]
_sodium.crypto_box_seal_open.argtypes = [_buf, _buf, _u64, _buf, _buf]
_sodium.crypto_aead_xchacha20poly1305_ietf_decrypt.argtypes = [
    _buf, ctypes.POINTER(_u64), _buf, _buf, _u64, _buf, _u64, _buf, _buf]
_sodium.crypto_pwhash.argtypes = [_buf, _u64, _buf, _u64, _buf, _u64, _size, ctypes.c_int]
_sodium.crypto_generichash.argtypes = [_buf, _size, _buf, _u64, _buf, _size]
_sodium.crypto_scalarmult_base.argtypes = [_buf, _buf]
_sodium.sodium_memzero.argtypes = [ctypes.c_void_p, _size]
_sodium.crypto_stream_chacha20.argtypes = [_buf, _u64, _buf, _buf]
_zstd.ZSTD_getFrameContentSize.argtypes = [_buf, _size]
_zstd.ZSTD_getFrameContentSize.restype = _u64
_zstd.ZSTD_findFrameCompressedSize.argtypes = [_buf, _size]
_zstd.ZSTD_findFrameCompressedSize.restype = _size
_zstd.ZSTD_isError.argtypes = [_size]
_zstd.ZSTD_decompress.argtypes = [ctypes.c_void_p, _size, _buf, _size]
_zstd.ZSTD_decompress.restype = _size
ARGON2ID13 = 2


def ed25519_ok(public_key, message, signature):
    if len(public_key) != 32 or len(signature) != 64:
        return False
    return _sodium.crypto_sign_verify_detached(signature, message, len(message), public_key) == 0


def blake2b_256(key, message):
    out = ctypes.create_string_buffer(32)
    _sodium.crypto_generichash(out, 32, message, len(message), key, len(key))
    return out.raw


def chunk_id(key, chunk):
    """§4.3: HMAC-SHA-256 of the chunk's plaintext under the chunk-id key."""
    return hmac.new(key, chunk, hashlib.sha256).digest()


def seal_open(sealed, public_key, secret_key):
    if len(sealed) < 48:
        return None
    out = ctypes.create_string_buffer(len(sealed) - 48)
    if _sodium.crypto_box_seal_open(out, sealed, len(sealed), public_key, secret_key) != 0:
        return None
    return out.raw


def xchacha_open(key, nonce, ciphertext, ad):
    if len(ciphertext) < 16:
        return None
    out = ctypes.create_string_buffer(len(ciphertext) - 16 or 1)
    out_len = _u64(0)
    rc = _sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
        out, ctypes.byref(out_len), None, ciphertext, len(ciphertext), ad, len(ad), nonce, key)
    return None if rc != 0 else out.raw[:out_len.value]


def pwhash(passphrase, salt, opslimit, memlimit):
    out = ctypes.create_string_buffer(32)
    if _sodium.crypto_pwhash(out, 32, passphrase, len(passphrase), salt, opslimit, memlimit, ARGON2ID13) != 0:
        raise ReaderError("the key derivation failed (out of memory?)", 5)
    return out.raw


ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


def zstd_single_frame(frame, expected_size):
    """Decompress exactly one zstd data frame whose header gives expected_size; None when it is anything else."""
    if frame[:4] != ZSTD_MAGIC:
        return None
    if _zstd.ZSTD_findFrameCompressedSize(frame, len(frame)) != len(frame):
        return None
    if _zstd.ZSTD_getFrameContentSize(frame, len(frame)) != expected_size:
        return None
    out = ctypes.create_string_buffer(expected_size or 1)
    got = _zstd.ZSTD_decompress(out, expected_size, frame, len(frame))
    if _zstd.ZSTD_isError(got) or got != expected_size:
        return None
    return out.raw[:expected_size]


# ---------------------------------------------------------------- encodings (FORMAT.md §2)

class ReaderError(Exception):
    def __init__(self, message, code=1):
        super().__init__(message)
        self.code = code


class FormatViolation(Exception):
    """A rule of FORMAT.md broken by a document: section and sentence."""

    def __init__(self, section, message):
        super().__init__(message)
        self.section = section


def sha256(data):
    return hashlib.sha256(data).digest()


HEX_RE = {}


def is_hex(value, nbytes):
    pattern = HEX_RE.setdefault(nbytes, re.compile("[0-9a-f]{%d}" % (2 * nbytes)))
    return isinstance(value, str) and pattern.fullmatch(value) is not None


TIME_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z")


def is_time(value):
    if not isinstance(value, str) or len(value) != 20:
        return False
    m = TIME_RE.fullmatch(value)
    if not m:
        return False
    y, mo, d, h, mi, s = (int(g) for g in m.groups())
    try:
        datetime.datetime(y, mo, d, h, mi, s)
    except ValueError:
        return False
    return y >= 1


SHORT_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def canonical_string(s):
    """§2: exactly `"` `\\` and five controls as short escapes, the other controls as \\u00xx, the rest literally."""
    return '"' + "".join(SHORT_ESCAPES.get(ch) or ("\\u%04x" % ord(ch) if ord(ch) < 0x20 else ch) for ch in s) + '"'


def canonical(value):
    if isinstance(value, dict):
        keys = sorted(value, key=lambda k: k.encode("utf-8"))
        return "{" + ",".join(canonical_string(k) + ":" + canonical(value[k]) for k in keys) + "}"
    if isinstance(value, list):
        return "[" + ",".join(canonical(v) for v in value) + "]"
    if isinstance(value, str):
        return canonical_string(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise ValueError("not a version 1 JSON value")


MAX_INT = 2 ** 53


def _depth(value, level=1):
    if level > 32:
        return False
    if isinstance(value, dict):
        return all(_depth(v, level + 1) for v in value.values())
    if isinstance(value, list):
        return all(_depth(v, level + 1) for v in value)
    return True


def parse_canonical(data):
    """Parse bytes that must be exactly canonical JSON (§2); raises FormatViolation('2', ...)."""
    try:
        text = data.decode("utf-8", errors="strict")
    except UnicodeDecodeError:
        raise FormatViolation("2", "is not valid UTF-8")

    def pairs(items):
        obj = {}
        for k, v in items:
            if k in obj:
                raise FormatViolation("2", "holds the key %s twice" % json.dumps(k))
            obj[k] = v
        return obj

    def bad_constant(name):
        raise FormatViolation("2", "holds %s, which version 1 documents never hold" % name)

    def bad_float(s):
        raise FormatViolation("2", "holds the number %s, which is not an integer" % s)

    try:
        value = json.loads(text, object_pairs_hook=pairs, parse_constant=bad_constant, parse_float=bad_float)
    except FormatViolation:
        raise
    except (ValueError, RecursionError) as error:
        raise FormatViolation("2", "is not JSON (%s)" % str(error).split(":")[0])
    if not _depth(value):
        raise FormatViolation("2", "nests deeper than 32")

    def walk(v):
        if isinstance(v, bool) or v is None:
            bad_constant(str(v))
        if isinstance(v, int) and not -MAX_INT < v < MAX_INT:
            raise FormatViolation("2", "holds an integer outside (-2^53, 2^53)")
        if isinstance(v, str) and any(0xD800 <= ord(c) <= 0xDFFF for c in v):
            raise FormatViolation("2", "holds an unpaired surrogate")
        if isinstance(v, dict):
            for x in v.values():
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)

    walk(value)
    if canonical(value).encode("utf-8") != data:
        raise FormatViolation("2", "is not canonical JSON (its bytes differ from the canonical encoding)")
    return value


def parse_signed(data, domain):
    """A signed document (§2): returns (body bytes, body value, signature bytes)."""
    if not data.endswith(b"\n") or data.count(b"\n") != 2:
        raise FormatViolation("2", "is not exactly two lines each ending in a newline")
    body, sig_hex, _ = data.split(b"\n")
    sig_text = sig_hex.decode("ascii", errors="replace")
    if not is_hex(sig_text, 64):
        raise FormatViolation("2", "line 2 is not a signature of 128 lowercase hex digits")
    value = parse_canonical(body)
    return body, value, bytes.fromhex(sig_text)


def signed_ok(public_key, domain, body, signature):
    return ed25519_ok(public_key, domain.encode("ascii") + b"\n" + body, signature)


def is_count(v, low=0, high=MAX_INT - 1):
    return isinstance(v, int) and not isinstance(v, bool) and low <= v <= high


def check_keys(value, required, optional, section, what):
    if not isinstance(value, dict):
        raise FormatViolation(section, "%s is not a JSON object" % what)
    for k in value:
        if k not in required and k not in optional:
            raise FormatViolation(section, "%s holds the key %s, which this version does not know"
                                  % (what, json.dumps(k)))
    for k in required:
        if k not in value:
            raise FormatViolation(section, "%s lacks the key %s" % (what, json.dumps(k)))


def escaped(text):
    """Terminal-safe rendering of a value from outside."""
    return "".join(ch if ch.isprintable() and ch not in "\\" else repr(ch)[1:-1] if ch != "\\" else "\\\\"
                   for ch in text)


def safe_read(path, limit=None):
    """Open without following links; regular files only; bounded by the bytes actually read."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0))
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise ReaderError("%s is not a regular file" % escaped(path))
        if limit is not None and st.st_size > limit:
            raise ReaderError("%s is larger than %d bytes" % (escaped(path), limit))
        chunks = []
        while True:
            b = os.read(fd, 1 << 20)
            if not b:
                break
            chunks.append(b)
        return b"".join(chunks)
    finally:
        os.close(fd)


# ---------------------------------------------------------------- shapes

def check_config(v):
    check_keys(v, ["version", "vault", "created", "ownerSigningKey", "ownerSealingKey", "ownerKeyFile", "chunker",
                   "compression", "blockTarget", "packTarget"], [], "4.1", "config")
    if v["version"] != 1:
        raise FormatViolation("13", "config has version %r: use a newer reader" % (v["version"],))
    for k, n in (("vault", 16), ("ownerSigningKey", 32), ("ownerSealingKey", 32), ("ownerKeyFile", 32)):
        if not is_hex(v[k], n):
            raise FormatViolation("4.1", "config %s is not %d bytes of lowercase hex" % (k, n))
    if not is_time(v["created"]):
        raise FormatViolation("4.1", "config created is not a time (§2)")
    c = v["chunker"]
    check_keys(c, ["algorithm", "alignment", "average", "maximum", "minimum"], [], "4.1", "config chunker")
    if c["algorithm"] != "fastcdc-gear64-v1" or c["alignment"] not in ("newline", "none"):
        raise FormatViolation("4.1", "config chunker has an unknown algorithm or alignment")
    if not all(is_count(c[k]) for k in ("average", "maximum", "minimum")) or not (
            64 <= c["minimum"] < c["average"] < c["maximum"] <= 16 << 20) or c["average"] & (c["average"] - 1):
        raise FormatViolation("4.1", "config chunker sizes break 64 <= minimum < average < maximum <= 16 MiB, "
                                     "average a power of two")
    z = v["compression"]
    check_keys(z, ["algorithm", "level"], [], "4.1", "config compression")
    if z["algorithm"] != "zstd" or not is_count(z["level"], 1, 22):
        raise FormatViolation("4.1", "config compression is not zstd at a level 1 to 22")
    if not is_count(v["blockTarget"], 1) or v["blockTarget"] - 1 + c["maximum"] > 63 << 20:
        raise FormatViolation("4.1", "config blockTarget is out of range")
    if not is_count(v["packTarget"], 1):
        raise FormatViolation("4.1", "config packTarget is out of range")


def check_owner_key(v, config):
    check_keys(v, ["cipher", "ciphertext", "kdf", "nonce", "sealingKey", "signingKey", "vault", "version"], [],
               "4.2", "keys/owner.key")
    if v["version"] != 1:
        raise FormatViolation("13", "keys/owner.key has version %r" % (v["version"],))
    if v["cipher"] != "xchacha20poly1305-ietf":
        raise FormatViolation("4.2", "keys/owner.key names an unknown cipher")
    if not is_hex(v["ciphertext"], 208) or not is_hex(v["nonce"], 24):
        raise FormatViolation("4.2", "keys/owner.key ciphertext or nonce has the wrong length")
    k = v["kdf"]
    check_keys(k, ["algorithm", "memlimit", "opslimit", "salt"], [], "4.2", "keys/owner.key kdf")
    if k["algorithm"] != "argon2id13" or not is_count(k["opslimit"], 1, 64) or \
            not is_count(k["memlimit"], 8192, 4 << 30) or not is_hex(k["salt"], 16):
        raise FormatViolation("4.2", "keys/owner.key kdf parameters are out of range")
    if v["sealingKey"] != config["ownerSealingKey"] or v["signingKey"] != config["ownerSigningKey"] or \
            v["vault"] != config["vault"]:
        raise FormatViolation("4.2", "keys/owner.key does not hold the config's public keys and vault id")


COMMON_KEYS = ["version", "vault", "sequence", "previous", "time", "signer", "type", "auditCount", "auditHead"]
TYPE_KEYS = {
    "init": ["config"],
    "authorize-writer": ["writer", "name"],
    "snapshot": ["snapshot", "packs", "root", "files", "bytesIn", "bytesStored"],
    "drill": ["snapshot", "drill"],
}


def check_drill(d):
    check_keys(d, ["result", "objects", "files", "checks", "warnings", "failures", "milliseconds",
                   "crmvaultVersion"], [], "9.1", "drill")
    if d["result"] not in ("pass", "fail"):
        raise FormatViolation("9.1", "drill result is neither pass nor fail")
    if not isinstance(d["objects"], list):
        raise FormatViolation("9.1", "drill objects is not an array")
    for i, o in enumerate(d["objects"]):
        check_keys(o, ["digest", "name", "records", "rows"], ["vendorRecords"], "9.1", "drill objects[%d]" % i)
        if not is_hex(o["digest"], 32) or not isinstance(o["name"], str) or not all(
                is_count(o[k]) for k in ("records", "rows")) or ("vendorRecords" in o and
                                                                 not is_count(o["vendorRecords"])):
            raise FormatViolation("9.1", "drill objects[%d] has a value of the wrong kind" % i)
    for k in ("files", "checks", "warnings"):
        if not is_count(d[k]):
            raise FormatViolation("9.1", "drill %s is not a count" % k)
    f = d["failures"]
    if not isinstance(f, list) or len(f) > 20 or not all(isinstance(s, str) and len(s) <= 300 for s in f):
        raise FormatViolation("9.1", "drill failures is not at most 20 sentences of at most 300 characters")
    if d["result"] == "pass" and f:
        raise FormatViolation("9.1", "drill passed but lists failures")
    check_keys(d["milliseconds"], ["build", "checks", "restore", "total"], [], "9.1", "drill milliseconds")
    if not all(is_count(x) for x in d["milliseconds"].values()):
        raise FormatViolation("9.1", "drill milliseconds holds a value that is not a count")
    if not isinstance(d["crmvaultVersion"], str):
        raise FormatViolation("9.1", "drill crmvaultVersion is not a string")


def check_chain_shape(v):
    if not isinstance(v, dict):
        raise FormatViolation("9", "the body is not a JSON object")
    if "version" in v and v["version"] != 1:
        raise FormatViolation("13", "has version %r" % (v["version"],))
    t = v.get("type")
    if t not in TYPE_KEYS:
        raise FormatViolation("9", "has an unknown type %s" % json.dumps(t)[:40])
    check_keys(v, COMMON_KEYS + TYPE_KEYS[t], [], "9", "the entry")
    if not is_hex(v["vault"], 16) or not is_count(v["sequence"]) or not is_hex(v["previous"], 32) or \
            not is_time(v["time"]) or not is_hex(v["signer"], 32) or not is_count(v["auditCount"]) or \
            not is_hex(v["auditHead"], 32):
        raise FormatViolation("9", "a common key has a value of the wrong kind")
    if (v["auditCount"] == 0) != (v["auditHead"] == "0" * 64):
        raise FormatViolation("9", "auditHead is 64 zeros but auditCount is not 0, or the reverse")
    if t == "init" and not is_hex(v["config"], 32):
        raise FormatViolation("9", "config is not a hash")
    if t == "authorize-writer" and (not is_hex(v["writer"], 32) or not isinstance(v["name"], str)):
        raise FormatViolation("9", "writer or name has a value of the wrong kind")
    if t == "snapshot":
        if not is_hex(v["snapshot"], 32) or not is_hex(v["root"], 32) or not isinstance(v["packs"], list) or \
                not all(is_hex(p, 32) for p in v["packs"]) or \
                not all(is_count(v[k]) for k in ("files", "bytesIn", "bytesStored")):
            raise FormatViolation("9", "a snapshot key has a value of the wrong kind")
        if v["packs"] != sorted(set(v["packs"])):
            raise FormatViolation("9", "packs is not sorted without repeats")
        if not v["packs"] and v["bytesStored"] != 0:
            raise FormatViolation("9", "bytesStored is not 0 with no packs")
    if t == "drill":
        if not is_hex(v["snapshot"], 32):
            raise FormatViolation("9", "snapshot is not a snapshot id")
        check_drill(v["drill"])


def merkle_root(leaves):
    if len(leaves) == 1:
        return sha256(b"\x00" + leaves[0])
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return sha256(b"\x01" + merkle_root(leaves[:k]) + merkle_root(leaves[k:]))


def check_path(p):
    if not isinstance(p, str) or not p or "\x00" in p or p.startswith("/") or p.endswith("/"):
        return False
    return all(c not in ("", ".", "..") for c in p.split("/"))


def check_manifest(m, config):
    """Whole-manifest rules (§8); returns a list of (index, FormatViolation) for file entries refused alone."""
    check_keys(m, ["version", "vault", "time", "label", "source", "files", "packs", "bytesIn", "sealed"], ["resolve"],
               "8", "the manifest")
    if m["version"] != 1:
        raise FormatViolation("13", "has version %r" % (m["version"],))
    if m["vault"] != config["vault"]:
        raise FormatViolation("8", "belongs to vault %s" % escaped(str(m["vault"]))[:40])
    if not is_time(m["time"]) or not isinstance(m["label"], str):
        raise FormatViolation("8", "time or label has a value of the wrong kind")
    s = m["source"]
    check_keys(s, ["kind", "name"], ["origin"], "8", "source")
    if s["kind"] not in ("directory", "file", "zip") or not isinstance(s["name"], str):
        raise FormatViolation("8", "source kind or name is wrong")
    if "origin" in s and (not isinstance(s["origin"], str) or s["origin"] in ("", "default")):
        raise FormatViolation("8", "source origin is empty or default")
    if not isinstance(m["packs"], list) or not all(is_hex(p, 32) for p in m["packs"]) or \
            m["packs"] != sorted(set(m["packs"])):
        raise FormatViolation("8", "packs is not a sorted list of pack names without repeats")
    if "resolve" in m:
        r = m["resolve"]
        if not isinstance(r, list) or not r or not all(is_hex(x, 32) for x in r) or r != sorted(set(r)):
            raise FormatViolation("8", "resolve is not a non-empty sorted list of chunk ids without repeats")
        if len({x[:16] for x in r}) != len(r):
            raise FormatViolation("8", "two ids of resolve begin with the same 8 bytes")
    if not isinstance(m["files"], list):
        raise FormatViolation("8", "files is not an array")
    paths = []
    for i, f in enumerate(m["files"]):
        if not isinstance(f, dict) or not isinstance(f.get("path"), str):
            raise FormatViolation("8", "files[%d] has no path" % i)
        paths.append(f["path"].encode("utf-8"))
    if paths != sorted(set(paths)):
        raise FormatViolation("8", "files are not sorted by path, or a path occurs twice")
    if not is_count(m["bytesIn"]):
        raise FormatViolation("8", "bytesIn is not a count")
    total = sum(f["size"] for f in m["files"] if f.get("type") == "file" and is_count(f.get("size")))
    if total != m["bytesIn"]:
        raise FormatViolation("8", "bytesIn %d is not the sum of the file sizes (%d)" % (m["bytesIn"], total))
    if s["kind"] == "zip":
        if not isinstance(m["sealed"], str) or len(m["sealed"]) <= 96 or len(m["sealed"]) % 2 or \
                re.fullmatch("[0-9a-f]*", m["sealed"]) is None:
            raise FormatViolation("8", "sealed is not the hex of a sealed box longer than 48 bytes")
    elif m["sealed"] != "":
        raise FormatViolation("8", "sealed is not empty for a %s" % s["kind"])
    used = set()
    for f in m["files"]:
        if isinstance(f, dict) and isinstance(f.get("packs"), list):
            used.update(x for x in f["packs"] if is_count(x) and x < len(m["packs"]))
    if used != set(range(len(m["packs"]))):
        raise FormatViolation("8", "a pack of packs is named by no file")
    refused = []
    directories = set()
    for p in paths:
        parts = p.split(b"/")
        for j in range(1, len(parts)):
            directories.add(b"/".join(parts[:j]))
    maximum = config["chunker"]["maximum"]
    for i, f in enumerate(m["files"]):
        try:
            check_file_entry(f, len(m["packs"]), maximum, f["path"].encode("utf-8") in directories)
        except FormatViolation as v:
            refused.append((i, v))
    return refused


def ceil_div(a, b):
    return -(-a // b)


def is_list_length(length, count):
    """§8: a chunk list of `count` references, each 8 bytes (short) or 40 (8 zero bytes, then the id)."""
    return 8 * count <= length <= 40 * count and (length - 8 * count) % 32 == 0


def check_file_entry(f, pack_count, maximum, is_parent):
    where = "files[%s] (%s)" % ("%d", escaped(f.get("path", ""))[:80])
    t = f.get("type")
    base = ["mode", "mtime", "mtimeNanoseconds", "path", "type"]
    extra = {"file": ["content", "digest", "packs", "size"], "symlink": ["target"], "directory": []}
    if t not in extra:
        raise FormatViolation("8", "type is not file, directory or symlink")
    check_keys(f, base + extra[t], [], "8", "the file entry")
    if not check_path(f["path"]):
        raise FormatViolation("8", "path is not a relative, normalized path")
    if is_parent and t != "directory":
        raise FormatViolation("8", "is the parent of another entry but not a directory")
    if not is_count(f["mode"], 0, 4095):
        raise FormatViolation("8", "mode is not 0 to 4095")
    if not isinstance(f["mtime"], int) or not is_count(f["mtimeNanoseconds"], 0, 999999999):
        raise FormatViolation("8", "mtime or mtimeNanoseconds is out of range")
    if t == "symlink":
        if f["mode"] != 511:
            raise FormatViolation("8", "a symlink's mode is not 0o777")
        if not isinstance(f["target"], str) or not f["target"] or "\x00" in f["target"]:
            raise FormatViolation("8", "target is empty, not a string or holds NUL")
    if t != "file":
        return
    if not is_count(f["size"]) or not is_hex(f["digest"], 32):
        raise FormatViolation("8", "size or digest has a value of the wrong kind")
    packs = f["packs"]
    if not isinstance(packs, list) or not all(is_count(x) and x < pack_count for x in packs) or \
            packs != sorted(set(packs)):
        raise FormatViolation("8", "packs are not sorted indexes into the manifest's packs without repeats")
    if (not packs) != (f["size"] == 0):
        raise FormatViolation("8", "packs is empty but size is not 0, or the reverse")
    c = f["content"]
    size = f["size"]
    if isinstance(c, dict) and "chunks" in c:
        check_keys(c, ["chunks"], [], "8", "content")
        if not isinstance(c["chunks"], list) or not all(is_hex(x, 32) for x in c["chunks"]) or len(c["chunks"]) > 256:
            raise FormatViolation("8", "content chunks is not at most 256 chunk ids")
        n = len(c["chunks"])
    else:
        check_keys(c, ["count", "list"], [], "8", "content")
        n = c["count"]
        if not is_count(n, 257) or not isinstance(c["list"], list) or not all(is_hex(x, 32) for x in c["list"]):
            raise FormatViolation("8", "content count is not above 256, or list is not chunk ids")
        if not ceil_div(8 * n, maximum) <= len(c["list"]) <= 40 * n:
            raise FormatViolation("8", "the chunk list has %d chunks for %d references" % (len(c["list"]), n))
    if not ceil_div(size, maximum) <= n <= size:
        raise FormatViolation("8", "%d chunks cannot hold %d bytes" % (n, size))


# ---------------------------------------------------------------- packs and indexes (§6, §7)

PACK_MAGIC = b"CRMVPK01"
INDEX_MAGIC = b"CRMVIX01"
MiB = 1 << 20


class Block:
    __slots__ = ("offset", "length", "header", "nonce", "entries", "ciphertext_at", "ciphertext_length")


def parse_pack(data):
    """Parse a pack's structure (§6); returns (sealed key, [Block]) or raises FormatViolation('6', ...)."""
    if data[:8] != PACK_MAGIC:
        raise FormatViolation("13", "does not start with the pack magic CRMVPK01 (unknown version?)")
    if len(data) < 88:
        raise FormatViolation("6", "is shorter than its header")
    sealed = data[8:88]
    at = 88
    blocks, ids, nonces, total = [], set(), set(), 0
    while at < len(data):
        if len(data) - at < 4:
            raise FormatViolation("6", "has %d stray bytes at %d" % (len(data) - at, at))
        (hlen,) = struct.unpack_from("<I", data, at)
        if hlen < 32 + 36 or (hlen - 32) % 36 or at + 4 + hlen > len(data):
            raise FormatViolation("6", "block at %d has a header length %d that is impossible" % (at, hlen))
        header = data[at + 4: at + 4 + hlen]
        nonce = header[:24]
        count, clen = struct.unpack_from("<II", header, 24)
        if hlen != 32 + 36 * count or not 1 <= count <= 65536:
            raise FormatViolation("6", "block at %d: headerLength is not 32 + 36 x chunkCount (1..65536)" % at)
        if not 16 <= clen <= 64 * MiB + 16 or at + 4 + hlen + clen > len(data):
            raise FormatViolation("6", "block at %d: ciphertextLength %d is out of range or past the end" % (at, clen))
        entries, plain = [], 0
        for j in range(count):
            cid = header[32 + 36 * j: 64 + 36 * j]
            (plen,) = struct.unpack_from("<I", header, 64 + 36 * j)
            if not 1 <= plen <= 16 * MiB:
                raise FormatViolation("6", "block at %d: a plaintextLength is out of range" % at)
            plain += plen
            if cid in ids:
                raise FormatViolation("6", "holds the chunk id %s twice" % cid.hex())
            ids.add(cid)
            entries.append((cid, plen))
        if plain > 64 * MiB:
            raise FormatViolation("6", "block at %d holds more than 64 MiB of plaintext" % at)
        if nonce in nonces:
            raise FormatViolation("6", "block at %d reuses a nonce" % at)
        nonces.add(nonce)
        total += count
        if total > 1 << 20:
            raise FormatViolation("6", "holds more than 2^20 chunks")
        b = Block()
        b.offset, b.length, b.header, b.nonce, b.entries = at, 4 + hlen + clen, header, nonce, entries
        b.ciphertext_at, b.ciphertext_length = at + 4 + hlen, clen
        blocks.append(b)
        at += 4 + hlen + clen
    if not blocks:
        raise FormatViolation("6", "holds no block")
    return sealed, blocks


def index_body(pack_name, blocks):
    records = []
    for b in blocks:
        off = 0
        for cid, plen in b.entries:
            records.append(cid + struct.pack("<QIII", b.offset, b.length, off, plen))
            off += plen
    return INDEX_MAGIC + pack_name + struct.pack("<I", len(records)) + b"".join(records)


def parse_index(data, pack_name):
    """Check an index's form (§7); returns (body, signer, signature)."""
    if data[:8] != INDEX_MAGIC:
        raise FormatViolation("13", "does not start with the index magic CRMVIX01 (unknown version?)")
    if len(data) < 44 + 96:
        raise FormatViolation("7", "is shorter than an index with its seal (it carries no seal)")
    (count,) = struct.unpack_from("<I", data, 40)
    if len(data) != 44 + 52 * count + 96:
        raise FormatViolation("7", "is %d bytes, not 44 + 52 x %d + 96 (no seal, or stray bytes)" % (len(data), count))
    if data[8:40] != pack_name:
        raise FormatViolation("7", "names another pack than its file name")
    body = data[:-96]
    return body, data[-96:-64], data[-64:]


def seal_ok(body, signer, signature):
    return ed25519_ok(signer, b"crmvault pack v1\n" + sha256(body), signature)


# ---------------------------------------------------------------- the vault

NAME16 = re.compile(r"\d{16}\.entry")
HEX2 = re.compile(r"[0-9a-f]{2}")


def kind_of(mode):
    for test, name in ((stat.S_ISLNK, "a symbolic link"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISDIR, "a directory"), (stat.S_ISREG, "a regular file")):
        if test(mode):
            return name
    return "something unknown"


class Vault:
    def __init__(self, root):
        self.root = root
        self.problems = []
        self.warnings = []
        self.leftovers = []
        self.config = None
        self.config_body = None
        self.entries = []          # (name, body bytes, value) in sequence order, only well-formed ones
        self.writers = {}          # public key hex -> name
        self.claimer = {}          # pack name hex -> signer hex of the claiming entry
        self.claim_size = {}       # pack name hex -> bytesStored of the claiming entry (§10, "Pack sizes")
        self.snapshots = {}        # snapshot id -> chain entry value
        self.layout = {}           # relative path -> kind, for files of the known folders
        self.owner_key_bytes = None

    # -- reporting
    def problem(self, path, message, section=None, signer=None):
        text = escaped(path) + " "
        if section:
            text += "breaks FORMAT.md §%s: " % section
        text += message
        if signer:
            text += " (signed by %s)" % self.signer_name(signer)
        self.problems.append(text)

    def signer_name(self, key_hex):
        if self.config and key_hex == self.config["ownerSigningKey"]:
            return "owner"
        if key_hex in self.writers:
            return "writer " + escaped(self.writers[key_hex])
        return "unknown key " + key_hex[:16]

    def path(self, rel):
        return os.path.join(self.root, rel)

    def read(self, rel, limit=None):
        return safe_read(self.path(rel), limit)

    # -- §3 layout
    def scan_layout(self):
        folders = {"chain": "entry", "audit": "entry", "snapshots": "manifest", "packs": "pack", "index": "index",
                   "keys": None, "locks": None, "tmp": None}
        try:
            top = sorted(os.listdir(self.root))
        except OSError as e:
            raise ReaderError("cannot read the vault directory %s: %s" % (escaped(self.root), e.strerror), 2)
        for name in top:
            st = os.lstat(self.path(name))
            if name == "config":
                if not stat.S_ISREG(st.st_mode):
                    self.problem(name, "is %s, where a regular file belongs" % kind_of(st.st_mode), "3")
                continue
            if name not in folders:
                self.problem(name, "is not part of the vault format (unexpected file)", "3")
                continue
            if not stat.S_ISDIR(st.st_mode):
                self.problem(name, "is %s, where a directory belongs" % kind_of(st.st_mode), "3")
                continue
            for child in sorted(os.listdir(self.path(name))):
                rel = name + "/" + child
                cst = os.lstat(self.path(rel))
                if name in ("packs", "index"):
                    if not HEX2.fullmatch(child):
                        self.problem(rel, "is not part of the vault format (unexpected file)", "3")
                        continue
                    if not stat.S_ISDIR(cst.st_mode):
                        self.problem(rel, "is %s, where a directory belongs" % kind_of(cst.st_mode), "3")
                        continue
                    for leaf in sorted(os.listdir(self.path(rel))):
                        lrel = rel + "/" + leaf
                        lst = os.lstat(self.path(lrel))
                        ext = "." + folders[name]
                        if not (leaf.endswith(ext) and is_hex(leaf[:-len(ext)], 32)):
                            self.problem(lrel, "is not part of the vault format (unexpected file)", "3")
                        elif not stat.S_ISREG(lst.st_mode):
                            self.problem(lrel, "is %s, where a regular file belongs" % kind_of(lst.st_mode), "3")
                        elif leaf[:2] != child:
                            self.problem(lrel, "is in the wrong folder", "3")
                        else:
                            self.layout[lrel] = name
                    continue
                ok_name = {
                    "chain": NAME16.fullmatch(child), "audit": NAME16.fullmatch(child),
                    "snapshots": child.endswith(".manifest") and is_hex(child[:-9], 32),
                    "keys": child == "owner.key", "locks": child == "writer.lock",
                    "tmp": True}[name]      # §9 rule 4: any regular file in tmp/ is a leftover, whatever its name
                if not ok_name:
                    self.problem(rel, "is not part of the vault format (unexpected file)", "3")
                elif not stat.S_ISREG(cst.st_mode):
                    self.problem(rel, "is %s, where a regular file belongs" % kind_of(cst.st_mode), "3")
                elif name == "locks" and cst.st_nlink != 1:
                    self.problem(rel, "has %d names" % cst.st_nlink, "3")
                else:
                    self.layout[rel] = name
        if "keys/owner.key" not in self.layout:
            self.problem("keys/owner.key", "is missing", "3")

    # -- §4.1, §4.2
    def load_config(self):
        try:
            data = self.read("config", 1 << 20)
            body, v, sig = parse_signed(data, "crmvault config v1")
            check_config(v)
        except (OSError, ReaderError) as e:
            raise ReaderError("config cannot be read: %s (damaged vault)" % escaped(str(e)), 1)
        except FormatViolation as e:
            code = 2 if e.section == "13" else 1
            raise ReaderError("config breaks FORMAT.md §%s: %s (damaged vault)" % (e.section, e), code)
        if not signed_ok(bytes.fromhex(v["ownerSigningKey"]), "crmvault config v1", body, sig):
            raise ReaderError("config is not signed by its own ownerSigningKey (damaged vault)", 1)
        self.config, self.config_body = v, body
        self.owner = v["ownerSigningKey"]

    def check_owner_key(self):
        try:
            data = self.read("keys/owner.key", 64 << 10)
        except (OSError, ReaderError) as e:
            self.problem("keys/owner.key", "cannot be read: %s" % escaped(str(e)))
            return
        self.owner_key_bytes = data
        if sha256(data).hex() != self.config["ownerKeyFile"]:
            self.problem("keys/owner.key", "does not hash to the config's ownerKeyFile", "4.1")
        try:
            if not data.endswith(b"\n") or data.count(b"\n") != 1:
                raise FormatViolation("4.2", "is not one line ending in a newline")
            v = parse_canonical(data[:-1])
            check_owner_key(v, self.config)
        except FormatViolation as e:
            self.problem("keys/owner.key", str(e), e.section)

    # -- §9 chain
    def read_chain(self):
        names = sorted(k for k, kind in self.layout.items() if kind == "chain")
        seqs = [int(n[6:22]) for n in names]
        expected = 0
        previous = "0" * 64
        authorized = {}
        self.chain_ok = True
        for name, seq in zip(names, seqs):
            if seq != expected:
                self.problem("chain/", "entries %d to %d are missing: the chain was cut" % (expected, seq - 1), "9")
                self.chain_ok = False
                break
            expected += 1
            try:
                data = self.read(name, 64 * MiB)
                body, v, sig = parse_signed(data, "crmvault chain v1")
            except (OSError, ReaderError) as e:
                self.problem(name, "cannot be read: %s" % escaped(str(e)))
                self.chain_ok = False
                break
            except FormatViolation as e:
                self.problem(name, str(e), e.section)
                self.chain_ok = False
                break
            signer = v.get("signer") if isinstance(v, dict) and is_hex(v.get("signer"), 32) else None
            if signer is None or not signed_ok(bytes.fromhex(signer), "crmvault chain v1", body, sig):
                self.problem(name, "its signature does not verify")
                self.chain_ok = False
                break
            if signer != self.owner and signer not in authorized:
                self.problem(name, "is signed by a key the owner never authorized")
                self.chain_ok = False
                break
            try:
                check_chain_shape(v)
                self.check_entry_rules(v, seq, previous, signer, authorized)
            except FormatViolation as e:
                self.problem(name, str(e), e.section, signer)
                self.chain_ok = False
                break
            previous = sha256(body).hex()
            self.entries.append((name, body, v))
            if v["type"] == "authorize-writer":
                authorized[v["writer"]] = v["name"]
                self.writers[v["writer"]] = v["name"]
        if not names:
            self.problem("chain/", "has no entry 0", "9")
            self.chain_ok = False
        self.head = previous

    def check_entry_rules(self, v, seq, previous, signer, authorized):
        if v["vault"] != self.config["vault"]:
            raise FormatViolation("9", "belongs to vault %s (replayed from another vault)" % v["vault"])
        if v["sequence"] != seq:
            raise FormatViolation("9", "says it is entry %d" % v["sequence"])
        if v["previous"] != previous:
            raise FormatViolation("9", "does not link to the entry before it")
        t = v["type"]
        if (t == "init") != (seq == 0):
            raise FormatViolation("9", "init is not entry 0, or entry 0 is not init")
        if t in ("init", "authorize-writer", "drill") and signer != self.owner:
            raise FormatViolation("9", "a %s entry is signed by another key than the owner's" % t)
        if t == "init" and v["config"] != sha256(self.config_body).hex():
            raise FormatViolation("9", "config does not hash the config's body")
        if t == "authorize-writer" and (v["writer"] == self.owner or v["writer"] in authorized):
            raise FormatViolation("9", "authorizes the owner, or a writer already authorized")
        if t == "snapshot":
            for p in v["packs"]:
                if p in self.claimer:
                    raise FormatViolation("9", "claims pack %s, claimed by an earlier entry" % p)
            for p in v["packs"]:
                self.claimer[p] = signer
                self.claim_size[p] = v["bytesStored"]
            self.snapshots[v["snapshot"]] = v
        if t == "drill" and v["snapshot"] not in self.snapshots:
            raise FormatViolation("9.1", "drills a snapshot no earlier entry names")

    # -- §12 audit
    def check_audit(self):
        names = sorted(k for k, kind in self.layout.items() if kind == "audit")
        hashes = self.audit_hashes = []
        previous = "0" * 64
        for expected, name in enumerate(names):
            if int(name[6:22]) != expected:
                self.problem("audit/", "entry %d is missing" % expected, "12")
                break
            try:
                body, v, sig = parse_signed(self.read(name, 1 * MiB), "crmvault audit v1")
            except (OSError, ReaderError) as e:
                self.problem(name, "cannot be read: %s" % escaped(str(e)))
                break
            except FormatViolation as e:
                self.problem(name, str(e), e.section)
                break
            signer = v.get("signer") if isinstance(v, dict) and is_hex(v.get("signer"), 32) else None
            if signer is None or not signed_ok(bytes.fromhex(signer), "crmvault audit v1", body, sig):
                self.problem(name, "its signature does not verify")
                break
            if signer != self.owner and signer not in self.writers:
                self.problem(name, "is signed by a key the owner never authorized")
                break
            try:
                check_keys(v, ["event", "previous", "sequence", "signer", "vault", "version"], [], "12", "the entry")
                if v["version"] != 1:
                    raise FormatViolation("13", "has version %r" % (v["version"],))
                e = v["event"]
                check_keys(e, ["arguments", "host", "operation", "outcome", "time", "user"], [], "12", "event")
                if not isinstance(e["arguments"], list) or not all(isinstance(a, str) for a in e["arguments"]) or \
                        not all(isinstance(e[k], str) for k in ("host", "operation", "outcome", "user")) or \
                        not is_time(e["time"]):
                    raise FormatViolation("12", "event has a value of the wrong kind")
                if v["vault"] != self.config["vault"]:
                    raise FormatViolation("12", "belongs to another vault")
                if v["sequence"] != expected:
                    raise FormatViolation("12", "says it is entry %r" % (v["sequence"],))
                if v["previous"] != previous:
                    raise FormatViolation("12", "does not link to the entry before it")
            except FormatViolation as e:
                self.problem(name, str(e), e.section, signer)
                break
            previous = sha256(body).hex()
            hashes.append(previous)
        for name, _, v in self.entries:
            n = v["auditCount"]
            if n > len(hashes) or (n and hashes[n - 1] != v["auditHead"]):
                self.problem("audit/", "no longer holds the %d audit entries %s saw" % (n, name), "12")

    # -- §8 manifests and the entries' ties to them
    def check_snapshots(self):
        self.manifests = {}
        self.pack_sizes = {}
        seen_claimed = set()
        for name, _, v in self.entries:
            if v["type"] != "snapshot":
                continue
            seen_claimed.update(v["packs"])
            sid = v["snapshot"]
            rel = "snapshots/%s.manifest" % sid
            signer = v["signer"]
            if rel not in self.layout:
                self.problem(rel, "is missing (named by %s)" % name, "8")
                continue
            try:
                data = self.read(rel, 256 * MiB)
            except (OSError, ReaderError) as e:
                self.problem(rel, "cannot be read: %s" % escaped(str(e)))
                continue
            if sha256(data).hex() != sid:
                self.problem(rel, "does not hash to its snapshot id", "8", signer)
                continue
            try:
                if not data.endswith(b"\n") or data.count(b"\n") != 1:
                    raise FormatViolation("8", "is not one line of JSON ending in a newline")
                m = parse_canonical(data[:-1])
                refused = check_manifest(m, self.config)
            except FormatViolation as e:
                self.problem(rel, str(e), e.section, signer)
                continue
            for i, e in refused:
                self.problem(rel, "files[%d] (%s) %s" % (i, escaped(m["files"][i]["path"])[:80], e), e.section,
                             signer)
            self.manifests[sid] = (m, refused)
            files = sum(1 for f in m["files"] if f["type"] == "file")
            if v["files"] != files or v["bytesIn"] != m["bytesIn"]:
                self.problem(name, "files or bytesIn differs from its manifest's", "9", signer)
            if not set(v["packs"]) <= set(m["packs"]):
                self.problem(name, "claims a pack its manifest does not name", "9", signer)
            leaves = [bytes.fromhex(sid)] + [bytes.fromhex(p) for p in v["packs"]]
            if merkle_root(leaves).hex() != v["root"]:
                self.problem(name, "root is not the Merkle tree hash of the snapshot id and its packs", "9", signer)
            stored = 0
            for p in v["packs"]:
                try:
                    st = os.lstat(self.path("packs/%s/%s.pack" % (p[:2], p)))
                    stored += st.st_size
                except OSError:
                    stored = None
                    break
            if stored is not None and stored != v["bytesStored"]:
                # The signer's error only if every claimed pack hashes to its name (checked with the packs, §10): a
                # pack damaged on the medium changes the sum and is reported as the damaged pack instead.
                self.stored_mismatches.append((name, "bytesStored %d is not the size of its packs (%d)"
                                               % (v["bytesStored"], stored), signer, list(v["packs"])))
            for p in m["packs"]:
                if p not in seen_claimed:
                    self.problem(rel, "names pack %s, which neither its entry nor an earlier one claims" % p, "9",
                                 signer)

    # -- §6, §7 packs and indexes
    def check_packs(self):
        self.pack_blocks = {}      # pack hex -> [Block] for intact packs
        self.hashed_packs = set()  # packs whose SHA-256 is their name
        present = {k.split("/")[2][:-5]: k for k, kind in self.layout.items() if kind == "packs"}
        indexes = {k.split("/")[2][:-6]: k for k, kind in self.layout.items() if kind == "index"}
        for p in sorted(self.claimer):
            if p not in present:
                self.problem("packs/%s/%s.pack" % (p[:2], p), "is missing (claimed by a chain entry)", "6")
        keys_ok = {self.owner} | set(self.writers)
        for p, rel in sorted(present.items()):
            claimed = p in self.claimer
            # §10, "Pack sizes": a claimed pack holds at most its entry's bytesStored; any other, at most the largest
            # pack a writer makes (packTarget - 1 after the header, and one largest block).
            largest = 88 + self.config["packTarget"] - 1 + 4 + 32 + 36 * 65536 + 64 * MiB + 16
            try:
                data = self.read(rel, self.claim_size[p] if claimed else largest)
            except (OSError, ReaderError) as e:
                self.problem(rel, "cannot be read: %s" % escaped(str(e)))
                continue
            if sha256(data).hex() != p:
                self.problem(rel, "does not hash to its name" + ("" if claimed else ": no leftover of this vault"),
                             "6")
                continue
            self.hashed_packs.add(p)
            try:
                _, blocks = parse_pack(data)
            except FormatViolation as e:
                self.problem(rel, str(e), e.section)
                continue
            expected_body = index_body(bytes.fromhex(p), blocks)
            irel = "index/%s/%s.index" % (p[:2], p)
            if p not in indexes:
                self.problem(irel if claimed else rel, "is missing" if claimed else
                             "is claimed by no chain entry and has no index", "7" if claimed else "9")
                self.pack_blocks[p] = blocks
                continue
            try:
                body, signer, sig = parse_index(self.read(irel, 64 * MiB), bytes.fromhex(p))
            except FormatViolation as e:
                self.problem(irel, str(e), e.section)
                self.pack_blocks[p] = blocks
                continue
            except (OSError, ReaderError) as e:
                self.problem(irel, "cannot be read: %s" % escaped(str(e)))
                continue
            self.pack_blocks[p] = blocks
            if body != expected_body:
                self.problem(irel, "does not match the index recomputed from its pack", "7")
            if not seal_ok(body, signer, sig):
                self.problem(irel, "its seal's signature does not verify", "7")
            allowed = {self.owner, self.claimer[p]} if claimed else keys_ok
            if signer.hex() not in allowed:
                self.problem(irel, "is sealed by another key than the one that claimed its pack" if claimed else
                             "is sealed by a key the chain never authorized: no leftover of this vault", "7")
            elif not claimed and body == expected_body and seal_ok(body, signer, sig):
                self.leftovers.append(rel + " (an unclaimed pack: rule 1 of §9)")
        for p, irel in sorted(indexes.items()):
            if p in present:
                continue
            if p in self.claimer:
                continue   # the pack's absence is reported above
            try:
                body, signer, sig = parse_index(self.read(irel, 64 * MiB), bytes.fromhex(p))
            except (FormatViolation, OSError, ReaderError) as e:
                self.problem(irel, "is an index without its pack that is malformed: %s" % escaped(str(e)), "9")
                continue
            if seal_ok(body, signer, sig) and signer.hex() in keys_ok:
                self.leftovers.append(irel + " (an index without its pack: rule 2 of §9)")
            else:
                self.problem(irel, "is an index without its pack that is unsealed or foreign", "9")

    # -- §8 chunk references, §10
    def check_chunk_references(self):
        for sid, (m, refused) in self.manifests.items():
            rel = "snapshots/%s.manifest" % sid
            bad = {i for i, _ in refused}
            headers = {}
            for p in m["packs"]:
                if p in self.pack_blocks:
                    headers[p] = {cid.hex(): plen for b in self.pack_blocks[p] for cid, plen in b.entries}
            for i, f in enumerate(m["files"]):
                if i in bad or f["type"] != "file":
                    continue
                packs = [m["packs"][x] for x in f["packs"]]
                if not all(p in headers for p in packs):
                    continue   # a missing or damaged pack is reported on its own; its files are at risk
                c = f["content"]
                ids = c["chunks"] if "chunks" in c else c["list"]
                want = f["size"] if "chunks" in c else None
                total = 0
                used_packs = set()
                for cid in ids:
                    for p in packs:
                        if cid in headers[p]:
                            total += headers[p][cid]
                            used_packs.add(p)
                            break
                    else:
                        self.problem(rel, "files[%d] (%s) names chunk %s, in no block header of its packs"
                                     % (i, escaped(f["path"])[:80], cid), "8", self.snapshots[sid]["signer"])
                        total = None
                        break
                if total is None:
                    continue
                if want is None and is_list_length(total, c["count"]):
                    pass
                elif want is None:
                    self.problem(rel, "records %d chunks for %s, but its chunk list holds %d bytes, not 8 to 40 a "
                                 "chunk in whole references" % (c["count"], escaped(f["path"])[:80], total), "8",
                                 self.snapshots[sid]["signer"])
                elif total != want:
                    what = "its chunks hold" if "chunks" in c else "its chunk list holds"
                    self.problem(rel, "records %d bytes for %s, but %s %d" % (want, escaped(f["path"])[:80], what,
                                                                             total), "8",
                                 self.snapshots[sid]["signer"])
                if "chunks" in c and used_packs != set(packs):
                    self.problem(rel, "files[%d] (%s) lists a pack that holds none of its chunks"
                                 % (i, escaped(f["path"])[:80]), "8", self.snapshots[sid]["signer"])

            if all(p in headers for p in m["packs"]):
                for cid in m.get("resolve", []):
                    if not any(cid in headers[p] for p in m["packs"]):
                        self.problem(rel, "resolve names chunk %s, in no block header of the snapshot's packs" % cid,
                                     "8", self.snapshots[sid]["signer"])

    # -- §10 files at risk of damaged or missing packs, and snapshot times
    def report_risks_and_times(self):
        now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        for sid, (m, _) in sorted(self.manifests.items()):
            broken = {i for i, p in enumerate(m["packs"]) if p not in self.pack_blocks}
            at_risk = [f["path"] for f in m["files"] if f["type"] == "file" and broken & set(f["packs"])]
            if at_risk:
                self.warnings.append("snapshot %s: %d files at risk of a damaged or missing pack (%s%s); "
                                     "crmvault verify --deep narrows the list"
                                     % (sid[:12], len(at_risk), ", ".join(escaped(x) for x in at_risk[:5]),
                                        ", …" if len(at_risk) > 5 else ""))
            t, entry_time = m["time"], self.snapshots[sid]["time"]
            parse = lambda x: datetime.datetime.strptime(x, "%Y-%m-%dT%H:%M:%SZ")
            if t > now or abs((parse(t) - parse(entry_time)).total_seconds()) > 2 * 86400:
                self.warnings.append("snapshot %s claims the time %s, its chain entry was written at %s"
                                     % (sid[:12], t, entry_time))

    # -- §9 leftovers that are manifests or tmp files
    def check_unclaimed_manifests(self):
        for rel, kind in sorted(self.layout.items()):
            if kind == "snapshots":
                sid = rel[10:-9]
                if sid in self.snapshots:
                    continue
                try:
                    ok = sha256(self.read(rel, 256 * MiB)).hex() == sid
                except (OSError, ReaderError):
                    ok = False
                if ok:
                    self.leftovers.append(rel + " (a manifest no entry names: rule 3 of §9)")
                else:
                    self.problem(rel, "does not hash to its name: no interrupted backup left it", "9")
            elif kind == "tmp":
                self.leftovers.append(rel + " (rule 4 of §9)")

    # -- §11 checkpoints
    def check_checkpoint(self, path):
        where = "checkpoint " + escaped(path)
        try:
            text = safe_read(path, 64 * 1024).decode("utf-8")
        except (OSError, ReaderError, UnicodeDecodeError) as e:
            self.problem(where, "cannot be read as UTF-8 text: %s" % escaped(str(e)), "11")
            return
        lines = text.split("\n")
        if lines[-1] != "" or "\r" in text:
            self.problem(where, "does not end its last line with \\n, or holds \\r", "11")
            return
        lines = lines[:-1]
        signature = None
        if len(lines) >= 2 and lines[-2] == "" and lines[-1].startswith("\u2014 owner "):
            signature = lines[-1][len("\u2014 owner "):]
            lines = lines[:-2]
        number = r"(0|[1-9][0-9]*)"
        patterns = ["crmvault checkpoint v1", r"vault ([0-9a-f]{32})", "sequence " + number, r"head ([0-9a-f]{64})",
                    r"time (.{20})", "audit %s ([0-9a-f]{64})" % number]
        if len(lines) not in (5, 6):
            self.problem(where, "has %d lines of content, not 5 or 6" % len(lines), "11")
            return
        values = []
        for n, (line, pattern) in enumerate(zip(lines, patterns), 1):
            m = re.fullmatch(pattern, line)
            if not m or (n == 5 and not is_time(m.group(1))):
                self.problem(where, "line %d is not `%s`" % (n, pattern.split(" ")[0]), "11")
                return
            values.append(m.groups())
        if len(lines) == 6 and (values[5][0] == "0") != (values[5][1] == "0" * 64):
            self.problem(where, "line 6: the hash is 64 zeros exactly when the count is 0", "11")
            return
        if signature is not None:
            message = "".join(line + "\n" for line in lines).encode()
            if not is_hex(signature, 64) or not signed_ok(bytes.fromhex(self.owner), "crmvault checkpoint v1",
                                                          message, bytes.fromhex(signature)):
                self.problem(where, "its owner signature does not verify", "11")
                return
        vault_id, sequence, head, time = values[1][0], int(values[2][0]), values[3][0], values[4][0]
        if vault_id != self.config["vault"]:
            self.problem(where, "is of another vault (%s)" % vault_id)
        elif sequence >= len(self.entries):
            self.problem(where, "saw entry %d, but the chain ends at entry %d: a rollback or truncation"
                         % (sequence, len(self.entries) - 1))
        elif sha256(self.entries[sequence][1]).hex() != head or self.entries[sequence][2]["time"] != time:
            self.problem(where, "differs from entry %d: a fork" % sequence)
        elif len(lines) == 6:
            count, audit_head = int(values[5][0]), values[5][1]
            if count > len(self.audit_hashes) or (count and self.audit_hashes[count - 1] != audit_head):
                self.problem(where, "audit/ no longer holds the %d audit entries the checkpoint saw" % count, "12")

    def verify(self, checkpoints=(), trust=None):
        self.scan_layout()
        if "config" not in os.listdir(self.root):
            raise ReaderError("%s has no config: not a vault" % escaped(self.root), 2)
        self.load_config()
        if trust is not None and sha256(bytes.fromhex(self.owner)).hex() != trust:
            self.problem("config", "is signed by an owner whose fingerprint is not the one pinned (--trust)", "4.1")
        self.check_owner_key()
        self.read_chain()
        self.check_audit()
        self.stored_mismatches = []
        self.check_snapshots()
        self.check_packs()
        for name, message, signer, packs in self.stored_mismatches:
            if all(p in self.hashed_packs for p in packs):
                self.problem(name, message, "9", signer)
        self.check_chunk_references()
        self.report_risks_and_times()
        self.check_unclaimed_manifests()
        for path in checkpoints:
            self.check_checkpoint(path)
        return self


# ---------------------------------------------------------------- chunking (§5), to check §5 against a vault

def gear_table(chunker_key):
    out = ctypes.create_string_buffer(2048)
    _sodium.crypto_stream_chacha20(out, 2048, b"\0" * 8, chunker_key)
    return struct.unpack("<256Q", out.raw)


def chunk_lengths(data, chunker, gear):
    """The lengths §5 cuts data into."""
    minimum, average, maximum = chunker["minimum"], chunker["average"], chunker["maximum"]
    bits = average.bit_length() - 1
    full = (1 << 64) - 1
    mask_small = (full << (64 - bits - 1)) & full
    mask_large = (full << (64 - bits + 1)) & full
    newline = chunker["alignment"] == "newline"
    lengths, start, total = [], 0, len(data)
    while start < total:
        n = total - start
        if n <= minimum:
            lengths.append(n)
            break
        limit = min(n, maximum)
        normal = min(limit, average)
        h, cut, i = 0, None, minimum
        while i < normal:
            h = ((h << 1) + gear[data[start + i]]) & full
            if h & mask_small == 0:
                cut = i
                break
            i += 1
        if cut is None:
            while i < limit:
                h = ((h << 1) + gear[data[start + i]]) & full
                if h & mask_large == 0:
                    cut = i
                    break
                i += 1
        if cut is None:
            length = limit
        elif newline:
            at = data.find(b"\n", start + cut, start + limit)
            length = limit if at < 0 else at - start + 1
        else:
            length = cut + 1
        lengths.append(length)
        start += length
    return lengths


# ---------------------------------------------------------------- restore (owner)

class Owner:
    def __init__(self, vault, passphrase):
        v = parse_canonical(vault.owner_key_bytes[:-1])
        check_owner_key(v, vault.config)
        ad_obj = dict(v)
        ad_obj["ciphertext"] = ""
        ad = canonical(ad_obj).encode("utf-8")
        key = pwhash(passphrase, bytes.fromhex(v["kdf"]["salt"]), v["kdf"]["opslimit"], v["kdf"]["memlimit"])
        bundle = xchacha_open(key, bytes.fromhex(v["nonce"]), bytes.fromhex(v["ciphertext"]), ad)
        if bundle is None or len(bundle) != 192:
            raise ReaderError("the passphrase does not open keys/owner.key (wrong passphrase)", 2)
        self.signing_secret = bundle[0:64]
        self.sealing_secret = bundle[64:96]
        self.chunk_id_key = bundle[96:128]
        self.file_digest_key = bundle[128:160]
        self.chunker_key = bundle[160:192]
        self.sealing_public = bytes.fromhex(vault.config["ownerSealingKey"])
        check = ctypes.create_string_buffer(32)
        _sodium.crypto_scalarmult_base(check, self.sealing_secret)
        if check.raw != self.sealing_public:
            raise ReaderError("keys/owner.key's sealing secret does not match the config's ownerSealingKey", 1)


class Resolver:
    """§8: a short reference names the one id of the snapshot's packs it begins, or the id of `resolve` it begins."""

    def __init__(self, manifest, source):
        self.by_prefix = {}
        for p in manifest["packs"]:
            try:
                _, _, where = source.pack(p)
            except ReaderError:
                continue          # a missing or damaged pack holds nothing to name
            for cid in where:
                self.by_prefix.setdefault(cid[:8], set()).add(cid)
        self.resolve = {bytes.fromhex(x)[:8]: bytes.fromhex(x) for x in manifest.get("resolve", [])}

    def id(self, short):
        ids = self.by_prefix.get(short, set())
        if len(ids) == 1:
            return next(iter(ids))
        if len(ids) > 1 and short in self.resolve and self.resolve[short] in ids:
            return self.resolve[short]
        raise ReaderError("its chunk list names %s, which %s" % (short.hex(), "begins no id of the snapshot's packs"
                          if not ids else "begins %d ids and resolve names none of them" % len(ids)))


def references(listing, count, resolver):
    """The ids a chunk list's references name, in order (§8)."""
    ids, at = [], 0
    while at < len(listing):
        if len(ids) == count:
            raise ReaderError("its chunk list holds more than %d references" % count)
        head = listing[at:at + 8]
        if len(head) < 8:
            raise ReaderError("its chunk list ends inside a reference")
        if head != bytes(8):
            ids.append(resolver.id(head))
            at += 8
        else:
            full = listing[at + 8:at + 40]
            if len(full) < 32:
                raise ReaderError("its chunk list ends inside a full reference")
            ids.append(full)
            at += 40
    if len(ids) != count:
        raise ReaderError("its chunk list holds %d references, not %d" % (len(ids), count))
    return ids


class ChunkSource:
    """Chunks of one snapshot, read from its packs with the pack's own structure and checked against their ids."""

    def __init__(self, vault, owner):
        self.vault, self.owner = vault, owner
        self.packs = {}     # pack hex -> (data, data key, {cid: (block, offset, length)})
        self.blocks = {}    # (pack, block offset) -> plaintext

    def pack(self, p):
        if p not in self.packs:
            rel = "packs/%s/%s.pack" % (p[:2], p)
            data = self.vault.read(rel)
            if sha256(data).hex() != p:
                raise ReaderError("%s does not hash to its name" % rel)
            sealed, blocks = parse_pack(data)
            key = seal_open(sealed, self.owner.sealing_public, self.owner.sealing_secret)
            if key is None or len(key) != 32:
                raise ReaderError("%s: its data key does not open with the owner's sealing key" % rel)
            where = {}
            for b in blocks:
                off = 0
                for cid, plen in b.entries:
                    where[cid] = (b, off, plen)
                    off += plen
            self.packs[p] = (data, key, where)
        return self.packs[p]

    def chunk(self, cid, packs):
        for p in packs:
            data, key, where = self.pack(p)
            if cid not in where:
                continue
            b, off, plen = where[cid]
            plain = self.blocks.get((p, b.offset))
            if plain is None:
                ct = data[b.ciphertext_at: b.ciphertext_at + b.ciphertext_length]
                frame = xchacha_open(key, b.nonce, ct, b"crmvault block v1\n" + b.header)
                if frame is None:
                    raise ReaderError("packs/%s: the block at %d fails authentication" % (p, b.offset))
                plain = zstd_single_frame(frame, sum(x for _, x in b.entries))
                if plain is None:
                    raise ReaderError("packs/%s: the block at %d is not exactly one zstd frame of its size"
                                      % (p, b.offset))
                if len(self.blocks) >= 4:      # at most 4 blocks of at most 64 MiB each in memory
                    self.blocks.clear()
                self.blocks[(p, b.offset)] = plain
            piece = plain[off: off + plen]
            if chunk_id(self.owner.chunk_id_key, piece) != cid:
                raise ReaderError("packs/%s: a chunk does not hash to its id %s" % (p, cid.hex()))
            return piece
        raise ReaderError("chunk %s is in none of the file's packs" % cid.hex())


def restore(vault_dir, snapshot, target, check_chunking=False):
    passphrase = os.environb.get(b"CRMVAULT_PASSPHRASE")
    if not passphrase:
        raise ReaderError("set CRMVAULT_PASSPHRASE to the owner passphrase", 2)
    vault = Vault(vault_dir)
    vault.scan_layout()
    vault.load_config()
    vault.check_owner_key()
    vault.read_chain()
    if not vault.chain_ok:
        raise ReaderError("the chain is broken: " + "; ".join(vault.problems), 1)
    matches = [s for s in vault.snapshots if s.startswith(snapshot)] if is_hex(snapshot + "0" * (64 - len(snapshot)),
                                                                               32) else []
    if len(matches) != 1:
        raise ReaderError("no single snapshot of the chain starts with %s" % escaped(snapshot), 2)
    sid = matches[0]
    vault.check_snapshots()
    if sid not in vault.manifests:
        raise ReaderError("snapshot %s is refused: %s" % (sid, "; ".join(vault.problems)), 1)
    m, refused = vault.manifests[sid]
    owner = Owner(vault, passphrase)
    source = ChunkSource(vault, owner)
    resolver = None
    if os.path.lexists(target) and (not os.path.isdir(target) or os.listdir(target)):
        raise ReaderError("%s exists and is not an empty directory" % escaped(target), 2)
    os.makedirs(target, exist_ok=True)
    bad = {i for i, _ in refused}
    for i, e in refused:
        print("left out %s: breaks FORMAT.md §%s: %s" % (escaped(m["files"][i]["path"]), e.section, e),
              file=sys.stderr)
    failed = len(bad)
    rechunk = None
    if check_chunking:
        gear = gear_table(owner.chunker_key)
        rechunk = lambda data: chunk_lengths(data, vault.config["chunker"], gear)
    directories = []
    for i, f in enumerate(m["files"]):
        if i in bad:
            continue
        out = os.path.join(target, f["path"])
        parent = os.path.dirname(out)
        try:
            os.makedirs(parent, mode=0o755, exist_ok=True)
            if f["type"] == "directory":
                os.makedirs(out, exist_ok=True)
                directories.append((out, f))
                continue
            if f["type"] == "symlink":
                os.symlink(f["target"], out)
                os.utime(out, ns=(f["mtime"] * 10 ** 9 + f["mtimeNanoseconds"],) * 2, follow_symlinks=False)
                continue
            packs = [m["packs"][x] for x in f["packs"]]
            if "list" in f["content"] and resolver is None:
                resolver = Resolver(m, source)
            write_file(out, f, packs, source, owner, resolver, rechunk)
        except (ReaderError, OSError) as e:
            failed += 1
            print("could not restore %s: %s" % (escaped(f["path"]), escaped(str(e))), file=sys.stderr)
            try:
                if os.path.lexists(out) and not os.path.isdir(out):
                    os.unlink(out)
            except OSError:
                pass
    for out, f in reversed(directories):
        os.chmod(out, f["mode"] & 0o777)
        os.utime(out, ns=(f["mtime"] * 10 ** 9 + f["mtimeNanoseconds"],) * 2)
    files = sum(1 for f in m["files"] if f["type"] == "file")
    print("restored snapshot %s into %s: %d entries, %d files, %d bytes; %d failed"
          % (sid, escaped(target), len(m["files"]) - failed, files, m["bytesIn"], failed))
    return 1 if failed else 0


def check_cuts(pieces, rechunk, what):
    """Re-cut the concatenated pieces with §5 and compare with the lengths the vault holds."""
    want = [len(x) for x in pieces]
    got = rechunk(b"".join(pieces))
    if got != want:
        at = next((j for j, (a, b) in enumerate(zip(got, want)) if a != b), min(len(got), len(want)))
        raise ReaderError("§5 re-chunking of %s disagrees with the vault at chunk %d (%s vs %s)"
                          % (what, at, got[at:at + 3], want[at:at + 3]))


def write_file(out, f, packs, source, owner, resolver, rechunk=None):
    c = f["content"]
    if "chunks" in c:
        ids = [bytes.fromhex(x) for x in c["chunks"]]
    else:
        list_pieces, list_bytes = [], 0
        for x in c["list"]:                  # one list chunk at a time, stopping once the list is too long
            list_pieces.append(source.chunk(bytes.fromhex(x), packs))
            list_bytes += len(list_pieces[-1])
            if list_bytes > 40 * c["count"]:
                raise ReaderError("its chunk list holds more than 40 x %d bytes" % c["count"])
        if rechunk:
            check_cuts(list_pieces, rechunk, "its chunk list")
        ids = references(b"".join(list_pieces), c["count"], resolver)
    digest_input = [b"crmvault file digest v1\n", struct.pack("<Q", f["size"])]
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    written = 0
    pieces = []
    try:
        for cid in ids:
            piece = source.chunk(cid, packs)
            written += len(piece)
            if written > f["size"]:
                raise ReaderError("its chunks exceed its size %d" % f["size"])
            os.write(fd, piece)
            if rechunk:
                pieces.append(piece)
            digest_input.append(cid)
    finally:
        os.close(fd)
    if written != f["size"]:
        raise ReaderError("its chunks hold %d bytes, not its size %d" % (written, f["size"]))
    if blake2b_256(owner.file_digest_key, b"".join(digest_input)).hex() != f["digest"]:
        raise ReaderError("its file digest does not match")
    if rechunk:
        check_cuts(pieces, rechunk, "the file")
    os.chmod(out, f["mode"] & 0o777)
    os.utime(out, ns=(f["mtime"] * 10 ** 9 + f["mtimeNanoseconds"],) * 2)


# ---------------------------------------------------------------- command line

def main(argv):
    if len(argv) >= 2 and argv[0] == "verify" and len(argv) % 2 == 0 and \
            set(argv[2::2]) <= {"--checkpoint", "--trust"}:
        options = list(zip(argv[2::2], argv[3::2]))
        trust = [v for k, v in options if k == "--trust"]
        if len(trust) > 1 or (trust and not is_hex(trust[0], 32)):
            raise ReaderError("--trust takes one fingerprint of 64 lowercase hex digits", 2)
        vault = Vault(argv[1]).verify([v for k, v in options if k == "--checkpoint"], trust[0] if trust else None)
        for w in vault.leftovers:
            print("leftover: " + w)
        for w in vault.warnings:
            print("WARNING: " + w)
        for p in vault.problems:
            print("PROBLEM: " + p)
        print("%d chain entries, %d snapshots, %d packs checked: %s"
              % (len(vault.entries), len(vault.manifests), len(vault.pack_blocks),
                 "OK" if not vault.problems else "%d problems" % len(vault.problems)))
        return 1 if vault.problems else 0
    if argv[:1] == ["restore"] and len(argv) in (4, 5) and argv[4:] in ([], ["--check-chunking"]):
        return restore(argv[1], argv[2], argv[3], check_chunking=len(argv) == 5)
    print(__doc__.strip(), file=sys.stderr)
    return 2


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except ReaderError as error:
        print("error: " + str(error), file=sys.stderr)
        sys.exit(error.code)
