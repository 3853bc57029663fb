"""Invariant contractions of a product of fields, built from ε-tensors only (physics.md §3).

Every irrep is a Young diagram of upper indices, so every invariant of SU(N) (and of each SU(2) of the
Lorentz group) is a product of ε-tensors (first fundamental theorem for SL(N)). For a field multiset:

1. per group, enumerate *ε-patterns*: multisets of ε entries (N factor slots each) that use every factor's
   boxes exactly once; a factor may occupy one ε at most (rows of its diagram) times;
2. the coefficient tensor of a pattern is the ε's contracted with each factor's *embedding* (an orthonormal
   basis of the image of its Young symmetrizer, rows symmetrized then columns antisymmetrized), one axis per
   factor; groups combine by a tensor product per factor axis;
3. identical factors are symmetrized (bosons) or antisymmetrized (fermions) over their axes;
4. a greedy maximal linearly independent subset, in canonical pattern order, is the basis.

Step 3 and 4 never build the full product tensor: for a candidate (one pattern per group) the Gram matrix of
the projected tensors is  G = 1/|S| Σ_{σ∈S} sgn(σ) ⊗_g M_g(σ),  with M_g(σ)_{ij} = <A_i, σ A_j> the per-group
overlaps and S the permutations of identical factors (sgn only counts fermion swaps).

Box assignment: the k-th occurrence of a factor in a pattern (entries in order, slots in order) takes the
factor's k-th box in column-major order. For the two shapes with both several rows and several columns
(SU(3) 8 = [2,1] and 6̄ = [2,2]) that can give zero while another assignment does not; then the other
assignments are tried in lexicographic order and the first nonzero one is used. One-row and one-column shapes
are (anti)symmetric in their boxes, so the choice only changes a sign there. For mixed shapes the emitted
entries record the box of every slot (``Contraction.boxes``): a reader gets exactly the tensor used here.

Results depend only on the *signature* (factor representations in canonical order plus which factors are the
same field) and are cached.
"""

from __future__ import annotations

import itertools
from collections.abc import Hashable, Sequence
from functools import cache

import numpy as np

from .fields import Field
from .groups import (
    diagram_dimension,
    diagram_singlet_count,
    normalize_diagram,
    permutation_sign,
    young_tableau_boxes,
)
from .terms import Contraction

# (group label, N). LORENTZ_L / LORENTZ_R are SU(2)_l and SU(2)_r; both render as "LORENTZ".
GROUP_SPECS = (("LORENTZ_L", 2), ("LORENTZ_R", 2), ("SU3", 3), ("SU2", 2))
RENDER_GROUP = {"LORENTZ_L": "LORENTZ", "LORENTZ_R": "LORENTZ", "SU3": "SU3", "SU2": "SU2"}
REL_TOL = 1e-9

# A rep key: (is_fermion, left-Weyl diagram, right-Weyl diagram, SU3 diagram, SU2 diagram).
RepKey = tuple


@cache
def rep_key(field: Field, conjugate: bool) -> RepKey:
    """Young diagrams of a factor under (SU2_l, SU2_r, SU3, SU2); conjugation conjugates each of them."""
    f = field.conjugate() if conjugate else field
    lor = f.lorentz
    return (
        f.is_fermion,
        normalize_diagram((lor.left,), 2),
        normalize_diagram((lor.right,), 2),
        f.su3.diagram,
        f.su2.diagram,
    )


def group_diagram(key: RepKey, group_index: int) -> tuple[int, ...]:
    return key[1 + group_index]


# ----------------------------------------------------------------------------------------------------------
# Embeddings and ε


@cache
def levi_civita(n: int) -> np.ndarray:
    eps = np.zeros((n,) * n)
    for perm in itertools.permutations(range(n)):
        eps[perm] = permutation_sign(perm)
    return eps


