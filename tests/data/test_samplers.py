"""Samplers: vocabulary respected, no repeated fields, planted trilinears confirmed by the oracle."""

from __future__ import annotations

import random
from collections import Counter
from fractions import Fraction

import pytest

from src.data.field_space import FieldVocabulary
from src.data.generation import candidate_row, make_sampler
from src.data.samplers import UniformSampler
from src.data.settings import DataSettings, settings_from_config
from src.physics.lagrangian import build_lagrangian
from src.tokens.spelling import respell_tokens

VOCAB = FieldVocabulary()


def draws(sampler, n=300, seed=0):
    rejects = Counter()
    return [sampler.sample(random.Random(f"{seed}:{i}"), rejects) for i in range(n)], rejects


def test_uniform_fields_stay_in_the_training_vocabulary():
    samples, _ = draws(UniformSampler(VOCAB, max_fields=6))
    for s in samples:
        for f in s.fields:
            assert f.su3.name in VOCAB.su3 and f.su2.n in VOCAB.su2
            assert abs(f.u1.numerator) <= 9 and f.u1.denominator <= 9


def test_uniform_field_count_covers_one_to_max():
    samples, _ = draws(UniformSampler(VOCAB, max_fields=4), n=400)
    counts = Counter(len(s.fields) for s in samples)
    assert set(counts) == {1, 2, 3, 4}
    assert min(counts.values()) > 60  # about 100 each


def test_no_two_input_fields_share_quantum_numbers():
    samples, rejects = draws(UniformSampler(FieldVocabulary(su3=("1",), su2=(1,), max_numerator=2), 4), n=200)
    for s in samples:
        assert len({f.quantum_numbers() for f in s.fields}) == len(s.fields)
    assert rejects["duplicate_field"] > 0  # a 27-field vocabulary forces repeats to be redrawn


def test_same_rng_seed_gives_the_same_sample():
    sampler = make_sampler(settings_from_config({}), "main")
    a = sampler.sample(random.Random("x"), Counter())
    b = sampler.sample(random.Random("x"), Counter())
    assert a == b


def test_every_planted_trilinear_is_in_the_oracle_lagrangian():
    settings = settings_from_config({})
    sampler = make_sampler(settings, "main")
    rejects = Counter()
    planted = 0
    for i in range(150):
        sample = sampler.sample(random.Random(f"p:{i}"), rejects)
        if not sample.planted:
            continue
        planted += 1
        lag = build_lagrangian(sample.fields)
        kinds = {
            t.kind
            for t in lag.terms
            if {f.field for f in t.factors} == set(sample.planted) and t.n_fields == 3
        }
        assert sample.planted_kind in kinds
    assert planted > 100


def test_sampled_set_has_more_trilinears_than_uniform():
    """Measured: the share of Lagrangians with at least one scalar trilinear or Yukawa."""
    share = {}
    for sampler_name in ("sampled", "uniform"):
        settings = settings_from_config({"sampler": sampler_name})
        sampler = make_sampler(settings, "main")
        rows = [candidate_row(settings, "main", sampler, i, Counter()) for i in range(200)]
        rows = [r for r in rows if r]
        share[sampler_name] = sum(r["n_trilinear"] > 0 for r in rows) / len(rows)
    assert share["sampled"] > 0.8
    assert share["sampled"] > share["uniform"] + 0.2, share


def test_sampled_set_weights_toward_fewer_fields():
    samples, _ = draws(make_sampler(settings_from_config({}), "main"), n=600)
    counts = Counter(len(s.fields) for s in samples)
    assert counts[3] > counts[4] > counts[6]


@pytest.mark.parametrize("seed", range(3))
def test_ood_hypercharge_rows_carry_an_unreduced_or_two_digit_charge(seed):
    samples, _ = draws(make_sampler(DataSettings(max_fields=3), "ood_hypercharge"), n=100, seed=seed)
    for s in samples:
        assert s.spelling
        for value, (num, den) in s.spelling.items():
            assert value == Fraction(num, den)
            assert (num, den) != (value.numerator, value.denominator) or max(num, den) > 9


def test_respelling_reaches_every_occurrence_of_a_charge():
    words = [
        "FIELD",
        "SPIN",
        "0",
        "U1",
        "-",
        "1",
        "/",
        "2",
        "DAGGER",
        "ID1",
        "FIELD",
        "SPIN",
        "0",
        "U1",
        "1",
        "/",
        "2",
        "ID2",
        "U1",
        "3",
    ]
    out = " ".join(respell_tokens(words, {Fraction(1, 2): (2, 4)}))
    assert out == "FIELD SPIN 0 U1 - 2 / 4 DAGGER ID1 FIELD SPIN 0 U1 2 / 4 ID2 U1 3"


def test_ood_reps_rows_have_an_out_of_vocabulary_representation():
    samples, _ = draws(make_sampler(DataSettings(), "ood_reps"), n=100)
    for s in samples:
        assert any(f.su3.name in ("6", "-6", "8") or f.su2.n in (4, 5) for f in s.fields)


def test_choose_draws_what_random_choice_draws_from_the_same_state():
    from src.data.samplers import choose

    for seed in range(200):
        for seq in ((1,), (1, 2), (1, 2, 3), tuple(range(7)), tuple(range(16)), tuple(range(111))):
            a, b = random.Random(seed), random.Random(seed)
            assert choose(a, seq, 5) == [b.choice(seq) for _ in range(5)]
            assert a.random() == b.random()
    with pytest.raises(IndexError):
        choose(random.Random(0), (), 1)


