"""Term classes read from a term's objects (like the paper's ``get_tags``), and precision/recall/F1 per class.

Classes: a ``COMMUTATOR_A`` makes a gauge kinetic term; with a ``DERIVATIVE``, two scalars make a scalar
kinetic term and two fermions a fermion kinetic term; otherwise the count of (scalar, fermion) FIELD objects
decides: (3, 0) scalar trilinear, (4, 0) scalar quartic, (1, 2) Yukawa, (2, 0) scalar mass, (0, 2) fermion
mass. Anything else is ``other`` (malformed or unexpected model output).

Per class, over matched pairs (a matched pair always has the same objects, hence the same class)::

    precision = matched / predicted terms of the class,  recall = matched / true terms of the class,
    F1 = 2 P R / (P + R)

Undefined ratios (no predicted or no true term of a class) are NaN.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from src.physics.terms import KIND_BY_FACTORS, KINETIC_BY_FACTORS

from .paper_score import LagrangianScore
from .token_terms import TokenTerm

# The taxonomy's kinds (src.physics.terms.KINDS) in the order the paper's per-class tables list them
TERM_CLASSES = (
    "yukawa",
    "scalar_trilinear",
    "scalar_quartic",
    "scalar_mass",
    "fermion_mass",
    "scalar_kinetic",
    "fermion_kinetic",
    "gauge_kinetic",
)
OTHER = "other"


def _spin(obj: tuple[str, ...]) -> str | None:
    """'0' or '1/2' from a FIELD object (``FIELD SPIN 0 ...`` / ``FIELD SPIN 1 / 2 ...``), else None."""
    if obj[1:3] == ("SPIN", "0"):
        return "0"
    if obj[1:5] == ("SPIN", "1", "/", "2"):
        return "1/2"
    return None


def classify_term(term: TokenTerm | str) -> str:
    """The class of one term in the paper's token format (one of TERM_CLASSES, or ``other``)."""
    if isinstance(term, str):
        term = TokenTerm.from_text(term)
    heads = [obj[0] for obj in term.objects]
    if "COMMUTATOR_A" in heads:
        return "gauge_kinetic"
    spins = [_spin(obj) for obj in term.objects if obj[0] == "FIELD"]
    if None in spins:
        return OTHER
    key = (spins.count("0"), spins.count("1/2"))
    if "DERIVATIVE" in heads:
        return KINETIC_BY_FACTORS.get(key, OTHER)
    return KIND_BY_FACTORS.get(key, OTHER)


@dataclass
class ClassCount:
    """Matched, true and predicted term counts of one class; adds up over Lagrangians (micro average)."""

    n_correct: int = 0
    n_true: int = 0
    n_pred: int = 0

    def __add__(self, other: ClassCount) -> ClassCount:
        return ClassCount(
            self.n_correct + other.n_correct, self.n_true + other.n_true, self.n_pred + other.n_pred
        )

    @property
    def precision(self) -> float:
        return self.n_correct / self.n_pred if self.n_pred else math.nan

    @property
    def recall(self) -> float:
        return self.n_correct / self.n_true if self.n_true else math.nan

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        if math.isnan(p) or math.isnan(r):
            return math.nan
        return 2 * p * r / (p + r) if p + r else 0.0


def class_counts(score: LagrangianScore) -> dict[str, ClassCount]:
    """Per-class counts of one scored Lagrangian (true = matched + missing, predicted = matched + extra)."""
    out = {c: ClassCount() for c in (*TERM_CLASSES, OTHER)}
    for true, _ in score.matched:
        c = out[classify_term(true)]
        c.n_correct += 1
        c.n_true += 1
        c.n_pred += 1
    for true in score.missing:
        out[classify_term(true)].n_true += 1
    for pred in score.extra:
        out[classify_term(pred)].n_pred += 1
    return out


def class_report(scores: Iterable[LagrangianScore]) -> dict[str, dict[str, float]]:
    """Micro-averaged precision, recall, F1 and counts per class over many Lagrangians."""
    total = {c: ClassCount() for c in (*TERM_CLASSES, OTHER)}
    for s in scores:
        for c, n in class_counts(s).items():
            total[c] = total[c] + n
    return {
        c: {
            "precision": n.precision,
            "recall": n.recall,
            "f1": n.f1,
            "n_correct": n.n_correct,
            "n_true": n.n_true,
            "n_pred": n.n_pred,
        }
        for c, n in total.items()
    }
