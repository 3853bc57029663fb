"""Pure parts of the embedding analysis: the field grid, labels, the conjugation coherence and t-SNE."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from src.metrics.embedding import (
    conjugation_coherence,
    field_labels,
    mean_pairwise_cosine,
    plot_embedding,
    random_offset_baseline,
    single_field_grid,
    tsne_2d,
)

CHARGES = (Fraction(0), Fraction(1, 2), Fraction(-1, 2))


def test_grid_holds_every_kind_and_rep_once():
    grid = single_field_grid(CHARGES)
    assert len(grid) == 3 * 3 * 3 * 3 == len(set(grid))
    labels = field_labels(grid)
    assert set(labels["spin/helicity"]) == {"scalar", "left Weyl", "right Weyl"}
    assert set(labels["SU3"]) == {"1", "3", "-3"} and set(labels["SU2"]) == {"1", "2", "3"}


def test_one_shared_conjugation_direction_gives_coherence_one():
    rng = np.random.default_rng(0)
    grid = single_field_grid(CHARGES)
    states = rng.normal(size=(len(grid), 32))
    shift = rng.normal(size=32)
    assert conjugation_coherence(states, states + shift, grid) == pytest.approx(1.0)


def test_unrelated_offsets_give_coherence_near_zero():
    rng = np.random.default_rng(1)
    grid = single_field_grid(CHARGES)
    states = rng.normal(size=(len(grid), 256))
    assert abs(conjugation_coherence(states, rng.normal(size=states.shape), grid)) < 0.05
    assert abs(random_offset_baseline(rng.normal(size=(200, 256)), seed=0)) < 0.05


def test_self_conjugate_fields_are_left_out():
    grid = single_field_grid((Fraction(0),))
    states = np.eye(len(grid))
    # a real scalar (conjugate = itself) would give a zero offset; it is dropped, never counted as 0 cosine
    conj = states.copy()
    real = [i for i, f in enumerate(grid) if f.conjugate() == f]
    assert real
    others = [i for i in range(len(grid)) if i not in real]
    conj[others] += 1.0  # the same shift for every field that has a distinct conjugate
    assert conjugation_coherence(states, conj, grid) == pytest.approx(1.0)


def test_mean_pairwise_cosine_matches_the_pairwise_definition():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(7, 5))
    u = x / np.linalg.norm(x, axis=1, keepdims=True)
    pairs = [u[i] @ u[j] for i in range(7) for j in range(7) if i != j]
    assert mean_pairwise_cosine(x) == pytest.approx(np.mean(pairs))
    assert np.isnan(mean_pairwise_cosine(x[:1]))


def test_tsne_is_seeded_and_plots_one_panel_per_label(tmp_path):
    rng = np.random.default_rng(3)
    grid = single_field_grid(CHARGES)
    states = rng.normal(size=(len(grid), 16))
    a, b = tsne_2d(states, seed=0), tsne_2d(states, seed=0)
    assert a.shape == (len(grid), 2) and np.allclose(a, b)
    fig = plot_embedding(a, field_labels(grid))
    assert len(fig.axes) == 4
    fig.savefig(tmp_path / "x.png")
    assert (tmp_path / "x.png").stat().st_size > 0
