"""The paper's embedding analysis of a saved model, for the notebook: encoder states at [SOS] of every
single-field input of a grid, their t-SNE map, and the conjugation coherence C of
``src.metrics.embedding`` (mean pairwise cosine of the offsets e(f̄) − e(f); about 0 for unrelated offsets,
compared with the same number for offsets to a random other field)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

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


def find_model_dir(path: str | Path) -> Path:
    """``path`` itself when it is a saved model (``best_model/``) or a ``.ckpt``, else the newest saved model
    below it (e.g. under ``outputs/runs``)."""
    from src.models.module import PRETRAINED_META

    path = Path(path)
    if (path / PRETRAINED_META).is_file() or path.suffix == ".ckpt":
        return path
    found = sorted(path.rglob(PRETRAINED_META), key=lambda p: p.stat().st_mtime)
    if not found:
        raise FileNotFoundError(f"no saved model ({PRETRAINED_META}) in or below {path}")
    return found[-1].parent


def load_model(path: str | Path):
    """The saved model at ``path`` or the newest one below it (``src.evaluate.load_model``), in eval mode."""
    from transformers.utils import logging as hf_logging

    from src.evaluate import load_model as load

    hf_logging.disable_progress_bar()  # no progress bars in notebook outputs
    return load(find_model_dir(path))


@dataclass
class EmbeddingAnalysis:
    fields: list[Field]
    states: np.ndarray  # (N, d_model): e(f)
    conjugate_states: np.ndarray  # (N, d_model): e(f̄)
    points: np.ndarray  # (N, 2): t-SNE of ``states``
    coherence: float
    baseline: float

    def labels(self) -> dict[str, list[str]]:
        return field_labels(self.fields)

    def numbers(self) -> pd.Series:
        return pd.Series(
            {
                "fields": len(self.fields),
                "conjugation_coherence": self.coherence,
                "random_baseline": self.baseline,
            }
        )

    def plot(self, title: str = "encoder state at [SOS]"):
        """The t-SNE map, one panel per quantum number (a matplotlib Figure)."""
        return plot_embedding(self.points, self.labels(), title)

    def png(self, title: str = "encoder state at [SOS]", dpi: int = 100) -> bytes:
        """The t-SNE map as PNG bytes. Notebooks show these (``IPython.display.Image``) because
        ``plot_embedding`` switches matplotlib to Agg, after which an inline figure would not display."""
        import io

        import matplotlib.pyplot as plt

        fig = self.plot(title)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=dpi)
        plt.close(fig)
        return buf.getvalue()


def analyse_embeddings(
    model, charges=DEFAULT_CHARGES, seed: int = 0, batch_size: int = 64
) -> EmbeddingAnalysis:
    """Run the grid of single fields (and their conjugates) through ``model``'s encoder and analyse."""
    from src.callbacks.embeddings import encoder_states

    fields = single_field_grid(charges)
    states = encoder_states(model, model.scheme, fields, batch_size)
    conj = encoder_states(model, model.scheme, [f.conjugate() for f in fields], batch_size)
    return EmbeddingAnalysis(
        fields=fields,
        states=states,
        conjugate_states=conj,
        points=tsne_2d(states, seed),
        coherence=conjugation_coherence(states, conj, fields),
        baseline=random_offset_baseline(states, seed),
    )


def coherence_by(analysis: EmbeddingAnalysis, key: str = "spin/helicity") -> pd.Series:
    """The conjugation coherence within each category of ``key`` (e.g. scalars only, left-handed only)."""
    values = analysis.labels()[key]
    out = {}
    for cat in dict.fromkeys(values):
        idx = [i for i, v in enumerate(values) if v == cat]
        fields = [analysis.fields[i] for i in idx]
        out[cat] = conjugation_coherence(analysis.states[idx], analysis.conjugate_states[idx], fields)
    return pd.Series(out, name=f"conjugation coherence by {key}")
