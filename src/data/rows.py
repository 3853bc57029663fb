"""One dataset row: a field list and its Lagrangian as the columns of the Parquet tables.

Columns (all splits share them):

=============  ==========================================================================================
``sample_id``  index of the candidate draw (the row's rng is seeded by ``(seed, sample_id)``)
``key``        canonical field multiset, e.g. ``L(3,2,1/6); S(1,2,1/2)``: sorted per-field short forms with
               the charge as spelled. Deduplication and the split hash use it.
``fields``     paper input string, fully spaced as the tokenizer sees it:
               ``FIELD SPIN 1 / 2 SU3 3 U1 - 5 / 2 HEL 1 / 2 FIELD SPIN 0 ...`` (input order)
``lagrangian`` paper output tokens joined by spaces, IDs drawn per term from the row's seeded rng
``n_fields``, ``n_terms``, ``n_tokens`` (length of ``lagrangian`` in tokens), one ``n_<kind>`` per term class,
``n_trilinear`` (= n_scalar_trilinear + n_yukawa)
``terms``      JSON list of ``Term.to_json()`` (kind, factors, contractions, group: the oracle's JSON)
``fields_json`` JSON list of {name, spin, helicity, su3, su2, u1, real}; ``u1`` as spelled (``"2/4"``)
``spelling``   JSON {value: spelled} for out-of-distribution hypercharge spellings, ``{}`` otherwise
``planted``    "scalar_trilinear" / "yukawa" when the sampler planted one, else ""
``model``      the registry name for rows of the ``benchmarks`` split, else ""
=============  ==========================================================================================
"""

from __future__ import annotations

import json
import random
from functools import cache

from src.physics.fields import Field
from src.physics.terms import KINDS, Lagrangian, Term, terms_json
from src.tokens.spelling import (
    ChargeSpelling,
    respell_tokens,
    spell_charge,
    spelling_from_json,
    spelling_to_json,
)

COUNT_COLUMNS = tuple(f"n_{k}" for k in KINDS) + ("n_trilinear",)
INT_COLUMNS = ("sample_id", "n_fields", "n_terms", "n_tokens", *COUNT_COLUMNS)
COLUMNS = ("sample_id", "key", "fields", "lagrangian", "n_fields", "n_terms", "n_tokens", *COUNT_COLUMNS) + (
    "terms",
    "fields_json",
    "spelling",
    "planted",
    "model",
)


def field_key(f: Field, spelling: ChargeSpelling | None = None) -> str:
    return _field_key(f, spell_charge(f.u1, spelling))


@cache
def _field_key(f: Field, charge: str) -> str:
    kind = "S" if f.is_scalar else ("L" if f.helicity < 0 else "R")
    return f"{kind}({f.su3.name},{f.su2.n},{charge})"


def multiset_key(fields: list[Field], spelling: ChargeSpelling | None = None) -> str:
    """The canonical field multiset: order-free, so permutations of one input share a key."""
    return "; ".join(sorted(field_key(f, spelling) for f in fields))


def fields_json(fields: list[Field], spelling: ChargeSpelling | None = None) -> str:
    """The ``fields_json`` column: each ``Field.to_json`` as a dataset row stores it (unnamed fields called
    F0, F1, ...; the row's charge spelling), compact JSON (each field's text is cached)."""
    items = (_field_json(f, f.name or f"F{i}", spell_charge(f.u1, spelling)) for i, f in enumerate(fields))
    return "[" + ",".join(items) + "]"


@cache
def _field_json(f: Field, name: str, charge: str) -> str:
    return json.dumps(f.to_json(name=name, u1=charge), separators=(",", ":"))


def fields_from_row(row) -> list[Field]:
    return [Field.from_json(d) for d in json.loads(row["fields_json"])]


def lagrangian_from_row(row, basis: str = "independent") -> Lagrangian:
    """Rebuild the structured Lagrangian from the ``fields_json`` and ``terms`` columns."""
    terms = [Term.from_json(d) for d in json.loads(row["terms"])]
    return Lagrangian(fields_from_row(row), terms, basis)


def row_spelling(row) -> ChargeSpelling:
    return spelling_from_json(json.loads(row["spelling"]) if row.get("spelling") else {})


def term_counts(terms: list[Term]) -> dict[str, int]:
    counts = {f"n_{k}": 0 for k in KINDS}
    for t in terms:
        counts[f"n_{t.kind}"] += 1
    counts["n_trilinear"] = counts["n_scalar_trilinear"] + counts["n_yukawa"]
    return counts


def fields_text(fields: list[Field], spelling: ChargeSpelling | None = None) -> str:
    """The ``fields`` column: the paper's input tokens, fully spaced, charges as spelled."""
    from src.tokens.paper import render_fields

    return " ".join(respell_tokens(render_fields(fields), spelling))


def lagrangian_tokens(lag: Lagrangian, rng: random.Random | None, spelling: ChargeSpelling | None = None):
    from src.tokens.paper import render_lagrangian

    return respell_tokens(render_lagrangian(lag, rng), spelling)


def make_row(
    sample_id: int,
    fields: list[Field],
    lag: Lagrangian,
    rng: random.Random,
    spelling: ChargeSpelling | None = None,
    planted: str | None = None,
) -> dict:
    tokens = lagrangian_tokens(lag, rng, spelling)
    return {
        "sample_id": sample_id,
        "key": multiset_key(fields, spelling),
        "fields": fields_text(fields, spelling),
        "lagrangian": " ".join(tokens),
        "n_fields": len(fields),
        "n_terms": len(lag.terms),
        "n_tokens": len(tokens),
        **term_counts(lag.terms),
        "terms": terms_json(lag.terms),
        "fields_json": fields_json(fields, spelling),
        "spelling": json.dumps(spelling_to_json(spelling), separators=(",", ":")),
        "planted": planted or "",
        "model": "",
    }
