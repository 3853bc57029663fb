"""The ``field_refs`` scheme: input fields carry labels F0, F1, ...; output objects name the label.

    source: F0 FIELD SPIN 0 SU2 2 U1 1 F1 FIELD SPIN 1 / 2 ...
    target: + F0 DAGGER ID3 F0 ID7 CONTRACTIONS SU2 ID3 ID7

Outputs are much shorter, and charges are never re-spelled, so the model copies a label instead of
conjugating quantum numbers. Labels beyond ``n_labels`` are [UNK].
"""

from __future__ import annotations

import re

from src.physics.fields import Field
from src.physics.terms import Factor

from .grammar import TermError
from .paper import Spell, render_fields
from .schemes import WordScheme

LABEL = re.compile(r"F(\d+)")


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

    def __init__(self, canonical: bool = False, seed: int = 0, n_labels: int = 10):
        super().__init__(canonical=canonical, seed=seed)
        self.n_labels = int(n_labels)

    def options(self) -> dict:
        return {**super().options(), "n_labels": self.n_labels}

    def extra_words(self) -> tuple[str, ...]:
        return tuple(label(k) for k in range(self.n_labels))

    def source_tokens(self, fields: list[Field]) -> list[str]:
        return [w for k, f in enumerate(fields) for w in [label(k), *render_fields([f])]]

    def spell(self, fields: list[Field]) -> Spell:
        return lambda factor: [label(factor.field), *(["DAGGER"] if factor.conjugate else [])]

    def reader(self, fields: list[Field]) -> FieldRefReader:
        return FieldRefReader(fields)
