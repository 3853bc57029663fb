"""Term classes read from tokens, and precision/recall/F1 per class on hand-built predictions."""

from __future__ import annotations

import math

import pytest
from metric_examples import (
    FERMION_KINETIC,
    FERMION_MASS,
    HIGGS,
    HIGGS_CLASSES,
    SINGLET,
    SINGLET_CLASSES,
    SU3_QUARTIC,
    YUKAWA,
)

from src.metrics import class_counts, class_report, classify_term, score_lagrangian, split_terms


def test_paper_examples_are_classified_term_by_term():
    assert [classify_term(" ".join(t)) for t in split_terms(HIGGS)] == HIGGS_CLASSES
    assert [classify_term(" ".join(t)) for t in split_terms(SINGLET)] == SINGLET_CLASSES


@pytest.mark.parametrize(
    "term, kind",
    [
        (SU3_QUARTIC, "scalar_quartic"),
        (YUKAWA, "yukawa"),
        (FERMION_KINETIC, "fermion_kinetic"),
        (FERMION_MASS, "fermion_mass"),
        ("+ FIELD SPIN 0 ID1 FIELD SPIN 1 / 2 HEL - 1 / 2 ID2", "other"),
        ("+ FIELD SPIN 7 ID1 FIELD SPIN 0 ID2", "other"),
    ],
)
def test_template_terms_get_their_class(term, kind):
    assert classify_term(term) == kind


def _join(terms):
    return " ".join(" ".join(t) for t in terms)


def test_per_class_precision_recall_f1_on_a_hand_built_prediction():
    terms = split_terms(HIGGS)
    wrong_mass = "+ FIELD SPIN 0 SU2 2 U1 - 2 DAGGER ID6 FIELD SPIN 0 SU2 2 U1 2 ID7 CONTRACTIONS SU2 ID6 ID7"
    # drop the second quartic, add a wrong scalar mass term
    pred = _join([terms[0], *terms[2:], wrong_mass.split()])
    report = class_report([score_lagrangian(HIGGS, pred)])
    quartic, mass, gauge = report["scalar_quartic"], report["scalar_mass"], report["gauge_kinetic"]
    assert (quartic["precision"], quartic["recall"]) == (1.0, 0.5)
    assert quartic["f1"] == pytest.approx(2 / 3)
    assert (mass["precision"], mass["recall"], mass["n_pred"]) == (0.5, 1.0, 2)
    assert mass["f1"] == pytest.approx(2 / 3)
    assert (gauge["precision"], gauge["recall"], gauge["f1"]) == (1.0, 1.0, 1.0)
    assert math.isnan(report["yukawa"]["precision"]) and report["yukawa"]["n_true"] == 0


def test_class_counts_add_up_to_the_term_counts():
    s = score_lagrangian(HIGGS, SINGLET)
    counts = class_counts(s)
    assert sum(c.n_true for c in counts.values()) == s.n_true
    assert sum(c.n_pred for c in counts.values()) == s.n_pred
    assert sum(c.n_correct for c in counts.values()) == s.n_correct == 0


def test_class_report_is_a_micro_average_over_lagrangians():
    perfect = score_lagrangian(HIGGS, HIGGS)
    half = score_lagrangian(HIGGS, _join(split_terms(HIGGS)[1:]))
    quartic = class_report([perfect, half])["scalar_quartic"]
    assert (quartic["n_correct"], quartic["n_true"], quartic["recall"]) == (3, 4, 0.75)


def test_the_report_classes_are_the_taxonomys_kinds():
    from src.metrics.term_class import TERM_CLASSES
    from src.physics.terms import KINDS

    assert sorted(TERM_CLASSES) == sorted(KINDS) and len(TERM_CLASSES) == len(KINDS)
