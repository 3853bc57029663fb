"""Numerical checks of the explicit contractions: invariance under random group elements, no emitted term
vanishes, and the terms of one field multiset are linearly independent."""

from __future__ import annotations

import itertools
import random

import numpy as np
import pytest
from oracle_helpers import paper_field

from src.physics.invariants import GROUP_SPECS, embedding, rep_key
from src.physics.lagrangian import build_lagrangian
from src.physics.verify import term_tensors
from src.tokens.paper import parse_fields

MODELS = [
    "Q: L(3,2,1/6); uc: L(-3,1,-2/3); dc: L(-3,1,1/3); L: L(1,2,-1/2); ec: L(1,1,1); H: S(1,2,1/2)",
    "D: S(1,3,1); H: S(1,2,1/2); L: L(1,2,-1/2)",
    "H1: S(1,2,1/2); H2: S(1,2,1/2)",
    "Q: L(3,2,1/6); S3: S(-3,3,1/3); S1: S(-3,1,1/3)",
    "T: S(1,3,0); H: S(1,2,1/2)",
    "X1: S(3,1,0); X2: S(3,1,0); X3: S(3,1,0)",
    "S8: S(8,2,1/2); H: S(1,2,1/2)",
    "G: S(8,1,0); F: R(8,1,0); N: L(1,1,0)",
    "S6: S(6,1,1/3); P: S(-6,1,-1/3); W: L(1,4,1/2); V: S(1,5,0)",
]
MATTER = ("scalar_mass", "fermion_mass", "scalar_trilinear", "scalar_quartic", "yukawa")


def _random_sl(rng: np.random.Generator, n: int) -> np.ndarray:
    """A random element of SL(n, C) (not unitary: invariance of ε-contractions needs only det = 1)."""
    m = rng.standard_normal((n, n)) + 1j * rng.standard_normal((n, n))
    return m / np.linalg.det(m) ** (1 / n)


def _rep_matrix(diagram: tuple[int, ...], n: int, g: np.ndarray) -> np.ndarray:
    """D(g) = E g^{⊗m} E^T on the image of the Young symmetrizer (E's rows: orthonormal basis)."""
    if not diagram:
        return np.ones((1, 1))
    emb = embedding(diagram, n)
    flat = emb.reshape(len(emb), -1)
    big = np.ones((1, 1))
    for _ in range(emb.ndim - 1):
        big = np.kron(big, g)
    return flat @ big @ flat.T


def _factor_matrix(key, elements) -> np.ndarray:
    """The full representation matrix of a factor: Kronecker product over GROUP_SPECS."""
    out = np.ones((1, 1))
    for gi, (_, n) in enumerate(GROUP_SPECS):
        out = np.kron(out, _rep_matrix(key[1 + gi], n, elements[gi]))
    return out


def _evaluate(tensors, vectors) -> complex:
    """Contract the group tensors with one component vector per factor (each over the full rep)."""
    n = len(vectors)
    letters = "abcdefghijklmnopqrstuvwxyz"
    subs, operands = [], []
    for gi, t in enumerate(tensors):
        subs.append("".join(letters[gi * n + f] for f in range(n)))
        operands.append(t)
    for f, v in enumerate(vectors):
        shape = tuple(t.shape[f] for t in tensors)
        subs.append("".join(letters[gi * n + f] for gi in range(len(tensors))))
        operands.append(v.reshape(shape))
    return complex(np.einsum(",".join(subs) + "->", *operands))


def _matter_terms(text: str, basis: str = "independent"):
    lag = build_lagrangian(parse_fields(text), basis)
    return lag, [t for t in lag.terms if t.kind in MATTER]


def _keys(term, fields):
    return [rep_key(fields[f.field], f.conjugate and not fields[f.field].is_real) for f in term.factors]


def _charge(term, fields):
    return sum(-fields[f.field].u1 if f.conjugate else fields[f.field].u1 for f in term.factors)


