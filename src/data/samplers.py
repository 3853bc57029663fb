"""Field-list samplers: each draws one input field list from an explicit ``random.Random``.

* ``UniformSampler``: the paper's "randomly generated" set. n uniform in [min_fields, max_fields], every
  quantum number drawn independently from the vocabulary.
* ``TrilinearSampler``: the paper's "sampled" set (paper.md §5.2). For n >= 3 it *plants* a trilinear: three
  term objects (three scalars, or two left-handed fermions and a scalar: a Yukawa ψψφ) whose quantum numbers
  pass the necessary conditions (U(1) sum zero, SU(3) triality zero, SU(2) box count even and triangular);
  each becomes an input field as itself or as its conjugate. The rest of the fields are random. The oracle
  later confirms that the planted trilinear really is in the Lagrangian (``generation.py``). Field counts
  are weighted toward fewer fields: w(n) = decay^(n-3) for n >= 3 and ``low_count_weight`` for n = 1, 2.
* ``HyperchargeOODSampler`` and ``RepsOODSampler``: in-vocabulary fields plus at least one out-of-distribution
  hypercharge spelling (unreduced, two-digit) or representation (SU3 6/-6/8, SU2 4/5).

Every sampler returns a ``Sample`` and counts its rejections by reason in the ``rejects`` Counter it is given.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from fractions import Fraction
from math import gcd

from src.physics.fields import HALF, Field
from src.physics.groups import SU2Rep, SU3Rep
from src.tokens.spelling import ChargeSpelling

from .field_space import FieldVocabulary, in_charge_vocabulary

MAX_TRIES = 1000


class SamplingError(RuntimeError):
    """A sampler could not meet its constraints (e.g. more distinct fields than the vocabulary has)."""


@dataclass
class Sample:
    """One input: fields in input order, an optional charge spelling, and the planted trilinear if any."""

    fields: list[Field]
    spelling: ChargeSpelling = field(default_factory=dict)
    planted: tuple[int, ...] = ()  # input positions of the planted trilinear's fields
    planted_kind: str | None = None  # "scalar_trilinear" | "yukawa"


def _add_distinct(
    fields: list[Field],
    draw,
    n: int,
    rng: random.Random,
    rejects: Counter,
    allow_duplicates: bool,
) -> None:
    """Append ``draw(rng)`` fields until there are n, skipping repeated quantum numbers unless allowed."""
    seen = set(fields)
    tries = 0
    while len(fields) < n:
        f = draw(rng)
        if not allow_duplicates and f in seen:
            rejects["duplicate_field"] += 1
            tries += 1
            if tries > MAX_TRIES:
                raise SamplingError(f"cannot draw {n} distinct fields from this vocabulary")
            continue
        seen.add(f)
        fields.append(f)


def _in_vocabulary(sampler, rng: random.Random, rejects: Counter) -> list[Field]:
    """``min_fields`` to ``max_fields`` fields from the sampler's vocabulary (distinct unless allowed)."""
    fields: list[Field] = []
    n = rng.randint(sampler.min_fields, sampler.max_fields)
    _add_distinct(fields, sampler.vocab.sample_field, n, rng, rejects, sampler.allow_duplicates)
    return fields


@dataclass
class UniformSampler:
    vocab: FieldVocabulary
    max_fields: int
    min_fields: int = 1
    allow_duplicates: bool = False

    def sample(self, rng: random.Random, rejects: Counter) -> Sample:
        return Sample(_in_vocabulary(self, rng, rejects))


def choose(rng: random.Random, seq, k: int) -> list:
    """``[rng.choice(seq) for _ in range(k)]``: the same draws from the same generator state, without two
    Python calls per draw (``choice`` reads ``getrandbits`` this way; a test holds the two equal)."""
    n = len(seq)
    if not n:
        raise IndexError("cannot choose from an empty sequence")
    bits, width = rng.getrandbits, n.bit_length()
    out = []
    for _ in range(k):
        r = bits(width)
        while r >= n:
            r = bits(width)
        out.append(seq[r])
    return out


# -------------------------------------------------------------------------------------------------------
# Necessary conditions for a three-object singlet, from the representations' definitions


