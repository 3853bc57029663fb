"""Oracle-constrained decoding: the constraint accepts every oracle target and nothing the grammar rejects."""

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from src.physics.lagrangian import build_lagrangian
from src.tokens import build_scheme
from src.tokens.base import EOS_ID, SOS_ID
from src.tokens.constraint import (
    IdConstraint,
    RandomIdConstraint,
    TermConstraint,
    TermTrie,
    oracle_constraint,
)
from src.tokens.grammar import renumber_term_ids
from src.tokens.paper import parse_fields
from src.tokens.stats import random_fields

CANONICAL = ["field_refs", "paper_canonical"]


def walk(constraint: TermConstraint, tokens: list[int]) -> None:
    for tok in tokens:
        assert tok in constraint.allowed(), f"token {tok} refused after {constraint.terms_written} terms"
        constraint.advance(tok)


@pytest.mark.parametrize("name", CANONICAL)
@pytest.mark.parametrize("seed", range(12))
def test_the_oracle_target_is_always_allowed(name, seed):
    scheme = build_scheme(name, canonical=True) if name == "field_refs" else build_scheme(name)
    fields = random_fields(random.Random(seed), random.Random(seed).randint(1, 3))
    lag = build_lagrangian(fields)
    labels = scheme.encode(fields, lag)["labels"]  # [SOS] words [EOS]
    c = TermConstraint(TermTrie.for_fields(scheme, fields))
    walk(c, labels)
    assert c.done and c.terms_written == len(lag.terms)
    assert c.allowed() == [EOS_ID]


def test_eos_only_after_a_complete_term_and_each_term_once():
    scheme = build_scheme("field_refs", canonical=True)
    fields = parse_fields("H: S(1,2,1/2)")
    trie = TermTrie.for_fields(scheme, fields)
    c = TermConstraint(trie)
    assert c.allowed() == [SOS_ID]
    c.advance(SOS_ID)
    assert EOS_ID not in c.allowed()  # an empty Lagrangian is not one
    first = scheme.ids(scheme.target_tokens(build_lagrangian(fields)))[:4]
    for tok in first:
        c.advance(tok)
    assert EOS_ID not in c.allowed()  # mid-term
    with pytest.raises(ValueError):
        c.advance(EOS_ID)


@pytest.mark.parametrize("name", ["paper", "field_refs", "opaque"])
@pytest.mark.parametrize("seed", range(8))
def test_every_random_id_target_is_allowed_whatever_ids_it_drew(name, seed):
    """A random-ID scheme's target (the oracle's terms in the oracle's order, IDs drawn per term) walks
    through the constraint, for several draws of its IDs."""
    fields = random_fields(random.Random(seed), random.Random(seed).randint(1, 3))
    scheme = build_scheme(name)
    if name == "opaque":
        scheme.fit([fields])
    lag = build_lagrangian(fields)
    for draw in range(3):
        labels = scheme.encode(fields, lag, random.Random(f"{seed}:{draw}"))["labels"]
        c = oracle_constraint(scheme, fields)
        assert isinstance(c, RandomIdConstraint)
        walk(c, labels)
        assert c.done and c.terms_written == len(lag.terms)


def test_random_ids_new_objects_take_unused_ids_and_references_only_the_given_ones():
    scheme = build_scheme("paper")
    vocab = scheme.tokenizer.get_vocab()
    id_words = {f"ID{k}" for k in range(10)}
    fields = parse_fields("H: S(1,2,1/2)")
    c = oracle_constraint(scheme, fields)
    c.advance(SOS_ID)
    term = ["+", "FIELD", "SPIN", "0", "SU2", "2", "U1", "-", "1", "/", "2", "DAGGER"]
    for w in term:
        c.advance(vocab[w])
    ids = {w for w in id_words if vocab[w] in c.allowed()}
    assert ids == id_words  # the first object: any ID
    c.advance(vocab["ID7"])
    for w in ["FIELD", "SPIN", "0", "SU2", "2", "U1", "1", "/", "2"]:
        c.advance(vocab[w])
    assert {w for w in id_words if vocab[w] in c.allowed()} == id_words - {"ID7"}
    c.advance(vocab["ID3"])
    c.advance(vocab["CONTRACTIONS"])
    c.advance(vocab["SU2"])
    # the contraction names the term's objects by the IDs the decoder gave them
    assert {w for w in id_words if vocab[w] in c.allowed()} <= {"ID7", "ID3"}
    with pytest.raises(ValueError):
        c.advance(vocab["ID5"])


@pytest.mark.parametrize("name", ["field_refs", "paper"])  # canonical IDs in canonical order; random IDs
@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10**6), n_fields=st.integers(1, 3), choices=st.randoms(use_true_random=False))
def test_any_walk_the_constraint_allows_parses_into_valid_terms(name, seed, n_fields, choices):
    """Whatever a decoder picks among the allowed tokens, the sequence parses, every term is invariant and
    none comes twice (whatever IDs it took)."""
    scheme = build_scheme(name, canonical=name == "field_refs")
    fields = random_fields(random.Random(seed), n_fields)
    c = oracle_constraint(scheme, fields)
    assert isinstance(c, TermConstraint if name == "field_refs" else RandomIdConstraint)
    ids = []
    while not c.done and len(ids) < 8000:
        tok = choices.choice(c.allowed())
        c.advance(tok)
        ids.append(tok)
    assert c.done and ids[0] == SOS_ID and ids[-1] == EOS_ID
    parsed = scheme.parse_target(scheme.decode(ids), fields)
    assert not parsed.truncated
    reasons = [t.reason for t in parsed.terms if not t.valid]
    assert parsed.terms and not reasons, reasons
    spelled = [" ".join(renumber_term_ids(t.tokens)) for t in parsed.terms]
    assert len(set(spelled)) == len(spelled)


@pytest.mark.parametrize("name", ["paper", "field_refs", "numeric_u1", "paper_canonical"])
@pytest.mark.parametrize("seed", range(8))
def test_the_id_rule_allows_every_target_of_random_ids(name, seed):
    """Targets with random IDs (and hypercharges whose minus signs are not term signs) pass the ID rule."""
    scheme = build_scheme(name)
    fields = random_fields(random.Random(seed), random.Random(seed).randint(1, 3))
    labels = scheme.encode(fields, build_lagrangian(fields), random.Random(seed))["labels"]
    c = IdConstraint(scheme)
    for tok in labels:
        assert tok in c.allowed(), (scheme.decode([tok]), scheme.decode(labels))
        c.advance(tok)


def test_the_id_rule_refuses_a_reused_id_and_an_undeclared_contraction_id():
    scheme = build_scheme("paper")
    vocab = scheme.tokenizer.get_vocab()
    text = "[SOS] + FIELD SPIN 0 SU2 2 U1 - 1 / 2 ID2 FIELD SPIN 0 SU2 2 U1 1 / 2 DAGGER"
    words = text.split(" ")
    c = IdConstraint(scheme)
    for w in words:
        c.advance(vocab[w])
    assert vocab["ID2"] not in c.allowed() and vocab["ID5"] in c.allowed()  # the second object needs a new ID
    for w in ["ID5", "CONTRACTIONS", "SU2"]:
        c.advance(vocab[w])
    ids = {w for w in vocab if w.startswith("ID") and vocab[w] in c.allowed()}
    assert ids == {"ID2", "ID5"}  # a contraction names the term's objects only
    for w in ["ID2", "ID5", "+", "FIELD"]:  # a sign after an ID opens a new term: every ID is free again
        c.advance(vocab[w])
    assert {vocab[f"ID{k}"] for k in range(10)} <= set(c.allowed())