@pytest.mark.parametrize("text", MODELS)
@pytest.mark.parametrize("basis", ["independent", "expanded"])
def test_every_emitted_term_is_invariant_under_random_group_elements(text, basis):
    rng = np.random.default_rng(0)
    lag, terms = _matter_terms(text, basis)
    for term in terms:
        tensors = term_tensors(term, lag.fields)
        keys = _keys(term, lag.fields)
        vectors = [
            rng.standard_normal(int(np.prod([t.shape[f] for t in tensors]))) + 0j for f in range(len(keys))
        ]
        elements = [_random_sl(rng, n) for _, n in GROUP_SPECS]
        theta = rng.uniform(0, 2 * np.pi)
        moved = []
        for f, key in enumerate(keys):
            fac = term.factors[f]
            q = -lag.fields[fac.field].u1 if fac.conjugate else lag.fields[fac.field].u1
            moved.append(np.exp(1j * theta * float(q)) * (_factor_matrix(key, elements) @ vectors[f]))
        before, after = _evaluate(tensors, vectors), _evaluate(tensors, moved)
        assert _charge(term, lag.fields) == 0
        assert abs(before) > 1e-8
        assert abs(after - before) < 1e-7 * max(1.0, abs(before)), term


def _projected_values(term, fields, samples) -> np.ndarray:
    """(Anti)symmetrized multilinear form of a term at independent random vectors per factor slot."""
    tensors = term_tensors(term, fields)
    ident = [(f.field, f.conjugate and not fields[f.field].is_real) for f in term.factors]
    fermion = [fields[f.field].is_fermion for f in term.factors]
    n = len(ident)
    perms = []
    for perm in itertools.permutations(range(n)):
        if all(ident[perm[p]] == ident[p] for p in range(n)):
            swaps = sum(1 for i in range(n) for j in range(i + 1, n) if perm[i] > perm[j] and fermion[i])
            perms.append((perm, -1 if swaps % 2 else 1))
    # slots are filled by identity: slot p of a sample gets the vector of its identity class and copy
    values = []
    for sample in samples:
        total = 0j
        for perm, sign in perms:
            total += sign * _evaluate(tensors, [sample[(ident[p], _copy(ident, perm[p]))] for p in range(n)])
        values.append(total)
    return np.array(values)


def _copy(ident, p) -> int:
    """Which copy of its identity class slot p is (0, 1, ...)."""
    return sum(1 for q in range(p) if ident[q] == ident[p])


@pytest.mark.parametrize("text", MODELS)
def test_terms_of_one_multiset_are_nonvanishing_and_independent(text):
    rng = np.random.default_rng(1)
    lag, terms = _matter_terms(text)
    by_multiset: dict = {}
    for t in terms:
        key = tuple(sorted((f.field, f.conjugate and not lag.fields[f.field].is_real) for f in t.factors))
        by_multiset.setdefault(key, []).append(t)
    for group in by_multiset.values():
        t0 = group[0]
        tensors = term_tensors(t0, lag.fields)
        ident = [(f.field, f.conjugate and not lag.fields[f.field].is_real) for f in t0.factors]
        sizes = {}
        for p, i in enumerate(ident):
            sizes[(i, _copy(ident, p))] = int(np.prod([t.shape[p] for t in tensors]))
        samples = [
            {k: rng.standard_normal(s) + 1j * rng.standard_normal(s) for k, s in sizes.items()}
            for _ in range(len(group) + 3)
        ]
        rows = [_projected_values(t, lag.fields, samples) for t in group]
        matrix = np.array(rows)
        assert all(np.abs(r).max() > 1e-8 for r in rows), "an emitted term vanishes"
        assert np.linalg.matrix_rank(matrix, tol=1e-8 * np.abs(matrix).max()) == len(group)


def test_random_paper_like_lagrangians_are_invariant():
    rng = random.Random(3)
    for _ in range(10):
        fields = [paper_field(rng) for _ in range(rng.randint(1, 4))]
        text = "; ".join(f"F{i}: {f.short()}" for i, f in enumerate(fields))
        test_every_emitted_term_is_invariant_under_random_group_elements(text, "independent")
        test_terms_of_one_multiset_are_nonvanishing_and_independent(text)
