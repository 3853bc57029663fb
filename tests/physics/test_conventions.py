"""Term order and factor conventions shared with the token schemes (see the shared conventions)."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from src.physics.invariants import clear_caches
from src.physics.lagrangian import build_lagrangian
from src.physics.models import MODEL_NAMES, get_model
from src.physics.terms import Contraction, Factor
from src.tokens.paper import parse_fields

SEESAW = "D: S(1,3,1); H: S(1,2,1/2); L: L(1,2,-1/2)"
INTERACTIONS = ("scalar_trilinear", "scalar_quartic", "yukawa")


def _lag(text, basis="independent"):
    return build_lagrangian(parse_fields(text), basis)


def test_families_come_in_order_interactions_kinetic_gauge_masses():
    families = []
    for t in _lag(SEESAW).terms:
        family = (
            0 if t.kind in INTERACTIONS else 1 if "kinetic" in t.kind and t.kind != "gauge_kinetic" else 2
        )
        family = 3 if t.kind in ("scalar_mass", "fermion_mass") else family
        families.append(family)
    assert families == sorted(families)


def test_interactions_are_sorted_by_multiset_three_fields_first():
    keys = [(len(t.factors), tuple(sorted(t.factors))) for t in _lag(SEESAW).terms if t.kind in INTERACTIONS]
    assert keys == sorted(keys) and keys[0][0] == 3


def test_interaction_factors_are_sorted_by_field_then_conjugation():
    for t in _lag(SEESAW).terms:
        if t.kind in INTERACTIONS:
            assert list(t.factors) == sorted(t.factors)


def test_kinetic_terms_follow_input_order_and_gauge_terms_first_appearance():
    lag = _lag("L: L(1,2,-1/2); X: S(3,1,0); e: R(1,1,-1)")
    kinetic = [t for t in lag.terms if t.kind in ("scalar_kinetic", "fermion_kinetic")]
    assert [t.factors[0].field for t in kinetic] == [0, 1, 2]
    assert [t.group for t in lag.terms if t.kind == "gauge_kinetic"] == ["SU2", "U1", "SU3"]


def test_fermion_kinetic_puts_the_right_handed_object_first():
    lag = _lag("L: L(1,2,-1/2); e: R(1,1,-1)")
    left, right = (t for t in lag.terms if t.kind == "fermion_kinetic")
    assert left.factors == (Factor(0, True), Factor(0, False))
    assert right.factors == (Factor(1, False), Factor(1, True))
    assert left.contractions == (Contraction("SU2", (0, 1)),) and right.contractions == ()


def test_scalar_mass_lists_the_daggered_factor_first():
    (mass,) = _lag("H: S(1,2,1/2)").by_kind("scalar_mass")
    assert mass.factors == (Factor(0, True), Factor(0, False)) and mass.contractions == (
        Contraction("SU2", (0, 1)),
    )


def test_real_scalar_mass_is_written_with_one_dagger_copy():
    (mass,) = _lag("S: S(1,1,0)").by_kind("scalar_mass")
    assert mass.factors == (Factor(0, True), Factor(0, False)) and mass.contractions == ()


def test_fermion_mass_carries_lorentz_then_gauge_delta_entries():
    masses = _lag("F1: L(3,1,-1/3); F2: L(-3,1,1/3)").by_kind("fermion_mass")
    assert [m.factors for m in masses] == [(Factor(0), Factor(1)), (Factor(0, True), Factor(1, True))]
    assert all(m.contractions == (Contraction("LORENTZ", (0, 1)), Contraction("SU3", (0, 1))) for m in masses)


def test_antitriplet_in_epsilon_occupies_two_slots():
    yukawas = _lag("Q: L(3,2,1/6); uc: L(-3,1,-2/3); H: S(1,2,1/2)").by_kind("yukawa")
    assert Contraction("SU3", (0, 1, 1)) in yukawas[0].contractions


def test_output_is_deterministic_across_cache_clears():
    first = _lag(SEESAW).terms
    clear_caches()
    assert _lag(SEESAW).terms == first


def test_counts_per_multiset_do_not_depend_on_input_order():
    rng = random.Random(0)
    fields = get_model("type2_seesaw")

    def counts(fs):
        out = Counter()
        for t in build_lagrangian(fs).terms:
            out[tuple(sorted((str(fs[f.field]), f.conjugate) for f in t.factors)), t.kind] += 1
        return out

    shuffled = fields[:]
    rng.shuffle(shuffled)
    assert counts(fields) == counts(shuffled)


@pytest.mark.parametrize("name", ["sm", "type2_seesaw", "leptoquark_s3", "manohar_wise"])
def test_expanded_basis_contains_at_least_as_many_terms_per_multiset(name):
    def per_multiset(basis):
        return Counter(tuple(sorted(t.factors)) for t in build_lagrangian(get_model(name), basis).terms)

    ind, exp = per_multiset("independent"), per_multiset("expanded")
    assert set(ind) == set(exp) and all(exp[k] >= ind[k] for k in ind)


def _distinct_quantum_numbers(name: str) -> bool:
    numbers = [f.quantum_numbers() for f in get_model(name)]
    return len(set(numbers)) == len(numbers)


@pytest.mark.parametrize("name", [n for n in MODEL_NAMES if _distinct_quantum_numbers(n)])
def test_paper_render_then_parse_gives_the_same_terms(name):
    # models with two fields of equal quantum numbers are left out: the paper's words cannot tell them apart
    from src.tokens.paper import parse_lagrangian, render_lagrangian

    lag = build_lagrangian(get_model(name))
    parsed = parse_lagrangian(render_lagrangian(lag, random.Random(1)), lag.fields)
    assert [p.term for p in parsed.terms] == lag.terms