def su3_can_be_singlet(reps: list[SU3Rep]) -> bool:
    """Triality conservation: sum of (p - q) mod 3 vanishes."""
    return sum(r.triality for r in reps) % 3 == 0


def su2_can_be_singlet(reps: list[SU2Rep]) -> bool:
    """A product of SU(2) spins j1 x j2 x j3 holds a singlet iff the boxes are even and triangular."""
    boxes = [r.boxes for r in reps]
    return sum(boxes) % 2 == 0 and 2 * max(boxes) <= sum(boxes)


def trilinear_charges(
    rng: random.Random, vocab: FieldVocabulary, rejects: Counter
) -> tuple[Fraction, Fraction, Fraction] | None:
    """(x, y, z) with x + y + z = 0, each in the vocabulary; None = rejected.

    How many are zero follows independent zeros of probability s = zero_charge_share, given that two zeros
    force the third: none ∝ (1-s)^3, one ∝ 3 s (1-s)^2 (then the others are q and -q), all ∝ s^3.
    Without zeros the three share a random denominator (the workshop code's construction).
    """
    s = vocab.zero_charge_share
    zeros = rng.choices((0, 1, 3), weights=((1 - s) ** 3, 3 * s * (1 - s) ** 2, s**3))[0]
    if zeros == 3:
        return Fraction(0), Fraction(0), Fraction(0)
    if zeros == 1:
        q = rng.choice(vocab.charges)
        out = [Fraction(0), q, -q]
        rng.shuffle(out)
        return out[0], out[1], out[2]
    d = rng.randint(1, vocab.max_denominator)
    a = rng.choice([k for k in range(-vocab.max_numerator, vocab.max_numerator + 1) if k])
    b = rng.choice([k for k in range(-vocab.max_numerator, vocab.max_numerator + 1) if k and k != -a])
    out = (Fraction(a, d), Fraction(b, d), Fraction(-a - b, d))
    if not all(vocab.allows_charge(x) for x in out):
        rejects["trilinear_u1_out_of_vocabulary"] += 1
        return None
    return out


def _field(hel: Fraction | None, su3: SU3Rep, su2: SU2Rep, u1: Fraction) -> Field:
    return Field(Fraction(0) if hel is None else HALF, su3, su2, u1, hel)


@dataclass
class TrilinearSampler:
    """The "sampled" distribution: a planted scalar trilinear or Yukawa plus random fields."""

    vocab: FieldVocabulary
    max_fields: int
    field_count_decay: float  # the values: data.sampled (generation.make_sampler)
    low_count_weight: float
    yukawa_share: float
    allow_duplicates: bool = False

    def field_count_weights(self) -> list[float]:
        return [self.low_count_weight if n < 3 else self.field_count_decay ** (n - 3) for n in self.counts()]

    def counts(self) -> list[int]:
        return list(range(1, self.max_fields + 1))

    def planted_objects(self, rng: random.Random, rejects: Counter) -> tuple[str, list[Field]]:
        """Three term objects forming a candidate invariant, as they appear inside the term."""
        for _ in range(MAX_TRIES):
            kind = "yukawa" if rng.random() < self.yukawa_share else "scalar_trilinear"
            su3 = choose(rng, self.vocab.su3_reps, 3)
            su2 = choose(rng, self.vocab.su2_reps, 3)
            if not su3_can_be_singlet(su3):
                rejects["trilinear_su3"] += 1
                continue
            if not su2_can_be_singlet(su2):
                rejects["trilinear_su2"] += 1
                continue
            charges = trilinear_charges(rng, self.vocab, rejects)
            if charges is None:
                continue
            # A Yukawa ψψφ needs both Weyl spinors of one helicity inside the term (ε_{αβ} ψ^α χ^β).
            hels = (-HALF, -HALF, None) if kind == "yukawa" else (None, None, None)
            return kind, [_field(h, a, b, c) for h, a, b, c in zip(hels, su3, su2, charges)]
        raise SamplingError("cannot plant a trilinear with this vocabulary")

    def sample(self, rng: random.Random, rejects: Counter) -> Sample:
        n = rng.choices(self.counts(), weights=self.field_count_weights())[0]
        if n < 3:
            fields: list[Field] = []
            _add_distinct(fields, self.vocab.sample_field, n, rng, rejects, self.allow_duplicates)
            return Sample(fields)
        for _ in range(MAX_TRIES):
            kind, objects = self.planted_objects(rng, rejects)
            # Each input field is the term object or its conjugate: input fields are never written daggered.
            planted = [o.conjugate() if rng.random() < 0.5 else o for o in objects]
            if not self.allow_duplicates and len(set(planted)) < 3:
                rejects["duplicate_field"] += 1
                continue
            fields = list(planted)
            _add_distinct(fields, self.vocab.sample_field, n, rng, rejects, self.allow_duplicates)
            order = list(range(n))
            rng.shuffle(order)
            shuffled = [fields[i] for i in order]
            where = tuple(sorted(order.index(i) for i in range(3)))
            return Sample(shuffled, planted=where, planted_kind=kind)
        raise SamplingError("cannot plant a trilinear without repeating a field")