def _sublists(planted_share=0.0, repeat_share=0.0, sizes=(1, 1, 1, 1), n=400):
    from src.data.samplers import SublistSampler

    parent = make_sampler(settings_from_config({}), "main")
    sampler = SublistSampler(parent, sizes, planted_share, repeat_share)
    rng, rejects = random.Random(7), Counter()
    pairs = []
    for _ in range(n):
        state = rng.getstate()
        whole = parent.sample(rng, Counter())  # the parent the sub-list sampler draws from this state
        rng.setstate(state)
        pairs.append((whole, sampler.sample(rng, rejects)))
    return pairs


def test_sublists_are_ordered_sub_lists_of_their_parent_of_the_weighted_sizes():
    pairs = _sublists(sizes=(0, 1, 0, 1))
    sizes = Counter(len(sub.fields) for _, sub in pairs)
    assert set(sizes) <= {1, 2, 3, 4} and sizes[2] > 100 and sizes[4] > 50
    for whole, sub in pairs:
        assert len(sub.fields) in (2, 4) or len(sub.fields) == len(whole.fields)  # cut at the parent's length
        positions = iter(range(len(whole.fields)))  # the parent's order is kept
        assert all(any(whole.fields[i] == f for i in positions) for f in sub.fields)


def test_planted_share_one_keeps_the_planted_trilinear_in_every_sub_list_that_can_hold_it():
    pairs = _sublists(planted_share=1.0, sizes=(0, 0, 1, 1))
    held = 0
    for whole, sub in pairs:
        if whole.planted and len(whole.fields) >= 3:
            held += 1
            assert sub.planted_kind == whole.planted_kind and len(sub.planted) == 3
            assert [sub.fields[i] for i in sub.planted] == [whole.fields[i] for i in whole.planted]
    assert held > 200
    # and the oracle confirms the planted coupling in the sub-list (candidate_row refuses it otherwise)
    rejects = Counter()
    from src.data.samplers import SublistSampler

    settings = settings_from_config({})
    sampler = SublistSampler(make_sampler(settings, "main"), (0, 0, 1, 1), 1.0, 0.0)
    rows = [candidate_row(settings, "main", sampler, i, rejects, own_terms_only=True) for i in range(60)]
    assert rejects["planted_trilinear_not_invariant"] == 0
    assert sum(r is not None and r["planted"] != "" for r in rows) > 30


def test_repeat_share_copies_a_field_and_drops_the_planted_mark():
    pairs = _sublists(repeat_share=1.0, planted_share=1.0, sizes=(0, 1, 1, 1))
    for _, sub in pairs:
        if len(sub.fields) == 1:  # a one-field parent
            continue
        assert len(set(sub.fields)) < len(sub.fields)
        assert sub.planted == () and sub.planted_kind is None


def _near_miss_sublists(n=400):
    from src.data.samplers import SublistSampler

    parent = make_sampler(settings_from_config({}), "main")
    sampler = SublistSampler(parent, (0, 0, 1, 0), 1.0, 0.0, near_miss_share=1.0)
    rng, pairs = random.Random(11), []
    for _ in range(n):
        state = rng.getstate()
        whole = parent.sample(rng, Counter())
        rng.setstate(state)
        pairs.append((whole, sampler.sample(rng, Counter())))
    return pairs


def test_a_near_miss_changes_one_planted_hypercharge_to_a_nearby_one_and_nothing_else():
    from src.data.samplers import NEAR_MISS_CHARGES

    vocab = make_sampler(settings_from_config({}), "main").vocab
    changed = 0
    for whole, sub in _near_miss_sublists():
        if not whole.planted or len(whole.fields) < 3:
            continue
        changed += 1
        planted = [whole.fields[i] for i in whole.planted]  # a three-field sub-list holds exactly these
        diffs = [(a, b) for a, b in zip(planted, sub.fields) if a != b]
        assert len(diffs) == 1, (planted, sub.fields)
        (a, b) = diffs[0]
        assert (a.spin, a.su3, a.su2, a.helicity) == (b.spin, b.su3, b.su2, b.helicity)
        nearer = [q for q in vocab.charges if q != a.u1 and abs(q - a.u1) < abs(b.u1 - a.u1)]
        assert b.u1 != a.u1 and b.u1 in vocab.charges and (b.u1 == -a.u1 or len(nearer) < NEAR_MISS_CHARGES)
        assert sub.planted == () and sub.planted_kind is None
    assert changed > 200


def test_near_misses_mostly_have_no_coupling_of_their_own_by_the_oracle():
    from src.data.samplers import SublistSampler

    settings = settings_from_config({})
    rejects = Counter()
    sampler = SublistSampler(make_sampler(settings, "main"), (0, 0, 1, 0), 1.0, 0.0, near_miss_share=1.0)
    rows = [candidate_row(settings, "main", sampler, i, rejects, own_terms_only=True) for i in range(80)]
    rows = [r for r in rows if r is not None and r["n_fields"] == 3]
    empty = sum(r["n_terms"] == 0 for r in rows)
    assert len(rows) > 50 and empty >= 0.6 * len(rows)
    # and without the near miss the planted coupling is there in every one of them
    sampler = SublistSampler(make_sampler(settings, "main"), (0, 0, 1, 0), 1.0, 0.0)
    rows = [candidate_row(settings, "main", sampler, i, rejects, own_terms_only=True) for i in range(80)]
    rows = [r for r in rows if r is not None and r["n_fields"] == 3 and r["planted"] != ""]
    assert len(rows) > 50 and all(r["n_terms"] > 0 for r in rows)
