"""Fresh training Lagrangians on the fly: the dataset's sampler + the oracle, never a held-out field list.

``TrainStream`` is an ``IterableDataset`` of *batches*. For every "epoch" of ``epoch_batches`` batches it
draws candidates ``Random(f"stream:{seed}:{epoch}:{worker}:{i}")`` from the data settings' main sampler,
asks the oracle for their Lagrangians (``candidate_row``, as dataset generation does), keeps a candidate
only if its field multiset hashes to the train split (``split_of``, the rule the Parquet splits use) and is
none of the ``exclude`` keys (the val, test and OOD tables actually written), encodes it with the
datamodule's ``encode_row`` and drops it when it is longer than the length limits. Kept examples are length-
bucketed like the Parquet batches (a window of ``window`` batches sorted by target length, cut, the batches
shuffled). ``canonical_ids`` (a share per epoch) renumbers the IDs of that share of the examples per term in
order of appearance: a curriculum from canonical to random IDs for the schemes that draw them.

Under DDP each rank draws its own Lagrangians (ranks never train on the same batch). Reproducible: the batches
depend only on (seed, epoch, worker count, rank); each full pass over ``epoch_batches`` is
the next epoch, with fresh draws. Resumable: ``state_dict`` is the epoch and the number of batches already
yielded in it; ``load_state_dict`` makes the next iteration regenerate and skip them (exact with
``num_workers=0``, the setting for 2 cores; with workers the count lives in the worker processes).
The oracle makes thousands of Lagrangians a second; training consumes tens, so one process suffices
(``num_workers=0``); with workers each takes its own share of the epoch's batches.
"""

from __future__ import annotations

import random
import zlib
from collections import Counter
from collections.abc import Callable, Iterator

import torch
from torch.utils.data import IterableDataset, get_worker_info

from src.errors import UserError

from .splits import split_of


