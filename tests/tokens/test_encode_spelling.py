"""``scheme.encode(..., spelling=)``: an out-of-distribution charge spelling reaches both sides."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest

from src.physics.lagrangian import build_lagrangian
from src.tokens import build_scheme
from src.tokens.grammar import TermError
from src.tokens.paper import parse_fields


@pytest.mark.parametrize("name", ["paper", "field_refs"])
def test_spelling_rewrites_source_and_target(name):
    scheme = build_scheme(name)
    fields = parse_fields("H: S(1,2,1/2)")
    lag = build_lagrangian(fields)
    plain = scheme.encode(fields, lag, random.Random(0))
    spelled = scheme.encode(fields, lag, random.Random(0), spelling={Fraction(1, 2): (2, 4)})
    words = scheme.decode(spelled["input_ids"])
    assert "4" in words and "4" not in scheme.decode(plain["input_ids"])
    if scheme.writes_paper_words:  # the target repeats the charge in every term
        target = scheme.decode(spelled["labels"])
        assert target.count("4") >= 2 and "4" not in scheme.decode(plain["labels"])


def test_one_reader_takes_a_spaced_number_for_respelling_and_for_the_term_parser():
    from src.tokens.paper import _read_number
    from src.tokens.spelling import number_words

    words = ["U1", "-", "1", "2", "/", "7", "DAGGER"]
    assert number_words(words, 1) == ("-12/7", 6)
    assert number_words(words, 0) == ("", 0)  # no number starts at a keyword
    assert number_words(words, 7) == ("", 7)  # nor past the end
    assert _read_number(words, 1) == ("-12/7", 6)
    with pytest.raises(TermError, match="a number was expected at 6"):
        _read_number(words, 6)


@pytest.mark.parametrize("name", ["field_refs", "opaque", "numeric_u1"])
def test_rescored_words_carry_the_spelling_the_paper_target_was_written_with(name):
    """A scheme's output re-rendered in the paper's words (``to_paper_tokens``) with the row's spelling is
    the paper target encoded with that spelling: a perfect score (without the spelling, none)."""
    from src.metrics.paper_score import score_lagrangian

    fields = parse_fields("H: S(1,2,1/2); L: L(1,2,-1/2)")
    lag = build_lagrangian(fields)
    scheme = build_scheme(name).fit([fields])
    spelling = {Fraction(1, 2): (2, 4)}
    parsed = scheme.parse_target(scheme.target_tokens(lag, random.Random(0)), fields)
    paper = build_scheme("paper_canonical")
    target = paper.decode(paper.encode(fields, lag, spelling=spelling)["labels"])
    words = scheme.to_paper_tokens(parsed, fields, spelling)
    assert "4" in words and "4" not in scheme.to_paper_tokens(parsed, fields)
    assert score_lagrangian(target, words).perfect
    assert not score_lagrangian(target, scheme.to_paper_tokens(parsed, fields)).perfect
