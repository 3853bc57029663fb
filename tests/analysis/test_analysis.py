"""``src.analysis``: the dataset distributions, the evaluation tables and the embedding analysis behind the
notebooks, on small folders written by the project's own writers."""

from __future__ import annotations

import random
from fractions import Fraction
from pathlib import Path

import matplotlib
import pytest

from src.analysis import dataset, results
from src.config.model import model_preset
from src.data.rows import make_row
from src.data.tables import write_rows
from src.physics.lagrangian import build_lagrangian
from src.tokens.stats import random_fields

matplotlib.use("Agg")
CONF_DIR = Path(__file__).resolve().parents[2] / "conf"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    """train: 6 Lagrangians of 1-2 fields; ood_fields: 2 of 3 fields (written by ``write_rows``)."""
    folder = tmp_path_factory.mktemp("data")
    rng = random.Random(0)
    sizes = {"train": [1, 1, 1, 2, 2, 2], "ood_fields": [3, 3]}
    for split, ns in sizes.items():
        rows = []
        for k, n in enumerate(ns):
            fields = random_fields(rng, n)
            rows.append(make_row(k, fields, build_lagrangian(fields), random.Random(k)))
        write_rows(folder / f"{split}.parquet", rows)
    return folder


def test_field_counts_and_term_classes_match_the_rows(data_dir):
    tables = dataset.load_splits(data_dir)
    assert list(tables) == ["train", "ood_fields"]  # standard order, not alphabetical
    counts = dataset.field_counts(tables)
    assert counts.loc["train"].to_dict() == {1: 3, 2: 3, 3: 0}
    assert counts.loc["ood_fields", 3] == 2
    classes = dataset.term_classes(tables)
    train = tables["train"]
    assert classes.loc["train"].sum() == pytest.approx(train["n_terms"].mean())
    assert dataset.overview(tables).loc["ood_fields", "rows"] == 2


def test_paper_target_lengths_equal_the_stored_token_counts(data_dir):
    tables = dataset.load_splits(data_dir)
    lengths = dataset.token_lengths(tables)
    paper = lengths[lengths["scheme"] == "paper"]
    stored = list(tables["train"]["n_tokens"]) + list(tables["ood_fields"]["n_tokens"])
    assert list(paper["target"]) == stored
    opaque = lengths[lengths["scheme"] == "opaque"]
    assert list(opaque["source"]) == list(opaque["n_fields"])  # one word per field
    summary = dataset.length_summary(lengths)
    assert set(summary["scheme"]) == set(dataset.LENGTH_SCHEMES)


def test_dataset_figures_have_one_series_per_split_or_scheme(data_dir):
    tables = dataset.load_splits(data_dir)
    fig = dataset.plot_field_counts(dataset.field_counts(tables))
    assert len(fig.axes[0].lines) == 2
    fig = dataset.plot_token_lengths(dataset.token_lengths(tables, schemes=("paper", "opaque")))
    assert len(fig.axes[0].containers) == 2


def test_an_empty_folder_is_reported(tmp_path):
    with pytest.raises(FileNotFoundError, match="parquet"):
        dataset.load_splits(tmp_path)


def _record(split: str, nf: int, s: float, **extra) -> dict:
    return {
        "split": split,
        "row": 0,
        "n_fields": nf,
        "S_lagrangian": s,
        "S_contraction": s,
        "P_length": 0.0,
        "S_object": s,
        "perfect": float(s == 1.0),
        "n_true": 4,
        "n_pred": 4,
        "n_correct": int(4 * s),
        "n_valid_terms": 4,
        "n_pred_terms": 4,
        "truncated": False,
        "missing": "",
        "extra": "",
        "invalid": "",
        "target": "",
        "prediction": "",
        **extra,
    }


@pytest.fixture
def eval_dir(tmp_path):
    """An evaluation folder written by ``src.evaluate.write_outputs`` under ``<run>/eval/<time>``."""
    from src.evaluate import summary_rows, write_outputs

    records = [_record("test", 1, 1.0), _record("test", 2, 0.5), _record("test", 2, 0.0)]
    records += [_record("ood_fields", 3, 0.25)]
    out = tmp_path / "run" / "eval" / "2026-01-01"
    write_outputs(out, records, summary_rows(records), verified=False)
    return tmp_path / "run"


