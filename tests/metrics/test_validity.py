"""Oracle validity of predicted terms: valid, grammar, incomplete and physics bins, with reasons."""

from __future__ import annotations

import importlib.util

import pytest
from metric_examples import HIGGS, SINGLET

from src.metrics.validity import reason_kind, validity, validity_over
from src.tokens.paper import parse_fields

HIGGS_FIELDS = parse_fields("FIELD SPIN 0 SU2 2 U1 1")
SINGLET_FIELDS = parse_fields("FIELD SPIN 0")
HAS_VERIFIER = importlib.util.find_spec("src.physics.verify") is not None


STRANGER = "+ FIELD SPIN 0 SU3 3 DAGGER ID1 FIELD SPIN 0 SU3 - 3 ID2 CONTRACTIONS SU3 ID1 ID2"
needs_verifier = pytest.mark.skipif(not HAS_VERIFIER, reason="src.physics.verify (verify_term) not available")


def test_the_real_singlet_example_is_valid():
    report = validity_over([SINGLET], [SINGLET_FIELDS])
    assert (report.n_terms, report.n_valid, report.rate) == (4, 4, 1.0)
    assert report.invalid == [] and report.truncated == 0


def test_a_field_not_in_the_input_is_a_grammar_error():
    report = validity(f"{SINGLET} {STRANGER}", SINGLET_FIELDS)
    assert (report.n_terms, report.n_valid, report.bins["grammar"]) == (5, 4, 1)
    [(text, kind, reason)] = report.invalid
    assert text == STRANGER and kind == "grammar" and "not an input field" in reason


def test_an_output_cut_inside_a_term_is_incomplete_and_truncated():
    cut = " ".join(SINGLET.split()[:-3])  # stops before the ID of the mass term's "FIELD SPIN 0"
    report = validity(cut, SINGLET_FIELDS)
    assert report.truncated == 1
    assert report.bins["incomplete"] == 1 and report.n_valid == 3


@needs_verifier
def test_a_term_breaking_u1_is_a_physics_error():
    hh = "+ FIELD SPIN 0 SU2 2 U1 1 ID4 FIELD SPIN 0 SU2 2 U1 1 ID7 CONTRACTIONS SU2 ID4 ID7"
    report = validity(hh, HIGGS_FIELDS)
    assert report.bins["physics"] == 1 and report.n_valid == 0
    assert "u1" in report.invalid[0][2].lower()


@needs_verifier
def test_the_paper_higgs_output_holds_one_vanishing_term():
    # ε(H H) ε(H† H†) is identically zero for a single doublet; the released model still writes it
    report = validity(HIGGS, HIGGS_FIELDS)
    assert (report.n_terms, report.n_valid, report.bins["physics"]) == (6, 5, 1)
    text, _, reason = report.invalid[0]
    assert "SU2 ID6 ID4 SU2 ID2 ID0" in text and "vanish" in reason


def test_reason_kinds_forget_positions_words_and_numbers():
    a = reason_kind("expected an ID after FIELD, found 'SU2' at 12")
    b = reason_kind("expected an ID after FIELD, found 'U1' at 3")
    assert a == b == "expected an ID after FIELD, found '…'"
    assert reason_kind("U(1) charge sums to 3/2") == reason_kind("U(1) charge sums to -1")
    assert reason_kind("u1_not_conserved (U(1) charges sum to 2)") == "u1_not_conserved"


T, T_BAR = "FIELD SPIN 0 SU3 3", "FIELD SPIN 0 SU3 - 3 DAGGER"
H, H_BAR = "FIELD SPIN 0 SU2 2 U1 1 / 2", "FIELD SPIN 0 SU2 2 U1 - 1 / 2 DAGGER"
TRIPLET_AND_HIGGS = parse_fields("T: S(3,1,0); H: S(1,2,1/2)")


@needs_verifier
@pytest.mark.parametrize(
    "term, kind",
    [
        (f"+ {H} ID1 {H} ID2 CONTRACTIONS SU2 ID1 ID2", "u1_not_conserved"),
        (f"+ {T} ID1 {H} ID2 {H_BAR} ID3 CONTRACTIONS SU2 ID2 ID3", "not_su3_singlet"),
        (f"+ {T} ID1 {T_BAR} ID2 {H} ID3 {H_BAR} ID4 CONTRACTIONS SU2 ID3 ID4", "dangling_index"),
        (f"+ {T} ID1 {T} ID2 {T} ID3 CONTRACTIONS SU3 ID1 ID2 ID3", "vanishes"),
    ],
)
def test_each_kind_of_physics_error_is_counted_under_its_code(term, kind):
    report = validity(term, TRIPLET_AND_HIGGS)
    assert report.bins["physics"] == 1 and list(report.reasons) == [("physics", kind)]


def test_summary_lists_rate_bins_and_top_reasons():
    s = validity(f"{SINGLET} {STRANGER} {STRANGER}", SINGLET_FIELDS).summary()
    assert s["validity_rate"] == 4 / 6 and s["n_grammar"] == 2
    assert s["top_reasons"][0]["count"] == 2 and s["top_reasons"][0]["bin"] == "grammar"
