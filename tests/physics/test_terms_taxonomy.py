"""The term taxonomy of src.physics.terms: kind lists, sections and factor tables agree with each other."""

from __future__ import annotations

from collections import Counter

from src.physics.terms import (
    FACTORS_OF_KIND,
    GAUGE_KINETIC_KINDS,
    INTERACTION_KINDS,
    KIND_BY_FACTORS,
    KINDS,
    KINETIC_BY_FACTORS,
    KINETIC_KINDS,
    MASS_KINDS,
    MATTER_KINETIC_KINDS,
    SECTION_OF,
    SECTIONS,
)


def test_kinds_keep_the_json_contract_order():
    assert KINDS == (
        "scalar_mass",
        "fermion_mass",
        "scalar_trilinear",
        "scalar_quartic",
        "yukawa",
        "scalar_kinetic",
        "fermion_kinetic",
        "gauge_kinetic",
    )


def test_sections_partition_the_kinds_in_the_papers_order():
    assert SECTIONS == (INTERACTION_KINDS, MATTER_KINETIC_KINDS, GAUGE_KINETIC_KINDS, MASS_KINDS)
    listed = [k for kinds in SECTIONS for k in kinds]
    assert sorted(listed) == sorted(KINDS) and len(listed) == len(set(listed))
    assert list(SECTION_OF) == listed
    assert all(SECTION_OF[k] == i for i, kinds in enumerate(SECTIONS) for k in kinds)


def test_kinetic_kinds_are_the_kinds_with_derivatives():
    assert KINETIC_KINDS == MATTER_KINETIC_KINDS + GAUGE_KINETIC_KINDS
    assert set(KINDS) - set(KINETIC_KINDS) == set(INTERACTION_KINDS) | set(MASS_KINDS)


def test_every_kind_with_matter_factors_has_exactly_one_factor_signature():
    signatures = Counter(kind for table in (KIND_BY_FACTORS, KINETIC_BY_FACTORS) for kind in table.values())
    assert set(signatures) == set(KINDS) - set(GAUGE_KINETIC_KINDS)
    assert set(signatures.values()) == {1}
    assert set(KIND_BY_FACTORS.values()) == set(INTERACTION_KINDS) | set(MASS_KINDS)
    assert set(KINETIC_BY_FACTORS.values()) == set(MATTER_KINETIC_KINDS)


def test_factors_of_kind_inverts_the_factor_tables():
    assert set(FACTORS_OF_KIND) == set(KINDS) - set(GAUGE_KINETIC_KINDS)
    for kind, n in FACTORS_OF_KIND.items():
        table = KINETIC_BY_FACTORS if kind in MATTER_KINETIC_KINDS else KIND_BY_FACTORS
        assert table[n] == kind
    for table in (KIND_BY_FACTORS, KINETIC_BY_FACTORS):
        assert all(FACTORS_OF_KIND[kind] == n for n, kind in table.items())
    assert FACTORS_OF_KIND == {
        "scalar_mass": (2, 0),
        "fermion_mass": (0, 2),
        "scalar_trilinear": (3, 0),
        "scalar_quartic": (4, 0),
        "yukawa": (1, 2),
        "scalar_kinetic": (2, 0),
        "fermion_kinetic": (0, 2),
    }
