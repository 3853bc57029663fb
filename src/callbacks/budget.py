"""``FinishInTime``: training stops early enough for the rest of the job to end within ``budget.total``.

What follows the last training step costs time that depends on the machine and on the model: the
validation at the stop (teacher-forced losses plus the decoded probe rows), the re-validation and the
test losses of the best checkpoint, then the final decoding of every val and test row. A fixed reserve
is wrong on most machines: on a slow CPU an undertrained model writes long outputs, and the final
scores were skipped altogether. This callback measures the last validation and the last probe's
seconds per decoded row, and after each training step asks for the stop when

    now + validation + 2 x validation + final rows x seconds per row x safety + margin  >=  deadline.

Before the first measured validation it does nothing (``budget.final_eval``, the fixed reserve already taken
from ``trainer.max_time``, covers that stretch).
"""

from __future__ import annotations

import time

import lightning as L


class FinishInTime(L.Callback):
    def __init__(self, deadline: float, final_rows, safety: float = 1.3, margin_s: float = 20.0):
        self.deadline = float(deadline)
        # a number, or a function counting them once the data is prepared (called at the fit's setup)
        self._count_rows = final_rows if callable(final_rows) else None
        self.final_rows = 0 if callable(final_rows) else int(final_rows)
        self.safety = float(safety)
        self.margin_s = float(margin_s)
        self.validation_s: float | None = None
        self.stopped_at: int | None = None
        self._val_start: float | None = None

    def setup(self, trainer: L.Trainer, pl_module, stage: str) -> None:
        if stage == "fit" and self._count_rows is not None:
            self.final_rows = int(self._count_rows())

    def probe_rate(self, trainer: L.Trainer) -> float | None:
        """The slowest seconds per decoded row among the probes of the latest validation."""
        rates = [getattr(cb, "seconds_per_row", None) for cb in trainer.callbacks]
        rates = [r for r in rates if isinstance(r, float | int)]
        return max(rates) if rates else None

    def needed_s(self, trainer: L.Trainer) -> float | None:
        """Seconds the job needs after this step; None until a validation has been measured."""
        if self.validation_s is None:
            return None
        per_row = self.probe_rate(trainer) or 0.0
        decode = self.final_rows * per_row * self.safety
        return 3 * self.validation_s + decode + self.margin_s

    def on_validation_start(self, trainer: L.Trainer, pl_module) -> None:
        self._val_start = time.monotonic()

    def on_validation_end(self, trainer: L.Trainer, pl_module) -> None:
        if self._val_start is not None and not trainer.sanity_checking:
            self.validation_s = time.monotonic() - self._val_start
        self._val_start = None

    def on_train_batch_end(self, trainer: L.Trainer, pl_module, outputs, batch, batch_idx: int) -> None:
        needed = self.needed_s(trainer)
        if needed is None or trainer.should_stop:
            return
        if time.monotonic() + needed >= self.deadline:
            self.stopped_at = int(trainer.global_step)
            left = self.deadline - time.monotonic()
            print(
                f"budget.total: stopping training at step {trainer.global_step} to leave {left:.0f} s for "
                f"the final validation, test losses and decoding of {self.final_rows} rows "
                f"(estimated {needed:.0f} s)",
                flush=True,
            )
            trainer.should_stop = True

    def state_dict(self) -> dict:
        return {"validation_s": self.validation_s}

    def load_state_dict(self, state_dict: dict) -> None:
        self.validation_s = state_dict.get("validation_s")
