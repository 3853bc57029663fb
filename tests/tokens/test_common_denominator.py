"""``field_refs`` with ``charges=common_denominator``: a list's hypercharges written over one denominator."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest

from src.data.field_space import FieldVocabulary
from src.errors import UserError
from src.physics.models import get_model
from src.tokens import build_scheme, load_scheme
from src.tokens.paper import parse_fields
from src.tokens.spelling import number_words


def spelled_charges(words: list[str]) -> list[str]:
    """The spaced number after each ``U1``, joined ('-4/6')."""
    return [number_words(words, i + 1)[0] for i, w in enumerate(words) if w == "U1"]


def common() -> object:
    return build_scheme("field_refs", canonical=True, charges="common_denominator")


def test_standard_model_charges_are_written_in_sixths():
    # Q, u^c, d^c, L, e^c, H: Y = 1/6, -2/3, 1/3, -1/2, 1, 1/2
    fields = get_model("sm")
    assert spelled_charges(common().source_tokens(fields)) == ["1/6", "-4/6", "2/6", "-3/6", "6/6", "3/6"]
    assert spelled_charges(build_scheme("field_refs").source_tokens(fields)) == [
        "1/6",
        "-2/3",
        "1/3",
        "-1/2",
        "1",
        "1/2",
    ]


def test_a_sub_list_is_written_over_its_own_denominator():
    sm = get_model("sm")
    q, uc, _dc, lep, ec, h = sm
    assert spelled_charges(common().source_tokens([lep, ec, h])) == ["-1/2", "2/2", "1/2"]
    assert spelled_charges(common().source_tokens([q, uc, h])) == ["1/6", "-4/6", "3/6"]
    # the Yukawa Q u^c H: the numerators cancel (1 - 4 + 3 = 0)
    assert sum(Fraction(x) * 6 for x in spelled_charges(common().source_tokens([q, uc, h]))) == 0


def test_values_are_kept_and_denominators_shared_on_random_lists():
    vocab = FieldVocabulary()
    rng = random.Random(7)
    for _ in range(300):
        fields = [vocab.sample_field(rng) for _ in range(rng.randint(1, 6))]
        texts = spelled_charges(common().source_tokens(fields))
        charged = [f.u1 for f in fields if f.u1 != 0]
        assert [Fraction(t) for t in texts] == charged  # zero charges are omitted, as in every scheme
        denominators = {t.partition("/")[2] or "1" for t in texts}
        assert len(denominators) <= 1


def test_a_rows_own_spelling_is_not_applied_to_the_common_denominator_source():
    fields = parse_fields("H: S(1,2,1/2)")
    odd = {Fraction(1, 2): (2, 4)}
    plain = build_scheme("field_refs")
    assert spelled_charges(plain.decode(plain.encode(fields, None, spelling=odd)["input_ids"])) == ["2/4"]
    scheme = common()
    assert spelled_charges(scheme.decode(scheme.encode(fields, None, spelling=odd)["input_ids"])) == ["1/2"]


def test_the_option_is_saved_with_the_scheme_and_old_schemes_load_as_reduced(tmp_path):
    common().save_pretrained(tmp_path / "new")
    assert load_scheme(tmp_path / "new").charges == "common_denominator"
    build_scheme("field_refs").save_pretrained(tmp_path / "old")
    assert "charges" not in (tmp_path / "old" / "scheme.json").read_text()
    assert load_scheme(tmp_path / "old").charges == "reduced"


def test_an_unknown_spelling_is_refused_by_name():
    with pytest.raises(UserError, match="tokenizer.charges='sixths'"):
        build_scheme("field_refs", charges="sixths")
