"""An independent reader of the oracle's JSON contract (docs/guide.md, "The JSON contract, and how to read a
term back").

Written from the documented rule alone: it imports nothing of the generator's group theory (no embeddings,
no ε-patterns, no diagrams from ``src.physics.groups``). It reads the JSON that ``python -m src.lagrangian
--format json`` prints and evaluates every interaction term as a multilinear form on random field components:

* a factor is a tensor with one index per box of its Young diagram in each group (SU(2)_l, SU(2)_r, SU(3),
  SU(2)), for the representation as it occurs in the term (conjugated when daggered, except a real scalar);
* its components are a random tensor projected by each group's Young symmetrizer: the rows symmetrized,
  then the columns antisymmetrized;
* an entry of group G is an ε of G (N slots for SU(N); a LORENTZ entry is an ε of SU(2)_l when its factors
  are left-handed, of SU(2)_r when right-handed); its i-th slot takes box ``boxes[i]`` (column-major
  numbering) of factor ``slots[i]`` when the entry has ``boxes``, otherwise the factor's k-th box in
  column-major order at its k-th occurrence among the group's entries (entries in order, slots in order);
* identical factors (same field, same conjugation) commute (bosons) or anticommute (fermions): the form is
  (anti)symmetrized over them.

A term vanishes when the form is zero; the terms of one factor multiset are independent when their forms are.
"""

from __future__ import annotations

import itertools
import json
import math
import zlib
from collections import defaultdict

import numpy as np

SU3_DIAGRAM = {"1": (), "3": (1,), "-3": (1, 1), "6": (2,), "-6": (2, 2), "8": (2, 1)}
GROUP_N = {"L": 2, "R": 2, "SU3": 3, "SU2": 2}
GROUP_ORDER = ("L", "R", "SU3", "SU2")


def _conjugate_su3(diagram: tuple[int, ...]) -> tuple[int, ...]:
    a, b = (tuple(diagram) + (0, 0))[:2]
    return tuple(x for x in (a, a - b) if x)


def factor_diagrams(field: dict, conjugate: bool) -> dict[str, tuple[int, ...]]:
    """Young diagram per group of a field occurrence, read from its field's JSON."""
    su3 = SU3_DIAGRAM[field["su3"]]
    n2 = int(field["su2"])
    su2 = (n2 - 1,) if n2 > 1 else ()
    left = field["spin"] == "1/2" and field["helicity"] == "-1/2"
    right = field["spin"] == "1/2" and field["helicity"] == "1/2"
    conj = conjugate and not field["real"]
    if conj:
        su3 = _conjugate_su3(su3)
        left, right = right, left
    return {"L": (1,) if left else (), "R": (1,) if right else (), "SU3": su3, "SU2": su2}


def column_major_boxes(diagram: tuple[int, ...]) -> list[tuple[int, int]]:
    """(row, column) of each box: column 0 top to bottom, then column 1, ..."""
    return [
        (r, c) for c in range(diagram[0] if diagram else 0) for r in range(len(diagram)) if diagram[r] > c
    ]


def _symmetrize(x: np.ndarray, axes: list[int], signed: bool) -> np.ndarray:
    if len(axes) < 2:
        return x
    out = np.zeros_like(x)
    for perm in itertools.permutations(range(len(axes))):
        order = list(range(x.ndim))
        for a, p in zip(axes, perm):
            order[a] = axes[p]
        sign = 1.0
        if signed:
            sign = float(np.linalg.det(np.eye(len(perm))[list(perm)]))
        out = out + sign * np.transpose(x, order)
    return out / math.factorial(len(axes))


def young_project(x: np.ndarray, offset: int, diagram: tuple[int, ...]) -> np.ndarray:
    """Rows symmetrized, then columns antisymmetrized, on the axes offset.. of one group's boxes."""
    boxes = column_major_boxes(diagram)
    for r in range(len(diagram)):
        x = _symmetrize(x, [offset + k for k, (rr, _) in enumerate(boxes) if rr == r], signed=False)
    for c in range(diagram[0] if diagram else 0):
        x = _symmetrize(x, [offset + k for k, (_, cc) in enumerate(boxes) if cc == c], signed=True)
    return x


