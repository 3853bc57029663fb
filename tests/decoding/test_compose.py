"""Compositional decoding is exact by construction: with the oracle answering every sub-list, the composed
Lagrangian is the oracle's whole Lagrangian term for term, in every basis and through every token scheme."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from src.decoding.compose import MAX_DISTINCT_FIELDS, assemble, sublists
from src.physics.fields import parse_short_fields
from src.physics.lagrangian import BASES, build_lagrangian, own_terms
from src.physics.models import REGISTRY, get_model
from src.tokens import SCHEMES, build_scheme
from src.tokens.stats import random_fields

SU3 = ["1", "3", "-3", "6", "-6", "8"]
SU2 = ["1", "2", "3", "4"]
U1 = ["0", "1/2", "-1/2", "1", "-1", "1/3", "-1/3", "2/3", "1/6", "-1/6"]


def _field_text(kind: str, su3: str, su2: str, u1: str) -> str:
    return f"{kind}({su3},{su2},{u1})"


field_texts = st.builds(
    _field_text, st.sampled_from("SLR"), st.sampled_from(SU3), st.sampled_from(SU2), st.sampled_from(U1)
)


@st.composite
def field_lists(draw, max_fields: int = 10, repeats: bool = True):
    """1-10 fields; with ``repeats`` some share their quantum numbers (two doublets alike, generations)."""
    if repeats:
        pool = draw(st.lists(field_texts, min_size=1, max_size=max_fields))
        n = draw(st.integers(min_value=1, max_value=max_fields))
        chosen = [draw(st.sampled_from(pool)) for _ in range(n)]
    else:
        chosen = draw(st.lists(field_texts, min_size=1, max_size=max_fields, unique=True))
    fields = parse_short_fields("; ".join(f"F{i}: {t}" for i, t in enumerate(chosen)))
    if not repeats:  # S(1,1,0) and R(1,1,0)... are distinct texts but may still be equal fields
        assume(len({f.quantum_numbers() for f in fields}) == len(fields))
    return fields


def _oracle_answers(fields, basis: str, scheme, max_size: int = MAX_DISTINCT_FIELDS, own: bool = False):
    """Each sub-list's oracle Lagrangian in the scheme's words, read back as the model's answer would be
    (``own``: only the terms that hold every field of the sub-list, as a model trained on them answers)."""
    answers = {}
    for sub in sublists(len(fields), max_size):
        chosen = [fields[i] for i in sub]
        lag = build_lagrangian(chosen, basis=basis)
        words = scheme.target_tokens(own_terms(lag) if own else lag)
        answers[sub] = scheme.parse_target(words, chosen)
    return answers


def _same_terms(composed, oracle) -> None:
    assert Counter(composed) == Counter(oracle)
    assert len(composed) == len(oracle)


# Only field_refs names fields by their position; the other schemes spell a field by its quantum numbers,
# so two fields alike (2hdm's doublets) read back as one: no decoding, direct or composed, tells them apart.
POSITIONAL = ("field_refs",)
SLOW = settings(max_examples=6, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))


@pytest.mark.slow
@pytest.mark.parametrize("basis", BASES)
@SLOW
@given(data=st.data())
def test_composed_oracle_answers_are_the_whole_lagrangian_in_every_basis(basis, data):
    # 10 fields in the independent basis; the expanded and paper bases (many more terms per multiset) on 7
    fields = data.draw(field_lists(max_fields=10 if basis == "independent" else 7))
    scheme = build_scheme("field_refs", canonical=True)
    composed = assemble(fields, _oracle_answers(fields, basis, scheme))
    _same_terms(composed.terms, build_lagrangian(fields, basis=basis).terms)
    assert composed.unreadable == 0


@pytest.mark.parametrize("name", sorted(SCHEMES))
@SLOW
@given(data=st.data())
def test_composition_is_exact_through_every_token_scheme(name, data):
    fields = data.draw(field_lists(max_fields=7, repeats=name in POSITIONAL))
    scheme = build_scheme(name)
    if scheme.needs_fit:
        scheme.fit([fields])
    composed = assemble(fields, _oracle_answers(fields, "independent", scheme))
    _same_terms(composed.terms, build_lagrangian(fields).terms)
    assert composed.unreadable == 0


def _registry_names() -> list[str]:  # the sub-lists of 3 suffice (the next test)
    import yaml

    return sorted(yaml.safe_load(REGISTRY.read_text()))


@pytest.mark.parametrize(
    "basis", [pytest.param(b, marks=[] if b == "independent" else pytest.mark.slow) for b in BASES]
)
@pytest.mark.parametrize("name", _registry_names())
def test_composition_writes_every_registry_model_whole(name, basis):
    fields = get_model(name)
    scheme = build_scheme("field_refs", canonical=True)
    composed = assemble(fields, _oracle_answers(fields, basis, scheme, max_size=3))
    _same_terms(composed.terms, build_lagrangian(fields, basis=basis).terms)


@settings(max_examples=15, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(fields=field_lists(max_fields=8))
def test_answers_of_own_terms_only_compose_to_the_whole_lagrangian(fields):
    """The training targets of conf/experiment/learn_sublists.yaml: each sub-list's terms that hold all its
    fields. Composed, they are the whole Lagrangian, with nothing left over."""
    scheme = build_scheme("field_refs", canonical=True)
    composed = assemble(fields, _oracle_answers(fields, "independent", scheme, own=True))
    _same_terms(composed.terms, build_lagrangian(fields).terms)
    assert composed.partial == 0 and composed.gauge_elsewhere == 0 and composed.unreadable == 0


def test_registry_models_need_sub_lists_of_at_most_three_fields():
    """The fact the 1-3-field models rely on: no registry model has a term with four distinct fields."""
    for name in _registry_names():
        terms = build_lagrangian(get_model(name)).terms
        assert max(len({f.field for f in t.factors}) for t in terms) <= 3, name


def test_a_sub_list_answer_gives_only_the_terms_that_use_all_its_fields():
    """Answers on three fields also write their pairs' and singles' terms: only the all-three ones are kept,
    the others come from their own sub-lists (nothing counted twice)."""
    fields = get_model("sm")
    scheme = build_scheme("paper_canonical")
    answers = _oracle_answers(fields, "independent", scheme, max_size=3)
    composed = assemble(fields, answers)
    assert composed.partial > 0
    _same_terms(composed.terms, build_lagrangian(fields).terms)


def test_a_model_trained_on_fewer_fields_misses_only_the_terms_with_more_distinct_fields():
    fields = random_fields(__import__("random").Random(3), 6)
    scheme = build_scheme("paper_canonical")
    composed = assemble(fields, _oracle_answers(fields, "independent", scheme, max_size=2))
    expected = [t for t in build_lagrangian(fields).terms if len({f.field for f in t.factors}) <= 2]
    _same_terms(composed.terms, expected)


def test_unreadable_answer_terms_are_counted_not_placed():
    fields = get_model("sm")
    scheme = build_scheme("field_refs", canonical=True)
    answers = _oracle_answers(fields, "independent", scheme, max_size=3)
    broken = answers[(0, 1)]
    pair = [fields[0], fields[1]]
    words = scheme.target_tokens(build_lagrangian(pair)) + ["-", "F1", "ID0", "F2"]  # cut mid-term
    answers[(0, 1)] = scheme.parse_target(words, pair)
    composed = assemble(fields, answers)
    assert composed.unreadable == 1
    _same_terms(composed.terms, build_lagrangian(fields).terms)
    assert broken.terms  # the pair's own answer had terms of its own


def test_sublists_are_every_combination_smallest_first():
    assert sublists(3, 2) == [(0,), (1,), (2,), (0, 1), (0, 2), (1, 2)]
    assert len(sublists(10, 4)) == 10 + 45 + 120 + 210
    assert sublists(2, 4) == [(0,), (1,), (0, 1)]
    with pytest.raises(ValueError):
        sublists(3, 0)
