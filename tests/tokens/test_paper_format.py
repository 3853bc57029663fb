"""The paper's token format: its literal examples (paper.md §4.4), IDs, and a parser that never raises."""

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from src.physics.terms import Contraction, Factor, Term
from src.tokens.paper import (
    canonical_ids,
    parse_fields,
    parse_fields_tokens,
    parse_lagrangian,
    render_fields,
    render_term,
    render_terms,
    to_paper_tokens,
)
from src.tokens.vocab import PAPER_VOCAB


def words(text: str) -> list[str]:
    return text.split()


HIGGS_OUTPUT = words(
    """
+ FIELD SPIN 0 SU2 2 U1 1 ID4 FIELD SPIN 0 SU2 2 U1 1 ID7 FIELD SPIN 0 SU2 2 U1 - 1 DAGGER ID0 FIELD SPIN 0 SU2 2 U1 - 1 DAGGER ID9 CONTRACTIONS SU2 ID4 ID0 SU2 ID7 ID9
+ FIELD SPIN 0 SU2 2 U1 1 ID6 FIELD SPIN 0 SU2 2 U1 1 ID4 FIELD SPIN 0 SU2 2 U1 - 1 DAGGER ID2 FIELD SPIN 0 SU2 2 U1 - 1 DAGGER ID0 CONTRACTIONS SU2 ID6 ID4 SU2 ID2 ID0
+ DERIVATIVE SU2 U1 ID6 FIELD SPIN 0 SU2 2 U1 - 1 DAGGER ID7 DERIVATIVE SU2 U1 ID0 FIELD SPIN 0 SU2 2 U1 1 ID4 CONTRACTIONS LORENTZ ID6 ID0 SU2 ID7 ID4
- COMMUTATOR_A DERIVATIVE SU2 ID6 COMMUTATOR_B DERIVATIVE SU2 ID0 COMMUTATOR_A DERIVATIVE SU2 ID4 COMMUTATOR_B DERIVATIVE SU2 ID1 CONTRACTIONS LORENTZ ID6 ID4 LORENTZ ID0 ID1
- COMMUTATOR_A DERIVATIVE U1 ID6 COMMUTATOR_B DERIVATIVE U1 ID0 COMMUTATOR_A DERIVATIVE U1 ID4 COMMUTATOR_B DERIVATIVE U1 ID1 CONTRACTIONS LORENTZ ID6 ID4 LORENTZ ID0 ID1
+ FIELD SPIN 0 SU2 2 U1 - 1 DAGGER ID6 FIELD SPIN 0 SU2 2 U1 1 ID7 CONTRACTIONS SU2 ID6 ID7
"""  # noqa: E501
)

SINGLET_OUTPUT = words(
    """
+ FIELD SPIN 0 ID2 FIELD SPIN 0 ID3 FIELD SPIN 0 ID8
+ FIELD SPIN 0 ID1 FIELD SPIN 0 ID5 FIELD SPIN 0 ID7 FIELD SPIN 0 ID0
+ DERIVATIVE ID5 FIELD SPIN 0 DAGGER ID8 DERIVATIVE ID3 FIELD SPIN 0 ID7 CONTRACTIONS LORENTZ ID5 ID3
+ FIELD SPIN 0 DAGGER ID9 FIELD SPIN 0 ID2 CONTRACTIONS
"""
)

TRIPLET_TERM = words(
    "+ FIELD SPIN 0 SU2 3 U1 - 1 ID5 FIELD SPIN 0 SU2 3 U1 1 DAGGER ID0 FIELD SPIN 0 SU3 - 3 U1 9 ID8 "
    "FIELD SPIN 0 SU3 3 U1 - 9 DAGGER ID1 CONTRACTIONS SU3 ID8 ID8 ID1 SU2 ID5 ID0 SU2 ID5 ID0"
)

H, H_BAR = Factor(0, False), Factor(0, True)
HIGGS_TERMS = [
    Term("scalar_quartic", (H, H, H_BAR, H_BAR), (Contraction("SU2", (0, 2)), Contraction("SU2", (1, 3)))),
    Term("scalar_quartic", (H, H, H_BAR, H_BAR), (Contraction("SU2", (0, 1)), Contraction("SU2", (2, 3)))),
    Term("scalar_kinetic", (H_BAR, H), (Contraction("SU2", (0, 1)),)),
    Term("gauge_kinetic", group="SU2"),
    Term("gauge_kinetic", group="U1"),
    Term("scalar_mass", (H_BAR, H), (Contraction("SU2", (0, 1)),)),
]


