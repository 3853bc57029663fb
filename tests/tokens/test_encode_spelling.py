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
