"""Is a term (built, or parsed from tokens) a valid term of the Lagrangian of ``fields``, and if not, why?

Checks, in order (the first failure is the reason):
field_not_in_input → dimension_above_4 → wrong_kind → u1_not_conserved → not_su3_singlet / not_su2_singlet /
not_lorentz_singlet (representation content: no singlet at all in the tensor product) → dangling_index /
index_reused (every fundamental index contracted exactly once) → vanishes (the contraction is identically
zero once identical factors are (anti)symmetrized).

Interaction terms carry ε entries (N slots for SU(N), 2 for each Lorentz SU(2)); kinetic and 2-field terms
may carry δ entries (2 slots, one per non-trivial group), as the shared conventions say.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from .counting import group_singlet_count
from .fields import Field
from .invariants import (
    GROUP_SPECS,
    REL_TOL,
    _identity_permutations,
    factor_contractions,
    pattern_tensor,
    rep_key,
)
from .lagrangian import gauge_groups
from .terms import FACTORS_OF_KIND, GROUPS, MATTER_KINETIC_KINDS, Term

REASONS = (
    "field_not_in_input",
    "u1_not_conserved",
    "not_su3_singlet",
    "not_su2_singlet",
    "not_lorentz_singlet",
    "dangling_index",
    "index_reused",
    "dimension_above_4",
    "vanishes",
    "wrong_kind",
)
SINGLET_REASON = {"LORENTZ_L": "not_lorentz_singlet", "LORENTZ_R": "not_lorentz_singlet"}
SINGLET_REASON |= {"SU3": "not_su3_singlet", "SU2": "not_su2_singlet"}


@dataclass(frozen=True)
class Verdict:
    valid: bool
    reason: str | None = None
    detail: str = ""


OK = Verdict(True, None, "")


def _fail(reason: str, detail: str) -> Verdict:
    return Verdict(False, reason, detail)


def verify_term(term: Term, fields: Sequence[Field]) -> Verdict:
    """Verdict on one term: valid, or the first reason of ``REASONS`` it fails (with a human detail)."""
    if term.kind == "gauge_kinetic":
        return _verify_gauge_kinetic(term, fields)
    for k, f in enumerate(term.factors):
        if not 0 <= f.field < len(fields):
            return _fail(
                "field_not_in_input", f"factor {k} refers to field {f.field}, input has {len(fields)}"
            )
    occ = [(fields[f.field], f.conjugate and not fields[f.field].is_real) for f in term.factors]
    dim = sum((f.mass_dimension for f, _ in occ), Fraction(0))
    kinetic = term.kind in MATTER_KINETIC_KINDS
    if not kinetic and dim > 4:
        return _fail("dimension_above_4", f"mass dimension {dim}")
    verdict = _check_kind(term, fields)
    if verdict is not OK:
        return verdict
    charge = sum((-f.u1 if c else f.u1) for f, c in occ)
    if charge != 0:
        return _fail("u1_not_conserved", f"U(1) charges sum to {charge}")
    keys = [rep_key(f, c) for f, c in occ]
    for g, (label, _) in enumerate(GROUP_SPECS):
        if kinetic and label.startswith("LORENTZ"):
            continue  # ψ† σ̄^μ D_μ ψ: the derivative's vector index completes the Lorentz singlet
        if group_singlet_count(keys, g) == 0:
            return _fail(SINGLET_REASON[label], f"no {label} singlet in the product of the factors")
    if (
        kinetic
        or all(len(c.slots) == 2 for c in term.contractions)
        and term.kind in FACTORS_OF_KIND
        and len(occ) == 2
    ):
        return _verify_delta(term, keys, occ, check_lorentz=not kinetic)
    return _verify_epsilon(term, keys, occ)


def _verify_gauge_kinetic(term: Term, fields: Sequence[Field]) -> Verdict:
    if term.factors:
        return _fail("wrong_kind", "a gauge kinetic term has no matter factors")
    if term.group not in gauge_groups(fields):
        return _fail("wrong_kind", f"no input field is charged under {term.group}")
    return OK


def _check_kind(term: Term, fields: Sequence[Field]) -> Verdict:
    n_s = sum(fields[f.field].is_scalar for f in term.factors)
    n_f = len(term.factors) - n_s
    if FACTORS_OF_KIND.get(term.kind) != (n_s, n_f):
        return _fail("wrong_kind", f"{term.kind} with {n_s} scalars and {n_f} fermions")
    if term.kind in MATTER_KINETIC_KINDS:
        a, b = term.factors
        if a.field != b.field or a.conjugate == b.conjugate:
            return _fail("wrong_kind", "a kinetic term pairs one field with its own conjugate")
    return OK


def _usage(term: Term, n: int) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for c in term.contractions:
        counts = out.setdefault(c.group, [0] * n)
        for s in c.slots:
            counts[s] += 1
    return out


def _index_verdict(expected: dict[str, list[int]], used: dict[str, list[int]]) -> Verdict:
    for group in GROUPS:
        exp = expected.get(group)
        got = used.get(group)
        if exp is None:
            continue
        got = got or [0] * len(exp)
        for slot, (e, u) in enumerate(zip(exp, got)):
            if u > e:
                return _fail("index_reused", f"{group} index of factor {slot} used {u} times, it has {e}")
            if u < e:
                return _fail("dangling_index", f"{group} index of factor {slot} left uncontracted")
    return OK


def _slots_in_range(term: Term) -> Verdict:
    n = len(term.factors)
    for c in term.contractions:
        if c.group not in GROUPS:
            return _fail("dangling_index", f"unknown contraction group {c.group}")
        if any(not 0 <= s < n for s in c.slots):
            return _fail("dangling_index", f"{c.group} entry {c.slots} refers to a missing factor")
    return OK


def _verify_delta(term: Term, keys: list, occ: list, check_lorentz: bool) -> Verdict:
    """Kinetic and 2-field terms: one δ entry (0, 1) per non-trivial group."""
    verdict = _slots_in_range(term)
    if verdict is not OK:
        return verdict
    n = len(term.factors)
    if not check_lorentz and any(c.group == "LORENTZ" for c in term.contractions):
        # (Dφ)†(Dφ) and ψ† σ̄ D ψ: the derivative and σ̄ carry the Lorentz structure, the two factors no entry
        return _fail("index_reused", "a kinetic term has no LORENTZ entry between its two factors")
    contractions = list(term.contractions)
    expected: dict[str, list[int]] = {}
    fermion = keys[0][0]
    if check_lorentz and fermion:
        expected["LORENTZ"] = [1] * n
    if keys[0][3]:
        expected["SU3"] = [1] * n
    if keys[0][4]:
        expected["SU2"] = [1] * n
    used = _usage(Term(term.kind, term.factors, tuple(contractions)), n)
    for group in used:
        if group not in expected and any(used[group]):
            return _fail("index_reused", f"{group} entry on factors without {group} indices")
    verdict = _index_verdict(expected, used)
    if verdict is not OK:
        return verdict
    if term.kind in MATTER_KINETIC_KINDS:
        return OK
    identities = [_identity(term, k, occ) for k in range(n)]
    if not factor_contractions(occ, identities):
        return _fail("vanishes", "the only contraction of this pair vanishes (symmetry of identical fields)")
    return OK


def _identity(term: Term, k: int, occ: list) -> tuple[int, bool]:
    return term.factors[k].field, occ[k][1]


def _split_lorentz(term: Term, keys: list) -> tuple[dict[str, list[tuple]], Verdict]:
    """ε entries per GROUP_SPECS label as (sorted slots, their boxes or None); a LORENTZ entry goes to
    SU(2)_l or SU(2)_r by its factors."""
    entries: dict[str, list[tuple]] = {label: [] for label, _ in GROUP_SPECS}
    for c in term.contractions:
        label = c.group
        if c.group == "LORENTZ":
            sides = {("L" if keys[s][1] else "R" if keys[s][2] else "0") for s in c.slots}
            if sides == {"L"}:
                label = "LORENTZ_L"
            elif sides == {"R"}:
                label = "LORENTZ_R"
            else:
                return entries, _fail("not_lorentz_singlet", f"LORENTZ entry {c.slots} mixes spinor types")
        if c.boxes is not None and len(c.boxes) != len(c.slots):
            return entries, _fail("dangling_index", f"{c.group} entry {c.slots} has boxes {c.boxes}")
        if c.boxes is None:
            entries[label].append((tuple(sorted(c.slots)), None))
        else:
            pairs = sorted(zip(c.slots, c.boxes))
            entries[label].append((tuple(s for s, _ in pairs), tuple(b for _, b in pairs)))
    return entries, OK


def _verify_epsilon(term: Term, keys: list, occ: list) -> Verdict:
    verdict = _slots_in_range(term)
    if verdict is not OK:
        return verdict
    entries, verdict = _split_lorentz(term, keys)
    if verdict is not OK:
        return verdict
    n = len(term.factors)
    for g, (label, size) in enumerate(GROUP_SPECS):
        boxes = [sum(k[1 + g]) for k in keys]
        used = [0] * n
        for entry, _ in entries[label]:
            if len(entry) != size:
                return _fail("dangling_index", f"{label} entry {entry} has {len(entry)} slots, needs {size}")
            for s in entry:
                used[s] += 1
        name = "LORENTZ" if label.startswith("LORENTZ") else label
        verdict = _index_verdict({name: boxes}, {name: used})
        if verdict is not OK:
            return verdict
        verdict = _box_verdict(label, entries[label], boxes)
        if verdict is not OK:
            return verdict
    tensors = [t[None] for t in _group_tensors(entries, keys)]
    if _projected_norm(term, occ, keys, tensors) <= REL_TOL * np.prod([np.sum(t**2) for t in tensors]):
        return _fail("vanishes", "the contraction is identically zero")
    return OK


def _projected_norm(term: Term, occ: list, keys: list, tensors: list[np.ndarray]) -> float:
    """<P A, P A> with P the (anti)symmetrizer over identical factors, A the product of group tensors."""
    identities = [_identity(term, k, occ) for k in range(len(occ))]
    labels, seen = [], {}
    for ident in identities:
        labels.append(seen.setdefault(ident, len(seen)))
    perms = _identity_permutations(tuple(labels), tuple(k[0] for k in keys))
    total = 0.0
    for perm, sign in perms:
        value = float(sign)
        for t in tensors:
            moved = np.transpose(t, (0,) + tuple(1 + p for p in perm))
            value *= float(np.sum(t * moved))
        total += value
    return total / len(perms)


def _box_verdict(label: str, entries: list[tuple], boxes: list[int]) -> Verdict:
    """Recorded boxes: on every entry of the group or on none, each box of a factor taken once."""
    recorded = [b is not None for _, b in entries]
    if not any(recorded):
        return OK
    if not all(recorded):
        return _fail("dangling_index", f"{label}: some entries record their boxes, others do not")
    taken: dict[int, list[int]] = {}
    for slots, entry_boxes in entries:
        for s, b in zip(slots, entry_boxes):
            taken.setdefault(s, []).append(b)
    for s, got in sorted(taken.items()):
        if sorted(got) != list(range(boxes[s])):
            return _fail("index_reused", f"{label} boxes of factor {s} are {sorted(got)}, it has {boxes[s]}")
    return OK


def _group_tensors(entries: dict[str, list[tuple]], keys: list) -> list[np.ndarray]:
    """Per GROUP_SPECS group: the ε-pattern's coefficient tensor, one axis per factor.

    Entries that record their boxes are read with them; otherwise the first box assignment that does not
    vanish is used (a token sequence cannot say which box an index fills)."""
    out = []
    for g, (label, size) in enumerate(GROUP_SPECS):
        diagrams = [k[1 + g] for k in keys]
        if not any(diagrams):
            out.append(np.ones((1,) * len(keys)))
            continue
        group_entries = sorted(entries[label], key=lambda e: (e[0], e[1] or ()))
        pattern = [slots for slots, _ in group_entries]
        boxes = None
        if group_entries and all(b is not None for _, b in group_entries):
            boxes = [b for _, b in group_entries]
        out.append(pattern_tensor(pattern, diagrams, size, boxes))
    return out


def term_tensors(term: Term, fields: Sequence[Field]) -> list[np.ndarray]:
    """Coefficient tensors of a matter term, one per group of GROUP_SPECS, one axis per factor.

    ε entries are used as given; a 2-field term written with δ entries gets the ε form of its unique
    invariant. The term is the contraction of these tensors with the factors' components (before any
    (anti)symmetrization over identical factors). Kinetic and gauge kinetic terms are not covered.
    """
    occ = [(fields[f.field], f.conjugate and not fields[f.field].is_real) for f in term.factors]
    keys = [rep_key(f, c) for f, c in occ]
    contractions = term.contractions
    if len(occ) == 2 and all(len(c.slots) == 2 for c in contractions):
        identities = [_identity(term, k, occ) for k in range(2)]
        structures = factor_contractions(occ, identities)
        contractions = structures[0] if structures else contractions
    entries, _ = _split_lorentz(Term(term.kind, term.factors, contractions), keys)
    return _group_tensors(entries, keys)
