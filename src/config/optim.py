"""The schema of the ``optim`` config group: the key names and types of ``conf/optim/*.yaml``.

Registered in Hydra's ConfigStore as ``optim/schema``; ``conf/optim/default.yaml`` lists it first in its
defaults, so an unknown key (``optim.nosuch=1``) or a value of the wrong type (``optim.lr=abc``) is refused by
its full name while the config is composed. The values live in the YAML file (every field here is
``MISSING``); ranges and known schedule names are checked by ``src.training.checks.check_values``. Importing
``src.config`` registers the schema with the data group's.
Light to import: no torch.
"""

from __future__ import annotations

from dataclasses import dataclass

from hydra.core.config_store import ConfigStore
from omegaconf import MISSING

SCHEDULES = ("linear", "cosine", "constant")  # optim.schedule: the decay after the warm-up


@dataclass
class OptimNode:
    lr: float = MISSING
    weight_decay: float = MISSING
    betas: list[float] = MISSING
    eps: float = MISSING
    warmup_steps: int = MISSING
    warmup_ratio: float = MISSING
    schedule: str = MISSING
    min_lr_ratio: float = MISSING
    encoder_lr_scale: float | None = MISSING
    fused: bool = MISSING
    decay_by_time: bool = MISSING
    decision_weight: float = MISSING


ConfigStore.instance().store(group="optim", name="schema", node=OptimNode)
