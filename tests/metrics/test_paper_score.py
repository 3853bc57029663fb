"""The paper's order-invariant score (paper.md §6): invariances, penalties and each matching rule."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from metric_examples import (
    CROSSED,
    DIAGONAL,
    FERMION_MASS,
    HIGGS,
    S_BAR,
    SINGLET,
    SU3_QUARTIC,
    S,
    relabel_ids,
    rewrite,
)

from src.metrics import score_lagrangian, split_terms
from src.metrics.token_terms import TokenTerm, same_contractions


def _join(terms: list[list[str]]) -> str:
    return " ".join(" ".join(t) for t in terms)


def test_higgs_example_has_193_tokens_in_6_terms():
    assert len(HIGGS.split()) == 193
    assert len(split_terms(HIGGS)) == 6
    assert len(SINGLET.split()) == 59


def test_minus_inside_a_charge_does_not_split_a_term():
    terms = split_terms("+ FIELD SPIN 0 U1 - 1 DAGGER ID0 FIELD SPIN 0 U1 1 ID1 CONTRACTIONS")
    assert len(terms) == 1


def test_special_tokens_are_ignored():
    padded = "[SOS] " + HIGGS + " [EOS] [PAD] [PAD]"
    assert score_lagrangian(padded, HIGGS).perfect
    assert score_lagrangian(HIGGS, padded).perfect


@pytest.mark.parametrize("seed", range(5))
def test_score_ignores_term_order_ids_and_object_order(paper_lagrangian, seed):
    pred = rewrite(paper_lagrangian, random.Random(seed))
    assert pred != paper_lagrangian
    s = score_lagrangian(paper_lagrangian, pred)
    assert (s.S_lagrangian, s.S_contraction, s.P_length, s.S_object, s.perfect) == (1.0, 1.0, 0.0, 1.0, True)


def test_one_missing_term_costs_exactly_one_over_n(paper_lagrangian):
    terms = split_terms(paper_lagrangian)
    n = len(terms)
    for k in range(n):
        s = score_lagrangian(paper_lagrangian, _join(terms[:k] + terms[k + 1 :]))
        assert s.S_lagrangian == pytest.approx(1 - 1 / n)
        assert s.P_length == 0.0
        assert s.missing == [" ".join(terms[k])]


def test_length_penalty_counts_only_extra_terms():
    terms = split_terms(HIGGS)
    extra = FERMION_MASS.split()
    longer = score_lagrangian(HIGGS, _join([*terms, extra]))
    assert (longer.S_contraction, longer.P_length) == (1.0, pytest.approx(1 / 6))
    assert longer.S_lagrangian == pytest.approx(5 / 6)
    assert longer.extra == [FERMION_MASS]
    # one term replaced by a wrong one: same count, so no penalty, only the missed term
    swapped = score_lagrangian(HIGGS, _join([*terms[:-1], extra]))
    assert (swapped.S_contraction, swapped.P_length) == (pytest.approx(5 / 6), 0.0)


def test_empty_prediction_scores_zero():
    s = score_lagrangian(HIGGS, "[SOS] [EOS]")
    assert (s.S_lagrangian, s.S_object, s.n_pred, s.perfect) == (0.0, 0.0, 0, False)


def test_sign_is_part_of_a_term():
    mass = "+ FIELD SPIN 0 DAGGER ID9 FIELD SPIN 0 ID2 CONTRACTIONS"
    s = score_lagrangian(mass, "-" + mass[1:])
    assert (s.n_correct, s.n_correct_objects) == (0, 0)


def test_bare_blocks_are_the_same_and_absent_blocks_are_the_same():
    bare_a = TokenTerm.from_text("+ FIELD SPIN 0 DAGGER ID9 FIELD SPIN 0 ID2 CONTRACTIONS")
    bare_b = TokenTerm.from_text("+ FIELD SPIN 0 DAGGER ID1 FIELD SPIN 0 ID3 CONTRACTIONS")
    none_a = TokenTerm.from_text("+ FIELD SPIN 0 ID2 FIELD SPIN 0 ID3 FIELD SPIN 0 ID8")
    none_b = TokenTerm.from_text("+ FIELD SPIN 0 ID4 FIELD SPIN 0 ID0 FIELD SPIN 0 ID1")
    assert same_contractions(bare_a, bare_b)
    assert same_contractions(none_a, none_b)


def test_block_on_one_side_only_is_different():
    bare = TokenTerm.from_text("+ FIELD SPIN 0 ID2 FIELD SPIN 0 ID3 FIELD SPIN 0 ID8 CONTRACTIONS")
    full = TokenTerm.from_text("+ FIELD SPIN 0 ID2 FIELD SPIN 0 ID3 CONTRACTIONS LORENTZ ID2 ID3")
    none = TokenTerm.from_text("+ FIELD SPIN 0 ID2 FIELD SPIN 0 ID3 FIELD SPIN 0 ID8")
    assert not same_contractions(bare, none)
    assert not same_contractions(none, bare)
    assert not same_contractions(full, bare)
    assert not same_contractions(bare, full)


def test_antitriplet_twice_in_one_epsilon_must_stay_the_antitriplet():
    # ε with two indices on the 3̄ (ID8) and one on the 3 (ID1); moving the doubled index to the 3 is wrong
    moved = SU3_QUARTIC.replace("SU3 ID8 ID8 ID1", "SU3 ID8 ID1 ID1")
    s = score_lagrangian(SU3_QUARTIC, moved)
    assert (s.S_object, s.S_contraction) == (1.0, 0.0)
    # the same ε written with other IDs and in another entry order is the same contraction
    same = relabel_ids(SU3_QUARTIC.replace("SU3 ID8 ID8 ID1", "SU3 ID1 ID8 ID8").split(), random.Random(3))
    assert score_lagrangian(SU3_QUARTIC, " ".join(same)).perfect


def test_contraction_entries_are_compared_by_the_objects_they_join():
    # the two Higgs quartics have the same objects but join them differently: (H H†)(H H†) against (H H)(H†
    # H†)
    first, second = split_terms(HIGGS)[:2]
    s = score_lagrangian(" ".join(first), " ".join(second))
    assert (s.S_object, s.S_contraction) == (1.0, 0.0)


def test_equal_length_candidates_with_different_objects_do_not_match():
    changed = SU3_QUARTIC.replace("U1 9", "U1 8")
    assert len(changed.split()) == len(SU3_QUARTIC.split())
    s = score_lagrangian(SU3_QUARTIC, changed)
    assert (s.S_object, s.S_contraction) == (0.0, 0.0)


def test_candidates_need_equal_token_length():
    # an extra ID in an entry leaves the ID-less objects equal but changes the length: not even an object
    # match
    mass = split_terms(HIGGS)[-1]
    longer = " ".join([*mass, "ID7"])
    s = score_lagrangian(" ".join(mass), longer)
    assert (s.n_correct_objects, s.n_correct) == (0, 0)


def test_duplicate_predictions_match_once_and_count_as_extra():
    terms = split_terms(HIGGS)
    pred = _join([*terms, terms[2], terms[2]])
    s = score_lagrangian(HIGGS, pred, seed=1)
    assert (s.n_correct, s.n_pred) == (6, 8)
    assert s.P_length == pytest.approx(2 / 6)
    # the copies got fresh IDs, so all listed terms differ, and the same seed gives the same relabelling
    listed = [p for _, p in s.matched] + s.extra
    assert len(set(listed)) == 8
    assert score_lagrangian(HIGGS, pred, seed=1).extra == s.extra


def test_check_pos_prefers_the_prediction_with_objects_in_place():
    a = "FIELD SPIN 0 SU2 2 U1 1"
    b = "FIELD SPIN 0 SU2 2 U1 - 2 DAGGER"
    true = f"+ {a} ID1 {a} ID2 {b} ID3 {b} ID4 CONTRACTIONS SU2 ID1 ID3 SU2 ID2 ID4"
    in_place = f"+ {a} ID5 {a} ID6 {b} ID7 {b} ID8 CONTRACTIONS SU2 ID6 ID8 SU2 ID5 ID7"
    reordered = f"+ {a} ID1 {b} ID2 {a} ID3 {b} ID4 CONTRACTIONS SU2 ID1 ID2 SU2 ID3 ID4"
    alone = score_lagrangian(true, reordered)
    assert alone.perfect  # alone, the reordered term matches: object order inside a term is free
    s = score_lagrangian(true, f"{in_place} {reordered}")  # the reordered one comes last
    assert s.matched == [(true, in_place)]
    assert s.extra == [reordered]


def test_a_prediction_is_credited_to_one_true_term_only():
    mass = split_terms(HIGGS)[-1]
    twin = relabel_ids(mass, random.Random(0))
    true = _join([mass, twin])  # a target listing the same term twice (IDs differ)
    assert score_lagrangian(true, " ".join(mass)).n_correct == 1
    both = score_lagrangian(true, _join([mass, twin]))
    assert (both.n_correct, both.perfect) == (2, True)


def test_true_term_with_dangling_block_id_is_never_correct():
    broken = "+ FIELD SPIN 0 SU2 2 ID1 FIELD SPIN 0 SU2 2 DAGGER ID2 CONTRACTIONS SU2 ID1 ID9"
    s = score_lagrangian(broken, broken)
    assert (s.n_correct_objects, s.n_correct) == (1, 0)


def test_scoring_never_raises_on_garbage():
    rng = random.Random(0)
    vocab = sorted(set(HIGGS.split() + SINGLET.split() + FERMION_MASS.split() + ["i", "SIGMA_BAR", "[EOS]"]))
    for _ in range(300):
        pred = " ".join(rng.choice(vocab) for _ in range(rng.randint(0, 80)))
        s = score_lagrangian(HIGGS, pred)
        assert s.S_contraction <= 1.0 and s.n_correct <= s.n_correct_objects


def test_paper_signature_cannot_tell_crossed_from_diagonal_pairings():
    # per group, both read [[S, S†], [S, S†]]: the paper's rule credits the wrong contraction pattern
    assert score_lagrangian(DIAGONAL, CROSSED).perfect


def test_exact_matching_tells_crossed_from_diagonal_pairings():
    s = score_lagrangian(DIAGONAL, CROSSED, matching="exact")
    assert (s.S_object, s.S_contraction) == (1.0, 0.0)
    # swapping the two S† copies maps the crossed term onto itself written another way: still the same term
    relabelled = CROSSED.replace("SU2 ID1 ID4 SU2 ID2 ID3", "SU2 ID2 ID3 SU2 ID4 ID1")
    assert score_lagrangian(CROSSED, relabelled, matching="exact").perfect


def test_exact_matching_needs_no_positions_when_two_true_terms_share_a_signature():
    # both true terms share the paper signature, so the paper falls back on positions: the prediction with
    # its objects reordered loses its match there, but not under exact matching
    true = f"{DIAGONAL} {CROSSED}"
    block = "CONTRACTIONS SU3 ID1 ID3 SU3 ID2 ID4 SU2 ID1 ID3 SU2 ID2 ID4"
    reordered = f"+ {S} ID1 {S_BAR} ID3 {S} ID2 {S_BAR} ID4 {block}"  # the diagonal term, objects interleaved
    pred = f"{reordered} {CROSSED}"
    assert score_lagrangian(true, pred, matching="exact").perfect
    assert not score_lagrangian(true, pred).perfect


def test_exact_matching_keeps_the_invariances(paper_lagrangian):
    pred = rewrite(paper_lagrangian, random.Random(9))
    assert score_lagrangian(paper_lagrangian, pred, matching="exact").perfect
    with pytest.raises(ValueError):
        score_lagrangian(paper_lagrangian, pred, matching="fuzzy")


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_scores_stay_in_range_under_random_token_edits(data):
    """Deleting, duplicating and replacing random words of a real Lagrangian never breaks the bounds."""
    words = HIGGS.split() + SINGLET.split()
    vocab = sorted(set(words) | {"i", "SIGMA_BAR", "[EOS]", "[UNK]"})
    for _ in range(data.draw(st.integers(0, 12))):
        k = data.draw(st.integers(0, len(words) - 1))
        op = data.draw(st.sampled_from(["delete", "duplicate", "replace"]))
        if op == "delete":
            del words[k]
        elif op == "duplicate":
            words.insert(k, words[k])
        else:
            words[k] = data.draw(st.sampled_from(vocab))
        if not words:
            break
    for matching in ("paper", "exact"):
        s = score_lagrangian(HIGGS + " " + SINGLET, words, matching=matching)
        assert 0.0 <= s.S_contraction <= s.S_object <= 1.0 and s.P_length >= 0.0
        assert s.n_correct == len(s.matched) and len(s.missing) == s.n_true - s.n_correct
        assert len(s.extra) == s.n_pred - s.n_correct
        assert not s.perfect or (s.n_pred == s.n_true == s.n_correct)


def test_exact_matching_survives_reused_ids_on_both_sides():
    reused = "+ FIELD SPIN 0 SU2 2 ID1 FIELD SPIN 0 SU2 2 ID1 FIELD SPIN 0 SU2 2 ID3 CONTRACTIONS SU2 ID1 ID3"
    s = score_lagrangian(reused, reused, matching="exact")
    assert (s.n_correct_objects, s.n_correct) == (1, 1)


def _naive_matches(true_terms, pred_terms):
    """The scorer's matching written pairwise, as the module docstring states it (quadratic)."""
    from src.metrics.token_terms import same_contractions

    cands, hits_obj = [], set()
    for t, tt in enumerate(true_terms):
        hits = []
        for p, pt in enumerate(pred_terms):
            if len(pt) == len(tt) and pt.object_key == tt.object_key:
                hits_obj.add(t)
                if tt.good_contraction and same_contractions(tt, pt):
                    hits.append(p)
        if len(hits) > 1:
            hits = [p for p in hits if same_contractions(tt, pred_terms[p], positional=True)]
        cands.append(hits)
    order = sorted(range(len(true_terms)), key=lambda t: (true_terms[t].text, t))
    for t in order:
        if len(cands[t]) > 1:
            claimed = {c[0] for u, c in enumerate(cands) if u != t and len(c) == 1}
            cands[t] = [p for p in cands[t] if p not in claimed][-1:]
    chosen, used = [None] * len(true_terms), set()
    for t in order:
        if len(cands[t]) == 1 and cands[t][0] not in used:
            chosen[t] = cands[t][0]
            used.add(cands[t][0])
    return chosen, hits_obj


