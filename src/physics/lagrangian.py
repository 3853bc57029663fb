"""The exact renormalizable Lagrangian of a list of fields (physics.md §2).

Factors are (field index, conjugate) pairs; a real scalar only has its unconjugated factor. Candidate
factor multisets of dimension ≤ 4 (φφ, φφφ, φφφφ, ψψ, ψψφ) are enumerated with cheap exact filters:

* U(1): charges scaled by the LCM of their denominators to integers; the last factor of every multiset is
  looked up by the charge that cancels the others (meet in the middle, no blind product);
* SU(3) triality (boxes mod 3), SU(2) box parity;
* Lorentz: the two fermion factors must have the same chirality after conjugation (both left or both right).

Survivors get their contraction structures from ``invariants.py`` (cached by signature). Kinetic and gauge
kinetic terms follow by rule. Term order and conventions: see the shared conventions (interactions sorted
by multiset with 3-field before 4-field, kinetic in input order, gauge kinetic by first appearance, masses).
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from .fields import Field
from .invariants import RepKey, key_contractions, rep_key
from .invariants import clear_caches as _clear_invariant_caches
from .terms import KIND_BY_FACTORS, Contraction, Factor, Lagrangian, Term

# independent: a maximal independent set; expanded: every distinct non-vanishing monomial; paper: one term
# per ID-free contraction signature, vanishing and redundant ones kept (the paper's released data)
BASES = ("independent", "expanded", "paper")


@dataclass(frozen=True)
class FactorInfo:
    """Cheap invariants of one factor used by the filters."""

    factor: Factor
    field: Field
    charge: int  # U(1) charge times the LCM of all denominators, negated when conjugate
    fermion: bool
    left: bool  # chirality after conjugation (fermions only)
    triality: int
    su2_boxes: int
    key: RepKey  # rep_key(field, conjugate): the factor's Young diagrams


def _factors(fields: Sequence[Field]) -> list[FactorInfo]:
    """All factors, sorted by (field, conjugate); a real scalar has no separate conjugate."""
    scale = math.lcm(*(f.u1.denominator for f in fields)) if fields else 1
    return [
        FactorInfo(Factor(i, conj), f, numerator * (scale // denominator), *rest)
        for i, f in enumerate(fields)
        for conj, numerator, denominator, *rest in _field_factors(f)
    ]


@cache
def _field_factors(f: Field) -> tuple[tuple, ...]:
    """(conjugate, U(1) numerator, denominator, fermion, left, triality, SU(2) boxes, rep key) of each factor
    (cached per field: the charge is scaled to the Lagrangian's common denominator by the caller)."""
    out = []
    for conj in (False, True) if not f.is_real else (False,):
        g = f.conjugate() if conj else f
        left = g.is_fermion and g.lorentz.left == 1
        q, key = g.u1, rep_key(f, conj)
        out.append((conj, q.numerator, q.denominator, f.is_fermion, left, g.su3.triality, g.su2.n - 1, key))
    return tuple(out)


def _class_code(charge: int, triality: int, su2_boxes: int) -> int:
    """One integer for (charge, triality mod 3, SU(2) box parity): charge * 6 + the pair of residues as one
    residue mod 6 (4 t + 3 b, the Chinese remainder map), so codes of a product add up residue-wise."""
    return charge * 6 + (4 * triality + 3 * su2_boxes) % 6


def _sum_code(a: int, b: int) -> int:
    """The class code of a product of two classes."""
    return (a - a % 6) + (b - b % 6) + (a % 6 + b % 6) % 6


def _complement(code: int) -> int:
    """The class code that completes ``code`` to a singlet: charge negated, residues negated."""
    return -(code - code % 6) + (-code) % 6


def candidate_multisets(infos: Sequence[FactorInfo]) -> list[tuple[int, ...]]:
    """Sorted index tuples of factor multisets of dimension ≤ 4 passing U(1), triality, SU(2), Lorentz.

    Each factor has a class: its charge, triality and SU(2) box parity (``_class_code``). A multiset can be a
    singlet of all three only if its classes add up to zero: a triple is a scalar pair plus the single
    scalar of the complementary class, a quartic two scalar pairs of complementary classes (each found
    once: the second pair starts at or after the first pair's end), a Yukawa a fermion pair plus a scalar.
    """
    code = [_class_code(f.charge, f.triality, f.su2_boxes) for f in infos]
    scalars = [k for k, f in enumerate(infos) if not f.fermion]
    fermions = [k for k, f in enumerate(infos) if f.fermion]
    singles: dict[int, list[int]] = {}  # scalar factors by class, in index order
    for k in scalars:
        singles.setdefault(code[k], []).append(k)
    pairs = [(x, y, _sum_code(code[x], code[y])) for i, x in enumerate(scalars) for y in scalars[i:]]
    by_class: dict[int, list[tuple[int, int]]] = {}  # scalar pairs by class, by first index
    for x, y, c in pairs:
        by_class.setdefault(c, []).append((x, y))
    out: list[tuple[int, ...]] = []
    for x, y, c in pairs:
        if c == 0:
            out.append((x, y))
        need = _complement(c)
        ks = singles.get(need)
        if ks:
            out += [(x, y, z) for z in ks[bisect_left(ks, y) :]]
        ps = by_class.get(need)
        if ps:
            out += [(x, y, z, w) for z, w in ps if z >= y]
    for i, x in enumerate(fermions):
        for y in fermions[i:]:
            if infos[x].left != infos[y].left:
                continue  # a Lorentz singlet needs two left (or two right) spinor indices
            c = _sum_code(code[x], code[y])
            if c == 0:
                out.append((x, y))
            out += [tuple(sorted((x, y, z))) for z in singles.get(_complement(c), ())]
    return out


def _kind(infos: Sequence[FactorInfo], multiset: tuple[int, ...]) -> str:
    # A candidate holds two fermions or none, and a sorted one with two starts or ends with one.
    n_fermions = 2 if infos[multiset[0]].fermion or infos[multiset[-1]].fermion else 0
    return KIND_BY_FACTORS[(len(multiset) - n_fermions, n_fermions)]


def _delta_contractions(fields: Sequence[Field], field_index: int, lorentz: bool) -> tuple[Contraction, ...]:
    """δ-style entries (group, (0, 1)) for every group under which the field is non-trivial."""
    f = fields[field_index]
    return _delta_entries(lorentz, f.su3.dim > 1, f.su2.dim > 1)


@cache
def _delta_entries(lorentz: bool, su3: bool, su2: bool) -> tuple[Contraction, ...]:
    flags = (("LORENTZ", lorentz), ("SU3", su3), ("SU2", su2))
    return tuple(Contraction(group, (0, 1)) for group, on in flags if on)


def _mass_factors(infos: Sequence[FactorInfo], multiset: tuple[int, ...]) -> tuple[Factor, ...]:
    """Paper order: a daggered factor first in φ†φ; a real scalar pair is written (S_i†, S_j)."""
    a, b = (infos[k].factor for k in multiset)
    if infos[multiset[0]].fermion:
        return a, b
    if infos[multiset[0]].field.is_real:
        return Factor(a.field, True), b
    if b.conjugate and not a.conjugate:
        return b, a
    return a, b


@cache
def _identity_labels(multiset: tuple[int, ...]) -> tuple[int, ...]:
    """Which factors of a sorted multiset are the same: labels by first appearance, (3, 3, 5) -> (0, 0, 1).

    Ordered like the factors themselves, so they sort the slots as the factors would."""
    labels, last = [0], multiset[0]
    for k in multiset[1:]:
        labels.append(labels[-1] + (k != last))
        last = k
    return tuple(labels)


@cache
def _contractions(keys: tuple, labels: tuple[int, ...], basis: str) -> list[tuple[Contraction, ...]]:
    """``key_contractions`` of the factors, cached: it depends only on their rep keys and which are equal."""
    return key_contractions(keys, labels, basis)


def _multiset_terms(
    fields: Sequence[Field], infos: Sequence[FactorInfo], multiset: tuple[int, ...], basis: str
) -> list[Term]:
    factors = tuple([infos[k].factor for k in multiset])
    keys = tuple([infos[k].key for k in multiset])
    kind = _kind(infos, multiset)
    if len(multiset) > 2:
        return [Term(kind, factors, s) for s in _contractions(keys, _identity_labels(multiset), basis)]
    if not _contractions(keys, _identity_labels(multiset), "independent"):
        return []
    # a 2-field invariant is unique (Schur): written with δ-style entries
    lorentz = kind == "fermion_mass"
    return [
        Term(kind, _mass_factors(infos, multiset), _delta_contractions(fields, factors[0].field, lorentz))
    ]


def kinetic_term(fields: Sequence[Field], i: int) -> Term:
    """(Dφ)†(Dφ) as (φ†, φ); i ψ̄ σ̄ D ψ with the HEL +1/2 object first."""
    f = fields[i]
    if f.is_scalar:
        return Term(
            "scalar_kinetic", (Factor(i, True), Factor(i, False)), _delta_contractions(fields, i, False)
        )
    right_handed = f.helicity > 0
    factors = (Factor(i, False), Factor(i, True)) if right_handed else (Factor(i, True), Factor(i, False))
    return Term("fermion_kinetic", factors, _delta_contractions(fields, i, False))


def gauge_groups(fields: Sequence[Field]) -> list[str]:
    """Gauge groups in order of first appearance (each field's groups in the order SU3, SU2, U1)."""
    out: list[str] = []
    for f in fields:
        out += [g for g in f.charged_groups if g not in out]
    return out


def build_lagrangian(fields: list[Field], basis: str = "independent") -> Lagrangian:
    """All independent invariant terms of dimension ≤ 4 of ``fields`` (physics.md §2), in canonical order.

    Example: ``build_lagrangian(parse_short_fields("H: S(1,2,1/2)"))`` has H†H H H† H† ... : 1 quartic,
    1 kinetic, 2 gauge kinetic (SU2, U1), 1 mass term.
    """
    if basis not in BASES:
        raise ValueError(f"unknown basis {basis!r} (choose from {', '.join(BASES)})")
    infos = _factors(fields)
    interactions, masses = [], []
    for multiset in sorted(candidate_multisets(infos), key=lambda m: (len(m), m)):
        terms = _multiset_terms(fields, infos, multiset, basis)
        (masses if len(multiset) == 2 else interactions).extend(terms)
    kinetic = [kinetic_term(fields, i) for i in range(len(fields))]
    gauge = [Term("gauge_kinetic", group=g) for g in gauge_groups(fields)]
    return Lagrangian(list(fields), interactions + kinetic + gauge + masses, basis)


def uses_every_field(term: Term, n_fields: int) -> bool:
    """Does ``term`` hold every one of a list's ``n_fields`` fields? A gauge kinetic term holds no field: it
    counts as a term of each one-field list (it comes with any charged field)."""
    if term.kind == "gauge_kinetic":
        return n_fields == 1
    return {f.field for f in term.factors} == set(range(n_fields))


def own_terms(lag: Lagrangian) -> Lagrangian:
    """The terms of ``lag`` that hold every field of its list: what the list adds to the Lagrangian of any
    longer list that holds it (a one-field list: its whole Lagrangian). The Lagrangian of a list is the union
    of its sub-lists' own terms (``src.decoding.compose``)."""
    n = len(lag.fields)
    return Lagrangian(list(lag.fields), [t for t in lag.terms if uses_every_field(t, n)], lag.basis)


def clear_caches() -> None:
    """Forget every cached factor, signature and entry list (for cold-cache benchmarks)."""
    _clear_invariant_caches()
    _delta_entries.cache_clear()
    _field_factors.cache_clear()
    _contractions.cache_clear()
    _identity_labels.cache_clear()
