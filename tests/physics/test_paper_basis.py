"""``basis=paper``: one term per ID-free contraction signature, vanishing and redundant terms kept (the
convention of the paper's released data), checked against the paper's Higgs example and, through the
independent reader, against the independent basis (which must lie in its span)."""

from __future__ import annotations

import random
import subprocess
import sys

import numpy as np
import pytest
from oracle_helpers import paper_field
from readback import multiset_values, rank

from src.lagrangian import render_json
from src.physics.lagrangian import build_lagrangian
from src.physics.verify import verify_term
from src.tokens.paper import parse_fields

SM = "Q: L(3,2,1/6); u: R(3,1,2/3); d: R(3,1,-1/3); L: L(1,2,-1/2); e: R(1,1,-1); H: S(1,2,1/2)"


def _counts(text: str, basis: str) -> dict[str, int]:
    return {k: n for k, n in build_lagrangian(parse_fields(text), basis).counts().items() if n}


def _vanishing(text: str) -> list[str]:
    lag = build_lagrangian(parse_fields(text), "paper")
    return [t.kind for t in lag.terms if verify_term(t, lag.fields).reason == "vanishes"]


def test_higgs_alone_has_the_papers_six_terms_with_two_quartics():
    # paper.md §4.4 (b): two quartic structures (one vanishes for a single doublet), kinetic, SU2 and U1
    # field strengths, mass
    counts = _counts("H: S(1,2,1/2)", "paper")
    assert counts == {"scalar_quartic": 2, "scalar_kinetic": 1, "gauge_kinetic": 2, "scalar_mass": 1}
    assert _vanishing("H: S(1,2,1/2)") == ["scalar_quartic"]


def test_repeated_colour_triplet_keeps_its_vanishing_epsilon_terms():
    for text in ("X: S(3,1,0)", "S: S(-3,1,0)"):
        counts = _counts(text, "paper")
        assert counts["scalar_trilinear"] == 2  # εXXX and its conjugate, both zero for one bosonic field
        assert _vanishing(text).count("scalar_trilinear") == 2
        assert _counts(text, "independent").get("scalar_trilinear", 0) == 0


def test_hypercharged_triplet_keeps_three_quartics_of_rank_two():
    text = "D: S(1,3,1)"
    assert _counts(text, "paper")["scalar_quartic"] == 3
    assert _counts(text, "independent")["scalar_quartic"] == 2
    values = multiset_values(render_json(build_lagrangian(parse_fields(text), "paper"), None))
    quartic = next(v for key, v in values.items() if len(key) == 4)
    assert len(quartic) == 3 and rank(quartic) == 2


def test_standard_model_differs_only_in_the_higgs_quartic():
    paper, independent = _counts(SM, "paper"), _counts(SM, "independent")
    assert paper["scalar_quartic"] == 2 and independent["scalar_quartic"] == 1
    assert {k: n for k, n in paper.items() if k != "scalar_quartic"} == {
        k: n for k, n in independent.items() if k != "scalar_quartic"
    }


def test_text_format_marks_the_vanishing_terms():
    out = subprocess.run(
        [sys.executable, "-m", "src.lagrangian", "H: S(1,2,1/2)", "--basis", "paper", "--format", "text"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out.count("[vanishes]") == 1
    assert "basis: paper" in out


def _span_contains(fields) -> bool:
    paper = multiset_values(render_json(build_lagrangian(fields, "paper"), None))
    independent = multiset_values(render_json(build_lagrangian(fields, "independent"), None))
    for key, rows in independent.items():
        if key not in paper:
            return False
        both = np.vstack([paper[key], rows])
        if rank(both) != rank(paper[key]) or rank(rows) != len(rows):
            return False
    return True


@pytest.mark.parametrize("seed", range(6))
def test_independent_basis_lies_in_the_paper_basis_span(seed):
    rng = random.Random(seed)
    fields = [paper_field(rng) for _ in range(rng.randint(1, 3))]
    assert _span_contains(fields), fields


def test_paper_basis_is_a_dataset_setting_and_a_bad_basis_is_named():
    from src.data.field_space import ConfigError
    from src.data.settings import settings_from_config

    assert settings_from_config({"basis": "paper"}).basis == "paper"
    with pytest.raises(ConfigError, match="data.basis must be one of independent, expanded, paper"):
        settings_from_config({"basis": "autoeft"})
