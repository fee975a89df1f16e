#!/usr/bin/env python3
"""Generates tests/vectors/piece_roots.txt, piece_proofs.txt and
piece_layout.txt: the storage sector's piece roots, storage proofs and the
whole client data path (docs/storage.md, "Data path").

Independent of the C code: BLAKE2b from Python's hashlib, ChaCha20-Poly1305
from the `cryptography` package with HChaCha20 written out here (making
XChaCha20-Poly1305), and Reed-Solomon over GF(2^8) written out here.
Run from the repository root:  python3 tests/vectors/gen_piece_vectors.py
"""
import hashlib
import struct
import sys

from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

LEAF = 1024


def h(b):
    return hashlib.blake2b(b, digest_size=32).digest()


def pattern(tag, n):
    """BLAKE2b-512(tag || LE64(0)) || BLAKE2b-512(tag || LE64(1)) || ...,
    cut to n bytes: the test data of every vector."""
    out = bytearray()
    i = 0
    while len(out) < n:
        out += hashlib.blake2b(tag + struct.pack("<Q", i), digest_size=64).digest()
        i += 1
    return bytes(out[:n])


# ---- piece roots (RFC 6962 shape, cairn/merkle.h and cairn/piece.h) ----

def split(n):
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def mth(d):
    if len(d) == 1:
        return d[0]
    k = split(len(d))
    return h(b"\x01" + mth(d[:k]) + mth(d[k:]))


def path(m, d):
    """RFC 6962 PATH(m, D), bottom-up."""
    if len(d) <= 1:
        return []
    k = split(len(d))
    if m < k:
        return path(m, d[:k]) + [mth(d[k:])]
    return path(m - k, d[k:]) + [mth(d[:k])]


def piece_leaves(piece):
    assert len(piece) >= 1
    padded = piece + bytes(-len(piece) % LEAF)
    return [h(b"\x00" + padded[i:i + LEAF]) for i in range(0, len(padded), LEAF)]


def piece_root(piece):
    return mth(piece_leaves(piece))


# ---- XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha-03) ----

def rotl(v, c):
    return ((v << c) & 0xFFFFFFFF) | (v >> (32 - c))


def quarter(s, a, b, c, d):
    s[a] = (s[a] + s[b]) & 0xFFFFFFFF; s[d] = rotl(s[d] ^ s[a], 16)
    s[c] = (s[c] + s[d]) & 0xFFFFFFFF; s[b] = rotl(s[b] ^ s[c], 12)
    s[a] = (s[a] + s[b]) & 0xFFFFFFFF; s[d] = rotl(s[d] ^ s[a], 8)
    s[c] = (s[c] + s[d]) & 0xFFFFFFFF; s[b] = rotl(s[b] ^ s[c], 7)


def hchacha20(key, nonce16):
    s = list(struct.unpack("<4I", b"expand 32-byte k") + struct.unpack("<8I", key)
             + struct.unpack("<4I", nonce16))
    for _ in range(10):
        quarter(s, 0, 4, 8, 12); quarter(s, 1, 5, 9, 13)
        quarter(s, 2, 6, 10, 14); quarter(s, 3, 7, 11, 15)
        quarter(s, 0, 5, 10, 15); quarter(s, 1, 6, 11, 12)
        quarter(s, 2, 7, 8, 13); quarter(s, 3, 4, 9, 14)
    return struct.pack("<8I", *(s[0:4] + s[12:16]))


def xchacha_seal(key, nonce24, plain, ad):
    sub = hchacha20(key, nonce24[:16])
    return ChaCha20Poly1305(sub).encrypt(b"\x00" * 4 + nonce24[16:], plain, ad)


def self_test_xchacha():
    """The HChaCha20 vector of draft-irtf-cfrg-xchacha-03 §2.2.1."""
    key = bytes(range(32))
    nonce = bytes.fromhex("000000090000004a0000000031415927")
    want = ("82413b4227b27bfed30e42508a877d73"
            "a0f9e4d58a74a853c12ec41326d3ecdc")
    if hchacha20(key, nonce).hex() != want:
        sys.exit("HChaCha20 self-test failed")


# ---- Reed-Solomon over GF(2^8), polynomial 0x11d, Cauchy generator ----

EXP = [0] * 512
LOG = [0] * 256


def gf_tables():
    x = 1
    for i in range(255):
        EXP[i] = x
        LOG[x] = i
        x <<= 1
        if x & 0x100:
            x ^= 0x11D
    for i in range(255, 512):
        EXP[i] = EXP[i - 255]


def gf_mul(a, b):
    if a == 0 or b == 0:
        return 0
    return EXP[LOG[a] + LOG[b]]


def gf_inv(a):
    return EXP[255 - LOG[a]]


def mul_bytes(c, data):
    return data.translate(bytes(gf_mul(c, x) for x in range(256)))


def xor_bytes(a, b):
    return (int.from_bytes(a, "little") ^ int.from_bytes(b, "little")).to_bytes(len(a), "little")


def rs_encode(data, n):
    """data: k equal pieces; returns the n pieces (data, then parity row i
    (k <= i < n) = sum over j of (1 / (i XOR j)) * data[j])."""
    k = len(data)
    out = list(data)
    for i in range(k, n):
        acc = bytes(len(data[0]))
        for j in range(k):
            acc = xor_bytes(acc, mul_bytes(gf_inv(i ^ j), data[j]))
        out.append(acc)
    return out


# ---- the data path ----

def file_key(secret, nonce):
    return hashlib.blake2b(b"cairn-file-key" + nonce, digest_size=32, key=secret).digest()


