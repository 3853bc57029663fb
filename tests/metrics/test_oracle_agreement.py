"""The scorer against the oracle: its Lagrangians, rendered twice with different IDs and term orders, score 1,
and the token-level term classes agree with the oracle's term kinds."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest
from metric_examples import rewrite

from src.metrics import classify_term, score_lagrangian, to_terms
from src.physics.fields import HALF, Field
from src.physics.groups import SU2Rep, SU3Rep

lagrangian = pytest.importorskip("src.physics.lagrangian")
paper = pytest.importorskip("src.tokens.paper")

SU3 = (SU3Rep(0, 0), SU3Rep(1, 0), SU3Rep(0, 1))
CHARGES = (Fraction(0), Fraction(1, 2), Fraction(-1, 2), Fraction(1, 3), Fraction(1), Fraction(-2, 3))


def random_fields(rng: random.Random) -> list[Field]:
    out: list[Field] = []
    for _ in range(rng.randint(1, 3)):
        spin = rng.choice((Fraction(0), HALF))
        hel = None if spin == 0 else rng.choice((-HALF, HALF))
        f = Field(spin, rng.choice(SU3), SU2Rep(rng.choice((1, 2, 3))), rng.choice(CHARGES), hel)
        if f not in out:
            out.append(f)
    return out


@pytest.mark.parametrize("basis", ["independent", "expanded"])
def test_oracle_lagrangians_rerendered_and_permuted_score_one(basis):
    rng = random.Random(11)
    for k in range(25):
        lag = lagrangian.build_lagrangian(random_fields(rng), basis=basis)
        target = " ".join(paper.render_lagrangian(lag, random.Random(k)))
        pred = rewrite(target, random.Random(1000 + k), objects=False)
        assert score_lagrangian(target, pred).perfect, target


@pytest.mark.parametrize("basis", ["independent", "expanded"])
def test_exact_matching_ignores_object_order_inside_terms_too(basis):
    rng = random.Random(12)
    for k in range(25):
        lag = lagrangian.build_lagrangian(random_fields(rng), basis=basis)
        target = " ".join(paper.render_lagrangian(lag, random.Random(k)))
        pred = rewrite(target, random.Random(2000 + k), objects=True)
        assert score_lagrangian(target, pred, matching="exact").perfect, target


def test_token_classes_agree_with_oracle_kinds():
    rng = random.Random(5)
    for _ in range(25):
        lag = lagrangian.build_lagrangian(random_fields(rng))
        words = paper.render_lagrangian(lag, None)
        assert [classify_term(t) for t in to_terms(words)] == [t.kind for t in lag.terms]
