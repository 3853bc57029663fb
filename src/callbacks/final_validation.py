"""``ValidateOnMaxSteps``: a fit that ends at ``trainer.max_steps`` in the middle of an epoch validates there.

Lightning validates at epoch ends and when something sets ``trainer.should_stop`` (its ``Timer`` does this
for ``max_time``), but a fit stopped by ``max_steps`` mid-epoch ends without validating, so the weights of the
last steps (where a decaying learning rate ends) are never scored nor considered for the best checkpoint.
This callback asks for the stop itself on the last step, which makes the loop validate (and checkpoint) first.
"""

from __future__ import annotations

import lightning as L


class ValidateOnMaxSteps(L.Callback):
    def on_train_batch_end(self, trainer: L.Trainer, pl_module, outputs, batch, batch_idx: int) -> None:
        if trainer.max_steps > 0 and trainer.global_step >= trainer.max_steps:
            trainer.should_stop = True
