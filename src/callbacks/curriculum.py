"""``EndIdCurriculumInTime``: the ID curriculum of a random-ID scheme ends at a share of the training time.

The curriculum (``data.datamodule.stream.canonical_ids``) gives a share per *epoch*, so where it ends in
wall-clock time depends on the machine: on a 2-core VM at 2.2 steps/s the three curriculum epochs of the
hour-long recipe took 81 % of the hour and left the model 1,376 steps on random IDs alone, against about half
the hour on a machine at 3.8 steps/s. With ``canonical_ids_until`` (a share of the training budget) no epoch
that starts after that share of the time carries canonical IDs; on a fast machine the list runs out first and
nothing changes. The decision is taken at the end of an epoch, before the next one draws a single example, and
rank 0's clock decides for every rank.
"""

from __future__ import annotations

import time

import lightning as L

from src.callbacks.probe import rank_zero_says
from src.errors import UserError


class EndIdCurriculumInTime(L.Callback):
    def __init__(self, train_seconds: float, share: float):
        if not 0.0 <= float(share) <= 1.0:
            raise UserError(f"data.datamodule.stream.canonical_ids_until must lie in [0, 1], got {share!r}")
        self.until_s = float(share) * float(train_seconds)
        self.ended_at: int | None = None  # the step after which no epoch carried canonical IDs
        self._start: float | None = None

    def on_train_start(self, trainer: L.Trainer, pl_module) -> None:
        self._start = time.monotonic()

    def on_train_epoch_end(self, trainer: L.Trainer, pl_module) -> None:
        if self._start is None or trainer.datamodule is None:
            return
        stream = trainer.datamodule.train_stream()
        late = rank_zero_says(time.monotonic() - self._start >= self.until_s, trainer.world_size)
        if late and stream.end_canonical_ids(stream.epoch):
            self.ended_at = int(trainer.global_step)
            print(
                f"canonical_ids_until: {self.until_s:.0f} s of training are past at step "
                f"{trainer.global_step}; "
                "the epochs from here on train on the scheme's own IDs only",
                flush=True,
            )
