"""The paper's embedding analysis of a saved model, for the notebook: encoder states at [SOS] of every
single-field input of a grid, their t-SNE map, and the conjugation coherence C of
``src.metrics.embedding`` (mean pairwise cosine of the offsets e(f̄) − e(f); about 0 for unrelated offsets,
compared with the same number for offsets to a random other field)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from src.metrics.embedding import DEFAULT_CHARGES, GridEmbedding, conjugation_coherence, embed_grid


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
    """The saved model at ``path`` or the newest one below it (``LagrangianBart.load``), in eval mode."""
    from transformers.utils import logging as hf_logging

    from src.models.module import LagrangianBart

    hf_logging.disable_progress_bar()  # no progress bars in notebook outputs
    return LagrangianBart.load(find_model_dir(path))


EmbeddingAnalysis = GridEmbedding  # the notebook's name for the analysis of one model


def analyse_embeddings(model, charges=DEFAULT_CHARGES, seed: int = 0, batch_size: int = 64) -> GridEmbedding:
    """Run the grid of single fields (and their conjugates) through ``model``'s encoder and analyse."""
    return embed_grid(model, model.scheme, charges, seed, batch_size)


def coherence_by(analysis: EmbeddingAnalysis, key: str = "spin/helicity") -> pd.Series:
    """The conjugation coherence within each category of ``key`` (e.g. scalars only, left-handed only)."""
    values = analysis.labels()[key]
    out = {}
    for cat in dict.fromkeys(values):
        idx = [i for i, v in enumerate(values) if v == cat]
        fields = [analysis.fields[i] for i in idx]
        out[cat] = conjugation_coherence(analysis.states[idx], analysis.conjugate_states[idx], fields)
    return pd.Series(out, name=f"conjugation coherence by {key}")