def random_components(diagrams: dict[str, tuple[int, ...]], rng: np.random.Generator) -> np.ndarray:
    """A generic element of the occurrence's representation: axes = boxes of L, R, SU3, SU2 in that order."""
    shape: list[int] = []
    for g in GROUP_ORDER:
        shape += [GROUP_N[g]] * sum(diagrams[g])
    x = rng.standard_normal(shape)
    offset = 0
    for g in GROUP_ORDER:
        x = young_project(x, offset, diagrams[g])
        offset += sum(diagrams[g])
    return x


def _epsilon(n: int) -> np.ndarray:
    eps = np.zeros((n,) * n)
    for perm in itertools.permutations(range(n)):
        eps[perm] = np.linalg.det(np.eye(n)[list(perm)])
    return eps


class ReadError(ValueError):
    """The term breaks the documented contract (a box used twice, an entry of the wrong size, ...)."""


def _box_letters(term: dict, diagrams: list[dict]) -> tuple[list[str], list[list[str]]]:
    """einsum letters: per entry those of its slots, per factor those of its boxes (L, R, SU3, SU2)."""
    letters = iter("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
    owner: list[dict[str, list[str | None]]] = [
        {g: [None] * sum(d[g]) for g in GROUP_ORDER} for d in diagrams
    ]
    seen: dict[tuple[str, int], int] = defaultdict(int)
    entry_subs: list[str] = []
    groups: list[str] = []
    for c in term["contractions"]:
        slots = c["slots"]
        group = c["group"]
        if group == "LORENTZ":
            sides = {("L" if diagrams[s]["L"] else "R" if diagrams[s]["R"] else "-") for s in slots}
            if len(sides) != 1 or "-" in sides:
                raise ReadError(f"LORENTZ entry {slots} mixes spinor types")
            group = sides.pop()
        if len(slots) != GROUP_N[group]:
            raise ReadError(f"{group} entry {slots} has {len(slots)} slots")
        subs = ""
        for i, s in enumerate(slots):
            if "boxes" in c:
                box = c["boxes"][i]
            else:
                box = seen[(group, s)]
                seen[(group, s)] += 1
            if box >= len(owner[s][group]) or owner[s][group][box] is not None:
                raise ReadError(f"{group} box {box} of factor {s} missing or used twice")
            ch = next(letters)
            owner[s][group][box] = ch
            subs += ch
        entry_subs.append(subs)
        groups.append(group)
    factor_subs = []
    for s, per_group in enumerate(owner):
        subs = ""
        for g in GROUP_ORDER:
            if any(ch is None for ch in per_group[g]):
                raise ReadError(f"{g} index of factor {s} not contracted")
            subs += "".join(per_group[g])  # type: ignore[arg-type]
        factor_subs.append(subs)
    return [f"{g}:{s}" for g, s in zip(groups, entry_subs)], [list(s) for s in factor_subs]


def term_values(doc: dict, term: dict, n_points: int, seed: int) -> np.ndarray:
    """The term's (anti)symmetrized multilinear form at ``n_points`` random points (a point: one component
    tensor per factor), each value divided by the product of the points' norms."""
    fields = doc["fields"]
    factors = term["factors"]
    diagrams = [factor_diagrams(fields[f["field"]], f["conjugate"]) for f in factors]
    entries, factor_letters = _box_letters(term, diagrams)
    operands_subs = [e.split(":")[1] for e in entries] + ["".join(x) for x in factor_letters]
    eps = [_epsilon(GROUP_N[e.split(":")[0]]) for e in entries]
    expr = ",".join(operands_subs) + "->"
    identity = [(f["field"], bool(f["conjugate"]) and not fields[f["field"]]["real"]) for f in factors]
    fermion = [fields[f["field"]]["spin"] == "1/2" for f in factors]
    classes: dict[tuple, list[int]] = defaultdict(list)
    for k, ident in enumerate(identity):
        classes[ident].append(k)
    perms = []
    for combo in itertools.product(*(itertools.permutations(m) for m in classes.values())):
        mapping, sign = list(range(len(factors))), 1.0
        for members, perm in zip(classes.values(), combo):
            for a, b in zip(members, perm):
                mapping[a] = b
            if fermion[members[0]]:
                sign *= float(np.linalg.det(np.eye(len(perm))[[members.index(p) for p in perm]]))
        perms.append((mapping, sign))
    rng = np.random.default_rng(seed)
    out = np.zeros(n_points)
    path = None
    for p in range(n_points):
        # identical factors share a representation, so their component tensors can be exchanged
        comps = [random_components(d, rng) for d in diagrams]
        norm = math.prod(float(np.linalg.norm(c)) for c in comps)
        if path is None:
            path = np.einsum_path(expr, *eps, *comps, optimize="greedy")[0]
        total = 0.0
        for mapping, sign in perms:
            operands = [comps[mapping[k]] for k in range(len(factors))]
            total += sign * float(np.einsum(expr, *eps, *operands, optimize=path))
        out[p] = total / len(perms) / norm
    return out


INTERACTIONS = ("scalar_trilinear", "scalar_quartic", "yukawa")


def multiset_values(json_text: str, n_points: int = 8) -> dict[tuple, np.ndarray]:
    """Per factor multiset (sorted (field, conjugate) pairs), the values of its interaction terms (rows) at
    ``n_points`` random points. The points depend only on the multiset, so two documents (two bases of
    the same fields) are evaluated at the same points and their rows can be compared."""
    doc = json.loads(json_text)
    by_multiset: dict[tuple, list[int]] = defaultdict(list)
    for k, t in enumerate(doc["terms"]):
        if t["kind"] in INTERACTIONS:
            key = tuple(sorted((f["field"], bool(f["conjugate"])) for f in t["factors"]))
            by_multiset[key].append(k)
    out = {}
    for key, members in sorted(by_multiset.items()):
        seed = zlib.crc32(repr(key).encode())
        rows = [term_values(doc, _sorted_factors(doc["terms"][k]), n_points, seed) for k in members]
        out[key] = np.array(rows)
    return out


def rank(values: np.ndarray) -> int:
    """Numerical rank of a set of value rows (each row scaled to unit norm; zero rows count for nothing)."""
    norms = np.linalg.norm(values, axis=1, keepdims=True)
    rows = values[norms[:, 0] > 1e-10] / norms[norms[:, 0] > 1e-10]
    if not len(rows):
        return 0
    s = np.linalg.svd(rows, compute_uv=False)
    return int(np.sum(s > 1e-8 * s[0]))


def read_lagrangian(json_text: str, n_points: int = 0) -> dict:
    """Evaluate every interaction term of a JSON Lagrangian; returns
    ``{"terms": n, "vanishing": [term indices], "dependent": [multisets whose terms are dependent]}``."""
    doc = json.loads(json_text)
    members: dict[tuple, list[int]] = defaultdict(list)
    for k, t in enumerate(doc["terms"]):
        if t["kind"] in INTERACTIONS:
            members[tuple(sorted((f["field"], bool(f["conjugate"])) for f in t["factors"]))].append(k)
    points = n_points or max((len(m) for m in members.values()), default=0) + 4
    vanishing, dependent = [], []
    for key, values in multiset_values(json_text, points).items():
        for k, row in zip(members[key], values):
            if np.max(np.abs(row)) < 1e-10:
                vanishing.append(k)
        if rank(values) < len(values):
            dependent.append(key)
    return {"terms": sum(len(m) for m in members.values()), "vanishing": vanishing, "dependent": dependent}


def _sorted_factors(term: dict) -> dict:
    """The same term with its factors in sorted order (slots renumbered): all terms of a multiset then
    see the same random component tensor at the same factor position."""
    order = sorted(
        range(len(term["factors"])),
        key=lambda k: (term["factors"][k]["field"], bool(term["factors"][k]["conjugate"]), k),
    )
    new_pos = {old: new for new, old in enumerate(order)}
    out = dict(term)
    out["factors"] = [term["factors"][k] for k in order]
    out["contractions"] = []
    for c in term["contractions"]:
        d = dict(c)
        d["slots"] = [new_pos[s] for s in c["slots"]]
        out["contractions"].append(d)
    return out