def _apply_group(x: np.ndarray, positions: list[int], antisymmetric: bool) -> np.ndarray:
    """Sum over permutations of the given box axes (axis 0 is the basis-vector index), signed if asked."""
    out = np.zeros_like(x)
    for perm in itertools.permutations(range(len(positions))):
        axes = list(range(x.ndim))
        for src, dst in zip(positions, perm):
            axes[1 + src] = 1 + positions[dst]
        sign = permutation_sign(perm) if antisymmetric else 1
        out += sign * np.transpose(x, axes)
    return out


@cache
def embedding(diagram: tuple[int, ...], n: int) -> np.ndarray:
    """Orthonormal basis of the image of the Young symmetrizer b·a on V^{⊗m}, V = C^n.

    Shape (dim, n, ..., n), box axes in column-major order (``young_tableau_boxes``). a symmetrizes the
    rows, b antisymmetrizes the columns. A trivial diagram gives the 1-element array [1].
    """
    if not diagram:
        return np.ones(1)
    boxes = young_tableau_boxes(diagram)
    m = len(boxes)
    x = np.eye(n**m).reshape((n**m,) + (n,) * m)
    for r in range(len(diagram)):
        x = _apply_group(x, [p for p, (rr, _) in enumerate(boxes) if rr == r], antisymmetric=False)
    for c in range(diagram[0]):
        x = _apply_group(x, [p for p, (_, cc) in enumerate(boxes) if cc == c], antisymmetric=True)
    _, s, vt = np.linalg.svd(x.reshape(n**m, n**m))
    dim = diagram_dimension(diagram, n)
    assert int(np.sum(s > 1e-8 * s[0])) == dim, (diagram, n)
    return vt[:dim].reshape((dim,) + (n,) * m)


def _is_mixed(diagram: tuple[int, ...]) -> bool:
    return len(diagram) > 1 and diagram[0] > 1


def _distinct_assignments(diagram: tuple[int, ...], entries: list[int]) -> list[tuple[int, ...]]:
    """Box assignments (occurrence k -> box order[k]) that differ by more than a sign, in lexicographic order.

    The embedding is antisymmetric within each column, and an ε is antisymmetric in its slots, so two
    assignments giving the same multiset of ε entries per column agree up to sign; keep the first of each.
    """
    boxes = young_tableau_boxes(diagram)
    out, seen = [], set()
    for order in itertools.permutations(range(len(entries))):
        per_column: dict[int, list[int]] = {}
        for k, box in enumerate(order):
            per_column.setdefault(boxes[box][1], []).append(entries[k])
        key = tuple(tuple(sorted(v)) for _, v in sorted(per_column.items()))
        if key not in seen:
            seen.add(key)
            out.append(order)
    return out


# ----------------------------------------------------------------------------------------------------------
# ε-patterns of one group


def _entries(first: int, remaining: list[int], limits: list[int], n: int) -> list[tuple[int, ...]]:
    """Sorted n-tuples of slots that start with ``first`` and respect per-slot box and row limits."""
    out: list[tuple[int, ...]] = []

    def grow(entry: list[int], start: int) -> None:
        if len(entry) == n:
            out.append(tuple(entry))
            return
        for s in range(start, len(remaining)):
            if entry.count(s) < min(remaining[s], limits[s]):
                entry.append(s)
                grow(entry, s)
                entry.pop()

    if remaining[first] and limits[first]:
        grow([first], first)
    return out


@cache
def epsilon_patterns(boxes: tuple[int, ...], limits: tuple[int, ...], n: int) -> tuple[tuple, ...]:
    """All multisets of ε entries using slot f exactly boxes[f] times, entries sorted (each multiset once).

    The lexicographically first entry must contain the smallest slot with boxes left, which makes the
    recursion canonical. ``limits[f]`` = rows of f's diagram (more indices of f in one ε vanish).
    """
    if sum(boxes) % n:
        return ()
    out: list[tuple] = []

    def rec(remaining: list[int], entries: list[tuple[int, ...]]) -> None:
        if not any(remaining):
            out.append(tuple(entries))
            return
        first = next(i for i, b in enumerate(remaining) if b)
        for entry in _entries(first, remaining, list(limits), n):
            if entries and entry < entries[-1]:
                continue
            for s in entry:
                remaining[s] -= 1
            rec(remaining, entries + [entry])
            for s in entry:
                remaining[s] += 1

    rec(list(boxes), [])
    return tuple(out)


