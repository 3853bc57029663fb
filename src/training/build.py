"""What a training job builds from its config beside the model and the data: callbacks, loggers, and the
run's record (``run_info.json``) with the callback that logs it."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import hydra
from omegaconf import DictConfig, OmegaConf

from src.jsonsafe import dumps
from src.runs import RUN_INFO
from src.version import code_version


def build_callbacks(cfg: DictConfig, logging: bool = True) -> list:
    """The configured callbacks; without a logger (``logger=none``) the learning-rate monitor, which only
    writes to loggers and refuses to start without one, is left out."""
    nodes = cfg.get("callbacks") or {}
    callbacks = [
        hydra.utils.instantiate(node) for node in nodes.values() if node is not None and "_target_" in node
    ]
    if not logging:
        from lightning.pytorch.callbacks import LearningRateMonitor

        callbacks = [cb for cb in callbacks if not isinstance(cb, LearningRateMonitor)]
    return callbacks


def build_loggers(cfg: DictConfig, wandb_id: str) -> list:
    loggers = []
    for key, node in (cfg.get("logger") or {}).items():
        if node is None or "_target_" not in node:
            continue
        extra = {"id": wandb_id} if key == "wandb" else {}
        loggers.append(hydra.utils.instantiate(node, **extra))
    return loggers


def record_run(cfg: DictConfig, run_dir: Path, dm, resumed_at: int | None = None):
    """Write run_info.json (config, seed, code version); the callback returned logs it and the dataset
    metadata to every logger once the trainer has prepared the data. A resumed run keeps the first record
    and appends one entry to its ``resumes`` list (step, command, code version, the settings that changed)."""
    from src.callbacks.run_params import LogRunParams
    from src.data.generation import flat_keys
    from src.data.tables import write_text

    info = {
        "seed": int(cfg.seed),
        "code": code_version(),
        "command": " ".join(sys.argv),
        "config": OmegaConf.to_container(cfg, resolve=True),
    }
    run_dir.mkdir(parents=True, exist_ok=True)
    path = run_dir / RUN_INFO
    if resumed_at is not None and path.is_file():
        first = json.loads(path.read_text())
        before, now = flat_keys(first.get("config", {})), flat_keys(info["config"])
        changed = {k: now.get(k) for k in sorted(set(before) | set(now)) if before.get(k) != now.get(k)}
        entry = {"step": resumed_at, "command": info["command"], "code": info["code"], "changed": changed}
        first["resumes"] = [*first.get("resumes", []), entry]
        write_text(path, dumps(first, indent=2, default=str) + "\n")
    else:
        write_text(path, dumps(info, indent=2, default=str) + "\n")
    return LogRunParams({**info["config"], "seed": info["seed"], "code": info["code"]}, dm)


def wandb_run_folder(loggers: list) -> str | None:
    for lg in loggers:
        if type(lg).__name__ == "WandbLogger":
            run = lg.experiment
            return str(Path(run.dir).parent) if getattr(run, "dir", None) else None
    return None


def last_checkpoint(trainer) -> str | None:
    """The last checkpoint the trainer's checkpoint callback wrote (None when there is none on disk)."""
    cb = trainer.checkpoint_callback
    if cb is None:
        return None
    path = cb.last_model_path or (str(Path(cb.dirpath) / "last.ckpt") if cb.dirpath else "")
    return path if path and Path(path).is_file() else None