NEAR_MISS_CHARGES = 6  # how many of the vocabulary's charges nearest a field's are its near misses


def near_miss(rng: random.Random, f: Field, vocab: FieldVocabulary) -> Field:
    """``f`` with a nearby hypercharge: -Y (when Y != 0) or one of the NEAR_MISS_CHARGES vocabulary charges
    closest to Y, each of those 1 + NEAR_MISS_CHARGES choices equally likely."""
    others = sorted((q for q in vocab.charges if q != f.u1), key=lambda q: (abs(q - f.u1), q))
    options = others[:NEAR_MISS_CHARGES] + ([-f.u1] if f.u1 != 0 else [])
    return Field(f.spin, f.su3, f.su2, rng.choice(options), f.helicity)


@dataclass
class SublistSampler:
    """Sub-lists of another sampler's field lists: the inputs compositional decoding asks a model about.

    A parent list is drawn; then a size k with weights ``size_weights`` (k = 1, 2, ...; at most the parent's
    length), and k of its fields in the parent's order. With ``planted_share``, a sub-list of three or more
    fields of a parent with a planted trilinear holds the planted fields (uniform sub-lists of a long list
    rarely hold a coupling, and a composed Lagrangian is exact only if those that do are right). With
    ``repeat_share`` one field of a sub-list of two or more is replaced by a copy of another (identical
    quantum numbers, as two Higgs doublets or generations in real models); the planted mark is then dropped.
    With ``near_miss_share``, a sub-list that holds the planted fields has one of them given a nearby
    hypercharge instead (its negative, or one of the ``NEAR_MISS_CHARGES`` vocabulary charges closest to it):
    the same representations, charges that in general no longer balance. The target is whatever the oracle
    finds for the changed list (usually no term), so the model sees couplings beside their near misses and
    must read the charges to tell them apart. The planted mark is then dropped.
    """

    parent: object
    size_weights: tuple[float, ...]
    planted_share: float
    repeat_share: float
    near_miss_share: float = 0.0

    def sample(self, rng: random.Random, rejects: Counter) -> Sample:
        parent = self.parent.sample(rng, rejects)
        n = len(parent.fields)
        k = min(rng.choices(range(1, len(self.size_weights) + 1), weights=self.size_weights)[0], n)
        planted = set(parent.planted)
        if planted and k >= len(planted) and rng.random() < self.planted_share:
            rest = [i for i in range(n) if i not in planted]
            chosen = sorted(planted | set(rng.sample(rest, k - len(planted))))
        else:
            chosen = sorted(rng.sample(range(n), k))
        fields = [parent.fields[i] for i in chosen]
        kind = parent.planted_kind if planted and planted <= set(chosen) else None
        if kind and self.near_miss_share > 0.0 and rng.random() < self.near_miss_share:
            i = chosen.index(rng.choice(sorted(planted)))
            fields[i] = near_miss(rng, fields[i], self.parent.vocab)
            kind = None
        if k >= 2 and rng.random() < self.repeat_share:
            a, b = rng.sample(range(k), 2)
            fields[b] = fields[a]
            kind = None
        where = tuple(chosen.index(i) for i in sorted(planted)) if kind else ()
        return Sample(fields, parent.spelling, planted=where, planted_kind=kind)


