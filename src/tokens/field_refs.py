"""The ``field_refs`` scheme: input fields carry labels F0, F1, ...; output objects name the label.

    source: F0 FIELD SPIN 0 SU2 2 U1 1 F1 FIELD SPIN 1 / 2 ...
    target: + F0 DAGGER ID3 F0 ID7 CONTRACTIONS SU2 ID3 ID7

Outputs are much shorter, and charges are never re-spelled, so the model copies a label instead of
conjugating quantum numbers. Labels beyond ``n_labels`` are [UNK].

``charges="common_denominator"`` writes every input hypercharge of a list over the list's least common
denominator (1/6, 2/3, -1/3, 1/2 as ``1 / 6``, ``4 / 6``, ``- 2 / 6``, ``3 / 6``), so that whether a product
of fields is neutral under U(1) is a signed sum of integers (the numerators) rather than of fractions with
different denominators. The spelling follows from the values of the list alone: a row's own
out-of-distribution spelling (``2 / 4``) is not applied to the source, and targets carry no charges.
"""

from __future__ import annotations

import re
from fractions import Fraction
from math import lcm

from src.errors import UserError
from src.physics.fields import Field
from src.physics.terms import Factor

from .grammar import TermError
from .paper import Spell, render_fields
from .schemes import WordScheme
from .spelling import ChargeSpelling, respell_tokens

LABEL = re.compile(r"F(\d+)")
CHARGE_SPELLINGS = ("reduced", "common_denominator")


def common_denominator_spelling(fields: list[Field]) -> ChargeSpelling:
    """Each nonzero |charge| of the list as (numerator, D) over the list's least common denominator D."""
    charges = {abs(Fraction(f.u1)) for f in fields if f.u1 != 0}
    d = lcm(*(q.denominator for q in charges)) if charges else 1
    return {q: (int(q * d), d) for q in charges}


def label(k: int) -> str:
    return f"F{k}"


class FieldRefReader:
    """Reads ``Fk [DAGGER]``; k must label an input field."""

    def __init__(self, fields: list[Field]):
        self.n = len(fields)

    def starts(self, token: str) -> bool:
        return LABEL.fullmatch(token) is not None

    def read(self, tokens: list[str], i: int) -> tuple[Factor, int]:
        k = int(LABEL.fullmatch(tokens[i])[1])
        if k >= self.n:
            raise TermError(f"{tokens[i]} labels no input field")
        dagger = i + 1 < len(tokens) and tokens[i + 1] == "DAGGER"
        return Factor(k, dagger), i + 1 + dagger


class FieldRefsScheme(WordScheme):
    name = "field_refs"

    def __init__(self, canonical: bool = False, seed: int = 0, n_labels: int = 10, charges: str = "reduced"):
        super().__init__(canonical=canonical, seed=seed)
        self.n_labels = int(n_labels)
        if charges not in CHARGE_SPELLINGS:
            raise UserError(f"tokenizer.charges={charges!r}: choose from {', '.join(CHARGE_SPELLINGS)}")
        self.charges = charges

    def options(self) -> dict:
        out = {**super().options(), "n_labels": self.n_labels}
        if self.charges != "reduced":  # schemes saved before the option existed rebuild unchanged
            out["charges"] = self.charges
        return out

    @property
    def spells_charges_by_list(self) -> bool:
        return self.charges == "common_denominator"

    def extra_words(self) -> tuple[str, ...]:
        return tuple(label(k) for k in range(self.n_labels))

    def source_tokens(self, fields: list[Field]) -> list[str]:
        words = [w for k, f in enumerate(fields) for w in [label(k), *render_fields([f])]]
        if self.spells_charges_by_list:
            return respell_tokens(words, common_denominator_spelling(fields))
        return words

    def spell(self, fields: list[Field]) -> Spell:
        return lambda factor: [label(factor.field), *(["DAGGER"] if factor.conjugate else [])]

    def reader(self, fields: list[Field]) -> FieldRefReader:
        return FieldRefReader(fields)