def pattern_tensor(
    pattern: Sequence[Sequence[int]],
    diagrams: Sequence[tuple[int, ...]],
    n: int,
    boxes: Sequence[Sequence[int]] | None = None,
) -> np.ndarray:
    """Coefficient tensor of one ε-pattern: one axis per factor (size dim, 1 when the factor is trivial).

    ``boxes[e][i]``: the box (column-major) of factor ``pattern[e][i]`` that slot i of entry e takes. Without
    it, the column-major assignment by occurrence is used, falling back to other assignments of mixed-shape
    factors when it vanishes (``pattern_boxes``). Returns the zero tensor if the pattern vanishes.
    """
    if boxes is None:
        boxes = pattern_boxes(tuple(map(tuple, pattern)), tuple(diagrams), n)
        if boxes is None:
            return np.zeros([diagram_dimension(d, n) if d else 1 for d in diagrams])
    return _contract(pattern, diagrams, n, boxes, probe=False)


def _occurrence_boxes(pattern: Sequence[Sequence[int]], n_factors: int) -> list[list[int]]:
    """Column-major reading: the k-th occurrence of a factor (entries, then slots, in order) takes box k."""
    seen = [0] * n_factors
    out = []
    for entry in pattern:
        row = []
        for s in entry:
            row.append(seen[s])
            seen[s] += 1
        out.append(row)
    return out


@cache
def pattern_boxes(
    pattern: tuple[tuple[int, ...], ...], diagrams: tuple[tuple[int, ...], ...], n: int
) -> tuple[tuple[int, ...], ...] | None:
    """The box every slot of the pattern takes (column-major numbering per factor), or None if it vanishes.

    The column-major reading by occurrence first; when it vanishes, the other assignments of mixed-shape
    factors that differ by more than a sign, in lexicographic order, and the first nonzero one.
    """
    default = _occurrence_boxes(pattern, len(diagrams))
    mixed = [f for f, d in enumerate(diagrams) if d and _is_mixed(d)]
    positions = {
        f: [(e, i) for e, entry in enumerate(pattern) for i, s in enumerate(entry) if s == f] for f in mixed
    }
    choices = [_distinct_assignments(diagrams[f], [e for e, _ in positions[f]]) for f in mixed]
    for assignment in itertools.product(*choices):
        boxes = [list(row) for row in default]
        for f, order in zip(mixed, assignment):
            for (e, i), box in zip(positions[f], order):
                boxes[e][i] = box
        if abs(float(_contract(pattern, diagrams, n, boxes, probe=True))) > 1e-10:
            return tuple(tuple(row) for row in boxes)
    return None