# -------------------------------------------------------------------------------------------------------
# Out-of-distribution samplers


def ood_spelling(rng: random.Random, vocab: FieldVocabulary, two_digit_share: float, max_value: int):
    """A hypercharge value and its OOD spelling: unreduced single digits (2/4, 6/9, 4/2) or two-digit parts.

    Returns (value, (numerator, denominator)) with the numerator positive; the caller picks the sign.
    """
    if rng.random() < two_digit_share:
        while True:
            num, den = rng.randint(1, max_value), rng.randint(1, max_value)
            g = gcd(num, den)
            num, den = num // g, den // g
            if not in_charge_vocabulary(Fraction(num, den), vocab.max_numerator, vocab.max_denominator):
                return Fraction(num, den), (num, den)
    while True:
        num, den = rng.randint(1, 9), rng.randint(1, 9)
        k = gcd(num, den)
        if k > 1:
            return Fraction(num, den), (num, den)


@dataclass
class HyperchargeOODSampler:
    """In-vocabulary reps; each field gets an OOD-spelled charge with probability ``ood_share`` (>= 1)."""

    vocab: FieldVocabulary
    max_fields: int
    ood_share: float  # the values: data.ood.ood_hypercharge (generation.make_sampler)
    two_digit_share: float
    max_value: int
    min_fields: int = 1
    allow_duplicates: bool = False

    def sample(self, rng: random.Random, rejects: Counter) -> Sample:
        spelling: ChargeSpelling = {}
        fields = _in_vocabulary(self, rng, rejects)
        n = len(fields)
        ood_slots = [i for i in range(n) if rng.random() < self.ood_share] or [rng.randrange(n)]
        seen = {f for i, f in enumerate(fields) if i not in ood_slots}
        for i in ood_slots:
            for _ in range(MAX_TRIES):
                value, spelled = ood_spelling(rng, self.vocab, self.two_digit_share, self.max_value)
                if value in spelling and spelling[value] != spelled:
                    rejects["ood_spelling_clash"] += 1  # one spelling per value within a Lagrangian
                    continue
                sign = rng.choice((1, -1))
                f = fields[i]
                g = Field(f.spin, f.su3, f.su2, sign * value, f.helicity)
                if not self.allow_duplicates and g in seen:
                    rejects["duplicate_field"] += 1
                    continue
                # In-vocabulary fields with the same |charge| would silently adopt the OOD spelling: fine,
                # the spelling is a property of the value, applied everywhere in the row.
                spelling[value] = spelled
                seen.add(g)
                fields[i] = g
                break
        return Sample(fields, spelling=spelling)


@dataclass
class RepsOODSampler:
    """In-vocabulary fields, then ``n_ood`` >= 1 of them get an out-of-vocabulary SU(3) or SU(2) irrep."""

    vocab: FieldVocabulary
    max_fields: int
    ood_su3: tuple[str, ...]  # the values: data.ood.ood_reps (generation.make_sampler)
    ood_su2: tuple[int, ...]
    ood_share: float
    min_fields: int = 1
    allow_duplicates: bool = False

    def sample(self, rng: random.Random, rejects: Counter) -> Sample:
        fields = _in_vocabulary(self, rng, rejects)
        n = len(fields)
        ood_slots = [i for i in range(n) if rng.random() < self.ood_share] or [rng.randrange(n)]
        for i in ood_slots:
            f = fields[i]
            su3, su2 = f.su3, f.su2
            which = rng.random()
            # su3 only, su2 only, or both, when both lists are non-empty
            if self.ood_su3 and (not self.ood_su2 or which < 2 / 3):
                su3 = SU3Rep.from_name(rng.choice(self.ood_su3))
            if self.ood_su2 and (not self.ood_su3 or which >= 1 / 3):
                su2 = SU2Rep(rng.choice(self.ood_su2))
            fields[i] = Field(f.spin, su3, su2, f.u1, f.helicity)
        if not self.allow_duplicates and len(set(fields)) < n:
            rejects["duplicate_field"] += 1
            return self.sample(rng, rejects)
        return Sample(fields)
