"""The space of field quantum numbers a sampler draws from, and how hypercharges are spelled.

A ``FieldVocabulary`` is the training distribution of one field (paper.md §2): spin 0 or a Weyl fermion,
SU(3) and SU(2) irreps from a list, and a hypercharge that is zero with probability ``zero_charge_share``
or else uniform over the *distinct* reduced fractions p/q with 0 < |p| <= max_numerator and
1 <= q <= max_denominator (so 2/4 is never drawn: it is 1/2).

Example::

    vocab = FieldVocabulary.from_config({"su3": ["1", "3", "-3"], "su2": [1, 2, 3]})
    f = vocab.sample_field(random.Random(0))
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property
from math import gcd

from src.errors import UserError
from src.physics.fields import HALF, Field
from src.physics.groups import SU2_DIMS, SU3_NAMES, SU2Rep, SU3Rep


class ConfigError(UserError):
    """A bad dataset setting; the message names the setting (``data.max_fields must be >= 1, got 0``)."""


def reduced_charges(max_numerator: int, max_denominator: int) -> tuple[Fraction, ...]:
    """All distinct nonzero p/q (reduced) with |p| <= max_numerator and 1 <= q <= max_denominator, sorted."""
    values = {
        Fraction(s * p, q)
        for q in range(1, max_denominator + 1)
        for p in range(1, max_numerator + 1)
        if gcd(p, q) == 1
        for s in (1, -1)
    }
    return tuple(sorted(values))


def in_charge_vocabulary(q: Fraction, max_numerator: int, max_denominator: int) -> bool:
    """Is the (reduced) charge expressible with single-digit-style limits?"""
    return abs(q.numerator) <= max_numerator and q.denominator <= max_denominator


def _paper_vocabulary() -> dict:
    """``data.vocabulary`` of ``conf/data/sampled.yaml`` (the paper's training distribution)."""
    from src.config.data import paper_values

    return paper_values()["vocabulary"]


def _paper(key: str):
    """A field whose default is the paper's vocabulary's value, read when an instance is built."""
    return field(default_factory=lambda: getattr(FieldVocabulary.from_config({}), key))


@dataclass(frozen=True)
class FieldVocabulary:
    """Quantum numbers one field may take, with the draw probabilities of the samplers. A value left out
    is that of ``data.vocabulary`` in ``conf/data/sampled.yaml``."""

    su3: tuple[str, ...] = _paper("su3")
    su2: tuple[int, ...] = _paper("su2")
    max_numerator: int = _paper("max_numerator")
    max_denominator: int = _paper("max_denominator")
    zero_charge_share: float = _paper("zero_charge_share")
    scalar_share: float = _paper("scalar_share")

    @classmethod
    def from_config(cls, cfg: dict | None, where: str = "data.vocabulary") -> FieldVocabulary:
        """Validate a config node (keys it leaves out take ``conf/data/sampled.yaml``'s values); raise
        ConfigError naming the bad key."""
        cfg = dict(cfg or {})
        known = {"su3", "su2", "max_numerator", "max_denominator", "zero_charge_share", "scalar_share"}
        for key in cfg:
            if key not in known:
                raise ConfigError(f"{where}.{key} is not a known setting (known: {', '.join(sorted(known))})")
        cfg = {**_paper_vocabulary(), **cfg}
        su3 = tuple(str(x).strip() for x in cfg["su3"])
        su2 = tuple(cfg["su2"])
        for name in su3:
            if name not in SU3_NAMES:
                raise ConfigError(
                    f"{where}.su3 has unknown representation {name!r} (known: {', '.join(SU3_NAMES)})"
                )
        for n in su2:
            if not isinstance(n, int) or n not in SU2_DIMS:
                raise ConfigError(f"{where}.su2 has unknown representation {n!r} (known: 1-5)")
        if not su3 or not su2:
            raise ConfigError(f"{where}.su3 and {where}.su2 must not be empty")
        out = cls(
            su3=su3,
            su2=su2,
            max_numerator=int(cfg["max_numerator"]),
            max_denominator=int(cfg["max_denominator"]),
            zero_charge_share=float(cfg["zero_charge_share"]),
            scalar_share=float(cfg["scalar_share"]),
        )
        if out.max_numerator < 1 or out.max_denominator < 1:
            raise ConfigError(f"{where}.max_numerator and max_denominator must be >= 1")
        for key in ("zero_charge_share", "scalar_share"):
            if not 0.0 <= getattr(out, key) <= 1.0:
                raise ConfigError(f"{where}.{key} must lie in [0, 1], got {getattr(out, key)}")
        return out

    @cached_property
    def su3_reps(self) -> tuple[SU3Rep, ...]:
        return tuple(SU3Rep.from_name(n) for n in self.su3)

    @cached_property
    def su2_reps(self) -> tuple[SU2Rep, ...]:
        return tuple(SU2Rep(n) for n in self.su2)

    @cached_property
    def charges(self) -> tuple[Fraction, ...]:
        return reduced_charges(self.max_numerator, self.max_denominator)

    def allows_charge(self, q: Fraction) -> bool:
        return q == 0 or in_charge_vocabulary(q, self.max_numerator, self.max_denominator)

    def sample_charge(self, rng: random.Random, charges: tuple[Fraction, ...] | None = None) -> Fraction:
        if rng.random() < self.zero_charge_share:
            return Fraction(0)
        return rng.choice(charges or self.charges)

    def sample_helicity(self, rng: random.Random) -> Fraction | None:
        """None (scalar) with probability scalar_share, else either Weyl helicity, equally likely."""
        if rng.random() < self.scalar_share:
            return None
        return rng.choice((-HALF, HALF))

    def sample_field(self, rng: random.Random, charges: tuple[Fraction, ...] | None = None) -> Field:
        """One field with every quantum number drawn independently (the uniform sampler's field)."""
        hel = self.sample_helicity(rng)
        return Field(
            spin=Fraction(0) if hel is None else HALF,
            su3=rng.choice(self.su3_reps),
            su2=rng.choice(self.su2_reps),
            u1=self.sample_charge(rng, charges),
            helicity=hel,
        )
