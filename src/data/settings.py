"""Dataset settings: the ``data`` config node, validated once into plain values.

Every check names the offending key (``data.max_fields must be >= 1, got 0``) so that the command line can
print one line and exit 2. The node's ``datamodule`` entry belongs to training and is ignored here.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from src.physics.lagrangian import BASES

from .field_space import ConfigError, FieldVocabulary

SAMPLERS = ("sampled", "uniform", "paper_csv")
OOD_SPLITS = ("ood_fields", "ood_hypercharge", "ood_reps", "benchmarks")
DEFAULT_OOD = {
    "ood_fields": {"enabled": True, "size": 200, "min_fields": 7, "max_fields": 10},
    "ood_hypercharge": {
        "enabled": True,
        "size": 1000,
        "min_fields": 1,
        "max_fields": None,  # None: data.max_fields
        "ood_share": 0.5,
        "two_digit_share": 0.5,
        "max_value": 99,
    },
    "ood_reps": {
        "enabled": True,
        "size": 500,
        "min_fields": 1,
        "max_fields": 3,
        "ood_share": 0.3,
        "su3": ["6", "-6", "8"],
        "su2": [4, 5],
    },
    "benchmarks": {"enabled": True},
}
DEFAULT_SAMPLED = {"field_count_decay": 0.8, "low_count_weight": 0.1, "yukawa_share": 0.5}
IGNORED_KEYS = {
    "datamodule",
    "_target_",
    "force",
}  # force: how to treat an existing dataset, not its contents


@dataclass
class DataSettings:
    """The defaults are those of ``conf/data/sampled.yaml`` (the paper's set; a test keeps the two equal):
    a node that leaves a key out gets the value the config files would give it."""

    name: str = "sampled"
    sampler: str = "sampled"
    n_lagrangians: int = 286000
    max_fields: int = 6
    seed: int = 0
    basis: str = "independent"
    num_workers: int = 2
    shard: int | None = None
    num_shards: int = 1
    merge: bool = False
    oversample: float = 1.25
    chunk_size: int = 256
    val_fraction: float = 0.05
    test_fraction: float = 0.05
    allow_duplicate_fields: bool = False
    max_target_tokens: int | None = 2046
    card: bool = True
    csv_path: str | None = None
    csv_val_share: float = 0.5
    vocabulary: FieldVocabulary = field(default_factory=FieldVocabulary)
    sampled: dict = field(default_factory=lambda: dict(DEFAULT_SAMPLED))
    ood: dict = field(default_factory=lambda: {k: dict(v) for k, v in DEFAULT_OOD.items()})

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


def _int(cfg: dict, key: str, default: Any, minimum: int | None = None) -> int | None:
    value = cfg.get(key, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            if float(value) != int(float(value)):
                raise ValueError
            value = int(float(value))
        except (TypeError, ValueError):
            raise ConfigError(f"data.{key} must be an integer, got {value!r}") from None
    if minimum is not None and value < minimum:
        raise ConfigError(f"data.{key} must be >= {minimum}, got {value}")
    return value


def _fraction(cfg: dict, key: str, default: float) -> float:
    try:
        value = float(cfg.get(key, default))
    except (TypeError, ValueError):
        raise ConfigError(f"data.{key} must be a number, got {cfg.get(key)!r}") from None
    if not 0.0 <= value <= 1.0:
        raise ConfigError(f"data.{key} must lie in [0, 1], got {value}")
    return value


def _merge_node(name: str, given: dict | None, default: dict) -> dict:
    out = {k: dict(v) if isinstance(v, dict) else v for k, v in default.items()}
    for k, v in (given or {}).items():
        if k not in default:
            raise ConfigError(f"data.{name}.{k} is not a known setting (known: {', '.join(default)})")
        if isinstance(default[k], dict):
            for kk in v or {}:
                if kk not in default[k]:
                    raise ConfigError(f"data.{name}.{k}.{kk} is not a known setting")
            out[k] = {**default[k], **dict(v or {})}
        else:
            out[k] = v
    return out


def _validate_ood(ood: dict) -> None:
    for split, node in ood.items():
        size = node.get("size")
        if size is not None and (not isinstance(size, int) or size < 0):
            raise ConfigError(f"data.ood.{split}.size must be an integer >= 0, got {size!r}")
        lo, hi = node.get("min_fields", 1), node.get("max_fields") or 1
        if split != "benchmarks" and not (isinstance(lo, int) and isinstance(hi, int) and 1 <= lo <= hi):
            raise ConfigError(f"data.ood.{split} needs 1 <= min_fields <= max_fields, got {lo}..{hi}")
    FieldVocabulary.from_config(
        {"su3": ood["ood_reps"]["su3"] or ["1"], "su2": ood["ood_reps"]["su2"] or [1]}, "data.ood.ood_reps"
    )


def settings_from_config(cfg) -> DataSettings:
    """Validate a ``data`` node (DictConfig or dict) into DataSettings; raise ConfigError on a bad value."""
    from omegaconf import DictConfig, OmegaConf  # loaded only when a config is validated

    if isinstance(cfg, DictConfig):  # resolve everything but the training-side datamodule node
        cfg = {
            k: OmegaConf.to_container(cfg[k], resolve=True) if OmegaConf.is_config(cfg[k]) else cfg[k]
            for k in cfg
            if k not in IGNORED_KEYS
        }
    cfg = {k: v for k, v in dict(cfg or {}).items() if k not in IGNORED_KEYS}
    known = set(DataSettings.__dataclass_fields__)
    for key in cfg:
        if key not in known:
            raise ConfigError(f"data.{key} is not a known setting")
    default = DataSettings()  # the defaults of a key the node leaves out
    s = DataSettings(
        name=str(cfg.get("name", default.name)),
        sampler=str(cfg.get("sampler", default.sampler)),
        n_lagrangians=_int(cfg, "n_lagrangians", default.n_lagrangians, 1),
        max_fields=_int(cfg, "max_fields", default.max_fields, 1),
        seed=_int(cfg, "seed", default.seed, 0),
        basis=str(cfg.get("basis", default.basis)),
        num_workers=_int(cfg, "num_workers", default.num_workers, 0),
        shard=_int(cfg, "shard", default.shard, 0),
        num_shards=_int(cfg, "num_shards", default.num_shards, 1),
        merge=bool(cfg.get("merge", default.merge)),
        oversample=float(cfg.get("oversample", default.oversample)),
        chunk_size=_int(cfg, "chunk_size", default.chunk_size, 1),
        val_fraction=_fraction(cfg, "val_fraction", default.val_fraction),
        test_fraction=_fraction(cfg, "test_fraction", default.test_fraction),
        allow_duplicate_fields=bool(cfg.get("allow_duplicate_fields", default.allow_duplicate_fields)),
        max_target_tokens=_int(cfg, "max_target_tokens", default.max_target_tokens, 1),
        card=bool(cfg.get("card", default.card)),
        csv_path=cfg.get("csv_path"),
        csv_val_share=_fraction(cfg, "csv_val_share", default.csv_val_share),
        vocabulary=FieldVocabulary.from_config(cfg.get("vocabulary")),
        sampled=_merge_node("sampled", cfg.get("sampled"), DEFAULT_SAMPLED),
        ood=_merge_node("ood", cfg.get("ood"), DEFAULT_OOD),
    )
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
