"""The paper's token format (paper.md §3-4): Lagrangians and field lists to words and back.

A term is a sign, its objects each followed by an ID, and a contraction block naming objects by ID:

    + FIELD SPIN 0 SU2 2 U1 - 1 DAGGER ID6 FIELD SPIN 0 SU2 2 U1 1 ID7 CONTRACTIONS SU2 ID6 ID7

IDs are drawn per term without replacement from 0-9 (``rng.sample(range(10), n)``, as the paper did) or,
with ``rng=None``, assigned canonically ID0, ID1, ... in order of appearance. Conjugates carry conjugated
representations *and* DAGGER. Interaction terms write ε entries (``SU3 IDa IDa IDb`` for 3̄·3) and omit
an empty block; kinetic and 2-field terms write 2-ID δ entries, and a scalar mass always has its block,
even bare.

The way a field occurrence is spelled is a parameter (``spell``/``reader``) so that the ablation schemes reuse
this grammar with shorter field words.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from fractions import Fraction
from functools import cache

from src.physics.fields import HALF, Field, FieldError, parse_fraction, parse_short_fields
from src.physics.groups import SU2Rep, SU3Rep
from src.physics.lagrangian import gauge_groups
from src.physics.terms import KINETIC_KINDS, MATTER_KINETIC_KINDS, SECTION_OF, Factor, Lagrangian, Term

from .base import ParsedLagrangian
from .grammar import ID_PATTERN, FieldReader, TermError, parse_terms
from .spelling import number_words, spaced

Spell = Callable[[Factor], Sequence[str]]  # the words of one field occurrence, DAGGER included, ID excluded
N_IDS = 10
ID_WORDS = tuple(f"ID{k}" for k in range(N_IDS))


# ---------------------------------------------------------------------------------------------------------
# Input side: ``FIELD SPIN 0 SU2 2 U1 1 FIELD SPIN 1/2 SU3 3 SU2 2 U1 1/3 HEL -1/2`` (numbers spaced or not:
# ``U1 - 1 / 3`` equals ``U1 -1/3``), optionally wrapped in [SOS] ... [EOS]
_KEYWORDS = {"FIELD", "SPIN", "SU3", "SU2", "U1", "HEL"}


def _number_tokens(tokens: list[str], i: int) -> tuple[str, int]:
    """The words from token i up to the next keyword, joined by spaces: a (possibly spaced) number when the
    input is well formed. Unlike ``number_words`` (which stops at the first non-number word) it keeps a stray
    word, so that ``parse_fraction`` names it in the error (``U1 1/3x``: 'x' is not part of a number)."""
    j = i
    parts = []
    while j < len(tokens) and tokens[j] not in _KEYWORDS:
        parts.append(tokens[j])
        j += 1
    return " ".join(parts), j


def parse_paper_fields(text: str) -> list[Field]:
    """Parse ``FIELD SPIN 0 SU2 2 U1 1 FIELD ...`` (optionally wrapped in [SOS] ... [EOS]).

    Raises FieldError naming the offending token and its 0-based token position.
    """
    tokens = [t for t in text.split() if t not in ("[SOS]", "[EOS]", "[PAD]")]
    if not tokens:
        raise FieldError("empty field list")
    fields: list[Field] = []
    i = 0
    while i < len(tokens):
        if tokens[i] != "FIELD":
            raise FieldError(f"expected FIELD, found {tokens[i]!r}", i)
        start = i
        i += 1
        if i >= len(tokens) or tokens[i] != "SPIN":
            raise FieldError("FIELD must be followed by SPIN", i)
        i += 1
        spin_text, j = _number_tokens(tokens, i)
        if not spin_text:
            raise FieldError("SPIN needs a value", i)
        spin = parse_fraction(spin_text, i)
        if spin not in (0, HALF):
            raise FieldError(f"spin {spin_text.replace(' ', '')} is not supported (only 0 and 1/2)", i)
        i = j
        su3, su2, u1, hel = SU3Rep(0, 0), SU2Rep(1), Fraction(0), None
        seen: set[str] = set()
        while i < len(tokens) and tokens[i] != "FIELD":
            key = tokens[i]
            if key not in ("SU3", "SU2", "U1", "HEL"):
                raise FieldError(f"unexpected token {key!r}", i)
            if key in seen:
                raise FieldError(f"{key} given twice in one field", i)
            seen.add(key)
            value, j = _number_tokens(tokens, i + 1)
            if not value:
                raise FieldError(f"{key} needs a value", i + 1)
            try:
                if key == "SU3":
                    su3 = SU3Rep.from_name(value.replace(" ", ""))
                elif key == "SU2":
                    su2 = SU2Rep.from_name(value.replace(" ", ""))
                elif key == "U1":
                    u1 = parse_fraction(value, i + 1)
                else:
                    hel = parse_fraction(value, i + 1)
                    if hel not in (-HALF, HALF):
                        raise FieldError(f"helicity {value.replace(' ', '')} must be -1/2 or 1/2", i + 1)
            except FieldError:
                raise
            except ValueError as e:
                raise FieldError(str(e), i + 1) from None
            i = j
        if spin == 0 and hel is not None:
            raise FieldError("a scalar cannot carry a helicity (HEL)", start)
        if spin == HALF and hel is None:
            raise FieldError("a spin-1/2 field needs HEL -1/2 or HEL 1/2", start)
        fields.append(Field(spin, su3, su2, u1, hel, name=f"F{len(fields)}"))
    return fields


def parse_fields(text: str) -> list[Field]:
    """Parse either syntax (auto-detected: the paper's syntax starts with FIELD or [SOS])."""
    stripped = text.strip()
    if stripped.startswith("FIELD") or stripped.startswith("[SOS]"):
        return parse_paper_fields(stripped)
    return parse_short_fields(stripped)


def _digits(q: Fraction) -> str:
    """Spaced digit form used by the paper: -1/3 -> '- 1 / 3', 12 -> '1 2'."""
    return " ".join(spaced(str(q)))


def render_paper_field(f: Field, conjugate: bool = False, spaced: bool = True) -> str:
    """One field in the paper's input/output format, without ID (and with DAGGER when conjugated).

    Order is SPIN, SU3, SU2, U1, HEL; trivial reps and zero charge are omitted.
    ``spaced=False`` gives the compact input form ``SPIN 1/2 ... U1 -1/3 HEL -1/2``.
    """
    g = f.conjugate() if conjugate else f
    num = _digits if spaced else str
    parts = ["FIELD", "SPIN", num(g.spin)]
    if g.su3.dim > 1:
        parts += ["SU3", num(int(g.su3.name))]
    if g.su2.dim > 1:
        parts += ["SU2", num(g.su2.n)]
    if g.u1 != 0:
        parts += ["U1", num(g.u1)]
    if g.helicity is not None:
        parts += ["HEL", num(g.helicity)]
    if conjugate:
        parts.append("DAGGER")
    return " ".join(parts)


def render_fields(fields: list[Field]) -> list[str]:
    """Input words, numbers digit by digit: ``FIELD SPIN 1 / 2 SU3 3 SU2 2 U1 1 / 3 HEL - 1 / 2``."""
    return [w for f in fields for w in _field_words(f, False)]


def parse_fields_tokens(tokens: list[str]) -> list[Field]:
    """Input words (spaced or compact numbers, optional [SOS]/[EOS]) -> fields. Raises FieldError."""
    return parse_paper_fields(" ".join(tokens))


# ---------------------------------------------------------------------------------------------------------
# Rendering


@cache
def _field_words(f: Field, conjugate: bool) -> tuple[str, ...]:
    return tuple(render_paper_field(f, conjugate=conjugate).split())


def paper_spelling(fields: list[Field]) -> Spell:
    """Spell a factor with its quantum numbers (conjugated, plus DAGGER, for a conjugate)."""

    words: list[list] = [[None, None] for _ in fields]  # a field's spelling is the same in every term

    def spell(factor: Factor) -> tuple[str, ...]:
        known = words[factor.field]
        if known[factor.conjugate] is None:
            known[factor.conjugate] = _field_words(fields[factor.field], factor.conjugate)
        return known[factor.conjugate]

    return spell


def draw_ids(rng: random.Random, n: int) -> list[int]:
    """``rng.sample(range(N_IDS), n)``: the same numbers from the same generator state, without the general
    function's overhead (the pool algorithm ``random.sample`` uses for a population this small; a test
    holds the two equal)."""
    if not 0 <= n <= N_IDS:
        raise ValueError(f"cannot draw {n} distinct IDs from {N_IDS}")
    pool = list(range(N_IDS))
    out = []
    bits = rng.getrandbits
    for i in range(n):
        m = N_IDS - i
        k = m.bit_length()
        j = bits(k)
        while j >= m:
            j = bits(k)
        out.append(pool[j])
        pool[j] = pool[m - 1]
    return out


def term_ids(n: int, rng: random.Random | None) -> list[str]:
    """The IDs of a term's n objects: canonical ID0..ID(n-1), or drawn without replacement from 0-9."""
    if rng is None:
        return list(ID_WORDS[:n])
    return [ID_WORDS[k] for k in draw_ids(rng, n)]


def _entries(term: Term, slot_ids: list[str]) -> list[str]:
    out = []
    for c in term.contractions:
        out.append(c.group)
        out += [slot_ids[s] for s in c.slots]
    return out


def _render_field_term(term: Term, spell: Spell, ids: list[str]) -> list[str]:
    words = ["-" if term.kind == "fermion_mass" else "+"]
    for factor, id_ in zip(term.factors, ids):
        words += spell(factor)
        words.append(id_)
    # 2-field terms always carry the block (the paper's bare trailing CONTRACTIONS); interactions if needed
    if term.contractions or len(term.factors) == 2:
        words.append("CONTRACTIONS")
        words += _entries(term, ids)
    return words


def _render_scalar_kinetic(term: Term, fields: list[Field], spell: Spell, ids: list[str]) -> list[str]:
    """(Dφ)†(Dφ): ``+ DERIVATIVE G d1 φ† p1 DERIVATIVE G d2 φ p2 CONTRACTIONS LORENTZ d1 d2 [SU3 p1 p2]``"""
    d1, p1, d2, p2 = ids
    groups = list(fields[term.factors[0].field].charged_groups)
    words = ["+", "DERIVATIVE", *groups, d1, *spell(term.factors[0]), p1]
    words += ["DERIVATIVE", *groups, d2, *spell(term.factors[1]), p2]
    return words + ["CONTRACTIONS", "LORENTZ", d1, d2, *_entries(term, [p1, p2])]


def _render_fermion_kinetic(term: Term, fields: list[Field], spell: Spell, ids: list[str]) -> list[str]:
    """i ψ_R σ̄^μ D_μ ψ_L: the HEL +1/2 object first; σ̄ carries one vector and two spinor indices."""
    p1, s, d, p2 = ids
    groups = list(fields[term.factors[0].field].charged_groups)
    words = ["+", "i", *spell(term.factors[0]), p1, "SIGMA_BAR", s, "DERIVATIVE", *groups, d]
    words += [*spell(term.factors[1]), p2]
    return words + ["CONTRACTIONS", "LORENTZ", s, d, "LORENTZ", s, p1, p2, *_entries(term, [p1, p2])]


def _render_gauge_kinetic(term: Term, ids: list[str]) -> list[str]:
    """-1/4 F F written as -[D_μ, D_ν][D^μ, D^ν]: the μ indices pair a with c, the ν indices b with d."""
    a, b, c, d = ids
    g = term.group
    words = ["-"]
    for commutator, id_ in zip(("COMMUTATOR_A", "COMMUTATOR_B") * 2, ids):
        words += [commutator, "DERIVATIVE", g, id_]
    return words + ["CONTRACTIONS", "LORENTZ", a, c, "LORENTZ", b, d]


def n_objects(term: Term) -> int:
    """Objects carrying an ID: the factors, or the 4 of a kinetic / field-strength term."""
    return 4 if term.kind in KINETIC_KINDS else len(term.factors)


def render_term(
    term: Term, fields: list[Field], rng: random.Random | None = None, spell: Spell | None = None
) -> list[str]:
    """One term in the paper's words. ``rng`` draws its IDs; None: canonical IDs in order of appearance."""
    spell = spell or paper_spelling(fields)
    ids = term_ids(n_objects(term), rng)
    if term.kind == "gauge_kinetic":
        return _render_gauge_kinetic(term, ids)
    if term.kind == "scalar_kinetic":
        return _render_scalar_kinetic(term, fields, spell, ids)
    if term.kind == "fermion_kinetic":
        return _render_fermion_kinetic(term, fields, spell, ids)
    return _render_field_term(term, spell, ids)


def render_terms(
    terms: list[Term], fields: list[Field], rng: random.Random | None = None, spell: Spell | None = None
) -> list[str]:
    spell = spell or paper_spelling(fields)
    words: list[str] = []
    for t in terms:
        words += render_term(t, fields, rng, spell)
    return words


def render_lagrangian(
    lagrangian: Lagrangian, rng: random.Random | None = None, spell: Spell | None = None
) -> list[str]:
    """All terms in the Lagrangian's order (interactions, kinetic, gauge kinetic, masses)."""
    return render_terms(lagrangian.terms, lagrangian.fields, rng, spell)


def term_length(term: Term, fields: list[Field], spelled: Callable[[Factor], int]) -> int:
    """``len(render_term(term, fields, rng, spell))`` without writing the words, from ``spelled(factor)`` =
    ``len(spell(factor))``: every ID is one word, so the length is the same whatever IDs are drawn (a test
    holds the two equal for every kind)."""
    entries = sum(1 + len(c.slots) for c in term.contractions)
    if term.kind == "gauge_kinetic":
        return 24
    if term.kind in MATTER_KINETIC_KINDS:
        groups = len(fields[term.factors[0].field].charged_groups)
        words = spelled(term.factors[0]) + spelled(term.factors[1])
        fixed = 11 + groups if term.kind == "scalar_kinetic" else 16
        return fixed + groups + words + entries
    length = 1 + sum(1 + spelled(f) for f in term.factors)
    return length + (1 + entries if term.contractions or len(term.factors) == 2 else 0)


def lagrangian_length(lagrangian: Lagrangian, spell: Spell | None = None) -> int:
    """``len(render_lagrangian(lagrangian))``, counted without rendering (a dataset's length cap uses it)."""
    fields = lagrangian.fields
    spell = spell or paper_spelling(fields)  # each factor's words are looked up once, then kept

    def spelled(factor: Factor) -> int:
        return len(spell(factor))

    return sum(term_length(t, fields, spelled) for t in lagrangian.terms)


# ---------------------------------------------------------------------------------------------------------
# Parsing


def _read_number(tokens: list[str], i: int) -> tuple[str, int]:
    """``number_words``, with a TermError where no number starts at ``i``."""
    text, j = number_words(tokens, i)
    if not text:
        raise TermError(f"a number was expected at {i}", incomplete=i >= len(tokens))
    return text, j


def _rational(text: str, what: str) -> Fraction:
    """A number a model wrote, read as the input syntax reads one (``parse_fraction``); a TermError if not."""
    try:
        return parse_fraction(text, 0)
    except FieldError:
        raise TermError(f"{what} {text!r} is not a number") from None


class PaperFieldReader:
    """Reads ``FIELD SPIN s [SU3 r] [SU2 r] [U1 q] [HEL h] [DAGGER]`` and finds the input field it names.

    A DAGGER object must spell the *conjugated* quantum numbers of an input field; without DAGGER, the field's
    own. With two identical input fields the first one is taken (the paper's format cannot tell them apart).
    """

    def __init__(self, fields: list[Field]):
        self.index: dict[tuple, int] = {}
        for k, f in enumerate(fields):
            self.index.setdefault((f.quantum_numbers(), False), k)
            self.index.setdefault((f.conjugate().quantum_numbers(), True), k)

    def starts(self, token: str) -> bool:
        return token == "FIELD"

    def read(self, tokens: list[str], i: int) -> tuple[Factor, int]:
        if i + 1 >= len(tokens) or tokens[i + 1] != "SPIN":
            raise TermError(f"FIELD must be followed by SPIN at {i + 1}", incomplete=i + 1 >= len(tokens))
        spin_text, j = _read_number(tokens, i + 2)
        if spin_text not in ("0", "1/2"):
            raise TermError(f"SPIN {spin_text} is not 0 or 1/2")
        values: dict[str, str] = {}
        for key in ("SU3", "SU2", "U1", "HEL"):  # fixed order, each at most once
            if j < len(tokens) and tokens[j] == key:
                values[key], j = _read_number(tokens, j + 1)
        dagger = j < len(tokens) and tokens[j] == "DAGGER"
        qn = self._quantum_numbers(spin_text, values)
        k = self.index.get((qn, dagger))
        if k is None:
            raise TermError(f"{' '.join(tokens[i : j + dagger])} is not an input field (or its conjugate)")
        return Factor(k, dagger), j + dagger

    @staticmethod
    def _quantum_numbers(spin_text: str, values: dict[str, str]) -> tuple:
        spin = _rational(spin_text, "SPIN")
        try:
            su3 = SU3Rep.from_name(values.get("SU3", "1"))
            su2 = SU2Rep.from_name(values.get("SU2", "1"))
        except ValueError as e:
            raise TermError(str(e)) from None
        if values.get("SU3") == "1" or values.get("SU2") == "1":
            raise TermError("a trivial representation is omitted, not written")
        u1 = _rational(values["U1"], "U1") if "U1" in values else Fraction(0)
        if "U1" in values and u1 == 0:
            raise TermError("a zero hypercharge is omitted, not written")
        hel = None
        if "HEL" in values:
            if values["HEL"] not in ("1/2", "-1/2"):
                raise TermError(f"HEL {values['HEL']} is not 1/2 or -1/2")
            hel = _rational(values["HEL"], "HEL")
        if (spin == 0) != (hel is None):
            raise TermError("a scalar has no HEL and a fermion needs one")
        return (spin, hel, su3.name, su2.n, u1)


def parse_lagrangian(tokens, fields: list[Field], verify: bool = True) -> ParsedLagrangian:
    """Paper-format words -> terms; malformed terms come back with valid=False and a reason. Never raises."""
    return parse_terms(tokens, fields, PaperFieldReader(fields), verify)


# ---------------------------------------------------------------------------------------------------------
# Scoring support: everything back to canonical paper words


def canonical_ids(words: list[str]) -> list[str]:
    """Renumber IDs in order of first appearance (ID-agnostic comparison of raw terms)."""
    seen: dict[str, str] = {}
    out = []
    for w in words:
        if ID_PATTERN.fullmatch(w):
            w = seen.setdefault(w, f"ID{len(seen)}")
        out.append(w)
    return out


def respell(words: list[str], reader: FieldReader, spell: Spell) -> list[str]:
    """Replace every field object ``reader`` can read by ``spell``'s words; leave everything else as is."""
    out: list[str] = []
    i = 0
    while i < len(words):
        if reader.starts(words[i]):
            try:
                factor, j = reader.read(words, i)
            except Exception:  # an unreadable object stays as raw words
                factor = None
            if factor is not None:
                out += spell(factor)
                i = j
                continue
        out.append(words[i])
        i += 1
    return out


def to_paper_tokens(
    parsed: ParsedLagrangian, fields: list[Field], reader: FieldReader | None = None
) -> list[str]:
    """Canonical-ID paper words of parsed terms, so that every scheme is scored with the paper's metric.

    Terms that were read (valid or not physically) are re-rendered; unreadable ones keep their raw words, with
    the field objects ``reader`` (the producing scheme's) recognises respelled in the paper's format.
    """
    spell = paper_spelling(fields)
    out: list[str] = []
    for pt in parsed.terms:
        if pt.term is not None:
            out += render_term(pt.term, fields, None, spell)
        else:
            words = respell(pt.tokens, reader, spell) if reader is not None else list(pt.tokens)
            out += canonical_ids(words)
    return out


# ---------------------------------------------------------------------------------------------------------
# Canonical term order (paper_canonical)


def canonical_order(terms: list[Term], fields: list[Field]) -> list[Term]:
    """A deterministic order that does not depend on how the producer listed the terms.

    Sections as in the paper (interactions, kinetic, gauge kinetic, masses); interactions and masses by
    (number of fields, factor multiset, canonical words); kinetic terms by input field; gauge kinetic terms
    by first appearance of their group over the input fields.
    """
    spell = paper_spelling(fields)
    groups = gauge_groups(fields)

    def key(t: Term) -> tuple:
        section = SECTION_OF[t.kind]
        if section == 2:
            return (section, groups.index(t.group) if t.group in groups else len(groups), t.group or "")
        if section == 1:
            return (section, t.factors[0].field, t.kind)
        return (section, len(t.factors), t.multiset(), tuple(render_term(t, fields, None, spell)))

    return sorted(terms, key=key)
