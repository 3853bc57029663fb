"""``field_refs`` with ``charge_sums``: targets start with the U(1) charges of the list's bilinears."""

from __future__ import annotations

import random
from fractions import Fraction
from itertools import product

import pytest

from src.data.field_space import FieldVocabulary
from src.errors import UserError
from src.physics.lagrangian import build_lagrangian, own_terms
from src.physics.models import get_model
from src.tokens import build_scheme, load_scheme
from src.tokens.field_refs import SUM


def sums() -> object:
    return build_scheme("field_refs", canonical=True, charges="common_denominator", charge_sums=True)


def plain() -> object:
    return build_scheme("field_refs", canonical=True, charges="common_denominator")


def written_sums(words: list[str]) -> dict[tuple[str, ...], int]:
    """The prefix read back: operand words -> the integer after SUM."""
    out, operands, k = {}, [], 0
    while k < len(words) and words[k] not in ("+", "-") or (k < len(words) and words[k] == "-" and operands):
        if words[k] == SUM:
            end = k + 1
            while end < len(words) and (words[end].isdigit() or words[end] == "-"):
                end += 1
            out[tuple(operands)] = int("".join(words[k + 1 : end]))
            operands, k = [], end
        else:
            operands.append(words[k])
            k += 1
    return out


def test_the_standard_model_yukawa_is_a_comparison_of_written_numbers():
    q, uc, _dc, _lep, _ec, h = get_model("sm")
    lag = build_lagrangian([q, uc, h])
    words = sums().target_tokens(lag)
    # numerators over 6: Q 1, u^c -4, H 3
    assert written_sums(words) == {
        ("F0", "F0"): 2,
        ("F0", "F1"): -3,
        ("F0", "F1", "DAGGER"): 5,
        ("F0", "F2"): 4,
        ("F0", "F2", "DAGGER"): -2,
        ("F1", "F1"): -8,
        ("F1", "F2"): -1,
        ("F1", "F2", "DAGGER"): -7,
        ("F2", "F2"): 6,
    }
    # Q u^c H is neutral: n(Q u^c) = -3 cancels n(H) = 3
    assert words[words.index("+") :] == plain().target_tokens(lag)


def test_the_sums_are_right_on_random_lists_and_the_terms_read_back_unchanged():
    vocab = FieldVocabulary()
    rng = random.Random(3)
    for _ in range(60):
        fields = [vocab.sample_field(rng) for _ in range(rng.randint(1, 4))]
        lag = own_terms(build_lagrangian(fields)) if len(fields) > 1 else build_lagrangian(fields)
        words = sums().target_tokens(lag)
        got = written_sums(words)
        u1 = [Fraction(f.u1) for f in fields]
        d = min(x for x in range(1, 100_000) if all((q * x).denominator == 1 for q in u1))
        for i, j in product(range(len(fields)), repeat=2):
            if i < j:
                assert got[(f"F{i}", f"F{j}")] == (u1[i] + u1[j]) * d
                assert got[(f"F{i}", f"F{j}", "DAGGER")] == (u1[i] - u1[j]) * d
            elif i == j:
                assert got[(f"F{i}", f"F{i}")] == 2 * u1[i] * d
        assert len(got) == len(fields) ** 2  # n doubles and two sums per pair
        parsed = sums().parse_target(words, fields)
        bare = plain().parse_target(plain().target_tokens(lag), fields)
        assert [t.term for t in parsed.terms] == [t.term for t in bare.terms]
        assert all(t.valid for t in parsed.terms) and not parsed.truncated


def test_an_empty_answer_is_the_sums_alone_and_reads_back_empty():
    vocab = FieldVocabulary()
    rng = random.Random(5)
    for _ in range(200):
        fields = [vocab.sample_field(rng) for _ in range(3)]
        lag = own_terms(build_lagrangian(fields))
        if not lag.terms:
            words = sums().target_tokens(lag)
            assert words and "+" not in words
            assert sums().parse_target(words, fields).terms == []
            return
    pytest.fail("no empty three-field answer in 200 draws")


def test_vocabulary_and_saved_scheme(tmp_path):
    assert SUM in sums().words and SUM not in plain().words
    assert plain().words == build_scheme("field_refs", canonical=True, charges="common_denominator").words
    sums().save_pretrained(tmp_path)
    loaded = load_scheme(tmp_path)
    assert loaded.charge_sums and loaded.options()["charge_sums"] is True
    assert "charge_sums" not in plain().options()


def test_sums_need_the_common_denominator():
    with pytest.raises(UserError, match="needs tokenizer.charges=common_denominator"):
        build_scheme("field_refs", charge_sums=True)
    with pytest.raises(UserError, match="charge_sums='yes'"):
        build_scheme("field_refs", charges="common_denominator", charge_sums="yes")