def split_at_terms(words):
    """The paper's own examples, cut into terms by hand-free means: at signs followed by a term start."""
    parsed = parse_lagrangian(words, [])
    return [t.tokens for t in parsed.terms]


def test_higgs_example_parses_into_the_six_structured_terms():
    parsed = parse_lagrangian(HIGGS_OUTPUT, parse_fields("FIELD SPIN 0 SU2 2 U1 1"))
    assert [t.term for t in parsed.terms] == HIGGS_TERMS
    assert not parsed.truncated


def test_higgs_example_second_quartic_is_well_formed_but_vanishes_for_one_doublet():
    # ε(HH) ε(H†H†) is zero for a single doublet: the paper's AutoEFT monomial is redundant (physics.md §5)
    parsed = parse_lagrangian(HIGGS_OUTPUT, parse_fields("FIELD SPIN 0 SU2 2 U1 1"))
    assert [t.valid for t in parsed.terms] == [True, False, True, True, True, True]
    assert parsed.terms[1].term is not None and parsed.terms[1].reason.startswith("vanishes")


def test_higgs_terms_render_to_the_paper_example_modulo_ids():
    fields = parse_fields("FIELD SPIN 0 SU2 2 U1 1")
    rendered = [render_term(t, fields) for t in HIGGS_TERMS]
    assert rendered == [canonical_ids(t) for t in split_at_terms(HIGGS_OUTPUT)]
    assert sum(map(len, rendered)) == 193


def test_real_singlet_example_round_trips_modulo_ids():
    fields = parse_fields("FIELD SPIN 0")
    parsed = parse_lagrangian(SINGLET_OUTPUT, fields)
    assert all(t.valid for t in parsed.terms)
    assert [t.term.kind for t in parsed.terms] == [
        "scalar_trilinear",
        "scalar_quartic",
        "scalar_kinetic",
        "scalar_mass",
    ]
    assert to_paper_tokens(parsed, fields) == [
        w for t in split_at_terms(SINGLET_OUTPUT) for w in canonical_ids(t)
    ]
    assert len(SINGLET_OUTPUT) == 59


def test_real_singlet_mass_keeps_its_bare_trailing_contractions():
    fields = parse_fields("FIELD SPIN 0")
    mass = Term("scalar_mass", (Factor(0, True), Factor(0, False)))
    assert render_term(mass, fields)[-1] == "CONTRACTIONS"
    trilinear = Term("scalar_trilinear", (Factor(0),) * 3)
    assert "CONTRACTIONS" not in render_term(trilinear, fields)


def test_triplet_antitriplet_interaction_round_trips_modulo_ids():
    fields = parse_fields("FIELD SPIN 0 SU2 3 U1 -1 FIELD SPIN 0 SU3 -3 U1 9")
    (pt,) = parse_lagrangian(TRIPLET_TERM, fields).terms
    assert pt.valid, pt.reason
    assert pt.term.factors == (Factor(0), Factor(0, True), Factor(1), Factor(1, True))
    assert pt.term.contractions[0] == Contraction("SU3", (2, 2, 3))
    assert render_term(pt.term, fields) == canonical_ids(TRIPLET_TERM)


def test_random_ids_are_drawn_without_replacement_per_term():
    fields = parse_fields("FIELD SPIN 0 SU2 2 U1 1")
    rng = random.Random(3)
    for term in HIGGS_TERMS:
        words = render_term(term, fields, rng)
        ids = [w for w in words[: words.index("CONTRACTIONS")] if w.startswith("ID")]
        assert len(set(ids)) == len(ids)
    words = render_terms(HIGGS_TERMS, fields, random.Random(3))
    again = render_terms(HIGGS_TERMS, fields, random.Random(3))
    assert words == again and canonical_ids(words) != words


