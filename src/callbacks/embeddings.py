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
import numpy as np
import torch

from src.metrics.embedding import (
    DEFAULT_CHARGES,
    conjugation_coherence,
    field_labels,
    plot_embedding,
    random_offset_baseline,
    single_field_grid,
    tsne_2d,
)
from src.physics.fields import Field


def encoder_states(pl_module, scheme, fields: list[Field], batch_size: int = 64) -> np.ndarray:
    """(N, d_model) encoder states at [SOS] of single-field inputs, in the order of ``fields``."""
    out = []
    for start in range(0, len(fields), batch_size):
        batch = scheme.collate([scheme.encode([f], None) for f in fields[start : start + batch_size]])
        batch = {k: v.to(pl_module.device) for k, v in batch.items()}
        extra = {"u1_values": batch["u1_values"]} if "u1_values" in batch else {}
        with torch.no_grad():
            states = pl_module.encoder_first_state(batch["input_ids"], batch["attention_mask"], **extra)
        out.append(states.float().cpu().numpy())
    return np.concatenate(out, axis=0)


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
            raise ValueError("every_n_epochs must be at least 1")
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
        fields = single_field_grid(self.charges)
        states = encoder_states(pl_module, scheme, fields, self.batch_size)
        conj = encoder_states(pl_module, scheme, [f.conjugate() for f in fields], self.batch_size)
        numbers = {
            f"{self.prefix}/conjugation_coherence": conjugation_coherence(states, conj, fields),
            f"{self.prefix}/conjugation_coherence_baseline": random_offset_baseline(states, self.seed),
        }
        for key, value in numbers.items():
            pl_module.log(key, value, on_epoch=True, on_step=False)
        image = self._write_png(trainer, states, fields)
        self.last = {**numbers, "image": image}
        self._log_image(trainer, image)

    def _write_png(self, trainer: L.Trainer, states: np.ndarray, fields: list[Field]) -> Path:
        import matplotlib.pyplot as plt

        folder = Path(self.dirpath or Path(trainer.default_root_dir) / "embeddings")
        folder.mkdir(parents=True, exist_ok=True)
        epoch = trainer.current_epoch
        fig = plot_embedding(
            tsne_2d(states, self.seed), field_labels(fields), f"encoder state at [SOS], epoch {epoch}"
        )
        path = folder / f"tsne_epoch{epoch:03d}.png"
        fig.savefig(path, dpi=110)
        plt.close(fig)
        return path

    def _log_image(self, trainer: L.Trainer, path: Path) -> None:
        from lightning.pytorch.loggers import WandbLogger

        for logger in trainer.loggers:
            if isinstance(logger, WandbLogger):
                logger.log_image(key=f"{self.prefix}/embedding_tsne", images=[str(path)])