class TrainStream(IterableDataset):
    def __init__(
        self,
        settings,
        encode: Callable[[dict, int], dict],
        exclude: set[str],
        batch_size: int,
        epoch_batches: int,
        max_source_length: int,
        max_target_length: int,
        seed: int = 0,
        window: int = 50,
        keep_by_fields: list[float] | None = None,
        canonical_ids: list[float] | None = None,
        renumber: Callable[[list[int]], list[int]] | None = None,
        sublists: dict | None = None,
    ):
        super().__init__()
        check_stream_values(batch_size, epoch_batches, keep_by_fields, canonical_ids)
        self.settings = settings
        self.encode = encode
        self.exclude = set(exclude)
        self.batch_size = int(batch_size)
        self.epoch_batches = int(epoch_batches)
        self.max_source_length = int(max_source_length)
        self.max_target_length = int(max_target_length)
        self.seed = int(seed)
        self.window = int(window)
        # share of the drawn candidates kept with 1, 2, ... fields (1 beyond the list): reweights field counts
        self.keep_by_fields = {n: float(v) for n, v in enumerate(keep_by_fields or [], start=1)}
        # share of epoch 0, 1, ... whose target IDs are renumbered per term in order of appearance (an ID
        # curriculum for random-ID schemes); epochs beyond the list keep the scheme's own IDs
        self.canonical_ids = [float(v) for v in canonical_ids or []]
        self.curriculum_ended = False  # set when end_canonical_ids cut the list short
        if self.canonical_ids and renumber is None:
            raise ValueError("canonical_ids needs a renumber function (the scheme's per-term ID renumbering)")
        self.renumber = renumber
        self.sublists = check_sublists(sublists)
        self.epoch = 0
        self.skip = 0  # batches of the current epoch already consumed (resume)
        self.yielded = 0
        self.rejects: Counter = Counter()

    def __len__(self) -> int:
        return self.epoch_batches

    def _roll(self) -> None:
        """Fold the batches yielded so far into ``skip``; past the epoch's end, move to the next epoch."""
        self.skip, self.yielded = self.skip + self.yielded, 0
        if self.skip >= self.epoch_batches:
            self.epoch, self.skip = self.epoch + 1, 0

    def end_canonical_ids(self, after_epoch: int) -> bool:
        """No canonical-ID share in the epochs after ``after_epoch`` (the curriculum ends early); True if
        that cut anything."""
        kept = self.canonical_ids[: max(after_epoch + 1, 0)]
        cut = any(v > 0.0 for v in self.canonical_ids[len(kept) :])
        self.canonical_ids = kept
        self.curriculum_ended = self.curriculum_ended or cut
        return cut

    def state_dict(self) -> dict:
        """Where the stream stands: the epoch and the batches of it already yielded (workers=0), and the
        canonical-ID shares once the curriculum was ended early (it stays ended on resume)."""
        done = self.skip + self.yielded
        if done >= self.epoch_batches:
            state = {"epoch": self.epoch + 1, "batches": 0}
        else:
            state = {"epoch": self.epoch, "batches": done}
        if self.curriculum_ended:
            state["canonical_ids"] = list(self.canonical_ids)
        return state

    def load_state_dict(self, state: dict) -> None:
        self.epoch = int(state.get("epoch", 0))
        self.skip = int(state.get("batches", 0))
        self.yielded = 0
        if "canonical_ids" in state:
            self.canonical_ids = [float(v) for v in state["canonical_ids"]]
            self.curriculum_ended = True

    def examples(self, worker: int | str) -> Iterator[dict]:
        """Encoded training examples of this epoch and worker ("rank.worker" under DDP), forever."""
        from .generation import candidate_row, make_sampler
        from .rows import multiset_key

        sampler = make_sampler(self.settings, "main")
        own_terms_only, empty_shares = False, ()
        if self.sublists:
            from .samplers import SublistSampler

            sub = self.sublists
            sampler = SublistSampler(
                sampler,
                tuple(sub["sizes"]),
                sub["planted_share"],
                sub["repeat_share"],
                sub["near_miss_share"],
            )
            own_terms_only = sub["own_terms"]
            empty_shares = sub["empty_share"]  # one per sub-list size
        s = self.settings
        index = 0
        rng_key = ""

        def precheck(sample) -> str | None:
            # decided before the oracle solves the candidate: most refusals cost only the draw
            keep = self.keep_by_fields.get(len(sample.fields), 1.0)
            if keep < 1.0 and random.Random(f"keep:{rng_key}").random() >= keep:
                return "field_count_reweighted"
            key = multiset_key(sample.fields, sample.spelling)
            if split_of(key, s.val_fraction, s.test_fraction) != "train" or key in self.exclude:
                return "held_out"
            return None

        while True:
            rng_key = f"stream:{self.seed}:{self.epoch}:{worker}:{index}"
            row = candidate_row(
                s,
                "main",
                sampler,
                index,
                self.rejects,
                rng_key=rng_key,
                precheck=precheck,
                own_terms_only=own_terms_only,
            )
            index += 1
            if row is None:
                continue
            keep_empty = empty_shares[row["n_fields"] - 1] if empty_shares else 1.0
            empty = keep_empty < 1.0 and row["n_terms"] == 0  # an own-term target with no term
            if empty and random.Random(f"empty:{rng_key}").random() >= keep_empty:
                self.rejects["empty_reweighted"] += 1
                continue
            enc = self.encode(row, zlib.crc32(rng_key.encode()))  # seeds the example's own ID draws
            share = self._canonical_share()
            if share > 0.0 and random.Random(f"canonical:{rng_key}").random() < share:
                enc["labels"] = self.renumber(enc["labels"])
            if len(enc["input_ids"]) > self.max_source_length or len(enc["labels"]) > self.max_target_length:
                self.rejects["too_long"] += 1
                continue
            yield enc

    def _canonical_share(self) -> float:
        return self.canonical_ids[self.epoch] if self.epoch < len(self.canonical_ids) else 0.0

    def batches(self, worker: int | str = 0, workers: int = 1) -> Iterator[list[dict]]:
        """This worker's share of the epoch's batches, length-bucketed, in a seeded order."""
        rng = random.Random(f"stream-order:{self.seed}:{self.epoch}:{worker}")
        index = int(str(worker).rsplit(".", 1)[-1])
        share = range(index, self.epoch_batches, workers)
        wanted = len(share)
        source = self.examples(worker)
        done = 0
        while done < wanted:
            n = min(self.window, wanted - done)
            pool = [next(source) for _ in range(n * self.batch_size)]
            pool.sort(key=lambda e: len(e["labels"]))
            chunk = [pool[i : i + self.batch_size] for i in range(0, len(pool), self.batch_size)]
            rng.shuffle(chunk)
            yield from chunk
            done += len(chunk)

    def __iter__(self) -> Iterator[list[dict]]:
        # A new pass continues where the last one stopped (a trainer stops after len() batches without
        # exhausting the iterator), and a pass after a whole epoch starts the next epoch: fresh draws.
        self._roll()
        from .batching import _distributed

        info = get_worker_info()
        worker, workers = (0, 1) if info is None else (info.id, info.num_workers)
        skip = self.skip // workers + (1 if worker < self.skip % workers else 0)
        rank, _ = _distributed()  # under DDP every rank draws its own Lagrangians (each trains epoch_batches)
        for k, batch in enumerate(self.batches(worker if rank == 0 else f"{rank}.{worker}", workers)):
            if k < skip:
                continue
            self.yielded += 1
            yield batch