def test_fermion_kinetic_puts_the_right_handed_object_first():
    fields = parse_fields("FIELD SPIN 1/2 SU3 3 SU2 2 U1 1/3 HEL -1/2")
    q, q_bar = Factor(0), Factor(0, True)
    term = Term("fermion_kinetic", (q_bar, q), (Contraction("SU3", (0, 1)), Contraction("SU2", (0, 1))))
    words = render_term(term, fields)
    expected = (
        "+ i FIELD SPIN 1 / 2 SU3 - 3 SU2 2 U1 - 1 / 3 HEL 1 / 2 DAGGER ID0 "
        "SIGMA_BAR ID1 DERIVATIVE SU3 SU2 U1 ID2 "
        "FIELD SPIN 1 / 2 SU3 3 SU2 2 U1 1 / 3 HEL - 1 / 2 ID3 "
        "CONTRACTIONS LORENTZ ID1 ID2 LORENTZ ID1 ID0 ID3 SU3 ID0 ID3 SU2 ID0 ID3"
    )
    assert " ".join(words) == expected
    (pt,) = parse_lagrangian(words, fields).terms
    assert pt.valid and pt.term == term


def test_fermion_mass_starts_with_minus_and_pairs_lorentz():
    fields = parse_fields("FIELD SPIN 1/2 HEL -1/2")
    term = Term("fermion_mass", (Factor(0), Factor(0)), (Contraction("LORENTZ", (0, 1)),))
    words = render_term(term, fields)
    assert words[0] == "-" and words[-3:] == ["LORENTZ", "ID0", "ID1"]
    assert parse_lagrangian(words, fields).terms[0].term == term


def test_input_fields_render_digit_by_digit_and_parse_back():
    fields = parse_fields("FIELD SPIN 1/2 SU3 -3 SU2 2 U1 -12/7 HEL 1/2 FIELD SPIN 0 SU3 6 SU2 4 U1 2/4")
    words = render_fields(fields)
    assert " ".join(words) == (
        "FIELD SPIN 1 / 2 SU3 - 3 SU2 2 U1 - 1 2 / 7 HEL 1 / 2 FIELD SPIN 0 SU3 6 SU2 4 U1 1 / 2"
    )
    assert parse_fields_tokens(words) == fields


def test_conjugate_spelled_without_dagger_is_not_an_input_field():
    fields = parse_fields("FIELD SPIN 0 SU2 2 U1 1")
    text = words("+ FIELD SPIN 0 SU2 2 U1 - 1 ID0 FIELD SPIN 0 SU2 2 U1 1 ID1 CONTRACTIONS SU2 ID0 ID1")
    (pt,) = parse_lagrangian(text, fields).terms
    assert not pt.valid and "not an input field" in pt.reason


def test_dangling_id_makes_the_term_invalid_not_the_lagrangian():
    fields = parse_fields("FIELD SPIN 0 SU2 2 U1 1")
    bad = words("+ FIELD SPIN 0 SU2 2 U1 - 1 DAGGER ID0 FIELD SPIN 0 SU2 2 U1 1 ID1 CONTRACTIONS SU2 ID0 ID5")
    parsed = parse_lagrangian(bad + HIGGS_OUTPUT, fields)
    assert len(parsed.terms) == 7
    assert not parsed.terms[0].valid and "dangling" in parsed.terms[0].reason
    assert [t.term for t in parsed.terms[1:]] == HIGGS_TERMS


def test_output_cut_mid_term_is_marked_truncated():
    fields = parse_fields("FIELD SPIN 0 SU2 2 U1 1")
    parsed = parse_lagrangian(HIGGS_OUTPUT[:-2], fields)
    assert parsed.truncated and parsed.terms[-1].term is None
    assert [t.term for t in parsed.terms[:-1]] == HIGGS_TERMS[:-1]


def test_mass_term_missing_its_su2_pairing_is_invalid():
    fields = parse_fields("FIELD SPIN 0 SU2 2 U1 1")
    parsed = parse_lagrangian(HIGGS_OUTPUT[:-3], fields)
    assert not parsed.terms[-1].valid and not parsed.truncated


def test_bare_contractions_on_an_interaction_is_invalid():
    fields = parse_fields("FIELD SPIN 0")
    text = words("+ FIELD SPIN 0 ID0 FIELD SPIN 0 ID1 FIELD SPIN 0 ID2 CONTRACTIONS")
    assert not parse_lagrangian(text, fields).terms[0].valid


WORDS = st.sampled_from(list(PAPER_VOCAB) + ["ID", "FIELDS", "7/2", "", "F3", "S(1,2,1/2)"])


