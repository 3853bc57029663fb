"""The term grammar of paper.md §4.3, read back into ``Term`` objects without ever raising.

    Lagrangian   := Term+
    Term         := SIGN ['i'] Object+ [Contractions]
    Object       := FieldObj ID | 'DERIVATIVE' ['SU3'] ['SU2'] ['U1'] ID | 'SIGMA_BAR' ID
                  | 'COMMUTATOR_A' | 'COMMUTATOR_B'
    Contractions := 'CONTRACTIONS' (('LORENTZ' | 'SU3' | 'SU2') ID+)*

How a field occurrence is spelled (``FieldObj``) is the only thing that differs between schemes: the
paper spells quantum numbers, ``field_refs`` a label ``F3``, ``opaque`` one word per field. A
``FieldReader`` supplies it.

Parsing is two steps: split the stream into terms at a sign followed by an object start (paper.md §6), then
lex each term into objects + contraction entries and recognise one of the term shapes the renderer writes.
Anything else becomes ``ParsedTerm(valid=False, reason=...)``. Physics (gauge invariance, index counting)
is left to ``src.physics.verify.verify_term`` when that module exists.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cache
from typing import Protocol

from src.physics.fields import Field
from src.physics.terms import GAUGE_GROUPS, KIND_BY_FACTORS, Contraction, Factor, Term

from .base import EOS, PAD, SOS, ParsedLagrangian, ParsedTerm

SIGNS = ("+", "-")
TERM_STARTS = ("FIELD", "DERIVATIVE", "COMMUTATOR_A", "i")
CONTRACTION_GROUPS = ("LORENTZ", "SU3", "SU2")
ID_PATTERN = re.compile(r"ID[0-9]")
EPSILON_SIZE = {"SU3": 3, "SU2": 2, "LORENTZ": 2}  # indices of one ε-tensor in interaction terms
HALF = Fraction(1, 2)


class TermError(Exception):
    """A term that does not follow the grammar. ``incomplete`` when the tokens ran out mid-term."""

    def __init__(self, reason: str, incomplete: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.incomplete = incomplete


class FieldReader(Protocol):
    """How one scheme spells a field occurrence (without its ID)."""

    def starts(self, token: str) -> bool:
        """Whether ``token`` opens a field object (used to split terms and lex objects)."""

    def read(self, tokens: list[str], i: int) -> tuple[Factor, int]:
        """Read the object at ``tokens[i]`` (DAGGER included) -> (factor, next index); TermError if bad."""


@dataclass
class Obj:
    """One lexed object: kind in {field, derivative, sigma, commutator_a, commutator_b, i}."""

    kind: str
    id: str | None = None
    factor: Factor | None = None
    groups: tuple[str, ...] = ()


@dataclass
class LexedTerm:
    sign: str
    objects: list[Obj] = field(default_factory=list)
    entries: list[tuple[str, list[str]]] | None = None  # None: no CONTRACTIONS token at all


# ---------------------------------------------------------------------------------------------------------
# Splitting


def strip_specials(tokens: list[str]) -> tuple[list[str], bool]:
    """Drop [SOS]/[PAD], stop at the first [EOS]. Returns (words, whether an [EOS] was seen)."""
    out = []
    for t in tokens:
        if t == EOS:
            return out, True
        if t not in (SOS, PAD):
            out.append(t)
    return out, False


def split_scheme_terms(tokens: list[str], reader: FieldReader) -> list[list[str]]:
    """Cut at every sign followed by an object start (a ``-`` inside ``U1 - 1`` is followed by a digit).

    A sign as the very last token also opens a (necessarily incomplete) term, so that an output cut right
    after a sign does not spoil the term before it.
    """
    terms: list[list[str]] = []
    n = len(tokens)
    for i, t in enumerate(tokens):
        nxt = tokens[i + 1] if i + 1 < n else None
        starts = t in SIGNS and (nxt is None or nxt in TERM_STARTS or reader.starts(nxt))
        if starts or not terms:
            terms.append([])
        terms[-1].append(t)
    return terms


def split_at_term_signs(words: list[str]) -> list[list[str]]:
    """Words cut into terms at every sign that follows an ID or opens the sequence (a sign inside a number,
    ``U1 - 1``, follows a word). Needs no field reader, so it also cuts what does not parse."""
    terms: list[list[str]] = []
    after_id = True
    for w in words:
        if (w in SIGNS and after_id) or not terms:
            terms.append([])
        terms[-1].append(w)
        after_id = ID_PATTERN.fullmatch(w) is not None
    return terms


def renumber_term_ids(words: list[str]) -> list[str]:
    """Each term's IDs renumbered ID0, ID1, ... in order of first appearance; every other word kept.
    Random-ID targets become the canonical-ID spelling of the same terms."""
    out: list[str] = []
    for term in split_at_term_signs(words):
        seen: dict[str, str] = {}
        out += [seen.setdefault(w, f"ID{len(seen)}") if ID_PATTERN.fullmatch(w) else w for w in term]
    return out


# ---------------------------------------------------------------------------------------------------------
# Lexing one term


def _need(tokens: list[str], i: int, what: str) -> str:
    if i >= len(tokens):
        raise TermError(f"term ends where {what} was expected", incomplete=True)
    return tokens[i]


def read_id(tokens: list[str], i: int, owner: str) -> str:
    t = _need(tokens, i, f"an ID after {owner}")
    if not ID_PATTERN.fullmatch(t):
        raise TermError(f"expected an ID after {owner}, found {t!r} at {i}")
    return t


def _read_entries(tokens: list[str], i: int) -> list[tuple[str, list[str]]]:
    entries: list[tuple[str, list[str]]] = []
    while i < len(tokens):
        group = tokens[i]
        if group not in CONTRACTION_GROUPS:
            raise TermError(f"expected LORENTZ, SU3 or SU2 in the contractions, found {group!r} at {i}")
        i += 1
        ids = []
        while i < len(tokens) and ID_PATTERN.fullmatch(tokens[i]):
            ids.append(tokens[i])
            i += 1
        if not ids:
            raise TermError(f"contraction {group} lists no ID", incomplete=i >= len(tokens))
        entries.append((group, ids))
    return entries


def _read_derivative(tokens: list[str], i: int) -> tuple[Obj, int]:
    groups: list[str] = []
    j = i + 1
    while j < len(tokens) and tokens[j] in GAUGE_GROUPS:
        g = tokens[j]
        if groups and GAUGE_GROUPS.index(g) <= GAUGE_GROUPS.index(groups[-1]):
            raise TermError(f"derivative groups out of order or repeated at {j}")
        groups.append(g)
        j += 1
    return Obj("derivative", read_id(tokens, j, "DERIVATIVE"), groups=tuple(groups)), j + 1


def lex_term(tokens: list[str], reader: FieldReader) -> LexedTerm:
    """Objects and contraction entries of one term (tokens[0] is its sign)."""
    if not tokens or tokens[0] not in SIGNS:
        raise TermError("a term must start with + or -")
    lexed = LexedTerm(tokens[0])
    i = 1
    while i < len(tokens):
        t = tokens[i]
        if t == "CONTRACTIONS":
            lexed.entries = _read_entries(tokens, i + 1)
            break
        if t in ("i", "COMMUTATOR_A", "COMMUTATOR_B"):
            lexed.objects.append(Obj(t.lower()))
            i += 1
        elif t == "DERIVATIVE":
            obj, i = _read_derivative(tokens, i)
            lexed.objects.append(obj)
        elif t == "SIGMA_BAR":
            lexed.objects.append(Obj("sigma", read_id(tokens, i + 1, "SIGMA_BAR")))
            i += 2
        elif reader.starts(t):
            factor, j = reader.read(tokens, i)
            lexed.objects.append(Obj("field", read_id(tokens, j, "a field"), factor=factor))
            i = j + 1
        else:
            raise TermError(f"unexpected token {t!r} at {i}")
    if not lexed.objects:
        raise TermError("a term without objects", incomplete=len(tokens) == 1)
    return lexed


# ---------------------------------------------------------------------------------------------------------
# Recognising the term shapes


def _slot_of(lexed: LexedTerm) -> dict[str, int]:
    """ID -> object position; every ID is defined once."""
    slots: dict[str, int] = {}
    for k, obj in enumerate(lexed.objects):
        if obj.id is None:
            continue
        if obj.id in slots:
            raise TermError(f"{obj.id} labels two objects")
        slots[obj.id] = k
    for _, ids in lexed.entries or []:
        for x in ids:
            if x not in slots:
                raise TermError(f"dangling {x}: no object carries it")
    return slots


def _helicity(f: Field, conjugate: bool) -> Fraction | None:
    if f.helicity is None:
        return None
    return -f.helicity if conjugate else f.helicity


def _expect_entries(lexed: LexedTerm, expected: list[tuple[str, list[int]]], slots: dict[str, int]) -> None:
    """The block must hold exactly these entries (each compared as a multiset of object positions)."""
    if lexed.entries is None:
        raise TermError("missing CONTRACTIONS block")
    got = sorted((g, sorted(slots[x] for x in ids)) for g, ids in lexed.entries)
    if got != sorted((g, sorted(ids)) for g, ids in expected):
        raise TermError("contractions do not match the term's structure")


def _delta_groups(f: Field) -> list[str]:
    """Groups carrying a δ pairing in kinetic terms: SU3, SU2 when non-trivial (U1 never contracts)."""
    return [g for g, rep in (("SU3", f.su3), ("SU2", f.su2)) if rep.dim > 1]


def _kinetic_field(lexed: LexedTerm, fields: list[Field], first: Obj, second: Obj) -> int:
    a, b = first.factor, second.factor
    if a.field != b.field or a.conjugate == b.conjugate:
        raise TermError("a kinetic term needs one field and its conjugate")
    if lexed.sign != "+":
        raise TermError("a kinetic term starts with +")
    groups = fields[a.field].charged_groups
    for obj in lexed.objects:
        if obj.kind == "derivative" and obj.groups != groups:
            raise TermError("the derivative must list the groups of the field it acts on")
    return a.field


def _scalar_kinetic(lexed: LexedTerm, fields: list[Field]) -> Term:
    d1, phi_bar, d2, phi = lexed.objects
    i = _kinetic_field(lexed, fields, phi_bar, phi)
    f = fields[i]
    if not f.is_scalar or not phi_bar.factor.conjugate:
        raise TermError("a scalar kinetic term is D φ† D φ")
    slots = _slot_of(lexed)
    deltas = _delta_groups(f)
    _expect_entries(lexed, [("LORENTZ", [0, 2])] + [(g, [1, 3]) for g in deltas], slots)
    factors = (phi_bar.factor, phi.factor)
    return Term("scalar_kinetic", factors, tuple(Contraction(g, (0, 1)) for g in deltas))


def _fermion_kinetic(lexed: LexedTerm, fields: list[Field]) -> Term:
    _, psi_r, _, _, psi_l = lexed.objects
    i = _kinetic_field(lexed, fields, psi_r, psi_l)
    f = fields[i]
    if not f.is_fermion:
        raise TermError("a fermion kinetic term needs a spin-1/2 field")
    if _helicity(f, psi_r.factor.conjugate) != HALF:
        raise TermError("the first object of i ψ σ̄ D ψ must have HEL 1/2")
    slots = _slot_of(lexed)
    deltas = _delta_groups(f)
    expected = [("LORENTZ", [2, 3]), ("LORENTZ", [1, 2, 4])] + [(g, [1, 4]) for g in deltas]
    _expect_entries(lexed, expected, slots)
    factors = (psi_r.factor, psi_l.factor)
    return Term("fermion_kinetic", factors, tuple(Contraction(g, (0, 1)) for g in deltas))


def _gauge_kinetic(lexed: LexedTerm) -> Term:
    derivs = lexed.objects[1::2]
    groups = {d.groups for d in derivs}
    if len(groups) != 1 or len(derivs[0].groups) != 1:
        raise TermError("a field-strength term needs four derivatives of one single group")
    if lexed.sign != "-":
        raise TermError("a gauge kinetic term starts with -")
    slots = _slot_of(lexed)
    _expect_entries(lexed, [("LORENTZ", [1, 5]), ("LORENTZ", [3, 7])], slots)
    return Term("gauge_kinetic", group=derivs[0].groups[0])


def _field_term_kind(lexed: LexedTerm, fields: list[Field]) -> str:
    n_s = sum(fields[o.factor.field].is_scalar for o in lexed.objects)
    n_f = len(lexed.objects) - n_s
    kind = KIND_BY_FACTORS.get((n_s, n_f))
    if kind is None:
        raise TermError(f"no renormalizable term has {n_s} scalars and {n_f} fermions")
    sign = "-" if kind == "fermion_mass" else "+"
    if lexed.sign != sign:
        raise TermError(f"a {kind} term starts with {sign}")
    return kind


def _check_pairings(contractions: list[Contraction], f: Field) -> None:
    """A 2-field term pairs its objects once per group acting on them (LORENTZ for fermions), in order."""
    expected = (["LORENTZ"] if f.is_fermion else []) + _delta_groups(f)
    if [c.group for c in contractions] != expected:
        raise TermError(f"a 2-field term of this field pairs {' '.join(expected) or 'nothing'}")


def _field_term(lexed: LexedTerm, fields: list[Field]) -> Term:
    """Interactions (ε entries, block omitted when empty) and 2-field masses (δ entries, block always)."""
    kind = _field_term_kind(lexed, fields)
    slots = _slot_of(lexed)
    two_field = len(lexed.objects) == 2
    if two_field and lexed.entries is None:
        raise TermError("a 2-field term always has a CONTRACTIONS block")
    if not two_field and lexed.entries == []:
        raise TermError("an interaction without contractions omits the CONTRACTIONS block")
    contractions = []
    for group, ids in lexed.entries or []:
        s = tuple(slots[x] for x in ids)
        if two_field:
            if sorted(s) != [0, 1]:
                raise TermError(f"a 2-field term pairs its two objects: {group} {' '.join(ids)}")
            s = (0, 1)
        elif len(s) != EPSILON_SIZE[group]:
            raise TermError(f"an ε of {group} takes {EPSILON_SIZE[group]} indices, got {len(s)}")
        contractions.append(Contraction(group, s))
    if two_field:
        _check_pairings(contractions, fields[lexed.objects[0].factor.field])
    return Term(kind, tuple(o.factor for o in lexed.objects), tuple(contractions))


_SHAPES = {
    ("commutator_a", "derivative", "commutator_b", "derivative") * 2: "gauge",
    ("i", "field", "sigma", "derivative", "field"): "fermion_kinetic",
    ("derivative", "field", "derivative", "field"): "scalar_kinetic",
}


def build_term(lexed: LexedTerm, fields: list[Field]) -> Term:
    shape = tuple(o.kind for o in lexed.objects)
    which = _SHAPES.get(shape)
    if which == "gauge":
        return _gauge_kinetic(lexed)
    if which == "fermion_kinetic":
        return _fermion_kinetic(lexed, fields)
    if which == "scalar_kinetic":
        return _scalar_kinetic(lexed, fields)
    if all(k == "field" for k in shape):
        return _field_term(lexed, fields)
    raise TermError("unrecognised sequence of objects: " + " ".join(shape))


# ---------------------------------------------------------------------------------------------------------
# Physics check (optional: the oracle's verify_term)


@cache
def _verifier():
    try:
        from src.physics.verify import verify_term
    except Exception:  # not written yet, or broken: grammar-only parsing
        return None
    return verify_term


def physics_reason(term: Term, fields: list[Field]) -> str | None:
    """Why ``verify_term`` rejects the term, or None (also when the verifier is not available)."""
    verify_term = _verifier()
    if verify_term is None:
        return None
    try:
        result = verify_term(term, fields)
    except Exception as e:  # a verifier crash must not crash parsing
        return f"verify_term failed: {type(e).__name__}: {e}"
    return _reason_from(result)


def _reason_from(result) -> str | None:
    """Read the plausible verifier results: None/True ok, False, a reason, (ok, reason), .valid/.reason."""
    if result is None or result is True:
        return None
    if result is False:
        return "rejected by verify_term"
    if isinstance(result, str):
        return result or None
    if isinstance(result, tuple) and result and isinstance(result[0], bool):
        return None if result[0] else str(result[1] if len(result) > 1 else "rejected by verify_term")
    if hasattr(result, "valid"):  # the oracle's Verdict(valid, reason, detail)
        if result.valid:
            return None
        reason = str(getattr(result, "reason", None) or "rejected by verify_term")
        detail = getattr(result, "detail", "")
        return f"{reason} ({detail})" if detail else reason
    return None if result else "rejected by verify_term"


# ---------------------------------------------------------------------------------------------------------


def parse_term(
    tokens: list[str], fields: list[Field], reader: FieldReader, verify: bool = True
) -> ParsedTerm:
    """One term's tokens -> ParsedTerm. Never raises."""
    try:
        term = build_term(lex_term(tokens, reader), fields)
    except TermError as e:
        return ParsedTerm(list(tokens), None, False, ("incomplete: " if e.incomplete else "") + e.reason)
    except Exception as e:  # last line of defence: the parser must never raise on model output
        return ParsedTerm(list(tokens), None, False, f"unreadable term ({type(e).__name__}: {e})")
    reason = physics_reason(term, fields) if verify else None
    return ParsedTerm(list(tokens), term, reason is None, reason)


def parse_terms(tokens, fields: list[Field], reader: FieldReader, verify: bool = True) -> ParsedLagrangian:
    """A whole output -> ParsedLagrangian. ``truncated`` when the last term was cut mid-way."""
    try:
        if isinstance(tokens, str):  # a whole line of words
            tokens = tokens.split()
        words, _ = strip_specials([str(t) for t in tokens])
        parsed = [parse_term(t, fields, reader, verify) for t in split_scheme_terms(words, reader)]
    except Exception as e:  # pragma: no cover - defensive
        return ParsedLagrangian([ParsedTerm(list(map(str, tokens)), None, False, f"unreadable ({e})")], True)
    truncated = bool(parsed) and not parsed[-1].valid and (parsed[-1].reason or "").startswith("incomplete")
    return ParsedLagrangian(parsed, truncated)
