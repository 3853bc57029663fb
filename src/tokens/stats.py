"""Sequence lengths of every scheme on a seeded sample of random field lists (``python -m src.tokens stats``).

The sample follows the paper's training distribution (paper.md §2): spin 0 / left / right Weyl, SU(3) 1, 3, 3̄,
SU(2) 1, 2, 3, hypercharges with single-digit numerator and denominator, no two identical fields.
"""

from __future__ import annotations

import math
import random
from fractions import Fraction

from src.physics.fields import Field, left, right, scalar

KINDS = (scalar, left, right)
SU3_CHOICES = ("1", "3", "-3")
SU2_CHOICES = (1, 2, 3)


def random_charge(rng: random.Random, max_digit: int = 9) -> Fraction:
    """A reduced fraction p/q with single-digit |p| and q (zero included), both chosen uniformly."""
    return Fraction(rng.randint(-max_digit, max_digit), rng.randint(1, max_digit))


def random_field(rng: random.Random) -> Field:
    make = rng.choice(KINDS)
    return make(rng.choice(SU3_CHOICES), rng.choice(SU2_CHOICES), random_charge(rng))


def random_fields(rng: random.Random, n: int) -> list[Field]:
    """``n`` distinct random fields (redrawn on a repeat), named F0, F1, ..."""
    out: list[Field] = []
    seen: set[tuple] = set()
    while len(out) < n:
        f = random_field(rng)
        if f.quantum_numbers() not in seen:
            seen.add(f.quantum_numbers())
            out.append(Field(f.spin, f.su3, f.su2, f.u1, f.helicity, name=f"F{len(out)}"))
    return out


def summary(lengths: list[int]) -> tuple[float, int, int]:
    """(mean, p95 by the nearest-rank rule, max)."""
    xs = sorted(lengths)
    p95 = xs[max(0, math.ceil(0.95 * len(xs)) - 1)]
    return sum(xs) / len(xs), p95, xs[-1]


def length_table(n: int = 300, seed: int = 0, max_fields: int = 6, basis: str = "independent") -> list[dict]:
    """Rows {scheme, n_fields, side, mean, p95, max} for source and target lengths (specials included)."""
    from src.physics.lagrangian import build_lagrangian

    from . import SCHEMES, build_scheme

    rng = random.Random(seed)
    samples: dict[int, list] = {}
    for k in range(n):
        size = 1 + k % max_fields
        fields = random_fields(rng, size)
        samples.setdefault(size, []).append(build_lagrangian(fields, basis=basis))
    rows = []
    for name in SCHEMES:
        scheme = build_scheme(name, seed=seed)
        if scheme.needs_fit:
            scheme.fit([lag.fields for lags in samples.values() for lag in lags])
        for size, lags in sorted(samples.items()):
            # lengths of ``scheme.encode``'s [SOS] words [EOS], counted on the words: one id per word, so
            # no tokenizer (and no transformers import) is needed
            lengths = {
                "input_ids": [len(scheme.source_tokens(lag.fields)) + 2 for lag in lags],
                "labels": [len(scheme.target_tokens(lag, random.Random(seed))) + 2 for lag in lags],
            }
            for side in ("input_ids", "labels"):
                mean, p95, top = summary(lengths[side])
                rows.append(dict(scheme=name, n_fields=size, side=side, mean=mean, p95=p95, max=top))
    return rows


def format_table(rows: list[dict], side: str = "labels") -> str:
    """Markdown: one row per number of fields, one ``mean / p95 / max`` column per scheme."""
    rows = [r for r in rows if r["side"] == side]
    schemes = list(dict.fromkeys(r["scheme"] for r in rows))
    sizes = sorted({r["n_fields"] for r in rows})
    cell = {(r["scheme"], r["n_fields"]): f"{r['mean']:.0f} / {r['p95']} / {r['max']}" for r in rows}
    lines = ["| fields | " + " | ".join(schemes) + " |", "|---" * (len(schemes) + 1) + "|"]
    for n in sizes:
        lines.append(f"| {n} | " + " | ".join(cell[(s, n)] for s in schemes) + " |")
    return "\n".join(lines)
