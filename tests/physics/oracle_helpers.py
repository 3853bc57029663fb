"""Shared helpers for the oracle tests: field samplers, per-multiset counts, basisgen's count."""

from __future__ import annotations

import random
from collections import Counter
from fractions import Fraction

from src.physics.fields import HALF, Field
from src.physics.groups import SU3_NAMES, SU2Rep, SU3Rep
from src.physics.lagrangian import build_lagrangian
from src.tokens.paper import parse_fields

NON_KINETIC = ("scalar_mass", "fermion_mass", "scalar_trilinear", "scalar_quartic", "yukawa")


def lagrangian(text: str, basis: str = "independent"):
    return build_lagrangian(parse_fields(text), basis)


def interaction_count(text: str) -> int:
    """Number of non-kinetic terms (masses and interactions) of a field list."""
    return sum(t.kind in NON_KINETIC for t in lagrangian(text).terms)


def multiset_counts(text: str) -> Counter:
    """Terms per factor multiset, keyed by a readable product like 'H H H† H†' (factors sorted)."""
    lag = lagrangian(text)
    names = [f.name for f in lag.fields]
    out: Counter = Counter()
    for t in lag.terms:
        if t.kind in NON_KINETIC:
            factors = sorted(t.factors)
            if t.kind == "scalar_mass" and lag.fields[factors[0].field].is_real:
                factors = sorted(type(f)(f.field, False) for f in factors)
            out[" ".join(names[f.field] + ("†" if f.conjugate else "") for f in factors)] += 1
    return out


def random_field(rng: random.Random, charges=(0, Fraction(1, 2), Fraction(-1, 2), 1, -1)) -> Field:
    """A field over the full representation range (SU3 1..8, SU2 1..5), charge from a small set so that
    many multisets are U(1) neutral."""
    kind = rng.choice("SLR")
    return Field(
        spin=Fraction(0) if kind == "S" else HALF,
        su3=SU3Rep.from_name(rng.choice(SU3_NAMES)),
        su2=SU2Rep(rng.randint(1, 5)),
        u1=Fraction(rng.choice(charges)),
        helicity=None if kind == "S" else (-HALF if kind == "L" else HALF),
        name=f"F{rng.randint(0, 99)}",
    )


def paper_field(rng: random.Random) -> Field:
    """A field like the paper's training data (SU3 1/3/3̄, SU2 1/2/3), charge from a small set."""
    while True:
        f = random_field(rng)
        if f.su3.name in ("1", "3", "-3") and f.su2.n <= 3:
            return f


def basisgen_count(occurrences, identities) -> int:
    """basisgen's number of derivative-free invariants of a product of (field, conjugate) occurrences."""
    import basisgen as bg
    from basisgen.eft import Field as BGField
    from basisgen.eft import Operator

    content: Counter = Counter()
    made: dict = {}
    for (f, conj), ident in zip(occurrences, identities):
        if ident not in made:
            g = f.conjugate() if conj else f
            lorentz = bg.scalar if g.is_scalar else (bg.L_spinor if g.helicity < 0 else bg.R_spinor)
            made[ident] = BGField(
                name=str(ident),
                lorentz_irrep=lorentz,
                internal_irrep=bg.irrep("SU3 x SU2", f"{g.su3.p} {g.su3.q} {g.su2.n - 1}"),
                charges=[g.u1],
                statistics=bg.boson if g.is_scalar else bg.fermion,
                dimension=1 if g.is_scalar else 1.5,
            )
        content[made[ident]] += 1
    op = Operator(content)
    return op.invariants(op.dimension).get(0, 0)