def layout(secret, nonce, plain, seg_size, k, n):
    """Yields (segment index, piece size, [piece roots]) for every segment."""
    key = file_key(secret, nonce)
    size = len(plain)
    nseg = max(1, -(-size // seg_size))
    for s in range(nseg):
        pt = plain[s * seg_size:(s + 1) * seg_size]
        seg_nonce = struct.pack("<Q", s) + bytes(16)
        ad = b"cairn-segment-v1" + struct.pack("<QQI", s, size, seg_size)
        ct = xchacha_seal(key, seg_nonce, pt, ad)
        ps = -(-len(ct) // k)
        ct += bytes(k * ps - len(ct))
        pieces = rs_encode([ct[j * ps:(j + 1) * ps] for j in range(k)], n)
        yield s, ps, [piece_root(p) for p in pieces]


# ---- files ----

ROOT_SIZES = [1, 2, 1023, 1024, 1025, 2048, 3071, 4096, 5000, 8192, 8193,
              33 * 1024 + 5, 65536, 65537, 100000]
PROOFS = [(1, 0), (1024, 0), (1025, 0), (1025, 1), (3071, 2), (5000, 0),
          (5000, 3), (5000, 4), (33 * 1024 + 5, 0), (33 * 1024 + 5, 17),
          (33 * 1024 + 5, 32), (33 * 1024 + 5, 33), (100000, 64), (100000, 97)]
LAYOUTS = [  # name, file size, segment size, k, n
    ("empty", 0, 1024, 2, 4),
    ("one-byte", 1, 1024, 1, 2),
    ("one-segment", 4096, 4096, 4, 6),
    ("odd-tail", 5000, 2048, 3, 7),
    ("k-divides", 3 * 1024 - 16, 1024 * 3, 4, 5),
    ("wide", 40000, 16384, 29, 80),
]

PIECE_HEAD = """\
# Storage piece roots (include/cairn/piece.h, docs/storage.md), generated by
# tests/vectors/gen_piece_vectors.py with Python's hashlib, independently of
# the C code; checked by tests/unit/test_piece.c. Lines starting with '#'
# and empty lines are ignored.
#
# The piece of S bytes is pattern("cairn-test-piece", S), where
#   pattern(tag, S) = BLAKE2b-512(tag || LE64(0)) || BLAKE2b-512(tag || LE64(1))
#                     || ..., cut to S bytes.
# Leaves are 1024 bytes, the last zero-padded; leaf hash BLAKE2b-256(0x00 ||
# leaf), inner BLAKE2b-256(0x01 || left || right), RFC 6962 shape.
"""


def write_roots(f):
    f.write(PIECE_HEAD)
    f.write("#\n# One vector per line:  size=<S> root=<64 hex>\n")
    for s in ROOT_SIZES:
        f.write("size=%d root=%s\n" % (s, piece_root(pattern(b"cairn-test-piece", s)).hex()))


def write_proofs(f):
    f.write(PIECE_HEAD)
    f.write("#\n# One proof per line:  size=<S> index=<leaf> root=<hex> path=<hex>,...\n"
            "# path lists the sibling hashes bottom-up, '-' when there are none.\n")
    for s, i in PROOFS:
        leaves = piece_leaves(pattern(b"cairn-test-piece", s))
        p = path(i, leaves)
        f.write("size=%d index=%d root=%s path=%s\n"
                % (s, i, mth(leaves).hex(), ",".join(x.hex() for x in p) or "-"))


LAYOUT_HEAD = """\
# The storage client's data path end to end (include/cairn/layout.h,
# docs/storage.md "Data path"), generated by tests/vectors/gen_piece_vectors.py
# with hashlib, `cryptography`'s ChaCha20-Poly1305 plus HChaCha20 and a
# GF(2^8) Reed-Solomon coder written in Python, independently of the C code;
# checked by tests/unit/test_layout.c. '#' lines and empty lines are ignored.
#
# A vector:
#   file name=<label> size=<S> segment=<segment size> k=<k> n=<n>
#   secret=<64 hex> nonce=<48 hex> key=<64 hex: the derived file key>
#   seg=<index> piece=<piece size> roots=<root 0>,...,<root n-1>   (per segment)
#   end
# The plaintext is pattern("cairn-test-plain", S); secret is
# pattern("secret:" || label, 32) and nonce pattern("nonce:" || label, 24)
# (pattern as in piece_roots.txt).
"""


def write_layout(f):
    f.write(LAYOUT_HEAD)
    for name, size, seg, k, n in LAYOUTS:
        secret = pattern(b"secret:" + name.encode(), 32)
        nonce = pattern(b"nonce:" + name.encode(), 24)
        plain = pattern(b"cairn-test-plain", size)
        f.write("\nfile name=%s size=%d segment=%d k=%d n=%d\n" % (name, size, seg, k, n))
        f.write("secret=%s nonce=%s key=%s\n" % (secret.hex(), nonce.hex(),
                                                 file_key(secret, nonce).hex()))
        for s, ps, roots in layout(secret, nonce, plain, seg, k, n):
            f.write("seg=%d piece=%d roots=%s\n" % (s, ps, ",".join(r.hex() for r in roots)))
        f.write("end\n")


def main():
    self_test_xchacha()
    gf_tables()
    with open("tests/vectors/piece_roots.txt", "w") as f:
        write_roots(f)
    with open("tests/vectors/piece_proofs.txt", "w") as f:
        write_proofs(f)
    with open("tests/vectors/piece_layout.txt", "w") as f:
        write_layout(f)


if __name__ == "__main__":
    main()
