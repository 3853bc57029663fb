"""``EmbeddingAnalysis``: every N epochs, the paper's t-SNE of single-field encoder states and the
conjugation coherence (``src.metrics.embedding``).

Each field of a grid (spin/helicity × SU3 × SU2 × charges) and its conjugate go through the encoder alone
(``pl_module.encoder_first_state(input_ids, attention_mask)``, the state at [SOS]). Written: a PNG per run of
the analysis under ``dirpath`` (default ``<trainer.default_root_dir>/embeddings``); logged:
``val/conjugation_coherence`` and ``val/conjugation_coherence_baseline``, plus a ``wandb.Image`` under
``val/embedding_tsne`` when a ``WandbLogger`` is attached.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import lightning as L

from src.errors import UserError
from src.metrics.embedding import DEFAULT_CHARGES, GridEmbedding, embed_grid


class EmbeddingAnalysis(L.Callback):
    """t-SNE map (PNG + wandb.Image) and conjugation coherence of single-field encoder states."""

    def __init__(
        self,
        every_n_epochs: int = 5,
        charges: list | None = None,
        dirpath: str | None = None,
        prefix: str = "val",
        batch_size: int = 64,
        seed: int = 0,
    ):
        if every_n_epochs < 1:
            raise UserError(f"every_n_epochs must be at least 1, got {every_n_epochs}")
        self.every_n_epochs = int(every_n_epochs)
        self.charges = tuple(Fraction(str(c)) for c in charges) if charges else DEFAULT_CHARGES
        self.dirpath = dirpath
        self.prefix = prefix
        self.batch_size = int(batch_size)
        self.seed = int(seed)
        self.last: dict = {}  # latest numbers and image path (for tests and scripts)

    def on_validation_epoch_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        if trainer.sanity_checking or (trainer.current_epoch + 1) % self.every_n_epochs:
            return
        scheme = getattr(pl_module, "scheme", None) or trainer.datamodule.scheme
        grid = embed_grid(pl_module, scheme, self.charges, self.seed, self.batch_size)
        numbers = {
            f"{self.prefix}/conjugation_coherence": grid.coherence,
            f"{self.prefix}/conjugation_coherence_baseline": grid.baseline,
        }
        for key, value in numbers.items():
            pl_module.log(key, value, on_epoch=True, on_step=False)
        image = self._write_png(trainer, grid)
        self.last = {**numbers, "image": image}
        self._log_image(trainer, image)

    def _write_png(self, trainer: L.Trainer, grid: GridEmbedding) -> Path:
        folder = Path(self.dirpath or Path(trainer.default_root_dir) / "embeddings")
        folder.mkdir(parents=True, exist_ok=True)
        epoch = trainer.current_epoch
        path = folder / f"tsne_epoch{epoch:03d}.png"
        grid.plot(f"encoder state at [SOS], epoch {epoch}").savefig(path, dpi=110)
        return path

    def _log_image(self, trainer: L.Trainer, path: Path) -> None:
        from lightning.pytorch.loggers import WandbLogger

        for logger in trainer.loggers:
            if isinstance(logger, WandbLogger):
                logger.log_image(key=f"{self.prefix}/embedding_tsne", images=[str(path)])
