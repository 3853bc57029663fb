"""A clean stop on SIGTERM (what a cluster scheduler sends before it kills a job).

During ``trainer.fit`` Lightning's own handler turns SIGTERM into ``SIGTERMException`` at the next batch
boundary; ``CheckpointOnSigterm`` then writes ``last.ckpt`` at that step, so the run resumes from exactly
there (``ckpt_path=<run>/checkpoints/last.ckpt``). Outside Lightning's entry points (the final decoding of
``src.train``), ``sigterm_raises`` turns SIGTERM into ``Terminated`` in the main thread, so the splits
already decoded are kept. Either way ``src.train`` closes the loggers and exits with ``EXIT_CODE`` (128 +
15, what a shell reports for a process ended by SIGTERM), never 0: a pre-empted job is not a success.
Under SLURM, Lightning's SLURM connector (requeue on SIGUSR1) is left as it is.
"""

from __future__ import annotations

import signal
from contextlib import contextmanager
from pathlib import Path

import lightning as L

EXIT_CODE = 128 + int(signal.SIGTERM)


class Terminated(Exception):
    """SIGTERM arrived; ``checkpoint`` is where training can resume from (None if nothing was saved)."""

    def __init__(self, phase: str, step: int | None = None, checkpoint: str | None = None):
        self.phase, self.step, self.checkpoint = phase, step, checkpoint
        where = f" at step {step}" if step is not None else ""
        super().__init__(f"stopped by SIGTERM during {phase}{where}")


def is_sigterm(exc: BaseException) -> bool:
    from lightning.pytorch.utilities.exceptions import SIGTERMException

    return isinstance(exc, SIGTERMException | Terminated)


@contextmanager
def sigterm_raises(phase: str):
    """Within the block, SIGTERM raises ``Terminated(phase)`` (main thread only; elsewhere a no-op)."""

    def handler(_signum, _frame):
        raise Terminated(phase)

    try:
        previous = signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


class CheckpointOnSigterm(L.Callback):
    """On Lightning's SIGTERMException, save the trainer's state as ``dirpath/last.ckpt``."""

    def __init__(self, dirpath: str | Path, filename: str = "last.ckpt"):
        self.path = Path(dirpath) / filename
        self.saved: str | None = None

    def on_exception(self, trainer, pl_module, exception: BaseException) -> None:
        from lightning.pytorch.trainer.states import TrainerFn

        # only inside fit: in the final validate/test the module holds the best weights, not the last
        if not is_sigterm(exception) or trainer.state.fn != TrainerFn.FITTING:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".tmp")
        trainer.save_checkpoint(tmp)
        if trainer.is_global_zero:
            tmp.replace(self.path)  # atomic: a second signal mid-write leaves the previous file whole
            self.saved = str(self.path)