def test_the_keyed_matching_equals_the_pairwise_rule_on_random_lagrangians():
    import random

    from metric_examples import CROSSED, DIAGONAL, HIGGS, SINGLET, SU3_QUARTIC, YUKAWA, rewrite

    from src.metrics.paper_score import _full_matches, _resolve, relabel_duplicates, to_terms

    pool = [to_terms(x) for x in (HIGGS, SINGLET, SU3_QUARTIC, YUKAWA, DIAGONAL, CROSSED)]
    terms = [t for lag in pool for t in lag]
    rng = random.Random(3)
    for _ in range(300):
        few = rng.sample(terms, rng.randint(1, 4))  # repeated true terms share candidate lists
        true = [rng.choice(few) for _ in range(rng.randint(1, 12))]
        pred = [rng.choice(true + true + terms) for _ in range(rng.randint(0, 14))]
        pred = to_terms(rewrite(" ".join(t.text for t in pred), rng)) if pred and rng.random() < 0.5 else pred
        pred = relabel_duplicates(pred, random.Random(0))
        cands, hits = _full_matches(true, pred)
        assert (_resolve(true, cands), hits) == _naive_matches(true, pred)


def test_relabelling_many_copies_of_one_term_uses_every_labelling_then_stops_retrying():
    import random

    from src.metrics.paper_score import relabel_duplicates, to_terms

    (term,) = to_terms("+ FIELD SPIN 0 SU2 2 ID1 FIELD SPIN 0 SU2 2 DAGGER ID2 CONTRACTIONS SU2 ID1 ID2")
    out = relabel_duplicates([term] * 200, random.Random(0))
    assert len(out) == 200
    assert len(set(out)) == 90  # 10 x 9 ways to name two IDs: all of them, then copies
    assert all(t.object_key == term.object_key for t in out)
    assert all(t.contraction_signature() == term.contraction_signature() for t in out)
