"""The run folder: what a training run leaves where, and how anything finds a run from one of its files.

    outputs/runs/<task_name>/<time>/      one run (Hydra's output folder, ``run_dir``)
        run_info.json                     config, seed, code version, command (+ one entry per resume)
        wandb_run_id.txt                  the W&B run a resume continues
        train.log                         the console output (appended on resume)
        checkpoints/{best-*,last}.ckpt    Lightning checkpoints
        best_model/                       the best model, save_pretrained, beside its tokenizer
        results.json                      the final scores and what ended training

Training writes it (``src.train``); evaluation, the command-line Lagrangian writer and the learning-curve
analysis read it back through ``run_dir_of`` and ``run_config``. Nothing here imports the rest of ``src``.
"""

from __future__ import annotations

import json
from pathlib import Path

from src.errors import UserError

RUN_INFO = "run_info.json"
WANDB_ID_FILE = "wandb_run_id.txt"
RUN_LOG = "train.log"  # the console output of every run (Hydra's job log writes here too)
RESULTS = "results.json"  # what a finished (or stopped) run measured: src.training.report.run_summary


def run_dir_of(path: str | Path | None) -> Path | None:
    """The run folder holding ``path`` (``<run>/best_model``, ``<run>/checkpoints/x.ckpt`` or the run folder
    itself): the nearest of them with a ``run_info.json`` or a ``best_model/``; None outside a run."""
    if not path:
        return None
    path = Path(path).resolve()
    for folder in (path, path.parent, path.parent.parent):
        if (folder / RUN_INFO).is_file() or (folder / "best_model").is_dir():
            return folder
    return None


def run_config(path: str | Path | None) -> dict | None:
    """The resolved config a run recorded (``run_info.json``) for a file of that run; None when there is no
    run or its record is unreadable."""
    run = run_dir_of(path)
    try:
        config = json.loads((run / RUN_INFO).read_text())["config"]
    except (TypeError, OSError, KeyError, ValueError):
        return None
    return config if isinstance(config, dict) else None


def checkpoint_run_meta(ckpt_path: str | None) -> dict:
    """The ``run_meta`` stored in a Lightning checkpoint (W&B run id) and its ``global_step``, without
    loading tensors into memory."""
    if not ckpt_path:
        return {}
    import torch

    try:
        ckpt = torch.load(ckpt_path, map_location="cpu", weights_only=False, mmap=True)
    except Exception as e:  # truncated, not a checkpoint at all, written by something else
        raise UserError(
            f"ckpt_path={ckpt_path} is not a readable checkpoint "
            f"({type(e).__name__}: {' '.join(str(e).split())[:160]})"
        ) from None
    if not isinstance(ckpt, dict) or "state_dict" not in ckpt:
        raise UserError(
            f"ckpt_path={ckpt_path} is not a Lightning checkpoint of this project (no state_dict)"
        )
    return {**dict(ckpt.get("run_meta", {})), "global_step": int(ckpt.get("global_step", 0))}


def resumed_run_dir(ckpt_path: str | None) -> Path | None:
    """The run folder a resumed checkpoint belongs to (``run_dir_of``), when the checkpoint is one of its
    ``checkpoints/`` and the run has its record ``run_info.json``: a resume continues that folder and record;
    any other checkpoint starts a new run folder."""
    run = run_dir_of(ckpt_path)
    if run is None or not (run / RUN_INFO).is_file():
        return None
    return run if Path(ckpt_path).resolve().parent == run / "checkpoints" else None


def new_wandb_id() -> str:
    """8 random lowercase letters/digits (W&B's id alphabet), independent of the seeded generators."""
    import secrets
    import string

    return "".join(secrets.choice(string.ascii_lowercase + string.digits) for _ in range(8))
