"""One generated example scored end to end, in every token scheme, against the paper-format target."""

from __future__ import annotations

import random

import pytest

from src.metrics.example import score_prediction
from src.tokens.paper import parse_fields

tokens = pytest.importorskip("src.tokens")
lagrangian = pytest.importorskip("src.physics.lagrangian")

FIELDS = parse_fields("H: S(1,2,1/2); Q: L(3,2,1/6); u: R(3,1,2/3)")


@pytest.fixture(scope="module")
def oracle():
    lag = lagrangian.build_lagrangian(FIELDS)
    return lag, tokens.render_lagrangian(lag, random.Random(0))


@pytest.mark.parametrize("name", sorted(tokens.SCHEMES))
def test_every_scheme_writing_the_oracle_lagrangian_scores_one(name, oracle):
    lag, target = oracle
    scheme = tokens.build_scheme(name)
    if hasattr(scheme, "fit"):
        scheme.fit([FIELDS])
    words = scheme.target_tokens(lag, random.Random(3))
    result = score_prediction(target, words, FIELDS, scheme)
    assert result.score.perfect and result.validity.rate == 1.0 and not result.truncated


def test_diff_lists_missing_extra_and_invalid_terms(oracle):
    lag, target = oracle
    words = tokens.render_lagrangian(lag, random.Random(1))
    n_first = len(tokens.render_term(lag.terms[0], FIELDS, random.Random(2)))
    mass = ["+", "FIELD", "SPIN", "0", "SU3", "3", "DAGGER", "ID1"]  # not an input field, and cut
    result = score_prediction(target, words[n_first:] + mass, FIELDS, max_new_tokens=len(words) - n_first + 8)
    diff = result.diff()
    assert diff["missing"] == " ".join(target[:n_first])  # the first term, as the target writes it
    assert diff["extra"] == " ".join(mass)
    assert diff["invalid"].startswith(" ".join(mass)) and result.truncated


def test_verified_scoring_drops_the_terms_the_oracle_rejects(oracle):
    lag, target = oracle
    words = tokens.render_lagrangian(lag, random.Random(1))
    bogus_text = "+ FIELD SPIN 0 SU3 3 DAGGER ID1 FIELD SPIN 0 SU3 - 3 ID2 CONTRACTIONS SU3 ID1 ID2"
    bogus = bogus_text.split(" ")
    plain = score_prediction(target, words + bogus, FIELDS)
    verified = score_prediction(target, words + bogus, FIELDS, verified=True)
    assert plain.score.P_length > 0 and not plain.score.perfect
    assert verified.score.perfect and verified.validity.bins["grammar"] == 1
