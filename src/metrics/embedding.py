"""The paper's embedding analysis, as pure functions over encoder states of single-field inputs.

The paper feeds single-field inputs to the encoder, takes the last hidden state at the first position
([SOS]), and looks at a t-SNE map coloured by spin/helicity, SU(3), SU(2) and hypercharge.

A number the paper did not have, the *conjugation coherence*: with e(f) the state of field f and e(f̄) that of
its conjugate (conjugated representations, U(1) negated, helicity flipped), the offsets o_f = e(f̄) − e(f) over
all fields that are not self-conjugate, unit-normalised to u_f, have the mean pairwise cosine

    C = 1/(n(n−1)) Σ_{f≠g} u_f·u_g = (|Σ_f u_f|² − n) / (n(n−1)),

which is 1 when one shared direction maps every field to its conjugate and about 0 for unrelated offsets.
The baseline is the same number for offsets e(π(f)) − e(f) to a random other field π(f).
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from src.physics.fields import HALF, Field
from src.physics.groups import SU2Rep, SU3Rep

DEFAULT_CHARGES = tuple(Fraction(c) for c in ("0", "1/2", "-1/2", "1/3", "-1/3", "2/3", "-2/3", "1", "-1"))
LABEL_KEYS = ("spin/helicity", "SU3", "SU2", "U1")


def single_field_grid(charges=DEFAULT_CHARGES) -> list[Field]:
    """Every scalar, left- and right-handed Weyl field over SU3 1, 3, 3̄, SU2 1, 2, 3 and the given charges."""
    kinds = ((Fraction(0), None), (HALF, -HALF), (HALF, HALF))
    su3s = (SU3Rep(0, 0), SU3Rep(1, 0), SU3Rep(0, 1))
    out = []
    for (spin, hel), su3, n, q in itertools.product(kinds, su3s, (1, 2, 3), charges):
        out.append(Field(spin, su3, SU2Rep(n), Fraction(q), hel))
    return out


def field_labels(fields: list[Field]) -> dict[str, list[str]]:
    """Categorical labels per field for colouring: spin/helicity (scalar, left, right), SU3, SU2, U1."""
    kind = {None: "scalar", -HALF: "left Weyl", HALF: "right Weyl"}
    return {
        "spin/helicity": [kind[f.helicity] for f in fields],
        "SU3": [f.su3.name for f in fields],
        "SU2": [str(f.su2.n) for f in fields],
        "U1": [str(f.u1) for f in fields],
    }


def mean_pairwise_cosine(offsets: np.ndarray) -> float:
    """Mean cosine over distinct pairs of rows (zero rows dropped); NaN with fewer than two rows."""
    norms = np.linalg.norm(offsets, axis=1)
    units = offsets[norms > 0] / norms[norms > 0, None]
    n = len(units)
    if n < 2:
        return float("nan")
    total = units.sum(axis=0)
    return float((total @ total - n) / (n * (n - 1)))


def conjugation_coherence(states: np.ndarray, conj_states: np.ndarray, fields: list[Field]) -> float:
    """C of the module docstring: states[i] = e(fields[i]), conj_states[i] = e(conj(fields[i]))."""
    keep = [i for i, f in enumerate(fields) if f.conjugate() != f]
    return mean_pairwise_cosine(conj_states[keep] - states[keep])


def random_offset_baseline(states: np.ndarray, seed: int = 0) -> float:
    """The same mean cosine for offsets to a random other field (a derangement drawn with ``seed``)."""
    n = len(states)
    if n < 2:
        return float("nan")
    perm = list(range(n))
    rng = random.Random(seed)
    while any(i == p for i, p in enumerate(perm)):
        rng.shuffle(perm)
    return mean_pairwise_cosine(states[perm] - states)


def tsne_2d(states: np.ndarray, seed: int = 0) -> np.ndarray:
    """A seeded 2-D t-SNE map of the states, (N, d) -> (N, 2); perplexity shrinks for small N."""
    from sklearn.manifold import TSNE

    n = len(states)
    perplexity = float(min(30, max(2, (n - 1) // 3)))
    return TSNE(n_components=2, perplexity=perplexity, init="pca", random_state=seed).fit_transform(
        np.asarray(states, dtype=np.float64)
    )


def plot_embedding(points: np.ndarray, labels: dict[str, list[str]], title: str = ""):
    """One panel per label key, points coloured by category; returns a matplotlib Figure."""
    # The object-oriented API needs no pyplot backend: headless-safe; never changes a notebook's backend.
    from matplotlib import colormaps
    from matplotlib.figure import Figure

    keys = [k for k in LABEL_KEYS if k in labels]
    fig = Figure(figsize=(4.2 * len(keys), 4.2))
    axes = fig.subplots(1, len(keys), squeeze=False)
    for ax, key in zip(axes[0], keys):
        values = labels[key]
        cats = sorted(set(values), key=_category_order)
        cmap = colormaps["coolwarm" if key == "U1" else "tab10"].resampled(max(len(cats), 2))
        for k, cat in enumerate(cats):
            idx = [i for i, v in enumerate(values) if v == cat]
            ax.scatter(points[idx, 0], points[idx, 1], s=10, color=cmap(k), label=cat)
        ax.set_title(key)
        ax.set_xticks([])
        ax.set_yticks([])
        if len(cats) <= 12:
            ax.legend(fontsize=7, markerscale=1.5, loc="best")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def _category_order(value: str):
    """Numbers in numeric order (hypercharges, dimensions), anything else after them alphabetically."""
    try:
        return (0, float(Fraction(value)), value)
    except (ValueError, ZeroDivisionError):
        return (1, 0.0, value)


# --- the analysis of a model: the grid through the encoder (the callback and the notebook share this)


def encoder_states(model, scheme, fields: list[Field], batch_size: int = 64) -> np.ndarray:
    """(N, d_model) encoder states at [SOS] of single-field inputs, in the order of ``fields``.

    ``model`` is a ``LagrangianBart`` (anything with ``encoder_first_state`` and ``device``)."""
    import torch

    out = []
    for start in range(0, len(fields), batch_size):
        batch = scheme.collate([scheme.encode([f], None) for f in fields[start : start + batch_size]])
        batch = {k: v.to(model.device) for k, v in batch.items()}
        extra = {"u1_values": batch["u1_values"]} if "u1_values" in batch else {}
        with torch.no_grad():
            states = model.encoder_first_state(batch["input_ids"], batch["attention_mask"], **extra)
        out.append(states.float().cpu().numpy())
    return np.concatenate(out, axis=0)


@dataclass
class GridEmbedding:
    """Encoder states of every field of a grid and of its conjugate, their t-SNE map and coherence."""

    fields: list[Field]
    states: np.ndarray  # (N, d_model): e(f)
    conjugate_states: np.ndarray  # (N, d_model): e(f̄)
    points: np.ndarray  # (N, 2): t-SNE of ``states``
    coherence: float
    baseline: float

    def labels(self) -> dict[str, list[str]]:
        return field_labels(self.fields)

    def numbers(self) -> dict[str, float]:
        return {
            "fields": len(self.fields),
            "conjugation_coherence": self.coherence,
            "random_baseline": self.baseline,
        }

    def plot(self, title: str = "encoder state at [SOS]"):
        """The t-SNE map, one panel per quantum number (a matplotlib Figure)."""
        return plot_embedding(self.points, self.labels(), title)

    def png(self, title: str = "encoder state at [SOS]", dpi: int = 100) -> bytes:
        """The t-SNE map as PNG bytes."""
        import io

        buf = io.BytesIO()
        self.plot(title).savefig(buf, format="png", dpi=dpi)
        return buf.getvalue()


def embed_grid(model, scheme, charges=DEFAULT_CHARGES, seed: int = 0, batch_size: int = 64) -> GridEmbedding:
    """The single-field grid over ``charges`` and its conjugates through ``model``'s encoder, analysed."""
    fields = single_field_grid(charges)
    states = encoder_states(model, scheme, fields, batch_size)
    conj = encoder_states(model, scheme, [f.conjugate() for f in fields], batch_size)
    return GridEmbedding(
        fields=fields,
        states=states,
        conjugate_states=conj,
        points=tsne_2d(states, seed),
        coherence=conjugation_coherence(states, conj, fields),
        baseline=random_offset_baseline(states, seed),
    )
