"""Compositional decoding: the Lagrangian of any number of fields from answers on its sub-lists of few fields.

Every renormalizable term holds at most four distinct fields, and the independent terms of one multiset of
factors depend only on those factors (their representations and which of them are the same field), not on
the other fields of the list. So the terms of a field list are the union, over its sub-lists ``S`` of one to
four fields, of the terms of ``S``'s Lagrangian that use *every* field of ``S``, renumbered into the whole
list. Each interaction or mass term therefore comes from exactly one sub-list (the set of fields it uses):
answers never overlap, nothing needs a vote. The kinetic term of a field comes from its one-field answer, and
each gauge group's kinetic term once, from the one-field answers, in order of first appearance.

``assemble`` is that rule on parsed answers, whoever wrote them (the model, or the oracle in the tests, where
composition reproduces the oracle's whole Lagrangian term for term). ``compose_predictions`` asks a trained
model for the answers: every sub-list of every row is encoded once (identical sub-lists, within a row or
across rows, are decoded once), all of them in one decoding pass, shortest inputs first. The oracle is never
consulted on this path.

    >>> answers = {s: scheme.parse_target(model_words(s), [fields[i] for i in s]) for s in sublists(n, 3)}
    >>> assemble(fields, answers).terms   # the composed Lagrangian's terms, canonical order
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from itertools import combinations

from src.physics.fields import Field
from src.physics.lagrangian import uses_every_field
from src.physics.terms import GAUGE_GROUPS, Factor, Lagrangian, Term
from src.tokens.base import ParsedLagrangian
from src.tokens.paper import canonical_order
from src.tokens.spelling import respell_tokens

MAX_DISTINCT_FIELDS = 4  # the most distinct fields a renormalizable term holds (φ1 φ2 φ3 φ4)


def sublists(n_fields: int, max_size: int) -> list[tuple[int, ...]]:
    """Every sub-list (sorted field indices) of 1 to ``max_size`` fields, the smallest first."""
    if max_size < 1:
        raise ValueError(f"sub-lists need at least one field, got max_size={max_size}")
    sizes = range(1, min(max_size, n_fields) + 1)
    return [s for k in sizes for s in combinations(range(n_fields), k)]


@dataclass
class Composition:
    """A composed Lagrangian's terms (canonical order) and what the answers held that it does not use."""

    terms: list[Term]
    unreadable: int = 0  # answer terms that did not parse (no term to place)
    partial: int = 0  # readable terms that leave out a field of their sub-list (another sub-list's terms)
    gauge_elsewhere: int = (
        0  # gauge kinetic terms of answers on two or more fields (the one-field ones count)
    )


def _renumbered(term: Term, sub: Sequence[int]) -> Term:
    return replace(term, factors=tuple(Factor(sub[f.field], f.conjugate) for f in term.factors))


def assemble(fields: Sequence[Field], answers: Mapping[tuple[int, ...], ParsedLagrangian]) -> Composition:
    """The Lagrangian of ``fields`` from parsed ``answers`` keyed by sub-list (sorted indices into ``fields``,
    each answer parsed against its own sub-list's fields)."""
    out = Composition([])
    gauge: dict[int, list[str]] = {}  # groups written in each field's one-field answer
    for sub, parsed in answers.items():
        for parsed_term in parsed.terms:
            term = parsed_term.term
            if term is None:
                out.unreadable += 1
            elif term.kind == "gauge_kinetic":
                if len(sub) == 1:
                    gauge.setdefault(sub[0], []).append(term.group)
                else:
                    out.gauge_elsewhere += 1
            elif uses_every_field(term, len(sub)):
                out.terms.append(_renumbered(term, sub))
            else:
                out.partial += 1
    groups: list[str] = []
    for i in sorted(gauge):
        groups += [g for g in GAUGE_GROUPS if g in gauge[i] and g not in groups]
    out.terms = canonical_order(out.terms + [Term("gauge_kinetic", group=g) for g in groups], list(fields))
    return out


@dataclass
class ComposeCost:
    """What compositional decoding of a set of rows cost."""

    rows: int = 0
    sublists: int = 0  # sub-lists asked for, over all rows
    decoded: int = 0  # distinct sub-list inputs decoded (identical ones are decoded once)
    tokens: int = 0  # words the model wrote for them
    seconds: float = 0.0
    unreadable: int = 0
    partial: int = 0
    per_row: list[dict] = field(default_factory=list)

    def summary(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "per_row"}


def compose_predictions(
    pl_module,
    scheme,
    field_lists: Sequence[Sequence[Field]],
    spellings: Sequence[dict | None],
    max_size: int,
    batch_size: int,
    deadline: float | None = None,
    constraint_for: Callable[[list[Field]], object] | None = None,
    **decoding,
) -> tuple[list[list[str] | None], ComposeCost]:
    """The model's composed Lagrangian (``scheme`` words, with each row's charge spelling) for each field
    list, from its answers on every sub-list of up to ``max_size`` fields; and what that cost.

    ``decoding``: the options of ``LagrangianBart.generate_ids`` (engine, beams, token limit);
    ``constraint_for(sub_fields)``: a decoding constraint per sub-list (``src.tokens.constraint``), or None.
    A row whose sub-lists the ``deadline`` left undecoded gets None."""
    start = time.perf_counter()
    cost = ComposeCost(rows=len(field_lists))
    keys: dict[tuple, int] = {}  # encoded sub-list -> position among the examples to decode
    examples: list[dict] = []
    sub_fields: list[list[Field]] = []
    plan: list[list[tuple[tuple[int, ...], int]]] = []  # per row: (sub-list, example position)
    for fields, spelling in zip(field_lists, spellings):
        row_plan = []
        for sub in sublists(len(fields), max_size):
            chosen = [fields[i] for i in sub]
            enc = scheme.encode(chosen, None, spelling=spelling)
            key = (tuple(enc["input_ids"]), tuple(enc.get("u1_values") or ()))
            if key not in keys:
                keys[key] = len(examples)
                examples.append(enc)
                sub_fields.append(chosen)
            row_plan.append((sub, keys[key]))
        cost.sublists += len(row_plan)
        plan.append(row_plan)
    order = sorted(range(len(examples)), key=lambda k: len(examples[k]["input_ids"]))
    constraints = None if constraint_for is None else [constraint_for(sub_fields[k]) for k in order]
    words_sorted = pl_module.decode_examples(
        [examples[k] for k in order], batch_size, deadline, constraints=constraints, **decoding
    )
    words: list[list[str] | None] = [None] * len(examples)
    for k, w in zip(order, words_sorted):
        words[k] = w
    cost.decoded = len(examples)
    cost.tokens = sum(len(w) for w in words if w is not None)
    parsed = [None if w is None else scheme.parse_target(list(w), sub_fields[k]) for k, w in enumerate(words)]
    predictions: list[list[str] | None] = []
    for fields, spelling, row_plan in zip(field_lists, spellings, plan):
        if any(parsed[k] is None for _, k in row_plan):
            predictions.append(None)
            continue
        composed = assemble(fields, {sub: parsed[k] for sub, k in row_plan})
        cost.unreadable += composed.unreadable
        cost.partial += composed.partial
        target = scheme.target_tokens(Lagrangian(list(fields), composed.terms))
        predictions.append(respell_tokens(target, spelling) if spelling else target)
        cost.per_row.append({"sublists": len(row_plan), "terms": len(composed.terms)})
    cost.seconds = time.perf_counter() - start
    return predictions, cost
