"""A page's near-duplicate signature: MinHash over word shingles, and its LSH band keys.

Pure (no database), so it is computed in prepare_article, in the extraction workers. The
signature estimates the Jaccard similarity of two bodies' sets of shingles; the band keys let
the database find the articles that may reach COPY_THRESHOLD without holding an index in
memory (app.services.copies): two bodies share a band key when all ROWS values of one band
agree. See ARCHITECTURE.md, "Copies".
"""

import hashlib
import struct
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

import numpy as np

from app.kit.text import fold_text

# Word 4-grams of the folded body: short enough that a light edit (a word changed every few
# sentences) keeps most shingles, long enough that two reports of one event in their own
# words share few (the eval pages: different outlets' reports score below 0.3).
SHINGLE_WORDS = 4
NUM_PERM = 128
# Estimated Jaccard similarity at or above which a body is a copy of another. A syndicated
# copy with another headline, a boilerplate line and two edited phrases scores 0.65-1.0, two
# distinct samples at most 0.05 (tests/copies_corpus.py); among the 215 eval pages, one
# verbatim republication scores 0.96, and two outlets' rewrites of one press release or wire
# story 0.52 and 0.51: distinct reports, kept apart by a threshold above them.
COPY_THRESHOLD = 0.6
# Bands x rows from datasketch's optimiser weighted for recall, lsh._optimal_param(0.6, 128,
# false_positive_weight=0.01, false_negative_weight=0.99): a pair at Jaccard s shares a band
# with chance 1 - (1 - s**4)**32: 0.988 at 0.6, 0.9998 at 0.7; 0.23 at 0.3 and 0.05 at 0.2
# (such candidates are verified against the stored signature and dropped).
BANDS, ROWS = 32, 4
SEED = 1
SCHEME = "affine32"  # datasketch 2's default, named: stored signatures depend on it
# Bodies with fewer shingles get no signature (copies by their exact text only): two briefs of
# a few lines that differ by a name or a number are distinct items as often as copies, and
# one changed word moves a short body's similarity by a tenth.
MIN_SHINGLES = 30
_SIGNATURE = struct.Struct(f"<{NUM_PERM}I")


@dataclass(frozen=True)
class Signature:
    values: bytes  # NUM_PERM little-endian uint32: what the verification compares
    bands: tuple[int, ...]  # BANDS signed 64-bit keys: what the lookup matches


def shingles(body: str) -> set[bytes]:
    """The body's word shingles (folded: case, accents and punctuation do not count)."""
    words = fold_text(body).split()
    if len(words) < SHINGLE_WORDS:
        return {" ".join(words).encode()} if words else set()
    return {
        " ".join(words[i : i + SHINGLE_WORDS]).encode()
        for i in range(len(words) - SHINGLE_WORDS + 1)
    }


def signature(body: str) -> Signature | None:
    """The body's MinHash signature and band keys; None for a body under MIN_SHINGLES."""
    found = shingles(body)
    if len(found) < MIN_SHINGLES:
        return None
    values = minhash_values(found)
    return Signature(_SIGNATURE.pack(*values.tolist()), band_keys(values))


# datasketch 2's "affine32" MinHash, computed here: importing datasketch imports its LSH
# module and with it scipy, a second of CPU at every start of a process (a tenth of a
# 1,000-article ingest's start-up). tests/ingest/test_signature.py checks that the values
# are datasketch's, bit for bit.
_MAX_HASH = np.uint32(0xFFFFFFFF)
_FMIX32 = (
    np.uint32(16),
    np.uint32(0x85EBCA6B),
    np.uint32(13),
    np.uint32(0xC2B2AE35),
    np.uint32(16),
)


def minhash_values(found: Iterable[bytes]) -> np.ndarray:
    """MinHash(num_perm=NUM_PERM, hashfunc=zlib.crc32, seed=SEED, scheme=SCHEME) of these
    shingles, as datasketch's update_batch leaves its hashvalues (uint32): each shingle's
    crc32, mixed by MurmurHash3's finaliser, through the affine permutations a * h + b
    (mod 2**32), the least of each."""
    # crc32, not datasketch's default sha1: a third of the time, and as stable across processes
    # and releases (a shingle is a handful of words; 32-bit collisions cost nothing here)
    hashed = np.array([zlib.crc32(item) for item in found], dtype=np.uint32).reshape(-1, 1)
    values = np.full(NUM_PERM, _MAX_HASH, dtype=np.uint32)
    if not len(hashed):
        return values
    s1, m1, s2, m2, s3 = _FMIX32
    hashed = hashed ^ (hashed >> s1)
    hashed = hashed * m1
    hashed = hashed ^ (hashed >> s2)
    hashed = hashed * m2
    hashed = hashed ^ (hashed >> s3)
    a, b = _permutations()
    least: np.ndarray = np.minimum(values, (hashed * a + b).min(axis=0))
    return least


@cache
def _permutations() -> tuple[np.ndarray, np.ndarray]:
    """The MinHash permutations for SEED, drawn once per process as datasketch draws them:
    odd multipliers, then offsets, from numpy's RandomState(SEED)."""
    generator = np.random.RandomState(SEED)
    a = generator.randint(0, 1 << 31, NUM_PERM, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = generator.randint(0, 1 << 32, NUM_PERM, dtype=np.uint32)
    return a, b


def band_keys(values: np.ndarray) -> tuple[int, ...]:
    """One key per band: a 64-bit hash of the band's number and its ROWS values."""
    keys = []
    for band in range(BANDS):
        chunk = values[band * ROWS : (band + 1) * ROWS].astype("<u4").tobytes()
        digest = hashlib.blake2b(bytes([band]) + chunk, digest_size=8).digest()
        keys.append(int.from_bytes(digest, "little", signed=True))
    return tuple(keys)


def stored_bands(values: bytes) -> tuple[int, ...]:
    """The band keys of a stored signature (as `signature` gave them)."""
    return band_keys(np.frombuffer(values, dtype="<u4"))


def similarity(a: bytes, b: bytes) -> float:
    """The estimated Jaccard similarity of two stored signatures."""
    left = np.frombuffer(a, dtype="<u4")
    right = np.frombuffer(b, dtype="<u4")
    if left.shape != right.shape:
        return 0.0
    return float(np.count_nonzero(left == right)) / len(left)
