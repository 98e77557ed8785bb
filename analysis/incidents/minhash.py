"""MinHash signatures of character shingles, and their LSH bands.

A document's signature estimates the Jaccard similarity of its 4-character shingles
with any other's; documents sharing a band (ROWS consecutive rows) are candidates
for near-duplicates, so each is compared only with the few that share one.
"""

from __future__ import annotations

import hashlib
import re
import zlib

import numpy as np

SHINGLE = 4
PERMUTATIONS, BANDS = 32, 8
ROWS = PERMUTATIONS // BANDS
# Universal hashing (a*x + b) mod p with a, b and x all below p = 2^31 - 1: the product
# fits in 64 bits and wraps around p billions of times, so each permutation really
# reorders the shingles. (A 61-bit p with 31-bit a barely wrapped: the minimum was
# nearly always the shingle with the smallest CRC, merging unrelated reports.)
_PRIME = np.uint64((1 << 31) - 1)
_RNG = np.random.default_rng(20210425)
_A = _RNG.integers(1, (1 << 31) - 1, PERMUTATIONS, dtype=np.uint64)
_B = _RNG.integers(0, (1 << 31) - 1, PERMUTATIONS, dtype=np.uint64)
CJK_RUNS = re.compile(r"[\u4e00-\u9fff0-9]+")


def shingles(text: str) -> set[str]:
    """Overlapping runs of SHINGLE characters of the text's Chinese characters and digits."""
    compact = "".join(CJK_RUNS.findall(text)) or text
    if len(compact) <= SHINGLE:
        return {compact}
    # The runs starting at each offset, zipped to the shortest: every window, in C.
    return set(map("".join, zip(*(compact[i:] for i in range(SHINGLE)), strict=False)))


def minhash(text: str) -> np.ndarray:
    """A MinHash signature of the text's character shingles (stable across runs)."""
    shingles_ = shingles(text)
    hashes = np.fromiter(
        map(zlib.crc32, map(str.encode, shingles_)), dtype=np.uint64, count=len(shingles_)
    )
    products = (np.outer(hashes % _PRIME, _A) + _B) % _PRIME
    return products.min(axis=0)


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of two signatures."""
    return float(np.mean(a == b))


def band_keys(signature: np.ndarray) -> list[str]:
    """LSH band keys of a signature: documents sharing one are near-duplicate candidates."""
    keys = []
    for band in range(BANDS):
        rows = signature[band * ROWS : (band + 1) * ROWS].astype("<u4").tobytes()
        keys.append(f"b{band}:{hashlib.blake2b(rows, digest_size=8).hexdigest()}")
    return keys
