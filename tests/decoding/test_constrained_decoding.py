"""Greedy decoding under the oracle constraint: an untrained model writes only valid oracle terms."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import torch

from src.config.model import model_preset
from src.models.module import LagrangianBart
from src.tokens import build_scheme
from src.tokens.constraint import TermConstraint, TermTrie
from src.tokens.stats import random_fields

CONF_DIR = Path(__file__).resolve().parents[2] / "conf"


@pytest.fixture(scope="module")
def untrained():
    torch.manual_seed(0)
    scheme = build_scheme("field_refs", canonical=True)
    arch = model_preset("tiny")
    return LagrangianBart(arch, scheme.vocab_size, scheme=scheme).eval()


def test_constrained_rows_parse_into_valid_distinct_terms(untrained):
    scheme = untrained.scheme
    rng = random.Random(0)
    field_lists = [random_fields(rng, rng.randint(1, 2)) for _ in range(6)]
    batch = scheme.collate([scheme.encode(f, None) for f in field_lists])
    constraints = [TermConstraint(TermTrie.for_fields(scheme, f)) for f in field_lists]
    plain = untrained.generate_tokens(batch, max_new_tokens=60)
    words = untrained.generate_tokens(batch, max_new_tokens=600, constraints=constraints)
    # a random model left alone writes no valid Lagrangian; under the constraint every term is valid
    assert not any(
        scheme.parse_target(w, f).terms and all(t.valid for t in scheme.parse_target(w, f).terms)
        for w, f in zip(plain, field_lists)
    )
    for w, f, c in zip(words, field_lists, constraints):
        parsed = scheme.parse_target(w, f)
        complete = parsed.terms if c.done else parsed.terms[:-1]  # a row cut at max_new_tokens ends mid-term
        assert complete and all(t.valid for t in complete), [t.reason for t in complete if not t.valid]
        assert len({" ".join(t.tokens) for t in complete}) == len(complete)


def test_constraints_need_the_lean_greedy_engine(untrained):
    scheme = untrained.scheme
    fields = random_fields(random.Random(1), 1)
    batch = scheme.collate([scheme.encode(fields, None)])
    constraints = [TermConstraint(TermTrie.for_fields(scheme, fields))]
    with pytest.raises(ValueError, match="lean greedy"):
        untrained.generate_ids(batch, max_new_tokens=10, engine="hf", constraints=constraints)
    with pytest.raises(ValueError, match="constraints for"):
        untrained.generate_ids(batch, max_new_tokens=10, constraints=constraints * 2)


def test_constrained_rows_in_flight_equal_one_batch_at_a_time(untrained):
    """Under constraints, rows started as others finish (``example_ids``, 3 in flight) get the ids each gets
    in a batch of its own: each row's constraint follows its own row, whatever slot it takes."""
    scheme = untrained.scheme
    rng = random.Random(2)
    field_lists = [random_fields(rng, rng.randint(1, 2)) for _ in range(7)]
    examples = [scheme.encode(f, None) for f in field_lists]
    queued = untrained.example_ids(
        examples,
        3,
        max_new_tokens=80,
        constraints=[TermConstraint(TermTrie.for_fields(scheme, f)) for f in field_lists],
    )
    alone = [
        untrained.example_ids(
            [e], 1, max_new_tokens=80, constraints=[TermConstraint(TermTrie.for_fields(scheme, f))]
        )[0]
        for e, f in zip(examples, field_lists)
    ]
    assert queued == alone
    assert len({len(r) for r in queued}) >= 2  # rows end at different steps
