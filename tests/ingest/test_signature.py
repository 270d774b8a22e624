"""The signature's MinHash is datasketch's (scheme affine32, crc32, seed 1), bit for bit:
stored signatures and band keys were made by it."""

import zlib
from pathlib import Path

import numpy as np
from datasketch import MinHash

from app.ingest.signature import NUM_PERM, SCHEME, SEED, minhash_values, shingles, signature

SAMPLES = Path(__file__).resolve().parents[2] / "app" / "data" / "samples"


def _datasketch(found: set[bytes]) -> np.ndarray:
    permutations = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME).permutations
    minhash = MinHash(
        num_perm=NUM_PERM, hashfunc=zlib.crc32, permutations=permutations, scheme=SCHEME
    )
    minhash.update_batch(list(found))
    return minhash.hashvalues.astype(np.uint32)  # type: ignore[no-any-return]


def test_the_values_are_datasketchs() -> None:
    bodies = [
        "",
        "Chile and Peru",
        " ".join(f"word{n}" for n in range(400)),
        "Troops from Pakistan and Russia launched a joint military exercise near Islamabad. " * 9,
        *(path.read_text(encoding="utf-8", errors="replace") for path in _sample_files()),
    ]
    for body in bodies:
        found = shingles(body)
        mine = minhash_values(found)
        assert mine.dtype == np.uint32
        assert np.array_equal(mine, _datasketch(found)), body[:60]
    assert signature(bodies[2]) is not None


def _sample_files() -> list[Path]:
    return sorted(p for p in SAMPLES.rglob("*") if p.is_file())[:40] if SAMPLES.is_dir() else []
