"""The ``opaque`` scheme: each distinct field (its whole tuple of quantum numbers) is one word.

    source: S(1,2,1/2) L(3,2,1/6)
    target: + S(1,2,1/2) DAGGER ID3 S(1,2,1/2) ID7 CONTRACTIONS SU2 ID3 ID7

The words are ``Field.short()`` spellings; the vocabulary is fitted on the training fields
(``scheme.fit(field_lists)``) and anything unseen is [UNK]. With no symmetry words on the input, it measures
what the paper's quantum-number tokens contribute.
"""

from __future__ import annotations

import re

from src.physics.fields import Field
from src.physics.terms import Factor

from .base import UNK
from .grammar import TermError
from .paper import Spell
from .schemes import WordScheme

OPAQUE_WORD = re.compile(r"[SLR]\([^()\s]*\)")


def field_word(f: Field) -> str:
    """``S(1,2,1/2)``, ``L(-3,1,-1/3)``: kind (scalar / left / right Weyl), SU3, SU2, U1."""
    return f.short()


class OpaqueReader:
    """Reads ``<field word> [DAGGER]``; the word must be an input field's.

    ``[UNK]`` is read as the input field outside the vocabulary ``known`` when there is exactly one such
    field (the model can only have meant that one); otherwise it is an unreadable object.
    """

    def __init__(self, fields: list[Field], known: set[str] | None = None):
        self.index: dict[str, int] = {}
        for k, f in enumerate(fields):
            self.index.setdefault(field_word(f), k)
        unseen = sorted({k for w, k in self.index.items() if known is not None and w not in known})
        self.unknown = unseen[0] if len(unseen) == 1 else None

    def starts(self, token: str) -> bool:
        return token == UNK or OPAQUE_WORD.fullmatch(token) is not None

    def read(self, tokens: list[str], i: int) -> tuple[Factor, int]:
        k = self.unknown if tokens[i] == UNK else self.index.get(tokens[i])
        if k is None:
            raise TermError(f"{tokens[i]} is not an input field")
        dagger = i + 1 < len(tokens) and tokens[i + 1] == "DAGGER"
        return Factor(k, dagger), i + 1 + dagger


class OpaqueScheme(WordScheme):
    name = "opaque"
    needs_fit = True

    def __init__(self, canonical: bool = False, seed: int = 0, field_words: list[str] | None = None):
        super().__init__(canonical=canonical, seed=seed)
        self.field_words = tuple(field_words or ())

    def fit(self, field_lists) -> OpaqueScheme:
        """Add a word for every distinct field of the training field lists (sorted, so fitting is stable)."""
        seen = set(self.field_words) | {field_word(f) for fields in field_lists for f in fields}
        self.field_words = tuple(sorted(seen))
        self._tokenizer = None
        return self

    @property
    def is_fitted(self) -> bool:
        return bool(self.field_words)

    def options(self) -> dict:
        return {**super().options(), "field_words": list(self.field_words)}

    def extra_words(self) -> tuple[str, ...]:
        return self.field_words

    def source_tokens(self, fields: list[Field]) -> list[str]:
        return [field_word(f) for f in fields]

    def spell(self, fields: list[Field]) -> Spell:
        return lambda factor: [field_word(fields[factor.field]), *(["DAGGER"] if factor.conjugate else [])]

    def reader(self, fields: list[Field]) -> OpaqueReader:
        return OpaqueReader(fields, known=set(self.field_words))