def check_stream_values(
    batch_size: int,
    epoch_batches: int,
    keep_by_fields=None,
    canonical_ids=None,
    canonical_ids_until: float | None = None,
) -> None:
    """The training stream's numbers, each refused by its key (UserError): batches of at least one example,
    epochs of at least one batch, shares of the stream in [0, 1]."""

    def within(key: str, value, minimum, maximum=None) -> None:
        if value < minimum:
            raise UserError(f"data.datamodule.{key}={value!r} must be >= {minimum}")
        if maximum is not None and value > maximum:
            raise UserError(f"data.datamodule.{key}={value!r} must be <= {maximum}")

    within("batch_size", batch_size, 1)
    within("stream.epoch_batches", epoch_batches, 1)
    for key, shares in (("keep_by_fields", keep_by_fields), ("canonical_ids", canonical_ids)):
        for k, share in enumerate(shares or []):
            within(f"stream.{key}[{k}]", share, 0.0, 1.0)
    if canonical_ids_until is not None:
        within("stream.canonical_ids_until", canonical_ids_until, 0.0, 1.0)


def check_sublists(sublists: dict | None) -> dict | None:
    """The ``stream.sublists`` settings checked (None when ``sizes`` is empty: whole lists are drawn)."""
    if not sublists or not list(sublists.get("sizes") or []):
        return None
    where = "data.datamodule.stream.sublists"
    sizes = [float(w) for w in sublists["sizes"]]
    if len(sizes) > 4 or any(w < 0 for w in sizes) or sum(sizes) <= 0:
        raise UserError(
            f"{where}.sizes: weights of sub-lists of 1, 2, ... fields, at most 4 (no term holds more "
            f"distinct fields), none negative, not all zero; got {list(sublists['sizes'])}"
        )
    out = {"sizes": sizes, "own_terms": bool(sublists.get("own_terms", True))}
    defaults = {"planted_share": 0.0, "repeat_share": 0.0, "near_miss_share": 0.0}
    for key, default in defaults.items():
        value = float(sublists.get(key, default))
        if not 0.0 <= value <= 1.0:
            raise UserError(f"{where}.{key} is a share in [0, 1], got {sublists.get(key)}")
        out[key] = value
    out["empty_share"] = _empty_shares(sublists.get("empty_share", 1.0), len(sizes), where)
    return out


def _empty_shares(given, n_sizes: int, where: str) -> tuple[float, ...]:
    """``empty_share`` as one share per sub-list size: a number is the share of every size, a list names
    each size's share (as ``sizes`` weighs them)."""
    many = isinstance(given, (list, tuple)) or (hasattr(given, "__len__") and not isinstance(given, str))
    try:
        shares = tuple(float(v) for v in given) if many else (float(given),) * n_sizes
    except (TypeError, ValueError):
        shares = ()
    if len(shares) != n_sizes or not all(0.0 <= v <= 1.0 for v in shares):
        raise UserError(
            f"{where}.empty_share: a share in [0, 1], or one per sub-list size ({n_sizes}, as sizes), "
            f"got {given}"
        )
    return shares


def stream_loader(stream: TrainStream, collate, num_workers: int = 0) -> torch.utils.data.DataLoader:
    """A DataLoader over the stream's ready-made batches (``collate``: a list of examples -> tensors)."""
    return torch.utils.data.DataLoader(stream, batch_size=None, collate_fn=collate, num_workers=num_workers)
