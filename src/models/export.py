"""``BestModelExport``: keep ``<run>/best_model/`` = the best model so far, as ``save_pretrained`` writes it.

Evaluation and the command line load the model from there (``LagrangianBart.load``), beside its
tokenizer, without Lightning. The monitored value is read after validation (after any score callback has
logged it).
"""

from __future__ import annotations

import math
from pathlib import Path

import lightning as L
from lightning.pytorch.utilities import rank_zero_info

from src.errors import UserError


class BestModelExport(L.Callback):
    """Export on every improvement of ``monitor`` (``mode`` max or min); epochs without it are skipped."""

    def __init__(self, dirpath: str, monitor: str = "val/loss", mode: str = "min"):
        if mode not in ("min", "max"):
            raise UserError(f"mode must be 'min' or 'max', not {mode!r}")
        self.dirpath = Path(dirpath)
        self.monitor = monitor
        self.mode = mode
        self.best: float | None = None

    def _improves(self, value: float) -> bool:
        if math.isnan(value):
            return False
        if self.best is None:
            return True
        return value > self.best if self.mode == "max" else value < self.best

    def on_validation_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        if trainer.sanity_checking or trainer.fast_dev_run or self.monitor not in trainer.callback_metrics:
            return
        value = float(trainer.callback_metrics[self.monitor])
        if not self._improves(value):
            return
        self.best = value
        if trainer.is_global_zero:
            pl_module.save_pretrained(self.dirpath)
            rank_zero_info(f"best model ({self.monitor}={value:.4f}) saved to {self.dirpath}")

    def state_dict(self) -> dict:
        return {"best": self.best}

    def load_state_dict(self, state_dict: dict) -> None:
        self.best = state_dict.get("best")