def test_scores_by_split_and_field_count_come_from_the_summary(eval_dir):
    predictions, summary = results.load_evaluation(eval_dir)  # found below the run folder
    assert len(predictions) == 4
    table = results.score_table(summary)
    assert list(table.columns) == ["1", "2", "3", "all"]
    assert table.loc["test", "2"] == pytest.approx(0.25)
    assert table.loc["test", "all"] == pytest.approx(0.5)
    overall = results.overall_scores(summary)
    assert overall.loc["ood_fields", "n"] == 1 and overall.loc["test", "perfect"] == pytest.approx(1 / 3)
    worst = results.worst_examples(predictions, k=2)
    assert list(worst["S_lagrangian"]) == [0.0, 0.25]
    fig = results.plot_scores_by_fields(summary)
    assert len(fig.axes) == 2 and len(fig.axes[0].lines) == 2


def test_term_classes_and_invalid_reasons_are_read_from_the_predictions(tmp_path):
    from src.evaluate import summary_rows, write_outputs
    from src.metrics.token_terms import split_terms
    from src.tokens.paper import parse_fields, render_lagrangian

    terms = split_terms(render_lagrangian(build_lagrangian(parse_fields("H: S(1,2,1/2)"))))
    mass = [t for t in terms if t.count("FIELD") == 2 and "DERIVATIVE" not in t]
    assert len(mass) == 1  # H† H
    target = " ".join(w for t in terms for w in t)
    without_mass = " ".join(w for t in terms if t is not mass[0] for w in t)
    bad = "+ FIELD SPIN 0 SU2 2 U1 1 / 2 ID0  <- physics: u1_not_conserved (total U1 1/2)"
    records = [_record("test", 1, 0.8, target=target, prediction=without_mass, invalid=bad)]
    write_outputs(tmp_path, records, summary_rows(records), verified=False)
    predictions, _ = results.load_evaluation(tmp_path)
    table = results.class_table(predictions).set_index("term_class")
    assert table.loc["scalar_mass", ["n_true", "n_correct", "n_pred"]].tolist() == [1, 0, 0]
    assert table.loc["scalar_kinetic", "recall"] == 1.0 and table.loc["scalar_quartic", "precision"] == 1.0
    reasons = results.invalid_reasons(predictions)
    assert reasons.to_dict("records") == [
        {"split": "test", "bin": "physics", "reason": "u1_not_conserved", "count": 1}
    ]
    assert len(results.plot_class_f1(results.class_table(predictions)).axes[0].patches) == 9


def test_a_folder_without_evaluations_is_reported(tmp_path):
    with pytest.raises(FileNotFoundError, match="src.evaluate"):
        results.load_evaluation(tmp_path)


def test_embedding_analysis_of_a_tiny_model(tmp_path):
    import torch

    from src.analysis.embeddings import analyse_embeddings, coherence_by
    from src.models.module import LagrangianBart
    from src.tokens import build_scheme

    torch.manual_seed(0)
    scheme = build_scheme("paper")
    arch = model_preset("tiny")
    model = LagrangianBart(arch, vocab_size=scheme.vocab_size, scheme=scheme).eval()
    analysis = analyse_embeddings(model, charges=(Fraction(0), Fraction(1, 2)))
    n = len(analysis.fields)
    assert analysis.states.shape == analysis.conjugate_states.shape == (n, 64)
    assert analysis.points.shape == (n, 2)
    # a self-conjugate field (real scalar) is its own conjugate: the same input, the same state
    real = [i for i, f in enumerate(analysis.fields) if f.conjugate() == f]
    assert real and torch.allclose(
        torch.tensor(analysis.states[real]), torch.tensor(analysis.conjugate_states[real]), atol=1e-5
    )
    assert -1.0 <= analysis.coherence <= 1.0
    assert set(coherence_by(analysis).index) == {"scalar", "left Weyl", "right Weyl"}
    assert len(analysis.plot().axes) == 4
