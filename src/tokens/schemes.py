"""The paper-spelled schemes: ``paper``, ``paper_canonical`` and ``numeric_u1``; and the shared machinery.

``WordScheme`` holds what every scheme does the same way: a word vocabulary that starts with the paper's 41
words at the paper's ids, per-term IDs drawn from an rng (or canonical), and the term grammar of
``grammar.py`` with a scheme-specific spelling of field occurrences (``spell``/``reader``).
"""

from __future__ import annotations

import random
from fractions import Fraction

from src.physics.fields import Field
from src.physics.terms import Lagrangian

from .base import ParsedLagrangian, TokenScheme
from .grammar import FieldReader, parse_terms
from .paper import (
    PaperFieldReader,
    Spell,
    canonical_order,
    paper_spelling,
    render_fields,
    render_paper_field,
    render_terms,
    to_paper_tokens,
)
from .spelling import ChargeSpelling, respell_tokens
from .vocab import PAPER_VOCAB, build_tokenizer, extend_vocab


class WordScheme(TokenScheme):
    """A scheme over the paper's term grammar. ``canonical``: canonical IDs and term order, else random IDs.

    With ``rng=None`` a random-ID scheme draws from its own ``random.Random(seed)``; pass an explicit rng for
    reproducible datasets.
    """

    name = "paper"

    def __init__(self, canonical: bool = False, seed: int = 0):
        self.canonical = bool(canonical)
        self.seed = int(seed)
        self._rng = random.Random(self.seed)
        self._tokenizer = None

    # vocabulary --------------------------------------------------------------------------------------
    def extra_words(self) -> tuple[str, ...]:
        """Words beyond the paper's 41, appended after id 40."""
        return ()

    @property
    def words(self) -> tuple[str, ...]:
        return extend_vocab(PAPER_VOCAB, self.extra_words())

    @property
    def tokenizer(self):
        if self._tokenizer is None:
            self._tokenizer = build_tokenizer(self.words)
        return self._tokenizer

    def options(self) -> dict:
        return {"canonical": self.canonical, "seed": self.seed}

    # field spelling ----------------------------------------------------------------------------------
    def spell(self, fields: list[Field]) -> Spell:
        return paper_spelling(fields)

    def reader(self, fields: list[Field]) -> FieldReader:
        return PaperFieldReader(fields)

    # the contract ------------------------------------------------------------------------------------
    def source_tokens(self, fields: list[Field]) -> list[str]:
        return render_fields(fields)

    def target_tokens(self, lagrangian: Lagrangian, rng: random.Random | None = None) -> list[str]:
        fields = lagrangian.fields
        if self.canonical:
            return render_terms(canonical_order(lagrangian.terms, fields), fields, None, self.spell(fields))
        return render_terms(lagrangian.terms, fields, rng or self._rng, self.spell(fields))

    def parse_target(self, tokens: list[str], fields: list[Field]) -> ParsedLagrangian:
        return parse_terms(tokens, fields, self.reader(fields))

    def to_paper_tokens(
        self, parsed: ParsedLagrangian, fields: list[Field], spelling: ChargeSpelling | None = None
    ) -> list[str]:
        """Canonical-ID paper words of this scheme's parsed output (for the paper's metric). ``spelling``:
        the row's out-of-distribution charge spellings (``U1 2 / 4``), so that the words are written like a
        target encoded with the same spelling (``encode(..., spelling=)``)."""
        return respell_tokens(to_paper_tokens(parsed, fields, self.reader(fields)), spelling)


class PaperScheme(WordScheme):
    """The paper's format: quantum numbers spelled digit by digit on both sides, random IDs per term."""

    name = "paper"
    writes_paper_words = True


class PaperCanonicalScheme(WordScheme):
    """The paper's format with canonical IDs (ID0, ID1, ... per term) and canonical term order."""

    name = "paper_canonical"
    writes_paper_words = True

    def __init__(self, canonical: bool = True, seed: int = 0):
        super().__init__(canonical=canonical, seed=seed)


NUM = "[NUM]"


class NumericU1Scheme(WordScheme):
    """Each input hypercharge is one ``[NUM]`` word; its value travels beside the ids as a float.

    ``FIELD SPIN 0 SU2 2 U1 [NUM]`` with ``u1_values`` = 1/2 at the [NUM] position. The target still spells
    charges digit by digit, as in ``paper``.
    """

    name = "numeric_u1"
    has_values = True

    def extra_words(self) -> tuple[str, ...]:
        return (NUM,)

    @staticmethod
    def _field_words(f: Field) -> tuple[list[str], list[float]]:
        words = render_paper_field(f, spaced=True).split()
        if f.u1 == 0:
            return words, [0.0] * len(words)
        start = words.index("U1") + 1
        end = words.index("HEL") if "HEL" in words else len(words)
        words = [*words[:start], NUM, *words[end:]]
        values = [0.0] * len(words)
        values[start] = float(Fraction(f.u1))
        return words, values

    def source_tokens(self, fields: list[Field]) -> list[str]:
        return [w for f in fields for w in self._field_words(f)[0]]

    def source_values(self, fields: list[Field]) -> list[float]:
        return [v for f in fields for v in self._field_words(f)[1]]
