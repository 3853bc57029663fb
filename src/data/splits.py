"""Train/val/test assignment by a hash of the canonical field multiset.

The split of a multiset depends only on its key, never on the seed, the dataset size or the sampler, so a
field multiset lands in the same split in every dataset we build (a test Lagrangian of the sampled set is
never a training one of the uniform set), and no multiset can appear in two splits.
"""

from __future__ import annotations

import hashlib

MAIN_SPLITS = ("train", "val", "test")


def key_unit(key: str) -> float:
    """A number in [0, 1) from the SHA-256 of the key (uniform over keys, stable across runs and machines)."""
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def split_of(key: str, val_fraction: float, test_fraction: float) -> str:
    u = key_unit(key)
    if u < test_fraction:
        return "test"
    if u < test_fraction + val_fraction:
        return "val"
    return "train"
