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

``charge_sums=True`` (with ``common_denominator``) starts every target with the U(1) charges of the list's
bilinears, in numerators over the same denominator, before its terms:

    F0 F0 SUM 2 F0 F1 SUM - 3 F0 F1 DAGGER SUM 5 F1 F1 SUM - 8 + F0 ID0 ...

(each field doubled, then each pair i < j as Fi Fj and Fi Fj†, in that order). Every renormalizable term with
at most four factors is U(1)-neutral exactly when one of these sums (or a field's own numerator) cancels
another, so the decision to write a coupling becomes a comparison of written numbers instead of a sum of
three or four unseen ones: a worked intermediate step the model writes and then reads. The sums are part of
the target only: ``parse_target`` drops everything before the first term, so scores see terms alone.
"""

from __future__ import annotations

import re
from fractions import Fraction
from math import lcm

from src.errors import UserError
from src.physics.fields import Field
from src.physics.terms import Factor

from .grammar import SIGNS, TERM_STARTS, TermError
from .paper import Spell, render_fields
from .schemes import WordScheme
from .spelling import ChargeSpelling, respell_tokens, spaced

LABEL = re.compile(r"F(\d+)")
CHARGE_SPELLINGS = ("reduced", "common_denominator")
SUM = "SUM"


def common_denominator_spelling(fields: list[Field]) -> ChargeSpelling:
    """Each nonzero |charge| of the list as (numerator, D) over the list's least common denominator D."""
    charges = {abs(Fraction(f.u1)) for f in fields if f.u1 != 0}
    d = list_denominator(fields)
    return {q: (int(q * d), d) for q in charges}


def list_denominator(fields: list[Field]) -> int:
    """The least common denominator of the list's nonzero hypercharges (1 if it has none)."""
    charges = [Fraction(f.u1) for f in fields if f.u1 != 0]
    return lcm(*(q.denominator for q in charges)) if charges else 1


def charge_sum_tokens(fields: list[Field]) -> list[str]:
    """``Fi Fi SUM 2n_i``, then ``Fi Fj SUM n_i+n_j`` and ``Fi Fj DAGGER SUM n_i-n_j`` for each pair i < j,
    with n the numerators over the list's least common denominator (the ``charge_sums`` target prefix)."""
    d = list_denominator(fields)
    n = [int(Fraction(f.u1) * d) for f in fields]
    words: list[str] = []
    for i in range(len(fields)):
        for j in range(i, len(fields)):
            if i == j:
                words += [label(i), label(i), SUM, *spaced(str(2 * n[i]))]
            else:
                words += [label(i), label(j), SUM, *spaced(str(n[i] + n[j]))]
                words += [label(i), label(j), "DAGGER", SUM, *spaced(str(n[i] - n[j]))]
    return words


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

    def __init__(
        self,
        canonical: bool = False,
        seed: int = 0,
        n_labels: int = 10,
        charges: str = "reduced",
        charge_sums: bool = False,
    ):
        super().__init__(canonical=canonical, seed=seed)
        self.n_labels = int(n_labels)
        if charges not in CHARGE_SPELLINGS:
            raise UserError(f"tokenizer.charges={charges!r}: choose from {', '.join(CHARGE_SPELLINGS)}")
        self.charges = charges
        if not isinstance(charge_sums, bool):
            raise UserError(f"tokenizer.charge_sums={charge_sums!r}: true or false")
        if charge_sums and charges != "common_denominator":
            raise UserError(
                "tokenizer.charge_sums=true writes sums of the numerators over the list's common "
                "denominator: it needs tokenizer.charges=common_denominator"
            )
        self.charge_sums = charge_sums

    def options(self) -> dict:
        out = {**super().options(), "n_labels": self.n_labels}
        if self.charges != "reduced":  # schemes saved before the option existed rebuild unchanged
            out["charges"] = self.charges
        if self.charge_sums:
            out["charge_sums"] = True
        return out

    @property
    def spells_charges_by_list(self) -> bool:
        return self.charges == "common_denominator"

    def extra_words(self) -> tuple[str, ...]:
        return tuple(label(k) for k in range(self.n_labels)) + ((SUM,) if self.charge_sums else ())

    def source_tokens(self, fields: list[Field]) -> list[str]:
        words = [w for k, f in enumerate(fields) for w in [label(k), *render_fields([f])]]
        if self.spells_charges_by_list:
            return respell_tokens(words, common_denominator_spelling(fields))
        return words

    def target_tokens(self, lagrangian, rng=None) -> list[str]:
        terms = super().target_tokens(lagrangian, rng)
        return [*charge_sum_tokens(lagrangian.fields), *terms] if self.charge_sums else terms

    def parse_target(self, tokens: list[str], fields: list[Field]):
        if self.charge_sums:
            tokens = self._terms_part([str(t) for t in tokens], self.reader(fields))
        return super().parse_target(tokens, fields)

    @staticmethod
    def _terms_part(tokens: list[str], reader: FieldRefReader) -> list[str]:
        """The words from the first term on (a sign followed by an object start, as the term grammar cuts
        terms), dropping the sums before it."""
        for k in range(len(tokens) - 1):
            nxt = tokens[k + 1]
            if tokens[k] in SIGNS and (nxt in TERM_STARTS or reader.starts(nxt)):
                return tokens[k:]
        return []

    def spell(self, fields: list[Field]) -> Spell:
        return lambda factor: [label(factor.field), *(["DAGGER"] if factor.conjugate else [])]

    def reader(self, fields: list[Field]) -> FieldRefReader:
        return FieldRefReader(fields)
