"""verify_term: every emitted term is valid, and each kind of invalid term is flagged with its reason."""

from __future__ import annotations

import random

import pytest

from src.physics.lagrangian import build_lagrangian
from src.physics.models import MODEL_NAMES, get_model
from src.physics.terms import Contraction, Factor, Term
from src.physics.verify import REASONS, verify_term
from src.tokens.paper import parse_fields

H = parse_fields("H: S(1,2,1/2)")


def _c(group, *slots):
    return Contraction(group, tuple(slots))


def _quartic(*contractions):
    f = (Factor(0), Factor(0), Factor(0, True), Factor(0, True))
    return Term("scalar_quartic", f, tuple(contractions))


@pytest.mark.parametrize("name", MODEL_NAMES)
@pytest.mark.parametrize("basis", ["independent", "expanded"])
def test_every_emitted_term_of_registry_models_is_valid(name, basis):
    lag = build_lagrangian(get_model(name), basis)
    for term in lag.terms:
        verdict = verify_term(term, lag.fields)
        assert verdict.valid, (term, verdict)


def test_terms_parsed_from_paper_tokens_verify_as_valid():
    from src.tokens.paper import parse_lagrangian, render_lagrangian

    lag = build_lagrangian(get_model("type2_seesaw"))
    parsed = parse_lagrangian(render_lagrangian(lag, random.Random(4)), lag.fields, verify=False)
    assert [p.term for p in parsed.terms] == lag.terms
    assert all(verify_term(p.term, lag.fields).valid for p in parsed.terms)


def test_factor_outside_input_is_flagged():
    term = Term("scalar_mass", (Factor(0, True), Factor(3)), (_c("SU2", 0, 1),))
    assert verify_term(term, H).reason == "field_not_in_input"


def test_charge_violating_quartic_is_flagged():
    term = Term("scalar_quartic", (Factor(0),) * 4, (_c("SU2", 0, 1), _c("SU2", 2, 3)))
    assert verify_term(term, H).reason == "u1_not_conserved"


def test_colour_triality_violation_is_not_su3_singlet():
    fields = parse_fields("X: S(3,1,0)")
    term = Term("scalar_trilinear", (Factor(0), Factor(0), Factor(0, True)), (_c("SU3", 0, 1, 2),))
    assert verify_term(term, fields).reason == "not_su3_singlet"


def test_odd_number_of_doublets_is_not_su2_singlet():
    fields = parse_fields("P: S(1,2,0)")
    term = Term("scalar_trilinear", (Factor(0), Factor(0), Factor(0, True)), (_c("SU2", 0, 1),))
    assert verify_term(term, fields).reason == "not_su2_singlet"


def test_left_times_right_spinor_is_not_lorentz_singlet():
    fields = parse_fields("N: L(1,1,0); M: R(1,1,0); S: S(1,1,0)")
    term = Term("yukawa", (Factor(0), Factor(1), Factor(2)), (_c("LORENTZ", 0, 1),))
    assert verify_term(term, fields).reason == "not_lorentz_singlet"


def test_missing_epsilon_leaves_a_dangling_index():
    assert verify_term(_quartic(_c("SU2", 0, 2)), H).reason == "dangling_index"


def test_slot_in_two_epsilons_is_index_reused():
    assert verify_term(_quartic(_c("SU2", 0, 2), _c("SU2", 0, 3)), H).reason == "index_reused"


def test_five_scalars_are_above_dimension_four():
    term = Term("scalar_quartic", (Factor(0),) * 5)
    assert verify_term(term, parse_fields("S: S(1,1,0)")).reason == "dimension_above_4"


def test_epsilon_of_two_identical_higgs_vanishes():
    assert verify_term(_quartic(_c("SU2", 0, 1), _c("SU2", 2, 3)), H).reason == "vanishes"
    assert verify_term(_quartic(_c("SU2", 0, 2), _c("SU2", 1, 3)), H).valid


def test_neutral_doublet_epsilon_mass_vanishes():
    term = Term("scalar_mass", (Factor(0), Factor(0)), (_c("SU2", 0, 1),))
    assert verify_term(term, parse_fields("P: S(1,2,0)")).reason == "vanishes"


def test_real_triplet_cubic_vanishes():
    term = Term("scalar_trilinear", (Factor(0),) * 3, (_c("SU2", 0, 1), _c("SU2", 1, 2), _c("SU2", 0, 2)))
    assert verify_term(term, parse_fields("T: S(1,3,0)")).reason == "vanishes"


def test_kind_must_match_the_fields():
    fields = parse_fields("S: S(1,1,0); N: L(1,1,0)")
    assert verify_term(Term("yukawa", (Factor(0),) * 3), fields).reason == "wrong_kind"
    assert verify_term(Term("scalar_kinetic", (Factor(0, True), Factor(1))), fields).reason == "wrong_kind"
    assert verify_term(Term("gauge_kinetic", group="SU3"), fields).reason == "wrong_kind"


def test_kinetic_terms_take_delta_entries_only_and_no_lorentz_entry_between_the_factors():
    q = parse_fields("Q: L(3,2,1/6); S: S(1,2,1/2)")
    good = Term("fermion_kinetic", (Factor(0, True), Factor(0)), (_c("SU3", 0, 1), _c("SU2", 0, 1)))
    assert verify_term(good, q).valid
    with_lorentz = Term("fermion_kinetic", good.factors, (_c("LORENTZ", 0, 1), *good.contractions))
    assert verify_term(with_lorentz, q).reason == "index_reused"
    scalar = Term("scalar_kinetic", (Factor(1, True), Factor(1)), (_c("SU2", 0, 1),))
    assert verify_term(scalar, q).valid
    assert verify_term(Term("scalar_kinetic", scalar.factors, ()), q).reason == "dangling_index"


def test_every_reason_code_is_documented():
    assert len(set(REASONS)) == 10
