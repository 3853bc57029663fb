"""Exact (integer) rank of the emitted contractions: the floating-point rank with a tolerance is not fooled.

Each irrep gets an *integer* basis of the image of its Young symmetrizer (pivot columns of the integer
symmetrizer matrix); the ε-contractions are then integer tensors, and the rank of the (anti)symmetrized
tensors of one multiset is computed exactly from their integer Gram matrix. Shapes with several rows and
columns (8, 6̄) are left out here: their box assignment is chosen numerically.
"""

from __future__ import annotations

import itertools
import string

import numpy as np
import pytest
import sympy

from src.physics.groups import young_tableau_boxes
from src.physics.invariants import GROUP_SPECS, levi_civita, rep_key
from src.physics.lagrangian import build_lagrangian
from src.physics.terms import Term
from src.tokens.paper import parse_fields

CASES = [
    "H: S(1,2,1/2)",
    "H1: S(1,2,1/2); H2: S(1,2,1/2)",
    "D: S(1,3,1); H: S(1,2,1/2); L: L(1,2,-1/2)",
    "T: S(1,3,0); H: S(1,2,1/2)",
    "X1: S(3,1,0); X2: S(3,1,0); X3: S(3,1,0)",
    "Q: L(3,2,1/6); S1: S(-3,1,1/3); S3: S(-3,3,1/3)",
    "A: S(-3,3,1); B: S(1,4,1/2)",
]


def _sign(perm) -> int:
    inversions = sum(1 for i in range(len(perm)) for j in range(i + 1, len(perm)) if perm[i] > perm[j])
    return -1 if inversions % 2 else 1


def _sym(x: np.ndarray, axes: list[int], sign: bool) -> np.ndarray:
    out = np.zeros_like(x)
    for perm in itertools.permutations(range(len(axes))):
        order = list(range(x.ndim))
        for a, b in zip(axes, perm):
            order[1 + a] = 1 + axes[b]
        s = _sign(perm) if sign else 1
        out += s * np.transpose(x, order)
    return out


def integer_embedding(diagram, n) -> np.ndarray:
    """Integer basis of the Young symmetrizer image, shape (dim, n, ..., n)."""
    if not diagram:
        return np.ones(1, dtype=np.int64)
    boxes = young_tableau_boxes(diagram)
    m = len(boxes)
    x = np.eye(n**m, dtype=np.int64).reshape((n**m,) + (n,) * m)
    for r in range(len(diagram)):
        x = _sym(x, [p for p, (rr, _) in enumerate(boxes) if rr == r], False)
    for c in range(diagram[0]):
        x = _sym(x, [p for p, (_, cc) in enumerate(boxes) if cc == c], True)
    cols = sympy.Matrix(x.reshape(n**m, n**m)).columnspace()
    return np.array([[int(v) for v in col] for col in cols], dtype=np.int64).reshape((len(cols),) + (n,) * m)


def integer_tensor(entries, diagrams, n) -> np.ndarray:
    """The ε-pattern contracted with integer embeddings (column-major box assignment)."""
    letters = iter(string.ascii_letters)
    occ: list[list[str]] = [[] for _ in diagrams]
    subs, ops = [], []
    for entry in entries:
        sub = ""
        for s in entry:
            ch = next(letters)
            occ[s].append(ch)
            sub += ch
        subs.append(sub)
        ops.append(levi_civita(n).astype(np.int64))
    free = [next(letters) for _ in diagrams]
    for f, d in enumerate(diagrams):
        if d:
            subs.append(free[f] + "".join(occ[f]))
            ops.append(integer_embedding(d, n))
    out = "".join(free[f] for f, d in enumerate(diagrams) if d)
    t = np.einsum(",".join(subs) + "->" + out, *ops) if ops else np.ones(())
    return np.asarray(t).reshape([len(integer_embedding(d, n)) if d else 1 for d in diagrams])


def projected_vector(term: Term, fields) -> np.ndarray:
    """Full integer tensor of a term, (anti)symmetrized over identical factors (without the 1/|S|)."""
    occ = [(fields[f.field], f.conjugate and not fields[f.field].is_real) for f in term.factors]
    keys = [rep_key(*o) for o in occ]
    groups: dict[str, list] = {label: [] for label, _ in GROUP_SPECS}
    for c in term.contractions:
        label = c.group
        if label == "LORENTZ":
            label = "LORENTZ_L" if keys[c.slots[0]][1] else "LORENTZ_R"
        groups[label].append(c.slots)
    full = np.ones((), dtype=np.int64)
    for g, (label, n) in enumerate(GROUP_SPECS):
        t = integer_tensor(groups[label], [k[1 + g] for k in keys], n)
        full = np.multiply.outer(full, t)
    k = len(occ)
    # axes are (group, factor); bring them to (factor, group) and flatten per factor
    full = full.transpose([g * k + f for f in range(k) for g in range(len(GROUP_SPECS))])
    full = full.reshape([int(np.prod(full.shape[f * 4 : f * 4 + 4])) for f in range(k)])
    ident = [(f.field, o[1]) for f, o in zip(term.factors, occ)]
    total = np.zeros_like(full)
    for perm in itertools.permutations(range(k)):
        if all(ident[perm[p]] == ident[p] for p in range(k)):
            fermionic = [p for p in range(k) if occ[p][0].is_fermion]
            sub = [perm[p] for p in fermionic]
            sign = _sign(sub)
            total += sign * np.transpose(full, perm)
    return total.reshape(-1)


@pytest.mark.parametrize("text", CASES)
def test_exact_rank_of_each_multiset_equals_its_number_of_terms(text):
    lag = build_lagrangian(parse_fields(text))
    by_multiset: dict = {}
    for t in lag.terms:
        if t.kind in ("scalar_trilinear", "scalar_quartic", "yukawa"):
            by_multiset.setdefault(tuple(sorted(t.factors)), []).append(t)
    assert by_multiset
    for terms in by_multiset.values():
        vectors = np.array([projected_vector(t, lag.fields) for t in terms], dtype=object)
        products = [[int(np.dot(a, b)) for b in vectors] for a in vectors]
        gram = sympy.Matrix(products)
        assert gram.rank() == len(terms), terms
