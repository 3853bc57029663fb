"""The schema of the ``data`` config group: the key names and types of every ``conf/data/*.yaml`` node.

Registered in Hydra's ConfigStore as ``data/schema``; ``conf/data/sampled.yaml`` (and through it every other
data config) lists it first in its defaults. OmegaConf then refuses an unknown key (``data.nosuch=1``) or a
value of the wrong type (``data.n_lagrangians=abc``) by its full name while the config is composed, before
any work. The values live in the YAML files (every field here is ``MISSING``); what a type cannot say
(ranges, known names, relations between keys) is checked by ``src.data.settings.settings_from_config`` and,
for the training-side ``datamodule`` node, by ``src.training.checks.check_values``.

``DatasetKeys`` declares the top-level keys once: ``DataNode`` and the validated settings
(``src.data.settings.DataSettings``) both inherit them.

Importing this module registers the schema; every place that composes a config with a ``data`` group
(``src.cli.compose``, the Hydra apps, the benches, the tests' ``conftest``) imports it first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hydra.core.config_store import ConfigStore
from omegaconf import MISSING


@dataclass
class VocabularyNode:
    su3: list[str] = MISSING
    su2: list[int] = MISSING
    max_numerator: int = MISSING
    max_denominator: int = MISSING
    zero_charge_share: float = MISSING
    scalar_share: float = MISSING


@dataclass
class SampledNode:
    field_count_decay: float = MISSING
    low_count_weight: float = MISSING
    yukawa_share: float = MISSING


@dataclass
class BenchmarksNode:
    enabled: bool = MISSING


@dataclass
class OodFieldsNode(BenchmarksNode):
    size: int = MISSING
    min_fields: int = MISSING
    max_fields: int | None = MISSING  # null (ood_hypercharge): data.max_fields


@dataclass
class OodHyperchargeNode(OodFieldsNode):
    ood_share: float = MISSING
    two_digit_share: float = MISSING
    max_value: int = MISSING


@dataclass
class OodRepsNode(OodFieldsNode):
    ood_share: float = MISSING
    su3: list[str] = MISSING
    su2: list[int] = MISSING


@dataclass
class OodNode:
    ood_fields: OodFieldsNode = field(default_factory=OodFieldsNode)
    ood_hypercharge: OodHyperchargeNode = field(default_factory=OodHyperchargeNode)
    ood_reps: OodRepsNode = field(default_factory=OodRepsNode)
    benchmarks: BenchmarksNode = field(default_factory=BenchmarksNode)


@dataclass
class SublistsNode:
    sizes: list[float] = MISSING
    planted_share: float = MISSING
    repeat_share: float = MISSING
    near_miss_share: float = MISSING
    empty_share: Any = MISSING  # a share, or one share per sub-list size
    own_terms: bool = MISSING


@dataclass
class StreamNode:
    enabled: bool = MISSING
    epoch_batches: int = MISSING
    keep_by_fields: list[float] = MISSING
    canonical_ids: list[float] = MISSING
    canonical_ids_until: float | None = MISSING
    seed: int = MISSING
    sublists: SublistsNode = field(default_factory=SublistsNode)


@dataclass
class DataModuleNode:
    _target_: str = MISSING
    data_dir: str = MISSING
    batch_size: int = MISSING
    max_source_length: int = MISSING
    max_target_length: int = MISSING
    bucket_by_length: bool = MISSING
    num_workers: int = MISSING
    seed: int = MISSING
    eval_splits: list[str] = MISSING
    limit_train: int | None = MISSING
    limit_val: int | None = MISSING
    force: bool = MISSING
    stream: StreamNode = field(default_factory=StreamNode)


@dataclass
class DatasetKeys:
    """The top-level keys of a data node that are plain values: declared once here, for the schema
    (``DataNode``) and for the validated settings (``src.data.settings.DataSettings``), which inherit them.
    The order is the settings' (their JSON in a dataset's ``meta.json``)."""

    name: str = MISSING
    sampler: str = MISSING
    n_lagrangians: int = MISSING
    max_fields: int = MISSING
    seed: int = MISSING
    basis: str = MISSING
    num_workers: int = MISSING
    shard: int | None = MISSING
    num_shards: int = MISSING
    merge: bool = MISSING
    oversample: float = MISSING
    chunk_size: int = MISSING
    val_fraction: float = MISSING
    test_fraction: float = MISSING
    allow_duplicate_fields: bool = MISSING
    max_target_tokens: int | None = MISSING
    card: bool = MISSING
    csv_path: str | None = MISSING
    csv_val_share: float = MISSING


@dataclass
class DataNode(DatasetKeys):
    vocabulary: VocabularyNode = field(default_factory=VocabularyNode)
    sampled: SampledNode = field(default_factory=SampledNode)
    ood: OodNode = field(default_factory=OodNode)
    force: bool = MISSING
    datamodule: DataModuleNode = field(default_factory=DataModuleNode)


ConfigStore.instance().store(group="data", name="schema", node=DataNode)


PAPER_CONFIG = "data/sampled.yaml"  # under conf/: the file that gives every dataset setting its default
IGNORED_KEYS = {"datamodule", "_target_", "force"}  # force: what to do with an existing dataset


def paper_values() -> dict:
    """The settings of ``conf/data/sampled.yaml``, one per DataSettings field, typed by ``DataNode``; a fresh
    copy. A key the file leaves without a value, a key the schema does not know and a value of the wrong type
    are each a ``UserError`` naming the file and the key."""
    from src.config.files import config_path, config_values

    return config_values(config_path(PAPER_CONFIG), schema=DataNode, drop=IGNORED_KEYS)
