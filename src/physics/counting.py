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
from functools import cache

from .fields import Field
from .groups import (
    Character,
    diagram_singlet_count,
    diagram_weights,
    multiply_characters,
    permutation_sign,
)
from .invariants import GROUP_SPECS, RepKey, rep_key


@cache
def factor_character(key: RepKey) -> tuple[tuple[tuple[int, ...], int], ...]:
    """Weights of the full representation of a factor: concatenated contents over GROUP_SPECS."""
    per_group = [diagram_weights(key[1 + g], n) for g, (_, n) in enumerate(GROUP_SPECS)]
    counter: Counter = Counter()
    for combo in itertools.product(*per_group):
        counter[sum(combo, ())] += 1
    return tuple(sorted(counter.items()))


def _adams(char: Character, i: int) -> Character:
    out: dict = {}
    for w, m in char.items():
        wi = tuple(i * x for x in w)
        out[wi] = out.get(wi, 0) + m
    return out


@cache
def power_character(key: RepKey, k: int, antisymmetric: bool) -> tuple:
    """Character of Sym^k (or Λ^k) of a factor's representation, by Newton's identities (exact integers)."""
    base = dict(factor_character(key))
    width = len(next(iter(base)))
    h: list[Character] = [{(0,) * width: 1}]
    for j in range(1, k + 1):
        acc: dict = {}
        for i in range(1, j + 1):
            sign = (-1) ** (i - 1) if antisymmetric else 1
            for w, m in multiply_characters(_adams(base, i), h[j - i]).items():
                acc[w] = acc.get(w, 0) + sign * m
        assert all(m % j == 0 for m in acc.values())
        h.append({w: m // j for w, m in acc.items() if m})
    return tuple(sorted(h[k].items()))


def _weyl_targets(boxes: Sequence[int]) -> list[tuple[tuple[int, ...], int]]:
    """(weight, sign) pairs of the alternating sum mult_0 = Σ_w sgn(w) m(w(λ+ρ) − ρ) for the trivial rep.

    λ is the rectangle (B/N, ..., B/N) of each group (a power of det, trivial on SU(N)).
    """
    per_group = []
    for (_, n), b in zip(GROUP_SPECS, boxes):
        rho = tuple(range(n - 1, -1, -1))
        shifted = [b // n + r for r in rho]
        options = []
        for w in itertools.permutations(range(n)):
            options.append((tuple(shifted[w[j]] - rho[j] for j in range(n)), permutation_sign(w)))
        per_group.append(options)
    out = []
    for combo in itertools.product(*per_group):
        weight, sign = (), 1
        for part, s in combo:
            weight += part
            sign *= s
        out.append((weight, sign))
    return out


def _group_boxes(weight: tuple[int, ...]) -> list[int]:
    out, start = [], 0
    for _, n in GROUP_SPECS:
        out.append(sum(weight[start : start + n]))
        start += n
    return out


@cache
def _count_from_powers(powers: tuple[tuple[RepKey, int], ...]) -> int:
    """Singlets of ⊗ Sym/Λ powers. The last factor is not multiplied out: only the alternating sum's
    weights are looked up, mult(t) = Σ_w m_last(w) m_rest(t − w)."""
    parts = [dict(power_character(key, k, antisymmetric=key[0])) for key, k in powers]
    boxes = [sum(x) for x in zip(*(_group_boxes(next(iter(p))) for p in parts))]
    if any(b % n for b, (_, n) in zip(boxes, GROUP_SPECS)):
        return 0
    rest: Character = {tuple(0 for _ in next(iter(parts[0]))): 1}
    for part in parts[:-1]:
        rest = multiply_characters(rest, part)
    last = parts[-1]
    total = 0
    for target, sign in _weyl_targets(boxes):
        for w, m in last.items():
            total += sign * m * rest.get(tuple(t - x for t, x in zip(target, w)), 0)
    return total


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
