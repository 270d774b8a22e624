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
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
from datasketch import MinHash

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
    # crc32, not datasketch's default sha1: a third of the time, and as stable across processes
    # and releases (a shingle is a handful of words; 32-bit collisions cost nothing here)
    minhash = MinHash(
        num_perm=NUM_PERM, hashfunc=zlib.crc32, permutations=_permutations(), scheme=SCHEME
    )
    minhash.update_batch(list(found))
    values = minhash.hashvalues.astype(np.uint32)
    return Signature(_SIGNATURE.pack(*values.tolist()), band_keys(values))


@cache
def _permutations() -> Any:
    """The MinHash permutations for SEED, drawn once per process (each MinHash would again)."""
    return MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME).permutations


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
