"""Every fact of physics.md §4, one test each (counts of emitted terms per field multiset)."""

from __future__ import annotations

from oracle_helpers import interaction_count, lagrangian, multiset_counts

SM = "Q: L(3,2,1/6); uc: L(-3,1,-2/3); dc: L(-3,1,1/3); L: L(1,2,-1/2); ec: L(1,1,1); H: S(1,2,1/2)"


def test_single_neutral_doublet_has_no_epsilon_mass_term():
    counts = multiset_counts("P: S(1,2,0)")
    assert counts == {"P P†": 1, "P P P† P†": 1}


def test_higgs_doublet_has_one_mass_and_one_quartic():
    assert multiset_counts("H: S(1,2,1/2)") == {"H H†": 1, "H H H† H†": 1}


def test_opposite_hypercharge_doublets_have_epsilon_mass_and_conjugate():
    counts = multiset_counts("H1: S(1,2,1/2); H2: S(1,2,-1/2)")
    assert counts["H1 H2"] == 1 and counts["H1† H2†"] == 1


def test_complex_doublet_quartic_structures_follow_sym2():
    assert multiset_counts("D: S(1,2,1)")["D D D† D†"] == 1


def test_complex_triplet_has_two_quartic_structures():
    assert multiset_counts("D: S(1,3,1)")["D D D† D†"] == 2


def test_real_triplet_with_higgs_has_six_terms_and_no_cubic():
    counts = multiset_counts("T: S(1,3,0); H: S(1,2,1/2)")
    assert "T T T" not in counts
    assert counts == {"T T": 1, "T T T T": 1, "T H H†": 1, "T T H H†": 1, "H H†": 1, "H H H† H†": 1}


def test_single_colour_triplet_scalar_has_no_epsilon_cubic():
    assert multiset_counts("X: S(3,1,0)") == {"X X†": 1, "X X X† X†": 1}


def test_three_colour_triplets_have_epsilon_cubic_and_conjugate():
    counts = multiset_counts("X1: S(3,1,0); X2: S(3,1,0); X3: S(3,1,0)")
    assert counts["X1 X2 X3"] == 1 and counts["X1† X2† X3†"] == 1


def test_real_singlet_has_mass_cubic_and_quartic_but_no_tadpole():
    assert multiset_counts("S: S(1,1,0)") == {"S S": 1, "S S S": 1, "S S S S": 1}


def test_charged_singlet_has_only_mass_and_quartic():
    assert multiset_counts("S: S(1,1,1)") == {"S S†": 1, "S S S† S†": 1}


def test_two_higgs_doublet_model_has_fourteen_terms():
    text = "H1: S(1,2,1/2); H2: S(1,2,1/2)"
    counts = multiset_counts(text)
    assert interaction_count(text) == 14
    assert counts["H1 H2†"] == 1 and counts["H1† H2"] == 1
    assert sum(v for k, v in counts.items() if len(k.split()) == 2) == 4


def test_type_two_seesaw_scalar_and_lepton_sector_has_eleven_terms():
    text = "D: S(1,3,1); H: S(1,2,1/2); L: L(1,2,-1/2)"
    counts = multiset_counts(text)
    assert interaction_count(text) == 11
    assert counts["D† H H"] == 1 and counts["D H† H†"] == 1
    assert counts["D L L"] == 1 and counts["D† L† L†"] == 1
    assert counts["D D† H H†"] == 2 and counts["D D D† D†"] == 2


def test_neutral_singlet_fermion_has_majorana_mass_and_conjugate():
    assert multiset_counts("N: L(1,1,0)") == {"N N": 1, "N† N†": 1}


def test_neutral_triplet_fermion_has_majorana_mass():
    assert multiset_counts("F: L(1,3,0)") == {"F F": 1, "F† F†": 1}


def test_neutral_doublet_fermion_majorana_mass_vanishes_by_fermi_statistics():
    assert interaction_count("F: L(1,2,0)") == 0


def test_neutral_colour_triplet_fermion_has_no_mass():
    assert interaction_count("F: L(3,1,0)") == 0


def test_colour_triplet_and_antitriplet_fermions_have_dirac_mass():
    assert multiset_counts("F1: L(3,1,-1/3); F2: L(-3,1,1/3)") == {"F1 F2": 1, "F1† F2†": 1}


def test_identical_fermions_in_yukawa_need_symmetric_gauge_contraction():
    # L L Δ (triplet: symmetric) survives, L L h (singlet of 2x2: antisymmetric) vanishes
    assert multiset_counts("D: S(1,3,1); L: L(1,2,-1/2)")["D L L"] == 1
    assert "L L h" not in multiset_counts("L: L(1,2,-1/2); h: S(1,1,1)")


def test_standard_model_one_generation_has_eight_terms_plus_kinetic():
    lag = lagrangian(SM)
    counts = multiset_counts(SM)
    assert interaction_count(SM) == 8
    for product in ("Q uc H", "Q dc H†", "L ec H†", "Q† uc† H†", "Q† dc† H", "L† ec† H", "H H†", "H H H† H†"):
        assert counts[product] == 1, product
    kinds = lag.counts()
    assert kinds["scalar_kinetic"] + kinds["fermion_kinetic"] == 6 and kinds["gauge_kinetic"] == 3


def test_lepton_pair_with_triplet_is_symmetric():
    counts = multiset_counts("D: S(1,3,1); L: L(1,2,-1/2)")
    assert counts["D L L"] == 1 and counts["D† L† L†"] == 1


def test_lepton_pair_with_charged_singlet_vanishes():
    counts = multiset_counts("L: L(1,2,-1/2); h: S(1,1,1)")
    assert not any("L L" in k or "L† L†" in k for k in counts)


def test_quark_pair_with_s1_leptoquark_is_symmetric():
    counts = multiset_counts("Q: L(3,2,1/6); S1: S(-3,1,1/3)")
    assert counts["Q Q S1†"] == 1 and counts["Q† Q† S1"] == 1


def test_quark_pair_with_s3_leptoquark_is_antisymmetric():
    counts = multiset_counts("Q: L(3,2,1/6); S3: S(-3,3,1/3)")
    assert not any(k.startswith("Q Q") or k.startswith("Q† Q†") for k in counts)


def test_majorana_mass_needs_a_symmetric_singlet_of_a_real_representation():
    assert multiset_counts("F: L(8,1,0)") == {"F F": 1, "F† F†": 1}
    assert multiset_counts("F: L(1,5,0)") == {"F F": 1, "F† F†": 1}
    assert interaction_count("F: L(1,4,0)") == 0  # pseudo-real: its singlet is antisymmetric
