"""Dataset settings: the ``data`` config node, validated once into plain values.

Every check names the offending key (``data.max_fields must be >= 1, got 0``) so that the command line can
print one line and exit 2. The node's ``datamodule`` entry belongs to training and is ignored here.

The default of every setting is the value ``conf/data/sampled.yaml`` (the paper's set) gives it, read from
that file (``paper_values``): a ``DataSettings()`` and a node that leaves a key out get what the config files
would give them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields

from omegaconf import MISSING

from src.config.data import IGNORED_KEYS, DataNode, DatasetKeys, paper_values
from src.physics.lagrangian import BASES

from .field_space import ConfigError, FieldVocabulary

SAMPLERS = ("sampled", "uniform", "paper_csv")
OOD_SPLITS = ("ood_fields", "ood_hypercharge", "ood_reps", "benchmarks")


@dataclass
class DataSettings(DatasetKeys):
    """The dataset keys (``src.config.data.DatasetKeys``) and the nodes below them, as plain values. A value
    left out is the one ``conf/data/sampled.yaml`` (the paper's set) gives, read from that file:
    ``DataSettings()`` is that config's settings, as ``settings_from_config`` makes them."""

    vocabulary: FieldVocabulary = field(default_factory=FieldVocabulary)
    sampled: dict = MISSING
    ood: dict = MISSING

    def __post_init__(self) -> None:
        left = [f.name for f in fields(self) if getattr(self, f.name) == MISSING]  # not given
        if left:
            paper = paper_values()
            for key in left:
                setattr(self, key, paper[key])

    def to_json(self) -> dict:
        d = asdict(self)
        d["vocabulary"] = {k: list(v) if isinstance(v, tuple) else v for k, v in d["vocabulary"].items()}
        return d

    def generation_json(self) -> dict:
        """The settings that decide the file contents (not how they are computed: workers, shards)."""
        d = self.to_json()
        for k in ("num_workers", "shard", "num_shards", "merge", "chunk_size"):
            d.pop(k)
        return d


def check_eval_splits(splits) -> None:
    """The splits a training run scores beside val and test: out-of-distribution splits by name."""
    unknown = [s for s in splits or [] if s not in OOD_SPLITS]
    if unknown:
        raise ConfigError(
            f"data.datamodule.eval_splits: {unknown[0]!r} is not a split (known: {', '.join(OOD_SPLITS)})"
        )


def _typed(cfg: dict) -> dict:
    """``cfg`` over the defaults (``paper_values``), checked against the schema (``src.config.data``): an
    unknown key or a value of the wrong type is a ConfigError naming the key; ints, floats and booleans come
    back converted."""
    from omegaconf import OmegaConf
    from omegaconf.errors import OmegaConfBaseException

    defaults = paper_values()
    try:
        node = OmegaConf.merge(OmegaConf.structured(DataNode), {**defaults, "force": False}, cfg)
    except OmegaConfBaseException as e:
        key = getattr(e, "full_key", None) or "?"
        raise ConfigError(f"data.{key}: {str(e).strip().splitlines()[0]}") from None
    return {k: v for k, v in OmegaConf.to_container(node, throw_on_missing=False).items() if k in defaults}


def _at_least(s: DataSettings, key: str, minimum: int) -> None:
    value = getattr(s, key)
    if value is not None and value < minimum:
        raise ConfigError(f"data.{key} must be >= {minimum}, got {value}")


def _fraction(s: DataSettings, key: str) -> None:
    value = getattr(s, key)
    if not 0.0 <= value <= 1.0:
        raise ConfigError(f"data.{key} must lie in [0, 1], got {value}")


def _validate_ood(ood: dict) -> None:
    for split, node in ood.items():
        size = node.get("size")
        if size is not None and size < 0:
            raise ConfigError(f"data.ood.{split}.size must be >= 0, got {size}")
        lo, hi = node.get("min_fields", 1), node.get("max_fields") or 1
        if split != "benchmarks" and not 1 <= lo <= hi:
            raise ConfigError(f"data.ood.{split} needs 1 <= min_fields <= max_fields, got {lo}..{hi}")
    FieldVocabulary.from_config(
        {"su3": ood["ood_reps"]["su3"] or ["1"], "su2": ood["ood_reps"]["su2"] or [1]}, "data.ood.ood_reps"
    )


def settings_from_config(cfg) -> DataSettings:
    """Validate a ``data`` node (DictConfig or dict; keys it leaves out take ``paper_values()``) into
    DataSettings; raise ConfigError naming the key on a bad value. Types are the schema's; the ranges, names
    and relations between keys are checked here."""
    from omegaconf import DictConfig, OmegaConf  # loaded only when a config is validated

    if isinstance(cfg, DictConfig):  # resolve everything but the training-side datamodule node
        cfg = {
            k: OmegaConf.to_container(cfg[k], resolve=True) if OmegaConf.is_config(cfg[k]) else cfg[k]
            for k in cfg
            if k not in IGNORED_KEYS
        }
    cfg = {k: v for k, v in dict(cfg or {}).items() if k not in IGNORED_KEYS}
    values = _typed(cfg)
    s = DataSettings(**{**values, "vocabulary": FieldVocabulary.from_config(values["vocabulary"])})
    for key, minimum in (("n_lagrangians", 1), ("max_fields", 1), ("seed", 0), ("num_workers", 0)):
        _at_least(s, key, minimum)
    for key, minimum in (("shard", 0), ("num_shards", 1), ("chunk_size", 1), ("max_target_tokens", 1)):
        _at_least(s, key, minimum)
    for key in ("val_fraction", "test_fraction", "csv_val_share"):
        _fraction(s, key)
    if s.sampler not in SAMPLERS:
        raise ConfigError(f"data.sampler must be one of {', '.join(SAMPLERS)}, got {s.sampler!r}")
    if s.basis not in BASES:
        raise ConfigError(f"data.basis must be one of {', '.join(BASES)}, got {s.basis!r}")
    if s.val_fraction + s.test_fraction >= 1.0:
        raise ConfigError("data.val_fraction + data.test_fraction must be < 1")
    if s.shard is not None and s.shard >= s.num_shards:
        raise ConfigError(f"data.shard must be < data.num_shards ({s.num_shards}), got {s.shard}")
    if s.oversample < 1.0:
        raise ConfigError(f"data.oversample must be >= 1, got {s.oversample}")
    if s.sampler == "paper_csv" and not s.csv_path:
        raise ConfigError("data.csv_path must name a local CSV file for data=paper_csv")
    if not s.name or "/" in s.name:
        raise ConfigError(f"data.name must be a plain folder name, got {s.name!r}")
    for key in ("field_count_decay", "low_count_weight"):
        if float(s.sampled[key]) < 0:
            raise ConfigError(f"data.sampled.{key} must be >= 0")
    if not 0 <= float(s.sampled["yukawa_share"]) <= 1:
        raise ConfigError("data.sampled.yukawa_share must lie in [0, 1]")
    _validate_ood(s.ood)
    return s
