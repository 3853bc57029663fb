"""``SaveLastCheckpoint``: ``last.ckpt`` always holds the latest state of a fit, whatever its score.

Lightning 2.6's ``ModelCheckpoint(save_last=True)`` rewrites ``last.ckpt`` only at a step where it also
saved a top-k checkpoint, so after a validation that did not improve the monitored score ``last.ckpt`` is
stale: a resumed run would repeat steps and the final (annealed) weights would be lost. This callback writes
``<dirpath>/last.ckpt`` after every validation of a fit and when the fit ends, through a temporary file and
an atomic rename (a kill mid-write leaves the previous one intact).
"""

from __future__ import annotations

import os
from pathlib import Path

import lightning as L


class SaveLastCheckpoint(L.Callback):
    def __init__(self, dirpath: str, filename: str = "last.ckpt"):
        self.path = Path(dirpath) / filename
        self._saved_step: int | None = None

    def _save(self, trainer: L.Trainer) -> None:
        from lightning.pytorch.trainer.states import TrainerFn

        if trainer.sanity_checking or trainer.fast_dev_run or trainer.state.fn != TrainerFn.FITTING:
            return
        if self._saved_step == trainer.global_step:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".tmp")
        trainer.save_checkpoint(tmp)
        if trainer.is_global_zero:
            os.replace(tmp, self.path)
        self._saved_step = trainer.global_step

    def on_validation_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        self._save(trainer)

    def on_train_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        self._save(trainer)