def _contract(
    pattern: Sequence[Sequence[int]],
    diagrams: Sequence[tuple[int, ...]],
    n: int,
    boxes: Sequence[Sequence[int]],
    probe: bool,
) -> np.ndarray:
    """The ε's contracted with each factor's embedding (or, ``probe``, a fixed generic element: a scalar)."""
    letters = iter("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
    box_letters: list[list[str]] = [[""] * sum(d) for d in diagrams]
    eps_subs = []
    for entry, entry_boxes in zip(pattern, boxes):
        subs = ""
        for s, box in zip(entry, entry_boxes):
            ch = next(letters)
            box_letters[s][box] = ch
            subs += ch
        eps_subs.append(subs)
    operands: list[np.ndarray] = [levi_civita(n)] * len(eps_subs)
    subs = list(eps_subs)
    out_subs = ""
    for f, d in enumerate(diagrams):
        if not d:
            continue
        free = "" if probe else next(letters)
        out_subs += free
        operands.append(_probe_vector(d, n, f) if probe else embedding(d, n))
        subs.append(free + "".join(box_letters[f]))
    result = np.asarray(np.einsum(",".join(subs) + "->" + out_subs, *operands, optimize="greedy"))
    if probe:
        return result
    return result.reshape([diagram_dimension(d, n) if d else 1 for d in diagrams])


@cache
def _probe_vector(diagram: tuple[int, ...], n: int, slot: int) -> np.ndarray:
    """A fixed generic element of the irrep for one factor slot, as a tensor over its boxes (seeded).

    Distinct slots get distinct vectors: equal vectors would kill forms antisymmetric in two slots.
    """
    emb = embedding(diagram, n)
    rng = np.random.default_rng([sum(diagram), len(diagram), n, slot])
    return np.tensordot(rng.standard_normal(len(emb)), emb, axes=1)


# ----------------------------------------------------------------------------------------------------------
# Signatures: canonical factor order, identical-factor classes


def signature_of(keys: Sequence[RepKey], identities: Sequence[Hashable]) -> tuple[tuple, tuple[int, ...]]:
    """(signature, order): factors sorted by (rep key, identity); signature = (keys, class labels) in that
    order, where class labels number identical factors by first appearance. ``order[q]`` is the term slot
    sitting at canonical position q."""
    order = tuple(sorted(range(len(keys)), key=lambda p: (keys[p], identities[p])))
    labels, seen = [], {}
    for p in order:
        labels.append(seen.setdefault(identities[p], len(seen)))
    return (tuple(keys[p] for p in order), tuple(labels)), order


def _identity_permutations(labels: tuple[int, ...], fermionic: tuple[bool, ...]) -> list[tuple[tuple, int]]:
    """Permutations of positions that only exchange identical factors, with their statistics sign."""
    classes: dict[int, list[int]] = {}
    for p, lab in enumerate(labels):
        classes.setdefault(lab, []).append(p)
    per_class = []
    for members in classes.values():
        options = []
        for perm in itertools.permutations(members):
            sign = permutation_sign([members.index(x) for x in perm]) if fermionic[members[0]] else 1
            options.append((dict(zip(members, perm)), sign))
        per_class.append(options)
    out = []
    for combo in itertools.product(*per_class):
        mapping, sign = {}, 1
        for m, s in combo:
            mapping.update(m)
            sign *= s
        out.append((tuple(mapping[p] for p in range(len(labels))), sign))
    return out


def _relabel(pattern: tuple, perm: tuple[int, ...]) -> tuple:
    return tuple(sorted(tuple(sorted(perm[s] for s in entry)) for entry in pattern))


def _greedy_independent(gram: np.ndarray, candidates: Sequence[int], scale: np.ndarray) -> list[int]:
    """Indices from ``candidates`` (in order) that are nonzero and linearly independent of the kept ones."""
    kept: list[int] = []
    for k in candidates:
        gkk = gram[k, k]
        if gkk <= REL_TOL * scale[k]:
            continue
        if kept:
            g = gram[np.ix_(kept, [k])][:, 0]
            coeff = np.linalg.lstsq(gram[np.ix_(kept, kept)], g, rcond=None)[0]
            if gkk - g @ coeff <= 1e-7 * gkk:
                continue
        kept.append(k)
    return kept


# ----------------------------------------------------------------------------------------------------------
# Structures of a signature


def group_patterns(
    keys: tuple[RepKey, ...], group_index: int, reduced: bool = False
) -> tuple[tuple, np.ndarray]:
    """Non-vanishing ε-patterns of one group for the factor reps ``keys`` and their tensors (stacked).

    ``reduced``: only a linearly independent subset (before symmetrization), in pattern order.
    """
    _, n = GROUP_SPECS[group_index]
    diagrams = tuple(group_diagram(k, group_index) for k in keys)
    return _reduced_patterns(diagrams, n) if reduced else _diagram_patterns(diagrams, n)


@cache
def _diagram_patterns(diagrams: tuple[tuple[int, ...], ...], n: int) -> tuple[tuple, np.ndarray]:
    boxes = tuple(sum(d) for d in diagrams)
    limits = tuple(len(d) for d in diagrams)
    if not any(boxes):
        return ((),), np.ones((1,) + tuple(1 for _ in diagrams))
    patterns, tensors = [], []
    for pattern in epsilon_patterns(boxes, limits, n):
        t = pattern_tensor(pattern, diagrams, n)
        if np.abs(t).max(initial=0.0) > 1e-9:
            patterns.append(pattern)
            tensors.append(t)
    if not tensors:
        return (), np.zeros((0,))
    return tuple(patterns), np.stack(tensors)


@cache
def _reduced_patterns(diagrams: tuple[tuple[int, ...], ...], n: int) -> tuple[tuple, np.ndarray]:
    """A linearly independent spanning subset of one group's patterns, first ones in pattern order.

    Enumeration stops once the rank reaches the dimension of the group's invariant space (the singlet
    multiplicity of the plain tensor product, from weights), since later patterns lie in the span. The
    symmetrization and final rank stay explicit; tests check that the full enumeration reaches that rank.
    """
    boxes = tuple(sum(d) for d in diagrams)
    if not any(boxes):
        return _diagram_patterns(diagrams, n)
    target = diagram_singlet_count(diagrams, n)
    patterns: list[tuple] = []
    tensors: list[np.ndarray] = []
    basis = np.zeros((0, int(np.prod([diagram_dimension(d, n) if d else 1 for d in diagrams]))))
    for pattern in epsilon_patterns(boxes, tuple(len(d) for d in diagrams), n):
        if len(patterns) == target:
            break
        t = pattern_tensor(pattern, diagrams, n)
        v = t.reshape(-1) - basis.T @ (basis @ t.reshape(-1))  # Gram-Schmidt against kept patterns
        if np.linalg.norm(v) > 1e-7 * max(np.linalg.norm(t), 1e-300):
            patterns.append(pattern)
            tensors.append(t)
            basis = np.vstack([basis, v / np.linalg.norm(v)])
    if not tensors:
        return (), np.zeros((0,))
    return tuple(patterns), np.stack(tensors)


def _overlaps(tensors: np.ndarray, perm: tuple[int, ...]) -> np.ndarray:
    """M_{ij} = <A_i, σ A_j>, σ permuting the factor axes (axis 0 indexes patterns)."""
    flat = tensors.reshape(len(tensors), -1)
    moved = np.transpose(tensors, (0,) + tuple(1 + p for p in perm)).reshape(len(tensors), -1)
    return flat @ moved.T


@cache
def signature_structures(signature: tuple, basis: str = "independent") -> tuple[tuple, ...]:
    """Contraction structures of a signature, in canonical positions.

    Each structure is a tuple over GROUP_SPECS of ε-patterns. ``independent``: a maximal linearly
    independent set of non-vanishing projected monomials; ``expanded``: every distinct non-vanishing one;
    ``paper``: one per ID-free contraction signature (per group, the multiset of entries, each entry the
    multiset of the fields it joins: which occurrence of a repeated field is which is forgotten), the first in
    pattern order, including those that vanish once identical factors are (anti)symmetrized.
    """
    keys, labels = signature
    fermionic = tuple(k[0] for k in keys)
    reduced = basis == "independent"
    per_group = [group_patterns(keys, g, reduced) for g in range(len(GROUP_SPECS))]
    if any(len(p) == 0 for p, _ in per_group):
        return ()
    perms = _identity_permutations(labels, fermionic)
    gram = None
    for perm, sign in perms:
        m = np.ones((1, 1))
        for _, tensors in per_group:
            m = np.kron(m, _overlaps(tensors, perm))
        gram = sign * m if gram is None else gram + sign * m
    gram /= len(perms)
    scale = np.ones(1)
    for _, tensors in per_group:
        scale = np.kron(scale, np.sum(tensors.reshape(len(tensors), -1) ** 2, axis=1))
    candidates = list(itertools.product(*(p for p, _ in per_group)))
    distinct, seen = [], set()
    for idx, cand in enumerate(candidates):
        canon = min(tuple(_relabel(pat, perm) for pat in cand) for perm, _ in perms)
        if canon not in seen:
            seen.add(canon)
            distinct.append(idx)
    if basis == "independent":
        chosen = _greedy_independent(gram, distinct, scale)
    elif basis == "paper":
        chosen = _first_per_label_signature(candidates, distinct, labels)
    else:
        chosen = [k for k in distinct if gram[k, k] > REL_TOL * scale[k]]
    return tuple(candidates[k] for k in chosen)


def _first_per_label_signature(candidates: list, indices: list[int], labels: tuple[int, ...]) -> list[int]:
    """The first candidate of every ID-free signature: each entry read as the multiset of the field classes
    it joins (for one Higgs doublet (H·H†)(H·H†) and ε(HH)ε(H†H†) are two signatures; for a triplet the
    4-cycle Δ–Δ†–Δ–Δ† and the double pairs (Δ·Δ†)² are one)."""
    chosen, seen = [], set()
    for k in indices:
        key = tuple(
            tuple(sorted(tuple(sorted(labels[s] for s in entry)) for entry in pattern))
            for pattern in candidates[k]
        )
        if key not in seen:
            seen.add(key)
            chosen.append(k)
    return chosen


# ----------------------------------------------------------------------------------------------------------
# From field occurrences to contractions


@cache
def contractions_of(
    structure: tuple, order: tuple[int, ...], keys: tuple[RepKey, ...] | None = None
) -> tuple[Contraction, ...]:
    """Map a canonical structure to term slots (``order[q]`` = slot at canonical position q).

    Entries are listed in group order LORENTZ, SU3, SU2; within a group sorted; slots sorted in an entry
    (an ε is antisymmetric: reordering only flips the sign of the monomial). With the canonical ``keys``,
    the entries of a group with a mixed-shape factor (SU(3) 8 or 6̄) record the box each slot takes: sorting
    changes which occurrence of a factor comes first, and for those shapes that changes the tensor.
    """
    out = []
    for g, ((label, n), pattern) in enumerate(zip(GROUP_SPECS, structure)):
        diagrams = tuple(group_diagram(k, g) for k in keys) if keys is not None else ()
        if not any(d and _is_mixed(d) for d in diagrams):
            for entry in _relabel(pattern, order):
                out.append(Contraction(RENDER_GROUP[label], entry))
            continue
        boxes = pattern_boxes(pattern, diagrams, n)
        entries = sorted(
            tuple(sorted((order[s], box) for s, box in zip(entry, entry_boxes)))
            for entry, entry_boxes in zip(pattern, boxes)
        )
        for entry in entries:
            out.append(
                Contraction(RENDER_GROUP[label], tuple(s for s, _ in entry), tuple(b for _, b in entry))
            )
    return tuple(out)


def factor_contractions(
    occurrences: Sequence[tuple[Field, bool]], identities: Sequence[Hashable], basis: str = "independent"
) -> list[tuple[Contraction, ...]]:
    """Invariant contraction structures of a product of field occurrences (field, conjugate)."""
    return key_contractions([rep_key(f, c) for f, c in occurrences], identities, basis)


def key_contractions(
    keys: Sequence[RepKey], identities: Sequence[Hashable], basis: str = "independent"
) -> list[tuple[Contraction, ...]]:
    """``factor_contractions`` from the factors' rep keys (``rep_key(field, conjugate)``, the caller's)."""
    signature, order = signature_of(keys, identities)
    return [contractions_of(s, order, signature[0]) for s in signature_structures(signature, basis)]


def clear_caches() -> None:
    """Forget every cached signature (for cold-cache benchmarks)."""
    caches = (
        rep_key,
        embedding,
        epsilon_patterns,
        _diagram_patterns,
        _reduced_patterns,
        signature_structures,
        contractions_of,
        _probe_vector,
    )
    for fn in caches:
        fn.cache_clear()
