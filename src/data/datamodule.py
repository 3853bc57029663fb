"""``LagrangianDataModule``: the Parquet tables, tokenized by a token scheme, in length-bucketed batches.

Built from the ``data`` config node by ``datamodule_from_config(cfg.data, scheme)``: its ``datamodule``
entry, with the rest of the node (the data settings) as ``generate``. It

* generates the dataset when ``data_dir`` lacks it (``generate`` = the data settings; ``prepare_data``, the
  Lightning hook: the trainer calls it before ``setup``, on one process per node, the others waiting; a
  caller without a trainer calls it first; ``ensure_dataset`` is the same check without a module);
* reads nothing before that: a scheme that ``needs_fit`` (opaque's vocabulary) is fitted beforehand on
  ``training_field_lists(cfg.data)``;
* encodes every row with ``scheme.encode(fields, lagrangian, rng)``, the Lagrangian rebuilt from the
  ``fields_json`` and ``terms`` columns and the per-term IDs drawn from ``Random(f"{seed}:{split}:{row}")``;
  rows with an out-of-distribution hypercharge spelling get their charges respelled (``U1 2 / 4``);
* batches by length buckets (``batching.py``); a batch is the scheme's ``collate`` output (``input_ids``,
  ``attention_mask``, ``labels`` padded with -100, ``u1_values`` when the scheme has them) plus ``row``,
  the row's index in ``table(split)``.

Length limits: training drops rows whose source or target is longer than the limits (counted in
``dropped``); evaluation splits keep every row and truncate (the scores use the full table row).
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

import lightning as L
import torch
from torch.utils.data import DataLoader

from .batching import LengthBucketBatchSampler
from .rows import fields_from_row, lagrangian_from_row, row_spelling
from .tables import read_frame


class EncodedSplit(torch.utils.data.Dataset):
    def __init__(self, examples: list[dict]):
        self.examples = examples

    def __len__(self) -> int:
        return len(self.examples)

    def __getitem__(self, i: int) -> dict:
        return self.examples[i]


def datamodule_from_config(data_cfg, scheme, settings=None, **overrides) -> LagrangianDataModule:
    """The ``data`` node's ``datamodule`` entry, given the rest of the node's settings as ``generate``: one
    ``DataSettings`` object that generates, streams and checks the dataset. ``settings``: that object when the
    caller already built it from this node (a training run's value checks do), else it is built here."""
    import hydra
    from omegaconf import OmegaConf

    from .settings import settings_from_config

    node = OmegaConf.to_container(data_cfg, resolve=True)
    datamodule = node.pop("datamodule")
    # Plain containers: the schema checked the node when it was composed; ``overrides`` (e.g. stream=None
    # for the benchmarks' fixed batches) are arguments of the datamodule, not edits of the config.
    settings = settings if settings is not None else settings_from_config(node)
    # called, not instantiated: Hydra would turn the settings dataclass into a config node
    target = hydra.utils.get_class(datamodule.pop("_target_"))
    return target(scheme=scheme, generate=settings, **{**datamodule, **overrides})


def ensure_dataset(data_dir: Path, generate, force: bool = False) -> None:
    """Accept the dataset in ``data_dir`` only when it is complete (``meta.json`` with every file's sha256)
    and was generated with the settings ``generate`` (a ``DataSettings``, or the ``data`` node without its
    ``datamodule``); generate
    it when it is missing or incomplete. A complete dataset generated with other settings stops with a
    ``ConfigError`` naming the first setting that differs, unless ``force`` (then it is regenerated). Without
    ``generate``, only a complete dataset is accepted. Another process writing the same dataset is waited for.
    """
    from .field_space import ConfigError
    from .generation import generate_dataset, read_complete_meta, settings_difference
    from .settings import DataSettings, settings_from_config

    data_dir = Path(data_dir)
    meta, why = read_complete_meta(data_dir)
    if generate:
        settings = generate if isinstance(generate, DataSettings) else settings_from_config(generate)
        diff = settings_difference(settings.generation_json(), meta.get("generation", {})) if meta else ""
        if diff and not force:
            raise ConfigError(
                f"{data_dir} holds a dataset generated with other settings ({diff}); "
                "choose another data.name=... or set data.force=true to regenerate it"
            )
        if meta is None or diff:
            if data_dir.is_dir() and any(data_dir.iterdir()):
                print(f"regenerating {data_dir}: {why or diff}", file=sys.stderr, flush=True)
            generate_dataset(settings, data_dir, progress=True, wait_s=WAIT_FOR_WRITER_S)
    elif meta is None:
        raise ConfigError(f"{data_dir} is not a complete dataset: {why}")


def _data_settings(generate):
    """A ``DataSettings`` from ``generate`` (itself when it is one; None when none is given)."""
    from .settings import DataSettings, settings_from_config

    if generate is None or isinstance(generate, DataSettings):
        return generate
    plain = _plain(generate)
    return settings_from_config(plain) if plain else None


def read_split(data_dir: Path, split: str, limit: int | None = None):
    """A split's rows as a DataFrame, its first ``limit`` rows when a limit is given."""
    path = Path(data_dir) / f"{split}.parquet"
    if not path.exists():
        hint = "prepare_data() (which Lightning calls before setup) generates it"
        raise FileNotFoundError(f"{path} does not exist: {hint}")
    df = read_frame(path)
    return df if limit is None else df.iloc[: int(limit)].reset_index(drop=True)


def ensure_data(data_cfg) -> tuple[Path, dict]:
    """``ensure_dataset`` for the dataset a ``data`` config node names (its ``datamodule.data_dir``,
    generated with the node's settings when missing): for code that reads the data outside a Lightning
    Trainer, whose ``prepare_data`` call does the same. Returns the folder and the resolved ``datamodule``
    node."""
    from omegaconf import OmegaConf

    node = OmegaConf.to_container(data_cfg, resolve=True) if OmegaConf.is_config(data_cfg) else dict(data_cfg)
    datamodule = node.pop("datamodule")
    data_dir = Path(str(datamodule["data_dir"]))
    ensure_dataset(data_dir, node, bool(datamodule.get("force", False)))
    return data_dir, datamodule


def training_field_lists(data_cfg) -> list[list]:
    """The field lists of the training split that the ``data`` node names (its ``limit_train`` applied),
    the dataset generated first when missing (``ensure_data``): what a token scheme that ``needs_fit`` is
    fitted on, before the datamodule and the model are built."""
    data_dir, datamodule = ensure_data(data_cfg)
    rows = read_split(data_dir, "train", datamodule.get("limit_train")).to_dict("records")
    return [fields_from_row(r) for r in rows]


def _plain(node):
    """DictConfig/ListConfig -> plain Python (resolved); anything else unchanged."""
    from omegaconf import OmegaConf

    if OmegaConf.is_config(node):
        return OmegaConf.to_container(node, resolve=True)
    return node


WAIT_FOR_WRITER_S = 3600.0


class LagrangianDataModule(L.LightningDataModule):
    # The defaults are conf/data/sampled.yaml's ``datamodule`` values, for a module built by hand (a test
    # holds them equal); a training run builds it from its composed config (``datamodule_from_config``).
    def __init__(
        self,
        data_dir: str,
        scheme,
        batch_size: int = 32,
        max_source_length: int = 256,
        max_target_length: int = 2048,
        bucket_by_length: bool = True,
        num_workers: int = 0,
        seed: int = 0,
        eval_splits: list[str] = (),
        generate=None,
        limit_train: int | None = None,
        limit_val: int | None = None,
        stream: dict | None = None,
        force: bool = False,
    ):
        super().__init__()
        self.data_dir = Path(str(data_dir))
        self.scheme = scheme
        self.batch_size = int(batch_size)
        self.max_source_length = int(max_source_length)
        self.max_target_length = int(max_target_length)
        self.bucket_by_length = bool(bucket_by_length)
        self.num_workers = int(num_workers)
        self.seed = int(seed)
        self.eval_splits = list(_plain(eval_splits) or [])
        # the data settings (a DataSettings, or a data node to build one from): generate, stream, check
        self.settings = _data_settings(generate)
        self.limit_train = limit_train
        self.limit_val = limit_val
        self._tables: dict = {}
        self._encoded: dict[str, EncodedSplit] = {}
        self.dropped: dict[str, int] = {}

        # stream: {enabled, epoch_batches}: fresh training Lagrangians on the fly (src/data/stream.py)
        self.stream_cfg = dict(_plain(stream) or {})
        self._stream = None
        self.force = bool(force)  # a complete dataset with other settings is regenerated, not refused
        self._checked = False

    # -- files -------------------------------------------------------------------------------------------
    @property
    def test_split_names(self) -> list[str]:
        return ["test", *self.eval_splits]

    def prepare_data(self) -> None:
        """Lightning's hook (one process per node, before ``setup``): ``ensure_dataset``, then check that
        every split this module reads exists."""
        if self._checked:
            return
        from .field_space import ConfigError
        from .settings import check_eval_splits

        check_eval_splits(self.eval_splits)
        ensure_dataset(self.data_dir, self.settings, self.force)  # a complete dataset: its main splits exist
        missing = [s for s in self.eval_splits if not (self.data_dir / f"{s}.parquet").exists()]
        if missing:
            raise ConfigError(
                f"data.datamodule.eval_splits: {missing[0]}.parquet was not generated in {self.data_dir}; "
                "is that split enabled in data.ood?"
            )
        self._checked = True

    def table(self, split: str):
        """The split's rows as a DataFrame (after limit_train / limit_val)."""
        if split not in self._tables:
            limit = {"train": self.limit_train, "val": self.limit_val}.get(split)
            self._tables[split] = read_split(self.data_dir, split, limit)
        return self._tables[split]

    # -- encoding ----------------------------------------------------------------------------------------
    def encode_row(self, row: dict, split: str, index: int) -> dict:
        seed = f"{self.seed}:{split}:{index}"
        # out-of-distribution spellings live in the words, not in Field.u1
        enc = dict(
            self.scheme.encode(
                fields_from_row(row),
                lagrangian_from_row(row),
                random.Random(seed),
                spelling=row_spelling(row),
            )
        )
        enc["row"] = index
        return enc

    def _encode_split(self, split: str) -> EncodedSplit:
        if split in self._encoded:
            return self._encoded[split]
        rows = self.table(split).to_dict("records")
        out, dropped = [], 0
        for i, row in enumerate(rows):
            enc = self.encode_row(row, split, i)
            too_long = (
                len(enc["input_ids"]) > self.max_source_length or len(enc["labels"]) > self.max_target_length
            )
            if too_long and split == "train":
                dropped += 1
                continue
            if too_long:
                enc["input_ids"] = enc["input_ids"][: self.max_source_length]
                enc["labels"] = enc["labels"][: self.max_target_length]
                if "u1_values" in enc:
                    enc["u1_values"] = enc["u1_values"][: self.max_source_length]
            out.append(enc)
        self.dropped[split] = dropped
        self._encoded[split] = EncodedSplit(out)
        return self._encoded[split]

    def setup(self, stage: str | None = None) -> None:
        from .field_space import ConfigError

        if not self.scheme.is_fitted:
            raise ConfigError(
                f"the {self.scheme.name} scheme takes its vocabulary from the training fields: "
                "fit it (scheme.fit(training_field_lists(cfg.data))) before the DataModule is built"
            )
        if stage in (None, "fit") and not self.streaming:
            self._encode_split("train")
        if stage in (None, "fit", "validate"):
            self._encode_split("val")
        if stage in (None, "test"):
            for s in self.test_split_names:
                self._encode_split(s)

    # -- loaders -----------------------------------------------------------------------------------------
    def _collate(self, examples: list[dict]) -> dict:
        rows = [e["row"] for e in examples]
        batch = self.scheme.collate([{k: v for k, v in e.items() if k != "row"} for e in examples])
        batch["row"] = torch.tensor(rows, dtype=torch.long)
        return batch

    def loader(self, split: str, shuffle: bool | None = None) -> DataLoader:
        data = self._encode_split(split)
        shuffle = split == "train" if shuffle is None else shuffle
        sampler = LengthBucketBatchSampler(
            [len(e["labels"]) for e in data.examples],
            self.batch_size,
            shuffle=shuffle,
            bucket=self.bucket_by_length,
            seed=self.seed,
        )
        return DataLoader(data, batch_sampler=sampler, collate_fn=self._collate, num_workers=self.num_workers)

    @property
    def streaming(self) -> bool:
        return bool(self.stream_cfg.get("enabled", False))

    def train_stream(self):
        """The ``TrainStream`` over fresh field lists (built once; excludes every held-out table's keys)."""
        if self._stream is None:
            from .stream import TrainStream

            if self.settings is None:
                raise ValueError("data.datamodule.stream needs the data settings (`generate`) to sample from")
            settings = self.settings
            held_out = [s for s in ("val", "test", *self.eval_splits) if s != "train"]
            held_out += [p.stem for p in self.data_dir.glob("*.parquet") if p.stem.startswith("ood_")]
            exclude = {k for s in dict.fromkeys(held_out) for k in self.table(s)["key"]}
            self._stream = TrainStream(
                settings,
                encode=lambda row, i: self.encode_row(row, "stream", i),
                exclude=exclude,
                batch_size=self.batch_size,
                epoch_batches=int(self.stream_cfg.get("epoch_batches", 500)),
                max_source_length=self.max_source_length,
                max_target_length=self.max_target_length,
                seed=int(self.stream_cfg.get("seed", self.seed)),
                keep_by_fields=self.stream_cfg.get("keep_by_fields"),
                # a scheme with canonical IDs already writes them per term: the curriculum has nothing to do
                canonical_ids=None if self.scheme.canonical else self.stream_cfg.get("canonical_ids"),
                renumber=self._renumber_ids,
                sublists=self.stream_cfg.get("sublists"),
            )
        return self._stream

    def _renumber_ids(self, labels: list[int]) -> list[int]:
        """Target ids with each term's IDs renumbered in order of appearance ([SOS]/[EOS] kept)."""
        from src.tokens.base import EOS_ID, SOS_ID
        from src.tokens.grammar import renumber_term_ids

        return [SOS_ID, *self.scheme.ids(renumber_term_ids(self.scheme.decode(labels))), EOS_ID]

    def train_dataloader(self) -> DataLoader:
        if self.streaming:
            from .stream import stream_loader

            return stream_loader(self.train_stream(), self._collate, self.num_workers)
        return self.loader("train")

    def state_dict(self) -> dict:
        return {"stream": self._stream.state_dict()} if self._stream is not None else {}

    def load_state_dict(self, state_dict: dict) -> None:
        if "stream" in state_dict and self.streaming:
            self.train_stream().load_state_dict(state_dict["stream"])

    def val_dataloader(self) -> DataLoader:
        return self.loader("val")

    def test_dataloader(self) -> list[DataLoader]:
        return [self.loader(s) for s in self.test_split_names]
