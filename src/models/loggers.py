"""Logger factories named in ``conf/logger/*.yaml``: W&B (offline unless logged in) and TensorBoard.

W&B mode rule: ``offline: true/false`` in the config wins; otherwise ``WANDB_MODE`` from the environment;
otherwise online when an API key is configured (``WANDB_API_KEY`` or a ``wandb login`` entry in ~/.netrc),
else offline, so a run never blocks on the network. ``wandb sync <run folder>`` uploads an offline run later.
"""

from __future__ import annotations

import importlib.util
import netrc
import os

from lightning.pytorch.loggers import TensorBoardLogger, WandbLogger

from src.errors import UserError


class LoggerConfigError(UserError):
    """A logger that cannot run here (missing package, bad mode)."""


def has_wandb_credentials() -> bool:
    if os.environ.get("WANDB_API_KEY"):
        return True
    try:
        hosts = netrc.netrc().hosts
    except (FileNotFoundError, netrc.NetrcParseError, OSError):
        return False
    return any("wandb" in host for host in hosts)


def wandb_mode(offline: bool | None = None) -> str:
    """'online', 'offline' or 'disabled' by the rule in the module docstring."""
    if offline is not None:
        return "offline" if offline else "online"
    env = os.environ.get("WANDB_MODE", "").strip().lower()
    if env in ("offline", "dryrun"):
        return "offline"
    if env in ("disabled", "online"):
        return env
    if env:
        raise LoggerConfigError(f"WANDB_MODE={env!r} is not one of online, offline, disabled")
    return "online" if has_wandb_credentials() else "offline"


def wandb_logger(
    save_dir: str,
    project: str,
    name: str | None = None,
    group: str | None = None,
    tags: list[str] | None = None,
    offline: bool | None = None,
    id: str | None = None,  # noqa: A002 - W&B's own keyword
    job_type: str = "train",
) -> WandbLogger:
    """A WandbLogger that resumes run ``id`` when it exists (``resume='allow'``)."""
    os.makedirs(save_dir, exist_ok=True)
    mode = wandb_mode(offline)
    return WandbLogger(
        save_dir=save_dir,
        project=project,
        name=name,
        group=group,
        tags=list(tags or []),
        id=id,
        resume="allow",
        mode=mode,
        job_type=job_type,
        log_model=False,
    )


def tensorboard_logger(
    save_dir: str, name: str = "tensorboard", version: str | None = None
) -> TensorBoardLogger:
    """TensorBoard, when the ``tensorboard`` (or ``tensorboardX``) package is installed."""
    if not any(importlib.util.find_spec(m) for m in ("tensorboard", "tensorboardX")):
        raise LoggerConfigError(
            "logger=tensorboard needs the 'tensorboard' package, which is not installed "
            "(pip install tensorboard, or use logger=wandb / logger=csv)"
        )
    return TensorBoardLogger(save_dir=save_dir, name=name, version=version)


def continue_csv_log(logger, before_step: int) -> int:
    """Keep the rows of an existing ``metrics.csv`` logged before ``before_step`` (a resumed run continues
    its own record; Lightning's CSV writer would delete the file). Returns how many rows were kept."""
    import csv
    from pathlib import Path

    path = Path(logger.log_dir) / "metrics.csv"
    if not path.is_file():
        return 0
    with open(path, newline="") as f:
        reader = csv.DictReader(f)
        keys = list(reader.fieldnames or [])
        rows = [r for r in reader if r.get("step") not in (None, "") and int(float(r["step"])) < before_step]
    writer = logger.experiment  # the writer removes the old file here
    if rows:
        writer.metrics_keys = keys
        writer.metrics = [{k: v for k, v in r.items() if v != ""} for r in rows]
        writer.save()
    return len(rows)