@settings(max_examples=300, deadline=None)
@given(st.lists(WORDS, max_size=60))
def test_parser_never_raises_on_random_words(words):
    fields = parse_fields("FIELD SPIN 0 SU2 2 U1 1 FIELD SPIN 1/2 SU3 3 HEL -1/2")
    parsed = parse_lagrangian(words, fields)
    to_paper_tokens(parsed, fields)
    assert all(t.valid == (t.reason is None) for t in parsed.terms)


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_parser_never_raises_on_corrupted_examples(data):
    fields = parse_fields("FIELD SPIN 0 SU2 2 U1 1")
    words = list(HIGGS_OUTPUT)
    for _ in range(data.draw(st.integers(1, 6))):
        k = data.draw(st.integers(0, len(words) - 1))
        op = data.draw(st.sampled_from(["drop", "swap", "insert"]))
        if op == "drop":
            del words[k]
        elif op == "swap":
            words[k] = data.draw(WORDS)
        else:
            words.insert(k, data.draw(WORDS))
    parsed = parse_lagrangian(words, fields)
    for pt in parsed.terms:
        if pt.valid:  # whatever survives corruption as a valid term re-renders and reads back as itself
            assert parse_lagrangian(render_term(pt.term, fields), fields).terms[0].term == pt.term


def test_term_cuts_and_id_renumbering_follow_the_signs_after_ids():
    import random as _random

    from src.analysis.results import canonical_id_share
    from src.physics.lagrangian import build_lagrangian as _build
    from src.tokens.grammar import renumber_term_ids, split_at_term_signs
    from src.tokens.paper import parse_fields as _parse
    from src.tokens.paper import render_terms

    fields = _parse("H: S(1,2,-1/2); Q: L(3,2,1/6)")  # a minus sign inside a number is no term sign
    lag = _build(fields)
    drawn = render_terms(lag.terms, fields, _random.Random(4))
    canonical = render_terms(lag.terms, fields, None)
    assert len(split_at_term_signs(drawn)) == len(lag.terms)
    assert renumber_term_ids(drawn) == canonical
    assert canonical_id_share([" ".join(canonical)]) == 1.0
    assert canonical_id_share([" ".join(drawn)]) < 0.5


def test_drawn_ids_are_the_numbers_random_sample_draws_from_the_same_state():
    from src.tokens.paper import N_IDS, draw_ids

    for seed in range(300):
        for n in range(N_IDS + 1):
            a, b = random.Random(f"{seed}:{n}"), random.Random(f"{seed}:{n}")
            assert draw_ids(a, n) == b.sample(range(N_IDS), n)
            assert a.random() == b.random()  # and leave the generator in the same state


def _oracle_lagrangians():
    """Lagrangians of every term kind: random paper-like lists, out-of-distribution irreps (SU3 8 and 6 carry
    box positions), and the named models."""
    from src.bench.oracle import paper_like_fields
    from src.physics.fields import parse_short_fields
    from src.physics.lagrangian import build_lagrangian
    from src.physics.models import MODEL_NAMES, get_model

    rng = random.Random(0)
    lists = [paper_like_fields(rng) for _ in range(300)]
    for text in ("S(8,1,0); S(6,1,1/3); S(-6,1,-1/3)", "S(8,2,1/2); L(8,1,0)"):
        lists.append(parse_short_fields(text))
    lists += [list(get_model(name)) for name in MODEL_NAMES]
    return [build_lagrangian(fields, basis) for fields in lists for basis in ("independent", "paper")]


def test_a_lagrangians_length_is_counted_without_rendering_it():
    from src.tokens.paper import lagrangian_length, paper_spelling, term_length

    kinds = set()
    for lag in _oracle_lagrangians():
        spell = paper_spelling(lag.fields)

        def spelled(factor, spell=spell):
            return len(spell(factor))

        for term in lag.terms:
            kinds.add(term.kind)
            expected = len(render_term(term, lag.fields, random.Random(1), spell))
            assert term_length(term, lag.fields, spelled) == expected, term
        assert lagrangian_length(lag) == len(render_terms(lag.terms, lag.fields, random.Random(2)))
    assert len(kinds) == 8


def test_the_terms_json_is_json_dumps_of_each_terms_dict():
    import json

    from src.physics.terms import terms_json

    boxes = 0
    for lag in _oracle_lagrangians():
        expected = json.dumps([t.to_json() for t in lag.terms], separators=(",", ":"))
        assert terms_json(lag.terms) == expected
        boxes += '"boxes"' in expected
    assert boxes > 0  # the optional box positions were exercised
