"""Length-bucketed batches: little padding without giving up shuffling.

Training order (per epoch, seeded by ``seed + epoch``): shuffle the examples, cut them into windows of
``window`` batches, sort each window by target length, cut it into batches, shuffle the batches. Evaluation
order (``shuffle=False``): sort everything by length once and cut (deterministic; the ``row`` entry of a batch
maps back to the table). ``bucket=False`` gives plain shuffled (or sequential) batches, the baseline of the
padding benchmark. Under torch.distributed each rank takes every world_size-th batch.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence

from torch.utils.data import Sampler


def _distributed() -> tuple[int, int]:
    import torch.distributed as dist

    if dist.is_available() and dist.is_initialized():
        return dist.get_rank(), dist.get_world_size()
    return 0, 1


class LengthBucketBatchSampler(Sampler[list[int]]):
    """Yields lists of dataset indices; ``set_epoch`` (called by Lightning) reshuffles."""

    def __init__(
        self,
        lengths: Sequence[int],
        batch_size: int,
        shuffle: bool = True,
        bucket: bool = True,
        seed: int = 0,
        window: int = 50,
    ):
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}")
        self.lengths = list(lengths)
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.bucket = bucket
        self.seed = seed
        self.window = window
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def batches(self) -> list[list[int]]:
        n, b = len(self.lengths), self.batch_size
        order = list(range(n))
        rng = random.Random(f"{self.seed}:{self.epoch}")
        if self.shuffle:
            rng.shuffle(order)
        if self.bucket:
            if self.shuffle:
                span = b * self.window
                windows = [order[i : i + span] for i in range(0, n, span)]
                order = [i for w in windows for i in sorted(w, key=lambda i: self.lengths[i])]
            else:
                order = sorted(order, key=lambda i: self.lengths[i])
        out = [order[i : i + b] for i in range(0, n, b)]
        if self.shuffle:
            rng.shuffle(out)
        rank, world = _distributed()
        if world > 1:
            usable = len(out) // world * world or len(out)
            out = out[rank:usable:world]
        return out

    def __iter__(self) -> Iterator[list[int]]:
        return iter(self.batches())

    def __len__(self) -> int:
        n = -(-len(self.lengths) // self.batch_size)
        _, world = _distributed()
        return max(n // world, 1) if world > 1 else n


def padding_fraction(lengths: Sequence[int], batches: list[list[int]]) -> float:
    """Share of padded positions: 1 - sum(lengths) / sum(batch size * longest in batch)."""
    real = sum(lengths[i] for batch in batches for i in batch)
    padded = sum(len(batch) * max(lengths[i] for i in batch) for batch in batches if batch)
    return 1.0 - real / padded if padded else 0.0
