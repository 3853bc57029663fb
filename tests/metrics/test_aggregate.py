"""Means over Lagrangians, slices by a key, truncation and malformed-term diagnostics."""

from __future__ import annotations

import pytest
from metric_examples import HIGGS, SINGLET

from src.metrics import (
    decoding_report,
    is_truncated,
    malformed_terms,
    mean_scores,
    mean_scores_by,
    score_lagrangian,
    split_terms,
)


def _drop_last(lagrangian: str) -> str:
    return " ".join(" ".join(t) for t in split_terms(lagrangian)[:-1])


def test_means_weigh_each_lagrangian_equally():
    scores = [score_lagrangian(HIGGS, HIGGS), score_lagrangian(SINGLET, _drop_last(SINGLET))]
    m = mean_scores(scores)
    assert m["n"] == 2
    assert m["S_lagrangian"] == pytest.approx((1 + 3 / 4) / 2)
    assert m["perfect"] == 0.5


def test_means_by_key_slice_the_set():
    scores = [
        score_lagrangian(HIGGS, HIGGS),
        score_lagrangian(SINGLET, _drop_last(SINGLET)),
        score_lagrangian(SINGLET, SINGLET),
    ]
    by = mean_scores_by(scores, ["higgs", "singlet", "singlet"])
    assert list(by) == ["higgs", "singlet"]
    assert by["higgs"]["S_lagrangian"] == 1.0
    assert by["singlet"]["S_lagrangian"] == pytest.approx((3 / 4 + 1) / 2)
    assert by["singlet"]["n"] == 2
    with pytest.raises(ValueError):
        mean_scores_by(scores, [1, 2])


def test_a_sequence_without_eos_or_cut_at_the_limit_is_truncated():
    words = ["[SOS]", *HIGGS.split()]
    assert is_truncated(words)
    assert not is_truncated([*words, "[EOS]"])
    assert is_truncated(words[:50], max_length=50)
    assert not is_truncated([*words, "[EOS]"], max_length=len(words) + 1)


def test_malformed_terms_name_their_problem():
    cut = "+ FIELD SPIN 0 SU2 2 U1 1 ID4 FIELD SPIN 0 SU2 2"
    dangling = "+ FIELD SPIN 0 SU2 2 ID1 FIELD SPIN 0 SU2 2 DAGGER ID2 CONTRACTIONS SU2 ID1 ID9"
    stray = "+ FIELD SPIN 0 ID1 ID2 FIELD SPIN 0 ID3"
    reused = "+ FIELD SPIN 0 ID1 FIELD SPIN 0 DAGGER ID1 CONTRACTIONS"
    empty_entry = "+ FIELD SPIN 0 SU2 2 ID1 FIELD SPIN 0 SU2 2 DAGGER ID2 CONTRACTIONS SU2 SU2 ID1 ID2"
    reasons = [r for _, r in malformed_terms(" ".join([HIGGS, cut, dangling, stray, reused, empty_entry]))]
    assert reasons == [
        "object 'FIELD SPIN 0 SU2 2' has no ID",
        "unreadable contraction block",
        "stray word 'ID2'",
        "an ID labels two objects",
        "a contraction entry without IDs",
    ]
    assert malformed_terms(HIGGS) == [] and malformed_terms(SINGLET) == []


def test_decoding_report_counts_truncated_malformed_and_empty_outputs():
    good = ["[SOS]", *HIGGS.split(), "[EOS]"]
    cut = ["[SOS]", *HIGGS.split()[:-2]]  # ends in "CONTRACTIONS SU2"
    empty = ["[SOS]", "[EOS]"]
    r = decoding_report([good, cut, empty])
    assert (r["n"], r["n_truncated"], r["n_parse_failures"], r["n_empty"]) == (3, 1, 1, 1)
