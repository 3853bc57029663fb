"""Independent count of invariants from weights alone (no contractions): physics.md §3, "Counting".

The number of independent terms of a field multiset is the multiplicity of the trivial representation in

    ⊗_f Sym^{k_f}(R_f)   (bosons)      or      ⊗_f Λ^{k_f}(R_f)   (fermions),

R_f the full SU(2)_l × SU(2)_r × SU(3) × SU(2) representation of factor f occurring k_f times.

* Characters are dicts weight -> multiplicity, weights in GL(N) *content* coordinates per group (how many
  tableau entries equal 0..N-1), from the semistandard tableaux of ``groups.py``.
* Sym^k and Λ^k follow Newton's identities with power sums p_i(x) = χ(x^i) (Adams operations):
  k h_k = Σ_{i=1..k} p_i h_{k-i},   k e_k = Σ_{i=1..k} (-1)^{i-1} p_i e_{k-i}.
* The singlet multiplicity is Weyl's alternating sum per group, in GL(N) coordinates:
  mult(λ) = Σ_{w ∈ S_N} sgn(w) m(w(λ + ρ) − ρ), with λ the rectangle (B/N, ..., B/N) (a power of det,
  trivial on SU(N)), B the group's total box count and ρ = (N−1, ..., 1, 0).
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Sequence
from fractions import Fraction
from functools import cache

from .fields import Field
from .groups import diagram_weights
from .invariants import GROUP_SPECS, RepKey, rep_key

Character = dict[tuple[int, ...], Fraction]


@cache
def factor_character(key: RepKey) -> tuple[tuple[tuple[int, ...], int], ...]:
    """Weights of the full representation of a factor: concatenated contents over GROUP_SPECS."""
    per_group = [diagram_weights(key[1 + g], n) for g, (_, n) in enumerate(GROUP_SPECS)]
    counter: Counter = Counter()
    for combo in itertools.product(*per_group):
        counter[sum(combo, ())] += 1
    return tuple(sorted(counter.items()))


def _multiply(a: Character, b: Character) -> Character:
    out: dict = {}
    for wa, ma in a.items():
        for wb, mb in b.items():
            w = tuple(x + y for x, y in zip(wa, wb))
            out[w] = out.get(w, 0) + ma * mb
    return {w: m for w, m in out.items() if m}


def _adams(char: Character, i: int) -> Character:
    out: dict = {}
    for w, m in char.items():
        wi = tuple(i * x for x in w)
        out[wi] = out.get(wi, 0) + m
    return out


@cache
def power_character(key: RepKey, k: int, antisymmetric: bool) -> tuple:
    """Character of Sym^k (or Λ^k) of a factor's representation, by Newton's identities."""
    base = {w: Fraction(m) for w, m in factor_character(key)}
    width = len(next(iter(base)))
    h: list[Character] = [{(0,) * width: Fraction(1)}]
    for j in range(1, k + 1):
        acc: dict = {}
        for i in range(1, j + 1):
            sign = (-1) ** (i - 1) if antisymmetric else 1
            for w, m in _multiply(_adams(base, i), h[j - i]).items():
                acc[w] = acc.get(w, 0) + sign * m
        h.append({w: m / j for w, m in acc.items() if m})
    return tuple(sorted(h[k].items()))


def _singlet_multiplicity(char: Character) -> int:
    """Weyl alternating sum for the trivial rep of every group of GROUP_SPECS at once."""
    if not char:
        return 0
    some = next(iter(char))
    offsets, total = [], 0
    rects, rhos, weyls = [], [], []
    for _, n in GROUP_SPECS:
        boxes = sum(some[total : total + n])
        if boxes % n:
            return 0
        rects.append((boxes // n,) * n)
        rhos.append(tuple(range(n - 1, -1, -1)))
        weyls.append(list(itertools.permutations(range(n))))
        offsets.append(total)
        total += n
    result = Fraction(0)
    for ws in itertools.product(*weyls):
        weight, sign = [], 1
        for w, rect, rho in zip(ws, rects, rhos):
            shifted = [rect[j] + rho[j] for j in range(len(rho))]
            weight += [shifted[w[j]] - rho[j] for j in range(len(rho))]
            sign *= _sign(w)
        result += sign * char.get(tuple(weight), 0)
    assert result.denominator == 1
    return int(result)


def _sign(perm: Sequence[int]) -> int:
    inversions = sum(1 for i in range(len(perm)) for j in range(i + 1, len(perm)) if perm[i] > perm[j])
    return -1 if inversions % 2 else 1


@cache
def _count_from_powers(powers: tuple[tuple[RepKey, int], ...]) -> int:
    char: Character | None = None
    for key, k in powers:
        part = dict(power_character(key, k, antisymmetric=key[0]))
        char = part if char is None else _multiply(char, part)
    return _singlet_multiplicity(char or {})


def singlet_count(occurrences: Sequence[tuple[Field, bool]], identities: Sequence | None = None) -> int:
    """Number of independent invariants of a product of field occurrences (field, conjugate), from weights.

    ``identities`` says which occurrences are the same field (default: (field, conjugate) equality).
    Example: a Higgs doublet H, ``singlet_count([(H, False), (H, False), (H, True), (H, True)]) == 1``.
    """
    if identities is None:
        identities = list(occurrences)
    groups: dict = {}
    for occ, ident in zip(occurrences, identities):
        key = rep_key(*occ)
        groups.setdefault(ident, [key, 0])[1] += 1
    powers = tuple(sorted((key, k) for key, k in groups.values()))
    return _count_from_powers(powers)


def group_singlet_count(keys: Sequence[RepKey], group_index: int) -> int:
    """Singlets of one group in the plain tensor product of the factors (statistics ignored)."""
    _, n = GROUP_SPECS[group_index]
    return diagram_singlet_count(tuple(key[1 + group_index] for key in keys), n)


@cache
def diagram_singlet_count(diagrams: tuple[tuple[int, ...], ...], n: int) -> int:
    """Multiplicity of the SU(n) singlet in the tensor product of the irreps with these Young diagrams."""
    char: Character = {(0,) * n: Fraction(1)}
    for diagram in diagrams:
        weights = Counter(diagram_weights(diagram, n))
        char = _multiply(char, {w: Fraction(m) for w, m in weights.items()})
    boxes = sum(next(iter(char)))
    if boxes % n:
        return 0
    rect = (boxes // n,) * n
    rho = tuple(range(n - 1, -1, -1))
    total = Fraction(0)
    for w in itertools.permutations(range(n)):
        shifted = [rect[j] + rho[j] for j in range(n)]
        total += _sign(w) * char.get(tuple(shifted[w[j]] - rho[j] for j in range(n)), 0)
    return int(total)
