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
        FactorInfo(Factor(i, conj), f, *rest)
        for i, f in enumerate(fields)
        for conj, *rest in _field_factors(f, scale)
    ]


@cache
def _field_factors(f: Field, scale: int) -> tuple[tuple, ...]:
    """(conjugate, scaled charge, fermion, left, triality, SU(2) boxes, rep key) of each factor (cached)."""
    out = []
    for conj in (False, True) if not f.is_real else (False,):
        g = f.conjugate() if conj else f
        left = g.is_fermion and g.lorentz.left == 1
        out.append(
            (conj, int(g.u1 * scale), f.is_fermion, left, g.su3.triality, g.su2.n - 1, rep_key(f, conj))
        )
    return tuple(out)


def _by_charge(infos: Sequence[FactorInfo], members: Sequence[int]) -> dict[int, list[int]]:
    table: dict[int, list[int]] = {}
    for k in members:
        table.setdefault(infos[k].charge, []).append(k)
    return table


def _completions(table: dict[int, list[int]], charge: int, start: int) -> list[int]:
    """Factors with the given charge and index ≥ start (keeps multisets sorted, each found once)."""
    ks = table.get(charge, [])
    return ks[bisect_left(ks, start) :]


def candidate_multisets(infos: Sequence[FactorInfo]) -> list[tuple[int, ...]]:
    """Sorted index tuples of factor multisets of dimension ≤ 4 passing U(1), triality, SU(2), Lorentz."""
    scalars = [k for k, f in enumerate(infos) if not f.fermion]
    fermions = [k for k, f in enumerate(infos) if f.fermion]
    s_table = _by_charge(infos, scalars)
    q = [f.charge for f in infos]
    out: list[tuple[int, ...]] = []
    for i, a in enumerate(scalars):
        out += [(a, b) for b in _completions(s_table, -q[a], a)]
        for j in range(i, len(scalars)):
            b = scalars[j]
            out += [(a, b, c) for c in _completions(s_table, -q[a] - q[b], b)]
            for c in scalars[j:]:
                out += [(a, b, c, d) for d in _completions(s_table, -q[a] - q[b] - q[c], c)]
    for i, a in enumerate(fermions):
        for b in fermions[i:]:
            if infos[a].left != infos[b].left:
                continue  # a Lorentz singlet needs two left (or two right) spinor indices
            if q[a] + q[b] == 0:
                out.append((a, b))
            out += [tuple(sorted((a, b, c))) for c in s_table.get(-q[a] - q[b], [])]
    return [m for m in out if _passes(infos, m)]


def _passes(infos: Sequence[FactorInfo], multiset: tuple[int, ...]) -> bool:
    tri = sum(infos[k].triality for k in multiset) % 3
    su2 = sum(infos[k].su2_boxes for k in multiset) % 2
    return tri == 0 and su2 == 0


def _kind(infos: Sequence[FactorInfo], multiset: tuple[int, ...]) -> str:
    n_fermions = sum(infos[k].fermion for k in multiset)
    return KIND_BY_FACTORS[(len(multiset) - n_fermions, n_fermions)]


def _delta_contractions(fields: Sequence[Field], field_index: int, lorentz: bool) -> tuple[Contraction, ...]:
    """δ-style entries (group, (0, 1)) for every group under which the field is non-trivial."""
    f = fields[field_index]
    out = [Contraction("LORENTZ", (0, 1))] if lorentz else []
    if f.su3.dim > 1:
        out.append(Contraction("SU3", (0, 1)))
    if f.su2.dim > 1:
        out.append(Contraction("SU2", (0, 1)))
    return tuple(out)


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


def _multiset_terms(
    fields: Sequence[Field], infos: Sequence[FactorInfo], multiset: tuple[int, ...], basis: str
) -> list[Term]:
    factors = tuple(infos[k].factor for k in multiset)
    keys = [infos[k].key for k in multiset]
    kind = _kind(infos, multiset)
    if len(multiset) > 2:
        return [Term(kind, factors, s) for s in key_contractions(keys, factors, basis)]
    if not key_contractions(keys, factors):
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


def field_multiset_key(fields: Sequence[Field]) -> tuple:
    """Canonical signature of a field list up to order (for deduplicating datasets)."""
    return tuple(sorted((str(f.spin), str(f.helicity), f.su3.name, f.su2.n, str(f.u1)) for f in fields))
